//! Section "Machine and method": the machine, how each number was taken, how sure it is, and what else the
//! machine was doing.

use std::fmt::Write as _;

use crate::Ctx;
use crate::template::fill;
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
        "{}\n",
        fill!(
            "method/method.md",
            size = p.size,
            min_runs = p.min_runs,
            max_runs = p.max_runs,
            budget = format!("{:.1}", p.cell_budget_s),
            limit = format!("{:.0}", p.run_limit_s),
            warmup = warmup_rule(m),
            seed = meta.seed,
            workers = meta.workers
        )
    );
    let _ = writeln!(out, "{}\n", fill!("method/measured.md"));
    let noisy: Vec<&Row> = m.rows.iter().filter(|r| r.noisy()).collect();
    let _ = writeln!(
        out,
        "{}\n",
        fill!(
            "method/how_sure.md",
            cv = format!("{:.0}", NOISY_CV * 100.0),
            noisy = noisy.len(),
            timed = m.rows.len(),
            which = if noisy.is_empty() {
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
        )
    );
    let cores = m.cores() as f64;
    let load = meta.load.first().map_or("not recorded".to_string(), |l| {
        format!("{l} (1, 5, 15 min)")
    });
    match meta.other_cpus {
        Some(o) => {
            let other = format!("{o:.2}");
            let cores = format!("{cores:.0}");
            let text = if o > 0.25 {
                fill!(
                    "method/load_busy.md",
                    other = other,
                    cores = cores,
                    load = load
                )
            } else {
                fill!(
                    "method/load_quiet.md",
                    other = other,
                    cores = cores,
                    load = load
                )
            };
            let _ = writeln!(out, "{text}\n");
        }
        None => {
            let _ = writeln!(out, "{}\n", fill!("method/load_unmeasured.md", load = load));
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
        let _ = writeln!(out, "{}\n", fill!("method/steadiness_unmeasured.md"));
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
    let steal_limit = format!("{:.0}", STEAL_LIMIT * 100.0);
    let stolen = if q.stolen_cells.is_empty() {
        String::new()
    } else {
        let cells: Vec<String> = q
            .stolen_cells
            .iter()
            .map(|c| format!("`{}` {:.0}%", c.label, c.share * 100.0))
            .collect();
        format!(
            " {}",
            fill!(
                "method/stolen.md",
                steal_limit = steal_limit,
                cells = cells.join(", ")
            )
        )
    };
    let _ = writeln!(
        out,
        "{}\n",
        fill!(
            "method/steadiness.md",
            steal = steal,
            steal_limit = steal_limit,
            calibration = cal.join(", "),
            drift = q
                .drift
                .map_or("n/a".into(), |d| format!("{:.1}%", d * 100.0)),
            drift_limit = format!("{:.0}", DRIFT_LIMIT * 100.0),
            stolen = stolen
        )
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
        return fill!("method/warmup_recorded.md", warmup = w, from = from);
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
    fill!(
        "method/warmup_inferred.md",
        warmup = w,
        fewer = fewer.len(),
        timed = got.len(),
        pilot_range = pilot_range
    )
}
