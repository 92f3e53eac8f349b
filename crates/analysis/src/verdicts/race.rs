//! The claims about `counter += 1`: the GIL, and message passing.

use harness::opts;
use harness::{Facts, Model};
use workloads::Workload;

use super::facts::{Clause, Fact, Lost, Note, Scope, Stated};
use super::missing;
use super::{Claim, Evidence, Mark, Panel, Topic, Verdict};
use crate::Analysis;
use crate::calibration::Rmw;
use crate::roles::{free_threads, gil, gil_threads, one_loop};

/// Every cell of workload `w` with a kept RunReport, and its runtime's model.
pub(super) fn reported(
    m: &Analysis,
    w: Workload,
) -> impl Iterator<Item = (&arena_store::CellRecord, &harness::RunReport, Model)> {
    m.run
        .cells
        .iter()
        .filter(move |c| c.cell.workload == w)
        .filter_map(|c| {
            let rep = c.report.as_ref()?;
            let rt = m.run.runtimes.iter().find(|r| r.name == c.cell.runtime)?;
            Some((c, rep, rt.info.as_ref()?.model))
        })
}

/// One race cell: its figures and its key.
struct Raced {
    /// Its label, updates lost and attempted.
    figure: Lost,
    /// Its key, for what the verdict rests on.
    key: String,
}

impl Raced {
    /// Whether it lost any update.
    fn lost_some(&self) -> bool {
        self.figure.lost > 0
    }
}

/// The race cells `pick` accepts (given the cell and its variant's facts). A report written before `attempted`
/// existed (the committed runs under `results/`) is read by the old rule, `lost_updates = W*K - checksum`, as
/// recorded; a fresh one passed `attempted == W*K` and `lost_updates == attempted - checksum` before it was kept, so
/// W*K is its attempted increments too.
fn lost(
    m: &Analysis,
    pick: impl Fn(&arena_store::Cell, &harness::RunReport, Facts) -> bool,
) -> Vec<Raced> {
    reported(m, Workload::Race)
        .filter(|(c, rep, _)| {
            m.facts(&c.cell.runtime, &c.cell.variant)
                .is_some_and(|f| pick(&c.cell, rep, f))
        })
        .map(|(c, rep, _)| Raced {
            figure: Lost {
                label: c.cell.label(),
                lost: rep.lost_updates.unwrap_or(0),
                attempted: rep.reference_checksum(),
            },
            key: c.cell.key(),
        })
        .collect()
}

/// The share of updates each cell lost, as a panel of the opening figure.
fn lost_panel<'a>(v: impl IntoIterator<Item = &'a Raced>) -> Panel {
    Panel::new(
        v.into_iter()
            .map(|x| {
                let f = &x.figure;
                (
                    f.label.clone(),
                    f.lost as f64 * 100.0 / f.attempted.max(1) as f64,
                )
            })
            .collect(),
        "% of updates lost",
        &[],
    )
}

/// The cells' figures, one fact each.
fn list(v: &[Raced]) -> Vec<Fact> {
    v.iter().map(|x| Fact::Lost(x.figure.clone())).collect()
}

pub(super) fn gil_counter(m: &Analysis) -> Verdict {
    let claim = Claim::GilCounter;
    let see = Topic::Workload(Workload::Race);
    // Precondition: two or more threads racing under the lock. A sequential interpreter holds a GIL too and loses
    // nothing by construction; an asyncio loop holds one too, but the claim is about threads (the loops have their
    // own claim below). The plain form is the cell with no opt but `rmw=plain` (no yield point, no lock).
    let racers = |c: &arena_store::Cell, f: &harness::Facts| gil_threads(f) && c.workers >= 2;
    let plain = lost(m, |c, _, f| {
        racers(c, &f) && c.opts.iter().all(|(k, v)| k == opts::RMW && v == "plain")
    });
    let call = lost(m, |c, _, f| {
        racers(c, &f) && c.opts.iter().any(|(k, v)| k == opts::RMW && v == "call")
    });
    if plain.is_empty() {
        return Verdict::missing(
            claim,
            see,
            missing(m, Model::Emulated, "race run under the GIL"),
        );
    }
    let plain_safe = plain.iter().all(|x| !x.lost_some());
    let call_safe = call.iter().all(|x| !x.lost_some());
    let mark = match (plain_safe, call.is_empty(), call_safe) {
        (true, true, _) => Mark::Partly,
        (true, false, true) => Mark::Supported,
        (true, false, false) => Mark::Partly,
        (false, _, _) => Mark::Contradicted,
    };
    let mut evidence = vec![Clause::of(list(&plain)).on(Scope::Rmw(Rmw::Plain))];
    if call.is_empty() {
        evidence.push(Clause::of(vec![Fact::Note(Note::NoSuchCell)]).on(Scope::Rmw(Rmw::Call)));
    } else {
        evidence.push(Clause::of(list(&call)).on(Scope::RmwStatement(Rmw::Call)));
    }
    Verdict {
        claim,
        mark,
        evidence: Evidence::Measured(evidence),
        see,
        rests_on: plain.iter().chain(&call).map(|x| x.key.clone()).collect(),
        panel: Some(lost_panel(plain.iter().chain(&call))),
    }
}

pub(super) fn message_passing(m: &Analysis) -> Verdict {
    let claim = Claim::MessagePassing;
    let see = Topic::Workload(Workload::Race);
    // Processes that do not share the counter. Whether they did: the cell's `shared` opt, else the one its report
    // recorded (runs before the opt's default changed), else the runtime's listed default, else its facts.
    let v = lost(m, |c, rep, f| {
        let recorded = || rep.params.get("opts")?.get(opts::SHARED)?.as_str();
        let listed = || {
            let rt = m.run.runtimes.iter().find(|r| r.name == c.runtime)?;
            let o = rt
                .info
                .as_ref()?
                .opts
                .iter()
                .find(|o| o.key == opts::SHARED)?;
            Some(o.default.as_str())
        };
        let shared = c
            .opts
            .iter()
            .find(|(k, _)| k == opts::SHARED)
            .map(|(_, v)| v.as_str())
            .or_else(recorded)
            .or_else(listed)
            .map_or(f.shares_memory, |v| v == "true");
        f.processes && !shared
    });
    if v.is_empty() {
        return Verdict::missing(claim, see, missing(m, Model::Process, "race run"));
    }
    let mark = if v.iter().all(|x| !x.lost_some()) {
        Mark::Supported
    } else {
        Mark::Contradicted
    };
    Verdict {
        claim,
        mark,
        evidence: Evidence::Measured(vec![Clause::of(list(&v))]),
        see,
        rests_on: v.iter().map(|x| x.key.clone()).collect(),
        panel: Some(lost_panel(&v)),
    }
}

/// Whether a race cell has a yield point between its load and its store (`--opt yield=true`).
fn yields(c: &arena_store::Cell) -> bool {
    c.opts.iter().any(|(k, v)| k == opts::YIELD && v == "true")
}

/// A plain, unsynchronized race cell: no opt but `yield` (no `sync`, `rmw` or `shared`).
fn plain(c: &arena_store::Cell) -> bool {
    c.opts.iter().all(|(k, _)| k == opts::YIELD)
}

/// Claim::RunToCompletion: weighed on one-thread loops *without* a GIL
/// (tokio current-thread, smol single). What keeps the increment whole there is that no other task runs until the
/// coroutine awaits: without an await no update is lost, GIL or no GIL, and with an await between the load and the
/// store updates are lost. Losing none without a GIL contradicts the claim.
pub(super) fn run_to_completion(m: &Analysis) -> Verdict {
    let claim = Claim::RunToCompletion;
    let see = Topic::Workload(Workload::Race);
    let loop_no_gil = |c: &arena_store::Cell, f: Facts| one_loop(&f) && !gil(&f) && plain(c);
    let straight = lost(m, |c, _, f| loop_no_gil(c, f) && !yields(c));
    let awaits = lost(m, |c, _, f| loop_no_gil(c, f) && yields(c));
    if straight.is_empty() {
        return Verdict::missing(
            claim,
            see,
            missing(m, Model::Async, "race run on a one-thread event loop"),
        );
    }
    let whole = straight.iter().all(|x| !x.lost_some());
    let mark = if whole {
        Mark::Contradicted
    } else {
        Mark::Supported
    };
    let mut evidence = vec![
        Clause::of(list(&straight))
            .on(Scope::NoGilNoAwait)
            .by(Stated::NoneLostContradicts),
    ];
    if !awaits.is_empty() {
        evidence.push(Clause::of(list(&awaits)).on(Scope::NoGilAwait));
    }
    Verdict {
        claim,
        mark,
        evidence: Evidence::Measured(evidence),
        see,
        rests_on: straight
            .iter()
            .chain(&awaits)
            .map(|x| x.key.clone())
            .collect(),
        panel: Some(lost_panel(straight.iter().chain(&awaits))),
    }
}

/// Claim::NoGilCounter: the free-threaded side of removing the GIL, weighed on threads
/// that declare the GIL's model but run without it (rt-gil's free-threaded variant; a free-threaded CPython peer when
/// present is set beside it in the calibration).
pub(super) fn no_gil_counter(m: &Analysis) -> Verdict {
    let claim = Claim::NoGilCounter;
    let see = Topic::Workload(Workload::Race);
    let v = lost(m, |c, _, f| {
        m.run
            .runtimes
            .iter()
            .find(|r| r.name == c.runtime)
            .and_then(|r| r.info.as_ref())
            .is_some_and(|i| i.model == Model::Emulated)
            && free_threads(&f)
            && c.opts.is_empty()
    });
    if v.is_empty() {
        return Verdict::missing(
            claim,
            see,
            missing(
                m,
                Model::Emulated,
                "race run without the GIL (free-threaded)",
            ),
        );
    }
    let losing = v.iter().filter(|x| x.lost_some()).count();
    let mark = if losing == v.len() {
        Mark::Supported
    } else if losing > 0 {
        Mark::Partly
    } else {
        Mark::Contradicted
    };
    Verdict {
        claim,
        mark,
        evidence: Evidence::Measured(vec![Clause::of(list(&v)).by(Stated::EveryCellLoses)]),
        see,
        rests_on: v.iter().map(|x| x.key.clone()).collect(),
        panel: Some(lost_panel(&v)),
    }
}
