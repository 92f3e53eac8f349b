//! `arena-fault`: a runtime that misbehaves on purpose, for the driver's tests. Never a real runtime: it lives in
//! `crates/arena`, has no `[package.metadata.arena]`, and reaches the driver only through `--runtime-bin`.
//!
//! Its variants: `ok` (correct, sequential), `crash` (aborts: killed by SIGABRT), `hang` (sleeps forever, deaf to
//! `--deadline-s`, so the driver must stop it), `garbage` (prints text that is not a RunReport, exit 0) and `wrong`
//! (a checksum one too high) and `flaky` (correct, until the variable `ARENA_FAULT_COUNTER` names a path: then each
//! run counts itself in `PATH.<workload>` and fails from the third run of its workload on, so verification and the
//! pilot pass and hyperfine's runs fail). Each must cost only its own cells.

use harness::{Info, Model, Outcome, RunCtx, RunError, Runtime};
use workloads::{RaceCounter, Workload, count_primes, race::race_worker};

struct Fault;

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
            .workloads([Workload::CpuBalanced, Workload::Race])
            .notes("A test fixture for the driver; never a real runtime.");
        // Every variant runs one task after another on one thread, whatever it does wrong.
        for v in &mut info.variants {
            v.facts = Some(harness::Facts::sequential());
        }
        info
    }

    fn run(&self, ctx: &RunCtx) -> Result<Outcome, RunError> {
        let p = ctx.params;
        // race: the increments the racers performed, as every runtime reports them.
        let mut attempted = None;
        let checksum = match ctx.workload {
            Workload::Race => {
                let c = RaceCounter::new();
                let n = (0..p.workers)
                    .map(|_| race_worker(&c, ctx.sync(), p.work, 0, false, &mut ()))
                    .sum();
                attempted = Some(n);
                c.get()
            }
            _ => (0..p.tasks)
                .map(|i| {
                    let (lo, hi) = p.cpu_range(ctx.workload, i);
                    count_primes(lo, hi, 0, &mut ())
                })
                .sum(),
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
                attempted,
                ..Outcome::new(checksum + 1)
            }),
            _ => Ok(Outcome {
                attempted,
                ..Outcome::new(checksum)
            }),
        }
    }
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
