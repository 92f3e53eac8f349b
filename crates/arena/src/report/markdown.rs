//! `report.md` and the run's `README.md`, as plain `format!` tables so snapshots stay stable.

use std::fmt::Write as _;

use workloads::Workload;

use super::{Caveat, Model, NOISY_CV, Row};
use crate::plan::Axis;
use crate::results::Status;

/// A duration in seconds, in a readable unit.
pub fn secs(s: f64) -> String {
    if !s.is_finite() {
        "n/a".into()
    } else if s >= 10.0 {
        format!("{s:.1} s")
    } else if s >= 1.0 {
        format!("{s:.2} s")
    } else if s >= 0.01 {
        format!("{:.1} ms", s * 1000.0)
    } else {
        format!("{:.2} ms", s * 1000.0)
    }
}

/// A ratio such as a speedup, `1.93x`, or `n/a`.
pub fn opt_x(x: Option<f64>) -> String {
    x.map_or("n/a".into(), |v| format!("{v:.2}x"))
}

fn opt_pct(x: Option<f64>) -> String {
    x.map_or("n/a".into(), |v| format!("{:.0}%", v * 100.0))
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// The section of one workload's table.
fn workload_table(out: &mut String, m: &Model, w: Workload) {
    let rows: Vec<&Row> = m.rows_of(w).collect();
    if rows.is_empty() {
        out.push_str("No timed cell for this workload in this run (see [Failures and exclusions](#7-failures-and-exclusions)).\n\n");
        return;
    }
    let race = w == Workload::Race;
    out.push_str("| runtime/variant | median | mean ± sd | 95% CI of mean | min–max | user | sys | cores busy | peak RSS | threads | speedup vs seq | efficiency |");
    if race {
        out.push_str(" lost updates |");
    }
    out.push_str(" runs |\n|---|---|---|---|---|---|---|---|---|---|---|---|");
    if race {
        out.push_str("---|");
    }
    out.push_str("---|\n");
    for r in rows {
        let sd = r.hf.stddev.unwrap_or(f64::NAN);
        let noisy = if r.noisy() { " ⚠ noisy" } else { "" };
        let rss = r
            .report
            .as_ref()
            .map_or("n/a".into(), |x| mib(x.peak_rss_kib));
        let threads = r
            .report
            .as_ref()
            .map_or("n/a".into(), |x| x.os_threads_peak.to_string());
        let _ = write!(
            out,
            "| {}{noisy} | {} | {} ± {} | ±{} | {} – {} | {} | {} | {:.2} | {rss} | {threads} | {} | {} |",
            r.cell.label(),
            secs(r.hf.median),
            secs(r.hf.mean),
            secs(sd),
            opt_pct(r.ci95),
            secs(r.hf.min),
            secs(r.hf.max),
            secs(r.hf.user),
            secs(r.hf.system),
            r.cores_busy,
            opt_x(r.speedup),
            opt_pct(r.efficiency),
        );
        if race {
            let lost = r.report.as_ref().map_or("n/a".into(), |x| {
                let of = x.reference_checksum().max(1);
                format!(
                    "{} ({:.1}%)",
                    x.lost_updates.unwrap_or(0),
                    x.lost_updates.unwrap_or(0) as f64 * 100.0 / of as f64
                )
            });
            let _ = write!(out, " {lost} |");
        }
        let _ = writeln!(out, " {} |", r.runs);
    }
    out.push('\n');
    if let Some((_, what)) = m.rows_of(w).find_map(|r| r.ideal) {
        let _ = writeln!(
            out,
            "Efficiency = ideal / median, where the ideal is {what}.\n"
        );
    }
    let extras: Vec<String> = m
        .rows_of(w)
        .filter_map(|r| {
            let x = r.report.as_ref()?;
            (!x.extra.is_empty()).then(|| {
                let kv: Vec<String> = x.extra.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!("- `{}`: {}", r.cell.label(), kv.join(", "))
            })
        })
        .collect();
    if !extras.is_empty() {
        out.push_str("Runtime-specific figures from each cell's kept RunReport (`extra`):\n\n");
        out.push_str(&extras.join("\n"));
        out.push_str("\n\n");
    }
}

/// `report.md`.
pub fn report(m: &Model, charts: &[(String, String)]) -> String {
    let meta = &m.run.meta;
    let mut out = String::new();
    let timed = m.rows.len();
    let total = m.run.cells.len();
    let runtimes: Vec<&str> = m
        .run
        .runtimes
        .iter()
        .filter(|r| r.usable())
        .map(|r| r.name.as_str())
        .collect();
    let _ = writeln!(out, "# Concurrency Arena report: {}\n", m.name);
    let _ = writeln!(
        out,
        "Profile **{}** on **{}** ({} CPUs, {}), started {}{}. {} of {} cells timed; runtimes: {}. \
         How to read this report: [docs/report.md](../../docs/report.md). The exact command, tool versions and machine \
         are in [README.md](README.md); the raw data in `raw/`.\n",
        meta.profile.name,
        meta.machine.host,
        meta.machine.logical_cpus,
        meta.machine.cpu_model,
        meta.started_utc,
        if meta.interrupted {
            " (**interrupted**: this report is partial)"
        } else if meta.finished_utc.is_none() {
            " (**not finished**: this report is partial)"
        } else {
            ""
        },
        timed,
        total,
        if runtimes.is_empty() {
            "none".to_string()
        } else {
            runtimes.join(", ")
        },
    );
    out.push_str("1. [Verdicts](#1-verdicts)\n2. [Workloads](#2-workloads)\n3. [Scaling](#3-scaling)\n4. [Latency](#4-latency)\n5. [Calibration against CPython and Node](#5-calibration-against-cpython-and-node)\n6. [Machine and method](#6-machine-and-method)\n7. [Failures and exclusions](#7-failures-and-exclusions)\n\n");

    out.push_str("## 1. Verdicts\n\nEach claim of the article against this run's numbers. A claim whose evidence is missing says so.\n\n| claim | verdict | evidence | see |\n|---|---|---|---|\n");
    for v in super::verdicts::all(m) {
        let _ = writeln!(
            out,
            "| {} | **{}** | {} | [section]({}) |",
            v.claim,
            v.mark.text(),
            v.evidence,
            v.section
        );
    }
    out.push('\n');

    out.push_str("## 2. Workloads\n\nWall times are hyperfine's, for the whole process (start-up included). `cores busy` = (user + sys) / mean wall. Speedup = the sequential median / this median, for the same workload and tasks: rt-seq's, or py-seq's for the CPython peers, whose work is scaled (section 5). ⚠ marks a noisy cell.\n\n");
    for w in Workload::ALL {
        let _ = writeln!(out, "### {w}\n\n{}.\n", w.describe());
        // The first workspace runtime's parameters: a CPython peer's work is scaled down (section 5).
        if let Some(r) = m
            .rows_of(w)
            .filter(|r| !r.peer)
            .find_map(|r| r.report.as_ref())
        {
            let mut p = r.params.clone();
            p.remove("opts");
            p.remove("deadline_s");
            p.remove("addr");
            p.remove("workers");
            let kv: Vec<String> = p.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let _ = writeln!(
                out,
                "Parameters of the first row: {}. A row's label shows what its sweep point or opt changes; every row passes --workers (the machine's CPUs unless the label says otherwise).{}\n",
                kv.join(", "),
                if m.rows_of(w).any(|r| r.peer) && w.uses().contains(&"work") {
                    " The CPython peers (py-*) run the same tasks with `work` divided by their scale (section 5)."
                } else {
                    ""
                }
            );
        }
        workload_table(&mut out, m, w);
        if let Some((file, alt)) = charts.iter().find(|(f, _)| *f == format!("{w}.svg")) {
            let _ = writeln!(out, "![{alt}](charts/{file})\n");
        }
    }

    out.push_str("## 3. Scaling\n\n");
    let workers = m.sweep(Workload::CpuBalanced, Axis::Workers);
    out.push_str("### Speedup against workers (cpu-balanced)\n\n");
    if workers.is_empty() {
        out.push_str(
            "Not measured: this profile does not run the sweeps (use `--profile standard`).\n\n",
        );
    } else {
        let _ = writeln!(out, "Ideal: min(workers, {} CPUs).\n", m.cores());
        out.push_str("| runtime/variant | workers | median | speedup vs seq | efficiency |\n|---|---|---|---|---|\n");
        for (s, rows) in &workers {
            for r in rows {
                let _ = writeln!(
                    out,
                    "| {s} | {} | {} | {} | {} |",
                    r.cell.workers,
                    secs(r.hf.median),
                    opt_x(r.speedup),
                    opt_pct(r.efficiency)
                );
            }
        }
        out.push('\n');
        if charts.iter().any(|(f, _)| f == "scaling-workers.svg") {
            out.push_str("![speedup against workers](charts/scaling-workers.svg)\n\n");
        }
    }
    out.push_str("### Wall time against tasks (io-sleep)\n\n");
    let tasks = m.sweep(Workload::IoSleep, Axis::Tasks);
    if tasks.is_empty() {
        out.push_str(
            "Not measured: this profile does not run the sweeps (use `--profile standard`).\n\n",
        );
    } else {
        out.push_str("Ideal: D, whatever the number of tasks. Points skipped as too slow are listed in section 7.\n\n| runtime/variant | tasks | median | ideal (D) | efficiency |\n|---|---|---|---|---|\n");
        for (s, rows) in &tasks {
            for r in rows {
                let _ = writeln!(
                    out,
                    "| {s} | {} | {} | {} | {} |",
                    r.cell.tasks.unwrap_or(0),
                    secs(r.hf.median),
                    r.ideal.map_or("n/a".into(), |(i, _)| secs(i)),
                    opt_pct(r.efficiency)
                );
            }
        }
        out.push('\n');
        if charts.iter().any(|(f, _)| f == "scaling-tasks.svg") {
            out.push_str("![wall time against tasks, log-log](charts/scaling-tasks.svg)\n\n");
        }
    }
    let switch = m.sweep(Workload::Mixed, Axis::SwitchIntervalUs);
    if !switch.is_empty() {
        out.push_str("### Switch interval under the GIL (mixed, the convoy)\n\nThe convoy effect: one CPU task and a ticker (`--tasks 1 --rounds 12 --delay-ms 5`, the CPU task about 1 s long, `--workers 2`); each time the ticker wakes it waits for the lock about one switch interval. Section 5 sets rt-gil beside CPython.\n\n| runtime/variant | switch interval | median | ticker p50 lateness | ticker p99 lateness |\n|---|---|---|---|---|\n");
        for (s, rows) in &switch {
            for r in rows {
                let (p50, p99) = r
                    .report
                    .as_ref()
                    .and_then(|x| x.latency_ms)
                    .map_or(("n/a".into(), "n/a".into()), |l| {
                        (format!("{:.2} ms", l.p50), format!("{:.2} ms", l.p99))
                    });
                let _ = writeln!(
                    out,
                    "| {s} | {} ms | {} | {p50} | {p99} |",
                    r.cell.point.map_or(0, |p| p.value) as f64 / 1000.0,
                    secs(r.hf.median)
                );
            }
        }
        out.push('\n');
    }

    out.push_str("## 4. Latency\n\nFrom each cell's kept RunReport (one untimed run at the timed size). mixed: how late the ticker woke; io-net: request round trip; io-sleep: how late each wait ended.\n\n");
    for w in [Workload::Mixed, Workload::IoNet] {
        let _ = writeln!(out, "### Latency: {w}\n");
        let cells: Vec<_> = m
            .run
            .cells
            .iter()
            .filter(|c| c.cell.workload == w)
            .filter_map(|c| Some((c, c.report.as_ref()?.latency_ms?)))
            .collect();
        if cells.is_empty() {
            out.push_str("No latency recorded for this workload in this run.\n\n");
            continue;
        }
        out.push_str("| runtime/variant | p50 | p90 | p99 | max |\n|---|---|---|---|---|\n");
        for (c, l) in cells {
            let _ = writeln!(
                out,
                "| {} | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms |",
                c.cell.label(),
                l.p50,
                l.p90,
                l.p99,
                l.max
            );
        }
        out.push('\n');
        if charts.iter().any(|(f, _)| *f == format!("latency-{w}.svg")) {
            let _ = writeln!(out, "![{w} latency p50 and p99](charts/latency-{w}.svg)\n");
        }
    }

    out.push_str(&super::calibration::section(m, 5).0);

    out.push_str("## 6. Machine and method\n\n");
    out.push_str(&machine(m));
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
        let ph: Vec<String> = ["verify_s", "pilot_s", "time_s", "total_s"]
            .iter()
            .filter_map(|k| {
                Some(format!(
                    "{} {:.0} s",
                    k.trim_end_matches("_s"),
                    meta.phases.get(*k)?
                ))
            })
            .collect();
        let _ = writeln!(out, "Time spent (after the build): {}.\n", ph.join(", "));
    }

    out.push_str("## 7. Failures and exclusions\n\n");
    if m.caveats.is_empty() {
        out.push_str("None: every runtime implemented every workload, and every cell was verified and timed.\n");
    } else {
        for c in &m.caveats {
            let _ = writeln!(out, "- {c}");
        }
    }
    let failed = m
        .caveats
        .iter()
        .filter(|c| {
            matches!(
                c,
                Caveat::Cell {
                    status: Status::VerifyFailed { .. }
                        | Status::PilotFailed { .. }
                        | Status::TimingFailed { .. },
                    ..
                }
            )
        })
        .count();
    if failed > 0 {
        let _ = writeln!(
            out,
            "\n{failed} cell(s) failed; their numbers are absent everywhere above, never estimated."
        );
    }
    out
}

fn machine(m: &Model) -> String {
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

/// The run folder's `README.md`: what ran, with what, where.
pub fn readme(m: &Model) -> String {
    let meta = &m.run.meta;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# {}\n\nAn `arena bench` run. Start with [report.md](report.md); `raw/` holds hyperfine's JSON (`raw/hyperfine/`), every kept RunReport (`raw/reports/`) and each cell's record (`raw/cells/`). From the repository root, `just report results/{}` (or `cargo arena report results/{}`) re-renders the report and charts from `raw/` alone.\n",
        m.name, m.name, m.name
    );
    let _ = writeln!(
        s,
        "## Command\n\n```sh\n{}\n```\n\nProfile `{}`, shuffle seed `{}`, started {}, finished {}.\n",
        meta.command,
        meta.profile.name,
        meta.seed,
        meta.started_utc,
        meta.finished_utc.as_deref().unwrap_or(if meta.interrupted {
            "never (interrupted)"
        } else {
            "never (stopped)"
        })
    );
    let _ = writeln!(s, "## Machine\n\n{}", machine(m));
    let _ = writeln!(
        s,
        "## Tools\n\n```text\n$ rustc -vV\n{}\n$ hyperfine --version\n{}\n```\n",
        meta.rustc, meta.hyperfine
    );
    s.push_str("## Crate versions (from Cargo.lock)\n\n| crate | version |\n|---|---|\n");
    for (k, v) in &meta.crate_versions {
        let _ = writeln!(s, "| {k} | {v} |");
    }
    s.push_str("\n## Runtimes\n\n| runtime | display | model | variants | command | status |\n|---|---|---|---|---|---|\n");
    for r in &m.run.runtimes {
        let (display, model, variants) =
            r.info
                .as_ref()
                .map_or(("?".into(), "?".into(), String::new()), |i| {
                    (
                        i.display.clone(),
                        format!("{:?}", i.model).to_lowercase(),
                        i.variants
                            .iter()
                            .map(|v| v.name.clone())
                            .collect::<Vec<_>>()
                            .join(", "),
                    )
                });
        let cmd = r
            .command
            .iter()
            .map(|c| c.rsplit('/').next().unwrap_or(c).to_string())
            .collect::<Vec<_>>()
            .join(" ");
        let _ = writeln!(
            s,
            "| {} | {display} | {model} | {variants} | `{cmd}` | {} |",
            r.name,
            r.excluded.as_deref().unwrap_or("used")
        );
    }
    s
}
