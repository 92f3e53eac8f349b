//! The merged `report.md`, rendered from a [`Merged`] alone. Its parts are numbered, listed and anchored from one
//! list, [`PARTS`], as a run's report is from `report::SECTIONS`.

use std::fmt::Write as _;

use arena_analysis::verdicts::Evidence;

use super::charts::MergedChart;
use super::{Merged, figures};
use crate::template::fill;

/// One part of the merged report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The machines and their tool versions.
    Machines,
    /// Each claim's mark on each machine.
    Verdicts,
    /// cpu-balanced speedup against workers.
    Speedup,
    /// io-sleep and io-net at each task count.
    Io,
    /// The floor costs per machine.
    Floor,
}

/// The parts, in order: their numbers, the table of contents and the anchors derive from it.
pub const PARTS: [Part; 5] = [
    Part::Machines,
    Part::Verdicts,
    Part::Speedup,
    Part::Io,
    Part::Floor,
];

impl Part {
    /// The heading, without its number.
    pub fn title(self) -> &'static str {
        match self {
            Part::Machines => "Machines",
            Part::Verdicts => "Verdicts side by side",
            Part::Speedup => "CPU speedup against workers",
            Part::Io => "io-sleep and io-net at each task count",
            Part::Floor => "Floor costs",
        }
    }

    /// Its number in [`PARTS`], from 1.
    pub fn number(self) -> usize {
        PARTS.iter().position(|p| *p == self).expect("listed") + 1
    }

    /// `N. Title`.
    pub fn heading(self) -> String {
        format!("{}. {}", self.number(), self.title())
    }

    /// The anchor GitHub gives the heading, with its `#`.
    pub fn anchor(self) -> String {
        format!("#{}", crate::slug(&self.heading()))
    }
}

/// The whole `report.md`.
pub fn markdown(m: &Merged, charts: &[MergedChart]) -> String {
    let mut out = String::new();
    let runs: Vec<String> = m
        .machines
        .iter()
        .map(|x| format!("`{}`", x.folder))
        .collect();
    let _ = writeln!(
        out,
        "# Concurrency Arena: {} machines merged\n\n{}\n",
        m.machines.len(),
        fill!("merge/intro.md", runs = runs.join(", "))
    );
    for p in PARTS {
        let _ = writeln!(out, "{}. [{}]({})", p.number(), p.title(), p.anchor());
    }
    out.push('\n');
    for p in PARTS {
        let _ = writeln!(out, "## {}\n", p.heading());
        match p {
            Part::Machines => machines(&mut out, m),
            Part::Verdicts => verdicts(&mut out, m, charts),
            Part::Speedup => figures::speedup(&mut out, m, charts),
            Part::Io => figures::io(&mut out, m),
            Part::Floor => figures::floor(&mut out, m),
        }
    }
    out
}

pub(super) fn chart(out: &mut String, charts: &[MergedChart], c: MergedChart) {
    if charts.contains(&c) {
        let _ = writeln!(out, "![{}](charts/{})\n", c.alt(), c.file_name());
    }
}

/// `| a | b | c |` and the separator row.
pub(super) fn header(out: &mut String, cols: &[String]) {
    let _ = writeln!(out, "| {} |", cols.join(" | "));
    let _ = writeln!(out, "|{}", "---|".repeat(cols.len()));
}

pub(super) fn machine_cols(m: &Merged, first: &[&str]) -> Vec<String> {
    first
        .iter()
        .map(|s| s.to_string())
        .chain(m.machines.iter().map(|x| x.key.clone()))
        .collect()
}

fn machines(out: &mut String, m: &Merged) {
    let cols = [
        "machine",
        "run",
        "host",
        "CPU",
        "logical CPUs",
        "profile",
        "started (UTC)",
        "hyperfine",
        "rustc",
        "arena",
    ];
    header(out, &cols.map(String::from));
    for x in &m.machines {
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {} | {} | {} | {} | {} | {} | {} |",
            x.key,
            x.folder,
            x.host,
            x.cpu_model,
            x.logical_cpus,
            x.profile,
            x.started_utc,
            x.hyperfine,
            x.rustc,
            x.arena_version
        );
    }
    out.push('\n');
    if m.mixed.is_empty() {
        let x = &m.machines[0];
        let _ = writeln!(out, "{}\n", fill!("merge/same.md", profile = x.profile));
    } else {
        let what: Vec<String> = m
            .mixed
            .iter()
            .map(|x| format!("{} ({})", x.what, x.values.join(", ")))
            .collect();
        let _ = writeln!(
            out,
            "{}\n",
            fill!("merge/mixed.md", what = what.join(" and "))
        );
    }
}

fn verdicts(out: &mut String, m: &Merged, charts: &[MergedChart]) {
    let same = m.claims.iter().filter(|c| c.agrees()).count();
    let _ = writeln!(
        out,
        "{}\n",
        fill!("merge/verdicts.md", same = same, claims = m.claims.len())
    );
    header(out, &machine_cols(m, &["claim"]));
    for c in &m.claims {
        let marks: Vec<String> = c
            .verdicts
            .iter()
            .map(|v| format!("**{}**", v.mark.text()))
            .collect();
        let _ = writeln!(out, "| {} | {} |", crate::claim(c.claim), marks.join(" | "));
    }
    out.push('\n');
    chart(out, charts, MergedChart::Verdicts);
    out.push_str("### The evidence on each machine\n\n");
    for c in &m.claims {
        let _ = writeln!(out, "**{}**\n", crate::claim(c.claim));
        for (x, v) in m.machines.iter().zip(&c.verdicts) {
            let _ = writeln!(
                out,
                "- {} (*{}*): {}",
                x.key,
                v.mark.text(),
                evidence(&v.evidence)
            );
        }
        out.push('\n');
    }
}

/// A verdict's evidence in words, without links into one run's report.
pub fn evidence(e: &Evidence) -> String {
    crate::sections::verdicts::plain(e)
}
