//! Section "Calibration against CPython and Node": the tables and findings of [`arena_analysis::calibration`].

use std::fmt::Write as _;

use crate::format::{ms, opt_x, secs};
use crate::template::fill;
use crate::{Ctx, SectionId};
use arena_analysis::calibration::{
    Calibration, LoopCell, LoopRow, LostRow, Presence, Spawn, ThreadsRole, ThreadsRow, label,
};

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
        let _ = writeln!(out, "- {} — {mark}: {}", f.topic, f.text);
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

/// A player's runtime name in a table header, or `none`.
fn name_of(p: Option<&arena_analysis::roles::Player>) -> &str {
    p.map_or("none", |p| p.runtime.as_str())
}
