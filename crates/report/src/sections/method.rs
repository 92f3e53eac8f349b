//! Section "Machine and method": the machine, how each number was taken, how sure it is, and what else the
//! machine was doing.

use std::fmt::Write as _;

use crate::Ctx;
use arena_analysis::quality::{DRIFT_LIMIT, RunQuality, STEAL_LIMIT};
use arena_analysis::{Analysis, NOISY_CV, Row};
use arena_store::Phase;

/// The section's body.
pub fn write(out: &mut String, cx: &Ctx<'_>) {
    let m = cx.a;
    let meta = &m.run.meta;
    let q = &cx.a.quality;
    out.push_str(&machine_table(m));
    let p = &meta.profile;
    let _ = writeln!(
        out,
        "**Method.** Every cell was first verified at `--size check` against a reference checksum computed by a \
         different algorithm; a cell that failed was not timed. Each verified cell then ran once, untimed, at the \
         timed size (`--size {}`): that run's RunReport is kept (latency percentiles, lost updates, peak RSS, \
         threads, runtime statistics) and its wall time chose the number of timed runs ({}–{} runs, about {:.1} s \
         of timed runs per cell, shrunk to fit the profile's total budget). A cell whose one run took, or was \
         projected to take, over {:.0} s was skipped with the reason. Timing: hyperfine `-N` (no shell), \
         {}, every cell in an order shuffled with seed **{}**, with `--workers {}` given explicitly \
         unless a sweep sets it.\n",
        p.size,
        p.min_runs,
        p.max_runs,
        p.cell_budget_s,
        p.run_limit_s,
        warmup_rule(m),
        meta.seed,
        meta.workers
    );
    out.push_str(
        "**What is measured.** hyperfine times the whole process: exec, the runtime's start-up and shutdown, the \
         work, and exit. The runtime's own `elapsed_ms` (in `raw/reports/`) covers only setting up the model, the \
         work and shutting it down, so the difference is process start-up and exit, the same for every model \
         written in Rust. User and sys are hyperfine's mean CPU times per run, children included. Peak RSS is each \
         runtime's own VmHWM, not hyperfine's (1.x's figure is a running maximum over every child).\n\n",
    );
    let noisy: Vec<&Row> = m.rows.iter().filter(|r| r.noisy()).collect();
    let _ = writeln!(
        out,
        "**How sure.** Each table gives the 95% confidence interval of the mean (Student's t over the timed runs). \
         A cell whose coefficient of variation (sd / mean) is above {:.0}% is flagged noisy: {} of {} timed cells here{}. \
         Differences smaller than the confidence intervals are not differences; `arena compare` tests them \
         (Welch's t).\n",
        NOISY_CV * 100.0,
        noisy.len(),
        m.rows.len(),
        if noisy.is_empty() {
            String::new()
        } else {
            format!(
                " ({})",
                noisy
                    .iter()
                    .map(|r| format!("`{} {}`", r.cell.workload, r.cell.label()))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    );
    let cores = m.cores() as f64;
    let load = meta.load.first().map_or("not recorded".to_string(), |l| {
        format!("{l} (1, 5, 15 min)")
    });
    match meta.other_cpus {
        Some(o) if o > 0.25 => {
            let _ = writeln!(
                out,
                "**Other load. The machine was busy:** processes other than this run's used {o:.2} of {cores:.0} CPUs on average while it ran (load average at the start: {load}). They competed with the cells, so parallel speedups are understated and spreads are larger than on a quiet machine: re-run on a quiet machine before drawing conclusions.\n"
            );
        }
        Some(o) => {
            let _ = writeln!(
                out,
                "**Other load.** Processes other than this run's used {o:.2} of {cores:.0} CPUs on average while it ran (machine busy time in `/proc/stat` minus the driver's and its children's CPU time); the load average at the start was {load}. The cores went to the cells.\n"
            );
        }
        None => {
            let _ = writeln!(
                out,
                "**Other load.** Not measured in this run (load average at the start: {load}).\n"
            );
        }
    }
    steadiness(out, q);
    if !meta.phases.is_empty() {
        let ph: Vec<String> = Phase::ALL
            .iter()
            .filter_map(|p| Some(format!("{} {:.0} s", p.name(), meta.phase(*p)?)))
            .collect();
        let _ = writeln!(out, "Time spent (after the build): {}.\n", ph.join(", "));
    }
}

/// Steal and drift, in a paragraph: what the hypervisor took and how steady the machine's speed was.
fn steadiness(out: &mut String, q: &RunQuality) {
    if !q.measured() {
        out.push_str("**Steadiness.** Not measured in this run (steal time and the calibration kernel came later).\n\n");
        return;
    }
    let steal = q
        .steal
        .map_or("not readable".into(), |s| format!("{:.1}%", s * 100.0));
    let cal: Vec<String> = q
        .calibration_ms
        .iter()
        .map(|(at, ms)| format!("{at} {ms:.1} ms"))
        .collect();
    let _ = writeln!(
        out,
        "**Steadiness.** The hypervisor gave other guests {steal} of the machine's CPU time during the run (steal, \
         limit {:.0}%). The calibration kernel (a fixed prime count in the driver, best of three) took {}: a drift of \
         {} (limit {:.0}%).{}\n",
        STEAL_LIMIT * 100.0,
        cal.join(", "),
        q.drift
            .map_or("n/a".into(), |d| format!("{:.1}%", d * 100.0)),
        DRIFT_LIMIT * 100.0,
        if q.stolen_cells.is_empty() {
            String::new()
        } else {
            format!(
                " Cells that lost more than {:.0}% to steal while timed: {}.",
                STEAL_LIMIT * 100.0,
                q.stolen_cells
                    .iter()
                    .map(|(_, l, s)| format!("`{l}` {:.0}%", s * 100.0))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    );
}

/// The machine as a two-column table; the run's README shows it too.
pub fn machine_table(m: &Analysis) -> String {
    let meta = &m.run.meta;
    let mc = &meta.machine;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "| | |\n|---|---|\n| host | {} |\n| CPU | {} |\n| logical CPUs | {}{} |\n| physical cores | {} |\n| memory | {} MiB |\n| kernel | {} |\n| OS | {} |\n| cgroup CPU limit | {} |\n{}| hyperfine | {} |\n| rustc | {} |\n",
        mc.host,
        mc.cpu_model,
        mc.logical_cpus,
        match (meta.cpus, mc.online_cpus) {
            (Some(n), Some(all)) => format!(
                " (pinned with `--cpus {n}` to CPUs {:?} of {all} online)",
                mc.affinity
            ),
            (None, Some(all)) if all != mc.logical_cpus => format!(" of {all} online"),
            _ => String::new(),
        },
        mc.physical_cores
            .map_or("unknown".into(), |c| c.to_string()),
        mc.memory_mib,
        mc.kernel,
        mc.os,
        mc.cgroup_limit(),
        if meta.schema_version >= 3 {
            format!(
                "| SMT | {} |\n| frequency governor | {} |\n| virtualization | {} |\n",
                mc.smt.map_or("unknown", |s| if s { "on" } else { "off" }),
                mc.governor,
                mc.virtualization
            )
        } else {
            String::new()
        },
        meta.hyperfine,
        meta.rustc.lines().next().unwrap_or("")
    );
    s
}

/// The warm-up rule this run was timed with, from its own record: the rule itself where the run recorded it (schema
/// 5 on), else what its cells' records say they got, never today's rule.
fn warmup_rule(m: &Analysis) -> String {
    let meta = &m.run.meta;
    let w = meta.profile.warmup;
    if let Some(from) = meta.policy.no_warmup_from_s {
        return format!(
            "`--warmup {w}` (none where the cell's pilot took {from} s or more: its verify and pilot runs had \
             already loaded the same files)"
        );
    }
    // (warm-ups it got, its pilot's wall time) of every timed cell.
    let got: Vec<(u32, Option<f64>)> = m
        .run
        .cells
        .iter()
        .filter_map(|c| {
            Some((
                c.timing.as_ref()?.warmup,
                c.pilot.as_ref().map(|p| p.wall_s),
            ))
        })
        .collect();
    let (fewer, full): (Vec<_>, Vec<_>) = got.iter().partition(|(g, _)| *g < w);
    if fewer.is_empty() {
        return format!("`--warmup {w}` for every timed cell");
    }
    let pilots = |v: &[&(u32, Option<f64>)]| v.iter().filter_map(|(_, p)| *p).collect::<Vec<f64>>();
    let shortest_without = pilots(&fewer).into_iter().reduce(f64::min);
    let longest_with = pilots(&full).into_iter().reduce(f64::max);
    let pilot_range = match (longest_with, shortest_without) {
        (Some(a), Some(b)) => {
            format!(": their pilots took {b:.2} s or more, those of the others at most {a:.2} s")
        }
        _ => String::new(),
    };
    format!(
        "`--warmup {w}`, and fewer for {} of {} timed cells{pilot_range} (each cell's record says what it got; \
         the run did not record the rule itself)",
        fewer.len(),
        got.len()
    )
}
