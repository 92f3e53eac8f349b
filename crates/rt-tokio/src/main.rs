//! `rt-tokio`: the workloads as tokio tasks, on a runtime built explicitly with `tokio::runtime::Builder`.
//!
//! Two variants: `multi-thread` (the default: tokio's work-stealing scheduler on `--workers` worker threads) and
//! `current-thread` (one thread runs every task: the closest model of Python's asyncio). Every workload uses tokio's
//! own primitives: `tokio::spawn` and `JoinHandle`, `tokio::time::sleep`, `tokio::net::TcpStream`, `tokio::fs`,
//! `spawn_blocking` and `yield_now`. CPU tasks run inline as async tasks unless `--opt offload=true` moves them to
//! the blocking pool, so a report can show the blocked event loop and its fix side by side.
//!
//! The floor workloads: `spawn` starts N tasks with `tokio::spawn`, each parked on one shared `Notify` (its
//! `Notified` enabled before it counts itself arrived) until one `notify_waiters` releases them all; `ping-pong`
//! passes a token K times between two spawned tasks over a `tokio::sync::mpsc::channel(1)` each way.
//!
//! What it is not: a tuned tokio. No `block_in_place`, no rayon hand-off, no custom timer: the idiomatic form.

mod cpu;
mod floor;
mod io;
mod join;
mod race;

use harness::contract::extra;
use harness::opts::{OFFLOAD, YIELD};
use harness::{Facts, Info, Model, OptSpec, Outcome, RunCtx, RunError, Runtime, Threads};
use tokio::runtime::Builder;
use workloads::Workload;

const MULTI: &str = "multi-thread";
const CURRENT: &str = "current-thread";

struct Tokio;

impl Runtime for Tokio {
    fn info(&self) -> Info {
        Info::new("rt-tokio", "Tokio", Model::Async)
            .variant(MULTI, "tokio's work-stealing scheduler on --workers worker threads")
            .facts(Facts::event_loop(Threads::Workers))
            .variant(
                CURRENT,
                "one thread runs every task (the asyncio model): a task that computes blocks all the others",
            )
            .facts(Facts::event_loop(Threads::One))
            .workloads(Workload::ALL)
            .opt(OptSpec::bool(OFFLOAD, false, cpu::OFFLOAD_HELP))
            .opt(OptSpec::bool(YIELD, false, race::YIELD_HELP))
            .opt(harness::tasks::yield_every_opt())
            .versions(harness::locked_versions!("tokio"))
            .notes_md(include_str!("../notes.md"))
    }

    fn run(&self, ctx: &RunCtx) -> Result<Outcome, RunError> {
        let workers = ctx.params.workers as usize;
        let (mut builder, executor_threads) = if ctx.variant == CURRENT {
            (Builder::new_current_thread(), 1)
        } else {
            let mut b = Builder::new_multi_thread();
            b.worker_threads(workers);
            (b, workers)
        };
        // Why cap the blocking pool: tokio allows 512 blocking threads by default, so `offload=true` would run
        // every CPU task on its own OS thread (the thread model, with T threads) and tokio::fs would get far more
        // threads than --workers. --workers is the OS threads a model may use for its work, for every model.
        builder.max_blocking_threads(workers).enable_all();
        let rt = builder
            .build()
            .map_err(|e| RunError::failed("could not build the tokio runtime", e))?;
        let outcome = rt.block_on(async {
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
        // Shutting the runtime down is part of the measured run (the harness times all of `run`).
        drop(rt);
        Ok(outcome
            .extra(extra::EXECUTOR_THREADS, executor_threads)
            .extra(extra::BLOCKING_THREADS_MAX, workers))
    }
}

fn main() {
    harness::main(Tokio)
}
