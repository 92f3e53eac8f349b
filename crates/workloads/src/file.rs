//! The `io-file` kernel: each task's deterministic file contents and the hash of what it reads back.
//!
//! Task `i` writes `S` KiB produced by a xorshift64* generator seeded from `i`, reads the file back and hashes it
//! with [`hash`] (FNV-1a over 64-bit little-endian words). The run's checksum is the wrapping sum of the per-task
//! hashes, so it does not depend on the order tasks finish in. [`reference`] computes it from memory alone.

/// The bytes task `task` writes: `size_kib` KiB.
pub fn contents(task: u64, size_kib: u64) -> Vec<u8> {
    let words = (size_kib * 1024 / 8) as usize;
    let mut out = Vec::with_capacity(words * 8);
    let mut x = (task + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    for _ in 0..words {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        out.extend_from_slice(&x.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    out
}

/// FNV-1a over 64-bit little-endian words (a trailing partial word is zero-padded).
pub fn hash(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for chunk in bytes.chunks(8) {
        let mut w = [0u8; 8];
        w[..chunk.len()].copy_from_slice(chunk);
        h = (h ^ u64::from_le_bytes(w)).wrapping_mul(0x0000_0100_0000_01B3);
    }
    h
}

/// The file name task `task` uses inside the run's temporary directory.
pub fn file_name(task: u64) -> String {
    format!("task-{task:06}.bin")
}

/// Combines per-task hashes (order-independent).
pub fn combine(acc: u64, task_hash: u64) -> u64 {
    acc.wrapping_add(task_hash)
}

/// The reference checksum for `tasks` tasks of `size_kib` KiB, computed in memory.
pub fn reference(tasks: u64, size_kib: u64) -> u64 {
    (0..tasks).fold(0, |acc, t| combine(acc, hash(&contents(t, size_kib))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contents_are_deterministic_and_distinct() {
        assert_eq!(contents(3, 4), contents(3, 4));
        assert_ne!(contents(3, 4), contents(4, 4));
        assert_eq!(contents(0, 4).len(), 4096);
    }

    #[test]
    fn reference_is_order_independent() {
        let forward = (0..5).fold(0, |a, t| combine(a, hash(&contents(t, 1))));
        let backward = (0..5)
            .rev()
            .fold(0, |a, t| combine(a, hash(&contents(t, 1))));
        assert_eq!(forward, backward);
        assert_eq!(forward, reference(5, 1));
    }
}
