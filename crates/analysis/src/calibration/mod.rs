//! The peers (`peers/peers.toml`) set beside rt-gil and the single-threaded event loops, on the same machine in the
//! same run, as data: [`calibrate`] returns a [`Calibration`], which the report's "Calibration against CPython and
//! Node" section renders.
//!
//! Everything here compares *shapes* (a speedup, lateness against a switch interval, lost or not, a ratio of wall
//! times), never a Rust time against a Python time: the CPython peers run 1/27 of the CPU work. Each comparison is one
//! typed table (one module each) and ends in a [`Finding`], which says whether the emulation and the real thing
//! agree, by a rule the report states beside its figures.

mod convoy;
mod loops;
mod lost;
mod spawn;
mod threads;

use super::roles::{Player, Roles, roles};
use super::{Analysis, Row};

pub use convoy::{ConvoyFinding, ConvoyPair, ConvoyRow};
pub use loops::{LoopCell, LoopRow, LoopsFinding, Rank, Ranking};
pub use lost::{LostFigures, LostFinding, LostRow, LostSide, Rmw};
pub use spawn::{Spawn, SpawnFinding, SpawnPair, SpawnRow};
pub use threads::{Control, ThreadsFigures, ThreadsFinding, ThreadsRole, ThreadsRow};

/// One comparison's outcome, for the list at the end of the section: whether the two sides agree, and the
/// figures that say so, typed (the report words them).
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// Whether the emulation (or the Rust loop) and the peer agree; `None` when there is nothing to compare with
    /// or the comparison is a ranking rather than an agreement.
    pub agree: Option<bool>,
    /// What was compared, and its figures.
    pub on: Compared,
}

/// What a [`Finding`] compared, with its figures: one kind per comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Compared {
    /// Two threads over one on CPU work under each GIL.
    Threads(ThreadsFinding),
    /// The convoy effect at each switch interval.
    Convoy(ConvoyFinding),
    /// Lost updates under each GIL, in one form.
    Lost(LostFinding),
    /// The peers' event loops ranked against each other.
    Loops(LoopsFinding),
    /// Process-pool start-up.
    Spawn(SpawnFinding),
}

/// Whether a peer took part, and what it ran as.
#[derive(Debug, Clone, PartialEq)]
pub enum Presence {
    /// It took part.
    Present {
        /// The interpreter, e.g. `python3`.
        interpreter: String,
        /// Its version, when it was found.
        version: Option<String>,
        /// The preset CPU work is divided by this.
        work_scale: u64,
        /// The preset race increments are divided by this.
        race_scale: u64,
    },
    /// It was left out: why, or `None` when it gave no `list` output.
    Absent { reason: Option<String> },
}

/// One peer of the run.
#[derive(Debug, Clone, PartialEq)]
pub struct Peer {
    /// Its runtime name, e.g. `py-threading`.
    pub name: String,
    /// Whether it took part.
    pub presence: Presence,
}

/// The peers beside the emulation: one table per comparison and the findings. Every table is empty, and there are
/// no findings, when no peer took part.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Calibration {
    /// Who played each part, chosen by facts.
    pub cast: Roles,
    /// Every peer of the run, present or absent, in the run's order.
    pub peers: Vec<Peer>,
    /// Two threads over one on CPU work.
    pub threads: Vec<ThreadsRow>,
    /// The convoy effect, one row per switch interval.
    pub convoy: Vec<ConvoyRow>,
    /// Lost updates under each GIL.
    pub lost: Vec<LostRow>,
    /// Many waits on one event loop.
    pub loops: Vec<LoopRow>,
    /// Process-pool start-up, one row per worker count.
    pub spawn: Vec<SpawnRow>,
    /// One per comparison, in the order above (lost updates give two).
    pub findings: Vec<Finding>,
}

impl Calibration {
    /// The peers that took part.
    pub fn present(&self) -> impl Iterator<Item = &Peer> {
        self.peers
            .iter()
            .filter(|p| matches!(p.presence, Presence::Present { .. }))
    }

    /// The peers that were left out.
    pub fn absent(&self) -> impl Iterator<Item = &Peer> {
        self.peers
            .iter()
            .filter(|p| matches!(p.presence, Presence::Absent { .. }))
    }
}

/// Sets every peer of the run beside the emulation and the loops.
pub fn calibrate(m: &Analysis) -> Calibration {
    let peers: Vec<Peer> = m
        .run
        .runtimes
        .iter()
        .filter_map(|r| {
            let p = r.peer.as_ref()?;
            let presence = if r.usable() {
                Presence::Present {
                    interpreter: p.interpreter.clone(),
                    version: p.version.clone(),
                    work_scale: p.work_scale,
                    race_scale: p.race_scale,
                }
            } else {
                Presence::Absent {
                    reason: r.excluded.clone(),
                }
            };
            Some(Peer {
                name: r.name.clone(),
                presence,
            })
        })
        .collect();
    if peers.is_empty() {
        return Calibration::default();
    }
    // Who plays each part is chosen by the facts the variants declare (see [`roles`]), never by name.
    let cast = roles(&m.run.runtimes);
    let mut findings = Vec::new();
    let (threads, f) = threads::compare(m, &cast);
    findings.push(f);
    let (convoy, f) = convoy::compare(m, &cast);
    findings.push(f);
    let (lost, f) = lost::compare(m, &cast);
    findings.extend(f);
    let (loops, f) = loops::compare(m, &cast);
    findings.push(f);
    let (spawn, f) = spawn::compare(m, &cast);
    findings.push(f);
    Calibration {
        cast,
        peers,
        threads,
        convoy,
        lost,
        loops,
        spawn,
        findings,
    }
}

/// A timed row of the player for workload `w` that `pick` accepts.
fn row<'a>(
    m: &'a Analysis,
    w: workloads::Workload,
    who: Option<&Player>,
    pick: impl Fn(&Row) -> bool,
) -> Option<&'a Row> {
    let who = who?;
    m.rows_of(w)
        .find(|r| who.is(&r.cell.runtime, &r.cell.variant) && pick(r))
}

/// The kept run's `elapsed_ms`.
fn elapsed(r: &Row) -> Option<f64> {
    r.report.as_ref().map(|x| x.elapsed_ms)
}
