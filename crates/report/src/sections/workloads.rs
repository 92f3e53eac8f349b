//! Section "Workloads": one table and one bar chart per workload, every timed cell with hyperfine's statistics.

use std::fmt::Write as _;

use workloads::Workload;

use crate::charts::Chart;
use crate::format::{mib, opt_pct, opt_x, secs};
use crate::template::fill;
use crate::{Ctx, SectionId};
use arena_analysis::Row;

/// The section's body.
pub fn write(out: &mut String, cx: &Ctx<'_>) {
    let m = cx.a;
    let _ = writeln!(
        out,
        "{}\n",
        fill!(
            "workloads/intro.md",
            calibration = cx.number(SectionId::Calibration)
        )
    );
    // The floor workloads have their own section.
    for w in Workload::LOAD {
        let _ = writeln!(out, "### {w}\n\n{}.\n", w.describe());
        if let Some(s) = summary(m, w) {
            let _ = writeln!(out, "{s}\n");
        }
        // The first workspace runtime's parameters: a CPython peer's work is scaled down (see the calibration).
        if let Some(r) = m
            .rows_of(w)
            .filter(|r| !r.peer)
            .find_map(|r| r.report.as_ref())
        {
            let mut p = r.params.clone();
            p.remove("opts");
            p.remove("deadline_s");
            p.remove("addr");
            p.remove("workers");
            let kv: Vec<String> = p.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let peers = if m.rows_of(w).any(|r| r.peer) && w.uses().contains(&"work") {
                format!(
                    " {}",
                    fill!(
                        "workloads/scaled_peers.md",
                        calibration = cx.number(SectionId::Calibration)
                    )
                )
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "{}\n",
                fill!(
                    "workloads/parameters.md",
                    params = kv.join(", "),
                    peers = peers
                )
            );
        }
        table(out, cx, w);
        cx.chart(out, Chart::Workload(w));
    }
}

fn table(out: &mut String, cx: &Ctx<'_>, w: Workload) {
    let m = cx.a;
    let rows: Vec<&Row> = m.rows_of(w).collect();
    if rows.is_empty() {
        let _ = writeln!(
            out,
            "{}\n",
            fill!(
                "workloads/no_cell.md",
                failures = cx.link(SectionId::Failures)
            )
        );
        return;
    }
    let race = w == Workload::Race;
    out.push_str("| runtime/variant | median | mean ± sd | 95% CI of mean | min–max | user | sys | cores busy | peak RSS | threads | speedup vs seq | efficiency |");
    if race {
        out.push_str(" lost updates |");
    }
    out.push_str(" runs |\n|---|---|---|---|---|---|---|---|---|---|---|---|");
    if race {
        out.push_str("---|");
    }
    out.push_str("---|\n");
    for r in rows {
        let sd = r.hf.stddev.unwrap_or(f64::NAN);
        let noisy = if r.noisy() { " ⚠ noisy" } else { "" };
        let rss = r
            .report
            .as_ref()
            .map_or("n/a".into(), |x| mib(x.peak_rss_kib));
        let threads = r
            .report
            .as_ref()
            .map_or("n/a".into(), |x| x.os_threads_peak.to_string());
        let _ = write!(
            out,
            "| {}{noisy} | {} | {} ± {} | ±{} | {} – {} | {} | {} | {:.2} | {rss} | {threads} | {} | {} |",
            r.cell.label(),
            secs(r.hf.median),
            secs(r.hf.mean),
            secs(sd),
            opt_pct(r.ci95),
            secs(r.hf.min),
            secs(r.hf.max),
            secs(r.hf.user),
            secs(r.hf.system),
            r.cores_busy,
            opt_x(r.speedup),
            opt_pct(r.efficiency),
        );
        if race {
            let lost = r.report.as_ref().map_or("n/a".into(), |x| {
                let of = x.reference_checksum().max(1);
                format!(
                    "{} ({:.1}%)",
                    x.lost_updates.unwrap_or(0),
                    x.lost_updates.unwrap_or(0) as f64 * 100.0 / of as f64
                )
            });
            let _ = write!(out, " {lost} |");
        }
        let _ = writeln!(out, " {} |", r.runs);
    }
    out.push('\n');
    if let Some((_, what)) = m.rows_of(w).find_map(|r| r.ideal) {
        let _ = writeln!(out, "{}\n", fill!("workloads/efficiency.md", ideal = what));
    }
    if !extras(m, w).is_empty() {
        let _ = writeln!(
            out,
            "{}\n",
            fill!(
                "workloads/extra_link.md",
                link = format_args!("extra.md{}", crate::workload_anchor(w))
            )
        );
    }
}

/// The `extra` figures of every cell of `w` with a kept RunReport, one markdown line each.
fn extras(m: &arena_analysis::Analysis, w: Workload) -> Vec<String> {
    m.run
        .cells
        .iter()
        .filter(|c| c.cell.workload == w)
        .filter_map(|c| {
            let x = c.report.as_ref()?;
            (!x.extra.is_empty()).then(|| {
                let kv: Vec<String> = x.extra.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!("- `{}`: {}", c.cell.label(), kv.join(", "))
            })
        })
        .collect()
}

/// `extra.md`: the appendix of runtime-specific figures, one heading per workload, linked from each workload's table.
pub fn appendix(m: &arena_analysis::Analysis) -> String {
    let mut out = format!(
        "# Runtime-specific figures: {}\n\n{}\n\n",
        m.name,
        fill!("workloads/appendix.md")
    );
    for w in Workload::ALL {
        let lines = extras(m, w);
        if !lines.is_empty() {
            let _ = writeln!(out, "## {w}\n\n{}\n", lines.join("\n"));
        }
    }
    out
}

/// Two sentences on what a workload's numbers show in this run, written from them: the fastest and slowest
/// workspace cells against the sequential run, and for race how many cells lost updates.
fn summary(m: &arena_analysis::Analysis, w: Workload) -> Option<String> {
    // Cells of one amount of work only: a tasks sweep's points do different work, so the group with the most cells.
    // The convoy cells set their own parameters: left out too.
    let all: Vec<&Row> = m
        .rows_of(w)
        .filter(|r| !r.peer && r.cell.params.is_empty())
        .collect();
    let mut groups: std::collections::BTreeMap<Option<u64>, Vec<&Row>> = Default::default();
    for r in &all {
        groups.entry(r.cell.tasks).or_default().push(r);
    }
    let (tasks, own) = groups.into_iter().max_by_key(|(t, g)| (g.len(), *t))?;
    let fast = own
        .iter()
        .min_by(|a, b| a.hf.median.total_cmp(&b.hf.median))?;
    let slow = own
        .iter()
        .max_by(|a, b| a.hf.median.total_cmp(&b.hf.median))?;
    let vs = |r: &Row| {
        r.speedup
            .map_or(String::new(), |s| format!(", {s:.2}x the sequential run"))
    };
    let at = tasks.map_or(String::new(), |t| format!(" at {t} tasks"));
    let mut s = if own.len() == 1 {
        format!(
            "**In this run:** one workspace cell{at}, `{}` ({}{}).",
            fast.cell.label(),
            secs(fast.hf.median),
            vs(fast)
        )
    } else {
        format!(
            "**In this run:** of the {} workspace cells{at}, the fastest was `{}` ({}{}) and the slowest `{}` ({}{}).",
            own.len(),
            fast.cell.label(),
            secs(fast.hf.median),
            vs(fast),
            slow.cell.label(),
            secs(slow.hf.median),
            vs(slow)
        )
    };
    if w == Workload::Race {
        let lost: Vec<&&Row> = own
            .iter()
            .filter(|r| r.report.as_ref().and_then(|x| x.lost_updates).unwrap_or(0) > 0)
            .collect();
        s.push_str(&format!(
            " {} of the {} lost updates{}.",
            lost.len(),
            own.len(),
            if lost.is_empty() {
                String::new()
            } else {
                format!(
                    ": {}",
                    lost.iter()
                        .map(|r| format!("`{}`", r.cell.label()))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        ));
    } else {
        match all.iter().filter(|r| r.noisy()).count() {
            0 => s.push_str(" No cell of the workload is noisy."),
            1 => s.push_str(" One cell is noisy (⚠): compare it with care."),
            n => s.push_str(&format!(
                " {n} cells are noisy (⚠): compare them with care."
            )),
        }
    }
    Some(s)
}
