//! `cpu-balanced`, `cpu-skewed` and `mixed`: prime counting through parallel iterators and `scope_fifo`, balanced
//! by work stealing; the `mixed` ticker on its own thread beside the pool.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Instant;

use harness::jobs::Done;
use harness::latency::Ticks;
use harness::{Outcome, RunCtx, RunError};
use rayon::ThreadPool;
use rayon::prelude::*;
use workloads::{RaceCounter, Workload, count_primes};

/// Task ids `0..n` as a parallel iterator. Why `with_max_len(1)`: every item is a whole task (milliseconds of work
/// or a blocking call), so letting rayon split down to single items costs nothing and lets any idle thread steal
/// any remaining task.
pub fn each_task(n: u64) -> impl IndexedParallelIterator<Item = u64> {
    (0..n as usize)
        .into_par_iter()
        .with_max_len(1)
        .map(|i| i as u64)
}

/// cpu-balanced, cpu-skewed: T CPU tasks as one parallel iterator.
pub fn cpu(pool: &ThreadPool, ctx: &RunCtx) -> Outcome {
    let (p, w) = (ctx.params, ctx.workload);
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

/// mixed: the ticker on its own thread, beside C balanced CPU tasks spawned in one `scope_fifo` on the pool; the
/// ticker's value is the rounds that ran.
pub fn mixed(pool: &ThreadPool, ctx: &RunCtx) -> Result<Outcome, RunError> {
    let (p, delay) = (ctx.params, ctx.delay());
    let found = AtomicU64::new(0);
    // The run's submission instant: just before the ticker, the first task, is started (see harness::latency).
    let submitted = Instant::now();
    let ticks: Ticks = {
        let found = &found;
        beside_pool(
            pool,
            move || harness::jobs::ticker(p.rounds, delay, || std::thread::sleep(delay)),
            // Why FIFO: spawned from a pool thread, `scope`'s tasks are taken newest first by that thread, so at
            // W = 1 they would run in reverse; `spawn_fifo` runs them in the order they were spawned, as every
            // other model's queue does.
            || {
                rayon::scope_fifo(|s| {
                    for i in 0..p.tasks {
                        s.spawn_fifo(move |_| {
                            let (lo, hi) = p.balanced_range(i);
                            found.fetch_add(count_primes(lo, hi, 0, &mut ()), Relaxed);
                        });
                    }
                })
            },
        )?
    };
    let done = [Done::value(found.into_inner()), Done::ticks(ticks)];
    Ok(harness::jobs::outcome(
        Workload::Mixed,
        &done,
        &RaceCounter::new(),
        submitted,
    ))
}

/// Runs `ticker` on its own thread while the pool runs `cpu`, and waits for both. Why its own thread: the ticker
/// stands beside the W workers in every model (docs/workloads.md, mixed). As a pool task it would hold one of the W
/// threads through every sleep (rayon has no timer), leaving the CPU tasks W - 1, and at W = 1 it would run only
/// before or after them, never beside.
fn beside_pool<T: Send>(
    pool: &ThreadPool,
    ticker: impl FnOnce() -> T + Send,
    cpu: impl FnOnce() + Send,
) -> Result<T, RunError> {
    std::thread::scope(|s| {
        let t = std::thread::Builder::new()
            .name("ticker".into())
            .spawn_scoped(s, ticker)
            .map_err(|e| RunError::failed("could not spawn the ticker thread", e))?;
        pool.install(cpu);
        t.join()
            .map_err(|_| RunError::Failed("the ticker thread panicked".into()))
    })
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Duration;

    use super::*;

    /// The ticker runs while the pool's only thread (W = 1) is busy: the CPU task waits for a message from the
    /// ticker, which would never come if the ticker were a pool task queued behind it.
    #[test]
    fn the_ticker_runs_beside_a_busy_pool() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let (tx, rx) = mpsc::sync_channel::<()>(1);
        let got = std::sync::Mutex::new(None);
        beside_pool(
            &pool,
            move || tx.send(()),
            || {
                rayon::scope_fifo(|s| {
                    let got = &got;
                    s.spawn_fifo(move |_| {
                        *got.lock().unwrap() = Some(rx.recv_timeout(Duration::from_secs(5)));
                    })
                })
            },
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            got.into_inner().unwrap(),
            Some(Ok(())),
            "the ticker never ran beside the busy pool"
        );
    }
}
