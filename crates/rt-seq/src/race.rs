//! `race`: the W racers run one after another, so no update can be lost whatever `sync` says.

use harness::{Outcome, RunCtx};
use workloads::RaceCounter;
use workloads::race::race_worker;

/// W racers in a row on one counter; the checksum is its final value, `attempted` the sum of the racers' counts.
pub fn race(ctx: &RunCtx) -> Outcome {
    let p = ctx.params;
    let counter = RaceCounter::new();
    let attempted = (0..p.workers)
        .map(|_| race_worker(&counter, ctx.sync(), p.work, 0, false, &mut ()))
        .sum();
    Outcome::new(counter.get()).attempted(attempted)
}
