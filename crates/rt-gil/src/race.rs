//! `race` as jobs for threads under the GIL: W racers increment one shared counter K times each, switching only
//! where CPython's eval loop could (check points), so updates are lost only where Python code would lose them.

use gil::Gil;
use harness::opts::RMW;
use harness::{RunCtx, RunError};
use workloads::race::race_worker;
use workloads::{RaceCounter, SyncMode};

use crate::exec::{Done, Job};

/// Whether `--opt rmw=call` puts a check point between each load and store.
pub fn call(ctx: &RunCtx) -> bool {
    ctx.opt(RMW) == "call"
}

/// Refuses `sync=lock` with `rmw=call` under an enabled GIL, which would deadlock.
pub fn check(ctx: &RunCtx, gil: &Gil) -> Result<(), RunError> {
    if call(ctx) && ctx.sync() == SyncMode::Lock && gil.enabled() {
        return Err(RunError::Usage(
            "--opt sync=lock with --opt rmw=call would deadlock here: the kernel's mutex is held across the check point, and the emulation cannot release the GIL while a thread blocks on it; use sync=none or sync=atomic, or rmw=plain".into(),
        ));
    }
    Ok(())
}

/// W racers on `counter`; each one's value is the increments it performed (they sum to `attempted`; the checksum is
/// the counter's final value).
pub fn race<'a>(ctx: &RunCtx, counter: &'a RaceCounter, every: u64) -> Vec<Job<'a>> {
    let (p, sync, call) = (ctx.params, ctx.sync(), call(ctx));
    (0..p.workers)
        .map(|_| -> Job<'a> {
            Box::new(move |g| {
                g.checkpoint();
                // Back-edge check points every `every` increments; with rmw=call also one between
                // each load and store (the call in `counter += f()`).
                let performed = race_worker(counter, sync, p.work, every, call, &mut || {
                    g.checkpoint();
                });
                Ok(Done {
                    value: performed,
                    ..Done::default()
                })
            })
        })
        .collect()
}
