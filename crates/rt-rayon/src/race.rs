//! `race`: W racers spawned in one `pool.scope` increment one shared counter K times each, truly in parallel.

use harness::{Outcome, RunCtx};
use rayon::ThreadPool;
use workloads::RaceCounter;
use workloads::race::race_worker;

/// W racers on one counter; the checksum is its final value.
pub fn race(pool: &ThreadPool, ctx: &RunCtx) -> Outcome {
    let (p, sync) = (ctx.params, ctx.sync());
    let counter = RaceCounter::new();
    pool.scope(|s| {
        for _ in 0..p.workers {
            s.spawn(|_| race_worker(&counter, sync, p.work, 0, false, &mut ()));
        }
    });
    Outcome::new(counter.get())
}
