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
//! the PEP 703 / `python3.13t` model). Only `per-task` runs the floor workloads: `spawn` (N threads, each taking the
//! GIL as it starts and parking on one release signal with it released) and `ping-pong` (two threads passing a
//! token through bounded(1) queues, every hand-off passing the GIL). What it is not: a Python interpreter. Work runs
//! at native speed, so only the *scheduling* is CPython's; see docs/gil-model.md.

mod cpu;
mod exec;
mod floor;
mod io;
mod race;
mod stats;

use std::time::{Duration, Instant};

use exec::{Job, Mode};
use gil::Gil;
use harness::opts::{CHECK_EVERY, RMW, SWITCH_INTERVAL_US};
use harness::{Facts, Info, Model, OptSpec, Outcome, RunCtx, RunError, Runtime, Threads};
use workloads::{RaceCounter, Workload};

const POOL: &str = "pool";
const PER_TASK: &str = "per-task";
const FREE_THREADED: &str = "free-threaded";

struct GilRuntime;

impl Runtime for GilRuntime {
    fn info(&self) -> Info {
        Info::new("rt-gil", "Threads under a GIL (emulated CPython)", Model::Emulated)
            .variant(POOL, "W threads taking tasks from one queue, all under one GIL (ThreadPoolExecutor)")
            .facts(Facts::threads(Threads::Workers).with_gil())
            .only(Workload::LOAD)
            .variant(PER_TASK, "one OS thread per task under one GIL (Thread(target=task).start() for each task)")
            .facts(Facts::threads(Threads::PerTask).with_gil())
            .variant(FREE_THREADED, "the pool's W threads with no GIL: PEP 703, python3.13t")
            .facts(Facts::threads(Threads::Workers))
            .only(Workload::LOAD)
            .workloads(Workload::ALL)
            .versions(harness::locked_versions!("crossbeam-channel"))
            .opt(OptSpec::int(SWITCH_INTERVAL_US, 5000, 1, 10_000_000, "the GIL switch interval in µs, as sys.setswitchinterval (CPython's default: 5000)"))
            .opt(OptSpec::int(CHECK_EVERY, 1, 1, 1_000_000_000, "kernel loop iterations between GIL check points: 1 = every back-edge of the Python loop the kernel stands for (one number tested, one increment), as CPython 3.10+"))
            .opt(OptSpec::choice(RMW, &["plain", "call"], "race: plain = `counter += 1` (no check point between load and store), call = `counter += f()` (a check point between them)"))
            .notes_md(include_str!("../notes.md"))
    }

    fn run(&self, ctx: &RunCtx) -> Result<Outcome, RunError> {
        let started = Instant::now();
        let (p, w) = (ctx.params, ctx.workload);
        let interval = Duration::from_micros(ctx.opt_u64(SWITCH_INTERVAL_US));
        let every = ctx.opt_u64(CHECK_EVERY);
        let gil = if ctx.variant == FREE_THREADED {
            Gil::disabled()
        } else {
            Gil::new(interval)
        };
        if w == Workload::Race {
            race::check(ctx, &gil)?;
        }
        let counter = RaceCounter::new();
        let scratch = harness::jobs::scratch_for(w, "rt-gil")?;
        let permits = harness::jobs::Permits::new(p.workers);
        let mut ticker = None;
        // Kept apart from rt-threads's on purpose: the jobs differ in GIL check points and released blocking calls.
        let jobs: Vec<Job<'_>> = match w {
            Workload::CpuBalanced | Workload::CpuSkewed => cpu::cpu(ctx, every),
            Workload::IoSleep => io::sleep(ctx),
            Workload::IoNet => io::net(ctx)?,
            Workload::IoFile => io::file(
                ctx,
                scratch.as_ref().map(|s| s.path()).expect("created above"),
                &permits,
            ),
            Workload::Mixed => {
                let (t, cpu) = cpu::mixed(ctx, every);
                ticker = Some(t);
                cpu
            }
            Workload::Race => race::race(ctx, &counter, every),
            // Only in per-task: `resolve` refuses them in pool and free-threaded (exit 3) before `run` is called.
            Workload::Spawn | Workload::PingPong => {
                let out = if w == Workload::Spawn {
                    floor::spawn(ctx, &gil)?
                } else {
                    floor::ping_pong(ctx, &gil)?
                };
                return Ok(stats::with_stats(out, &gil, started.elapsed(), every, ctx));
            }
        };
        // Race has one thread per racer in every variant (W racers).
        let mode = if ctx.variant == PER_TASK && w != Workload::Race {
            Mode::PerTask
        } else {
            Mode::Pool { workers: p.workers }
        };
        // The run's submission instant: just before the jobs are handed to the threads (see harness::latency).
        let submitted = Instant::now();
        let done = exec::run(&gil, mode, jobs, ticker)?;
        let out = harness::jobs::outcome(w, &done, &counter, submitted);
        Ok(stats::with_stats(out, &gil, started.elapsed(), every, ctx))
    }
}

fn main() {
    harness::main(GilRuntime)
}
