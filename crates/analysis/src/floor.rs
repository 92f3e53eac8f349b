//! The floor: what one task, one switch and one message cost in each model, from the `spawn` sweep and the
//! `ping-pong` cells (see `docs/floor.md`). Every figure a runtime measures inside a run is the median of the pilot
//! and its repeats ([`arena_store::CellRecord::repeats`]), with the range beside it; memory per task is the slope of
//! parked RSS over the sweep's task counts, with its R², as in jimblandy/context-switch's regression.

use std::collections::BTreeMap;

use harness::contract::extra;
use harness::{Facts, Model, RunReport};
use workloads::Workload;

use super::Analysis;
use arena_store::Axis;
use arena_store::{CellRecord, Status};

/// The median and range of one figure over a cell's runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    /// The median (the mean of the middle two for an even count).
    pub median: f64,
    /// The smallest.
    pub min: f64,
    /// The largest.
    pub max: f64,
    /// How many runs.
    pub runs: usize,
}

impl Spread {
    /// The spread of `values`; `None` when empty.
    pub fn of(values: &[f64]) -> Option<Spread> {
        let v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        if v.is_empty() {
            return None;
        }
        let median = crate::stats::median(&v, crate::stats::Even::Mean)?;
        Some(Spread {
            median,
            min: v.iter().copied().fold(f64::INFINITY, f64::min),
            max: v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            runs: v.len(),
        })
    }
}

/// One point of a spawn sweep that ran.
#[derive(Debug, Clone, PartialEq)]
pub struct SpawnPoint {
    /// N.
    pub tasks: u64,
    /// µs from the first spawn until all N were parked, per task.
    pub spawn_us: Spread,
    /// Parked RSS minus RSS before the first spawn, in KiB.
    pub rss_delta_kib: Spread,
    /// The same for VmSize: the virtual reservation.
    pub vsz_delta_kib: Spread,
    /// ms from the release until all were joined.
    pub teardown_ms: Spread,
    /// hyperfine's median wall time of a whole run, in ms (process start-up included), if it was timed.
    pub wall_ms: Option<f64>,
}

/// Where a spawn sweep stopped.
#[derive(Debug, Clone, PartialEq)]
pub struct Limit {
    /// The point whose run failed.
    pub at: u64,
    /// The largest point that ran.
    pub largest_ok: Option<u64>,
    /// The runtime's one line (`could not spawn thread 32,741 of 100,000: ...`).
    pub reason: String,
}

/// A least-squares line of parked memory over tasks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    /// KiB per task (the slope).
    pub kib_per_task: f64,
    /// The coefficient of determination.
    pub r2: f64,
    /// How many points it rests on.
    pub points: usize,
}

/// A point of the sweep skipped as too slow for the profile.
#[derive(Debug, Clone, PartialEq)]
pub struct TooSlow {
    /// N, the tasks.
    pub tasks: u64,
    /// Why, as the plan recorded it.
    pub reason: String,
}

/// The least-squares line through `(x, y)` points; `None` below two points or with every x equal.
pub fn fit(points: &[(f64, f64)]) -> Option<Fit> {
    let n = points.len();
    if n < 2 {
        return None;
    }
    let nf = n as f64;
    let mx = points.iter().map(|&(x, _)| x).sum::<f64>() / nf;
    let my = points.iter().map(|&(_, y)| y).sum::<f64>() / nf;
    let sxx: f64 = points.iter().map(|&(x, _)| (x - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|&(x, y)| (x - mx) * (y - my)).sum();
    let syy: f64 = points.iter().map(|&(_, y)| (y - my).powi(2)).sum();
    if sxx <= 0.0 {
        return None;
    }
    let slope = sxy / sxx;
    let r2 = if syy > 0.0 {
        (sxy * sxy) / (sxx * syy)
    } else {
        1.0
    };
    Some(Fit {
        kib_per_task: slope,
        r2,
        points: n,
    })
}

/// The ping-pong figures of one cell.
#[derive(Debug, Clone, PartialEq)]
pub struct PingPong {
    /// K.
    pub round_trips: u64,
    /// The median round trip, µs.
    pub p50_us: Spread,
    /// The 99th-percentile round trip, µs.
    pub p99_us: Spread,
    /// The exchange's wall time over K, µs.
    pub mean_us: Spread,
}

/// One runtime/variant on the floor.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The runtime.
    pub runtime: String,
    /// The variant.
    pub variant: String,
    /// Its model.
    pub model: Option<Model>,
    /// What its variant declares it is.
    pub facts: Option<Facts>,
    /// A CPython or Node.js peer.
    pub peer: bool,
    /// The spawn points that ran, smallest first.
    pub points: Vec<SpawnPoint>,
    /// Where its sweep stopped, if it did.
    pub limit: Option<Limit>,
    /// Points skipped as too slow for the profile.
    pub too_slow: Vec<TooSlow>,
    /// Memory per task over the points that ran.
    pub fit: Option<Fit>,
    /// Its ping-pong cell, if it ran.
    pub ping_pong: Option<PingPong>,
}

impl Entry {
    /// `runtime/variant`.
    pub fn label(&self) -> String {
        format!("{}/{}", self.runtime, self.variant)
    }

    /// The largest point that ran.
    pub fn largest(&self) -> Option<&SpawnPoint> {
        self.points.last()
    }
}

/// The floor of a run: one entry per runtime/variant with a spawn or ping-pong cell, workspace runtimes first.
pub fn floor(m: &Analysis) -> Vec<Entry> {
    let mut by: BTreeMap<(bool, String, String), Entry> = BTreeMap::new();
    for c in m.run.cells.iter().filter(|c| {
        Workload::FLOOR.contains(&c.cell.workload)
            && c.cell.opts.is_empty()
            && c.cell.params.is_empty()
    }) {
        let peer = m
            .run
            .runtimes
            .iter()
            .any(|r| r.name == c.cell.runtime && r.peer.is_some());
        let e = by
            .entry((peer, c.cell.runtime.clone(), c.cell.variant.clone()))
            .or_insert_with(|| Entry {
                runtime: c.cell.runtime.clone(),
                variant: c.cell.variant.clone(),
                model: m
                    .run
                    .runtimes
                    .iter()
                    .find(|r| r.name == c.cell.runtime)
                    .and_then(|r| r.info.as_ref())
                    .map(|i| i.model),
                facts: m.facts(&c.cell.runtime, &c.cell.variant),
                peer,
                points: Vec::new(),
                limit: None,
                too_slow: Vec::new(),
                fit: None,
                ping_pong: None,
            });
        match c.cell.workload {
            Workload::Spawn => spawn_cell(m, c, e),
            _ => e.ping_pong = ping_pong(c),
        }
    }
    let mut out: Vec<Entry> = by.into_values().collect();
    for e in &mut out {
        e.points.sort_by_key(|p| p.tasks);
        let pts: Vec<(f64, f64)> = e
            .points
            .iter()
            .map(|p| (p.tasks as f64, p.rss_delta_kib.median))
            .collect();
        e.fit = fit(&pts);
    }
    out
}

fn runs(c: &CellRecord) -> Vec<&RunReport> {
    c.report.iter().chain(c.repeats.iter()).collect()
}

fn figure(rs: &[&RunReport], f: impl Fn(&RunReport) -> Option<f64>) -> Option<Spread> {
    Spread::of(&rs.iter().filter_map(|r| f(r)).collect::<Vec<_>>())
}

fn num(r: &RunReport, k: &str) -> Option<f64> {
    r.extra.get(k).and_then(|v| v.as_f64())
}

fn spawn_cell(m: &Analysis, c: &CellRecord, e: &mut Entry) {
    let tasks = c
        .cell
        .point
        .filter(|p| p.axis == Axis::Tasks)
        .map(|p| p.value)
        .or(c.cell.tasks)
        .or_else(|| c.report.as_ref().map(|r| r.workload_params().tasks));
    let Some(tasks) = tasks else { return };
    match &c.status {
        Status::LimitReached { reason, largest_ok } => {
            e.limit = Some(Limit {
                at: tasks,
                largest_ok: *largest_ok,
                reason: arena_store::limit_reason(reason),
            });
            return;
        }
        Status::TooSlow { reason } => {
            e.too_slow.push(TooSlow {
                tasks,
                reason: reason.clone(),
            });
            return;
        }
        _ => {}
    }
    let rs = runs(c);
    fn delta(a: &'static str, b: &'static str) -> impl Fn(&RunReport) -> Option<f64> {
        move |r| Some(num(r, a)? - num(r, b)?)
    }
    let (Some(spawn_us), Some(rss), Some(vsz), Some(teardown)) = (
        figure(&rs, |r| num(r, extra::SPAWN_US_PER_TASK)),
        figure(&rs, delta(extra::RSS_PARKED_KIB, extra::RSS_BEFORE_KIB)),
        figure(&rs, delta(extra::VSZ_PARKED_KIB, extra::VSZ_BEFORE_KIB)),
        figure(&rs, |r| num(r, extra::TEARDOWN_MS)),
    ) else {
        return;
    };
    let wall_ms = m
        .rows
        .iter()
        .find(|r| r.cell == c.cell)
        .map(|r| r.hf.median * 1000.0);
    e.points.push(SpawnPoint {
        tasks,
        spawn_us,
        rss_delta_kib: rss,
        vsz_delta_kib: vsz,
        teardown_ms: teardown,
        wall_ms,
    });
}

fn ping_pong(c: &CellRecord) -> Option<PingPong> {
    let rs = runs(c);
    Some(PingPong {
        round_trips: rs.first()?.workload_params().work,
        p50_us: figure(&rs, |r| num(r, extra::RTT_US_P50))?,
        p99_us: figure(&rs, |r| num(r, extra::RTT_US_P99))?,
        mean_us: figure(&rs, |r| num(r, extra::RTT_US_MEAN))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_through_exact_points_has_their_slope_and_r2_one() {
        let f = fit(&[(1_000.0, 600.0), (10_000.0, 4_200.0), (100_000.0, 40_200.0)]).unwrap();
        assert!((f.kib_per_task - 0.4).abs() < 1e-9, "{f:?}");
        assert!((f.r2 - 1.0).abs() < 1e-9);
        assert_eq!(f.points, 3);
        assert_eq!(fit(&[(1.0, 1.0)]), None);
        assert_eq!(fit(&[(1.0, 1.0), (1.0, 2.0)]), None);
        // Noise lowers R².
        let noisy = fit(&[(1.0, 1.0), (2.0, 5.0), (3.0, 2.0), (4.0, 6.0)]).unwrap();
        assert!(noisy.r2 < 0.7, "{noisy:?}");
    }

    #[test]
    fn a_spread_has_the_median_and_the_range() {
        let s = Spread::of(&[3.0, 1.0, 2.0]).unwrap();
        assert_eq!((s.median, s.min, s.max, s.runs), (2.0, 1.0, 3.0, 3));
        assert_eq!(Spread::of(&[4.0, 2.0]).unwrap().median, 3.0);
        assert_eq!(Spread::of(&[]), None);
    }
}
