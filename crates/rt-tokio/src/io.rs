//! `io-sleep`, `io-net` and `io-file` with tokio's timer, TCP stream and `tokio::fs`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use harness::tasks::{Tally, request_failed, round_trip, timed_sleep};
use harness::{Outcome, RunCtx, RunError, ScratchDir};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::Semaphore;
use workloads::{file, net};

use crate::join::join_all;

pub async fn sleep(ctx: &RunCtx) -> Result<Outcome, RunError> {
    let delay = ctx.delay();
    // The run's submission instant: just before the first task is spawned (see harness::latency).
    let submitted = Instant::now();
    let handles = (0..ctx.params.tasks)
        .map(|id| tokio::spawn(timed_sleep(id, delay, tokio::time::sleep)))
        .collect();
    let tally: Tally = join_all("sleep task", handles).await?.into_iter().collect();
    Ok(tally.into_outcome(submitted))
}

/// One io-net request on its own connection; returns the server's reply, checked (`harness::tasks::round_trip`
/// times it). Kept per runtime on purpose: each uses its own TCP stream and read/write traits.
async fn request(addr: SocketAddr, id: u64, nonce: u64, delay_ms: u64) -> std::io::Result<u64> {
    let mut s = tokio::net::TcpStream::connect(addr).await?;
    s.set_nodelay(true)?;
    s.write_all(&net::request(id, nonce, delay_ms as u32))
        .await?;
    let mut b = [0u8; net::REPLY_LEN];
    s.read_exact(&mut b).await?;
    net::expect_reply(id, nonce, net::parse_reply(&b))
}

pub async fn net(ctx: &RunCtx) -> Result<Outcome, RunError> {
    let (addr, p) = (ctx.server()?, ctx.params);
    // The run's submission instant: just before the first task is spawned (see harness::latency).
    let submitted = Instant::now();
    let handles = (0..ctx.params.tasks)
        .map(|id| tokio::spawn(round_trip(request(addr, id, p.nonce, p.delay_ms))))
        .collect();
    let tally: Tally = join_all("request", handles)
        .await?
        .into_iter()
        .enumerate()
        .map(|(id, r)| r.map_err(|e| request_failed(id, addr, e)))
        .collect::<Result<_, _>>()?;
    Ok(tally.into_outcome(submitted))
}

pub async fn file(ctx: &RunCtx) -> Result<Outcome, RunError> {
    let dir = ScratchDir::new("rt-tokio")?;
    let size_kib = ctx.params.size_kib;
    let permits = Arc::new(Semaphore::new(ctx.params.workers as usize));
    let handles = (0..ctx.params.tasks)
        .map(|id| {
            let path = dir.path().join(file::file_name(id));
            let permits = Arc::clone(&permits);
            tokio::spawn(async move {
                // Why the permit comes first: io-file's rule in every model is T tasks submitted, at most W doing file
                // I/O at once, each building its buffer inside that bound (docs/workloads.md). Built before it, T
                // buffers of S would wait for the W-thread blocking pool at once (peak memory T x S, not W x S).
                let _in_flight = permits.acquire().await.map_err(std::io::Error::other)?;
                tokio::fs::write(&path, file::contents(id, size_kib)).await?;
                Ok::<_, std::io::Error>(file::hash(&tokio::fs::read(&path).await?))
            })
        })
        .collect();
    let mut acc = 0;
    for (id, r) in join_all("file task", handles)
        .await?
        .into_iter()
        .enumerate()
    {
        let h = r.map_err(|e| {
            RunError::failed(format!("file task {id} in {}", dir.path().display()), e)
        })?;
        acc = file::combine(acc, h);
    }
    Ok(Outcome::new(acc))
}
