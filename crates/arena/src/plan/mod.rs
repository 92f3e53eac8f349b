//! Profiles and cells: what a bench run times, and with how much patience.
//!
//! A cell is one runtime x variant x workload, at one sweep point or with one extra opt. Every cell passes
//! `--workers` explicitly (fairness: never a runtime's ambient default).

pub mod cpython;

use harness::opts;
use workloads::{Size, Workload};

use arena_store::Entrant;
pub use arena_store::cell::{Axis, Cell, LOSS_ONLY_SIZE, Point, SWITCH_POINTS};
pub use arena_store::profile::{Profile, ProfileName, profiles};

/// The workers of the cpu-balanced sweep: 1, 2, 4 and twice the cores, without repeats.
pub fn worker_points(cores: u64) -> Vec<u64> {
    let mut v = vec![1, 2, 4, 2 * cores];
    v.sort_unstable();
    v.dedup();
    v
}

/// The tasks of the io-sleep and io-net sweeps.
pub const TASK_POINTS: [u64; 3] = [100, 1_000, 10_000];

/// The tasks of the spawn sweep (the floor): 1k, 10k and 100k, and 1M in the `full` profile. Why these: the
/// published floor figures are at 1M tasks, and threads and processes stop between 10k and 100k on a default Linux
/// (`vm.max_map_count` stops Rust threads near 16k, `pid_max` processes near 32k), so the sweep shows where each
/// model stops (see docs/floor.md).
pub fn spawn_points(profile: &Profile) -> Vec<u64> {
    let mut v = vec![1_000, 10_000, 100_000];
    if profile.name == ProfileName::Full {
        v.push(1_000_000);
    }
    v
}

/// The convoy: mixed with one CPU task on one thread and a ticker beside it, both under one interpreter lock
/// (rt-gil, CPython threading). Every tick wakes while the CPU thread holds the lock, so its lateness shows the switch
/// interval. Why these numbers: the CPU task (about 1 s on rt-seq's kernel) must outlast every tick even at the
/// 50 ms point (12 x (5 + 50) ms = 0.66 s), or the late ticks would find the lock free and measure nothing.
pub const CONVOY: [(&str, u64); 4] = [
    ("tasks", 1),
    ("work", 700_000),
    ("rounds", 12),
    ("delay-ms", 5),
];

/// The convoy's parameters for a runtime whose CPU work is scaled by `work_scale` (a peer; 1 otherwise): the work
/// is divided like the peer's presets, since an explicit `--work` is passed as is.
pub fn convoy_params(work_scale: u64) -> Vec<(String, u64)> {
    CONVOY
        .iter()
        .map(|&(k, v)| {
            let v = if k == "work" {
                (v / work_scale.max(1)).max(1)
            } else {
                v
            };
            (k.to_string(), v)
        })
        .collect()
}

/// Extra cells with one opt set, where the runtime lists the opt: (opt, value, workloads).
const OPT_CELLS: [(&str, &str, &[Workload]); 5] = [
    // The fix for CPU work blocking an event loop, beside the problem.
    (
        opts::OFFLOAD,
        "true",
        &[Workload::CpuBalanced, Workload::Mixed],
    ),
    // The same fix with a process pool, where the runtime offers one (asyncio's ProcessPoolExecutor): under a GIL
    // the thread pool's CPU work still holds the lock the loop needs.
    (
        opts::OFFLOAD,
        "process",
        &[Workload::CpuBalanced, Workload::Mixed],
    ),
    // A yield point between load and store: where a single-threaded event loop loses updates too.
    (opts::YIELD, "true", &[Workload::Race]),
    // `counter += f()`: a call between load and store, where the GIL can switch.
    (opts::RMW, "call", &[Workload::Race]),
    // Message passing beside processes that share memory (the default, which loses updates too).
    (opts::SHARED, "false", &[Workload::Race]),
];

/// The fewest racers a race cell runs with, whatever the CPUs (see `cells`).
pub const MIN_RACERS: u64 = 2;

/// The tasks of the one-core claim's io-sleep cells: enough waits that overlapping them is plain (100 x 10 ms waits
/// one after another take 1 s), few enough to cost little.
pub const ONE_CPU_TASKS: u64 = 100;

/// A cell pinned to one CPU for the claim "without parallelism, threads take turns on one core", inside a run on two
/// or more CPUs, so that claim is weighed in every standard run and not only in a run pinned with `--cpus 1`. Why
/// these cells: the claim is about native threads (no interpreter lock, no event loop, no processes), computing
/// (cpu-balanced with a pool of 2 workers) and waiting (io-sleep with a thread per task or a pool of 2), each set
/// beside the sequential runtime pinned the same way, its speedup baseline. Only the workspace runtimes: the peers
/// hold a GIL or run one loop. About eight cells of 0.2-1 s each.
fn one_cpu_cell(base: &Cell, facts: Option<harness::Facts>, sequential: bool) -> Option<Cell> {
    let native = |threads: harness::Threads| {
        facts.is_some_and(|f| {
            !f.holds_gil && !f.event_loop && !f.processes && !f.sequential && f.threads == threads
        })
    };
    let pinned = Some(1);
    match base.workload {
        Workload::CpuBalanced if sequential || native(harness::Threads::Workers) => Some(Cell {
            workers: 2,
            pinned,
            ..base.clone()
        }),
        Workload::IoSleep
            if sequential
                || native(harness::Threads::PerTask)
                || native(harness::Threads::Workers) =>
        {
            Some(Cell {
                workers: 2,
                tasks: Some(ONE_CPU_TASKS),
                point: Some(Point {
                    axis: Axis::Tasks,
                    value: ONE_CPU_TASKS,
                }),
                pinned,
                ..base.clone()
            })
        }
        _ => None,
    }
}

/// The waits in flight at once in the equal-in-flight io-sleep cells: every one of [`IN_FLIGHT`] tasks has a worker.
pub const IN_FLIGHT: u64 = 100;

/// An io-sleep cell of a thread or process pool with a worker per task ([`IN_FLIGHT`] of each), for the claims that
/// set processes beside threads or an event loop for I/O. Why: a pool of W workers keeps only W waits in flight, so
/// at the run's `--workers` (2 here) a process pool and a loop with all 100 tasks in flight differ by T/W by
/// construction (35.6x in run 2026-12-01-0628), and a process pool and a thread pool both spend 98% of the run
/// sleeping, which hid every cost per I/O (513 against 510 ms). With a worker per wait, all three have the same 100
/// waits in flight, and what differs is what each model pays per wait in flight: a process (its start-up and its
/// messages) against a thread against a task. Measured here by hand: rt-procs' pool 377 ms, rt-threads' 15 ms.
/// Only the workspace's runtimes: 100 CPython processes would start for several seconds.
fn in_flight_cell(base: &Cell, facts: Option<harness::Facts>) -> Option<Cell> {
    let pool = facts.is_some_and(|f| {
        f.threads == harness::Threads::Workers && !f.event_loop && !f.sequential && !f.holds_gil
    });
    (base.workload == Workload::IoSleep && pool).then(|| Cell {
        workers: IN_FLIGHT,
        tasks: Some(IN_FLIGHT),
        point: Some(Point {
            axis: Axis::Workers,
            value: IN_FLIGHT,
        }),
        ..base.clone()
    })
}

/// Every cell of a run over `runtimes` (usable ones), for `workloads` (empty: all), under `profile`.
pub fn cells(
    runtimes: &[Entrant],
    workloads: &[Workload],
    profile: &Profile,
    cores: u64,
) -> Vec<Cell> {
    let mut out = Vec::new();
    for (rt, info) in runtimes.iter().filter_map(|r| Some((r, r.ready()?))) {
        let has_opt = |k: &str| info.opts.iter().any(|o| o.key == k);
        let sequential = info.model == harness::Model::Sequential;
        for w in info.workloads.iter().copied() {
            if !workloads.is_empty() && !workloads.contains(&w) {
                continue;
            }
            for v in info.variants.iter().filter(|v| v.runs(&info.workloads, w)) {
                let base = Cell {
                    runtime: rt.name.clone(),
                    variant: v.name.clone(),
                    workload: w,
                    // Why race never runs below `standard` outside smoke: at `quick` (5 M increments per worker)
                    // native racers finish in about 2 ms and rarely overlap, and a GIL worker is never switched
                    // out, so "0 lost" would mean nothing. 100 M per worker is the smallest size that interleaves.
                    size: if w == Workload::Race && profile.size == Size::Quick {
                        Size::Standard
                    } else {
                        profile.size
                    },
                    // Why race gets two racers at least: on one CPU a single racer can lose nothing, and
                    // the claims about lost updates are about two or more threads taking turns (the OS still
                    // switches between a load and its store on one core).
                    workers: if w == Workload::Race {
                        cores.max(MIN_RACERS)
                    } else {
                        cores
                    },
                    tasks: None,
                    opts: Vec::new(),
                    point: None,
                    params: Vec::new(),
                    pinned: None,
                };
                match w {
                    Workload::CpuBalanced if profile.sweeps => {
                        // rt-seq ignores --workers, so its one point is the baseline for every speedup.
                        let points = if sequential {
                            vec![1]
                        } else {
                            worker_points(cores)
                        };
                        for p in points {
                            out.push(Cell {
                                workers: p,
                                point: Some(Point {
                                    axis: Axis::Workers,
                                    value: p,
                                }),
                                ..base.clone()
                            });
                        }
                    }
                    Workload::IoSleep | Workload::IoNet | Workload::Spawn if profile.sweeps => {
                        let points = if w == Workload::Spawn {
                            spawn_points(profile)
                        } else {
                            TASK_POINTS.to_vec()
                        };
                        for t in points {
                            out.push(Cell {
                                tasks: Some(t),
                                point: Some(Point {
                                    axis: Axis::Tasks,
                                    value: t,
                                }),
                                ..base.clone()
                            });
                        }
                    }
                    // The convoy sweep, only where threads share an interpreter lock (rt-gil, CPython threading);
                    // the plain mixed cell runs too.
                    Workload::Mixed
                        if profile.sweeps
                            && has_opt(opts::SWITCH_INTERVAL_US)
                            && v.default
                            && matches!(
                                info.model,
                                harness::Model::Threads | harness::Model::Emulated
                            ) =>
                    {
                        out.push(base.clone());
                        let scale = rt.peer.as_ref().map_or(1, |p| p.work_scale);
                        for us in SWITCH_POINTS {
                            out.push(Cell {
                                workers: 2,
                                params: convoy_params(scale),
                                opts: vec![(opts::SWITCH_INTERVAL_US.into(), us.to_string())],
                                point: Some(Point {
                                    axis: Axis::SwitchIntervalUs,
                                    value: us,
                                }),
                                ..base.clone()
                            });
                        }
                    }
                    _ => out.push(base.clone()),
                }
                if profile.sweeps
                    && cores >= 2
                    && rt.peer.is_none()
                    && let Some(c) = one_cpu_cell(&base, v.facts, sequential)
                {
                    out.push(c);
                }
                // Native pools only: the emulation's threads are plain threads here, one more of the same.
                if profile.sweeps
                    && rt.peer.is_none()
                    && matches!(
                        info.model,
                        harness::Model::Threads | harness::Model::Process
                    )
                    && let Some(c) = in_flight_cell(&base, v.facts)
                {
                    out.push(c);
                }
                if profile.opt_cells {
                    // A runtime lists an opt with its values: a cell runs only where the value is one of them.
                    let accepts = |k: &str, val: &str| {
                        info.opts.iter().any(|o| o.key == k && o.check(val).is_ok())
                    };
                    // One extra opt on the base cell; a loss-only race cell at its smaller size.
                    let with_opt = |k: &str, val: &str| {
                        let c = Cell {
                            opts: vec![(k.into(), val.into())],
                            ..base.clone()
                        };
                        let size = if c.is_loss_only() {
                            c.size.min(LOSS_ONLY_SIZE)
                        } else {
                            c.size
                        };
                        Cell { size, ..c }
                    };
                    for (k, val, ws) in OPT_CELLS {
                        if accepts(k, val) && ws.contains(&w) {
                            out.push(with_opt(k, val));
                        }
                    }
                    // A peer's threads that share memory without a GIL (Node's worker_threads over a
                    // SharedArrayBuffer) race with each synchronization too, for the verdict on JavaScript's shared
                    // memory. Why peers only: the workspace runtimes' lock and atomic are checked by the conformance
                    // suite (they lose nothing), and timing them for every runtime would cost the budget.
                    let shared_workers = v.facts.is_some_and(|f| {
                        f.shares_memory
                            && !f.holds_gil
                            && !f.event_loop
                            && f.threads == harness::Threads::Workers
                    });
                    if w == Workload::Race && rt.peer.is_some() && shared_workers {
                        for sync in ["atomic", "lock"] {
                            out.push(with_opt(opts::SYNC, sync));
                        }
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell() -> Cell {
        Cell {
            runtime: "rt-x".into(),
            variant: "pool".into(),
            workload: Workload::IoSleep,
            size: Size::Quick,
            workers: 2,
            tasks: Some(1000),
            opts: vec![("offload".into(), "true".into())],
            point: Some(Point {
                axis: Axis::Tasks,
                value: 1000,
            }),
            params: Vec::new(),
            pinned: None,
        }
    }

    #[test]
    fn labels_keys_and_args() {
        let c = cell();
        assert_eq!(c.label(), "rt-x/pool [tasks=1000, offload=true]");
        assert_eq!(c.series(), "rt-x/pool [offload=true]");
        assert_eq!(c.key(), "io-sleep.rt-x.pool.tasks-1000.offload-true");
        let a = c
            .args(Size::Check, false, Some("127.0.0.1:9"), 20.0)
            .join(" ");
        assert_eq!(
            a,
            "run io-sleep --variant pool --size check --workers 2 --deadline-s 20.0 --opt offload=true"
        );
        assert!(
            c.args(Size::Quick, true, None, 5.0)
                .join(" ")
                .contains("--tasks 1000")
        );
    }

    #[test]
    fn the_convoy_runs_only_under_a_lock_and_scales_a_peers_work() {
        use crate::discover::{Entrant, PeerMeta};
        use harness::{Info, Model, OptSpec};
        let rt = |name: &str, model: Model, scale: Option<u64>| Entrant {
            name: name.into(),
            package: None,
            command: vec![name.into()],
            info: Some(
                Info::new(name, name, model)
                    .workloads([Workload::Mixed])
                    .variant("pool", "the pool")
                    .opt(OptSpec::int("switch-interval-us", 5000, 1, 1_000_000, "x")),
            ),
            excluded: None,
            peer: scale.map(|s| PeerMeta {
                interpreter: "python3".into(),
                version: None,
                work_scale: s,
                race_scale: 1,
            }),
        };
        let rts = [
            rt("rt-gil", Model::Emulated, None),
            rt("py-threading", Model::Threads, Some(27)),
            rt("py-asyncio", Model::Async, Some(27)),
        ];
        let cells = cells(&rts, &[], &Profile::named(ProfileName::Standard), 2);
        let convoy = |name: &str| {
            cells
                .iter()
                .filter(|c| c.runtime == name && !c.params.is_empty())
                .collect::<Vec<_>>()
        };
        assert_eq!(convoy("rt-gil").len(), 3);
        assert!(convoy("py-asyncio").is_empty());
        let py = convoy("py-threading");
        assert_eq!(py.len(), 3);
        assert!(py[0].params.contains(&("work".into(), 700_000 / 27)));
        assert_eq!(py[0].workers, 2);
        let a = py[0].args(Size::Quick, true, None, 10.0).join(" ");
        assert!(
            a.contains("--tasks 1 --work 25925 --rounds 12 --delay-ms 5"),
            "{a}"
        );
        assert!(py[0].label().contains("convoy"));
        // At --size check the convoy's parameters are not passed: verification runs the presets.
        assert!(
            !py[0]
                .args(Size::Check, false, None, 10.0)
                .join(" ")
                .contains(" --work ")
        );
        // Every runtime keeps its plain mixed cell.
        assert!(cells.iter().filter(|c| c.params.is_empty()).count() >= 3);
    }

    #[test]
    fn the_race_cells_that_only_ask_whether_updates_are_lost_run_smaller() {
        use crate::discover::{Entrant, PeerMeta};
        use harness::{Facts, Info, Model, OptSpec, Threads};
        let info = Info::new("node", "node", Model::Async)
            .workloads([Workload::Race])
            .variant("workers", "worker_threads")
            .facts(Facts::threads(Threads::Workers))
            .opt(OptSpec::bool("yield", false, "x"))
            .opt(OptSpec::choice("rmw", &["plain", "call"], "x"))
            .opt(OptSpec::choice("sync", &["none", "atomic", "lock"], "x"));
        let node = Entrant {
            name: "node".into(),
            package: None,
            command: vec!["node".into()],
            info: Some(info),
            excluded: None,
            peer: Some(PeerMeta {
                interpreter: "node".into(),
                version: None,
                work_scale: 1,
                race_scale: 1,
            }),
        };
        let cells = cells(&[node], &[], &Profile::named(ProfileName::Standard), 2);
        let size_of = |opt: Option<(&str, &str)>| {
            let c = cells
                .iter()
                .find(|c| match opt {
                    None => c.opts.is_empty(),
                    Some((k, v)) => c.opts == [(k.to_string(), v.to_string())],
                })
                .unwrap_or_else(|| panic!("no cell with {opt:?} in {cells:?}"));
            (c.size, c.label())
        };
        assert_eq!(size_of(None), (Size::Standard, "node/workers".to_string()));
        assert_eq!(size_of(Some(("rmw", "call"))).0, Size::Standard);
        for opt in [("yield", "true"), ("sync", "atomic"), ("sync", "lock")] {
            let (size, label) = size_of(Some(opt));
            assert_eq!(size, LOSS_ONLY_SIZE, "{opt:?}");
            assert!(label.contains("size=quick"), "{label}");
        }
    }

    #[test]
    fn the_one_core_claim_gets_pinned_cells_and_the_race_two_racers_on_any_machine() {
        use crate::discover::Entrant;
        use harness::{Facts, Info, Model, Threads};
        let entrant = |name: &str, info: Info| Entrant {
            name: name.into(),
            package: Some(name.into()),
            command: vec![name.into()],
            info: Some(info),
            excluded: None,
            peer: None,
        };
        let w = [Workload::CpuBalanced, Workload::IoSleep, Workload::Race];
        let seq = Info::new("rt-seq", "seq", Model::Sequential)
            .workloads(w)
            .variant("seq", "x")
            .facts(Facts::sequential());
        let threads = Info::new("rt-threads", "threads", Model::Threads)
            .workloads(w)
            .variant("pool", "x")
            .facts(Facts::threads(Threads::Workers))
            .variant("per-task", "x")
            .facts(Facts::threads(Threads::PerTask));
        let gil = Info::new("rt-gil", "gil", Model::Emulated)
            .workloads(w)
            .variant("pool", "x")
            .facts(Facts::threads(Threads::Workers).with_gil());
        let rts = [
            entrant("rt-seq", seq),
            entrant("rt-threads", threads),
            entrant("rt-gil", gil),
        ];
        let standard = Profile::named(ProfileName::Standard);
        let pinned = |cores: u64| -> Vec<String> {
            cells(&rts, &[], &standard, cores)
                .into_iter()
                .filter(|c| c.pinned.is_some())
                .map(|c| c.label())
                .collect()
        };
        assert_eq!(
            pinned(2),
            [
                "rt-seq/seq [cpus=1]",
                "rt-seq/seq [tasks=100, cpus=1]",
                "rt-threads/pool [cpus=1]",
                "rt-threads/pool [tasks=100, cpus=1]",
                "rt-threads/per-task [tasks=100, cpus=1]",
            ]
        );
        // A run on one CPU weighs the claim with all of its cells, pinned by the run itself.
        assert!(pinned(1).is_empty());
        // A worker per wait for the pools without a GIL: the equal-in-flight io-sleep cells.
        let in_flight: Vec<String> = cells(&rts, &[Workload::IoSleep], &standard, 2)
            .into_iter()
            .filter(|c| c.workers == IN_FLIGHT)
            .map(|c| c.label())
            .collect();
        assert_eq!(in_flight, ["rt-threads/pool [tasks=100, workers=100]"]);
        // Below standard the profile has no sweeps and no pinned cells.
        assert!(
            cells(&rts, &[], &Profile::named(ProfileName::Quick), 2)
                .iter()
                .all(|c| c.pinned.is_none())
        );
        // Two racers at least, even on one CPU.
        for cores in [1, 2, 4] {
            for c in cells(&rts, &[Workload::Race], &standard, cores) {
                assert_eq!(c.workers, cores.max(MIN_RACERS), "{}", c.label());
            }
        }
    }

    #[test]
    fn worker_points_dedupe() {
        assert_eq!(worker_points(2), vec![1, 2, 4]);
        assert_eq!(worker_points(8), vec![1, 2, 4, 16]);
    }
}
