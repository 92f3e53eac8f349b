//! `io-sleep`, `io-net` and `io-file` with smol's timer, TCP stream and `smol::fs`.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use harness::tasks::{
    Tally, join_in_order, request_failed, round_trip, timed_sleep, try_join_in_order,
};
use harness::{Outcome, RunCtx, RunError};
use smol::io::{AsyncReadExt, AsyncWriteExt};
use smol::lock::Semaphore;
use workloads::{file, net};

use crate::exec::Exec;

pub async fn sleep(ex: &Exec<'_>, ctx: &RunCtx) -> Result<Outcome, RunError> {
    let delay = ctx.delay();
    // The run's submission instant: just before the first task is spawned (see harness::latency).
    let submitted = Instant::now();
    let tasks: Vec<_> = (0..ctx.params.tasks)
        .map(|id| ex.spawn(timed_sleep(id, delay, smol::Timer::after)))
        .collect();
    harness::probe::sample_threads();
    let tally: Tally = join_in_order(tasks).await.into_iter().collect();
    Ok(tally.into_outcome(submitted))
}

/// One io-net request on its own connection; returns the server's reply, checked (`harness::tasks::round_trip`
/// times it). Kept per runtime on purpose: each uses its own TCP stream and read/write traits.
async fn request(addr: SocketAddr, id: u64, nonce: u64, delay_ms: u64) -> std::io::Result<u64> {
    let mut s = smol::net::TcpStream::connect(addr).await?;
    s.set_nodelay(true)?;
    s.write_all(&net::request(id, nonce, delay_ms as u32))
        .await?;
    let mut b = [0u8; net::REPLY_LEN];
    s.read_exact(&mut b).await?;
    net::expect_reply(id, nonce, net::parse_reply(&b))
}

pub async fn net(ex: &Exec<'_>, ctx: &RunCtx) -> Result<Outcome, RunError> {
    let (addr, p) = (ctx.server()?, ctx.params);
    // The run's submission instant: just before the first task is spawned (see harness::latency).
    let submitted = Instant::now();
    let tasks: Vec<_> = (0..ctx.params.tasks)
        .map(|id| ex.spawn(round_trip(request(addr, id, p.nonce, p.delay_ms))))
        .collect();
    harness::probe::sample_threads();
    let tally: Tally = try_join_in_order(tasks, |id, e| request_failed(id, addr, e))
        .await?
        .into_iter()
        .collect();
    Ok(tally.into_outcome(submitted))
}

pub async fn file(ex: &Exec<'_>, ctx: &RunCtx, dir: &Path) -> Result<Outcome, RunError> {
    let size_kib = ctx.params.size_kib;
    let permits = Arc::new(Semaphore::new(ctx.params.workers as usize));
    let tasks: Vec<_> = (0..ctx.params.tasks)
        .map(|id| {
            let path = dir.join(file::file_name(id));
            let permits = Arc::clone(&permits);
            ex.spawn(async move {
                // Why the permit comes first: io-file's rule in every model is T tasks submitted, at most W doing file
                // I/O at once, each building its buffer inside that bound (docs/workloads.md). Built before it, T
                // buffers of S would wait for the W-thread blocking pool at once (peak memory T x S, not W x S).
                let _in_flight = permits.acquire().await;
                smol::fs::write(&path, file::contents(id, size_kib)).await?;
                Ok::<_, std::io::Error>(file::hash(&smol::fs::read(&path).await?))
            })
        })
        .collect();
    let acc = try_join_in_order(tasks, |id, e| {
        RunError::failed(format!("file task {id} in {}", dir.display()), e)
    })
    .await?
    .into_iter()
    .fold(0, file::combine);
    Ok(Outcome::new(acc))
}
