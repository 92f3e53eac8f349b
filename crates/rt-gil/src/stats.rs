//! The GIL's statistics of a run, reported as `extra` figures.

use std::time::Duration;

use gil::Gil;
use harness::contract::extra;
use harness::jobs::ms;
use harness::opts::RMW;
use harness::{Outcome, RunCtx};
use workloads::Workload;

/// The GIL's statistics as `extra` figures.
pub fn with_stats(out: Outcome, gil: &Gil, wall: Duration, every: u64, ctx: &RunCtx) -> Outcome {
    let st = gil.stats();
    let mut out = out
        .extra(extra::GIL, st.enabled)
        .extra(extra::SWITCH_INTERVAL_US, st.interval.as_micros() as u64)
        .extra(extra::CHECK_EVERY, every)
        .extra(extra::GIL_ACQUISITIONS, st.acquisitions)
        .extra(extra::GIL_CONTENDED_ACQUISITIONS, st.contended_acquisitions)
        .extra(extra::GIL_SWITCHES, st.switches)
        .extra(extra::GIL_DROP_REQUESTS, st.drop_requests)
        .extra(extra::GIL_FORCED_SWITCHES, st.forced_switches)
        .extra(extra::GIL_WAIT_MS_TOTAL, ms(st.wait_total))
        .extra(extra::GIL_WAIT_MS_P99, ms(st.wait_p99))
        .extra(extra::GIL_WAIT_MS_MAX, ms(st.wait_max))
        .extra(extra::GIL_HELD_SHARE, st.held_share(wall));
    if ctx.workload == Workload::Race {
        out = out.extra(extra::RMW, ctx.opt(RMW));
    }
    out
}
