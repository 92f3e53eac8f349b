//! `io-sleep`, `io-net` and `io-file` with async-std's timer, TCP stream and `async_std::fs`.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use async_std::io::{ReadExt, WriteExt};
use async_std::task;
use harness::{LatencyRecorder, Outcome, RunCtx, RunError, ScratchDir};
use workloads::{file, net};

pub async fn sleep(ctx: &RunCtx) -> Result<Outcome, RunError> {
    let delay = ctx.delay();
    let tasks: Vec<_> = (0..ctx.params.tasks)
        .map(|id| {
            task::spawn(async move {
                let t = Instant::now();
                task::sleep(delay).await;
                (id, harness::latency::lateness(t, delay, Instant::now()))
            })
        })
        .collect();
    harness::probe::sample_threads();
    let (mut lat, mut sum) = (LatencyRecorder::new(), 0);
    for t in tasks {
        let (id, late) = t.await;
        lat.record(late);
        sum += id;
    }
    Ok(Outcome::new(sum).latency(lat))
}

/// One io-net request on its own connection; returns the echoed id and the round trip (connect included).
async fn request(addr: SocketAddr, id: u64, delay_ms: u64) -> std::io::Result<(u64, Duration)> {
    let t = Instant::now();
    let mut s = async_std::net::TcpStream::connect(addr).await?;
    s.set_nodelay(true)?;
    s.write_all(&net::request(id, delay_ms as u32)).await?;
    let mut b = [0u8; net::REPLY_LEN];
    s.read_exact(&mut b).await?;
    Ok((net::parse_reply(&b), t.elapsed()))
}

pub async fn net(ctx: &RunCtx) -> Result<Outcome, RunError> {
    let (addr, delay_ms) = (ctx.server()?, ctx.params.delay_ms);
    let tasks: Vec<_> = (0..ctx.params.tasks)
        .map(|id| task::spawn(request(addr, id, delay_ms)))
        .collect();
    harness::probe::sample_threads();
    let (mut lat, mut sum) = (LatencyRecorder::new(), 0);
    for (id, t) in tasks.into_iter().enumerate() {
        let (echo, rtt) = t.await.map_err(|e| {
            RunError::failed(
                format!("request {id} to {addr} (is a delay server listening there?)"),
                e,
            )
        })?;
        lat.record(rtt);
        sum += echo;
    }
    Ok(Outcome::new(sum).latency(lat))
}

pub async fn file(ctx: &RunCtx) -> Result<Outcome, RunError> {
    let dir = ScratchDir::new("rt-async-std")?;
    let size_kib = ctx.params.size_kib;
    let tasks: Vec<_> = (0..ctx.params.tasks)
        .map(|id| {
            let path = dir.path().join(file::file_name(id));
            task::spawn(async move {
                async_std::fs::write(&path, file::contents(id, size_kib)).await?;
                Ok::<_, std::io::Error>(file::hash(&async_std::fs::read(&path).await?))
            })
        })
        .collect();
    let mut acc = 0;
    for (id, t) in tasks.into_iter().enumerate() {
        let h = t.await.map_err(|e| {
            RunError::failed(format!("file task {id} in {}", dir.path().display()), e)
        })?;
        acc = file::combine(acc, h);
    }
    Ok(Outcome::new(acc))
}
