//! The GIL across CPython versions: the run's `raw/cpython.json` (the sweep of the Python peer over every CPython
//! found) as one row per interpreter, the findings as typed data (which versions lose `counter += 1`, which do not;
//! the free-threaded build's speedup and loss), and rt-gil set beside them: its GIL variant against the 3.10+ rows
//! it models, its free-threaded variant against a real free-threaded build.
//!
//! rt-gil's cells are found by the parts the calibration cast by facts ([`crate::roles`]): the emulated GIL's
//! thread pool and the same runtime's pool without the lock; never by name.

use crate::stats::{Even, median};
use harness::{RunReport, opts};
use workloads::Workload;

use arena_store::cpython::{CpythonRecord, Interpreter, LeftOut, Probe, Skipped, Source};
use arena_store::{CellRecord, Status};

use crate::Analysis;
use crate::calibration::{Rmw, ThreadsRole};
use crate::roles::Player;

/// The first version whose plain `counter += 1` the GIL keeps (bpo-29988 moved the eval-breaker check to backward
/// jumps, function entry and after calls, so no thread switch lands between the load and the store of `+=`).
pub const SAFE_FROM: (u64, u64) = (3, 10);

/// Two speedups agree when they are within this of each other (a 2-thread speedup on this VM moves by about 0.1x
/// between runs; 0.3x still tells "two cores" from "one").
pub const SPEEDUP_TOLERANCE: f64 = 0.3;

/// A GIL build's 2-thread speedup above this cannot come from its threads (one runs Python at a time): the seq runs
/// were slowed by something else on the machine, and the speedup column is that noise.
pub const GIL_SPEEDUP_CEILING: f64 = 1.2;

/// Updates lost of those attempted, from one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Loss {
    /// `lost_updates`.
    pub lost: u64,
    /// `attempted` (W x K).
    pub attempted: u64,
}

impl Loss {
    /// From a race report.
    pub fn of(r: &RunReport) -> Option<Loss> {
        Some(Loss {
            lost: r.lost_updates?,
            attempted: r.attempted.unwrap_or_else(|| r.reference_checksum()),
        })
    }

    /// Lost / attempted.
    pub fn share(self) -> f64 {
        self.lost as f64 / self.attempted.max(1) as f64
    }

    /// Whether any update was lost.
    pub fn loses(self) -> bool {
        self.lost > 0
    }
}

/// One race measurement of a row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RaceCell {
    /// The form.
    pub rmw: Rmw,
    /// The threads.
    pub workers: u64,
    /// What it lost; `None` when it did not run or failed.
    pub loss: Option<Loss>,
}

/// The 2-thread speedup on cpu-balanced: the seq peer's median `elapsed_ms` over the threading peer's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Speedup {
    /// The seq peer's median `elapsed_ms`.
    pub seq_ms: f64,
    /// The threading peer's median `elapsed_ms`.
    pub threads_ms: f64,
    /// seq / threads.
    pub ratio: f64,
    /// How many runs of each the medians rest on (the fewer of the two).
    pub runs: usize,
}

/// One interpreter.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionRow {
    /// Its id, e.g. `3.13.5t`.
    pub id: String,
    /// `platform.python_version()`.
    pub version: String,
    /// Whether its threads run without a GIL.
    pub free_threaded: bool,
    /// `sys.getswitchinterval()`, seconds.
    pub switch_interval_s: f64,
    /// The build flags worth showing.
    pub build_flags: Vec<String>,
    /// The real executable.
    pub executable: String,
    /// Plain then call, each at 2 then 4 threads (the sweep's order).
    pub race: Vec<RaceCell>,
    /// The 2-thread speedup, when both sides ran.
    pub speedup: Option<Speedup>,
}

impl VersionRow {
    /// The race cell of `rmw` at `workers`.
    pub fn cell(&self, rmw: Rmw, workers: u64) -> Option<Loss> {
        self.race
            .iter()
            .find(|c| c.rmw == rmw && c.workers == workers)
            .and_then(|c| c.loss)
    }

    /// Whether `rmw` lost updates in any run of it (`None`: none measured).
    pub fn loses(&self, rmw: Rmw) -> Option<bool> {
        let ls: Vec<Loss> = self
            .race
            .iter()
            .filter(|c| c.rmw == rmw)
            .filter_map(|c| c.loss)
            .collect();
        (!ls.is_empty()).then(|| ls.iter().any(|l| l.loses()))
    }

    /// The largest share lost by `rmw` over the thread counts.
    pub fn worst(&self, rmw: Rmw) -> Option<Loss> {
        self.race
            .iter()
            .filter(|c| c.rmw == rmw)
            .filter_map(|c| c.loss)
            .max_by(|a, b| a.share().total_cmp(&b.share()))
    }

    /// Whether it is a GIL build of 3.10 or newer: what rt-gil's GIL models.
    pub fn modern_gil(&self) -> bool {
        !self.free_threaded && major_minor(&self.version).is_some_and(|v| v >= SAFE_FROM)
    }
}

/// A free-threaded build's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct FreeThreaded {
    /// Its id.
    pub id: String,
    /// Its 2-thread speedup.
    pub speedup: Option<f64>,
    /// Its worst share lost by `counter += 1`.
    pub plain: Option<Loss>,
}

/// What the sweep shows, as data.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Findings {
    /// GIL builds that lost plain `counter += 1` updates.
    pub plain_loses: Vec<String>,
    /// GIL builds that lost none (in every plain run).
    pub plain_safe: Vec<String>,
    /// GIL builds that lost `counter += f()` updates.
    pub call_loses: Vec<String>,
    /// GIL builds that lost none with `counter += f()`.
    pub call_safe: Vec<String>,
    /// The free-threaded builds.
    pub free_threaded: Vec<FreeThreaded>,
    /// The largest 2-thread speedup of a GIL build.
    pub best_gil_speedup: Option<f64>,
    /// GIL builds whose 2-thread speedup is above [`GIL_SPEEDUP_CEILING`]: noise, not parallelism.
    pub gil_speedup_noise: Vec<String>,
}

/// One comparison of rt-gil with the real interpreters.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// What is compared.
    pub topic: CheckOn,
    /// The emulation's part, as cast by facts.
    pub emulation: Option<Player>,
    /// The emulation's figure: a loss, or a speedup.
    pub emulated: Option<Figure>,
    /// The interpreters it is set against (ids).
    pub against: Vec<String>,
    /// Their figures, in the same order.
    pub real: Vec<Option<Figure>>,
    /// Whether they agree by [`Check::rule`]; `None` when a side is missing.
    pub agree: Option<bool>,
    /// The rule, in words.
    pub rule: &'static str,
}

/// A compared figure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Figure {
    /// Updates lost.
    Loss(Loss),
    /// A 2-thread speedup.
    Speedup(f64),
}

/// Everything the section shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Versions {
    /// Discovered or given.
    pub source: Source,
    /// One per interpreter that ran, in version order.
    pub rows: Vec<VersionRow>,
    /// Interpreters not used, and why.
    pub skipped: Vec<Skipped>,
    /// Runs not made, and why.
    pub left_out: Vec<LeftOut>,
    /// Runs that failed: (interpreter, probe, fault sentence, command).
    pub failed: Vec<(String, Probe, String, String)>,
    /// The findings.
    pub findings: Findings,
    /// rt-gil against the real interpreters: plain and call against 3.10+, then the free-threaded variant's loss
    /// and speedup against a free-threaded build.
    pub checks: Vec<Check>,
    /// The sweep's budget (`None`: no limit) and what it took.
    pub budget_s: Option<f64>,
    /// Seconds the sweep took.
    pub elapsed_s: f64,
    /// The size, and the peer's scales.
    pub size: workloads::Size,
    /// The work scale.
    pub work_scale: u64,
    /// The race scale.
    pub race_scale: u64,
}

pub use arena_store::cpython::major_minor;

fn row_of(rec: &CpythonRecord, i: &Interpreter) -> VersionRow {
    let runs = || {
        rec.runs
            .iter()
            .filter(move |r| r.item.interpreter == i.id && r.attempt.fault.is_none())
    };
    let mut race = Vec::new();
    for rmw in Rmw::ALL {
        for workers in [2, 4] {
            let loss = runs()
                .find(|r| {
                    r.item.probe
                        == Probe::Race {
                            rmw: rmw.opt().into(),
                            workers,
                        }
                })
                .and_then(|r| r.report.as_ref())
                .and_then(Loss::of);
            race.push(RaceCell { rmw, workers, loss });
        }
    }
    let elapsed = |pick: &dyn Fn(&Probe) -> bool| -> Vec<f64> {
        runs()
            .filter(|r| pick(&r.item.probe))
            .filter_map(|r| r.report.as_ref().map(|x| x.elapsed_ms))
            .collect()
    };
    let seq = elapsed(&|p| *p == Probe::CpuSeq);
    let thr = elapsed(&|p| matches!(p, Probe::CpuThreads { workers: 2 }));
    let n = seq.len().min(thr.len());
    let speedup = median(&seq, Even::Mean)
        .zip(median(&thr, Even::Mean))
        .map(|(s, t)| Speedup {
            seq_ms: s,
            threads_ms: t,
            ratio: s / t.max(1e-9),
            runs: n,
        });
    VersionRow {
        id: i.id.clone(),
        version: i.version.clone(),
        free_threaded: i.free_threaded(),
        switch_interval_s: i.switch_interval_s,
        build_flags: i.build_flags.clone(),
        executable: i.executable.clone(),
        race,
        speedup,
    }
}

fn findings(rows: &[VersionRow]) -> Findings {
    let gil: Vec<&VersionRow> = rows.iter().filter(|r| !r.free_threaded).collect();
    let ids = |rmw: Rmw, loses: bool| -> Vec<String> {
        gil.iter()
            .filter(|r| r.loses(rmw) == Some(loses))
            .map(|r| r.id.clone())
            .collect()
    };
    Findings {
        plain_loses: ids(Rmw::Plain, true),
        plain_safe: ids(Rmw::Plain, false),
        call_loses: ids(Rmw::Call, true),
        call_safe: ids(Rmw::Call, false),
        free_threaded: rows
            .iter()
            .filter(|r| r.free_threaded)
            .map(|r| FreeThreaded {
                id: r.id.clone(),
                speedup: r.speedup.map(|s| s.ratio),
                plain: r.worst(Rmw::Plain),
            })
            .collect(),
        gil_speedup_noise: gil
            .iter()
            .filter(|r| r.speedup.is_some_and(|s| s.ratio > GIL_SPEEDUP_CEILING))
            .map(|r| r.id.clone())
            .collect(),
        best_gil_speedup: gil
            .iter()
            .filter_map(|r| r.speedup.map(|s| s.ratio))
            .max_by(f64::total_cmp),
    }
}

/// The kept report of `player`'s race cell in form `rmw` (no other opt), from any cell of the run that has one.
fn race_loss(m: &Analysis, player: Option<&Player>, rmw: Rmw) -> Option<Loss> {
    let p = player?;
    m.run
        .cells
        .iter()
        .filter(|c: &&CellRecord| {
            c.cell.workload == Workload::Race
                && p.is(&c.cell.runtime, &c.cell.variant)
                && c.cell.opts.iter().all(|(k, _)| k == opts::RMW)
                && c.cell
                    .opts
                    .iter()
                    .find(|(k, _)| k == opts::RMW)
                    .map_or("plain", |(_, v)| v.as_str())
                    == rmw.opt()
                && !matches!(
                    c.status,
                    Status::VerifyFailed { .. } | Status::PilotFailed { .. }
                )
        })
        .find_map(|c| c.report.as_ref().and_then(Loss::of))
}

/// Agreement on losing: both lose some, or both lose none. Against several rows, they must all say the same.
fn loss_agree(emulated: Option<Loss>, real: &[Option<Figure>]) -> Option<bool> {
    let e = emulated?.loses();
    let r: Vec<bool> = real
        .iter()
        .filter_map(|f| match f {
            Some(Figure::Loss(l)) => Some(l.loses()),
            _ => None,
        })
        .collect();
    (!r.is_empty()).then(|| r.iter().all(|x| *x == e))
}

/// What a [`Check`] sets side by side (the report words it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckOn {
    /// `counter += 1`: rt-gil's GIL against CPython 3.10+ with its GIL.
    GilPlain,
    /// `counter += f()`: the same.
    GilCall,
    /// `counter += 1` without a GIL: rt-gil's free-threaded variant against free-threaded CPython.
    FreeThreadedLoss,
    /// Two threads on CPU work without a GIL: the same pair.
    FreeThreadedSpeedup,
}

fn checks(m: &Analysis, rows: &[VersionRow]) -> Vec<Check> {
    let cast = &m.calibration.cast;
    let modern: Vec<&VersionRow> = rows.iter().filter(|r| r.modern_gil()).collect();
    let free: Vec<&VersionRow> = rows.iter().filter(|r| r.free_threaded).collect();
    let mut out = Vec::new();
    for (rmw, topic) in [
        (Rmw::Plain, CheckOn::GilPlain),
        (Rmw::Call, CheckOn::GilCall),
    ] {
        let emulated = race_loss(m, cast.emulated_gil.as_ref(), rmw);
        let real: Vec<Option<Figure>> = modern
            .iter()
            .map(|r| r.worst(rmw).map(Figure::Loss))
            .collect();
        out.push(Check {
            topic,
            emulation: cast.emulated_gil.clone(),
            emulated: emulated.map(Figure::Loss),
            against: modern.iter().map(|r| r.id.clone()).collect(),
            agree: loss_agree(emulated, &real),
            real,
            rule: "agreement: the emulation and every interpreter lose none, or all lose some",
        });
    }
    let emulated = race_loss(m, cast.no_gil.as_ref(), Rmw::Plain);
    let real: Vec<Option<Figure>> = free
        .iter()
        .map(|r| r.worst(Rmw::Plain).map(Figure::Loss))
        .collect();
    out.push(Check {
        topic: CheckOn::FreeThreadedLoss,
        emulation: cast.no_gil.clone(),
        emulated: emulated.map(Figure::Loss),
        against: free.iter().map(|r| r.id.clone()).collect(),
        agree: loss_agree(emulated, &real),
        real,
        rule: "agreement: both lose some, or both lose none",
    });
    // The free-threaded variant's 2-thread speedup by elapsed_ms (as the sweep's), from the calibration's table.
    let emulated = m
        .calibration
        .threads
        .iter()
        .find(|t| t.role == ThreadsRole::NoGil)
        .and_then(|t| t.speedup_elapsed.or(t.speedup));
    let real: Vec<Option<Figure>> = free
        .iter()
        .map(|r| r.speedup.map(|s| Figure::Speedup(s.ratio)))
        .collect();
    let agree = emulated.and_then(|e| {
        let r: Vec<f64> = real
            .iter()
            .filter_map(|f| match f {
                Some(Figure::Speedup(s)) => Some(*s),
                _ => None,
            })
            .collect();
        (!r.is_empty()).then(|| r.iter().all(|s| (s - e).abs() <= SPEEDUP_TOLERANCE))
    });
    out.push(Check {
        topic: CheckOn::FreeThreadedSpeedup,
        emulation: cast.no_gil.clone(),
        emulated: emulated.map(Figure::Speedup),
        against: free.iter().map(|r| r.id.clone()).collect(),
        real,
        agree,
        rule: "agreement: 2-thread speedups (by elapsed_ms) within 0.3x of each other",
    });
    out
}

/// The section's data, when the run had a sweep; computed after [`crate::calibration::calibrate`], whose cast it
/// uses.
pub fn versions(m: &Analysis) -> Option<Versions> {
    let rec = m.run.cpython.as_ref()?;
    let rows: Vec<VersionRow> = rec.interpreters.iter().map(|i| row_of(rec, i)).collect();
    let failed = rec
        .runs
        .iter()
        .filter_map(|r| {
            let f = r.attempt.fault.as_ref()?;
            Some((
                r.item.interpreter.clone(),
                r.item.probe.clone(),
                f.to_string(),
                r.attempt.command.clone(),
            ))
        })
        .collect();
    Some(Versions {
        source: rec.source,
        findings: findings(&rows),
        checks: checks(m, &rows),
        rows,
        skipped: rec.skipped.clone(),
        left_out: rec.left_out.clone(),
        failed,
        budget_s: rec.budget_s,
        elapsed_s: rec.elapsed_s,
        size: rec.size,
        work_scale: rec.work_scale,
        race_scale: rec.race_scale,
    })
}
