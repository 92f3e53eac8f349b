//! The command line, clap only: `arena list | verify | bench | report | compare | merge | serve`. Each command hands its
//! typed arguments to the stage that does the work.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, CommandFactory, Parser, Subcommand};
use workloads::Workload;

use crate::discover::Options;
use crate::plan::ProfileName;
use crate::store::RunDir;

#[derive(Debug, Parser)]
#[command(
    name = "arena",
    about = "Concurrency Arena's driver: discovers the runtimes, verifies them, times them under hyperfine and writes reports."
)]
pub struct Cli {
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
        /// How much to measure: smoke (seconds), quick, standard (about 10 minutes on 2 cores) or full.
        #[arg(long, value_enum, default_value_t = ProfileName::Standard)]
        profile: ProfileName,
        /// The folder the run folder is created in (its README.md indexes the runs).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// The seed of the shuffled timing order (default: random, and recorded).
        #[arg(long)]
        seed: Option<u64>,
        /// Pin the run (every runtime, its threads and children, and hyperfine) to this many CPUs, the first of
        /// those this process may use; the build is not pinned. Recorded in the run.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
        cpus: Option<u64>,
        /// Run the CPython-versions sweep on this interpreter (repeatable); given ones replace discovery (PATH,
        /// pyenv, uv, .tools/python-ft). See docs/peers.md.
        #[arg(long = "python", value_name = "PATH")]
        pythons: Vec<PathBuf>,
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
        /// Compare the verdicts instead: each claim's mark in A and in B, and what decided each where they differ.
        #[arg(long)]
        verdicts: bool,
    },
    /// One report from runs on several machines: verdicts, speedups and io times side by side.
    Merge {
        /// Two or more results folders, one per machine (host and logical CPUs tell machines apart).
        #[arg(value_name = "RUN")]
        runs: Vec<PathBuf>,
        /// The folder to write report.md and charts/ into [default: results/merged-<date>-<time> in the
        /// workspace].
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
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
    #[arg(long = "workload", value_name = "W", value_parser = parse_workload)]
    workloads: Vec<Workload>,
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

fn parse_workload(s: &str) -> Result<Workload, String> {
    s.parse::<Workload>().map_err(|e| e.to_string())
}

impl Select {
    fn options(self) -> Options {
        Options {
            runtimes: self.runtimes,
            runtime_bins: self.runtime_bins,
            no_discover: self.no_discover,
            no_peers: self.no_peers,
            workloads: self.workloads,
            verify_timeout_s: self.verify_timeout_s,
        }
    }
}

/// The whole command line as clap sees it, for tests and docs that check commands against it.
pub fn command() -> clap::Command {
    Cli::command()
}

/// Runs the command line; the error chain is printed by `main`.
pub fn run() -> anyhow::Result<i32> {
    match Cli::parse().command {
        Cmd::List { sel, json } => crate::discover::list(&sel.options(), json),
        Cmd::Verify { sel } => crate::run::verify_all(&sel.options()),
        Cmd::Bench {
            sel,
            profile,
            out,
            seed,
            cpus,
            pythons,
        } => crate::run::bench(&sel.options(), profile, out, seed, cpus, &pythons),
        Cmd::Report { dir } => {
            let d = RunDir::open(&dir)?;
            crate::report::render(&d)?;
            println!("{}", d.path.join("report.md").display());
            Ok(0)
        }
        Cmd::Compare {
            a,
            b,
            verdicts: true,
        } => {
            let (da, db) = (RunDir::open(&a)?, RunDir::open(&b)?);
            let (aa, ab) = (
                crate::analysis::Analysis::new(da.load()?, &da.name()),
                crate::analysis::Analysis::new(db.load()?, &db.name()),
            );
            let c = crate::analysis::compare::VerdictChanges::new(&aa, &ab);
            print!("{}", crate::report::compare::render_verdicts(&aa, &ab, &c));
            Ok(0)
        }
        Cmd::Compare { a, b, .. } => {
            let (da, db) = (RunDir::open(&a)?, RunDir::open(&b)?);
            let (la, lb) = (da.load()?, db.load()?);
            let c = crate::analysis::compare::Comparison::new(&la, &lb);
            print!(
                "{}",
                crate::report::compare::render(&da.name(), &la, &db.name(), &lb, &c)
            );
            Ok(0)
        }
        Cmd::Merge { runs, out } => {
            let merged = crate::report::merge::load(&runs)?;
            let out = match out {
                Some(o) => o,
                None => crate::report::merge::default_out(
                    &crate::discover::workspace()
                        .context(
                            "no --out given, so the merge goes under the workspace's results/",
                        )?
                        .root,
                ),
            };
            println!("{}", crate::report::merge::write(&merged, &out)?.display());
            Ok(0)
        }
        Cmd::Serve { delay_ms, port } => crate::proc::serve(delay_ms, port),
    }
}
