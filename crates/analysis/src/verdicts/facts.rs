//! A verdict's measured evidence as data: [`Clause`]s of typed [`Fact`]s, each with the rule that decided it where
//! it has one. No words here: the report states each kind of fact, scope and rule once (`arena_report::evidence`),
//! and formats its cells' labels; a test reads the figures from these fields without parsing a sentence.
//!
//! Room to grow: issue #22 gives a figure its interval ([`Speed::ci95`] is the first) and a fact an "unsettled"
//! state; both join the fact kinds below as fields, and the report words them.

use workloads::Workload;

use super::rule::{Half, Rule, Threshold};
use crate::calibration::Rmw;

/// One part of the evidence: what it is about, its facts and the rule that decided it. The report joins the clauses
/// of a verdict, and the facts of a clause, with "; ".
#[derive(Debug, Clone, PartialEq)]
pub struct Clause {
    /// What the facts are about ("waiting", "`rmw=plain`"), when the clause says.
    pub scope: Option<Scope>,
    /// The figures.
    pub facts: Vec<Fact>,
    /// The rule stated after the facts, when the clause states one.
    pub rule: Option<Stated>,
    /// The emulation's clause beside the real interpreter's, which decided the mark.
    pub beside: bool,
}

impl Clause {
    /// A clause of these facts, without scope or rule.
    pub fn of(facts: Vec<Fact>) -> Clause {
        Clause {
            scope: None,
            facts,
            rule: None,
            beside: false,
        }
    }

    /// The same clause about `scope`.
    pub fn on(self, scope: Scope) -> Clause {
        Clause {
            scope: Some(scope),
            ..self
        }
    }

    /// The same clause, stating `rule`.
    pub fn by(self, rule: Stated) -> Clause {
        Clause {
            rule: Some(rule),
            ..self
        }
    }
}

/// What a clause's facts are about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Computing (CPU work), on this many CPUs when the claim is about them.
    Computing { cpus: Option<u64> },
    /// Waiting (I/O).
    Waiting,
    /// The fastest cell of threads on a workload.
    BestThreads(Workload),
    /// A cell under a GIL beside it.
    UnderGilToo,
    /// A race cell's read-modify-write form, by its opt.
    Rmw(Rmw),
    /// A race cell's read-modify-write form, by its opt and the statement it stands for.
    RmwStatement(Rmw),
    /// No GIL, and no await between the load and the store.
    NoGilNoAwait,
    /// No GIL, and an await between the load and the store (`yield=true`).
    NoGilAwait,
    /// A free-threaded CPython (a peer).
    FreeThreadedCpython,
    /// One JavaScript event loop with no await.
    OneLoopNoAwait,
    /// JavaScript worker threads over one shared buffer.
    SharedBuffer,
}

/// A rule as the evidence states it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Stated {
    /// A graded rule on one figure, or on every one of several.
    Rule(Rule),
    /// One half of a claim in two halves.
    Half(Half),
    /// Supported when asyncio is slower at p below `at` at every point, contradicted when it never is.
    SlowerEverywhere(Threshold),
    /// Contradicted when no update is lost: running to completion keeps the increment whole.
    NoneLostContradicts,
    /// Supported when every such cell loses some updates.
    EveryCellLoses,
    /// Partly when only plain reads and writes of shared memory lose updates.
    OnlySharedLoses,
    /// The added figure disagrees with the emulation, so the mark is partly.
    DisagreesWithEmulation,
    /// The real interpreter decided the mark, and the emulation beside it says otherwise.
    EmulationDisagrees,
}

/// One typed statement of the evidence.
#[derive(Debug, Clone, PartialEq)]
pub enum Fact {
    /// A cell's speed over its sequential run.
    Speed(Speed),
    /// A peer's speedup over its own sequential run.
    OwnSpeedup { label: String, speedup: f64 },
    /// Updates a race cell lost.
    Lost(Lost),
    /// The mixed ticker's lateness against the wait it asked for.
    Lateness(Lateness),
    /// The same ticker's lateness with its CPU work offloaded (`offload=true`).
    Offloaded {
        label: String,
        percentile: u8,
        ms: f64,
    },
    /// The ticker under a GIL, its CPU work offloaded to threads and to processes.
    Offload(Offload),
    /// A process pool against a thread pool of the same workers and tasks, with Welch's test.
    PoolCost(PoolCost),
    /// One cell's median time over another's, on a workload.
    TimeRatio(TimeRatio),
    /// Two cells' runs by the runtimes' own `elapsed_ms`, with Welch's test.
    Elapsed(Elapsed),
    /// The same race on every CPython version of the run's sweep: which lost updates of each form, and which did not.
    Versions(Versions),
    /// A fixed note.
    Note(Note),
}

/// The versions sweep's answer to "does the GIL keep `counter += 1` whole?" (`crate::cpython`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Versions {
    /// Interpreters (`3.9.18`, `3.13.5t`) that lost some plain `counter += 1` updates.
    pub plain_lost: Vec<String>,
    /// Those that lost none.
    pub plain_whole: Vec<String>,
    /// Those that lost some `counter += f()` updates.
    pub call_lost: Vec<String>,
    /// Those whose `counter += f()` lost none.
    pub call_whole: Vec<String>,
}

/// A cell's speedup over the sequential run.
#[derive(Debug, Clone, PartialEq)]
pub struct Speed {
    /// The cell's label, `runtime/variant` with its opt or sweep point.
    pub label: String,
    /// Its speedup, in times the sequential run.
    pub speedup: f64,
    /// Half its 95% interval, relative to the speedup (0.05 is ±5%), when hyperfine gave one.
    pub ci95: Option<f64>,
    /// Cores busy on average while it ran.
    pub cores_busy: f64,
    /// Its `--workers`, when the claim names them.
    pub workers: Option<u64>,
    /// The machine's CPUs, when the claim names them.
    pub cpus: Option<u64>,
}

/// Updates a race cell lost.
#[derive(Debug, Clone, PartialEq)]
pub struct Lost {
    /// The cell's label.
    pub label: String,
    /// Updates lost.
    pub lost: u64,
    /// Of how many attempted.
    pub attempted: u64,
}

/// The mixed ticker's lateness at a percentile, against its wait.
#[derive(Debug, Clone, PartialEq)]
pub struct Lateness {
    /// The cell's label.
    pub label: String,
    /// The percentile (99).
    pub percentile: u8,
    /// The lateness, in ms.
    pub ms: f64,
    /// The wait the ticker asked for, in ms.
    pub wait_ms: f64,
}

/// One side of [`Offload`]: a cell and its ticker's lateness.
#[derive(Debug, Clone, PartialEq)]
pub struct Late {
    /// The cell's label.
    pub label: String,
    /// The lateness at the percentile, in ms.
    pub ms: f64,
}

/// The ticker's lateness under a GIL with its CPU work offloaded to threads, then to processes, each with its half
/// of the rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Offload {
    /// The percentile (99).
    pub percentile: u8,
    /// The wait the ticker asked for, in ms.
    pub wait_ms: f64,
    /// Offloaded to threads.
    pub threads: Late,
    /// Offloaded to processes.
    pub processes: Late,
    /// The halves: still blocked with threads, unblocked with processes.
    pub halves: super::rule::Halves,
}

/// A process pool's median time over a thread pool's, the same program on both sides.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolCost {
    /// The process pool's label.
    pub processes: String,
    /// The thread pool's label.
    pub threads: String,
    /// The process pool's median over the thread pool's.
    pub ratio: f64,
    /// Both pools' `--workers`.
    pub workers: u64,
    /// Both pools' tasks.
    pub tasks: u64,
    /// The workload.
    pub workload: Workload,
    /// Welch's p over the timed runs; `None` when there were too few.
    pub p: Option<f64>,
    /// Where a difference is significant.
    pub significant: Threshold,
}

/// One cell's median time over another's on a workload.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeRatio {
    /// The workload.
    pub workload: Workload,
    /// The cell measured.
    pub a: String,
    /// The cell it is measured against.
    pub b: String,
    /// `a`'s median over `b`'s.
    pub ratio: f64,
}

/// Two cells at one point (workload and tasks) by the runtimes' own `elapsed_ms` medians.
#[derive(Debug, Clone, PartialEq)]
pub struct Elapsed {
    /// The workload.
    pub workload: Workload,
    /// The tasks.
    pub tasks: u64,
    /// The cell measured.
    pub a: String,
    /// Its median `elapsed_ms`.
    pub a_ms: f64,
    /// Its runs.
    pub a_runs: usize,
    /// The cell it is measured against.
    pub b: String,
    /// Its median `elapsed_ms`.
    pub b_ms: f64,
    /// Its runs.
    pub b_runs: usize,
    /// `a`'s median over `b`'s.
    pub ratio: f64,
    /// Welch's p; `None` when there is no test.
    pub p: Option<f64>,
}

/// A fixed note in the evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Note {
    /// The run has no cell of this part of the claim.
    NoSuchCell,
    /// No free-threaded CPython took part.
    NoFreeThreaded,
    /// No CPython peer weighed a claim about CPython: the emulation alone, which holds it by how it is built.
    EmulationOnly,
    /// The emulation beside the real interpreter comes out otherwise.
    EmulationDisagrees,
    /// No CPython loop other than asyncio's default (uvloop) ran.
    NoUvloop,
    /// No JavaScript worker threads raced over a shared buffer.
    NoSharedBufferRace,
}

impl Fact {
    /// The labels of the cells the fact names, in the order it names them.
    pub fn labels(&self) -> Vec<&str> {
        match self {
            Fact::Speed(s) => vec![&s.label],
            Fact::OwnSpeedup { label, .. } | Fact::Offloaded { label, .. } => vec![label],
            Fact::Lost(l) => vec![&l.label],
            Fact::Lateness(l) => vec![&l.label],
            Fact::Offload(o) => vec![&o.threads.label, &o.processes.label],
            Fact::PoolCost(p) => vec![&p.processes, &p.threads],
            Fact::TimeRatio(t) => vec![&t.a, &t.b],
            Fact::Elapsed(e) => vec![&e.a, &e.b],
            Fact::Note(_) | Fact::Versions(_) => vec![],
        }
    }
}
