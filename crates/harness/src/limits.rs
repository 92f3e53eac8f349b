//! What a run needs of the machine, checked before the runtime allocates or starts anything: the memory it holds at
//! once and the OS threads it starts. A run that cannot fit is refused with exit 2 and one line naming the limit and
//! the flag to lower, instead of aborting on a failed allocation (exit 134, a backtrace, a scratch directory left
//! in the temp dir) or failing half-way through spawning threads.
//!
//! The estimates are lower bounds of what *every* model needs for the same parameters (the rules of
//! docs/workloads.md: at most W io-file buffers at once, a handle per submitted task), so the same command line is
//! refused by every runtime alike. Passing the check does not promise the run fits: it only rules out runs that
//! certainly cannot. The machine's side is read from procfs by [`Machine::probe`]; the arithmetic is pure and
//! unit-tested.

use workloads::{Params, Workload};

use crate::report::{Facts, Threads};

/// Bytes a model keeps per submitted task, at least: a join handle, a boxed job or a future's header (16 to a few
/// hundred bytes in the Rust runtimes, more in the interpreters), plus its result. A lower bound, so that only a
/// `--tasks` no model could hold is refused.
pub const TASK_BYTES: u64 = 64;
/// Bytes kept per `mixed` ticker round: its latency sample.
pub const ROUND_BYTES: u64 = 8;
/// Threads every run has besides the model's: the main thread, the harness's probe and its watchdog.
pub const BASE_THREADS: u64 = 3;

/// What the machine allows this process; `None` where procfs does not say (then nothing is refused for it).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Machine {
    /// `MemAvailable` of `/proc/meminfo`, in KiB.
    pub mem_available_kib: Option<u64>,
    /// The tightest limit on the threads this process may start.
    pub thread_limit: Option<ThreadLimit>,
}

/// A limit on threads, with where it comes from and how to raise it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadLimit {
    /// The most threads (or processes) allowed.
    pub max: u64,
    /// Where the limit comes from, e.g. `RLIMIT_NPROC`.
    pub source: &'static str,
}

impl Machine {
    /// Reads the machine's limits from procfs (Linux); fields it cannot read stay `None`.
    pub fn probe() -> Machine {
        let read = |p: &str| std::fs::read_to_string(p).ok();
        Machine::from_procfs(
            read("/proc/meminfo").as_deref(),
            read("/proc/sys/kernel/threads-max").as_deref(),
            read("/proc/self/limits").as_deref(),
            read("/proc/self/status").as_deref(),
            read("/sys/fs/cgroup/pids.max").as_deref(),
        )
    }

    /// The limits from the text of `/proc/meminfo`, `/proc/sys/kernel/threads-max`, `/proc/self/limits`,
    /// `/proc/self/status` and the cgroup's `pids.max` (cgroup v2).
    pub fn from_procfs(
        meminfo: Option<&str>,
        threads_max: Option<&str>,
        limits: Option<&str>,
        status: Option<&str>,
        pids_max: Option<&str>,
    ) -> Machine {
        let mem_available_kib = meminfo.and_then(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("MemAvailable:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        });
        let mut candidates = Vec::new();
        if let Some(n) = threads_max.and_then(|t| t.trim().parse().ok()) {
            candidates.push(ThreadLimit {
                max: n,
                source: "kernel.threads-max",
            });
        }
        // Why not for root: the kernel does not enforce RLIMIT_NPROC on the root user (copy_process exempts it).
        let root = status
            .and_then(|s| s.lines().find_map(|l| l.strip_prefix("Uid:")))
            .and_then(|v| v.split_whitespace().next())
            == Some("0");
        if !root && let Some(n) = limits.and_then(nproc_soft) {
            candidates.push(ThreadLimit {
                max: n,
                source: "RLIMIT_NPROC (ulimit -u)",
            });
        }
        if let Some(n) = pids_max.and_then(|p| p.trim().parse().ok()) {
            candidates.push(ThreadLimit {
                max: n,
                source: "the cgroup's pids.max",
            });
        }
        Machine {
            mem_available_kib,
            thread_limit: candidates.into_iter().min_by_key(|l| l.max),
        }
    }
}

/// The soft "Max processes" of `/proc/self/limits` (RLIMIT_NPROC: threads count against it); `None` if unlimited.
fn nproc_soft(limits: &str) -> Option<u64> {
    let line = limits.lines().find(|l| l.starts_with("Max processes"))?;
    line["Max processes".len()..]
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// One part of a run's memory: how many bytes, what holds them, and the flags that size it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoryPart {
    /// Bytes held at once (saturating).
    pub bytes: u64,
    /// What holds them, for the message.
    pub what: String,
    /// How to make it smaller.
    pub fix: &'static str,
}

/// The memory a run of `w` holds at once in every model, part by part (lower bounds).
pub fn memory_parts(w: Workload, p: &Params) -> Vec<MemoryPart> {
    let mut parts = Vec::new();
    if w.uses().contains(&"tasks") {
        parts.push(MemoryPart {
            bytes: p.tasks.saturating_mul(TASK_BYTES),
            what: format!(
                "--tasks {} keeps a handle per task, {TASK_BYTES} B each at least",
                p.tasks
            ),
            fix: "lower --tasks",
        });
    }
    if w == Workload::IoFile {
        // The in-flight rule of docs/workloads.md: at most W tasks hold a buffer of S KiB at once.
        let buffers = p.workers.min(p.tasks);
        parts.push(MemoryPart {
            bytes: buffers.saturating_mul(p.size_kib).saturating_mul(1024),
            what: format!(
                "io-file holds min(--workers, --tasks) = {buffers} buffers of --size-kib {} at once",
                p.size_kib
            ),
            fix: "lower --size-kib or --workers",
        });
    }
    if w == Workload::Mixed {
        parts.push(MemoryPart {
            bytes: p.rounds.saturating_mul(ROUND_BYTES),
            what: format!("--rounds {} keeps a latency sample a round", p.rounds),
            fix: "lower --rounds",
        });
    }
    parts
}

/// The OS threads (or processes) a run of `w` starts in a variant with these facts, its main thread and the
/// harness's own included.
pub fn threads_needed(w: Workload, p: &Params, facts: &Facts) -> u64 {
    let model = match facts.threads {
        Threads::One => 0, // the main thread
        Threads::Workers => p.workers,
        // A racer per worker in race, a thread per task otherwise.
        Threads::PerTask if w == Workload::Race => p.workers,
        Threads::PerTask => p.tasks,
    };
    // Every event loop's blocking pool is capped at W threads, and used by io-file and offload.
    let blocking = if facts.event_loop { p.workers } else { 0 };
    // The mixed ticker is its own task or thread beside the W CPU workers.
    let ticker = u64::from(w == Workload::Mixed);
    BASE_THREADS
        .saturating_add(model)
        .saturating_add(blocking)
        .saturating_add(ticker)
}

/// Refuses a run that cannot fit this machine: the message says the limit and how to fix it.
pub fn check(w: Workload, p: &Params, facts: &Facts, machine: &Machine) -> Result<(), String> {
    if let Some(avail_kib) = machine.mem_available_kib {
        let parts = memory_parts(w, p);
        let total = parts.iter().fold(0u64, |a, x| a.saturating_add(x.bytes));
        let avail = avail_kib.saturating_mul(1024);
        if total > avail
            && let Some(big) = parts.iter().max_by_key(|x| x.bytes)
        {
            return Err(format!(
                "the run needs at least {} of memory at once ({}), more than the {} this machine has available \
                 (MemAvailable in /proc/meminfo); {}",
                gib(total),
                big.what,
                gib(avail),
                big.fix
            ));
        }
    }
    // Why not for spawn: where the OS stops a model's threads or processes is what spawn measures, so it tries and
    // reports the OS's refusal (exit 1, `could not spawn thread 32,741 of 100,000: ...`) instead of being refused.
    if let Some(limit) = machine
        .thread_limit
        .as_ref()
        .filter(|_| w != Workload::Spawn)
    {
        let need = threads_needed(w, p, facts);
        if need > limit.max {
            let flag = match facts.threads {
                Threads::PerTask if w != Workload::Race => "--tasks",
                _ => "--workers",
            };
            return Err(format!(
                "{w} with --tasks {} and --workers {} needs {need} threads, more than the {} this process may \
                 start ({}); lower {flag} or raise the limit",
                p.tasks, p.workers, limit.max, limit.source
            ));
        }
    }
    Ok(())
}

/// Bytes as GiB with two decimals (`1907.35 GiB`).
fn gib(bytes: u64) -> String {
    format!("{:.2} GiB", bytes as f64 / (1u64 << 30) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use workloads::Size;

    const MEMINFO: &str =
        "MemTotal:       24683520 kB\nMemFree:        19060000 kB\nMemAvailable:    2097152 kB\n";
    const LIMITS: &str = "Limit                     Soft Limit           Hard Limit           Units     \n\
                          Max cpu time              unlimited            unlimited            seconds   \n\
                          Max processes             5000                 96365                processes \n";

    fn params(w: Workload, tasks: u64, workers: u64) -> Params {
        Params {
            tasks,
            workers,
            ..Params::preset(w, Size::Check, workers)
        }
    }

    fn machine(mem_kib: u64, threads: u64) -> Machine {
        Machine {
            mem_available_kib: Some(mem_kib),
            thread_limit: Some(ThreadLimit {
                max: threads,
                source: "test",
            }),
        }
    }

    #[test]
    fn reads_procfs_and_takes_the_tightest_thread_limit() {
        let user = "Uid:\t1000\t1000\t1000\t1000\n";
        let m = Machine::from_procfs(
            Some(MEMINFO),
            Some("192730\n"),
            Some(LIMITS),
            Some(user),
            None,
        );
        assert_eq!(m.mem_available_kib, Some(2_097_152));
        let l = m.thread_limit.unwrap();
        assert_eq!((l.max, l.source), (5000, "RLIMIT_NPROC (ulimit -u)"));
        // Root is not held to RLIMIT_NPROC; a cgroup's pids.max is tighter than threads-max.
        let root = "Uid:\t0\t0\t0\t0\n";
        let m = Machine::from_procfs(
            None,
            Some("192730"),
            Some(LIMITS),
            Some(root),
            Some("700\n"),
        );
        assert_eq!(m.thread_limit.unwrap().max, 700);
        let m = Machine::from_procfs(
            None,
            Some("192730"),
            Some(LIMITS),
            Some(root),
            Some("max\n"),
        );
        assert_eq!(m.thread_limit.unwrap().max, 192_730);
        let unlimited = LIMITS.replace("5000                ", "unlimited           ");
        let m = Machine::from_procfs(None, None, Some(&unlimited), Some(user), None);
        assert_eq!(m, Machine::default());
    }

    #[test]
    fn io_file_needs_w_buffers_of_s_not_t() {
        let mut p = params(Workload::IoFile, 64, 2);
        p.size_kib = 1024;
        let parts = memory_parts(Workload::IoFile, &p);
        let total: u64 = parts.iter().map(|x| x.bytes).sum();
        assert_eq!(total, 64 * TASK_BYTES + 2 * 1024 * 1024);
        // Fewer tasks than workers: only T buffers.
        p.tasks = 1;
        assert_eq!(memory_parts(Workload::IoFile, &p)[1].bytes, 1024 * 1024);
    }

    #[test]
    fn refuses_what_cannot_fit_and_says_which_flag() {
        let facts = Facts::threads(Threads::Workers);
        let mut p = params(Workload::IoFile, 2, 2);
        p.size_kib = 999_999_999;
        let e = check(Workload::IoFile, &p, &facts, &machine(2 << 20, 1000)).unwrap_err();
        assert!(
            e.contains("1907.35 GiB") && e.contains("lower --size-kib"),
            "{e}"
        );
        assert!(!e.contains('\n'));
        p.size_kib = 1024;
        assert!(check(Workload::IoFile, &p, &facts, &machine(2 << 20, 1000)).is_ok());
        // No overflow at the extremes.
        p.size_kib = u64::MAX;
        p.workers = u64::MAX;
        assert!(check(Workload::IoFile, &p, &facts, &machine(2 << 20, u64::MAX)).is_err());
        let p = params(Workload::IoSleep, 1 << 40, 2);
        let e = check(Workload::IoSleep, &p, &facts, &machine(2 << 20, 1000)).unwrap_err();
        assert!(e.contains("lower --tasks"), "{e}");
        // Unknown memory refuses nothing for memory.
        let unknown = Machine {
            mem_available_kib: None,
            thread_limit: None,
        };
        assert!(check(Workload::IoSleep, &p, &facts, &unknown).is_ok());
    }

    #[test]
    fn counts_threads_by_what_the_variant_declares() {
        let p = params(Workload::IoSleep, 10_000, 4);
        let per_task = Facts::threads(Threads::PerTask);
        let pool = Facts::threads(Threads::Workers);
        let one_loop = Facts::event_loop(Threads::One);
        assert_eq!(threads_needed(Workload::IoSleep, &p, &per_task), 10_003);
        assert_eq!(threads_needed(Workload::IoSleep, &p, &pool), 7);
        assert_eq!(threads_needed(Workload::IoSleep, &p, &one_loop), 7); // + the blocking pool
        assert_eq!(threads_needed(Workload::Mixed, &p, &pool), 8); // + the ticker
        assert_eq!(threads_needed(Workload::Race, &p, &per_task), 7); // W racers
        let e = check(Workload::IoSleep, &p, &per_task, &machine(1 << 30, 5000)).unwrap_err();
        assert!(
            e.contains("10003 threads") && e.contains("5000") && e.contains("lower --tasks"),
            "{e}"
        );
        assert!(check(Workload::IoSleep, &p, &pool, &machine(1 << 30, 5000)).is_ok());
        let wide = params(Workload::CpuBalanced, 8, 9000);
        let e = check(Workload::CpuBalanced, &wide, &pool, &machine(1 << 30, 5000)).unwrap_err();
        assert!(e.contains("lower --workers"), "{e}");
    }
}
