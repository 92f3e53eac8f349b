'use strict';
// The Concurrency Arena kernels in JavaScript: the same arithmetic as crates/workloads, so the checksums match.
// - countPrimes: trial division from workloads/src/primes.rs (odd divisors d while d*d <= n), from BASE = 10^9.
//   Numbers near 10^9 fit in a double exactly (and in int32), so V8 runs this on integers.
// - skewWeight / cpuRanges: the cpu-skewed weights and task ranges of workloads/src/spec.rs.
// - contents / hashWords: io-file's xorshift64* contents and FNV-1a over 64-bit little-endian words
//   (workloads/src/file.rs), in BigInt with 64-bit masking (u64 wrapping arithmetic).
// - request / parseReply: io-net's 12-byte request and 8-byte reply (workloads/src/net.rs).
// No scheduling here: arena.js decides how tasks run.

const BASE = 1000000000;
const MASK = (1n << 64n) - 1n;
const REPLY_LEN = 8;

function isPrime(n) {
  if (n < 4) return n >= 2;
  if (n % 2 === 0) return false;
  for (let d = 3; d * d <= n; d += 2) {
    if (n % d === 0) return false;
  }
  return true;
}

// Counts the primes in lo..hi. `check` runs every 4096 numbers: a synchronous function cannot be preempted by the
// event loop, so this is where the --deadline-s watchdog gets a chance to stop a long CPU task (one clock read per
// ~5 ms of work, far below the noise).
function countPrimes(lo, hi, check) {
  let found = 0;
  for (let n = lo; n < hi; n++) {
    if (isPrime(n)) found++;
    if ((n & 4095) === 0) check();
  }
  return found;
}

function skewWeight(i, tasks) {
  if (i < Math.ceil(tasks / 16)) return 16;
  if (i < Math.ceil(tasks / 8)) return 8;
  return 1;
}

function cpuRanges(workload, tasks, work) {
  const out = [];
  let lo = BASE;
  for (let i = 0; i < tasks; i++) {
    const n = work * (workload === 'cpu-skewed' ? skewWeight(i, tasks) : 1);
    out.push([lo, lo + n]);
    lo += n;
  }
  return out;
}

function contents(task, sizeKib) {
  const words = (sizeKib * 1024) / 8;
  const out = Buffer.alloc(words * 8);
  let x = ((BigInt(task + 1) * 0x9e3779b97f4a7c15n) & MASK) | 1n;
  for (let k = 0; k < words; k++) {
    x ^= x >> 12n;
    x ^= (x << 25n) & MASK;
    x ^= x >> 27n;
    out.writeBigUInt64LE((x * 0x2545f4914f6cdd1dn) & MASK, k * 8);
  }
  return out;
}

function hashWords(buf) {
  const pad = (8 - (buf.length % 8)) % 8;
  if (pad) buf = Buffer.concat([buf, Buffer.alloc(pad)]);
  let h = 0xcbf29ce484222325n;
  for (let k = 0; k < buf.length; k += 8) {
    h = ((h ^ buf.readBigUInt64LE(k)) * 0x100000001b3n) & MASK;
  }
  return h;
}

function fileName(task) {
  return 'task-' + String(task).padStart(6, '0') + '.bin';
}

function request(id, delayMs) {
  const b = Buffer.alloc(12);
  b.writeBigUInt64LE(BigInt(id), 0);
  b.writeUInt32LE(delayMs, 8);
  return b;
}

function parseReply(b) {
  return b.readBigUInt64LE(0);
}

module.exports = { BASE, MASK, REPLY_LEN, countPrimes, skewWeight, cpuRanges, contents, hashWords, fileName, request, parseReply };
