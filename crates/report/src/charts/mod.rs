//! The report's SVG charts: which ones a run's data allows ([`write_all`]), each a typed [`Chart`] whose file name
//! and alt text are said here only. [`draw`] does the drawing;
//! its helpers serve other drawings too (`arena merge`).

pub mod cpython;
pub mod draw;
pub mod panels;

use std::path::Path;

use workloads::Workload;

use arena_analysis::{Analysis, Row};
use arena_store::Axis;
use draw::{Series, bars, latency, lines};

/// A chart of the report. Its file name and alt text are said here only; a section asks
/// [`crate::Ctx::chart`] for the chart it shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chart {
    /// A workload's mean wall time per cell, as bars.
    Workload(Workload),
    /// cpu-balanced: speedup against workers.
    ScalingWorkers,
    /// io-sleep: wall time against tasks, log-log.
    ScalingTasks,
    /// A workload's latency p50 and p99 per cell.
    Latency(Workload),
    /// spawn: parked memory against tasks, log-log.
    FloorMemory,
    /// The opening figure: one panel per claim.
    Verdicts,
    /// Lost updates and the 2-thread speedup per CPython version.
    CpythonVersions,
}

impl Chart {
    /// The file under `charts/`.
    pub fn file_name(self) -> String {
        match self {
            Chart::Workload(w) => format!("{w}.svg"),
            Chart::ScalingWorkers => "scaling-workers.svg".into(),
            Chart::ScalingTasks => "scaling-tasks.svg".into(),
            Chart::Latency(w) => format!("latency-{w}.svg"),
            Chart::FloorMemory => "floor-memory.svg".into(),
            Chart::Verdicts => "verdicts.svg".into(),
            Chart::CpythonVersions => "cpython-versions.svg".into(),
        }
    }

    /// The alt text of its image link.
    pub fn alt(self) -> String {
        match self {
            Chart::Workload(w) => format!("{w}: mean wall time per runtime/variant, with ±1 sd"),
            Chart::ScalingWorkers => "speedup against workers".into(),
            Chart::ScalingTasks => "wall time against tasks, log-log".into(),
            Chart::Latency(w) => format!("{w} latency p50 and p99"),
            Chart::FloorMemory => "spawn: parked memory against tasks, log-log".into(),
            Chart::Verdicts => {
                "the verdicts at a glance: for each claim the figures that decide it, coloured by verdict, with the rule's thresholds as dashed lines".into()
            }
            Chart::CpythonVersions => {
                "per CPython version: lost updates (% of attempted) for counter += 1 and counter += f() at 2 and 4 threads, and the 2-thread speedup".into()
            }
        }
    }
}

/// Writes every chart the data allows; returns (file name, alt text) of each.
pub fn write_all(m: &Analysis, dir: &Path) -> anyhow::Result<Vec<Chart>> {
    let mut out = Vec::new();
    panels::verdict_panels(&dir.join(Chart::Verdicts.file_name()), &m.verdicts)?;
    out.push(Chart::Verdicts);
    // The floor workloads have their own section and chart.
    for w in Workload::LOAD {
        let mut rows: Vec<&Row> = m.rows_of(w).collect();
        if rows.is_empty() {
            continue;
        }
        // Grouped by model family (the bars' colour), the peers apart at the bottom; table order within a group.
        rows.sort_by_key(|r| draw::family_rank(r.model, r.peer));
        let chart = Chart::Workload(w);
        bars(
            &dir.join(chart.file_name()),
            &format!(
                "{w}: wall time per run (lower is better; colour: model family, peers lighter)"
            ),
            &rows,
        )?;
        out.push(chart);
    }
    let workers = m.sweep(Workload::CpuBalanced, Axis::Workers);
    if !workers.is_empty() {
        let series: Series<'_> = workers
            .iter()
            .map(|(s, rows)| {
                (
                    s.clone(),
                    rows.iter()
                        .filter_map(|r| Some((r.cell.workers as f64, r.speedup?)))
                        .collect::<Vec<_>>(),
                )
            })
            .filter(|(_, v)| !v.is_empty())
            .collect();
        let max_w = workers
            .values()
            .flatten()
            .map(|r| r.cell.workers)
            .max()
            .unwrap_or(1);
        let ideal: Vec<(f64, f64)> = (1..=max_w)
            .map(|w| (w as f64, w.min(m.cores()) as f64))
            .collect();
        if !series.is_empty() {
            lines(
                &dir.join(Chart::ScalingWorkers.file_name()),
                "cpu-balanced: speedup over the sequential run against workers",
                ("workers (--workers)", "speedup over seq (x)"),
                &series,
                Some(ideal),
                false,
            )?;
            out.push(Chart::ScalingWorkers);
        }
    }
    let tasks = m.sweep(Workload::IoSleep, Axis::Tasks);
    if !tasks.is_empty() {
        let series: Series<'_> = tasks
            .iter()
            .map(|(s, rows)| {
                (
                    s.clone(),
                    rows.iter()
                        .map(|r| (r.cell.tasks.unwrap_or(1) as f64, r.hf.median * 1000.0))
                        .collect(),
                )
            })
            .collect();
        lines(
            &dir.join(Chart::ScalingTasks.file_name()),
            "io-sleep: wall time against tasks (log-log)",
            ("tasks (log scale)", "median wall time, ms (log scale)"),
            &series,
            None,
            true,
        )?;
        out.push(Chart::ScalingTasks);
    }
    let floor: Series<'_> = m
        .floor
        .iter()
        .map(|e| {
            (
                e.label(),
                e.points
                    .iter()
                    // A log axis has no room for zero or less (a tiny sweep point may show no growth).
                    .filter(|p| p.rss_delta_kib.median > 0.0)
                    .map(|p| (p.tasks as f64, p.rss_delta_kib.median / 1024.0))
                    .collect::<Vec<_>>(),
            )
        })
        .filter(|(_, v)| !v.is_empty())
        .collect();
    if !floor.is_empty() {
        lines(
            &dir.join(Chart::FloorMemory.file_name()),
            "spawn: resident memory with all N tasks parked (log-log)",
            (
                "tasks parked (log scale)",
                "RSS parked minus RSS before, MiB (log scale)",
            ),
            &floor,
            None,
            true,
        )?;
        out.push(Chart::FloorMemory);
    }
    for w in [Workload::Mixed, Workload::IoNet, Workload::IoSleep] {
        let rows: Vec<draw::LatencyBar> = m
            .run
            .cells
            .iter()
            .filter(|c| c.cell.workload == w)
            .filter_map(|c| {
                let l = c.report.as_ref()?.latency_ms?;
                Some(draw::LatencyBar {
                    label: c.cell.label(),
                    p50: l.p50,
                    p99: l.p99,
                })
            })
            .collect();
        if rows.is_empty() {
            continue;
        }
        let chart = Chart::Latency(w);
        latency(
            &dir.join(chart.file_name()),
            &format!("{w}: latency p50 and p99 (lower is better)"),
            &rows,
        )?;
        out.push(chart);
    }
    if let Some(v) = m.cpython.as_ref().filter(|v| !v.rows.is_empty()) {
        cpython::draw(&dir.join(Chart::CpythonVersions.file_name()), &v.rows)?;
        out.push(Chart::CpythonVersions);
    }
    Ok(out)
}
