//! The command line: `arena list | verify | bench | report | compare | serve`.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use workloads::Workload;

use crate::bench::{self, Options};
use crate::plan::{self, Profile};
use crate::results::{RunDir, Status};

#[derive(Debug, Parser)]
#[command(
    name = "arena",
    about = "Concurrency Arena's driver: discovers the runtimes, verifies them, times them under hyperfine and writes reports."
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// The runtimes, variants, opts and workloads found in the workspace.
    List {
        #[command(flatten)]
        sel: Select,
        /// Print the runtimes as JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Run every runtime x variant x workload at --size check and compare with the reference checksum.
    Verify {
        #[command(flatten)]
        sel: Select,
    },
    /// Build, verify and time every cell under hyperfine; write results/<date>-<time>-<host>/.
    Bench {
        #[command(flatten)]
        sel: Select,
        /// smoke (seconds), quick, standard (at most 10 minutes on 2 cores) or full.
        #[arg(long, default_value = "standard")]
        profile: String,
        /// The folder the run folder is created in (its README.md indexes the runs).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// The seed of the shuffled timing order (default: random, and recorded).
        #[arg(long)]
        seed: Option<u64>,
    },
    /// Render report.md, README.md and charts/ of a results folder from its raw/ data alone.
    Report {
        /// A results folder, e.g. results/2026-11-25-2200-myhost.
        dir: PathBuf,
    },
    /// Every cell timed in both runs side by side, with Welch's t-test on the timed runs.
    Compare {
        /// The older (baseline) results folder.
        a: PathBuf,
        /// The newer results folder.
        b: PathBuf,
    },
    /// Run the io-net delay server on its own (127.0.0.1) until Ctrl-C.
    Serve {
        /// The delay for requests that do not carry their own.
        #[arg(long, default_value_t = 10)]
        delay_ms: u32,
        /// The port; 0 picks a free one.
        #[arg(long, default_value_t = 0)]
        port: u16,
    },
}

/// Which runtimes and workloads.
#[derive(Debug, Args)]
struct Select {
    /// Only this runtime package or peer (repeatable), e.g. --runtime rt-seq --runtime py-threading.
    #[arg(long = "runtime", value_name = "R")]
    runtimes: Vec<String>,
    /// Only this workload (repeatable).
    #[arg(long = "workload", value_name = "W")]
    workloads: Vec<String>,
    /// Also use this runtime binary, given by path (repeatable). It need not be in the workspace: tests use it for
    /// the fault fixture (target/*/arena-fault).
    #[arg(long = "runtime-bin", value_name = "PATH")]
    runtime_bins: Vec<PathBuf>,
    /// Do not look for runtimes in the workspace; use only --runtime-bin.
    #[arg(long)]
    no_discover: bool,
    /// Leave out the CPython and Node.js peers of peers/peers.toml (they are included when their interpreter is
    /// present).
    #[arg(long)]
    no_peers: bool,
    /// Seconds a check-size run may take before it counts as hung.
    #[arg(long, default_value_t = 30.0, value_name = "S")]
    verify_timeout_s: f64,
}

impl Select {
    fn options(&self) -> anyhow::Result<Options> {
        let workloads = self
            .workloads
            .iter()
            .map(|w| {
                w.parse::<Workload>()
                    .map_err(|e| crate::UsageError(e.to_string()).into())
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Options {
            runtimes: self.runtimes.clone(),
            runtime_bins: self.runtime_bins.clone(),
            no_discover: self.no_discover,
            no_peers: self.no_peers,
            workloads,
            verify_timeout_s: self.verify_timeout_s,
        })
    }
}

/// Runs the command line; the error chain is printed by `main`.
pub fn run() -> anyhow::Result<i32> {
    let cli = Cli::parse();
    match cli.command {
        Cmd::List { sel, json } => list(&sel, json),
        Cmd::Verify { sel } => verify(&sel),
        Cmd::Bench {
            sel,
            profile,
            out,
            seed,
        } => bench_cmd(&sel, &profile, out, seed),
        Cmd::Report { dir } => {
            let d = RunDir::open(&dir)?;
            crate::report::render(&d)?;
            println!("{}", d.path.join("report.md").display());
            Ok(0)
        }
        Cmd::Compare { a, b } => {
            let (da, db) = (RunDir::open(&a)?, RunDir::open(&b)?);
            let (la, lb) = (da.load()?, db.load()?);
            let name = |p: &PathBuf| {
                p.file_name()
                    .map(|f| f.to_string_lossy().into_owned())
                    .unwrap_or_default()
            };
            print!("{}", crate::compare::render(&name(&a), &la, &name(&b), &lb));
            Ok(0)
        }
        Cmd::Serve { delay_ms, port } => {
            crate::proc::install_interrupt_handler();
            let s = delay_server::DelayServer::start(port, delay_ms)?;
            println!("{}", s.addr());
            eprintln!(
                "arena: delay server on {} (default delay {delay_ms} ms); Ctrl-C stops it",
                s.addr()
            );
            while !crate::proc::interrupted() {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            s.stop();
            Ok(0)
        }
    }
}

fn list(sel: &Select, json: bool) -> anyhow::Result<i32> {
    let o = sel.options()?;
    let ws = crate::discover::workspace()?;
    let rts = bench::runtimes(&ws, &o)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&rts)?);
        return Ok(0);
    }
    for r in &rts {
        match (&r.info, &r.excluded) {
            (Some(i), None) => {
                println!("{} ({}, {:?} model)", r.name, i.display, i.model);
                for v in &i.variants {
                    println!(
                        "  variant {}{}: {}",
                        v.name,
                        if v.default { " (default)" } else { "" },
                        v.notes
                    );
                }
                let w: Vec<_> = i.workloads.iter().map(|w| w.name()).collect();
                println!("  workloads: {}", w.join(", "));
                for op in &i.opts {
                    println!("  --opt {}={} : {}", op.key, op.default, op.help);
                }
                if !i.notes.is_empty() {
                    println!("  notes: {}", i.notes);
                }
            }
            _ => println!(
                "{} (left out: {})",
                r.name,
                r.excluded.as_deref().unwrap_or("no list output")
            ),
        }
    }
    Ok(0)
}

fn verify(sel: &Select) -> anyhow::Result<i32> {
    crate::proc::install_interrupt_handler();
    let o = sel.options()?;
    let ws = crate::discover::workspace()?;
    let rts = bench::runtimes(&ws, &o)?;
    let server = delay_server::DelayServer::start(0, 0)?;
    let addr = server.addr().to_string();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get() as u64);
    let cells = plan::cells(&rts, &o.workloads, &Profile::named("smoke")?, cores);
    let recs = bench::verify(
        &ws.root,
        &rts,
        &cells,
        Some(&addr),
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
    for r in rts.iter().filter(|r| !r.usable()) {
        let why = r.excluded.as_deref().unwrap_or("");
        // A peer whose interpreter is absent is not a failure of this workspace: it is skipped, and said.
        if r.absent_peer() {
            println!("SKIP {}: {why}", r.name);
            continue;
        }
        bad += 1;
        println!("FAIL {}: left out: {why}", r.name);
    }
    println!("{} cells verified, {bad} failures", recs.len());
    Ok(if bad > 0 || crate::proc::interrupted() {
        1
    } else {
        0
    })
}

fn bench_cmd(
    sel: &Select,
    profile: &str,
    out: Option<PathBuf>,
    seed: Option<u64>,
) -> anyhow::Result<i32> {
    crate::proc::install_interrupt_handler();
    let profile = Profile::named(profile)?;
    let o = sel.options()?;
    let ws = crate::discover::workspace()?;
    let hf = crate::hyperfine::locate(&ws.root, true)?;
    let rts = bench::runtimes(&ws, &o)?;
    if !rts.iter().any(|r| r.usable()) {
        bail!("no runtime to benchmark: every runtime was left out (see above)");
    }
    let root = out.unwrap_or_else(|| ws.root.join("results"));
    std::fs::create_dir_all(&root)
        .with_context(|| format!("could not create {}", root.display()))?;
    let seed = seed.unwrap_or_else(|| fastrand::u64(..));
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get() as u64);
    let mut meta = bench::new_meta(&profile, seed, &hf.version, cores);
    let dir = RunDir::create(&root, &meta.machine.host)?;
    eprintln!("arena: writing {}", dir.path.display());
    meta.crate_versions = crate::results::lock_versions(&ws.root, &rts);
    dir.write_runtimes(&rts)?;
    let server = delay_server::DelayServer::start(0, 0)?;
    let addr = server.addr();
    meta.delay_server = Some(addr.to_string());
    meta.bare_rtt_ms = bench::bare_rtt_ms(addr);
    dir.write_meta(&meta)?;
    let t0 = Instant::now();
    let cpu0 = crate::results::CpuSnapshot::take();
    let cells = plan::cells(&rts, &o.workloads, &profile, cores);
    let mut recs = bench::verify(
        &ws.root,
        &rts,
        &cells,
        Some(&addr.to_string()),
        o.verify_timeout_s,
        |r| {
            let _ = dir.write_cell(r);
        },
    );
    meta.phases
        .insert("verify_s".into(), t0.elapsed().as_secs_f64());
    dir.write_meta(&meta)?;
    let b = bench::Bench {
        ws_root: &ws.root,
        runtimes: &rts,
        hyperfine: &hf,
        profile: &profile,
        dir: &dir,
        addr: Some(addr.to_string()),
        seed,
    };
    let result = b.run(&mut recs, &mut meta);
    server.stop();
    meta.interrupted = crate::proc::interrupted();
    if !meta.interrupted && result.is_ok() {
        meta.finished_utc = Some(crate::results::utc_now());
    }
    meta.phases
        .insert("total_s".into(), t0.elapsed().as_secs_f64());
    meta.other_cpus = cpu0.and_then(|c| c.others_since());
    dir.write_meta(&meta)?;
    result?;
    crate::report::render(&dir)?;
    let _ = crate::results::write_index(&root);
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
