//! What else the machine does while a run goes on: other processes' CPU time, the hypervisor's steal, the load
//! average, and the calibration kernel that tells whether the machine's speed drifted.

use procfs::{Current, CurrentSI};

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
