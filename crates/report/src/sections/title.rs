//! The report's title and the paragraph under it: what ran, where, and how much of it was timed.

use std::fmt::Write as _;

use crate::Ctx;
use crate::template::fill;

/// The title and its paragraph.
pub fn write(out: &mut String, cx: &Ctx<'_>) {
    let m = cx.a;
    let meta = &m.run.meta;
    let runtimes: Vec<&str> = m
        .run
        .runtimes
        .iter()
        .filter(|r| r.usable())
        .map(|r| r.name.as_str())
        .collect();
    let _ = writeln!(out, "# Concurrency Arena report: {}\n", m.name);
    let partial = if meta.interrupted {
        " (**interrupted**: this report is partial)"
    } else if meta.finished_utc.is_none() {
        " (**not finished**: this report is partial)"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "{}\n",
        fill!(
            "title/summary.md",
            profile = meta.profile.name,
            host = meta.machine.host,
            cpus = meta.machine.logical_cpus,
            cpu = meta.machine.cpu_model,
            started = meta.started_utc,
            partial = partial,
            timed = m.rows.len(),
            cells = m.run.cells.len(),
            runtimes = if runtimes.is_empty() {
                "none".to_string()
            } else {
                runtimes.join(", ")
            }
        )
    );
    let q = &cx.a.quality;
    if q.unsteady() {
        let why = [
            q.steal
                .filter(|s| *s > arena_analysis::quality::STEAL_LIMIT)
                .map(|s| {
                    format!(
                        "the hypervisor took {:.1}% of the CPU time (steal)",
                        s * 100.0
                    )
                }),
            q.drift
                .filter(|d| *d > arena_analysis::quality::DRIFT_LIMIT)
                .map(|d| {
                    format!(
                        "the same fixed work took up to {:.0}% longer at one point than at another",
                        d * 100.0
                    )
                }),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", and ");
        let _ = writeln!(
            out,
            "{}\n",
            fill!(
                "title/unsteady.md",
                why = why,
                method = cx.link(crate::SectionId::Method)
            )
        );
    }
}
