//! `arena compare A B`: every cell timed in both runs, side by side, with Welch's t-test on hyperfine's `times`.

use std::fmt::Write as _;

use crate::format::secs;
use arena_store::Loaded;

/// A change is called real when Welch's two-sided p is below this...
pub const ALPHA: f64 = 0.05;
/// ...and the medians differ by more than this fraction (smaller shifts are not worth a reader's attention).
pub const MIN_CHANGE: f64 = 0.02;

/// The comparison as markdown.
pub fn render(a_name: &str, a: &Loaded, b_name: &str, b: &Loaded) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {b_name} against {a_name}\n");
    let _ = writeln!(
        out,
        "Ratio = median in B / median in A (below 1: B is faster). A change is marked when Welch's t-test on the two \
         cells' timed runs gives p < {ALPHA} and the medians differ by more than {:.0}%. A: {} ({}), B: {} ({}).\n",
        MIN_CHANGE * 100.0,
        a.meta.machine.host,
        a.meta.profile.name,
        b.meta.machine.host,
        b.meta.profile.name
    );
    let mut differ = Vec::new();
    if a.meta.machine.cpu_model != b.meta.machine.cpu_model
        || a.meta.machine.host != b.meta.machine.host
    {
        differ.push(format!(
            "machine ({} on {} vs {} on {})",
            a.meta.machine.cpu_model,
            a.meta.machine.host,
            b.meta.machine.cpu_model,
            b.meta.machine.host
        ));
    }
    if a.meta.profile.size != b.meta.profile.size {
        differ.push(format!(
            "size ({} vs {})",
            a.meta.profile.size, b.meta.profile.size
        ));
    }
    if !differ.is_empty() {
        let _ = writeln!(
            out,
            "**Caution:** the runs differ in {}; a ratio then mixes that in.\n",
            differ.join(" and ")
        );
    }
    out.push_str("| workload | cell | A median | B median | ratio B/A | Welch p | change |\n|---|---|---|---|---|---|---|\n");
    let mut shared = 0;
    let (mut faster, mut slower) = (0, 0);
    for c in &a.cells {
        let key = c.cell.key();
        let (Some(ha), Some(hb)) = (a.hyperfine.get(&key), b.hyperfine.get(&key)) else {
            continue;
        };
        shared += 1;
        let ratio = hb.median / ha.median;
        let test = arena_analysis::stats::welch(&ha.times, &hb.times);
        let p = test.map(|t| t.2);
        let change = match p {
            Some(p) if p < ALPHA && (ratio - 1.0).abs() > MIN_CHANGE => {
                if ratio < 1.0 {
                    faster += 1;
                    format!("**faster** ({:.0}%)", (1.0 - ratio) * 100.0)
                } else {
                    slower += 1;
                    format!("**slower** (+{:.0}%)", (ratio - 1.0) * 100.0)
                }
            }
            Some(_) => "no significant change".into(),
            None => "not testable (fewer than 2 runs or no spread)".into(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {ratio:.3} | {} | {change} |",
            c.cell.workload,
            c.cell.label(),
            secs(ha.median),
            secs(hb.median),
            p.map_or("n/a".into(), |p| format!("{p:.3}"))
        );
    }
    let only = |x: &Loaded, y: &Loaded| -> Vec<String> {
        x.hyperfine
            .keys()
            .filter(|k| !y.hyperfine.contains_key(*k))
            .cloned()
            .collect()
    };
    let _ = writeln!(
        out,
        "\n{shared} shared timed cells: {faster} faster in B, {slower} slower in B, the rest unchanged or untestable."
    );
    for (name, v) in [(a_name, only(a, b)), (b_name, only(b, a))] {
        if !v.is_empty() {
            let _ = writeln!(
                out,
                "\nTimed only in {name}: {}.",
                v.iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    out
}
