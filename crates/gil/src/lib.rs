//! `gil`: CPython's global interpreter lock, as a small library, with the same scheduling rules.
//!
//! This is the lock of `Python/ceval_gil.c` (CPython 3.2 and later, the "new GIL"), rebuilt on a [`Mutex`] and
//! two [`Condvar`]s so that Rust threads can be run exactly as CPython runs Python threads:
//!
//! - The state is a `locked` flag, the `last_holder`, a `switch_number` that grows only when the holder changes,
//!   and a `drop_request` flag, as in `struct _gil_runtime_state`.
//! - A thread that wants the GIL while it is held waits on a condition variable for one switch interval (default
//!   5 ms, `sys.getswitchinterval()`). If the wait times out and no hand-off happened during it (`switch_number`
//!   unchanged), it sets `drop_request` and waits again (`take_gil`).
//! - The holder sees `drop_request` only at check points ([`GilGuard::checkpoint`]: one relaxed atomic load, so
//!   checking is nearly free), then drops the GIL and, because CPython builds with `FORCE_SWITCHING`, waits until
//!   another thread has taken it before it queues to take it back (`drop_gil`). Without that wait, the dropper
//!   usually wins the race on a multi-core machine and nobody else ever runs.
//! - [`GilGuard::allow_threads`] is `Py_BEGIN_ALLOW_THREADS` / `Py_END_ALLOW_THREADS`: drop, run the blocking call,
//!   take back. No drop request is needed to hand the GIL over, and the thread queues like any other to return.
//! - Dropping a [`GilGuard`] is a thread's last release (`drop_gil` with a NULL thread state): no forced hand-off.
//!
//! [`Gil::disabled`] is the free-threaded build (PEP 703, `python3.13t`): the same calls and check points, but
//! acquiring never blocks and nothing is ever dropped.
//!
//! What this is not: an interpreter. There is no bytecode, so no per-operation cost; where a check point falls is
//! up to the caller (the kernels of the `workloads` crate call one at each loop back-edge). It models one
//! interpreter with one GIL (no sub-interpreters), and none of the other reasons CPython's eval breaker trips
//! (signals, pending calls, the cyclic GC). See `docs/gil-model.md` for the comparison with real CPython.
//!
//! ```
//! use std::time::Duration;
//! let gil = gil::Gil::new(Duration::from_millis(5));
//! std::thread::scope(|s| {
//!     for _ in 0..2 {
//!         s.spawn(|| {
//!             let mut g = gil.acquire();
//!             for _ in 0..1000 {
//!                 g.checkpoint(); // a loop back-edge
//!             }
//!             g.allow_threads(|| std::thread::sleep(Duration::from_millis(1))); // time.sleep(0.001)
//!         });
//!     }
//! });
//! assert_eq!(gil.stats().acquisitions, 4);
//! ```

use std::marker::PhantomData;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// CPython's default switch interval: 5 ms (`DEFAULT_INTERVAL 5000` microseconds).
pub const DEFAULT_INTERVAL: Duration = Duration::from_micros(5000);

/// Thread-state ids; 0 means "nobody yet" (CPython's NULL `last_holder`).
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// The global interpreter lock. Share it by reference (scoped threads) or in an `Arc`; each thread holds it through
/// its own [`GilGuard`].
pub struct Gil {
    /// `false` for the free-threaded build: every operation is a no-op.
    enabled: bool,
    interval: Duration,
    /// Read by holders at every check point, relaxed, like CPython's `eval_breaker`.
    drop_request: AtomicBool,
    /// The thread state that holds or last held the GIL. Written under `switch_mutex` when taking the GIL.
    last_holder: AtomicU64,
    /// `gil->mutex`: protects `locked`, `switch_number` and the statistics.
    state: Mutex<State>,
    /// `gil->cond`: signalled when the GIL is released.
    cond: Condvar,
    /// `gil->switch_mutex` and `gil->switch_cond` (FORCE_SWITCHING): a forced dropper waits here for a new holder.
    switch_mutex: Mutex<()>,
    switch_cond: Condvar,
    created: Instant,
}

impl std::fmt::Debug for Gil {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gil")
            .field("enabled", &self.enabled)
            .field("interval", &self.interval)
            .finish_non_exhaustive()
    }
}

#[derive(Default)]
struct State {
    locked: bool,
    switch_number: u64,
    held_since: Option<Instant>,
    acquisitions: u64,
    contended: u64,
    drop_requests: u64,
    forced_switches: u64,
    wait_total: Duration,
    /// One sample per acquisition, in ns (8 bytes each; a run with 100,000 acquisitions keeps 800 KB).
    waits_ns: Vec<u64>,
    held_total: Duration,
}

/// What a [`Gil`] has counted since it was created.
#[derive(Debug, Clone, PartialEq)]
pub struct Stats {
    /// Whether the GIL exists (false for [`Gil::disabled`], whose counters stay 0).
    pub enabled: bool,
    /// The switch interval.
    pub interval: Duration,
    /// Times a thread took the GIL: first acquisitions, returns from `allow_threads`, and re-takes after a forced
    /// drop.
    pub acquisitions: u64,
    /// Acquisitions that found the GIL held and had to wait.
    pub contended_acquisitions: u64,
    /// Hand-offs: acquisitions by a thread other than the last holder (`switch_number`).
    pub switches: u64,
    /// Times a waiter's interval ran out with no hand-off and it set `drop_request` (from clear).
    pub drop_requests: u64,
    /// Drop requests honoured: times a holder dropped the GIL at a check point because it was asked to.
    pub forced_switches: u64,
    /// Time spent waiting to take the GIL, summed over all acquisitions.
    pub wait_total: Duration,
    /// The 99th percentile (nearest rank) of the wait per acquisition.
    pub wait_p99: Duration,
    /// The longest wait for one acquisition.
    pub wait_max: Duration,
    /// Time the GIL was held, summed (it is never held twice at once, so this is at most the wall time).
    pub held_total: Duration,
    /// Time since the GIL was created.
    pub since_created: Duration,
}

impl Stats {
    /// The share of `wall` during which some thread held the GIL (0 to 1).
    pub fn held_share(&self, wall: Duration) -> f64 {
        if wall.is_zero() {
            return 0.0;
        }
        (self.held_total.as_secs_f64() / wall.as_secs_f64()).min(1.0)
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Why ignore poisoning: a panicking thread never leaves the state half-updated (no code between lock and unlock
    // can panic), and the caller reports its panic anyway.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Gil {
    /// A GIL with this switch interval (`sys.setswitchinterval`; CPython's default is [`DEFAULT_INTERVAL`]). An
    /// interval under 1 µs is taken as 1 µs, as CPython does.
    pub fn new(interval: Duration) -> Gil {
        Gil::build(true, interval.max(Duration::from_micros(1)))
    }

    /// The free-threaded build: acquiring never blocks, check points never switch, `allow_threads` just calls.
    pub fn disabled() -> Gil {
        Gil::build(false, Duration::ZERO)
    }

    fn build(enabled: bool, interval: Duration) -> Gil {
        Gil {
            enabled,
            interval,
            drop_request: AtomicBool::new(false),
            last_holder: AtomicU64::new(0),
            state: Mutex::new(State::default()),
            cond: Condvar::new(),
            switch_mutex: Mutex::new(()),
            switch_cond: Condvar::new(),
            created: Instant::now(),
        }
    }

    /// Whether this is a real GIL (not [`Gil::disabled`]).
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// The switch interval (zero when disabled).
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Takes the GIL for the calling thread (a new thread state attaching: `PyEval_RestoreThread`), waiting as long
    /// as CPython's `take_gil` would. The GIL is held until the guard is dropped, except inside
    /// [`GilGuard::allow_threads`] and during a forced switch at [`GilGuard::checkpoint`].
    ///
    /// Each call creates a new thread state, so call it once per thread. Calling it again on a thread whose guard
    /// is alive blocks forever, as taking the GIL twice does in CPython.
    pub fn acquire(&self) -> GilGuard<'_> {
        let id = NEXT_ID.fetch_add(1, Relaxed);
        if self.enabled {
            self.take_gil(id);
        }
        GilGuard {
            gil: self,
            id,
            held: true,
            _not_send: PhantomData,
        }
    }

    /// A snapshot of the statistics.
    pub fn stats(&self) -> Stats {
        let st = lock(&self.state);
        let mut waits = st.waits_ns.clone();
        let mut held_total = st.held_total;
        if let Some(since) = st.held_since {
            held_total += since.elapsed();
        }
        waits.sort_unstable();
        let p99 = if waits.is_empty() {
            0
        } else {
            let rank = (waits.len() * 99).div_ceil(100);
            waits[rank.clamp(1, waits.len()) - 1]
        };
        Stats {
            enabled: self.enabled,
            interval: self.interval,
            acquisitions: st.acquisitions,
            contended_acquisitions: st.contended,
            switches: st.switch_number,
            drop_requests: st.drop_requests,
            forced_switches: st.forced_switches,
            wait_total: st.wait_total,
            wait_p99: Duration::from_nanos(p99),
            wait_max: Duration::from_nanos(waits.last().copied().unwrap_or(0)),
            held_total,
            since_created: self.created.elapsed(),
        }
    }

    /// `take_gil`: wait on `cond` one interval at a time; after an interval with no hand-off, ask the holder to
    /// drop. Then take the GIL, note a switch if the holder changed, wake a forced dropper, clear the request.
    fn take_gil(&self, id: u64) {
        let start = Instant::now();
        let mut st = lock(&self.state);
        let contended = st.locked;
        while st.locked {
            let saved_switch_number = st.switch_number;
            let (guard, res) = self
                .cond
                .wait_timeout(st, self.interval)
                .unwrap_or_else(PoisonError::into_inner);
            st = guard;
            if res.timed_out() && st.locked && st.switch_number == saved_switch_number {
                // SET_GIL_DROP_REQUEST. Counted only when it was clear, so each count is one request.
                if !self.drop_request.swap(true, Relaxed) {
                    st.drop_requests += 1;
                }
            }
        }
        {
            // This mutex must be held while last_holder changes: drop_gil waits on it.
            let _switch = lock(&self.switch_mutex);
            st.locked = true;
            if self.last_holder.load(Relaxed) != id {
                self.last_holder.store(id, Relaxed);
                st.switch_number += 1;
            }
            self.switch_cond.notify_all();
        }
        // The new holder clears any request made of the previous one (RESET_GIL_DROP_REQUEST).
        self.drop_request.store(false, Relaxed);
        let now = Instant::now();
        let waited = now - start;
        st.acquisitions += 1;
        st.contended += u64::from(contended);
        st.wait_total += waited;
        st.waits_ns.push(waited.as_nanos() as u64);
        st.held_since = Some(now);
    }

    /// `drop_gil`: release and signal one waiter. With a thread state (`holder`), if a drop was requested, wait
    /// until another thread has taken the GIL (FORCE_SWITCHING). `forced` counts a drop made at a check point.
    fn drop_gil(&self, holder: Option<u64>, forced: bool) {
        if let Some(id) = holder {
            self.last_holder.store(id, Relaxed);
        }
        {
            let mut st = lock(&self.state);
            assert!(st.locked, "drop_gil: GIL is not locked");
            st.locked = false;
            if let Some(since) = st.held_since.take() {
                st.held_total += since.elapsed();
            }
            st.forced_switches += u64::from(forced);
            self.cond.notify_one();
        }
        if let Some(id) = holder
            && self.drop_request.load(Relaxed)
        {
            let mut switch = lock(&self.switch_mutex);
            if self.last_holder.load(Relaxed) == id {
                self.drop_request.store(false, Relaxed);
                // CPython waits once and accepts a spurious wake-up; we loop so that the rule "the dropper does
                // not take the GIL back first" holds every time. A waiter exists (it set the request and waits
                // until it gets the GIL), so this ends.
                while self.last_holder.load(Relaxed) == id {
                    switch = self
                        .switch_cond
                        .wait(switch)
                        .unwrap_or_else(PoisonError::into_inner);
                }
            }
        }
    }
}

/// One thread's hold on the GIL (its thread state). Not `Send`: like a `PyThreadState`, it belongs to the thread
/// that acquired it. Dropping it releases the GIL for good (the thread is finishing).
pub struct GilGuard<'g> {
    gil: &'g Gil,
    id: u64,
    held: bool,
    _not_send: PhantomData<*const ()>,
}

impl std::fmt::Debug for GilGuard<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GilGuard")
            .field("id", &self.id)
            .field("held", &self.held)
            .finish()
    }
}

impl GilGuard<'_> {
    /// A check point (a loop back-edge, a function entry, a return from a call). If another thread has asked for
    /// the GIL, drop it, wait until someone else has taken it, and queue to take it back. Returns whether the GIL
    /// was dropped. Costs one relaxed atomic load when nobody asked.
    #[inline(always)]
    pub fn checkpoint(&mut self) -> bool {
        if self.gil.drop_request.load(Relaxed) {
            self.forced_switch();
            true
        } else {
            false
        }
    }

    #[cold]
    #[inline(never)]
    fn forced_switch(&mut self) {
        if !self.gil.enabled {
            return;
        }
        self.held = false;
        self.gil.drop_gil(Some(self.id), true);
        // Other threads may run now.
        self.gil.take_gil(self.id);
        self.held = true;
    }

    /// Runs a blocking call with the GIL released (`Py_BEGIN_ALLOW_THREADS` ... `Py_END_ALLOW_THREADS`), then takes
    /// it back, waiting like any other thread if someone else holds it by then.
    pub fn allow_threads<R>(&mut self, blocking_call: impl FnOnce() -> R) -> R {
        if !self.gil.enabled {
            return blocking_call();
        }
        self.held = false;
        self.gil.drop_gil(Some(self.id), false);
        let r = blocking_call();
        self.gil.take_gil(self.id);
        self.held = true;
        r
    }

    /// The GIL this guard holds.
    pub fn gil(&self) -> &Gil {
        self.gil
    }
}

impl Drop for GilGuard<'_> {
    fn drop(&mut self) {
        // `held` is false only if allow_threads' call panicked: the GIL is not ours to release then.
        if self.gil.enabled && self.held {
            self.gil.drop_gil(None, false);
        }
    }
}

#[cfg(test)]
mod tests;
