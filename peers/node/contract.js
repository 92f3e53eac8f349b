'use strict';
// The Concurrency Arena runtime contract in JavaScript: the same command line, JSON and exit codes as the Rust
// harness (crates/harness/src/cli.rs), so the driver and the conformance suite treat this peer like any rt-* binary.
//
//   arena.js [--work-scale N] [--race-scale N] list
//   arena.js [--work-scale N] [--race-scale N] run WORKLOAD [--variant V] [--size S] [--tasks N] [--workers W]
//       [--work U] [--delay-ms D] [--size-kib S] [--rounds R] [--addr HOST:PORT] [--deadline-s S] [--opt KEY=VALUE]...
//
// The scale factors divide the *preset* CPU work and race increments (peers/peers.toml sets them); the report's
// params carry the effective values, so the reference checksum still matches. An explicit --work is never scaled.

const fs = require('fs');
const net = require('net');
const os = require('os');

const USAGE_TEXT = `usage: arena.js [--work-scale N] [--race-scale N] list
       arena.js [--work-scale N] [--race-scale N] run WORKLOAD [--variant V] [--size S] [--tasks N] [--workers W]
           [--work U] [--delay-ms D] [--size-kib S] [--rounds R] [--addr HOST:PORT] [--deadline-s S] [--opt KEY=VALUE]...
`;
const OK = 0, FAILED = 1, USAGE = 2, UNSUPPORTED = 3, DEADLINE = 124;
const U32_MAX = 4294967295;
// harness::latency::EARLY_TOLERANCE_MS: a wait that ends more than this before D counts in early_waits (the why is
// there). setTimeout can fire up to 1 ms early, so this peer may report early waits: it counts them honestly.
const EARLY_TOLERANCE_MS = 0.1;
// Workload::ALL, in report order: the seven load workloads, then the two floor workloads (spawn, ping-pong).
const WORKLOADS = ['cpu-balanced', 'cpu-skewed', 'io-sleep', 'io-net', 'io-file', 'mixed', 'race', 'spawn', 'ping-pong'];
// The workloads whose preset `work` is CPU work, divided by --work-scale (ping-pong's `work` is K round trips, and
// race's increments have their own --race-scale).
const CPU_WORK = new Set(['cpu-balanced', 'cpu-skewed', 'mixed']);
const USES = {
  'cpu-balanced': ['tasks', 'work'],
  'cpu-skewed': ['tasks', 'work'],
  'io-sleep': ['tasks', 'delay_ms'],
  'io-net': ['tasks', 'delay_ms'],
  'io-file': ['tasks', 'size_kib'],
  mixed: ['tasks', 'work', 'rounds', 'delay_ms'],
  race: ['work'],
  spawn: ['tasks'],
  'ping-pong': ['work'],
};
const SIZES = ['check', 'quick', 'standard', 'large'];
// Params::preset of crates/workloads/src/spec.rs for every workload and size, unscaled. crates/peers checks that the
// file equals Params::preset, so the peers cannot drift from the Rust presets.
const PRESETS = require('../presets.json');
const SYNC_OPT = {
  key: 'sync', default: 'none', kind: ['choice', ['none', 'lock', 'atomic']],
  help: 'race: how the increment is synchronized (none = load then store, lock = under a mutex, atomic = fetch_add)',
};
// The line harness/src/cli.rs prints for `race --tasks N` (RACE_HAS_NO_TASKS): race has racers, not tasks.
const RACE_HAS_NO_TASKS = 'race has no tasks: it runs W racers of K increments each; use --workers and --work';
const NUM_FLAGS = { '--tasks': 'tasks', '--workers': 'workers', '--work': 'work', '--delay-ms': 'delay_ms', '--size-kib': 'size_kib', '--rounds': 'rounds' };
const FLAGS = new Set(['--variant', '--size', '--addr', '--deadline-s', '--opt', ...Object.keys(NUM_FLAGS)]);

class RunError extends Error { get code() { return FAILED; } }
class Usage extends RunError { get code() { return USAGE; } }
class Unsupported extends RunError { get code() { return UNSUPPORTED; } }

// An opt's kind as `list` JSON says it (harness::report::OptKind): the driver plans an opt cell only where the
// runtime accepts the value.
function kindJson(kind) {
  const [type, a, b] = kind || [];
  if (type === 'bool') return { kind: { type: 'bool' } };
  if (type === 'int') return { kind: { type: 'int', min: a, max: b } };
  if (type === 'choice') return { kind: { type: 'choice', values: a } };
  return {};
}

function fullInfo(info) {
  const opts = info.opts.slice();
  if (!opts.some((o) => o.key === SYNC_OPT.key)) opts.push(SYNC_OPT);
  return { ...info, opts };
}

function publicInfo(info) {
  return { ...info, opts: info.opts.map((o) => ({ key: o.key, default: o.default, help: o.help, ...kindJson(o.kind) })) };
}

function checkOpt(spec, value) {
  const [kind, a, b] = spec.kind;
  let want;
  if (kind === 'bool') {
    if (value === 'true' || value === 'false') return;
    want = 'true or false';
  } else if (kind === 'int') {
    if (/^\d+$/.test(value) && Number(value) >= a && Number(value) <= b) return;
    want = `a whole number from ${a} to ${b}`;
  } else {
    if (a.includes(value)) return;
    want = 'one of ' + a.join(', ');
  }
  throw new Usage(`--opt ${spec.key}=${value}: expected ${want}`);
}

function parseFlags(args) {
  const pos = [];
  const f = { '--opt': [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) { pos.push(a); continue; }
    const eq = a.indexOf('=');
    const name = eq >= 0 ? a.slice(0, eq) : a;
    if (!FLAGS.has(name)) throw new Usage(`unexpected argument '${name}' found`);
    let value;
    if (eq >= 0) value = a.slice(eq + 1);
    else {
      if (i + 1 >= args.length) throw new Usage(`a value is required for '${name}' but none was supplied`);
      value = args[++i];
    }
    if (name === '--opt') f['--opt'].push(value);
    else if (name in f) throw new Usage(`the argument '${name}' cannot be used multiple times`);
    else f[name] = value;
  }
  for (const name of Object.keys(NUM_FLAGS)) {
    if (name in f) {
      if (!/^\d+$/.test(f[name]) || !Number.isSafeInteger(Number(f[name]))) {
        throw new Usage(`invalid value '${f[name]}' for '${name}': expected a whole number`);
      }
      f[name] = Number(f[name]);
    }
  }
  if ('--deadline-s' in f) {
    const v = f['--deadline-s'];
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v)) throw new Usage(`invalid value '${v}' for '--deadline-s': expected a number`);
    f['--deadline-s'] = Number(v);
  }
  if (pos.length !== 1) throw new Usage(`run takes exactly one WORKLOAD (${WORKLOADS.slice(0, -1).join(', ')} or ${WORKLOADS[WORKLOADS.length - 1]})`);
  return [pos[0], f];
}

function defaultWorkers() {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

// Checks the arguments against `info` and fills in every default, in the order the Rust harness does.
function resolve(info, args, workScale, raceScale) {
  const [workload, f] = parseFlags(args);
  if (!WORKLOADS.includes(workload)) throw new Usage(`unknown workload '${workload}'; expected one of: ${WORKLOADS.join(', ')}`);
  if (!info.workloads.includes(workload)) {
    throw new Unsupported(`${info.runtime} does not implement ${workload}; it implements: ${info.workloads.join(', ')}`);
  }
  refuseUnused(workload, f);
  const names = info.variants.map((v) => v.name);
  const variant = f['--variant'] ?? info.variants.find((v) => v.default).name;
  if (!names.includes(variant)) throw new Usage(`unknown variant '${variant}'; expected one of: ${names.join(', ')}`);
  // A variant's own `workloads` (Info::variant(..).only(ws)) restrict it; a listed workload it does not run exits 3.
  if (!runs(info, variant, workload)) {
    const have = info.workloads.filter((w) => runs(info, variant, w));
    throw new Unsupported(`${info.runtime} variant ${variant} does not implement ${workload}; it implements: ${have.join(', ')}`);
  }
  const size = f['--size'] ?? 'standard';
  if (!SIZES.includes(size)) throw new Usage(`unknown size '${size}'; expected one of: check, quick, standard, large`);
  if (f['--workers'] === 0) throw new Usage('--workers must be at least 1');
  const workers = f['--workers'] ?? defaultWorkers();
  if (workload === 'race' && '--tasks' in f) throw new Usage(RACE_HAS_NO_TASKS);
  const p = { ...PRESETS[workload][size] };
  // Why: the presets are calibrated on compiled code; the manifest's factors keep a size's duration comparable.
  // Only CPU work and race increments are scaled: ping-pong's K is a count of hand-offs, the same in every model.
  const scale = workload === 'race' ? raceScale : CPU_WORK.has(workload) ? workScale : 1;
  if (p.work) p.work = Math.max(1, Math.floor(p.work / scale));
  for (const [flag, key, lo] of [['--tasks', 'tasks', 1], ['--work', 'work', 1], ['--delay-ms', 'delay_ms', 0], ['--size-kib', 'size_kib', 1], ['--rounds', 'rounds', 1]]) {
    if (flag in f) {
      if (f[flag] < lo) throw new Usage(`${flag} must be at least ${lo}`);
      p[key] = f[flag];
    }
  }
  if (p.delay_ms >= U32_MAX) throw new Usage('--delay-ms must be below 4294967295');
  let addr = null;
  if ('--addr' in f) addr = parseAddr(f['--addr']);
  else if (workload === 'io-net') throw new Usage('io-net needs --addr HOST:PORT of a delay server; start one with `arena serve`');
  const deadline = f['--deadline-s'] ?? 600;
  if (!(deadline > 0 && Number.isFinite(deadline))) throw new Usage('--deadline-s must be a positive number of seconds');
  const opts = {};
  for (const o of info.opts) opts[o.key] = o.default;
  for (const kv of f['--opt']) {
    const eq = kv.indexOf('=');
    if (eq < 0) throw new Usage(`--opt '${kv}' must be KEY=VALUE`);
    const k = kv.slice(0, eq), v = kv.slice(eq + 1);
    const spec = info.opts.find((o) => o.key === k);
    if (!spec) throw new Usage(`unknown --opt '${k}'; ${info.runtime} accepts: ${info.opts.map((o) => o.key).join(', ')}`);
    checkOpt(spec, v);
    opts[k] = v;
  }
  const facts = info.variants.find((v) => v.name === variant).facts || {};
  checkLimits(workload, p, workers, facts, probeMachine());
  // io-net: a fresh random nonce per run, sent with every request and reported, as the Rust harness does.
  const nonce = workload === 'io-net' ? require('crypto').randomBytes(8).readBigUInt64LE(0) : 0n;
  return { workload, variant, size, workers, addr, deadlineS: deadline, opts, workScale, raceScale, nonce, ...p };
}

// Whether `variant` runs `workload` (harness::report::Variant::runs): every listed one unless it has its own list.
function runs(info, variant, workload) {
  const v = info.variants.find((x) => x.name === variant);
  return info.workloads.includes(workload) && (!v || !v.workloads || v.workloads.includes(workload));
}

// --- what a run needs of the machine (crates/harness/src/limits.rs) -----------------------------------------------

const TASK_BYTES = 64, ROUND_BYTES = 8, BASE_THREADS = 3;

// A flag the workload does not read is refused (exit 2), as harness/src/cli.rs refuse_unused does: it would change
// nothing and be recorded nowhere. race and --tasks are left as they are (decided with the race workload).
function refuseUnused(workload, f) {
  for (const [flag, key] of [['--tasks', 'tasks'], ['--work', 'work'], ['--delay-ms', 'delay_ms'], ['--size-kib', 'size_kib'], ['--rounds', 'rounds']]) {
    if (!(flag in f) || USES[workload].includes(key) || (workload === 'race' && key === 'tasks')) continue;
    const reads = USES[workload].map((k) => '--' + k.replace('_', '-')).join(', ');
    throw new Usage(`${flag} is not used by ${workload}, which reads ${reads} and --workers; leave it out`);
  }
  if ('--addr' in f && workload !== 'io-net') throw new Usage(`--addr is used by io-net only, not by ${workload}; leave it out`);
}

function readText(p) {
  try { return fs.readFileSync(p, 'utf8'); } catch { return ''; }
}

// MemAvailable in KiB (or null) and the tightest thread limit (or null), from procfs as limits.rs reads them.
function probeMachine() {
  const mem = /^MemAvailable:\s+(\d+)/m.exec(readText('/proc/meminfo'));
  const limits = [];
  const tmax = readText('/proc/sys/kernel/threads-max').trim();
  if (/^\d+$/.test(tmax)) limits.push([Number(tmax), 'kernel.threads-max']);
  const root = /^Uid:\s+0\s/m.test(readText('/proc/self/status'));
  const nproc = /^Max processes\s+(\d+)/m.exec(readText('/proc/self/limits'));
  if (!root && nproc) limits.push([Number(nproc[1]), 'RLIMIT_NPROC (ulimit -u)']);
  const pids = readText('/sys/fs/cgroup/pids.max').trim();
  if (/^\d+$/.test(pids)) limits.push([Number(pids), "the cgroup's pids.max"]);
  limits.sort((a, b) => a[0] - b[0]);
  return { memKib: mem ? Number(mem[1]) : null, threadLimit: limits[0] || null };
}

// Refuses (exit 2) a run that cannot fit the machine, by the same lower bounds as the Rust harness.
function checkLimits(workload, p, workers, facts, machine) {
  const parts = [];
  if (USES[workload].includes('tasks')) parts.push([p.tasks * TASK_BYTES, `--tasks ${p.tasks} keeps a handle per task, ${TASK_BYTES} B each at least`, 'lower --tasks']);
  if (workload === 'io-file') {
    const buffers = Math.min(workers, p.tasks);
    parts.push([buffers * p.size_kib * 1024, `io-file holds min(--workers, --tasks) = ${buffers} buffers of --size-kib ${p.size_kib} at once`, 'lower --size-kib or --workers']);
  }
  if (workload === 'mixed') parts.push([p.rounds * ROUND_BYTES, `--rounds ${p.rounds} keeps a latency sample a round`, 'lower --rounds']);
  const total = parts.reduce((a, x) => a + x[0], 0);
  const gib = (b) => (b / 2 ** 30).toFixed(2) + ' GiB';
  if (machine.memKib !== null && parts.length && total > machine.memKib * 1024) {
    const big = parts.reduce((a, x) => (x[0] > a[0] ? x : a));
    throw new Usage(`the run needs at least ${gib(total)} of memory at once (${big[1]}), more than the ${gib(machine.memKib * 1024)} this machine has available (MemAvailable in /proc/meminfo); ${big[2]}`);
  }
  // Why not for spawn: where the model stops is what spawn measures (harness::limits::check); the memory bound
  // above still applies.
  if (workload === 'spawn') return;
  const threads = facts.threads || 'one';
  const model = threads === 'one' ? 0 : threads === 'workers' || workload === 'race' ? workers : p.tasks;
  const need = BASE_THREADS + model + (facts.event_loop ? workers : 0) + (workload === 'mixed' ? 1 : 0);
  if (machine.threadLimit && need > machine.threadLimit[0]) {
    const flag = threads === 'per-task' && workload !== 'race' ? '--tasks' : '--workers';
    throw new Usage(`${workload} with --tasks ${p.tasks} and --workers ${workers} needs ${need} threads, more than the ${machine.threadLimit[0]} this process may start (${machine.threadLimit[1]}); lower ${flag} or raise the limit`);
  }
}

function parseAddr(s) {
  const i = s.lastIndexOf(':');
  const host = i > 0 ? s.slice(0, i).replace(/^\[|\]$/g, '') : '';
  const port = i > 0 ? s.slice(i + 1) : '';
  if (!host || !/^\d+$/.test(port) || Number(port) > 65535) throw new Usage(`--addr '${s}' is not HOST:PORT (for example 127.0.0.1:7878)`);
  let ip = host;
  if (!net.isIP(host)) {
    if (host !== 'localhost') throw new Usage(`--addr '${s}' is not HOST:PORT with an IP address or localhost`);
    ip = '127.0.0.1';
  }
  return { host: ip, port: Number(port) };
}

// A JSON number that serde reads as f64 even when whole (Rust writes 600.0, not 600).
const FLOAT = Symbol('float');
function float(x) { return { [FLOAT]: Number.isInteger(x) ? x.toFixed(1) : String(x) }; }

function toJson(v) {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (typeof v === 'string' || typeof v === 'boolean') return JSON.stringify(v);
  if (Array.isArray(v)) return '[' + v.map(toJson).join(',') + ']';
  if (v[FLOAT] !== undefined) return v[FLOAT];
  return '{' + Object.keys(v).map((k) => JSON.stringify(k) + ':' + toJson(v[k])).join(',') + '}';
}

function sortedObject(o) {
  const out = {};
  for (const k of Object.keys(o).sort()) out[k] = o[k];
  return out;
}

// The effective params exactly as harness/src/cli.rs params_json writes them (keys sorted, like serde_json's map).
function paramsJson(ctx) {
  const m = { size: ctx.size, workers: ctx.workers };
  for (const k of USES[ctx.workload]) m[k] = ctx[k];
  if (ctx.addr) m.addr = (ctx.addr.host.includes(':') ? `[${ctx.addr.host}]` : ctx.addr.host) + ':' + ctx.addr.port;
  if (ctx.workload === 'io-net') m.nonce = ctx.nonce;
  m.deadline_s = float(ctx.deadlineS);
  m.opts = sortedObject(ctx.opts);
  return sortedObject(m);
}

// --- probes -------------------------------------------------------------------------------------------------------
let peakThreads = 0;

// The Threads: line of /proc/self/status, which the kernel reads without walking the threads (unlike
// /proc/self/stat: see harness::probe::threads_now).
function threadsNow() {
  const m = /^Threads:\s+(\d+)/m.exec(readText('/proc/self/status'));
  return m ? Number(m[1]) : 0;
}

// Records the current OS thread count (main thread, V8's platform threads, libuv's pool once used).
function sampleThreads() { peakThreads = Math.max(peakThreads, threadsNow()); }

function peakRssKib() {
  try {
    const line = fs.readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith('VmHWM:'));
    return line ? Number(line.split(/\s+/)[1]) : 0;
  } catch {
    return 0;
  }
}

// Nearest-rank p50/p90/p99/max in ms, like harness/src/latency.rs.
function percentiles(samples) {
  if (!samples.length) return null;
  const s = Float64Array.from(samples).sort();
  const n = s.length;
  const pct = (p) => s[Math.min(Math.max(Math.ceil((p / 100) * n), 1), n) - 1];
  return { p50: pct(50), p90: pct(90), p99: pct(99), max: s[n - 1] };
}

// --- the floor workloads' figures (harness::floor: the same keys, measured the same way) ---------------------------

// VmRSS (pages resident now, not the peak VmHWM) and VmSize (the virtual reservation) of this process in KiB, from
// /proc/self/status, as harness::floor::memory_kib; zeros when procfs cannot be read.
function memoryKib() {
  const text = readText('/proc/self/status');
  const field = (name) => {
    const m = new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) : 0;
  };
  return { rss: field('VmRSS'), vsz: field('VmSize') };
}

// spawn (harness::floor::SpawnProbe): start(n) just before the first task is started; parked(k) once all k tasks
// are parked on the release signal (stops the spawn clock, samples memory, starts the teardown clock); joined(sum)
// once every task was released and joined gives the checksum and the extras.
class SpawnProbe {
  static start(tasks) { return new SpawnProbe(tasks); }

  constructor(tasks) {
    this.tasks = tasks;
    this.before = memoryKib();
    this.parkedAt = null;
    this.t0 = performance.now();
  }

  parked(parked) {
    const took = performance.now() - this.t0;
    this.parkedAt = { parked, took, mem: memoryKib(), released: performance.now() };
    sampleThreads();
  }

  joined(checksum) {
    const end = performance.now();
    // A run that never called parked() reports 0 parked tasks, which the contract's check refuses.
    const at = this.parkedAt || { parked: 0, took: 0, mem: { rss: 0, vsz: 0 }, released: this.t0 };
    return {
      checksum: BigInt(checksum), samples: null, sojourn: null,
      extra: {
        parked: at.parked,
        spawn_us_per_task: float((at.took * 1e3) / Math.max(1, this.tasks)),
        rss_before_kib: this.before.rss,
        rss_parked_kib: at.mem.rss,
        vsz_before_kib: this.before.vsz,
        vsz_parked_kib: at.mem.vsz,
        teardown_ms: float(end - at.released),
      },
    };
  }
}

// `32741` as `32,741` (harness::floor::thousands).
function thousands(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ','); }

// The exit-1 error of a spawn the OS refused (harness::floor::spawn_failed); i counts from 0, the message from 1.
function spawnFailed(unit, i, n, reason) {
  return new RunError(`could not spawn ${unit} ${thousands(i + 1)} of ${thousands(n)}: ${reason}`);
}

// ping-pong (harness::floor::RoundTrips): start(k) just before the first token is sent; add(ms, reply) per round
// trip, timed on its own (clock read before the send, after the reply arrives); outcome() gives the replies' sum as
// checksum, round_trips, the exchange's wall time over K as rtt_us_mean, and nearest-rank p50/p99/max in µs.
class RoundTrips {
  static start(k) { return new RoundTrips(k); }

  constructor(k) {
    this.samples = new Float64Array(k);
    this.n = 0;
    this.sum = 0;
    this.t0 = performance.now();
  }

  add(ms, reply) {
    this.samples[this.n++] = ms * 1e3;
    this.sum += reply;
  }

  outcome() {
    const wallUs = (performance.now() - this.t0) * 1e3;
    const extra = { round_trips: this.n };
    const l = percentiles(this.samples.subarray(0, this.n));
    if (l) {
      Object.assign(extra, {
        rtt_us_mean: float(wallUs / this.n), rtt_us_p50: float(l.p50), rtt_us_p99: float(l.p99), rtt_us_max: float(l.max),
      });
    }
    // The sum of K replies i + 1 is exact in a double up to K of about 10^8.
    return { checksum: BigInt(this.sum), samples: null, sojourn: null, extra };
  }
}

// harness::latency::sojourns_ms: a task's waits in ms, the first from the run's submission instant, each later one
// from the end of the one before (the mixed ticker's rounds).
function sojourns(submitted, ends) {
  const out = [];
  let start = submitted;
  for (const end of ends) {
    out.push(end - start);
    start = end;
  }
  return out;
}

// harness::latency::early_waits: the waits that ended more than EARLY_TOLERANCE_MS before D.
function earlyWaits(latenessMs) {
  return latenessMs.filter((x) => x < -EARLY_TOLERANCE_MS).length;
}

// --- deadline and clean-ups ----------------------------------------------------------------------------------------
const cleanups = [];
let deadlineAt = Infinity;
let runtimeName = 'node';

function onEarlyExit(f) { cleanups.push(f); }

function runCleanups() {
  while (cleanups.length) {
    try { cleanups.pop()(); } catch { /* best effort */ }
  }
}

function fireDeadline(deadlineS) {
  process.stderr.write(`${runtimeName}: deadline of ${deadlineS} s exceeded; stopped (raise --deadline-s or run a smaller --size)\n`);
  runCleanups();
  process.exit(DEADLINE);
}

// The watchdog is a timer; a synchronous CPU task cannot be interrupted by one, so the kernels also call
// checkDeadline() at their check points.
function startWatchdog(deadlineS) {
  deadlineAt = performance.now() + deadlineS * 1000;
  const t = setTimeout(() => fireDeadline(deadlineS), Math.min(deadlineS * 1000, 2147483647));
  t.unref();
  return deadlineS;
}

let deadlineS = 0;
function checkDeadline() {
  if (performance.now() > deadlineAt) fireDeadline(deadlineS);
}

function oneLine(s) { return String(s).split(/\s+/).filter(Boolean).join(' '); }

// Runs the contract: impl.info (an object) and impl.run(ctx) -> Promise<{checksum, samples, sojourn, extra, attempted}>,
// attempted being the race's increments performed (a BigInt; absent for the other workloads).
async function main(impl, argv) {
  runtimeName = impl.info.runtime;
  let workScale = 1, raceScale = 1;
  try {
    while (argv.length && (argv[0] === '--work-scale' || argv[0] === '--race-scale')) {
      if (argv.length < 2 || !/^\d+$/.test(argv[1]) || Number(argv[1]) < 1) throw new Usage(`${argv[0]} needs a whole number of at least 1`);
      if (argv[0] === '--work-scale') workScale = Number(argv[1]);
      else raceScale = Number(argv[1]);
      argv = argv.slice(2);
    }
    const info = fullInfo(impl.info);
    if (argv.includes('--help') || argv.includes('-h')) {
      process.stdout.write(USAGE_TEXT);
      return OK;
    }
    if (argv.length === 1 && argv[0] === 'list') {
      process.stdout.write(toJson(publicInfo(info)) + '\n');
      return OK;
    }
    if (!argv.length || argv[0] !== 'run') throw new Usage('expected `list` or `run WORKLOAD [flags]`');
    const ctx = resolve(info, argv.slice(1), workScale, raceScale);
    if (impl.prepare) impl.prepare(ctx);
    sampleThreads();
    deadlineS = startWatchdog(ctx.deadlineS);
    const t0 = performance.now();
    const out = await impl.run(ctx);
    const elapsedMs = performance.now() - t0;
    sampleThreads();
    const extra = { ...out.extra };
    if (CPU_WORK.has(ctx.workload)) extra.work_scale = ctx.workScale;
    if (ctx.workload === 'race') extra.race_scale = ctx.raceScale;
    const checksum = BigInt(out.checksum);
    // As harness/src/cli.rs: lost updates count against what the racers attempted, not W*K, so a model that skipped
    // increments fails the reference check (attempted == W*K) instead of passing with them counted as lost.
    const race = ctx.workload === 'race';
    const attempted = race && out.attempted !== undefined ? BigInt(out.attempted) : null;
    const report = {
      runtime: info.runtime,
      variant: ctx.variant,
      workload: ctx.workload,
      params: paramsJson(ctx),
      checksum,
      elapsed_ms: float(elapsedMs),
      latency_ms: out.samples ? percentiles(out.samples) : null,
      ...(['io-sleep', 'mixed'].includes(ctx.workload) ? { early_waits: earlyWaits(out.samples || []) } : {}),
      ...(out.sojourn ? { sojourn_ms: percentiles(out.sojourn) } : {}),
      lost_updates: race ? maxBig(0n, (attempted ?? 0n) - checksum) : null,
      peak_rss_kib: peakRssKib(),
      os_threads_peak: Math.max(1, peakThreads),
      extra,
    };
    if (attempted !== null) report.attempted = attempted; // race only, as the Rust RunReport skips a missing one
    process.stdout.write(toJson(report) + '\n');
    return OK;
  } catch (e) {
    runCleanups();
    if (e instanceof RunError) {
      process.stderr.write(`${runtimeName}: ${oneLine(e.message)}${e.code === USAGE ? ' (see `run --help` and `list`)' : ''}\n`);
      return e.code;
    }
    process.stderr.write(`${runtimeName}: internal error: ${oneLine(e && e.message ? e.message : e)}\n`);
    return FAILED;
  }
}

function maxBig(a, b) { return a > b ? a : b; }

module.exports = {
  OK, FAILED, USAGE, UNSUPPORTED, DEADLINE, WORKLOADS, RunError, Usage, Unsupported,
  main, sampleThreads, onEarlyExit, checkDeadline, percentiles, sojourns, SpawnProbe, RoundTrips, spawnFailed,
  memoryKib, float,
};
