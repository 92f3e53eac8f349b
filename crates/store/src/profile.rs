//! The profiles: how much a bench run measures, and with how much patience.

use std::fmt;

use serde::{Deserialize, Serialize};
use workloads::Size;

/// The name of a profile, as `--profile` takes it and `raw/run.json` records it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum ProfileName {
    /// Seconds: every cell at `--size check`, no sweeps.
    Smoke,
    /// A few minutes: the quick size, opt cells, no sweeps.
    Quick,
    /// About ten minutes on 2 cores: the quick size with every sweep.
    Standard,
    /// The standard size, every sweep, no total budget.
    Full,
}

impl ProfileName {
    /// As written on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            ProfileName::Smoke => "smoke",
            ProfileName::Quick => "quick",
            ProfileName::Standard => "standard",
            ProfileName::Full => "full",
        }
    }
}

impl fmt::Display for ProfileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How much a bench run measures and how long it may take. `docs/report.md` describes each.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// Which one.
    pub name: ProfileName,
    /// The `--size` of every timed cell.
    pub size: Size,
    /// Whether the sweeps (workers, tasks, switch interval) run.
    pub sweeps: bool,
    /// Whether the extra opt cells (offload, yield, rmw=call, shared) run.
    pub opt_cells: bool,
    /// hyperfine `--warmup`.
    pub warmup: u32,
    /// The fewest timed runs of a cell.
    pub min_runs: u32,
    /// The most timed runs of a cell.
    pub max_runs: u32,
    /// Seconds of timed runs a cell may use; runs = budget / pilot time, clamped to min..max.
    pub cell_budget_s: f64,
    /// A cell whose one run is projected to take longer than this is skipped with the reason.
    pub run_limit_s: f64,
    /// The whole timing phase's budget; per-cell budgets shrink to fit it. `None`: no limit.
    pub total_budget_s: Option<f64>,
    /// Seconds the CPython-versions sweep may use (every CPython found: race and a 2-thread speedup each); runs
    /// that do not fit are left out and recorded. `Some(0.0)`: no sweep; `None`: no limit.
    ///
    /// Why these: smoke is a seconds-long check of the pipeline, so no sweep; a sweep run is about one second at
    /// the quick size, and each interpreter needs 10 of them (4 races, 3 + 3 alternated speedup runs), so quick's
    /// 45 s covers the races of every version and most speedups, standard's 90 s all of about 8 interpreters, and
    /// full runs everything.
    pub cpython_budget_s: Option<f64>,
}

/// The profiles, in order of cost.
pub fn profiles() -> [Profile; 4] {
    [
        Profile {
            name: ProfileName::Smoke,
            size: Size::Check,
            sweeps: false,
            opt_cells: false,
            warmup: 1,
            min_runs: 3,
            max_runs: 3,
            cell_budget_s: 0.5,
            run_limit_s: 2.0,
            total_budget_s: Some(60.0),
            cpython_budget_s: Some(0.0),
        },
        Profile {
            name: ProfileName::Quick,
            size: Size::Quick,
            sweeps: false,
            opt_cells: true,
            warmup: 1,
            min_runs: 3,
            max_runs: 5,
            cell_budget_s: 1.5,
            run_limit_s: 3.0,
            total_budget_s: Some(240.0),
            cpython_budget_s: Some(45.0),
        },
        Profile {
            name: ProfileName::Standard,
            size: Size::Quick,
            sweeps: true,
            opt_cells: true,
            warmup: 1,
            min_runs: 3,
            max_runs: 12,
            cell_budget_s: 3.0,
            run_limit_s: 3.0,
            total_budget_s: Some(420.0),
            cpython_budget_s: Some(90.0),
        },
        Profile {
            name: ProfileName::Full,
            size: Size::Standard,
            sweeps: true,
            opt_cells: true,
            warmup: 2,
            min_runs: 5,
            max_runs: 20,
            cell_budget_s: 10.0,
            run_limit_s: 20.0,
            total_budget_s: None,
            cpython_budget_s: None,
        },
    ]
}

impl Profile {
    /// The profile called `name`.
    pub fn named(name: ProfileName) -> Profile {
        profiles()
            .into_iter()
            .find(|p| p.name == name)
            .expect("every name has a profile")
    }
}
