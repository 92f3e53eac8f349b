//! Process-pool start-up: rt-procs against `multiprocessing.Pool`, by the kept runs' `extra.spawn_ms`.

use harness::contract::extra;

use super::Finding;
use crate::analysis::Analysis;

const PROCS: &str = "rt-procs";
const MULTIPROCESSING: &str = "py-multiprocessing";

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
    /// rt-procs.
    pub rt_procs: Option<Spawn>,
    /// `multiprocessing.Pool`.
    pub multiprocessing: Option<Spawn>,
    /// multiprocessing's / rt-procs'.
    pub ratio: Option<f64>,
}

/// One row per worker count, and the finding: a cost compared, not an agreement.
pub(super) fn compare(m: &Analysis) -> (Vec<SpawnRow>, Finding) {
    let spawn = |rt: &str, w: u64| -> Option<Spawn> {
        let mut v: Vec<f64> = m
            .rows
            .iter()
            .filter(|r| r.cell.runtime == rt && r.cell.workers == w && r.cell.opts.is_empty())
            .filter_map(|r| r.report.as_ref()?.extra.get(extra::SPAWN_MS)?.as_f64())
            .collect();
        if v.is_empty() {
            return None;
        }
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
        v.sort_by(f64::total_cmp);
        Some(Spawn {
            median_ms: v[v.len() / 2],
            cells: v.len(),
            start_method,
        })
    };
    let mut workers: Vec<u64> = m
        .rows
        .iter()
        .filter(|r| r.cell.runtime == PROCS || r.cell.runtime == MULTIPROCESSING)
        .map(|r| r.cell.workers)
        .collect();
    workers.sort_unstable();
    workers.dedup();
    let rows: Vec<SpawnRow> = workers
        .into_iter()
        .filter_map(|w| {
            let (a, b) = (spawn(PROCS, w), spawn(MULTIPROCESSING, w));
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
    let finding = finding(&rows);
    (rows, finding)
}

fn finding(rows: &[SpawnRow]) -> Finding {
    let texts: Vec<String> = rows
        .iter()
        .filter_map(|r| {
            let (a, b) = (r.rt_procs.as_ref()?, r.multiprocessing.as_ref()?);
            Some(format!(
                "W = {}: rt-procs {:.2} ms, multiprocessing {:.2} ms",
                r.workers, a.median_ms, b.median_ms
            ))
        })
        .collect();
    Finding {
        topic: "Process-pool start-up".into(),
        agree: None,
        text: if texts.is_empty() {
            "not measured in this run (it needs rt-procs and py-multiprocessing timed)".into()
        } else {
            format!("{} (a cost compared, not an agreement)", texts.join("; "))
        },
    }
}
