//! `cpu-balanced`, `cpu-skewed` and `mixed`: prime counting as tokio tasks, inline or on the blocking pool.

use std::time::{Duration, Instant};

use harness::contract::extra;
use harness::opts::OFFLOAD;
use harness::tasks::{mixed_outcome, ticker};
use harness::{Outcome, RunCtx, RunError};
use tokio::task::JoinHandle;
use workloads::count_primes;

use crate::join::join_all;

pub const OFFLOAD_HELP: &str = "cpu-balanced, cpu-skewed, mixed: run each CPU task on tokio's blocking pool \
     (spawn_blocking) instead of inline as an async task";

/// One CPU task: the primes in `lo..hi`, and how long counting them took.
fn count(lo: u64, hi: u64) -> (u64, Duration) {
    let t = Instant::now();
    (count_primes(lo, hi, 0, &mut ()), t.elapsed())
}

/// Spawns one CPU task. Inline (the default) it is an ordinary async task that never awaits, so it holds its
/// executor thread until done: the pattern the article warns about. With `offload` it goes to `spawn_blocking`.
fn spawn_cpu(offload: bool, (lo, hi): (u64, u64)) -> JoinHandle<(u64, Duration)> {
    if offload {
        tokio::task::spawn_blocking(move || count(lo, hi))
    } else {
        tokio::spawn(async move { count(lo, hi) })
    }
}

pub async fn cpu(ctx: &RunCtx) -> Result<Outcome, RunError> {
    let (p, offload) = (ctx.params, ctx.opt_bool(OFFLOAD));
    let handles = (0..p.tasks)
        .map(|i| spawn_cpu(offload, p.cpu_range(ctx.workload, i)))
        .collect();
    let found = join_all("CPU task", handles)
        .await?
        .iter()
        .map(|r| r.0)
        .sum::<u64>();
    Ok(Outcome::new(found).extra(extra::OFFLOAD, offload))
}

pub async fn mixed(ctx: &RunCtx) -> Result<Outcome, RunError> {
    let (p, offload, delay) = (ctx.params, ctx.opt_bool(OFFLOAD), ctx.delay());
    // The run's submission instant: just before the ticker, the first task, is spawned (see harness::latency).
    let submitted = Instant::now();
    // The ticker is spawned first, so it starts its first wait before any CPU task runs (as in every model). Why a
    // task on the same executor: the ticker is its own task beside the W workers in every model, and in an event
    // loop that means one more task, not a thread of its own. On a one-thread loop (current-thread) it shares
    // the only thread with the CPU tasks and wakes only between two of them: that lateness is the model's own cost.
    let ticker = tokio::spawn(ticker(p.rounds, delay, tokio::time::sleep));
    let handles = (0..p.tasks)
        .map(|i| spawn_cpu(offload, p.balanced_range(i)))
        .collect();
    let done = join_all("CPU task", handles).await?;
    let ticks = join_all("ticker", vec![ticker]).await?.remove(0);
    Ok(mixed_outcome(&done, ticks, submitted).extra(extra::OFFLOAD, offload))
}
