//! Each workload as tasks for the pool: what the parent sends, and how it folds the answers into an outcome.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use harness::{LatencyRecorder, Outcome, RunCtx, RunError};
use workloads::Workload;

use crate::pool::Pool;
use crate::proto::{Done, Task};
use crate::shm::SharedCounter;

/// Runs `ctx.workload` on a started pool.
pub fn run(
    pool: &mut Pool,
    ctx: &RunCtx,
    chunksize: usize,
    counter: Option<&SharedCounter>,
) -> Result<Outcome, RunError> {
    let p = ctx.params;
    let ids = 0..p.tasks;
    Ok(match ctx.workload {
        w @ (Workload::CpuBalanced | Workload::CpuSkewed) => {
            let tasks = ids
                .map(|i| p.cpu_range(w, i))
                .map(|(lo, hi)| Task::Primes { lo, hi })
                .collect();
            Outcome::new(sum(&pool.map(tasks, chunksize)?))
        }
        Workload::IoSleep => with_latency(
            pool.map(
                ids.map(|id| Task::Sleep {
                    id,
                    delay_ms: p.delay_ms,
                })
                .collect(),
                chunksize,
            )?,
        ),
        Workload::IoNet => with_latency(
            pool.map(
                ids.map(|id| Task::Net {
                    id,
                    delay_ms: p.delay_ms,
                })
                .collect(),
                chunksize,
            )?,
        ),
        Workload::IoFile => {
            let done = pool.map(
                ids.map(|id| Task::File {
                    id,
                    size_kib: p.size_kib,
                })
                .collect(),
                chunksize,
            )?;
            Outcome::new(
                done.iter()
                    .fold(0, |acc, d| workloads::file::combine(acc, d.value)),
            )
        }
        Workload::Mixed => {
            // The CPU tasks go to the workers while the parent's own thread runs the ticker, as a Python
            // program would with `pool.map_async` and a loop of `time.sleep`.
            let tasks = ids
                .map(|i| p.balanced_range(i))
                .map(|(lo, hi)| Task::Primes { lo, hi })
                .collect();
            let mut lat = LatencyRecorder::new();
            let failed = AtomicBool::new(false);
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
                    lat.record(harness::latency::lateness(t, ctx.delay(), Instant::now()));
                }
                cpu.join().unwrap_or_else(|_| {
                    Err(RunError::Failed("the dispatch thread panicked".into()))
                })
            })?;
            Outcome::new(sum(&done) + p.rounds).latency(lat)
        }
        Workload::Race => {
            let sync = ctx.sync();
            let done = pool.each(
                (0..p.workers)
                    .map(|_| Task::Race { k: p.work, sync })
                    .collect(),
            )?;
            match counter {
                Some(c) => Outcome::new(c.counter().get()).extra("race", "shared memory: every worker incremented one counter in a memfd mapped by all"),
                None => Outcome::new(sum(&done)).extra("race", "message passing: each worker counted in its own memory and the parent summed the counts"),
            }
        }
    })
}

fn sum(done: &[Done]) -> u64 {
    done.iter().map(|d| d.value).sum()
}

/// The outcome of io-sleep or io-net: the sum of the values, and the latency samples the workers measured.
fn with_latency(done: Vec<Done>) -> Outcome {
    let mut lat = LatencyRecorder::new();
    done.iter()
        .filter_map(|d| d.latency_ns)
        .for_each(|ns| lat.record(std::time::Duration::from_nanos(ns)));
    Outcome::new(sum(&done)).latency(lat)
}
