//! Process-pool start-up: the workspace's process pool against a peer's (`multiprocessing.Pool`), by the kept runs'
//! `extra.spawn_ms`.

use harness::contract::extra;

use super::{Compared, Finding, Player, Roles};
use crate::Analysis;

/// One runtime's start-up at one worker count.
#[derive(Debug, Clone, PartialEq)]
pub struct Spawn {
    /// The median `extra.spawn_ms` over the cells with that worker count.
    pub median_ms: f64,
    /// How many cells it is the median of.
    pub cells: usize,
    /// The pool's start method (`extra.start_method`), when the runtime names one.
    pub start_method: Option<String>,
}

/// One worker count that at least one of the two runtimes reported a start-up for.
#[derive(Debug, Clone, PartialEq)]
pub struct SpawnRow {
    /// W.
    pub workers: u64,
    /// The workspace's process pool (rt-procs).
    pub rt_procs: Option<Spawn>,
    /// The peer's (`multiprocessing.Pool`).
    pub multiprocessing: Option<Spawn>,
    /// The peer's / the workspace's.
    pub ratio: Option<f64>,
}

/// One row per worker count, and the finding: a cost compared, not an agreement.
pub(super) fn compare(m: &Analysis, cast: &Roles) -> (Vec<SpawnRow>, Finding) {
    let is = |who: &Option<Player>, rt: &str| who.as_ref().is_some_and(|p| p.runtime == rt);
    let spawn = |who: &Option<Player>, w: u64| -> Option<Spawn> {
        let rt = who.as_ref()?.runtime.as_str();
        let v: Vec<f64> = m
            .rows
            .iter()
            .filter(|r| r.cell.runtime == rt && r.cell.workers == w && r.cell.opts.is_empty())
            .filter_map(|r| r.report.as_ref()?.extra.get(extra::SPAWN_MS)?.as_f64())
            .collect();
        let median_ms = crate::stats::median(&v, crate::stats::Even::Upper)?;
        let start_method = m
            .rows
            .iter()
            .filter(|r| r.cell.runtime == rt)
            .find_map(|r| {
                r.report
                    .as_ref()?
                    .extra
                    .get(extra::START_METHOD)?
                    .as_str()
                    .map(String::from)
            });
        Some(Spawn {
            median_ms,
            cells: v.len(),
            start_method,
        })
    };
    let mut workers: Vec<u64> = m
        .rows
        .iter()
        .filter(|r| {
            is(&cast.processes, &r.cell.runtime) || is(&cast.peer_processes, &r.cell.runtime)
        })
        .map(|r| r.cell.workers)
        .collect();
    workers.sort_unstable();
    workers.dedup();
    let rows: Vec<SpawnRow> = workers
        .into_iter()
        .filter_map(|w| {
            let (a, b) = (spawn(&cast.processes, w), spawn(&cast.peer_processes, w));
            if a.is_none() && b.is_none() {
                return None;
            }
            let ratio = a
                .as_ref()
                .zip(b.as_ref())
                .map(|(a, b)| b.median_ms / a.median_ms.max(1e-6));
            Some(SpawnRow {
                workers: w,
                rt_procs: a,
                multiprocessing: b,
                ratio,
            })
        })
        .collect();
    let finding = finding(&rows, cast);
    (rows, finding)
}

/// Process-pool start-up on both sides at each worker count both reported: a cost compared, not an agreement.
#[derive(Debug, Clone, PartialEq)]
pub struct SpawnFinding {
    /// The workspace's process pool.
    pub processes: Option<Player>,
    /// The peer's.
    pub peer: Option<Player>,
    /// Each worker count both reported; empty when not measured.
    pub pairs: Vec<SpawnPair>,
}

/// One worker count of [`SpawnFinding`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpawnPair {
    /// W.
    pub workers: u64,
    /// The workspace's median start-up, in ms.
    pub processes_ms: f64,
    /// The peer's.
    pub peer_ms: f64,
}

fn finding(rows: &[SpawnRow], cast: &Roles) -> Finding {
    let pairs = rows
        .iter()
        .filter_map(|r| {
            let (a, b) = (r.rt_procs.as_ref()?, r.multiprocessing.as_ref()?);
            Some(SpawnPair {
                workers: r.workers,
                processes_ms: a.median_ms,
                peer_ms: b.median_ms,
            })
        })
        .collect();
    Finding {
        agree: None,
        on: Compared::Spawn(SpawnFinding {
            processes: cast.processes.clone(),
            peer: cast.peer_processes.clone(),
            pairs,
        }),
    }
}
