//! `arena compare A B`: [`arena_analysis::compare::Comparison`] as markdown.

use std::fmt::Write as _;

use crate::format::secs;
use arena_analysis::compare::{ALPHA, Change, Comparison, MIN_CHANGE};
use arena_store::Loaded;

/// The comparison `c` of B against A as markdown.
pub fn render(a_name: &str, a: &Loaded, b_name: &str, b: &Loaded, c: &Comparison) -> String {
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
    if c.machine_differs {
        differ.push(format!(
            "machine ({} on {} vs {} on {})",
            a.meta.machine.cpu_model,
            a.meta.machine.host,
            b.meta.machine.cpu_model,
            b.meta.machine.host
        ));
    }
    if c.size_differs {
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
    for r in &c.rows {
        let change = match r.change {
            Change::Faster(f) => format!("**faster** ({:.0}%)", f * 100.0),
            Change::Slower(f) => format!("**slower** (+{:.0}%)", f * 100.0),
            Change::None => "no significant change".into(),
            Change::Untestable => "not testable (fewer than 2 runs or no spread)".into(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {:.3} | {} | {change} |",
            r.workload,
            r.label,
            secs(r.a_median),
            secs(r.b_median),
            r.ratio,
            r.p.map_or("n/a".into(), |p| format!("{p:.3}"))
        );
    }
    let (faster, slower) = c.counts();
    let _ = writeln!(
        out,
        "\n{} shared timed cells: {faster} faster in B, {slower} slower in B, the rest unchanged or untestable.",
        c.rows.len()
    );
    for (name, v) in [(a_name, &c.only_a), (b_name, &c.only_b)] {
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
