//! The machine a run happens on, and what else it is doing: probes of `/proc`, `/sys` and `/etc` (through procfs),
//! the clock (through jiff), and the tool and crate versions a run records.
//!
//! Nothing here decides anything: the store records what these return and the report says it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use procfs::{Current, CurrentSI};
use serde::{Deserialize, Serialize};

use crate::discover::Entrant;

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

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

impl Machine {
    /// Reads the machine from /proc, /sys and /etc.
    pub fn detect() -> Machine {
        let (cpu_model, physical_cores) = match procfs::CpuInfo::current() {
            Ok(info) => {
                let cores: BTreeSet<(Option<&str>, Option<&str>)> = (0..info.num_cores())
                    .filter_map(|i| {
                        let core = info.get_field(i, "core id")?;
                        Some((info.get_field(i, "physical id"), Some(core)))
                    })
                    .collect();
                (
                    info.model_name(0).unwrap_or("unknown").trim().to_string(),
                    (!cores.is_empty()).then_some(cores.len() as u64),
                )
            }
            Err(_) => ("unknown".into(), None),
        };
        let memory_mib = procfs::Meminfo::current().map_or(0, |m| m.mem_total / (1024 * 1024));
        let os = read("/etc/os-release")
            .lines()
            .find_map(|l| l.strip_prefix("PRETTY_NAME="))
            .map(|v| v.trim_matches('"').to_string())
            .unwrap_or_else(|| "unknown".into());
        let cg = read("/sys/fs/cgroup/cpu.max").trim().to_string();
        Machine {
            host: read("/proc/sys/kernel/hostname").trim().to_string(),
            cpu_model,
            logical_cpus: logical_cpus(),
            physical_cores,
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

/// The logical CPUs this process may use (its available parallelism).
pub fn logical_cpus() -> u64 {
    std::thread::available_parallelism().map_or(1, |n| n.get() as u64)
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
        let t = procfs::KernelStats::current().ok()?.total;
        // Busy = everything but idle and iowait (user nice system irq softirq steal).
        let busy = t.user
            + t.nice
            + t.system
            + t.irq.unwrap_or(0)
            + t.softirq.unwrap_or(0)
            + t.steal.unwrap_or(0);
        let tick = procfs::ticks_per_second().max(1) as f64;
        Some(CpuSnapshot {
            at: std::time::Instant::now(),
            machine_busy_s: busy as f64 / tick,
            ours_s: own_cpu_s(),
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

/// CPU seconds (user + sys) of the driver and every child it has waited for. procfs reads `/proc`, which has no
/// figure for reaped children, so this one is `getrusage`.
fn own_cpu_s() -> f64 {
    let mut total = 0.0;
    for who in [libc::RUSAGE_SELF, libc::RUSAGE_CHILDREN] {
        // SAFETY: getrusage only writes the struct we pass.
        let u = unsafe {
            let mut u: libc::rusage = std::mem::zeroed();
            (libc::getrusage(who, &mut u) == 0).then_some(u)
        };
        if let Some(u) = u {
            let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
            total += tv(u.ru_utime) + tv(u.ru_stime);
        }
    }
    total
}

/// The 1-, 5- and 15-minute load averages, from `/proc/loadavg`.
pub fn loadavg() -> String {
    procfs::LoadAverage::current().map_or(String::new(), |l| {
        format!("{:.2} {:.2} {:.2}", l.one, l.five, l.fifteen)
    })
}

/// `rustc -vV`, or why not.
pub fn rustc_version() -> String {
    std::process::Command::new("rustc")
        .arg("-vV")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|e| format!("rustc -vV failed: {e}"))
}

/// The versions the workspace's lock file resolves for every crate named in some runtime's `versions` (plus the
/// driver's own statistics and chart crates), from `cargo metadata --locked` (cargo_metadata's resolve). Empty when
/// cargo cannot answer: the versions are a record, not a reason to stop a run.
pub fn lock_versions(workspace: &Path, runtimes: &[Entrant]) -> BTreeMap<String, String> {
    let mut names: BTreeSet<String> = ["plotters", "statrs", "serde_json", "delay-server", "tokio"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for r in runtimes {
        if let Some(i) = &r.info {
            names.extend(i.versions.keys().cloned());
        }
    }
    let Ok(meta) = cargo_metadata::MetadataCommand::new()
        .current_dir(workspace)
        .other_options(vec!["--locked".to_string()])
        .exec()
    else {
        return BTreeMap::new();
    };
    // Where the lock holds two versions of one crate, the newest is recorded.
    let mut out: BTreeMap<String, cargo_metadata::semver::Version> = BTreeMap::new();
    for p in meta.packages {
        if names.contains(p.name.as_str()) {
            let v = out.entry(p.name.to_string()).or_insert(p.version.clone());
            if p.version > *v {
                *v = p.version;
            }
        }
    }
    out.into_iter().map(|(k, v)| (k, v.to_string())).collect()
}

/// A time as (`YYYY-MM-DD`, `HHMM`) in UTC: the parts of a run folder's name.
pub fn utc_parts(t: jiff::Timestamp) -> (String, String) {
    (
        t.strftime("%Y-%m-%d").to_string(),
        t.strftime("%H%M").to_string(),
    )
}

/// Now, as (`YYYY-MM-DD`, `HHMM`) in UTC.
pub fn utc_now_parts() -> (String, String) {
    utc_parts(jiff::Timestamp::now())
}

/// Now, as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn utc_now() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_dates() {
        let at = |s: i64| jiff::Timestamp::from_second(s).unwrap();
        assert_eq!(utc_parts(at(0)), ("1970-01-01".into(), "0000".into()));
        // 2026-11-25 21:58 UTC
        assert_eq!(
            utc_parts(at(1_795_643_880)),
            ("2026-11-25".into(), "2158".into())
        );
        assert_eq!(
            utc_parts(at(951_782_400)),
            ("2000-02-29".into(), "0000".into())
        );
        assert!(utc_now().ends_with('Z') && utc_now().len() == 20);
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

    #[test]
    fn probes_read_this_machine() {
        let m = Machine::detect();
        assert!(m.logical_cpus >= 1 && m.memory_mib > 0, "{m:?}");
        assert_eq!(loadavg().split_whitespace().count(), 3);
        assert!(CpuSnapshot::take().is_some());
    }
}
