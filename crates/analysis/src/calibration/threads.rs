//! Two threads over one on CPU work: rt-gil against CPython threading, with the no-GIL controls.

use workloads::Workload;

use super::{Compared, Finding, Player, Roles, elapsed, row};
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

/// The speedup from which a second core counts as there (the no-GIL control's, as the parallel verdicts read it).
const SECOND_CORE: f64 = 1.5;
/// Two GILs agree when their wall speedups are this close.
const WITHIN: f64 = 0.2;

/// Two threads over one under each GIL, and the controls.
#[derive(Debug, Clone, PartialEq)]
pub struct ThreadsFinding {
    /// The emulated GIL's player.
    pub emulated: Option<Player>,
    /// CPython's.
    pub cpython: Option<Player>,
    /// The figures; `None` when either GIL's cell was not timed.
    pub figures: Option<ThreadsFigures>,
}

/// The figures of [`ThreadsFinding`].
#[derive(Debug, Clone, PartialEq)]
pub struct ThreadsFigures {
    /// The emulated GIL's wall speedup.
    pub emulated: f64,
    /// CPython's.
    pub cpython: f64,
    /// The emulated GIL's speedup by `elapsed_ms`.
    pub emulated_elapsed: Option<f64>,
    /// CPython's.
    pub cpython_elapsed: Option<f64>,
    /// How close the wall speedups must be to agree.
    pub within: f64,
    /// The emulation without its GIL, when timed.
    pub no_gil: Option<Control>,
    /// A peer's process pool, when timed.
    pub processes: Option<Control>,
}

/// A control row: its player and speedups.
#[derive(Debug, Clone, PartialEq)]
pub struct Control {
    /// Who played it.
    pub player: Option<Player>,
    /// Its wall speedup.
    pub speedup: f64,
    /// Its speedup by `elapsed_ms`.
    pub speedup_elapsed: Option<f64>,
    /// Whether its speedup shows a second core (at [`SECOND_CORE`] or more).
    pub second_core: bool,
}

fn finding(rows: &[ThreadsRow]) -> Finding {
    let [emu, real, free, procs] = rows else {
        unreachable!("one row per pick")
    };
    let control = |r: &ThreadsRow| {
        r.speedup.map(|c| Control {
            player: r.player.clone(),
            speedup: c,
            speedup_elapsed: r.speedup_elapsed,
            second_core: c >= SECOND_CORE,
        })
    };
    let figures = emu.speedup.zip(real.speedup).map(|(a, b)| ThreadsFigures {
        emulated: a,
        cpython: b,
        emulated_elapsed: emu.speedup_elapsed,
        cpython_elapsed: real.speedup_elapsed,
        within: WITHIN,
        no_gil: control(free),
        processes: control(procs),
    });
    Finding {
        agree: figures
            .as_ref()
            .map(|f| (f.emulated - f.cpython).abs() <= WITHIN),
        on: Compared::Threads(ThreadsFinding {
            emulated: emu.player.clone(),
            cpython: real.player.clone(),
            figures,
        }),
    }
}
