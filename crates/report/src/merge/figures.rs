//! The merged report's tables of figures, one column per machine: the cpu-balanced speedups and where each series
//! peaks, io-sleep and io-net wall times, the floor costs; under each table, a note for every "—".

use std::fmt::Write as _;

use crate::format::{opt_x, secs};
use crate::template::fill;
use arena_store::Status;

use super::charts::MergedChart;
use super::markdown::{chart, header, machine_cols};
use arena_analysis::floor;
use arena_analysis::merge::{Absence, CellRow, Entry, Merged};
use harness::floor::thousands;

pub(super) fn speedup(out: &mut String, m: &Merged, charts: &[MergedChart]) {
    if m.speedup.is_empty() {
        let _ = writeln!(out, "{}\n", fill!("merge/speedup_not_measured.md"));
        return;
    }
    let _ = writeln!(out, "{}\n", fill!("merge/speedup.md"));
    chart(out, charts, MergedChart::SpeedupWorkers);
    header(out, &machine_cols(m, &["runtime/variant", "workers"]));
    let mut workers: Vec<u64> = m.speedup.iter().map(|r| r.workers).collect();
    workers.sort_unstable();
    workers.dedup();
    for w in workers {
        let ideal: Vec<String> = (0..m.machines.len())
            .map(|i| format!("{:.2}x", m.ideal(i, w)))
            .collect();
        let _ = writeln!(
            out,
            "| *ideal: min(workers, CPUs)* | {w} | {} |",
            ideal.join(" | ")
        );
    }
    for r in &m.speedup {
        let cells: Vec<String> = r
            .entries
            .iter()
            .map(|e| match e {
                Entry::Timed { speedup, noisy, .. } => {
                    format!("{}{}", opt_x(*speedup), if *noisy { " ⚠" } else { "" })
                }
                Entry::Missing(_) => "—".into(),
            })
            .collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            r.series,
            r.workers,
            cells.join(" | ")
        );
    }
    out.push('\n');
    let peaks = m.peaks();
    if !peaks.is_empty() {
        let _ = writeln!(out, "{}\n", fill!("merge/peaks.md"));
        header(out, &machine_cols(m, &["runtime/variant"]));
        for p in peaks {
            let cells: Vec<String> =
                p.at.iter()
                    .map(|b| {
                        b.map_or("—".into(), |b| {
                            format!("{:.2}x at {}", b.speedup, b.workers)
                        })
                    })
                    .collect();
            let _ = writeln!(out, "| {} | {} |", p.series, cells.join(" | "));
        }
        out.push('\n');
    }
    notes(out, m, &m.speedup);
}

pub(super) fn io(out: &mut String, m: &Merged) {
    if m.io.is_empty() {
        let _ = writeln!(out, "{}\n", fill!("merge/io_not_measured.md"));
        return;
    }
    let _ = writeln!(out, "{}\n", fill!("merge/io.md"));
    times(out, m, &m.io, true);
}

pub(super) fn floor(out: &mut String, m: &Merged) {
    if m.floor.is_empty() {
        let _ = writeln!(out, "{}\n", fill!("merge/floor_none.md"));
        return;
    }
    let _ = writeln!(out, "{}\n", fill!("merge/floor.md"));
    header(out, &machine_cols(m, &["runtime/variant"]));
    for r in &m.floor {
        let cells: Vec<String> = r
            .machines
            .iter()
            .map(|e| e.as_ref().map_or("—".into(), floor_cell))
            .collect();
        let peer = if r.peer { " *(peer)*" } else { "" };
        let _ = writeln!(out, "| {}{peer} | {} |", r.label, cells.join(" | "));
    }
    out.push('\n');
}

/// One machine's floor figures of one runtime/variant, in one table cell.
fn floor_cell(e: &floor::Entry) -> String {
    let mut parts = Vec::new();
    if let Some(p) = e.largest() {
        parts.push(format!(
            "spawn {:.2} µs/task at N = {}",
            p.spawn_us.median,
            thousands(p.tasks)
        ));
    }
    if let Some(f) = &e.fit {
        parts.push(format!("{:.1} KiB/task", f.kib_per_task));
    }
    if let Some(pp) = &e.ping_pong {
        parts.push(format!("round trip p50 {:.1} µs", pp.p50_us.median));
    }
    if let Some(l) = &e.limit {
        parts.push(format!("stopped at N = {}", thousands(l.at)));
    }
    if parts.is_empty() {
        "no figure".into()
    } else {
        parts.join("; ")
    }
}

/// A table of median wall times, one row per cell, one column per machine, then its notes.
fn times(out: &mut String, m: &Merged, rows: &[CellRow], with_tasks: bool) {
    let first: &[&str] = if with_tasks {
        &["workload", "runtime/variant", "tasks"]
    } else {
        &["workload", "cell"]
    };
    header(out, &machine_cols(m, first));
    for r in rows {
        let cells: Vec<String> = r
            .entries
            .iter()
            .map(|e| match e {
                Entry::Timed { median, noisy, .. } => {
                    format!("{}{}", secs(*median), if *noisy { " ⚠" } else { "" })
                }
                Entry::Missing(_) => "—".into(),
            })
            .collect();
        let lead = if with_tasks {
            let tasks = r.tasks.map_or("n/a".into(), |t| t.to_string());
            format!("{} | {} | {tasks}", r.workload, r.series)
        } else {
            format!("{} | {}", r.workload, r.label)
        };
        let _ = writeln!(out, "| {lead} | {} |", cells.join(" | "));
    }
    out.push('\n');
    notes(out, m, rows);
}

/// The notes under a table: every "—", with the reason.
fn notes(out: &mut String, m: &Merged, rows: &[CellRow]) {
    let mut lines = Vec::new();
    for (i, x) in m.machines.iter().enumerate() {
        let absent: Vec<String> = rows
            .iter()
            .filter(|r| r.entries[i] == Entry::Missing(Absence::NotInRun))
            .map(|r| format!("`{}`", r.label))
            .collect();
        if !absent.is_empty() {
            lines.push(format!(
                "- {}",
                fill!(
                    "merge/not_in_run.md",
                    machine = x.key,
                    cells = absent.join(", ")
                )
            ));
        }
        for r in rows {
            if let Entry::Missing(Absence::NotTimed(s)) = &r.entries[i] {
                lines.push(format!(
                    "- on {}, `{}` was not timed: {}",
                    x.key,
                    r.label,
                    status(s)
                ));
            }
        }
    }
    if !lines.is_empty() {
        let _ = writeln!(
            out,
            "—: no figure on that machine.\n\n{}\n",
            lines.join("\n")
        );
    }
}

/// Why a planned cell has no timing, on one line.
fn status(s: &Status) -> String {
    let text = crate::format::StatusText(s).to_string();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
