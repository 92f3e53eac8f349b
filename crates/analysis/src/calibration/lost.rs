//! Lost updates of `counter += 1` and `counter += f()` under each GIL: the emulation against a peer's threads.

use harness::opts;
use workloads::Workload;

use super::{Compared, Finding, Player, Roles, row};
use crate::{Analysis, Row};

/// The read-modify-write form of the race (`--opt rmw=...`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rmw {
    /// `counter += 1`, the default.
    Plain,
    /// `counter += f()`: a call between the load and the store.
    Call,
}

impl Rmw {
    /// Both forms, in table order.
    pub const ALL: [Rmw; 2] = [Rmw::Plain, Rmw::Call];

    /// The value of `--opt rmw`.
    pub fn opt(self) -> &'static str {
        match self {
            Rmw::Plain => "plain",
            Rmw::Call => "call",
        }
    }

    /// The Python statement it stands for.
    pub fn statement(self) -> &'static str {
        match self {
            Rmw::Plain => "counter += 1",
            Rmw::Call => "counter += f()",
        }
    }
}

/// One runtime's race cell in one form, from its kept run.
#[derive(Debug, Clone, PartialEq)]
pub struct LostRow {
    /// Who played the part; `None` when no runtime of the run could.
    pub player: Option<Player>,
    /// The form.
    pub rmw: Rmw,
    /// W: the threads.
    pub workers: Option<u64>,
    /// K: the increments of each thread.
    pub increments: Option<u64>,
    /// Updates lost.
    pub lost: Option<u64>,
    /// Lost / W x K.
    pub share: Option<f64>,
}

/// Two rows per form (the emulation, then the peer), and one finding per form: agreement when both lose none or both
/// lose some.
pub(super) fn compare(m: &Analysis, cast: &Roles) -> (Vec<LostRow>, Vec<Finding>) {
    let mut rows = Vec::new();
    for rmw in Rmw::ALL {
        for player in [&cast.emulated_gil, &cast.peer_gil] {
            let r = row(m, Workload::Race, player.as_ref(), |r| {
                opt(r, opts::RMW).unwrap_or("plain") == rmw.opt()
                    && r.cell.opts.iter().all(|(k, _)| k == opts::RMW)
            });
            let rep = r.and_then(|r| r.report.as_ref());
            let total = rep.map(|x| x.reference_checksum());
            let lost = rep.and_then(|x| x.lost_updates);
            rows.push(LostRow {
                player: player.clone(),
                rmw,
                workers: rep.map(|x| x.workload_params().workers),
                increments: rep.map(|x| x.workload_params().work),
                lost,
                share: lost.zip(total).map(|(l, t)| l as f64 / t.max(1) as f64),
            });
        }
    }
    let findings = Rmw::ALL
        .into_iter()
        .map(|rmw| {
            let of = |who: &Option<Player>| {
                rows.iter()
                    .find(|r| r.rmw == rmw && r.player == *who && who.is_some())
                    .and_then(|r| r.lost.zip(r.share))
            };
            finding(rmw, of(&cast.emulated_gil), of(&cast.peer_gil), cast)
        })
        .collect();
    (rows, findings)
}

/// Lost updates in one form under each GIL.
#[derive(Debug, Clone, PartialEq)]
pub struct LostFinding {
    /// The form.
    pub rmw: Rmw,
    /// The emulated GIL's player.
    pub emulated: Option<Player>,
    /// CPython's.
    pub cpython: Option<Player>,
    /// Both sides' figures; `None` when either was not measured.
    pub figures: Option<LostFigures>,
}

/// Both sides of [`LostFinding`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LostFigures {
    /// The emulated GIL's.
    pub emulated: LostSide,
    /// CPython's.
    pub cpython: LostSide,
}

/// One side of [`LostFinding`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LostSide {
    /// Updates lost.
    pub lost: u64,
    /// Lost / W x K.
    pub share: f64,
}

fn finding(rmw: Rmw, a: Option<(u64, f64)>, b: Option<(u64, f64)>, cast: &Roles) -> Finding {
    let side = |(lost, share): (u64, f64)| LostSide { lost, share };
    Finding {
        agree: a.zip(b).map(|((la, _), (lb, _))| (la == 0) == (lb == 0)),
        on: Compared::Lost(LostFinding {
            rmw,
            emulated: cast.emulated_gil.clone(),
            cpython: cast.peer_gil.clone(),
            figures: a.zip(b).map(|(a, b)| LostFigures {
                emulated: side(a),
                cpython: side(b),
            }),
        }),
    }
}

/// The value of the cell's `--opt key`.
fn opt<'a>(r: &'a Row, key: &str) -> Option<&'a str> {
    r.cell
        .opts
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}
