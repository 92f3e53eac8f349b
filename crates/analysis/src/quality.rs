//! How far the run can be trusted: what the hypervisor took (steal) and whether the machine's speed drifted (the
//! calibration kernel timed at the start, between the phases and at the end). Past a stated limit the report says
//! so at the top, and every verdict that rests on an affected cell is marked less certain.

use super::Analysis;
use super::verdicts::Verdict;

/// Steal above this share of the machine's CPU time makes a run, or a cell, unsteady.
pub const STEAL_LIMIT: f64 = 0.05;
/// The calibration kernel taking this much longer at its slowest than at its fastest makes a run unsteady.
pub const DRIFT_LIMIT: f64 = 0.10;

/// The run's quality, assessed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunQuality {
    /// Steal over the whole run (share of all CPU time).
    pub steal: Option<f64>,
    /// The calibration kernel's drift over the run (`max / min - 1`).
    pub drift: Option<f64>,
    /// The calibration kernel's times (ms) where they were taken.
    pub calibration_ms: Vec<(String, f64)>,
    /// Timed cells whose own steal passed [`STEAL_LIMIT`]: (key, label, steal).
    pub stolen_cells: Vec<(String, String, f64)>,
}

impl RunQuality {
    /// Whether the run as a whole passed a limit.
    pub fn unsteady(&self) -> bool {
        self.steal.is_some_and(|s| s > STEAL_LIMIT) || self.drift.is_some_and(|d| d > DRIFT_LIMIT)
    }

    /// Whether anything was measured (runs before schema 3 measured nothing).
    pub fn measured(&self) -> bool {
        self.steal.is_some() || !self.calibration_ms.is_empty()
    }

    /// Why a verdict is less certain, if it is: the whole run was unsteady, or a cell it rests on was stolen from.
    pub fn doubt(&self, v: &Verdict) -> Option<String> {
        if v.rests_on.is_empty() {
            return None;
        }
        if self.unsteady() {
            return Some("the run was unsteady".into());
        }
        let hit: Vec<String> = self
            .stolen_cells
            .iter()
            .filter(|(k, _, _)| v.rests_on.contains(k))
            .map(|(_, label, s)| format!("`{label}` lost {:.0}% to steal", s * 100.0))
            .collect();
        (!hit.is_empty()).then(|| hit.join(", "))
    }
}

/// Assesses the run.
pub fn assess(m: &Analysis) -> RunQuality {
    let q = &m.run.meta.quality;
    let mut stolen_cells: Vec<(String, String, f64)> = m
        .run
        .cells
        .iter()
        .filter_map(|c| {
            let s = c.steal_share?;
            (s > STEAL_LIMIT).then(|| (c.cell.key(), c.cell.label(), s))
        })
        .collect();
    stolen_cells.sort_by(|a, b| b.2.total_cmp(&a.2));
    RunQuality {
        steal: q.steal_share,
        drift: q.drift(),
        calibration_ms: q.calibration_ms.clone(),
        stolen_cells,
    }
}
