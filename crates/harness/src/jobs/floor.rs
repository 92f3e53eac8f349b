//! The floor workloads on blocking OS threads, shared by rt-threads and rt-gil: the release signal of `spawn`
//! ([`Release`]), the whole `spawn` run ([`spawn`]), and the `ping-pong` run between two spawned threads
//! ([`ping_pong`]) over any channel ([`End`]).
//!
//! Each runtime supplies only what differs: what a task does around its park (rt-gil's threads take the GIL when they
//! start and wait with it released), what the run's own thread does around its waits ([`Parent`]: rt-gil's holds the
//! GIL as Python's main thread does) and how a channel end sends and receives (rt-gil's release the GIL only when they
//! must block). Threads are started with `std::thread::Builder` (default stack size: what a user gets), whose spawn
//! returns the OS's refusal as an error; `std::thread::spawn` would panic on it.

use std::panic::PanicHookInfo;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Condvar, Mutex, MutexGuard, Once, PoisonError};
use std::thread::{Builder, Scope, ScopedJoinHandle};
use std::time::Instant;

use workloads::spec::pong_value;

use crate::floor::{Memory, RoundTrips, SpawnProbe, spawn_failed};
use crate::{Outcome, RunError};

/// `spawn`'s release signal for threads: a `Mutex<bool>` and a `Condvar` (what Python's `threading.Event` is), plus
/// the count of tasks parked on it, which wakes the run when the last one arrives.
#[derive(Debug)]
pub struct Release {
    tasks: u64,
    state: Mutex<State>,
    /// Signalled once, by the last task to park.
    all_parked: Condvar,
    /// Signalled once, by [`Release::release`]: every parked task wakes.
    released_cv: Condvar,
}

#[derive(Debug, Default)]
struct State {
    parked: u64,
    released: bool,
}

impl Release {
    /// The signal of a run of `tasks` tasks.
    pub fn new(tasks: u64) -> Release {
        Release {
            tasks,
            state: Mutex::new(State::default()),
            all_parked: Condvar::new(),
            released_cv: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts the calling task parked and waits until the run releases it. Why one lock hold for both: the count
    /// and the wait are atomic, so when the run sees N parked, all N are waiting on the condvar (registered), and a
    /// release can never be missed.
    pub fn park(&self) {
        let mut st = self.lock();
        st.parked += 1;
        if st.parked == self.tasks {
            self.all_parked.notify_one();
        }
        while !st.released {
            st = self
                .released_cv
                .wait(st)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Waits until every task has parked; returns how many did (all of them).
    pub fn wait_all_parked(&self) -> u64 {
        let mut st = self.lock();
        while st.parked < self.tasks {
            st = self
                .all_parked
                .wait(st)
                .unwrap_or_else(PoisonError::into_inner);
        }
        st.parked
    }

    /// Releases every parked task, and any that parks later (one call: `Event.set()`).
    pub fn release(&self) {
        self.lock().released = true;
        self.released_cv.notify_all();
    }
}

/// The run's own thread in [`spawn`]: what it does after starting each thread and around its waits. `()` does
/// nothing more (rt-threads); rt-gil's holds the GIL as Python's main thread would.
pub trait Parent {
    /// Called once task `id`'s thread was started. rt-gil waits here for the thread's bootstrap, with the GIL
    /// released, as `Thread.start()` does.
    fn started(&mut self, _id: u64) {}

    /// Runs one of the run's waits (for every task to park, for one thread to end). rt-gil releases the GIL around
    /// it.
    fn wait<R>(&mut self, f: impl FnOnce() -> R) -> R {
        f()
    }
}

impl Parent for () {}

/// The `spawn` run on OS threads: `n` threads started one after another, each running `task(id, release)`, which must
/// park on `release` once ([`Release::park`]) and then return `sleep_value(id)`. Memory is sampled once all `n` are
/// parked; then they are released and joined, and their values summed (see [`SpawnProbe`]). `parent` is the run's
/// own thread ([`Parent`]).
///
/// When the OS refuses a thread, the threads already started are released and joined, and the run fails with
/// `could not spawn thread <i> of <n>: <OS reason>` (exit 1): never a panic, never a thread left behind.
pub fn spawn<F>(n: u64, parent: &mut impl Parent, task: F) -> Result<Outcome, RunError>
where
    F: Fn(u64, &Release) -> u64 + Sync,
{
    let release = Release::new(n);
    let (task, rel) = (&task, &release);
    catch_refused_starts(n);
    let out = std::thread::scope(|s| {
        // Allocated before the probe starts: the run's bookkeeping, not the threads' cost.
        let mut handles = Vec::with_capacity(n as usize);
        let mut probe = SpawnProbe::start(n);
        for id in 0..n {
            // Default stack size (RUST_MIN_STACK, else 2 MiB): what `std::thread` gives a user.
            match Builder::new().spawn_scoped(s, move || task(id, rel)) {
                Ok(h) => {
                    handles.push(h);
                    SPAWN_STARTED.store(id + 1, Relaxed);
                    parent.started(id);
                }
                Err(e) => {
                    rel.release();
                    join_all(parent, handles);
                    return Err(spawn_failed("thread", id, n, e));
                }
            }
        }
        let parked = parent.wait(|| rel.wait_all_parked());
        probe.parked(parked, Memory::default);
        rel.release();
        Ok(probe.joined(join_all(parent, handles)))
    });
    SPAWN_TASKS.store(0, Relaxed);
    out
}

/// Joins every thread and sums their values (a thread's panic is re-raised here).
fn join_all(parent: &mut impl Parent, handles: Vec<ScopedJoinHandle<'_, u64>>) -> u64 {
    handles.into_iter().fold(0, |sum, h| {
        sum + parent
            .wait(|| h.join())
            .unwrap_or_else(|p| std::panic::resume_unwind(p))
    })
}

/// The `spawn` run in progress: its N (0: none) and the threads it has started so far.
static SPAWN_TASKS: AtomicU64 = AtomicU64::new(0);
static SPAWN_STARTED: AtomicU64 = AtomicU64::new(0);

/// Makes a thread that the OS refuses *after* `Builder::spawn` returned `Ok` end the run like any refused spawn.
///
/// Why: std gives every new thread a signal stack with a guard page (two mappings besides its stack and guard page:
/// four in all, so `vm.max_map_count` = 65,530 stops a run near 16k threads, before pid_max does). It maps them in
/// the new thread, before the task runs, and panics there if the OS refuses; that panic cannot be caught, and the
/// process would abort. The panic hook set here (once, delegating every other panic to the previous hook) prints
/// the one-line refusal, `could not spawn thread <started> of <n>: ...`, and exits 1; the threads already started
/// end with the process, none outlives it.
fn catch_refused_starts(n: u64) {
    static INSTALL: Once = Once::new();
    SPAWN_STARTED.store(0, Relaxed);
    SPAWN_TASKS.store(n, Relaxed);
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let n = SPAWN_TASKS.load(Relaxed);
            if n == 0 || !from_thread_start(info) {
                return previous(info);
            }
            let started = SPAWN_STARTED.load(Relaxed).max(1);
            let reason = crate::cli::payload(info);
            let e = spawn_failed("thread", started - 1, n, reason);
            eprintln!("{}: {e}", crate::cli::program_name());
            crate::watchdog::run_cleanups();
            std::process::exit(crate::exit::FAILED);
        }));
    });
}

/// Whether a panic is std's, setting up a new thread's signal stack before the thread's closure runs.
fn from_thread_start(info: &PanicHookInfo<'_>) -> bool {
    info.location()
        .is_some_and(|l| l.file().ends_with("stack_overflow.rs"))
}

/// One thread's end of the `ping-pong` channel pair: it sends on one channel and receives on the other.
pub trait End {
    /// Sends a token; `false` if the other end is gone.
    fn send(&mut self, token: u64) -> bool;
    /// Receives a token; `None` once the other end is gone and the channel is empty.
    fn recv(&mut self) -> Option<u64>;
}

/// The `ping-pong` run: two spawned threads, the ponger (started first) and the pinger, each building its [`End`]
/// on its own thread (an end may hold something that belongs to its thread, such as a GIL thread state). The
/// pinger sends tokens 0..k, timing each round trip from before the send to after the reply arrives; the ponger
/// answers token `i` with `pong_value(i)` until the pinger's end is dropped. The run only joins them.
pub fn ping_pong<P, Q>(
    k: u64,
    pinger: impl FnOnce() -> P + Send,
    ponger: impl FnOnce() -> Q + Send,
) -> Result<Outcome, RunError>
where
    P: End,
    Q: End,
{
    std::thread::scope(|s| {
        let pong = spawn_named(s, "ponger", move || {
            let mut end = ponger();
            while let Some(token) = end.recv() {
                if !end.send(pong_value(token)) {
                    break;
                }
            }
        })?;
        // If this spawn fails, the closure (and the channel ends it holds) is dropped and the ponger ends.
        let ping = spawn_named(s, "pinger", move || {
            let mut end = pinger();
            let mut trips = RoundTrips::start(k);
            for token in 0..k {
                let t = Instant::now();
                let reply = end
                    .send(token)
                    .then(|| end.recv())
                    .flatten()
                    .ok_or_else(|| format!("the ponger stopped after {token} round trips"))?;
                trips.add(t.elapsed(), reply);
            }
            Ok::<_, String>(trips.outcome())
        })?;
        let out = ping.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
        pong.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
        out.map_err(RunError::Failed)
    })
}

fn spawn_named<'s, T: Send + 's>(
    s: &'s Scope<'s, '_>,
    name: &str,
    f: impl FnOnce() -> T + Send + 's,
) -> Result<ScopedJoinHandle<'s, T>, RunError> {
    Builder::new()
        .name(name.into())
        .spawn_scoped(s, f)
        .map_err(|e| RunError::Failed(format!("could not spawn the {name} thread: {e}")))
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

    use workloads::spec::sleep_value;

    use super::*;
    use crate::contract::extra;

    #[test]
    fn spawn_parks_every_task_before_sampling_and_sums_their_values() {
        let o = spawn(50, &mut (), |id, r| {
            r.park();
            sleep_value(id)
        })
        .unwrap();
        assert_eq!(o.checksum, 50 * 51 / 2);
        assert_eq!(o.extra[extra::PARKED], 50);
    }

    struct Std(SyncSender<u64>, Receiver<u64>);

    impl End for Std {
        fn send(&mut self, token: u64) -> bool {
            self.0.send(token).is_ok()
        }
        fn recv(&mut self) -> Option<u64> {
            self.1.recv().ok()
        }
    }

    #[test]
    fn ping_pong_answers_every_token_once() {
        let (ping_tx, ping_rx) = sync_channel(1);
        let (pong_tx, pong_rx) = sync_channel(1);
        let o = ping_pong(
            100,
            move || Std(ping_tx, pong_rx),
            move || Std(pong_tx, ping_rx),
        )
        .unwrap();
        assert_eq!(o.checksum, 100 * 101 / 2);
        assert_eq!(o.extra[extra::ROUND_TRIPS], 100);
    }

    /// An end whose other side is gone.
    struct Gone;

    impl End for Gone {
        fn send(&mut self, _: u64) -> bool {
            false
        }
        fn recv(&mut self) -> Option<u64> {
            None
        }
    }

    /// A ponger that stops at once fails the run instead of hanging it.
    #[test]
    fn a_ponger_that_stops_fails_the_run() {
        let (ping_tx, ping_rx) = sync_channel(1);
        let (pong_tx, pong_rx) = sync_channel::<u64>(1);
        let e = ping_pong(
            10,
            move || Std(ping_tx, pong_rx),
            move || {
                drop((pong_tx, ping_rx));
                Gone
            },
        );
        assert!(
            matches!(&e, Err(RunError::Failed(m)) if m.contains("stopped after 0")),
            "{e:?}"
        );
    }
}
