//! The convoy effect: the ticker's lateness with one CPU thread beside it, at each switch interval of the sweep,
//! the emulated GIL against a peer's real one.

use harness::Latency;
use workloads::Workload;

use super::{Finding, Player, Roles, name};
use crate::{Analysis, Row};
use arena_store::{Axis, SWITCH_POINTS};

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
    /// Whether the two medians agree: within 15% of the interval, or 0.5 ms. `None` when one is missing.
    pub fn agree(&self) -> Option<bool> {
        let tol = (0.15 * self.switch_interval_us as f64 / 1000.0).max(0.5);
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

fn finding(rows: &[ConvoyRow], cast: &Roles) -> Finding {
    let interval = |us: u64| format!("{} ms", us as f64 / 1000.0);
    let pairs: Vec<String> = rows
        .iter()
        .filter_map(|r| {
            let (a, b) = r.emulated.zip(r.cpython)?;
            Some(format!(
                "{}: {:.2} vs {:.2} ms",
                interval(r.switch_interval_us),
                a.p50,
                b.p50
            ))
        })
        .collect();
    let off: Vec<String> = rows
        .iter()
        .filter(|r| r.agree() == Some(false))
        .map(|r| interval(r.switch_interval_us))
        .collect();
    let compared = rows.iter().any(|r| r.agree().is_some());
    Finding {
        topic: format!(
            "The convoy effect (ticker p50, {} vs {})",
            name(cast.emulated_gil.as_ref()),
            name(cast.peer_gil.as_ref())
        ),
        agree: compared.then_some(off.is_empty()),
        text: if pairs.is_empty() {
            "not measured in this run (it needs the sweeps of `--profile standard` and both runtimes)".into()
        } else {
            format!(
                "{}{} (agreement: p50 within 15% of the interval, or 0.5 ms).",
                pairs.join("; "),
                if off.is_empty() {
                    String::new()
                } else {
                    format!("; they part at {}", off.join(" and "))
                }
            )
        },
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
