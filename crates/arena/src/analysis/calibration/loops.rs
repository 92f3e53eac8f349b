//! The article's opening question: many waits on one event loop, tokio and smol against asyncio and Node.

use workloads::Workload;

use super::{Finding, elapsed, row, times};
use crate::analysis::{Analysis, Row};

/// One loop's cell on one workload, from hyperfine and the kept run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoopCell {
    /// hyperfine's median, in seconds (the whole process).
    pub median: Option<f64>,
    /// The kept run's `elapsed_ms`.
    pub elapsed_ms: Option<f64>,
    /// The kept run's 99th percentile, in ms: lateness on io-sleep, round trip on io-net.
    pub p99_ms: Option<f64>,
    /// This `elapsed_ms` / tokio current-thread's.
    pub ratio: Option<f64>,
}

/// One loop: io-sleep at its largest timed task count and io-net at the profile's size.
#[derive(Debug, Clone, PartialEq)]
pub struct LoopRow {
    /// The runtime.
    pub runtime: &'static str,
    /// Its single-threaded variant.
    pub variant: &'static str,
    /// The io-sleep cell's task count.
    pub sleep_tasks: Option<u64>,
    /// And its delay, in ms.
    pub sleep_delay_ms: Option<u64>,
    /// io-sleep.
    pub io_sleep: LoopCell,
    /// io-net.
    pub io_net: LoopCell,
}

/// The loops, one thread each; the first is the one the ratios are taken against.
const LOOPS: [(&str, &str); 4] = [
    ("rt-tokio", "current-thread"),
    ("rt-smol", "single"),
    ("py-asyncio", "loop"),
    ("node", "event-loop"),
];

/// One row per loop, and the finding: a ranking of asyncio against Node, not an agreement.
pub(super) fn compare(m: &Analysis) -> (Vec<LoopRow>, Finding) {
    // io-sleep: the largest task count timed for this runtime (the sweep's 10,000 under standard).
    let sleep = |rt: &str, v: &str| {
        m.rows_of(Workload::IoSleep)
            .filter(|r| r.cell.runtime == rt && r.cell.variant == v && r.cell.opts.is_empty())
            .max_by_key(|r| r.report.as_ref().map_or(0, |x| x.workload_params().tasks))
    };
    let net = |rt: &str, v: &str| row(m, Workload::IoNet, rt, v, |r| r.cell.opts.is_empty());
    let base_sleep = sleep(LOOPS[0].0, LOOPS[0].1).and_then(elapsed);
    let base_net = net(LOOPS[0].0, LOOPS[0].1).and_then(elapsed);
    let cell = |r: Option<&Row>, base: Option<f64>| LoopCell {
        median: r.map(|r| r.hf.median),
        elapsed_ms: r.and_then(elapsed),
        p99_ms: r.and_then(|r| Some(r.report.as_ref()?.latency_ms?.p99)),
        ratio: r.and_then(elapsed).zip(base).map(|(e, b)| e / b.max(1e-9)),
    };
    let rows: Vec<LoopRow> = LOOPS
        .into_iter()
        .map(|(runtime, variant)| {
            let s = sleep(runtime, variant);
            let params = s
                .and_then(|r| r.report.as_ref())
                .map(|x| x.workload_params());
            LoopRow {
                runtime,
                variant,
                sleep_tasks: params.as_ref().map(|p| p.tasks),
                sleep_delay_ms: params.as_ref().map(|p| p.delay_ms),
                io_sleep: cell(s, base_sleep),
                io_net: cell(net(runtime, variant), base_net),
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
            (None, None) => format!("{} not measured", r.runtime),
            (s, n) => format!(
                "{} {} on io-sleep and {} on io-net",
                r.runtime,
                times(s),
                times(n)
            ),
        })
        .collect();
    let of = |name: &str| rows.iter().find(|r| r.runtime == name);
    let rank = |what: &str, py: Option<f64>, js: Option<f64>| match (py, js) {
        (Some(p), Some(j)) if p > j => {
            format!("on {what} asyncio is the slower loop ({p:.2}x against {j:.2}x)")
        }
        (Some(p), Some(j)) => {
            format!("on {what} asyncio is not slower than Node ({p:.2}x against {j:.2}x)")
        }
        _ => format!("on {what} asyncio and Node cannot be ranked (one was not measured)"),
    };
    let (py, js) = (of("py-asyncio"), of("node"));
    let text = if !measured {
        "not measured in this run (rt-tokio's current-thread cells were not timed)".to_string()
    } else {
        format!(
            "elapsed_ms against tokio current-thread (a ranking, not an agreement; one kept run each): {}. So {}; {}.",
            said.join("; "),
            rank(
                "io-sleep",
                py.and_then(|r| r.io_sleep.ratio),
                js.and_then(|r| r.io_sleep.ratio)
            ),
            rank(
                "io-net",
                py.and_then(|r| r.io_net.ratio),
                js.and_then(|r| r.io_net.ratio)
            )
        )
    };
    Finding {
        topic: "asyncio against Node's event loop".into(),
        agree: None,
        text,
    }
}
