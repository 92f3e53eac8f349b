//! `io-sleep`, `io-net` and `io-file` with tokio's timer, TCP stream and `tokio::fs`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use harness::tasks::{Tally, request_failed, timed_sleep};
use harness::{Outcome, RunCtx, RunError, ScratchDir};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::Semaphore;
use workloads::{file, net};

use crate::join::join_all;

pub async fn sleep(ctx: &RunCtx) -> Result<Outcome, RunError> {
    let delay = ctx.delay();
    let handles = (0..ctx.params.tasks)
        .map(|id| tokio::spawn(timed_sleep(id, delay, tokio::time::sleep)))
        .collect();
    let tally: Tally = join_all("sleep task", handles).await?.into_iter().collect();
    Ok(tally.into_outcome())
}

/// One io-net request on its own connection; returns the echoed id and the round trip (connect included).
/// Kept per runtime on purpose: each uses its own TCP stream and read/write traits.
async fn request(addr: SocketAddr, id: u64, delay_ms: u64) -> std::io::Result<(u64, Duration)> {
    let t = Instant::now();
    let mut s = tokio::net::TcpStream::connect(addr).await?;
    s.set_nodelay(true)?;
    s.write_all(&net::request(id, delay_ms as u32)).await?;
    let mut b = [0u8; net::REPLY_LEN];
    s.read_exact(&mut b).await?;
    Ok((net::parse_reply(&b), t.elapsed()))
}

pub async fn net(ctx: &RunCtx) -> Result<Outcome, RunError> {
    let (addr, delay_ms) = (ctx.server()?, ctx.params.delay_ms);
    let handles = (0..ctx.params.tasks)
        .map(|id| tokio::spawn(request(addr, id, delay_ms)))
        .collect();
    let tally: Tally = join_all("request", handles)
        .await?
        .into_iter()
        .enumerate()
        .map(|(id, r)| r.map_err(|e| request_failed(id, addr, e)))
        .collect::<Result<_, _>>()?;
    Ok(tally.into_outcome())
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
