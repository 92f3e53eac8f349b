//! `rt-seq`: no concurrency at all. Every task runs to completion before the next one starts, on the main thread.
//!
//! It is the baseline every speedup in a report is measured against, and the reference for what each workload
//! costs when nothing overlaps: io-sleep takes T*D, io-net T round trips, mixed the CPU work plus R*D.

mod cpu;
mod io;
mod race;

use harness::{Facts, Info, Model, Outcome, RunCtx, RunError, Runtime};
use workloads::Workload;

const SEQ: &str = "seq";

struct Seq;

impl Runtime for Seq {
    fn info(&self) -> Info {
        Info::new("rt-seq", "Sequential", Model::Sequential)
            .variant(
                SEQ,
                "one task after another on the main thread; the baseline for every speedup",
            )
            .facts(Facts::sequential())
            .workloads(Workload::LOAD)
            .notes_md(include_str!("../notes.md"))
    }

    fn run(&self, ctx: &RunCtx) -> Result<Outcome, RunError> {
        Ok(match ctx.workload {
            Workload::CpuBalanced | Workload::CpuSkewed => cpu::cpu(ctx),
            Workload::IoSleep => io::sleep(ctx),
            Workload::IoNet => io::net(ctx)?,
            Workload::IoFile => io::file(ctx)?,
            Workload::Mixed => cpu::mixed(ctx),
            Workload::Race => race::race(ctx),
            Workload::Spawn | Workload::PingPong => return Err(harness::not_implemented(ctx)),
        })
    }
}

fn main() {
    harness::main(Seq)
}
