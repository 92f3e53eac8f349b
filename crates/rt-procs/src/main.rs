//! `rt-procs`: a pool of worker processes fed over ipc-channel, the model of Python's `multiprocessing.Pool`.
//!
//! The parent re-executes its own binary as `--workers` worker processes (a hidden `__worker` first argument, checked
//! before the command line is parsed), bootstraps each through its own `IpcOneShotServer`, then sends tasks in
//! chunks (`--opt chunksize=N`, as `Pool.map` batches them) over one channel pair per worker and sums the results.
//! Start-up is inside the measured time, as in Python, and also reported alone (`extra.spawn_ms`).
//!
//! The `per-task` variant runs the floor workloads with one process per task, the model of
//! `multiprocessing.Process(target=task).start()`: `spawn` starts N task processes (this binary re-executed, as the
//! pool's workers are), parks them all on one pipe whose write end only the parent holds, and releases them by
//! closing it; `ping-pong` passes a token between the parent and one child over ipc-channel, one channel each way.
//! The `pool` variant runs the seven load workloads and `per-task` only the two floor ones.
//!
//! What it is not: a fork server or a pre-started pool (every run pays for W process starts), nor shared-memory
//! parallelism: processes share nothing but the race's counter, which by default (`--opt shared=true`) lives in one
//! mapping of them all, as `multiprocessing.RawValue` does in the CPython peer; `shared=false` passes messages.

mod cpu;
mod group;
mod io;
mod pingpong;
mod pool;
mod proto;
mod race;
mod shm;
mod spawn;
mod worker;

use harness::contract::extra;
use harness::opts::{CHUNKSIZE, SHARED};
use harness::{
    Facts, Info, Model, OptSpec, Outcome, RunCtx, RunError, Runtime, ScratchDir, Threads,
};
use pool::Pool;
use proto::Setup;
use workloads::Workload;

const POOL: &str = "pool";
const PER_TASK: &str = "per-task";

struct Procs;

impl Runtime for Procs {
    fn info(&self) -> Info {
        Info::new("rt-procs", "Processes", Model::Process)
            .variant(POOL, "W worker processes (this binary re-executed), tasks and results over ipc-channel")
            // Why shared: by default the race's counter is one variable in memory every worker maps, the program
            // CPython's multiprocessing peer runs (`RawValue`), so the two process models race the same way.
            .facts(Facts::processes(Threads::Workers, true))
            .only(Workload::LOAD)
            .variant(PER_TASK, "one process per task (this binary re-executed), as multiprocessing.Process(target=task).start() for each task: spawn parks N processes on one pipe the parent closes; ping-pong is the parent and one child over ipc-channel")
            .facts(Facts::processes(Threads::PerTask, false))
            .only(Workload::FLOOR)
            .workloads(Workload::ALL)
            .opt(OptSpec::int(CHUNKSIZE, 1, 0, 1 << 20, "tasks per message, as in Pool.map; 0 = Pool.map's default, ceil(T / (4W))"))
            .opt(OptSpec::bool(SHARED, true, "race: true = one counter in shared memory (memfd, mmap) that every worker maps, as multiprocessing.RawValue, so updates can be lost (sync=lock takes a process-shared mutex); false = message passing, each worker counts in its own memory and sends its count back"))
            .versions(harness::locked_versions!("ipc-channel"))
            .notes_md(include_str!("../notes.md"))
    }

    fn run(&self, ctx: &RunCtx) -> Result<Outcome, RunError> {
        // The command line has already refused a workload the variant does not run: these two are per-task's.
        match ctx.workload {
            Workload::Spawn => return spawn::spawn(ctx),
            Workload::PingPong => return pingpong::ping_pong(ctx),
            _ => {}
        }
        let p = ctx.params;
        let shared = ctx.workload == Workload::Race && ctx.opt_bool(SHARED);
        let chunksize = pool::chunksize(ctx.opt_u64(CHUNKSIZE), p.tasks, p.workers);
        // Created before the workers, so that they inherit its fd; inside the timed run, as the CPython peer creates
        // its RawValue inside its own.
        let counter = shared
            .then(shm::SharedCounter::create)
            .transpose()
            .map_err(|e| RunError::failed("shared memory", e))?;
        let dir = (ctx.workload == Workload::IoFile)
            .then(|| ScratchDir::new("rt-procs"))
            .transpose()?;
        let mut pool = Pool::start(p.workers)?;
        pool.setup(&Setup {
            addr: ctx.addr,
            dir: dir.as_ref().map(|d| d.path().to_path_buf()),
            shm_fd: counter.as_ref().map(|c| c.fd()),
        })?;
        let outcome = match ctx.workload {
            Workload::CpuBalanced | Workload::CpuSkewed => cpu::cpu(&mut pool, ctx, chunksize)?,
            Workload::IoSleep => io::sleep(&mut pool, ctx, chunksize)?,
            Workload::IoNet => io::net(&mut pool, ctx, chunksize)?,
            Workload::IoFile => io::file(&mut pool, ctx, chunksize)?,
            Workload::Mixed => cpu::mixed(&mut pool, ctx, chunksize)?,
            Workload::Race => race::race(&mut pool, ctx, counter.as_ref())?,
            Workload::Spawn | Workload::PingPong => unreachable!("handled above"),
        };
        let stats = pool.shutdown()?;
        Ok(outcome
            .extra(extra::SPAWN_MS, stats.spawn_ms)
            .extra(extra::IPC_MS, stats.ipc_ms)
            .extra(extra::JOBS, stats.jobs)
            .extra(extra::CHUNKSIZE, chunksize as u64)
            .extra(extra::SHUTDOWN_MS, stats.shutdown_ms)
            .extra(extra::WORKERS_PEAK_RSS_KIB, stats.workers_peak_rss_kib))
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    // Why before harness::main: a child must never go through the command line, the watchdog or the probes.
    match args.next().as_deref() {
        Some(proto::WORKER_ARG) => worker::main(args.collect()),
        Some(proto::TASK_ARG) => spawn::task_main(args.collect()),
        Some(proto::PONGER_ARG) => pingpong::ponger_main(args.collect()),
        _ => {}
    }
    harness::main(Procs)
}
