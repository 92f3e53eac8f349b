"""The Concurrency Arena kernels in pure Python: the same arithmetic as crates/workloads, so the checksums match.

- count_primes: trial division from workloads/src/primes.rs (odd divisors d while d*d <= n), ranges from BASE = 10^9.
- skew_weight / cpu_range: the cpu-skewed weights and the task ranges of workloads/src/spec.rs.
- request / parse_reply / reply_value / expect_reply: io-net's 20-byte request (id, nonce, delay_ms), its 8-byte
  reply and the check that it is the delay server's answer (workloads/src/net.rs).
- sleep_value: what one completed io-sleep wait (or one released spawn task) adds to the checksum
  (workloads/src/spec.rs).
- pong_value: what the ping-pong ponger answers to token i (workloads/src/spec.rs).

This module does no scheduling: the models in models.py decide how tasks run.
"""

import struct

BASE = 1_000_000_000
REQUEST_LEN = 20
REPLY_LEN = 8
MASK64 = (1 << 64) - 1


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


def sleep_value(task_id):
    """io-sleep: a completed wait adds its id plus one, so task 0's wait counts too (reference T(T+1)/2). A spawn
    task gives the same once it was released from its park."""
    return task_id + 1


def pong_value(token):
    """ping-pong: the ponger answers token i with i + 1; the pinger sends 0..K-1 and sums the replies, so a skipped,
    doubled or wrong answer changes the checksum (reference K(K+1)/2)."""
    return token + 1


def request(task_id, nonce, delay_ms):
    return struct.pack("<QQI", task_id, nonce, delay_ms)


def parse_reply(b):
    return struct.unpack("<Q", b)[0]


def splitmix64(x):
    z = (x + 0x9E3779B97F4A7C15) & MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def reply_value(task_id, nonce):
    """The delay server's answer to request task_id of the run with nonce: splitmix64(id ^ rotl(nonce, 29))."""
    rot = ((nonce << 29) | (nonce >> 35)) & MASK64
    return splitmix64(task_id ^ rot)


def expect_reply(task_id, nonce, got):
    """got if it is the delay server's answer, else a ValueError saying what came back and what was expected."""
    want = reply_value(task_id, nonce)
    if got != want:
        raise ValueError("the reply was %#018x, not the delay server's answer %#018x to id %d with nonce %#018x"
                         % (got, want, task_id, nonce))
    return got
