//! `cpu-balanced`, `cpu-skewed` and `mixed`: prime counting as async-std tasks, inline or on the blocking pool.

use std::time::{Duration, Instant};

use async_std::task::{self, JoinHandle};
use harness::{LatencyRecorder, Outcome, RunCtx, RunError};
use workloads::count_primes;

pub const OFFLOAD_HELP: &str = "cpu-balanced, cpu-skewed, mixed: run each CPU task on async-std's blocking pool \
     (task::spawn_blocking) instead of inline as an async task";

/// One CPU task: the primes in `lo..hi`, and how long counting them took.
fn count(lo: u64, hi: u64) -> (u64, Duration) {
    let t = Instant::now();
    (count_primes(lo, hi, 0, &mut ()), t.elapsed())
}

/// Spawns one CPU task. Inline (the default) it is an ordinary async task that never awaits, so it holds its
/// executor thread until done: the pattern the article warns about. With `offload` it goes to `spawn_blocking`.
fn spawn_cpu(offload: bool, (lo, hi): (u64, u64)) -> JoinHandle<(u64, Duration)> {
    if offload {
        task::spawn_blocking(move || count(lo, hi))
    } else {
        task::spawn(async move { count(lo, hi) })
    }
}

pub async fn cpu(ctx: &RunCtx) -> Result<Outcome, RunError> {
    let (p, offload) = (ctx.params, ctx.opt_bool("offload"));
    let tasks: Vec<_> = (0..p.tasks)
        .map(|i| spawn_cpu(offload, p.cpu_range(ctx.workload, i)))
        .collect();
    harness::probe::sample_threads();
    let mut found = 0;
    for t in tasks {
        found += t.await.0;
    }
    Ok(Outcome::new(found).extra("offload", offload))
}

pub async fn mixed(ctx: &RunCtx) -> Result<Outcome, RunError> {
    let (p, offload, delay) = (ctx.params, ctx.opt_bool("offload"), ctx.delay());
    // The ticker is spawned first, so it starts its first wait before any CPU task runs (as in every model).
    let ticker = task::spawn(async move {
        let mut lat = LatencyRecorder::new();
        for _ in 0..p.rounds {
            let t = Instant::now();
            task::sleep(delay).await;
            lat.record(harness::latency::lateness(t, delay, Instant::now()));
        }
        lat
    });
    let tasks: Vec<_> = (0..p.tasks)
        .map(|i| spawn_cpu(offload, p.balanced_range(i)))
        .collect();
    let (mut found, mut task_ms) = (0, Vec::new());
    for t in tasks {
        let (n, took) = t.await;
        found += n;
        task_ms.push(took.as_secs_f64() * 1000.0);
    }
    let lat = ticker.await;
    let rounds = lat.samples().len() as u64;
    Ok(Outcome::new(found + rounds)
        .latency(lat)
        .extra("offload", offload)
        .extra(
            "cpu_task_ms_min",
            task_ms.iter().copied().fold(f64::INFINITY, f64::min),
        )
        .extra(
            "cpu_task_ms_max",
            task_ms.iter().copied().fold(0.0, f64::max),
        ))
}
