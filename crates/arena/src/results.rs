//! The results folder: what a bench run writes as it goes, and what `report` and `compare` read back.
//!
//! ```text
//! results/<YYYY-MM-DD>-<HHMM>-<host>/
//!   README.md            the exact command, tool versions, machine (rendered with the report)
//!   report.md            the report
//!   charts/*.svg         its charts
//!   raw/run.json         run metadata: command, profile, seed, versions, machine, phases
//!   raw/runtimes.json    every runtime found, its `list` output, or why it was left out
//!   raw/cells/KEY.json   one per cell: its plan, status, verification, kept RunReport, timing plan
//!   raw/hyperfine/KEY.json   hyperfine's own export for the cell
//!   raw/reports/KEY.json     the cell's RunReport as the runtime printed it
//! ```
//! Every file is written as soon as its data exists, so an interrupted run still renders a partial report.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::Context;
use harness::RunReport;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::discover::Runtime;
use crate::plan::{Cell, Profile};

/// Run metadata (`raw/run.json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunMeta {
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
    pub machine: Machine,
    /// Versions from Cargo.lock of the crates the runtimes are built on.
    pub crate_versions: BTreeMap<String, String>,
    /// The delay server's address.
    pub delay_server: Option<String>,
    /// Median loopback round trip to the delay server with no delay, in ms (the io-net ideal adds it).
    pub bare_rtt_ms: Option<f64>,
    /// The `--workers` every non-sweep cell used (the driver's available parallelism).
    pub workers: u64,
    /// Seconds spent in each phase.
    pub phases: BTreeMap<String, f64>,
    /// `/proc/loadavg` when the run started (before any cell; the end's would count the cells' own threads).
    #[serde(default)]
    pub load: Vec<String>,
    /// CPUs used on average by processes other than this run's, from the verification phase to the end: the
    /// machine's busy time (`/proc/stat`) minus the driver's and its children's (`getrusage`), over the wall time.
    #[serde(default)]
    pub other_cpus: Option<f64>,
}

/// A snapshot to measure the CPU time other processes take while a run goes on.
#[derive(Debug, Clone, Copy)]
pub struct CpuSnapshot {
    at: std::time::Instant,
    machine_busy_s: f64,
    ours_s: f64,
}

impl CpuSnapshot {
    /// Now; `None` where `/proc/stat` cannot be read.
    pub fn take() -> Option<CpuSnapshot> {
        let stat = read("/proc/stat");
        let line = stat.lines().find(|l| l.starts_with("cpu "))?;
        let f: Vec<u64> = line
            .split_whitespace()
            .skip(1)
            .filter_map(|x| x.parse().ok())
            .collect();
        // user nice system idle iowait irq softirq steal: busy = all but idle and iowait.
        if f.len() < 8 {
            return None;
        }
        let busy = f[0] + f[1] + f[2] + f[5] + f[6] + f[7];
        // SAFETY: sysconf and getrusage only write the struct we pass.
        let (tick, ours) = unsafe {
            let tick = libc::sysconf(libc::_SC_CLK_TCK).max(1) as f64;
            let mut total = 0.0;
            for who in [libc::RUSAGE_SELF, libc::RUSAGE_CHILDREN] {
                let mut u: libc::rusage = std::mem::zeroed();
                if libc::getrusage(who, &mut u) == 0 {
                    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
                    total += tv(u.ru_utime) + tv(u.ru_stime);
                }
            }
            (tick, total)
        };
        Some(CpuSnapshot {
            at: std::time::Instant::now(),
            machine_busy_s: busy as f64 / tick,
            ours_s: ours,
        })
    }

    /// CPUs used on average by everything else since `self`.
    pub fn others_since(&self) -> Option<f64> {
        let now = CpuSnapshot::take()?;
        let wall = now.at.duration_since(self.at).as_secs_f64();
        (wall > 0.0).then(|| {
            ((now.machine_busy_s - self.machine_busy_s) - (now.ours_s - self.ours_s)).max(0.0)
                / wall
        })
    }
}

/// The 1-minute load average, from `/proc/loadavg`.
pub fn loadavg() -> String {
    read("/proc/loadavg")
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The machine a run ran on.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Machine {
    /// Host name.
    pub host: String,
    /// CPU model (`/proc/cpuinfo`).
    pub cpu_model: String,
    /// Logical CPUs the driver may use (available parallelism).
    pub logical_cpus: u64,
    /// Distinct physical cores in `/proc/cpuinfo`, if it says.
    pub physical_cores: Option<u64>,
    /// Total memory in MiB.
    pub memory_mib: u64,
    /// Kernel release.
    pub kernel: String,
    /// OS (`/etc/os-release` PRETTY_NAME).
    pub os: String,
    /// The cgroup v2 CPU limit (`cpu.max`), e.g. `max 100000` (none) or `200000 100000` (2 CPUs).
    pub cgroup_cpu_max: String,
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
}

/// A results folder.
#[derive(Debug, Clone)]
pub struct RunDir {
    /// Its path.
    pub path: PathBuf,
}

impl RunDir {
    /// Creates `<root>/<YYYY-MM-DD>-<HHMM>-<host>` (with `-2`, `-3`... if taken) and its `raw/` folders.
    pub fn create(root: &Path, host: &str) -> anyhow::Result<RunDir> {
        let (date, hm) = utc_now_parts();
        let base = format!("{date}-{hm}-{}", sanitize(host));
        let mut path = root.join(&base);
        let mut n = 2;
        while path.exists() {
            path = root.join(format!("{base}-{n}"));
            n += 1;
        }
        for sub in ["raw/cells", "raw/hyperfine", "raw/reports", "charts"] {
            std::fs::create_dir_all(path.join(sub))
                .with_context(|| format!("could not create {}", path.join(sub).display()))?;
        }
        Ok(RunDir { path })
    }

    /// An existing folder.
    pub fn open(path: &Path) -> anyhow::Result<RunDir> {
        if !path.join("raw").join("run.json").is_file() {
            return Err(crate::UsageError(format!(
                "{} is not a results folder (no raw/run.json); give a folder under results/",
                path.display()
            ))
            .into());
        }
        Ok(RunDir {
            path: path.to_path_buf(),
        })
    }

    /// `raw/hyperfine/KEY.json`.
    pub fn hyperfine_file(&self, key: &str) -> PathBuf {
        self.path
            .join("raw")
            .join("hyperfine")
            .join(format!("{key}.json"))
    }

    /// Writes `raw/run.json`.
    pub fn write_meta(&self, m: &RunMeta) -> anyhow::Result<()> {
        write_json(&self.path.join("raw").join("run.json"), m)
    }

    /// Writes `raw/runtimes.json`.
    pub fn write_runtimes(&self, r: &[Runtime]) -> anyhow::Result<()> {
        write_json(&self.path.join("raw").join("runtimes.json"), &r)
    }

    /// Writes one cell's record (and its RunReport on its own).
    pub fn write_cell(&self, c: &CellRecord) -> anyhow::Result<()> {
        let key = c.cell.key();
        if let Some(r) = &c.report {
            write_json(
                &self
                    .path
                    .join("raw")
                    .join("reports")
                    .join(format!("{key}.json")),
                r,
            )?;
        }
        write_json(
            &self
                .path
                .join("raw")
                .join("cells")
                .join(format!("{key}.json")),
            c,
        )
    }

    /// Reads everything back.
    pub fn load(&self) -> anyhow::Result<Loaded> {
        let raw = self.path.join("raw");
        let meta: RunMeta = read_json(&raw.join("run.json"))?;
        let runtimes: Vec<Runtime> = if raw.join("runtimes.json").is_file() {
            read_json(&raw.join("runtimes.json"))?
        } else {
            Vec::new()
        };
        let mut cells = Vec::new();
        let mut hyperfine = BTreeMap::new();
        let mut files: Vec<PathBuf> = std::fs::read_dir(raw.join("cells"))
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.retain(|p| p.extension().is_some_and(|e| e == "json"));
        files.sort();
        for f in files {
            let c: CellRecord = read_json(&f)?;
            if c.status == Status::Timed {
                let key = c.cell.key();
                let r = crate::hyperfine::read_result(&self.hyperfine_file(&key))?;
                hyperfine.insert(key, r);
            }
            cells.push(c);
        }
        // The workspace runtimes first, then the peers (whose work is scaled), each in workload/series/point order.
        let peer = |rt: &str| runtimes.iter().any(|r| r.name == rt && r.peer.is_some());
        cells.sort_by_key(|c| (c.cell.workload, peer(&c.cell.runtime), c.cell.order()));
        Ok(Loaded {
            meta,
            runtimes,
            cells,
            hyperfine,
        })
    }
}

/// A results folder read back.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// `raw/run.json`.
    pub meta: RunMeta,
    /// `raw/runtimes.json`.
    pub runtimes: Vec<Runtime>,
    /// Every cell, in report order.
    pub cells: Vec<CellRecord>,
    /// hyperfine's result per timed cell key.
    pub hyperfine: BTreeMap<String, crate::hyperfine::Result>,
}

/// Writes pretty JSON through a temporary file and a rename, so a reader never sees half a file.
pub fn write_json<T: Serialize + ?Sized>(path: &Path, v: &T) -> anyhow::Result<()> {
    let tmp = path.with_extension("json.tmp");
    let text = serde_json::to_string_pretty(v)?;
    std::fs::write(&tmp, text + "\n")
        .with_context(|| format!("could not write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("could not write {}", path.display()))
}

/// Reads JSON, naming the file on error.
pub fn read_json<T: DeserializeOwned>(path: &Path) -> anyhow::Result<T> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("could not read {}", path.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("{} is not what arena wrote", path.display()))
}

fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// Seconds since the epoch as (`YYYY-MM-DD`, `HHMM`) in UTC.
pub fn utc_parts(secs: u64) -> (String, String) {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (
        format!("{y:04}-{m:02}-{d:02}"),
        format!("{:02}{:02}", rem / 3600, (rem % 3600) / 60),
    )
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn utc_now_parts() -> (String, String) {
    utc_parts(now_secs())
}

/// Now, as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn utc_now() -> String {
    let s = now_secs();
    let (date, _) = utc_parts(s);
    let rem = s % 86_400;
    format!(
        "{date}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

impl Machine {
    /// Reads the machine from /proc, /sys and /etc.
    pub fn detect() -> Machine {
        let cpuinfo = read("/proc/cpuinfo");
        let field = |line: &str| line.split_once(':').map(|(_, v)| v.trim().to_string());
        let cpu_model = cpuinfo
            .lines()
            .find(|l| l.starts_with("model name"))
            .and_then(field)
            .unwrap_or_else(|| "unknown".into());
        let mut cores = std::collections::BTreeSet::new();
        let mut phys = String::new();
        for l in cpuinfo.lines() {
            if l.starts_with("physical id") {
                phys = field(l).unwrap_or_default();
            } else if l.starts_with("core id") {
                cores.insert((phys.clone(), field(l).unwrap_or_default()));
            }
        }
        let memory_mib = read("/proc/meminfo")
            .lines()
            .find(|l| l.starts_with("MemTotal:"))
            .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
            .map_or(0, |kib| kib / 1024);
        let os = read("/etc/os-release")
            .lines()
            .find_map(|l| l.strip_prefix("PRETTY_NAME="))
            .map(|v| v.trim_matches('"').to_string())
            .unwrap_or_else(|| "unknown".into());
        let cg = read("/sys/fs/cgroup/cpu.max").trim().to_string();
        Machine {
            host: read("/proc/sys/kernel/hostname").trim().to_string(),
            cpu_model,
            logical_cpus: std::thread::available_parallelism().map_or(1, |n| n.get() as u64),
            physical_cores: (!cores.is_empty()).then_some(cores.len() as u64),
            memory_mib,
            kernel: read("/proc/sys/kernel/osrelease").trim().to_string(),
            os,
            cgroup_cpu_max: if cg.is_empty() {
                "not found (no cgroup v2 cpu.max)".into()
            } else {
                cg
            },
        }
    }

    /// The cgroup CPU limit in words.
    pub fn cgroup_limit(&self) -> String {
        let mut it = self.cgroup_cpu_max.split_whitespace();
        match (it.next(), it.next().and_then(|p| p.parse::<f64>().ok())) {
            (Some("max"), _) => format!("none (`cpu.max` = `{}`)", self.cgroup_cpu_max),
            (Some(q), Some(p)) if q.parse::<f64>().is_ok() => format!(
                "{:.2} CPUs (`cpu.max` = `{}`)",
                q.parse::<f64>().unwrap_or(0.0) / p,
                self.cgroup_cpu_max
            ),
            _ => self.cgroup_cpu_max.clone(),
        }
    }
}

/// `rustc -vV`, or why not.
pub fn rustc_version() -> String {
    std::process::Command::new("rustc")
        .arg("-vV")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|e| format!("rustc -vV failed: {e}"))
}

/// Versions from `<workspace>/Cargo.lock` of every crate named in some runtime's `versions` (plus the driver's own
/// statistics and chart crates).
pub fn lock_versions(workspace: &Path, runtimes: &[Runtime]) -> BTreeMap<String, String> {
    let mut names: std::collections::BTreeSet<String> =
        ["plotters", "statrs", "serde_json", "delay-server", "tokio"]
            .iter()
            .map(|s| s.to_string())
            .collect();
    for r in runtimes {
        if let Some(i) = &r.info {
            names.extend(i.versions.keys().cloned());
        }
    }
    let text = std::fs::read_to_string(workspace.join("Cargo.lock")).unwrap_or_default();
    let Ok(lock) = text.parse::<toml::Table>() else {
        return BTreeMap::new();
    };
    let mut out = BTreeMap::new();
    for p in lock
        .get("package")
        .and_then(|p| p.as_array())
        .into_iter()
        .flatten()
    {
        let (Some(n), Some(v)) = (
            p.get("name").and_then(|x| x.as_str()),
            p.get("version").and_then(|x| x.as_str()),
        ) else {
            continue;
        };
        if names.contains(n) {
            out.insert(n.to_string(), v.to_string());
        }
    }
    out
}

/// Rewrites `<root>/README.md`: every run folder under `root`, newest first.
pub fn write_index(root: &Path) -> anyhow::Result<()> {
    let mut runs: Vec<(String, RunMeta)> = Vec::new();
    for e in std::fs::read_dir(root)?.flatten() {
        let p = e.path();
        if let Ok(m) = read_json::<RunMeta>(&p.join("raw").join("run.json")) {
            runs.push((e.file_name().to_string_lossy().into_owned(), m));
        }
    }
    runs.sort_by(|a, b| b.1.started_utc.cmp(&a.1.started_utc).then(b.0.cmp(&a.0)));
    let mut s = String::from(
        "# Results\n\nEach folder is one `arena bench` run: `report.md` (start there), `README.md` (the exact command, \
         tool versions and machine), `charts/` and `raw/` (hyperfine's JSON and every RunReport; `arena report DIR` \
         re-renders the report from it). How to read a report: [docs/report.md](../docs/report.md).\n\n\
         Newest first. This index is rewritten by every run.\n\n\
         | run | profile | started (UTC) | host | cells timed | status |\n|---|---|---|---|---|---|\n",
    );
    for (name, m) in &runs {
        let dir = root.join(name);
        let n_timed = std::fs::read_dir(dir.join("raw").join("hyperfine")).map_or(0, |d| d.count());
        let status = if m.interrupted {
            "interrupted"
        } else if m.finished_utc.is_some() {
            "complete"
        } else {
            "incomplete"
        };
        s.push_str(&format!(
            "| [{name}]({name}/report.md) | {} | {} | {} | {n_timed} | {status} |\n",
            m.profile.name, m.started_utc, m.machine.host
        ));
    }
    std::fs::write(root.join("README.md"), s)
        .with_context(|| format!("could not write {}/README.md", root.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(utc_parts(0), ("1970-01-01".into(), "0000".into()));
        // 2026-11-25 21:58 UTC
        assert_eq!(
            utc_parts(1_795_643_880),
            ("2026-11-25".into(), "2158".into())
        );
        assert_eq!(utc_parts(951_782_400), ("2000-02-29".into(), "0000".into()));
    }

    #[test]
    fn cgroup_limit_words() {
        let m = Machine {
            cgroup_cpu_max: "200000 100000".into(),
            ..Machine::default()
        };
        assert!(m.cgroup_limit().starts_with("2.00 CPUs"));
        let m = Machine {
            cgroup_cpu_max: "max 100000".into(),
            ..Machine::default()
        };
        assert!(m.cgroup_limit().starts_with("none"));
    }
}
