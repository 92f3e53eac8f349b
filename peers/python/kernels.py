"""The Concurrency Arena kernels in pure Python: the same arithmetic as crates/workloads, so the checksums match.

- count_primes: trial division from workloads/src/primes.rs (odd divisors d while d*d <= n), ranges from BASE = 10^9.
- skew_weight / cpu_range: the cpu-skewed weights and the task ranges of workloads/src/spec.rs.
- request / parse_reply: io-net's 12-byte request and 8-byte reply (workloads/src/net.rs).

This module does no scheduling: the models in models.py decide how tasks run.
"""

import struct

BASE = 1_000_000_000
REQUEST_LEN = 12
REPLY_LEN = 8


def is_prime(n):
    if n < 4:
        return n >= 2
    if n % 2 == 0:
        return False
    d = 3
    while d * d <= n:
        if n % d == 0:
            return False
        d += 2
    return True


def count_primes(lo, hi):
    """Counts the primes in lo..hi by trial division (the measured kernel)."""
    found = 0
    for n in range(lo, hi):
        if is_prime(n):
            found += 1
    return found


def skew_weight(i, tasks):
    """The cost weight of task i of cpu-skewed: ceil(T/16) tasks weigh 16, up to ceil(T/8) weigh 8, the rest 1."""
    if i < -(-tasks // 16):
        return 16
    if i < -(-tasks // 8):
        return 8
    return 1


def cpu_ranges(workload, tasks, work):
    """The (lo, hi) range of every CPU task: skewed for cpu-skewed, balanced for cpu-balanced and mixed."""
    out = []
    lo = BASE
    for i in range(tasks):
        n = work * (skew_weight(i, tasks) if workload == "cpu-skewed" else 1)
        out.append((lo, lo + n))
        lo += n
    return out


def request(task_id, delay_ms):
    return struct.pack("<QI", task_id, delay_ms)


def parse_reply(b):
    return struct.unpack("<Q", b)[0]
