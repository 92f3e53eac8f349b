//! The machine record a run keeps (`raw/run.json`'s `machine`), and the clock's formats for run folders. Probing the
//! machine is the driver's job (`arena::machine`); this is only the record.

use serde::{Deserialize, Serialize};

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

impl Machine {
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
