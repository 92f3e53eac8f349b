//! Section "Calibration against CPython and Node": the tables and findings of [`arena_analysis::calibration`].

use std::fmt::Write as _;

use crate::format::{ms, opt_x, secs};
use crate::template::fill;
use crate::{Ctx, SectionId};
use arena_analysis::calibration::{
    Calibration, Compared, ConvoyFinding, Finding, LoopCell, LoopRow, LoopsFinding, LostFinding,
    LostRow, Presence, Rank, Ranking, Spawn, SpawnFinding, ThreadsFinding, ThreadsRole, ThreadsRow,
};
use arena_analysis::roles::Player;

/// The section's body.
pub fn write(out: &mut String, cx: &Ctx<'_>) {
    render(out, &cx.a.calibration, cx.number(SectionId::Calibration));
}

/// The section's body for `c`, its subsections numbered under `n`.
fn render(out: &mut String, c: &Calibration, n: usize) {
    if c.peers.is_empty() {
        let _ = writeln!(out, "{}\n", fill!("calibration/no_peers.md"));
        return;
    }
    intro(out, c);
    threads(out, &c.threads, n);
    convoy(out, c, n);
    lost(out, &c.lost, n);
    loops(out, &c.loops, n);
    spawn(out, c, n);
    let _ = writeln!(out, "### {n}.6 Where they agree and where they do not\n");
    for f in &c.findings {
        let mark = match f.agree {
            Some(true) => "agree",
            Some(false) => "**disagree**",
            None => "no verdict",
        };
        let _ = writeln!(out, "- {} — {mark}: {}", topic(f), said(f));
    }
    out.push('\n');
}

fn intro(out: &mut String, c: &Calibration) {
    let (mut present, mut absent) = (Vec::new(), Vec::new());
    for p in &c.peers {
        match &p.presence {
            Presence::Present {
                interpreter,
                version,
                work_scale,
                race_scale,
            } => present.push(format!(
                "`{}` ({interpreter} {}, work ÷{work_scale}, race ÷{race_scale})",
                p.name,
                version.as_deref().unwrap_or("?"),
            )),
            Presence::Absent { reason } => absent.push(format!(
                "`{}` ({})",
                p.name,
                reason.as_deref().unwrap_or("no list output")
            )),
        }
    }
    let _ = writeln!(
        out,
        "{}\n",
        fill!(
            "calibration/intro.md",
            present = if present.is_empty() {
                "none".to_string()
            } else {
                present.join(", ")
            },
            absent = if absent.is_empty() {
                "Every peer of `peers/peers.toml` was present.".to_string()
            } else {
                format!("Absent, so missing below: {}.", absent.join(", "))
            }
        )
    );
}

fn threads(out: &mut String, rows: &[ThreadsRow], n: usize) {
    let _ = writeln!(
        out,
        "### {n}.1 Two threads over one on CPU work\n\n{}\n",
        fill!("calibration/threads.md")
    );
    out.push_str(
        "| runtime/variant | what | median | speedup (wall) | elapsed_ms | speedup (elapsed_ms) |\n\
         |---|---|---|---|---|---|\n",
    );
    for r in rows {
        let what = match r.role {
            ThreadsRole::EmulatedGil => "emulated GIL",
            ThreadsRole::CpythonGil => "CPython's GIL",
            ThreadsRole::NoGil => "control: no GIL",
            ThreadsRole::Processes => "control: processes",
        };
        let _ = writeln!(
            out,
            "| {} | {what} | {} | {} | {} | {} |",
            label(r.player.as_ref()),
            r.median.map_or("n/a".into(), secs),
            opt_x(r.speedup),
            ms(r.elapsed_ms),
            opt_x(r.speedup_elapsed)
        );
    }
    out.push('\n');
}

fn convoy(out: &mut String, c: &Calibration, n: usize) {
    let rows = &c.convoy;
    let _ = writeln!(
        out,
        "### {n}.2 The convoy effect\n\n{}\n",
        fill!("calibration/convoy.md")
    );
    let (emu, peer) = (
        name_of(c.cast.emulated_gil.as_ref()),
        name_of(c.cast.peer_gil.as_ref()),
    );
    let _ = writeln!(
        out,
        "| switch interval | {emu} p50 | {peer} p50 | {emu} p99 | {peer} p99 |\n|---|---|---|---|---|"
    );
    for r in rows {
        let (a, b) = (r.emulated, r.cpython);
        let _ = writeln!(
            out,
            "| {} ms | {} | {} | {} | {} |",
            r.switch_interval_us as f64 / 1000.0,
            ms(a.map(|l| l.p50)),
            ms(b.map(|l| l.p50)),
            ms(a.map(|l| l.p99)),
            ms(b.map(|l| l.p99))
        );
    }
    out.push('\n');
}

fn lost(out: &mut String, rows: &[LostRow], n: usize) {
    let _ = writeln!(
        out,
        "### {n}.3 Lost updates under the GIL\n\n{}\n",
        fill!("calibration/lost.md")
    );
    out.push_str("| runtime/variant | rmw | W x K | lost | lost % |\n|---|---|---|---|---|\n");
    for r in rows {
        let wk = r
            .workers
            .zip(r.increments)
            .map_or("n/a".into(), |(w, k)| format!("{w} x {k}"));
        let _ = writeln!(
            out,
            "| {} | {} | {wk} | {} | {} |",
            label(r.player.as_ref()),
            r.rmw.opt(),
            r.lost.map_or("n/a".into(), |l| l.to_string()),
            r.share
                .map_or("n/a".into(), |s| format!("{:.1}%", s * 100.0))
        );
    }
    out.push('\n');
}

fn loops(out: &mut String, rows: &[LoopRow], n: usize) {
    let _ = writeln!(
        out,
        "### {n}.4 Many waits on one event loop\n\n{}\n",
        fill!("calibration/loops.md")
    );
    out.push_str(
        "| loop | io-sleep tasks | median | elapsed_ms | lateness p99 | ratio | io-net median | elapsed_ms | \
         round trip p99 | ratio |\n|---|---|---|---|---|---|---|---|---|---|\n",
    );
    let cols = |c: &LoopCell| {
        format!(
            "{} | {} | {} | {}",
            c.median.map_or("n/a".into(), secs),
            ms(c.elapsed_ms),
            ms(c.p99_ms),
            opt_x(c.ratio)
        )
    };
    for r in rows {
        let tasks = r
            .sleep_tasks
            .zip(r.sleep_delay_ms)
            .map_or("n/a".into(), |(t, d)| format!("{t} x {d} ms"));
        let _ = writeln!(
            out,
            "| {}/{} | {tasks} | {} | {} |",
            r.player.runtime,
            r.player.variant,
            cols(&r.io_sleep),
            cols(&r.io_net)
        );
    }
    out.push('\n');
}

fn spawn(out: &mut String, c: &Calibration, n: usize) {
    let rows = &c.spawn;
    let _ = writeln!(
        out,
        "### {n}.5 Process-pool start-up\n\n{}\n",
        fill!("calibration/spawn.md")
    );
    out.push_str(&format!(
        "| workers | {} spawn | {} spawn | ratio |\n|---|---|---|---|\n",
        name_of(c.cast.processes.as_ref()),
        name_of(c.cast.peer_processes.as_ref())
    ));
    let cell = |s: &Option<Spawn>| {
        s.as_ref().map_or("n/a".into(), |s| {
            let meth = s
                .start_method
                .as_deref()
                .map_or(String::new(), |m| format!(", {m}"));
            let cells = if s.cells == 1 { "cell" } else { "cells" };
            format!("{:.2} ms ({} {cells}{meth})", s.median_ms, s.cells)
        })
    };
    for r in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            r.workers,
            cell(&r.rt_procs),
            cell(&r.multiprocessing),
            opt_x(r.ratio)
        );
    }
    out.push('\n');
}

/// What a finding compared, as its list item names it.
pub fn topic(f: &Finding) -> String {
    match &f.on {
        Compared::Threads(_) => "Threads on CPU work under a GIL".into(),
        Compared::Convoy(c) => format!(
            "The convoy effect (ticker p50, {} vs {})",
            name(c.emulated.as_ref()),
            name(c.cpython.as_ref())
        ),
        Compared::Lost(l) => format!("Lost updates with `{}`", l.rmw.statement()),
        Compared::Loops(_) => {
            "The peers' event loops against each other (asyncio against Node)".into()
        }
        Compared::Spawn(_) => "Process-pool start-up".into(),
    }
}

/// A finding's figures and the rule it was decided by, in one sentence.
pub fn said(f: &Finding) -> String {
    match &f.on {
        Compared::Threads(t) => threads_said(t),
        Compared::Convoy(c) => convoy_said(c),
        Compared::Lost(l) => lost_said(l),
        Compared::Loops(l) => loops_said(l),
        Compared::Spawn(s) => spawn_said(s),
    }
}

fn threads_said(t: &ThreadsFinding) -> String {
    let Some(x) = &t.figures else {
        return fill!("calibration/unmeasured_threads.md");
    };
    let mut control = String::new();
    if let Some(c) = &x.no_gil {
        control.push_str(&format!(
            " Control: {} {} reached {:.2}x{}.",
            name(c.player.as_ref()),
            c.player.as_ref().map_or("", |p| p.variant.as_str()),
            c.speedup,
            if c.second_core {
                ", so a second core was there"
            } else {
                ", so the second core was not fully there and a GIL's 1.0x means less"
            }
        ));
    }
    if let Some(p) = &x.processes {
        control.push_str(&format!(
            " {} reached {:.2}x in wall time and {} by elapsed_ms, which still includes starting and joining its \
             pool.",
            name(p.player.as_ref()),
            p.speedup,
            opt_x(p.speedup_elapsed)
        ));
    }
    format!(
        "two threads gave {:.2}x on {} and {:.2}x on {} in wall time ({} and {} by elapsed_ms; agreement: wall \
         speedups within {}x of each other).{control}",
        x.emulated,
        name(t.emulated.as_ref()),
        x.cpython,
        name(t.cpython.as_ref()),
        opt_x(x.emulated_elapsed),
        opt_x(x.cpython_elapsed),
        x.within
    )
}

/// A switch interval in ms: `0.5 ms`.
fn interval(us: u64) -> String {
    format!("{} ms", us as f64 / 1000.0)
}

fn convoy_said(c: &ConvoyFinding) -> String {
    if c.pairs.is_empty() {
        return fill!("calibration/unmeasured_convoy.md");
    }
    let pairs: Vec<String> = c
        .pairs
        .iter()
        .map(|p| {
            format!(
                "{}: {:.2} vs {:.2} ms",
                interval(p.switch_interval_us),
                p.emulated_p50,
                p.cpython_p50
            )
        })
        .collect();
    let apart = if c.apart_us.is_empty() {
        String::new()
    } else {
        let at: Vec<String> = c.apart_us.iter().map(|us| interval(*us)).collect();
        format!("; they part at {}", at.join(" and "))
    };
    format!(
        "{}{apart} (agreement: p50 within {:.0}% of the interval, or {} ms).",
        pairs.join("; "),
        c.within_share * 100.0,
        c.within_ms
    )
}

fn lost_said(l: &LostFinding) -> String {
    let Some(x) = &l.figures else {
        return fill!("calibration/unmeasured_lost.md");
    };
    format!(
        "{} lost {} ({:.1}%), {} {} ({:.1}%) (agreement: both lose none, or both lose some).",
        name(l.emulated.as_ref()),
        x.emulated.lost,
        x.emulated.share * 100.0,
        name(l.cpython.as_ref()),
        x.cpython.lost,
        x.cpython.share * 100.0
    )
}

fn loops_said(l: &LoopsFinding) -> String {
    let base = l.base.as_ref().map_or("(none)".to_string(), |p| {
        format!("{}/{}", p.runtime, p.variant)
    });
    if !l.measured {
        return fill!("calibration/unmeasured_loops.md", base = base);
    }
    let said: Vec<String> = l
        .others
        .iter()
        .map(|r| match (r.io_sleep.ratio, r.io_net.ratio) {
            (None, None) => format!("{} not measured", r.player.runtime),
            (s, n) => format!(
                "{} {} on io-sleep and {} on io-net",
                r.player.runtime,
                opt_x(s),
                opt_x(n)
            ),
        })
        .collect();
    format!(
        "elapsed_ms against {base} (a ranking, not an agreement; one kept run each): {}. So {}; {}.",
        said.join("; "),
        ranked(&l.io_sleep),
        ranked(&l.io_net)
    )
}

/// "on io-sleep py-asyncio is the slower loop (1.20x against 0.80x)".
fn ranked(r: &Ranking) -> String {
    let what = r.workload;
    match &r.rank {
        Rank::Ranked {
            first,
            second,
            first_ratio: x,
            second_ratio: y,
            first_slower,
        } => {
            if *first_slower {
                format!("on {what} {first} is the slower loop ({x:.2}x against {y:.2}x)")
            } else {
                format!("on {what} {first} is not slower than {second} ({x:.2}x against {y:.2}x)")
            }
        }
        Rank::Unmeasured { first, second } => {
            format!("on {what} {first} and {second} cannot be ranked (one was not measured)")
        }
        Rank::Alone { only } => format!(
            "on {what} only {only} of the peers' loops ran, so there is nothing to rank it against"
        ),
        Rank::NoPair => format!("on {what} there are not two peer loops to rank"),
    }
}

fn spawn_said(s: &SpawnFinding) -> String {
    let (procs, peer) = (name(s.processes.as_ref()), name(s.peer.as_ref()));
    if s.pairs.is_empty() {
        return fill!(
            "calibration/unmeasured_spawn.md",
            procs = procs,
            peer = peer
        );
    }
    let texts: Vec<String> = s
        .pairs
        .iter()
        .map(|p| {
            format!(
                "W = {}: {procs} {:.2} ms, {peer} {:.2} ms",
                p.workers, p.processes_ms, p.peer_ms
            )
        })
        .collect();
    format!("{} (a cost compared, not an agreement)", texts.join("; "))
}

/// `runtime/variant` in a table row, or what stands in for a part nobody played.
pub(crate) fn label(p: Option<&Player>) -> String {
    p.map_or("(none in this run)".into(), |p| {
        format!("{}/{}", p.runtime, p.variant)
    })
}

/// A player's runtime name in a finding, or what stands in for a part nobody played.
fn name(p: Option<&Player>) -> &str {
    p.map_or("(none)", |p| p.runtime.as_str())
}

/// A player's runtime name in a table header, or `none`.
fn name_of(p: Option<&arena_analysis::roles::Player>) -> &str {
    p.map_or("none", |p| p.runtime.as_str())
}
