//! `cpu-balanced`, `cpu-skewed` and `mixed` as jobs for threads under the GIL: prime counting with a check point
//! every `every` iterations of the kernel's loop, and the `mixed` ticker, which releases the GIL while it sleeps.

use std::time::Instant;

use harness::RunCtx;
use harness::latency::Ticks;
use workloads::count_primes;

use crate::exec::{Done, Job};

/// One CPU task: the primes in `lo..hi`, a check point at its entry and every `every` loop iterations.
fn job((lo, hi): (u64, u64), every: u64) -> Job<'static> {
    Box::new(move |g| {
        g.checkpoint(); // function entry
        let value = count_primes(lo, hi, every, &mut || {
            g.checkpoint();
        });
        Ok(Done::value(value))
    })
}

/// T CPU tasks, balanced or skewed as the workload says.
pub fn cpu(ctx: &RunCtx, every: u64) -> Vec<Job<'static>> {
    let p = ctx.params;
    (0..p.tasks)
        .map(|i| job(p.cpu_range(ctx.workload, i), every))
        .collect()
}

/// The ticker (R sleeps of D, each one's lateness recorded; its value is the rounds that ran), and C balanced CPU tasks: `(ticker, cpu jobs)`. The
/// ticker runs on its own thread beside the W that run the CPU jobs (see `exec::run`), as py-threading ticks on its
/// main thread beside the pool.
pub fn mixed(ctx: &RunCtx, every: u64) -> (Job<'static>, Vec<Job<'static>>) {
    let (p, delay) = (ctx.params, ctx.delay());
    let ticker: Job<'_> = Box::new(move |g| {
        let mut ticks = Ticks::default();
        for _ in 0..p.rounds {
            let t = Instant::now();
            g.allow_threads(|| std::thread::sleep(delay));
            // Measured once the thread has the GIL back, as `time.perf_counter()` would be.
            ticks.record(t, delay, Instant::now());
            g.checkpoint(); // the loop's back-edge
        }
        Ok(Done::ticks(ticks))
    });
    let cpu = (0..p.tasks)
        .map(|i| job(p.balanced_range(i), every))
        .collect();
    (ticker, cpu)
}
