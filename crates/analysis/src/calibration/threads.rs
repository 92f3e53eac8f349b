//! Two threads over one on CPU work: rt-gil against CPython threading, with the no-GIL controls.

use workloads::Workload;

use super::{Finding, Player, Roles, elapsed, name, row, times};
use crate::{Analysis, Row};

/// What a row of the table stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadsRole {
    /// The emulation's thread pool under its GIL.
    EmulatedGil,
    /// A peer's thread pool under its interpreter's GIL (CPython threading).
    CpythonGil,
    /// The emulation's thread pool without the GIL: the control.
    NoGil,
    /// A peer's process pool (multiprocessing): the control with processes.
    Processes,
}

/// One runtime's cpu-balanced cell with `--workers 2`.
#[derive(Debug, Clone, PartialEq)]
pub struct ThreadsRow {
    /// Who played the part, chosen by facts; `None` when no runtime of the run could.
    pub player: Option<Player>,
    /// What it stands for.
    pub role: ThreadsRole,
    /// hyperfine's median, in seconds (the whole process).
    pub median: Option<f64>,
    /// The row's speedup over its sequential baseline, by the medians.
    pub speedup: Option<f64>,
    /// The kept run's `elapsed_ms`.
    pub elapsed_ms: Option<f64>,
    /// The baseline's `elapsed_ms` / this one's: the model alone, without the interpreter's start-up.
    pub speedup_elapsed: Option<f64>,
}

/// The table and its finding: agreement when the two GILs' wall speedups are within 0.2x of each other.
pub(super) fn compare(m: &Analysis, cast: &Roles) -> (Vec<ThreadsRow>, Finding) {
    let at2 = |r: &Row| r.cell.workers == 2 && r.cell.opts.is_empty();
    // The four rows, in table order (the two GILs first, then the controls).
    let parts = [
        (&cast.emulated_gil, ThreadsRole::EmulatedGil),
        (&cast.peer_gil, ThreadsRole::CpythonGil),
        (&cast.no_gil, ThreadsRole::NoGil),
        (&cast.peer_processes, ThreadsRole::Processes),
    ];
    let rows: Vec<ThreadsRow> = parts
        .into_iter()
        .map(|(player, role)| {
            let r = row(m, Workload::CpuBalanced, player.as_ref(), at2);
            let elapsed_ms = r.and_then(elapsed);
            let base = r.and_then(|r| {
                let b = crate::baseline_of(&m.run.runtimes, &r.cell.runtime)?;
                let seq = Player {
                    variant: crate::roles::sequential_variant(&m.run.runtimes, &b)?,
                    runtime: b,
                };
                let s = row(m, Workload::CpuBalanced, Some(&seq), |s| {
                    s.cell.opts.is_empty() && s.cell.tasks == r.cell.tasks
                })?;
                elapsed(s)
            });
            ThreadsRow {
                player: player.clone(),
                role,
                median: r.map(|r| r.hf.median),
                speedup: r.and_then(|r| r.speedup),
                elapsed_ms,
                speedup_elapsed: base.zip(elapsed_ms).map(|(b, e)| b / e.max(1e-9)),
            }
        })
        .collect();
    let finding = finding(&rows);
    (rows, finding)
}

fn finding(rows: &[ThreadsRow]) -> Finding {
    let [emu, real, free, procs] = rows else {
        unreachable!("one row per pick")
    };
    let text = match (emu.speedup, real.speedup) {
        (Some(a), Some(b)) => {
            let mut control = String::new();
            if let Some(c) = free.speedup {
                control.push_str(&format!(
                    " Control: {} {} reached {c:.2}x{}.",
                    name(free.player.as_ref()),
                    free.player.as_ref().map_or("", |p| p.variant.as_str()),
                    if c >= 1.5 {
                        ", so a second core was there"
                    } else {
                        ", so the second core was not fully there and a GIL's 1.0x means less"
                    }
                ));
            }
            if let Some(w) = procs.speedup {
                control.push_str(&format!(
                    " {} reached {w:.2}x in wall time and {} by elapsed_ms, which still includes \
                     starting and joining its pool.",
                    name(procs.player.as_ref()),
                    times(procs.speedup_elapsed)
                ));
            }
            format!(
                "two threads gave {a:.2}x on {} and {b:.2}x on {} in wall time ({} and {} by elapsed_ms; \
                 agreement: wall speedups within 0.2x of each other).{control}",
                name(emu.player.as_ref()),
                name(real.player.as_ref()),
                times(emu.speedup_elapsed),
                times(real.speedup_elapsed)
            )
        }
        _ => "not measured in this run (it needs the workers sweep of `--profile standard` and both runtimes)"
            .into(),
    };
    Finding {
        topic: "Threads on CPU work under a GIL".into(),
        agree: emu
            .speedup
            .zip(real.speedup)
            .map(|(a, b)| (a - b).abs() <= 0.2),
        text,
    }
}
