//! `io-sleep`, `io-net` and `io-file` as jobs for OS threads: each job makes its blocking call on its own thread.

use std::path::Path;
use std::time::Instant;

use harness::jobs::{Permits, ms, timed_wait};
use harness::tasks::request_failed;
use harness::{RunCtx, RunError};
use workloads::blocking;
use workloads::spec::sleep_value;

use crate::exec::{Done, Job};

/// T sleeps of D; each job's value is `sleep_value(id)`.
pub fn sleep(ctx: &RunCtx) -> Vec<Job<'static>> {
    let delay = ctx.delay();
    (0..ctx.params.tasks)
        .map(|id| -> Job<'static> {
            Box::new(move || {
                let (late, end) = timed_wait(delay, || std::thread::sleep(delay));
                Ok(Done::timed(sleep_value(id), late, end))
            })
        })
        .collect()
}

/// T blocking requests to the delay server; each job's value is the server's reply.
pub fn net(ctx: &RunCtx) -> Result<Vec<Job<'static>>, RunError> {
    let (p, addr) = (ctx.params, ctx.server()?);
    Ok((0..p.tasks)
        .map(|id| -> Job<'static> {
            Box::new(move || {
                let (reply, rtt) = blocking::net_request(addr, id, p.nonce, p.delay_ms)
                    .map_err(|e| request_failed(id as usize, addr, e).to_string())?;
                Ok(Done::timed(reply, ms(rtt), Instant::now()))
            })
        })
        .collect())
}

/// T file tasks in `dir`; each job's value is its file's hash. Each takes one of the W `permits` before it builds
/// its buffer: in `pool` the W threads never wait for one, in `per-task` they keep T threads from holding T buffers.
pub fn file<'a>(ctx: &RunCtx, dir: &'a Path, permits: &'a Permits) -> Vec<Job<'a>> {
    let p = ctx.params;
    (0..p.tasks)
        .map(|id| -> Job<'a> {
            Box::new(move || {
                let _in_flight = permits.acquire();
                let h = blocking::file_task(dir, id, p.size_kib)
                    .map_err(|e| format!("file task {id} in {}: {e}", dir.display()))?;
                Ok(Done::value(h))
            })
        })
        .collect()
}
