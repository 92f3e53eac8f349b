//! The article's opening question: many waits on one event loop, the workspace's one-thread loops against the
//! peers' (asyncio and Node).

use workloads::Workload;

use super::{Compared, Finding, Player, Roles, elapsed, row};
use crate::{Analysis, Row};

/// One loop's cell on one workload, from hyperfine and the kept run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoopCell {
    /// hyperfine's median, in seconds (the whole process).
    pub median: Option<f64>,
    /// The kept run's `elapsed_ms`.
    pub elapsed_ms: Option<f64>,
    /// The kept run's 99th percentile, in ms: lateness on io-sleep, round trip on io-net.
    pub p99_ms: Option<f64>,
    /// This `elapsed_ms` / the first loop's (the workspace's first one-thread loop).
    pub ratio: Option<f64>,
}

/// One loop: io-sleep at its largest timed task count and io-net at the profile's size.
#[derive(Debug, Clone, PartialEq)]
pub struct LoopRow {
    /// The loop: a one-thread event-loop variant, by its facts.
    pub player: Player,
    /// Whether it is a peer's.
    pub peer: bool,
    /// The io-sleep cell's task count.
    pub sleep_tasks: Option<u64>,
    /// And its delay, in ms.
    pub sleep_delay_ms: Option<u64>,
    /// io-sleep.
    pub io_sleep: LoopCell,
    /// io-net.
    pub io_net: LoopCell,
}

/// One row per one-thread loop (the first is the one the ratios are taken against), and the finding: a ranking of
/// the peers' loops, not an agreement.
pub(super) fn compare(m: &Analysis, cast: &Roles) -> (Vec<LoopRow>, Finding) {
    // io-sleep: the largest task count timed for this runtime (the sweep's 10,000 under standard).
    let sleep = |p: &Player| {
        m.rows_of(Workload::IoSleep)
            .filter(|r| p.is(&r.cell.runtime, &r.cell.variant) && r.cell.opts.is_empty())
            .max_by_key(|r| r.report.as_ref().map_or(0, |x| x.workload_params().tasks))
    };
    let net = |p: &Player| row(m, Workload::IoNet, Some(p), |r| r.cell.opts.is_empty());
    let base = cast.loops.first();
    let base_sleep = base.and_then(sleep).and_then(elapsed);
    let base_net = base.and_then(net).and_then(elapsed);
    let is_peer = |p: &Player| {
        m.run
            .runtimes
            .iter()
            .any(|r| r.name == p.runtime && r.peer.is_some())
    };
    let cell = |r: Option<&Row>, base: Option<f64>| LoopCell {
        median: r.map(|r| r.hf.median),
        elapsed_ms: r.and_then(elapsed),
        p99_ms: r.and_then(|r| Some(r.report.as_ref()?.latency_ms?.p99)),
        ratio: r.and_then(elapsed).zip(base).map(|(e, b)| e / b.max(1e-9)),
    };
    let rows: Vec<LoopRow> = cast
        .loops
        .iter()
        .map(|p| {
            let s = sleep(p);
            let params = s
                .and_then(|r| r.report.as_ref())
                .map(|x| x.workload_params());
            LoopRow {
                player: p.clone(),
                peer: is_peer(p),
                sleep_tasks: params.as_ref().map(|p| p.tasks),
                sleep_delay_ms: params.as_ref().map(|p| p.delay_ms),
                io_sleep: cell(s, base_sleep),
                io_net: cell(net(p), base_net),
            }
        })
        .collect();
    let measured = base_sleep.is_some() || base_net.is_some();
    let finding = finding(&rows, measured);
    (rows, finding)
}

/// The loops' `elapsed_ms` against the first (a ranking, not an agreement), and the peers' loops ranked.
#[derive(Debug, Clone, PartialEq)]
pub struct LoopsFinding {
    /// The loop the ratios are taken against (the workspace's first one-thread loop).
    pub base: Option<Player>,
    /// Whether the base loop's cells were timed.
    pub measured: bool,
    /// Every other loop, in table order, with its ratios (`io_sleep`, `io_net`).
    pub others: Vec<LoopRow>,
    /// The peers' loops ranked on io-sleep.
    pub io_sleep: Ranking,
    /// And on io-net.
    pub io_net: Ranking,
}

/// The peers' loops ranked on one workload.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranking {
    /// The workload.
    pub workload: Workload,
    /// How they rank.
    pub rank: Rank,
}

/// How two peer loops rank by their ratios.
#[derive(Debug, Clone, PartialEq)]
pub enum Rank {
    /// Both measured: `first`'s ratio against `second`'s, and whether the first is the slower.
    Ranked {
        first: String,
        second: String,
        first_ratio: f64,
        second_ratio: f64,
        first_slower: bool,
    },
    /// Two peer loops, one not measured.
    Unmeasured { first: String, second: String },
    /// Only one peer loop ran.
    Alone { only: String },
    /// Not two peer loops.
    NoPair,
}

fn finding(rows: &[LoopRow], measured: bool) -> Finding {
    // The peers' loops ranked against each other (asyncio and Node: the article's question).
    let peers: Vec<&LoopRow> = rows.iter().filter(|r| r.peer).collect();
    let rank = |workload: Workload, ratio: &dyn Fn(&LoopRow) -> Option<f64>| Ranking {
        workload,
        rank: match peers.as_slice() {
            [a, b] => match (ratio(a), ratio(b)) {
                (Some(x), Some(y)) => Rank::Ranked {
                    first: a.player.runtime.clone(),
                    second: b.player.runtime.clone(),
                    first_ratio: x,
                    second_ratio: y,
                    first_slower: x > y,
                },
                _ => Rank::Unmeasured {
                    first: a.player.runtime.clone(),
                    second: b.player.runtime.clone(),
                },
            },
            [a] => Rank::Alone {
                only: a.player.runtime.clone(),
            },
            _ => Rank::NoPair,
        },
    };
    Finding {
        agree: None,
        on: Compared::Loops(LoopsFinding {
            base: rows.first().map(|r| r.player.clone()),
            measured,
            others: rows.iter().skip(1).cloned().collect(),
            io_sleep: rank(Workload::IoSleep, &|r| r.io_sleep.ratio),
            io_net: rank(Workload::IoNet, &|r| r.io_net.ratio),
        }),
    }
}
