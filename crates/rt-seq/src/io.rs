//! `io-sleep`, `io-net` and `io-file`, one blocking call after another on the main thread.

use std::time::Instant;

use harness::jobs::{Done, timed_wait};
use harness::tasks::request_failed;
use harness::{Outcome, RunCtx, RunError, ScratchDir};
use workloads::RaceCounter;
use workloads::blocking;
use workloads::spec::sleep_value;

/// io-sleep: T sleeps of D in a row (T*D in all); task i's sojourn is about (i+1)*D.
pub fn sleep(ctx: &RunCtx) -> Outcome {
    let delay = ctx.delay();
    // The run's submission instant, just before the first task starts (see harness::latency).
    let submitted = Instant::now();
    let done: Vec<Done> = (0..ctx.params.tasks)
        .map(|id| {
            let (late, end) = timed_wait(delay, || std::thread::sleep(delay));
            Done::timed(sleep_value(id), late, end)
        })
        .collect();
    harness::jobs::outcome(ctx.workload, &done, &RaceCounter::new(), submitted)
}

/// io-net: T round trips to the delay server in a row.
pub fn net(ctx: &RunCtx) -> Result<Outcome, RunError> {
    let (p, addr) = (ctx.params, ctx.server()?);
    // The run's submission instant, just before the first task starts (see harness::latency).
    let submitted = Instant::now();
    let done = (0..p.tasks)
        .map(|id| {
            let (reply, rtt) = blocking::net_request(addr, id, p.nonce, p.delay_ms)
                .map_err(|e| request_failed(id as usize, addr, e))?;
            Ok(Done::timed(reply, harness::jobs::ms(rtt), Instant::now()))
        })
        .collect::<Result<Vec<Done>, RunError>>()?;
    Ok(harness::jobs::outcome(
        ctx.workload,
        &done,
        &RaceCounter::new(),
        submitted,
    ))
}

/// io-file: T file tasks in a row, in a fresh scratch directory.
pub fn file(ctx: &RunCtx) -> Result<Outcome, RunError> {
    let p = ctx.params;
    let dir = ScratchDir::new("rt-seq")?;
    let mut acc = 0;
    for id in 0..p.tasks {
        let h = blocking::file_task(dir.path(), id, p.size_kib).map_err(|e| {
            RunError::failed(format!("file task {id} in {}", dir.path().display()), e)
        })?;
        acc = workloads::file::combine(acc, h);
    }
    Ok(Outcome::new(acc))
}
