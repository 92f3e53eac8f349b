//! `cpu-balanced`, `cpu-skewed` and `mixed` as jobs for OS threads: prime counting, and the `mixed` ticker.

use harness::RunCtx;
use workloads::count_primes;

use crate::exec::{Done, Job};

/// One CPU task: the primes in `lo..hi`.
fn job((lo, hi): (u64, u64)) -> Job<'static> {
    Box::new(move || Ok(Done::value(count_primes(lo, hi, 0, &mut ()))))
}

/// T CPU tasks, balanced or skewed as the workload says.
pub fn cpu(ctx: &RunCtx) -> Vec<Job<'static>> {
    let p = ctx.params;
    (0..p.tasks)
        .map(|i| job(p.cpu_range(ctx.workload, i)))
        .collect()
}

/// The ticker (R sleeps of D, each one's lateness recorded; its value is the rounds that ran), and C balanced CPU tasks: `(ticker, cpu jobs)`. The
/// ticker runs on its own thread beside the W that run the CPU jobs (see `exec::run`).
pub fn mixed(ctx: &RunCtx) -> (Job<'static>, Vec<Job<'static>>) {
    let (p, delay) = (ctx.params, ctx.delay());
    let ticker: Job<'_> = Box::new(move || {
        Ok(Done::ticks(harness::jobs::ticker(p.rounds, delay, || {
            std::thread::sleep(delay)
        })))
    });
    let cpu = (0..p.tasks).map(|i| job(p.balanced_range(i))).collect();
    (ticker, cpu)
}
