//! `cpu-balanced`, `cpu-skewed` and `mixed`, one task after another: the CPU work, then (mixed) the ticker's waits.

use std::time::Instant;

use harness::{LatencyRecorder, Outcome, RunCtx};
use workloads::count_primes;

/// cpu-balanced, cpu-skewed: T CPU tasks in order.
pub fn cpu(ctx: &RunCtx) -> Outcome {
    let p = ctx.params;
    let found = (0..p.tasks)
        .map(|i| {
            let (lo, hi) = p.cpu_range(ctx.workload, i);
            count_primes(lo, hi, 0, &mut ())
        })
        .sum();
    Outcome::new(found)
}

/// mixed: the C balanced CPU tasks, then the R ticker waits (nothing overlaps, so the sum of both).
pub fn mixed(ctx: &RunCtx) -> Outcome {
    let p = ctx.params;
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
