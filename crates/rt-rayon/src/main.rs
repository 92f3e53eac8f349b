//! `rt-rayon`: data parallelism with work stealing, on a `rayon::ThreadPool` of exactly `--workers` threads.
//!
//! CPU tasks go through parallel iterators, so idle threads steal work from busy ones: this is the model to compare
//! with a static split or a shared queue on `cpu-skewed`. The I/O workloads make their blocking calls on the pool's
//! threads (rayon has no I/O reactor), so only W are ever in flight. In `mixed` the
//! ticker has its own thread beside the pool's W, which run the CPU tasks in a FIFO scope; `race` runs inside
//! `pool.scope`.
//!
//! What it is not: the global rayon pool (its size is an ambient default, one thread per core), nor an async
//! runtime. The pool is built inside `run`, so its start-up is part of the measured time (dropping it only signals
//! its threads to stop; rayon does not join them).

mod cpu;
mod io;
mod race;

use harness::{Facts, Info, Model, Outcome, RunCtx, RunError, Runtime, Threads};
use workloads::Workload;

const POOL: &str = "pool";

struct Rayon;

impl Runtime for Rayon {
    fn info(&self) -> Info {
        Info::new("rt-rayon", "Rayon", Model::Parallel)
            .variant(
                POOL,
                "a rayon ThreadPool of W threads; parallel iterators with work stealing",
            )
            .facts(Facts::threads(Threads::Workers))
            .workloads(Workload::LOAD)
            .versions(harness::locked_versions!("rayon", "rayon-core"))
            .notes_md(include_str!("../notes.md"))
    }

    fn run(&self, ctx: &RunCtx) -> Result<Outcome, RunError> {
        let p = ctx.params;
        // Why explicit: the global pool would take one thread per core whatever --workers says.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(p.workers as usize)
            .thread_name(|i| format!("rayon-{i}"))
            .build()
            .map_err(|e| {
                RunError::failed(format!("could not start {} rayon threads", p.workers), e)
            })?;
        // The pool's threads exist once `build` returns: record the peak (main thread + W) now.
        harness::probe::sample_threads();
        Ok(match ctx.workload {
            Workload::CpuBalanced | Workload::CpuSkewed => cpu::cpu(&pool, ctx),
            Workload::IoSleep => io::sleep(&pool, p.tasks, ctx.delay()),
            Workload::IoNet => io::net(&pool, p, ctx.server()?)?,
            Workload::IoFile => io::file(&pool, p.tasks, p.size_kib)?,
            Workload::Mixed => cpu::mixed(&pool, ctx)?,
            Workload::Race => race::race(&pool, ctx),
            Workload::Spawn | Workload::PingPong => return Err(harness::not_implemented(ctx)),
        })
    }
}

fn main() {
    harness::main(Rayon)
}
