//! `arena compare A B`: every cell timed in both runs, side by side, with Welch's t-test on hyperfine's `times`. The
//! figures only; `arena_report::compare` renders them.

use arena_store::Loaded;
use workloads::Workload;

use crate::Analysis;
use crate::verdicts::{Claim, Mark, Verdict};

/// A change is called real when Welch's two-sided p is below this...
pub const ALPHA: f64 = 0.05;
/// ...and the medians differ by more than this fraction (smaller shifts are not worth a reader's attention).
pub const MIN_CHANGE: f64 = 0.02;

/// What a cell did from A to B.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Change {
    /// B is faster by this fraction of A's median.
    Faster(f64),
    /// B is slower by this fraction of A's median.
    Slower(f64),
    /// The test found no change that matters ([`ALPHA`], [`MIN_CHANGE`]).
    None,
    /// Fewer than two runs, or no spread: nothing to test.
    Untestable,
}

/// One cell timed in both runs.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareRow {
    /// Its workload.
    pub workload: Workload,
    /// Its label.
    pub label: String,
    /// A's median, seconds.
    pub a_median: f64,
    /// B's median, seconds.
    pub b_median: f64,
    /// B / A.
    pub ratio: f64,
    /// Welch's two-sided p, when testable.
    pub p: Option<f64>,
    /// What it amounts to.
    pub change: Change,
}

/// Two runs compared cell by cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// The runs ran on different machines (host or CPU model).
    pub machine_differs: bool,
    /// The runs timed different sizes.
    pub size_differs: bool,
    /// Every cell timed in both, in A's order.
    pub rows: Vec<CompareRow>,
    /// Keys timed only in A.
    pub only_a: Vec<String>,
    /// Keys timed only in B.
    pub only_b: Vec<String>,
}

impl Comparison {
    /// Compares B against A.
    pub fn new(a: &Loaded, b: &Loaded) -> Comparison {
        let (ma, mb) = (&a.meta.machine, &b.meta.machine);
        let mut rows = Vec::new();
        for c in &a.cells {
            let key = c.cell.key();
            let (Some(ha), Some(hb)) = (a.hyperfine.get(&key), b.hyperfine.get(&key)) else {
                continue;
            };
            let ratio = hb.median / ha.median;
            let p = crate::stats::welch(&ha.times, &hb.times).map(|t| t.p);
            let change = match p {
                Some(p) if p < ALPHA && (ratio - 1.0).abs() > MIN_CHANGE => {
                    if ratio < 1.0 {
                        Change::Faster(1.0 - ratio)
                    } else {
                        Change::Slower(ratio - 1.0)
                    }
                }
                Some(_) => Change::None,
                None => Change::Untestable,
            };
            rows.push(CompareRow {
                workload: c.cell.workload,
                label: c.cell.label(),
                a_median: ha.median,
                b_median: hb.median,
                ratio,
                p,
                change,
            });
        }
        let only = |x: &Loaded, y: &Loaded| -> Vec<String> {
            x.hyperfine
                .keys()
                .filter(|k| !y.hyperfine.contains_key(*k))
                .cloned()
                .collect()
        };
        Comparison {
            machine_differs: ma.cpu_model != mb.cpu_model || ma.host != mb.host,
            size_differs: a.meta.profile.size != b.meta.profile.size,
            rows,
            only_a: only(a, b),
            only_b: only(b, a),
        }
    }

    /// How many cells got faster and how many slower.
    pub fn counts(&self) -> (usize, usize) {
        let faster = self
            .rows
            .iter()
            .filter(|r| matches!(r.change, Change::Faster(_)))
            .count();
        let slower = self
            .rows
            .iter()
            .filter(|r| matches!(r.change, Change::Slower(_)))
            .count();
        (faster, slower)
    }
}

/// One claim in two runs: `arena compare --verdicts A B`.
#[derive(Debug, Clone)]
pub struct VerdictChange {
    /// The claim.
    pub claim: Claim,
    /// Its verdict in A.
    pub a: Verdict,
    /// Its verdict in B.
    pub b: Verdict,
}

impl VerdictChange {
    /// Whether the mark differs.
    pub fn changed(&self) -> bool {
        self.a.mark != self.b.mark
    }
}

/// Every claim's verdict in two runs, in the article's order: does this machine agree with that run?
#[derive(Debug, Clone)]
pub struct VerdictChanges {
    /// One per claim both runs weighed or left missing.
    pub claims: Vec<VerdictChange>,
}

impl VerdictChanges {
    /// The verdicts of B against A's (each run's own [`Analysis::verdicts`]).
    pub fn new(a: &Analysis, b: &Analysis) -> VerdictChanges {
        let claims = a
            .verdicts
            .iter()
            .filter_map(|va| {
                let vb = b.verdicts.iter().find(|v| v.claim == va.claim)?;
                Some(VerdictChange {
                    claim: va.claim,
                    a: va.clone(),
                    b: vb.clone(),
                })
            })
            .collect();
        VerdictChanges { claims }
    }

    /// How many claims have the same mark in both, how many changed, and how many of the changes involve a
    /// missing mark (one run could not weigh the claim).
    pub fn counts(&self) -> (usize, usize, usize) {
        let same = self.claims.iter().filter(|c| !c.changed()).count();
        let changed = self.claims.len() - same;
        let missing = self
            .claims
            .iter()
            .filter(|c| c.changed() && (c.a.mark == Mark::Missing || c.b.mark == Mark::Missing))
            .count();
        (same, changed, missing)
    }
}
