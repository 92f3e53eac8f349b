//! The race workload's behaviour per variant: a single thread loses nothing unless a yield point sits inside the
//! read-modify-write, and the synchronized modes lose nothing. Counts only, never times.

fn lost(args: &[&str]) -> u64 {
    let mut all = vec!["race", "--workers", "4", "--work", "100000"];
    all.extend_from_slice(args);
    let report = harness::testing::run_report(env!("CARGO_BIN_EXE_rt-smol"), &all);
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
