//! The two ways rt-threads runs a list of jobs: a pool of W threads fed by a crossbeam channel, or one OS thread
//! per job.

use crossbeam_channel::unbounded;
use harness::RunError;

pub use harness::jobs::Done;

/// One task of the workload. Jobs may borrow from the caller (the run's counter, its scratch directory).
pub type Job<'a> = Box<dyn FnOnce() -> Result<Done, String> + Send + 'a>;

/// How jobs are mapped onto threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// W threads pull jobs from one shared channel, in order: Python's ThreadPoolExecutor.
    Pool { workers: u64 },
    /// One thread per job: the article's `Thread(target=task).start()` loop.
    PerTask,
}

/// Runs every job and returns what they gave, in completion order; `beside` (the mixed ticker) runs on its own
/// thread, started first. The first failed job or failed spawn fails the run (after the threads already started
/// have finished).
pub fn run<'a>(
    mode: Mode,
    jobs: Vec<Job<'a>>,
    beside: Option<Job<'a>>,
) -> Result<Vec<Done>, RunError> {
    let total = jobs.len();
    let (done_tx, done_rx) = unbounded::<Result<Done, String>>();
    let spawn_error = std::thread::scope(|s| -> Option<String> {
        // Why its own thread: the ticker stands beside the W workers in every model (docs/workloads.md, mixed), so
        // the CPU jobs get all W threads, as in the event loops, rt-procs and py-threading; queued in the pool it
        // would take one of them for the whole run (one core of two at W = 2) and wait behind nothing.
        if let Some(job) = beside {
            let done_tx = done_tx.clone();
            let spawned = std::thread::Builder::new()
                .name("ticker".into())
                .spawn_scoped(s, move || {
                    let _ = done_tx.send(job());
                });
            if let Err(e) = spawned {
                return Some(format!("could not spawn the ticker thread: {e}"));
            }
        }
        match mode {
            Mode::Pool { workers } => {
                let (job_tx, job_rx) = unbounded::<Job<'_>>();
                for job in jobs {
                    job_tx.send(job).expect("the receiver is alive");
                }
                drop(job_tx);
                // Why an explicit W: fairness demands every model be given the same worker count, never a default.
                for i in 0..workers {
                    let (job_rx, done_tx) = (job_rx.clone(), done_tx.clone());
                    let spawned = std::thread::Builder::new()
                        .name(format!("pool-{i}"))
                        .spawn_scoped(s, move || {
                            for job in job_rx.iter() {
                                let _ = done_tx.send(job());
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
                for (i, job) in jobs.into_iter().enumerate() {
                    let done_tx = done_tx.clone();
                    let spawned = std::thread::Builder::new().spawn_scoped(s, move || {
                        let _ = done_tx.send(job());
                    });
                    if let Err(e) = spawned {
                        return Some(format!("could not spawn thread {} of {total}: {e}", i + 1));
                    }
                }
                // Every thread exists now (the short ones may have ended): record the peak.
                harness::probe::sample_threads();
            }
        }
        None
    });
    drop(done_tx);
    if let Some(e) = spawn_error {
        return Err(RunError::Failed(e));
    }
    let mut out = Vec::with_capacity(total);
    for r in done_rx.iter() {
        out.push(r.map_err(RunError::Failed)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// A CPU job that waits for a message from the ticker job, which would never come if the ticker were queued
    /// behind it on a busy pool.
    fn waiting_pair() -> (Job<'static>, Job<'static>) {
        let (tx, rx) = crossbeam_channel::bounded::<()>(1);
        let cpu: Job<'_> = Box::new(move || {
            rx.recv_timeout(Duration::from_secs(5))
                .map_err(|_| "the ticker never ran beside the busy pool".to_string())?;
            Ok(Done::default())
        });
        let ticker: Job<'_> = Box::new(move || {
            let _ = tx.send(());
            Ok(Done::default())
        });
        (cpu, ticker)
    }

    /// The ticker runs while every one of the W pool threads is busy (W = 1 here).
    #[test]
    fn the_beside_job_runs_beside_a_busy_pool() {
        for mode in [Mode::Pool { workers: 1 }, Mode::PerTask] {
            let (cpu, ticker) = waiting_pair();
            let done =
                run(mode, vec![cpu], Some(ticker)).unwrap_or_else(|e| panic!("{mode:?}: {e}"));
            assert_eq!(done.len(), 2);
        }
    }
}
