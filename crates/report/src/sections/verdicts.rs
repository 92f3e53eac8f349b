//! Section "Verdicts": each claim of the article against this run, from [`arena_analysis::verdicts`].

use std::fmt::{self, Write as _};

use crate::evidence::Words;
use crate::{Ctx, SectionId, workload_anchor};
use arena_analysis::quality::Doubt;
use arena_analysis::verdicts::{Evidence, Missing, Topic};

/// The section's body.
pub fn write(out: &mut String, cx: &Ctx<'_>) {
    out.push_str("Each claim of the article against this run's numbers. A claim whose evidence is missing says so.\n\n| claim | verdict | evidence | see |\n|---|---|---|---|\n");
    let q = &cx.a.quality;
    for v in &cx.a.verdicts {
        // A verdict resting on a cell the hypervisor stole from, or in an unsteady run, says so beside its mark.
        let doubt = q.doubt(v).map_or(String::new(), |why| {
            format!(" (less certain: {})", doubt(&why))
        });
        let _ = writeln!(
            out,
            "| {} | **{}**{doubt} | {} | [section]({}) |",
            crate::claim(v.claim),
            v.mark.text(),
            evidence(cx, &v.evidence),
            anchor(v.see)
        );
    }
    out.push('\n');
    cx.chart(out, crate::charts::Chart::Verdicts);
}

/// Why a verdict is less certain, in words.
fn doubt(d: &Doubt) -> String {
    match d {
        Doubt::Unsteady => "the run was unsteady".into(),
        Doubt::Stolen(cells) => cells
            .iter()
            .map(|c| format!("`{}` lost {:.0}% to steal", c.label, c.share * 100.0))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// The anchor of the place that shows a topic's numbers.
pub fn anchor(t: Topic) -> String {
    match t {
        Topic::Workload(w) => workload_anchor(w),
        Topic::Latency => SectionId::Latency.anchor(),
    }
}

/// A verdict's evidence in words, with links into this run's report.
pub fn evidence(cx: &Ctx<'_>, e: &Evidence) -> String {
    match e {
        Evidence::Measured(clauses) => Words(clauses.as_slice()).to_string(),
        Evidence::Missing(why) => format!(
            "missing evidence: {}",
            Why {
                missing: why,
                link: Some(&|s| cx.link(s)),
            }
        ),
    }
}

/// A verdict's evidence in words, without links into one run's report (the merged report and the opening figure).
pub fn plain(e: &Evidence) -> String {
    match e {
        Evidence::Measured(clauses) => Words(clauses.as_slice()).to_string(),
        Evidence::Missing(why) => Why {
            missing: why,
            link: None,
        }
        .to_string(),
    }
}

/// Why no cell could weigh a claim, in words: the one place each reason is written. `link` makes a link to a section
/// of this run's report; without one (the merged report, the opening figure) the words say where to look instead.
pub struct Why<'a> {
    /// The reason, as the analysis found it.
    pub missing: &'a Missing,
    /// Makes a link to a section of the run's report, when the words are in it.
    pub link: Option<&'a dyn Fn(SectionId) -> String>,
}

impl fmt::Display for Why<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let model = |m: &harness::Model| format!("{m:?}").to_lowercase();
        match self.missing {
            Missing::NoRuntime { model: m } => {
                write!(f, "no {}-model runtime took part in this run", model(m))
            }
            Missing::NotInRun { model: m, what } => write!(
                f,
                "no {what} of a {}-model runtime in this run (not in its profile or not selected)",
                model(m)
            ),
            Missing::CellFailed { model: m, what } => {
                let look = self
                    .link
                    .map_or("that run's report says why".to_string(), |l| {
                        format!("see {}", l(SectionId::Failures))
                    });
                write!(
                    f,
                    "no timed {what} of a {}-model runtime (its cell failed or was skipped; {look})",
                    model(m)
                )
            }
            Missing::OneCpu { cores } => write!(
                f,
                "this machine has {cores} CPU, so no model can run in parallel here"
            ),
            Missing::NoLatency { label } => write!(f, "`{label}` reported no latency"),
            Missing::NotOneCpu { cores } => write!(
                f,
                "the claim is about one core and this run had {cores} CPUs and no cell pinned to one (the standard \
                 profile pins a few; a run pinned with `--cpus 1` weighs it too)"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use harness::Model;

    /// The plain and the linked form are the same words; only where to look differs, for a failed cell.
    #[test]
    fn one_set_of_words_with_or_without_links() {
        let link = |s: SectionId| format!("[{}](#x)", s.title());
        let why = |m: &Missing, linked: bool| {
            Why {
                missing: m,
                link: linked.then_some(&link as &dyn Fn(SectionId) -> String),
            }
            .to_string()
        };
        let all = [
            Missing::NoRuntime {
                model: Model::Process,
            },
            Missing::NotInRun {
                model: Model::Async,
                what: "race run".into(),
            },
            Missing::OneCpu { cores: 1 },
            Missing::NoLatency {
                label: "rt-x/y".into(),
            },
            Missing::NotOneCpu { cores: 4 },
        ];
        for m in &all {
            assert_eq!(why(m, true), why(m, false), "{m:?}");
        }
        let failed = Missing::CellFailed {
            model: Model::Threads,
            what: "io-sleep cell".into(),
        };
        let (linked, unlinked) = (why(&failed, true), why(&failed, false));
        assert!(linked.ends_with(&format!("see [{}](#x))", SectionId::Failures.title())));
        assert!(
            unlinked.ends_with("that run's report says why)"),
            "{unlinked}"
        );
        assert_eq!(
            linked.split(';').next(),
            unlinked.split(';').next(),
            "the same words before the pointer"
        );
        assert_eq!(
            plain(&Evidence::Missing(Missing::OneCpu { cores: 1 })),
            "this machine has 1 CPU, so no model can run in parallel here"
        );
    }
}
