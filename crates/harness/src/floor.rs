//! The floor workloads' figures, measured the same way in every Rust runtime (the peers compute the same keys in
//! `peers/python/contract.py` and `peers/node/contract.js`): see `docs/floor.md`.
//!
//! `spawn`: [`SpawnProbe::start`] just before the first task is started (it samples VmRSS and VmSize), then
//! [`SpawnProbe::parked`] once all N tasks are parked on the release signal (it samples them again and stops the spawn
//! clock), then [`SpawnProbe::joined`] once all are released and joined. The extras are the keys of
//! [`crate::contract::extra`]: `parked`, `spawn_us_per_task`, `rss_before_kib`, `rss_parked_kib`, `vsz_before_kib`,
//! `vsz_parked_kib` and `teardown_ms`.
//!
//! `ping-pong`: a [`RoundTrips`] recorder in the pinger, fed each round trip's duration and reply; its outcome has
//! the replies' sum as checksum and `round_trips`, `rtt_us_mean`, `rtt_us_p50`, `rtt_us_p99` and `rtt_us_max`.

use std::time::{Duration, Instant};

use crate::contract::extra;
use crate::latency::Latency;
use crate::runtime::{Outcome, RunError};

/// VmRSS and VmSize of a process in KiB, from `/proc/<pid>/status` (`pid` `None`: this process). `None` when the
/// file cannot be read (the process is gone) or lacks the fields.
pub fn memory_kib(pid: Option<u32>) -> Option<Memory> {
    let path = match pid {
        Some(p) => format!("/proc/{p}/status"),
        None => "/proc/self/status".to_string(),
    };
    let text = std::fs::read_to_string(path).ok()?;
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    };
    Some(Memory {
        rss_kib: field("VmRSS:")?,
        vsz_kib: field("VmSize:")?,
    })
}

/// Resident and virtual memory, in KiB.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Memory {
    /// VmRSS: pages resident now (not the peak, VmHWM).
    pub rss_kib: u64,
    /// VmSize: the virtual reservation (thread stacks are reserved whole and touched a page at a time).
    pub vsz_kib: u64,
}

impl std::ops::Add for Memory {
    type Output = Memory;
    fn add(self, o: Memory) -> Memory {
        Memory {
            rss_kib: self.rss_kib + o.rss_kib,
            vsz_kib: self.vsz_kib + o.vsz_kib,
        }
    }
}

/// The clock and memory samples of one `spawn` run.
#[derive(Debug)]
pub struct SpawnProbe {
    tasks: u64,
    before: Memory,
    start: Instant,
    parked: Option<(u64, Duration, Memory, Instant)>,
}

impl SpawnProbe {
    /// Samples this process's memory and starts the spawn clock: call it just before the first task is started.
    pub fn start(tasks: u64) -> SpawnProbe {
        let before = memory_kib(None).unwrap_or_default();
        SpawnProbe {
            tasks,
            before,
            start: Instant::now(),
            parked: None,
        }
    }

    /// Stops the spawn clock, then samples this process's memory plus `children()` (the summed memory of child
    /// processes that are tasks, for the process models; `Memory::default` otherwise): call it once `parked` tasks
    /// are parked, all of them. Why a closure: reading N children's `/proc` files is sampling, not spawning, so it
    /// runs after the clock has stopped. Starts the teardown clock.
    pub fn parked(&mut self, parked: u64, children: impl FnOnce() -> Memory) {
        let took = self.start.elapsed();
        let now = memory_kib(None).unwrap_or_default() + children();
        self.parked = Some((parked, took, now, Instant::now()));
    }

    /// The outcome, once every task was released and joined: `checksum` is the sum of what the tasks gave back.
    pub fn joined(self, checksum: u64) -> Outcome {
        let teardown = Instant::now();
        // A run that never called `parked` reports 0 parked tasks, which the contract check refuses.
        let (parked, took, at, released) =
            self.parked
                .unwrap_or((0, Duration::ZERO, Memory::default(), self.start));
        Outcome::new(checksum)
            .extra(extra::PARKED, parked)
            .extra(
                extra::SPAWN_US_PER_TASK,
                took.as_secs_f64() * 1e6 / self.tasks.max(1) as f64,
            )
            .extra(extra::RSS_BEFORE_KIB, self.before.rss_kib)
            .extra(extra::RSS_PARKED_KIB, at.rss_kib)
            .extra(extra::VSZ_BEFORE_KIB, self.before.vsz_kib)
            .extra(extra::VSZ_PARKED_KIB, at.vsz_kib)
            .extra(
                extra::TEARDOWN_MS,
                teardown.duration_since(released).as_secs_f64() * 1e3,
            )
    }
}

/// The one-line error of a spawn that the OS refused: `could not spawn thread 32,741 of 100,000: Resource
/// temporarily unavailable (os error 11)`. `i` counts from 0; the message counts from 1. The driver reads a spawn
/// sweep's failure as the model's limit and shows this line as the reason.
pub fn spawn_failed(unit: &str, i: u64, n: u64, err: impl std::fmt::Display) -> RunError {
    RunError::Failed(format!(
        "could not spawn {unit} {} of {}: {err}",
        thousands(i + 1),
        thousands(n)
    ))
}

/// `32741` as `32,741`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The pinger's record of a `ping-pong` run: one duration per round trip, and the replies' sum.
#[derive(Debug)]
pub struct RoundTrips {
    start: Instant,
    samples_us: Vec<f64>,
    sum: u64,
}

impl RoundTrips {
    /// Starts the clock for `k` round trips: call it just before the first token is sent.
    pub fn start(k: u64) -> RoundTrips {
        RoundTrips {
            start: Instant::now(),
            samples_us: Vec::with_capacity(k as usize),
            sum: 0,
        }
    }

    /// Records one round trip: how long it took and the token that came back.
    pub fn add(&mut self, took: Duration, reply: u64) {
        self.samples_us.push(took.as_secs_f64() * 1e6);
        self.sum = self.sum.wrapping_add(reply);
    }

    /// The outcome: the replies' sum as checksum; the mean over the whole exchange (its wall time over the round
    /// trips, so the clock reads between round trips are included) and the percentiles of the samples.
    pub fn outcome(self) -> Outcome {
        let n = self.samples_us.len() as u64;
        let wall_us = self.start.elapsed().as_secs_f64() * 1e6;
        let mut o = Outcome::new(self.sum).extra(extra::ROUND_TRIPS, n);
        if let Some(l) = Latency::from_samples(&self.samples_us) {
            o = o
                .extra(extra::RTT_US_MEAN, wall_us / n as f64)
                .extra(extra::RTT_US_P50, l.p50)
                .extra(extra::RTT_US_P99, l.p99)
                .extra(extra::RTT_US_MAX, l.max);
        }
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(32_741), "32,741");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }

    #[test]
    fn a_refused_spawn_names_the_unit_the_count_and_the_os_reason() {
        let e = spawn_failed(
            "thread",
            32_740,
            100_000,
            "Resource temporarily unavailable",
        );
        assert_eq!(
            e.to_string(),
            "could not spawn thread 32,741 of 100,000: Resource temporarily unavailable"
        );
    }

    #[test]
    fn this_process_has_memory() {
        let m = memory_kib(None).expect("/proc/self/status");
        assert!(m.rss_kib > 0 && m.vsz_kib >= m.rss_kib);
    }

    #[test]
    fn round_trips_sum_replies_and_give_percentiles() {
        let mut r = RoundTrips::start(3);
        for (us, reply) in [(10, 1), (20, 2), (30, 3)] {
            r.add(Duration::from_micros(us), reply);
        }
        let o = r.outcome();
        assert_eq!(o.checksum, 6);
        assert_eq!(o.extra[extra::ROUND_TRIPS], 3);
        assert_eq!(o.extra[extra::RTT_US_P50], 20.0);
        assert_eq!(o.extra[extra::RTT_US_MAX], 30.0);
    }

    #[test]
    fn a_spawn_probe_reports_every_key() {
        let mut p = SpawnProbe::start(4);
        p.parked(4, Memory::default);
        let o = p.joined(10);
        for k in [
            extra::PARKED,
            extra::SPAWN_US_PER_TASK,
            extra::RSS_BEFORE_KIB,
            extra::RSS_PARKED_KIB,
            extra::VSZ_BEFORE_KIB,
            extra::VSZ_PARKED_KIB,
            extra::TEARDOWN_MS,
        ] {
            assert!(o.extra.contains_key(k), "{k}");
        }
        assert_eq!(o.extra[extra::PARKED], 4);
    }
}
