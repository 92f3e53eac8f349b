//! `cpu-balanced`, `cpu-skewed` and `mixed`: prime counting through parallel iterators and `pool.scope`, balanced
//! by work stealing.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Instant;

use harness::jobs::Done;
use harness::latency::Ticks;
use harness::{Outcome, RunCtx};
use rayon::ThreadPool;
use rayon::prelude::*;
use workloads::{RaceCounter, Workload, count_primes};

/// Task ids `0..n` as a parallel iterator. Why `with_max_len(1)`: every item is a whole task (milliseconds of work
/// or a blocking call), so letting rayon split down to single items costs nothing and lets any idle thread steal
/// any remaining task.
pub fn each_task(n: u64) -> impl IndexedParallelIterator<Item = u64> {
    (0..n as usize)
        .into_par_iter()
        .with_max_len(1)
        .map(|i| i as u64)
}

/// cpu-balanced, cpu-skewed: T CPU tasks as one parallel iterator.
pub fn cpu(pool: &ThreadPool, ctx: &RunCtx) -> Outcome {
    let (p, w) = (ctx.params, ctx.workload);
    let found = pool.install(|| {
        each_task(p.tasks)
            .map(|i| {
                let (lo, hi) = p.cpu_range(w, i);
                count_primes(lo, hi, 0, &mut ())
            })
            .sum()
    });
    Outcome::new(found)
}

/// mixed: the ticker and C balanced CPU tasks, spawned in one `pool.scope`; the ticker's value is the rounds that
/// ran.
pub fn mixed(pool: &ThreadPool, ctx: &RunCtx) -> Outcome {
    let (p, delay) = (ctx.params, ctx.delay());
    let found = AtomicU64::new(0);
    let mut ticks = Ticks::default();
    // The run's submission instant: just before the ticker, the first task, is spawned (see harness::latency).
    let submitted = Instant::now();
    pool.scope(|s| {
        // The ticker is spawned first so that an idle thread picks it up before the CPU tasks; while it
        // sleeps it holds its pool thread (rayon has no timer), which the notes say.
        let ticks = &mut ticks;
        let found = &found;
        s.spawn(move |_| {
            *ticks = harness::jobs::ticker(p.rounds, delay, || std::thread::sleep(delay));
        });
        for i in 0..p.tasks {
            s.spawn(move |_| {
                let (lo, hi) = p.balanced_range(i);
                found.fetch_add(count_primes(lo, hi, 0, &mut ()), Relaxed);
            });
        }
    });
    let done = [Done::value(found.into_inner()), Done::ticks(ticks)];
    harness::jobs::outcome(Workload::Mixed, &done, &RaceCounter::new(), submitted)
}
