//! Timing: every piloted cell under hyperfine, in an order shuffled with the run's seed, each with its share of
//! what is left of the profile's budget.

use std::time::Instant;

use super::Bench;
use super::attempt::{display_command, run_once};
use super::progress::bar;
use super::schedule::{cell_budget_s, hyperfine_limit, runs_for, timed_deadline_s, warmup_for};
use crate::proc;
use crate::store::{CellRecord, Phase, RunMeta, Status, Timing};

impl Bench<'_> {
    /// Times every pending cell; writes each record as it changes.
    pub fn time(&self, recs: &mut [CellRecord], meta: &mut RunMeta) -> anyhow::Result<()> {
        let p = self.profile;
        // A shuffled order: slow drift of the machine (heat, other load) spreads over every runtime instead of
        // favouring whichever came first. The seed is recorded, so the order can be replayed.
        let t0 = Instant::now();
        let mut todo: Vec<usize> = (0..recs.len())
            .filter(|&i| recs[i].status == Status::Pending)
            .collect();
        fastrand::Rng::with_seed(self.seed).shuffle(&mut todo);
        let pb = bar(todo.len() as u64, "time");
        let n = todo.len();
        for (done, &i) in todo.iter().enumerate() {
            let rec = &mut recs[i];
            if proc::interrupted() {
                rec.status = Status::interrupted("before this cell");
                self.dir.write_cell(rec)?;
                continue;
            }
            pb.set_message(rec.cell.to_string());
            let pilot_s = rec.pilot.as_ref().map_or(1.0, |a| a.wall_s);
            let budget = cell_budget_s(p, t0.elapsed().as_secs_f64(), n - done);
            let runs = runs_for(p, pilot_s, budget);
            let warmup = warmup_for(p, pilot_s);
            let export = self.dir.hyperfine_file(&rec.cell.key());
            let deadline = timed_deadline_s(p, pilot_s);
            let args = rec
                .cell
                .args(rec.cell.size, true, self.addr.as_deref(), deadline);
            let rt = super::entrant(self.runtimes, &rec.cell);
            let mut command = rt.command.clone();
            command.extend(args.iter().cloned());
            let name = rec.cell.label();
            let plan = crate::hyperfine::Plan {
                warmup,
                runs,
                name: &name,
                export: &export,
                command: &command,
                pinned: rec.cell.pinned,
            };
            let pin = rec
                .cell
                .pinned
                .map(|n| {
                    crate::machine::affinity()
                        .into_iter()
                        .take(n as usize)
                        .collect::<Vec<_>>()
                })
                .map_or(String::new(), |c| crate::machine::taskset_prefix(&c));
            rec.timing = Some(Timing {
                warmup,
                runs,
                hyperfine_command: pin
                    + &display_command(self.ws_root, &self.hyperfine.argv(&plan)),
            });
            // The hypervisor's steal while this cell was timed: past the limit, the verdicts resting on it say so.
            let steal0 = crate::machine::CpuSnapshot::take();
            let timed = self
                .hyperfine
                .time(&plan, hyperfine_limit(deadline, runs, warmup));
            rec.steal_share = steal0.and_then(|s| s.steal_since());
            match timed {
                Ok(_) => rec.status = Status::Timed,
                Err(e) => {
                    let _ = std::fs::remove_file(&export);
                    rec.status = if proc::interrupted() {
                        Status::interrupted("while this cell was timed")
                    } else {
                        // hyperfine hides the runtime's stderr: run the command once more to say why it failed.
                        let (again, _) =
                            run_once(self.ws_root, rt, &rec.cell, &args, deadline + 5.0);
                        let why = again
                            .fault
                            .map_or("passed when run again outside hyperfine".to_string(), |f| {
                                f.to_string()
                            });
                        Status::TimingFailed {
                            reason: format!("{e:#}; run again alone, it {why}"),
                        }
                    };
                }
            }
            self.dir.write_cell(rec)?;
            pb.inc(1);
        }
        pb.finish_and_clear();
        meta.set_phase(Phase::Time, t0.elapsed().as_secs_f64());
        Ok(())
    }
}
