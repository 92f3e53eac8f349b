#!/usr/bin/env node
'use strict';
// Concurrency Arena peer for Node.js (18+): one event loop, Promise-based, standard library only; and, as variant
// `workers`, W worker_threads talking by postMessage and sharing one SharedArrayBuffer (the article's Web Workers).
//
// `node peers/node/arena.js [--work-scale N] [--race-scale N] list|run ...` speaks the runtime contract of the Rust
// binaries (see contract.js), so the arena can set Node's event loop beside asyncio, tokio's current-thread runtime
// and smol on the same machine. It runs exactly the arena's kernels (kernels.js); it is not a Node benchmark.

const fs = require('fs');
const fsp = require('fs/promises');
const net = require('net');
const os = require('os');
const path = require('path');
const v8 = require('v8');
const { Worker } = require('worker_threads');

const contract = require('./contract');
const k = require('./kernels');

const LATENCY = new Set(['io-sleep', 'io-net', 'mixed']);
const now = () => performance.now();

const info = {
  runtime: 'node',
  display: 'Node.js event loop',
  model: 'async',
  variants: [{
    name: 'event-loop',
    default: true,
    notes: 'one event loop; every task a Promise started at once (Promise.all)',
    // What the variant is, in the terms the report selects cells by (harness::Facts).
    facts: {
      sequential: false, holds_gil: false, threads: 'one', event_loop: true, processes: false, shares_memory: true,
      // setTimeout may fire up to 1 ms early: early waits are counted and reported, not refused.
      early_timers: true,
    },
  }, {
    name: 'workers',
    default: false,
    notes: 'worker_threads (each its own V8 isolate and event loop): ping-pong between the main thread and one Worker '
      + 'by postMessage; race on W Workers over one SharedArrayBuffer counter (sync=none a plain read then write of '
      + 'its Int32Array element, atomic Atomics.add, lock a futex-style mutex on Atomics.compareExchange/wait/notify)',
    // Why these facts: W OS threads that run at once and share the counter's memory, so the race rules of threads
    // (lock and atomic lose nothing; none may lose) apply, and no event-loop rule does.
    facts: {
      sequential: false, holds_gil: false, threads: 'workers', event_loop: false, processes: false, shares_memory: true,
      early_timers: false,
    },
    // spawn is not run here: a worker_thread is a whole V8 isolate (megabytes and milliseconds each), not a task.
    workloads: ['race', 'ping-pong'],
  }],
  workloads: contract.WORKLOADS,
  opts: [{
    key: 'offload', default: 'false', kind: ['bool'],
    help: 'cpu-*, mixed: run each CPU task on a pool of W worker_threads (fed from one queue) instead of on the loop',
  }, {
    key: 'rmw', default: 'plain', kind: ['choice', ['plain', 'call']],
    help: 'race: the increment statement; plain = `counter += 1`, call = `counter += one()`',
  }, {
    // The yield point of the Rust async runtimes (harness::opts::YIELD, YIELD_EVERY), with the same default.
    key: 'yield', default: 'false', kind: ['bool'],
    help: 'race: await setImmediate between the load and the store (see yield_every), where even one event loop loses updates',
  }, {
    key: 'yield_every', default: '64', kind: ['int', 1, Number.MAX_SAFE_INTEGER],
    help: 'race with yield=true: the yield point is in every N-th increment (1 = every increment)',
  }],
  versions: { node: process.versions.node, v8: process.versions.v8, uv: process.versions.uv },
  notes: 'One JavaScript thread: CPU tasks run one after another and hold the loop (the mixed ticker waits for them), '
    + 'unless offload=true runs them on W worker_threads (started and terminated inside the timed run). '
    + 'io-file uses fs/promises on libuv\'s thread pool, sized to W (UV_THREADPOOL_SIZE), at most W files in flight; '
    + 'its contents and hash are computed on the main thread in exact 64-bit arithmetic on 32-bit halves. os_threads_peak counts V8\'s and libuv\'s '
    + 'helper threads. In race on the loop the W tasks never await, so no update is lost, whatever --opt sync says, unless '
    + 'yield=true awaits setImmediate between a load and its store. '
    + 'spawn (event-loop): N async functions started one after another, each parked on ONE shared promise, whose '
    + 'resolve the run keeps; no OS resource per task, so N is bounded by the V8 heap, not by the OS: past 70 % of the '
    + 'old generation the run releases what it started and exits 1 (could not spawn promise i of N). ping-pong '
    + '(event-loop): two async functions passing the token through two promise-based one-slot channels. '
    + 'Variant workers: ping-pong by postMessage between the main thread and one Worker (started inside the run, '
    + 'before the timed round trips); race on W Workers over one SharedArrayBuffer, started together at a gate; '
    + 'yield is not used there (it is the event loop\'s yield point; each racer has its own thread, which the OS '
    + 'preempts anywhere).',
};

// A CPU task as its own macrotask: setImmediate, like asyncio scheduling a coroutine on its ready queue.
function cpuTask(lo, hi) {
  return new Promise((resolve) => setImmediate(() => resolve(k.countPrimes(lo, hi, contract.checkDeadline))));
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// A task gives [value, latency samples, end instants]. Lateness is signed: setTimeout can fire up to 1 ms early
// (it measures from a loop time truncated to whole ms), and an early wait is reported as early, never as on time.
async function sleeper(id, delayMs) {
  const t = now();
  await sleep(delayMs);
  const end = now();
  return [k.sleepValue(id), [end - t - delayMs], [end]];
}

function netRequest(addr, id, nonce, delayMs) {
  const where = `request ${id} to ${addr.host}:${addr.port}`;
  return new Promise((resolve, reject) => {
    const t = now();
    const chunks = [];
    let got = 0;
    const s = net.createConnection({ host: addr.host, port: addr.port });
    s.setNoDelay(true);
    s.on('connect', () => s.write(k.request(id, nonce, delayMs)));
    s.on('data', (c) => {
      chunks.push(c);
      got += c.length;
      if (got >= k.REPLY_LEN) {
        const end = now();
        s.destroy();
        const reply = k.parseReply(Buffer.concat(chunks));
        const want = k.replyValue(id, nonce);
        if (reply !== want) {
          const hex = (v) => '0x' + v.toString(16).padStart(16, '0');
          reject(new contract.RunError(`${where}: the reply was ${hex(reply)}, not the delay server's answer `
            + `${hex(want)} to id ${id} with nonce ${hex(nonce)}`));
          return;
        }
        resolve([reply, [end - t], [end]]);
      }
    });
    s.on('error', (e) => reject(new contract.RunError(`${where}: ${e.message}`)));
    s.on('end', () => {
      if (got < k.REPLY_LEN) reject(new contract.RunError(`${where}: connection closed before the reply`));
    });
  });
}

// W worker_threads fed from one queue: a task goes to the first idle worker, so skewed work balances. The main
// thread only posts messages, so its loop (the mixed ticker, the deadline timer) stays free.
function workerPool(n) {
  const src = `const { parentPort } = require('worker_threads');
const k = require(${JSON.stringify(path.join(__dirname, 'kernels.js'))});
parentPort.on('message', ([lo, hi]) => parentPort.postMessage(k.countPrimes(lo, hi, () => {})));`;
  const queue = [];
  const idle = [];
  const workers = Array.from({ length: n }, () => new Worker(src, { eval: true }));
  const feed = (w) => {
    const job = queue.shift();
    if (!job) { idle.push(w); return; }
    w.once('message', (count) => { contract.sampleThreads(); job.resolve(count); feed(w); });
    w.postMessage(job.range);
  };
  for (const w of workers) {
    w.on('error', (e) => { for (const j of queue.splice(0)) j.reject(e); });
    idle.push(w);
  }
  return {
    run(lo, hi) {
      return new Promise((resolve, reject) => {
        queue.push({ range: [lo, hi], resolve, reject });
        if (idle.length) feed(idle.pop());
      });
    },
    close() { return Promise.all(workers.map((w) => w.terminate())); },
  };
}

// At most `n` of the returned functions' bodies run at once (io-file keeps W files in flight, like a pool of W).
function limiter(n) {
  let active = 0;
  const queue = [];
  const next = () => {
    if (active < n && queue.length) {
      active++;
      const [f, resolve, reject] = queue.shift();
      f().then(resolve, reject).finally(() => { active--; next(); });
    }
  };
  return (f) => new Promise((resolve, reject) => { queue.push([f, resolve, reject]); next(); });
}

async function fileTask(dir, id, sizeKib) {
  const p = path.join(dir, k.fileName(id));
  await fsp.writeFile(p, k.contents(id, sizeKib));
  const back = await fsp.readFile(p);
  return [k.hashWords(back), [], []];
}

// The mixed ticker: its value is the rounds that ran.
async function ticker(rounds, delayMs) {
  const late = [];
  const ends = [];
  for (let r = 0; r < rounds; r++) {
    const t = now();
    await sleep(delayMs);
    const end = now();
    late.push(end - t - delayMs);
    ends.push(end);
  }
  return [BigInt(ends.length), late, ends];
}

// The race's counter: a module-level variable, `counter += 1` as the article writes it.
let counter = 0;
function one() { return 1; }

// Each racer returns the increments it performed: the loop variable after the loop, which counts them at no cost
// inside the loop.
async function racer(kTimes, rmw) {
  // No await inside: on one event loop a task's increments cannot interleave with another's.
  let i = 0;
  if (rmw === 'call') {
    for (; i < kTimes; i++) {
      counter += one();
      if ((i & 0xfffff) === 0) contract.checkDeadline();
    }
  } else {
    for (; i < kTimes; i++) {
      counter += 1;
      if ((i & 0xfffff) === 0) contract.checkDeadline();
    }
  }
  return i;
}

// Yield to the event loop, as tokio's yield_now or asyncio.sleep(0): the other racers run before this one resumes.
function yieldNow() {
  return new Promise((resolve) => setImmediate(resolve));
}

// An async mutex for sync=lock with a yield point: taken at once when free (no await), else ownership is handed to
// the first waiter on release. Node has none of its own; one thread needs no atomics for it.
function asyncLock() {
  let held = false;
  const waiters = [];
  return {
    tryAcquire() { if (held) return false; held = true; return true; },
    wait() { return new Promise((resolve) => waiters.push(resolve)); },
    release() { const next = waiters.shift(); if (next) next(); else held = false; },
  };
}

// One racer with yield=true, as workloads::race::yielding_worker: a yield between the load and the store of
// increments 1, 1 + every, 1 + 2 * every, ...; sync=lock holds the lock across the yield; sync=atomic yields before
// its increment, which has no await inside and so cannot be split on one thread.
async function yieldingRacer(kTimes, sync, rmw, every, lock) {
  const add = rmw === 'call' ? one : () => 1;
  let until = 1;
  let i = 0;
  for (; i < kTimes; i++) {
    until--;
    const at = until === 0;
    if (at) until = every;
    if ((i & 0xfffff) === 0) contract.checkDeadline();
    if (sync === 'atomic') {
      if (at) await yieldNow();
      counter += add();
    } else {
      const locked = sync === 'lock';
      if (locked && !lock.tryAcquire()) await lock.wait();
      const v = counter;
      if (at) await yieldNow();
      counter = v + add();
      if (locked) lock.release();
    }
  }
  return i;
}

// --- the floor workloads on the event loop -----------------------------------------------------------------------

// The share of V8's old generation past which spawn stops starting tasks (see spawnOnLoop), leaving room for the
// join (Promise.all adds about a quarter to the tasks' heap). The old generation's limit is heap_size_limit less the
// young generation (3 semispaces of 16 MiB on 64-bit by default), which cannot hold the long-lived tasks.
const HEAP_SHARE = 0.7;
const YOUNG_GENERATION = 48 * 2 ** 20;

// spawn keeps its handles and joins them in chunks of this many. Why: one Promise.all over all N builds an N-element
// values array (a large object the scavenger rescans as it fills with young values): the join slowed to minutes past
// about 3M tasks. 8,192 handles are 64 KiB, a regular heap object; a join of chunk after chunk is still one join of
// every task.
const CHUNK = 8192;

// spawn: N async functions started one after another, each parked on ONE shared promise (the release signal), whose
// resolve the run keeps. Registering on the signal and counting the arrival happen in one synchronous step of the
// task (the count, then `await gate`, which attaches the task's reaction to the promise before the task suspends):
// the run's own continuation is a later microtask, so it cannot observe N arrivals before the N-th task has
// registered. Then: sample memory, release (one resolve), join with Promise.all (chunk by chunk), sum id + 1.
async function spawnOnLoop(n) {
  let release;
  const gate = new Promise((resolve) => { release = resolve; });
  let arrived = 0;
  let allArrived;
  const everyone = new Promise((resolve) => { allArrived = resolve; });
  const task = async (id) => {
    if (++arrived === n) allArrived();
    await gate;
    return k.spawnValue(id);
  };
  // The handles (the tasks' promises), kept in chunks of CHUNK: allocated after the probe starts, so their 8 B a
  // task count as Rust's JoinHandles pushed while spawning do.
  const probe = contract.SpawnProbe.start(n);
  const chunks = [];
  let chunk = null;
  const limit = Math.max(0, v8.getHeapStatistics().heap_size_limit - YOUNG_GENERATION);
  for (let i = 0; i < n; i++) {
    if ((i & 0x3fff) === 0 && i > 0) {
      contract.checkDeadline();
      // A promise takes no OS resource: what stops this model is V8's heap limit, where V8 aborts the process (a
      // fatal error and a native stack trace). So the run stops short of it, releases and joins what it started
      // (one at a time, to allocate little more), and fails in one line as a spawn the OS refused does.
      const used = v8.getHeapStatistics().used_heap_size;
      if (used > HEAP_SHARE * limit) {
        release();
        for (const c of chunks) for (const t of c) await t;
        const mib = (b) => Math.round(b / 2 ** 20);
        throw contract.spawnFailed('promise', i, n, `the V8 heap holds ${mib(used)} MiB, over ${HEAP_SHARE * 100} % of its old generation's ${mib(limit)} MiB (node --max-old-space-size)`);
      }
    }
    if (i % CHUNK === 0) {
      chunk = new Array(Math.min(CHUNK, n - i));
      chunks.push(chunk);
    }
    chunk[i % CHUNK] = task(i);
  }
  await everyone;
  probe.parked(arrived);
  release();
  let sum = 0;
  for (const c of chunks) {
    // The join is all microtasks, which run before any timer: the watchdog's clock is read here instead.
    contract.checkDeadline();
    const values = await Promise.all(c);
    for (let i = 0; i < values.length; i++) sum += values[i];
  }
  return probe.joined(sum);
}

// A channel bounded to one item, for one sender and one receiver on one event loop: send() waits while the slot is
// full, recv() while it is empty. Why this and not a MessageChannel: two async functions on one loop hand a value
// over with promises (what asyncio.Queue(1) and tokio's mpsc do with their wakers); a MessagePort is Node's means
// between threads and would time a structured clone and a libuv macrotask per message, not the loop's hand-off.
// Node has no such channel of its own, hence these few lines.
class Channel1 {
  constructor() {
    this.full = false;
    this.item = undefined;
    this.receiver = null; // the receiver's resolve while it waits on an empty slot
    this.sender = null; // the sender's resolve while it waits on a full slot
  }

  async send(v) {
    while (this.full) await new Promise((resolve) => { this.sender = resolve; });
    if (this.receiver) {
      const r = this.receiver;
      this.receiver = null;
      r(v);
      return;
    }
    this.full = true;
    this.item = v;
  }

  recv() {
    if (!this.full) return new Promise((resolve) => { this.receiver = resolve; });
    const v = this.item;
    this.full = false;
    this.item = undefined;
    if (this.sender) {
      const s = this.sender;
      this.sender = null;
      s();
    }
    return Promise.resolve(v);
  }
}

// ping-pong: the pinger sends 0..K-1 and times each round trip; the ponger answers i with i + 1. Both are async
// functions started by the run, which only joins them.
async function pingPongOnLoop(kTimes) {
  const ping = new Channel1();
  const pong = new Channel1();
  const pinger = async () => {
    const rt = contract.RoundTrips.start(kTimes);
    for (let i = 0; i < kTimes; i++) {
      const t = now();
      await ping.send(i);
      const reply = await pong.recv();
      rt.add(now() - t, reply);
      // Promise hand-offs are microtasks, which run before any timer: the watchdog's clock is read here instead.
      if ((i & 0xfff) === 0) contract.checkDeadline();
    }
    return rt.outcome();
  };
  const ponger = async () => {
    for (let i = 0; i < kTimes; i++) await pong.send(k.pongValue(await ping.recv()));
  };
  const [out] = await Promise.all([pinger(), ponger()]);
  return out;
}

// --- variant workers: worker_threads, postMessage and a SharedArrayBuffer ----------------------------------------

// Starts a Worker from `src`; its errors and a non-zero exit reject `failed` (so the run fails with exit 1).
function startWorker(src, workerData, what) {
  let fail;
  const failed = new Promise((_, reject) => { fail = reject; });
  failed.catch(() => {}); // awaited by the run; never an unhandled rejection
  let w;
  try {
    w = new Worker(src, { eval: true, workerData });
  } catch (e) {
    throw new contract.RunError(`could not start ${what}: ${e.message}`);
  }
  w.on('error', (e) => fail(new contract.RunError(`${what} failed: ${e.message}`)));
  const exited = new Promise((resolve) => w.on('exit', (code) => {
    if (code !== 0) fail(new contract.RunError(`${what} exited with code ${code}`));
    resolve();
  }));
  // next(): the Worker's next message, in order; rejects once the Worker failed. No Promise.race per message: the
  // ping-pong round trip would time it.
  const queue = [];
  let waiter = null;
  let error = null;
  w.on('message', (m) => {
    if (!waiter) { queue.push(m); return; }
    const x = waiter;
    waiter = null;
    x.resolve(m);
  });
  failed.catch((e) => {
    error = e;
    if (waiter) { const x = waiter; waiter = null; x.reject(e); }
  });
  const next = () => {
    if (queue.length) return Promise.resolve(queue.shift());
    if (error) return Promise.reject(error);
    return new Promise((resolve, reject) => { waiter = { resolve, reject }; });
  };
  return { w, failed, exited, next };
}

// ping-pong between the main thread (the pinger) and one Worker (the ponger) by postMessage, each direction holding
// at most one message (the pinger waits for each reply before the next send). The Worker starts inside the run but
// before the first timed round trip: it says `ready` once its listener is on.
const PONGER = `const { parentPort } = require('worker_threads');
const k = require(${JSON.stringify(path.join(__dirname, 'kernels.js'))});
parentPort.on('message', (i) => {
  if (i === null) parentPort.close();
  else parentPort.postMessage(k.pongValue(i));
});
parentPort.postMessage('ready');`;

async function pingPongWorkers(kTimes) {
  const { w, failed, exited, next } = startWorker(PONGER, null, 'the ponger worker');
  try {
    await next(); // 'ready'
    contract.sampleThreads();
    const rt = contract.RoundTrips.start(kTimes);
    for (let i = 0; i < kTimes; i++) {
      const t = now();
      const reply = next();
      w.postMessage(i);
      const r = await reply; // awaited before the clock is read: an argument `now() - t, await reply` would read it first
      rt.add(now() - t, r);
    }
    const out = rt.outcome();
    w.postMessage(null); // the ponger closes its port and its thread ends: joined inside the run
    await Promise.race([exited, failed]);
    return out;
  } finally {
    await w.terminate(); // a no-op once it has exited; a failed run leaves no thread behind
  }
}

// One racer of variant workers. The SharedArrayBuffer holds: Int32 [0] the start gate, [1] the lock word, and from
// byte 8 the counter (an Int32Array element while W*K fits in it, else a BigInt64Array element). The racer waits at
// the gate, then does K increments and posts how many it performed.
const RACER = `const { parentPort, workerData } = require('worker_threads');
const { sab, k, sync, rmw, big } = workerData;
const ctl = new Int32Array(sab, 0, 2);
const c = big ? new BigInt64Array(sab, 8, 1) : new Int32Array(sab, 8, 1);
const ONE = big ? 1n : 1;
function one() { return ONE; }
// A mutex on one Int32 word, as a futex mutex (Drepper, "Futexes Are Tricky", mutex 2): 0 free, 1 held, 2 held with
// waiters. Taken by compareExchange; a waiter sleeps in Atomics.wait; the holder wakes one with Atomics.notify only
// when someone may wait. Node has no mutex of its own for SharedArrayBuffer; this is the textbook one.
function lock() {
  let s = Atomics.compareExchange(ctl, 1, 0, 1);
  if (s === 0) return;
  do {
    if (s === 2 || Atomics.compareExchange(ctl, 1, 1, 2) !== 0) Atomics.wait(ctl, 1, 2);
  } while ((s = Atomics.compareExchange(ctl, 1, 0, 2)) !== 0);
}
function unlock() {
  if (Atomics.sub(ctl, 1, 1) !== 1) {
    Atomics.store(ctl, 1, 0);
    Atomics.notify(ctl, 1, 1);
  }
}
parentPort.postMessage('ready');
Atomics.wait(ctl, 0, 0);
let i = 0;
if (sync === 'atomic') {
  for (; i < k; i++) Atomics.add(c, 0, ONE);
} else if (sync === 'lock') {
  for (; i < k; i++) { lock(); const v = c[0]; c[0] = v + ONE; unlock(); }
} else if (rmw === 'call') {
  for (; i < k; i++) { const v = c[0]; c[0] = v + one(); }
} else {
  // The unsynchronized increment: a plain read of the shared element, then a plain write of it plus one.
  for (; i < k; i++) { const v = c[0]; c[0] = v + ONE; }
}
parentPort.postMessage(i);`;

async function raceWorkers(ctx) {
  const total = ctx.workers * ctx.work;
  // Why Int32 while it fits: a BigInt64Array element is read and written as a heap BigInt, which would time BigInt
  // allocation instead of the race; past 2^31 - 1 the counter needs 64 bits.
  const big = total > 0x7fffffff;
  const sab = new SharedArrayBuffer(16);
  const ctl = new Int32Array(sab, 0, 2);
  const racers = [];
  try {
    for (let i = 0; i < ctx.workers; i++) {
      racers.push(startWorker(RACER, { sab, k: ctx.work, sync: ctx.opts.sync, rmw: ctx.opts.rmw, big }, `racer worker ${i}`));
    }
    // Why a gate: a Worker takes milliseconds to start (a V8 isolate each), so without it the first racer could
    // finish before the last one starts, and the race would measure start-up, not interleaving.
    await Promise.all(racers.map((r) => r.next()));
    contract.sampleThreads();
    Atomics.store(ctl, 0, 1);
    Atomics.notify(ctl, 0);
    const done = await Promise.all(racers.map((r) => r.next()));
    await Promise.all(racers.map((r) => Promise.race([r.exited, r.failed])));
    const counter = big ? new BigInt64Array(sab, 8, 1)[0] : BigInt(new Int32Array(sab, 8, 1)[0]);
    const attempted = done.reduce((a, n) => a + BigInt(n), 0n);
    const how = { none: 'a plain read then write', atomic: 'Atomics.add', lock: 'a plain read then write under an Atomics mutex' }[ctx.opts.sync];
    const race = `one ${big ? 'BigInt64Array' : 'Int32Array'} element of a SharedArrayBuffer shared by ${ctx.workers} worker_threads, incremented by ${how}`;
    return { checksum: counter, samples: null, sojourn: null, extra: { race }, attempted };
  } finally {
    // A failed run leaves no racer behind (terminate is a no-op for one that has exited).
    await Promise.all(racers.map((r) => r.w.terminate()));
  }
}

// Removes io-file's scratch directory when the deadline stops the run. Why retry: libuv's pool threads may still
// create a file (an open queued before the deadline) between rmSync's listing and its rmdir, which then fails with
// ENOTEMPTY and left the directory behind under load; once the directory is gone, such an open fails instead.
function removeScratch(dir) {
  for (let i = 0; i < 50 && fs.existsSync(dir); i++) {
    try { fs.rmSync(dir, { recursive: true, force: true }); } catch { /* a file appeared meanwhile: again */ }
  }
}

function prepare(ctx) {
  // Why: libuv's pool (used by fs/promises) defaults to 4 threads, an ambient default; every model gets W. It must
  // be set before the pool's first use, which is after this point.
  process.env.UV_THREADPOOL_SIZE = String(Math.min(ctx.workers, 1024));
}

async function run(ctx) {
  const w = ctx.workload;
  if (ctx.variant === 'workers') return w === 'race' ? raceWorkers(ctx) : pingPongWorkers(ctx.work);
  if (w === 'spawn') return spawnOnLoop(ctx.tasks);
  if (w === 'ping-pong') return pingPongOnLoop(ctx.work);
  let promises;
  let dir = null;
  let tick = null;
  if (w === 'race') {
    counter = 0;
    const yielding = ctx.opts.yield === 'true';
    const every = Number(ctx.opts.yield_every);
    const lock = asyncLock();
    const done = await Promise.all(Array.from({ length: ctx.workers }, () => (yielding
      ? yieldingRacer(ctx.work, ctx.opts.sync, ctx.opts.rmw, every, lock)
      : racer(ctx.work, ctx.opts.rmw))));
    const attempted = done.reduce((a, n) => a + BigInt(n), 0n);
    return { checksum: BigInt(counter), samples: null, sojourn: null, extra: yielding ? { yield_every: every } : {}, attempted };
  }
  const cpu = w === 'cpu-balanced' || w === 'cpu-skewed' || w === 'mixed';
  const pool = cpu && ctx.opts.offload === 'true' ? workerPool(ctx.workers) : null;
  const submitted = now(); // the run's submission instant, just before the first task starts (harness::latency)
  // The ticker is its own task beside the CPU work, as in every model; started first, so its lateness shows the CPU
  // tasks. On this one-thread loop it wakes only between two CPU tasks (unless offload=true moves them to W workers).
  if (w === 'mixed') tick = ticker(ctx.rounds, ctx.delay_ms);
  if (cpu) {
    const one = pool ? (lo, hi) => pool.run(lo, hi) : cpuTask;
    promises = k.cpuRanges(w, ctx.tasks, ctx.work).map(([lo, hi]) => one(lo, hi).then((c) => [BigInt(c), [], []]));
  } else if (w === 'io-sleep') {
    promises = Array.from({ length: ctx.tasks }, (_, i) => sleeper(i, ctx.delay_ms));
  } else if (w === 'io-net') {
    promises = Array.from({ length: ctx.tasks }, (_, i) => netRequest(ctx.addr, i, ctx.nonce, ctx.delay_ms));
  } else {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arena-node-'));
    contract.onEarlyExit(() => removeScratch(dir));
    // Why the limiter wraps the whole task: io-file's rule in every model is T tasks submitted, at most W doing file
    // I/O at once, each building its buffer inside that bound (docs/workloads.md), so at most W buffers exist.
    const limit = limiter(ctx.workers);
    promises = Array.from({ length: ctx.tasks }, (_, i) => limit(() => fileTask(dir, i, ctx.size_kib)));
  }
  contract.sampleThreads();
  let results;
  try {
    results = await Promise.all(promises);
  } finally {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    if (pool) await pool.close();
  }
  contract.sampleThreads();
  if (tick) results.push(await tick);
  let total = 0n;
  const samples = [];
  const sojourn = [];
  for (const [v, late, ends] of results) {
    // Wrapping at 2^64: io-net's replies are random 64-bit values, io-file's hashes combine so.
    total = (total + v) & k.MASK;
    for (const x of late) samples.push(x);
    for (const x of contract.sojourns(submitted, ends)) sojourn.push(x);
  }
  const timed = LATENCY.has(w);
  return { checksum: total, samples: timed ? samples : null, sojourn: timed ? sojourn : null, extra: {} };
}

process.on('uncaughtException', (e) => {
  process.stderr.write(`node: internal error: ${String(e && e.message ? e.message : e).split(/\s+/).join(' ')}\n`);
  process.exit(contract.FAILED);
});

contract.main({ info, prepare, run }, process.argv.slice(2)).then((code) => process.exit(code));
