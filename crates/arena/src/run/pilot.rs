//! The pilot: every verified cell once, untimed, at its timed size. Its RunReport is the one the report keeps
//! (latency, lost updates, peak RSS, threads), and its wall time sizes the timing. Cells run in sweep order, so that
//! [`Projector`] can skip a point whose projection from the one before is over the profile's limit.

use std::time::Instant;

use super::Bench;
use super::attempt::run_once;
use super::progress::bar;
use super::schedule::{PilotEnd, Projector, is_spawn_sweep, pilot_limit_s, repeats_for};
use crate::proc;
use crate::store::{CellRecord, Fault, Phase, RunMeta, Status};

impl Bench<'_> {
    /// Pilots every pending cell; writes each record as it changes.
    pub fn pilot(&self, recs: &mut [CellRecord], meta: &mut RunMeta) -> anyhow::Result<()> {
        let p = self.profile;
        let t0 = Instant::now();
        let pb = bar(recs.len() as u64, "pilot");
        let mut order: Vec<usize> = (0..recs.len()).collect();
        order.sort_by_key(|&i| recs[i].cell.order());
        let mut projector = Projector::default();
        for &i in &order {
            pb.inc(1);
            let rec = &mut recs[i];
            if rec.status != Status::Pending {
                continue;
            }
            if proc::interrupted() {
                rec.status = Status::interrupted("before this cell");
                self.dir.write_cell(rec)?;
                continue;
            }
            pb.set_message(rec.cell.to_string());
            if let Some(limit_at) = projector.past_limit(&rec.cell) {
                rec.status = Status::PastLimit { limit_at };
                self.dir.write_cell(rec)?;
                continue;
            }
            if let Some(skip) = projector.before_pilot(&rec.cell, p) {
                rec.status = Status::TooSlow {
                    reason: skip.to_string(),
                };
                self.dir.write_cell(rec)?;
                continue;
            }
            let limit = pilot_limit_s(p);
            let args = rec
                .cell
                .args(rec.cell.size, true, self.addr.as_deref(), limit);
            let rt = super::entrant(self.runtimes, &rec.cell);
            let (attempt, report) = run_once(self.ws_root, rt, &rec.cell, &args, limit + 2.0);
            if proc::interrupted() {
                rec.status = Status::interrupted("during this cell's pilot");
                self.dir.write_cell(rec)?;
                continue;
            }
            let end = match &attempt.fault {
                Some(Fault::Timeout { .. }) => PilotEnd::TimedOut,
                Some(Fault::Failed { stderr } | Fault::Crash { stderr, .. })
                    if is_spawn_sweep(&rec.cell) =>
                {
                    rec.status = Status::LimitReached {
                        reason: arena_store::limit_reason(stderr),
                        largest_ok: projector.largest_ok(&rec.cell),
                    };
                    PilotEnd::Refused
                }
                Some(f) => {
                    rec.status = Status::PilotFailed { fault: f.clone() };
                    PilotEnd::Failed
                }
                None => PilotEnd::Finished {
                    wall_s: attempt.wall_s,
                },
            };
            if let Some(skip) = projector.after_pilot(&rec.cell, p, end) {
                rec.status = Status::TooSlow {
                    reason: skip.to_string(),
                };
            }
            let one_loop_peer = rt.peer.is_some()
                && rt
                    .info()
                    .and_then(|i| i.facts_of(&rec.cell.variant))
                    .is_some_and(|f| f.event_loop && f.threads == harness::Threads::One);
            let repeats = repeats_for(&rec.cell, one_loop_peer);
            if matches!(end, PilotEnd::Finished { .. })
                && rec.status == Status::Pending
                && repeats > 0
            {
                // A repeat that fails is kept out of the figures, and its fault is recorded: the report counts it
                // beside the runs each figure rests on.
                for _ in 0..repeats {
                    let (a, r) = run_once(self.ws_root, rt, &rec.cell, &args, limit + 2.0);
                    match (a.fault, r) {
                        (None, Some(r)) => rec.repeats.push(r),
                        (Some(f), _) => rec.failed_repeats.push(f),
                        (None, None) => rec.failed_repeats.push(Fault::Garbage {
                            stdout: String::new(),
                        }),
                    }
                }
            }
            rec.report = report;
            rec.pilot = Some(attempt);
            self.dir.write_cell(rec)?;
        }
        pb.finish_and_clear();
        meta.set_phase(Phase::Pilot, t0.elapsed().as_secs_f64());
        self.dir.write_meta(meta)
    }
}
