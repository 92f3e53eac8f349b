//! `io-sleep`, `io-net` and `io-file` as pool tasks: each blocks its worker process, so only W are in flight.

use harness::{LatencyRecorder, Outcome, RunCtx, RunError};

use crate::pool::Pool;
use crate::proto::{Done, Task, sum};

/// io-sleep: T sleeps of D, mapped in chunks; the workers measure the lateness.
pub fn sleep(pool: &mut Pool, ctx: &RunCtx, chunksize: usize) -> Result<Outcome, RunError> {
    let p = ctx.params;
    let tasks = (0..p.tasks)
        .map(|id| Task::Sleep {
            id,
            delay_ms: p.delay_ms,
        })
        .collect();
    Ok(with_latency(pool.map(tasks, chunksize)?))
}

/// io-net: T blocking requests to the delay server, mapped in chunks; the workers measure the round trips.
pub fn net(pool: &mut Pool, ctx: &RunCtx, chunksize: usize) -> Result<Outcome, RunError> {
    let p = ctx.params;
    let tasks = (0..p.tasks)
        .map(|id| Task::Net {
            id,
            delay_ms: p.delay_ms,
        })
        .collect();
    Ok(with_latency(pool.map(tasks, chunksize)?))
}

/// io-file: T file tasks in the run's scratch directory (sent in the setup), mapped in chunks.
pub fn file(pool: &mut Pool, ctx: &RunCtx, chunksize: usize) -> Result<Outcome, RunError> {
    let p = ctx.params;
    let tasks = (0..p.tasks)
        .map(|id| Task::File {
            id,
            size_kib: p.size_kib,
        })
        .collect();
    let done = pool.map(tasks, chunksize)?;
    Ok(Outcome::new(
        done.iter()
            .fold(0, |acc, d| workloads::file::combine(acc, d.value)),
    ))
}

/// The outcome of io-sleep or io-net: the sum of the values, and the latency samples the workers measured.
fn with_latency(done: Vec<Done>) -> Outcome {
    let mut lat = LatencyRecorder::new();
    done.iter()
        .filter_map(|d| d.latency_ns)
        .for_each(|ns| lat.record(std::time::Duration::from_nanos(ns)));
    Outcome::new(sum(&done)).latency(lat)
}
