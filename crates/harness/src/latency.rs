//! Latency samples and their percentiles.

use serde::{Deserialize, Serialize};

/// Percentiles of a set of latency samples, in milliseconds (nearest-rank method).
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

/// How late a wait of `wanted` that began at `start` ended at `now`: `max(0, now - start - wanted)`.
pub fn lateness(
    start: std::time::Instant,
    wanted: std::time::Duration,
    now: std::time::Instant,
) -> std::time::Duration {
    now.saturating_duration_since(start).saturating_sub(wanted)
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
    fn lateness_never_negative() {
        let t = std::time::Instant::now();
        let d = std::time::Duration::from_secs(5);
        assert_eq!(lateness(t, d, t), std::time::Duration::ZERO);
    }
}
