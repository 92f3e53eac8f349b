//! `race`: W racers spawned in one `pool.scope` increment one shared counter K times each, truly in parallel.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use harness::{Outcome, RunCtx};
use rayon::ThreadPool;
use workloads::RaceCounter;
use workloads::race::race_worker;

/// W racers on one counter; the checksum is its final value, `attempted` the sum of the racers' counts.
pub fn race(pool: &ThreadPool, ctx: &RunCtx) -> Outcome {
    let (p, sync) = (ctx.params, ctx.sync());
    let counter = RaceCounter::new();
    // Each racer adds its count once, after its last increment: not shared while the racers run.
    let attempted = AtomicU64::new(0);
    pool.scope(|s| {
        for _ in 0..p.workers {
            s.spawn(|_| {
                let n = race_worker(&counter, sync, p.work, 0, false, &mut ());
                attempted.fetch_add(n, Relaxed);
            });
        }
    });
    Outcome::new(counter.get()).attempted(attempted.into_inner())
}
