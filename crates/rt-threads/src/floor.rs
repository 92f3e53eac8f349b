//! `spawn` and `ping-pong` on OS threads, in the `per-task` variant: one `std::thread` per task, parked on a
//! `Mutex<bool>` + `Condvar` (what `threading.Event` is); two threads passing a token through
//! `crossbeam_channel::bounded(1)` each way. The runs themselves are `harness::jobs::floor`'s, shared with rt-gil.

use crossbeam_channel::{Receiver, Sender, bounded};
use harness::jobs::floor::{self, End};
use harness::{Outcome, RunCtx, RunError};
use workloads::spec::sleep_value;

/// N threads, each parked on the release signal until all N are, then giving `sleep_value(id)`.
pub fn spawn(ctx: &RunCtx) -> Result<Outcome, RunError> {
    floor::spawn(ctx.params.tasks, &mut (), |id, release| {
        release.park();
        sleep_value(id)
    })
}

/// A thread's two channel ends: it sends on one and receives on the other.
struct Chan {
    tx: Sender<u64>,
    rx: Receiver<u64>,
}

impl End for Chan {
    fn send(&mut self, token: u64) -> bool {
        self.tx.send(token).is_ok()
    }

    fn recv(&mut self) -> Option<u64> {
        self.rx.recv().ok()
    }
}

/// K round trips between a spawned pinger and a spawned ponger.
pub fn ping_pong(ctx: &RunCtx) -> Result<Outcome, RunError> {
    // Why bounded(1): every model's channel holds at most one token each way, so a send never runs ahead.
    let (ping_tx, ping_rx) = bounded(1);
    let (pong_tx, pong_rx) = bounded(1);
    floor::ping_pong(
        ctx.params.work,
        move || Chan {
            tx: ping_tx,
            rx: pong_rx,
        },
        move || Chan {
            tx: pong_tx,
            rx: ping_rx,
        },
    )
}
