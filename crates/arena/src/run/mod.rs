//! The run stage: `arena verify` and `arena bench`. Verify every cell at `--size check` ([`verify`]), run each once
//! at its timed size to keep its RunReport ([`pilot`]), then time them under hyperfine in a shuffled order
//! ([`time`]). What to skip and how many runs to give is decided by the pure policy in [`schedule`].

mod attempt;
mod cpython;
mod pilot;
mod progress;
pub mod schedule;
mod time;
mod verify;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use arena_analysis::stats::{self, Even};

pub use attempt::{classify, display_command, run_once};
pub use verify::verify;

use crate::discover::{Entrant, Options, entrants};
use crate::hyperfine::Hyperfine;
use crate::machine::{self, CpuSnapshot};
use crate::plan::{self, Cell, Profile, ProfileName};
use crate::proc;
use crate::store::{Phase, RunDir, RunMeta, SCHEMA_VERSION, Status};

/// The entrant a cell belongs to.
fn entrant<'a>(rts: &'a [Entrant], cell: &Cell) -> &'a Entrant {
    rts.iter()
        .find(|r| r.name == cell.runtime)
        .expect("cells come from these runtimes")
}

/// Everything the pilot and timing phases need.
#[derive(Debug)]
pub struct Bench<'a> {
    /// The workspace root.
    pub ws_root: &'a Path,
    /// The entrants.
    pub runtimes: &'a [Entrant],
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

/// `arena verify`: every cell at `--size check`; prints one line per cell and returns the exit code.
pub fn verify_all(o: &Options) -> anyhow::Result<i32> {
    proc::install_interrupt_handler();
    let ws = crate::discover::workspace()?;
    let rts = entrants(&ws, o)?;
    let server = delay_server::DelayServer::start(0, 0)?;
    let smoke = Profile::named(ProfileName::Smoke);
    let cells = plan::cells(&rts, &o.workloads, &smoke, machine::logical_cpus());
    let recs = verify(
        &ws.root,
        &rts,
        &cells,
        Some(&server),
        o.verify_timeout_s,
        |_| {},
    );
    let mut bad = 0;
    for r in &recs {
        match &r.status {
            Status::VerifyFailed { fault } => {
                bad += 1;
                let cmd = r.verify.as_ref().map(|a| a.command.as_str()).unwrap_or("");
                println!("FAIL {}: {fault}\n     reproduce: {cmd}", r.cell);
            }
            Status::NotRun { reason } => println!("SKIP {}: {reason}", r.cell),
            _ => println!("ok   {}", r.cell),
        }
    }
    for (r, why) in rts.iter().filter_map(|r| Some((r, r.excluded()?))) {
        // A peer whose interpreter is absent is not a failure of this workspace: it is skipped, and said.
        if r.absent_peer() {
            println!("SKIP {}: {why}", r.name);
            continue;
        }
        bad += 1;
        println!("FAIL {}: left out: {why}", r.name);
    }
    println!("{} cells verified, {bad} failures", recs.len());
    Ok(if bad > 0 || proc::interrupted() { 1 } else { 0 })
}

/// `arena bench`: discover, verify, pilot, time, render; returns the exit code (130 when interrupted).
pub fn bench(
    o: &Options,
    profile: ProfileName,
    out: Option<PathBuf>,
    seed: Option<u64>,
    cpus: Option<u64>,
    pythons: &[PathBuf],
) -> anyhow::Result<i32> {
    proc::install_interrupt_handler();
    cpython::check_given(pythons)?;
    let profile = Profile::named(profile);
    let ws = crate::discover::workspace()?;
    let hf = crate::hyperfine::locate(&ws.root, true)?;
    let rts = entrants(&ws, o)?;
    if !rts.iter().any(|r| r.usable()) {
        bail!("no runtime to benchmark: every runtime was left out (see above)");
    }
    // Pinned after the build (which may use every CPU) and before anything is measured: every process started from
    // here on inherits the mask.
    if let Some(n) = cpus {
        let kept = machine::pin_to(n).map_err(|e| crate::UsageError(e.to_string()))?;
        eprintln!("arena: pinned to CPUs {kept:?} (--cpus {n})");
    }
    let root = out.unwrap_or_else(|| ws.root.join("results"));
    std::fs::create_dir_all(&root)
        .with_context(|| format!("could not create {}", root.display()))?;
    let seed = seed.unwrap_or_else(|| fastrand::u64(..));
    let cores = machine::logical_cpus();
    let mut meta = new_meta(&profile, seed, &hf.version, cores);
    meta.cpus = cpus;
    let dir = RunDir::create(&root, &meta.machine.host)?;
    eprintln!("arena: writing {}", dir.path.display());
    meta.crate_versions = machine::lock_versions(&ws.root, &rts);
    meta.source = machine::source(&ws.root);
    dir.write_runtimes(&rts)?;
    let server = delay_server::DelayServer::start(0, 0)?;
    let addr = server.addr();
    meta.delay_server = Some(addr.to_string());
    meta.bare_rtt_ms = bare_rtt_ms(addr);
    dir.write_meta(&meta)?;
    let t0 = Instant::now();
    let cpu0 = CpuSnapshot::take();
    calibrate(&mut meta, "start");
    let cells = plan::cells(&rts, &o.workloads, &profile, cores);
    let mut recs = verify(
        &ws.root,
        &rts,
        &cells,
        Some(&server),
        o.verify_timeout_s,
        |r| {
            let _ = dir.write_cell(r);
        },
    );
    meta.set_phase(Phase::Verify, t0.elapsed().as_secs_f64());
    calibrate(&mut meta, "after verify");
    dir.write_meta(&meta)?;
    let b = Bench {
        ws_root: &ws.root,
        runtimes: &rts,
        hyperfine: &hf,
        profile: &profile,
        dir: &dir,
        addr: Some(addr.to_string()),
        seed,
    };
    let result = b.pilot(&mut recs, &mut meta).and_then(|()| {
        calibrate(&mut meta, "after pilot");
        b.time(&mut recs, &mut meta)
    });
    // The CPython-versions sweep, last (run/cpython.rs says why): where the profile gives it a budget and the run
    // has a CPython peer or `--python`.
    let result = result.and_then(|()| {
        if wants_cpython_sweep(o, &profile, &rts, pythons) {
            cpython::run(&ws.root, &profile, &dir, pythons)
        } else {
            Ok(())
        }
    });
    server.stop();
    calibrate(&mut meta, "end");
    meta.quality.steal_share = cpu0.and_then(|c| c.steal_since());
    meta.interrupted = proc::interrupted();
    if !meta.interrupted && result.is_ok() {
        meta.finished_utc = Some(machine::utc_now());
    }
    meta.set_phase(Phase::Total, t0.elapsed().as_secs_f64());
    meta.other_cpus = cpu0.and_then(|c| c.others_since());
    dir.write_meta(&meta)?;
    result?;
    crate::report::render(&dir)?;
    let _ = crate::store::write_index(&root);
    let timed = recs.iter().filter(|r| r.status == Status::Timed).count();
    eprintln!(
        "arena: {timed} of {} cells timed in {:.0} s; report: {}",
        recs.len(),
        t0.elapsed().as_secs_f64(),
        dir.path.join("report.md").display()
    );
    println!("{}", dir.path.display());
    Ok(if meta.interrupted { 130 } else { 0 })
}

/// Whether the CPython-versions sweep runs: a profile with a sweep budget, peers not turned off, a `--workload`
/// selection that includes what it runs (race or cpu-balanced; none selected is all), and either `--python` or a
/// CPython peer among the selected runtimes (a run of Rust runtimes alone does not get one).
fn wants_cpython_sweep(o: &Options, p: &Profile, rts: &[Entrant], pythons: &[PathBuf]) -> bool {
    let selected = o.workloads.is_empty()
        || o.workloads.iter().any(|w| {
            matches!(
                w,
                workloads::Workload::Race | workloads::Workload::CpuBalanced
            )
        });
    let cpython_peer = rts.iter().any(|r| {
        r.peer
            .as_ref()
            .is_some_and(|m| m.interpreter.starts_with("python"))
    });
    selected
        && p.cpython_budget_s != Some(0.0)
        && !o.no_peers
        && (!pythons.is_empty() || cpython_peer)
}

/// Times the calibration kernel now and records it under `at`.
fn calibrate(meta: &mut RunMeta, at: &str) {
    meta.quality
        .calibration_ms
        .push((at.to_string(), machine::calibration_ms()));
}

/// The median loopback round trip to the delay server with no delay, in ms.
pub fn bare_rtt_ms(addr: std::net::SocketAddr) -> Option<f64> {
    let nonce = workloads::net::fresh_nonce();
    let v: Vec<f64> = (0..21u64)
        .filter_map(|id| {
            workloads::blocking::net_request(addr, id, nonce, 0)
                .ok()
                .map(|(_, d)| d.as_secs_f64() * 1000.0)
        })
        .collect();
    stats::median(&v, Even::Upper)
}

/// Fresh run metadata.
pub fn new_meta(profile: &Profile, seed: u64, hyperfine: &str, workers: u64) -> RunMeta {
    RunMeta {
        schema_version: SCHEMA_VERSION,
        arena_version: env!("CARGO_PKG_VERSION").into(),
        command: std::env::args()
            .map(|a| proc::shell_quote(&a))
            .collect::<Vec<_>>()
            .join(" "),
        profile: profile.clone(),
        seed,
        started_utc: machine::utc_now(),
        finished_utc: None,
        interrupted: false,
        hyperfine: hyperfine.into(),
        rustc: machine::rustc_version(),
        machine: crate::machine::detect(),
        crate_versions: Default::default(),
        delay_server: None,
        bare_rtt_ms: None,
        workers,
        phases: Default::default(),
        load: vec![machine::loadavg()],
        other_cpus: None,
        cpus: None,
        quality: Default::default(),
        policy: arena_store::Policy {
            no_warmup_from_s: Some(schedule::NO_WARMUP_FROM_S),
        },
        source: Default::default(),
    }
}
