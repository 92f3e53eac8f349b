//! `race` as pool tasks: one racer per worker process, counting in its own memory (message passing) or, with
//! `--opt shared=true`, in one counter mapped by every worker.

use harness::{Outcome, RunCtx, RunError};

use crate::pool::Pool;
use crate::proto::{Task, sum};
use crate::shm::SharedCounter;

/// W racers, one per worker; the checksum is the shared counter's final value, or the sum of the local counts.
pub fn race(
    pool: &mut Pool,
    ctx: &RunCtx,
    counter: Option<&SharedCounter>,
) -> Result<Outcome, RunError> {
    let (p, sync) = (ctx.params, ctx.sync());
    let done = pool.each(
        (0..p.workers)
            .map(|_| Task::Race { k: p.work, sync })
            .collect(),
    )?;
    Ok(match counter {
        Some(c) => Outcome::new(c.counter().get()).extra("race", "shared memory: every worker incremented one counter in a memfd mapped by all"),
        None => Outcome::new(sum(&done)).extra("race", "message passing: each worker counted in its own memory and the parent summed the counts"),
    })
}
