//! `cpu-balanced`, `cpu-skewed` and `mixed`: prime counting as smol tasks, inline or on the blocking pool.

use std::time::{Duration, Instant};

use harness::contract::extra;
use harness::opts::OFFLOAD;
use harness::tasks::{join_in_order, mixed_outcome, ticker};
use harness::{Outcome, RunCtx, RunError};
use smol::Task;
use workloads::count_primes;

use crate::exec::Exec;

pub const OFFLOAD_HELP: &str = "cpu-balanced, cpu-skewed, mixed: run each CPU task on smol's blocking pool \
     (unblock) instead of inline as an async task";

/// One CPU task: the primes in `lo..hi`, and how long counting them took.
fn count(lo: u64, hi: u64) -> (u64, Duration) {
    let t = Instant::now();
    (count_primes(lo, hi, 0, &mut ()), t.elapsed())
}

/// Spawns one CPU task. Inline (the default) it is an ordinary async task that never awaits, so it holds its
/// executor thread until done: the pattern the article warns about. With `offload` it goes to `smol::unblock`.
fn spawn_cpu(ex: &Exec<'_>, offload: bool, (lo, hi): (u64, u64)) -> Task<(u64, Duration)> {
    if offload {
        smol::unblock(move || count(lo, hi))
    } else {
        ex.spawn(async move { count(lo, hi) })
    }
}

pub async fn cpu(ex: &Exec<'_>, ctx: &RunCtx) -> Result<Outcome, RunError> {
    let (p, offload) = (ctx.params, ctx.opt_bool(OFFLOAD));
    let tasks: Vec<_> = (0..p.tasks)
        .map(|i| spawn_cpu(ex, offload, p.cpu_range(ctx.workload, i)))
        .collect();
    let found: u64 = join_in_order(tasks).await.iter().map(|r| r.0).sum();
    Ok(Outcome::new(found).extra(extra::OFFLOAD, offload))
}

pub async fn mixed(ex: &Exec<'_>, ctx: &RunCtx) -> Result<Outcome, RunError> {
    let (p, offload, delay) = (ctx.params, ctx.opt_bool(OFFLOAD), ctx.delay());
    // The run's submission instant: just before the ticker, the first task, is spawned (see harness::latency).
    let submitted = Instant::now();
    // The ticker is spawned first, so it starts its first wait before any CPU task runs (as in every model). Why a
    // task on the same executor: the ticker is its own task beside the W workers in every model, and in an event
    // loop that means one more task, not a thread of its own. On a one-thread loop (single) it shares
    // the only thread with the CPU tasks and wakes only between two of them: that lateness is the model's own cost.
    let ticker = ex.spawn(ticker(p.rounds, delay, smol::Timer::after));
    let tasks: Vec<_> = (0..p.tasks)
        .map(|i| spawn_cpu(ex, offload, p.balanced_range(i)))
        .collect();
    let done = join_in_order(tasks).await;
    let ticks = ticker.await;
    Ok(mixed_outcome(&done, ticks, submitted).extra(extra::OFFLOAD, offload))
}
