//! `cpu-balanced`, `cpu-skewed` and `mixed` as pool tasks: prime counting in the workers, and (mixed) the ticker on
//! the parent's own thread.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use harness::latency::Ticks;
use harness::{LatencyRecorder, Outcome, RunCtx, RunError};

use crate::pool::Pool;
use crate::proto::{Task, sum};

/// cpu-balanced, cpu-skewed: T CPU tasks, mapped in chunks.
pub fn cpu(pool: &mut Pool, ctx: &RunCtx, chunksize: usize) -> Result<Outcome, RunError> {
    let p = ctx.params;
    let tasks = (0..p.tasks)
        .map(|i| p.cpu_range(ctx.workload, i))
        .map(|(lo, hi)| Task::Primes { lo, hi })
        .collect();
    Ok(Outcome::new(sum(&pool.map(tasks, chunksize)?)))
}

/// mixed: C balanced CPU tasks in the workers while the parent ticks.
pub fn mixed(pool: &mut Pool, ctx: &RunCtx, chunksize: usize) -> Result<Outcome, RunError> {
    let p = ctx.params;
    // The CPU tasks go to the workers while the parent's own thread runs the ticker, as a Python
    // program would with `pool.map_async` and a loop of `time.sleep`.
    let tasks = (0..p.tasks)
        .map(|i| p.balanced_range(i))
        .map(|(lo, hi)| Task::Primes { lo, hi })
        .collect();
    let mut ticks = Ticks::default();
    let failed = AtomicBool::new(false);
    // The run's submission instant: just before the ticker and the dispatch start (see harness::latency).
    let submitted = Instant::now();
    let done = std::thread::scope(|s| {
        let cpu = s.spawn(|| {
            let done = pool.map(tasks, chunksize);
            failed.store(done.is_err(), Ordering::Relaxed);
            done
        });
        // A failed dispatch ends the ticker too, so that the run reports the failure at once.
        for _ in (0..p.rounds).take_while(|_| !failed.load(Ordering::Relaxed)) {
            let t = Instant::now();
            std::thread::sleep(ctx.delay());
            ticks.record(t, ctx.delay(), Instant::now());
        }
        cpu.join()
            .unwrap_or_else(|_| Err(RunError::Failed("the dispatch thread panicked".into())))
    })?;
    // The rounds that ran, not R: a ticker cut short must not pass.
    let mut lat = LatencyRecorder::new();
    ticks.lateness_ms.iter().for_each(|&l| lat.record_ms(l));
    Ok(Outcome::new(sum(&done) + ticks.rounds())
        .latency(lat)
        .sojourn(harness::latency::sojourns_ms(submitted, &ticks.ends)))
}
