//! `rt-gil`: OS threads that run every workload under an emulated CPython GIL (the `gil` crate).
//!
//! Each thread holds the GIL while it runs what would be Python code, reaches a check point where CPython's eval
//! loop would (a loop back-edge of the kernel every `--opt check-every=N` iterations, and each task's entry), and
//! releases the GIL around every blocking call, as `time.sleep`, socket and file calls do. The GIL's rules are
//! CPython's: a 5 ms switch interval by default (`--opt switch-interval-us=N`), a drop request after a waiter's
//! interval passes with no hand-off, forced switching.
//!
//! Variants: `pool` (W threads taking tasks from one queue: `ThreadPoolExecutor(max_workers=W)`), `per-task` (one
//! thread per task: `Thread(target=task).start()` in a loop) and `free-threaded` (the pool's threads with no GIL,
//! the PEP 703 / `python3.13t` model). What it is not: a Python interpreter. Work runs at native speed, so only the
//! *scheduling* is CPython's; see docs/gil-model.md.

mod exec;

use std::time::{Duration, Instant};

use exec::{Done, Job, Mode};
use gil::Gil;
use harness::jobs::ms;
use harness::latency::lateness;
use harness::{Info, Model, OptSpec, Outcome, RunCtx, RunError, Runtime};
use workloads::{RaceCounter, Sync, Workload, blocking, count_primes, race::race_worker};

struct GilRuntime;

impl Runtime for GilRuntime {
    fn info(&self) -> Info {
        Info::new("rt-gil", "Threads under a GIL (emulated CPython)", Model::Emulated)
            .variant("pool", "W threads taking tasks from one queue, all under one GIL (ThreadPoolExecutor)")
            .variant("per-task", "one OS thread per task under one GIL (Thread(target=task).start() for each task)")
            .variant("free-threaded", "the pool's W threads with no GIL: PEP 703, python3.13t")
            .workloads(Workload::ALL)
            .opt(OptSpec::int("switch-interval-us", 5000, 1, 10_000_000, "the GIL switch interval in µs, as sys.setswitchinterval (CPython's default: 5000)"))
            .opt(OptSpec::int("check-every", 1, 1, 1_000_000_000, "kernel loop iterations between GIL check points: 1 = every back-edge of the Python loop the kernel stands for (one number tested, one increment), as CPython 3.10+"))
            .opt(OptSpec::choice("rmw", &["plain", "call"], "race: plain = `counter += 1` (no check point between load and store), call = `counter += f()` (a check point between them)"))
            .notes("Only the scheduling is CPython's: work runs at native speed, so a 5 ms interval covers ~1000x more work than in CPython. CPU work never runs in parallel except in free-threaded. In race every variant runs W threads, one per racer. sync=lock with rmw=call is refused: the emulation cannot release the GIL while blocking on the kernel's mutex.")
    }

    fn run(&self, ctx: &RunCtx) -> Result<Outcome, RunError> {
        let started = Instant::now();
        let p = ctx.params;
        let interval = Duration::from_micros(ctx.opt_u64("switch-interval-us"));
        let every = ctx.opt_u64("check-every");
        let call = ctx.opt("rmw") == "call";
        let (gil, mode) = match ctx.variant.as_str() {
            "per-task" => (Gil::new(interval), Mode::PerTask),
            "free-threaded" => (Gil::disabled(), Mode::Pool { workers: p.workers }),
            _ => (Gil::new(interval), Mode::Pool { workers: p.workers }),
        };
        let w = ctx.workload;
        if w == Workload::Race && call && ctx.sync() == Sync::Lock && gil.enabled() {
            return Err(RunError::Usage(
                "--opt sync=lock with --opt rmw=call would deadlock here: the kernel's mutex is held across the check point, and the emulation cannot release the GIL while a thread blocks on it; use sync=none or sync=atomic, or rmw=plain".into(),
            ));
        }
        let delay = ctx.delay();
        let sleep_job = |value: u64| -> Job<'static> {
            Box::new(move |g| {
                g.checkpoint(); // function entry
                let t = Instant::now();
                g.allow_threads(|| std::thread::sleep(delay));
                Ok(Done {
                    value,
                    latency_ms: vec![ms(lateness(t, delay, Instant::now()))],
                })
            })
        };
        let cpu_job = |(lo, hi): (u64, u64)| -> Job<'static> {
            Box::new(move |g| {
                g.checkpoint(); // function entry
                let value = count_primes(lo, hi, every, &mut || {
                    g.checkpoint();
                });
                Ok(Done {
                    value,
                    latency_ms: vec![],
                })
            })
        };
        let counter = RaceCounter::new();
        let scratch = harness::jobs::scratch_for(w, "rt-gil")?;
        // Kept apart from rt-threads's on purpose: the jobs differ in GIL check points and released blocking calls.
        let jobs: Vec<Job<'_>> = match w {
            Workload::CpuBalanced | Workload::CpuSkewed => {
                (0..p.tasks).map(|i| cpu_job(p.cpu_range(w, i))).collect()
            }
            Workload::IoSleep => (0..p.tasks).map(sleep_job).collect(),
            Workload::IoNet => {
                let addr = ctx.server()?;
                (0..p.tasks)
                    .map(|id| -> Job<'_> {
                        Box::new(move |g| {
                            g.checkpoint();
                            // The round trip as Python code would time it: from before the calls to after the GIL
                            // is back, so a GIL wait after the reply counts.
                            let t = Instant::now();
                            let (echo, _) = g
                                .allow_threads(|| blocking::net_request(addr, id, p.delay_ms))
                                .map_err(|e| format!("request {id} to {addr}: {e}"))?;
                            Ok(Done {
                                value: echo,
                                latency_ms: vec![ms(t.elapsed())],
                            })
                        })
                    })
                    .collect()
            }
            Workload::IoFile => {
                let dir = scratch.as_ref().map(|s| s.path()).expect("created above");
                (0..p.tasks)
                    .map(|id| -> Job<'_> {
                        Box::new(move |g| {
                            g.checkpoint();
                            let h = g
                                .allow_threads(|| blocking::file_task(dir, id, p.size_kib))
                                .map_err(|e| format!("file task {id} in {}: {e}", dir.display()))?;
                            Ok(Done {
                                value: h,
                                latency_ms: vec![],
                            })
                        })
                    })
                    .collect()
            }
            Workload::Mixed => {
                // The ticker is queued first, so in the pool it holds one thread and the CPU tasks share the rest
                // (as in rt-threads).
                let ticker: Job<'_> = Box::new(move |g| {
                    let mut lat = Vec::with_capacity(p.rounds as usize);
                    for _ in 0..p.rounds {
                        let t = Instant::now();
                        g.allow_threads(|| std::thread::sleep(delay));
                        // Measured once the thread has the GIL back, as `time.perf_counter()` would be.
                        lat.push(ms(lateness(t, delay, Instant::now())));
                        g.checkpoint(); // the loop's back-edge
                    }
                    Ok(Done {
                        value: p.rounds,
                        latency_ms: lat,
                    })
                });
                std::iter::once(ticker)
                    .chain((0..p.tasks).map(|i| cpu_job(p.balanced_range(i))))
                    .collect()
            }
            Workload::Race => {
                let (counter, sync) = (&counter, ctx.sync());
                (0..p.workers)
                    .map(|_| -> Job<'_> {
                        Box::new(move |g| {
                            g.checkpoint();
                            // Back-edge check points every `every` increments; with rmw=call also one between
                            // each load and store (the call in `counter += f()`).
                            race_worker(counter, sync, p.work, every, call, &mut || {
                                g.checkpoint();
                            });
                            Ok(Done::default())
                        })
                    })
                    .collect()
            }
        };
        // Race has one thread per racer in every variant (W racers).
        let mode = if w == Workload::Race {
            Mode::Pool { workers: p.workers }
        } else {
            mode
        };
        let done = exec::run(&gil, mode, jobs)?;
        let out = harness::jobs::outcome(w, &done, &counter);
        Ok(with_stats(out, &gil, started.elapsed(), every, ctx))
    }
}

/// The GIL's statistics as `extra` figures.
fn with_stats(out: Outcome, gil: &Gil, wall: Duration, every: u64, ctx: &RunCtx) -> Outcome {
    let st = gil.stats();
    let mut out = out
        .extra("gil", st.enabled)
        .extra("switch_interval_us", st.interval.as_micros() as u64)
        .extra("check_every", every)
        .extra("gil_acquisitions", st.acquisitions)
        .extra("gil_contended_acquisitions", st.contended_acquisitions)
        .extra("gil_switches", st.switches)
        .extra("gil_drop_requests", st.drop_requests)
        .extra("gil_forced_switches", st.forced_switches)
        .extra("gil_wait_ms_total", ms(st.wait_total))
        .extra("gil_wait_ms_p99", ms(st.wait_p99))
        .extra("gil_wait_ms_max", ms(st.wait_max))
        .extra("gil_held_share", st.held_share(wall));
    if ctx.workload == Workload::Race {
        out = out.extra("rmw", ctx.opt("rmw"));
    }
    out
}

fn main() {
    harness::main(GilRuntime)
}
