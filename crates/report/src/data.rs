//! The run's cells as data people load: `cells.csv` and `cells.json` in the run folder, one row per cell of the run
//! (timed or not), with its keys, parameters, status, hyperfine's figures and the pilot's own, beside `report.md`.

use serde::Serialize;

use arena_analysis::{Analysis, Row};

/// One cell of the run, flat: every field a column of `cells.csv`. Times in seconds unless named `_ms`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CellLine {
    /// The cell's key (its file name under `raw/`).
    pub key: String,
    /// As the report labels it.
    pub label: String,
    pub workload: String,
    pub runtime: String,
    pub variant: String,
    /// A CPython or Node.js peer.
    pub peer: bool,
    pub size: String,
    pub workers: u64,
    pub tasks: Option<u64>,
    /// `key=value` pairs joined by `;`.
    pub opts: String,
    /// Pinned to this many CPUs.
    pub pinned_cpus: Option<u64>,
    /// `timed`, `verify-failed`, `too-slow`, ... (the raw status's `state`).
    pub status: String,
    /// The status in the report's words.
    pub status_text: String,
    pub runs: Option<usize>,
    pub median_s: Option<f64>,
    pub mean_s: Option<f64>,
    pub stddev_s: Option<f64>,
    pub min_s: Option<f64>,
    pub max_s: Option<f64>,
    /// Half-width of the mean's 95% interval, relative to the mean.
    pub ci95_rel: Option<f64>,
    pub cores_busy: Option<f64>,
    pub speedup: Option<f64>,
    pub efficiency: Option<f64>,
    /// The pilot's own `elapsed_ms` (no process start-up).
    pub pilot_elapsed_ms: Option<f64>,
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub lost_updates: Option<u64>,
    pub attempted: Option<u64>,
    pub peak_rss_kib: Option<u64>,
    pub os_threads_peak: Option<u64>,
    /// The share of CPU time the hypervisor took while the cell was timed.
    pub steal_share: Option<f64>,
}

/// Every cell of the run, in the report's order.
pub fn cell_lines(a: &Analysis) -> Vec<CellLine> {
    a.run
        .cells
        .iter()
        .map(|c| {
            let key = c.cell.key();
            let row: Option<&Row> = a.rows.iter().chain(&a.pinned).find(|r| r.cell.key() == key);
            let state = serde_json::to_value(&c.status)
                .ok()
                .and_then(|v| v.get("state").and_then(|s| s.as_str()).map(str::to_string))
                .unwrap_or_default();
            let rep = c.report.as_ref();
            CellLine {
                label: c.cell.label(),
                workload: c.cell.workload.name().into(),
                runtime: c.cell.runtime.clone(),
                variant: c.cell.variant.clone(),
                peer: a
                    .run
                    .runtimes
                    .iter()
                    .any(|r| r.name == c.cell.runtime && r.peer.is_some()),
                size: c.cell.size.name().into(),
                workers: c.cell.workers,
                tasks: c.cell.tasks,
                opts: c
                    .cell
                    .opts
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(";"),
                pinned_cpus: c.cell.pinned,
                status: state,
                status_text: crate::format::StatusText(&c.status).to_string(),
                runs: row.map(|r| r.runs),
                median_s: row.map(|r| r.hf.median),
                mean_s: row.map(|r| r.hf.mean),
                stddev_s: row.and_then(|r| r.hf.stddev),
                min_s: row.map(|r| r.hf.min),
                max_s: row.map(|r| r.hf.max),
                ci95_rel: row.and_then(|r| r.ci95),
                cores_busy: row.map(|r| r.cores_busy),
                speedup: row.and_then(|r| r.speedup),
                efficiency: row.and_then(|r| r.efficiency),
                pilot_elapsed_ms: rep.map(|r| r.elapsed_ms),
                p50_ms: rep.and_then(|r| r.latency_ms.as_ref()).map(|l| l.p50),
                p99_ms: rep.and_then(|r| r.latency_ms.as_ref()).map(|l| l.p99),
                lost_updates: rep.and_then(|r| r.lost_updates),
                attempted: rep.and_then(|r| r.attempted),
                peak_rss_kib: rep.map(|r| r.peak_rss_kib),
                os_threads_peak: rep.map(|r| r.os_threads_peak),
                steal_share: c.steal_share,
                key,
            }
        })
        .collect()
}

/// `cells.csv`: a header and one line per cell.
pub fn csv(lines: &[CellLine]) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for l in lines {
        w.serialize(l)?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

/// `cells.json`: the same lines as an array of objects.
pub fn json(lines: &[CellLine]) -> anyhow::Result<String> {
    Ok(serde_json::to_string_pretty(lines)? + "\n")
}
