//! `race`: W async-std tasks increment one shared counter K times each.
//!
//! By default the increment has no await between its load and its store, so only tasks running at the same moment
//! on different executor threads can interleave; with W workers there are W executor threads, so updates are lost
//! whenever W > 1. With `--opt yield=true` a `yield_now().await` sits between the load and the store, and updates
//! are lost even when a single thread runs all the racers.

use std::sync::Arc;

use harness::{Outcome, RunCtx, RunError};
use workloads::RaceCounter;
use workloads::race::{race_worker, yielding_worker};

pub const YIELD_HELP: &str =
    "race: await async_std::task::yield_now() between the load and the store (see yield_every)";
pub const YIELD_EVERY_HELP: &str =
    "race with yield=true: the yield point is in every N-th increment (1 = every increment)";
/// Why not 1: a yield costs far more than an increment, so yielding in every one of the 100 million increments per
/// worker of the standard size would make the run last tens of seconds. One increment in 64 still puts a yield
/// point between a load and a store about a million times per worker, which is enough to show the lost updates.
pub const DEFAULT_YIELD_EVERY: u64 = 64;

pub async fn race(ctx: &RunCtx) -> Result<Outcome, RunError> {
    let (p, sync) = (ctx.params, ctx.sync());
    let every = ctx.opt_bool("yield").then(|| ctx.opt_u64("yield_every"));
    let counter = Arc::new(RaceCounter::new());
    // With a yield point inside the critical section, `sync=lock` needs a lock that may be held across an await.
    let lock = Arc::new(async_std::sync::Mutex::new(()));
    let tasks: Vec<_> = (0..p.workers)
        .map(|_| {
            let (counter, lock) = (counter.clone(), lock.clone());
            async_std::task::spawn(async move {
                match every {
                    None => race_worker(&counter, sync, p.work, 0, false, &mut ()),
                    Some(n) => {
                        yielding_worker(
                            &counter,
                            sync,
                            p.work,
                            n,
                            || lock.lock(),
                            async_std::task::yield_now,
                        )
                        .await
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        t.await;
    }
    let out = Outcome::new(counter.get());
    Ok(match every {
        Some(n) => out.extra("yield_every", n),
        None => out,
    })
}
