//! `rt-threads`: OS threads from the standard library, fed by crossbeam channels.
//!
//! Variant `pool` (default) runs W threads that pull tasks from one shared channel, as Python's
//! `ThreadPoolExecutor(max_workers=W)` does; `per-task` starts one thread per task, as the article's
//! `for _ in range(n): Thread(target=task).start()` loop does, and alone runs the floor workloads: `spawn` (N threads
//! parked on one `Mutex<bool>` + `Condvar`, then released and joined; the OS stops it near 16k threads here, where
//! their four mappings each reach `vm.max_map_count`) and `ping-pong` (two threads passing a token through
//! `crossbeam_channel::bounded(1)` each way). Threads run truly in parallel here (no GIL): compare with rt-gil, which
//! runs the same threads under an emulated GIL.

mod cpu;
mod exec;
mod floor;
mod io;
mod race;

use exec::{Job, Mode};
use harness::contract::extra;
use harness::jobs::Permits;
use harness::{Facts, Info, Model, Outcome, RunCtx, RunError, Runtime};
use workloads::{RaceCounter, Workload};

const POOL: &str = "pool";
const PER_TASK: &str = "per-task";

struct Threads;

impl Runtime for Threads {
    fn info(&self) -> Info {
        Info::new("rt-threads", "Threads", Model::Threads)
            .variant(
                POOL,
                "W threads pulling tasks from a shared crossbeam channel (ThreadPoolExecutor)",
            )
            .facts(Facts::threads(harness::Threads::Workers))
            .only(Workload::LOAD)
            .variant(
                PER_TASK,
                "one OS thread per task (Thread(target=task).start() for each task)",
            )
            .facts(Facts::threads(harness::Threads::PerTask))
            .workloads(Workload::ALL)
            .versions(harness::locked_versions!("crossbeam-channel"))
            .notes_md(include_str!("../notes.md"))
    }

    fn run(&self, ctx: &RunCtx) -> Result<Outcome, RunError> {
        let (p, w) = (ctx.params, ctx.workload);
        let counter = RaceCounter::new();
        let scratch = harness::jobs::scratch_for(w, "rt-threads")?;
        let permits = Permits::new(p.workers);
        let mut ticker = None;
        // Kept apart from rt-gil's on purpose: those jobs add GIL check points and release the GIL around blocking calls.
        let jobs: Vec<Job<'_>> = match w {
            Workload::CpuBalanced | Workload::CpuSkewed => cpu::cpu(ctx),
            Workload::IoSleep => io::sleep(ctx),
            Workload::IoNet => io::net(ctx)?,
            Workload::IoFile => io::file(
                ctx,
                scratch.as_ref().map(|s| s.path()).expect("created above"),
                &permits,
            ),
            Workload::Mixed => {
                let (t, cpu) = cpu::mixed(ctx);
                ticker = Some(t);
                cpu
            }
            Workload::Race => race::race(ctx, &counter),
            // Only in per-task: `resolve` refuses them in pool (exit 3) before `run` is called.
            Workload::Spawn => return floor::spawn(ctx),
            Workload::PingPong => return floor::ping_pong(ctx),
        };
        // Race has W threads in both variants, one per racer.
        let mode = if ctx.variant == PER_TASK && w != Workload::Race {
            Mode::PerTask
        } else {
            Mode::Pool { workers: p.workers }
        };
        let jobs_len = jobs.len() as u64;
        let beside = u64::from(ticker.is_some());
        // The run's submission instant: just before the jobs are handed to the threads (see harness::latency).
        let submitted = std::time::Instant::now();
        let done = exec::run(mode, jobs, ticker)?;
        Ok(harness::jobs::outcome(w, &done, &counter, submitted).extra(
            extra::THREADS_STARTED,
            threads_started(mode, jobs_len) + beside,
        ))
    }
}

/// The threads that ran the jobs (the ticker's own thread is added by the caller).
fn threads_started(mode: Mode, jobs: u64) -> u64 {
    match mode {
        Mode::Pool { workers } => workers,
        Mode::PerTask => jobs,
    }
}

fn main() {
    harness::main(Threads)
}
