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

/// `arena compare --verdicts A B`: each claim's mark in A and in B; where they differ, what decided each.
pub fn render_verdicts(
    a: &arena_analysis::Analysis,
    b: &arena_analysis::Analysis,
    c: &arena_analysis::compare::VerdictChanges,
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# The verdicts of {} against {}\n", b.name, a.name);
    let _ = writeln!(
        out,
        "A: {} ({}, {} CPUs), B: {} ({}, {} CPUs). Each claim's mark in both runs; where the marks differ, the \
         evidence of each says what decided it.\n",
        a.run.meta.machine.host,
        a.run.meta.profile.name,
        a.run.meta.machine.logical_cpus,
        b.run.meta.machine.host,
        b.run.meta.profile.name,
        b.run.meta.machine.logical_cpus
    );
    out.push_str("| claim | A | B | |\n|---|---|---|---|\n");
    for v in &c.claims {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            crate::claims::claim(v.claim),
            v.a.mark.text(),
            v.b.mark.text(),
            if v.changed() { "**changed**" } else { "same" }
        );
    }
    let (same, changed, missing) = c.counts();
    let _ = writeln!(
        out,
        "\n{same} of {} claims have the same mark in both runs; {changed} changed ({missing} of them because one run \
         could not weigh the claim).",
        c.claims.len()
    );
    for v in c.claims.iter().filter(|v| v.changed()) {
        let _ = writeln!(out, "\n## {}\n", crate::claims::claim(v.claim));
        let _ = writeln!(
            out,
            "- A, **{}**: {}",
            v.a.mark.text(),
            crate::merge::markdown::evidence(&v.a.evidence)
        );
        let _ = writeln!(
            out,
            "- B, **{}**: {}",
            v.b.mark.text(),
            crate::merge::markdown::evidence(&v.b.evidence)
        );
    }
    out
}
