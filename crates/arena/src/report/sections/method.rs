//! Section "Machine and method": the machine, how each number was taken, how sure it is, and what else the
//! machine was doing.

use std::fmt::Write as _;

use crate::analysis::{Analysis, NOISY_CV, Row};
use crate::report::Ctx;
use crate::store::Phase;

/// The section's body.
pub fn write(out: &mut String, cx: &Ctx<'_>) {
    let m = cx.a;
    let meta = &m.run.meta;
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
         `--warmup {}`, every cell in an order shuffled with seed **{}**, with `--workers {}` given explicitly \
         unless a sweep sets it.\n",
        p.size,
        p.min_runs,
        p.max_runs,
        p.cell_budget_s,
        p.run_limit_s,
        p.warmup,
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
    if !meta.phases.is_empty() {
        let ph: Vec<String> = Phase::ALL
            .iter()
            .filter_map(|p| Some(format!("{} {:.0} s", p.name(), meta.phase(*p)?)))
            .collect();
        let _ = writeln!(out, "Time spent (after the build): {}.\n", ph.join(", "));
    }
}

/// The machine as a two-column table; the run's README shows it too.
pub fn machine_table(m: &Analysis) -> String {
    let meta = &m.run.meta;
    let mc = &meta.machine;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "| | |\n|---|---|\n| host | {} |\n| CPU | {} |\n| logical CPUs | {} |\n| physical cores | {} |\n| memory | {} MiB |\n| kernel | {} |\n| OS | {} |\n| cgroup CPU limit | {} |\n| hyperfine | {} |\n| rustc | {} |\n",
        mc.host,
        mc.cpu_model,
        mc.logical_cpus,
        mc.physical_cores
            .map_or("unknown".into(), |c| c.to_string()),
        mc.memory_mib,
        mc.kernel,
        mc.os,
        mc.cgroup_limit(),
        meta.hyperfine,
        meta.rustc.lines().next().unwrap_or("")
    );
    s
}
