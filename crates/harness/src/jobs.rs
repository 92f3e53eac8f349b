//! What the runtimes built on blocking OS threads (rt-threads, rt-gil) share around their own executors: what a job
//! gives back ([`Done`]), the scratch directory of `io-file` and its in-flight bound ([`Permits`]), how the jobs'
//! results become the [`Outcome`], and where every blocking model (these two, rt-seq, rt-rayon, rt-procs) reads the
//! clock around a wait ([`timed_wait`]).
//!
//! The floor workloads (`spawn`, `ping-pong`) on such threads are in [`floor`].
//!
//! Each runtime still builds its own jobs and runs them on its own threads (rt-gil's jobs hold an emulated GIL and
//! release it around blocking calls, rt-threads' do not); only the bookkeeping around them is here.

pub mod floor;

use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use workloads::{RaceCounter, Workload, file};

pub use crate::latency::ms;
use crate::latency::{Ticks, lateness, sojourns_ms};
use crate::{LatencyRecorder, Outcome, RunError, ScratchDir};

/// What a job gives back: a value for the checksum, its latency samples in ms, and the instants its waits (or round
/// trip) ended, from which its sojourns are computed ([`crate::latency::sojourns_ms`]).
#[derive(Debug, Default)]
pub struct Done {
    pub value: u64,
    pub latency_ms: Vec<f64>,
    pub ends: Vec<Instant>,
}

impl Done {
    /// A job with a value only (a CPU task, a file task, a racer).
    pub fn value(value: u64) -> Done {
        Done {
            value,
            ..Done::default()
        }
    }

    /// A job with one latency sample that ended at `end` (an io-sleep wait, an io-net round trip).
    pub fn timed(value: u64, latency_ms: f64, end: Instant) -> Done {
        Done {
            value,
            latency_ms: vec![latency_ms],
            ends: vec![end],
        }
    }

    /// The `mixed` ticker's job: the rounds that ran are its value.
    pub fn ticks(ticks: Ticks) -> Done {
        Done {
            value: ticks.rounds(),
            latency_ms: ticks.lateness_ms,
            ends: ticks.ends,
        }
    }
}

/// One blocking wait of `delay` (`wait` makes it: `std::thread::sleep`, or the GIL emulation's released sleep):
/// returns its signed lateness in ms and the instant it ended. Every blocking model reads the clock here: just
/// before the call and just after it returns.
pub fn timed_wait(delay: Duration, wait: impl FnOnce()) -> (f64, Instant) {
    let t = Instant::now();
    wait();
    let end = Instant::now();
    (lateness(t, delay, end), end)
}

/// The `mixed` ticker of a blocking model: `rounds` blocking waits of `delay`, each timed by [`timed_wait`].
pub fn ticker(rounds: u64, delay: Duration, mut wait: impl FnMut()) -> Ticks {
    let mut ticks = Ticks::default();
    for _ in 0..rounds {
        let t = Instant::now();
        wait();
        ticks.record(t, delay, Instant::now());
    }
    ticks
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

/// The outcome of a run's jobs: the checksum is the values combined as `io-file` hashes or summed (wrapping: io-net's
/// replies are random 64-bit values), except in `race`, where it is the counter's final value and the values, each
/// racer's count of the increments it performed, sum to `attempted`; latency samples and
/// sojourns (from `submitted`, the instant read just before the jobs were handed to the threads) are kept for
/// io-sleep, io-net and mixed.
pub fn outcome(w: Workload, done: &[Done], counter: &RaceCounter, submitted: Instant) -> Outcome {
    let mut acc = 0u64;
    let mut lat = LatencyRecorder::new();
    let mut sojourn = Vec::new();
    for d in done {
        acc = if w == Workload::IoFile {
            file::combine(acc, d.value)
        } else {
            acc.wrapping_add(d.value)
        };
        d.latency_ms.iter().for_each(|&l| lat.record_ms(l));
        sojourn.extend(sojourns_ms(submitted, &d.ends));
    }
    let out = if w == Workload::Race {
        Outcome::new(counter.get()).attempted(acc)
    } else {
        Outcome::new(acc)
    };
    if matches!(w, Workload::IoSleep | Workload::IoNet | Workload::Mixed) {
        out.latency(lat).sojourn(sojourn)
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
            ends: vec![],
        }
    }

    #[test]
    fn sums_values_and_keeps_latency_and_sojourn_where_they_are_measured() {
        let c = RaceCounter::new();
        let t0 = Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        let ticker = Done::ticks(Ticks {
            lateness_ms: vec![0.5, 2.0],
            ends: vec![at(3), at(5)],
        });
        let d = [done(2, &[]), done(3, &[]), ticker];
        let out = outcome(Workload::Mixed, &d, &c, t0);
        assert_eq!(out.checksum, 7, "2 + 3 primes and the 2 rounds that ran");
        assert_eq!(out.latency, Some(vec![0.5, 2.0]));
        assert_eq!(out.sojourn, Some(vec![3.0, 2.0]));
        assert_eq!(outcome(Workload::CpuBalanced, &d, &c, t0).latency, None);
        let sleeps = [Done::timed(1, -0.2, at(4)), Done::timed(2, 0.1, at(9))];
        let out = outcome(Workload::IoSleep, &sleeps, &c, t0);
        assert_eq!(out.latency, Some(vec![-0.2, 0.1]));
        assert_eq!(out.sojourn, Some(vec![4.0, 9.0]));
    }

    #[test]
    fn file_hashes_combine_replies_wrap_and_race_reads_the_counter() {
        let c = RaceCounter::new();
        c.store(42);
        let d = [done(u64::MAX, &[]), done(2, &[])];
        assert_eq!(
            outcome(Workload::IoFile, &d, &c, Instant::now()).checksum,
            1
        );
        assert_eq!(outcome(Workload::IoNet, &d, &c, Instant::now()).checksum, 1);
        let race = outcome(
            Workload::Race,
            &[done(30, &[]), done(20, &[])],
            &c,
            Instant::now(),
        );
        assert_eq!((race.checksum, race.attempted), (42, Some(50)));
        assert_eq!(
            outcome(Workload::IoFile, &d, &c, Instant::now()).attempted,
            None
        );
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

    #[test]
    fn a_blocking_wait_is_timed_signed() {
        let (late, end) = timed_wait(Duration::from_millis(50), || {});
        assert!(
            late < -40.0,
            "a wait that returned at once is early: {late}"
        );
        assert!(end <= Instant::now());
        let t = ticker(3, Duration::from_millis(1), || {
            std::thread::sleep(Duration::from_millis(1))
        });
        assert_eq!(t.rounds(), 3);
        assert!(t.lateness_ms.iter().all(|&l| l >= 0.0), "{t:?}");
    }
}
