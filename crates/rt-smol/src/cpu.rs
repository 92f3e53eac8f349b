//! `cpu-balanced`, `cpu-skewed` and `mixed`: prime counting as smol tasks, inline or on the blocking pool.

use std::time::{Duration, Instant};

use harness::{LatencyRecorder, Outcome, RunCtx, RunError};
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
    let (p, offload) = (ctx.params, ctx.opt_bool("offload"));
    let tasks: Vec<_> = (0..p.tasks)
        .map(|i| spawn_cpu(ex, offload, p.cpu_range(ctx.workload, i)))
        .collect();
    let mut found = 0;
    for t in tasks {
        found += t.await.0;
    }
    Ok(Outcome::new(found).extra("offload", offload))
}

pub async fn mixed(ex: &Exec<'_>, ctx: &RunCtx) -> Result<Outcome, RunError> {
    let (p, offload, delay) = (ctx.params, ctx.opt_bool("offload"), ctx.delay());
    // The ticker is spawned first, so it starts its first wait before any CPU task runs (as in every model).
    let ticker = ex.spawn(async move {
        let mut lat = LatencyRecorder::new();
        for _ in 0..p.rounds {
            let t = Instant::now();
            smol::Timer::after(delay).await;
            lat.record(harness::latency::lateness(t, delay, Instant::now()));
        }
        lat
    });
    let tasks: Vec<_> = (0..p.tasks)
        .map(|i| spawn_cpu(ex, offload, p.balanced_range(i)))
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
