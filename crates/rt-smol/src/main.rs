//! `rt-smol`: the workloads as smol tasks, on executors built explicitly for each run.
//!
//! Two variants: `multi` (the default: one `smol::Executor` run on `--workers` threads, the main thread being one of
//! them) and `single` (a `LocalExecutor` driven by `smol::block_on` on the main thread: the closest model of
//! Python's asyncio). smol's global executor (`smol::spawn`) is never used: it runs on one thread unless
//! `SMOL_THREADS` is set, an ambient default this project avoids. Every workload uses smol's own primitives:
//! `Executor::spawn` and `Task`, `Timer::after`, `smol::net::TcpStream`, `smol::fs`, `unblock` and `yield_now`.
//!
//! The floor workloads: `spawn` starts N tasks on the run's executor, each parked on one shared
//! `event_listener::Event` (listening before it counts itself arrived, the version smol's own crates use) until one
//! `notify(usize::MAX)` releases them all; `ping-pong` passes a token K times between two spawned tasks over an
//! `async_channel::bounded(1)` (`smol::channel`) each way.
//!
//! What it is not: smol tuned by hand. No extra reactor threads, no custom blocking pool: the idiomatic form.

mod cpu;
mod exec;
mod floor;
mod io;
mod race;

use std::num::NonZeroUsize;

use exec::Exec;
use harness::contract::extra;
use harness::opts::{OFFLOAD, YIELD};
use harness::{Facts, Info, Model, OptSpec, Outcome, RunCtx, RunError, Runtime, Threads};
use workloads::Workload;

struct Smol;

impl Runtime for Smol {
    fn info(&self) -> Info {
        Info::new("rt-smol", "smol", Model::Async)
            .variant(exec::MULTI, "one smol Executor run on --workers threads")
            .facts(Facts::event_loop(Threads::Workers))
            .variant(
                exec::SINGLE,
                "a LocalExecutor on one thread (the asyncio model): a task that computes blocks all the others",
            )
            // One thread runs the tasks; smol's async-io reactor thread only wakes them, so it is still one loop.
            .facts(Facts::event_loop(Threads::One))
            .workloads(Workload::ALL)
            .opt(OptSpec::bool(OFFLOAD, false, cpu::OFFLOAD_HELP))
            .opt(OptSpec::bool(YIELD, false, race::YIELD_HELP))
            .opt(harness::tasks::yield_every_opt())
            .versions(harness::locked_versions!("smol", "async-executor", "async-io", "blocking"))
            .notes_md(include_str!("../notes.md"))
    }

    fn run(&self, ctx: &RunCtx) -> Result<Outcome, RunError> {
        let workers = ctx.params.workers as usize;
        // Why cap the blocking pool: it allows 500 threads by default, so `offload=true` would run every CPU task
        // on its own OS thread (the thread model, with T threads) and smol::fs would get far more threads than
        // --workers. --workers is the OS threads a model may use for its work, for every model.
        blocking::set_max_blocking_threads(NonZeroUsize::new(workers).unwrap_or(NonZeroUsize::MIN));
        let ex = Exec::new(&ctx.variant);
        let outcome = match ctx.workload {
            Workload::CpuBalanced | Workload::CpuSkewed => ex.block_on(workers, cpu::cpu(&ex, ctx)),
            Workload::Mixed => ex.block_on(workers, cpu::mixed(&ex, ctx)),
            Workload::IoSleep => ex.block_on(workers, io::sleep(&ex, ctx)),
            Workload::IoNet => ex.block_on(workers, io::net(&ex, ctx)),
            Workload::IoFile => {
                let dir = harness::ScratchDir::new("rt-smol")?;
                ex.block_on(workers, io::file(&ex, ctx, dir.path()))
            }
            Workload::Race => ex.block_on(workers, race::race(&ex, ctx)),
            Workload::Spawn => ex.block_on(workers, floor::spawn(&ex, ctx)),
            Workload::PingPong => ex.block_on(workers, floor::ping_pong(&ex, ctx)),
        }??;
        Ok(outcome
            .extra(extra::EXECUTOR_THREADS, ex.threads(workers))
            .extra(extra::BLOCKING_THREADS_MAX, workers))
    }
}

fn main() {
    harness::main(Smol)
}
