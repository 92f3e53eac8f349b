//! `race` as jobs for OS threads: W racers increment one shared counter K times each, truly in parallel.

use harness::RunCtx;
use workloads::RaceCounter;
use workloads::race::race_worker;

use crate::exec::{Done, Job};

/// W racers on `counter`; each one's value is the increments it performed (they sum to `attempted`; the checksum is
/// the counter's final value).
pub fn race<'a>(ctx: &RunCtx, counter: &'a RaceCounter) -> Vec<Job<'a>> {
    let (p, sync) = (ctx.params, ctx.sync());
    (0..p.workers)
        .map(|_| -> Job<'a> {
            Box::new(move || {
                Ok(Done {
                    value: race_worker(counter, sync, p.work, 0, false, &mut ()),
                    ..Done::default()
                })
            })
        })
        .collect()
}
