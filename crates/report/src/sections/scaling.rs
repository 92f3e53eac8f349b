//! Section "Scaling": the sweeps. Speedup against workers (cpu-balanced), wall time against tasks (io-sleep), and
//! the convoy's ticker lateness against the GIL's switch interval (mixed).

use std::fmt::Write as _;

use workloads::Workload;

use crate::charts::Chart;
use crate::format::{opt_pct, opt_x, secs};
use crate::template::fill;
use crate::{Ctx, SectionId};
use arena_store::Axis;

/// The section's body.
pub fn write(out: &mut String, cx: &Ctx<'_>) {
    let m = cx.a;
    let workers = m.sweep(Workload::CpuBalanced, Axis::Workers);
    out.push_str("### Speedup against workers (cpu-balanced)\n\n");
    if workers.is_empty() {
        let _ = writeln!(out, "{}\n", fill!("scaling/not_measured.md"));
    } else {
        let _ = writeln!(
            out,
            "{}\n",
            fill!("scaling/ideal_workers.md", cpus = m.cores())
        );
        out.push_str("| runtime/variant | workers | median | speedup vs seq | efficiency |\n|---|---|---|---|---|\n");
        for (s, rows) in &workers {
            for r in rows {
                let _ = writeln!(
                    out,
                    "| {s} | {} | {} | {} | {} |",
                    r.cell.workers,
                    secs(r.hf.median),
                    opt_x(r.speedup),
                    opt_pct(r.efficiency)
                );
            }
        }
        out.push('\n');
        cx.chart(out, Chart::ScalingWorkers);
    }
    out.push_str("### Wall time against tasks (io-sleep)\n\n");
    let tasks = m.sweep(Workload::IoSleep, Axis::Tasks);
    if tasks.is_empty() {
        let _ = writeln!(out, "{}\n", fill!("scaling/not_measured.md"));
    } else {
        let _ = write!(
            out,
            "{}\n\n| runtime/variant | tasks | median | ideal (D) | efficiency |\n|---|---|---|---|---|\n",
            fill!(
                "scaling/ideal_tasks.md",
                failures = cx.number(SectionId::Failures)
            )
        );
        for (s, rows) in &tasks {
            for r in rows {
                let _ = writeln!(
                    out,
                    "| {s} | {} | {} | {} | {} |",
                    r.cell.tasks.unwrap_or(0),
                    secs(r.hf.median),
                    r.ideal.map_or("n/a".into(), |(i, _)| secs(i)),
                    opt_pct(r.efficiency)
                );
            }
        }
        out.push('\n');
        cx.chart(out, Chart::ScalingTasks);
    }
    let switch = m.sweep(Workload::Mixed, Axis::SwitchIntervalUs);
    if !switch.is_empty() {
        let _ = write!(
            out,
            "### Switch interval under the GIL (mixed, the convoy)\n\n{}\n\n| runtime/variant | switch interval | median | ticker p50 lateness | ticker p99 lateness |\n|---|---|---|---|---|\n",
            fill!(
                "scaling/convoy.md",
                calibration = cx.number(SectionId::Calibration)
            )
        );
        for (s, rows) in &switch {
            for r in rows {
                let (p50, p99) = r
                    .report
                    .as_ref()
                    .and_then(|x| x.latency_ms)
                    .map_or(("n/a".into(), "n/a".into()), |l| {
                        (format!("{:.2} ms", l.p50), format!("{:.2} ms", l.p99))
                    });
                let _ = writeln!(
                    out,
                    "| {s} | {} ms | {} | {p50} | {p99} |",
                    r.cell.point.map_or(0, |p| p.value) as f64 / 1000.0,
                    secs(r.hf.median)
                );
            }
        }
        out.push('\n');
    }
}
