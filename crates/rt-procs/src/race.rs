//! `race` as pool tasks: one racer per worker process. By default (`--opt shared=true`) every racer increments one
//! counter in shared memory mapped by all the workers, as CPython's `multiprocessing.RawValue`; with `shared=false`
//! each counts in its own memory and sends its final value back (message passing), so nothing can be lost.

use harness::contract::extra;
use harness::{Outcome, RunCtx, RunError};

use crate::pool::Pool;
use crate::proto::{Task, attempted, sum};
use crate::shm::SharedCounter;

/// W racers, one per worker; the checksum is the shared counter's final value, or the sum of the local ones, and
/// `attempted` the sum of the increments each racer counted and sent back.
pub fn race(
    pool: &mut Pool,
    ctx: &RunCtx,
    counter: Option<&SharedCounter>,
) -> Result<Outcome, RunError> {
    let (p, sync) = (ctx.params, ctx.sync());
    let done = pool.each(
        (0..p.workers)
            .map(|_| Task::Race {
                k: p.work,
                sync,
                racers: p.workers,
            })
            .collect(),
    )?;
    let performed = attempted(&done);
    Ok(match counter {
        Some(c) => Outcome::new(c.counter().get()).attempted(performed).extra(
            extra::RACE,
            "shared memory: every worker incremented one counter in a memfd mapped by all",
        ),
        None => Outcome::new(sum(&done)).attempted(performed).extra(
            extra::RACE,
            "message passing: each worker counted in its own memory and the parent summed the counts",
        ),
    })
}
