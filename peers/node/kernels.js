'use strict';
// The Concurrency Arena kernels in JavaScript: the same arithmetic as crates/workloads, so the checksums match.
// - countPrimes: trial division from workloads/src/primes.rs (odd divisors d while d*d <= n), from BASE = 10^9.
//   Numbers near 10^9 fit in a double exactly (and in int32), so V8 runs this on integers.
// - skewWeight / cpuRanges: the cpu-skewed weights and task ranges of workloads/src/spec.rs.
// - contents / hashWords: io-file's xorshift64* contents and FNV-1a over 64-bit little-endian words
//   (workloads/src/file.rs), in exact u64 wrapping arithmetic on 32-bit halves.
// - request / parseReply / replyValue: io-net's 20-byte request (id, nonce, delay_ms), its 8-byte reply and the
//   delay server's answer, splitmix64(id ^ rotl(nonce, 29)) (workloads/src/net.rs).
// - spawnValue / pongValue: what a released spawn task and the ping-pong ponger give back (workloads/src/spec.rs).
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

// (a * b) mod 2^64 on (hi, lo) uint32 halves. Why not BigInt: BigInt arithmetic made io-file's kernel cost ~30 ms
// per MiB, so a standard run (256 MiB) timed BigInt, not file I/O; this exact 32-bit form is several times faster.
function mul64(ah, al, bh, bl) {
  const a0 = al & 0xffff, a1 = al >>> 16, b0 = bl & 0xffff, b1 = bl >>> 16;
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  const lo = (((mid & 0xffff) << 16) | (p00 & 0xffff)) >>> 0;
  const carry = p11 + (p01 >>> 16) + (p10 >>> 16) + Math.floor(mid / 65536);
  return [(carry + Math.imul(ah, bl) + Math.imul(al, bh)) >>> 0, lo];
}

// The bytes io-file task `task` writes: xorshift64* output as little-endian 64-bit words.
function contents(task, sizeKib) {
  const words = (sizeKib * 1024) / 8;
  const out = Buffer.alloc(words * 8);
  const seed = BigInt.asUintN(64, BigInt(task + 1) * 0x9e3779b97f4a7c15n) | 1n;
  let hi = Number(seed >> 32n) >>> 0, lo = Number(seed & 0xffffffffn) >>> 0;
  for (let k = 0; k < words; k++) {
    // x ^= x >> 12
    lo = (lo ^ ((lo >>> 12) | (hi << 20))) >>> 0;
    hi = (hi ^ (hi >>> 12)) >>> 0;
    // x ^= x << 25
    hi = (hi ^ ((hi << 25) | (lo >>> 7))) >>> 0;
    lo = (lo ^ (lo << 25)) >>> 0;
    // x ^= x >> 27
    lo = (lo ^ ((lo >>> 27) | (hi << 5))) >>> 0;
    hi = (hi ^ (hi >>> 27)) >>> 0;
    const [mh, ml] = mul64(hi, lo, 0x2545f491, 0x4f6cdd1d);
    out.writeUInt32LE(ml, k * 8);
    out.writeUInt32LE(mh, k * 8 + 4);
  }
  return out;
}

// FNV-1a over 64-bit little-endian words (a trailing partial word is zero-padded), returned as a BigInt.
function hashWords(buf) {
  const pad = (8 - (buf.length % 8)) % 8;
  if (pad) buf = Buffer.concat([buf, Buffer.alloc(pad)]);
  let hi = 0xcbf29ce4, lo = 0x84222325;
  for (let k = 0; k < buf.length; k += 8) {
    lo = (lo ^ buf.readUInt32LE(k)) >>> 0;
    hi = (hi ^ buf.readUInt32LE(k + 4)) >>> 0;
    [hi, lo] = mul64(hi, lo, 0x00000100, 0x000001b3);
  }
  return (BigInt(hi) << 32n) | BigInt(lo);
}

function fileName(task) {
  return 'task-' + String(task).padStart(6, '0') + '.bin';
}

function request(id, nonce, delayMs) {
  const b = Buffer.alloc(20);
  b.writeBigUInt64LE(BigInt(id), 0);
  b.writeBigUInt64LE(nonce, 8);
  b.writeUInt32LE(delayMs, 16);
  return b;
}

function parseReply(b) {
  return b.readBigUInt64LE(0);
}

function splitmix64(x) {
  let z = (x + 0x9e3779b97f4a7c15n) & MASK;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK;
  return z ^ (z >> 31n);
}

// The delay server's answer to request `id` of the run with `nonce` (BigInt).
function replyValue(id, nonce) {
  const rot = ((nonce << 29n) | (nonce >> 35n)) & MASK;
  return splitmix64(BigInt(id) ^ rot);
}

// io-sleep: a completed wait adds its id plus one, so task 0's wait counts too (reference T(T+1)/2).
function sleepValue(id) {
  return BigInt(id) + 1n;
}

// spawn: a released task gives sleepValue(id) = id + 1 (reference N(N+1)/2). As a Number, exact below 2^53 (N up to
// about 10^8): the join then adds doubles, not BigInts, so teardown_ms does not time BigInt allocation.
function spawnValue(id) {
  return id + 1;
}

// ping-pong: the ponger answers token i with i + 1 (workloads::spec::pong_value; reference K(K+1)/2), a Number too.
function pongValue(i) {
  return i + 1;
}

module.exports = {
  BASE, MASK, REPLY_LEN, countPrimes, skewWeight, cpuRanges, contents, hashWords, fileName, request, parseReply,
  splitmix64, replyValue, sleepValue, spawnValue, pongValue,
};
