//! The article's claims, each weighed against this run's rows. A verdict is data: its [`Mark`], its [`Evidence`]
//! (the figures and the rule, or why there are none) and the [`Topic`] where the report shows the numbers. Thresholds
//! are stated in the evidence; a claim with no cell to weigh it says why, never a guess.

use harness::Model;
use workloads::Workload;

use super::{Analysis, Row};
use crate::store::Status;

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

/// Where the numbers behind a verdict are shown: the report turns it into a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    /// A workload's table.
    Workload(Workload),
    /// The latency percentiles.
    Latency,
}

/// Why no cell could weigh a claim.
#[derive(Debug, Clone, PartialEq)]
pub enum Missing {
    /// No runtime of the model took part.
    NoRuntime { model: Model },
    /// Runtimes of the model took part, but this run has no such cell (profile or selection).
    NotInRun { model: Model, what: String },
    /// The cell exists but failed or was skipped: the failures list says why.
    CellFailed { model: Model, what: String },
    /// The machine has one CPU, so nothing can run in parallel.
    OneCpu { cores: u64 },
    /// The cell's kept run recorded no latency.
    NoLatency { label: String },
}

/// What a verdict rests on.
#[derive(Debug, Clone, PartialEq)]
pub enum Evidence {
    /// The figures and the rule that decided, in one sentence (cell labels in backticks).
    Measured(String),
    /// Nothing to weigh, and why.
    Missing(Missing),
}

/// One claim and its verdict.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// The claim, as the article puts it.
    pub claim: &'static str,
    /// The mark.
    pub mark: Mark,
    /// The measured evidence, or why there is none.
    pub evidence: Evidence,
    /// Where the report shows the numbers.
    pub see: Topic,
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
    r.model == Some(Model::Emulated) && !r.cell.variant.contains("free")
}

/// Why nothing could weigh a claim: no runtime of that model, or its cells were not timed.
fn missing(m: &Analysis, model: Model, what: &str) -> Evidence {
    let present = m
        .run
        .runtimes
        .iter()
        .any(|r| r.usable() && r.info.as_ref().is_some_and(|i| i.model == model));
    let what = what.to_string();
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
    Evidence::Missing(match (present, failed) {
        (false, _) => Missing::NoRuntime { model },
        (true, true) => Missing::CellFailed { model, what },
        (true, false) => Missing::NotInRun { model, what },
    })
}

/// Whether the row is its runtime's default variant.
fn is_default(m: &Analysis, r: &Row) -> bool {
    m.run
        .runtimes
        .iter()
        .find(|x| x.name == r.cell.runtime)
        .and_then(|x| x.info.as_ref())
        .and_then(|i| i.default_variant())
        == Some(r.cell.variant.as_str())
}

/// The base (non-sweep, no-opt) or workers=cores cell.
fn at_cores(m: &Analysis, r: &Row) -> bool {
    r.cell.workers == m.cores() && r.cell.opts.is_empty() && r.speedup.is_some()
}

fn parallel_claim(
    m: &Analysis,
    claim: &'static str,
    pick: impl Fn(&Row) -> bool,
    model: Model,
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
            see: Topic::Workload(Workload::CpuBalanced),
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
        Evidence::Missing(Missing::OneCpu { cores })
    } else {
        Evidence::Measured(format!(
            "{} with {} workers on {cores} CPUs ({rule})",
            speed(r),
            r.cell.workers
        ))
    };
    Verdict {
        claim,
        mark,
        evidence,
        see: Topic::Workload(Workload::CpuBalanced),
    }
}

/// Every verdict, in the article's order. The verdicts weigh the workspace runtimes only: the peers (CPython, Node)
/// run scaled work and have their own section, the calibration, where they are set beside rt-gil and the loops.
pub fn all(m: &Analysis) -> Vec<Verdict> {
    let own = m.without_peers();
    let m = &own;
    vec![
        parallel_claim(
            m,
            "Threads are not parallel for CPU work under a GIL",
            gil_variant,
            Model::Emulated,
            "cpu-balanced cell with the GIL",
            false,
        ),
        threads_help_io(m),
        event_loop(m),
        cpu_blocks_loop(m),
        parallel_claim(
            m,
            "Processes give true parallelism",
            |r| r.model == Some(Model::Process),
            Model::Process,
            "cpu-balanced cell",
            true,
        ),
        processes_cost_io(m),
        gil_counter(m),
        message_passing(m),
        parallel_claim(
            m,
            "Removing the GIL restores parallelism",
            |r| r.model == Some(Model::Emulated) && r.cell.variant.contains("free"),
            Model::Emulated,
            "cpu-balanced cell without the GIL (free-threaded)",
            true,
        ),
    ]
}

fn best_io(m: &Analysis, pick: impl Fn(&Row) -> bool) -> Option<&Row> {
    m.rows_of(Workload::IoSleep)
        .filter(|r| pick(r) && r.speedup.is_some() && r.cell.opts.is_empty())
        .max_by(|a, b| {
            a.speedup
                .unwrap_or(0.0)
                .total_cmp(&b.speedup.unwrap_or(0.0))
        })
}

fn threads_help_io(m: &Analysis) -> Verdict {
    let claim = "Threads do help I/O";
    let see = Topic::Workload(Workload::IoSleep);
    let Some(r) = best_io(m, |r| r.model == Some(Model::Threads)) else {
        return Verdict {
            claim,
            mark: Mark::Missing,
            evidence: missing(m, Model::Threads, "io-sleep cell"),
            see,
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
        evidence: Evidence::Measured(evidence),
        see,
    }
}

/// Async rows whose pilot saw a single OS thread: the event-loop-on-one-thread model.
fn single_loop(r: &Row) -> bool {
    r.model == Some(Model::Async)
        && r.report
            .as_ref()
            .is_some_and(|rep| rep.os_threads_peak <= 1)
}

fn event_loop(m: &Analysis) -> Verdict {
    let claim = "An event loop is concurrent but not parallel, and excellent at waiting";
    let see = Topic::Workload(Workload::IoSleep);
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
                Model::Async,
                "io-sleep and cpu-balanced cell on a one-thread event loop",
            ),
            see,
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
        evidence: Evidence::Measured(format!(
            "waiting: {} (concurrent at 2x or more); computing: {} (not parallel below 1.2x)",
            speed(io),
            speed(cpu)
        )),
        see,
    }
}

fn cpu_blocks_loop(m: &Analysis) -> Verdict {
    let claim = "CPU work blocks the event loop";
    let see = Topic::Latency;
    let cells: Vec<_> = reported(m, Workload::Mixed)
        .filter(|(c, rep, model)| {
            c.cell.opts.is_empty() && *model == Model::Async && rep.os_threads_peak <= 1
        })
        .map(|(c, rep, _)| (c, rep))
        .collect();
    let Some((c, rep)) = cells.first() else {
        return Verdict {
            claim,
            mark: Mark::Missing,
            evidence: missing(m, Model::Async, "mixed run on a one-thread event loop"),
            see,
        };
    };
    let d = rep.workload_params().delay_ms as f64;
    let Some(lat) = rep.latency_ms else {
        return Verdict {
            claim,
            mark: Mark::Missing,
            evidence: Evidence::Missing(Missing::NoLatency {
                label: c.cell.label(),
            }),
            see,
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
        evidence: Evidence::Measured(evidence),
        see,
    }
}

fn processes_cost_io(m: &Analysis) -> Verdict {
    let claim = "Processes cost more for I/O";
    let see = Topic::Workload(Workload::IoSleep);
    let procs = m
        .rows_of(Workload::IoSleep)
        .find(|r| r.model == Some(Model::Process) && r.cell.opts.is_empty());
    let Some(p) = procs else {
        return Verdict {
            claim,
            mark: Mark::Missing,
            evidence: missing(m, Model::Process, "io-sleep cell"),
            see,
        };
    };
    let threads = m
        .rows_of(Workload::IoSleep)
        .filter(|r| {
            r.model == Some(Model::Threads)
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
                Model::Threads,
                "io-sleep cell with the same tasks as the process cell",
            ),
            see,
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
        evidence: Evidence::Measured(format!(
            "`{}` takes {ratio:.2}x the time of the fastest threads cell `{}` on io-sleep ({p_text}; supported when slower at p < 0.05)",
            p.cell.label(),
            t.cell.label()
        )),
        see,
    }
}

/// Every cell of workload `w` with a kept RunReport, and its runtime's model.
fn reported(
    m: &Analysis,
    w: Workload,
) -> impl Iterator<Item = (&crate::store::CellRecord, &harness::RunReport, Model)> {
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

fn lost(m: &Analysis, pick: impl Fn(&crate::plan::Cell, Model) -> bool) -> Vec<(String, u64, u64)> {
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

fn gil_counter(m: &Analysis) -> Verdict {
    let claim = "The GIL makes `counter += 1` safe (both `rmw` forms)";
    let see = Topic::Workload(Workload::Race);
    let gil = |c: &crate::plan::Cell, model: Model| {
        model == Model::Emulated && !c.variant.contains("free")
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
            evidence: missing(m, Model::Emulated, "race run under the GIL"),
            see,
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
        evidence: Evidence::Measured(evidence),
        see,
    }
}

fn message_passing(m: &Analysis) -> Verdict {
    let claim = "Message passing loses no updates";
    let see = Topic::Workload(Workload::Race);
    let v = lost(m, |c, md| {
        md == Model::Process && !c.opts.iter().any(|(k, v)| k == "shared" && v == "true")
    });
    if v.is_empty() {
        return Verdict {
            claim,
            mark: Mark::Missing,
            evidence: missing(m, Model::Process, "race run"),
            see,
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
        evidence: Evidence::Measured(list(&v)),
        see,
    }
}
