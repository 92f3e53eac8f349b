"""The Concurrency Arena runtime contract in Python: the same command line, JSON and exit codes as the Rust harness
(crates/harness/src/cli.rs), so the driver and the conformance suite treat a Python peer like any rt-* binary.

    arena_peer.py IMPL [--work-scale N] [--race-scale N] list
    arena_peer.py IMPL [--work-scale N] [--race-scale N] run WORKLOAD [--variant V] [--size S] [--tasks N]
        [--workers W] [--work U] [--delay-ms D] [--size-kib S] [--rounds R] [--addr HOST:PORT]
        [--deadline-s S] [--opt KEY=VALUE]...

`--work-scale` divides the *preset* CPU work (cpu-balanced, cpu-skewed, mixed) and `--race-scale` the preset race
increments, because CPython runs trial division about 30x slower than Rust; the report's params carry the effective
(scaled) values, so the reference checksum computed from them still matches. An explicit `--work` is never scaled.
The scale factors live in peers/peers.toml, which the driver passes here.

The floor workloads (spawn, ping-pong) are measured here the same way as harness::floor measures them in the Rust
runtimes: SpawnProbe, RoundTrips, memory_kib and spawn_failed below give the same extras and the same error line.

This module parses, validates, times and prints; the models (models.py) only schedule the kernels (kernels.py).
"""

import json
import math
import os
import sys
import threading
import time

OK, FAILED, USAGE, UNSUPPORTED, DEADLINE = 0, 1, 2, 3, 124
DEFAULT_DEADLINE_S = 600.0
U32_MAX = 4294967295
# harness::latency::EARLY_TOLERANCE_MS: a wait that ends more than this before D counts in early_waits (the why is
# there: below it is clock-read noise, not a timer that fired early).
EARLY_TOLERANCE_MS = 0.1

# Workload::LOAD (the seven load workloads) and Workload::FLOOR (what one task and one hand-off cost).
LOAD = ["cpu-balanced", "cpu-skewed", "io-sleep", "io-net", "io-file", "mixed", "race"]
FLOOR = ["spawn", "ping-pong"]
WORKLOADS = LOAD + FLOOR
# The workloads whose preset `work` is CPU work (or race increments) that --work-scale (--race-scale) divides; a
# ping-pong's work is K round trips, which are not scaled (the presets already fit the slowest model).
SCALED = ("cpu-balanced", "cpu-skewed", "mixed", "race")
USES = {
    "cpu-balanced": ["tasks", "work"],
    "cpu-skewed": ["tasks", "work"],
    "io-sleep": ["tasks", "delay_ms"],
    "io-net": ["tasks", "delay_ms"],
    "io-file": ["tasks", "size_kib"],
    "mixed": ["tasks", "work", "rounds", "delay_ms"],
    "race": ["work"],
    "spawn": ["tasks"],
    "ping-pong": ["work"],
}
SIZES = ["check", "quick", "standard", "large"]
# Params::preset of crates/workloads/src/spec.rs for every workload and size, unscaled. crates/peers checks that the
# file equals Params::preset, so the peers cannot drift from the Rust presets.
PRESETS_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "presets.json")
SYNC_NAMES = ["none", "lock", "atomic"]
# The line harness/src/cli.rs prints for `race --tasks N` (RACE_HAS_NO_TASKS): race has racers, not tasks.
RACE_HAS_NO_TASKS = "race has no tasks: it runs W racers of K increments each; use --workers and --work"
FLAGS = {"--variant", "--size", "--tasks", "--workers", "--work", "--delay-ms", "--size-kib", "--rounds", "--addr",
         "--deadline-s", "--opt"}


class RunError(Exception):
    code = FAILED


class Usage(RunError):
    code = USAGE


class Unsupported(RunError):
    code = UNSUPPORTED


def opt_bool(key, default, help):
    return {"key": key, "default": "true" if default else "false", "help": help, "_kind": ("bool",)}


def opt_int(key, default, lo, hi, help):
    return {"key": key, "default": str(default), "help": help, "_kind": ("int", lo, hi)}


def opt_choice(key, choices, help):
    return {"key": key, "default": choices[0], "help": help, "_kind": ("choice", list(choices))}


def kind_json(kind):
    """An opt's kind as `list` JSON says it (harness::report::OptKind): the driver plans an opt cell only where the
    runtime accepts the value."""
    if kind[0] == "bool":
        return {"kind": {"type": "bool"}}
    if kind[0] == "int":
        return {"kind": {"type": "int", "min": kind[1], "max": kind[2]}}
    if kind[0] == "choice":
        return {"kind": {"type": "choice", "values": list(kind[1])}}
    return {}


HARNESS_OPTS = [opt_choice("sync", SYNC_NAMES, "race: how the increment is synchronized (none = load then store, "
                           "lock = under a mutex, atomic = fetch_add)")]


def check_opt(spec, value):
    kind = spec["_kind"]
    if kind[0] == "bool":
        if value in ("true", "false"):
            return
        want = "true or false"
    elif kind[0] == "int":
        if value.isdigit() and kind[1] <= int(value) <= kind[2]:
            return
        want = "a whole number from %d to %d" % (kind[1], kind[2])
    else:
        if value in kind[1]:
            return
        want = "one of " + ", ".join(kind[1])
    raise Usage("--opt %s=%s: expected %s" % (spec["key"], value, want))


def runs(info, variant, workload):
    """Whether `variant` runs `workload` (harness Info::runs): the runtime lists it, and the variant's own
    `workloads`, when it has one, does too (a pool of W threads cannot park N tasks; its per-task sibling can)."""
    v = next((v for v in info["variants"] if v["name"] == variant), None)
    return v is not None and workload in info["workloads"] and workload in v.get("workloads", info["workloads"])


def full_info(info):
    info = dict(info)
    opts = list(info["opts"])
    for o in HARNESS_OPTS:
        if not any(x["key"] == o["key"] for x in opts):
            opts.append(o)
    info["opts"] = opts
    return info


def public_info(info):
    out = dict(info)
    out["opts"] = [dict({k: v for k, v in o.items() if not k.startswith("_")}, **kind_json(o["_kind"]))
                   for o in info["opts"]]
    return out


class Ctx:
    """Everything a run is given, every default filled in (the RunCtx of the Rust harness)."""

    def __init__(self, **kw):
        self.__dict__.update(kw)

    def opt_bool(self, key):
        return self.opts[key] == "true"

    def opt_int(self, key):
        return int(self.opts[key])

    @property
    def delay_s(self):
        return self.delay_ms / 1000.0


def parse_flags(args):
    """Splits `run` arguments into (positionals, {flag: value or [values]}); raises Usage like clap does."""
    pos, flags = [], {"--opt": []}
    i = 0
    while i < len(args):
        a = args[i]
        if a.startswith("--"):
            name, eq, value = a.partition("=")
            if name not in FLAGS:
                raise Usage("unexpected argument '%s' found" % name)
            if not eq:
                if i + 1 >= len(args):
                    raise Usage("a value is required for '%s' but none was supplied" % name)
                i += 1
                value = args[i]
            if name == "--opt":
                flags["--opt"].append(value)
            elif name in flags:
                raise Usage("the argument '%s' cannot be used multiple times" % name)
            else:
                flags[name] = value
        else:
            pos.append(a)
        i += 1
    for name in ("--tasks", "--workers", "--work", "--delay-ms", "--size-kib", "--rounds"):
        if name in flags:
            v = flags[name]
            if not v.isdigit() or int(v) > 2**64 - 1:
                raise Usage("invalid value '%s' for '%s': expected a whole number" % (v, name))
            flags[name] = int(v)
    if "--deadline-s" in flags:
        try:
            flags["--deadline-s"] = float(flags["--deadline-s"])
        except ValueError:
            raise Usage("invalid value '%s' for '--deadline-s': expected a number" % flags["--deadline-s"])
    if len(pos) != 1:
        raise Usage("run takes exactly one WORKLOAD (%s or %s)" % (", ".join(WORKLOADS[:-1]), WORKLOADS[-1]))
    return pos[0], flags


def resolve(info, args, work_scale, race_scale):
    """Checks the arguments against `info` and fills in every default, in the order the Rust harness does."""
    workload, f = parse_flags(args)
    if workload not in WORKLOADS:
        raise Usage("unknown workload '%s'; expected one of: %s" % (workload, ", ".join(WORKLOADS)))
    if workload not in info["workloads"]:
        raise Unsupported("%s does not implement %s; it implements: %s"
                          % (info["runtime"], workload, ", ".join(info["workloads"])))
    refuse_unused(workload, f)
    names = [v["name"] for v in info["variants"]]
    variant = f.get("--variant", next(v["name"] for v in info["variants"] if v["default"]))
    if variant not in names:
        raise Usage("unknown variant '%s'; expected one of: %s" % (variant, ", ".join(names)))
    if not runs(info, variant, workload):
        have = [w for w in info["workloads"] if runs(info, variant, w)]
        raise Unsupported("%s variant %s does not implement %s; it implements: %s"
                          % (info["runtime"], variant, workload, ", ".join(have)))
    size = f.get("--size", "standard")
    if size not in SIZES:
        raise Usage("unknown size '%s'; expected one of: check, quick, standard, large" % size)
    workers = f.get("--workers")
    if workers == 0:
        raise Usage("--workers must be at least 1")
    if workers is None:
        workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if workload == "race" and "--tasks" in f:
        raise Usage(RACE_HAS_NO_TASKS)
    with open(PRESETS_FILE) as presets:
        p = dict(json.load(presets)[workload][size])
    # Why: CPython is far slower at trial division and at the increment loop than compiled code, so the presets'
    # work is divided by the manifest's factors to keep a size's duration comparable. The report carries the
    # effective values, so every checksum is still checked against the reference for what actually ran.
    scale = race_scale if workload == "race" else work_scale
    if p["work"] and workload in SCALED:
        p["work"] = max(1, p["work"] // scale)
    for flag, key, lo in (("--tasks", "tasks", 1), ("--work", "work", 1), ("--delay-ms", "delay_ms", 0),
                          ("--size-kib", "size_kib", 1), ("--rounds", "rounds", 1)):
        if flag in f:
            if f[flag] < lo:
                raise Usage("%s must be at least %d" % (flag, lo))
            p[key] = f[flag]
    if p["delay_ms"] >= U32_MAX:
        raise Usage("--delay-ms must be below 4294967295")
    addr = None
    if "--addr" in f:
        addr = parse_addr(f["--addr"])
    elif workload == "io-net":
        raise Usage("io-net needs --addr HOST:PORT of a delay server; start one with `arena serve`")
    deadline = f.get("--deadline-s", DEFAULT_DEADLINE_S)
    if not (deadline > 0 and math.isfinite(deadline)):
        raise Usage("--deadline-s must be a positive number of seconds")
    opts = {o["key"]: o["default"] for o in info["opts"]}
    for kv in f["--opt"]:
        k, eq, v = kv.partition("=")
        if not eq:
            raise Usage("--opt '%s' must be KEY=VALUE" % kv)
        spec = next((o for o in info["opts"] if o["key"] == k), None)
        if spec is None:
            raise Usage("unknown --opt '%s'; %s accepts: %s"
                        % (k, info["runtime"], ", ".join(o["key"] for o in info["opts"])))
        check_opt(spec, v)
        opts[k] = v
    facts = next(v for v in info["variants"] if v["name"] == variant).get("facts") or {}
    check_limits(workload, p, workers, facts, probe_machine())
    # io-net: a fresh random nonce per run, sent with every request and reported, as the Rust harness does.
    nonce = int.from_bytes(os.urandom(8), "little") if workload == "io-net" else 0
    return Ctx(workload=workload, variant=variant, size=size, workers=workers, addr=addr, deadline_s=deadline,
               opts=opts, work_scale=work_scale, race_scale=race_scale, nonce=nonce, **p)


# --- what a run needs of the machine (crates/harness/src/limits.rs) -------------------------------------------------

TASK_BYTES, ROUND_BYTES, BASE_THREADS = 64, 8, 3


def refuse_unused(workload, f):
    """A flag the workload does not read is refused (exit 2), as harness/src/cli.rs refuse_unused does: it would change
    nothing and be recorded nowhere. race and --tasks are left as they are (decided with the race workload)."""
    for flag, key in (("--tasks", "tasks"), ("--work", "work"), ("--delay-ms", "delay_ms"),
                      ("--size-kib", "size_kib"), ("--rounds", "rounds")):
        if flag not in f or key in USES[workload] or (workload == "race" and key == "tasks"):
            continue
        reads = ", ".join("--" + k.replace("_", "-") for k in USES[workload])
        raise Usage("%s is not used by %s, which reads %s and --workers; leave it out" % (flag, workload, reads))
    if "--addr" in f and workload != "io-net":
        raise Usage("--addr is used by io-net only, not by %s; leave it out" % workload)


def _read(path):
    try:
        with open(path) as fh:
            return fh.read()
    except OSError:
        return None


def probe_machine():
    """(MemAvailable in KiB or None, (thread limit, its source) or None), from procfs as limits.rs reads them."""
    mem = None
    for line in (_read("/proc/meminfo") or "").splitlines():
        if line.startswith("MemAvailable:"):
            mem = int(line.split()[1])
    limits = []
    tmax = (_read("/proc/sys/kernel/threads-max") or "").strip()
    if tmax.isdigit():
        limits.append((int(tmax), "kernel.threads-max"))
    root = any(l.startswith("Uid:") and l.split()[1] == "0" for l in (_read("/proc/self/status") or "").splitlines())
    for line in (_read("/proc/self/limits") or "").splitlines():
        soft = line[len("Max processes"):].split()[:1] if line.startswith("Max processes") else []
        if not root and soft and soft[0].isdigit():
            limits.append((int(soft[0]), "RLIMIT_NPROC (ulimit -u)"))
    pids = (_read("/sys/fs/cgroup/pids.max") or "").strip()
    if pids.isdigit():
        limits.append((int(pids), "the cgroup's pids.max"))
    return mem, min(limits) if limits else None


def check_limits(workload, p, workers, facts, machine):
    """Refuses (exit 2) a run that cannot fit the machine, by the same lower bounds as the Rust harness."""
    mem_kib, thread_limit = machine
    uses = USES[workload]
    parts = []
    if "tasks" in uses:
        parts.append((p["tasks"] * TASK_BYTES, "--tasks %d keeps a handle per task, %d B each at least"
                      % (p["tasks"], TASK_BYTES), "lower --tasks"))
    if workload == "io-file":
        buffers = min(workers, p["tasks"])
        parts.append((buffers * p["size_kib"] * 1024, "io-file holds min(--workers, --tasks) = %d buffers of "
                      "--size-kib %d at once" % (buffers, p["size_kib"]), "lower --size-kib or --workers"))
    if workload == "mixed":
        parts.append((p["rounds"] * ROUND_BYTES, "--rounds %d keeps a latency sample a round" % p["rounds"],
                      "lower --rounds"))
    total = sum(x[0] for x in parts)
    if mem_kib is not None and parts and total > mem_kib * 1024:
        big = max(parts, key=lambda x: x[0])
        raise Usage("the run needs at least %.2f GiB of memory at once (%s), more than the %.2f GiB this machine has "
                    "available (MemAvailable in /proc/meminfo); %s" % (total / 2**30, big[1], mem_kib * 1024 / 2**30,
                                                                      big[2]))
    # Why not for spawn: where the OS stops a model's threads or processes is what spawn measures, so it tries and
    # reports the refusal (exit 1, `could not spawn thread 32,741 of 100,000: ...`), as harness/src/limits.rs does.
    if workload == "spawn":
        return
    threads = facts.get("threads", "one")
    model = 0 if threads == "one" else workers if threads == "workers" or workload == "race" else p["tasks"]
    need = BASE_THREADS + model + (workers if facts.get("event_loop") else 0) + (1 if workload == "mixed" else 0)
    if thread_limit is not None and need > thread_limit[0]:
        flag = "--tasks" if threads == "per-task" and workload != "race" else "--workers"
        raise Usage("%s with --tasks %d and --workers %d needs %d threads, more than the %d this process may start "
                    "(%s); lower %s or raise the limit" % (workload, p["tasks"], workers, need, thread_limit[0],
                                                          thread_limit[1], flag))


def parse_addr(s):
    host, colon, port = s.rpartition(":")
    host = host.strip("[]")
    if not colon or not host or not port.isdigit() or int(port) > 65535:
        raise Usage("--addr '%s' is not HOST:PORT (for example 127.0.0.1:7878)" % s)
    import socket
    try:
        info = socket.getaddrinfo(host, int(port), type=socket.SOCK_STREAM)
    except OSError:
        raise Usage("--addr '%s' is not HOST:PORT (for example 127.0.0.1:7878)" % s)
    return info[0][4][:2]


def params_json(ctx):
    """The effective params exactly as harness/src/cli.rs params_json writes them."""
    m = {"size": ctx.size, "workers": ctx.workers}
    for k in USES[ctx.workload]:
        m[k] = getattr(ctx, k)
    if ctx.addr is not None:
        host, port = ctx.addr
        m["addr"] = ("[%s]:%d" if ":" in host else "%s:%d") % (host, port)
    if ctx.workload == "io-net":
        m["nonce"] = ctx.nonce
    m["deadline_s"] = float(ctx.deadline_s)
    m["opts"] = dict(sorted(ctx.opts.items()))
    return dict(sorted(m.items()))  # serde_json's map is sorted by key


# --- probes -------------------------------------------------------------------------------------------------------

_peak_threads = 0
_own_threads = 0


def threads_now():
    """OS threads in this process (the Threads: line of /proc/self/status, which the kernel reads without walking
    the threads, unlike /proc/self/stat: see harness::probe::threads_now), 0 if /proc is unavailable."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("Threads:"):
                    return int(line.split()[1])
    except (OSError, IndexError, ValueError):
        pass
    return 0


def sample_threads():
    """Records the current thread count into the peak. Models call it where their thread count peaks (after
    spawning everything): a sampling thread would compete for the GIL and disturb what is measured."""
    global _peak_threads
    _peak_threads = max(_peak_threads, threads_now())


def threads_peak():
    return max(1, _peak_threads - _own_threads)


def peak_rss_kib():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def percentiles(samples):
    """Nearest-rank p50/p90/p99/max in ms, like harness/src/latency.rs; None without samples."""
    if not samples:
        return None
    s = sorted(samples)
    n = len(s)

    def pct(p):
        rank = math.ceil(p / 100.0 * n)
        return s[min(max(rank, 1), n) - 1]

    return {"p50": pct(50), "p90": pct(90), "p99": pct(99), "max": s[-1]}


def sojourns(submitted, ends):
    """harness::latency::sojourns_ms: a task's waits in ms, the first from the run's submission instant, each later
    one from the end of the one before (the mixed ticker's rounds)."""
    out, start = [], submitted
    for end in ends:
        out.append((end - start) * 1000.0)
        start = end
    return out


def early_waits(lateness_ms):
    """harness::latency::early_waits: the waits that ended more than EARLY_TOLERANCE_MS before D."""
    return sum(1 for x in lateness_ms if x < -EARLY_TOLERANCE_MS)


# --- the floor workloads (harness/src/floor.rs) ----------------------------------------------------------------------

class Memory:
    """VmRSS and VmSize in KiB (harness::floor::Memory): resident now (not the peak, VmHWM), and the virtual
    reservation (thread stacks are reserved whole and touched a page at a time)."""

    def __init__(self, rss_kib=0, vsz_kib=0):
        self.rss_kib, self.vsz_kib = rss_kib, vsz_kib

    def __add__(self, o):
        return Memory(self.rss_kib + o.rss_kib, self.vsz_kib + o.vsz_kib)


def memory_kib(pid=None):
    """VmRSS and VmSize of a process from /proc/<pid>/status (pid None: this process), as harness::floor::memory_kib;
    None when the file cannot be read (the process is gone) or lacks the fields."""
    text = _read("/proc/self/status" if pid is None else "/proc/%d/status" % pid)
    if text is None:
        return None
    fields = {}
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmSize"):
            try:
                fields[name] = int(value.split()[0])
            except (IndexError, ValueError):
                return None
    if len(fields) != 2:
        return None
    return Memory(fields["VmRSS"], fields["VmSize"])


class SpawnProbe:
    """The clock and memory samples of one spawn run (harness::floor::SpawnProbe). Create it just before the first
    task is started; call parked() once all N are parked on the release signal (children: the summed Memory of the
    task processes, for multiprocessing); joined(sum) once all were released and joined gives (checksum, extra)."""

    def __init__(self, tasks):
        self.tasks = tasks
        self.before = memory_kib() or Memory()
        self.start = time.perf_counter()
        self._parked = None

    def parked(self, parked, children=None):
        # children: a function giving the task processes' summed Memory, called after the spawn clock stops
        # (reading N /proc files is sampling, not spawning), as harness::floor::SpawnProbe::parked.
        took = time.perf_counter() - self.start
        now = (memory_kib() or Memory()) + (children() if children else Memory())
        self._parked = (parked, took, now, time.perf_counter())

    def joined(self, checksum):
        teardown = time.perf_counter()
        # A run that never called parked() reports 0 parked tasks, which the contract check refuses.
        parked, took, at, released = self._parked or (0, 0.0, Memory(), self.start)
        return checksum, {
            "parked": parked,
            "spawn_us_per_task": took * 1e6 / max(1, self.tasks),
            "rss_before_kib": self.before.rss_kib,
            "rss_parked_kib": at.rss_kib,
            "vsz_before_kib": self.before.vsz_kib,
            "vsz_parked_kib": at.vsz_kib,
            "teardown_ms": (teardown - released) * 1e3,
        }


class RoundTrips:
    """The pinger's record of a ping-pong run (harness::floor::RoundTrips). Create it just before the first token is
    sent; add(seconds, reply) per round trip; outcome() gives (sum of the replies, extra)."""

    def __init__(self, k):
        self.start = time.perf_counter()
        self.samples_us = []
        self.sum = 0

    def add(self, took_s, reply):
        self.samples_us.append(took_s * 1e6)
        self.sum = (self.sum + reply) & (2**64 - 1)

    def outcome(self):
        """The mean is the exchange's wall time over its round trips (the clock reads between round trips
        included); the percentiles are nearest-rank over every round trip timed on its own."""
        n = len(self.samples_us)
        wall_us = (time.perf_counter() - self.start) * 1e6
        extra = {"round_trips": n}
        lat = percentiles(self.samples_us)
        if lat is not None:
            extra.update(rtt_us_mean=wall_us / n, rtt_us_p50=lat["p50"], rtt_us_p99=lat["p99"], rtt_us_max=lat["max"])
        return self.sum, extra


def thousands(n):
    return "{:,}".format(n)


def os_reason(e):
    """What the OS said, worded as Rust's io::Error prints it (`Resource temporarily unavailable (os error 11)`),
    so a spawn's failure line reads the same from every runtime; other errors as Python words them."""
    if isinstance(e, OSError) and e.errno is not None:
        return "%s (os error %d)" % (e.strerror or os.strerror(e.errno), e.errno)
    return one_line(e) or type(e).__name__


def limit_reached():
    """Which of the kernel's limits a refused thread or process most likely hit, as `; vm.max_map_count 65,530
    reached (65,531 mappings)`, or "" when none is at its limit. Why: CPython words every refusal of
    pthread_create as "can't start new thread", without the errno, and a thread costs two mappings or more (its stack
    and its guard page; about three each at 22,000 threads here), so CPython threads can stop at vm.max_map_count
    before the machine runs out of pids."""
    def number(path):
        text = (_read(path) or "").strip()
        return int(text) if text.isdigit() else None
    max_maps = number("/proc/sys/vm/max_map_count")
    maps = (_read("/proc/self/maps") or "").count("\n")
    if max_maps is not None and maps >= max_maps:
        return "; vm.max_map_count %s reached (%s mappings)" % (thousands(max_maps), thousands(maps))
    loadavg = (_read("/proc/loadavg") or "").split()
    total = int(loadavg[3].split("/")[1]) if len(loadavg) > 3 and "/" in loadavg[3] else None
    for path, name in (("/proc/sys/kernel/pid_max", "kernel.pid_max"), ("/proc/sys/kernel/threads-max",
                                                                        "kernel.threads-max")):
        limit = number(path)
        # Why a margin: other processes start and end while this one counts.
        if total is not None and limit is not None and total >= limit * 0.95:
            return "; %s %s nearly reached (%s threads on the machine)" % (name, thousands(limit), thousands(total))
    return ""


def spawn_failed(unit, i, n, err, hint=""):
    """The exit-1 error of a spawn the OS refused (harness::floor::spawn_failed): `could not spawn thread 32,741 of
    100,000: can't start new thread`, then `hint` (limit_reached(), taken before the started tasks were released).
    `i` counts from 0; the message counts from 1."""
    return RunError("could not spawn %s %s of %s: %s%s" % (unit, thousands(i + 1), thousands(n), os_reason(err), hint))


# --- deadline watchdog and clean-ups --------------------------------------------------------------------------------

_cleanups = []


def on_early_exit(f):
    """Registers `f` to run if the process stops early (deadline or failure)."""
    _cleanups.append(f)


def run_cleanups():
    while _cleanups:
        f = _cleanups.pop()
        try:
            f()
        except Exception:
            pass


def start_watchdog(runtime, deadline_s):
    """A timer thread that, when the deadline passes, cleans up and exits with 124 whatever the model is doing.
    It sleeps in a lock wait, so it takes the GIL only when it fires."""
    global _own_threads

    def fire():
        sys.stderr.write("%s: deadline of %s s exceeded; stopped (raise --deadline-s or run a smaller --size)\n"
                         % (runtime, fmt_num(deadline_s)))
        sys.stderr.flush()
        run_cleanups()
        os._exit(DEADLINE)

    t = threading.Timer(deadline_s, fire)
    t.daemon = True
    t.start()
    _own_threads += 1
    return t


def fmt_num(x):
    return str(int(x)) if float(x).is_integer() else str(x)


# --- main -----------------------------------------------------------------------------------------------------------

def one_line(s):
    return " ".join(str(s).split())


def main(impl, info, argv):
    """Runs the contract for one implementation: `info` (its Info, a dict) and impl.run(ctx) -> (checksum, latency
    samples, sojourn samples, extra, attempted), attempted being the race's increments performed (None for the other
    workloads). impl.prepare(ctx), when it has one, runs before the clock starts."""
    name = info["runtime"]
    work_scale, race_scale = 1, 1
    try:
        while argv and argv[0] in ("--work-scale", "--race-scale"):
            if len(argv) < 2 or not argv[1].isdigit() or int(argv[1]) < 1:
                raise Usage("%s needs a whole number of at least 1" % argv[0])
            if argv[0] == "--work-scale":
                work_scale = int(argv[1])
            else:
                race_scale = int(argv[1])
            argv = argv[2:]
        info = full_info(info)
        if "--help" in argv or "-h" in argv:
            print(__doc__.split("\n\n")[1].strip("\n"))
            return OK
        if argv == ["list"]:
            print(json.dumps(public_info(info)), flush=True)
            return OK
        if not argv or argv[0] != "run":
            raise Usage("expected `list` or `run WORKLOAD [flags]`")
        ctx = resolve(info, argv[1:], work_scale, race_scale)
        report = run(impl, info, ctx)
    except RunError as e:
        run_cleanups()
        hint = " (see `run --help` and `list`)" if e.code == USAGE else ""
        sys.stderr.write("%s: %s%s\n" % (name, one_line(e), hint))
        return e.code
    except KeyboardInterrupt:
        run_cleanups()
        return FAILED
    except Exception as e:  # one line, never a traceback
        run_cleanups()
        sys.stderr.write("%s: internal error: %s: %s\n" % (name, type(e).__name__, one_line(e)))
        return FAILED
    sys.stdout.write(json.dumps(report) + "\n")
    sys.stdout.flush()
    return OK


def run(impl, info, ctx):
    sample_threads()
    start_watchdog(info["runtime"], ctx.deadline_s)
    # Why before the clock: what a model imports is loaded outside elapsed_ms, as asyncio is (imported with the
    # models), so a variant that needs one more module (uvloop) is not charged for importing it.
    if hasattr(impl, "prepare"):
        impl.prepare(ctx)
    t0 = time.perf_counter()
    checksum, samples, sojourn, extra, attempted = impl.run(ctx)
    elapsed_ms = (time.perf_counter() - t0) * 1000.0
    sample_threads()
    lost = None
    # As harness/src/cli.rs: lost updates are counted against what the racers attempted, not W*K, so a model that
    # skipped increments fails the reference check (attempted == W*K) instead of passing with them counted as lost.
    if ctx.workload == "race":
        lost = max(0, (attempted or 0) - checksum)
    else:
        attempted = None
    extra = dict(extra)
    if ctx.workload in ("cpu-balanced", "cpu-skewed", "mixed"):
        extra.setdefault("work_scale", ctx.work_scale)
    elif ctx.workload == "race":
        extra.setdefault("race_scale", ctx.race_scale)
    report = {
        "runtime": info["runtime"],
        "variant": ctx.variant,
        "workload": ctx.workload,
        "params": params_json(ctx),
        "checksum": int(checksum),
        "elapsed_ms": elapsed_ms,
        "latency_ms": percentiles(samples) if samples is not None else None,
    }
    if ctx.workload in ("io-sleep", "mixed"):
        report["early_waits"] = early_waits(samples or [])
    if sojourn is not None:
        report["sojourn_ms"] = percentiles(sojourn)
    report.update({
        "lost_updates": lost,
        "peak_rss_kib": peak_rss_kib(),
        "os_threads_peak": threads_peak(),
        "extra": extra,
    })
    if attempted is not None:  # race only, as the Rust RunReport skips a missing `attempted`
        report["attempted"] = int(attempted)
    return report
