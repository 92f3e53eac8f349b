//! The `race` kernel: W workers each add 1 to one shared counter K times.
//!
//! With [`SyncMode::None`] the increment is an unsynchronized read-modify-write: a relaxed atomic load, then a relaxed
//! store of the value plus one. Two workers that interleave between the load and the store lose an update, exactly
//! like `counter += 1` in Python, but without undefined behaviour. [`SyncMode::Lock`] guards the same read-modify-write
//! with a mutex and [`SyncMode::Atomic`] uses `fetch_add`; neither can lose an update.
//!
//! Every racer counts the increments it performed in a plain local variable and returns that count: the runtime sums
//! the counts into `attempted`, and `lost_updates = attempted - final counter`. Why count rather than assume W*K: a
//! model that skips increments, or a racer that never ran, then fails the reference check (`attempted == W*K`)
//! instead of passing as "lost updates". The count is a register increment beside the load and store; it touches no
//! shared memory, so it changes nothing about how racers interleave.

use std::str::FromStr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use serde::{Deserialize, Serialize};

use crate::Checkpoint;

/// How the increment is synchronized (`--opt sync=none|lock|atomic`). Serialized as its `--opt` spelling, so that
/// rt-procs can send it to its worker processes as a typed value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SyncMode {
    /// Load, then store: updates can be lost.
    #[default]
    None,
    /// The load and store under a mutex.
    Lock,
    /// One atomic `fetch_add`.
    Atomic,
}

impl SyncMode {
    /// The `--opt sync=` spellings.
    pub const NAMES: [&str; 3] = ["none", "lock", "atomic"];

    /// The `--opt sync=` spelling of this mode.
    pub fn name(self) -> &'static str {
        match self {
            SyncMode::None => "none",
            SyncMode::Lock => "lock",
            SyncMode::Atomic => "atomic",
        }
    }
}

impl FromStr for SyncMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "none" => Ok(SyncMode::None),
            "lock" => Ok(SyncMode::Lock),
            "atomic" => Ok(SyncMode::Atomic),
            _ => Err(format!(
                "sync must be one of none, lock, atomic (got '{s}')"
            )),
        }
    }
}

/// The shared counter of the `race` workload.
#[derive(Debug, Default)]
pub struct RaceCounter {
    value: AtomicU64,
    lock: Mutex<()>,
}

impl RaceCounter {
    /// A counter at zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// The read half of the unsynchronized increment.
    #[inline(always)]
    pub fn load(&self) -> u64 {
        self.value.load(Relaxed)
    }

    /// The write half of the unsynchronized increment.
    #[inline(always)]
    pub fn store(&self, v: u64) {
        self.value.store(v, Relaxed)
    }

    /// The final value.
    pub fn get(&self) -> u64 {
        self.value.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// One increment under `sync`, calling `between.check()` between the load and the store when `check_between`
    /// is set (the GIL emulation's `counter += f()`: a call, hence a check point, inside the statement).
    #[inline(always)]
    pub fn increment<C: Checkpoint + ?Sized>(
        &self,
        sync: SyncMode,
        check_between: bool,
        between: &mut C,
    ) {
        match sync {
            SyncMode::None => {
                let v = self.load();
                if check_between {
                    between.check();
                }
                self.store(v + 1);
            }
            SyncMode::Lock => {
                let _held = self.lock.lock().unwrap_or_else(|e| e.into_inner());
                let v = self.load();
                if check_between {
                    between.check();
                }
                self.store(v + 1);
            }
            SyncMode::Atomic => {
                if check_between {
                    between.check();
                }
                self.value.fetch_add(1, Relaxed);
            }
        }
    }
}

/// One worker's share of `race`: `k` increments, calling `cp.check()` every `every` iterations (a loop back-edge)
/// and, when `check_between` is set, between each load and store. Returns the increments it performed.
#[inline]
pub fn race_worker<C: Checkpoint + ?Sized>(
    counter: &RaceCounter,
    sync: SyncMode,
    k: u64,
    every: u64,
    check_between: bool,
    cp: &mut C,
) -> u64 {
    let mut performed = 0;
    let mut since = 0;
    for _ in 0..k {
        counter.increment(sync, check_between, cp);
        performed += 1;
        if every != 0 {
            since += 1;
            if since == every {
                since = 0;
                cp.check();
            }
        }
    }
    performed
}

/// One worker's share of `race` under a lock the caller brings (`sync=lock` where the counter's own mutex cannot
/// work, as between processes): `k` load-then-store increments, each while holding the guard `lock()` returns.
/// Returns the increments it performed.
#[inline]
pub fn locked_worker<G>(counter: &RaceCounter, k: u64, mut lock: impl FnMut() -> G) -> u64 {
    let mut performed = 0;
    for _ in 0..k {
        let _held = lock();
        let v = counter.load();
        counter.store(v + 1);
        performed += 1;
    }
    performed
}

/// One worker's share of `race` in an async runtime, with a yield point (`--opt yield=true`) between the load and
/// the store of every `every`-th increment: where even a single-threaded event loop can lose updates. The runtime
/// brings its own primitives: `yield_now` (its yield future) and `lock` (its async mutex's `lock()`, used for
/// `sync=lock`, since the guard is held across the yield). Atomic increments yield before the `fetch_add`. Returns
/// the increments it performed.
pub async fn yielding_worker<G, L, LF, Y, YF>(
    counter: &RaceCounter,
    sync: SyncMode,
    k: u64,
    every: u64,
    mut lock: L,
    mut yield_now: Y,
) -> u64
where
    L: FnMut() -> LF,
    LF: std::future::Future<Output = G>,
    Y: FnMut() -> YF,
    YF: std::future::Future<Output = ()>,
{
    let every = every.max(1);
    let mut until_yield = 1;
    let mut performed = 0;
    for _ in 0..k {
        until_yield -= 1;
        let at = until_yield == 0;
        if at {
            until_yield = every;
        }
        let _held = match sync {
            SyncMode::Lock => Some(lock().await),
            _ => None,
        };
        if sync == SyncMode::Atomic {
            if at {
                yield_now().await;
            }
            counter.increment(SyncMode::Atomic, false, &mut ());
        } else {
            let v = counter.load();
            if at {
                yield_now().await;
            }
            counter.store(v + 1);
        }
        performed += 1;
    }
    performed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_spelling_is_the_opt_spelling() {
        use serde::de::IntoDeserializer;
        use serde::de::value::Error;
        for name in SyncMode::NAMES {
            let de = IntoDeserializer::<Error>::into_deserializer(name);
            assert_eq!(SyncMode::deserialize(de), Ok(name.parse().unwrap()));
        }
    }

    #[test]
    fn single_worker_loses_nothing_in_any_mode() {
        for sync in [SyncMode::None, SyncMode::Lock, SyncMode::Atomic] {
            let c = RaceCounter::new();
            assert_eq!(race_worker(&c, sync, 1000, 10, true, &mut ()), 1000);
            assert_eq!(c.get(), 1000);
        }
    }

    #[test]
    fn synchronized_modes_lose_nothing_across_threads() {
        for sync in [SyncMode::Lock, SyncMode::Atomic] {
            let c = RaceCounter::new();
            let attempted: u64 = std::thread::scope(|s| {
                let racers: Vec<_> = (0..4)
                    .map(|_| s.spawn(|| race_worker(&c, sync, 100_000, 0, false, &mut ())))
                    .collect();
                racers.into_iter().map(|r| r.join().unwrap()).sum()
            });
            assert_eq!(attempted, 400_000, "{sync:?}");
            assert_eq!(c.get(), 400_000, "{sync:?}");
        }
    }

    #[test]
    fn unsynchronized_racers_count_every_attempt_even_when_updates_are_lost() {
        let c = RaceCounter::new();
        let attempted: u64 = std::thread::scope(|s| {
            let racers: Vec<_> = (0..4)
                .map(|_| s.spawn(|| race_worker(&c, SyncMode::None, 200_000, 0, false, &mut ())))
                .collect();
            racers.into_iter().map(|r| r.join().unwrap()).sum()
        });
        // Whatever was lost, the attempts are W*K and the final counter is at most that.
        assert_eq!(attempted, 800_000);
        assert!(c.get() <= attempted && c.get() > 0, "{}", c.get());
    }

    #[test]
    fn locked_worker_takes_the_given_lock_around_every_increment() {
        let c = RaceCounter::new();
        let lock = Mutex::new(());
        let mut taken = 0;
        let n = locked_worker(&c, 500, || {
            taken += 1;
            lock.lock().unwrap()
        });
        assert_eq!((n, taken, c.get()), (500, 500, 500));
    }

    /// A yield that suspends once: the other racer runs before this one resumes.
    struct YieldOnce(bool);

    impl std::future::Future for YieldOnce {
        type Output = ();
        fn poll(
            mut self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<()> {
            if self.0 {
                std::task::Poll::Ready(())
            } else {
                self.0 = true;
                cx.waker().wake_by_ref();
                std::task::Poll::Pending
            }
        }
    }

    #[test]
    fn two_yielding_racers_on_one_thread_lose_updates_but_count_every_attempt() {
        // Two racers polled in turn on one thread, a yield between every load and store: each stores a value the
        // other has already stored, so exactly half the updates are lost; the attempts still add up to 2K.
        let c = RaceCounter::new();
        let racer = || {
            yielding_worker(
                &c,
                SyncMode::None,
                1000,
                1,
                || std::future::ready(()),
                || YieldOnce(false),
            )
        };
        let (mut a, mut b) = (Box::pin(racer()), Box::pin(racer()));
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        let (mut ra, mut rb) = (None, None);
        while ra.is_none() || rb.is_none() {
            if ra.is_none()
                && let std::task::Poll::Ready(n) = a.as_mut().poll(&mut cx)
            {
                ra = Some(n);
            }
            if rb.is_none()
                && let std::task::Poll::Ready(n) = b.as_mut().poll(&mut cx)
            {
                rb = Some(n);
            }
        }
        assert_eq!((ra, rb), (Some(1000), Some(1000)));
        assert_eq!(c.get(), 1000, "half of the 2000 updates are lost");
    }

    #[test]
    fn yielding_worker_counts_every_increment_alone() {
        for sync in [SyncMode::None, SyncMode::Lock, SyncMode::Atomic] {
            let c = RaceCounter::new();
            let (mut locks, mut yields) = (0, 0);
            let fut = yielding_worker(
                &c,
                sync,
                1000,
                3,
                || {
                    locks += 1;
                    std::future::ready(())
                },
                || {
                    yields += 1;
                    std::future::ready(())
                },
            );
            let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
            assert_eq!(
                std::pin::pin!(fut).poll(&mut cx),
                std::task::Poll::Ready(1000),
                "{sync:?}"
            );
            assert_eq!(c.get(), 1000, "{sync:?}");
            assert_eq!(yields, 334, "{sync:?}: a yield in increments 1, 4, 7, ...");
            assert_eq!(locks, if sync == SyncMode::Lock { 1000 } else { 0 });
        }
    }

    #[test]
    fn sync_names_round_trip() {
        for name in SyncMode::NAMES {
            assert_eq!(name.parse::<SyncMode>().unwrap().name(), name);
        }
        assert!(
            "bogus"
                .parse::<SyncMode>()
                .unwrap_err()
                .contains("none, lock, atomic")
        );
    }
}
