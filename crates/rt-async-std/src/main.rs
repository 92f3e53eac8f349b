//! `rt-async-std`: the workloads as async-std tasks on its global executor, whose thread count follows `--workers`.
//!
//! async-std is discontinued upstream (its README: "use smol instead"; RUSTSEC-2025-0052, unmaintained). It is
//! pinned at 1.13.2 and kept for comparison: many programs still run on it, and it shares its reactor (async-io)
//! and executor (async-executor, through async-global-executor) with smol, so the two side by side show what the
//! global-executor design costs. Every workload uses async-std's own primitives: `task::spawn` and `JoinHandle`,
//! `task::sleep`, `async_std::net::TcpStream`, `async_std::fs`, `task::spawn_blocking` and `task::yield_now`.
//!
//! The floor workloads: `spawn` starts N tasks with `task::spawn`, each parked on one shared `event_listener::Event`
//! (async-std has no notify of its own; its locks and channels are built on event-listener) until one
//! `notify(usize::MAX)` releases them all; `ping-pong` passes a token K times between two spawned tasks over an
//! `async_std::channel::bounded(1)` each way.
//!
//! There is one variant: async-std has no single-threaded runtime of its own. Its executor reads
//! `ASYNC_STD_THREAD_COUNT` once, when first used, so `main` sets it from `--workers` before anything else runs.
//! What it is not: async-std tuned by hand, or a runtime that shuts its threads down (async-std never does).

mod cpu;
mod floor;
mod io;
mod race;
mod threads;

use std::num::NonZeroUsize;

use harness::contract::extra;
use harness::opts::{OFFLOAD, YIELD};
use harness::{Facts, Info, Model, OptSpec, Outcome, RunCtx, RunError, Runtime, Threads};
use threads::{THREAD_COUNT_ENV, workers_arg};
use workloads::Workload;

const GLOBAL: &str = "global";

struct AsyncStd;

impl Runtime for AsyncStd {
    fn info(&self) -> Info {
        Info::new("rt-async-std", "async-std (discontinued)", Model::Async)
            .variant(
                GLOBAL,
                "async-std's global executor on --workers threads (ASYNC_STD_THREAD_COUNT)",
            )
            .facts(Facts::event_loop(Threads::Workers))
            .workloads(Workload::ALL)
            .opt(OptSpec::bool(OFFLOAD, false, cpu::OFFLOAD_HELP))
            .opt(OptSpec::bool(YIELD, false, race::YIELD_HELP))
            .opt(harness::tasks::yield_every_opt())
            .versions(harness::locked_versions!(
                "async-std",
                "async-global-executor",
                "async-io",
                "blocking"
            ))
            .notes_md(include_str!("../notes.md"))
    }

    fn run(&self, ctx: &RunCtx) -> Result<Outcome, RunError> {
        let workers = ctx.params.workers as usize;
        if std::env::var(THREAD_COUNT_ENV).ok() != Some(workers.to_string()) {
            return Err(RunError::Failed(format!(
                "{THREAD_COUNT_ENV} does not match --workers {workers}; pass --workers as its own argument"
            )));
        }
        // Why cap the blocking pool: it allows 500 threads by default, so `offload=true` would run every CPU task
        // on its own OS thread (the thread model, with T threads) and async_std::fs would get far more threads
        // than --workers. --workers is the OS threads a model may use for its work, for every model.
        blocking::set_max_blocking_threads(NonZeroUsize::new(workers).unwrap_or(NonZeroUsize::MIN));
        let outcome = async_std::task::block_on(async {
            match ctx.workload {
                Workload::CpuBalanced | Workload::CpuSkewed => cpu::cpu(ctx).await,
                Workload::Mixed => cpu::mixed(ctx).await,
                Workload::IoSleep => io::sleep(ctx).await,
                Workload::IoNet => io::net(ctx).await,
                Workload::IoFile => io::file(ctx).await,
                Workload::Race => race::race(ctx).await,
                Workload::Spawn => floor::spawn(ctx).await,
                Workload::PingPong => floor::ping_pong(ctx).await,
            }
        })?;
        harness::probe::sample_threads();
        Ok(outcome
            .extra(extra::EXECUTOR_THREADS, workers)
            .extra(extra::BLOCKING_THREADS_MAX, workers))
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(w) = workers_arg(&args) {
        // SAFETY: nothing else reads or writes the environment at this point: this is the first statement of
        // `main` that does anything, and no other thread exists yet (the harness starts its probe and watchdog
        // threads, and async-std its executor, only inside `harness::main`). async-std reads the variable once,
        // when its global executor is first used, so it must be set here.
        unsafe { std::env::set_var(THREAD_COUNT_ENV, w.to_string()) };
    }
    harness::main(AsyncStd)
}
