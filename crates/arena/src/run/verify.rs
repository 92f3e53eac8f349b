//! Verification: every cell once at `--size check`, against the reference checksum, before anything is timed.

use std::collections::HashMap;
use std::path::Path;

use harness::RunReport;
use workloads::Size;

use super::attempt::run_once;
use super::progress::bar;
use crate::discover::Entrant;
use crate::plan::Cell;
use crate::proc;
use crate::store::{Attempt, CellRecord, Status};

/// Verifies every cell at `--size check`: identical command lines run once. Returns each cell's record, and hands
/// each to `sink` as soon as it is known.
pub fn verify(
    ws_root: &Path,
    rts: &[Entrant],
    cells: &[Cell],
    addr: Option<&str>,
    timeout_s: f64,
    mut sink: impl FnMut(&CellRecord),
) -> Vec<CellRecord> {
    let pb = bar(cells.len() as u64, "verify");
    let mut seen: HashMap<Vec<String>, (Attempt, Option<RunReport>)> = HashMap::new();
    let mut out = Vec::new();
    for cell in cells {
        let mut rec = CellRecord {
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
            .or_insert_with(|| run_once(ws_root, rt, cell, &args, timeout_s))
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
