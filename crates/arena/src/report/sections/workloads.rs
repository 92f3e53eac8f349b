//! Section "Workloads": one table and one bar chart per workload, every timed cell with hyperfine's statistics.

use std::fmt::Write as _;

use workloads::Workload;

use crate::analysis::Row;
use crate::report::charts::Chart;
use crate::report::format::{mib, opt_pct, opt_x, secs};
use crate::report::{Ctx, SectionId};

/// The section's body.
pub fn write(out: &mut String, cx: &Ctx<'_>) {
    let m = cx.a;
    let _ = write!(
        out,
        "Wall times are hyperfine's, for the whole process (start-up included). `cores busy` = (user + sys) / mean wall. Speedup = the sequential median / this median, for the same workload and tasks: rt-seq's, or py-seq's for the CPython peers, whose work is scaled (section {}). ⚠ marks a noisy cell.\n\n",
        cx.number(SectionId::Calibration)
    );
    // The floor workloads have their own section.
    for w in Workload::LOAD {
        let _ = writeln!(out, "### {w}\n\n{}.\n", w.describe());
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
            let _ = writeln!(
                out,
                "Parameters of the first row: {}. A row's label shows what its sweep point or opt changes; every row passes --workers (the machine's CPUs unless the label says otherwise).{}\n",
                kv.join(", "),
                if m.rows_of(w).any(|r| r.peer) && w.uses().contains(&"work") {
                    format!(
                        " The CPython peers (py-*) run the same tasks with `work` divided by their scale (section {}).",
                        cx.number(SectionId::Calibration)
                    )
                } else {
                    String::new()
                }
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
            "No timed cell for this workload in this run (see {}).\n",
            cx.link(SectionId::Failures)
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
        let _ = writeln!(
            out,
            "Efficiency = ideal / median, where the ideal is {what}.\n"
        );
    }
    let extras: Vec<String> = m
        .rows_of(w)
        .filter_map(|r| {
            let x = r.report.as_ref()?;
            (!x.extra.is_empty()).then(|| {
                let kv: Vec<String> = x.extra.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!("- `{}`: {}", r.cell.label(), kv.join(", "))
            })
        })
        .collect();
    if !extras.is_empty() {
        out.push_str("Runtime-specific figures from each cell's kept RunReport (`extra`):\n\n");
        out.push_str(&extras.join("\n"));
        out.push_str("\n\n");
    }
}
