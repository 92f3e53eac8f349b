//! The GIL's statistics of a run, reported as `extra` figures.

use std::time::Duration;

use gil::Gil;
use harness::jobs::ms;
use harness::opts::RMW;
use harness::{Outcome, RunCtx};
use workloads::Workload;

/// The GIL's statistics as `extra` figures.
pub fn with_stats(out: Outcome, gil: &Gil, wall: Duration, every: u64, ctx: &RunCtx) -> Outcome {
    let st = gil.stats();
    let mut out = out
        .extra("gil", st.enabled)
        .extra("switch_interval_us", st.interval.as_micros() as u64)
        .extra("check_every", every)
        .extra("gil_acquisitions", st.acquisitions)
        .extra("gil_contended_acquisitions", st.contended_acquisitions)
        .extra("gil_switches", st.switches)
        .extra("gil_drop_requests", st.drop_requests)
        .extra("gil_forced_switches", st.forced_switches)
        .extra("gil_wait_ms_total", ms(st.wait_total))
        .extra("gil_wait_ms_p99", ms(st.wait_p99))
        .extra("gil_wait_ms_max", ms(st.wait_max))
        .extra("gil_held_share", st.held_share(wall));
    if ctx.workload == Workload::Race {
        out = out.extra("rmw", ctx.opt(RMW));
    }
    out
}
