//! `io-sleep`, `io-net` and `io-file` as jobs for threads under the GIL: each job releases the GIL around its
//! blocking calls, as `time.sleep`, socket and file calls do in CPython, and holds it for the rest.

use std::path::Path;
use std::time::Instant;

use harness::jobs::{Permits, ms, timed_wait};
use harness::tasks::request_failed;
use harness::{RunCtx, RunError};
use workloads::spec::sleep_value;
use workloads::{blocking, file};

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

/// T file tasks in `dir`; each job's value is its file's hash. Each takes one of the W `permits` before it builds
/// its buffer (a `with semaphore:` block; only waiting for it releases the GIL, as in `Semaphore.acquire`): in `pool`
/// the W threads never wait, in `per-task` they keep T threads from holding T buffers at once.
pub fn file<'a>(ctx: &RunCtx, dir: &'a Path, permits: &'a Permits) -> Vec<Job<'a>> {
    let p = ctx.params;
    (0..p.tasks)
        .map(|id| -> Job<'a> {
            Box::new(move |g| {
                g.checkpoint(); // function entry
                let failed =
                    |e: std::io::Error| format!("file task {id} in {}: {e}", dir.display());
                // As CPython's lock: taken at once while holding the GIL if free, else waited for without it.
                let _in_flight = match permits.try_acquire() {
                    Some(p) => p,
                    None => g.allow_threads(|| permits.acquire()),
                };
                let path = dir.join(file::file_name(id));
                // Why the GIL is held here and released only around the write and the read: building the contents
                // and hashing them is CPU work that CPython does holding the GIL (only the system calls release
                // it). The kernels have no check point inside (like a C helper called from Python), so the
                // thread keeps the GIL through each one; the function boundaries are check points.
                let data = file::contents(id, p.size_kib);
                g.allow_threads(|| std::fs::write(&path, data))
                    .map_err(failed)?;
                g.checkpoint();
                let back = g.allow_threads(|| std::fs::read(&path)).map_err(failed)?;
                let h = file::hash(&back);
                Ok(Done::value(h))
            })
        })
        .collect()
}
