//! The `io-net` wire protocol between a runtime and the delay server.
//!
//! A client sends a 20-byte request, `id: u64`, `nonce: u64`, then `delay_ms: u32`, all little-endian; after
//! `delay_ms` milliseconds the server answers with the 8-byte [`reply_value`]`(id, nonce)`, little-endian. A
//! connection may carry any number of requests one after another. `delay_ms = u32::MAX` means "the server's default
//! delay" (`arena serve --delay-ms D`).
//!
//! Why a nonce and a mixed reply: with the id echoed back, the checksum of io-net (the sum of the replies) was the
//! sum of the ids, which a model can compute without ever touching the network. Each run picks a fresh random nonce
//! (the harness does, see `harness::cli`), sends it with every request and sums the replies; only a server that
//! read the request can answer `reply_value(id, nonce)`, so the checksum proves that every round trip went through
//! the server. The reference is [`reference_checksum`] of the nonce the run reports. A reply that is not
//! `reply_value(id, nonce)` for the id sent fails the run ([`expect_reply`]): a connection to something that is
//! not the delay server fails instead of producing a nonsense checksum.

/// Size of a request in bytes.
pub const REQUEST_LEN: usize = 20;
/// Size of a reply in bytes.
pub const REPLY_LEN: usize = 8;
/// A request's delay that asks for the server's default.
pub const SERVER_DEFAULT_DELAY: u32 = u32::MAX;

/// One request: the task's id, the run's nonce and the delay it asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request {
    /// The task id, `0..T`.
    pub id: u64,
    /// The run's nonce.
    pub nonce: u64,
    /// How long the server waits before it replies, in ms ([`SERVER_DEFAULT_DELAY`]: its default).
    pub delay_ms: u32,
}

/// Encodes a request.
pub fn request(id: u64, nonce: u64, delay_ms: u32) -> [u8; REQUEST_LEN] {
    let mut b = [0u8; REQUEST_LEN];
    b[..8].copy_from_slice(&id.to_le_bytes());
    b[8..16].copy_from_slice(&nonce.to_le_bytes());
    b[16..].copy_from_slice(&delay_ms.to_le_bytes());
    b
}

/// Decodes a request.
pub fn parse_request(b: &[u8; REQUEST_LEN]) -> Request {
    let u64_at = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"));
    Request {
        id: u64_at(0),
        nonce: u64_at(8),
        delay_ms: u32::from_le_bytes(b[16..].try_into().expect("4 bytes")),
    }
}

/// splitmix64's finalizer: a bijection of u64 whose every output bit depends on every input bit.
pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// What the delay server answers to request `id` of the run with `nonce`: `splitmix64(id ^ nonce.rotate_left(29))`.
/// Why not `id ^ nonce`: the sum of `id ^ nonce` over a run is easy to get without the server for a nonce the
/// runtime knows anyway; a mixing function makes every reply a value only a computation per request gives, and
/// the rotation keeps `(id, nonce)` and `(nonce, id)` apart.
pub fn reply_value(id: u64, nonce: u64) -> u64 {
    splitmix64(id ^ nonce.rotate_left(29))
}

/// The io-net checksum of a correct run of `tasks` requests with `nonce`: the wrapping sum of the replies.
pub fn reference_checksum(tasks: u64, nonce: u64) -> u64 {
    (0..tasks).fold(0u64, |acc, id| acc.wrapping_add(reply_value(id, nonce)))
}

/// Encodes a reply.
pub fn reply(value: u64) -> [u8; REPLY_LEN] {
    value.to_le_bytes()
}

/// Decodes a reply.
pub fn parse_reply(b: &[u8; REPLY_LEN]) -> u64 {
    u64::from_le_bytes(*b)
}

/// The reply `got` to request `id` of the run with `nonce`, if it is the delay server's answer; otherwise an
/// `InvalidData` error that says what came back and what was expected. Every runtime checks each reply with it.
pub fn expect_reply(id: u64, nonce: u64, got: u64) -> std::io::Result<u64> {
    let want = reply_value(id, nonce);
    if got == want {
        Ok(got)
    } else {
        Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "the reply was {got:#018x}, not the delay server's answer {want:#018x} to id {id} with nonce \
                 {nonce:#018x}"
            ),
        ))
    }
}

/// A fresh nonce for one run: splitmix64 of the wall clock's nanoseconds, the process id and a per-process counter,
/// so two runs (even two in one process, or two started in the same nanosecond by different processes) differ.
pub fn fresh_nonce() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let pid = u64::from(std::process::id());
    let n = COUNT.fetch_add(1, Ordering::Relaxed);
    splitmix64(nanos ^ pid.rotate_left(32) ^ splitmix64(n))
}

/// Raises this process's soft open-file limit to its hard limit, so that 10,000 connections fit. Both ends of
/// io-net call it: every runtime (through the harness, so all models get the same limit) and the delay server.
pub fn raise_nofile_limit() {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct we pass them.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) == 0 && lim.rlim_cur < lim.rlim_max {
            lim.rlim_cur = lim.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let r = request(0xDEAD_BEEF_0000_0001, 0x0123_4567_89AB_CDEF, 20);
        assert_eq!(
            parse_request(&r),
            Request {
                id: 0xDEAD_BEEF_0000_0001,
                nonce: 0x0123_4567_89AB_CDEF,
                delay_ms: 20
            }
        );
        assert_eq!(parse_reply(&reply(7)), 7);
    }

    #[test]
    fn reply_value_mixes_id_and_nonce() {
        // Known values, so the Python and Node peers (which compute it too) can be checked against them.
        assert_eq!(splitmix64(0), 0xE220_A839_7B1D_CDAF);
        assert_eq!(reply_value(0, 0), splitmix64(0));
        assert_eq!(reply_value(1, 0), splitmix64(1));
        assert_eq!(reply_value(3, 1), splitmix64(3 ^ (1 << 29)));
        // Not the id, not a plain xor, and different for different nonces and ids.
        let n = 0x5EED_u64;
        assert_ne!(reply_value(5, n), 5);
        assert_ne!(reply_value(5, n), 5 ^ n);
        assert_ne!(reply_value(5, n), reply_value(5, n + 1));
        assert_ne!(reply_value(5, n), reply_value(6, n));
        assert_ne!(reply_value(1, 2), reply_value(2, 1));
    }

    #[test]
    fn the_reference_is_the_wrapping_sum_of_the_replies() {
        let n = 0xFEED_FACE_CAFE_BEEF;
        let sum = reply_value(0, n)
            .wrapping_add(reply_value(1, n))
            .wrapping_add(reply_value(2, n));
        assert_eq!(reference_checksum(3, n), sum);
        assert_eq!(reference_checksum(0, n), 0);
        // The sum of the ids (what a model that never asks the server could give) does not pass.
        assert_ne!(reference_checksum(8, n), 28);
        assert_ne!(reference_checksum(8, n), reference_checksum(8, n ^ 1));
    }

    #[test]
    fn a_wrong_reply_is_an_error_that_says_what_came_back() {
        assert_eq!(
            expect_reply(4, 9, reply_value(4, 9)).unwrap(),
            reply_value(4, 9)
        );
        let e = expect_reply(4, 9, 4).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidData);
        let text = e.to_string();
        assert!(
            text.contains("0x0000000000000004") && text.contains("id 4"),
            "{text}"
        );
    }

    #[test]
    fn fresh_nonces_differ() {
        assert_ne!(fresh_nonce(), fresh_nonce());
    }
}
