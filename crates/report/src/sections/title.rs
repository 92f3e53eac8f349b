//! The report's title and the paragraph under it: what ran, where, and how much of it was timed.

use std::fmt::Write as _;

use crate::Ctx;

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
    let _ = writeln!(
        out,
        "Profile **{}** on **{}** ({} CPUs, {}), started {}{}. {} of {} cells timed; runtimes: {}. \
         How to read this report: [docs/report.md](../../docs/report.md). The exact command, tool versions and machine \
         are in [README.md](README.md); the raw data in `raw/`.\n",
        meta.profile.name,
        meta.machine.host,
        meta.machine.logical_cpus,
        meta.machine.cpu_model,
        meta.started_utc,
        if meta.interrupted {
            " (**interrupted**: this report is partial)"
        } else if meta.finished_utc.is_none() {
            " (**not finished**: this report is partial)"
        } else {
            ""
        },
        m.rows.len(),
        m.run.cells.len(),
        if runtimes.is_empty() {
            "none".to_string()
        } else {
            runtimes.join(", ")
        },
    );
    let q = &cx.a.quality;
    if q.unsteady() {
        let _ = writeln!(
            out,
            "**The machine was not steady during this run**: {}. Verdicts that rest on its cells are marked *less \
             certain*; re-run on a quiet machine before drawing conclusions (see {}).\n",
            [
                q.steal
                    .filter(|s| *s > arena_analysis::quality::STEAL_LIMIT)
                    .map(|s| format!(
                        "the hypervisor took {:.1}% of the CPU time (steal)",
                        s * 100.0
                    )),
                q.drift
                    .filter(|d| *d > arena_analysis::quality::DRIFT_LIMIT)
                    .map(|d| format!(
                        "the same fixed work took up to {:.0}% longer at one point than at another",
                        d * 100.0
                    )),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", and "),
            cx.link(crate::SectionId::Method)
        );
    }
}
