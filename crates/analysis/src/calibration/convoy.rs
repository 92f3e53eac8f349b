//! The convoy effect: the ticker's lateness with one CPU thread beside it, at each switch interval of the sweep,
//! the emulated GIL against a peer's real one.

use harness::Latency;
use workloads::Workload;

use super::{Compared, Finding, Player, Roles};
use crate::{Analysis, Row};
use arena_store::{Axis, SWITCH_POINTS};

/// Two medians agree within this share of the switch interval...
pub const WITHIN_SHARE: f64 = 0.15;
/// ...or within this many milliseconds, whichever is more.
pub const WITHIN_MS: f64 = 0.5;

/// One switch interval: the ticker's lateness (ms) in each runtime's kept run.
#[derive(Debug, Clone, PartialEq)]
pub struct ConvoyRow {
    /// The switch interval, in microseconds.
    pub switch_interval_us: u64,
    /// The emulated GIL's lateness percentiles.
    pub emulated: Option<Latency>,
    /// The peer's (CPython's).
    pub cpython: Option<Latency>,
}

impl ConvoyRow {
    /// Whether the two medians agree: within [`WITHIN_SHARE`] of the interval, or [`WITHIN_MS`]. `None` when one
    /// is missing.
    pub fn agree(&self) -> Option<bool> {
        let tol = (WITHIN_SHARE * self.switch_interval_us as f64 / 1000.0).max(WITHIN_MS);
        self.emulated
            .zip(self.cpython)
            .map(|(a, b)| (a.p50 - b.p50).abs() <= tol)
    }
}

/// One row per point of [`SWITCH_POINTS`], and the finding.
pub(super) fn compare(m: &Analysis, cast: &Roles) -> (Vec<ConvoyRow>, Finding) {
    // The convoy cells are the sweep of the player's runtime (they run its default variant).
    let points = |who: Option<&Player>| -> Vec<&Row> {
        m.sweep(Workload::Mixed, Axis::SwitchIntervalUs)
            .into_iter()
            .filter(|(_, rows)| {
                rows.first()
                    .is_some_and(|r| who.is_some_and(|p| p.runtime == r.cell.runtime))
            })
            .flat_map(|(_, rows)| rows)
            .collect()
    };
    let (emu, real) = (
        points(cast.emulated_gil.as_ref()),
        points(cast.peer_gil.as_ref()),
    );
    let lat = |rows: &[&Row], us: u64| {
        rows.iter()
            .find(|r| r.cell.point.is_some_and(|p| p.value == us))
            .and_then(|r| r.report.as_ref()?.latency_ms)
    };
    let rows: Vec<ConvoyRow> = SWITCH_POINTS
        .into_iter()
        .map(|us| ConvoyRow {
            switch_interval_us: us,
            emulated: lat(&emu, us),
            cpython: lat(&real, us),
        })
        .collect();
    let finding = finding(&rows, cast);
    (rows, finding)
}

/// The convoy effect: the two GILs' ticker medians at each switch interval both ran.
#[derive(Debug, Clone, PartialEq)]
pub struct ConvoyFinding {
    /// The emulated GIL's player.
    pub emulated: Option<Player>,
    /// CPython's.
    pub cpython: Option<Player>,
    /// Each interval both ran, in sweep order; empty when not measured.
    pub pairs: Vec<ConvoyPair>,
    /// The intervals where they part (see [`ConvoyRow::agree`]).
    pub apart_us: Vec<u64>,
    /// They agree within this share of the interval ([`WITHIN_SHARE`])...
    pub within_share: f64,
    /// ...or this many ms ([`WITHIN_MS`]).
    pub within_ms: f64,
}

/// One switch interval of [`ConvoyFinding`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConvoyPair {
    /// The switch interval, in microseconds.
    pub switch_interval_us: u64,
    /// The emulated GIL's ticker p50, in ms.
    pub emulated_p50: f64,
    /// CPython's.
    pub cpython_p50: f64,
}

fn finding(rows: &[ConvoyRow], cast: &Roles) -> Finding {
    let pairs: Vec<ConvoyPair> = rows
        .iter()
        .filter_map(|r| {
            let (a, b) = r.emulated.zip(r.cpython)?;
            Some(ConvoyPair {
                switch_interval_us: r.switch_interval_us,
                emulated_p50: a.p50,
                cpython_p50: b.p50,
            })
        })
        .collect();
    let apart_us: Vec<u64> = rows
        .iter()
        .filter(|r| r.agree() == Some(false))
        .map(|r| r.switch_interval_us)
        .collect();
    let compared = rows.iter().any(|r| r.agree().is_some());
    Finding {
        agree: compared.then_some(apart_us.is_empty()),
        on: Compared::Convoy(ConvoyFinding {
            emulated: cast.emulated_gil.clone(),
            cpython: cast.peer_gil.clone(),
            pairs,
            apart_us,
            within_share: WITHIN_SHARE,
            within_ms: WITHIN_MS,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(us: u64, a: f64, b: f64) -> ConvoyRow {
        let l = |p50: f64| Latency {
            p50,
            p90: p50,
            p99: p50,
            max: p50,
        };
        ConvoyRow {
            switch_interval_us: us,
            emulated: Some(l(a)),
            cpython: Some(l(b)),
        }
    }

    #[test]
    fn agreement_is_15_percent_of_the_interval_or_half_a_millisecond() {
        assert_eq!(at(500, 0.7, 1.1).agree(), Some(true));
        assert_eq!(at(500, 0.7, 1.3).agree(), Some(false));
        assert_eq!(at(50_000, 50.2, 57.0).agree(), Some(true));
        assert_eq!(at(50_000, 50.2, 70.0).agree(), Some(false));
        let missing = ConvoyRow {
            cpython: None,
            ..at(5_000, 5.2, 5.1)
        };
        assert_eq!(missing.agree(), None);
    }
}
