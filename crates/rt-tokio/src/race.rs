//! `race`: W tokio tasks increment one shared counter K times each.
//!
//! By default the increment has no await between its load and its store, so only tasks running at the same moment
//! on different worker threads can interleave: `current-thread` loses nothing, `multi-thread` loses updates. With
//! `--opt yield=true` a `yield_now().await` sits between the load and the store, and even one thread loses updates.

use std::sync::Arc;

use harness::opts::{YIELD, YIELD_EVERY};
use harness::tasks::{race_outcome, racer};
use harness::{Outcome, RunCtx, RunError};
use workloads::RaceCounter;

use crate::join::join_all;

pub const YIELD_HELP: &str =
    "race: await tokio::task::yield_now() between the load and the store (see yield_every)";

pub async fn race(ctx: &RunCtx) -> Result<Outcome, RunError> {
    let (p, sync) = (ctx.params, ctx.sync());
    let every = ctx.opt_bool(YIELD).then(|| ctx.opt_u64(YIELD_EVERY));
    let counter = Arc::new(RaceCounter::new());
    // With a yield point inside the critical section, `sync=lock` needs a lock that may be held across an await.
    let lock = Arc::new(tokio::sync::Mutex::new(()));
    // Kept per runtime on purpose: its own spawn, async mutex and yield_now.
    let handles = (0..p.workers)
        .map(|_| {
            let (counter, lock) = (counter.clone(), lock.clone());
            tokio::spawn(async move {
                racer(
                    &counter,
                    sync,
                    p.work,
                    every,
                    || lock.lock(),
                    tokio::task::yield_now,
                )
                .await
            })
        })
        .collect();
    let attempted = join_all("race worker", handles).await?.into_iter().sum();
    Ok(race_outcome(counter.get(), attempted, every))
}
