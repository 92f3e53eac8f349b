//! The blocking forms of the I/O tasks, for models whose tasks make blocking calls (sequential, threads, rayon,
//! processes, the GIL emulation). Async runtimes write the same steps with their own primitives.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

use crate::{file, net};

/// One io-net request on its own connection: connect, send `(id, nonce, delay_ms)`, read the reply and check it
/// ([`net::expect_reply`]: anything but `reply_value(id, nonce)` is an `InvalidData` error). Returns the reply and
/// the round trip, connection set-up included.
pub fn net_request(
    addr: SocketAddr,
    id: u64,
    nonce: u64,
    delay_ms: u64,
) -> std::io::Result<(u64, Duration)> {
    let t = Instant::now();
    let mut s = TcpStream::connect(addr)?;
    s.set_nodelay(true)?;
    s.write_all(&net::request(id, nonce, delay_ms as u32))?;
    let mut b = [0u8; net::REPLY_LEN];
    s.read_exact(&mut b)?;
    let rtt = t.elapsed();
    Ok((net::expect_reply(id, nonce, net::parse_reply(&b))?, rtt))
}

/// One io-file task: write task `task`'s contents to its own file in `dir`, read it back, hash what was read.
pub fn file_task(dir: &Path, task: u64, size_kib: u64) -> std::io::Result<u64> {
    let path = dir.join(file::file_name(task));
    std::fs::write(&path, file::contents(task, size_kib))?;
    let back = std::fs::read(&path)?;
    Ok(file::hash(&back))
}
