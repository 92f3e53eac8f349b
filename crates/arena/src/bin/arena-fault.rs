//! `arena-fault`: a runtime that misbehaves on purpose, for the driver's tests. Never a real runtime: it lives in
//! `crates/arena`, has no `[package.metadata.arena]`, and reaches the driver only through `--runtime-bin`.
//!
//! Its variants: `ok` (correct, sequential), `crash` (aborts: killed by SIGABRT), `hang` (sleeps forever, deaf to
//! `--deadline-s`, so the driver must stop it), `garbage` (prints text that is not a RunReport, exit 0) and `wrong`
//! (a checksum one too high) and `flaky` (correct, until the variable `ARENA_FAULT_COUNTER` names a path: then each
//! run counts itself in `PATH.<workload>` and fails from the third run of its workload on, so verification and the
//! pilot pass and hyperfine's runs fail). Each must cost only its own cells. And liars, whose checksum is right but
//! whose other figures do not hold up, each caught by verification with its reason: `no-network` (io-net replies
//! computed without the delay server), `short-sleep` (io-sleep and mixed wait half of D), `skip-ticks` (mixed's
//! ticker skips a round) and `fake-race` (race reports no lost update whatever its counter says). And `limit`, which
//! runs only `spawn` and stops at [`LIMIT`] tasks as a thread per task stops at the OS's thread limit: it exits 1
//! with the contract's line, so a spawn sweep through it must record where it stopped, keep every other cell and
//! leave nothing running. Its tasks are values, not threads, so that no machine is too slow for its sweep.

use std::time::Instant;

use harness::jobs::{Done, timed_wait};
use harness::{Info, Model, Outcome, RunCtx, RunError, Runtime};
use workloads::spec::sleep_value;
use workloads::{RaceCounter, Workload, count_primes, race::race_worker};
use workloads::{blocking, net};

struct Fault;

/// The workloads of every variant but `limit`.
const LOAD: [Workload; 5] = [
    Workload::CpuBalanced,
    Workload::Race,
    Workload::IoSleep,
    Workload::IoNet,
    Workload::Mixed,
];

/// The most threads the `limit` variant starts.
const LIMIT: u64 = 5_000;

impl Runtime for Fault {
    fn info(&self) -> Info {
        let mut info = Info::new("arena-fault", "Fault fixture", Model::Sequential)
            .variant("ok", "correct, one task after another")
            .variant("crash", "aborts (SIGABRT)")
            .variant("hang", "sleeps forever and ignores --deadline-s")
            .variant("garbage", "prints text that is not a RunReport and exits 0")
            .variant("wrong", "returns the right checksum plus one")
            .variant(
                "flaky",
                "fails from the third run of a workload on when ARENA_FAULT_COUNTER names a path",
            )
            // Liars: a correct checksum with figures that do not hold up, each caught by a check of its own.
            .variant(
                "no-network",
                "io-net: computes every reply itself and never connects to the delay server",
            )
            .variant("short-sleep", "io-sleep, mixed: waits half of D")
            .variant("skip-ticks", "mixed: the ticker skips its last round")
            .variant(
                "fake-race",
                "race: a racer skips increments and the counter is overwritten with W*K to hide it",
            )
            .workloads(LOAD)
            .notes("A test fixture for the driver; never a real runtime.");
        // Every variant runs one task after another on one thread, whatever it does wrong.
        for v in &mut info.variants {
            v.facts = Some(harness::Facts::sequential());
            v.workloads = Some(LOAD.to_vec());
        }
        let mut info = info
            .variant(
                "limit",
                "spawn: a thread per task, but no more than 5,000 (a forced limit; the tasks are values)",
            )
            .facts(harness::Facts::threads(harness::Threads::PerTask))
            .only([Workload::Spawn]);
        info.workloads.push(Workload::Spawn);
        info
    }

    fn run(&self, ctx: &RunCtx) -> Result<Outcome, RunError> {
        let p = ctx.params;
        // race: the increments the racers performed, as every runtime reports them.
        let mut attempted = None;
        let out = match ctx.workload {
            Workload::Spawn => return spawn_to_the_limit(p.tasks),
            Workload::IoSleep | Workload::IoNet | Workload::Mixed => waits(ctx)?,
            _ => Outcome::new(match ctx.workload {
                Workload::Race => {
                    let c = RaceCounter::new();
                    // The liar's last racer skips five increments, then writes W*K into the counter to hide it.
                    let fake = ctx.variant == "fake-race";
                    let n: u64 = (0..p.workers)
                        .map(|i| {
                            let k = if fake && i + 1 == p.workers {
                                p.work.saturating_sub(5)
                            } else {
                                p.work
                            };
                            race_worker(&c, ctx.sync(), k, 0, false, &mut ())
                        })
                        .sum();
                    if fake {
                        c.store(p.workers * p.work);
                    }
                    attempted = Some(n);
                    c.get()
                }
                _ => (0..p.tasks)
                    .map(|i| {
                        let (lo, hi) = p.cpu_range(ctx.workload, i);
                        count_primes(lo, hi, 0, &mut ())
                    })
                    .sum(),
            }),
        };
        if ctx.variant == "flaky"
            && let Some(base) = std::env::var_os("ARENA_FAULT_COUNTER")
        {
            let mut path = std::path::PathBuf::from(base).into_os_string();
            path.push(format!(".{}", ctx.workload));
            let n = std::fs::read_to_string(&path)
                .ok()
                .and_then(|s| s.trim().parse::<u64>().ok())
                .unwrap_or(0)
                + 1;
            std::fs::write(&path, n.to_string())?;
            if n >= 3 {
                return Err(RunError::Failed(format!(
                    "flaky: failing on purpose on run {n}"
                )));
            }
        }
        match ctx.variant.as_str() {
            "crash" => std::process::abort(),
            "garbage" => {
                println!("this is not JSON");
                std::process::exit(0);
            }
            "wrong" => Ok(Outcome {
                checksum: out.checksum.wrapping_add(1),
                attempted,
                ..out
            }),
            _ => Ok(Outcome {
                attempted: attempted.or(out.attempted),
                ..out
            }),
        }
    }
}

/// io-sleep, io-net and mixed, one task after another; the liars lie here.
fn waits(ctx: &RunCtx) -> Result<Outcome, RunError> {
    let (p, delay) = (ctx.params, ctx.delay());
    // The liar sleeps half of what it was asked, and still reports what it measured.
    let wait = if ctx.variant == "short-sleep" {
        delay / 2
    } else {
        delay
    };
    let submitted = Instant::now();
    let done: Vec<Done> = match ctx.workload {
        Workload::IoSleep => (0..p.tasks)
            .map(|id| {
                let (late, end) = timed_wait(delay, || std::thread::sleep(wait));
                Done::timed(sleep_value(id), late, end)
            })
            .collect(),
        Workload::IoNet => (0..p.tasks)
            .map(|id| {
                if ctx.variant == "no-network" {
                    // The right reply, computed without asking the server: only the server's count can tell.
                    std::thread::sleep(delay);
                    return Ok(Done::timed(
                        net::reply_value(id, p.nonce),
                        p.delay_ms as f64,
                        Instant::now(),
                    ));
                }
                let addr = ctx.server()?;
                let (reply, rtt) = blocking::net_request(addr, id, p.nonce, p.delay_ms)
                    .map_err(|e| RunError::failed(format!("request {id} to {addr}"), e))?;
                Ok(Done::timed(reply, harness::jobs::ms(rtt), Instant::now()))
            })
            .collect::<Result<_, RunError>>()?,
        _ => {
            let mut done: Vec<Done> = (0..p.tasks)
                .map(|i| {
                    let (lo, hi) = p.balanced_range(i);
                    Done::value(count_primes(lo, hi, 0, &mut ()))
                })
                .collect();
            let rounds = if ctx.variant == "skip-ticks" {
                p.rounds.saturating_sub(1)
            } else {
                p.rounds
            };
            done.push(Done::ticks(harness::jobs::ticker(rounds, delay, || {
                std::thread::sleep(wait)
            })));
            done
        }
    };
    Ok(harness::jobs::outcome(
        ctx.workload,
        &done,
        &RaceCounter::new(),
        submitted,
    ))
}

/// `spawn` as a model that stops at [`LIMIT`] tasks, as a thread per task stops at the OS's limit: the run exits 1
/// with the contract's line. Why no real threads: the driver projects the sweep's next point from this one's wall
/// time (10x the 1,000-task run against the profile's 3 s limit), and 1,000 real threads took 0.2 to 0.44 s on
/// 2 shared cores, which turned the 10,000 point into "too slow" instead of the limit. A task here is a value,
/// so a run costs the process's start and microseconds, and the point where the sweep stops is the fixture's count
/// on any machine.
fn spawn_to_the_limit(n: u64) -> Result<Outcome, RunError> {
    let mut probe = harness::floor::SpawnProbe::start(n);
    let mut tasks = Vec::new();
    for id in 0..n {
        if id == LIMIT {
            return Err(harness::floor::spawn_failed(
                "thread",
                id,
                n,
                "Resource temporarily unavailable (the fixture's limit)",
            ));
        }
        tasks.push(id);
    }
    probe.parked(tasks.len() as u64, harness::floor::Memory::default);
    Ok(probe.joined(tasks.into_iter().map(sleep_value).sum()))
}

fn main() {
    // The hang happens before the harness starts its deadline watchdog, so only the driver's own limit can end it.
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).is_some_and(|a| a == "run")
        && args
            .windows(2)
            .any(|w| w[0] == "--variant" && w[1] == "hang")
    {
        loop {
            std::thread::sleep(std::time::Duration::from_secs(3600));
        }
    }
    harness::main(Fault)
}
