//! `arena verify` and `arena bench`: verify every cell at `--size check`, run each once at its timed size (the pilot,
//! whose RunReport is kept), then time them under hyperfine in a shuffled order.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use harness::RunReport;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use workloads::{Size, Workload};

use crate::discover::Runtime;
use crate::hyperfine::Hyperfine;
use crate::plan::{Axis, Cell, Profile};
use crate::proc;
use crate::results::{Attempt, CellRecord, Fault, Machine, RunDir, RunMeta, Status, Timing};

/// Options shared by `verify` and `bench`.
#[derive(Debug, Clone)]
pub struct Options {
    /// Only these runtimes (package names); empty: all.
    pub runtimes: Vec<String>,
    /// Extra runtimes given as binaries (`--runtime-bin`).
    pub runtime_bins: Vec<PathBuf>,
    /// Skip workspace discovery: only `--runtime-bin` runtimes.
    pub no_discover: bool,
    /// Leave out the peers of `peers/peers.toml` (CPython, Node.js).
    pub no_peers: bool,
    /// Only these workloads; empty: all.
    pub workloads: Vec<Workload>,
    /// Seconds a check-size run may take before it counts as hung.
    pub verify_timeout_s: f64,
}

/// Finds, builds and asks every runtime.
pub fn runtimes(ws: &crate::discover::Workspace, o: &Options) -> anyhow::Result<Vec<Runtime>> {
    let peer_names = if o.no_discover || o.no_peers {
        Vec::new()
    } else {
        crate::discover::peer_names(&ws.root)?
    };
    // `--runtime` may name workspace packages and peers; the workspace is built only for what it names (all of it
    // when `--runtime` is not given or names a package).
    let (peers_only, packages_only): (Vec<String>, Vec<String>) = o
        .runtimes
        .iter()
        .cloned()
        .partition(|r| peer_names.contains(r));
    let mut rts = if o.no_discover || (packages_only.is_empty() && !peers_only.is_empty()) {
        Vec::new()
    } else {
        crate::discover::build_and_query(ws, &packages_only, false)?
    };
    if !peer_names.is_empty() && (o.runtimes.is_empty() || !peers_only.is_empty()) {
        rts.extend(crate::discover::peers(&ws.root, &peers_only)?);
    }
    for b in &o.runtime_bins {
        let abs = std::fs::canonicalize(b).map_err(|_| {
            crate::UsageError(format!(
                "--runtime-bin {}: no such file; give the path of a runtime binary",
                b.display()
            ))
        })?;
        rts.push(crate::discover::from_command(vec![
            abs.display().to_string(),
        ]));
    }
    for r in rts.iter().filter(|r| r.excluded.is_some()) {
        eprintln!(
            "arena: {} is left out: {}",
            r.name,
            r.excluded.as_deref().unwrap_or("")
        );
    }
    Ok(rts)
}

/// The command line of a run, with the workspace prefix removed from the program so it can be pasted from there.
fn display_command(ws_root: &Path, argv: &[String]) -> String {
    // Paths inside the workspace are shown relative to it (also inside hyperfine's quoted command), so the line
    // can be pasted from the workspace root on any clone.
    let prefix = format!("{}/", ws_root.display());
    let a: Vec<String> = argv.iter().map(|x| x.replace(&prefix, "")).collect();
    proc::command_line(&a)
}

/// Runs a cell once and checks what it printed against the contract and the reference checksum.
pub fn run_once(
    ws_root: &Path,
    rt: &Runtime,
    cell: &Cell,
    args: &[String],
    limit_s: f64,
) -> (Attempt, Option<RunReport>) {
    let mut argv = rt.command.clone();
    argv.extend(args.iter().cloned());
    let command = display_command(ws_root, &argv);
    let out = match proc::run(
        Command::new(&argv[0]).args(&argv[1..]),
        Duration::from_secs_f64(limit_s),
    ) {
        Ok(o) => o,
        Err(e) => {
            let fault = Fault::Crash {
                code: None,
                signal: None,
                stderr: format!("could not start: {e}"),
            };
            return (
                Attempt {
                    command,
                    wall_s: 0.0,
                    fault: Some(fault),
                },
                None,
            );
        }
    };
    let wall_s = out.wall.as_secs_f64();
    let (fault, report) = classify(&out, cell, limit_s);
    (
        Attempt {
            command,
            wall_s,
            fault,
        },
        report,
    )
}

/// The contract's verdict on one finished run.
pub fn classify(
    out: &proc::Output,
    cell: &Cell,
    limit_s: f64,
) -> (Option<Fault>, Option<RunReport>) {
    let stderr = out.stderr_tail();
    if out.timed_out {
        return (
            Some(Fault::Timeout {
                limit_s,
                by_driver: true,
            }),
            None,
        );
    }
    let fault = match (out.code, out.signal) {
        (Some(0), _) => None,
        (Some(1), _) => Some(Fault::Failed { stderr }),
        (Some(2), _) => Some(Fault::Usage { stderr }),
        (Some(3), _) => Some(Fault::Unsupported { stderr }),
        (Some(124), _) => Some(Fault::Timeout {
            limit_s,
            by_driver: false,
        }),
        (code, signal) => Some(Fault::Crash {
            code,
            signal,
            stderr,
        }),
    };
    if fault.is_some() {
        return (fault, None);
    }
    let text = out.stdout.trim();
    let garbage = || Fault::Garbage {
        stdout: text.chars().take(120).collect(),
    };
    let report: RunReport = match (
        text.lines().count(),
        serde_json::from_str::<RunReport>(text),
    ) {
        (1, Ok(r)) => r,
        _ => return (Some(garbage()), None),
    };
    if report.workload != cell.workload || report.variant != cell.variant {
        return (Some(garbage()), None);
    }
    if !report.checksum_ok() {
        let want = report.reference_checksum();
        let got = match report.workload {
            Workload::Race => report.checksum + report.lost_updates.unwrap_or(0),
            _ => report.checksum,
        };
        return (Some(Fault::WrongChecksum { got, want }), Some(report));
    }
    (None, Some(report))
}

/// A progress bar with an ETA on stderr; it draws nothing when stderr is not a terminal.
fn bar(len: u64, what: &str) -> ProgressBar {
    let pb = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    pb.set_style(
        ProgressStyle::with_template("{prefix:>8} [{bar:30}] {pos}/{len} eta {eta} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    pb.set_prefix(what.to_string());
    pb
}

/// Verifies every cell at `--size check`: identical command lines run once. Returns each cell's record.
pub fn verify(
    ws_root: &Path,
    rts: &[Runtime],
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
        };
        if proc::interrupted() {
            rec.status = Status::NotRun {
                reason: "the run was interrupted (Ctrl-C) before this cell".into(),
            };
            out.push(rec);
            continue;
        }
        pb.set_message(cell.to_string());
        let rt = rts
            .iter()
            .find(|r| r.name == cell.runtime)
            .expect("cells come from these runtimes");
        // The runtime's own deadline fires first; the driver's limit is the backstop for a hang that ignores it.
        let args = cell.args(Size::Check, false, addr, (timeout_s * 0.75).max(1.0));
        let (attempt, _) = seen
            .entry(args.clone())
            .or_insert_with(|| run_once(ws_root, rt, cell, &args, timeout_s))
            .clone();
        if proc::interrupted() {
            // Killed by our own Ctrl-C handling: not the runtime's fault.
            rec.status = Status::NotRun {
                reason: "the run was interrupted (Ctrl-C) while this cell was verified".into(),
            };
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

/// Everything `bench` needs.
#[derive(Debug)]
pub struct Bench<'a> {
    /// The workspace root.
    pub ws_root: &'a Path,
    /// The runtimes.
    pub runtimes: &'a [Runtime],
    /// hyperfine.
    pub hyperfine: &'a Hyperfine,
    /// The profile.
    pub profile: &'a Profile,
    /// The results folder.
    pub dir: &'a RunDir,
    /// The delay server's address.
    pub addr: Option<String>,
    /// The shuffle seed.
    pub seed: u64,
}

impl Bench<'_> {
    /// Pilots the verified cells in sweep order (so a slow point is projected from the smaller one before it runs),
    /// then times them in a shuffled order. Writes every record as it changes.
    pub fn run(&self, recs: &mut [CellRecord], meta: &mut RunMeta) -> anyhow::Result<()> {
        let p = self.profile;
        let t_pilot = Instant::now();
        let pb = bar(recs.len() as u64, "pilot");
        // Sweep order: by series, then by point value, so projections can use the previous point.
        let mut order: Vec<usize> = (0..recs.len()).collect();
        order.sort_by_key(|&i| recs[i].cell.order());
        let mut last_point: HashMap<(Workload, String, Axis), (u64, f64)> = HashMap::new();
        for &i in &order {
            pb.inc(1);
            let rec = &mut recs[i];
            if rec.status != Status::Pending {
                continue;
            }
            if proc::interrupted() {
                rec.status = Status::NotRun {
                    reason: "the run was interrupted (Ctrl-C) before this cell".into(),
                };
                self.dir.write_cell(rec)?;
                continue;
            }
            pb.set_message(rec.cell.to_string());
            let series_key = rec
                .cell
                .point
                .map(|pt| (rec.cell.workload, rec.cell.series(), pt.axis));
            let previous = match (&series_key, rec.cell.point) {
                (Some(k), Some(pt)) if pt.axis == Axis::Tasks => last_point
                    .get(k)
                    .map(|&(prev, secs)| (k.clone(), pt, prev, secs)),
                _ => None,
            };
            if let Some((k, pt, prev, secs)) = previous {
                let projected = secs * pt.value as f64 / prev as f64;
                if projected > p.run_limit_s {
                    rec.status = Status::TooSlow {
                        reason: format!(
                            "projected {projected:.1} s for one run (linear from {secs:.2} s at {prev} tasks), over the profile's {:.0} s limit per run",
                            p.run_limit_s
                        ),
                    };
                    self.dir.write_cell(rec)?;
                    // The next point is projected from this projection.
                    last_point.insert(k, (pt.value, projected));
                    continue;
                }
            }
            let rt = self.runtime(&rec.cell);
            // The pilot may run a little past the limit before it is stopped: that is the measured evidence.
            let limit = p.run_limit_s * 1.5 + 1.0;
            let args = rec
                .cell
                .args(rec.cell.size, true, self.addr.as_deref(), limit);
            let (attempt, report) = run_once(self.ws_root, rt, &rec.cell, &args, limit + 2.0);
            let wall = attempt.wall_s;
            if proc::interrupted() {
                rec.status = Status::NotRun {
                    reason: "the run was interrupted (Ctrl-C) during this cell's pilot".into(),
                };
                self.dir.write_cell(rec)?;
                continue;
            }
            match &attempt.fault {
                Some(Fault::Timeout { .. }) => {
                    rec.status = Status::TooSlow {
                        reason: format!(
                            "one run did not finish within {limit:.0} s (the profile's limit per run is {:.0} s)",
                            p.run_limit_s
                        ),
                    };
                    if let Some(k) = series_key.clone() {
                        last_point.insert(k, (rec.cell.point.map_or(1, |pt| pt.value), limit));
                    }
                }
                Some(f) => rec.status = Status::PilotFailed { fault: f.clone() },
                None if wall > p.run_limit_s => {
                    rec.status = Status::TooSlow {
                        reason: format!(
                            "one run took {wall:.1} s, over the profile's {:.0} s limit per run",
                            p.run_limit_s
                        ),
                    };
                }
                None => {}
            }
            if let (Some(k), Some(pt), true) = (series_key, rec.cell.point, attempt.fault.is_none())
            {
                last_point.insert(k, (pt.value, wall));
            }
            rec.report = report;
            rec.pilot = Some(attempt);
            self.dir.write_cell(rec)?;
        }
        pb.finish_and_clear();
        meta.phases
            .insert("pilot_s".into(), t_pilot.elapsed().as_secs_f64());
        self.dir.write_meta(meta)?;

        // Timing, in a shuffled order: slow drift of the machine (heat, other load) spreads over every runtime
        // instead of favouring whichever came first. The seed is recorded, so the order can be replayed.
        let t_time = Instant::now();
        let mut todo: Vec<usize> = (0..recs.len())
            .filter(|&i| recs[i].status == Status::Pending)
            .collect();
        fastrand::Rng::with_seed(self.seed).shuffle(&mut todo);
        let pb = bar(todo.len() as u64, "time");
        let n = todo.len();
        for (done, &i) in todo.iter().enumerate() {
            let rec = &mut recs[i];
            if proc::interrupted() {
                rec.status = Status::NotRun {
                    reason: "the run was interrupted (Ctrl-C) before this cell".into(),
                };
                self.dir.write_cell(rec)?;
                continue;
            }
            pb.set_message(rec.cell.to_string());
            let pilot_s = rec.pilot.as_ref().map_or(1.0, |a| a.wall_s);
            // The cell's share of what is left of the profile's budget, so the whole run stays within it.
            let budget = match p.total_budget_s {
                Some(total) => {
                    let left = (total - t_time.elapsed().as_secs_f64()).max(0.0);
                    p.cell_budget_s.min(left / (n - done) as f64)
                }
                None => p.cell_budget_s,
            };
            let runs = p.runs_for(pilot_s, budget);
            let key = rec.cell.key();
            let export = self.dir.hyperfine_file(&key);
            let deadline = (pilot_s * 4.0 + 5.0).max(p.run_limit_s * 2.0);
            let args = rec
                .cell
                .args(rec.cell.size, true, self.addr.as_deref(), deadline);
            let mut command = self.runtime(&rec.cell).command.clone();
            command.extend(args.iter().cloned());
            let name = rec.cell.label();
            let plan = crate::hyperfine::Plan {
                warmup: p.warmup,
                runs,
                name: &name,
                export: &export,
                command: &command,
            };
            let hf_argv = self.hyperfine.argv(&plan);
            rec.timing = Some(Timing {
                warmup: p.warmup,
                runs,
                hyperfine_command: display_command(self.ws_root, &hf_argv),
            });
            let limit = Duration::from_secs_f64(deadline * f64::from(runs + p.warmup) + 30.0);
            match self.hyperfine.time(&plan, limit) {
                Ok(_) => rec.status = Status::Timed,
                Err(e) => {
                    let _ = std::fs::remove_file(&export);
                    rec.status = if proc::interrupted() {
                        Status::NotRun {
                            reason: "the run was interrupted (Ctrl-C) while this cell was timed"
                                .into(),
                        }
                    } else {
                        // hyperfine hides the runtime's stderr: run the command once more to say why it failed.
                        let rt = self.runtime(&rec.cell);
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
        meta.phases
            .insert("time_s".into(), t_time.elapsed().as_secs_f64());
        Ok(())
    }

    fn runtime(&self, cell: &Cell) -> &Runtime {
        self.runtimes
            .iter()
            .find(|r| r.name == cell.runtime)
            .expect("cells come from these runtimes")
    }
}

/// The median loopback round trip to the delay server with no delay, in ms.
pub fn bare_rtt_ms(addr: std::net::SocketAddr) -> Option<f64> {
    let mut v: Vec<f64> = (0..21u64)
        .filter_map(|id| {
            workloads::blocking::net_request(addr, id, 0)
                .ok()
                .map(|(_, d)| d.as_secs_f64() * 1000.0)
        })
        .collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    Some(v[v.len() / 2])
}

/// Fresh run metadata.
pub fn new_meta(profile: &Profile, seed: u64, hyperfine: &str, workers: u64) -> RunMeta {
    RunMeta {
        arena_version: env!("CARGO_PKG_VERSION").into(),
        command: std::env::args()
            .map(|a| proc::shell_quote(&a))
            .collect::<Vec<_>>()
            .join(" "),
        profile: profile.clone(),
        seed,
        started_utc: crate::results::utc_now(),
        finished_utc: None,
        interrupted: false,
        hyperfine: hyperfine.into(),
        rustc: crate::results::rustc_version(),
        machine: Machine::detect(),
        crate_versions: Default::default(),
        delay_server: None,
        bare_rtt_ms: None,
        workers,
        phases: Default::default(),
        load: vec![crate::results::loadavg()],
        other_cpus: None,
    }
}
