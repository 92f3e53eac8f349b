//! The race is the same program in the peers as in the Rust runtimes: a one-thread event loop loses updates only
//! with a yield point inside the increment (`--opt yield=true`, as rt-tokio's and rt-smol's), and CPython's
//! multiprocessing shares one counter by default, as rt-procs does. Each peer whose interpreter is absent is
//! skipped with a visible line on stderr.

use std::io::Write;
use std::process::{Command, Stdio};

use harness::RunReport;
use harness::contract::{self, Exit};
use harness::testing::{RACE_WORK, RACE_WORKERS};

/// The peer named `name`, if its interpreter is present: its command, and K of the race rules scaled as its presets.
fn peer(name: &str) -> Option<(Vec<String>, u64)> {
    let root = peers::repo_root();
    let all = peers::discover(&root).unwrap_or_else(|e| panic!("{e}"));
    let p = all.into_iter().find(|p| p.spec.name == name)?;
    if !p.is_present() {
        let _ = writeln!(std::io::stderr(), "SKIPPED peer {name}: not present");
        return None;
    }
    Some((p.argv, RACE_WORK / p.spec.race_scale))
}

/// `race` with the conformance suite's W and K and `opts`, read by the contract's reader (so `attempted` must be
/// W*K).
fn race((argv, k): &(Vec<String>, u64), variant: &str, opts: &[&str]) -> RunReport {
    let mut cmd = Command::new(&argv[0]);
    cmd.args(&argv[1..])
        .args(["run", "race", "--variant", variant])
        .args([
            "--workers",
            &RACE_WORKERS.to_string(),
            "--work",
            &k.to_string(),
        ])
        .stdin(Stdio::null());
    for o in opts {
        cmd.args(["--opt", o]);
    }
    let out = cmd.output().expect("the peer starts");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    contract::read(
        &Exit::new(out.status, &stdout, &stderr),
        harness::Workload::Race,
        variant,
    )
    .unwrap_or_else(|v| panic!("{argv:?} race {opts:?}: {v}"))
}

#[test]
fn one_event_loop_loses_updates_only_at_a_yield_point() {
    for (name, variant) in [("py-asyncio", "loop"), ("node", "event-loop")] {
        let Some(argv) = peer(name) else { continue };
        assert_eq!(race(&argv, variant, &[]).lost_updates, Some(0), "{name}");
        let r = race(&argv, variant, &["yield=true"]);
        assert!(r.lost_updates.unwrap() > 0, "{name} with yield=true: {r:?}");
        assert_eq!(
            r.extra["yield_every"], 64,
            "{name}: the Rust runtimes' default"
        );
        for sync in ["sync=lock", "sync=atomic"] {
            let r = race(&argv, variant, &["yield=true", sync]);
            assert_eq!(r.lost_updates, Some(0), "{name} with yield=true and {sync}");
        }
    }
}

#[test]
fn multiprocessing_shares_its_counter_by_default() {
    let Some(argv) = peer("py-multiprocessing") else {
        return;
    };
    let opts = |r: &RunReport| r.params["opts"]["shared"].clone();
    let shared = race(&argv, "pool", &[]);
    assert_eq!(opts(&shared), "true");
    let passed = race(&argv, "pool", &["shared=false"]);
    assert_eq!(
        passed.lost_updates,
        Some(0),
        "message passing loses nothing"
    );
}
