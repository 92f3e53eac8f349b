//! `io-sleep`, `io-net` and `io-file` with async-std's timer, TCP stream and `async_std::fs`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use async_lock::Semaphore;
use async_std::io::{ReadExt, WriteExt};
use async_std::task;
use harness::tasks::{
    Tally, join_in_order, request_failed, round_trip, timed_sleep, try_join_in_order,
};
use harness::{Outcome, RunCtx, RunError, ScratchDir};
use workloads::{file, net};

pub async fn sleep(ctx: &RunCtx) -> Result<Outcome, RunError> {
    let delay = ctx.delay();
    // The run's submission instant: just before the first task is spawned (see harness::latency).
    let submitted = Instant::now();
    let tasks: Vec<_> = (0..ctx.params.tasks)
        .map(|id| task::spawn(timed_sleep(id, delay, task::sleep)))
        .collect();
    harness::probe::sample_threads();
    let tally: Tally = join_in_order(tasks).await.into_iter().collect();
    Ok(tally.into_outcome(submitted))
}

/// One io-net request on its own connection; returns the server's reply, checked (`harness::tasks::round_trip`
/// times it). Kept per runtime on purpose: each uses its own TCP stream and read/write traits.
async fn request(addr: SocketAddr, id: u64, nonce: u64, delay_ms: u64) -> std::io::Result<u64> {
    let mut s = async_std::net::TcpStream::connect(addr).await?;
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
    let tasks: Vec<_> = (0..ctx.params.tasks)
        .map(|id| task::spawn(round_trip(request(addr, id, p.nonce, p.delay_ms))))
        .collect();
    harness::probe::sample_threads();
    let tally: Tally = try_join_in_order(tasks, |id, e| request_failed(id, addr, e))
        .await?
        .into_iter()
        .collect();
    Ok(tally.into_outcome(submitted))
}

pub async fn file(ctx: &RunCtx) -> Result<Outcome, RunError> {
    let dir = ScratchDir::new("rt-async-std")?;
    let size_kib = ctx.params.size_kib;
    // async-std has no semaphore of its own; async-lock's is the one of the smol-rs crates async-std is built on.
    let permits = Arc::new(Semaphore::new(ctx.params.workers as usize));
    let tasks: Vec<_> = (0..ctx.params.tasks)
        .map(|id| {
            let path = dir.path().join(file::file_name(id));
            let permits = Arc::clone(&permits);
            task::spawn(async move {
                // Why the permit comes first: io-file's rule in every model is T tasks submitted, at most W doing file
                // I/O at once, each building its buffer inside that bound (docs/workloads.md). Built before it, T
                // buffers of S would wait for the W-thread blocking pool at once (peak memory T x S, not W x S).
                let _in_flight = permits.acquire().await;
                async_std::fs::write(&path, file::contents(id, size_kib)).await?;
                Ok::<_, std::io::Error>(file::hash(&async_std::fs::read(&path).await?))
            })
        })
        .collect();
    let acc = try_join_in_order(tasks, |id, e| {
        RunError::failed(format!("file task {id} in {}", dir.path().display()), e)
    })
    .await?
    .into_iter()
    .fold(0, file::combine);
    Ok(Outcome::new(acc))
}
