//! Section "The GIL across CPython versions": the rows, findings and rt-gil checks of
//! [`arena_analysis::cpython`], with its chart.

use std::fmt::Write as _;

use super::calibration::label;
use crate::charts::Chart;
use crate::format::opt_x;
use crate::{Ctx, SectionId};
use arena_analysis::calibration::Rmw;
use arena_analysis::cpython::{Check, Figure, GIL_SPEEDUP_CEILING, Loss, Versions};
use arena_store::cpython::{Probe, Source};

/// The section's body.
pub fn write(out: &mut String, cx: &Ctx<'_>) {
    let Some(v) = &cx.a.cpython else {
        let why = match cx.a.run.meta.profile.cpython_budget_s {
            Some(b) if b <= 0.0 => format!(
                "the `{}` profile gives it no budget (or the run predates it: raw schema 5 and older)",
                cx.a.run.meta.profile.name
            ),
            _ => {
                "no CPython peer was selected (or `--no-peers`), and no `--python` was given".into()
            }
        };
        let _ = writeln!(
            out,
            "This run has no CPython-versions sweep: {why}. `arena bench --profile quick` (or standard, full) with a \
             CPython peer runs it on every CPython 3.8+ found; see [docs/peers.md](../../docs/peers.md).\n"
        );
        return;
    };
    intro(out, v);
    table(out, v);
    cx.chart(out, Chart::CpythonVersions);
    findings(out, v);
    checks(out, v, cx.number(SectionId::CpythonVersions));
    left_out(out, v);
}

/// `417,959 of 1,000,000` as `417,959 (41.8%)`.
fn loss(l: Option<Loss>) -> String {
    l.map_or("n/a".into(), |l| {
        format!(
            "{} ({:.1}%)",
            harness::floor::thousands(l.lost),
            l.share() * 100.0
        )
    })
}

fn intro(out: &mut String, v: &Versions) {
    let how = match v.source {
        Source::Discovered => {
            "every CPython 3.8+ found on this machine (`python3.X`/`python3.Xt` on PATH, pyenv's versions, uv's, and \
             the repository's `.tools/python-ft`)"
        }
        Source::Given => "the interpreters given with `--python`",
    };
    let budget = v
        .budget_s
        .map_or("no limit".to_string(), |b| format!("a budget of {b:.0} s"));
    let _ = writeln!(
        out,
        "The article says the GIL makes `counter += 1` safe. Whether it does depends on the CPython version, so the \
         Python peer ran on {how}: per interpreter, the threading peer's race with `counter += 1` (`--opt rmw=plain`) \
         and `counter += f()` (`--opt rmw=call`) at 2 and 4 threads, and cpu-balanced on the seq and threading peers \
         at 2 threads, three of each alternated (the speedup is the seq median `elapsed_ms` over the threading \
         median). Size `{}`, work ÷{}, race ÷{} (from peers/peers.toml); {budget}, {:.0} s used.\n",
        v.size.name(),
        v.work_scale,
        v.race_scale,
        v.elapsed_s
    );
}

fn table(out: &mut String, v: &Versions) {
    if v.rows.is_empty() {
        out.push_str(
            "No CPython 3.8+ was found that runs the peer (see the skipped list below).\n\n",
        );
        return;
    }
    out.push_str(
        "| CPython | GIL | switch interval | `+= 1` lost, 2 threads | `+= 1` lost, 4 threads | `+= f()` lost, 2 \
         threads | `+= f()` lost, 4 threads | 2-thread speedup | build flags |\n\
         |---|---|--:|--:|--:|--:|--:|--:|---|\n",
    );
    for r in &v.rows {
        let flags = if r.build_flags.is_empty() {
            "(none)".to_string()
        } else {
            r.build_flags
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let _ = writeln!(
            out,
            "| {} | {} | {:.0} ms | {} | {} | {} | {} | {} | {flags} |",
            r.id,
            if r.free_threaded {
                "free-threaded"
            } else {
                "GIL"
            },
            r.switch_interval_s * 1000.0,
            loss(r.cell(Rmw::Plain, 2)),
            loss(r.cell(Rmw::Plain, 4)),
            loss(r.cell(Rmw::Call, 2)),
            loss(r.cell(Rmw::Call, 4)),
            opt_x(r.speedup.map(|s| s.ratio)),
        );
    }
    out.push('\n');
}

fn list(ids: &[String]) -> String {
    if ids.is_empty() {
        "none".into()
    } else {
        ids.join(", ")
    }
}

fn findings(out: &mut String, v: &Versions) {
    let f = &v.findings;
    let _ = writeln!(
        out,
        "What is version-dependent:\n\n\
         - `counter += 1` under the GIL **lost updates** on: {}; **lost none** on: {}. Before 3.10 the interpreter \
         could switch threads between the load and the store of `+=` (it checked for a pending switch at almost \
         any instruction); bpo-29988 (3.10) moved that check (the eval breaker) to backward jumps, function entry \
         and after calls, so a plain `+=` on a global no longer straddles a switch. That is an implementation \
         detail of the bytecode loop, not a guarantee of the language.\n\
         - `counter += f()` lost updates on: {}; lost none on: {}. The call between the load and the store is a \
         switch point in every version: no GIL makes this form safe.",
        list(&f.plain_loses),
        list(&f.plain_safe),
        list(&f.call_loses),
        list(&f.call_safe),
    );
    if !f.gil_speedup_noise.is_empty() {
        let _ = writeln!(
            out,
            "- The 2-thread speedup of {} is above {GIL_SPEEDUP_CEILING}x, which threads under a GIL cannot give (one \
             runs Python at a time): the seq runs there were slowed by other load on the machine, so read those \
             figures as its noise, not as parallelism.",
            f.gil_speedup_noise.join(", ")
        );
    }
    if f.free_threaded.is_empty() {
        out.push_str(
            "- No free-threaded build (`python3.13t`, `python3.14t`) was found, so the no-GIL case is not measured \
             here; docs/peers.md says how to get one. Published: two threads adding to a global on 3.13t lose about \
             half the updates (cpython#125646).\n",
        );
    }
    for ft in &f.free_threaded {
        let _ = writeln!(
            out,
            "- {} (free-threaded, no GIL) lost {} of its `counter += 1` updates at worst and ran two threads at {} \
             of one{}: real parallelism, and no protection at all for `+=` (as cpython#125646 reports for 3.13t).",
            ft.id,
            ft.plain
                .map_or("n/a".into(), |l| format!("{:.1}%", l.share() * 100.0)),
            opt_x(ft.speedup),
            f.best_gil_speedup
                .map_or(String::new(), |g| format!(" (the best GIL build: {g:.2}x)")),
        );
    }
    out.push('\n');
}

fn figure(f: Option<Figure>) -> String {
    match f {
        Some(Figure::Loss(l)) => format!("lost {}", loss(Some(l))),
        Some(Figure::Speedup(s)) => format!("{s:.2}x"),
        None => "n/a".into(),
    }
}

fn checks(out: &mut String, v: &Versions, n: usize) {
    let _ = writeln!(
        out,
        "### {n}.1 rt-gil against the real interpreters\n\n\
         rt-gil's GIL models CPython 3.10+ (plain `+=` keeps its updates, a call between load and store does not), \
         and its free-threaded variant models a build without the GIL. Its race cells come from this run's own \
         cells, its speedup from the calibration's table (by `elapsed_ms`); the parts are cast by the facts the \
         variants declare.\n"
    );
    for c in &v.checks {
        check(out, c);
    }
    out.push('\n');
}

fn check(out: &mut String, c: &Check) {
    let mark = match c.agree {
        Some(true) => "agree",
        Some(false) => "**disagree**",
        None => "no verdict",
    };
    let real: Vec<String> = c
        .against
        .iter()
        .zip(&c.real)
        .map(|(id, f)| format!("{id} {}", figure(*f)))
        .collect();
    let _ = writeln!(
        out,
        "- {} — {mark}: {} {}; {} ({}).",
        topic(c.topic),
        label(c.emulation.as_ref()),
        figure(c.emulated),
        if real.is_empty() {
            "no such interpreter in this run".to_string()
        } else {
            real.join(", ")
        },
        c.rule
    );
}

fn probe(p: &Probe) -> String {
    match p {
        Probe::Race { rmw, workers } => format!("race rmw={rmw} at {workers} threads"),
        Probe::CpuSeq => "cpu-balanced seq".into(),
        Probe::CpuThreads { workers } => format!("cpu-balanced threads at {workers}"),
    }
}

fn left_out(out: &mut String, v: &Versions) {
    if v.skipped.is_empty() && v.left_out.is_empty() && v.failed.is_empty() {
        return;
    }
    out.push_str("Not measured:\n\n");
    for s in &v.skipped {
        let _ = writeln!(
            out,
            "- `{}`{}: {}",
            s.path,
            s.version
                .as_ref()
                .map_or(String::new(), |v| format!(" ({v})")),
            s.reason
        );
    }
    // Left-out runs grouped by interpreter and reason, so a budget that ran out is one line per version.
    let mut groups: Vec<(String, String, Vec<String>)> = Vec::new();
    for l in &v.left_out {
        match groups
            .iter_mut()
            .find(|(i, r, _)| *i == l.item.interpreter && *r == l.reason)
        {
            Some(g) => g.2.push(probe(&l.item.probe)),
            None => groups.push((
                l.item.interpreter.clone(),
                l.reason.clone(),
                vec![probe(&l.item.probe)],
            )),
        }
    }
    for (id, reason, mut probes) in groups {
        probes.dedup();
        let _ = writeln!(out, "- {id}: {} left out: {reason}", probes.join(", "));
    }
    for (id, p, fault, command) in &v.failed {
        let _ = writeln!(out, "- {id}: {} failed: {fault} (`{command}`)", probe(p));
    }
    out.push('\n');
}

/// A check's topic in words.
fn topic(t: arena_analysis::cpython::CheckOn) -> &'static str {
    use arena_analysis::cpython::CheckOn;
    match t {
        CheckOn::GilPlain => "`counter += 1`: rt-gil's GIL against CPython 3.10+ with its GIL",
        CheckOn::GilCall => "`counter += f()`: rt-gil's GIL against CPython 3.10+ with its GIL",
        CheckOn::FreeThreadedLoss => {
            "`counter += 1` without a GIL: rt-gil's free-threaded variant against free-threaded CPython"
        }
        CheckOn::FreeThreadedSpeedup => {
            "Two threads on CPU work without a GIL: rt-gil's free-threaded variant against free-threaded CPython"
        }
    }
}
