//! The CPython-versions sweep's plan and budget, as pure functions: what runs on each interpreter, in which order,
//! and whether the next group of runs fits in what is left of the profile's `cpython_budget_s`.
//!
//! Per interpreter: the threading peer's race with `--opt rmw=plain` and `--opt rmw=call` at 2 and 4 threads, and
//! cpu-balanced on the seq peer and the threading peer at 2 threads, three of each alternated.

use harness::opts;
use workloads::Size;

use arena_store::cpython::{Probe, SweepItem};

/// The size of every sweep run. Why quick: with the peers' race scale (1/10) it is 500,000 increments per thread,
/// enough for 3.8 and 3.9 to lose 40-60% of them and for a free-threaded build to lose about half, in under a
/// second a run; cpu-balanced at quick is about 0.6-0.8 s of Python. A larger size answers the same questions
/// (lost or not, how fast two threads are) more slowly.
pub const SIZE: Size = Size::Quick;

/// The threads of the race runs.
pub const RACE_WORKERS: [u64; 2] = [2, 4];

/// The threads of the speedup's threading runs.
pub const SPEEDUP_WORKERS: u64 = 2;

/// How many seq and threading runs the speedup takes the median of.
pub const SPEEDUP_ROUNDS: u32 = 3;

/// The seconds a run is assumed to take before one like it has run (about the slowest seen here: 3.8's race with
/// `rmw=call` at 4 threads, start-up included).
pub const FIRST_ESTIMATE_S: f64 = 1.2;

/// The forms of the race, as `--opt rmw` values.
pub const RMW: [&str; 2] = ["plain", "call"];

/// A group of runs admitted or left out together: one race, or one interpreter's whole speedup (half of it would
/// have no median to compare).
pub type Group = Vec<SweepItem>;

/// The sweep over `interpreters` (their ids), in the order it runs: every interpreter's races first, then every
/// interpreter's speedup. Why races first: the loss is the question the section answers for every version, so when
/// the budget runs short it is the speedups of the last versions that are left out, not whole versions.
pub fn plan(interpreters: &[String]) -> Vec<Group> {
    let mut groups = Vec::new();
    for id in interpreters {
        for rmw in RMW {
            for workers in RACE_WORKERS {
                groups.push(vec![SweepItem {
                    interpreter: id.clone(),
                    probe: Probe::Race {
                        rmw: rmw.into(),
                        workers,
                    },
                    round: 0,
                }]);
            }
        }
    }
    for id in interpreters {
        // Why alternated (seq, threads, seq, threads, ...), not three of one then three of the other: this machine's
        // speed drifts within a run (steal, other engineers' jobs; two runs of one commit here differed by 40%), so
        // alternation lets drift move both sides of the ratio alike instead of landing on one of them.
        let mut g = Vec::new();
        for round in 0..SPEEDUP_ROUNDS {
            for probe in [
                Probe::CpuSeq,
                Probe::CpuThreads {
                    workers: SPEEDUP_WORKERS,
                },
            ] {
                g.push(SweepItem {
                    interpreter: id.clone(),
                    probe,
                    round,
                });
            }
        }
        groups.push(g);
    }
    groups
}

/// The `--opt` pairs of a probe's run.
pub fn opts_of(p: &Probe) -> Vec<(String, String)> {
    match p {
        Probe::Race { rmw, .. } => vec![(opts::RMW.to_string(), rmw.clone())],
        Probe::CpuSeq | Probe::CpuThreads { .. } => Vec::new(),
    }
}

/// The seconds a run of `p` is expected to take: the longest wall time of a run of the same probe so far (the
/// versions differ, so the longest is the safe guess), or [`FIRST_ESTIMATE_S`].
pub fn estimate_s(p: &Probe, done: &[(Probe, f64)]) -> f64 {
    done.iter()
        .filter(|(q, _)| q == p)
        .map(|(_, s)| *s)
        .fold(None, |m: Option<f64>, s| Some(m.map_or(s, |m| m.max(s))))
        .unwrap_or(FIRST_ESTIMATE_S)
}

/// Whether a group expected to take `estimate_s` fits in `budget_s` after `spent_s`; `Err` says why not.
pub fn admit(budget_s: Option<f64>, spent_s: f64, estimate_s: f64) -> Result<(), String> {
    match budget_s {
        None => Ok(()),
        Some(b) if spent_s + estimate_s <= b => Ok(()),
        Some(b) => Err(format!(
            "over the profile's sweep budget: {spent_s:.0} s spent + {estimate_s:.1} s expected > {b:.0} s"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn races_of_every_version_come_before_any_speedup() {
        let g = plan(&ids(&["3.9.18", "3.13.5t"]));
        // 4 races each, then one speedup group each.
        assert_eq!(g.len(), 2 * 4 + 2);
        assert!(
            g[..8]
                .iter()
                .all(|g| g.len() == 1 && matches!(g[0].probe, Probe::Race { .. }))
        );
        assert_eq!(g[0][0].interpreter, "3.9.18");
        assert_eq!(g[4][0].interpreter, "3.13.5t");
        assert_eq!(
            g[1][0].probe,
            Probe::Race {
                rmw: "plain".into(),
                workers: 4
            }
        );
        let s = &g[8];
        assert_eq!(s.len(), 6);
        // Alternated: seq, threads, seq, threads...
        let kinds: Vec<bool> = s.iter().map(|i| i.probe == Probe::CpuSeq).collect();
        assert_eq!(kinds, [true, false, true, false, true, false]);
        assert_eq!(s[5].round, 2);
        assert_eq!(
            opts_of(&g[2][0].probe),
            [("rmw".to_string(), "call".to_string())]
        );
        assert!(plan(&[]).is_empty());
    }

    #[test]
    fn the_budget_admits_what_fits_and_says_why_not() {
        assert!(admit(None, 1e9, 10.0).is_ok());
        assert!(admit(Some(45.0), 40.0, 5.0).is_ok());
        let e = admit(Some(45.0), 40.0, 5.5).unwrap_err();
        assert!(e.contains("over the profile's sweep budget"), "{e}");
        assert!(admit(Some(0.0), 0.0, 0.1).is_err());
    }

    #[test]
    fn estimates_come_from_the_slowest_run_of_the_same_probe() {
        let race = Probe::Race {
            rmw: "call".into(),
            workers: 4,
        };
        assert_eq!(estimate_s(&race, &[]), FIRST_ESTIMATE_S);
        let done = [
            (race.clone(), 0.4),
            (Probe::CpuSeq, 3.0),
            (race.clone(), 0.9),
        ];
        assert_eq!(estimate_s(&race, &done), 0.9);
        assert_eq!(estimate_s(&Probe::CpuSeq, &done), 3.0);
    }
}
