//! The CPython-versions sweep, a phase of `arena bench` after timing: the Python peer on every CPython 3.8+ found
//! ([`crate::interpreters`]), planned and budgeted by [`crate::plan::cpython`], each run by [`run_once`] (the
//! driver's process machinery: a deadline, a process group, and the one contract reader), recorded in
//! `raw/cpython.json` as it goes.
//!
//! Why after timing rather than before: the timed cells are the run's main result, with their own total budget
//! and shuffled order; run last, the sweep cannot delay them, share their budget, or (if it is interrupted or
//! overruns) cost them anything. Its own figures are ratios and counts within one interpreter (lost of attempted,
//! seq over threads by `elapsed_ms`), which do not need the other cells' conditions.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use workloads::Workload;

use super::attempt::run_once;
use super::progress::bar;
use super::schedule::pilot_limit_s;
use crate::discover::{Entrant, from_command};
use crate::interpreters::{self, Sources};
use crate::plan::Cell;
use crate::plan::cpython::{self as sweep, Group};
use crate::proc;
use crate::store::Profile;
use crate::store::cpython::{
    CpythonRecord, Interpreter, LeftOut, Probe, Skipped, Source, SweepRun,
};
use crate::store::{RunDir, UsageError};

/// The Python peer's two entries of `peers/peers.toml` the sweep runs (the seq and the threading mode of
/// `arena_peer.py` on a GIL interpreter): their command lines and the scales, read through `peers`.
struct PeerSpecs {
    seq: peers::PeerSpec,
    threading: peers::PeerSpec,
}

fn peer_specs(root: &Path) -> anyhow::Result<PeerSpecs> {
    let m = peers::Manifest::load(&root.join(peers::MANIFEST))?;
    // Found by what they run (the Python peer script in a mode), not by their names.
    let find = |mode: &str| {
        m.peer
            .iter()
            .find(|p| {
                !p.free_threaded
                    && p.command
                        .get(1)
                        .is_some_and(|s| s.ends_with("arena_peer.py"))
                    && p.command.get(2).map(String::as_str) == Some(mode)
            })
            .cloned()
            .with_context(|| format!("{}: no entry runs arena_peer.py {mode}", peers::MANIFEST))
    };
    Ok(PeerSpecs {
        seq: find("seq")?,
        threading: find("threading")?,
    })
}

/// One interpreter ready to run: the seq and threading peers as entrants whose `list` answered.
struct Ready {
    id: String,
    seq: Entrant,
    threading: Entrant,
}

/// The peer on `exe`, asked `list`; `Err` says why it cannot run there.
fn entrant_on(root: &Path, spec: &peers::PeerSpec, exe: &str) -> Result<Entrant, String> {
    let mut argv = spec.argv(root);
    argv[0] = exe.to_string();
    let e = from_command(argv);
    match (&e.excluded, &e.info) {
        (None, Some(_)) => Ok(e),
        (why, _) => Err(format!(
            "the peer's `list` failed on it: {}",
            why.as_deref().unwrap_or("no output")
        )),
    }
}

/// The default variant of an entrant (what `run` without `--variant` would use).
fn default_variant(e: &Entrant) -> String {
    e.info
        .as_ref()
        .and_then(|i| i.variants.iter().find(|v| v.default).or(i.variants.first()))
        .map(|v| v.name.clone())
        .unwrap_or_default()
}

/// The cell a sweep item runs as.
fn cell_of<'a>(r: &'a Ready, p: &Probe) -> (Cell, &'a Entrant) {
    let (rt, workload, workers) = match p {
        Probe::Race { workers, .. } => (&r.threading, Workload::Race, *workers),
        // The seq peer ignores --workers; it is passed, as to every cell, explicitly.
        Probe::CpuSeq => (&r.seq, Workload::CpuBalanced, sweep::SPEEDUP_WORKERS),
        Probe::CpuThreads { workers } => (&r.threading, Workload::CpuBalanced, *workers),
    };
    let cell = Cell {
        runtime: rt.name.clone(),
        variant: default_variant(rt),
        workload,
        size: sweep::SIZE,
        workers,
        tasks: None,
        opts: sweep::opts_of(p),
        point: None,
        params: Vec::new(),
        pinned: None,
    };
    (cell, rt)
}

/// Checks `--python` before anything runs: each must be a file.
pub fn check_given(pythons: &[PathBuf]) -> anyhow::Result<()> {
    match pythons.iter().find(|p| !p.is_file()) {
        Some(p) => Err(UsageError(format!(
            "--python {}: no such file (give the path of a CPython executable)",
            p.display()
        ))
        .into()),
        None => Ok(()),
    }
}

/// Runs the sweep and writes `raw/cpython.json`. `pythons` (from `--python`) replace discovery when given.
pub fn run(
    ws_root: &Path,
    profile: &Profile,
    dir: &RunDir,
    pythons: &[PathBuf],
) -> anyhow::Result<()> {
    let t0 = Instant::now();
    let specs = peer_specs(ws_root)?;
    let (source, candidates) = if pythons.is_empty() {
        (
            Source::Discovered,
            interpreters::candidates(&Sources::from_env(ws_root)),
        )
    } else {
        (Source::Given, pythons.to_vec())
    };
    let (found, mut skipped) = interpreters::discover(&candidates);
    let mut interpreters: Vec<Interpreter> = Vec::new();
    let mut ready = Vec::new();
    for i in found {
        let both = entrant_on(ws_root, &specs.seq, &i.executable).and_then(|seq| {
            Ok(Ready {
                id: i.id.clone(),
                seq,
                threading: entrant_on(ws_root, &specs.threading, &i.executable)?,
            })
        });
        match both {
            Ok(r) => {
                ready.push(r);
                interpreters.push(i);
            }
            Err(reason) => skipped.push(Skipped {
                path: i.executable.clone(),
                version: Some(i.version.clone()),
                reason,
            }),
        }
    }
    let mut rec = CpythonRecord {
        source,
        interpreters,
        skipped,
        budget_s: profile.cpython_budget_s,
        size: sweep::SIZE,
        work_scale: specs.threading.work_scale,
        race_scale: specs.threading.race_scale,
        runs: Vec::new(),
        left_out: Vec::new(),
        elapsed_s: 0.0,
    };
    let ids: Vec<String> = ready.iter().map(|r| r.id.clone()).collect();
    let groups: Vec<Group> = sweep::plan(&ids);
    let pb = bar(groups.iter().map(|g| g.len() as u64).sum(), "cpython");
    let limit = pilot_limit_s(profile);
    let spent0 = Instant::now();
    let mut done: Vec<(Probe, f64)> = Vec::new();
    for g in groups {
        let estimate: f64 = g.iter().map(|i| sweep::estimate_s(&i.probe, &done)).sum();
        let verdict = if proc::interrupted() {
            Err("interrupted before it ran".to_string())
        } else {
            sweep::admit(
                profile.cpython_budget_s,
                spent0.elapsed().as_secs_f64(),
                estimate,
            )
        };
        if let Err(reason) = verdict {
            pb.inc(g.len() as u64);
            rec.left_out.extend(g.into_iter().map(|item| LeftOut {
                item,
                reason: reason.clone(),
            }));
            continue;
        }
        for item in g {
            pb.inc(1);
            let r = ready
                .iter()
                .find(|r| r.id == item.interpreter)
                .expect("the plan is made of these interpreters");
            let (cell, rt) = cell_of(r, &item.probe);
            pb.set_message(format!("{} {}", r.id, cell.label()));
            let args = cell.args(cell.size, true, None, limit);
            let (attempt, report) = run_once(ws_root, rt, &cell, &args, limit + 2.0);
            done.push((item.probe.clone(), attempt.wall_s));
            rec.runs.push(SweepRun {
                item,
                report: report.filter(|_| attempt.fault.is_none()),
                attempt,
            });
        }
        rec.elapsed_s = t0.elapsed().as_secs_f64();
        dir.write_cpython(&rec)?;
    }
    pb.finish_and_clear();
    rec.elapsed_s = t0.elapsed().as_secs_f64();
    dir.write_cpython(&rec)?;
    eprintln!(
        "arena: CPython sweep: {} interpreters, {} runs, {} left out, {:.0} s",
        rec.interpreters.len(),
        rec.runs.len(),
        rec.left_out.len(),
        rec.elapsed_s
    );
    Ok(())
}
