//! `io-sleep`, `io-net` and `io-file` as jobs for threads under the GIL: each job releases the GIL around its
//! blocking call, as `time.sleep`, socket and file calls do in CPython.

use std::path::Path;
use std::time::Instant;

use harness::jobs::{ms, timed_wait};
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
            Box::new(move |g| {
                g.checkpoint(); // function entry
                // Timed once the thread has the GIL back, as `time.perf_counter()` would be.
                let (late, end) =
                    timed_wait(delay, || g.allow_threads(|| std::thread::sleep(delay)));
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
            Box::new(move |g| {
                g.checkpoint();
                // The round trip as Python code would time it: from before the calls to after the GIL
                // is back, so a GIL wait after the reply counts.
                let t = Instant::now();
                let (reply, _) = g
                    .allow_threads(|| blocking::net_request(addr, id, p.nonce, p.delay_ms))
                    .map_err(|e| request_failed(id as usize, addr, e).to_string())?;
                let end = Instant::now();
                Ok(Done::timed(reply, ms(end - t), end))
            })
        })
        .collect())
}

/// T file tasks in `dir`; each job's value is its file's hash.
pub fn file<'a>(ctx: &RunCtx, dir: &'a Path) -> Vec<Job<'a>> {
    let p = ctx.params;
    (0..p.tasks)
        .map(|id| -> Job<'a> {
            Box::new(move |g| {
                g.checkpoint();
                let h = g
                    .allow_threads(|| blocking::file_task(dir, id, p.size_kib))
                    .map_err(|e| format!("file task {id} in {}: {e}", dir.display()))?;
                Ok(Done::value(h))
            })
        })
        .collect()
}
