//! The claims about parallel CPU work: under a GIL, with processes, without the GIL.

use harness::Model;
use workloads::Workload;

use super::facts::{Clause, Fact, Scope, Speed, Stated};
use super::rule::{Rule, TAKING_TURNS};
use super::{Claim, Evidence, Missing, Panel, Topic, Verdict, short};
use super::{at_cores, is_default, missing, speed};
use crate::roles::{gil, is, os_threads};
use crate::{Analysis, Row};

pub(super) fn parallel_claim(
    m: &Analysis,
    claim: Claim,
    pick: impl Fn(&Row) -> bool,
    model: Model,
    what: &str,
    rule: &Rule,
) -> Verdict {
    // The runtime's default variant speaks for it when several qualify (rt-gil's pool, not per-task).
    let r = m
        .rows_of(Workload::CpuBalanced)
        .filter(|r| pick(r) && at_cores(m, r))
        .min_by_key(|r| !is_default(m, r));
    let cores = m.cores();
    let see = Topic::Workload(Workload::CpuBalanced);
    let Some(r) = r else {
        return Verdict::missing(claim, see, missing(m, model, what));
    };
    // One CPU: nothing can run in parallel, whatever the cell measured.
    if cores < 2 {
        return Verdict::missing(claim, see, Missing::OneCpu { cores });
    }
    let s = r.speedup.unwrap_or(0.0);
    let mark = rule.mark(s);
    Verdict {
        claim,
        mark,
        evidence: Evidence::Measured(vec![
            Clause::of(vec![Fact::Speed(Speed {
                workers: Some(r.cell.workers),
                cpus: Some(cores),
                ..speed(r)
            })])
            .by(Stated::Rule(*rule)),
        ]),
        see,
        rests_on: vec![r.cell.key()],
        panel: Some(Panel::new(
            vec![
                (short(r), s),
                ("ideal".into(), r.cell.workers.min(cores) as f64),
            ],
            "x the sequential run",
            &rule.lines(),
        )),
    }
}

/// Time-slicing on one core: on one CPU, threads still overlap their waits but no longer speed up CPU work. Weighed
/// on the cells the plan pins to one CPU inside a run on two or more (the standard and full profiles), or on every
/// cell of a run pinned with `arena bench --cpus 1`; a run with neither says how to get some.
pub(super) fn time_slicing(m: &Analysis) -> Verdict {
    let claim = Claim::TimeSlicing;
    let see = Topic::Workload(Workload::CpuBalanced);
    let cores = m.cores();
    let native = |r: &Row, threads: harness::Threads| {
        is(r.facts, |f| {
            !gil(f) && os_threads(f) && f.threads == threads
        })
    };
    // On one CPU every row weighs it; on more, the cells the plan pinned to one CPU (`arena::plan::one_cpu_cell`).
    let one_cpu: Vec<&Row> = if cores == 1 {
        m.rows.iter().collect()
    } else {
        m.pinned
            .iter()
            .filter(|r| r.cell.pinned == Some(1))
            .collect()
    };
    let of = |w: Workload| {
        one_cpu
            .iter()
            .copied()
            .filter(move |r| r.cell.workload == w)
    };
    let cpu = of(Workload::CpuBalanced)
        .filter(|r| native(r, harness::Threads::Workers))
        .filter(|r| r.cell.workers >= 2 && r.cell.opts.is_empty() && r.speedup.is_some())
        .min_by_key(|r| (!is_default(m, r), r.cell.workers));
    // Waiting: threads that can have two waits in flight, a thread per task or a pool of two or more. Why not any
    // pool: on one CPU every cell gets `--workers 1` unless a sweep sets it, and a pool of one thread waits for one
    // task after another, which says nothing about whether threads overlap waits (run 2026-12-01-0101, 1.00x).
    let io = of(Workload::IoSleep)
        .filter(|r| {
            native(r, harness::Threads::PerTask)
                || (native(r, harness::Threads::Workers) && r.cell.workers >= 2)
        })
        .filter(|r| r.cell.opts.is_empty() && r.speedup.is_some())
        .max_by(|a, b| {
            a.speedup
                .unwrap_or(0.0)
                .total_cmp(&b.speedup.unwrap_or(0.0))
        });
    if cores != 1 && one_cpu.is_empty() {
        return Verdict::missing(claim, see, Missing::NotOneCpu { cores });
    }
    let (Some(cpu), Some(io)) = (cpu, io) else {
        return Verdict::missing(
            claim,
            see,
            missing(
                m,
                Model::Threads,
                "cpu-balanced cell of a thread pool (2+ workers) and io-sleep cell of threads (a thread per task, or a pool of 2+)",
            ),
        );
    };
    let rule = TAKING_TURNS;
    let mark = rule.mark(cpu.speedup.unwrap_or(9.0), io.speedup.unwrap_or(0.0));
    Verdict {
        claim,
        mark,
        evidence: Evidence::Measured(vec![
            Clause::of(vec![Fact::Speed(Speed {
                workers: Some(cpu.cell.workers),
                ..speed(cpu)
            })])
            .on(Scope::Computing { cpus: Some(1) })
            .by(Stated::Half(rule.first)),
            Clause::of(vec![Fact::Speed(speed(io))])
                .on(Scope::Waiting)
                .by(Stated::Half(rule.second)),
        ]),
        see,
        rests_on: vec![cpu.cell.key(), io.cell.key()],
        panel: Some(Panel::new(
            vec![
                (short(cpu), cpu.speedup.unwrap_or(0.0)),
                (short(io), io.speedup.unwrap_or(0.0)),
            ],
            "x the sequential run",
            &rule.lines(),
        )),
    }
}
