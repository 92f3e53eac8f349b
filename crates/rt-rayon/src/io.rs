//! The I/O workloads: every task makes its blocking call on a pool thread, so at most W are in flight.

use std::time::{Duration, Instant};

use harness::jobs::{Done, ms, timed_wait};
use harness::tasks::request_failed;
use harness::{Outcome, RunError, ScratchDir};
use rayon::ThreadPool;
use rayon::prelude::*;
use workloads::spec::sleep_value;
use workloads::{Params, RaceCounter, Workload, blocking};

use crate::cpu::each_task;

/// io-sleep: T sleeps of `delay`, each blocking its pool thread.
pub fn sleep(pool: &ThreadPool, tasks: u64, delay: Duration) -> Outcome {
    // The run's submission instant: just before the tasks are handed to the pool (see harness::latency).
    let submitted = Instant::now();
    let done: Vec<Done> = pool.install(|| {
        each_task(tasks)
            .map(|id| {
                let (late, end) = timed_wait(delay, || std::thread::sleep(delay));
                Done::timed(sleep_value(id), late, end)
            })
            .collect()
    });
    harness::jobs::outcome(Workload::IoSleep, &done, &RaceCounter::new(), submitted)
}

/// io-net: T blocking requests to the delay server at `addr`, with the run's nonce.
pub fn net(pool: &ThreadPool, p: Params, addr: std::net::SocketAddr) -> Result<Outcome, RunError> {
    // The run's submission instant, just before the first task starts (see harness::latency).
    let submitted = Instant::now();
    let done: Result<Vec<Done>, RunError> = pool.install(|| {
        each_task(p.tasks)
            .map(|id| {
                let (reply, rtt) = blocking::net_request(addr, id, p.nonce, p.delay_ms)
                    .map_err(|e| request_failed(id as usize, addr, e))?;
                Ok(Done::timed(reply, ms(rtt), Instant::now()))
            })
            .collect()
    });
    Ok(harness::jobs::outcome(
        Workload::IoNet,
        &done?,
        &RaceCounter::new(),
        submitted,
    ))
}

/// io-file: T blocking write-read-hash tasks in a fresh scratch directory.
pub fn file(pool: &ThreadPool, tasks: u64, size_kib: u64) -> Result<Outcome, RunError> {
    let dir = ScratchDir::new("rt-rayon")?;
    let acc = pool.install(|| {
        each_task(tasks)
            .map(|id| {
                blocking::file_task(dir.path(), id, size_kib).map_err(|e| {
                    RunError::failed(format!("file task {id} in {}", dir.path().display()), e)
                })
            })
            .try_fold(|| 0, |acc, h| h.map(|h| workloads::file::combine(acc, h)))
            .try_reduce(|| 0, |a, b| Ok(workloads::file::combine(a, b)))
    })?;
    Ok(Outcome::new(acc))
}
