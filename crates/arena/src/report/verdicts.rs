//! The article's claims, each weighed against this run's rows. Thresholds are stated in the evidence text; a claim
//! with no cell to weigh it says "missing evidence" and why, never a guess.

use harness::Model as RtModel;
use workloads::Workload;

use super::{Model, Row};
use crate::results::Status;

/// How the evidence stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// The numbers agree with the claim.
    Supported,
    /// The numbers agree with part of it.
    Partly,
    /// The numbers disagree.
    Contradicted,
    /// No cell could weigh it.
    Missing,
}

impl Mark {
    /// As printed.
    pub fn text(self) -> &'static str {
        match self {
            Mark::Supported => "supported",
            Mark::Partly => "partly",
            Mark::Contradicted => "contradicted",
            Mark::Missing => "missing evidence",
        }
    }
}

/// One claim and its verdict.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// The claim, as the article puts it.
    pub claim: &'static str,
    /// The mark.
    pub mark: Mark,
    /// The measured evidence, or why there is none.
    pub evidence: String,
    /// The report section that shows it (an anchor).
    pub section: &'static str,
}

fn pct(x: Option<f64>) -> String {
    x.map_or(String::new(), |c| format!(" (±{:.0}% at 95%)", c * 100.0))
}

fn speed(r: &Row) -> String {
    format!(
        "`{}`: {:.2}x rt-seq{}, {:.2} cores busy",
        r.cell.label(),
        r.speedup.unwrap_or(f64::NAN),
        pct(r.ci95),
        r.cores_busy
    )
}

fn gil_variant(r: &Row) -> bool {
    r.model == Some(RtModel::Emulated) && !r.cell.variant.contains("free")
}

/// Why nothing could weigh a claim: no runtime of that model, or its cells were not timed.
fn missing(m: &Model, model: RtModel, what: &str) -> String {
    let present = m
        .run
        .runtimes
        .iter()
        .any(|r| r.usable() && r.info.as_ref().is_some_and(|i| i.model == model));
    let name = format!("{model:?}").to_lowercase();
    if present {
        let failed = m
            .run
            .cells
            .iter()
            .filter(|c| c.status != Status::Timed)
            .any(|c| {
                m.run.runtimes.iter().any(|r| {
                    r.name == c.cell.runtime && r.info.as_ref().is_some_and(|i| i.model == model)
                })
            });
        if failed {
            format!(
                "missing evidence: no timed {what} of a {name}-model runtime (its cell failed or was skipped; see [Failures and exclusions](#7-failures-and-exclusions))"
            )
        } else {
            format!(
                "missing evidence: no {what} of a {name}-model runtime in this run (not in this profile or not selected)"
            )
        }
    } else {
        format!("missing evidence: no {name}-model runtime took part in this run")
    }
}

/// Whether the row is its runtime's default variant.
fn is_default(m: &Model, r: &Row) -> bool {
    m.run
        .runtimes
        .iter()
        .find(|x| x.name == r.cell.runtime)
        .and_then(|x| x.info.as_ref())
        .and_then(|i| i.default_variant())
        == Some(r.cell.variant.as_str())
}

/// The base (non-sweep, no-opt) or workers=cores cell.
fn at_cores(m: &Model, r: &Row) -> bool {
    r.cell.workers == m.cores() && r.cell.opts.is_empty() && r.speedup.is_some()
}

fn parallel_claim(
    m: &Model,
    claim: &'static str,
    pick: impl Fn(&Row) -> bool,
    model: RtModel,
    what: &str,
    want_parallel: bool,
) -> Verdict {
    // The runtime's default variant speaks for it when several qualify (rt-gil's pool, not per-task).
    let r = m
        .rows_of(Workload::CpuBalanced)
        .filter(|r| pick(r) && at_cores(m, r))
        .min_by_key(|r| !is_default(m, r));
    let cores = m.cores();
    let Some(r) = r else {
        return Verdict {
            claim,
            mark: Mark::Missing,
            evidence: missing(m, model, what),
            section: "#cpu-balanced",
        };
    };
    let s = r.speedup.unwrap_or(0.0);
    let mark = if cores < 2 {
        Mark::Missing
    } else if want_parallel {
        if s >= 1.5 {
            Mark::Supported
        } else if s >= 1.2 {
            Mark::Partly
        } else {
            Mark::Contradicted
        }
    } else if s < 1.2 {
        Mark::Supported
    } else if s < 1.5 {
        Mark::Partly
    } else {
        Mark::Contradicted
    };
    let rule = if want_parallel {
        "supported at 1.5x or more on this machine's cores, partly from 1.2x"
    } else {
        "supported below 1.2x, contradicted from 1.5x"
    };
    let evidence = if cores < 2 {
        format!(
            "missing evidence: this machine has {cores} CPU, so no model can run in parallel here"
        )
    } else {
        format!(
            "{} with {} workers on {cores} CPUs ({rule})",
            speed(r),
            r.cell.workers
        )
    };
    Verdict {
        claim,
        mark,
        evidence,
        section: "#cpu-balanced",
    }
}

/// Every verdict, in the article's order. The verdicts weigh the workspace runtimes only: the peers (CPython, Node)
/// run scaled work and have their own section, the calibration, where they are set beside rt-gil and the loops.
pub fn all(m: &Model) -> Vec<Verdict> {
    let own = m.without_peers();
    let m = &own;
    vec![
        parallel_claim(
            m,
            "Threads are not parallel for CPU work under a GIL",
            gil_variant,
            RtModel::Emulated,
            "cpu-balanced cell with the GIL",
            false,
        ),
        threads_help_io(m),
        event_loop(m),
        cpu_blocks_loop(m),
        parallel_claim(
            m,
            "Processes give true parallelism",
            |r| r.model == Some(RtModel::Process),
            RtModel::Process,
            "cpu-balanced cell",
            true,
        ),
        processes_cost_io(m),
        gil_counter(m),
        message_passing(m),
        parallel_claim(
            m,
            "Removing the GIL restores parallelism",
            |r| r.model == Some(RtModel::Emulated) && r.cell.variant.contains("free"),
            RtModel::Emulated,
            "cpu-balanced cell without the GIL (free-threaded)",
            true,
        ),
    ]
}

fn best_io(m: &Model, pick: impl Fn(&Row) -> bool) -> Option<&Row> {
    m.rows_of(Workload::IoSleep)
        .filter(|r| pick(r) && r.speedup.is_some() && r.cell.opts.is_empty())
        .max_by(|a, b| {
            a.speedup
                .unwrap_or(0.0)
                .total_cmp(&b.speedup.unwrap_or(0.0))
        })
}

fn threads_help_io(m: &Model) -> Verdict {
    let claim = "Threads do help I/O";
    let section = "#io-sleep";
    let Some(r) = best_io(m, |r| r.model == Some(RtModel::Threads)) else {
        return Verdict {
            claim,
            mark: Mark::Missing,
            evidence: missing(m, RtModel::Threads, "io-sleep cell"),
            section,
        };
    };
    let s = r.speedup.unwrap_or(0.0);
    let mark = if s >= 2.0 {
        Mark::Supported
    } else if s > 1.2 {
        Mark::Partly
    } else {
        Mark::Contradicted
    };
    let mut evidence = format!(
        "best threads cell on io-sleep: {} (supported at 2x or more)",
        speed(r)
    );
    if let Some(g) = best_io(m, gil_variant) {
        evidence.push_str(&format!("; under the GIL too: {}", speed(g)));
    }
    Verdict {
        claim,
        mark,
        evidence,
        section,
    }
}

/// Async rows whose pilot saw a single OS thread: the event-loop-on-one-thread model.
fn single_loop(r: &Row) -> bool {
    r.model == Some(RtModel::Async)
        && r.report
            .as_ref()
            .is_some_and(|rep| rep.os_threads_peak <= 1)
}

fn event_loop(m: &Model) -> Verdict {
    let claim = "An event loop is concurrent but not parallel, and excellent at waiting";
    let section = "#io-sleep";
    let io = best_io(m, single_loop);
    let cpu = m
        .rows_of(Workload::CpuBalanced)
        .find(|r| single_loop(r) && at_cores(m, r));
    let (Some(io), Some(cpu)) = (io, cpu) else {
        return Verdict {
            claim,
            mark: Mark::Missing,
            evidence: missing(
                m,
                RtModel::Async,
                "io-sleep and cpu-balanced cell on a one-thread event loop",
            ),
            section,
        };
    };
    let waits = io.speedup.unwrap_or(0.0) >= 2.0;
    let serial = cpu.speedup.unwrap_or(9.0) < 1.2;
    let mark = match (waits, serial) {
        (true, true) => Mark::Supported,
        (false, false) => Mark::Contradicted,
        _ => Mark::Partly,
    };
    Verdict {
        claim,
        mark,
        evidence: format!(
            "waiting: {} (concurrent at 2x or more); computing: {} (not parallel below 1.2x)",
            speed(io),
            speed(cpu)
        ),
        section,
    }
}

fn cpu_blocks_loop(m: &Model) -> Verdict {
    let claim = "CPU work blocks the event loop";
    let section = "#4-latency";
    let cells: Vec<_> = reported(m, Workload::Mixed)
        .filter(|(c, rep, model)| {
            c.cell.opts.is_empty() && *model == RtModel::Async && rep.os_threads_peak <= 1
        })
        .map(|(c, rep, _)| (c, rep))
        .collect();
    let Some((c, rep)) = cells.first() else {
        return Verdict {
            claim,
            mark: Mark::Missing,
            evidence: missing(m, RtModel::Async, "mixed run on a one-thread event loop"),
            section,
        };
    };
    let d = rep.workload_params().delay_ms as f64;
    let Some(lat) = rep.latency_ms else {
        return Verdict {
            claim,
            mark: Mark::Missing,
            evidence: format!("missing evidence: `{}` reported no latency", c.cell.label()),
            section,
        };
    };
    let mark = if lat.p99 >= d {
        Mark::Supported
    } else if lat.p99 >= d / 5.0 {
        Mark::Partly
    } else {
        Mark::Contradicted
    };
    let mut evidence = format!(
        "`{}`: the ticker's p99 lateness is {:.1} ms against its {d:.0} ms wait (supported when late by a whole wait or more)",
        c.cell.label(),
        lat.p99
    );
    if let Some(fix) = m.run.cells.iter().find(|x| {
        x.cell.workload == Workload::Mixed
            && x.cell.runtime == c.cell.runtime
            && x.cell.variant == c.cell.variant
            && x.cell
                .opts
                .iter()
                .any(|(k, v)| k == "offload" && v == "true")
    }) && let Some(l) = fix.report.as_ref().and_then(|r| r.latency_ms)
    {
        evidence.push_str(&format!("; with `offload=true` it is {:.1} ms", l.p99));
    }
    Verdict {
        claim,
        mark,
        evidence,
        section,
    }
}

fn processes_cost_io(m: &Model) -> Verdict {
    let claim = "Processes cost more for I/O";
    let section = "#io-sleep";
    let procs = m
        .rows_of(Workload::IoSleep)
        .find(|r| r.model == Some(RtModel::Process) && r.cell.opts.is_empty());
    let Some(p) = procs else {
        return Verdict {
            claim,
            mark: Mark::Missing,
            evidence: missing(m, RtModel::Process, "io-sleep cell"),
            section,
        };
    };
    let threads = m
        .rows_of(Workload::IoSleep)
        .filter(|r| {
            r.model == Some(RtModel::Threads)
                && r.cell.tasks == p.cell.tasks
                && r.cell.opts.is_empty()
        })
        .min_by(|a, b| a.hf.median.total_cmp(&b.hf.median));
    let Some(t) = threads else {
        return Verdict {
            claim,
            mark: Mark::Missing,
            evidence: missing(
                m,
                RtModel::Threads,
                "io-sleep cell with the same tasks as the process cell",
            ),
            section,
        };
    };
    let ratio = p.hf.median / t.hf.median;
    let test = crate::stats::welch(&t.hf.times, &p.hf.times);
    let significant = test.is_some_and(|(_, _, pv)| pv < 0.05);
    let mark = match (ratio > 1.0, significant) {
        (true, true) => Mark::Supported,
        (false, true) => Mark::Contradicted,
        _ => Mark::Partly,
    };
    let p_text = test.map_or("no test (too few runs)".to_string(), |(_, _, pv)| {
        format!("Welch p = {pv:.3}")
    });
    Verdict {
        claim,
        mark,
        evidence: format!(
            "`{}` takes {ratio:.2}x the time of the fastest threads cell `{}` on io-sleep ({p_text}; supported when slower at p < 0.05)",
            p.cell.label(),
            t.cell.label()
        ),
        section,
    }
}

/// Every cell of workload `w` with a kept RunReport, and its runtime's model.
fn reported(
    m: &Model,
    w: Workload,
) -> impl Iterator<Item = (&crate::results::CellRecord, &harness::RunReport, RtModel)> {
    m.run
        .cells
        .iter()
        .filter(move |c| c.cell.workload == w)
        .filter_map(|c| {
            let rep = c.report.as_ref()?;
            let rt = m.run.runtimes.iter().find(|r| r.name == c.cell.runtime)?;
            Some((c, rep, rt.info.as_ref()?.model))
        })
}

fn lost(m: &Model, pick: impl Fn(&crate::plan::Cell, RtModel) -> bool) -> Vec<(String, u64, u64)> {
    reported(m, Workload::Race)
        .filter(|(c, _, model)| pick(&c.cell, *model))
        .map(|(c, rep, _)| {
            (
                c.cell.label(),
                rep.lost_updates.unwrap_or(0),
                rep.reference_checksum(),
            )
        })
        .collect()
}

fn list(v: &[(String, u64, u64)]) -> String {
    v.iter()
        .map(|(l, n, of)| format!("`{l}` lost {n} of {of}"))
        .collect::<Vec<_>>()
        .join("; ")
}

fn gil_counter(m: &Model) -> Verdict {
    let claim = "The GIL makes `counter += 1` safe (both `rmw` forms)";
    let section = "#race";
    let gil = |c: &crate::plan::Cell, model: RtModel| {
        model == RtModel::Emulated && !c.variant.contains("free")
    };
    let plain = lost(m, |c, md| {
        gil(c, md) && !c.opts.iter().any(|(k, v)| k == "rmw" && v != "plain")
    });
    let call = lost(m, |c, md| {
        gil(c, md) && c.opts.iter().any(|(k, v)| k == "rmw" && v == "call")
    });
    if plain.is_empty() {
        return Verdict {
            claim,
            mark: Mark::Missing,
            evidence: missing(m, RtModel::Emulated, "race run under the GIL"),
            section,
        };
    }
    let plain_safe = plain.iter().all(|x| x.1 == 0);
    let call_safe = call.iter().all(|x| x.1 == 0);
    let mark = match (plain_safe, call.is_empty(), call_safe) {
        (true, true, _) => Mark::Partly,
        (true, false, true) => Mark::Supported,
        (true, false, false) => Mark::Partly,
        (false, _, _) => Mark::Contradicted,
    };
    let mut evidence = format!("`rmw=plain`: {}", list(&plain));
    if call.is_empty() {
        evidence.push_str("; `rmw=call`: missing evidence (no such cell in this run)");
    } else {
        evidence.push_str(&format!("; `rmw=call` (`counter += f()`): {}", list(&call)));
    }
    Verdict {
        claim,
        mark,
        evidence,
        section,
    }
}

fn message_passing(m: &Model) -> Verdict {
    let claim = "Message passing loses no updates";
    let section = "#race";
    let v = lost(m, |c, md| {
        md == RtModel::Process && !c.opts.iter().any(|(k, v)| k == "shared" && v == "true")
    });
    if v.is_empty() {
        return Verdict {
            claim,
            mark: Mark::Missing,
            evidence: missing(m, RtModel::Process, "race run"),
            section,
        };
    }
    let mark = if v.iter().all(|x| x.1 == 0) {
        Mark::Supported
    } else {
        Mark::Contradicted
    };
    Verdict {
        claim,
        mark,
        evidence: list(&v),
        section,
    }
}
