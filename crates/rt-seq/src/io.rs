//! `io-sleep`, `io-net` and `io-file`, one blocking call after another on the main thread.

use std::time::Instant;

use harness::{LatencyRecorder, Outcome, RunCtx, RunError, ScratchDir};
use workloads::blocking;

/// io-sleep: T sleeps of D in a row (T*D in all).
pub fn sleep(ctx: &RunCtx) -> Outcome {
    let mut lat = LatencyRecorder::new();
    let mut sum = 0;
    for id in 0..ctx.params.tasks {
        let t = Instant::now();
        std::thread::sleep(ctx.delay());
        lat.record(harness::latency::lateness(t, ctx.delay(), Instant::now()));
        sum += id;
    }
    Outcome::new(sum).latency(lat)
}

/// io-net: T round trips to the delay server in a row.
pub fn net(ctx: &RunCtx) -> Result<Outcome, RunError> {
    let (p, addr) = (ctx.params, ctx.server()?);
    let mut lat = LatencyRecorder::new();
    let mut sum = 0;
    for id in 0..p.tasks {
        let (echo, rtt) = blocking::net_request(addr, id, p.delay_ms)
            .map_err(|e| RunError::failed(format!("request {id} to {addr}"), e))?;
        lat.record(rtt);
        sum += echo;
    }
    Ok(Outcome::new(sum).latency(lat))
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
