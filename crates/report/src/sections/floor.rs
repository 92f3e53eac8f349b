//! Section "The floor": what one task, one hand-off and one message cost in each model, and where each model stops
//! (the spawn sweep and ping-pong; see `docs/floor.md`). Every figure comes from [`arena_analysis::floor`].

use std::fmt::Write as _;

use harness::floor::thousands;

use crate::Ctx;
use crate::charts::Chart;
use crate::template::fill;
use arena_analysis::floor::{Entry, Spread};

/// The section's body.
pub fn write(out: &mut String, cx: &Ctx<'_>) {
    let entries = cx.a.floor.as_slice();
    let _ = writeln!(out, "{}\n", fill!("floor/intro.md"));
    if entries.is_empty() {
        let _ = writeln!(out, "{}\n", fill!("floor/not_measured.md"));
        return;
    }
    findings(out, entries);
    spawn_table(out, entries);
    memory_table(out, entries);
    cx.chart(out, Chart::FloorMemory);
    limits(out, entries);
    ping_pong_table(out, entries);
}

fn name(e: &Entry) -> String {
    if e.peer {
        format!("{} *peer*", e.label())
    } else {
        e.label()
    }
}

fn spread(s: &Spread, f: impl Fn(f64) -> String) -> String {
    if s.runs < 2 || s.min == s.max {
        f(s.median)
    } else {
        format!("{} [{}–{}]", f(s.median), f(s.min), f(s.max))
    }
}

/// µs with three significant digits.
fn us(v: f64) -> String {
    if v < 10.0 {
        format!("{v:.2} µs")
    } else if v < 100.0 {
        format!("{v:.1} µs")
    } else {
        format!("{v:.0} µs")
    }
}

/// Memory per task: bytes below 10 KiB, KiB above.
fn per_task(kib: f64) -> String {
    if kib.abs() < 10.0 {
        format!("{:.0} B", kib * 1024.0)
    } else {
        format!("{kib:.1} KiB")
    }
}

fn mib(kib: f64) -> String {
    format!("{:.1} MiB", kib / 1024.0)
}

/// Every task count of the run's spawn sweep, smallest first.
fn columns(entries: &[Entry]) -> Vec<u64> {
    let mut v: Vec<u64> = entries
        .iter()
        .flat_map(|e| {
            e.points
                .iter()
                .map(|p| p.tasks)
                .chain(e.limit.as_ref().map(|l| l.at))
                .chain(e.too_slow.iter().map(|t| t.tasks))
        })
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

fn spawn_table(out: &mut String, entries: &[Entry]) {
    let cols = columns(entries);
    let spawners: Vec<&Entry> = entries
        .iter()
        .filter(|e| !e.points.is_empty() || e.limit.is_some())
        .collect();
    if spawners.is_empty() {
        return;
    }
    out.push_str("### Spawn: time to start one task\n\n");
    let _ = writeln!(out, "{}\n", fill!("floor/spawn.md"));
    let _ = write!(out, "| runtime/variant |");
    for c in &cols {
        let _ = write!(out, " N = {} |", thousands(*c));
    }
    let _ = writeln!(out, " teardown at the largest N |");
    let _ = writeln!(out, "|---|{}---|", "---|".repeat(cols.len()));
    for e in spawners {
        let _ = write!(out, "| {} |", name(e));
        for c in &cols {
            let cell = if let Some(p) = e.points.iter().find(|p| p.tasks == *c) {
                spread(&p.spawn_us, us)
            } else if e.limit.as_ref().is_some_and(|l| l.at == *c) {
                "*limit*".into()
            } else if e.limit.as_ref().is_some_and(|l| l.at < *c) {
                "".into()
            } else if e.too_slow.iter().any(|t| t.tasks == *c) {
                "*skipped*".into()
            } else {
                "—".into()
            };
            let _ = write!(out, " {cell} |");
        }
        let teardown = e.largest().map_or("—".into(), |p| {
            spread(&p.teardown_ms, |v| format!("{v:.1} ms"))
        });
        let _ = writeln!(out, " {teardown} |");
    }
    out.push('\n');
}

fn memory_table(out: &mut String, entries: &[Entry]) {
    let rows: Vec<&Entry> = entries.iter().filter(|e| !e.points.is_empty()).collect();
    if rows.is_empty() {
        return;
    }
    out.push_str("### Memory: what one parked task holds\n\n");
    let _ = writeln!(out, "{}\n", fill!("floor/memory.md"));
    out.push_str("| runtime/variant | per task (slope) | R² | at the largest N | virtual per task | parked RSS at the largest N | largest N |\n|---|---|---|---|---|---|---|\n");
    for e in rows {
        let p = e.largest().expect("rows have points");
        let n = p.tasks as f64;
        let (slope, r2) = e.fit.map_or(("—".into(), "—".into()), |f| {
            let r2 = if f.points < 3 {
                // A line fits any two points exactly: R² says nothing there.
                format!("— ({} points)", f.points)
            } else {
                format!("{:.3} ({} points)", f.r2, f.points)
            };
            (per_task(f.kib_per_task), r2)
        });
        let _ = writeln!(
            out,
            "| {} | {slope} | {r2} | {} | {} | {} | {} |",
            name(e),
            per_task(p.rss_delta_kib.median / n),
            per_task(p.vsz_delta_kib.median / n),
            spread(&p.rss_delta_kib, mib),
            thousands(p.tasks)
        );
    }
    out.push('\n');
}

fn limits(out: &mut String, entries: &[Entry]) {
    let stopped: Vec<&Entry> = entries.iter().filter(|e| e.limit.is_some()).collect();
    if stopped.is_empty() {
        return;
    }
    out.push_str("### Where a model stopped\n\n");
    let _ = writeln!(out, "{}\n", fill!("floor/limits.md"));
    for e in stopped {
        let l = e.limit.as_ref().expect("filtered");
        let ok = l
            .largest_ok
            .map_or("no point of the sweep ran".into(), |n| {
                format!("{} tasks ran", thousands(n))
            });
        let _ = writeln!(
            out,
            "- **{}**: {ok}; {} failed: {}",
            name(e),
            thousands(l.at),
            l.reason
        );
    }
    out.push('\n');
}

fn ping_pong_table(out: &mut String, entries: &[Entry]) {
    let rows: Vec<&Entry> = entries.iter().filter(|e| e.ping_pong.is_some()).collect();
    if rows.is_empty() {
        return;
    }
    out.push_str("### Ping-pong: one round trip between two tasks\n\n");
    let _ = writeln!(out, "{}\n", fill!("floor/ping_pong.md"));
    out.push_str("| runtime/variant | round trips | p50 | p99 | mean |\n|---|---|---|---|---|\n");
    for e in rows {
        let pp = e.ping_pong.as_ref().expect("filtered");
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            name(e),
            thousands(pp.round_trips),
            spread(&pp.p50_us, us),
            spread(&pp.p99_us, us),
            spread(&pp.mean_us, us)
        );
    }
    out.push('\n');
}

/// A few sentences written from the numbers: the cheapest and dearest spawn at the largest N most models reached,
/// memory per task, and the round trips.
fn findings(out: &mut String, entries: &[Entry]) {
    let mut said = Vec::new();
    // The largest N at which at least two entries ran.
    let cols = columns(entries);
    if let Some(&n) = cols.iter().rev().find(|&&n| {
        entries
            .iter()
            .filter(|e| e.points.iter().any(|p| p.tasks == n))
            .count()
            >= 2
    }) {
        let at: Vec<Of> = entries
            .iter()
            .filter_map(|e| {
                Some(Of {
                    entry: e,
                    value: e.points.iter().find(|p| p.tasks == n)?.spawn_us.median,
                })
            })
            .collect();
        if let Some((lo, hi)) = extremes(&at) {
            said.push(format!(
                "At N = {}, starting a task costs from {} ({}) to {} ({}), {:.0}x apart.",
                thousands(n),
                us(lo.value),
                name(lo.entry),
                us(hi.value),
                name(hi.entry),
                hi.value / lo.value.max(1e-9)
            ));
        }
    }
    let fits: Vec<Of> = entries
        .iter()
        .filter_map(|e| {
            Some(Of {
                entry: e,
                value: e.fit?.kib_per_task,
            })
        })
        .collect();
    if let Some((lo, hi)) = extremes(&fits)
        && fits.len() >= 2
    {
        said.push(format!(
            "A parked task holds from {} ({}) to {} ({}) of resident memory, by the slope over the sweep (R² in the \
             memory table).",
            per_task(lo.value),
            name(lo.entry),
            per_task(hi.value),
            name(hi.entry)
        ));
    }
    let stopped: Vec<String> = entries
        .iter()
        .filter_map(|e| {
            Some(format!(
                "{} at {}",
                name(e),
                thousands(e.limit.as_ref()?.at)
            ))
        })
        .collect();
    if !stopped.is_empty() {
        said.push(format!(
            "Stopped before the end of the sweep: {}.",
            stopped.join(", ")
        ));
    }
    let rtt: Vec<Of> = entries
        .iter()
        .filter_map(|e| {
            Some(Of {
                entry: e,
                value: e.ping_pong.as_ref()?.p50_us.median,
            })
        })
        .collect();
    if let Some((lo, hi)) = extremes(&rtt)
        && rtt.len() >= 2
    {
        said.push(format!(
            "A round trip takes from {} ({}) to {} ({}) at the median.",
            us(lo.value),
            name(lo.entry),
            us(hi.value),
            name(hi.entry)
        ));
    }
    if !said.is_empty() {
        let _ = writeln!(out, "{}\n", said.join(" "));
    }
}

/// One runtime's entry and one of its figures.
struct Of<'a> {
    entry: &'a Entry,
    value: f64,
}

/// The smallest and the largest figure (the first of equals), or `None` when there are none.
fn extremes<'a, 'b>(v: &'b [Of<'a>]) -> Option<(&'b Of<'a>, &'b Of<'a>)> {
    let lo = v.iter().min_by(|a, b| a.value.total_cmp(&b.value))?;
    let hi = v.iter().max_by(|a, b| a.value.total_cmp(&b.value))?;
    Some((lo, hi))
}
