//! The claims about `counter += 1`: the GIL, and message passing.

use harness::Model;
use harness::opts;
use workloads::Workload;

use super::missing;
use super::{Evidence, Mark, Topic, Verdict};
use crate::analysis::Analysis;

/// Every cell of workload `w` with a kept RunReport, and its runtime's model.
pub(super) fn reported(
    m: &Analysis,
    w: Workload,
) -> impl Iterator<Item = (&crate::store::CellRecord, &harness::RunReport, Model)> {
    m.run
        .cells
        .iter()
        .filter(move |c| c.cell.workload == w)
        .filter_map(|c| {
            let rep = c.report.as_ref()?;
            let rt = m.run.runtimes.iter().find(|r| r.name == c.cell.runtime)?;
            Some((c, rep, rt.info.as_ref()?.model))
        })
}

/// The race cells `pick` selects: (label, lost updates, W*K). A report written before `attempted` existed (the
/// committed runs under `results/`) is read by the old rule, `lost_updates = W*K - checksum`, as recorded; a fresh
/// one passed `attempted == W*K` and `lost_updates == attempted - checksum` before it was kept, so W*K is its
/// attempted increments too.
fn lost(
    m: &Analysis,
    pick: impl Fn(&crate::store::CellRecord, &harness::RunReport, Model) -> bool,
) -> Vec<(String, u64, u64)> {
    reported(m, Workload::Race)
        .filter(|(c, rep, model)| pick(c, rep, *model))
        .map(|(c, rep, _)| {
            (
                c.cell.label(),
                rep.lost_updates.unwrap_or(0),
                rep.reference_checksum(),
            )
        })
        .collect()
}

fn list(v: &[(String, u64, u64)]) -> String {
    v.iter()
        .map(|(l, n, of)| format!("`{l}` lost {n} of {of}"))
        .collect::<Vec<_>>()
        .join("; ")
}

pub(super) fn gil_counter(m: &Analysis) -> Verdict {
    let claim = "The GIL makes `counter += 1` safe (both `rmw` forms)";
    let see = Topic::Workload(Workload::Race);
    let gil = |c: &crate::plan::Cell, model: Model| {
        model == Model::Emulated && !c.variant.contains("free")
    };
    let plain = lost(m, |c, _, md| {
        gil(&c.cell, md)
            && !c
                .cell
                .opts
                .iter()
                .any(|(k, v)| k == opts::RMW && v != "plain")
    });
    let call = lost(m, |c, _, md| {
        gil(&c.cell, md)
            && c.cell
                .opts
                .iter()
                .any(|(k, v)| k == opts::RMW && v == "call")
    });
    if plain.is_empty() {
        return Verdict {
            claim,
            mark: Mark::Missing,
            evidence: missing(m, Model::Emulated, "race run under the GIL"),
            see,
        };
    }
    let plain_safe = plain.iter().all(|x| x.1 == 0);
    let call_safe = call.iter().all(|x| x.1 == 0);
    let mark = match (plain_safe, call.is_empty(), call_safe) {
        (true, true, _) => Mark::Partly,
        (true, false, true) => Mark::Supported,
        (true, false, false) => Mark::Partly,
        (false, _, _) => Mark::Contradicted,
    };
    let mut evidence = format!("`rmw=plain`: {}", list(&plain));
    if call.is_empty() {
        evidence.push_str("; `rmw=call`: missing evidence (no such cell in this run)");
    } else {
        evidence.push_str(&format!("; `rmw=call` (`counter += f()`): {}", list(&call)));
    }
    Verdict {
        claim,
        mark,
        evidence: Evidence::Measured(evidence),
        see,
    }
}

pub(super) fn message_passing(m: &Analysis) -> Verdict {
    let claim = "Message passing loses no updates";
    let see = Topic::Workload(Workload::Race);
    let v = lost(m, |c, rep, md| {
        md == Model::Process && shared_opt(m, c, rep).is_some_and(|v| v == "false")
    });
    if v.is_empty() {
        return Verdict {
            claim,
            mark: Mark::Missing,
            evidence: missing(m, Model::Process, "race run"),
            see,
        };
    }
    let mark = if v.iter().all(|x| x.1 == 0) {
        Mark::Supported
    } else {
        Mark::Contradicted
    };
    Verdict {
        claim,
        mark,
        evidence: Evidence::Measured(list(&v)),
        see,
    }
}

/// The effective `--opt shared` of a race cell: as the cell set it, else as its report recorded it (`params.opts`
/// holds every listed opt), else its runtime's listed default; `None` where the runtime has no such opt (the CPython
/// multiprocessing peer before it had one shared a `RawValue`). Read from the run itself, so that a committed run
/// keeps its meaning: rt-procs passed messages by default until `shared=true` became its default.
fn shared_opt<'a>(
    m: &'a Analysis,
    c: &'a crate::store::CellRecord,
    rep: &'a harness::RunReport,
) -> Option<&'a str> {
    let set = c.cell.opts.iter().find(|(k, _)| k == opts::SHARED);
    let recorded = || rep.params.get("opts")?.get(opts::SHARED)?.as_str();
    let listed = || {
        let rt = m.run.runtimes.iter().find(|r| r.name == c.cell.runtime)?;
        let o = rt
            .info
            .as_ref()?
            .opts
            .iter()
            .find(|o| o.key == opts::SHARED)?;
        Some(o.default.as_str())
    };
    set.map(|(_, v)| v.as_str())
        .or_else(recorded)
        .or_else(listed)
}
