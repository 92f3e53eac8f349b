//! The command line every runtime binary speaks, and the one `main` they all share.

use std::collections::BTreeMap;
use std::net::{SocketAddr, ToSocketAddrs};
use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand};
use workloads::{Params, Size, SyncMode, Workload};

use crate::exit;
use crate::latency::Latency;
use crate::report::{Info, OptSpec, RunReport};
use crate::runtime::{RunCtx, RunError, Runtime};

/// Why `race --tasks N` is refused: race has W racers of K increments and no tasks, so a `--tasks` would be ignored
/// silently and the run would not be the one asked for. The peers print the same line.
pub const RACE_HAS_NO_TASKS: &str =
    "race has no tasks: it runs W racers of K increments each; use --workers and --work";

/// The default `--deadline-s`.
pub const DEFAULT_DEADLINE_S: f64 = 600.0;

/// The command line every runtime binary speaks, as clap sees it: tests and docs check commands against it.
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

#[derive(Debug, Parser)]
#[command(
    about = "A Concurrency Arena runtime: runs one workload and prints one JSON RunReport on stdout."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print what this runtime is, its variants, workloads and opts, as one JSON object.
    List,
    /// Run one workload and print its RunReport as one JSON object.
    Run(Box<RunArgs>),
}

/// The flags of `run`. Unset numbers come from `--size`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// cpu-balanced, cpu-skewed, io-sleep, io-net, io-file, mixed or race.
    workload: String,
    /// Which variant of the model (see `list`); the default variant if omitted.
    #[arg(long)]
    variant: Option<String>,
    /// The parameter set: check (<50 ms on rt-seq), quick, standard or large.
    #[arg(long, default_value = "standard")]
    size: String,
    /// T: how many tasks (C, the CPU tasks, for mixed); race has none and refuses it.
    #[arg(long, value_name = "N")]
    tasks: Option<u64>,
    /// W: OS threads, processes or executor threads the model may use (default: available parallelism); racers in
    /// race.
    #[arg(long, value_name = "W")]
    workers: Option<u64>,
    /// U: numbers per CPU task; K: increments per worker in race.
    #[arg(long, value_name = "U")]
    work: Option<u64>,
    /// D: the wait of io-sleep, io-net and the mixed ticker, in ms.
    #[arg(long, value_name = "D")]
    delay_ms: Option<u64>,
    /// S: KiB per file for io-file.
    #[arg(long, value_name = "S")]
    size_kib: Option<u64>,
    /// R: ticker rounds for mixed.
    #[arg(long, value_name = "R")]
    rounds: Option<u64>,
    /// The delay server for io-net (start one with `arena serve`).
    #[arg(long, value_name = "HOST:PORT")]
    addr: Option<String>,
    /// Stop with exit code 124 after this many seconds.
    #[arg(long, value_name = "S", default_value_t = DEFAULT_DEADLINE_S)]
    deadline_s: f64,
    /// A runtime-specific option (see `list`); repeatable.
    #[arg(long = "opt", value_name = "KEY=VALUE")]
    opts: Vec<String>,
}

/// The opts every runtime accepts, added by the harness.
pub fn harness_opts() -> Vec<OptSpec> {
    vec![OptSpec::choice(
        crate::opts::SYNC,
        &SyncMode::NAMES,
        "race: how the increment is synchronized (none = load then store, lock = under a mutex, atomic = fetch_add)",
    )]
}

/// The runtime's [`Info`] with the harness's opts appended: what `list` prints.
pub fn full_info<R: Runtime + ?Sized>(rt: &R) -> Info {
    let mut info = rt.info();
    for o in harness_opts() {
        if !info.opts.iter().any(|x| x.key == o.key) {
            info.opts.push(o);
        }
    }
    info
}

/// The `main` of every runtime binary: parses the command line, runs, prints, and exits with the contract's code.
pub fn main<R: Runtime>(rt: R) -> ! {
    let name = program_name();
    install_panic_hook(name.clone());
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => e.exit(), // clap uses exit code 2 for usage errors, 0 for --help
    };
    let code = match cli.command {
        Command::List => {
            print_json(&full_info(&rt));
            exit::OK
        }
        Command::Run(args) => match run(&rt, *args) {
            Ok(report) => {
                crate::watchdog::defer_to_deadline();
                print_json(&report);
                exit::OK
            }
            Err(e) => {
                crate::watchdog::defer_to_deadline();
                crate::watchdog::run_cleanups();
                let (code, hint) = match &e {
                    RunError::Failed(_) => (exit::FAILED, ""),
                    RunError::Usage(_) => (exit::USAGE, " (see `run --help` and `list`)"),
                    RunError::Unsupported(_) => (exit::UNSUPPORTED, ""),
                };
                eprintln!("{name}: {}{hint}", one_line(&e.to_string()));
                code
            }
        },
    };
    std::process::exit(code)
}

fn run<R: Runtime>(rt: &R, args: RunArgs) -> Result<RunReport, RunError> {
    let info = full_info(rt);
    let ctx = resolve(&info, args)?;
    // Before anything is allocated or started: a run that cannot fit this machine is bad input (exit 2), never an
    // allocation failure or a half-spawned pool.
    let facts = info
        .variants
        .iter()
        .find(|v| v.name == ctx.variant)
        .and_then(|v| v.facts)
        .unwrap_or_default();
    crate::limits::check(
        ctx.workload,
        &ctx.params,
        &facts,
        &crate::limits::Machine::probe(),
    )
    .map_err(RunError::Usage)?;
    workloads::net::raise_nofile_limit();
    crate::probe::sample_threads();
    let sampler = crate::probe::Sampler::start();
    crate::watchdog::start(info.runtime.clone(), ctx.deadline);
    let t0 = Instant::now();
    let outcome = rt.run(&ctx)?;
    let elapsed = t0.elapsed();
    drop(sampler);
    // What the racers attempted, not W*K: a runtime that skipped increments must fail the reference check
    // (`attempted == W*K`), not pass with its missing increments counted as lost updates. A runtime that reports no
    // `attempted` gets none, and `contract::check` says so.
    let race = ctx.workload == Workload::Race;
    let attempted = outcome.attempted.filter(|_| race);
    let lost_updates = race.then(|| attempted.unwrap_or(0).saturating_sub(outcome.checksum));
    // The same rule for every model: early waits counted from the lateness samples the harness is given.
    let early_waits = matches!(ctx.workload, Workload::IoSleep | Workload::Mixed)
        .then(|| crate::latency::early_waits(outcome.latency.as_deref().unwrap_or_default()));
    Ok(RunReport {
        runtime: info.runtime,
        variant: ctx.variant.clone(),
        workload: ctx.workload,
        params: params_json(&ctx),
        checksum: outcome.checksum,
        elapsed_ms: elapsed.as_secs_f64() * 1000.0,
        latency_ms: outcome.latency.as_deref().and_then(Latency::from_samples),
        early_waits,
        sojourn_ms: outcome.sojourn.as_deref().and_then(Latency::from_samples),
        lost_updates,
        attempted,
        peak_rss_kib: crate::probe::peak_rss_kib(),
        os_threads_peak: crate::probe::threads_peak(),
        extra: outcome.extra,
    })
}

/// Checks the arguments against the runtime's [`Info`] and fills in every default.
pub fn resolve(info: &Info, a: RunArgs) -> Result<RunCtx, RunError> {
    let workload: Workload = a.workload.parse().map_err(RunError::Usage)?;
    if !info.workloads.contains(&workload) {
        let have: Vec<_> = info.workloads.iter().map(|w| w.name()).collect();
        return Err(RunError::Unsupported(format!(
            "{} does not implement {workload}; it implements: {}",
            info.runtime,
            have.join(", ")
        )));
    }
    refuse_unused(workload, &a)?;
    let variant = match a.variant {
        Some(v) if info.variants.iter().any(|x| x.name == v) => v,
        Some(v) => {
            let names: Vec<_> = info.variants.iter().map(|x| x.name.as_str()).collect();
            return Err(RunError::Usage(format!(
                "unknown variant '{v}'; expected one of: {}",
                names.join(", ")
            )));
        }
        None => info.default_variant().unwrap_or_default().to_string(),
    };
    if !info.runs(&variant, workload) {
        let have: Vec<_> = info
            .workloads
            .iter()
            .filter(|w| info.runs(&variant, **w))
            .map(|w| w.name())
            .collect();
        return Err(RunError::Unsupported(format!(
            "{} variant {variant} does not implement {workload}; it implements: {}",
            info.runtime,
            have.join(", ")
        )));
    }
    let size: Size = a.size.parse().map_err(RunError::Usage)?;
    let workers = match a.workers {
        Some(0) => return Err(RunError::Usage("--workers must be at least 1".into())),
        Some(w) => w,
        None => std::thread::available_parallelism().map_or(1, |n| n.get() as u64),
    };
    if workload == Workload::Race && a.tasks.is_some() {
        return Err(RunError::Usage(RACE_HAS_NO_TASKS.into()));
    }
    let mut params = Params::preset(workload, size, workers);
    let set = |slot: &mut u64, v: Option<u64>, flag: &str, min: u64| -> Result<(), RunError> {
        match v {
            Some(v) if v < min => Err(RunError::Usage(format!("--{flag} must be at least {min}"))),
            Some(v) => {
                *slot = v;
                Ok(())
            }
            None => Ok(()),
        }
    };
    set(&mut params.tasks, a.tasks, "tasks", 1)?;
    set(&mut params.work, a.work, "work", 1)?;
    set(&mut params.delay_ms, a.delay_ms, "delay-ms", 0)?;
    set(&mut params.size_kib, a.size_kib, "size-kib", 1)?;
    set(&mut params.rounds, a.rounds, "rounds", 1)?;
    if workload == Workload::IoNet {
        // Picked here, for every runtime alike, and reported, so the reference is computed from it.
        params.nonce = workloads::net::fresh_nonce();
    }
    if params.delay_ms >= u64::from(u32::MAX) {
        return Err(RunError::Usage(
            "--delay-ms must be below 4294967295".into(),
        ));
    }
    let addr = match (&a.addr, workload.needs_addr()) {
        (Some(s), _) => Some(parse_addr(s)?),
        (None, true) => {
            return Err(RunError::Usage(
                "io-net needs --addr HOST:PORT of a delay server; start one with `arena serve`"
                    .into(),
            ));
        }
        (None, false) => None,
    };
    if !(a.deadline_s > 0.0 && a.deadline_s.is_finite()) {
        return Err(RunError::Usage(
            "--deadline-s must be a positive number of seconds".into(),
        ));
    }
    let mut opts: BTreeMap<String, String> = info
        .opts
        .iter()
        .map(|o| (o.key.clone(), o.default.clone()))
        .collect();
    for kv in &a.opts {
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| RunError::Usage(format!("--opt '{kv}' must be KEY=VALUE")))?;
        let spec = info.opts.iter().find(|o| o.key == k).ok_or_else(|| {
            let keys: Vec<_> = info.opts.iter().map(|o| o.key.as_str()).collect();
            RunError::Usage(format!(
                "unknown --opt '{k}'; {} accepts: {}",
                info.runtime,
                keys.join(", ")
            ))
        })?;
        spec.check(v).map_err(RunError::Usage)?;
        opts.insert(k.to_string(), v.to_string());
    }
    Ok(RunCtx {
        workload,
        variant,
        size,
        params,
        addr,
        deadline: Duration::from_secs_f64(a.deadline_s),
        opts,
    })
}

/// Refuses a flag the workload does not read. Why: params list only what the workload uses, so an unused flag would
/// change nothing and be recorded nowhere, and a cell could seem to have run with a parameter it never saw.
fn refuse_unused(workload: Workload, a: &RunArgs) -> Result<(), RunError> {
    let given = [
        ("tasks", a.tasks.is_some()),
        ("work", a.work.is_some()),
        ("delay_ms", a.delay_ms.is_some()),
        ("size_kib", a.size_kib.is_some()),
        ("rounds", a.rounds.is_some()),
    ];
    let flag = |key: &str| format!("--{}", key.replace('_', "-"));
    for (key, set) in given {
        // race and --tasks are left as they are here: how race treats --tasks is decided with the race workload.
        if !set || workload.uses().contains(&key) || (workload == Workload::Race && key == "tasks")
        {
            continue;
        }
        let reads: Vec<String> = workload.uses().iter().map(|k| flag(k)).collect();
        return Err(RunError::Usage(format!(
            "{} is not used by {workload}, which reads {} and --workers; leave it out",
            flag(key),
            reads.join(", ")
        )));
    }
    if a.addr.is_some() && !workload.needs_addr() {
        return Err(RunError::Usage(format!(
            "--addr is used by io-net only, not by {workload}; leave it out"
        )));
    }
    Ok(())
}

fn parse_addr(s: &str) -> Result<SocketAddr, RunError> {
    let bad = || {
        RunError::Usage(format!(
            "--addr '{s}' is not HOST:PORT (for example 127.0.0.1:7878)"
        ))
    };
    s.to_socket_addrs()
        .map_err(|_| bad())?
        .next()
        .ok_or_else(bad)
}

fn params_json(ctx: &RunCtx) -> serde_json::Map<String, serde_json::Value> {
    use serde_json::{Value, json};
    let mut m = serde_json::Map::new();
    m.insert("size".into(), json!(ctx.size.name()));
    m.insert("workers".into(), json!(ctx.params.workers));
    let p = serde_json::to_value(ctx.params).unwrap_or(Value::Null);
    for key in ctx.workload.uses() {
        m.insert((*key).into(), p[*key].clone());
    }
    if let Some(a) = ctx.addr {
        m.insert("addr".into(), json!(a.to_string()));
    }
    if ctx.workload == Workload::IoNet {
        m.insert(workloads::spec::NONCE_KEY.into(), json!(ctx.params.nonce));
    }
    m.insert("deadline_s".into(), json!(ctx.deadline.as_secs_f64()));
    m.insert("opts".into(), json!(ctx.opts));
    m
}

fn print_json<T: serde::Serialize>(v: &T) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = serde_json::to_writer(&mut out, v);
    let _ = writeln!(out);
    let _ = out.flush();
}

pub(crate) fn program_name() -> String {
    std::env::args()
        .next()
        .and_then(|p| {
            std::path::Path::new(&p)
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "runtime".into())
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A panic's message (`"panic"` if it is not a string).
pub(crate) fn payload(info: &std::panic::PanicHookInfo<'_>) -> String {
    info.payload()
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| info.payload().downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into())
}

/// A panic anywhere ends the process with exit 1 and one line on stderr: never a backtrace, never a hang of the
/// threads that were waiting for the one that panicked.
fn install_panic_hook(name: String) {
    std::panic::set_hook(Box::new(move |info| {
        let msg = payload(info);
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        crate::watchdog::defer_to_deadline();
        eprintln!("{name}: internal error: {}{at}", one_line(&msg));
        crate::watchdog::run_cleanups();
        std::process::exit(exit::FAILED);
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Facts, Model};

    fn resolve_args(args: &[&str]) -> Result<RunCtx, RunError> {
        let info = Info::new("rt-test", "Test", Model::Sequential)
            .variant("seq", "one after another")
            .facts(Facts::sequential())
            .workloads(Workload::ALL);
        let cli = Cli::try_parse_from(["rt-test", "run"].iter().chain(args)).expect("parses");
        let Command::Run(a) = cli.command else {
            panic!("not run")
        };
        resolve(&full_info_of(info), *a)
    }

    fn full_info_of(mut info: Info) -> Info {
        info.opts.extend(harness_opts());
        info
    }

    #[test]
    fn a_flag_the_workload_does_not_read_is_refused() {
        for (args, flag) in [
            (&["cpu-balanced", "--delay-ms", "5"][..], "--delay-ms"),
            (&["io-sleep", "--size-kib", "4"][..], "--size-kib"),
            (&["io-file", "--rounds", "3"][..], "--rounds"),
            (&["mixed", "--addr", "127.0.0.1:9"][..], "--addr"),
        ] {
            match resolve_args(args) {
                Err(RunError::Usage(m)) => assert!(m.starts_with(flag), "{m}"),
                other => panic!("{args:?} gave {other:?}"),
            }
        }
        assert!(resolve_args(&["mixed", "--delay-ms", "5", "--rounds", "3"]).is_ok());
        assert!(resolve_args(&["io-file", "--size-kib", "4", "--tasks", "2"]).is_ok());
    }
}
