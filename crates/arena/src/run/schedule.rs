//! The scheduling policy of a bench run, as pure functions: which cell is skipped before its pilot and why, how
//! long a run may take, how many timed runs a cell gets out of what is left of the budget. No I/O and no clock:
//! the stages in [`super`] pass in what they measured, so every rule here is unit-tested in microseconds.

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

use workloads::Workload;

use crate::plan::{Axis, Cell, Profile};

/// Why a cell is not timed at this profile. Rendered into [`crate::store::Status::TooSlow`]'s reason.
#[derive(Debug, Clone, PartialEq)]
pub enum Skip {
    /// The previous points of its sweep give a run over the profile's limit: linear in tasks from the one point
    /// before it, or, from two, a fixed cost plus a cost per task (see [`Projector`]).
    Projected {
        projected_s: f64,
        from_s: f64,
        from_tasks: u64,
        /// The point before that one (tasks, seconds), when the projection rests on two.
        earlier: Option<(u64, f64)>,
        limit_s: f64,
    },
    /// Its pilot was still running at the pilot's limit and was stopped.
    DidNotFinish { limit_s: f64, run_limit_s: f64 },
    /// Its pilot finished, over the profile's limit per run.
    TookTooLong { wall_s: f64, limit_s: f64 },
}

impl fmt::Display for Skip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Skip::Projected {
                projected_s,
                from_s,
                from_tasks,
                earlier: None,
                limit_s,
            } => write!(
                f,
                "projected {projected_s:.1} s for one run (linear from {from_s:.2} s at {from_tasks} tasks), over the profile's {limit_s:.0} s limit per run"
            ),
            Skip::Projected {
                projected_s,
                from_s,
                from_tasks,
                earlier: Some((n0, t0)),
                limit_s,
            } => write!(
                f,
                "projected {projected_s:.1} s for one run (from {t0:.2} s at {n0} and {from_s:.2} s at {from_tasks} tasks: a fixed cost plus a cost per task), over the profile's {limit_s:.0} s limit per run"
            ),
            Skip::DidNotFinish {
                limit_s,
                run_limit_s,
            } => write!(
                f,
                "one run did not finish within {limit_s:.0} s (the profile's limit per run is {run_limit_s:.0} s)"
            ),
            Skip::TookTooLong { wall_s, limit_s } => write!(
                f,
                "one run took {wall_s:.1} s, over the profile's {limit_s:.0} s limit per run"
            ),
        }
    }
}

/// How a cell's pilot ended, as far as the policy cares.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PilotEnd {
    /// It finished within the contract in this many seconds.
    Finished { wall_s: f64 },
    /// It was stopped at the pilot's limit (by the driver or its own watchdog).
    TimedOut,
    /// It failed in some other way: no projection can be drawn from it.
    Failed,
    /// A spawn sweep's point failed to start every task (exit 1, or killed): where the model stops.
    Refused,
}

type SeriesKey = (Workload, String, Axis);

/// Projects a tasks sweep's next point from the ones before it, so that a point that would blow the profile's limit
/// is skipped with the reason instead of being run. Cells must be offered in sweep order ([`Cell::order`]).
///
/// From one earlier point the projection is linear in tasks, through zero: an upper bound when a run has a fixed
/// cost (start-up). From two it is a fixed cost plus a cost per task, the line through both. Why two: linear from
/// the one point charges the fixed cost N times over, and that skipped cells that fit, among them a point a verdict
/// rests on: asyncio's io-net at 10,000 tasks, from 0.17 s at 100 and 0.34 s at 1,000 in one standard run, projected
/// 3.4 s linearly and 2.0 s through both against a 3 s limit; it ran in 2.08 s (run 2026-12-01-0628). A run that
/// grows faster than the line is still bounded:
/// its pilot is stopped at [`pilot_limit_s`] and the cell skipped with what it measured.
#[derive(Debug, Default)]
pub struct Projector {
    /// The last point of each tasks series: its value and its (measured or projected) seconds for one run.
    last: HashMap<SeriesKey, (u64, f64)>,
    /// The point before the last of each tasks series, the same way.
    earlier: HashMap<SeriesKey, (u64, f64)>,
    /// The largest point of each tasks series that ran to the end.
    largest_ok: HashMap<SeriesKey, u64>,
    /// The point of each spawn series where the model stopped.
    limit: HashMap<SeriesKey, u64>,
}

/// Whether a pilot of `cell` that exited 1 or was killed is where its model stopped rather than a failure: `cell` is
/// a point of a spawn sweep (the OS refused a thread or process, or memory ran out). Any other workload's failure,
/// and a spawn run that broke the contract otherwise (wrong checksum, bad report, usage), stays a failure.
pub fn is_spawn_sweep(cell: &Cell) -> bool {
    cell.workload == Workload::Spawn && cell.point.is_some_and(|p| p.axis == Axis::Tasks)
}

/// Untimed runs of a floor cell after its pilot: the figures a runtime measures inside a run (spawn time per task,
/// memory, round trips) are reported as the median and range of the pilot and these, never from one run.
pub const FLOOR_REPEATS: usize = 2;

/// Untimed runs after the pilot of a peer's one-thread event loop's io-sleep or io-net cell at 1,000 tasks or more:
/// the verdict on asyncio against Node compares those loops by their own `elapsed_ms` (without the interpreter's
/// start-up, which hyperfine's wall time includes), so each needs a distribution, not one run, for a test between
/// them. Why peers only: no other figure reads these runs, and the Rust loops' repeats cost about 7 s of a
/// standard run.
pub const LOOP_REPEATS: usize = 4;

/// How many untimed runs follow `cell`'s pilot, given whether its variant is a peer's one event loop on one thread.
pub fn repeats_for(cell: &Cell, one_loop_peer: bool) -> usize {
    if Workload::FLOOR.contains(&cell.workload) {
        FLOOR_REPEATS
    } else if one_loop_peer
        && matches!(cell.workload, Workload::IoSleep | Workload::IoNet)
        && cell
            .point
            .is_some_and(|p| p.axis == Axis::Tasks && p.value >= 1_000)
        && cell.opts.is_empty()
    {
        LOOP_REPEATS
    } else {
        0
    }
}

fn tasks_series(cell: &Cell) -> Option<(SeriesKey, u64)> {
    let pt = cell.point.filter(|p| p.axis == Axis::Tasks)?;
    Some(((cell.workload, cell.series(), pt.axis), pt.value))
}

impl Projector {
    /// Before the pilot: the reason to skip `cell`, if its projection from the previous point is over the limit.
    /// A skipped point's projection stands in for it, so the next point is projected from that.
    pub fn before_pilot(&mut self, cell: &Cell, p: &Profile) -> Option<Skip> {
        let (key, value) = tasks_series(cell)?;
        if self.past_limit(cell).is_some() {
            return None;
        }
        let &(prev, secs) = self.last.get(&key)?;
        let earlier = self
            .earlier
            .get(&key)
            .copied()
            .filter(|&(n0, _)| n0 < prev && prev < value);
        let projected_s = match earlier {
            // The line through both points; a larger N never takes less than the last.
            Some((n0, t0)) => {
                let per_task = ((secs - t0) / (prev - n0) as f64).max(0.0);
                secs + per_task * (value - prev) as f64
            }
            None => secs * value as f64 / prev.max(1) as f64,
        };
        if projected_s <= p.run_limit_s {
            return None;
        }
        self.push(key, value, projected_s);
        Some(Skip::Projected {
            projected_s,
            from_s: secs,
            from_tasks: prev,
            earlier,
            limit_s: p.run_limit_s,
        })
    }

    /// Records a point of a tasks series (measured, projected, or the limit a pilot was stopped at).
    fn push(&mut self, key: SeriesKey, value: u64, secs: f64) {
        if let Some(old) = self.last.insert(key.clone(), (value, secs)) {
            self.earlier.insert(key, old);
        }
    }

    /// After the pilot: records what it measured for the next point, and says whether the cell is too slow to time.
    pub fn after_pilot(&mut self, cell: &Cell, p: &Profile, end: PilotEnd) -> Option<Skip> {
        let key = tasks_series(cell);
        match end {
            PilotEnd::TimedOut => {
                let limit_s = pilot_limit_s(p);
                if let Some((k, v)) = key {
                    self.push(k, v, limit_s);
                }
                Some(Skip::DidNotFinish {
                    limit_s,
                    run_limit_s: p.run_limit_s,
                })
            }
            PilotEnd::Failed => None,
            PilotEnd::Refused => {
                if let Some((k, v)) = key {
                    self.limit.entry(k).or_insert(v);
                }
                None
            }
            PilotEnd::Finished { wall_s } => {
                if let Some((k, v)) = key {
                    self.push(k.clone(), v, wall_s);
                    let best = self.largest_ok.entry(k).or_insert(v);
                    *best = (*best).max(v);
                }
                (wall_s > p.run_limit_s).then_some(Skip::TookTooLong {
                    wall_s,
                    limit_s: p.run_limit_s,
                })
            }
        }
    }
}

impl Projector {
    /// The point where `cell`'s sweep stopped, if `cell` lies past it: it is not run.
    pub fn past_limit(&self, cell: &Cell) -> Option<u64> {
        let (key, value) = tasks_series(cell)?;
        self.limit.get(&key).copied().filter(|&at| value > at)
    }

    /// The largest point of `cell`'s sweep that ran to the end so far.
    pub fn largest_ok(&self, cell: &Cell) -> Option<u64> {
        let (key, _) = tasks_series(cell)?;
        self.largest_ok.get(&key).copied()
    }
}

/// How long a pilot may run before the driver stops it: a little past the profile's limit, so that the measured
/// overrun is the evidence for skipping the cell.
pub fn pilot_limit_s(p: &Profile) -> f64 {
    p.run_limit_s * 1.5 + 1.0
}

/// The seconds of timed runs a cell may use: the profile's per-cell budget, shrunk to the cell's share of what is
/// left of the total budget, so that the whole phase stays within it.
pub fn cell_budget_s(p: &Profile, elapsed_s: f64, cells_left: usize) -> f64 {
    match p.total_budget_s {
        Some(total) => {
            let left = (total - elapsed_s).max(0.0);
            p.cell_budget_s.min(left / cells_left.max(1) as f64)
        }
        None => p.cell_budget_s,
    }
}

/// Timed runs for a cell whose pilot took `pilot_s`, given `budget_s` seconds: as many as fit, clamped to the
/// profile's min..max.
pub fn runs_for(p: &Profile, pilot_s: f64, budget_s: f64) -> u32 {
    let fit = (budget_s / pilot_s.max(1e-3)).floor();
    (fit.max(0.0) as u32).clamp(p.min_runs, p.max_runs)
}

/// A pilot at least this long means its cell is timed without warm-up runs (see [`warmup_for`]).
pub const NO_WARMUP_FROM_S: f64 = 0.5;

/// hyperfine's `--warmup` for a cell whose pilot took `pilot_s`: the profile's, or none for a run of
/// [`NO_WARMUP_FROM_S`] or more. Why: warm-up runs bring the binary, the interpreter and their files into the page
/// cache, and by the time a cell is timed its verify and pilot runs (and any repeats) have run the same command in
/// this run already. What a warm-up could still save a long run (a page fault or two of the binary) is far below
/// one percent of it, while one warm-up of every such cell cost about 90 s of a standard run (70 cells of 0.5 to
/// 2.5 s in run 2026-12-01-0434). A short run keeps its warm-up: there a cold start is a visible share.
pub fn warmup_for(p: &Profile, pilot_s: f64) -> u32 {
    if pilot_s >= NO_WARMUP_FROM_S {
        0
    } else {
        p.warmup
    }
}

/// The `--deadline-s` of a timed run: four times its pilot plus slack, and never under twice the profile's limit.
pub fn timed_deadline_s(p: &Profile, pilot_s: f64) -> f64 {
    (pilot_s * 4.0 + 5.0).max(p.run_limit_s * 2.0)
}

/// How long hyperfine may take over a whole cell before the driver stops it.
pub fn hyperfine_limit(deadline_s: f64, runs: u32, warmup: u32) -> Duration {
    Duration::from_secs_f64(deadline_s * f64::from(runs + warmup) + 30.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Point, ProfileName};
    use workloads::Size;

    fn standard() -> Profile {
        Profile::named(ProfileName::Standard)
    }

    fn point(series: &str, tasks: u64) -> Cell {
        Cell {
            runtime: series.into(),
            variant: "pool".into(),
            workload: Workload::IoSleep,
            size: Size::Quick,
            workers: 2,
            tasks: Some(tasks),
            opts: Vec::new(),
            point: Some(Point {
                axis: Axis::Tasks,
                value: tasks,
            }),
            params: Vec::new(),
            pinned: None,
        }
    }

    #[test]
    fn a_refused_spawn_point_is_the_limit_and_the_points_past_it_are_not_run() {
        let p = standard();
        let spawn = |n| Cell {
            workload: Workload::Spawn,
            ..point("threads", n)
        };
        let mut pr = Projector::default();
        pr.after_pilot(&spawn(1_000), &p, PilotEnd::Finished { wall_s: 0.05 });
        pr.after_pilot(&spawn(10_000), &p, PilotEnd::Finished { wall_s: 0.4 });
        assert_eq!(pr.past_limit(&spawn(100_000)), None);
        assert!(is_spawn_sweep(&spawn(100_000)));
        pr.after_pilot(&spawn(100_000), &p, PilotEnd::Refused);
        assert_eq!(pr.largest_ok(&spawn(100_000)), Some(10_000));
        assert_eq!(pr.past_limit(&spawn(1_000_000)), Some(100_000));
        assert_eq!(
            pr.past_limit(&spawn(100_000)),
            None,
            "the limit point itself"
        );
        // Another series is not affected; io-sleep's failures and a spawn cell outside a sweep stay failures.
        assert_eq!(pr.past_limit(&point("threads", 1_000_000)), None);
        assert!(!is_spawn_sweep(&point("threads", 100)));
        assert!(!is_spawn_sweep(&Cell {
            point: None,
            ..spawn(100)
        }));
    }

    #[test]
    fn a_point_is_projected_linearly_from_one_point_and_through_two() {
        let p = standard();
        let mut pr = Projector::default();
        assert_eq!(pr.before_pilot(&point("a", 100), &p), None);
        pr.after_pilot(&point("a", 100), &p, PilotEnd::Finished { wall_s: 0.4 });
        // One point: 0.4 s at 100 tasks -> 4 s at 1,000, linearly: skipped, and the reason says why.
        let skip = pr.before_pilot(&point("a", 1_000), &p).unwrap();
        assert_eq!(
            skip,
            Skip::Projected {
                projected_s: 4.0,
                from_s: 0.4,
                from_tasks: 100,
                earlier: None,
                limit_s: 3.0
            }
        );
        assert!(
            skip.to_string()
                .starts_with("projected 4.0 s for one run (linear from 0.40 s at 100 tasks)")
        );
        // Two points: 0.2 s at 100 and 0.4 s at 1,000 -> 2.4 s at 10,000 through both (4.0 s linearly from the
        // last): it runs.
        let mut pr = Projector::default();
        pr.after_pilot(&point("b", 100), &p, PilotEnd::Finished { wall_s: 0.2 });
        assert_eq!(pr.before_pilot(&point("b", 1_000), &p), None);
        pr.after_pilot(&point("b", 1_000), &p, PilotEnd::Finished { wall_s: 0.4 });
        assert_eq!(pr.before_pilot(&point("b", 10_000), &p), None);
        // 0.1 s at 100 and 0.5 s at 1,000 -> 4.5 s through both: skipped, naming both points.
        pr.after_pilot(&point("c", 100), &p, PilotEnd::Finished { wall_s: 0.1 });
        pr.after_pilot(&point("c", 1_000), &p, PilotEnd::Finished { wall_s: 0.5 });
        let skip = pr.before_pilot(&point("c", 10_000), &p).unwrap();
        match &skip {
            Skip::Projected {
                projected_s,
                earlier: Some((100, t0)),
                ..
            } => {
                assert!((projected_s - 4.5).abs() < 1e-9, "{skip:?}");
                assert!((t0 - 0.1).abs() < 1e-9);
            }
            other => panic!("{other:?}"),
        }
        assert!(skip.to_string().contains(
            "(from 0.10 s at 100 and 0.50 s at 1000 tasks: a fixed cost plus a cost per task)"
        ));
        // A faster larger point is never projected below the last.
        pr.after_pilot(&point("d", 100), &p, PilotEnd::Finished { wall_s: 3.2 });
        pr.after_pilot(&point("d", 1_000), &p, PilotEnd::Finished { wall_s: 2.9 });
        assert!(pr.before_pilot(&point("d", 10_000), &p).is_none());
        // Another series is projected from its own points only.
        assert_eq!(pr.before_pilot(&point("e", 10_000), &p), None);
    }

    #[test]
    fn a_skipped_point_projects_the_next_and_a_timeout_stands_as_the_limit() {
        let p = standard();
        let mut pr = Projector::default();
        pr.after_pilot(&point("a", 100), &p, PilotEnd::Finished { wall_s: 2.0 });
        assert!(pr.before_pilot(&point("a", 1_000), &p).is_some());
        // 20 s projected at 1,000 -> 200 s at 10,000.
        match pr.before_pilot(&point("a", 10_000), &p) {
            Some(Skip::Projected { projected_s, .. }) => {
                assert!((projected_s - 200.0).abs() < 1e-9)
            }
            other => panic!("{other:?}"),
        }
        let mut pr = Projector::default();
        let end = pr.after_pilot(&point("c", 100), &p, PilotEnd::TimedOut);
        assert_eq!(
            end,
            Some(Skip::DidNotFinish {
                limit_s: pilot_limit_s(&p),
                run_limit_s: 3.0
            })
        );
        assert!(pr.before_pilot(&point("c", 1_000), &p).is_some());
        // A failed pilot says nothing about the next point.
        let mut pr = Projector::default();
        assert_eq!(pr.after_pilot(&point("d", 100), &p, PilotEnd::Failed), None);
        assert_eq!(pr.before_pilot(&point("d", 1_000), &p), None);
    }

    #[test]
    fn a_slow_pilot_is_too_slow_and_only_tasks_sweeps_are_projected() {
        let p = standard();
        let mut pr = Projector::default();
        let mut c = point("a", 100);
        assert_eq!(
            pr.after_pilot(&c, &p, PilotEnd::Finished { wall_s: 3.5 }),
            Some(Skip::TookTooLong {
                wall_s: 3.5,
                limit_s: 3.0
            })
        );
        c.point = Some(Point {
            axis: Axis::Workers,
            value: 100,
        });
        pr.after_pilot(&c, &p, PilotEnd::Finished { wall_s: 1.0 });
        c.point = Some(Point {
            axis: Axis::Workers,
            value: 100_000,
        });
        assert_eq!(pr.before_pilot(&c, &p), None);
    }

    #[test]
    fn the_budget_is_shared_by_the_cells_left() {
        let p = standard(); // 3 s per cell, 420 s in all
        assert_eq!(cell_budget_s(&p, 0.0, 10), 3.0);
        assert!((cell_budget_s(&p, 400.0, 10) - 2.0).abs() < 1e-9);
        assert_eq!(cell_budget_s(&p, 500.0, 10), 0.0);
        let full = Profile::named(ProfileName::Full);
        assert_eq!(cell_budget_s(&full, 1e6, 1), full.cell_budget_s);
    }

    #[test]
    fn runs_fit_the_budget_within_the_profiles_bounds() {
        let p = standard(); // 3..=12 runs
        assert_eq!(runs_for(&p, 0.1, 2.0), 12);
        assert_eq!(runs_for(&p, 0.5, 2.0), 4);
        assert_eq!(runs_for(&p, 5.0, 2.0), 3);
        assert_eq!(runs_for(&p, 0.0, 0.0), 3);
    }

    #[test]
    fn deadlines_leave_room_for_a_slow_run() {
        let p = standard();
        assert_eq!(pilot_limit_s(&p), 5.5);
        assert_eq!(timed_deadline_s(&p, 0.1), 6.0);
        assert_eq!(timed_deadline_s(&p, 2.0), 13.0);
        assert_eq!(hyperfine_limit(6.0, 4, 1), Duration::from_secs(60));
        assert_eq!(hyperfine_limit(6.0, 4, 0), Duration::from_secs(54));
    }

    #[test]
    fn repeats_go_to_the_floor_and_to_a_peers_loop_at_a_thousand_tasks_or_more() {
        let spawn = Cell {
            workload: Workload::Spawn,
            ..point("rt-threads", 1_000)
        };
        assert_eq!(repeats_for(&spawn, false), FLOOR_REPEATS);
        let io = |t: u64| Cell {
            workload: Workload::IoNet,
            ..point("py-asyncio", t)
        };
        assert_eq!(repeats_for(&io(1_000), true), LOOP_REPEATS);
        assert_eq!(repeats_for(&io(10_000), true), LOOP_REPEATS);
        assert_eq!(repeats_for(&io(100), true), 0);
        // Not a peer's one loop (a Rust loop, threads): no figure reads the runs.
        assert_eq!(repeats_for(&io(10_000), false), 0);
        // An opt cell is not compared.
        let offload = Cell {
            opts: vec![("offload".into(), "true".into())],
            ..io(1_000)
        };
        assert_eq!(repeats_for(&offload, true), 0);
        let cpu = Cell {
            workload: Workload::CpuBalanced,
            point: None,
            ..io(1_000)
        };
        assert_eq!(repeats_for(&cpu, true), 0);
    }

    #[test]
    fn only_a_short_run_gets_a_warm_up() {
        let p = standard();
        assert_eq!(warmup_for(&p, 0.05), 1);
        assert_eq!(warmup_for(&p, 0.49), 1);
        assert_eq!(warmup_for(&p, 0.5), 0);
        assert_eq!(warmup_for(&p, 2.5), 0);
        assert_eq!(warmup_for(&Profile::named(ProfileName::Full), 0.1), 2);
    }
}
