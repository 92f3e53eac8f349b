//! The machine a run happens on, and what else it is doing: probes of `/proc`, `/sys` and `/etc` (through procfs),
//! the clock (through jiff), and the tool and crate versions a run records.
//!
//! Nothing here decides anything: the store records what these return and the report says it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

mod cpus;
mod load;

pub use arena_store::machine::{Machine, utc_now, utc_now_parts, utc_parts};
pub use cpus::{PinError, affinity, logical_cpus, pin_command, pin_to, taskset_prefix};
pub use load::{CpuSnapshot, calibration_ms, loadavg};
use procfs::Current;

use arena_store::Entrant;

pub(crate) fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

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
        online_cpus: cpus::online_cpus(),
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

/// The commit the workspace at `root` is at, and whether its tracked files have changes, from git. Unknown (`None`)
/// outside a git checkout or without git: the record says so rather than failing the run.
pub fn source(root: &Path) -> arena_store::Source {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .arg("-C")
            .arg(root)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let commit = git(&["rev-parse", "HEAD"]).filter(|c| !c.is_empty());
    let dirty = commit
        .as_ref()
        .and_then(|_| git(&["status", "--porcelain", "--untracked-files=no"]))
        .map(|s| !s.is_empty());
    arena_store::Source { commit, dirty }
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
        if let Some(i) = r.info() {
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
        let m = crate::machine::detect();
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
