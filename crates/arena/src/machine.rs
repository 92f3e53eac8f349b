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
    /// Every CPU the machine has online, whatever the run could use.
    pub online_cpus: Option<u64>,
    /// The CPUs the run was pinned to (its affinity mask, inherited by every runtime, thread and child).
    pub affinity: Vec<u64>,
    /// Whether simultaneous multithreading is active (`/sys/devices/system/cpu/smt/active`), if the kernel says.
    pub smt: Option<bool>,
    /// The CPU frequency governor of CPU 0, or `unknown` (virtual machines often expose none).
    pub governor: String,
    /// What the machine runs in: the hypervisor (`kvm`, ...) and container, as `systemd-detect-virt` or the
    /// `hypervisor` CPU flag say; `none detected` on bare metal.
    pub virtualization: String,
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
            online_cpus: online_cpus(),
            affinity: affinity(),
            smt: match read("/sys/devices/system/cpu/smt/active").trim() {
                "1" => Some(true),
                "0" => Some(false),
                _ => None,
            },
            governor: Some(read(
                "/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor",
            ))
            .map(|g| g.trim().to_string())
            .filter(|g| !g.is_empty())
            .unwrap_or_else(|| "unknown".into()),
            virtualization: virtualization(),
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

/// The logical CPUs this process may use (its available parallelism: the affinity mask and cgroup quota).
pub fn logical_cpus() -> u64 {
    std::thread::available_parallelism().map_or(1, |n| n.get() as u64)
}

/// CPUs online on the machine (`/sys/devices/system/cpu/online`, e.g. `0-1`).
fn online_cpus() -> Option<u64> {
    let text = read("/sys/devices/system/cpu/online");
    let mut n = 0;
    for part in text.trim().split(',').filter(|p| !p.is_empty()) {
        let (a, b) = part.split_once('-').unwrap_or((part, part));
        n += b.parse::<u64>().ok()? - a.parse::<u64>().ok()? + 1;
    }
    (n > 0).then_some(n)
}

/// The CPUs the calling thread may run on.
pub fn affinity() -> Vec<u64> {
    // SAFETY: sched_getaffinity writes at most size_of::<cpu_set_t>() bytes into the set we pass.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        if libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) != 0 {
            return Vec::new();
        }
        (0..libc::CPU_SETSIZE as usize)
            .filter(|&c| libc::CPU_ISSET(c, &set))
            .map(|c| c as u64)
            .collect()
    }
}

/// Why `--cpus` could not pin the run.
#[derive(Debug, thiserror::Error)]
pub enum PinError {
    /// More CPUs asked for than the process may use.
    #[error(
        "--cpus {asked}: this process may use only {have} CPUs ({list:?}); give a number from 1 to {have}"
    )]
    TooMany {
        asked: u64,
        have: u64,
        list: Vec<u64>,
    },
    /// The kernel refused.
    #[error("--cpus {asked}: sched_setaffinity failed: {err}")]
    Refused { asked: u64, err: std::io::Error },
}

/// Pins the calling thread to the first `n` CPUs it may use now. Every process it starts afterwards (hyperfine, each
/// runtime, their threads and children) inherits the mask, so the whole measured run stays on those CPUs. Threads
/// the driver started before (the delay server's) keep theirs: the server is not under test.
pub fn pin_to(n: u64) -> Result<Vec<u64>, PinError> {
    let now = affinity();
    if n == 0 || n > now.len() as u64 {
        return Err(PinError::TooMany {
            asked: n,
            have: now.len() as u64,
            list: now,
        });
    }
    let keep: Vec<u64> = now.into_iter().take(n as usize).collect();
    // SAFETY: CPU_SET only writes inside the set; sched_setaffinity reads size_of::<cpu_set_t>() bytes of it.
    let rc = unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        for &c in &keep {
            libc::CPU_SET(c as usize, &mut set);
        }
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set)
    };
    if rc != 0 {
        return Err(PinError::Refused {
            asked: n,
            err: std::io::Error::last_os_error(),
        });
    }
    Ok(keep)
}

/// The hypervisor and container the machine runs in, as far as can be told.
fn virtualization() -> String {
    let detect = |flag: &str| {
        std::process::Command::new("systemd-detect-virt")
            .arg(flag)
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .filter(|v| !v.is_empty() && v != "none")
    };
    let flagged = read("/proc/cpuinfo")
        .lines()
        .find(|l| l.starts_with("flags"))
        .is_some_and(|l| l.split_whitespace().any(|f| f == "hypervisor"));
    let vm = detect("--vm").or_else(|| flagged.then(|| "a hypervisor (CPU flag)".to_string()));
    match (vm, detect("--container")) {
        (Some(v), Some(c)) => format!("virtual machine: {v}; container: {c}"),
        (Some(v), None) => format!("virtual machine: {v}"),
        (None, Some(c)) => format!("container: {c}"),
        (None, None) => "none detected".into(),
    }
}

/// A snapshot to measure the CPU time other processes take while a run goes on.
#[derive(Debug, Clone, Copy)]
pub struct CpuSnapshot {
    at: std::time::Instant,
    machine_busy_s: f64,
    ours_s: f64,
    /// Time the hypervisor gave to other guests (the `steal` column of `/proc/stat`), all CPUs, in seconds.
    steal_s: f64,
    /// All CPU time of the machine (every column), in seconds.
    total_s: f64,
}

impl CpuSnapshot {
    /// Now; `None` where `/proc/stat` cannot be read.
    pub fn take() -> Option<CpuSnapshot> {
        let t = procfs::KernelStats::current().ok()?.total;
        // Busy = everything but idle and iowait (user nice system irq softirq steal).
        let steal = t.steal.unwrap_or(0);
        let busy = t.user + t.nice + t.system + t.irq.unwrap_or(0) + t.softirq.unwrap_or(0) + steal;
        let total = busy + t.idle + t.iowait.unwrap_or(0);
        let tick = procfs::ticks_per_second().max(1) as f64;
        Some(CpuSnapshot {
            at: std::time::Instant::now(),
            machine_busy_s: busy as f64 / tick,
            ours_s: own_cpu_s(),
            steal_s: steal as f64 / tick,
            total_s: total as f64 / tick,
        })
    }

    /// The share of all CPU time since `self` that the hypervisor gave to other guests (0 to 1).
    pub fn steal_since(&self) -> Option<f64> {
        let now = CpuSnapshot::take()?;
        let total = now.total_s - self.total_s;
        (total > 0.0).then(|| ((now.steal_s - self.steal_s) / total).clamp(0.0, 1.0))
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

/// The calibration kernel: a fixed amount of CPU work (counting primes below 300,000, about 30 ms on a 2026
/// server core), timed in the driver itself, the best of three. Timed at the start, between the phases and at the
/// end of a run, it tells whether the machine's speed drifted while the cells ran (steal, frequency, thermal).
pub fn calibration_ms() -> f64 {
    (0..3)
        .map(|_| {
            let t = std::time::Instant::now();
            std::hint::black_box(workloads::count_primes(0, 300_000, 0, &mut ()));
            t.elapsed().as_secs_f64() * 1000.0
        })
        .fold(f64::INFINITY, f64::min)
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
        assert!(m.affinity.len() as u64 >= m.logical_cpus, "{m:?}");
        assert!(
            m.online_cpus.is_some_and(|n| n >= m.affinity.len() as u64),
            "{m:?}"
        );
        assert!(!m.virtualization.is_empty() && !m.governor.is_empty());
        let snap = CpuSnapshot::take().unwrap();
        assert!(snap.steal_since().is_none_or(|s| (0.0..=1.0).contains(&s)));
        assert!(calibration_ms() > 0.0);
        assert_eq!(loadavg().split_whitespace().count(), 3);
        assert!(CpuSnapshot::take().is_some());
    }

    /// `--cpus 1` pins the thread, and a process it starts inherits the mask (runtimes, hyperfine, their children).
    #[test]
    fn pinning_is_inherited_by_children() {
        std::thread::spawn(|| {
            assert!(matches!(pin_to(0), Err(PinError::TooMany { .. })));
            assert!(matches!(pin_to(100_000), Err(PinError::TooMany { .. })));
            let kept = pin_to(1).unwrap();
            assert_eq!(affinity(), kept);
            assert_eq!(logical_cpus(), 1);
            let out = std::process::Command::new("grep")
                .args(["Cpus_allowed_list", "/proc/self/status"])
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&out.stdout);
            assert_eq!(
                text.split_whitespace().nth(1),
                Some(kept[0].to_string().as_str()),
                "{text}"
            );
        })
        .join()
        .unwrap();
    }
}
