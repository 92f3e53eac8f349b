//! Profiles and cells: what a bench run times, and with how much patience.
//!
//! A cell is one runtime x variant x workload, at one sweep point or with one extra opt. Every cell passes
//! `--workers` explicitly (fairness: never a runtime's ambient default).

use std::fmt;

use serde::{Deserialize, Serialize};
use workloads::{Size, Workload};

use crate::discover::Runtime;

/// How much a bench run measures and how long it may take. `docs/report.md` describes each.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// smoke, quick, standard or full.
    pub name: String,
    /// The `--size` of every timed cell.
    pub size: Size,
    /// Whether the sweeps (workers, tasks, switch interval) run.
    pub sweeps: bool,
    /// Whether the extra opt cells (offload, yield, rmw=call, shared) run.
    pub opt_cells: bool,
    /// hyperfine `--warmup`.
    pub warmup: u32,
    /// The fewest timed runs of a cell.
    pub min_runs: u32,
    /// The most timed runs of a cell.
    pub max_runs: u32,
    /// Seconds of timed runs a cell may use; runs = budget / pilot time, clamped to min..max.
    pub cell_budget_s: f64,
    /// A cell whose one run is projected to take longer than this is skipped with the reason.
    pub run_limit_s: f64,
    /// The whole timing phase's budget; per-cell budgets shrink to fit it. `None`: no limit.
    pub total_budget_s: Option<f64>,
}

/// The profiles, in order of cost.
pub fn profiles() -> [Profile; 4] {
    [
        Profile {
            name: "smoke".into(),
            size: Size::Check,
            sweeps: false,
            opt_cells: false,
            warmup: 1,
            min_runs: 3,
            max_runs: 3,
            cell_budget_s: 0.5,
            run_limit_s: 2.0,
            total_budget_s: Some(60.0),
        },
        Profile {
            name: "quick".into(),
            size: Size::Quick,
            sweeps: false,
            opt_cells: true,
            warmup: 1,
            min_runs: 3,
            max_runs: 5,
            cell_budget_s: 1.5,
            run_limit_s: 3.0,
            total_budget_s: Some(240.0),
        },
        Profile {
            name: "standard".into(),
            size: Size::Quick,
            sweeps: true,
            opt_cells: true,
            warmup: 1,
            min_runs: 3,
            max_runs: 12,
            cell_budget_s: 3.0,
            run_limit_s: 3.0,
            total_budget_s: Some(420.0),
        },
        Profile {
            name: "full".into(),
            size: Size::Standard,
            sweeps: true,
            opt_cells: true,
            warmup: 2,
            min_runs: 5,
            max_runs: 20,
            cell_budget_s: 10.0,
            run_limit_s: 20.0,
            total_budget_s: None,
        },
    ]
}

impl Profile {
    /// The profile called `name`.
    pub fn named(name: &str) -> anyhow::Result<Profile> {
        profiles()
            .into_iter()
            .find(|p| p.name == name)
            .ok_or_else(|| {
                crate::UsageError(format!(
                    "unknown profile '{name}'; expected smoke, quick, standard or full"
                ))
                .into()
            })
    }

    /// Timed runs for a cell whose pilot took `pilot_s`, given `budget_s` seconds.
    pub fn runs_for(&self, pilot_s: f64, budget_s: f64) -> u32 {
        let fit = (budget_s / pilot_s.max(1e-3)).floor();
        (fit.max(0.0) as u32).clamp(self.min_runs, self.max_runs)
    }
}

/// What a sweep varies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Axis {
    /// `--workers`.
    Workers,
    /// `--tasks`.
    Tasks,
    /// `--opt switch-interval-us=`.
    SwitchIntervalUs,
}

impl Axis {
    /// The name in labels.
    pub fn name(self) -> &'static str {
        match self {
            Axis::Workers => "workers",
            Axis::Tasks => "tasks",
            Axis::SwitchIntervalUs => "switch-interval-us",
        }
    }
}

/// One point of a sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Point {
    /// What varies.
    pub axis: Axis,
    /// Its value here.
    pub value: u64,
}

/// One thing to time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell {
    /// The runtime's name.
    pub runtime: String,
    /// The variant.
    pub variant: String,
    /// The workload.
    pub workload: Workload,
    /// The `--size` of the timed runs.
    pub size: Size,
    /// `--workers`, always explicit.
    pub workers: u64,
    /// `--tasks`, when a sweep sets it.
    pub tasks: Option<u64>,
    /// Extra `--opt KEY=VALUE`s.
    pub opts: Vec<(String, String)>,
    /// The sweep point, if the cell is one.
    pub point: Option<Point>,
    /// Explicit workload parameters for the timed runs (`--work 700000`), beside the size's presets: the convoy
    /// cells set them. Not passed at `--size check`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<(String, u64)>,
}

impl Cell {
    /// `runtime/variant`, plus the sweep point or opts in brackets: the hyperfine `--command-name`.
    pub fn label(&self) -> String {
        let mut s = format!("{}/{}", self.runtime, self.variant);
        let mut tags: Vec<String> = Vec::new();
        // Only the convoy sets explicit parameters (see [`CONVOY`]).
        if !self.params.is_empty() {
            tags.push("convoy".into());
        }
        if let Some(p) = self.point {
            tags.push(format!("{}={}", p.axis.name(), p.value));
        }
        for (k, v) in &self.opts {
            if self.point.is_some_and(|p| p.axis == Axis::SwitchIntervalUs)
                && k == "switch-interval-us"
            {
                continue;
            }
            tags.push(format!("{k}={v}"));
        }
        if !tags.is_empty() {
            s.push_str(&format!(" [{}]", tags.join(", ")));
        }
        s
    }

    /// The runtime/variant/opts part, without the sweep point: one line of a scaling chart.
    pub fn series(&self) -> String {
        let mut s = format!("{}/{}", self.runtime, self.variant);
        let opts: Vec<String> = self
            .opts
            .iter()
            .filter(|(k, _)| {
                self.point.is_none_or(|p| p.axis != Axis::SwitchIntervalUs)
                    || k != "switch-interval-us"
            })
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        if !opts.is_empty() {
            s.push_str(&format!(" [{}]", opts.join(", ")));
        }
        s
    }

    /// A file-name-safe unique key: `cpu-balanced.rt-seq.seq.workers-1`.
    pub fn key(&self) -> String {
        let mut k = format!("{}.{}.{}", self.workload, self.runtime, self.variant);
        if let Some(p) = self.point {
            k.push_str(&format!(".{}-{}", p.axis.name(), p.value));
        }
        for (o, v) in &self.opts {
            k.push_str(&format!(".{o}-{v}"));
        }
        k.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    }

    /// The arguments after the runtime's command, at `size`.
    pub fn args(
        &self,
        size: Size,
        with_tasks: bool,
        addr: Option<&str>,
        deadline_s: f64,
    ) -> Vec<String> {
        let mut a = vec![
            "run".to_string(),
            self.workload.name().into(),
            "--variant".into(),
            self.variant.clone(),
            "--size".into(),
            size.name().into(),
            "--workers".into(),
            self.workers.to_string(),
        ];
        if let (Some(t), true) = (self.tasks, with_tasks) {
            a.extend(["--tasks".into(), t.to_string()]);
        }
        if with_tasks {
            for (k, v) in &self.params {
                a.extend([format!("--{k}"), v.to_string()]);
            }
        }
        if let (Some(addr), true) = (addr, self.workload.needs_addr()) {
            a.extend(["--addr".into(), addr.into()]);
        }
        a.extend(["--deadline-s".into(), format!("{:.1}", deadline_s.max(0.1))]);
        for (k, v) in &self.opts {
            a.extend(["--opt".into(), format!("{k}={v}")]);
        }
        a
    }

    /// Sort order for reports: workload, then series, then sweep value.
    pub fn order(&self) -> (Workload, String, u64) {
        (
            self.workload,
            self.series(),
            self.point.map_or(0, |p| p.value),
        )
    }
}

impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.workload, self.label())
    }
}

/// The workers of the cpu-balanced sweep: 1, 2, 4 and twice the cores, without repeats.
pub fn worker_points(cores: u64) -> Vec<u64> {
    let mut v = vec![1, 2, 4, 2 * cores];
    v.sort_unstable();
    v.dedup();
    v
}

/// The tasks of the io-sleep sweep.
pub const TASK_POINTS: [u64; 3] = [100, 1_000, 10_000];

/// The GIL switch intervals of the convoy sweep, in microseconds (0.5, 5 and 50 ms).
pub const SWITCH_POINTS: [u64; 3] = [500, 5_000, 50_000];

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
const OPT_CELLS: [(&str, &str, &[Workload]); 4] = [
    // The fix for CPU work blocking an event loop, beside the problem.
    ("offload", "true", &[Workload::CpuBalanced, Workload::Mixed]),
    // A yield point between load and store: where a single-threaded event loop loses updates too.
    ("yield", "true", &[Workload::Race]),
    // `counter += f()`: a call between load and store, where the GIL can switch.
    ("rmw", "call", &[Workload::Race]),
    // Processes that share memory lose updates too.
    ("shared", "true", &[Workload::Race]),
];

/// Every cell of a run over `runtimes` (usable ones), for `workloads` (empty: all), under `profile`.
pub fn cells(
    runtimes: &[Runtime],
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
            for v in &info.variants {
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
                    Workload::IoSleep if profile.sweeps => {
                        for t in TASK_POINTS {
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
                            && has_opt("switch-interval-us")
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
                                opts: vec![("switch-interval-us".into(), us.to_string())],
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
                    for (k, val, ws) in OPT_CELLS {
                        if has_opt(k) && ws.contains(&w) {
                            out.push(Cell {
                                opts: vec![(k.into(), val.into())],
                                ..base.clone()
                            });
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
        use crate::discover::{PeerMeta, Runtime};
        use harness::{Info, Model, OptSpec};
        let rt = |name: &str, model: Model, scale: Option<u64>| Runtime {
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
        let cells = cells(&rts, &[], &Profile::named("standard").unwrap(), 2);
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
    fn worker_points_dedupe_and_runs_clamp() {
        assert_eq!(worker_points(2), vec![1, 2, 4]);
        assert_eq!(worker_points(8), vec![1, 2, 4, 16]);
        let p = Profile::named("standard").unwrap();
        assert_eq!(p.runs_for(0.1, 2.0), 12);
        assert_eq!(p.runs_for(0.5, 2.0), 4);
        assert_eq!(p.runs_for(5.0, 2.0), 3);
        assert!(Profile::named("huge").is_err());
    }
}
