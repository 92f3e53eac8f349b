//! The article's opening question: many waits on one event loop, the workspace's one-thread loops against the
//! peers' (asyncio and Node).

use workloads::Workload;

use super::{Finding, Player, Roles, elapsed, row, times};
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

fn finding(rows: &[LoopRow], measured: bool) -> Finding {
    let said: Vec<String> = rows
        .iter()
        .skip(1)
        .map(|r| match (r.io_sleep.ratio, r.io_net.ratio) {
            (None, None) => format!("{} not measured", r.player.runtime),
            (s, n) => format!(
                "{} {} on io-sleep and {} on io-net",
                r.player.runtime,
                times(s),
                times(n)
            ),
        })
        .collect();
    // The peers' loops ranked against each other (asyncio and Node: the article's question).
    let peers: Vec<&LoopRow> = rows.iter().filter(|r| r.peer).collect();
    let rank = |what: &str, ratio: &dyn Fn(&LoopRow) -> Option<f64>| match peers.as_slice() {
        [a, b] => match (ratio(a), ratio(b)) {
            (Some(x), Some(y)) if x > y => format!(
                "on {what} {} is the slower loop ({x:.2}x against {y:.2}x)",
                a.player.runtime
            ),
            (Some(x), Some(y)) => format!(
                "on {what} {} is not slower than {} ({x:.2}x against {y:.2}x)",
                a.player.runtime, b.player.runtime
            ),
            _ => format!(
                "on {what} {} and {} cannot be ranked (one was not measured)",
                a.player.runtime, b.player.runtime
            ),
        },
        [a] => format!(
            "on {what} only {} of the peers' loops ran, so there is nothing to rank it against",
            a.player.runtime
        ),
        _ => format!("on {what} there are not two peer loops to rank"),
    };
    let base = rows.first().map_or("(none)".to_string(), |r| {
        format!("{}/{}", r.player.runtime, r.player.variant)
    });
    let text = if !measured {
        format!("not measured in this run ({base}'s cells were not timed)")
    } else {
        format!(
            "elapsed_ms against {base} (a ranking, not an agreement; one kept run each): {}. So {}; {}.",
            said.join("; "),
            rank("io-sleep", &|r| r.io_sleep.ratio),
            rank("io-net", &|r| r.io_net.ratio)
        )
    };
    Finding {
        topic: "The peers' event loops against each other (asyncio against Node)".into(),
        agree: None,
        text,
    }
}
