//! `rt-rayon`: data parallelism with work stealing, on a `rayon::ThreadPool` of exactly `--workers` threads.
//!
//! CPU tasks go through parallel iterators, so idle threads steal work from busy ones: this is the model to compare
//! with a static split or a shared queue on `cpu-skewed`. The I/O workloads make their blocking calls on the pool's
//! threads (rayon has no I/O reactor), so only W are ever in flight. `mixed` and `race` run inside `pool.scope`.
//!
//! What it is not: the global rayon pool (its size is an ambient default, one thread per core), nor an async
//! runtime. The pool is built inside `run`, so its start-up is part of the measured time (dropping it only signals
//! its threads to stop; rayon does not join them).

mod io;

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use harness::{Info, LatencyRecorder, Model, Outcome, RunCtx, RunError, Runtime};
use rayon::prelude::*;
use workloads::{RaceCounter, Workload, count_primes, race::race_worker};

struct Rayon;

impl Runtime for Rayon {
    fn info(&self) -> Info {
        Info::new("rt-rayon", "Rayon", Model::Parallel)
            .variant("pool", "a rayon ThreadPool of W threads; parallel iterators with work stealing")
            .workloads(Workload::ALL)
            .versions(harness::locked_versions!("rayon", "rayon-core"))
            .notes("CPU tasks are split to single tasks and balanced by work stealing. I/O tasks block a pool thread each: only W are in flight, as with any blocking pool. In mixed, the ticker holds one pool thread while it sleeps.")
    }

    fn run(&self, ctx: &RunCtx) -> Result<Outcome, RunError> {
        let p = ctx.params;
        // Why explicit: the global pool would take one thread per core whatever --workers says.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(p.workers as usize)
            .thread_name(|i| format!("rayon-{i}"))
            .build()
            .map_err(|e| {
                RunError::failed(format!("could not start {} rayon threads", p.workers), e)
            })?;
        // The pool's threads exist once `build` returns: record the peak (main thread + W) now.
        harness::probe::sample_threads();
        let delay = ctx.delay();
        Ok(match ctx.workload {
            w @ (Workload::CpuBalanced | Workload::CpuSkewed) => {
                let found = pool.install(|| {
                    each_task(p.tasks)
                        .map(|i| {
                            let (lo, hi) = p.cpu_range(w, i);
                            count_primes(lo, hi, 0, &mut ())
                        })
                        .sum()
                });
                Outcome::new(found)
            }
            Workload::IoSleep => io::sleep(&pool, p.tasks, delay),
            Workload::IoNet => io::net(&pool, p.tasks, ctx.server()?, p.delay_ms)?,
            Workload::IoFile => io::file(&pool, p.tasks, p.size_kib)?,
            Workload::Mixed => {
                let found = AtomicU64::new(0);
                let mut lat = LatencyRecorder::new();
                pool.scope(|s| {
                    // The ticker is spawned first so that an idle thread picks it up before the CPU tasks; while it
                    // sleeps it holds its pool thread (rayon has no timer), which the notes say.
                    let lat = &mut lat;
                    let found = &found;
                    s.spawn(move |_| {
                        for _ in 0..p.rounds {
                            lat.record(io::sleep_late(delay));
                            found.fetch_add(1, Relaxed);
                        }
                    });
                    for i in 0..p.tasks {
                        s.spawn(move |_| {
                            let (lo, hi) = p.balanced_range(i);
                            found.fetch_add(count_primes(lo, hi, 0, &mut ()), Relaxed);
                        });
                    }
                });
                Outcome::new(found.into_inner()).latency(lat)
            }
            Workload::Race => {
                let counter = RaceCounter::new();
                let sync = ctx.sync();
                pool.scope(|s| {
                    for _ in 0..p.workers {
                        s.spawn(|_| race_worker(&counter, sync, p.work, 0, false, &mut ()));
                    }
                });
                Outcome::new(counter.get())
            }
        })
    }
}

/// Task ids `0..n` as a parallel iterator. Why `with_max_len(1)`: every item is a whole task (milliseconds of work
/// or a blocking call), so letting rayon split down to single items costs nothing and lets any idle thread steal
/// any remaining task.
fn each_task(n: u64) -> impl IndexedParallelIterator<Item = u64> {
    (0..n as usize)
        .into_par_iter()
        .with_max_len(1)
        .map(|i| i as u64)
}

fn main() {
    harness::main(Rayon)
}
