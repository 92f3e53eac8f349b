//! The race workload's behaviour per variant: a single thread loses nothing unless a yield point sits inside the
//! read-modify-write. Counts only, never times.

use std::process::Command;

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
    let text = String::from_utf8_lossy(&out.stdout);
    let at = text
        .find("\"lost_updates\":")
        .expect("lost_updates in the report")
        + 15;
    text[at..]
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn single_loses_only_with_a_yield_point() {
    assert_eq!(lost(&["--variant", "single"]), 0);
    assert!(lost(&["--variant", "single", "--opt", "yield=true"]) > 0);
    let sync_lock = [
        "--variant",
        "single",
        "--opt",
        "yield=true",
        "--opt",
        "sync=lock",
    ];
    assert_eq!(lost(&sync_lock), 0);
    let sync_atomic = [
        "--variant",
        "multi",
        "--opt",
        "yield=true",
        "--opt",
        "sync=atomic",
    ];
    assert_eq!(lost(&sync_atomic), 0);
}
