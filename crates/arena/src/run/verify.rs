//! Verification: every cell once at `--size check`, against the reference checksum, before anything is timed.

use std::collections::HashMap;
use std::path::Path;

use delay_server::DelayServer;
use harness::RunReport;
use harness::contract;
use workloads::{Size, Workload};

use super::attempt::run_once;
use super::progress::bar;
use crate::discover::Entrant;
use crate::plan::Cell;
use crate::proc;
use crate::store::{Attempt, CellRecord, Fault, Status};

/// Verifies every cell at `--size check`: identical command lines run once. Returns each cell's record, and hands
/// each to `sink` as soon as it is known.
pub fn verify(
    ws_root: &Path,
    rts: &[Entrant],
    cells: &[Cell],
    server: Option<&DelayServer>,
    timeout_s: f64,
    mut sink: impl FnMut(&CellRecord),
) -> Vec<CellRecord> {
    let addr = server.map(|s| s.addr().to_string());
    let addr = addr.as_deref();
    let pb = bar(cells.len() as u64, "verify");
    let mut seen: HashMap<Vec<String>, (Attempt, Option<RunReport>)> = HashMap::new();
    let mut out = Vec::new();
    for cell in cells {
        let mut rec = CellRecord {
            repeats: Vec::new(),
            failed_repeats: Vec::new(),
            cell: cell.clone(),
            status: Status::Pending,
            verify: None,
            pilot: None,
            report: None,
            timing: None,
            steal_share: None,
        };
        if proc::interrupted() {
            rec.status = Status::interrupted("before this cell");
            out.push(rec);
            continue;
        }
        pb.set_message(cell.to_string());
        let rt = super::entrant(rts, cell);
        // The runtime's own deadline fires first; the driver's limit is the backstop for a hang that ignores it.
        let args = cell.args(Size::Check, false, addr, (timeout_s * 0.75).max(1.0));
        let (attempt, _) = seen
            .entry(args.clone())
            .or_insert_with(|| {
                let (mut attempt, report) = run_once(ws_root, rt, cell, &args, timeout_s);
                if let (None, Some(r)) = (&attempt.fault, &report)
                    && let Some(why) = untrue(rt, r, server)
                {
                    attempt.fault = Some(Fault::Untrue { why });
                }
                (attempt, report)
            })
            .clone();
        if proc::interrupted() {
            // Killed by our own Ctrl-C handling: not the runtime's fault.
            rec.status = Status::interrupted("while this cell was verified");
        } else if let Some(f) = &attempt.fault {
            rec.status = Status::VerifyFailed { fault: f.clone() };
        }
        rec.verify = Some(attempt);
        sink(&rec);
        out.push(rec);
        pb.inc(1);
    }
    pb.finish_and_clear();
    out
}

/// What does not hold up in a report whose checksum is right, by the contract's own rules (the conformance suite's):
/// an io-net run whose round trips the delay server did not see with its nonce, or waits shorter than asked (early
/// waits, unless the variant declares timers that may fire early, which are then counted, not refused).
fn untrue(rt: &Entrant, r: &RunReport, server: Option<&DelayServer>) -> Option<String> {
    let early_timers = rt
        .info()
        .and_then(|i| i.facts_of(&r.variant))
        .is_some_and(|f| f.early_timers);
    let mut why = contract::check_waits(r, early_timers);
    why.extend(contract::check_floor(r));
    if r.workload == Workload::IoNet
        && let Some(s) = server
    {
        why.extend(contract::check_served(r, |nonce| s.served(nonce)));
    }
    (!why.is_empty()).then(|| why.join("; "))
}
