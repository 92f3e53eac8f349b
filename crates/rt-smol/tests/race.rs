//! The race workload's behaviour per variant: a single thread loses nothing unless a yield point sits inside the
//! read-modify-write, and the synchronized modes lose nothing. Counts only, never times.

use std::process::Command;

use harness::RunReport;

fn lost(args: &[&str]) -> u64 {
    let out = Command::new(env!("CARGO_BIN_EXE_rt-smol"))
        .args(["run", "race", "--workers", "4", "--work", "100000"])
        .args(args)
        .output()
        .expect("rt-smol runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: RunReport = serde_json::from_slice(&out.stdout).expect("one RunReport on stdout");
    report.lost_updates.expect("lost_updates is set for race")
}

#[test]
fn single_loses_only_with_a_yield_point() {
    assert_eq!(lost(&["--variant", "single"]), 0);
    assert!(lost(&["--variant", "single", "--opt", "yield=true"]) > 0);
    let lock = [
        "--variant",
        "single",
        "--opt",
        "yield=true",
        "--opt",
        "sync=lock",
    ];
    assert_eq!(lost(&lock), 0);
    let atomic = [
        "--variant",
        "multi",
        "--opt",
        "yield=true",
        "--opt",
        "sync=atomic",
    ];
    assert_eq!(lost(&atomic), 0);
}
