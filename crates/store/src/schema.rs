//! The raw schema: what a run folder's `raw/` holds, versioned so that runs committed years ago still render.
//!
//! `raw/run.json` carries `schema_version`. A reader migrates older files in memory, one version at a time
//! (`store::migrate`); a file from a newer driver is refused with a message that says what to do.

use std::collections::BTreeMap;
use std::fmt;

use harness::RunReport;
use harness::contract::{self, Exit, Violation};
use serde::{Deserialize, Serialize};

use crate::{Cell, Profile};

/// The version of the raw schema this driver writes.
///
/// - 0: no `schema_version` field (runs before 2026-12); `load` and `other_cpus` may be absent.
/// - 1: `schema_version` added; every field of [`RunMeta`] present.
/// - 2: every variant in `raw/runtimes.json` declares its facts (`harness::Facts`); older runs get the facts their
///   runtimes had then ([`legacy_facts`]).
/// - 3: the run's quality (steal, the calibration kernel across the run), `--cpus`, and a fuller machine record
///   (online CPUs, affinity, SMT, governor, virtualization); each timed cell's steal share.
/// - 4: the floor workloads: a spawn sweep's point where the model stopped ([`Status::LimitReached`]) and the points
///   past it ([`Status::PastLimit`]); a floor cell's repeat runs ([`CellRecord::repeats`]).
/// - 5: the policy that shaped the run ([`Policy`]: the warm-up rule), and the source it was built from ([`Source`]:
///   the commit and whether the tree was dirty). Older runs have neither recorded; their cells' own `timing.warmup`
///   still says what each got.
/// - 6: the CPython-versions sweep: `raw/cpython.json` ([`crate::cpython::CpythonRecord`]) and its budget in the
///   profile (`cpython_budget_s`). Older runs had no sweep: their profile gets a budget of 0 and no file.
pub const SCHEMA_VERSION: u32 = 6;

/// The phases of a bench run whose seconds `raw/run.json` records, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Verification of every cell at `--size check`.
    Verify,
    /// One untimed run of every cell at its timed size.
    Pilot,
    /// hyperfine.
    Time,
    /// All of it, after the build.
    Total,
}

impl Phase {
    /// Every phase, in order.
    pub const ALL: [Phase; 4] = [Phase::Verify, Phase::Pilot, Phase::Time, Phase::Total];

    /// The key in `phases`.
    pub fn key(self) -> &'static str {
        match self {
            Phase::Verify => "verify_s",
            Phase::Pilot => "pilot_s",
            Phase::Time => "time_s",
            Phase::Total => "total_s",
        }
    }

    /// As said in the report.
    pub fn name(self) -> &'static str {
        self.key().trim_end_matches("_s")
    }
}

/// Run metadata (`raw/run.json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunMeta {
    /// The raw schema's version: [`SCHEMA_VERSION`] for what this driver writes. Files written before the field
    /// existed are version 0 and are migrated on load ([`migrate_run`]).
    pub schema_version: u32,
    /// The driver's version.
    pub arena_version: String,
    /// The exact command line that started the run.
    pub command: String,
    /// The profile and its settings.
    pub profile: Profile,
    /// The seed of the shuffled timing order.
    pub seed: u64,
    /// When it started (UTC, ISO 8601).
    pub started_utc: String,
    /// When it finished; `None` while running or if it was killed.
    pub finished_utc: Option<String>,
    /// Whether Ctrl-C or SIGTERM cut it short.
    pub interrupted: bool,
    /// `hyperfine --version`.
    pub hyperfine: String,
    /// `rustc -vV`.
    pub rustc: String,
    /// The machine.
    pub machine: crate::machine::Machine,
    /// Versions from Cargo.lock of the crates the runtimes are built on.
    pub crate_versions: BTreeMap<String, String>,
    /// The delay server's address.
    pub delay_server: Option<String>,
    /// Median loopback round trip to the delay server with no delay, in ms (the io-net ideal adds it).
    pub bare_rtt_ms: Option<f64>,
    /// The `--workers` every non-sweep cell used (the driver's available parallelism).
    pub workers: u64,
    /// Seconds spent in each phase, by [`Phase`] name.
    pub phases: BTreeMap<String, f64>,
    /// `/proc/loadavg` when the run started (before any cell; the end's would count the cells' own threads).
    pub load: Vec<String>,
    /// CPUs used on average by processes other than this run's, from the verification phase to the end: the
    /// machine's busy time (`/proc/stat`) minus the driver's and its children's (`getrusage`), over the wall time.
    pub other_cpus: Option<f64>,
    /// `--cpus N`: the number of CPUs the run was pinned to; `None` when it was not pinned.
    pub cpus: Option<u64>,
    /// How steady the machine was while the run went on.
    pub quality: Quality,
    /// The scheduling rules this run was made with, so a re-render states the rules it had, not today's.
    pub policy: Policy,
    /// The code the driver was built from.
    pub source: Source,
}

/// The scheduling rules that shaped a run, as they were when it ran.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    /// A cell whose pilot took at least this many seconds was timed without hyperfine warm-up runs; `None` for a run
    /// made before the rule was recorded (schema 4 and older), where only each cell's `timing.warmup` says.
    pub no_warmup_from_s: Option<f64>,
}

/// Which code made a run: the commit of the workspace the driver was built in, and whether its tree had changes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Source {
    /// `git rev-parse HEAD`; `None` outside a git checkout or for runs before it was recorded.
    pub commit: Option<String>,
    /// Whether `git status --porcelain` listed changes to tracked files (untracked files do not count); `None`
    /// where it could not be told.
    pub dirty: Option<bool>,
}

impl Source {
    /// `5c1fad9` or `5c1fad9 (dirty)`, or `not recorded`.
    pub fn describe(&self) -> String {
        match (&self.commit, self.dirty) {
            (Some(c), Some(true)) => {
                format!("{} (with uncommitted changes)", &c[..c.len().min(12)])
            }
            (Some(c), _) => c[..c.len().min(12)].to_string(),
            (None, _) => "not recorded".into(),
        }
    }
}

/// How steady the machine was during a run: what the hypervisor took, and whether the same fixed work took the same
/// time at the start, between the phases and at the end.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Quality {
    /// The share of all CPU time the hypervisor gave to other guests (`steal` in `/proc/stat`), from the start of
    /// verification to the end; `None` where it cannot be read.
    pub steal_share: Option<f64>,
    /// The calibration kernel's time in ms (`machine::calibration_ms`), at each point of the run, in order.
    pub calibration_ms: Vec<(String, f64)>,
}

impl Quality {
    /// How much slower the slowest calibration was than the fastest: `max / min - 1`. `None` with fewer than two.
    pub fn drift(&self) -> Option<f64> {
        if self.calibration_ms.len() < 2 {
            return None;
        }
        let (lo, hi) = self
            .calibration_ms
            .iter()
            .fold((f64::INFINITY, 0.0f64), |(lo, hi), (_, ms)| {
                (lo.min(*ms), hi.max(*ms))
            });
        (lo > 0.0).then(|| hi / lo - 1.0)
    }
}

/// A fault seen when running a cell once (verification or pilot).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Fault {
    /// Killed by a signal, or an exit code outside the contract.
    Crash {
        code: Option<i32>,
        signal: Option<i32>,
        stderr: String,
    },
    /// Exit 1: the runtime says the workload failed.
    Failed { stderr: String },
    /// Exit 2: the runtime rejected the command line.
    Usage { stderr: String },
    /// Exit 3: the runtime does not implement it.
    Unsupported { stderr: String },
    /// Exit 124 (its own watchdog) or stopped by the driver.
    Timeout { limit_s: f64, by_driver: bool },
    /// Exit 0 but stdout is not one RunReport for this cell.
    Garbage { stdout: String },
    /// A RunReport whose checksum disagrees with the reference.
    WrongChecksum { got: u64, want: u64 },
    /// A RunReport whose checksum is right but whose other figures do not hold up: the delay server did not see
    /// its round trips, or its waits were shorter than asked.
    Untrue { why: String },
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Crash {
                code,
                signal,
                stderr,
            } => {
                f.write_str(&contract::crash(*code, *signal))?;
                if !stderr.is_empty() {
                    write!(f, ": {stderr}")?;
                }
                Ok(())
            }
            Fault::Failed { stderr } => write!(f, "failed (exit 1): {stderr}"),
            Fault::Usage { stderr } => write!(f, "rejected its command line (exit 2): {stderr}"),
            Fault::Unsupported { stderr } => write!(f, "not implemented (exit 3): {stderr}"),
            Fault::Timeout {
                limit_s,
                by_driver: true,
            } => {
                write!(
                    f,
                    "hung: still running after {limit_s:.0} s and stopped by the driver"
                )
            }
            Fault::Timeout {
                limit_s,
                by_driver: false,
            } => {
                write!(
                    f,
                    "timed out: its own deadline watchdog fired (exit 124) at {limit_s:.0} s"
                )
            }
            Fault::Garbage { stdout } => {
                write!(f, "printed no valid RunReport on stdout: {stdout:?}")
            }
            Fault::WrongChecksum { got, want } => {
                write!(f, "wrong checksum: {got}, the reference is {want}")
            }
            Fault::Untrue { why } => write!(f, "its report does not hold up: {why}"),
        }
    }
}

impl Fault {
    /// How a run that broke the contract is recorded: the fault, and the RunReport a wrong checksum still carried
    /// (its other figures may be of interest). The one mapping from [`Violation`] to the record.
    ///
    /// Two cases take what the violation does not hold from the run it came from: a runtime's own watchdog
    /// ([`Violation::Timeout`]) is recorded against `limit_s`, the limit the driver gave the run, and a report for
    /// another cell ([`Violation::WrongCell`]) as [`Fault::Garbage`] with the start of `exit`'s stdout. The faults
    /// only the driver finds (a hang it stopped, [`Fault::Timeout`] with `by_driver`; a report that does not hold
    /// up, [`Fault::Untrue`]) are built where it finds them.
    pub fn from_violation(
        v: Violation,
        exit: &Exit<'_>,
        limit_s: f64,
    ) -> (Fault, Option<RunReport>) {
        let fault = match v {
            Violation::Failed { stderr } => Fault::Failed { stderr },
            Violation::Usage { stderr } => Fault::Usage { stderr },
            Violation::Unsupported { stderr } => Fault::Unsupported { stderr },
            Violation::Timeout { .. } => Fault::Timeout {
                limit_s,
                by_driver: false,
            },
            Violation::Crash {
                code,
                signal,
                stderr,
            } => Fault::Crash {
                code,
                signal,
                stderr,
            },
            Violation::NotOneReport { stdout, .. } => Fault::Garbage { stdout },
            Violation::WrongCell { .. } => Fault::Garbage {
                stdout: exit.stdout.trim().chars().take(GARBAGE_CHARS).collect(),
            },
            Violation::WrongChecksum { got, want, report } => {
                return (Fault::WrongChecksum { got, want }, Some(*report));
            }
        };
        (fault, None)
    }
}

/// How many characters of stdout a [`Fault::Garbage`] for a report of another cell keeps.
const GARBAGE_CHARS: usize = 120;

/// The runtime's one-line reason from the stderr tail a failed run left (lines, or segments joined by ` | `): the
/// first that says `could not spawn`, else the last, without the program-name prefix the harness adds
/// (`rt-threads: could not spawn thread 16,400 of 100,000: ...` gives `could not spawn thread 16,400 of 100,000: ...`).
/// Several threads refused at once may each print one; the first is the reason.
pub fn limit_reason(stderr: &str) -> String {
    let parts: Vec<&str> = stderr
        .lines()
        .flat_map(|l| l.split(" | "))
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let line = parts
        .iter()
        .find(|l| l.contains("could not spawn"))
        .or(parts.last())
        .copied()
        .unwrap_or("no reason given on stderr");
    match line.split_once(": ") {
        Some((prog, rest)) if !prog.contains(' ') => rest.to_string(),
        _ => line.to_string(),
    }
}

/// One run of a cell outside hyperfine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attempt {
    /// The command line, to reproduce it.
    pub command: String,
    /// Wall time as the driver saw it (process start to exit), in seconds.
    pub wall_s: f64,
    /// What went wrong, if anything.
    pub fault: Option<Fault>,
}

/// How a cell was timed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    /// hyperfine `--warmup`.
    pub warmup: u32,
    /// hyperfine `--runs`.
    pub runs: u32,
    /// The hyperfine command line.
    pub hyperfine_command: String,
}

/// Where a cell stands. The caveats of a report are these, rendered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum Status {
    /// Not yet verified or timed.
    Pending,
    /// Verified and timed; hyperfine's export is in `raw/hyperfine/`.
    Timed,
    /// Failed verification at `--size check`.
    VerifyFailed { fault: Fault },
    /// Its one untimed run at the timed size (the pilot, whose RunReport is kept) failed.
    PilotFailed { fault: Fault },
    /// Skipped because one run would take too long for the profile.
    TooSlow { reason: String },
    /// hyperfine failed (a timed run exited non-zero, or ran too long).
    TimingFailed { reason: String },
    /// Never run (interrupted, or the run was stopped).
    NotRun { reason: String },
    /// A spawn sweep's point where the model stopped: its pilot failed to start every task (the OS refused a thread
    /// or a process, or memory ran out). A result, not a failure: `reason` is the runtime's one line (`could not
    /// spawn thread 32,741 of 100,000: ...`), `largest_ok` the largest point of the sweep that ran.
    LimitReached {
        reason: String,
        largest_ok: Option<u64>,
    },
    /// A spawn sweep's point past the one where the model stopped (`limit_at` tasks): not run.
    PastLimit { limit_at: u64 },
}

/// Everything known about one cell (`raw/cells/KEY.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellRecord {
    /// What it is.
    pub cell: Cell,
    /// Where it stands.
    pub status: Status,
    /// The verification run at `--size check`.
    pub verify: Option<Attempt>,
    /// The pilot run at the timed size.
    pub pilot: Option<Attempt>,
    /// The pilot's RunReport: latency, lost updates, peak RSS, threads, extra.
    pub report: Option<RunReport>,
    /// How it was timed.
    pub timing: Option<Timing>,
    /// The share of the machine's CPU time the hypervisor stole while the cell was timed; `None` for a cell not
    /// timed, or written before schema 3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steal_share: Option<f64>,
    /// A floor cell's untimed runs after the pilot, at the same size: the figures the runtime measures inside a run
    /// (spawn time per task, memory, round trips) are given as the median and range of the pilot and these, never
    /// from one run. Empty for other cells, and before schema 4.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repeats: Vec<RunReport>,
    /// The repeats that failed, each with its fault: counted and shown, never dropped without a word (the figures
    /// then rest on fewer runs, and the report says how many). Empty before it was recorded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failed_repeats: Vec<Fault>,
}

impl Status {
    /// Not run because Ctrl-C stopped the run `when` ("before this cell", "while this cell was timed", ...).
    pub fn interrupted(when: &str) -> Status {
        Status::NotRun {
            reason: format!("the run was interrupted (Ctrl-C) {when}"),
        }
    }
}

impl RunMeta {
    /// Records the seconds a phase took.
    pub fn set_phase(&mut self, p: Phase, secs: f64) {
        self.phases.insert(p.key().to_string(), secs);
    }

    /// The seconds a phase took, if recorded.
    pub fn phase(&self, p: Phase) -> Option<f64> {
        self.phases.get(p.key()).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drift_is_the_slowest_calibration_over_the_fastest() {
        let q = |ms: &[f64]| Quality {
            steal_share: None,
            calibration_ms: ms.iter().map(|m| ("x".to_string(), *m)).collect(),
        };
        assert_eq!(q(&[30.0]).drift(), None);
        assert!((q(&[30.0, 33.0, 31.0]).drift().unwrap() - 0.1).abs() < 1e-9);
    }

    #[test]
    fn a_violation_is_recorded_as_its_fault() {
        let exit = Exit {
            code: Some(0),
            signal: None,
            stdout: "  {\"runtime\":\"rt-x\"}\n",
            stderr: "",
        };
        let f = |v| Fault::from_violation(v, &exit, 12.0);
        let stderr = || "rt-x: boom".to_string();
        assert_eq!(
            f(Violation::Failed { stderr: stderr() }),
            (Fault::Failed { stderr: stderr() }, None)
        );
        assert_eq!(
            f(Violation::Timeout { stderr: stderr() }).0,
            Fault::Timeout {
                limit_s: 12.0,
                by_driver: false
            }
        );
        let crash = f(Violation::Crash {
            code: None,
            signal: Some(11),
            stderr: stderr(),
        })
        .0;
        assert_eq!(
            crash.to_string(),
            "crashed (killed by signal 11): rt-x: boom"
        );
        assert_eq!(
            f(Violation::WrongCell {
                want: "pool/spawn".into(),
                got: "pool/race".into()
            })
            .0,
            Fault::Garbage {
                stdout: "{\"runtime\":\"rt-x\"}".into()
            }
        );
    }

    #[test]
    fn the_reason_is_the_first_refusal_without_the_program_name() {
        assert_eq!(
            limit_reason(
                "rt-threads: could not spawn thread 16,400 of 100,000: failed (os error 12) | rt-threads: could not \
                 spawn thread 16,402 of 100,000: failed (os error 12)"
            ),
            "could not spawn thread 16,400 of 100,000: failed (os error 12)"
        );
        assert_eq!(limit_reason("warning: x\nrt-x: boom"), "boom");
        assert_eq!(limit_reason(""), "no reason given on stderr");
    }
}
