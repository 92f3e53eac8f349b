//! Section "Latency": the percentiles each cell's kept RunReport recorded, for the workloads that time waits.

use std::fmt::Write as _;

use workloads::Workload;

use crate::Ctx;
use crate::charts::Chart;
use crate::format::ms;
use crate::template::fill;

/// The section's body.
pub fn write(out: &mut String, cx: &Ctx<'_>) {
    let m = cx.a;
    let _ = writeln!(out, "{}\n", fill!("latency/intro.md"));
    for w in [Workload::Mixed, Workload::IoNet, Workload::IoSleep] {
        let _ = writeln!(out, "### Latency: {w}\n");
        let cells: Vec<_> = m
            .run
            .cells
            .iter()
            .filter(|c| c.cell.workload == w)
            .filter_map(|c| Some((c, c.report.as_ref()?.latency_ms?)))
            .collect();
        if cells.is_empty() {
            let _ = writeln!(out, "{}\n", fill!("latency/none.md"));
            continue;
        }
        out.push_str("| runtime/variant | p50 | p90 | p99 | max | early | sojourn p50 | sojourn p99 |\n|---|---|---|---|---|---|---|---|\n");
        for (c, l) in cells {
            let r = c.report.as_ref().expect("filtered on a report");
            let _ = writeln!(
                out,
                "| {} | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {} | {} | {} |",
                c.cell.label(),
                l.p50,
                l.p90,
                l.p99,
                l.max,
                r.early_waits.map_or("n/a".into(), |n| n.to_string()),
                ms(r.sojourn_ms.map(|s| s.p50)),
                ms(r.sojourn_ms.map(|s| s.p99)),
            );
        }
        out.push('\n');
        cx.chart(out, Chart::Latency(w));
    }
}
