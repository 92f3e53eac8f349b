//! The claims about parallel CPU work: under a GIL, with processes, without the GIL.

use harness::Model;
use workloads::Workload;

use super::{Evidence, Mark, Missing, Topic, Verdict};
use super::{at_cores, is_default, missing, speed};
use crate::analysis::{Analysis, Row};

pub(super) fn parallel_claim(
    m: &Analysis,
    claim: &'static str,
    pick: impl Fn(&Row) -> bool,
    model: Model,
    what: &str,
    want_parallel: bool,
) -> Verdict {
    // The runtime's default variant speaks for it when several qualify (rt-gil's pool, not per-task).
    let r = m
        .rows_of(Workload::CpuBalanced)
        .filter(|r| pick(r) && at_cores(m, r))
        .min_by_key(|r| !is_default(m, r));
    let cores = m.cores();
    let Some(r) = r else {
        return Verdict {
            claim,
            mark: Mark::Missing,
            evidence: missing(m, model, what),
            see: Topic::Workload(Workload::CpuBalanced),
            rests_on: Vec::new(),
        };
    };
    let s = r.speedup.unwrap_or(0.0);
    let mark = if cores < 2 {
        Mark::Missing
    } else if want_parallel {
        if s >= 1.5 {
            Mark::Supported
        } else if s >= 1.2 {
            Mark::Partly
        } else {
            Mark::Contradicted
        }
    } else if s < 1.2 {
        Mark::Supported
    } else if s < 1.5 {
        Mark::Partly
    } else {
        Mark::Contradicted
    };
    let rule = if want_parallel {
        "supported at 1.5x or more on this machine's cores, partly from 1.2x"
    } else {
        "supported below 1.2x, contradicted from 1.5x"
    };
    let evidence = if cores < 2 {
        Evidence::Missing(Missing::OneCpu { cores })
    } else {
        Evidence::Measured(format!(
            "{} with {} workers on {cores} CPUs ({rule})",
            speed(r),
            r.cell.workers
        ))
    };
    Verdict {
        claim,
        mark,
        evidence,
        see: Topic::Workload(Workload::CpuBalanced),
        rests_on: vec![r.cell.key()],
    }
}
