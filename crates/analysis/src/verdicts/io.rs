//! The claims about waiting: threads and event loops on I/O, CPU work on a loop, processes for I/O.

use harness::Model;
use harness::opts;
use workloads::Workload;

use super::facts::{Clause, Fact, Lateness, PoolCost, Scope, Stated, TimeRatio};
use super::race::reported;
use super::rule::{
    BLOCKS_LOOP, COSTS_MORE, EVENT_LOOP, HELPS_WAITING, PROCESSES_VS_LOOP, SIGNIFICANT,
};
use super::{Claim, Evidence, Mark, Missing, Panel, Topic, Verdict, short};
use super::{at_cores, missing, speed};
use crate::roles::{gil, is, one_loop, process_pool, thread_pool};
use crate::{Analysis, Row};

/// A row of a variant under an interpreter lock.
fn gil_row(r: &Row) -> bool {
    is(r.facts, gil)
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

pub(super) fn threads_help_io(m: &Analysis) -> Verdict {
    let claim = Claim::ThreadsHelpIo;
    let see = Topic::Workload(Workload::IoSleep);
    let Some(r) = best_io(m, |r| r.model == Some(Model::Threads)) else {
        return Verdict::missing(claim, see, missing(m, Model::Threads, "io-sleep cell"));
    };
    let rule = HELPS_WAITING;
    let mark = rule.mark(r.speedup.unwrap_or(0.0));
    let mut evidence = vec![
        Clause::of(vec![Fact::Speed(speed(r))])
            .on(Scope::BestThreads(Workload::IoSleep))
            .by(Stated::Rule(rule)),
    ];
    if let Some(g) = best_io(m, gil_row) {
        evidence.push(Clause::of(vec![Fact::Speed(speed(g))]).on(Scope::UnderGilToo));
    }
    Verdict {
        claim,
        mark,
        evidence: Evidence::Measured(evidence),
        see,
        rests_on: std::iter::once(r)
            .chain(best_io(m, gil_row))
            .map(|r| r.cell.key())
            .collect(),
        panel: Some(Panel::new(
            std::iter::once(r)
                .chain(best_io(m, gil_row))
                .map(|r| (short(r), r.speedup.unwrap_or(0.0)))
                .collect(),
            "x the sequential run",
            &rule.lines(),
        )),
    }
}

/// Rows of a variant that declares one event loop on one thread.
fn single_loop(r: &Row) -> bool {
    is(r.facts, one_loop)
}

pub(super) fn event_loop(m: &Analysis) -> Verdict {
    let claim = Claim::EventLoop;
    let see = Topic::Workload(Workload::IoSleep);
    let io = best_io(m, single_loop);
    let cpu = m
        .rows_of(Workload::CpuBalanced)
        .find(|r| single_loop(r) && at_cores(m, r));
    let (Some(io), Some(cpu)) = (io, cpu) else {
        return Verdict::missing(
            claim,
            see,
            missing(
                m,
                Model::Async,
                "io-sleep and cpu-balanced cell on a one-thread event loop",
            ),
        );
    };
    let rule = EVENT_LOOP;
    let mark = rule.mark(io.speedup.unwrap_or(0.0), cpu.speedup.unwrap_or(9.0));
    Verdict {
        claim,
        mark,
        evidence: Evidence::Measured(vec![
            Clause::of(vec![Fact::Speed(speed(io))])
                .on(Scope::Waiting)
                .by(Stated::Half(rule.first)),
            Clause::of(vec![Fact::Speed(speed(cpu))])
                .on(Scope::Computing { cpus: None })
                .by(Stated::Half(rule.second)),
        ]),
        see,
        rests_on: vec![io.cell.key(), cpu.cell.key()],
        panel: Some(Panel::new(
            vec![
                (short(io), io.speedup.unwrap_or(0.0)),
                (short(cpu), cpu.speedup.unwrap_or(0.0)),
            ],
            "x the sequential run",
            &rule.lines(),
        )),
    }
}

pub(super) fn cpu_blocks_loop(m: &Analysis) -> Verdict {
    let claim = Claim::CpuBlocksLoop;
    let see = Topic::Latency;
    let cells: Vec<_> = reported(m, Workload::Mixed)
        .filter(|(c, _, _)| {
            c.cell.opts.is_empty() && is(m.facts(&c.cell.runtime, &c.cell.variant), one_loop)
        })
        .map(|(c, rep, _)| (c, rep))
        .collect();
    let Some((c, rep)) = cells.first() else {
        return Verdict::missing(
            claim,
            see,
            missing(m, Model::Async, "mixed run on a one-thread event loop"),
        );
    };
    let d = rep.workload_params().delay_ms as f64;
    let Some(lat) = rep.latency_ms else {
        return Verdict::missing(
            claim,
            see,
            Missing::NoLatency {
                label: c.cell.label(),
            },
        );
    };
    // The rule counts waits; decided in milliseconds against this run's wait.
    let in_ms = BLOCKS_LOOP.scaled(d);
    let mark = in_ms.mark(lat.p99);
    let mut evidence = vec![
        Clause::of(vec![Fact::Lateness(Lateness {
            label: c.cell.label(),
            percentile: 99,
            ms: lat.p99,
            wait_ms: d,
        })])
        .by(Stated::Rule(BLOCKS_LOOP)),
    ];
    let mut bars = vec![(c.cell.label(), lat.p99)];
    if let Some(fix) = m.run.cells.iter().find(|x| {
        x.cell.workload == Workload::Mixed
            && x.cell.runtime == c.cell.runtime
            && x.cell.variant == c.cell.variant
            && x.cell
                .opts
                .iter()
                .any(|(k, v)| k == opts::OFFLOAD && v == "true")
    }) && let Some(l) = fix.report.as_ref().and_then(|r| r.latency_ms)
    {
        evidence.push(Clause::of(vec![Fact::Offloaded {
            label: fix.cell.label(),
            percentile: 99,
            ms: l.p99,
        }]));
        bars.push((fix.cell.label(), l.p99));
    }
    Verdict {
        claim,
        mark,
        evidence: Evidence::Measured(evidence),
        see,
        rests_on: vec![c.cell.key()],
        panel: Some(Panel::new(
            bars,
            "ms, the ticker's p99 lateness",
            &in_ms.lines(),
        )),
    }
}

/// Processes against threads on I/O, the same program on both sides: a process pool and a thread pool of the same
/// `--workers` (so the same number of waits in flight) on the same io-sleep cell. Why not the fastest threads cell:
/// a per-task variant keeps every task in flight at once, so against a pool of W it measures concurrency, not the
/// cost of a process.
pub(super) fn processes_cost_io(m: &Analysis) -> Verdict {
    let claim = Claim::ProcessesCostIo;
    let see = Topic::Workload(Workload::IoSleep);
    let is_procs = |r: &Row| is(r.facts, process_pool);
    // The thread side is a threads model's own pool (not the emulation's), the process side a process model's.
    let is_threads = |r: &Row| is(r.facts, thread_pool) && r.model == Some(Model::Threads);
    // Precondition: equal waits in flight, a worker for every task in both pools (the plan's equal-in-flight cells).
    // Why: with W workers both pools keep W waits in flight and spend the run sleeping, which hides what a process
    // costs per wait (513 against 510 ms at 2 workers and 100 tasks of 10 ms, run 2026-12-01-0628).
    let every_task = |r: &Row| r.cell.tasks.is_some_and(|t| t >= 2 && r.cell.workers >= t);
    let procs = m
        .rows_of(Workload::IoSleep)
        .filter(|r| is_procs(r) && r.cell.opts.is_empty() && every_task(r))
        .max_by_key(|r| r.cell.tasks.unwrap_or(0));
    let Some(p) = procs else {
        return Verdict::missing(
            claim,
            see,
            missing(
                m,
                Model::Process,
                "io-sleep cell of a process pool with a worker per task",
            ),
        );
    };
    let threads = m
        .rows_of(Workload::IoSleep)
        .filter(|r| {
            is_threads(r)
                && !gil_row(r)
                && r.cell.workers == p.cell.workers
                && r.cell.tasks == p.cell.tasks
                && r.cell.opts.is_empty()
        })
        .min_by(|a, b| a.hf.median.total_cmp(&b.hf.median));
    let Some(t) = threads else {
        return Verdict::missing(
            claim,
            see,
            missing(
                m,
                Model::Threads,
                "io-sleep cell of a thread pool with the process pool's workers and tasks",
            ),
        );
    };
    let ratio = p.hf.median / t.hf.median;
    let pv = crate::stats::welch(&t.hf.times, &p.hf.times).map(|t| t.p);
    let significant = pv.is_some_and(|pv| SIGNIFICANT.holds(pv));
    let rule = COSTS_MORE;
    // The effect decides only where the test can tell the two apart; otherwise the claim stays partly.
    let mark = match rule.mark(ratio) {
        Mark::Supported if significant => Mark::Supported,
        Mark::Contradicted if significant => Mark::Contradicted,
        _ => Mark::Partly,
    };
    Verdict {
        claim,
        mark,
        evidence: Evidence::Measured(vec![
            Clause::of(vec![Fact::PoolCost(PoolCost {
                processes: p.cell.label(),
                threads: t.cell.label(),
                ratio,
                workers: p.cell.workers,
                tasks: p.report.as_ref().map_or(0, |x| x.workload_params().tasks),
                workload: Workload::IoSleep,
                p: pv,
                significant: SIGNIFICANT,
            })])
            .by(Stated::Rule(rule)),
        ]),
        see,
        rests_on: vec![p.cell.key(), t.cell.key()],
        panel: Some(Panel::new(
            vec![(short(p), ratio), (short(t), 1.0)],
            "x the thread pool's time",
            &rule.lines(),
        )),
    }
}

/// A process pool's cell beside a one-thread event loop's at the same tasks, and its median time over the loop's.
struct Pair<'a> {
    procs: &'a Row,
    event_loop: &'a Row,
    ratio: f64,
}

/// "multiprocessing is not as efficient for I/O-bound operations as asyncio": a process pool against a one-thread
/// event loop on the same I/O cells (io-sleep and io-net, the same tasks), by hyperfine's medians. At each workload
/// the point with the most tasks both ran is compared: where the pool's W processes queue the waits that the loop
/// keeps all in flight.
pub(super) fn processes_vs_loop(m: &Analysis) -> Verdict {
    let claim = Claim::ProcessesVsLoop;
    let see = Topic::Workload(Workload::IoSleep);
    let is_procs = |r: &Row| is(r.facts, process_pool);
    // Precondition: the same waits in flight, a process for every task as the loop has every task in flight at
    // once. Why: a pool of W processes keeps W waits in flight, so against a loop with all T in flight the ratio is
    // about T/W by construction (35.6x with 2 workers and 100 tasks in run 2026-12-01-0628), whatever a process
    // costs. Only io-sleep has such cells (the plan's equal-in-flight cells).
    let every_task = |r: &Row| r.cell.tasks.is_some_and(|t| t >= 2 && r.cell.workers >= t);
    let mut pairs: Vec<Pair> = Vec::new();
    for w in [Workload::IoSleep, Workload::IoNet] {
        let best = m
            .rows_of(w)
            .filter(|p| is_procs(p) && p.cell.opts.is_empty() && every_task(p))
            .filter_map(|p| {
                let l = m.rows_of(w).find(|l| {
                    single_loop(l) && l.cell.opts.is_empty() && l.cell.tasks == p.cell.tasks
                })?;
                Some(Pair {
                    procs: p,
                    event_loop: l,
                    ratio: p.hf.median / l.hf.median.max(1e-9),
                })
            })
            .max_by_key(|x| x.procs.cell.tasks.unwrap_or(0));
        pairs.extend(best);
    }
    if pairs.is_empty() {
        return Verdict::missing(
            claim,
            see,
            missing(
                m,
                Model::Process,
                "io-sleep cell of a process pool with a worker per task beside an event loop",
            ),
        );
    }
    let rule = PROCESSES_VS_LOOP;
    let mark = rule.mark_all(pairs.iter().map(|x| x.ratio));
    let facts: Vec<Fact> = pairs
        .iter()
        .map(|x| {
            Fact::TimeRatio(TimeRatio {
                workload: x.procs.cell.workload,
                a: x.procs.cell.label(),
                b: x.event_loop.cell.label(),
                ratio: x.ratio,
            })
        })
        .collect();
    Verdict {
        claim,
        mark,
        evidence: Evidence::Measured(vec![Clause::of(facts).by(Stated::Rule(rule))]),
        see,
        rests_on: pairs
            .iter()
            .flat_map(|x| [x.procs.cell.key(), x.event_loop.cell.key()])
            .collect(),
        panel: Some(Panel::new(
            pairs
                .iter()
                .map(|x| {
                    (
                        format!("{} {}", x.procs.cell.workload, short(x.procs)),
                        x.ratio,
                    )
                })
                .collect(),
            "x the event loop's time",
            &rule.lines(),
        )),
    }
}
