//! `rt-threads`: OS threads from the standard library, fed by crossbeam channels.
//!
//! Variant `pool` (default) runs W threads that pull tasks from one shared channel, as Python's
//! `ThreadPoolExecutor(max_workers=W)` does; `per-task` starts one thread per task, as the article's
//! `for _ in range(n): Thread(target=task).start()` loop does. Threads run truly in parallel here (no GIL): compare
//! with rt-gil, which runs the same threads under an emulated GIL.

mod exec;

use std::time::{Duration, Instant};

use exec::{Done, Job, Mode};
use harness::jobs::ms;
use harness::latency::lateness;
use harness::{Info, Model, Outcome, RunCtx, RunError, Runtime};
use workloads::{RaceCounter, Workload, blocking, count_primes, race::race_worker};

struct Threads;

impl Runtime for Threads {
    fn info(&self) -> Info {
        Info::new("rt-threads", "Threads", Model::Threads)
            .variant("pool", "W threads pulling tasks from a shared crossbeam channel (ThreadPoolExecutor)")
            .variant("per-task", "one OS thread per task (Thread(target=task).start() for each task)")
            .workloads(Workload::ALL)
            .versions(harness::locked_versions!("crossbeam-channel"))
            .notes("Native threads with no GIL: CPU work runs in parallel on min(W, cores) cores. The pool keeps only W blocking calls in flight; per-task pays thread creation per task. In race, both variants run W threads.")
    }

    fn run(&self, ctx: &RunCtx) -> Result<Outcome, RunError> {
        let p = ctx.params;
        let mode = match ctx.variant.as_str() {
            "per-task" => Mode::PerTask,
            _ => Mode::Pool { workers: p.workers },
        };
        let w = ctx.workload;
        let delay = ctx.delay();
        let sleep_job = |value: u64, d: Duration| -> Job<'static> {
            Box::new(move || {
                let t = Instant::now();
                std::thread::sleep(d);
                Ok(Done {
                    value,
                    latency_ms: vec![ms(lateness(t, d, Instant::now()))],
                })
            })
        };
        let cpu_job = |range: (u64, u64)| -> Job<'static> {
            Box::new(move || {
                Ok(Done {
                    value: count_primes(range.0, range.1, 0, &mut ()),
                    latency_ms: vec![],
                })
            })
        };
        let counter = RaceCounter::new();
        let scratch = harness::jobs::scratch_for(w, "rt-threads")?;
        // Kept apart from rt-gil's on purpose: those jobs add GIL check points and release the GIL around blocking calls.
        let jobs: Vec<Job<'_>> = match w {
            Workload::CpuBalanced | Workload::CpuSkewed => {
                (0..p.tasks).map(|i| cpu_job(p.cpu_range(w, i))).collect()
            }
            Workload::IoSleep => (0..p.tasks).map(|id| sleep_job(id, delay)).collect(),
            Workload::IoNet => {
                let addr = ctx.server()?;
                (0..p.tasks)
                    .map(|id| -> Job<'_> {
                        Box::new(move || {
                            let (echo, rtt) = blocking::net_request(addr, id, p.delay_ms)
                                .map_err(|e| format!("request {id} to {addr}: {e}"))?;
                            Ok(Done {
                                value: echo,
                                latency_ms: vec![ms(rtt)],
                            })
                        })
                    })
                    .collect()
            }
            Workload::IoFile => {
                let dir = scratch.as_ref().map(|s| s.path()).expect("created above");
                (0..p.tasks)
                    .map(|id| -> Job<'_> {
                        Box::new(move || {
                            let h = blocking::file_task(dir, id, p.size_kib)
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
                // The ticker is queued first, so in the pool it holds one thread and the CPU tasks share the rest.
                let ticker: Job<'_> = Box::new(move || {
                    let mut lat = Vec::with_capacity(p.rounds as usize);
                    for _ in 0..p.rounds {
                        let t = Instant::now();
                        std::thread::sleep(delay);
                        lat.push(ms(lateness(t, delay, Instant::now())));
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
                        Box::new(move || {
                            race_worker(counter, sync, p.work, 0, false, &mut ());
                            Ok(Done::default())
                        })
                    })
                    .collect()
            }
        };
        let mode = if w == Workload::Race {
            Mode::Pool { workers: p.workers }
        } else {
            mode
        };
        let done = exec::run(mode, jobs)?;
        Ok(harness::jobs::outcome(w, &done, &counter)
            .extra("threads_started", threads_started(mode, done.len())))
    }
}

fn threads_started(mode: Mode, jobs: usize) -> u64 {
    match mode {
        Mode::Pool { workers } => workers,
        Mode::PerTask => jobs as u64,
    }
}

fn main() {
    harness::main(Threads)
}
