//! `spawn` and `ping-pong` as tokio tasks: `tokio::spawn`, one `Notify` as the release signal, and a
//! `tokio::sync::mpsc::channel(1)` each way (see `harness::tasks` for the run, the pinger and the ponger).

use std::pin::pin;
use std::sync::Arc;

use harness::tasks::{Duplex, SpawnGate, parked_task, pinger, ponger, spawn_run};
use harness::{Outcome, RunCtx, RunError};
use tokio::sync::Notify;
use tokio::sync::mpsc::{self, Receiver, Sender, error::SendError};

pub async fn spawn(ctx: &RunCtx) -> Result<Outcome, RunError> {
    let n = ctx.params.tasks;
    let gate = Arc::new(SpawnGate::new(n, Notify::new));
    // `notify_one` stores a permit when no one waits yet, so the run may start waiting after the spawns.
    let all_parked = gate.all_parked.notified();
    spawn_run(
        &gate,
        |id| {
            let gate = Arc::clone(&gate);
            tokio::spawn(async move {
                // Why `enable` before counting: a `Notified` joins the waiters only when first polled or enabled,
                // and `notify_waiters` wakes only the waiters already there.
                let mut released = pin!(gate.release.notified());
                released.as_mut().enable();
                parked_task(id, &gate, released, Notify::notify_one).await
            })
        },
        all_parked,
        Notify::notify_waiters,
        |i, r| r.map_err(|e| RunError::failed(format!("spawn task {i}"), e)),
    )
    .await
}

/// One end of ping-pong: tokio's bounded mpsc, capacity 1, each way.
struct Ends(Sender<u64>, Receiver<u64>);

impl Duplex for Ends {
    type Error = SendError<u64>;
    async fn send(&mut self, token: u64) -> Result<(), SendError<u64>> {
        self.0.send(token).await
    }
    async fn recv(&mut self) -> Option<u64> {
        self.1.recv().await
    }
}

pub async fn ping_pong(ctx: &RunCtx) -> Result<Outcome, RunError> {
    let (ping_tx, ping_rx) = mpsc::channel(1);
    let (pong_tx, pong_rx) = mpsc::channel(1);
    // Both ends are spawned tasks, so the multi-thread scheduler places them as it would any two tasks.
    let ponger = tokio::spawn(ponger(Ends(pong_tx, ping_rx)));
    let pinger = tokio::spawn(pinger(ctx.params.work, Ends(ping_tx, pong_rx)));
    let out = pinger
        .await
        .map_err(|e| RunError::failed("ping-pong: the pinger", e))??;
    ponger
        .await
        .map_err(|e| RunError::failed("ping-pong: the ponger", e))??;
    Ok(out)
}
