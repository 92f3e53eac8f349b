//! The I/O workloads: every task makes its blocking call on a pool thread, so at most W are in flight.

use std::time::{Duration, Instant};

use harness::latency::lateness;
use harness::{LatencyRecorder, Outcome, RunError, ScratchDir};
use rayon::ThreadPool;
use rayon::prelude::*;
use workloads::blocking;

use crate::cpu::each_task;

/// io-sleep: T sleeps of `delay`, each blocking its pool thread.
pub fn sleep(pool: &ThreadPool, tasks: u64, delay: Duration) -> Outcome {
    let done: Vec<(u64, Duration)> =
        pool.install(|| each_task(tasks).map(|id| (id, sleep_late(delay))).collect());
    with_latency(done)
}

/// io-net: T blocking requests to the delay server at `addr`.
pub fn net(
    pool: &ThreadPool,
    tasks: u64,
    addr: std::net::SocketAddr,
    delay_ms: u64,
) -> Result<Outcome, RunError> {
    let done: Result<Vec<(u64, Duration)>, RunError> = pool.install(|| {
        each_task(tasks)
            .map(|id| {
                blocking::net_request(addr, id, delay_ms)
                    .map_err(|e| RunError::failed(format!("request {id} to {addr}"), e))
            })
            .collect()
    });
    Ok(with_latency(done?))
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

/// Sleeps `d` on the calling (pool) thread; returns how late it woke.
pub fn sleep_late(d: Duration) -> Duration {
    let t = Instant::now();
    std::thread::sleep(d);
    lateness(t, d, Instant::now())
}

/// The outcome of an I/O workload whose tasks returned `(value, latency)`.
fn with_latency(done: Vec<(u64, Duration)>) -> Outcome {
    let mut lat = LatencyRecorder::new();
    let sum = done.iter().map(|&(v, d)| {
        lat.record(d);
        v
    });
    let sum: u64 = sum.sum();
    Outcome::new(sum).latency(lat)
}
