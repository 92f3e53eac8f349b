//! The CPUs a run may use: how many, which (the affinity mask), and pinning the run to fewer (`--cpus`).

use super::read;

/// The logical CPUs this process may use (its available parallelism: the affinity mask and cgroup quota).
pub fn logical_cpus() -> u64 {
    std::thread::available_parallelism().map_or(1, |n| n.get() as u64)
}

/// CPUs online on the machine (`/sys/devices/system/cpu/online`, e.g. `0-1`).
pub(super) fn online_cpus() -> Option<u64> {
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

/// Makes the process `cmd` starts (and every thread and child it has) run on the first `n` CPUs this process may
/// use: a cell pinned to fewer CPUs than the run has ([`arena_store::Cell::pinned`]). Returns the CPUs, for the record;
/// `None` when the run has fewer than `n` (the cell then runs unpinned, and its record says it ran on all of them).
pub fn pin_command(cmd: &mut std::process::Command, n: u64) -> Option<Vec<u64>> {
    let keep: Vec<u64> = affinity().into_iter().take(n as usize).collect();
    if n == 0 || keep.len() as u64 != n {
        return None;
    }
    // SAFETY: CPU_SET only writes inside the set, which is built here, before the fork; the child then only calls
    // sched_setaffinity, which is async-signal-safe, on a copy of it.
    let set = unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        for &c in &keep {
            libc::CPU_SET(c as usize, &mut set);
        }
        set
    };
    // SAFETY: see above; the closure touches no memory of the parent but its own copy of `set`.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(cmd, move || {
            if libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    Some(keep)
}

/// `taskset -c 0,1 ` for the CPUs of [`pin_command`], so a recorded command line reproduces the pinning by hand.
pub fn taskset_prefix(cpus: &[u64]) -> String {
    let list: Vec<String> = cpus.iter().map(u64::to_string).collect();
    format!("taskset -c {} ", list.join(","))
}
