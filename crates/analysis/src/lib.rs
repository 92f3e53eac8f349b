//! `arena-analysis`, the analysis stage of Concurrency Arena: a results folder's raw data (an
//! [`arena_store::Loaded`]) turned into what the report shows, as data a test can assert on and never as markdown. [`Analysis`] holds one [`Row`] per timed cell (hyperfine's statistics plus what it lacks:
//! cores busy, speedup, efficiency against the physical ideal, a confidence interval) and the [`Caveat`]s;
//! [`verdicts`] weighs the article's claims against the rows, [`calibration`] sets the peers beside the emulation.

//!
//! What it must not do or depend on: no I/O (it reads no file and writes none), no markdown, and no later stage: it
//! depends on `arena-store` and the contract crates only, never on `arena-report` or the `arena` binary
//! (`crates/arena/tests/layering.rs` holds that).

pub mod calibration;
mod caveat;
pub mod compare;
pub mod cpython;
pub mod floor;
pub mod merge;
pub mod quality;
pub mod roles;
pub mod stats;
pub mod verdicts;

use std::collections::BTreeMap;

use harness::{Facts, Model, RunReport};
use workloads::Workload;

pub use caveat::Caveat;

use arena_store::hyperfine;
use arena_store::{Axis, Cell};
use arena_store::{CellRecord, Loaded, Status};

/// The runtime a runtime's speedups are measured against: the one that runs the same work one task after another
/// (a sequential model, by its declared model). The workspace's sequential runtime (rt-seq) for the Rust runtimes
/// and for a peer that runs the presets unscaled (Node); for a scaled peer (CPython, whose work is divided by its
/// `work_scale`), the sequential peer of the same interpreter and scales (py-seq), or none when that peer is absent:
/// never the workspace's, whose work is 27 times larger.
pub fn baseline_of(runtimes: &[arena_store::Entrant], name: &str) -> Option<String> {
    let rt = runtimes.iter().find(|r| r.name == name)?;
    let sequential = |o: &&arena_store::Entrant| {
        o.info
            .as_ref()
            .is_some_and(|i| i.model == Model::Sequential)
    };
    match &rt.peer {
        Some(p) if p.work_scale != 1 || p.race_scale != 1 => runtimes
            .iter()
            .filter(sequential)
            .find(|o| {
                o.peer.as_ref().is_some_and(|q| {
                    q.interpreter == p.interpreter
                        && q.work_scale == p.work_scale
                        && q.race_scale == p.race_scale
                })
            })
            .map(|o| o.name.clone()),
        _ => runtimes
            .iter()
            .filter(sequential)
            .find(|o| o.peer.is_none())
            .map(|o| o.name.clone()),
    }
}

/// A cell's coefficient of variation above this is flagged as noisy.
pub const NOISY_CV: f64 = 0.10;

/// One timed cell with everything the tables show.
#[derive(Debug, Clone)]
pub struct Row {
    /// The cell.
    pub cell: Cell,
    /// Its runtime's model.
    pub model: Option<Model>,
    /// hyperfine's numbers (seconds).
    pub hf: hyperfine::Summary,
    /// The pilot's RunReport.
    pub report: Option<RunReport>,
    /// stddev / mean.
    pub cv: f64,
    /// Half-width of the 95% confidence interval of the mean, relative to the mean.
    pub ci95: Option<f64>,
    /// (user + sys) / mean wall.
    pub cores_busy: f64,
    /// The baseline's median / this median, for the same workload and tasks (see [`baseline_of`]).
    pub speedup: Option<f64>,
    /// Whether the runtime is a peer (CPython, Node.js) rather than a workspace runtime.
    pub peer: bool,
    /// What its variant declares it is (`None` for a list written without facts).
    pub facts: Option<Facts>,
    /// The physical ideal (seconds) / this median.
    pub efficiency: Option<f64>,
    /// The ideal, in seconds, and what it is.
    pub ideal: Option<(f64, &'static str)>,
    /// hyperfine `--runs`.
    pub runs: usize,
}

impl Row {
    /// Whether the spread is above [`NOISY_CV`].
    pub fn noisy(&self) -> bool {
        self.cv > NOISY_CV
    }
}

/// Everything the report shows, computed once from one run's raw data: the report, the merged report and the charts
/// read these fields and call no analysis function of their own.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// What was loaded.
    pub run: Loaded,
    /// The folder's name.
    pub name: String,
    /// One per timed cell, in report order, but for the pinned ones.
    pub rows: Vec<Row>,
    /// One per timed cell pinned to fewer CPUs than the run had ([`arena_store::Cell::pinned`]): the one-core
    /// claim's cells. Kept apart so that no table, chart or verdict about the whole machine takes them for its own.
    pub pinned: Vec<Row>,
    /// Every caveat.
    pub caveats: Vec<Caveat>,
    /// Every claim's verdict, in the article's order ([`verdicts::all`]).
    pub verdicts: Vec<verdicts::Verdict>,
    /// The floor: one entry per runtime/variant with a spawn or ping-pong cell ([`floor::floor`]).
    pub floor: Vec<floor::Entry>,
    /// The peers beside the emulation and the loops ([`calibration::calibrate`]).
    pub calibration: calibration::Calibration,
    /// How steady the machine was ([`quality::assess`]).
    pub quality: quality::RunQuality,
    /// The GIL across CPython versions ([`cpython::versions`]); `None` when the run had no such sweep.
    pub cpython: Option<cpython::Versions>,
}

thread_local! {
    /// How many analyses this thread has built: a test holds a render to one.
    static BUILT: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

impl Analysis {
    /// How many times [`Analysis::new`] has run on this thread (a render must build its analysis once).
    pub fn built_on_this_thread() -> usize {
        BUILT.with(|b| b.get())
    }

    /// Builds the rows and caveats, then everything computed from them: the verdicts, the floor, the calibration and
    /// the run's quality. The one place an analysis is made.
    pub fn new(run: Loaded, name: &str) -> Analysis {
        BUILT.with(|b| b.set(b.get() + 1));
        let mut a = Analysis::rows_only(run, name);
        a.floor = floor::floor(&a);
        a.calibration = calibration::calibrate(&a);
        // Before the verdicts: the claim about `counter += 1` under the GIL cites the versions.
        a.cpython = cpython::versions(&a);
        a.verdicts = verdicts::all(&a);
        a.quality = quality::assess(&a);
        a
    }

    /// The rows and caveats alone, what the verdicts, the floor and the calibration are computed from.
    fn rows_only(run: Loaded, name: &str) -> Analysis {
        let cores = run.meta.machine.logical_cpus.max(1);
        let model_of = |rt: &str| {
            run.runtimes
                .iter()
                .find(|r| r.name == rt)
                .and_then(|r| r.info.as_ref())
                .map(|i| i.model)
        };
        let is_peer = |rt: &str| {
            run.runtimes
                .iter()
                .any(|r| r.name == rt && r.peer.is_some())
        };
        let timed: Vec<&CellRecord> = run
            .cells
            .iter()
            .filter(|c| c.status == Status::Timed)
            .collect();
        let seq_median = |c: &Cell| -> Option<f64> {
            let base = baseline_of(&run.runtimes, &c.runtime)?;
            timed
                .iter()
                .find(|s| {
                    s.cell.runtime == base
                        && s.cell.workload == c.workload
                        && s.cell.tasks == c.tasks
                        && s.cell.size == c.size
                        && s.cell.opts.is_empty()
                        && s.cell.params == c.params
                        // A pinned cell's baseline is pinned the same way.
                        && s.cell.pinned == c.pinned
                })
                .and_then(|s| run.hyperfine.get(&s.cell.key()))
                .map(|h| h.median)
        };
        let mut rows = Vec::new();
        for c in &timed {
            let Some(hf) = run.hyperfine.get(&c.cell.key()).cloned() else {
                continue;
            };
            let (_, sd) = crate::stats::mean_sd(&hf.times);
            let cv = if hf.times.len() > 1 {
                sd / hf.mean
            } else {
                0.0
            };
            let seq = seq_median(&c.cell);
            let speedup = seq.map(|s| s / hf.median);
            let p = c.report.as_ref().map(|r| r.workload_params());
            let ideal = match c.cell.workload {
                Workload::CpuBalanced | Workload::CpuSkewed => seq.map(|s| {
                    // A sequential runtime ignores --workers: its ideal is itself, not a share of the cores.
                    let parallel = if model_of(&c.cell.runtime) == Some(Model::Sequential) {
                        1
                    } else {
                        c.cell.workers.min(cores).max(1)
                    };
                    (
                        s / parallel as f64,
                        "the sequential median (rt-seq; py-seq for the CPython peers) / min(workers, cores), or / 1 for a sequential runtime",
                    )
                }),
                Workload::IoSleep => p.map(|p| (p.delay_ms as f64 / 1000.0, "D")),
                Workload::IoNet => match (p, run.meta.bare_rtt_ms) {
                    (Some(p), Some(rtt)) => {
                        Some(((p.delay_ms as f64 + rtt) / 1000.0, "D + bare round trip"))
                    }
                    _ => None,
                },
                _ => None,
            };
            rows.push(Row {
                model: model_of(&c.cell.runtime),
                peer: is_peer(&c.cell.runtime),
                facts: facts_of(&run.runtimes, &c.cell.runtime, &c.cell.variant),
                report: c.report.clone(),
                cv,
                ci95: crate::stats::ci95_rel(&hf.times),
                cores_busy: (hf.user + hf.system) / hf.mean,
                speedup,
                efficiency: ideal.map(|(i, _)| i / hf.median),
                ideal,
                runs: hf.times.len(),
                cell: c.cell.clone(),
                hf,
            });
        }
        let mut caveats = Vec::new();
        for r in &run.runtimes {
            if let Some(why) = &r.excluded {
                caveats.push(Caveat::RuntimeExcluded {
                    runtime: r.name.clone(),
                    reason: why.clone(),
                });
            } else if let Some(i) = &r.info {
                // The floor workloads run only where the model has their unit; the floor section says which.
                let missing: Vec<Workload> = Workload::LOAD
                    .into_iter()
                    .filter(|w| !i.workloads.contains(w))
                    .collect();
                if !missing.is_empty() {
                    caveats.push(Caveat::NotImplemented {
                        runtime: r.name.clone(),
                        workloads: missing,
                    });
                }
            }
        }
        for c in &run.cells {
            // Where a spawn sweep stopped is a result, shown in the floor section, not a caveat.
            let result = matches!(
                c.status,
                Status::Timed | Status::LimitReached { .. } | Status::PastLimit { .. }
            );
            if !result {
                let command = match &c.status {
                    Status::VerifyFailed { .. } => c.verify.as_ref().map(|a| a.command.clone()),
                    Status::PilotFailed { .. } | Status::TooSlow { .. } => {
                        c.pilot.as_ref().map(|a| a.command.clone())
                    }
                    Status::TimingFailed { .. } => {
                        c.timing.as_ref().map(|t| t.hyperfine_command.clone())
                    }
                    _ => None,
                };
                caveats.push(Caveat::Cell {
                    label: c.cell.label(),
                    workload: c.cell.workload,
                    status: c.status.clone(),
                    command,
                });
            }
        }
        for c in &run.cells {
            if let Some(first) = c.failed_repeats.first() {
                caveats.push(Caveat::FailedRepeats {
                    label: c.cell.label(),
                    workload: c.cell.workload,
                    failed: c.failed_repeats.len(),
                    of: c.failed_repeats.len() + c.repeats.len(),
                    first: first.clone(),
                });
            }
        }
        for (file, why) in &run.unreadable {
            caveats.push(Caveat::Unreadable {
                file: file.clone(),
                why: why.clone(),
            });
        }
        for r in rows.iter().filter(|r| r.noisy()) {
            caveats.push(Caveat::Noisy {
                label: r.cell.label(),
                workload: r.cell.workload,
                cv: r.cv,
            });
        }
        let (pinned, rows): (Vec<Row>, Vec<Row>) =
            rows.into_iter().partition(|r| r.cell.pinned.is_some());
        Analysis {
            run,
            name: name.to_string(),
            rows,
            pinned,
            caveats,
            verdicts: Vec::new(),
            floor: Vec::new(),
            calibration: calibration::Calibration::default(),
            quality: quality::RunQuality::default(),
            cpython: None,
        }
    }

    /// The same data without the peers: their runtimes, cells, rows and caveats left out.
    pub fn without_peers(&self) -> Analysis {
        let peers: Vec<&str> = self
            .run
            .runtimes
            .iter()
            .filter(|r| r.peer.is_some())
            .map(|r| r.name.as_str())
            .collect();
        let mut m = self.clone();
        m.run.runtimes.retain(|r| r.peer.is_none());
        m.run
            .cells
            .retain(|c| !peers.contains(&c.cell.runtime.as_str()));
        m.rows.retain(|r| !r.peer);
        m
    }

    /// The same data with the peers alone: the real interpreters, for the claims they weigh first.
    pub fn only_peers(&self) -> Analysis {
        let own: Vec<&str> = self
            .run
            .runtimes
            .iter()
            .filter(|r| r.peer.is_none())
            .map(|r| r.name.as_str())
            .collect();
        let mut m = self.clone();
        m.run.runtimes.retain(|r| r.peer.is_some());
        m.run
            .cells
            .retain(|c| !own.contains(&c.cell.runtime.as_str()));
        m.rows.retain(|r| r.peer);
        m
    }

    /// What a runtime's variant declares it is.
    pub fn facts(&self, runtime: &str, variant: &str) -> Option<Facts> {
        facts_of(&self.run.runtimes, runtime, variant)
    }

    /// Timed rows of a workload.
    pub fn rows_of(&self, w: Workload) -> impl Iterator<Item = &Row> {
        self.rows.iter().filter(move |r| r.cell.workload == w)
    }

    /// Rows of one sweep axis.
    pub fn sweep(&self, w: Workload, axis: Axis) -> BTreeMap<String, Vec<&Row>> {
        let mut m: BTreeMap<String, Vec<&Row>> = BTreeMap::new();
        for r in self
            .rows_of(w)
            .filter(|r| r.cell.point.is_some_and(|p| p.axis == axis))
        {
            m.entry(r.cell.series()).or_default().push(r);
        }
        m
    }

    /// The logical CPUs of the machine.
    pub fn cores(&self) -> u64 {
        self.run.meta.machine.logical_cpus.max(1)
    }
}

/// What `runtime/variant` declares it is, from the run's runtimes.
fn facts_of(runtimes: &[arena_store::Entrant], runtime: &str, variant: &str) -> Option<Facts> {
    runtimes
        .iter()
        .find(|r| r.name == runtime)?
        .info
        .as_ref()?
        .facts_of(variant)
}
