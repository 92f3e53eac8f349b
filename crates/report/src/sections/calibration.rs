//! Section "Calibration against CPython and Node": the tables and findings of [`arena_analysis::calibration`].

use std::fmt::Write as _;

use crate::format::{ms, opt_x, secs};
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
        out.push_str(
            "No peer took part in this run (`--no-peers`, `--runtime` without one, or a workspace without \
             `peers/peers.toml`). Run `just bench-all` with python3 3.10+ and node 18+ on PATH to fill this section; \
             see [docs/peers.md](../../docs/peers.md).\n\n",
        );
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
        "The peers run the same workloads in the real interpreters, on this machine, in this run \
         ([docs/peers.md](../../docs/peers.md)). Present: {}. {}\n\n\
         CPython runs trial division about 27 times slower than Rust, so its peers count primes in 1/27 of the \
         numbers (and race 1/10 of the increments): compare the *shapes* below (speedups, lateness against the switch \
         interval, lost or not, ratios), not a Rust time against a Python time. Wall times are hyperfine medians of \
         the whole process, so they include the interpreter's start-up (tens of ms); `elapsed_ms` is the model's own \
         time from the kept run, without it. The peers appear in every table above, but not in the verdicts, which \
         weigh the Rust runtimes.\n",
        if present.is_empty() {
            "none".to_string()
        } else {
            present.join(", ")
        },
        if absent.is_empty() {
            "Every peer of `peers/peers.toml` was present.".to_string()
        } else {
            format!("Absent, so missing below: {}.", absent.join(", "))
        }
    );
}

fn threads(out: &mut String, rows: &[ThreadsRow], n: usize) {
    let _ = writeln!(
        out,
        "### {n}.1 Two threads over one on CPU work\n\ncpu-balanced with `--workers 2`; speedup = the sequential \
         run of the same work (rt-seq, or py-seq for CPython) / this one, by hyperfine's medians (whole process) and \
         by the kept runs' `elapsed_ms` (the model alone, without the interpreter's start-up, which is a large part \
         of a short CPython run). A GIL says about 1.0x; the controls without a GIL show what a second core gives.\n"
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
        "### {n}.2 The convoy effect\n\nmixed with one CPU task on one thread and a ticker (12 waits of 5 ms) \
         beside it, `--workers 2`, at three switch intervals (`sys.setswitchinterval` in CPython, \
         `--opt switch-interval-us` in rt-gil). Each wake-up of the ticker waits for the CPU thread to give up the \
         lock, about one interval. Lateness percentiles from the kept run of each cell.\n"
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
        "### {n}.3 Lost updates under the GIL\n\nrace: W threads each add 1 to one shared counter K times \
         (K is 10 times smaller in CPython). `rmw=plain` is `counter += 1`; `rmw=call` is `counter += f()`, a call \
         between the load and the store, where CPython may switch threads. From the kept run of each cell.\n"
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
        "### {n}.4 Many waits on one event loop\n\nThe article's opening question: why does asyncio lose to \
         JavaScript on I/O? One thread each: tokio's current-thread runtime, smol's single executor, one asyncio \
         loop and Node's event loop. io-sleep at its largest timed task count, io-net at the profile's size, against \
         the delay server on 127.0.0.1. Ratio = this run's `elapsed_ms` / the first row's, from the kept runs: the \
         loops' own time, set-up included, without the interpreter's start-up, which dominates the wall time of a \
         short Python or Node process (see the median beside it).\n"
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
        "### {n}.5 Process-pool start-up\n\n`extra.spawn_ms` of each kept run: from creating the pool until every \
         worker process is up (rt-procs: re-executing itself and connecting its channels; `multiprocessing.Pool`: \
         its default start method, named below, until every worker has run a task). Median over the cells with \
         the same worker count.\n"
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
