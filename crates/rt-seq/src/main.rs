//! `rt-seq`: no concurrency at all. Every task runs to completion before the next one starts, on the main thread.
//!
//! It is the baseline every speedup in a report is measured against, and the reference for what each workload
//! costs when nothing overlaps: io-sleep takes T*D, io-net T round trips, mixed the CPU work plus R*D.

use std::time::Instant;

use harness::{Info, LatencyRecorder, Model, Outcome, RunCtx, RunError, Runtime, ScratchDir};
use workloads::{RaceCounter, Workload, blocking, count_primes, race::race_worker};

struct Seq;

impl Runtime for Seq {
    fn info(&self) -> Info {
        Info::new("rt-seq", "Sequential", Model::Sequential)
            .variant("seq", "one task after another on the main thread; the baseline for every speedup")
            .workloads(Workload::ALL)
            .notes("No concurrency: --workers is recorded but only one thread ever runs work. In race, the W workers run one after another, so no update can be lost.")
    }

    fn run(&self, ctx: &RunCtx) -> Result<Outcome, RunError> {
        let p = ctx.params;
        Ok(match ctx.workload {
            Workload::CpuBalanced | Workload::CpuSkewed => {
                let found = (0..p.tasks)
                    .map(|i| {
                        let (lo, hi) = p.cpu_range(ctx.workload, i);
                        count_primes(lo, hi, 0, &mut ())
                    })
                    .sum();
                Outcome::new(found)
            }
            Workload::IoSleep => {
                let mut lat = LatencyRecorder::new();
                let mut sum = 0;
                for id in 0..p.tasks {
                    let t = Instant::now();
                    std::thread::sleep(ctx.delay());
                    lat.record(harness::latency::lateness(t, ctx.delay(), Instant::now()));
                    sum += id;
                }
                Outcome::new(sum).latency(lat)
            }
            Workload::IoNet => {
                let addr = ctx.server()?;
                let mut lat = LatencyRecorder::new();
                let mut sum = 0;
                for id in 0..p.tasks {
                    let (echo, rtt) = blocking::net_request(addr, id, p.delay_ms)
                        .map_err(|e| RunError::failed(format!("request {id} to {addr}"), e))?;
                    lat.record(rtt);
                    sum += echo;
                }
                Outcome::new(sum).latency(lat)
            }
            Workload::IoFile => {
                let dir = ScratchDir::new("rt-seq")?;
                let mut acc = 0;
                for id in 0..p.tasks {
                    let h = blocking::file_task(dir.path(), id, p.size_kib).map_err(|e| {
                        RunError::failed(format!("file task {id} in {}", dir.path().display()), e)
                    })?;
                    acc = workloads::file::combine(acc, h);
                }
                Outcome::new(acc)
            }
            Workload::Mixed => {
                let mut found: u64 = (0..p.tasks)
                    .map(|i| count_primes(p.balanced_range(i).0, p.balanced_range(i).1, 0, &mut ()))
                    .sum();
                let mut lat = LatencyRecorder::new();
                for _ in 0..p.rounds {
                    let t = Instant::now();
                    std::thread::sleep(ctx.delay());
                    lat.record(harness::latency::lateness(t, ctx.delay(), Instant::now()));
                    found += 1;
                }
                Outcome::new(found).latency(lat)
            }
            Workload::Race => {
                let counter = RaceCounter::new();
                for _ in 0..p.workers {
                    race_worker(&counter, ctx.sync(), p.work, 0, false, &mut ());
                }
                Outcome::new(counter.get())
            }
        })
    }
}

fn main() {
    harness::main(Seq)
}
