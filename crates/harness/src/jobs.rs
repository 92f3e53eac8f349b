//! What the runtimes built on blocking OS threads (rt-threads, rt-gil) share around their own executors: what a job
//! gives back ([`Done`]), the scratch directory of `io-file` and its in-flight bound ([`Permits`]), and how the jobs'
//! results become the [`Outcome`].
//!
//! Each runtime still builds its own jobs and runs them on its own threads (rt-gil's jobs hold an emulated GIL and
//! release it around blocking calls, rt-threads' do not); only the bookkeeping around them is here.

use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Duration;

use workloads::{RaceCounter, Workload, file};

use crate::{LatencyRecorder, Outcome, RunError, ScratchDir};

/// What a job gives back: a value for the checksum and its latency samples in ms.
#[derive(Debug, Default)]
pub struct Done {
    pub value: u64,
    pub latency_ms: Vec<f64>,
}

/// A duration in milliseconds, as latency samples are kept.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The scratch directory of `io-file` (removed when dropped, and on early exit); `None` for the other workloads.
pub fn scratch_for(w: Workload, runtime: &str) -> Result<Option<ScratchDir>, RunError> {
    Ok(if w == Workload::IoFile {
        Some(ScratchDir::new(runtime)?)
    } else {
        None
    })
}

/// A counting semaphore: at most `n` holders of a [`Permit`] at once (Python's `threading.BoundedSemaphore(n)`).
///
/// Why: io-file's rule is that at most W tasks do file I/O at once, each building its buffer inside that bound, in
/// every model (docs/workloads.md). A pool of W threads keeps it by construction; a thread per task takes a permit
/// first, so T threads never hold T buffers at once.
#[derive(Debug)]
pub struct Permits {
    free: Mutex<u64>,
    freed: Condvar,
}

/// One of the [`Permits`]; given back when dropped.
#[derive(Debug)]
pub struct Permit<'a>(&'a Permits);

impl Permits {
    /// `n` permits.
    pub fn new(n: u64) -> Permits {
        Permits {
            free: Mutex::new(n),
            freed: Condvar::new(),
        }
    }

    /// A permit if one is free now, without waiting.
    pub fn try_acquire(&self) -> Option<Permit<'_>> {
        let mut free = self.free.lock().unwrap_or_else(PoisonError::into_inner);
        (*free > 0).then(|| {
            *free -= 1;
            Permit(self)
        })
    }

    /// Waits for a permit.
    pub fn acquire(&self) -> Permit<'_> {
        let mut free = self.free.lock().unwrap_or_else(PoisonError::into_inner);
        while *free == 0 {
            free = self
                .freed
                .wait(free)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *free -= 1;
        Permit(self)
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        *self.0.free.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        self.0.freed.notify_one();
    }
}

/// The outcome of a run's jobs: the checksum is the values combined as `io-file` hashes or summed, except in `race`,
/// where it is the counter's final value; latency samples are kept for io-sleep, io-net and mixed.
pub fn outcome(w: Workload, done: &[Done], counter: &RaceCounter) -> Outcome {
    let mut acc = 0u64;
    let mut lat = LatencyRecorder::new();
    for d in done {
        acc = if w == Workload::IoFile {
            file::combine(acc, d.value)
        } else {
            acc + d.value
        };
        d.latency_ms.iter().for_each(|&l| lat.record_ms(l));
    }
    if w == Workload::Race {
        acc = counter.get();
    }
    let out = Outcome::new(acc);
    if matches!(w, Workload::IoSleep | Workload::IoNet | Workload::Mixed) {
        out.latency(lat)
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn done(value: u64, latency_ms: &[f64]) -> Done {
        Done {
            value,
            latency_ms: latency_ms.to_vec(),
        }
    }

    #[test]
    fn sums_values_and_keeps_latency_where_it_is_measured() {
        let c = RaceCounter::new();
        let d = [done(2, &[1.5]), done(3, &[]), done(4, &[0.5, 2.0])];
        let out = outcome(Workload::Mixed, &d, &c);
        assert_eq!(out.checksum, 9);
        assert_eq!(out.latency, Some(vec![1.5, 0.5, 2.0]));
        assert_eq!(outcome(Workload::CpuBalanced, &d, &c).latency, None);
    }

    #[test]
    fn file_hashes_combine_and_race_reads_the_counter() {
        let c = RaceCounter::new();
        c.store(42);
        let d = [done(u64::MAX, &[]), done(2, &[])];
        assert_eq!(outcome(Workload::IoFile, &d, &c).checksum, 1);
        assert_eq!(outcome(Workload::Race, &[done(0, &[])], &c).checksum, 42);
        assert!(scratch_for(Workload::Race, "rt-test").unwrap().is_none());
    }

    #[test]
    fn permits_bound_how_many_hold_one_at_once() {
        use std::sync::atomic::{AtomicU64, Ordering};
        let permits = Permits::new(2);
        let (now, peak) = (AtomicU64::new(0), AtomicU64::new(0));
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    let _p = permits.acquire();
                    peak.fetch_max(now.fetch_add(1, Ordering::SeqCst) + 1, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(20));
                    now.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        assert_eq!(peak.into_inner(), 2);
    }
}
