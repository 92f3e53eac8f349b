//! The report's "Calibration against CPython and Node" section: the peers (`peers/peers.toml`) beside rt-gil and
//! the single-threaded event loops, on the same machine in the same run.
//!
//! Everything here compares *shapes* (a speedup, lateness against a switch interval, lost or not, a ratio of wall
//! times), never a Rust time against a Python time: the CPython peers run 1/27 of the CPU work. Each comparison ends
//! in a [`Finding`], which says whether the emulation and the real thing agree, by a rule stated in the text.

use std::fmt::Write as _;

use workloads::Workload;

use super::{Analysis, Row};
use crate::plan::Axis;
use crate::report::format::{ms, opt_x, secs};

/// The emulated GIL and its real counterpart.
const GIL: &str = "rt-gil";
const CPYTHON_THREADS: &str = "py-threading";

/// One comparison's outcome, for the list at the end of the section.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// What was compared.
    pub topic: String,
    /// Whether the emulation (or the Rust loop) and the peer agree; `None` when there is nothing to compare with
    /// or the comparison is a ranking rather than an agreement.
    pub agree: Option<bool>,
    /// The figures, in one sentence.
    pub text: String,
}

/// A timed row of `runtime/variant` for workload `w` that `pick` accepts.
fn row<'a>(
    m: &'a Analysis,
    w: Workload,
    runtime: &str,
    variant: &str,
    pick: impl Fn(&Row) -> bool,
) -> Option<&'a Row> {
    m.rows_of(w)
        .find(|r| r.cell.runtime == runtime && r.cell.variant == variant && pick(r))
}

fn opt(r: &Row, key: &str) -> Option<String> {
    r.cell
        .opts
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
}

fn extra_f64(r: &Row, key: &str) -> Option<f64> {
    r.report.as_ref()?.extra.get(key)?.as_f64()
}

/// The section, numbered `n`, and its findings.
pub fn section(m: &Analysis, n: usize) -> (String, Vec<Finding>) {
    let mut out = String::new();
    let mut found = Vec::new();
    let peers: Vec<_> = m.run.runtimes.iter().filter(|r| r.peer.is_some()).collect();
    if peers.is_empty() {
        out.push_str(
            "No peer took part in this run (`--no-peers`, `--runtime` without one, or a workspace without \
             `peers/peers.toml`). Run `just bench-all` with python3 3.10+ and node 18+ on PATH to fill this section; \
             see [docs/peers.md](../../docs/peers.md).\n\n",
        );
        return (out, found);
    }
    let present: Vec<String> = peers
        .iter()
        .filter(|r| r.usable())
        .map(|r| {
            let p = r.peer.as_ref().expect("filtered on peer");
            format!(
                "`{}` ({} {}, work ÷{}, race ÷{})",
                r.name,
                p.interpreter,
                p.version.as_deref().unwrap_or("?"),
                p.work_scale,
                p.race_scale
            )
        })
        .collect();
    let absent: Vec<String> = peers
        .iter()
        .filter(|r| !r.usable())
        .map(|r| {
            format!(
                "`{}` ({})",
                r.name,
                r.excluded.as_deref().unwrap_or("no list output")
            )
        })
        .collect();
    let _ = writeln!(
        out,
        "The peers run the same workloads in the real interpreters, on this machine, in this run \
         ([docs/peers.md](../../docs/peers.md)). Present: {}. {}\n\n\
         CPython runs trial division about 27 times slower than Rust, so its peers count primes in 1/27 of the \
         numbers (and race 1/10 of the increments): compare the *shapes* below (speedups, lateness against the switch \
         interval, lost or not, ratios), not a Rust time against a Python time. Wall times are hyperfine medians of \
         the whole process, so they include the interpreter's start-up (tens of ms); `elapsed_ms` is the model's own \
         time from the kept run, without it. The peers appear in every table above, but not in the verdicts, which \
         weigh the Rust runtimes.\n",
        if present.is_empty() {
            "none".to_string()
        } else {
            present.join(", ")
        },
        if absent.is_empty() {
            "Every peer of `peers/peers.toml` was present.".to_string()
        } else {
            format!("Absent, so missing below: {}.", absent.join(", "))
        }
    );

    threads_over_one(&mut out, &mut found, m, n);
    convoy(&mut out, &mut found, m, n);
    lost_updates(&mut out, &mut found, m, n);
    event_loops(&mut out, &mut found, m, n);
    process_start(&mut out, &mut found, m, n);

    let _ = writeln!(out, "### {n}.6 Where they agree and where they do not\n");
    for f in &found {
        let mark = match f.agree {
            Some(true) => "agree",
            Some(false) => "**disagree**",
            None => "no verdict",
        };
        let _ = writeln!(out, "- {} — {mark}: {}", f.topic, f.text);
    }
    out.push('\n');
    (out, found)
}

/// Speedup of two threads over one on CPU work: rt-gil against CPython threading, with the no-GIL controls.
fn threads_over_one(out: &mut String, found: &mut Vec<Finding>, m: &Analysis, n: usize) {
    let _ = writeln!(
        out,
        "### {n}.1 Two threads over one on CPU work\n\ncpu-balanced with `--workers 2`; speedup = the sequential \
         run of the same work (rt-seq, or py-seq for CPython) / this one, by hyperfine's medians (whole process) and \
         by the kept runs' `elapsed_ms` (the model alone, without the interpreter's start-up, which is a large part \
         of a short CPython run). A GIL says about 1.0x; the controls without a GIL show what a second core gives.\n"
    );
    let at2 = |r: &Row| r.cell.workers == 2 && r.cell.opts.is_empty();
    let pick = [
        (GIL, "pool", "emulated GIL"),
        (CPYTHON_THREADS, "pool", "CPython's GIL"),
        (GIL, "free-threaded", "control: no GIL"),
        ("py-multiprocessing", "pool", "control: processes"),
    ];
    out.push_str(
        "| runtime/variant | what | median | speedup (wall) | elapsed_ms | speedup (elapsed_ms) |\n\
         |---|---|---|---|---|---|\n",
    );
    // (wall speedup, elapsed_ms speedup) per pick.
    let mut got: Vec<(Option<f64>, Option<f64>)> = Vec::new();
    for (rt, v, what) in pick {
        let r = row(m, Workload::CpuBalanced, rt, v, at2);
        let elapsed = r.and_then(|r| Some(r.report.as_ref()?.elapsed_ms));
        let base = r.and_then(|r| {
            let b = super::baseline_of(&m.run.runtimes, rt)?;
            let s = row(m, Workload::CpuBalanced, &b, "seq", |s| {
                s.cell.opts.is_empty() && s.cell.tasks == r.cell.tasks
            })?;
            Some(s.report.as_ref()?.elapsed_ms)
        });
        let by_elapsed = base.zip(elapsed).map(|(b, e)| b / e.max(1e-9));
        let _ = writeln!(
            out,
            "| {rt}/{v} | {what} | {} | {} | {} | {} |",
            r.map_or("n/a".into(), |r| secs(r.hf.median)),
            opt_x(r.and_then(|r| r.speedup)),
            ms(elapsed),
            opt_x(by_elapsed)
        );
        got.push((r.and_then(|r| r.speedup), by_elapsed));
    }
    out.push('\n');
    let (emu, real) = (got[0].0, got[1].0);
    let text = match (emu, real) {
        (Some(a), Some(b)) => {
            let mut control = String::new();
            if let Some(c) = got[2].0 {
                control.push_str(&format!(
                    " Control: rt-gil free-threaded reached {c:.2}x{}.",
                    if c >= 1.5 {
                        ", so a second core was there"
                    } else {
                        ", so the second core was not fully there and a GIL's 1.0x means less"
                    }
                ));
            }
            if let (Some(w), e) = got[3] {
                control.push_str(&format!(
                    " multiprocessing reached {w:.2}x in wall time and {} by elapsed_ms, which still includes \
                     starting and joining its pool.",
                    opt_x(e)
                ));
            }
            format!(
                "two threads gave {a:.2}x on rt-gil and {b:.2}x on CPython in wall time ({} and {} by elapsed_ms; \
                 agreement: wall speedups within 0.2x of each other).{control}",
                opt_x(got[0].1),
                opt_x(got[1].1)
            )
        }
        _ => "not measured in this run (it needs the workers sweep of `--profile standard` and both runtimes)"
            .into(),
    };
    found.push(Finding {
        topic: "Threads on CPU work under a GIL".into(),
        agree: emu.zip(real).map(|(a, b)| (a - b).abs() <= 0.2),
        text,
    });
}

/// Ticker lateness with one CPU thread at 0.5, 5 and 50 ms switch intervals.
fn convoy(out: &mut String, found: &mut Vec<Finding>, m: &Analysis, n: usize) {
    let _ = writeln!(
        out,
        "### {n}.2 The convoy effect\n\nmixed with one CPU task on one thread and a ticker (12 waits of 5 ms) \
         beside it, `--workers 2`, at three switch intervals (`sys.setswitchinterval` in CPython, \
         `--opt switch-interval-us` in rt-gil). Each wake-up of the ticker waits for the CPU thread to give up the \
         lock, about one interval. Lateness percentiles from the kept run of each cell.\n"
    );
    let points = |rt: &str| -> Vec<&Row> {
        m.sweep(Workload::Mixed, Axis::SwitchIntervalUs)
            .into_iter()
            .filter(|(_, rows)| rows.first().is_some_and(|r| r.cell.runtime == rt))
            .flat_map(|(_, rows)| rows)
            .collect()
    };
    let (emu, real) = (points(GIL), points(CPYTHON_THREADS));
    let lat = |rows: &[&Row], us: u64| {
        rows.iter()
            .find(|r| r.cell.point.is_some_and(|p| p.value == us))
            .and_then(|r| r.report.as_ref()?.latency_ms)
    };
    out.push_str("| switch interval | rt-gil p50 | CPython p50 | rt-gil p99 | CPython p99 |\n|---|---|---|---|---|\n");
    let mut agree: Vec<(u64, bool)> = Vec::new();
    let mut pairs = Vec::new();
    for us in crate::plan::SWITCH_POINTS {
        let (a, b) = (lat(&emu, us), lat(&real, us));
        let _ = writeln!(
            out,
            "| {} ms | {} | {} | {} | {} |",
            us as f64 / 1000.0,
            ms(a.map(|l| l.p50)),
            ms(b.map(|l| l.p50)),
            ms(a.map(|l| l.p99)),
            ms(b.map(|l| l.p99))
        );
        if let (Some(a), Some(b)) = (a, b) {
            let tol = (0.15 * us as f64 / 1000.0).max(0.5);
            agree.push((us, (a.p50 - b.p50).abs() <= tol));
            pairs.push(format!(
                "{} ms: {:.2} vs {:.2} ms",
                us as f64 / 1000.0,
                a.p50,
                b.p50
            ));
        }
    }
    out.push('\n');
    let off: Vec<String> = agree
        .iter()
        .filter(|(_, ok)| !ok)
        .map(|(us, _)| format!("{} ms", *us as f64 / 1000.0))
        .collect();
    found.push(Finding {
        topic: "The convoy effect (ticker p50, rt-gil vs CPython)".into(),
        agree: (!agree.is_empty()).then_some(off.is_empty()),
        text: if pairs.is_empty() {
            "not measured in this run (it needs the sweeps of `--profile standard` and both runtimes)".into()
        } else {
            format!(
                "{}{} (agreement: p50 within 15% of the interval, or 0.5 ms).",
                pairs.join("; "),
                if off.is_empty() {
                    String::new()
                } else {
                    format!("; they part at {}", off.join(" and "))
                }
            )
        },
    });
}

/// Lost updates of `counter += 1` and `counter += f()` under each GIL.
fn lost_updates(out: &mut String, found: &mut Vec<Finding>, m: &Analysis, n: usize) {
    let _ = writeln!(
        out,
        "### {n}.3 Lost updates under the GIL\n\nrace: W threads each add 1 to one shared counter K times \
         (K is 10 times smaller in CPython). `rmw=plain` is `counter += 1`; `rmw=call` is `counter += f()`, a call \
         between the load and the store, where CPython may switch threads. From the kept run of each cell.\n"
    );
    out.push_str("| runtime/variant | rmw | W x K | lost | lost % |\n|---|---|---|---|---|\n");
    let mut res = Vec::new();
    for rmw in ["plain", "call"] {
        let mut pair = Vec::new();
        for rt in [GIL, CPYTHON_THREADS] {
            let r = row(m, Workload::Race, rt, "pool", |r| {
                opt(r, "rmw").as_deref().unwrap_or("plain") == rmw
                    && r.cell.opts.iter().all(|(k, _)| k == "rmw")
            });
            let rep = r.and_then(|r| r.report.as_ref());
            let total = rep.map(|x| x.reference_checksum());
            let lost = rep.and_then(|x| x.lost_updates);
            let share = lost.zip(total).map(|(l, t)| l as f64 / t.max(1) as f64);
            let wk = rep.map_or("n/a".into(), |x| {
                let p = x.workload_params();
                format!("{} x {}", p.workers, p.work)
            });
            let _ = writeln!(
                out,
                "| {rt}/pool | {rmw} | {wk} | {} | {} |",
                lost.map_or("n/a".into(), |l| l.to_string()),
                share.map_or("n/a".into(), |s| format!("{:.1}%", s * 100.0))
            );
            pair.push(lost.zip(share));
        }
        res.push((rmw, pair));
    }
    out.push('\n');
    for (rmw, pair) in res {
        let (a, b) = (pair[0], pair[1]);
        let form = if rmw == "plain" {
            "`counter += 1`"
        } else {
            "`counter += f()`"
        };
        found.push(Finding {
            topic: format!("Lost updates with {form}"),
            agree: a.zip(b).map(|((la, _), (lb, _))| (la == 0) == (lb == 0)),
            text: match (a, b) {
                (Some((la, sa)), Some((lb, sb))) => format!(
                    "rt-gil lost {la} ({:.1}%), CPython {lb} ({:.1}%) (agreement: both lose none, or both lose some).",
                    sa * 100.0,
                    sb * 100.0
                ),
                _ => "not measured in this run (race runs outside `--profile smoke`, rmw=call where opts run)"
                    .into(),
            },
        });
    }
}

/// The article's opening question: many waits on one event loop, tokio and smol against asyncio and Node.
fn event_loops(out: &mut String, found: &mut Vec<Finding>, m: &Analysis, n: usize) {
    let _ = writeln!(
        out,
        "### {n}.4 Many waits on one event loop\n\nThe article's opening question: why does asyncio lose to \
         JavaScript on I/O? One thread each: tokio's current-thread runtime, smol's single executor, one asyncio \
         loop and Node's event loop. io-sleep at its largest timed task count, io-net at the profile's size, against \
         the delay server on 127.0.0.1. Ratio = this run's `elapsed_ms` / tokio current-thread's, from the kept runs: the \
         loops' own time, set-up included, without the interpreter's start-up, which dominates the wall time of a \
         short Python or Node process (see the median beside it).\n"
    );
    let loops = [
        ("rt-tokio", "current-thread"),
        ("rt-smol", "single"),
        ("py-asyncio", "loop"),
        ("node", "event-loop"),
    ];
    // io-sleep: the largest task count timed for this runtime (the sweep's 10,000 under standard).
    let sleep = |rt: &str, v: &str| {
        m.rows_of(Workload::IoSleep)
            .filter(|r| r.cell.runtime == rt && r.cell.variant == v && r.cell.opts.is_empty())
            .max_by_key(|r| r.report.as_ref().map_or(0, |x| x.workload_params().tasks))
    };
    let net = |rt: &str, v: &str| row(m, Workload::IoNet, rt, v, |r| r.cell.opts.is_empty());
    let elapsed = |r: &Row| r.report.as_ref().map(|x| x.elapsed_ms);
    let base_sleep = sleep(loops[0].0, loops[0].1).and_then(elapsed);
    let base_net = net(loops[0].0, loops[0].1).and_then(elapsed);
    out.push_str(
        "| loop | io-sleep tasks | median | elapsed_ms | lateness p99 | ratio | io-net median | elapsed_ms | \
         round trip p99 | ratio |\n|---|---|---|---|---|---|---|---|---|---|\n",
    );
    let mut ratios = Vec::new();
    for (rt, v) in loops {
        let (s, t) = (sleep(rt, v), net(rt, v));
        let cols =
            |r: Option<&Row>, base: Option<f64>| -> (String, String, String, String, Option<f64>) {
                let ratio = r.and_then(elapsed).zip(base).map(|(e, b)| e / b.max(1e-9));
                (
                    r.map_or("n/a".into(), |r| secs(r.hf.median)),
                    ms(r.and_then(|r| Some(r.report.as_ref()?.elapsed_ms))),
                    ms(r.and_then(|r| Some(r.report.as_ref()?.latency_ms?.p99))),
                    opt_x(ratio),
                    ratio,
                )
            };
        let tasks = s.and_then(|r| r.report.as_ref()).map_or("n/a".into(), |x| {
            let p = x.workload_params();
            format!("{} x {} ms", p.tasks, p.delay_ms)
        });
        let (sm, se, sp, sr, sratio) = cols(s, base_sleep);
        let (nm, ne, np, nr, nratio) = cols(t, base_net);
        let _ = writeln!(
            out,
            "| {rt}/{v} | {tasks} | {sm} | {se} | {sp} | {sr} | {nm} | {ne} | {np} | {nr} |"
        );
        ratios.push((rt, sratio, nratio));
    }
    out.push('\n');
    let said: Vec<String> = ratios
        .iter()
        .skip(1)
        .map(|(rt, s, n)| match (s, n) {
            (None, None) => format!("{rt} not measured"),
            _ => format!("{rt} {} on io-sleep and {} on io-net", opt_x(*s), opt_x(*n)),
        })
        .collect();
    let of = |name: &str| ratios.iter().find(|r| r.0 == name).copied();
    let rank = |what: &str, py: Option<f64>, js: Option<f64>| match (py, js) {
        (Some(p), Some(j)) if p > j => {
            format!("on {what} asyncio is the slower loop ({p:.2}x against {j:.2}x)")
        }
        (Some(p), Some(j)) => {
            format!("on {what} asyncio is not slower than Node ({p:.2}x against {j:.2}x)")
        }
        _ => format!("on {what} asyncio and Node cannot be ranked (one was not measured)"),
    };
    let (py, js) = (of("py-asyncio"), of("node"));
    let text = if base_sleep.is_none() && base_net.is_none() {
        "not measured in this run (rt-tokio's current-thread cells were not timed)".to_string()
    } else {
        format!(
            "elapsed_ms against tokio current-thread (a ranking, not an agreement; one kept run each): {}. So {}; {}.",
            said.join("; "),
            rank("io-sleep", py.and_then(|r| r.1), js.and_then(|r| r.1)),
            rank("io-net", py.and_then(|r| r.2), js.and_then(|r| r.2))
        )
    };
    found.push(Finding {
        topic: "asyncio against Node's event loop".into(),
        agree: None,
        text,
    });
}

/// Process-pool start-up: rt-procs against `multiprocessing.Pool`.
fn process_start(out: &mut String, found: &mut Vec<Finding>, m: &Analysis, n: usize) {
    let _ = writeln!(
        out,
        "### {n}.5 Process-pool start-up\n\n`extra.spawn_ms` of each kept run: from creating the pool until every \
         worker process is up (rt-procs: re-executing itself and connecting its channels; `multiprocessing.Pool`: \
         its default start method, named below, until every worker has run a task). Median over the cells with \
         the same worker count.\n"
    );
    let spawn = |rt: &str, w: u64| -> Option<(f64, usize, Option<String>)> {
        let mut v: Vec<f64> = m
            .rows
            .iter()
            .filter(|r| r.cell.runtime == rt && r.cell.workers == w && r.cell.opts.is_empty())
            .filter_map(|r| extra_f64(r, "spawn_ms"))
            .collect();
        if v.is_empty() {
            return None;
        }
        let method = m
            .rows
            .iter()
            .filter(|r| r.cell.runtime == rt)
            .find_map(|r| {
                r.report
                    .as_ref()?
                    .extra
                    .get("start_method")?
                    .as_str()
                    .map(String::from)
            });
        v.sort_by(f64::total_cmp);
        Some((v[v.len() / 2], v.len(), method))
    };
    let mut workers: Vec<u64> = m
        .rows
        .iter()
        .filter(|r| r.cell.runtime == "rt-procs" || r.cell.runtime == "py-multiprocessing")
        .map(|r| r.cell.workers)
        .collect();
    workers.sort_unstable();
    workers.dedup();
    out.push_str(
        "| workers | rt-procs spawn | multiprocessing spawn | ratio |\n|---|---|---|---|\n",
    );
    let mut texts = Vec::new();
    for w in workers {
        let (a, b) = (spawn("rt-procs", w), spawn("py-multiprocessing", w));
        if a.is_none() && b.is_none() {
            continue;
        }
        let cell = |s: &Option<(f64, usize, Option<String>)>| {
            s.as_ref().map_or("n/a".into(), |(v, k, meth)| {
                let meth = meth.as_deref().map_or(String::new(), |m| format!(", {m}"));
                let cells = if *k == 1 { "cell" } else { "cells" };
                format!("{v:.2} ms ({k} {cells}{meth})")
            })
        };
        let ratio = a.as_ref().zip(b.as_ref()).map(|(a, b)| b.0 / a.0.max(1e-6));
        let _ = writeln!(
            out,
            "| {w} | {} | {} | {} |",
            cell(&a),
            cell(&b),
            opt_x(ratio)
        );
        if let (Some(a), Some(b)) = (&a, &b) {
            texts.push(format!(
                "W = {w}: rt-procs {:.2} ms, multiprocessing {:.2} ms",
                a.0, b.0
            ));
        }
    }
    out.push('\n');
    found.push(Finding {
        topic: "Process-pool start-up".into(),
        agree: None,
        text: if texts.is_empty() {
            "not measured in this run (it needs rt-procs and py-multiprocessing timed)".into()
        } else {
            format!("{} (a cost compared, not an agreement)", texts.join("; "))
        },
    });
}
