//! Workload names, parameter sets (`--size`) and reference checksums.
//!
//! | workload | parameters | one task | checksum |
//! |---|---|---|---|
//! | `cpu-balanced` | T tasks, U numbers each | count primes in its own range of U numbers | primes found |
//! | `cpu-skewed` | T tasks, base U | the same kernel on `U * weight(i)` numbers (see [`skew_weight`]) | primes found |
//! | `io-sleep` | T tasks, D ms | wait D ms on the model's timer, then give [`sleep_value`] | T(T+1)/2 |
//! | `io-net` | T tasks, D ms, `--addr` | one request to the delay server, answered after D ms | sum of replies |
//! | `io-file` | T tasks, S KiB | write S KiB to its own file, read it back, hash it | sum of hashes |
//! | `mixed` | C CPU tasks of U numbers, R rounds of D ms | C prime counts plus one ticker | primes + rounds |
//! | `race` | W workers, K increments each | K unsynchronized increments of one counter | final counter |
//! | `spawn` | N tasks | start, park on one release signal, then give [`sleep_value`] | N(N+1)/2 |
//! | `ping-pong` | K round trips | two tasks pass a token back and forth K times (see [`pong_value`]) | K(K+1)/2 |

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::primes::{BASE, sieve_count};

/// One of the nine workloads: the seven under load and the two of the floor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Workload {
    /// T equal prime-counting tasks.
    CpuBalanced,
    /// T prime-counting tasks, a few of them 8-16x heavier.
    CpuSkewed,
    /// T tasks each waiting D ms.
    IoSleep,
    /// T requests to the delay server.
    IoNet,
    /// T tasks each writing, reading back and hashing a file.
    IoFile,
    /// C CPU tasks beside a ticker that waits D ms R times.
    Mixed,
    /// W workers incrementing one shared counter K times each.
    Race,
    /// N tasks started at once, all parked on one release signal, then released and joined: the floor cost of a
    /// task (spawn time, memory) and where a model stops.
    Spawn,
    /// Two tasks passing a token back and forth K times through the model's own channel: the floor cost of a
    /// hand-off between tasks.
    PingPong,
}

impl Workload {
    /// Every workload, in report order.
    pub const ALL: [Workload; 9] = [
        Workload::CpuBalanced,
        Workload::CpuSkewed,
        Workload::IoSleep,
        Workload::IoNet,
        Workload::IoFile,
        Workload::Mixed,
        Workload::Race,
        Workload::Spawn,
        Workload::PingPong,
    ];

    /// The seven workloads under load every runtime implements: the model's behaviour under load. The floor workloads
    /// ([`Workload::FLOOR`]) run only where the model has the unit they measure.
    pub const LOAD: [Workload; 7] = [
        Workload::CpuBalanced,
        Workload::CpuSkewed,
        Workload::IoSleep,
        Workload::IoNet,
        Workload::IoFile,
        Workload::Mixed,
        Workload::Race,
    ];

    /// The floor workloads: what one task and one hand-off cost (see `docs/floor.md`).
    pub const FLOOR: [Workload; 2] = [Workload::Spawn, Workload::PingPong];

    /// The command-line name, e.g. `cpu-balanced`.
    pub fn name(self) -> &'static str {
        match self {
            Workload::CpuBalanced => "cpu-balanced",
            Workload::CpuSkewed => "cpu-skewed",
            Workload::IoSleep => "io-sleep",
            Workload::IoNet => "io-net",
            Workload::IoFile => "io-file",
            Workload::Mixed => "mixed",
            Workload::Race => "race",
            Workload::Spawn => "spawn",
            Workload::PingPong => "ping-pong",
        }
    }

    /// A one-line description.
    pub fn describe(self) -> &'static str {
        match self {
            Workload::CpuBalanced => "T tasks of equal cost counting primes by trial division",
            Workload::CpuSkewed => {
                "T prime-counting tasks; the first T/8 are 8-16x heavier than the rest"
            }
            Workload::IoSleep => "T tasks each wait D ms on the model's own timer",
            Workload::IoNet => {
                "T requests over loopback TCP to a server that answers each after D ms"
            }
            Workload::IoFile => {
                "T tasks each write S KiB to their own file, read it back and hash it"
            }
            Workload::Mixed => {
                "C CPU tasks plus one ticker doing R rounds of a D-ms wait; latency = ticker lateness"
            }
            Workload::Race => {
                "W workers each add 1 to one shared counter K times, unsynchronized by default"
            }
            Workload::Spawn => {
                "N tasks start and park on one release signal; RSS is sampled with all parked, then they are joined"
            }
            Workload::PingPong => {
                "two tasks pass a token back and forth K times through the model's own channel; round trip timed"
            }
        }
    }

    /// Which of the [`Params`] fields this workload reads (the others are not reported for it).
    pub fn uses(self) -> &'static [&'static str] {
        match self {
            Workload::CpuBalanced | Workload::CpuSkewed => &["tasks", "work"],
            Workload::IoSleep => &["tasks", "delay_ms"],
            Workload::IoNet => &["tasks", "delay_ms"],
            Workload::IoFile => &["tasks", "size_kib"],
            Workload::Mixed => &["tasks", "work", "rounds", "delay_ms"],
            Workload::Race => &["work"],
            Workload::Spawn => &["tasks"],
            Workload::PingPong => &["work"],
        }
    }

    /// Whether the workload needs the delay server's `--addr`.
    pub fn needs_addr(self) -> bool {
        self == Workload::IoNet
    }

    /// The reference checksum for `p`, computed by a different algorithm than the measured kernel. For `race` it is
    /// the number of increments attempted, W*K, which must equal `checksum + lost_updates`. For `io-net` it depends
    /// on the run's nonce (`p.nonce`): the sum of the delay server's replies.
    pub fn reference_checksum(self, p: &Params) -> u64 {
        match self {
            Workload::CpuBalanced => sieve_count(BASE, BASE + p.tasks * p.work),
            Workload::CpuSkewed => {
                let total: u64 = (0..p.tasks).map(|i| skew_weight(i, p.tasks)).sum();
                sieve_count(BASE, BASE + total * p.work)
            }
            // Arithmetic, where the runtimes add one `sleep_value` per completed wait.
            Workload::IoSleep => p.tasks * (p.tasks + 1) / 2,
            Workload::IoNet => crate::net::reference_checksum(p.tasks, p.nonce),
            Workload::IoFile => crate::file::reference(p.tasks, p.size_kib),
            Workload::Mixed => sieve_count(BASE, BASE + p.tasks * p.work) + p.rounds,
            Workload::Race => p.workers * p.work,
            // Arithmetic, where the tasks add one `sleep_value` each after they were released.
            Workload::Spawn => p.tasks * (p.tasks + 1) / 2,
            // Arithmetic, where the pinger adds every reply `pong_value(i)` it received.
            Workload::PingPong => p.work * (p.work + 1) / 2,
        }
    }
}

impl fmt::Display for Workload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Workload {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Workload::ALL
            .into_iter()
            .find(|w| w.name() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Workload::ALL.iter().map(|w| w.name()).collect();
                format!(
                    "unknown workload '{s}'; expected one of: {}",
                    names.join(", ")
                )
            })
    }
}

/// A named parameter set.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "kebab-case")]
pub enum Size {
    /// Under 50 ms on rt-seq: verification.
    Check,
    /// About 0.1-0.3 s on rt-seq.
    Quick,
    /// About 0.5-1.5 s on rt-seq.
    #[default]
    Standard,
    /// Several seconds on rt-seq.
    Large,
}

impl Size {
    /// Every size, smallest first.
    pub const ALL: [Size; 4] = [Size::Check, Size::Quick, Size::Standard, Size::Large];

    /// The command-line name.
    pub fn name(self) -> &'static str {
        match self {
            Size::Check => "check",
            Size::Quick => "quick",
            Size::Standard => "standard",
            Size::Large => "large",
        }
    }
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Size {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Size::ALL
            .into_iter()
            .find(|z| z.name() == s)
            .ok_or_else(|| {
                format!("unknown size '{s}'; expected one of: check, quick, standard, large")
            })
    }
}

/// The numeric parameters of a run. Each workload reads the fields listed by [`Workload::uses`], plus `workers`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Params {
    /// T (or C for `mixed`): how many tasks.
    pub tasks: u64,
    /// W: OS threads, processes or executor threads the model may use; for `race`, also the number of racers.
    pub workers: u64,
    /// U: numbers per CPU task (base unit for `cpu-skewed`); K: increments per worker for `race`.
    pub work: u64,
    /// D: the wait of `io-sleep`, `io-net` and the `mixed` ticker, in ms.
    pub delay_ms: u64,
    /// S: KiB per file for `io-file`.
    pub size_kib: u64,
    /// R: ticker rounds for `mixed`.
    pub rounds: u64,
    /// The run's random nonce, sent with every `io-net` request (see [`crate::net`]); 0 in the presets. Not a size
    /// parameter: the harness picks one per run and reports it in `params.nonce` of an io-net run, and the io-net
    /// reference checksum is computed from it. Left out of the serialized presets.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub nonce: u64,
}

/// The key of the nonce in a run's reported `params` (io-net only).
pub const NONCE_KEY: &str = "nonce";

fn is_zero(v: &u64) -> bool {
    *v == 0
}

/// What one `io-sleep` task adds to the checksum once its wait has completed: its id plus one, so that every
/// completed wait counts, task 0's included (a sum of bare ids would not notice task 0 skipping its wait). The
/// reference is T(T+1)/2. A `spawn` task gives the same once it has been released from its park.
pub fn sleep_value(id: u64) -> u64 {
    id + 1
}

/// What the `ping-pong` ponger sends back for token `i`: `i + 1`. The pinger sends 0, 1, ..., K-1 and adds every
/// reply, so a round trip skipped, answered twice or answered with the wrong token changes the checksum; the
/// reference is K(K+1)/2.
pub fn pong_value(token: u64) -> u64 {
    token + 1
}

impl Params {
    /// The parameter set `size` of `workload`, for `workers` workers. The CPU sizes are calibrated on rt-seq on a
    /// 2-core machine; `docs/workloads.md` lists them.
    pub fn preset(workload: Workload, size: Size, workers: u64) -> Params {
        use Size::*;
        use Workload::*;
        let idx = match size {
            Check => 0,
            Quick => 1,
            Standard => 2,
            Large => 3,
        };
        let pick = |v: [u64; 4]| v[idx];
        let mut p = Params {
            tasks: 0,
            workers,
            work: 0,
            delay_ms: 0,
            size_kib: 0,
            rounds: 0,
            nonce: 0,
        };
        match workload {
            CpuBalanced => {
                p.tasks = pick([8, 32, 64, 128]);
                p.work = pick([2_000, 3_300, 11_000, 28_000]);
            }
            CpuSkewed => {
                // The weights add up to 2.4-2.9x the task count; U shrinks by as much, so each size costs about
                // what cpu-balanced costs.
                p.tasks = pick([8, 32, 64, 128]);
                p.work = pick([700, 1_400, 4_600, 11_800]);
            }
            IoSleep | IoNet => {
                p.tasks = pick([8, 20, 100, 400]);
                p.delay_ms = pick([2, 10, 10, 10]);
            }
            IoFile => {
                p.tasks = pick([8, 128, 256, 1024]);
                p.size_kib = pick([16, 1024, 1024, 1024]);
            }
            Mixed => {
                // The CPU work (C*U) and the ticker (R*D) take about as long as each other on rt-seq, so in a
                // concurrent model the ticker runs alongside CPU work for most of its rounds.
                p.tasks = pick([2, 4, 8, 16]);
                p.work = pick([1_000, 20_000, 70_000, 200_000]);
                // Fewer than 100 rounds below `large`, so the nearest-rank p99 is the worst round: a single-threaded
                // event loop makes the ticker late once, by the whole CPU phase, and on time otherwise.
                p.rounds = pick([5, 20, 50, 200]);
                p.delay_ms = pick([1, 5, 10, 10]);
            }
            Race => {
                // Sized for interleaving, not for rt-seq's clock: an uncontended increment costs under a
                // nanosecond, so a worker needs tens of millions of them to span many 5 ms GIL switch intervals
                // (see docs/gil-model.md). rt-seq finishes these in well under the usual size durations.
                p.work = pick([20_000, 5_000_000, 100_000_000, 400_000_000]);
            }
            Spawn => {
                // The sweep (docs/floor.md) sets --tasks from 1k to 1M; the sizes are its small points.
                p.tasks = pick([100, 1_000, 10_000, 100_000]);
            }
            PingPong => {
                // A round trip costs from well under a microsecond (one event loop) to tens of microseconds (two
                // processes, CPython threads), so `quick` is at most about half a second in the slowest model.
                p.work = pick([100, 10_000, 50_000, 200_000]);
            }
        }
        p
    }

    /// The range of numbers CPU task `i` of `cpu-balanced` (or `mixed`) counts primes in.
    pub fn balanced_range(&self, i: u64) -> (u64, u64) {
        let lo = BASE + i * self.work;
        (lo, lo + self.work)
    }

    /// The range CPU task `i` of `workload` counts primes in: skewed for `cpu-skewed`, balanced otherwise.
    pub fn cpu_range(&self, workload: Workload, i: u64) -> (u64, u64) {
        if workload == Workload::CpuSkewed {
            self.skewed_range(i)
        } else {
            self.balanced_range(i)
        }
    }

    /// The range of numbers CPU task `i` of `cpu-skewed` counts primes in.
    pub fn skewed_range(&self, i: u64) -> (u64, u64) {
        let before: u64 = (0..i).map(|j| skew_weight(j, self.tasks)).sum();
        let lo = BASE + before * self.work;
        (lo, lo + skew_weight(i, self.tasks) * self.work)
    }
}

/// The parameters `workload` reads, as `name=value` words: the cells of the size table in `docs/workloads.md`.
pub fn describe_params(workload: Workload, p: &Params) -> String {
    let v = named_fields(p);
    workload
        .uses()
        .iter()
        .map(|k| {
            format!(
                "{k}={}",
                v.iter().find(|(n, _)| n == k).map_or(0, |(_, x)| *x)
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn named_fields(p: &Params) -> [(&'static str, u64); 5] {
    [
        ("tasks", p.tasks),
        ("work", p.work),
        ("delay_ms", p.delay_ms),
        ("size_kib", p.size_kib),
        ("rounds", p.rounds),
    ]
}

/// The cost weight of task `i` of `cpu-skewed` among `tasks`: the first `ceil(T/16)` tasks weigh 16, the next ones
/// up to `ceil(T/8)` weigh 8, the rest 1. The heavy tasks come first, so a static split of the task list into
/// contiguous chunks hands almost all the work to the first worker, while work stealing or a shared queue balances it.
pub fn skew_weight(i: u64, tasks: u64) -> u64 {
    if i < tasks.div_ceil(16) {
        16
    } else if i < tasks.div_ceil(8) {
        8
    } else {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::count_primes;

    #[test]
    fn names_round_trip() {
        for w in Workload::ALL {
            assert_eq!(w.name().parse::<Workload>().unwrap(), w);
        }
        for s in Size::ALL {
            assert_eq!(s.name().parse::<Size>().unwrap(), s);
        }
        assert!(
            "nope"
                .parse::<Workload>()
                .unwrap_err()
                .contains("cpu-balanced")
        );
    }

    #[test]
    fn skewed_ranges_tile_and_weigh() {
        let p = Params::preset(Workload::CpuSkewed, Size::Standard, 2);
        let mut next = BASE;
        for i in 0..p.tasks {
            let (lo, hi) = p.skewed_range(i);
            assert_eq!(lo, next);
            next = hi;
        }
        assert_eq!(skew_weight(0, 64), 16);
        assert_eq!(skew_weight(4, 64), 8);
        assert_eq!(skew_weight(8, 64), 1);
    }

    #[test]
    fn references_match_the_kernels_at_check_size() {
        for w in [Workload::CpuBalanced, Workload::CpuSkewed, Workload::Mixed] {
            let p = Params::preset(w, Size::Check, 2);
            let measured: u64 = (0..p.tasks)
                .map(|i| {
                    let (lo, hi) = if w == Workload::CpuSkewed {
                        p.skewed_range(i)
                    } else {
                        p.balanced_range(i)
                    };
                    count_primes(lo, hi, 0, &mut ())
                })
                .sum::<u64>()
                + if w == Workload::Mixed { p.rounds } else { 0 };
            assert_eq!(measured, w.reference_checksum(&p), "{w}");
        }
        let p = Params {
            tasks: 10,
            ..Params::preset(Workload::IoSleep, Size::Check, 2)
        };
        assert_eq!(Workload::IoSleep.reference_checksum(&p), 55);
        let sleeps: u64 = (0..10).map(sleep_value).sum();
        assert_eq!(sleeps, 55);
        let p = Params {
            nonce: 77,
            ..Params::preset(Workload::IoNet, Size::Check, 2)
        };
        let replies = (0..p.tasks).fold(0u64, |a, id| {
            a.wrapping_add(crate::net::reply_value(id, 77))
        });
        assert_eq!(Workload::IoNet.reference_checksum(&p), replies);
        // The nonce is part of the reference: another nonce, another checksum.
        assert_ne!(
            Workload::IoNet.reference_checksum(&Params { nonce: 78, ..p }),
            replies
        );
        let p = Params {
            workers: 3,
            work: 7,
            ..Params::preset(Workload::Race, Size::Check, 3)
        };
        assert_eq!(Workload::Race.reference_checksum(&p), 21);
    }

    #[test]
    fn docs_size_table_matches_the_presets() {
        let doc = include_str!("../../../docs/workloads.md");
        for w in Workload::ALL {
            for z in Size::ALL {
                let row = format!(
                    "| `{w}` | {z} | {} |",
                    describe_params(w, &Params::preset(w, z, 2))
                );
                assert!(doc.contains(&row), "docs/workloads.md lacks the row\n{row}");
            }
        }
    }

    #[test]
    fn equal_tasks_cost_within_one_percent() {
        // Largest balanced preset: the whole span stays under BASE / 50, so sqrt(n)/ln(n) varies by under 1%.
        let p = Params::preset(Workload::CpuBalanced, Size::Large, 2);
        assert!(p.tasks * p.work <= BASE / 50);
        let p = Params::preset(Workload::CpuSkewed, Size::Large, 2);
        let total: u64 = (0..p.tasks).map(|i| skew_weight(i, p.tasks)).sum();
        assert!(total * p.work <= BASE / 50);
    }
}
