//! A cell: one runtime x variant x workload, at one sweep point or with one extra opt, and the command line that
//! runs it.

use harness::opts;
use std::fmt;

use serde::{Deserialize, Serialize};
use workloads::{Size, Workload};

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
            Axis::SwitchIntervalUs => opts::SWITCH_INTERVAL_US,
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
    /// Pinned to this many CPUs (the first of the run's own), when the cell asks a question about fewer CPUs than the
    /// run has: the one-core claim's cells inside a run on two or more (see `arena::plan`). Its verify, pilot and
    /// timed runs (hyperfine included) all run with that affinity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pinned: Option<u64>,
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
            // A cell at a workers point whose tasks are set too (the equal-in-flight cells) says both.
            if let (Some(t), Axis::Workers) = (self.tasks, p.axis) {
                tags.push(format!("tasks={t}"));
            }
            tags.push(format!("{}={}", p.axis.name(), p.value));
        }
        if let Some(n) = self.pinned {
            tags.push(format!("cpus={n}"));
        }
        // The race's loss-only cells run smaller than the race (see [`LOSS_ONLY_SIZE`]): say so.
        if self.is_loss_only() && self.size == LOSS_ONLY_SIZE {
            tags.push(format!("size={}", self.size.name()));
        }
        for (k, v) in &self.opts {
            if self.point.is_some_and(|p| p.axis == Axis::SwitchIntervalUs)
                && k == opts::SWITCH_INTERVAL_US
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

    /// A race cell that only asks whether updates are lost across a yield point (`yield=true`) or kept by a lock
    /// or an atomic (`sync=...`): the plan runs it at [`LOSS_ONLY_SIZE`].
    pub fn is_loss_only(&self) -> bool {
        self.workload == Workload::Race
            && self
                .opts
                .iter()
                .any(|(k, v)| (k == opts::YIELD && v == "true") || (k == opts::SYNC && v != "none"))
    }

    /// The runtime/variant/opts part, without the sweep point: one line of a scaling chart.
    pub fn series(&self) -> String {
        let mut s = format!("{}/{}", self.runtime, self.variant);
        let opts: Vec<String> = self
            .opts
            .iter()
            .filter(|(k, _)| {
                self.point.is_none_or(|p| p.axis != Axis::SwitchIntervalUs)
                    || k != opts::SWITCH_INTERVAL_US
            })
            .map(|(k, v)| format!("{k}={v}"))
            .chain(self.pinned.map(|n| format!("cpus={n}")))
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
        if let Some(n) = self.pinned {
            k.push_str(&format!(".cpus-{n}"));
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

/// The GIL switch intervals of the convoy sweep, in microseconds (0.5, 5 and 50 ms).
pub const SWITCH_POINTS: [u64; 3] = [500, 5_000, 50_000];

/// The size of the race cells that only ask whether a yield point loses updates (`yield=true`) or a lock or atomic
/// keeps them (`sync=...`), where the race itself runs above it. Why smaller: both answers are structural, not a
/// matter of chance. On one loop an await between load and store loses an update each time the other task runs in
/// the gap (half of them in run 2026-12-01-0434); an atomic or a lock loses none by construction. So 5 M increments
/// per worker (the peers divide it by their `race_scale`) decide them as well as 100 M, while an await or an atomic
/// costs 10 to 100 plain increments: at 100 M, Node's loop with `yield=true` and its workers with `Atomics` ran over
/// 5 s and were skipped as too slow, and the yield cells of the other loops cost about 1 minute of a standard run.
/// `rmw=call` stays at the race's size: a GIL switch inside the call is a matter of chance and needs many switch
/// intervals. Why "0 lost" still means something at this size, when it would not for the plain race (see `size`
/// below): the atomic or the lock makes each increment so much dearer that the racers still run side by side for
/// 0.4 to 0.8 s (Node's workers with `Atomics`, CPython's processes with a lock, measured here). Their label says
/// `size=quick`, and no speedup is drawn against the full-size baseline.
pub const LOSS_ONLY_SIZE: Size = Size::Quick;
