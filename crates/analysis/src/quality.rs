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
    /// Timed cells whose own steal passed [`STEAL_LIMIT`], the most stolen from first.
    pub stolen_cells: Vec<StolenCell>,
}

/// A timed cell the hypervisor stole from past [`STEAL_LIMIT`].
#[derive(Debug, Clone, PartialEq)]
pub struct StolenCell {
    /// Its key.
    pub key: String,
    /// Its label.
    pub label: String,
    /// Its steal, as a share of its CPU time.
    pub share: f64,
}

/// Why a verdict is less certain.
#[derive(Debug, Clone, PartialEq)]
pub enum Doubt {
    /// The whole run passed a limit ([`RunQuality::unsteady`]).
    Unsteady,
    /// Cells the verdict rests on were stolen from.
    Stolen(Vec<StolenCell>),
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
    pub fn doubt(&self, v: &Verdict) -> Option<Doubt> {
        if v.rests_on.is_empty() {
            return None;
        }
        if self.unsteady() {
            return Some(Doubt::Unsteady);
        }
        let hit: Vec<StolenCell> = self
            .stolen_cells
            .iter()
            .filter(|c| v.rests_on.contains(&c.key))
            .cloned()
            .collect();
        (!hit.is_empty()).then_some(Doubt::Stolen(hit))
    }
}

/// Assesses the run.
pub fn assess(m: &Analysis) -> RunQuality {
    let q = &m.run.meta.quality;
    let mut stolen_cells: Vec<StolenCell> = m
        .run
        .cells
        .iter()
        .filter_map(|c| {
            let s = c.steal_share?;
            (s > STEAL_LIMIT).then(|| StolenCell {
                key: c.cell.key(),
                label: c.cell.label(),
                share: s,
            })
        })
        .collect();
    stolen_cells.sort_by(|a, b| b.share.total_cmp(&a.share));
    RunQuality {
        steal: q.steal_share,
        drift: q.drift(),
        calibration_ms: q.calibration_ms.clone(),
        stolen_cells,
    }
}
