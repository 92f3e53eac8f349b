"""The four CPython models: seq, threading, asyncio and multiprocessing. Each only schedules the kernels of
kernels.py; contract.py parses, times and reports.

Every model's run(ctx) returns (checksum, latency samples in ms or None, extra dict, attempted), attempted being
the race's increments performed (None for the other workloads).
"""

import asyncio
import itertools
import socket
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import contract
import kernels
from kernels import count_primes, cpu_ranges

LATENCY = ("io-sleep", "io-net", "mixed")
# Why no io-file: its per-task kernel (xorshift64* contents, FNV-1a over 64-bit words) costs about 50 ms per MiB in
# pure Python, so a standard io-file run (256 MiB) would take 13-19 s and time Python's integer arithmetic, not its
# file I/O. The peers exit 3 for it, like any runtime that does not implement a workload.
WORKLOADS = [w for w in contract.WORKLOADS if w != "io-file"]
RMW_OPT = contract.opt_choice(
    "rmw", ["plain", "call"],
    "race: the increment statement; plain = `counter += 1`, call = `counter += one()` (a call between the load "
    "and the store, where CPython can switch threads)")
# The yield point of the Rust async runtimes (harness::opts::YIELD, YIELD_EVERY; harness::tasks::yield_every_opt),
# with the same default: one increment in 64 awaits between its load and its store.
YIELD_OPT = contract.opt_bool(
    "yield", False,
    "race: await asyncio.sleep(0) between the load and the store (see yield_every), where even one event loop "
    "loses updates")
YIELD_EVERY_OPT = contract.opt_int(
    "yield_every", 64, 1, 2**64 - 1,
    "race with yield=true: the yield point is in every N-th increment (1 = every increment)")
SWITCH_OPT = contract.opt_int(
    "switch-interval-us", 5000, 1, 10_000_000,
    "sys.setswitchinterval in microseconds (CPython's default is 5000); matters when several threads run Python")


def now():
    return time.perf_counter()


def ms(seconds):
    return seconds * 1000.0


# --- blocking tasks: each returns (value, [latency samples in ms]) --------------------------------------------------

def cpu_task(lo, hi):
    return count_primes(lo, hi), []


def sleep_task(task_id, delay_s):
    t = now()
    time.sleep(delay_s)
    return task_id, [ms(max(0.0, now() - t - delay_s))]


def net_task(addr, task_id, delay_ms):
    t = now()
    with socket.create_connection(addr) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.sendall(kernels.request(task_id, delay_ms))
        buf = b""
        while len(buf) < kernels.REPLY_LEN:
            chunk = s.recv(kernels.REPLY_LEN - len(buf))
            if not chunk:
                raise contract.RunError("request %d to %s:%d: connection closed before the reply" % (task_id, *addr))
            buf += chunk
    return kernels.parse_reply(buf), [ms(now() - t)]


def ticker(rounds, delay_s):
    """The mixed workload's ticker: R waits of D, each one's lateness recorded."""
    late = []
    for _ in range(rounds):
        t = now()
        time.sleep(delay_s)
        late.append(ms(max(0.0, now() - t - delay_s)))
    return rounds, late


def jobs(ctx):
    """The workload's tasks as (function, args) pairs, for the models that run blocking calls."""
    w = ctx.workload
    if w in ("cpu-balanced", "cpu-skewed", "mixed"):
        return [(cpu_task, r) for r in cpu_ranges(w, ctx.tasks, ctx.work)]
    if w == "io-sleep":
        return [(sleep_task, (i, ctx.delay_s)) for i in range(ctx.tasks)]
    if w == "io-net":
        return [(net_task, (ctx.addr, i, ctx.delay_ms)) for i in range(ctx.tasks)]
    raise AssertionError(w)


def combine(results):
    total, samples = 0, []
    for value, late in results:
        total += value
        samples.extend(late)
    return total, samples


# --- race: the shared counter ---------------------------------------------------------------------------------------

# The race's counter: a module global, so that `counter += 1` is LOAD_GLOBAL / add / STORE_GLOBAL, the statement the
# article writes (not an attribute of a class). Each process has its own; multiprocessing shares a RawValue instead.
counter = 0


def one():
    return 1


def race_worker(k, sync, rmw, lock, atomic):
    """One racer's K increments of the global `counter`; returns (increments performed, no latency). plain:
    `counter += 1`; call: `counter += one()`. sync=lock wraps the statement in a threading.Lock; sync=atomic uses
    next() on a shared itertools.count, one C call that the GIL makes atomic (CPython has no atomic integer).

    Why the count is the loop variable after the loop: it is the number of iterations performed, at no cost inside
    the loop. A separate `n += 1` would add bytecodes to every increment and change what is timed."""
    global counter
    i = -1
    if sync == "atomic":
        for i in range(k):
            next(atomic)
    elif sync == "lock":
        if rmw == "call":
            for i in range(k):
                with lock:
                    counter += one()
        else:
            for i in range(k):
                with lock:
                    counter += 1
    elif rmw == "call":
        for i in range(k):
            counter += one()
    else:
        for i in range(k):
            counter += 1
    return i + 1, []


def race_jobs(ctx):
    """The W racers as jobs, and a function that reads the final counter."""
    global counter
    counter = 0
    atomic = itertools.count()
    lock = threading.Lock()
    job = (race_worker, (ctx.work, ctx.opts["sync"], ctx.opts["rmw"], lock, atomic))
    return [job] * ctx.workers, lambda: next(atomic) if ctx.opts["sync"] == "atomic" else counter


async def yielding_racer(k, sync, rmw, every, lock, atomic):
    """One racer of py-asyncio with `yield=true`, as workloads::race::yielding_worker: `await asyncio.sleep(0)`
    between the load and the store of increments 1, 1 + every, 1 + 2 * every, ...; sync=lock holds an asyncio.Lock
    across the yield, sync=atomic yields before its increment. Returns the increments performed."""
    global counter
    call = rmw == "call"
    until = 1
    i = -1
    for i in range(k):
        until -= 1
        at = until == 0
        if at:
            until = every
        if sync == "lock":
            async with lock:
                v = counter
                if at:
                    await asyncio.sleep(0)
                counter = v + (one() if call else 1)
        elif sync == "atomic":
            if at:
                await asyncio.sleep(0)
            next(atomic)
        else:
            v = counter
            if at:
                await asyncio.sleep(0)
            counter = v + (one() if call else 1)
    return i + 1


def apply_switch_interval(ctx):
    sys.setswitchinterval(ctx.opt_int("switch-interval-us") / 1e6)


# What each variant is, in the terms the report selects cells by (harness::Facts). Whether the GIL is held is asked
# of this interpreter: a free-threaded build (python3.13t) says no.
GIL = getattr(sys, "_is_gil_enabled", lambda: True)()


def facts(threads, sequential=False, event_loop=False, processes=False, shares_memory=True):
    return {"sequential": sequential, "holds_gil": GIL and not processes, "threads": threads,
            "event_loop": event_loop, "processes": processes, "shares_memory": shares_memory}


# --- seq ------------------------------------------------------------------------------------------------------------

class Seq:
    INFO = {
        "runtime": "py-seq", "display": "CPython sequential", "model": "sequential",
        "variants": [{"name": "seq", "default": True,
                      "notes": "one task after another on the main thread; the CPython baseline for speedups",
                      "facts": facts("one", sequential=True)}],
        "workloads": WORKLOADS,
        "opts": [RMW_OPT, SWITCH_OPT],
        "versions": {}, "notes": "",
    }

    @staticmethod
    def run(ctx):
        apply_switch_interval(ctx)
        if ctx.workload == "race":
            js, final = race_jobs(ctx)
            attempted, _ = combine([f(*a) for f, a in js])
            return final(), None, {}, attempted
        total, samples = combine([f(*a) for f, a in jobs(ctx)])
        if ctx.workload == "mixed":
            r, samples = ticker(ctx.rounds, ctx.delay_s)
            total += r
        return total, samples if ctx.workload in LATENCY else None, {}, None


# --- threading ------------------------------------------------------------------------------------------------------

def run_threads(variant, workers, job_list):
    """Runs blocking jobs on a ThreadPoolExecutor(max_workers=W) (pool) or one Thread each (per-task); returns
    (started, wait) so the caller can do something (the mixed ticker) while they run."""
    if variant == "pool":
        ex = ThreadPoolExecutor(max_workers=workers)
        futs = [ex.submit(f, *a) for f, a in job_list]
        contract.sample_threads()

        def wait():
            try:
                return [fu.result() for fu in futs]
            finally:
                ex.shutdown(wait=True)
        return wait
    results = [None] * len(job_list)
    errors = []

    def body(i, f, a):
        try:
            results[i] = f(*a)
        except BaseException as e:  # reported by wait()
            errors.append(e)
    threads = [threading.Thread(target=body, args=(i, f, a)) for i, (f, a) in enumerate(job_list)]
    for t in threads:
        t.start()
    contract.sample_threads()

    def wait():
        for t in threads:
            t.join()
        if errors:
            raise errors[0]
        return results
    return wait


class Threading:
    INFO = {
        "runtime": "py-threading", "display": "CPython threading", "model": "threads",
        "variants": [
            {"name": "pool", "default": True,
             "notes": "concurrent.futures.ThreadPoolExecutor(max_workers=W), every task submitted at once",
             "facts": facts("workers")},
            {"name": "per-task", "default": False,
             "notes": "one threading.Thread per task (W is not used, except as the racers in race)",
             "facts": facts("per-task")},
        ],
        "workloads": WORKLOADS,
        "opts": [RMW_OPT, SWITCH_OPT],
        "versions": {}, "notes": "Real CPython threads under the real GIL: CPU work does not run in parallel. In "
                                 "mixed, the ticker runs on the main thread beside the CPU threads. In race, both "
                                 "variants run W threads.",
    }

    @staticmethod
    def run(ctx):
        apply_switch_interval(ctx)
        if ctx.workload == "race":
            js, final = race_jobs(ctx)
            attempted, _ = combine(run_threads(ctx.variant, ctx.workers, js)())
            return final(), None, {}, attempted
        wait = run_threads(ctx.variant, ctx.workers, jobs(ctx))
        tick = ticker(ctx.rounds, ctx.delay_s) if ctx.workload == "mixed" else (0, [])
        total, samples = combine(wait())
        total += tick[0]
        samples = tick[1] if ctx.workload == "mixed" else samples
        return total, samples if ctx.workload in LATENCY else None, {}, None


# --- asyncio --------------------------------------------------------------------------------------------------------

class Asyncio:
    INFO = {
        "runtime": "py-asyncio", "display": "CPython asyncio", "model": "async",
        "variants": [{"name": "loop", "default": True,
                      "notes": "one asyncio event loop (asyncio.run); every task a coroutine, gathered at once",
                      "facts": facts("one", event_loop=True)}],
        "workloads": WORKLOADS,
        "opts": [contract.opt_bool("offload", False, "cpu-*, mixed: run each CPU task in a ThreadPoolExecutor("
                                   "max_workers=W) via loop.run_in_executor instead of as a plain coroutine"),
                 RMW_OPT, YIELD_OPT, YIELD_EVERY_OPT, SWITCH_OPT],
        "versions": {}, "notes": "CPU tasks are plain coroutines that never await, so they run one after another "
                                 "and block the loop (the mixed ticker waits for them) unless offload=true. "
                                 "In race the W coroutines never await, so no update is lost, unless yield=true "
                                 "awaits asyncio.sleep(0) between a load and its store.",
    }

    @staticmethod
    def run(ctx):
        apply_switch_interval(ctx)
        return asyncio.run(Asyncio.main(ctx))

    @staticmethod
    async def main(ctx):
        loop = asyncio.get_running_loop()
        w = ctx.workload
        offload = ctx.opt_bool("offload") and w in ("cpu-balanced", "cpu-skewed", "mixed")
        ex = ThreadPoolExecutor(max_workers=ctx.workers) if offload else None
        try:
            if w == "race":
                js, final = race_jobs(ctx)
                if ctx.opt_bool("yield"):
                    every = ctx.opt_int("yield_every")
                    _, (k, sync, rmw, _, atomic) = js[0]
                    lock = asyncio.Lock()  # held across the yield, so an asyncio lock, not a threading one
                    done = await asyncio.gather(*(yielding_racer(k, sync, rmw, every, lock, atomic) for _ in js))
                    return final(), None, {"yield_every": every}, sum(done)

                async def racer(f, a):
                    return f(*a)
                attempted, _ = combine(await asyncio.gather(*(racer(f, a) for f, a in js)))
                return final(), None, {}, attempted
            if w in ("cpu-balanced", "cpu-skewed", "mixed"):
                async def cpu(lo, hi):
                    if offload:
                        return await loop.run_in_executor(ex, cpu_task, lo, hi)
                    return cpu_task(lo, hi)
                coros = [cpu(lo, hi) for lo, hi in cpu_ranges(w, ctx.tasks, ctx.work)]
            elif w == "io-sleep":
                async def sleeper(i):
                    t = now()
                    await asyncio.sleep(ctx.delay_s)
                    return i, [ms(max(0.0, now() - t - ctx.delay_s))]
                coros = [sleeper(i) for i in range(ctx.tasks)]
            else:
                coros = [net_request(ctx.addr, i, ctx.delay_ms) for i in range(ctx.tasks)]
            tick = (0, [])
            if w == "mixed":
                async def ticking():
                    late = []
                    for _ in range(ctx.rounds):
                        t = now()
                        await asyncio.sleep(ctx.delay_s)
                        late.append(ms(max(0.0, now() - t - ctx.delay_s)))
                    return ctx.rounds, late
                # Why: the ticker is scheduled before the CPU tasks, so its first wait starts before they run and
                # its lateness shows how long they hold the loop (scheduled after, it would start once they end).
                coros.insert(0, ticking())
            results = await asyncio.gather(*coros)
            if w == "mixed":
                tick, results = results[0], results[1:]
            if offload:
                contract.sample_threads()
            total, samples = combine(results)
            if w == "mixed":
                total += tick[0]
                samples = tick[1]
            return total, samples if w in LATENCY else None, {}, None
        finally:
            if ex is not None:
                contract.sample_threads()
                ex.shutdown(wait=True)


async def net_request(addr, task_id, delay_ms):
    t = now()
    reader, writer = await asyncio.open_connection(addr[0], addr[1])
    try:
        writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        writer.write(kernels.request(task_id, delay_ms))
        reply = await reader.readexactly(kernels.REPLY_LEN)
    finally:
        writer.close()
    return kernels.parse_reply(reply), [ms(now() - t)]


# --- multiprocessing ------------------------------------------------------------------------------------------------

_mp = {}


def mp_init(counter, lock, barrier):
    """Pool initializer: the race's shared state, and (Linux) die with the parent so no child outlives it."""
    _mp.update(counter=counter, lock=lock, barrier=barrier)
    try:
        import ctypes
        ctypes.CDLL(None).prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
    except Exception:
        pass


def mp_ready(_):
    _mp["barrier"].wait()
    return 0


def mp_job(job):
    f, a = job
    return f(*a)


def mp_race(args):
    """One racer in a worker process; returns (final value of its own counter, or 0 when shared; increments
    performed, the loop variable after the loop as in race_worker)."""
    k, sync, rmw, shared = args
    c, lock = _mp["counter"], _mp["lock"]
    _mp["barrier"].wait()  # every racer starts together
    if not shared:
        # Message passing: the racer counts in this process's own global and sends the final value back.
        global counter
        counter = 0
        atomic = itertools.count()
        attempted, _ = race_worker(k, sync, rmw, threading.Lock(), atomic)
        return (next(atomic) if sync == "atomic" else counter), attempted
    i = -1
    if sync != "none":  # no atomic integer across processes: sync=atomic takes the lock too
        if rmw == "call":
            for i in range(k):
                with lock:
                    c.value += one()
        else:
            for i in range(k):
                with lock:
                    c.value += 1
    elif rmw == "call":
        for i in range(k):
            c.value += one()
    else:
        for i in range(k):
            c.value += 1
    return 0, i + 1


class Multiprocessing:
    INFO = {
        "runtime": "py-multiprocessing", "display": "CPython multiprocessing", "model": "process",
        "variants": [{"name": "pool", "default": True,
                      "notes": "multiprocessing.Pool(W); tasks sent with chunksize=1 so skewed work balances",
                      "facts": facts("workers", processes=True, shares_memory=True)}],
        "workloads": WORKLOADS,
        "opts": [contract.opt_choice("start-method", ["fork", "spawn", "forkserver"],
                                     "how the pool starts its processes (fork is the Linux default before 3.14)"),
                 contract.opt_bool("shared", True,
                                   "race: true = one multiprocessing.RawValue every worker increments, so updates "
                                   "can be lost (sync=lock and sync=atomic take a multiprocessing.Lock); false = "
                                   "message passing, each worker counts in its own memory and sends its count back"),
                 RMW_OPT, SWITCH_OPT],
        "versions": {}, "notes": "W worker processes, each with its own interpreter and GIL; elapsed_ms includes "
                                 "starting and joining them (extra.spawn_ms is the start-up alone). peak_rss_kib "
                                 "is the parent's; extra.child_peak_rss_kib is the largest child's. In race the "
                                 "counter is a shared, lock-free multiprocessing.RawValue unless shared=false "
                                 "(sync=atomic takes a lock: there is no atomic integer across processes).",
    }

    @staticmethod
    def run(ctx):
        import multiprocessing as mpm
        import resource
        apply_switch_interval(ctx)
        mp = mpm.get_context(ctx.opts["start-method"])
        # Why a RawValue (no lock of its own): `counter.value += 1` on it is the same unguarded read-modify-write as
        # the threads' `counter += 1`, in memory every worker maps, as rt-procs' default memfd counter.
        counter = mp.RawValue("Q", 0)
        lock = mp.Lock()
        barrier = mp.Barrier(ctx.workers)
        t0 = now()
        pool = mp.Pool(ctx.workers, initializer=mp_init, initargs=(counter, lock, barrier))
        contract.on_early_exit(lambda: [p.kill() for p in mpm.active_children()])
        try:
            # Start-up ends when every worker process has run a task: W tasks meeting at a barrier of W.
            pool.map(mp_ready, range(ctx.workers), chunksize=1)
            spawn_ms = ms(now() - t0)
            contract.sample_threads()
            tick = (0, [])
            attempted = None
            if ctx.workload == "race":
                shared = ctx.opt_bool("shared")
                args = (ctx.work, ctx.opts["sync"], ctx.opts["rmw"], shared)
                done = pool.map(mp_race, [args] * ctx.workers, chunksize=1)
                attempted = sum(a for _, a in done)
                total = counter.value if shared else sum(f for f, _ in done)
                samples = None
            else:
                pending = pool.map_async(mp_job, jobs(ctx), chunksize=1)
                if ctx.workload == "mixed":
                    tick = ticker(ctx.rounds, ctx.delay_s)
                total, samples = combine(pending.get())
            pool.close()
            pool.join()
        finally:
            pool.terminate()
        if ctx.workload == "mixed":
            total += tick[0]
            samples = tick[1]
        child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        extra = {"spawn_ms": spawn_ms, "start_method": ctx.opts["start-method"], "child_peak_rss_kib": child_rss}
        return total, samples if ctx.workload in LATENCY else None, extra, attempted


IMPLS = {"seq": Seq, "threading": Threading, "asyncio": Asyncio, "multiprocessing": Multiprocessing}
