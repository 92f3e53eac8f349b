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

/// Every cell of a run over `runtimes` (usable ones), for `workloads` (empty: all), under `profile`.
pub fn cells(
    runtimes: &[Entrant],
    workloads: &[Workload],
    profile: &Profile,
    cores: u64,
) -> Vec<Cell> {
    let mut out = Vec::new();
    for rt in runtimes.iter().filter(|r| r.usable()) {
        let info = rt.info.as_ref().expect("usable runtimes have info");
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
                    workers: cores,
                    tasks: None,
                    opts: Vec::new(),
                    point: None,
                    params: Vec::new(),
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
    fn worker_points_dedupe() {
        assert_eq!(worker_points(2), vec![1, 2, 4]);
        assert_eq!(worker_points(8), vec![1, 2, 4, 16]);
    }
}
