//! The `io-net` wire protocol between a runtime and the delay server.
//!
//! A client sends a 12-byte request, `id: u64` then `delay_ms: u32`, both little-endian; the server answers with
//! the 8-byte `id` after `delay_ms` milliseconds. A connection may carry any number of requests one after another.
//! `delay_ms = u32::MAX` means "the server's default delay" (`arena serve --delay-ms D`).

/// Size of a request in bytes.
pub const REQUEST_LEN: usize = 12;
/// Size of a reply in bytes.
pub const REPLY_LEN: usize = 8;
/// A request's delay that asks for the server's default.
pub const SERVER_DEFAULT_DELAY: u32 = u32::MAX;

/// Encodes a request.
pub fn request(id: u64, delay_ms: u32) -> [u8; REQUEST_LEN] {
    let mut b = [0u8; REQUEST_LEN];
    b[..8].copy_from_slice(&id.to_le_bytes());
    b[8..].copy_from_slice(&delay_ms.to_le_bytes());
    b
}

/// Decodes a request into `(id, delay_ms)`.
pub fn parse_request(b: &[u8; REQUEST_LEN]) -> (u64, u32) {
    let id = u64::from_le_bytes(b[..8].try_into().expect("8 bytes"));
    let delay = u32::from_le_bytes(b[8..].try_into().expect("4 bytes"));
    (id, delay)
}

/// Encodes a reply.
pub fn reply(id: u64) -> [u8; REPLY_LEN] {
    id.to_le_bytes()
}

/// Decodes a reply.
pub fn parse_reply(b: &[u8; REPLY_LEN]) -> u64 {
    u64::from_le_bytes(*b)
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
    #[test]
    fn round_trip() {
        let r = super::request(0xDEAD_BEEF_0000_0001, 20);
        assert_eq!(super::parse_request(&r), (0xDEAD_BEEF_0000_0001, 20));
        assert_eq!(super::parse_reply(&super::reply(7)), 7);
    }
}
