//! The shared conformance suite, run on every peer of `peers/peers.toml` whose interpreter is present, and again
//! with the opts that switch a peer onto a different code path. A peer whose interpreter is absent or too old is
//! skipped with a visible `SKIPPED peer ...` line on stderr (written past the test harness's capture, so it shows in
//! a plain `cargo test`).

use std::io::Write;

use harness::testing::Conformance;

/// Opts that change how a peer schedules its tasks; the suite runs once more with each set.
const OPT_RUNS: &[(&str, &[&str])] = &[
    (
        "py-threading",
        &["--opt", "rmw=call", "--opt", "switch-interval-us=500"],
    ),
    (
        "py-threading-ft",
        &["--opt", "rmw=call", "--opt", "switch-interval-us=500"],
    ),
    (
        "py-asyncio",
        &["--opt", "offload=true", "--opt", "yield=true"],
    ),
    ("py-asyncio", &["--opt", "offload=process"]),
    ("py-multiprocessing", &["--opt", "start-method=spawn"]),
    (
        "py-multiprocessing",
        &["--opt", "sync=lock", "--opt", "shared=false"],
    ),
    ("node", &["--opt", "offload=true", "--opt", "yield=true"]),
];

/// Peers whose timer may end a wait early, so that `early_waits` need not be 0 (it is still required, and counted
/// honestly). Node's `setTimeout` can fire up to 1 ms early: it measures from a loop time truncated to whole ms.
/// CPython's `time.sleep` and `asyncio.sleep` never end early by more than a clock tick, so they are held to 0.
const TIMERS_MAY_FIRE_EARLY: &[&str] = &["node"];

fn conformance(p: &peers::Peer) -> Conformance {
    let mut c = Conformance::new(p.argv.clone());
    c.timers_may_fire_early = TIMERS_MAY_FIRE_EARLY.contains(&p.spec.name.as_str());
    // The race rules' K scaled as the peer's presets are: the interpreter's loop is that much slower.
    c.race_work = harness::testing::RACE_WORK / p.spec.race_scale;
    c
}

fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

#[test]
fn every_present_peer_conforms() {
    let root = peers::repo_root();
    let peers = peers::discover(&root).unwrap_or_else(|e| panic!("{e}"));
    let mut suites = Vec::new();
    let mut names = Vec::new();
    for p in &peers {
        match &p.presence {
            peers::Presence::Absent { reason } => {
                say(&format!("SKIPPED peer {}: {reason}", p.spec.name))
            }
            peers::Presence::Present { .. } => {
                // Why: the driver names a runtime by what its `list` says, so a peer that calls itself by another
                // name than its manifest entry's would be reported, and picked by --runtime, under the wrong name.
                let listed = conformance(p).list().runtime;
                if listed != p.spec.name {
                    names.push(format!(
                        "{}: its `list` says runtime '{listed}', not its manifest name",
                        p.spec.name
                    ));
                }
                suites.push((p.spec.name.clone(), conformance(p)));
                for (name, args) in OPT_RUNS.iter().filter(|(n, _)| *n == p.spec.name) {
                    let mut c = conformance(p);
                    c.extra_run_args = args.iter().map(|a| a.to_string()).collect();
                    suites.push((format!("{name} {}", args.join(" ")), c));
                }
            }
        }
    }
    let mut failures = names;
    // Why in parallel: each suite mostly waits on interpreter start-up and timers; running them side by side keeps
    // the test short. The suite checks behaviour only, never speed.
    std::thread::scope(|s| {
        let handles: Vec<_> = suites
            .iter()
            .map(|(label, c)| (label, s.spawn(move || c.assert())))
            .collect();
        for (label, h) in handles {
            match h.join() {
                Ok(()) => say(&format!("ok peer {label}")),
                Err(e) => {
                    let msg = e
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default();
                    failures.push(format!("{label}: {msg}"));
                }
            }
        }
    });
    assert!(
        failures.is_empty(),
        "peers failing conformance:\n{}",
        failures.join("\n")
    );
    let present = peers.iter().filter(|p| p.is_present()).count();
    say(&format!(
        "{present} of {} peers checked ({} suites)",
        peers.len(),
        suites.len()
    ));
}
