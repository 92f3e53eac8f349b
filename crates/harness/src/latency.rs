//! Latency samples and their percentiles, and the clock rules every model's waits are measured by: signed
//! [`lateness`], [`early_waits`] and [`sojourn_ms`].

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// Percentiles of a set of latency samples, in milliseconds (nearest-rank method). Lateness samples are signed, so
/// for io-sleep and the mixed ticker any of them may be negative: a wait that ended before its D.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Latency {
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Largest sample.
    pub max: f64,
}

impl Latency {
    /// Percentiles of `samples_ms`; `None` when there are no samples.
    pub fn from_samples(samples_ms: &[f64]) -> Option<Latency> {
        if samples_ms.is_empty() {
            return None;
        }
        let mut s = samples_ms.to_vec();
        s.sort_by(f64::total_cmp);
        Some(Latency {
            p50: percentile(&s, 50.0),
            p90: percentile(&s, 90.0),
            p99: percentile(&s, 99.0),
            max: s[s.len() - 1],
        })
    }
}

/// The nearest-rank percentile `p` (0-100] of sorted samples.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    let rank = ((p / 100.0) * n as f64).ceil() as usize;
    sorted[rank.clamp(1, n) - 1]
}

/// Collects latency samples; cheap to create per task and merge afterwards.
#[derive(Debug, Default, Clone)]
pub struct LatencyRecorder {
    samples: Vec<f64>,
}

impl LatencyRecorder {
    /// An empty recorder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records one sample, as a duration.
    pub fn record(&mut self, d: std::time::Duration) {
        self.samples.push(d.as_secs_f64() * 1000.0);
    }

    /// Records one sample in milliseconds.
    pub fn record_ms(&mut self, ms: f64) {
        self.samples.push(ms);
    }

    /// Adds another recorder's samples.
    pub fn merge(&mut self, other: LatencyRecorder) {
        self.samples.extend(other.samples);
    }

    /// The samples so far.
    pub fn samples(&self) -> &[f64] {
        &self.samples
    }

    /// Consumes the recorder, returning its samples.
    pub fn into_samples(self) -> Vec<f64> {
        self.samples
    }
}

/// How late a wait of `wanted` that began at `start` ended at `now`, in ms, signed: `now - start - wanted`.
/// Negative means the wait ended early. Why signed: a clamp at 0 credits a timer that fires early with a perfect
/// wake-up, and a model whose timer is early half the time would report a better p50 than one that is always
/// exactly on time. Every model reads the clock just before it starts the wait and just after it ends.
pub fn lateness(start: Instant, wanted: Duration, now: Instant) -> f64 {
    // In whole ns first, so an on-time wait is not a float rounding error away from 0.
    let ns = now.saturating_duration_since(start).as_nanos() as i128 - wanted.as_nanos() as i128;
    ns as f64 / 1e6
}

/// How far before D a wait may end and still not count as early, in ms. Why 0.1 ms and not 0: a wait is measured
/// by two clock reads around the model's own timer call, and the peers compute lateness in floating point from
/// clocks (Python's `perf_counter`, Node's `performance.now`) with microsecond-scale granularity and rounding; a
/// few microseconds short is measurement noise, not a timer that fires early. Node's `setTimeout`, which can fire
/// up to 1 ms early (it measures from a loop time truncated to whole ms), is ten times over it. A Rust runtime's
/// timer never ends a wait early on Linux (`nanosleep` and the async timers wait at least D), so its count is 0.
pub const EARLY_TOLERANCE_MS: f64 = 0.1;

/// How many lateness samples (in ms, signed) are waits that ended more than [`EARLY_TOLERANCE_MS`] before D.
pub fn early_waits(lateness_ms: &[f64]) -> u64 {
    lateness_ms
        .iter()
        .filter(|&&l| l < -EARLY_TOLERANCE_MS)
        .count() as u64
}

/// A task's sojourn in ms: from `submitted`, the instant the run handed its tasks to the model, to `done`, the
/// instant the task's last step ended (read by the task itself). Why one instant per run, read just before the
/// first task is spawned or queued: every model's tasks are all submitted at once (a spawn loop, `pool.map`,
/// `gather`), and a per-task instant would start the clock after the submitting loop had already spent its own
/// time spawning the tasks before it (a thread per task costs far more to spawn than a tokio task), hiding
/// exactly the queueing the sojourn exists to show. With one instant, a task that waits behind busy workers, or
/// behind the spawning of the others, shows it.
pub fn sojourn_ms(submitted: Instant, done: Instant) -> f64 {
    ms(done.saturating_duration_since(submitted))
}

/// The sojourns of one task's waits, in ms, from the instants they ended: the first from `submitted` (the run's
/// submission instant, so a task that starts late shows it), each later one from the end of the one before (when
/// the task asked for its next wait). An io-sleep or io-net task has one wait, so its sojourn is
/// [`sojourn_ms`]`(submitted, end)`; the `mixed` ticker has one per round.
pub fn sojourns_ms(submitted: Instant, ends: &[Instant]) -> Vec<f64> {
    let mut from = submitted;
    ends.iter()
        .map(|&end| {
            let s = sojourn_ms(from, end);
            from = end;
            s
        })
        .collect()
}

/// The CLOCK_MONOTONIC time in ns: the clock `Instant` reads on Linux, shared by every process of the machine. A
/// model whose tasks end in other processes (rt-procs) reads it there and in the parent, so their sojourns are
/// measured on the same clock as the others'.
pub fn monotonic_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime only writes the struct we pass it.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// What the `mixed` ticker gives back: each round's signed lateness in ms and the instant it ended.
#[derive(Debug, Clone, Default)]
pub struct Ticks {
    /// Each round's lateness in ms.
    pub lateness_ms: Vec<f64>,
    /// When each round ended.
    pub ends: Vec<Instant>,
}

impl Ticks {
    /// Records one round that began at `start`, waited for `delay` and ended at `end`.
    pub fn record(&mut self, start: Instant, delay: Duration, end: Instant) {
        self.lateness_ms.push(lateness(start, delay, end));
        self.ends.push(end);
    }

    /// The rounds that ran.
    pub fn rounds(&self) -> u64 {
        self.ends.len() as u64
    }
}

/// A duration in milliseconds, as samples are kept.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        let l = Latency::from_samples(&v).unwrap();
        assert_eq!((l.p50, l.p90, l.p99, l.max), (50.0, 90.0, 99.0, 100.0));
        let l = Latency::from_samples(&[3.0, 1.0, 2.0]).unwrap();
        assert_eq!((l.p50, l.p99, l.max), (2.0, 3.0, 3.0));
        assert_eq!(Latency::from_samples(&[7.5]).unwrap().p50, 7.5);
        assert!(Latency::from_samples(&[]).is_none());
    }

    #[test]
    fn lateness_is_signed() {
        let t = Instant::now();
        let d = Duration::from_millis(5);
        // A wait that ended at once is 5 ms early, not on time.
        assert_eq!(lateness(t, d, t), -5.0);
        let late = lateness(t, d, t + Duration::from_micros(6_500));
        assert!((late - 1.5).abs() < 1e-9, "{late}");
        let early = lateness(t, d, t + Duration::from_micros(4_000));
        assert!((early + 1.0).abs() < 1e-9, "{early}");
        // Percentiles keep the sign.
        let l = Latency::from_samples(&[-1.0, -0.5, 0.2]).unwrap();
        assert_eq!((l.p50, l.max), (-0.5, 0.2));
    }

    #[test]
    fn early_waits_count_only_beyond_the_tolerance() {
        assert_eq!(early_waits(&[]), 0);
        assert_eq!(early_waits(&[0.0, 0.3, -0.05, -EARLY_TOLERANCE_MS]), 0);
        assert_eq!(early_waits(&[-0.11, -1.0, 2.0, -0.09]), 2);
    }

    #[test]
    fn sojourns_run_from_submission_and_the_ticker_from_its_previous_round() {
        let t = Instant::now();
        let at = |us: u64| t + Duration::from_micros(us);
        assert_eq!(sojourn_ms(t, at(2_500)), 2.5);
        assert_eq!(sojourn_ms(at(10), t), 0.0);
        let s = sojourns_ms(t, &[at(7_000), at(8_000), at(9_500)]);
        assert_eq!(s, vec![7.0, 1.0, 1.5]);
    }
}
