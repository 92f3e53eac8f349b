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

/// Runs every job under `gil` and returns what they gave, in completion order. The first failed job or failed
/// spawn fails the run (after the threads already started have finished).
pub fn run(gil: &Gil, mode: Mode, jobs: Vec<Job<'_>>) -> Result<Vec<Done>, RunError> {
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
