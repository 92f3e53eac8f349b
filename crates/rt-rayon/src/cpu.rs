//! `cpu-balanced`, `cpu-skewed` and `mixed`: prime counting through parallel iterators and `pool.scope`, balanced
//! by work stealing.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use harness::{LatencyRecorder, Outcome, RunCtx};
use rayon::ThreadPool;
use rayon::prelude::*;
use workloads::count_primes;

use crate::io;

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

/// mixed: the ticker and C balanced CPU tasks, spawned in one `pool.scope`.
pub fn mixed(pool: &ThreadPool, ctx: &RunCtx) -> Outcome {
    let (p, delay) = (ctx.params, ctx.delay());
    let found = AtomicU64::new(0);
    let mut lat = LatencyRecorder::new();
    pool.scope(|s| {
        // The ticker is spawned first so that an idle thread picks it up before the CPU tasks; while it
        // sleeps it holds its pool thread (rayon has no timer), which the notes say.
        let lat = &mut lat;
        let found = &found;
        s.spawn(move |_| {
            for _ in 0..p.rounds {
                lat.record(io::sleep_late(delay));
                found.fetch_add(1, Relaxed);
            }
        });
        for i in 0..p.tasks {
            s.spawn(move |_| {
                let (lo, hi) = p.balanced_range(i);
                found.fetch_add(count_primes(lo, hi, 0, &mut ()), Relaxed);
            });
        }
    });
    Outcome::new(found.into_inner()).latency(lat)
}
