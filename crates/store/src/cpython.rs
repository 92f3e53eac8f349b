//! The CPython-versions sweep's record, `raw/cpython.json` (raw schema 6 and later): every CPython interpreter the
//! run found, the ones it skipped and why, and every run of the sweep with the RunReport it printed, so that `arena
//! report` re-renders "The GIL across CPython versions" from this file alone. Runs written before schema 6, or
//! whose profile gave the sweep no budget, have no such file.

use harness::RunReport;
use serde::{Deserialize, Serialize};
use workloads::Size;

use crate::Attempt;

/// The file's name under `raw/`.
pub const FILE: &str = "cpython.json";

/// Everything the sweep found and ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CpythonRecord {
    /// Where the interpreters came from: discovery, or `--python` (which replaces discovery).
    pub source: Source,
    /// Every CPython 3.8+ that runs the peer, one per real executable, in version order.
    pub interpreters: Vec<Interpreter>,
    /// Every candidate that was not used, and why (too old, not CPython, the probe or the peer's `list` failed).
    pub skipped: Vec<Skipped>,
    /// The sweep's seconds budget (the profile's `cpython_budget_s`); `None`: no limit.
    pub budget_s: Option<f64>,
    /// The size every sweep run used.
    pub size: Size,
    /// The peer's work scale (from `peers/peers.toml`), divided into the preset CPU work.
    pub work_scale: u64,
    /// The peer's race scale, divided into the preset increments.
    pub race_scale: u64,
    /// Every run, in the order they ran.
    pub runs: Vec<SweepRun>,
    /// Every planned run that did not run, and why (the budget, an interrupt).
    pub left_out: Vec<LeftOut>,
    /// Wall seconds of the whole sweep, discovery included.
    pub elapsed_s: f64,
}

/// How the interpreters were chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// PATH (`python3.X`, `python3.Xt`), pyenv, uv and the repository's `.tools/python-ft`.
    Discovered,
    /// `arena bench --python PATH`.
    Given,
}

/// One CPython, as it described itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interpreter {
    /// A short unique name for tables: the version, `t` for a free-threaded build, and `#2`... when two
    /// executables have one version (`3.11.7`, `3.13.5t`).
    pub id: String,
    /// `platform.python_version()`.
    pub version: String,
    /// The real executable: `sys.executable`, resolved.
    pub executable: String,
    /// The names and paths it was found as (several may lead to one executable).
    pub found_as: Vec<String>,
    /// `sysconfig.get_config_var('Py_GIL_DISABLED')`: built free-threaded (PEP 703).
    pub gil_disabled_build: bool,
    /// `sys._is_gil_enabled()` where it exists (3.13+); `None` before.
    pub gil_enabled: Option<bool>,
    /// `sys.getswitchinterval()`, in seconds.
    pub switch_interval_s: f64,
    /// The build flags worth showing (`--enable-optimizations`, `--disable-gil`, ...), from `CONFIG_ARGS`.
    pub build_flags: Vec<String>,
}

impl Interpreter {
    /// Whether its threads run without a GIL: `sys._is_gil_enabled()` is False, or, where the interpreter cannot
    /// say, it was built free-threaded.
    pub fn free_threaded(&self) -> bool {
        self.gil_enabled.map_or(self.gil_disabled_build, |on| !on)
    }
}

/// A candidate that was not used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Skipped {
    /// The path it was found at.
    pub path: String,
    /// Its version, when it said one.
    pub version: Option<String>,
    /// One line: why.
    pub reason: String,
}

/// What one sweep run measures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Probe {
    /// The threading peer's race with `--opt rmw=<rmw>` at `--workers <workers>`.
    Race {
        /// `plain` (`counter += 1`) or `call` (`counter += f()`): the value of `--opt rmw`.
        rmw: String,
        /// The threads.
        workers: u64,
    },
    /// cpu-balanced on the seq peer: the baseline of the speedup.
    CpuSeq,
    /// cpu-balanced on the threading peer at `--workers <workers>`.
    CpuThreads {
        /// The threads.
        workers: u64,
    },
}

/// One planned run: an interpreter, a probe and, for the alternated speedup runs, which round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepItem {
    /// [`Interpreter::id`].
    pub interpreter: String,
    /// What it measures.
    pub probe: Probe,
    /// 0, 1, 2... for the speedup's alternated repeats; 0 for a race.
    pub round: u32,
}

/// One run that ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepRun {
    /// What it was.
    pub item: SweepItem,
    /// How it went (the command to reproduce it, the wall time, a fault).
    pub attempt: Attempt,
    /// The RunReport, when the contract's reader accepted it.
    pub report: Option<RunReport>,
}

/// One planned run that did not run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeftOut {
    /// What it was.
    pub item: SweepItem,
    /// One line: why.
    pub reason: String,
}

/// The `major.minor` of a version string (`3.13.0rc1` -> (3, 13)): what discovery keeps and the analysis groups by.
pub fn major_minor(v: &str) -> Option<(u64, u64)> {
    let mut it = v.split('.');
    let major = it.next()?.parse().ok()?;
    let minor: String = it
        .next()?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    Some((major, minor.parse().ok()?))
}
