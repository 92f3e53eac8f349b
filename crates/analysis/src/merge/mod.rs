//! `arena merge RUN...`: one answer from many machines. Each run folder is analysed on its own ([`Analysis`], its
//! verdicts and floor); [`Merged`] then lines the machines up side by side: the verdicts per claim, the cpu-balanced
//! speedups against workers, io-sleep and io-net at each task count, and the floor costs. Cells are matched across
//! runs by [`Cell::key`](arena_store::Cell::key); a cell one machine did not time is [`Entry::Missing`] with the
//! reason, never interpolated.
//!
//! What it is not: a comparison of one machine before and after (that is `arena compare`, with its significance
//! test), nor a new analysis: every figure here is one run's own, as its report shows it. The report crate's `merge` module
//! renders a [`Merged`]; nothing here writes markdown or reads files.

mod table;

use workloads::Workload;

use crate::verdicts::Verdict;
use crate::{Analysis, floor};
use arena_store::Axis;
use arena_store::Loaded;

pub use table::{Absence, CellRow, Entry};

/// One machine's run, as the merged report names it.
#[derive(Debug, Clone, PartialEq)]
pub struct MachineRun {
    /// `{host}/{n} CPUs`: what tells two machines apart.
    pub key: String,
    /// The run folder's name.
    pub folder: String,
    /// The host name.
    pub host: String,
    /// The CPU model.
    pub cpu_model: String,
    /// The logical CPUs the run could use.
    pub logical_cpus: u64,
    /// The profile's name.
    pub profile: String,
    /// When the run started (UTC).
    pub started_utc: String,
    /// `hyperfine --version`.
    pub hyperfine: String,
    /// rustc's first line (`rustc 1.95.0 (...)`).
    pub rustc: String,
    /// The driver's version.
    pub arena_version: String,
}

/// The key of a machine: host and the logical CPUs its run could use.
pub fn machine_key(host: &str, logical_cpus: u64) -> String {
    let unit = if logical_cpus == 1 { "CPU" } else { "CPUs" };
    format!("{host}/{logical_cpus} {unit}")
}

impl MachineRun {
    fn of(folder: &str, run: &Loaded) -> MachineRun {
        let m = &run.meta;
        MachineRun {
            key: machine_key(&m.machine.host, m.machine.logical_cpus),
            folder: folder.to_string(),
            host: m.machine.host.clone(),
            cpu_model: m.machine.cpu_model.clone(),
            logical_cpus: m.machine.logical_cpus,
            profile: m.profile.name.to_string(),
            started_utc: m.started_utc.clone(),
            hyperfine: m.hyperfine.clone(),
            rustc: m.rustc.lines().next().unwrap_or("").to_string(),
            arena_version: m.arena_version.clone(),
        }
    }
}

/// A setting that differs between the runs: what it is, and its distinct values in machine order.
#[derive(Debug, Clone, PartialEq)]
pub struct Mixed {
    /// `profile`, `hyperfine`, `rustc` or `arena version`.
    pub what: &'static str,
    /// Each distinct value once.
    pub values: Vec<String>,
}

/// One claim, with each machine's verdict on it (in [`Merged::machines`] order).
#[derive(Debug, Clone)]
pub struct ClaimRow {
    /// The claim.
    pub claim: crate::verdicts::Claim,
    /// One verdict per machine.
    pub verdicts: Vec<Verdict>,
}

impl ClaimRow {
    /// Whether every machine gives the claim the same mark.
    pub fn agrees(&self) -> bool {
        self.verdicts.windows(2).all(|w| w[0].mark == w[1].mark)
    }
}

/// A series' best timed point on one machine.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Best {
    /// `--workers` there.
    pub workers: u64,
    /// The speedup over the sequential run.
    pub speedup: f64,
}

/// Where one cpu-balanced runtime/variant peaks on each machine: the workers past which it stops scaling.
#[derive(Debug, Clone, PartialEq)]
pub struct Peak {
    /// `runtime/variant` and opts.
    pub series: String,
    /// One per machine: its best point, or `None` where it has no timed point.
    pub at: Vec<Option<Best>>,
}

/// Many runs, one per machine, side by side.
#[derive(Debug, Clone)]
pub struct Merged {
    /// The machines, in the order the runs were given.
    pub machines: Vec<MachineRun>,
    /// The settings that differ between the runs (none when all agree).
    pub mixed: Vec<Mixed>,
    /// One row per claim, in the article's order.
    pub claims: Vec<ClaimRow>,
    /// cpu-balanced, the workers sweep: one row per runtime/variant and workers.
    pub speedup: Vec<CellRow>,
    /// io-sleep and io-net: one row per runtime/variant (and opts) and task count.
    pub io: Vec<CellRow>,
    /// The floor (spawn sweep and ping-pong), one row per runtime/variant with each machine's figures.
    pub floor: Vec<FloorRow>,
}

/// One runtime/variant's floor figures on each machine (each run's [`Analysis::floor`]).
#[derive(Debug, Clone, PartialEq)]
pub struct FloorRow {
    /// `runtime/variant`.
    pub label: String,
    /// A CPython or Node.js peer.
    pub peer: bool,
    /// Its floor entry on each machine, in machine order; `None` where that run has no floor cell of it.
    pub machines: Vec<Option<floor::Entry>>,
}

/// Lines up each run's floor entries by runtime/variant, workspace runtimes first, in the first run's order.
fn floor_rows(analyses: &[Analysis]) -> Vec<FloorRow> {
    let per: Vec<&[floor::Entry]> = analyses.iter().map(|a| a.floor.as_slice()).collect();
    let mut rows: Vec<FloorRow> = Vec::new();
    for e in per.iter().flat_map(|es| es.iter()) {
        if rows.iter().any(|r| r.label == e.label()) {
            continue;
        }
        rows.push(FloorRow {
            label: e.label(),
            peer: e.peer,
            machines: per
                .iter()
                .map(|es| es.iter().find(|x| x.label() == e.label()).cloned())
                .collect(),
        });
    }
    rows.sort_by_key(|r| r.peer);
    rows
}

/// Why runs cannot be merged.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum MergeError {
    /// Fewer than two runs.
    #[error(
        "merge needs at least two run folders, got {0}; to re-render one run use `arena report DIR`"
    )]
    TooFew(usize),
    /// Two runs with one machine key.
    #[error(
        "{a} and {b} both ran on {key}: merge takes one run per machine (to set two runs of one machine side by \
         side, use `arena compare A B`)"
    )]
    SameMachine { key: String, a: String, b: String },
}

impl Merged {
    /// Lines up runs given as (folder name, loaded data), one per machine.
    pub fn new(runs: Vec<(String, Loaded)>) -> Result<Merged, MergeError> {
        if runs.len() < 2 {
            return Err(MergeError::TooFew(runs.len()));
        }
        let machines: Vec<MachineRun> = runs.iter().map(|(n, r)| MachineRun::of(n, r)).collect();
        for (i, a) in machines.iter().enumerate() {
            if let Some(b) = machines[..i].iter().find(|b| b.key == a.key) {
                return Err(MergeError::SameMachine {
                    key: a.key.clone(),
                    a: b.folder.clone(),
                    b: a.folder.clone(),
                });
            }
        }
        let analyses: Vec<Analysis> = runs
            .into_iter()
            .map(|(name, run)| Analysis::new(run, &name))
            .collect();
        let per_machine: Vec<&[Verdict]> = analyses.iter().map(|a| a.verdicts.as_slice()).collect();
        let claims = per_machine[0]
            .iter()
            .enumerate()
            .map(|(i, v)| ClaimRow {
                claim: v.claim,
                verdicts: per_machine.iter().map(|vs| vs[i].clone()).collect(),
            })
            .collect();
        let speedup = table::rows(&analyses, |r| {
            r.cell.workload == Workload::CpuBalanced
                && r.cell.point.is_some_and(|p| p.axis == Axis::Workers)
        });
        let io = table::rows(&analyses, |r| {
            matches!(r.cell.workload, Workload::IoSleep | Workload::IoNet)
        });
        let floor = floor_rows(&analyses);
        Ok(Merged {
            mixed: mixed(&machines),
            machines,
            claims,
            speedup,
            io,
            floor,
        })
    }

    /// Where each cpu-balanced series peaks on each machine, series in table order.
    pub fn peaks(&self) -> Vec<Peak> {
        let mut out: Vec<Peak> = Vec::new();
        for r in &self.speedup {
            let i = match out.iter().position(|p| p.series == r.series) {
                Some(i) => i,
                None => {
                    out.push(Peak {
                        series: r.series.clone(),
                        at: vec![None; self.machines.len()],
                    });
                    out.len() - 1
                }
            };
            for (best, e) in out[i].at.iter_mut().zip(&r.entries) {
                if let Some(speedup) = e.speedup()
                    && best.is_none_or(|b| speedup > b.speedup)
                {
                    *best = Some(Best {
                        workers: r.workers,
                        speedup,
                    });
                }
            }
        }
        out
    }

    /// The ideal speedup on machine `i` at `workers`: min(workers, its logical CPUs).
    pub fn ideal(&self, i: usize, workers: u64) -> f64 {
        workers.min(self.machines[i].logical_cpus.max(1)) as f64
    }
}

/// The settings whose values differ between the machines.
fn mixed(machines: &[MachineRun]) -> Vec<Mixed> {
    type Field = (&'static str, fn(&MachineRun) -> &str);
    let fields: [Field; 4] = [
        ("profile", |m| &m.profile),
        ("hyperfine", |m| &m.hyperfine),
        ("rustc", |m| &m.rustc),
        ("arena version", |m| &m.arena_version),
    ];
    fields
        .into_iter()
        .filter_map(|(what, get)| {
            let mut values: Vec<String> = Vec::new();
            for m in machines {
                if !values.iter().any(|v| v == get(m)) {
                    values.push(get(m).to_string());
                }
            }
            (values.len() > 1).then_some(Mixed { what, values })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_machine_is_its_host_and_cpus() {
        assert_eq!(machine_key("vm", 2), "vm/2 CPUs");
        assert_eq!(machine_key("ci", 1), "ci/1 CPU");
    }
}
