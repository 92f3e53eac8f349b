//! What the runtimes built on blocking OS threads (rt-threads, rt-gil) share around their own executors: what a job
//! gives back ([`Done`]), the scratch directory of `io-file`, and how the jobs' results become the [`Outcome`].
//!
//! Each runtime still builds its own jobs and runs them on its own threads (rt-gil's jobs hold an emulated GIL and
//! release it around blocking calls, rt-threads' do not); only the bookkeeping around them is here.

use std::time::Duration;

use workloads::{RaceCounter, Workload, file};

use crate::{LatencyRecorder, Outcome, RunError, ScratchDir};

/// What a job gives back: a value for the checksum and its latency samples in ms.
#[derive(Debug, Default)]
pub struct Done {
    pub value: u64,
    pub latency_ms: Vec<f64>,
}

/// A duration in milliseconds, as latency samples are kept.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The scratch directory of `io-file` (removed when dropped, and on early exit); `None` for the other workloads.
pub fn scratch_for(w: Workload, runtime: &str) -> Result<Option<ScratchDir>, RunError> {
    Ok(if w == Workload::IoFile {
        Some(ScratchDir::new(runtime)?)
    } else {
        None
    })
}

/// The outcome of a run's jobs: the checksum is the values combined as `io-file` hashes or summed, except in `race`,
/// where it is the counter's final value and the values, each racer's count of the increments it performed, sum to
/// `attempted`; latency samples are kept for io-sleep, io-net and mixed.
pub fn outcome(w: Workload, done: &[Done], counter: &RaceCounter) -> Outcome {
    let mut acc = 0u64;
    let mut lat = LatencyRecorder::new();
    for d in done {
        acc = if w == Workload::IoFile {
            file::combine(acc, d.value)
        } else {
            acc + d.value
        };
        d.latency_ms.iter().for_each(|&l| lat.record_ms(l));
    }
    let out = if w == Workload::Race {
        Outcome::new(counter.get()).attempted(acc)
    } else {
        Outcome::new(acc)
    };
    if matches!(w, Workload::IoSleep | Workload::IoNet | Workload::Mixed) {
        out.latency(lat)
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn done(value: u64, latency_ms: &[f64]) -> Done {
        Done {
            value,
            latency_ms: latency_ms.to_vec(),
        }
    }

    #[test]
    fn sums_values_and_keeps_latency_where_it_is_measured() {
        let c = RaceCounter::new();
        let d = [done(2, &[1.5]), done(3, &[]), done(4, &[0.5, 2.0])];
        let out = outcome(Workload::Mixed, &d, &c);
        assert_eq!(out.checksum, 9);
        assert_eq!(out.latency, Some(vec![1.5, 0.5, 2.0]));
        assert_eq!(outcome(Workload::CpuBalanced, &d, &c).latency, None);
    }

    #[test]
    fn file_hashes_combine_and_race_reads_the_counter() {
        let c = RaceCounter::new();
        c.store(42);
        let d = [done(u64::MAX, &[]), done(2, &[])];
        assert_eq!(outcome(Workload::IoFile, &d, &c).checksum, 1);
        let race = outcome(Workload::Race, &[done(30, &[]), done(20, &[])], &c);
        assert_eq!((race.checksum, race.attempted), (42, Some(50)));
        assert_eq!(outcome(Workload::IoFile, &d, &c).attempted, None);
        assert!(scratch_for(Workload::Race, "rt-test").unwrap().is_none());
    }
}
