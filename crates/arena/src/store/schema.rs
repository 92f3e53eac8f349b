//! The raw schema: what a run folder's `raw/` holds, versioned so that runs committed years ago still render.
//!
//! `raw/run.json` carries `schema_version`. A reader migrates older files in memory, one version at a time
//! ([`migrate_run`]); a file from a newer driver is refused with a message that says what to do. The files on disk
//! are never rewritten: they are the run's record.

use std::collections::BTreeMap;
use std::fmt;

use harness::{Facts, RunReport, Threads};
use serde::{Deserialize, Serialize};

use crate::plan::{Cell, Profile};

/// The version of the raw schema this driver writes.
///
/// - 0: no `schema_version` field (runs before 2026-12); `load` and `other_cpus` may be absent.
/// - 1: `schema_version` added; every field of [`RunMeta`] present.
/// - 2: every variant in `raw/runtimes.json` declares its facts (`harness::Facts`); older runs get the facts their
///   runtimes had then ([`legacy_facts`]).
/// - 3: the run's quality (steal, the calibration kernel across the run), `--cpus`, and a fuller machine record
///   (online CPUs, affinity, SMT, governor, virtualization); each timed cell's steal share.
pub const SCHEMA_VERSION: u32 = 3;

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
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Crash {
                code,
                signal,
                stderr,
            } => {
                match (code, signal) {
                    (_, Some(s)) => write!(f, "crashed (killed by signal {s})")?,
                    (Some(c), _) => write!(
                        f,
                        "exited with code {c}, which the contract does not define"
                    )?,
                    _ => write!(f, "crashed")?,
                }
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
        }
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

/// Why a `raw/run.json` cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    /// Written by a newer driver.
    #[error(
        "written by a newer arena (raw schema {found}; this one reads up to {SCHEMA_VERSION}): render it with the \
         arena that wrote it, or update this checkout"
    )]
    Newer { found: u64 },
    /// Not an object with the fields a run has.
    #[error("not a run's metadata ({0}): was it written by arena?")]
    Malformed(String),
}

/// Brings a `raw/run.json` of any known version to [`SCHEMA_VERSION`], one step at a time.
pub fn migrate_run(mut v: serde_json::Value) -> Result<RunMeta, SchemaError> {
    let obj = v
        .as_object_mut()
        .ok_or_else(|| SchemaError::Malformed("not a JSON object".into()))?;
    let mut version = match obj.get("schema_version") {
        None => 0,
        Some(x) => x
            .as_u64()
            .ok_or_else(|| SchemaError::Malformed("schema_version is not a number".into()))?,
    };
    if version > u64::from(SCHEMA_VERSION) {
        return Err(SchemaError::Newer { found: version });
    }
    if version == 0 {
        // 0 -> 1: the fields that older drivers left out get their "not measured" values.
        obj.entry("load").or_insert(serde_json::json!([]));
        obj.entry("other_cpus").or_insert(serde_json::Value::Null);
        version = 1;
    }
    if version == 1 {
        // 1 -> 2: nothing in run.json; the runtimes' facts are filled on load ([`migrate_runtimes`]).
        version = 2;
    }
    if version == 2 {
        // 2 -> 3: nothing was measured of the run's quality or recorded of the fuller machine.
        obj.entry("cpus").or_insert(serde_json::Value::Null);
        obj.entry("quality").or_insert(serde_json::json!({
            "steal_share": null,
            "calibration_ms": []
        }));
        if let Some(m) = obj.get_mut("machine").and_then(|m| m.as_object_mut()) {
            m.entry("online_cpus").or_insert(serde_json::Value::Null);
            m.entry("affinity").or_insert(serde_json::json!([]));
            m.entry("smt").or_insert(serde_json::Value::Null);
            m.entry("governor").or_insert("unknown".into());
            m.entry("virtualization").or_insert("unknown".into());
        }
        version = 3;
    }
    obj.insert("schema_version".into(), version.into());
    serde_json::from_value(v).map_err(|e| SchemaError::Malformed(e.to_string()))
}

/// The facts of the runtimes and variants that existed before variants declared them (schema versions 0 and 1),
/// as those runtimes behaved then. This table is the migration's only knowledge of names: the analysis never uses
/// names.
pub fn legacy_facts(runtime: &str, variant: &str) -> Option<Facts> {
    let f = match (runtime, variant) {
        ("rt-seq", "seq") => Facts::sequential(),
        ("py-seq", "seq") => Facts::sequential().with_gil(),
        ("rt-threads" | "rt-rayon", "pool") | ("rt-gil", "free-threaded") => {
            Facts::threads(Threads::Workers)
        }
        ("rt-threads", "per-task") => Facts::threads(Threads::PerTask),
        ("rt-gil" | "py-threading", "pool") => Facts::threads(Threads::Workers).with_gil(),
        ("rt-gil" | "py-threading", "per-task") => Facts::threads(Threads::PerTask).with_gil(),
        // rt-procs' race passed messages by default then; multiprocessing's shared a counter.
        ("rt-procs", "pool") => Facts::processes(Threads::Workers, false),
        ("py-multiprocessing", "pool") => Facts::processes(Threads::Workers, true),
        ("rt-tokio", "multi-thread") | ("rt-smol", "multi") | ("rt-async-std", "global") => {
            Facts::event_loop(Threads::Workers)
        }
        ("rt-tokio", "current-thread") | ("rt-smol", "single") | ("node", "event-loop") => {
            Facts::event_loop(Threads::One)
        }
        ("py-asyncio", "loop") => Facts::event_loop(Threads::One).with_gil(),
        _ => return None,
    };
    Some(f)
}

/// Brings `raw/runtimes.json` written at schema version `from` to the current one: variants without facts get
/// their [`legacy_facts`].
pub fn migrate_runtimes(from: u64, runtimes: &mut [crate::discover::Entrant]) {
    if from >= 2 {
        return;
    }
    for r in runtimes.iter_mut() {
        let name = r.name.clone();
        for v in r.info.iter_mut().flat_map(|i| i.variants.iter_mut()) {
            if v.facts.is_none() {
                v.facts = legacy_facts(&name, &v.name);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `raw/run.json` as drivers before the schema version wrote it, without the fields added later.
    fn v0() -> serde_json::Value {
        serde_json::json!({
            "arena_version": "0.1.0",
            "command": "arena bench",
            "profile": {
                "name": "smoke", "size": "check", "sweeps": false, "opt_cells": false, "warmup": 1,
                "min_runs": 3, "max_runs": 3, "cell_budget_s": 0.5, "run_limit_s": 2.0, "total_budget_s": 60.0
            },
            "seed": 1,
            "started_utc": "2026-11-25T22:00:00Z",
            "finished_utc": null,
            "interrupted": false,
            "hyperfine": "hyperfine 1.20.0",
            "rustc": "rustc 1.95.0",
            "machine": {
                "host": "h", "cpu_model": "c", "logical_cpus": 2, "physical_cores": null, "memory_mib": 1,
                "kernel": "k", "os": "o", "cgroup_cpu_max": "max 100000"
            },
            "crate_versions": {},
            "delay_server": null,
            "bare_rtt_ms": null,
            "workers": 2,
            "phases": {"verify_s": 1.0}
        })
    }

    /// A run migrated to the current version, as the current driver writes it.
    fn migrate_and_back(v: serde_json::Value) -> serde_json::Value {
        serde_json::to_value(migrate_run(v).unwrap()).unwrap()
    }

    #[test]
    fn a_run_without_a_version_is_migrated() {
        let m = migrate_run(v0()).unwrap();
        assert_eq!(m.schema_version, SCHEMA_VERSION);
        assert!(m.load.is_empty());
        assert_eq!(m.other_cpus, None);
        assert_eq!(m.phase(Phase::Verify), Some(1.0));
        assert_eq!(m.phase(Phase::Time), None);
        assert_eq!(m.cpus, None);
        assert_eq!(m.quality, Quality::default());
        assert_eq!(m.machine.governor, "unknown");
        assert!(m.machine.affinity.is_empty());
    }

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
    fn a_current_run_reads_back_and_a_newer_one_is_refused() {
        let mut v = migrate_and_back(v0());
        assert_eq!(v["schema_version"], SCHEMA_VERSION);
        v["other_cpus"] = 0.5.into();
        let m = migrate_run(v.clone()).unwrap();
        assert_eq!(m.other_cpus, Some(0.5));
        // The current version has every field: one left out is an error, not a silent default.
        v.as_object_mut().unwrap().remove("load");
        assert!(matches!(migrate_run(v), Err(SchemaError::Malformed(_))));
        let mut v = v0();
        v["schema_version"] = (SCHEMA_VERSION + 1).into();
        let e = migrate_run(v).unwrap_err();
        assert!(matches!(e, SchemaError::Newer { .. }));
        assert!(e.to_string().contains("written by a newer arena"), "{e}");
        assert!(matches!(
            migrate_run(serde_json::json!([1])),
            Err(SchemaError::Malformed(_))
        ));
    }
}
