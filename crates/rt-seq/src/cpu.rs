//! `cpu-balanced`, `cpu-skewed` and `mixed`, one task after another: the CPU work, then (mixed) the ticker's waits.

use std::time::Instant;

use harness::jobs::Done;
use harness::{Outcome, RunCtx};
use workloads::{RaceCounter, count_primes};

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

/// mixed: the C balanced CPU tasks, then the R ticker waits (nothing overlaps, so the sum of both). The ticker's
/// first sojourn includes the whole CPU phase, which it waited behind.
pub fn mixed(ctx: &RunCtx) -> Outcome {
    let (p, delay) = (ctx.params, ctx.delay());
    // The run's submission instant, just before the first task starts (see harness::latency).
    let submitted = Instant::now();
    let mut done: Vec<Done> = (0..p.tasks)
        .map(|i| {
            Done::value(count_primes(
                p.balanced_range(i).0,
                p.balanced_range(i).1,
                0,
                &mut (),
            ))
        })
        .collect();
    done.push(Done::ticks(harness::jobs::ticker(p.rounds, delay, || {
        std::thread::sleep(delay)
    })));
    harness::jobs::outcome(ctx.workload, &done, &RaceCounter::new(), submitted)
}
