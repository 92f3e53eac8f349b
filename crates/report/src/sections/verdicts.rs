//! Section "Verdicts": each claim of the article against this run, from [`arena_analysis::verdicts`].

use std::fmt::Write as _;

use crate::{Ctx, SectionId, workload_anchor};
use arena_analysis::verdicts::{Evidence, Missing, Topic};

/// The section's body.
pub fn write(out: &mut String, cx: &Ctx<'_>) {
    out.push_str("Each claim of the article against this run's numbers. A claim whose evidence is missing says so.\n\n| claim | verdict | evidence | see |\n|---|---|---|---|\n");
    let q = &cx.a.quality;
    for v in &cx.a.verdicts {
        // A verdict resting on a cell the hypervisor stole from, or in an unsteady run, says so beside its mark.
        let doubt = q
            .doubt(v)
            .map_or(String::new(), |why| format!(" (less certain: {why})"));
        let _ = writeln!(
            out,
            "| {} | **{}**{doubt} | {} | [section]({}) |",
            v.claim,
            v.mark.text(),
            evidence(cx, &v.evidence),
            anchor(v.see)
        );
    }
    out.push('\n');
    cx.chart(out, crate::charts::Chart::Verdicts);
}

/// The anchor of the place that shows a topic's numbers.
pub fn anchor(t: Topic) -> String {
    match t {
        Topic::Workload(w) => workload_anchor(w),
        Topic::Latency => SectionId::Latency.anchor(),
    }
}

/// A verdict's evidence in words.
pub fn evidence(cx: &Ctx<'_>, e: &Evidence) -> String {
    let model = |m: &harness::Model| format!("{m:?}").to_lowercase();
    match e {
        Evidence::Measured(text) => text.clone(),
        Evidence::Missing(Missing::NoRuntime { model: m }) => format!(
            "missing evidence: no {}-model runtime took part in this run",
            model(m)
        ),
        Evidence::Missing(Missing::NotInRun { model: m, what }) => format!(
            "missing evidence: no {what} of a {}-model runtime in this run (not in this profile or not selected)",
            model(m)
        ),
        Evidence::Missing(Missing::CellFailed { model: m, what }) => format!(
            "missing evidence: no timed {what} of a {}-model runtime (its cell failed or was skipped; see {})",
            model(m),
            cx.link(SectionId::Failures)
        ),
        Evidence::Missing(Missing::OneCpu { cores }) => format!(
            "missing evidence: this machine has {cores} CPU, so no model can run in parallel here"
        ),
        Evidence::Missing(Missing::NoLatency { label }) => {
            format!("missing evidence: `{label}` reported no latency")
        }
        Evidence::Missing(Missing::NotOneCpu { cores }) => format!(
            "missing evidence: the claim is about one core and this run had {cores} CPUs; a run pinned with `--cpus 1` weighs it"
        ),
    }
}
