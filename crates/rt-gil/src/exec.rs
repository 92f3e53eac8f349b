//! The two ways rt-gil maps jobs onto OS threads, each thread holding the GIL while it runs Python-level code: a
//! pool of W threads (`ThreadPoolExecutor(max_workers=W)`), or one thread per job (`Thread(target=task).start()`).

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};

use gil::{Gil, GilGuard};
use harness::RunError;

pub use harness::jobs::Done;

/// One task of the workload, run by a thread that holds the GIL through `g`. Jobs may borrow from the caller.
pub type Job<'a> = Box<dyn for<'g> FnOnce(&mut GilGuard<'g>) -> Result<Done, String> + Send + 'a>;

/// How jobs are mapped onto threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// W threads take jobs from one shared queue, in order.
    Pool { workers: u64 },
    /// One thread per job.
    PerTask,
}

/// Runs every job under `gil` and returns what they gave, in completion order; `beside` (the mixed ticker) runs on
/// its own thread, started first. The first failed job or failed spawn fails the run (after the threads already
/// started have finished).
pub fn run<'a>(
    gil: &Gil,
    mode: Mode,
    jobs: Vec<Job<'a>>,
    beside: Option<Job<'a>>,
) -> Result<Vec<Done>, RunError> {
    let total = jobs.len();
    let results = Mutex::new(Vec::with_capacity(total));
    let record = |r: Result<Done, String>| {
        results
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(r)
    };
    let queue = Mutex::new(VecDeque::from(jobs));
    let next = || {
        queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop_front()
    };
    let spawn_error = std::thread::scope(|s| -> Option<String> {
        // Why its own thread: the ticker stands beside the W workers in every model (docs/workloads.md, mixed), as
        // py-threading's main thread ticks beside its W pool threads; queued in the pool it would take one of them
        // for the whole run, and the CPU tasks would get W - 1 (none at W = 1 until it ends).
        if let Some(job) = beside {
            let record = &record;
            let spawned = std::thread::Builder::new()
                .name("ticker".into())
                .spawn_scoped(s, move || {
                    let mut g = gil.acquire();
                    record(job(&mut g));
                });
            if let Err(e) = spawned {
                return Some(format!("could not spawn the ticker thread: {e}"));
            }
        }
        match mode {
            Mode::Pool { workers } => {
                let (next, record) = (&next, &record);
                // Why an explicit W: every model is given the same worker count, never a default.
                for i in 0..workers {
                    let spawned = std::thread::Builder::new()
                        .name(format!("gil-pool-{i}"))
                        .spawn_scoped(s, move || {
                            // A pool thread runs Python code from its first instruction: it holds the GIL except
                            // inside blocking calls and when made to switch. The queue is full from the start, so
                            // taking the next job never blocks (Python's queue.get() would not release the GIL).
                            let mut g = gil.acquire();
                            while let Some(job) = next() {
                                record(job(&mut g));
                            }
                        });
                    if let Err(e) = spawned {
                        return Some(format!(
                            "could not spawn pool thread {} of {workers}: {e}",
                            i + 1
                        ));
                    }
                }
            }
            Mode::PerTask => {
                let record = &record;
                let mut i = 0;
                while let Some(job) = next() {
                    i += 1;
                    let spawned = std::thread::Builder::new().spawn_scoped(s, move || {
                        let mut g = gil.acquire();
                        record(job(&mut g));
                    });
                    if let Err(e) = spawned {
                        return Some(format!("could not spawn thread {i} of {total}: {e}"));
                    }
                }
                // Every thread exists now (the short ones may have ended): record the peak.
                harness::probe::sample_threads();
            }
        }
        None
    });
    if let Some(e) = spawn_error {
        return Err(RunError::Failed(e));
    }
    results
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
        .into_iter()
        .map(|r| r.map_err(RunError::Failed))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Duration;

    use super::*;

    /// The ticker runs while every one of the W pool threads is busy (W = 1 here): the only CPU job waits, with
    /// the GIL released, for a message the ticker sends, which would never come if the ticker were queued behind it.
    #[test]
    fn the_beside_job_runs_beside_a_busy_pool() {
        for mode in [Mode::Pool { workers: 1 }, Mode::PerTask] {
            let gil = Gil::new(Duration::from_millis(5));
            let (tx, rx) = mpsc::sync_channel::<()>(1);
            let cpu: Job<'_> = Box::new(move |g| {
                g.allow_threads(|| rx.recv_timeout(Duration::from_secs(5)))
                    .map_err(|_| "the ticker never ran beside the busy pool".to_string())?;
                Ok(Done::default())
            });
            let ticker: Job<'_> = Box::new(move |_| {
                let _ = tx.send(());
                Ok(Done::default())
            });
            let done = run(&gil, mode, vec![cpu], Some(ticker))
                .unwrap_or_else(|e| panic!("{mode:?}: {e}"));
            assert_eq!(done.len(), 2);
        }
    }
}
