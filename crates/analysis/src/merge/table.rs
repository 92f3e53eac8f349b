//! Rows of cells across machines: every cell some machine timed, matched by its key, with each machine's figure or
//! the reason it has none.

use std::collections::BTreeMap;

use workloads::Workload;

use crate::{Analysis, Row};
use arena_store::Status;

/// Why a machine has no figure for a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Absence {
    /// The run has no such cell: its profile, its selection or its CPU count did not plan it (the workers sweep
    /// ends at twice the machine's CPUs), or the cell's files are not in the folder.
    NotInRun,
    /// The run planned the cell but did not time it (failed, skipped as too slow, or not run).
    NotTimed(Status),
}

/// One machine's figure for a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    /// Timed: hyperfine's median (seconds), the speedup over the sequential run, and whether it was noisy.
    Timed {
        median: f64,
        speedup: Option<f64>,
        noisy: bool,
    },
    /// No figure, and why: shown as "—" with a note, never estimated.
    Missing(Absence),
}

impl Entry {
    /// The speedup, when timed and known.
    pub fn speedup(&self) -> Option<f64> {
        match self {
            Entry::Timed { speedup, .. } => *speedup,
            Entry::Missing(_) => None,
        }
    }

    /// The median wall time, when timed.
    pub fn median(&self) -> Option<f64> {
        match self {
            Entry::Timed { median, .. } => Some(*median),
            Entry::Missing(_) => None,
        }
    }
}

/// One cell across machines.
#[derive(Debug, Clone, PartialEq)]
pub struct CellRow {
    /// [`Cell::key`], the same on every machine.
    pub key: String,
    /// The workload.
    pub workload: Workload,
    /// `runtime/variant` and opts, without the sweep point: one line of a chart.
    pub series: String,
    /// The cell's label, as the single-run reports print it.
    pub label: String,
    /// Whether the runtime is a peer (CPython, Node.js): the peers come after the workspace runtimes.
    pub peer: bool,
    /// `--workers` (on a sweep point, the same everywhere; else the first machine's).
    pub workers: u64,
    /// `--tasks`: the sweep point's, or the first timed run's preset.
    pub tasks: Option<u64>,
    /// One per machine, in machine order.
    pub entries: Vec<Entry>,
}

/// Every cell that `pick` selects and at least one machine timed, one row each, in report order.
pub fn rows(analyses: &[Analysis], pick: impl Fn(&Row) -> bool) -> Vec<CellRow> {
    // key -> the first machine's timed row of it, which gives the row its label and order.
    let mut first: BTreeMap<String, &Row> = BTreeMap::new();
    for a in analyses {
        for r in a.rows.iter().filter(|r| pick(r)) {
            first.entry(r.cell.key()).or_insert(r);
        }
    }
    let mut first: Vec<(String, &Row)> = first.into_iter().collect();
    // As a run's report orders them: by workload, the workspace runtimes before the peers, then series and point.
    first.sort_by_cached_key(|(key, r)| (r.cell.workload, r.peer, r.cell.order(), key.clone()));
    first
        .into_iter()
        .map(|(key, r)| CellRow {
            entries: analyses.iter().map(|a| entry(a, &key)).collect(),
            workload: r.cell.workload,
            series: r.cell.series(),
            label: r.cell.label(),
            peer: r.peer,
            workers: r.cell.workers,
            tasks: r
                .cell
                .tasks
                .or_else(|| r.report.as_ref().map(|x| x.workload_params().tasks)),
            key,
        })
        .collect()
}

/// Machine `a`'s figure for the cell `key`.
fn entry(a: &Analysis, key: &str) -> Entry {
    if let Some(r) = a.rows.iter().find(|r| r.cell.key() == key) {
        return Entry::Timed {
            median: r.hf.median,
            speedup: r.speedup,
            noisy: r.noisy(),
        };
    }
    match a.run.cells.iter().find(|c| c.cell.key() == key) {
        Some(c) => Entry::Missing(Absence::NotTimed(c.status.clone())),
        None => Entry::Missing(Absence::NotInRun),
    }
}
