//! The claims only the peers can weigh: CPython's asyncio against Node's event loop on I/O. Every other verdict
//! weighs the workspace runtimes; these set two real interpreters side by side, cast by their facts (a one-thread
//! event loop under a GIL, and one without), never by name.

use harness::{Facts, Model, RunReport};
use workloads::Workload;

use super::facts::{self, Clause, Fact, Late, Lost, Note, Offload, Scope, Stated};
use super::rule::{OFFLOAD, SIGNIFICANT};
use super::{Claim, Evidence, Mark, Missing, Panel, Topic, Verdict};
use crate::Analysis;
use crate::roles::{free_threads, gil, is, one_loop};
use crate::stats::welch;
use arena_store::Axis;
use arena_store::CellRecord;

/// A peer's one-thread event loop cell at a tasks point, with its runs' `elapsed_ms`.
struct LoopRuns<'a> {
    cell: &'a CellRecord,
    elapsed: Vec<f64>,
}

fn elapsed(c: &CellRecord) -> Vec<f64> {
    c.report
        .iter()
        .chain(c.repeats.iter())
        .map(|r: &RunReport| r.elapsed_ms)
        .collect()
}

fn median(v: &[f64]) -> f64 {
    crate::stats::median(v, crate::stats::Even::Mean).unwrap_or(f64::NAN)
}

/// The peers' one-loop cells of `w` at `tasks` whose facts `pick` accepts, each with its runs.
fn loops<'a>(
    m: &'a Analysis,
    w: Workload,
    tasks: u64,
    pick: impl Fn(&CellRecord, Facts) -> bool,
) -> Vec<LoopRuns<'a>> {
    m.run
        .cells
        .iter()
        .filter(|c| {
            c.cell.workload == w
                && c.cell.opts.is_empty()
                && c.cell.point
                    == Some(arena_store::Point {
                        axis: Axis::Tasks,
                        value: tasks,
                    })
                && m.run
                    .runtimes
                    .iter()
                    .any(|r| r.name == c.cell.runtime && r.peer.is_some())
        })
        .filter(|c| {
            m.facts(&c.cell.runtime, &c.cell.variant)
                .is_some_and(|f| one_loop(&f) && pick(c, f))
        })
        .map(|c| LoopRuns {
            cell: c,
            elapsed: elapsed(c),
        })
        .filter(|l| l.elapsed.len() >= 2)
        .collect()
}

/// One point of asyncio against Node: a CPython loop and Node's at one workload and task count.
struct Point<'a> {
    workload: Workload,
    tasks: u64,
    /// The CPython loop's cell and runs.
    py: LoopRuns<'a>,
    /// Node's cell.
    js: &'a CellRecord,
    /// Node's median `elapsed_ms`.
    js_ms: f64,
    /// Node's runs.
    js_runs: usize,
    /// CPython's median over Node's.
    ratio: f64,
    /// Welch's p, when there is a test.
    p: Option<f64>,
}

/// "Python's asyncio typically underperforms JavaScript in I/O-bound scenarios": CPython's one-thread loop (under
/// its GIL) against Node's (no GIL), on io-sleep and io-net at 1,000 and 10,000 tasks, by the runtimes' own
/// `elapsed_ms` over the pilot and its repeats (Welch's t-test), so the interpreters' start-up is left out. Every
/// GIL-loop variant is set beside Node: uvloop's, when the peer has it, answers "use uvloop".
pub(super) fn asyncio_vs_node(m: &Analysis) -> Verdict {
    let claim = Claim::AsyncioVsNode;
    let see = Topic::Workload(Workload::IoNet);
    let mut points = Vec::new();
    for w in [Workload::IoSleep, Workload::IoNet] {
        for tasks in [1_000u64, 10_000] {
            let node = loops(m, w, tasks, |_, f| !gil(&f));
            let Some(js) = node.first() else { continue };
            for py in loops(m, w, tasks, |_, f| gil(&f)) {
                let p = welch(&js.elapsed, &py.elapsed).map(|t| t.p);
                let ratio = median(&py.elapsed) / median(&js.elapsed).max(1e-9);
                points.push(Point {
                    workload: w,
                    tasks,
                    py,
                    js: js.cell,
                    js_ms: median(&js.elapsed),
                    js_runs: elapsed(js.cell).len(),
                    ratio,
                    p,
                });
            }
        }
    }
    if points.is_empty() {
        return Verdict::missing(claim, see, Missing::NotInRun {
                model: Model::Async,
                what: "io-sleep or io-net cell at 1,000+ tasks of both a CPython and a Node event loop (peers; the \
                       standard profile runs them when python3 and node are present)"
                    .into(),
            });
    }
    // The default asyncio loop decides the mark; other GIL loops (uvloop) are set beside it.
    let is_default = |c: &CellRecord| {
        m.run
            .runtimes
            .iter()
            .find(|r| r.name == c.cell.runtime)
            .and_then(|r| r.info.as_ref())
            .and_then(|i| i.default_variant())
            == Some(c.cell.variant.as_str())
    };
    let decisive: Vec<_> = points.iter().filter(|x| is_default(x.py.cell)).collect();
    let slower = decisive
        .iter()
        .filter(|x| x.ratio > 1.0 && x.p.is_some_and(|p| SIGNIFICANT.holds(p)))
        .count();
    let faster = decisive
        .iter()
        .filter(|x| x.ratio < 1.0 && x.p.is_some_and(|p| SIGNIFICANT.holds(p)))
        .count();
    let mark = if !decisive.is_empty() && slower == decisive.len() {
        Mark::Supported
    } else if slower == 0 && faster > 0 {
        Mark::Contradicted
    } else if slower == 0 {
        // No significant difference anywhere: not the underperformance the claim describes.
        Mark::Contradicted
    } else {
        Mark::Partly
    };
    let figures: Vec<Fact> = points
        .iter()
        .map(|x| {
            Fact::Elapsed(facts::Elapsed {
                workload: x.workload,
                tasks: x.tasks,
                a: x.py.cell.cell.label(),
                a_ms: median(&x.py.elapsed),
                a_runs: x.py.elapsed.len(),
                b: x.js.cell.label(),
                b_ms: x.js_ms,
                b_runs: x.js_runs,
                ratio: x.ratio,
                p: x.p,
            })
        })
        .collect();
    let uvloop = points.iter().any(|x| !is_default(x.py.cell));
    let mut evidence = vec![Clause::of(figures).by(Stated::SlowerEverywhere(SIGNIFICANT))];
    if !uvloop {
        evidence.push(Clause::of(vec![Fact::Note(Note::NoUvloop)]));
    }
    // The panel: the point where the default asyncio loop ran with the most tasks, io-net first (a real socket),
    // with every CPython loop there (uvloop beside asyncio) and Node.
    let key = decisive
        .iter()
        .map(|x| (x.tasks, x.workload == Workload::IoNet))
        .max()
        .map(|(t, net)| {
            (
                t,
                if net {
                    Workload::IoNet
                } else {
                    Workload::IoSleep
                },
            )
        });
    let shown: Vec<_> = points
        .iter()
        .filter(|x| key.is_some_and(|(t, w)| x.tasks == t && x.workload == w))
        .collect();
    let mut bars: Vec<(String, f64)> = shown
        .iter()
        .map(|x| {
            (
                format!("{} {}", x.workload, x.py.cell.cell.label()),
                median(&x.py.elapsed),
            )
        })
        .collect();
    if let Some(x) = shown.first() {
        bars.push((format!("{} {}", x.workload, x.js.cell.label()), x.js_ms));
    }
    Verdict {
        claim,
        mark,
        evidence: Evidence::Measured(evidence),
        see,
        rests_on: points
            .iter()
            .flat_map(|x| [x.py.cell.cell.key(), x.js.cell.key()])
            .collect(),
        panel: Some(Panel::new(bars, "ms, median elapsed_ms (no start-up)", &[])),
    }
}

/// One peer race cell: its figures, its key, and its `sync`.
struct PeerRace {
    figure: Lost,
    key: String,
    sync: String,
}

/// The race cells of peers whose facts `pick` accepts, with the sync each ran.
fn peer_races(m: &Analysis, pick: impl Fn(&arena_store::Cell, Facts) -> bool) -> Vec<PeerRace> {
    m.run
        .cells
        .iter()
        .filter(|c| c.cell.workload == Workload::Race)
        .filter(|c| {
            m.run
                .runtimes
                .iter()
                .any(|r| r.name == c.cell.runtime && r.peer.is_some())
        })
        .filter_map(|c| {
            let f = m.facts(&c.cell.runtime, &c.cell.variant)?;
            let rep = c.report.as_ref()?;
            pick(&c.cell, f).then(|| PeerRace {
                figure: Lost {
                    label: c.cell.label(),
                    lost: rep.lost_updates.unwrap_or(0),
                    attempted: rep.reference_checksum(),
                },
                key: c.cell.key(),
                sync: c
                    .cell
                    .opts
                    .iter()
                    .find(|(k, _)| k == harness::opts::SYNC)
                    .map_or("none".into(), |(_, v)| v.clone()),
            })
        })
        .collect()
}

/// "Each setTimeout callback executes atomically: no interleaving means no races", and "JavaScript tasks don't share
/// memory; data is passed by message": true while nothing is shared. Weighed on the peers without a GIL whose model
/// is an event loop (Node): its one loop with no await (nothing can interleave), and its worker_threads over one
/// SharedArrayBuffer, where plain reads and writes lose updates and `Atomics` lose none.
pub(super) fn js_shared_memory(m: &Analysis) -> Verdict {
    let claim = Claim::JsSharedMemory;
    let see = Topic::Workload(Workload::Race);
    let is_js = |c: &arena_store::Cell| {
        m.run
            .runtimes
            .iter()
            .find(|r| r.name == c.runtime)
            .and_then(|r| r.info.as_ref())
            .is_some_and(|i| i.model == Model::Async)
    };
    let plain_opts = |c: &arena_store::Cell| c.opts.iter().all(|(k, _)| k == harness::opts::SYNC);
    let on_loop = peer_races(m, |c, f| {
        is_js(c) && !gil(&f) && one_loop(&f) && c.opts.is_empty()
    });
    let shared = peer_races(m, |c, f| {
        is_js(c)
            && !gil(&f)
            && f.shares_memory
            && f.threads == harness::Threads::Workers
            && plain_opts(c)
    });
    if on_loop.is_empty() && shared.is_empty() {
        return Verdict::missing(
            claim,
            see,
            Missing::NotInRun {
                model: Model::Async,
                what: "race run of a JavaScript peer (node on PATH)".into(),
            },
        );
    }
    let unsynced_lost = shared.iter().any(|r| r.sync == "none" && r.figure.lost > 0);
    let safe_elsewhere = on_loop.iter().all(|r| r.figure.lost == 0)
        && shared
            .iter()
            .filter(|r| r.sync != "none")
            .all(|r| r.figure.lost == 0);
    let mark = match (unsynced_lost, safe_elsewhere) {
        // Nothing lost anywhere, shared memory included: the claim stands.
        (false, true) => Mark::Supported,
        // Lost only where memory is shared without Atomics: true while nothing is shared.
        (true, true) => Mark::Partly,
        (_, false) => Mark::Contradicted,
    };
    let list = |v: &[PeerRace]| {
        v.iter()
            .map(|r| Fact::Lost(r.figure.clone()))
            .collect::<Vec<_>>()
    };
    let mut parts = Vec::new();
    if !on_loop.is_empty() {
        parts.push(Clause::of(list(&on_loop)).on(Scope::OneLoopNoAwait));
    }
    if shared.is_empty() {
        parts.push(Clause::of(vec![Fact::Note(Note::NoSharedBufferRace)]));
    } else {
        parts.push(Clause::of(list(&shared)).on(Scope::SharedBuffer));
    }
    // The rule closes the last clause.
    if let Some(last) = parts.pop() {
        parts.push(last.by(Stated::OnlySharedLoses));
    }
    let all: Vec<&PeerRace> = on_loop.iter().chain(&shared).collect();
    Verdict {
        claim,
        mark,
        evidence: Evidence::Measured(parts),
        see,
        rests_on: all.iter().map(|r| r.key.clone()).collect(),
        panel: Some(Panel::new(
            all.iter()
                .map(|r| {
                    let f = &r.figure;
                    (
                        f.label.clone(),
                        f.lost as f64 * 100.0 / f.attempted.max(1) as f64,
                    )
                })
                .collect(),
            "% of updates lost",
            &[],
        )),
    }
}

/// A mixed cell's ticker: its p99 lateness and the wait it asked for, in ms.
struct Ticker<'a> {
    cell: &'a CellRecord,
    p99: f64,
    wait_ms: f64,
}

/// "CPU-bound work would block the event loop", and its usual fix: offloading CPU work to threads still holds
/// CPython's GIL, a process pool does not. Weighed on the peers' one-thread loops under a GIL (asyncio): the mixed
/// ticker's p99 lateness with `offload=true` (a thread pool) and `offload=process` (a process pool), against its wait.
pub(super) fn offload_under_gil(m: &Analysis) -> Verdict {
    let claim = Claim::OffloadUnderGil;
    let see = Topic::Latency;
    let p99 = |value: &str| {
        m.run.cells.iter().find_map(|c| {
            let f = m.facts(&c.cell.runtime, &c.cell.variant)?;
            let peer = m
                .run
                .runtimes
                .iter()
                .any(|r| r.name == c.cell.runtime && r.peer.is_some());
            let ok = peer
                && c.cell.workload == Workload::Mixed
                && one_loop(&f)
                && gil(&f)
                && c.cell.params.is_empty()
                && c.cell.opts == [(harness::opts::OFFLOAD.to_string(), value.to_string())];
            let rep = c.report.as_ref().filter(|_| ok)?;
            Some(Ticker {
                cell: c,
                p99: rep.latency_ms?.p99,
                wait_ms: rep.workload_params().delay_ms as f64,
            })
        })
    };
    let (Some(threads), Some(procs)) = (p99("true"), p99("process")) else {
        return Verdict::missing(
            claim,
            see,
            Missing::NotInRun {
                model: Model::Async,
                what: "mixed run with offload=true and offload=process on a CPython event loop"
                    .into(),
            },
        );
    };
    let d = threads.wait_ms;
    // The rule counts waits; decided in milliseconds against this run's wait.
    let in_ms = OFFLOAD.scaled(d);
    let mark = in_ms.mark(threads.p99, procs.p99);
    Verdict {
        claim,
        mark,
        evidence: Evidence::Measured(vec![Clause::of(vec![Fact::Offload(Offload {
            percentile: 99,
            wait_ms: d,
            threads: Late {
                label: threads.cell.cell.label(),
                ms: threads.p99,
            },
            processes: Late {
                label: procs.cell.cell.label(),
                ms: procs.p99,
            },
            halves: OFFLOAD,
        })])]),
        see,
        rests_on: vec![threads.cell.cell.key(), procs.cell.cell.key()],
        panel: Some(Panel::new(
            vec![
                (threads.cell.cell.label(), threads.p99),
                (procs.cell.cell.label(), procs.p99),
            ],
            "ms, the ticker's p99 lateness",
            &in_ms.lines(),
        )),
    }
}

/// A peer's variant of OS threads without a GIL: a free-threaded CPython's threading (py-threading-ft), cast by its
/// facts.
fn free_threaded(m: &Analysis, runtime: &str, variant: &str) -> bool {
    m.run
        .runtimes
        .iter()
        .any(|r| r.name == runtime && r.peer.is_some())
        && is(m.facts(runtime, variant), free_threads)
        && m.run
            .runtimes
            .iter()
            .find(|r| r.name == runtime)
            .and_then(|r| r.info.as_ref())
            .is_some_and(|i| i.model == Model::Threads)
}

/// The two GIL-removal claims weigh a free-threaded CPython first when one took part, and the emulation beside it as
/// the reproduction. Why the real interpreter decides: the emulation removes the lock by construction (its
/// free-threaded variant is plain threads), so it can only restate the claim, while CPython 3.13t could have come out
/// otherwise (slower than its GIL build, or keeping updates whole). The mark is the interpreter's; where the
/// emulation disagrees, the evidence says so. Without one, the emulation's mark stands and the evidence says that it
/// holds by construction and how to get a free-threaded CPython.
pub(super) fn with_free_threaded(full: &Analysis, mut v: Verdict, race: bool) -> Verdict {
    // The peer's cell key, its figure, and whether it agrees with the claim.
    let figure: Option<(String, Fact, bool)> = if race {
        full.run
            .cells
            .iter()
            .filter(|c| c.cell.workload == Workload::Race && c.cell.opts.is_empty())
            .filter(|c| free_threaded(full, &c.cell.runtime, &c.cell.variant))
            // The peer's default variant speaks for it (its pool), as on CPU work.
            .filter(|c| c.report.is_some())
            .min_by_key(|c| {
                let default = full
                    .run
                    .runtimes
                    .iter()
                    .find(|r| r.name == c.cell.runtime)
                    .and_then(|r| r.info())
                    .and_then(|i| i.default_variant());
                default != Some(c.cell.variant.as_str())
            })
            .and_then(|c| {
                let r = c.report.as_ref()?;
                let lost = r.lost_updates.unwrap_or(0);
                Some((
                    c.cell.key(),
                    Fact::Lost(Lost {
                        label: c.cell.label(),
                        lost,
                        attempted: r.reference_checksum(),
                    }),
                    lost > 0,
                ))
            })
    } else {
        // The peer's default variant speaks for it (its pool, not a thread per task).
        full.rows_of(Workload::CpuBalanced)
            .filter(|r| free_threaded(full, &r.cell.runtime, &r.cell.variant))
            .filter(|r| {
                r.cell.workers == full.cores() && r.cell.opts.is_empty() && r.speedup.is_some()
            })
            .min_by_key(|r| !super::is_default(full, r))
            .map(|r| {
                let s = r.speedup.unwrap_or(0.0);
                (
                    r.cell.key(),
                    Fact::OwnSpeedup {
                        label: r.cell.label(),
                        speedup: s,
                    },
                    super::rule::PARALLEL.mark(s) == Mark::Supported,
                )
            })
    };
    match (figure, &mut v.evidence) {
        (Some((key, fact, agrees)), Evidence::Measured(e)) => {
            let mut clause = Clause::of(vec![fact.clone()]).on(Scope::FreeThreadedCpython);
            let emulation_says = v.mark == Mark::Supported;
            if agrees != emulation_says {
                clause = clause.by(Stated::EmulationDisagrees);
            }
            v.mark = if agrees {
                Mark::Supported
            } else {
                Mark::Contradicted
            };
            // The interpreter first, the emulation after it, in the evidence and on the panel.
            if let Some(p) = v.panel.as_mut() {
                let value = match &fact {
                    Fact::Lost(l) if l.attempted > 0 => {
                        Some(l.lost as f64 * 100.0 / l.attempted as f64)
                    }
                    Fact::OwnSpeedup { speedup, .. } => Some(*speedup),
                    _ => None,
                };
                if let (Some(value), Some(label)) = (value, fact.labels().first()) {
                    p.bars.insert(
                        0,
                        super::Bar {
                            label: label.to_string(),
                            value,
                        },
                    );
                }
            }
            e.insert(0, clause);
            v.rests_on.insert(0, key);
        }
        (Some((key, fact, agrees)), Evidence::Missing(_)) => {
            v.mark = if agrees {
                Mark::Supported
            } else {
                Mark::Contradicted
            };
            v.evidence =
                Evidence::Measured(vec![Clause::of(vec![fact]).on(Scope::FreeThreadedCpython)]);
            v.rests_on.push(key);
        }
        (None, Evidence::Measured(e)) => {
            e.push(Clause::of(vec![Fact::Note(Note::NoFreeThreaded)]));
        }
        (None, Evidence::Missing(_)) => {}
    }
    v
}
