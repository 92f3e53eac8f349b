"""The four CPython models: seq, threading, asyncio and multiprocessing. Each only schedules the kernels of
kernels.py; contract.py parses, times and reports.

Every model's run(ctx) returns (checksum, latency samples in ms or None, sojourn samples in ms or None, extra dict,
attempted), attempted being the race's increments performed (None for the other workloads). A task returns (value,
[latency samples], [end instants]) (a racer: (increments performed, [], [])); lateness is signed (negative: the wait
ended early), and each task's sojourn runs from the run's submission instant (one perf_counter() read just before
the first task is submitted, as in the Rust harness) to the end of its wait, a ticker's later rounds from the end of
the round before (contract.sojourns). The floor workloads (spawn, ping-pong) return (checksum, None, None, their
extras from contract.SpawnProbe or contract.RoundTrips, None).
"""

import asyncio
import itertools
import os
import queue
import socket
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import contract
import kernels
from kernels import count_primes, cpu_ranges

LATENCY = ("io-sleep", "io-net", "mixed")
CPU = ("cpu-balanced", "cpu-skewed", "mixed")
# multiprocessing's start methods, py-multiprocessing's default first (its `start-method` opt).
START_METHODS = ["fork", "spawn", "forkserver"]
# Why no io-file: its per-task kernel (xorshift64* contents, FNV-1a over 64-bit words) costs about 50 ms per MiB in
# pure Python, so a standard io-file run (256 MiB) would take 13-19 s and time Python's integer arithmetic, not its
# file I/O. The peers exit 3 for it, like any runtime that does not implement a workload.
LOAD = [w for w in contract.LOAD if w != "io-file"]
# The floor workloads (spawn, ping-pong) run only in the variants that have the unit they measure: a thread, a task
# or a process per task (a pool of W cannot park N tasks). Such a variant lists its own "workloads".
WORKLOADS = LOAD + contract.FLOOR
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
    # CLOCK_MONOTONIC on Linux: the same clock in every process, so a child's end and the parent's submission
    # instant can be subtracted (multiprocessing).
    return time.perf_counter()


def ms(seconds):
    return seconds * 1000.0


# --- blocking tasks: each returns (value, [latency samples in ms], [end instants]) ----------------------------------

def cpu_task(lo, hi):
    return count_primes(lo, hi), [], []


def sleep_task(task_id, delay_s):
    t = now()
    time.sleep(delay_s)
    end = now()
    return kernels.sleep_value(task_id), [ms(end - t - delay_s)], [end]


def net_task(addr, task_id, nonce, delay_ms):
    where = "request %d to %s:%d" % (task_id, *addr)
    t = now()
    with socket.create_connection(addr) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.sendall(kernels.request(task_id, nonce, delay_ms))
        buf = b""
        while len(buf) < kernels.REPLY_LEN:
            chunk = s.recv(kernels.REPLY_LEN - len(buf))
            if not chunk:
                raise contract.RunError(where + ": connection closed before the reply")
            buf += chunk
    end = now()
    return checked_reply(where, task_id, nonce, buf), [ms(end - t)], [end]


def checked_reply(where, task_id, nonce, buf):
    try:
        return kernels.expect_reply(task_id, nonce, kernels.parse_reply(buf))
    except ValueError as e:
        raise contract.RunError("%s: %s" % (where, e))


def ticker(rounds, delay_s):
    """The mixed workload's ticker: R waits of D, each one's lateness and end recorded; its value is the rounds
    that ran."""
    late, ends = [], []
    for _ in range(rounds):
        t = now()
        time.sleep(delay_s)
        end = now()
        late.append(ms(end - t - delay_s))
        ends.append(end)
    return len(ends), late, ends


def jobs(ctx):
    """The workload's tasks as (function, args) pairs, for the models that run blocking calls."""
    w = ctx.workload
    if w in ("cpu-balanced", "cpu-skewed", "mixed"):
        return [(cpu_task, r) for r in cpu_ranges(w, ctx.tasks, ctx.work)]
    if w == "io-sleep":
        return [(sleep_task, (i, ctx.delay_s)) for i in range(ctx.tasks)]
    if w == "io-net":
        return [(net_task, (ctx.addr, i, ctx.nonce, ctx.delay_ms)) for i in range(ctx.tasks)]
    raise AssertionError(w)


def combine(results, submitted):
    """(checksum, latency samples, sojourn samples) of the tasks' results; the checksum wraps at 2^64 (io-net's
    replies are random 64-bit values)."""
    total, samples, sojourn = 0, [], []
    for value, late, ends in results:
        total = (total + value) & kernels.MASK64
        samples.extend(late)
        sojourn.extend(contract.sojourns(submitted, ends))
    return total, samples, sojourn


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
    return i + 1, [], []


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


def facts(threads, gil, sequential=False, event_loop=False, processes=False, shares_memory=True):
    return {"sequential": sequential, "holds_gil": gil and not processes, "threads": threads,
            "event_loop": event_loop, "processes": processes, "shares_memory": shares_memory}


# The suffix of a runtime's name on a free-threaded CPython with its GIL off: py-seq-ft, py-threading-ft (the names of
# their entries in peers/peers.toml).
FT_SUFFIX = "-ft"


def describe(impl, gil=GIL, listing=True):
    """The Info (the `list` JSON before contract.full_info adds the harness's opts) of `impl` on an interpreter whose
    GIL is `gil`. `listing`: the Info is printed by `list`, so optional modules are imported to see that they load;
    a `run` only looks for them (see uvloop_status)."""
    info = impl.info(gil, listing)
    if not gil:
        # Why a name of its own, taken from the interpreter rather than given on the command line: the driver names
        # a peer by what its `list` says (crates/arena/src/discover.rs), and the same script under python3 and under
        # python3.14t must not come out as one runtime; the name then says what the facts say (holds_gil false), and
        # cannot claim a free-threaded run that is not one (a free-threaded build run with PYTHON_GIL=1 keeps the
        # plain name and holds_gil true).
        info["runtime"] += FT_SUFFIX
        info["display"] += " (free-threaded)"
    return info


# --- seq ------------------------------------------------------------------------------------------------------------

def finish(ctx, results, submitted):
    """The model's return value from its tasks' results (the mixed ticker's among them; its latency samples are the
    only ones of mixed)."""
    total, samples, sojourn = combine(results, submitted)
    if ctx.workload not in LATENCY:
        return total, None, None, {}, None
    return total, samples, sojourn, {}, None


class Seq:
    @staticmethod
    def info(gil, listing):
        return {
            "runtime": "py-seq", "display": "CPython sequential", "model": "sequential",
            "variants": [{"name": "seq", "default": True,
                          "notes": "one task after another on the main thread; the CPython baseline for speedups",
                          "facts": facts("one", gil, sequential=True)}],
            "workloads": LOAD,
            "opts": [RMW_OPT, SWITCH_OPT],
            "versions": {}, "notes": "",
        }

    @staticmethod
    def run(ctx):
        apply_switch_interval(ctx)
        if ctx.workload == "race":
            js, final = race_jobs(ctx)
            attempted = sum(r[0] for r in (f(*a) for f, a in js))
            return final(), None, None, {}, attempted
        submitted = now()  # the run's submission instant, before the first task
        results = [f(*a) for f, a in jobs(ctx)]
        if ctx.workload == "mixed":
            results.append(ticker(ctx.rounds, ctx.delay_s))
        return finish(ctx, results, submitted)


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


def floor(checksum, extra):
    """A floor workload's outcome as the model's return value: no latency, no sojourn, no race count."""
    return checksum, None, None, extra, None


def unparked(early, n, units):
    """Fails the run when `early` tasks had given their value (or finished) before the release: they did not park,
    so the memory sampled with "all N parked" was not that. Called once every task was joined, so nothing is left."""
    if early:
        raise contract.RunError("%d of %d %s gave their value before the release: a task must park on the release "
                                "signal until the run releases it" % (early, n, units))


def thread_spawn(n):
    """spawn with one threading.Thread per task, all parked on one threading.Event (a Lock-guarded flag with a
    Condition, what harness::floor's Mutex<bool> + Condvar is). Each thread counts itself arrived, then waits; the last
    arrival sets `all_in`, which the main thread waits for before it samples. Returns (checksum, extra)."""
    release = threading.Event()
    all_in = threading.Event()
    lock = threading.Lock()
    arrived = [0]
    values = [0] * n

    def task(i):
        # Why count before wait(): threading.Event offers no way to register and then count, so the count is taken
        # just before wait() (the flag is kept, so a task that counted but is not yet waiting still sees a release).
        # The last arrival holds the GIL from here into wait(), which releases it, so the main thread, woken by
        # all_in.set(), runs only once that thread is parked too (unless a switch interval passes in between).
        with lock:
            arrived[0] += 1
            last = arrived[0] == n
        if last:
            all_in.set()
        release.wait()
        values[i] = kernels.sleep_value(i)

    threads = []
    probe = contract.SpawnProbe(n)
    try:
        for i in range(n):
            t = threading.Thread(target=task, args=(i,))
            t.start()  # RuntimeError: can't start new thread, when the OS refuses it
            threads.append(t)
    except (RuntimeError, MemoryError) as e:
        hint = contract.limit_reached()  # while every started thread still holds its stack
        # Why release and join first: nothing may be left behind, and the error line names the OS's refusal.
        release.set()
        for t in threads:
            t.join()
        raise contract.spawn_failed("thread", len(threads), n, e, hint)
    all_in.wait()
    probe.parked(arrived[0])
    contract.sample_threads()
    early = sum(1 for v in values if v)
    release.set()
    for t in threads:
        t.join()
    unparked(early, n, "threads")
    return probe.joined(sum(values))


def thread_ping_pong(k):
    """ping-pong between two spawned threads through two queue.Queue(maxsize=1); the main thread only joins them.
    Every hand-off passes the GIL: a blocked get() releases it and the woken thread must take it back. Returns
    (checksum, extra)."""
    ping, pong = queue.Queue(maxsize=1), queue.Queue(maxsize=1)
    out, errors = [], []

    def pinger():
        rt = contract.RoundTrips(k)
        for i in range(k):
            t = now()
            ping.put(i)
            reply = pong.get()
            rt.add(now() - t, reply)
        out.append(rt.outcome())

    def ponger():
        for _ in range(k):
            pong.put(kernels.pong_value(ping.get()))

    def guarded(f):
        def body():
            try:
                f()
            except BaseException as e:  # reported by the main thread
                errors.append(e)
        return body

    # Why the ponger first: Thread.start() returns once the thread runs, so the ponger already waits on `ping` when
    # the pinger's clock starts, and the first round trip does not time a thread's start-up.
    threads = [threading.Thread(target=guarded(ponger)), threading.Thread(target=guarded(pinger))]
    for t in threads:
        t.start()
    contract.sample_threads()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return out[0]


class Threading:
    @staticmethod
    def info(gil, listing):
        # The two notes that depend on the GIL: a free-threaded build (gil False) has none to claim.
        if gil:
            cpu = "Real CPython threads under the real GIL: CPU work does not run in parallel."
            hand_off = "every hand-off passes the GIL (a blocked get releases it; the woken thread takes it back)."
        else:
            cpu = ("Real CPython threads without a GIL (a free-threaded build): CPU work runs in parallel, and "
                   "`counter += 1` can lose updates.")
            hand_off = "every hand-off wakes the other thread through the queue's lock and condition (no GIL)."
        return {
            "runtime": "py-threading", "display": "CPython threading", "model": "threads",
            "variants": [
                {"name": "pool", "default": True,
                 "notes": "concurrent.futures.ThreadPoolExecutor(max_workers=W), every task submitted at once",
                 "facts": facts("workers", gil), "workloads": LOAD},
                {"name": "per-task", "default": False,
                 "notes": "one threading.Thread per task (W is not used, except as the racers in race); spawn: N "
                          "threads parked on one threading.Event; ping-pong: two threads, two queue.Queue(maxsize=1)",
                 "facts": facts("per-task", gil)},
            ],
            "workloads": WORKLOADS,
            "opts": [RMW_OPT, SWITCH_OPT],
            "versions": {}, "notes": cpu + " In mixed, the ticker runs on the main thread beside the CPU threads. In "
                                     "race, both variants run W threads. spawn (per-task only): each threading.Thread "
                                     "has the default stack (ulimit -s, 8 MiB here), reserved whole in VmSize and "
                                     "touched a page at a time; the OS refuses threads near pid_max (32,768 here), "
                                     "which the run reports as `could not spawn thread i of N`. ping-pong (per-task "
                                     "only): " + hand_off,
        }

    @staticmethod
    def run(ctx):
        apply_switch_interval(ctx)
        if ctx.workload == "spawn":
            return floor(*thread_spawn(ctx.tasks))
        if ctx.workload == "ping-pong":
            return floor(*thread_ping_pong(ctx.work))
        if ctx.workload == "race":
            js, final = race_jobs(ctx)
            attempted = sum(r[0] for r in run_threads(ctx.variant, ctx.workers, js)())
            return final(), None, None, {}, attempted
        job_list = jobs(ctx)
        submitted = now()  # the run's submission instant, just before the first task is submitted
        wait = run_threads(ctx.variant, ctx.workers, job_list)
        # Why the main thread: the ticker is its own thread beside the W CPU threads in every model (rt-threads and
        # rt-gil give it a thread of its own), never one of the pool's W.
        tick = [ticker(ctx.rounds, ctx.delay_s)] if ctx.workload == "mixed" else []
        return finish(ctx, wait() + tick, submitted)


# --- asyncio --------------------------------------------------------------------------------------------------------

def offload_executor(ctx):
    """The executor py-asyncio hands its CPU tasks to with loop.run_in_executor, by the `offload` opt: None (false:
    each CPU task is a plain coroutine on the loop), a ThreadPoolExecutor(max_workers=W) (true) or a
    ProcessPoolExecutor(max_workers=W) (process). Only cpu-balanced, cpu-skewed and mixed offload; the caller shuts it
    down inside the timed run, so elapsed_ms includes starting and joining the pool, as for every pool here."""
    how = ctx.opts["offload"] if ctx.workload in CPU else "false"
    if how == "true":
        # Why this still blocks the loop under a GIL: a pool thread runs the kernel holding the GIL, and the loop's
        # thread must take it back (every switch interval) to run the ticker.
        return ThreadPoolExecutor(max_workers=ctx.workers)
    if how != "process":
        return None
    import multiprocessing
    # Why py-multiprocessing's default start method (fork): the two process models then start their W workers the
    # same way and at the same cost (about 10 ms for W = 2 here, against about 110 ms under spawn), so neither is
    # charged for a slower start-up the other does not pay.
    mp = multiprocessing.get_context(START_METHODS[0])
    # Why a process pool frees the loop: each worker is its own interpreter with its own GIL, so the loop's thread
    # only sends arguments and receives results. Workers die with the run (die_with_parent; the deadline kills them).
    ex = ProcessPoolExecutor(max_workers=ctx.workers, mp_context=mp, initializer=die_with_parent,
                             initargs=(parent_pid(mp),))
    contract.on_early_exit(lambda: [p.kill() for p in multiprocessing.active_children()])
    return ex


UVLOOP = "uvloop"


def uvloop_status(load):
    """uvloop as this interpreter sees it: (its version, or None when it is not there; why not, or None). load=True
    imports it, as `list` does, so the uvloop variant is listed only when the module really loads (a wheel built for
    another CPython is found but does not). load=False only looks for it on sys.path (about 0.1 ms), as `run` does:
    importing it costs 3-7 ms here, which a run of the `loop` variant, timed whole by hyperfine, must not pay; a run of
    the uvloop variant imports it in Asyncio.prepare, before the clock."""
    if not load:
        import importlib.util
        try:
            found = importlib.util.find_spec(UVLOOP) is not None
        except (ImportError, ValueError):
            found = False
        return ("(not read)", None) if found else (None, "not found on sys.path")
    try:
        import uvloop
    except Exception as e:  # ImportError, or a compiled module built for another CPython
        return None, "%s: %s" % (type(e).__name__, contract.one_line(e))
    return uvloop.__version__, None


class Asyncio:
    @staticmethod
    def info(gil, listing):
        loop = {"name": "loop", "default": True,
                "notes": "one asyncio event loop (asyncio.run); every task a coroutine, gathered at once; "
                         "spawn: N asyncio.create_task coroutines parked on one asyncio.Event; ping-pong: two "
                         "tasks, two asyncio.Queue(1)",
                "facts": facts("one", gil, event_loop=True)}
        variants = [loop]
        notes = ("CPU tasks are plain coroutines that never await, so they run one after another "
                 "and block the loop (the mixed ticker waits for them) unless offload=true or process. "
                 "In race the W coroutines never await, so no update is lost, unless yield=true "
                 "awaits asyncio.sleep(0) between a load and its store. spawn: a task is a "
                 "coroutine and its Task object on the loop's heap, no thread or stack of its own; "
                 "ping-pong: both tasks on the one loop, no GIL hand-off.")
        versions = {}
        version, why = uvloop_status(listing)
        if version is None:
            notes += " uvloop not importable: run scripts/setup (%s)." % why
        else:
            versions[UVLOOP] = version
            variants.append({
                "name": UVLOOP, "default": False,
                "notes": "uvloop %s's event loop (uvloop.run; libuv underneath) running exactly the loop variant's "
                         "coroutines; its timers count in libuv's whole milliseconds, so a wait can end up to 1 ms "
                         "early" % version,
                # Why early_timers, where the loop variant has none: libuv stamps a timer's start with its loop
                # clock, truncated to the millisecond, and fires it once that clock reaches start + D, so a wait that
                # began 0.9 ms into a millisecond can end 0.9 ms short of D (measured here, 200 sleeps of 20 ms
                # started 10 us apart, five runs: 0, 26, 29, 38 and 42 ended more than 0.1 ms early, by up to 0.66 ms;
                # asyncio's own loop, none). Like Node's setTimeout, early waits
                # are counted and reported, not refused. Every other fact is the loop variant's.
                "facts": dict(facts("one", gil, event_loop=True), early_timers=True),
                # Why only these: uvloop replaces the loop (timers, sockets, the ready queue), not the interpreter.
                # CPU tasks and race's increments run the same bytecode on either loop and never wait for it, so
                # there it would time the interpreter a second time, at about 50 s of a standard run (the uvloop
                # cells of cpu-*, mixed and race in run 2026-12-01-0434).
                "workloads": ["io-sleep", "io-net"] + contract.FLOOR})
        return {
            "runtime": "py-asyncio", "display": "CPython asyncio", "model": "async",
            "variants": variants,
            "workloads": WORKLOADS,
            "opts": [contract.opt_choice("offload", ["false", "true", "process"],
                                         "cpu-*, mixed: false = each CPU task a plain coroutine on the loop; true = "
                                         "loop.run_in_executor on a ThreadPoolExecutor(max_workers=W)%s; process = "
                                         "the same on a ProcessPoolExecutor(max_workers=W), started with fork as "
                                         "py-multiprocessing is" % (" (still under the GIL)" if gil else "")),
                     RMW_OPT, YIELD_OPT, YIELD_EVERY_OPT, SWITCH_OPT],
            "versions": versions, "notes": notes,
        }

    @staticmethod
    def prepare(ctx):
        """Loads uvloop for its variant, before the clock (contract.run)."""
        if ctx.variant == UVLOOP:
            version, why = uvloop_status(True)
            if version is None:
                raise contract.RunError("uvloop not importable: run scripts/setup (%s)" % why)

    @staticmethod
    def run(ctx):
        apply_switch_interval(ctx)
        if ctx.variant == UVLOOP:
            import uvloop  # loaded by prepare()
            # Why uvloop.run: it is asyncio.run with uvloop's loop (on 3.11+,
            # asyncio.Runner(loop_factory=uvloop.new_event_loop)), so both variants create, run and close one loop
            # inside the timed run and await exactly the same coroutines (Asyncio.main); only the loop differs.
            return uvloop.run(Asyncio.main(ctx))
        return asyncio.run(Asyncio.main(ctx))

    @staticmethod
    async def main(ctx):
        loop = asyncio.get_running_loop()
        w = ctx.workload
        if w == "spawn":
            return floor(*await asyncio_spawn(ctx.tasks))
        if w == "ping-pong":
            return floor(*await asyncio_ping_pong(ctx.work))
        ex = pool = offload_executor(ctx)
        offload = ex is not None
        try:
            if w == "race":
                js, final = race_jobs(ctx)
                if ctx.opt_bool("yield"):
                    every = ctx.opt_int("yield_every")
                    _, (k, sync, rmw, _, atomic) = js[0]
                    lock = asyncio.Lock()  # held across the yield, so an asyncio lock, not a threading one
                    done = await asyncio.gather(*(yielding_racer(k, sync, rmw, every, lock, atomic) for _ in js))
                    return final(), None, None, {"yield_every": every}, sum(done)

                async def racer(f, a):
                    return f(*a)
                done = await asyncio.gather(*(racer(f, a) for f, a in js))
                return final(), None, None, {}, sum(r[0] for r in done)
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
                    end = now()
                    return kernels.sleep_value(i), [ms(end - t - ctx.delay_s)], [end]
                coros = [sleeper(i) for i in range(ctx.tasks)]
            else:
                coros = [net_request(ctx.addr, i, ctx.nonce, ctx.delay_ms) for i in range(ctx.tasks)]
            if w == "mixed":
                async def ticking():
                    late, ends = [], []
                    for _ in range(ctx.rounds):
                        t = now()
                        await asyncio.sleep(ctx.delay_s)
                        end = now()
                        late.append(ms(end - t - ctx.delay_s))
                        ends.append(end)
                    return len(ends), late, ends
                # The ticker is its own task beside the CPU work, as in every model; on this one-thread loop it wakes
                # only between two CPU tasks (unless they are offloaded). Why first: the ticker is scheduled before the
                # CPU tasks, so its first wait starts before they run and its lateness shows how long they hold the
                # loop (scheduled after, it would start once they end).
                coros.insert(0, ticking())
            submitted = now()  # the run's submission instant, just before gather schedules the tasks
            results = await asyncio.gather(*coros)
            if offload:
                contract.sample_threads()
                ex.shutdown(wait=True)  # joined inside the timed run, as every pool is
                ex = None
            out = finish(ctx, list(results), submitted)
            if isinstance(pool, ProcessPoolExecutor):
                import resource
                # As py-multiprocessing: peak_rss_kib is this process's; the largest worker's is reported apart.
                out[3]["child_peak_rss_kib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
                out[3]["start_method"] = START_METHODS[0]
            return out
        finally:
            if ex is not None:
                contract.sample_threads()
                ex.shutdown(wait=True)


async def asyncio_spawn(n):
    """spawn with N asyncio.create_task coroutines parked on one asyncio.Event. Each task counts itself arrived and
    awaits the event in the same step of the loop (nothing else runs between the two), so when the last arrival sets
    `all_in` every task is registered on `release`; the run samples only then. Returns (checksum, extra)."""
    release = asyncio.Event()
    all_in = asyncio.Event()
    arrived = 0

    async def task(i):
        nonlocal arrived
        arrived += 1
        if arrived == n:
            all_in.set()
        await release.wait()
        return kernels.sleep_value(i)

    tasks = []
    probe = contract.SpawnProbe(n)
    try:
        for i in range(n):
            tasks.append(asyncio.create_task(task(i)))
    except MemoryError as e:
        # Why: the loop's only limit is memory; nothing may be left behind, so the started tasks are released and
        # awaited before the error line.
        release.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise contract.spawn_failed("task", len(tasks), n, e)
    # The spawn clock runs until every task has run to its park: create_task only schedules a task.
    await all_in.wait()
    probe.parked(arrived)
    # Why here: the check reads every task once (about 60 ns each) and falls in teardown_ms, under 1 % of it.
    early = sum(1 for t in tasks if t.done())
    release.set()
    values = await asyncio.gather(*tasks)
    unparked(early, n, "tasks")
    return probe.joined(sum(values))


async def asyncio_ping_pong(k):
    """ping-pong between two tasks (create_task; the run only awaits them) through two asyncio.Queue(1). Returns
    (checksum, extra)."""
    ping, pong = asyncio.Queue(1), asyncio.Queue(1)

    async def pinger():
        rt = contract.RoundTrips(k)
        for i in range(k):
            t = now()
            await ping.put(i)
            reply = await pong.get()
            rt.add(now() - t, reply)
        return rt.outcome()

    async def ponger():
        for _ in range(k):
            await pong.put(kernels.pong_value(await ping.get()))

    # Why the ponger first: the loop runs tasks in the order they were created, so the ponger already waits on
    # `ping` when the pinger's clock starts.
    pong_task = asyncio.create_task(ponger())
    ping_task = asyncio.create_task(pinger())
    out, _ = await asyncio.gather(ping_task, pong_task)
    return out


async def net_request(addr, task_id, nonce, delay_ms):
    where = "request %d to %s:%d" % (task_id, *addr)
    t = now()
    reader, writer = await asyncio.open_connection(addr[0], addr[1])
    try:
        writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        writer.write(kernels.request(task_id, nonce, delay_ms))
        try:
            reply = await reader.readexactly(kernels.REPLY_LEN)
        except asyncio.IncompleteReadError:
            raise contract.RunError(where + ": connection closed before the reply")
    finally:
        writer.close()
    end = now()
    return checked_reply(where, task_id, nonce, reply), [ms(end - t)], [end]


# --- multiprocessing ------------------------------------------------------------------------------------------------

_mp = {}


def die_with_parent(parent=None):
    """(Linux) This process is killed when its parent dies, so no child outlives the run; and if its parent is no
    longer `parent` (the run died before the request took effect), it exits now. Under start-method=forkserver the
    parent is the fork server, which exits with the run: `parent` is then None (see parent_pid)."""
    try:
        import ctypes
        ctypes.CDLL(None).prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
    except Exception:
        pass
    if parent is not None and os.getppid() != parent:
        os._exit(1)


def mp_init(counter, lock, barrier):
    """Pool initializer: the race's shared state, and (Linux) die with the parent so no child outlives it."""
    _mp.update(counter=counter, lock=lock, barrier=barrier)
    die_with_parent()


def mp_spawn_task(i, n, parent, release, arrived, all_in, values):
    """One spawn task in its own process: counts itself arrived (the last arrival sets `all_in`), parks on the one
    multiprocessing.Event `release`, then writes sleep_value(i) into its own slot of the shared array."""
    die_with_parent(parent)
    # Why count before wait(): as threading.Event, multiprocessing.Event cannot be registered on and then counted;
    # the flag is kept, so a release between the two is not lost. The parent waits for all N counts.
    with arrived.get_lock():
        arrived.value += 1
        last = arrived.value == n
    if last:
        all_in.set()
    release.wait()
    values[i] = kernels.sleep_value(i)


def mp_ponger(conn, k, parent):
    """The ping-pong ponger process: says it is running, then answers K tokens over its end of the Pipe."""
    die_with_parent(parent)
    conn.send(None)
    for _ in range(k):
        conn.send(kernels.pong_value(conn.recv()))
    conn.close()


def reap(procs):
    """Kills and joins every process in `procs` that is still running (the early-exit clean-up)."""
    for p in procs:
        if p.is_alive():
            p.kill()
    for p in procs:
        p.join()


def raise_nofile_limit():
    """The soft RLIMIT_NOFILE raised to the hard one, as the Rust harness does for every run: a started Process keeps
    a pipe to its child open (its sentinel), so N processes need N descriptors."""
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError):
            pass


def parent_pid(mp):
    """The pid a task process's parent has: this process, unless a fork server starts the children."""
    return None if mp.get_start_method() == "forkserver" else os.getpid()


def mp_spawn(mp, n):
    """spawn with one multiprocessing.Process(target=task).start() per task (the start method's own way of making a
    process), all parked on one multiprocessing.Event. The parent samples its memory plus every child's VmRSS and
    VmSize from /proc/<pid>/status once all N have counted themselves arrived. Returns (checksum, extra)."""
    raise_nofile_limit()
    release, all_in = mp.Event(), mp.Event()
    arrived = mp.Value("Q", 0)
    values = mp.RawArray("Q", n)  # each child writes only its own slot
    procs = []
    contract.on_early_exit(lambda: reap(procs))
    parent = parent_pid(mp)
    probe = contract.SpawnProbe(n)
    try:
        for i in range(n):
            p = mp.Process(target=mp_spawn_task, args=(i, n, parent, release, arrived, all_in, values))
            p.start()  # OSError (EAGAIN from fork, EMFILE for its pipes) when the OS refuses it
            procs.append(p)
    except OSError as e:
        hint = contract.limit_reached()  # while every started process is still there
        # Why release and join first: nothing may be left behind, and the error line names the OS's refusal.
        release.set()
        for p in procs:
            p.join()
        raise contract.spawn_failed("process", len(procs), n, e, hint)
    all_in.wait()
    def children():
        total = contract.Memory()
        for p in procs:
            total = total + (contract.memory_kib(p.pid) or contract.Memory())
        return total

    probe.parked(arrived.value, children)
    early = sum(1 for v in values if v)
    release.set()
    for p in procs:
        p.join()
    unparked(early, n, "processes")
    failed = [p for p in procs if p.exitcode != 0]
    if failed:
        raise contract.RunError("%d of %d task processes failed (the first exited with %s)"
                                % (len(failed), n, failed[0].exitcode))
    return probe.joined(sum(values))


def mp_ping_pong(mp, k):
    """ping-pong between the parent (the pinger) and one child process (the ponger) over a multiprocessing.Pipe():
    one token in flight at a time, so neither direction holds more than one. Returns (checksum, extra)."""
    mine, theirs = mp.Pipe()
    child = mp.Process(target=mp_ponger, args=(theirs, k, parent_pid(mp)))
    child.start()
    contract.on_early_exit(lambda: reap([child]))
    theirs.close()
    try:
        # Why wait for the child's first message: the clock starts once the ponger runs, so the first round trip
        # does not time a process's start-up (spawn measures that).
        mine.recv()
        rt = contract.RoundTrips(k)
        for i in range(k):
            t = now()
            mine.send(i)
            reply = mine.recv()
            rt.add(now() - t, reply)
    except (EOFError, OSError) as e:
        reap([child])
        why = contract.os_reason(e) if isinstance(e, OSError) else "its end of the pipe closed"
        raise contract.RunError("the ponger process (pid %d) stopped answering: %s (exit code %s)"
                                % (child.pid, why, child.exitcode))
    out = rt.outcome()
    child.join()
    mine.close()
    return out


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
        attempted = race_worker(k, sync, rmw, threading.Lock(), atomic)[0]
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
    @staticmethod
    def info(gil, listing):
        return {
            "runtime": "py-multiprocessing", "display": "CPython multiprocessing", "model": "process",
            "variants": [{"name": "pool", "default": True,
                          "notes": "multiprocessing.Pool(W); tasks sent with chunksize=1 so skewed work balances",
                          "facts": facts("workers", gil, processes=True, shares_memory=True), "workloads": LOAD},
                         {"name": "per-task", "default": False,
                          "notes": "one multiprocessing.Process(target=task).start() per task; spawn: N processes "
                                   "parked on one multiprocessing.Event; ping-pong: the parent and one child over a "
                                   "multiprocessing.Pipe()",
                          # Why shares_memory false: its tasks hand values over (a Pipe, a slot each in an array),
                          # they never update one variable together.
                          "facts": facts("per-task", gil, processes=True, shares_memory=False),
                          "workloads": contract.FLOOR}],
            "workloads": WORKLOADS,
            "opts": [contract.opt_choice("start-method", START_METHODS,
                                         "how the pool starts its processes (fork is the Linux default before 3.14)"),
                     contract.opt_bool("shared", True,
                                       "race: true = one multiprocessing.RawValue every worker increments, so updates "
                                       "can be lost (sync=lock and sync=atomic take a multiprocessing.Lock); false = "
                                       "message passing, each worker counts in its own memory and sends its count "
                                       "back"),
                     RMW_OPT, SWITCH_OPT],
            "versions": {}, "notes": "W worker processes, each with its own interpreter%s; elapsed_ms includes "
                                     "starting and joining them (extra.spawn_ms is the start-up alone). peak_rss_kib "
                                     "is the parent's; extra.child_peak_rss_kib is the largest child's. In race the "
                                     "counter is a shared, lock-free multiprocessing.RawValue unless shared=false "
                                     "(sync=atomic takes a lock: there is no atomic integer across processes). "
                                     "spawn (per-task only): memory is the parent's plus every task process's VmRSS "
                                     "(VmSize), so pages a forked child still shares with the parent count once per "
                                     "process; with start-method=spawn every child is a fresh interpreter. Each "
                                     "started Process holds a pipe to its child, so RLIMIT_NOFILE bounds N as well as "
                                     "pid_max." % (" and GIL" if gil else ""),
        }

    @staticmethod
    def run(ctx):
        import multiprocessing as mpm
        import resource
        apply_switch_interval(ctx)
        mp = mpm.get_context(ctx.opts["start-method"])
        if ctx.workload in contract.FLOOR:
            f = mp_spawn if ctx.workload == "spawn" else mp_ping_pong
            checksum, extra = f(mp, ctx.tasks if ctx.workload == "spawn" else ctx.work)
            extra["start_method"] = ctx.opts["start-method"]
            return floor(checksum, extra)
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
            if ctx.workload == "race":
                shared = ctx.opt_bool("shared")
                args = (ctx.work, ctx.opts["sync"], ctx.opts["rmw"], shared)
                done = pool.map(mp_race, [args] * ctx.workers, chunksize=1)
                attempted = sum(a for _, a in done)
                total = counter.value if shared else sum(f for f, _ in done)
                out = total, None, None, {}, attempted
            else:
                job_list = jobs(ctx)
                # The run's submission instant, just before map_async; the children read their tasks' ends on
                # the same CLOCK_MONOTONIC.
                submitted = now()
                pending = pool.map_async(mp_job, job_list, chunksize=1)
                tick = [ticker(ctx.rounds, ctx.delay_s)] if ctx.workload == "mixed" else []
                out = finish(ctx, pending.get() + tick, submitted)
            pool.close()
            pool.join()
        finally:
            pool.terminate()
        child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        extra = {"spawn_ms": spawn_ms, "start_method": ctx.opts["start-method"], "child_peak_rss_kib": child_rss}
        return out[0], out[1], out[2], extra, out[4]


IMPLS = {"seq": Seq, "threading": Threading, "asyncio": Asyncio, "multiprocessing": Multiprocessing}
