//! The article's claims, each weighed against this run's rows. A verdict is data: its [`Mark`], its [`Evidence`]
//! (the figures and the rule, or why there are none) and the [`Topic`] where the report shows the numbers. Each claim's
//! thresholds are one value in [`rule`], which decides the mark, states the rule in the evidence and gives the panel its
//! lines; a claim with no cell to weigh it says why ([`Verdict::missing`]), never a guess. Cells are cast by the facts
//! their variants declare, through [`crate::roles`].

use harness::Model;
use workloads::Workload;

mod cpu;
pub mod facts;
mod io;
mod peers;
mod race;
pub mod rule;

pub use facts::{Clause, Fact, Note, Scope, Stated};

use super::{Analysis, Row};
use crate::roles::{free_threads, gil_threads, is};
use arena_store::Status;
use cpu::parallel_claim;
use cpu::time_slicing;
use io::{cpu_blocks_loop, event_loop, processes_cost_io, processes_vs_loop, threads_help_io};
use race::{gil_counter, message_passing, no_gil_counter, run_to_completion};

/// Which of the article's claims a verdict weighs: data, in the article's order; the report states each in the
/// article's words (`arena_report::claim`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Claim {
    /// Threads are not parallel for CPU work under a GIL.
    NotParallelUnderGil,
    /// Threads do help I/O.
    ThreadsHelpIo,
    /// An event loop is concurrent but not parallel, and excellent at waiting.
    EventLoop,
    /// CPU work blocks the event loop.
    CpuBlocksLoop,
    /// Processes give true parallelism.
    ProcessesParallel,
    /// Processes cost more for I/O.
    ProcessesCostIo,
    /// The GIL keeps a read-modify-write of a shared counter whole, in both forms.
    GilCounter,
    /// Message passing loses no updates.
    MessagePassing,
    /// Removing the GIL restores parallelism.
    NoGilParallel,
    /// Without the GIL, a shared counter's increments are lost.
    NoGilCounter,
    /// On one event loop, the GIL is what keeps an increment whole.
    RunToCompletion,
    /// Processes are less efficient for I/O than an event loop.
    ProcessesVsLoop,
    /// Without parallelism, threads take turns on one core.
    TimeSlicing,
    /// Under a GIL, offloading CPU work to threads does not unblock the loop; a process pool does.
    OffloadUnderGil,
    /// JavaScript cannot race (the Node peer).
    JsSharedMemory,
    /// asyncio underperforms JavaScript's event loop on I/O (the CPython and Node peers).
    AsyncioVsNode,
}

impl Claim {
    /// Every claim, in the article's order.
    pub const ALL: [Claim; 16] = [
        Claim::NotParallelUnderGil,
        Claim::ThreadsHelpIo,
        Claim::EventLoop,
        Claim::CpuBlocksLoop,
        Claim::ProcessesParallel,
        Claim::ProcessesCostIo,
        Claim::GilCounter,
        Claim::MessagePassing,
        Claim::NoGilParallel,
        Claim::NoGilCounter,
        Claim::RunToCompletion,
        Claim::ProcessesVsLoop,
        Claim::TimeSlicing,
        Claim::OffloadUnderGil,
        Claim::JsSharedMemory,
        Claim::AsyncioVsNode,
    ];
}

/// How the evidence stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// The numbers agree with the claim.
    Supported,
    /// The numbers agree with part of it.
    Partly,
    /// The numbers disagree.
    Contradicted,
    /// No cell could weigh it.
    Missing,
}

impl Mark {
    /// The mark of a claim in two halves: supported when both hold, contradicted when neither does, partly otherwise.
    pub fn of_halves(first: bool, second: bool) -> Mark {
        match (first, second) {
            (true, true) => Mark::Supported,
            (false, false) => Mark::Contradicted,
            _ => Mark::Partly,
        }
    }

    /// As printed.
    pub fn text(self) -> &'static str {
        match self {
            Mark::Supported => "supported",
            Mark::Partly => "partly",
            Mark::Contradicted => "contradicted",
            Mark::Missing => "missing evidence",
        }
    }
}

/// Where the numbers behind a verdict are shown: the report turns it into a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    /// A workload's table.
    Workload(Workload),
    /// The latency percentiles.
    Latency,
}

/// Why no cell could weigh a claim: data only; the report states each reason in words once (`arena_report`'s
/// `sections::verdicts::Why`), with links in a run's report and without them in the merged report and the figure.
#[derive(Debug, Clone, PartialEq)]
pub enum Missing {
    /// No runtime of the model took part.
    NoRuntime { model: Model },
    /// Runtimes of the model took part, but this run has no such cell (profile or selection).
    NotInRun { model: Model, what: String },
    /// The cell exists but failed or was skipped: the failures list says why.
    CellFailed { model: Model, what: String },
    /// The machine has one CPU, so nothing can run in parallel.
    OneCpu { cores: u64 },
    /// The cell's kept run recorded no latency.
    NoLatency { label: String },
    /// The claim is about one core, and the run had more (a run pinned with `--cpus 1` weighs it).
    NotOneCpu { cores: u64 },
}

/// What a verdict rests on.
#[derive(Debug, Clone, PartialEq)]
pub enum Evidence {
    /// The figures and the rules that decided, as typed clauses ([`facts`]); the report words them.
    Measured(Vec<Clause>),
    /// Nothing to weigh, and why.
    Missing(Missing),
}

impl Evidence {
    /// Every measured fact, clause after clause (none when evidence is missing).
    pub fn facts(&self) -> impl Iterator<Item = &Fact> {
        let clauses: &[Clause] = match self {
            Evidence::Measured(c) => c,
            Evidence::Missing(_) => &[],
        };
        clauses.iter().flat_map(|c| &c.facts)
    }
}

/// One claim and its verdict.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// The claim.
    pub claim: Claim,
    /// The mark.
    pub mark: Mark,
    /// The measured evidence, or why there is none.
    pub evidence: Evidence,
    /// Where the report shows the numbers.
    pub see: Topic,
    /// The keys of the cells the mark rests on (empty when evidence is missing).
    pub rests_on: Vec<String>,
    /// The figures that decide it, for the report's opening figure (`None` when evidence is missing).
    pub panel: Option<Panel>,
}

impl Verdict {
    /// A claim no cell could weigh, and why: no mark, nothing it rests on, no panel.
    pub fn missing(claim: Claim, see: Topic, why: Missing) -> Verdict {
        Verdict {
            claim,
            mark: Mark::Missing,
            evidence: Evidence::Missing(why),
            see,
            rests_on: Vec::new(),
            panel: None,
        }
    }
}

/// The two or three figures that decide a verdict, and its rule's thresholds: one small panel of the report's
/// opening figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    /// The bars, in the order the evidence names them.
    pub bars: Vec<Bar>,
    /// What the values are, for the axis: "x the sequential run", "ms", "% of updates lost".
    pub unit: &'static str,
    /// The rule's thresholds, drawn as lines across the bars.
    pub rules: Vec<f64>,
}

/// One bar of a [`Panel`].
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// The cell's short label.
    pub label: String,
    /// Its value, in the panel's unit.
    pub value: f64,
}

impl Panel {
    /// A panel of these (label, value) bars, unit and rule lines.
    pub fn new(bars: Vec<(String, f64)>, unit: &'static str, rules: &[f64]) -> Panel {
        Panel {
            bars: bars
                .into_iter()
                .map(|(label, value)| Bar { label, value })
                .collect(),
            unit,
            rules: rules.to_vec(),
        }
    }
}

/// A row's short name for a panel: `runtime/variant`, with its opt or sweep point when it has one.
pub(super) fn short(r: &Row) -> String {
    r.cell.label()
}

/// A row's speed, without its workers or the machine's CPUs.
pub(super) fn speed(r: &Row) -> facts::Speed {
    facts::Speed {
        label: r.cell.label(),
        speedup: r.speedup.unwrap_or(f64::NAN),
        ci95: r.ci95,
        cores_busy: r.cores_busy,
        workers: None,
        cpus: None,
    }
}

/// Why nothing could weigh a claim: no runtime of that model, or its cells were not timed.
pub(super) fn missing(m: &Analysis, model: Model, what: &str) -> Missing {
    let present = m
        .run
        .runtimes
        .iter()
        .any(|r| r.usable() && r.info.as_ref().is_some_and(|i| i.model == model));
    let what = what.to_string();
    let failed = m
        .run
        .cells
        .iter()
        .filter(|c| c.status != Status::Timed)
        .any(|c| {
            m.run.runtimes.iter().any(|r| {
                r.name == c.cell.runtime && r.info.as_ref().is_some_and(|i| i.model == model)
            })
        });
    match (present, failed) {
        (false, _) => Missing::NoRuntime { model },
        (true, true) => Missing::CellFailed { model, what },
        (true, false) => Missing::NotInRun { model, what },
    }
}

/// Whether the row is its runtime's default variant.
pub(super) fn is_default(m: &Analysis, r: &Row) -> bool {
    m.run
        .runtimes
        .iter()
        .find(|x| x.name == r.cell.runtime)
        .and_then(|x| x.info.as_ref())
        .and_then(|i| i.default_variant())
        == Some(r.cell.variant.as_str())
}

/// The base (non-sweep, no-opt) or workers=cores cell.
pub(super) fn at_cores(m: &Analysis, r: &Row) -> bool {
    r.cell.workers == m.cores() && r.cell.opts.is_empty() && r.speedup.is_some()
}

/// A claim about CPython decided by the CPython peers (`real`, the verdict computed on them alone) when they
/// weighed it, with the emulation's verdict (`emulated`, on the workspace runtimes) beside it as the reproduction.
/// Why: the emulated GIL serializes threads and keeps `counter += 1` whole by how it is built, so alone it can only
/// restate the claim, while the real interpreter could have come out otherwise. Without a CPython peer the
/// emulation's verdict stands, and its evidence says it holds by construction.
fn real_first(real: Verdict, emulated: Verdict) -> Verdict {
    let Evidence::Measured(_) = &real.evidence else {
        let mut v = emulated;
        if let Evidence::Measured(e) = &mut v.evidence {
            e.push(Clause::of(vec![Fact::Note(Note::EmulationOnly)]));
        }
        return v;
    };
    let mut v = real;
    if let (Evidence::Measured(e), Evidence::Measured(em)) = (&mut v.evidence, emulated.evidence) {
        e.extend(em.into_iter().map(|c| Clause { beside: true, ..c }));
        if emulated.mark != v.mark && emulated.mark != Mark::Missing {
            e.push(Clause::of(vec![Fact::Note(Note::EmulationDisagrees)]));
        }
    }
    v.rests_on.extend(emulated.rests_on);
    if let (Some(p), Some(q)) = (&mut v.panel, emulated.panel)
        && p.unit == q.unit
    {
        p.bars.extend(q.bars);
    }
    v
}

/// The claim about `counter += 1` under the GIL, with what the versions sweep found on every CPython of the machine
/// (when the run had one): the answer depends on the version, and the evidence says so.
fn with_versions(m: &Analysis, mut v: Verdict) -> Verdict {
    let Some(rows) = m
        .cpython
        .as_ref()
        .map(|c| &c.rows)
        .filter(|r| !r.is_empty())
    else {
        return v;
    };
    let mut f = facts::Versions::default();
    for r in rows {
        let id = r.id.clone();
        match r.loses(crate::calibration::Rmw::Plain) {
            Some(true) => f.plain_lost.push(id.clone()),
            Some(false) => f.plain_whole.push(id.clone()),
            None => {}
        }
        match r.loses(crate::calibration::Rmw::Call) {
            Some(true) => f.call_lost.push(id),
            Some(false) => f.call_whole.push(id),
            None => {}
        }
    }
    if let Evidence::Measured(e) = &mut v.evidence {
        e.push(Clause::of(vec![Fact::Versions(f)]));
    }
    v
}

/// Every verdict, in the article's order. The verdicts weigh the workspace runtimes only (the peers run scaled work
/// and have their own section, the calibration, where they are set beside rt-gil and the loops), but for the last
/// three, which only the real interpreters can weigh: offloading under CPython's GIL, JavaScript's shared memory,
/// and asyncio against Node.
pub fn all(m: &Analysis) -> Vec<Verdict> {
    let full = m;
    let own = m.without_peers();
    let m = &own;
    let cpython = full.only_peers();
    let not_parallel = |m: &Analysis, model| {
        parallel_claim(
            m,
            Claim::NotParallelUnderGil,
            |r| is(r.facts, gil_threads),
            model,
            "cpu-balanced cell with the GIL",
            &rule::NOT_PARALLEL,
        )
    };
    vec![
        // Claims about CPython: the CPython peers first, the emulation beside them.
        real_first(
            not_parallel(&cpython, Model::Threads),
            not_parallel(m, Model::Emulated),
        ),
        threads_help_io(m),
        event_loop(m),
        cpu_blocks_loop(m),
        parallel_claim(
            m,
            Claim::ProcessesParallel,
            |r| r.model == Some(Model::Process),
            Model::Process,
            "cpu-balanced cell",
            &rule::PARALLEL,
        ),
        processes_cost_io(m),
        with_versions(full, real_first(gil_counter(&cpython), gil_counter(m))),
        message_passing(m),
        // The emulation always, and a free-threaded CPython beside it when one took part.
        peers::with_free_threaded(
            full,
            parallel_claim(
                m,
                Claim::NoGilParallel,
                |r| r.model == Some(Model::Emulated) && is(r.facts, free_threads),
                Model::Emulated,
                "cpu-balanced cell without the GIL (free-threaded)",
                &rule::PARALLEL,
            ),
            false,
        ),
        peers::with_free_threaded(full, no_gil_counter(m), true),
        run_to_completion(m),
        processes_vs_loop(m),
        time_slicing(m),
        // The claims only the peers can weigh: the real interpreters.
        peers::offload_under_gil(full),
        peers::js_shared_memory(full),
        peers::asyncio_vs_node(full),
    ]
}
