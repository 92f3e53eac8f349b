//! `rt-procs`: a pool of worker processes fed over ipc-channel, the model of Python's `multiprocessing.Pool`.
//!
//! The parent re-executes its own binary as `--workers` worker processes (a hidden `__worker` first argument, checked
//! before the command line is parsed), bootstraps each through its own `IpcOneShotServer`, then sends tasks in
//! chunks (`--opt chunksize=N`, as `Pool.map` batches them) over one channel pair per worker and sums the results.
//! Start-up is inside the measured time, as in Python, and also reported alone (`extra.spawn_ms`).
//!
//! What it is not: a fork server or a pre-started pool (every run pays for W process starts), nor shared-memory
//! parallelism: processes share nothing unless `--opt shared=true` maps a race counter into all of them.

mod pool;
mod proto;
mod shm;
mod worker;

use std::time::Instant;

use harness::{
    Info, LatencyRecorder, Model, OptSpec, Outcome, RunCtx, RunError, Runtime, ScratchDir,
};
use pool::Pool;
use proto::{Done, Setup, Task};
use workloads::{Sync, Workload};

struct Procs;

impl Runtime for Procs {
    fn info(&self) -> Info {
        Info::new("rt-procs", "Processes", Model::Process)
            .variant("pool", "W worker processes (this binary re-executed), tasks and results over ipc-channel")
            .workloads(Workload::ALL)
            .opt(OptSpec::int("chunksize", 1, 0, 1 << 20, "tasks per message, as in Pool.map; 0 = Pool.map's default, ceil(T / (4W))"))
            .opt(OptSpec::bool("shared", false, "race: the counter lives in shared memory (memfd, mmap) that every worker maps, so updates can be lost; sync=none or atomic"))
            .versions(harness::locked_versions!("ipc-channel"))
            .notes("Process start-up is part of elapsed_ms and is also reported alone as extra.spawn_ms. I/O tasks block their worker: only W are in flight. race passes messages (each worker counts locally, the parent sums) unless shared=true. peak_rss_kib is the parent's; extra.workers_peak_rss_kib sums the workers'.")
    }

    fn run(&self, ctx: &RunCtx) -> Result<Outcome, RunError> {
        let p = ctx.params;
        let shared = ctx.workload == Workload::Race && ctx.opt_bool("shared");
        if shared && ctx.sync() == Sync::Lock {
            return Err(RunError::Usage("--opt shared=true takes sync=none or sync=atomic: std's Mutex does not work across processes".into()));
        }
        let chunksize = match ctx.opt_u64("chunksize") {
            0 => p.tasks.div_ceil(4 * p.workers).max(1),
            n => n,
        } as usize;
        // Created before the workers, so that they inherit its fd.
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
        let ids = 0..p.tasks;
        let mut outcome = match ctx.workload {
            w @ (Workload::CpuBalanced | Workload::CpuSkewed) => {
                let tasks = ids
                    .map(|i| p.cpu_range(w, i))
                    .map(|(lo, hi)| Task::Primes { lo, hi })
                    .collect();
                Outcome::new(sum(&pool.map(tasks, chunksize)?))
            }
            Workload::IoSleep => with_latency(
                pool.map(
                    ids.map(|id| Task::Sleep {
                        id,
                        delay_ms: p.delay_ms,
                    })
                    .collect(),
                    chunksize,
                )?,
            ),
            Workload::IoNet => with_latency(
                pool.map(
                    ids.map(|id| Task::Net {
                        id,
                        delay_ms: p.delay_ms,
                    })
                    .collect(),
                    chunksize,
                )?,
            ),
            Workload::IoFile => {
                let done = pool.map(
                    ids.map(|id| Task::File {
                        id,
                        size_kib: p.size_kib,
                    })
                    .collect(),
                    chunksize,
                )?;
                Outcome::new(
                    done.iter()
                        .fold(0, |acc, d| workloads::file::combine(acc, d.value)),
                )
            }
            Workload::Mixed => {
                // The CPU tasks go to the workers while the parent's own thread runs the ticker, as a Python
                // program would with `pool.map_async` and a loop of `time.sleep`.
                let tasks = ids
                    .map(|i| p.balanced_range(i))
                    .map(|(lo, hi)| Task::Primes { lo, hi })
                    .collect();
                let mut lat = LatencyRecorder::new();
                let done = std::thread::scope(|s| {
                    let cpu = s.spawn(|| pool.map(tasks, chunksize));
                    for _ in 0..p.rounds {
                        let t = Instant::now();
                        std::thread::sleep(ctx.delay());
                        lat.record(harness::latency::lateness(t, ctx.delay(), Instant::now()));
                    }
                    cpu.join().unwrap_or_else(|_| {
                        Err(RunError::Failed("the dispatch thread panicked".into()))
                    })
                })?;
                Outcome::new(sum(&done) + p.rounds).latency(lat)
            }
            Workload::Race => {
                let sync = ctx.sync().name().to_string();
                let done = pool.each(
                    (0..p.workers)
                        .map(|_| Task::Race {
                            k: p.work,
                            sync: sync.clone(),
                        })
                        .collect(),
                )?;
                match &counter {
                    Some(c) => Outcome::new(c.counter().get()).extra("race", "shared memory: every worker incremented one counter in a memfd mapped by all"),
                    None => Outcome::new(sum(&done)).extra("race", "message passing: each worker counted in its own memory and the parent summed the counts"),
                }
            }
        };
        let stats = pool.shutdown()?;
        outcome = outcome
            .extra("spawn_ms", stats.spawn_ms)
            .extra("ipc_ms", stats.ipc_ms)
            .extra("jobs", stats.jobs)
            .extra("chunksize", chunksize as u64)
            .extra("workers_peak_rss_kib", stats.workers_peak_rss_kib);
        Ok(outcome)
    }
}

fn sum(done: &[Done]) -> u64 {
    done.iter().map(|d| d.value).sum()
}

/// The outcome of io-sleep or io-net: the sum of the values, and the latency samples the workers measured.
fn with_latency(done: Vec<Done>) -> Outcome {
    let mut lat = LatencyRecorder::new();
    done.iter()
        .filter_map(|d| d.latency_ns)
        .for_each(|ns| lat.record(std::time::Duration::from_nanos(ns)));
    Outcome::new(sum(&done)).latency(lat)
}

fn main() {
    let mut args = std::env::args();
    // Why before harness::main: a worker must never go through the command line, the watchdog or the probes.
    if args.nth(1).as_deref() == Some(proto::WORKER_ARG) {
        worker::main(args.collect());
    }
    harness::main(Procs)
}
