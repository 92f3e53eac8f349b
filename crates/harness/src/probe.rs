//! Probes of the process itself: peak resident memory and the number of OS threads.
//!
//! The thread count is sampled by a probe thread every [`SAMPLE_PERIOD`] while a run is going, plus on demand
//! ([`sample_threads`]), from the `Threads:` line of `/proc/self/status`. The reported peak excludes the harness's own probe and watchdog
//! threads, so a single-threaded model reports 1. A peak shorter than the period can be missed; runtimes that know
//! when their thread count peaks (after spawning everything) call [`sample_threads`] there.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// How often the probe thread samples the thread count. Why 10 ms: one read of `/proc/self/status` costs about
/// 20-40 µs here whatever the thread count, so the probe takes well under 1% of a core inside the timed region; the
/// runtimes sample at the points where they know their count peaks (after spawning everything), so a longer period
/// loses only a peak that comes and goes between them.
pub const SAMPLE_PERIOD: Duration = Duration::from_millis(10);

static PEAK: AtomicU64 = AtomicU64::new(0);
static OWN_THREADS: AtomicU64 = AtomicU64::new(0);

/// The current number of OS threads in this process, or 0 if /proc is unavailable.
///
/// Why `/proc/self/status` and not `/proc/self/stat`: the kernel builds `stat` by summing the CPU times of every
/// thread, so one read cost 4.3 ms with 10,000 threads (50 µs with one, measured here), and a probe reading it every
/// few milliseconds kept a core busy inside the timed run of exactly the models with a thread per task. `status`
/// reads the thread count without walking the threads: 22 µs with 10,000 threads, 38 µs with one.
pub fn threads_now() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Threads:"))
                .and_then(|v| v.trim().parse().ok())
        })
        .unwrap_or(0)
}

/// Records the current thread count into the peak.
pub fn sample_threads() {
    PEAK.fetch_max(threads_now(), Ordering::Relaxed);
}

/// The peak thread count so far, minus the harness's own threads.
pub fn threads_peak() -> u64 {
    PEAK.load(Ordering::Relaxed)
        .saturating_sub(OWN_THREADS.load(Ordering::Relaxed))
        .max(1)
}

/// Peak resident set size (VmHWM) in KiB, or 0 if /proc is unavailable.
pub fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// Declares that the harness runs `n` threads of its own (excluded from the peak).
pub(crate) fn add_own_threads(n: u64) {
    OWN_THREADS.fetch_add(n, Ordering::Relaxed);
}

/// The sampling thread; stops when dropped.
pub(crate) struct Sampler {
    stop: &'static AtomicBool,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl Sampler {
    pub(crate) fn start() -> Sampler {
        let stop: &'static AtomicBool = Box::leak(Box::new(AtomicBool::new(false)));
        add_own_threads(1);
        let handle = std::thread::Builder::new()
            .name("arena-probe".into())
            .spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    sample_threads();
                    std::thread::sleep(SAMPLE_PERIOD);
                }
            })
            .ok();
        Sampler { stop, handle }
    }
}

impl Drop for Sampler {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        sample_threads();
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_read_proc() {
        assert!(threads_now() >= 1);
        assert!(peak_rss_kib() > 0);
    }

    #[test]
    fn the_thread_count_follows_the_threads() {
        let before = threads_now();
        let gate = std::sync::Arc::new(std::sync::Barrier::new(9));
        let hs: Vec<_> = (0..8)
            .map(|_| {
                let g = gate.clone();
                std::thread::spawn(move || {
                    g.wait();
                })
            })
            .collect();
        // Other tests of this binary may start or end threads meanwhile; eight of ours are certainly alive here.
        assert!(
            threads_now() >= 9,
            "{} threads with 8 parked",
            threads_now()
        );
        assert!(before >= 1);
        gate.wait();
        for h in hs {
            h.join().unwrap();
        }
    }
}
