//! The CPU kernel: counting primes by trial division, and the sieve that checks it.
//!
//! Every CPU-bound task in every workload counts the primes in a half-open range of integers by trial division.
//! The ranges start at [`BASE`] = 10^9, far from zero, so that the cost of a number barely depends on where it lies:
//! the cost of testing `n` grows like `sqrt(n) / ln(n)`, which changes by under 1% across any range shorter than
//! `BASE / 50` (20 million numbers). Tasks of equal length therefore cost the same within 1%.

use crate::Checkpoint;

/// Where every CPU task's range starts.
pub const BASE: u64 = 1_000_000_000;

/// Trial division: is `n` prime?
#[inline]
pub fn is_prime(n: u64) -> bool {
    if n < 4 {
        return n >= 2;
    }
    if n.is_multiple_of(2) {
        return false;
    }
    let mut d = 3;
    while d * d <= n {
        if n.is_multiple_of(d) {
            return false;
        }
        d += 2;
    }
    true
}

/// Counts the primes in `lo..hi` by trial division, calling `cp.check()` after every `every` numbers tested (a loop
/// back-edge; `every = 0` never calls it). This is the measured kernel.
#[inline]
pub fn count_primes<C: Checkpoint + ?Sized>(lo: u64, hi: u64, every: u64, cp: &mut C) -> u64 {
    let mut found = 0;
    let mut since = 0;
    for n in lo..hi {
        found += u64::from(is_prime(n));
        if every != 0 {
            since += 1;
            if since == every {
                since = 0;
                cp.check();
            }
        }
    }
    found
}

/// Counts the primes in `lo..hi` with a segmented sieve of Eratosthenes: the reference for [`count_primes`].
pub fn sieve_count(lo: u64, hi: u64) -> u64 {
    if hi <= lo {
        return 0;
    }
    let root = isqrt(hi) + 1;
    // Small primes up to sqrt(hi) by a plain sieve.
    let mut small = vec![true; (root + 1) as usize];
    small[0] = false;
    if root >= 1 {
        small[1] = false;
    }
    let mut i = 2;
    while i * i <= root {
        if small[i as usize] {
            let mut j = i * i;
            while j <= root {
                small[j as usize] = false;
                j += i;
            }
        }
        i += 1;
    }
    let base_primes: Vec<u64> = (2..=root).filter(|&p| small[p as usize]).collect();
    // Sieve the range in segments of at most 1 Mi numbers.
    const SEG: u64 = 1 << 20;
    let mut count = 0;
    let mut seg_lo = lo;
    let mut marks = vec![true; SEG as usize];
    while seg_lo < hi {
        let seg_hi = (seg_lo + SEG).min(hi);
        let len = (seg_hi - seg_lo) as usize;
        marks[..len].fill(true);
        for &p in &base_primes {
            if p * p >= seg_hi {
                break;
            }
            let first = (seg_lo.div_ceil(p) * p).max(p * p);
            let mut m = first;
            while m < seg_hi {
                marks[(m - seg_lo) as usize] = false;
                m += p;
            }
        }
        for (k, &is) in marks[..len].iter().enumerate() {
            let n = seg_lo + k as u64;
            if is && n >= 2 {
                count += 1;
            }
        }
        seg_lo = seg_hi;
    }
    count
}

fn isqrt(n: u64) -> u64 {
    let mut r = (n as f64).sqrt() as u64;
    while r * r > n {
        r -= 1;
    }
    while (r + 1) * (r + 1) <= n {
        r += 1;
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_prime_counts() {
        assert_eq!(sieve_count(0, 1_000_000), 78_498);
        assert_eq!(sieve_count(0, 10_000_000), 664_579);
        assert_eq!(count_primes(0, 1_000_000, 0, &mut ()), 78_498);
    }

    #[test]
    fn kernel_matches_sieve_near_base() {
        for (lo, len) in [
            (BASE, 5_000),
            (BASE + 123_457, 3_001),
            (0, 100),
            (1, 2),
            (2, 1),
        ] {
            assert_eq!(
                count_primes(lo, lo + len, 0, &mut ()),
                sieve_count(lo, lo + len),
                "{lo}+{len}"
            );
        }
    }

    #[test]
    fn checkpoint_called_every_n() {
        let mut calls = 0;
        count_primes(10, 110, 7, &mut || calls += 1);
        assert_eq!(calls, 100 / 7);
        let mut none = 0;
        count_primes(10, 110, 0, &mut || none += 1);
        assert_eq!(none, 0);
    }
}
