//! rt-rayon runs on exactly `--workers` threads of its own pool, never on rayon's global pool (one per core).

use std::process::Command;

#[test]
fn the_pool_has_exactly_w_threads() {
    for workers in ["1", "3"] {
        let out = Command::new(env!("CARGO_BIN_EXE_rt-rayon"))
            .args([
                "run",
                "cpu-balanced",
                "--size",
                "check",
                "--workers",
                workers,
            ])
            .output()
            .expect("rt-rayon runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: serde_json::Value =
            serde_json::from_slice(&out.stdout).expect("one JSON report");
        // The main thread waits in `install` while the W pool threads work.
        let want = workers.parse::<u64>().unwrap() + 1;
        assert_eq!(report["os_threads_peak"], want, "--workers {workers}");
    }
}
