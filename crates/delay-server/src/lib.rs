//! The delay server of the `io-net` workload: it answers each request after the delay the request carries.
//!
//! The protocol is in [`workloads::net`]: a 20-byte request (`id: u64`, `nonce: u64`, `delay_ms: u32`,
//! little-endian), an 8-byte reply (`reply_value(id, nonce)`) sent `delay_ms` after the request arrived. It counts the
//! replies it sent per nonce ([`DelayServer::served`]), so a test or the driver can check that a run's round trips
//! all went through it. It binds 127.0.0.1 only, runs on its own tokio runtime
//! (two threads) on background threads, and must never be the bottleneck: the listen backlog takes 8,192 pending
//! connections, the open-file limit is raised to its hard maximum, and a reply is scheduled against the arrival time
//! so the delay does not include queueing inside the server.
//!
//! It is used by the conformance suite and the driver (`arena serve`, `arena bench`); it is never linked into a
//! runtime binary, so no runtime pays for tokio it does not use.

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anyhow::Context;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::oneshot;
use tokio::time::Instant;
use workloads::net::{REQUEST_LEN, SERVER_DEFAULT_DELAY, parse_request, reply, reply_value};

/// Replies sent, per nonce.
type Served = Arc<Mutex<HashMap<u64, u64>>>;

/// A running delay server. Dropping it (or [`DelayServer::stop`]) closes the listener and every connection.
#[derive(Debug)]
pub struct DelayServer {
    addr: SocketAddr,
    served: Served,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl DelayServer {
    /// Starts a server on 127.0.0.1 at `port` (0 = an ephemeral port). `default_delay_ms` answers requests whose
    /// delay is [`SERVER_DEFAULT_DELAY`].
    pub fn start(port: u16, default_delay_ms: u32) -> anyhow::Result<DelayServer> {
        workloads::net::raise_nofile_limit();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("delay-server")
            .enable_all()
            .build()
            .context("could not start the delay server's tokio runtime")?;
        let listener = rt.block_on(async {
            let socket = TcpSocket::new_v4()?;
            socket.set_reuseaddr(true)?;
            socket.bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))?;
            socket.listen(8192)
        });
        let listener = listener.with_context(|| format!("could not listen on 127.0.0.1:{port}"))?;
        let addr = listener.local_addr()?;
        let (stop_tx, mut stop_rx) = oneshot::channel::<()>();
        let served = Served::default();
        let counts = served.clone();
        let thread = std::thread::Builder::new()
            .name("delay-server-main".into())
            .spawn(move || {
                rt.block_on(async move {
                    loop {
                        tokio::select! {
                            _ = &mut stop_rx => break,
                            accepted = listener.accept() => match accepted {
                                Ok((stream, _)) => {
                                    tokio::spawn(serve_connection(stream, default_delay_ms, counts.clone()));
                                }
                                // Out of file descriptors or a reset before accept: keep serving the others.
                                Err(_) => tokio::time::sleep(Duration::from_millis(1)).await,
                            },
                        }
                    }
                });
                // Dropping the runtime cancels every connection task.
                rt.shutdown_timeout(Duration::from_millis(100));
            })
            .context("could not spawn the delay server thread")?;
        Ok(DelayServer {
            addr,
            served,
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }

    /// The address clients connect to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// How many requests carrying `nonce` it has answered. A reply is counted just before it is written, so once a
    /// client has read its reply the count includes it.
    pub fn served(&self, nonce: u64) -> u64 {
        let counts = self.served.lock().unwrap_or_else(PoisonError::into_inner);
        counts.get(&nonce).copied().unwrap_or(0)
    }

    /// Stops the server and waits for its threads to end.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for DelayServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Turns the connection's close into a reset (`SO_LINGER` on with a zero timeout).
///
/// Why: every io-net request is a connection of its own, and the client closes it first once it has its reply, so
/// with an orderly close the client's side of every connection waits in TIME_WAIT for 60 s. A 10,000-task run leaves
/// 10,000 of them with this server's address, and the next run's connects then collide with them and are recycled:
/// rt-tokio's current-thread io-net at 10,000 tasks took about 0.5 s on a clean loopback and 1.2 s right after the
/// same run (see ../shared ECOSYSTEM notes, "Loopback and the kernel"). Answering the client's FIN with a reset
/// aborts its socket in FIN_WAIT_2, so no TIME_WAIT is left on either side and each run starts from the same kernel
/// state, whatever ran before it. It is done here, in the one server every model's clients talk to, so all of them
/// (the peers too) get it alike, and only after the client has closed: no reply is ever cut off.
fn reset_on_close(fd: std::os::fd::RawFd) {
    // A failure leaves the orderly close: the run is then as it always was, never wrong.
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: `fd` is this connection's open socket (the caller keeps its stream alive across the call), and the
    // option value is a `linger` of the size passed.
    unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&raw const linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        );
    }
}

async fn serve_connection(stream: TcpStream, default_delay_ms: u32, served: Served) {
    let _ = stream.set_nodelay(true);
    let fd = std::os::fd::AsRawFd::as_raw_fd(&stream);
    let (mut rd, wr) = stream.into_split();
    let wr = std::sync::Arc::new(tokio::sync::Mutex::new(Writer(Some(wr))));
    let mut buf = [0u8; REQUEST_LEN];
    while rd.read_exact(&mut buf).await.is_ok() {
        let arrived = Instant::now();
        let req = parse_request(&buf);
        let delay = if req.delay_ms == SERVER_DEFAULT_DELAY {
            default_delay_ms
        } else {
            req.delay_ms
        };
        let (wr, served) = (wr.clone(), served.clone());
        // Each request is answered on its own timer, so pipelined requests do not queue behind each other.
        tokio::spawn(async move {
            tokio::time::sleep_until(arrived + Duration::from_millis(u64::from(delay))).await;
            *served
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(req.nonce)
                .or_default() += 1;
            if let Some(w) = wr.lock().await.0.as_mut() {
                let _ = w.write_all(&reply(reply_value(req.id, req.nonce))).await;
            }
        });
    }
    // The client has closed (or the connection failed): reset rather than leave it a TIME_WAIT (see above). The
    // option is set while the read half still holds the socket open, so `fd` is this connection's; the socket closes,
    // with the reset, when the last of the halves goes.
    reset_on_close(fd);
    drop(rd);
}

/// A connection's write half that sends no FIN of its own when dropped ([`OwnedWriteHalf::forget`]): tokio shuts
/// the write side down when a write half is dropped, and a FIN before the reset would put the client's socket into
/// TIME_WAIT after all. The socket closes when both halves are gone.
struct Writer(Option<OwnedWriteHalf>);

impl Drop for Writer {
    fn drop(&mut self) {
        if let Some(w) = self.0.take() {
            w.forget();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use workloads::net::{REPLY_LEN, parse_reply, request};

    const NONCE: u64 = 0x1234_5678_9ABC_DEF0;

    #[test]
    fn answers_after_the_requested_delay_and_stops() {
        let server = DelayServer::start(0, 7).unwrap();
        assert!(server.addr().ip().is_loopback());
        let mut s = std::net::TcpStream::connect(server.addr()).unwrap();
        for (id, delay) in [(41u64, 30u32), (42, SERVER_DEFAULT_DELAY)] {
            let t = std::time::Instant::now();
            s.write_all(&request(id, NONCE, delay)).unwrap();
            let mut b = [0u8; REPLY_LEN];
            s.read_exact(&mut b).unwrap();
            let took = t.elapsed();
            assert_eq!(parse_reply(&b), reply_value(id, NONCE));
            let want = Duration::from_millis(if delay == SERVER_DEFAULT_DELAY {
                7
            } else {
                u64::from(delay)
            });
            assert!(
                took >= want && took < want + Duration::from_millis(200),
                "{took:?} for {want:?}"
            );
        }
        assert_eq!(server.served(NONCE), 2);
        assert_eq!(server.served(NONCE + 1), 0);
        let addr = server.addr();
        server.stop();
        assert!(std::net::TcpStream::connect(addr).is_err());
    }

    #[test]
    fn serves_many_connections_at_once() {
        let server = DelayServer::start(0, 0).unwrap();
        let addr = server.addr();
        let t = std::time::Instant::now();
        let handles: Vec<_> = (0..200u64)
            .map(|id| {
                std::thread::spawn(move || {
                    let mut s = std::net::TcpStream::connect(addr).unwrap();
                    s.write_all(&request(id, NONCE, 50)).unwrap();
                    let mut b = [0u8; REPLY_LEN];
                    s.read_exact(&mut b).unwrap();
                    parse_reply(&b)
                })
            })
            .collect();
        let sum = handles
            .into_iter()
            .fold(0u64, |a, h| a.wrapping_add(h.join().unwrap()));
        assert_eq!(sum, workloads::net::reference_checksum(200, NONCE));
        assert_eq!(server.served(NONCE), 200);
        // 200 concurrent 50 ms requests overlap: far less than 200 x 50 ms.
        assert!(t.elapsed() < Duration::from_secs(5));
    }

    /// Sockets in TIME_WAIT whose local or remote port is `port`, from `/proc/net/tcp` (state 06).
    fn time_wait_with(port: u16) -> usize {
        let text = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
        let hex = format!("{port:04X}");
        text.lines()
            .skip(1)
            .filter(|l| {
                let f: Vec<&str> = l.split_whitespace().collect();
                f.len() > 3
                    && f[3] == "06"
                    && (f[1].ends_with(&format!(":{hex}")) || f[2].ends_with(&format!(":{hex}")))
            })
            .count()
    }

    /// A run of one-connection requests leaves no TIME_WAIT behind, so the next run meets a clean loopback: the
    /// artefact this guards made io-net at 10,000 tasks twice as slow right after another such run.
    #[test]
    fn closed_connections_leave_no_time_wait() {
        let server = DelayServer::start(0, 0).unwrap();
        let addr = server.addr();
        for id in 0..100u64 {
            let mut s = std::net::TcpStream::connect(addr).unwrap();
            s.write_all(&request(id, NONCE, 0)).unwrap();
            let mut b = [0u8; REPLY_LEN];
            s.read_exact(&mut b).unwrap();
            assert_eq!(parse_reply(&b), reply_value(id, NONCE));
            // The client closes first, as every runtime's io-net client does.
        }
        // The server's reset follows each client's close within microseconds; a second is only a guard.
        let deadline = std::time::Instant::now() + Duration::from_secs(2);
        let mut left = time_wait_with(addr.port());
        while left > 0 && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
            left = time_wait_with(addr.port());
        }
        assert_eq!(left, 0, "{left} of 100 connections were left in TIME_WAIT");
        assert_eq!(server.served(NONCE), 100);
    }
}
