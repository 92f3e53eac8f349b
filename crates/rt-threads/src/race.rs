//! `race` as jobs for OS threads: W racers increment one shared counter K times each, truly in parallel.

use harness::RunCtx;
use workloads::RaceCounter;
use workloads::race::race_worker;

use crate::exec::{Done, Job};

/// W racers on `counter`; their values are unused (the checksum is the counter's final value).
pub fn race<'a>(ctx: &RunCtx, counter: &'a RaceCounter) -> Vec<Job<'a>> {
    let (p, sync) = (ctx.params, ctx.sync());
    (0..p.workers)
        .map(|_| -> Job<'a> {
            Box::new(move || {
                race_worker(counter, sync, p.work, 0, false, &mut ());
                Ok(Done::default())
            })
        })
        .collect()
}
