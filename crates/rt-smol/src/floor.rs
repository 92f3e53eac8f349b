//! `spawn` and `ping-pong` as smol tasks on the run's own executor: `Executor::spawn` / `LocalExecutor::spawn`, one
//! `event_listener::Event` as the release signal (what smol's own locks and channels park on), and an
//! `async_channel::bounded(1)` (`smol::channel`) each way (see `harness::tasks` for the run, the pinger and the
//! ponger).

use std::sync::Arc;

use event_listener::Event;
use harness::tasks::{Duplex, SpawnGate, parked_task, pinger, ponger, spawn_run};
use harness::{Outcome, RunCtx, RunError};
use smol::channel::{self, Receiver, SendError, Sender};

use crate::exec::Exec;

pub async fn spawn(ex: &Exec<'_>, ctx: &RunCtx) -> Result<Outcome, RunError> {
    let n = ctx.params.tasks;
    let gate = Arc::new(SpawnGate::new(n, Event::new));
    // Why listen before the first spawn: an `Event` keeps no permit, so a notification before the run listens is lost.
    let all_parked = gate.all_parked.listen();
    spawn_run(
        &gate,
        |id| {
            let gate = Arc::clone(&gate);
            ex.spawn(async move {
                let released = gate.release.listen();
                parked_task(id, &gate, released, |e| {
                    e.notify(1);
                })
                .await
            })
        },
        all_parked,
        |r| {
            r.notify(usize::MAX);
        },
        |_, v| Ok(v),
    )
    .await
}

/// One end of ping-pong: async-channel's bounded channel, capacity 1, each way.
struct Ends(Sender<u64>, Receiver<u64>);

impl Duplex for Ends {
    type Error = SendError<u64>;
    async fn send(&mut self, token: u64) -> Result<(), SendError<u64>> {
        self.0.send(token).await
    }
    async fn recv(&mut self) -> Option<u64> {
        self.1.recv().await.ok()
    }
}

pub async fn ping_pong(ex: &Exec<'_>, ctx: &RunCtx) -> Result<Outcome, RunError> {
    let (ping_tx, ping_rx) = channel::bounded(1);
    let (pong_tx, pong_rx) = channel::bounded(1);
    // Both ends are spawned tasks, so the multi-thread executor places them as it would any two tasks.
    let ponger = ex.spawn(ponger(Ends(pong_tx, ping_rx)));
    let pinger = ex.spawn(pinger(ctx.params.work, Ends(ping_tx, pong_rx)));
    let out = pinger.await?;
    ponger.await?;
    Ok(out)
}
