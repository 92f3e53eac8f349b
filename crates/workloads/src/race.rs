//! The `race` kernel: W workers each add 1 to one shared counter K times.
//!
//! With [`SyncMode::None`] the increment is an unsynchronized read-modify-write: a relaxed atomic load, then a relaxed
//! store of the value plus one. Two workers that interleave between the load and the store lose an update, exactly
//! like `counter += 1` in Python, but without undefined behaviour. [`SyncMode::Lock`] guards the same read-modify-write
//! with a mutex and [`SyncMode::Atomic`] uses `fetch_add`; neither can lose an update.

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
/// and, when `check_between` is set, between each load and store.
#[inline]
pub fn race_worker<C: Checkpoint + ?Sized>(
    counter: &RaceCounter,
    sync: SyncMode,
    k: u64,
    every: u64,
    check_between: bool,
    cp: &mut C,
) {
    let mut since = 0;
    for _ in 0..k {
        counter.increment(sync, check_between, cp);
        if every != 0 {
            since += 1;
            if since == every {
                since = 0;
                cp.check();
            }
        }
    }
}

/// One worker's share of `race` in an async runtime, with a yield point (`--opt yield=true`) between the load and
/// the store of every `every`-th increment: where even a single-threaded event loop can lose updates. The runtime
/// brings its own primitives: `yield_now` (its yield future) and `lock` (its async mutex's `lock()`, used for
/// `sync=lock`, since the guard is held across the yield). Atomic increments yield before the `fetch_add`.
pub async fn yielding_worker<G, L, LF, Y, YF>(
    counter: &RaceCounter,
    sync: SyncMode,
    k: u64,
    every: u64,
    mut lock: L,
    mut yield_now: Y,
) where
    L: FnMut() -> LF,
    LF: std::future::Future<Output = G>,
    Y: FnMut() -> YF,
    YF: std::future::Future<Output = ()>,
{
    let every = every.max(1);
    let mut until_yield = 1;
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
    }
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
            race_worker(&c, sync, 1000, 10, true, &mut ());
            assert_eq!(c.get(), 1000);
        }
    }

    #[test]
    fn synchronized_modes_lose_nothing_across_threads() {
        for sync in [SyncMode::Lock, SyncMode::Atomic] {
            let c = RaceCounter::new();
            std::thread::scope(|s| {
                for _ in 0..4 {
                    s.spawn(|| race_worker(&c, sync, 100_000, 0, false, &mut ()));
                }
            });
            assert_eq!(c.get(), 400_000, "{sync:?}");
        }
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
            assert!(std::pin::pin!(fut).poll(&mut cx).is_ready());
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
