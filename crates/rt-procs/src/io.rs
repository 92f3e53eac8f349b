//! `io-sleep`, `io-net` and `io-file` as pool tasks: each blocks its worker process, so only W are in flight.

use harness::latency::monotonic_ns;
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
    // The run's submission instant, just before the tasks go to the workers (see harness::latency), on the clock
    // the workers read their tasks' ends on.
    let submitted_ns = monotonic_ns();
    Ok(with_latency(pool.map(tasks, chunksize)?, submitted_ns))
}

/// io-net: T blocking requests to the delay server, mapped in chunks; the workers measure the round trips.
pub fn net(pool: &mut Pool, ctx: &RunCtx, chunksize: usize) -> Result<Outcome, RunError> {
    let p = ctx.params;
    let tasks = (0..p.tasks)
        .map(|id| Task::Net {
            id,
            nonce: p.nonce,
            delay_ms: p.delay_ms,
        })
        .collect();
    // The run's submission instant, just before the first task starts (see harness::latency).
    let submitted_ns = monotonic_ns();
    Ok(with_latency(pool.map(tasks, chunksize)?, submitted_ns))
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

/// The outcome of io-sleep or io-net: the sum of the values, the latency samples the workers measured, and each
/// task's sojourn from `submitted_ns` to the end the worker read.
fn with_latency(done: Vec<Done>, submitted_ns: u64) -> Outcome {
    let mut lat = LatencyRecorder::new();
    done.iter()
        .filter_map(|d| d.latency_ms)
        .for_each(|ms| lat.record_ms(ms));
    let sojourn = done
        .iter()
        .filter_map(|d| d.end_ns)
        .map(|end| end.saturating_sub(submitted_ns) as f64 / 1e6)
        .collect();
    Outcome::new(sum(&done)).latency(lat).sojourn(sojourn)
}
