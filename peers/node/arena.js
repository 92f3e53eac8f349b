#!/usr/bin/env node
'use strict';
// Concurrency Arena peer for Node.js (18+): one event loop, Promise-based, standard library only.
//
// `node peers/node/arena.js [--work-scale N] [--race-scale N] list|run ...` speaks the runtime contract of the Rust
// binaries (see contract.js), so the arena can set Node's event loop beside asyncio, tokio's current-thread runtime
// and smol on the same machine. It runs exactly the arena's kernels (kernels.js); it is not a Node benchmark.

const fs = require('fs');
const fsp = require('fs/promises');
const net = require('net');
const os = require('os');
const path = require('path');
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
    + 'helper threads. In race the W tasks never await, so no update is lost, whatever --opt sync says, unless '
    + 'yield=true awaits setImmediate between a load and its store.',
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

function prepare(ctx) {
  // Why: libuv's pool (used by fs/promises) defaults to 4 threads, an ambient default; every model gets W. It must
  // be set before the pool's first use, which is after this point.
  process.env.UV_THREADPOOL_SIZE = String(Math.min(ctx.workers, 1024));
}

async function run(ctx) {
  const w = ctx.workload;
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
    contract.onEarlyExit(() => fs.rmSync(dir, { recursive: true, force: true }));
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
