//! `arena-report`, the report stage of Concurrency Arena: `report.md`, the run's `README.md` and `charts/*.svg`,
//! rendered from an [`Analysis`] alone; the merged report of several runs ([`merge`]); and `arena compare`'s
//! table ([`compare`]).
//!
//! `report.md` is a title, a table of contents and the sections of [`SECTIONS`], in that order. Every number,
//! title and anchor of a section comes from that one list, as hyperfine's exporters come from one `ExportType`:
//! a section refers to another through [`Ctx::link`] or [`Ctx::number`], never by a literal. Each section is one
//! module of [`sections`]; the charts are typed ([`charts::Chart`]), so a section asks for the chart it shows.

//!
//! What it must not depend on: the `arena` binary (discovery, planning, running). It reads the analysis and the
//! run folder's records; it computes no figure of its own (`crates/arena/tests/layering.rs` holds the order).

pub mod charts;
mod claims;
pub mod compare;
pub mod data;
pub mod evidence;
pub mod format;
pub mod merge;
mod readme;
mod sections;
mod template;

pub use claims::claim;
pub use sections::calibration::{said as finding_said, topic as finding_topic};

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;
use workloads::Workload;

use arena_analysis::Analysis;
use arena_store::RunDir;
use charts::Chart;

/// One section of `report.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectionId {
    /// Each claim of the article against the run.
    Verdicts,
    /// One table and chart per workload.
    Workloads,
    /// The sweeps: workers, tasks, switch interval.
    Scaling,
    /// What one task, one hand-off and one message cost; where each model stops.
    Floor,
    /// Latency percentiles from the kept runs.
    Latency,
    /// The CPython and Node peers beside the emulation and the loops.
    Calibration,
    /// The GIL's `counter += 1` on every CPython found, beside rt-gil.
    CpythonVersions,
    /// The machine, and how the numbers were taken.
    Method,
    /// Every runtime or cell left out, and why.
    Failures,
}

/// The sections of `report.md`, in order: their numbers, the table of contents and the anchors derive from it.
pub const SECTIONS: [SectionId; 9] = [
    SectionId::Verdicts,
    SectionId::Workloads,
    SectionId::Scaling,
    SectionId::Floor,
    SectionId::Latency,
    SectionId::Calibration,
    SectionId::CpythonVersions,
    SectionId::Method,
    SectionId::Failures,
];

impl SectionId {
    /// The heading, without its number.
    pub fn title(self) -> &'static str {
        match self {
            SectionId::Verdicts => "Verdicts",
            SectionId::Workloads => "Workloads",
            SectionId::Scaling => "Scaling",
            SectionId::Floor => "The floor",
            SectionId::Latency => "Latency",
            SectionId::Calibration => "Calibration against CPython and Node",
            SectionId::CpythonVersions => "The GIL across CPython versions",
            SectionId::Method => "Machine and method",
            SectionId::Failures => "Failures and exclusions",
        }
    }

    /// Its number in [`SECTIONS`], from 1.
    pub fn number(self) -> usize {
        SECTIONS
            .iter()
            .position(|s| *s == self)
            .expect("every section is in the list")
            + 1
    }

    /// `N. Title`.
    pub fn heading(self) -> String {
        format!("{}. {}", self.number(), self.title())
    }

    /// The anchor GitHub gives the heading, with its `#`.
    pub fn anchor(self) -> String {
        format!("#{}", slug(&self.heading()))
    }

    fn write(self, out: &mut String, cx: &Ctx<'_>) {
        match self {
            SectionId::Verdicts => sections::verdicts::write(out, cx),
            SectionId::Workloads => sections::workloads::write(out, cx),
            SectionId::Scaling => sections::scaling::write(out, cx),
            SectionId::Floor => sections::floor::write(out, cx),
            SectionId::Latency => sections::latency::write(out, cx),
            SectionId::Calibration => sections::calibration::write(out, cx),
            SectionId::CpythonVersions => sections::cpython::write(out, cx),
            SectionId::Method => sections::method::write(out, cx),
            SectionId::Failures => sections::failures::write(out, cx),
        }
    }
}

/// GitHub's heading anchor: lower case, punctuation dropped, spaces as hyphens.
pub fn slug(heading: &str) -> String {
    heading
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

/// The anchor of a workload's own heading inside [`SectionId::Workloads`].
pub fn workload_anchor(w: Workload) -> String {
    format!("#{}", slug(w.name()))
}

/// What every section is written from.
#[derive(Debug)]
pub struct Ctx<'a> {
    /// The analysis.
    pub a: &'a Analysis,
    /// The charts that were drawn.
    pub charts: &'a [Chart],
}

impl Ctx<'_> {
    /// A markdown link to a section: `[Title](#n-title)`.
    pub fn link(&self, s: SectionId) -> String {
        format!("[{}]({})", s.title(), s.anchor())
    }

    /// A section's number, for "section N" in prose.
    pub fn number(&self, s: SectionId) -> usize {
        s.number()
    }

    /// `![alt](charts/file)` and a blank line when the chart was drawn, else nothing.
    pub fn chart(&self, out: &mut String, c: Chart) {
        if self.charts.contains(&c) {
            let _ = writeln!(out, "![{}](charts/{})\n", c.alt(), c.file_name());
        }
    }
}

/// `report.md`: the title, the table of contents and every section.
pub fn markdown(a: &Analysis, charts: &[Chart]) -> String {
    let cx = Ctx { a, charts };
    let mut out = String::new();
    sections::title::write(&mut out, &cx);
    for s in SECTIONS {
        let _ = writeln!(out, "{}. [{}]({})", s.number(), s.title(), s.anchor());
    }
    out.push('\n');
    for s in SECTIONS {
        let _ = writeln!(out, "## {}\n", s.heading());
        s.write(&mut out, &cx);
    }
    out
}

/// Renders `report.md`, `README.md` and the charts of a results folder from its raw data.
pub fn render(dir: &RunDir) -> anyhow::Result<()> {
    let a = Analysis::new(dir.load()?, &dir.name());
    let charts_dir = dir.path.join("charts");
    std::fs::create_dir_all(&charts_dir)?;
    let charts = charts::write_all(&a, &charts_dir)?;
    write(&dir.path.join("report.md"), &markdown(&a, &charts))?;
    write(
        &dir.path.join("extra.md"),
        &sections::workloads::appendix(&a),
    )?;
    write(&dir.path.join("README.md"), &readme::readme(&a))?;
    let lines = data::cell_lines(&a);
    write(&dir.path.join("cells.csv"), &data::csv(&lines)?)?;
    write(&dir.path.join("cells.json"), &data::json(&lines)?)?;
    Ok(())
}

fn write(path: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text).with_context(|| format!("could not write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_anchors_follow_the_list() {
        assert_eq!(SectionId::Verdicts.heading(), "1. Verdicts");
        assert_eq!(
            SectionId::Calibration.anchor(),
            "#6-calibration-against-cpython-and-node"
        );
        assert_eq!(SectionId::Failures.anchor(), "#9-failures-and-exclusions");
        assert_eq!(
            SectionId::CpythonVersions.anchor(),
            "#7-the-gil-across-cpython-versions"
        );
        assert_eq!(workload_anchor(Workload::CpuBalanced), "#cpu-balanced");
        for (i, s) in SECTIONS.iter().enumerate() {
            assert_eq!(s.number(), i + 1);
        }
    }
}
