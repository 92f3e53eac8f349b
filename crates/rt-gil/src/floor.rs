//! `spawn` and `ping-pong` under the GIL, in the `per-task` variant: the same program as rt-threads', with each
//! thread holding the GIL while it runs what would be Python code.
//!
//! `spawn`: a new thread takes the GIL as it starts (CPython's thread bootstrap does), parks on the release signal
//! with the GIL released (as `threading.Event.wait` blocks), and takes it back to return its value. The run's own
//! thread is Python's main thread: it holds the GIL, waits for each new thread's bootstrap as `Thread.start()` does,
//! and releases the GIL only while it waits (for a bootstrap, for all to park, for each join). `ping-pong`: the
//! `queue.Queue(maxsize=1)` each way is a `crossbeam_channel::bounded(1)`; a `put` or `get` that can complete at once
//! does so holding the GIL, and one that must block releases it, so every hand-off passes the GIL (the woken thread
//! must take it back from the one that woke it).

use crossbeam_channel::{Receiver, Sender, TryRecvError, TrySendError, bounded};
use gil::{Gil, GilGuard};
use std::sync::{Condvar, Mutex, PoisonError};

use harness::jobs::floor::{self, End, Parent};
use harness::{Outcome, RunCtx, RunError};
use workloads::spec::sleep_value;

/// N threads, each taking the GIL as it starts, parking on the release signal with it released, and giving
/// `sleep_value(id)` once it has the GIL back; the run's thread holds the GIL as Python's main thread does ([`Main`]).
pub fn spawn(ctx: &RunCtx, gil: &Gil) -> Result<Outcome, RunError> {
    let boot = Bootstraps::default();
    let mut main = Main {
        g: gil.acquire(),
        boot: &boot,
    };
    floor::spawn(ctx.params.tasks, &mut main, |id, release| {
        let mut g = gil.acquire(); // the thread's bootstrap
        boot.started(); // `self._started.set()`, holding the GIL
        g.allow_threads(|| release.park()); // Event.wait()
        sleep_value(id) // `return id + 1`, holding the GIL; dropping `g` is the thread's last release
    })
}

/// The run's thread as Python's main thread: it holds the GIL, and releases it only to wait.
///
/// Why model it: in CPython, `Thread.start()` blocks (GIL released) until the new thread's bootstrap has taken the
/// GIL and set its `_started` event, so threads are started one at a time, each start costing two GIL hand-offs.
/// Without it, thousands of new threads would queue on the GIL at once, each waking every switch interval: a convoy
/// that the Python program never builds while it starts its threads (it does when it releases them).
struct Main<'g, 'b> {
    g: GilGuard<'g>,
    boot: &'b Bootstraps,
}

impl Parent for Main<'_, '_> {
    fn started(&mut self, id: u64) {
        let boot = self.boot;
        self.g.allow_threads(|| boot.wait_for(id + 1)); // self._started.wait()
    }

    fn wait<R>(&mut self, f: impl FnOnce() -> R) -> R {
        self.g.allow_threads(f) // an Event.wait() or a Thread.join()
    }
}

/// How many threads have finished their bootstrap: the `_started` events of every `Thread`, as one counter.
#[derive(Default)]
struct Bootstraps {
    count: Mutex<u64>,
    cv: Condvar,
}

impl Bootstraps {
    fn started(&self) {
        *self.count.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        self.cv.notify_one();
    }

    fn wait_for(&self, n: u64) {
        let mut c = self.count.lock().unwrap_or_else(PoisonError::into_inner);
        while *c < n {
            c = self.cv.wait(c).unwrap_or_else(PoisonError::into_inner);
        }
    }
}

/// A thread's two queue ends and its hold on the GIL.
struct Chan<'g> {
    g: GilGuard<'g>,
    tx: Sender<u64>,
    rx: Receiver<u64>,
}

impl End for Chan<'_> {
    fn send(&mut self, token: u64) -> bool {
        // As `Queue.put`: with room, it completes holding the GIL; only waiting for room releases it.
        match self.tx.try_send(token) {
            Ok(()) => true,
            Err(TrySendError::Full(token)) => {
                let tx = &self.tx;
                self.g.allow_threads(|| tx.send(token).is_ok())
            }
            Err(TrySendError::Disconnected(_)) => false,
        }
    }

    fn recv(&mut self) -> Option<u64> {
        // As `Queue.get`: an item there is taken holding the GIL; waiting for one releases it.
        match self.rx.try_recv() {
            Ok(token) => Some(token),
            Err(TryRecvError::Empty) => {
                let rx = &self.rx;
                self.g.allow_threads(|| rx.recv().ok())
            }
            Err(TryRecvError::Disconnected) => None,
        }
    }
}

/// K round trips between a spawned pinger and a spawned ponger, each holding the GIL from its start.
pub fn ping_pong(ctx: &RunCtx, gil: &Gil) -> Result<Outcome, RunError> {
    // Why bounded(1): every model's channel holds at most one token each way (`queue.Queue(maxsize=1)`).
    let (ping_tx, ping_rx) = bounded(1);
    let (pong_tx, pong_rx) = bounded(1);
    floor::ping_pong(
        ctx.params.work,
        move || Chan {
            g: gil.acquire(),
            tx: ping_tx,
            rx: pong_rx,
        },
        move || Chan {
            g: gil.acquire(),
            tx: pong_tx,
            rx: ping_rx,
        },
    )
}
