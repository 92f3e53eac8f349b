//! The fault fixture (`arena-fault`): a crash, a hang, garbage output and a wrong checksum each cost only their own
//! cells, are reported with their reason and the command to reproduce them, and Ctrl-C stops a run cleanly.

use std::time::{Duration, Instant};

use assert_cmd::Command;

const FAULT: &str = env!("CARGO_BIN_EXE_arena-fault");

#[test]
fn verify_reports_each_fault_and_passes_the_good_variant() {
    let out = Command::cargo_bin("arena")
        .unwrap()
        .args([
            "verify",
            "--no-discover",
            "--runtime-bin",
            FAULT,
            "--verify-timeout-s",
            "2",
            "--workload",
            "cpu-balanced",
            "--workload",
            "race",
        ])
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "verify must fail when a cell fails:\n{text}"
    );
    for w in ["cpu-balanced", "race"] {
        assert!(text.contains(&format!("ok   {w} arena-fault/ok")), "{text}");
        assert!(
            text.contains(&format!(
                "FAIL {w} arena-fault/crash: crashed (killed by signal 6)"
            )),
            "{text}"
        );
        assert!(
            text.contains(&format!(
                "FAIL {w} arena-fault/hang: hung: still running after 2 s"
            )),
            "{text}"
        );
        assert!(
            text.contains(&format!(
                "FAIL {w} arena-fault/garbage: printed no valid RunReport"
            )),
            "{text}"
        );
        assert!(
            text.contains(&format!("FAIL {w} arena-fault/wrong: wrong checksum")),
            "{text}"
        );
    }
    assert!(
        text.contains("reproduce: ")
            && text.contains("arena-fault run race --variant wrong --size check"),
        "{text}"
    );
    assert!(text.contains("ok   race arena-fault/flaky"), "{text}");
    // Ten variants on two workloads; the four faults on both, and the race liar on race.
    assert!(text.contains("20 cells verified, 9 failures"), "{text}");
}

#[test]
fn list_takes_a_runtime_given_as_a_binary() {
    let out = Command::cargo_bin("arena")
        .unwrap()
        .args(["list", "--no-discover", "--runtime-bin", FAULT])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("arena-fault (Fault fixture") && text.contains("variant hang"),
        "{text}"
    );
}

fn fault_processes(marker: &str) -> usize {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
        // This build's fixture only (its path is in the command line): another checkout's test suite running at the same
        // time has hung children of its own, and counting those pressed Ctrl-C before this run had started.
        .filter(|c| c.contains(FAULT) && c.contains("--variant hang") && c.contains(marker))
        .count()
}

#[test]
fn ctrl_c_stops_every_child_and_leaves_a_partial_report() {
    let tmp = tempfile::tempdir().unwrap();
    // A verify limit no other test uses: the hung child's command line carries its deadline (0.75 x 37 = 27.75, printed as 27.8 s).
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("arena"))
        .args([
            "bench",
            "--profile",
            "smoke",
            "--no-discover",
            "--runtime-bin",
            FAULT,
            "--verify-timeout-s",
            "37",
            "--seed",
            "3",
            "--out",
        ])
        .arg(tmp.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the hung variant is running, then press Ctrl-C.
    let t0 = Instant::now();
    while fault_processes("27.8") == 0 {
        if let Some(st) = child.try_wait().unwrap() {
            panic!("arena ended ({st}) before the hang variant started");
        }
        assert!(
            t0.elapsed() < Duration::from_secs(300),
            "the hang variant never started"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // SAFETY: plain kill(2) on our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let t1 = Instant::now();
    let status = child.wait().unwrap();
    assert!(
        t1.elapsed() < Duration::from_secs(20),
        "the driver took {:?} to stop",
        t1.elapsed()
    );
    assert_eq!(status.code(), Some(130));
    assert_eq!(
        fault_processes("27.8"),
        0,
        "a child outlived the interrupted run"
    );
    let run = std::fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .find(|e| e.path().is_dir())
        .unwrap()
        .path();
    let report = std::fs::read_to_string(run.join("report.md")).unwrap();
    assert!(
        report.contains("**interrupted**: this report is partial"),
        "{report}"
    );
    assert!(report.contains("interrupted (Ctrl-C)"), "{report}");
}

/// Liars: a right checksum with figures that do not hold up. Verification catches each one with a one-line reason:
/// the delay server's count for a model that never asked it, early waits for one that waited half of D, the
/// reference checksum for a ticker that skipped a round. The correct variant passes the same checks.
#[test]
fn verify_catches_every_liar() {
    let out = Command::cargo_bin("arena")
        .unwrap()
        .args([
            "verify",
            "--no-discover",
            "--runtime-bin",
            FAULT,
            "--verify-timeout-s",
            "5",
            "--workload",
            "io-sleep",
            "--workload",
            "io-net",
            "--workload",
            "mixed",
            "--workload",
            "race",
        ])
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let line = |cell: &str| {
        text.lines()
            .find(|l| l.contains(&format!(" {cell}")) && !l.trim_start().starts_with("reproduce"))
            .unwrap_or_else(|| panic!("no line for {cell}:\n{text}"))
            .to_string()
    };
    for w in ["io-sleep", "io-net", "mixed"] {
        assert!(
            line(&format!("{w} arena-fault/ok")).starts_with("ok"),
            "{text}"
        );
    }
    let caught = [
        (
            "io-net arena-fault/no-network",
            "the delay server answered 0 requests with nonce",
        ),
        (
            "io-sleep arena-fault/short-sleep",
            "ended more than 0.1 ms before D",
        ),
        (
            "mixed arena-fault/short-sleep",
            "ended more than 0.1 ms before D",
        ),
        ("mixed arena-fault/skip-ticks", "wrong checksum"),
        ("race arena-fault/fake-race", "wrong checksum"),
    ];
    for (cell, why) in caught {
        let l = line(cell);
        assert!(l.starts_with("FAIL") && l.contains(why), "{cell}: {l}");
    }
}

#[test]
fn a_spawn_sweep_records_where_the_model_stopped_and_keeps_everything_else() {
    let tmp = tempfile::tempdir().unwrap();
    // `limit` models a thread per task that stops at 5,000: the sweep's 1,000 runs, 10,000 fails, 100,000 is past it.
    // Its tasks cost no thread, so its 1,000 point's wall time projects 10,000 far under the 3 s limit on any machine.
    // The ok variant's cpu-balanced cells run beside it and must be timed as usual.
    let out = assert_cmd::Command::cargo_bin("arena")
        .unwrap()
        .args([
            "bench",
            "--profile",
            "standard",
            "--no-discover",
            "--no-peers",
        ])
        .args([
            "--runtime-bin",
            FAULT,
            "--workload",
            "spawn",
            "--workload",
            "cpu-balanced",
        ])
        .args(["--verify-timeout-s", "2", "--seed", "1", "--out"])
        .arg(tmp.path())
        .timeout(std::time::Duration::from_secs(600))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "arena bench failed:\n{stderr}");
    let path = std::path::PathBuf::from(String::from_utf8_lossy(&out.stdout).trim().to_string());
    let run = arena::store::RunDir::open(&path).unwrap().load().unwrap();
    let status = |w: workloads::Workload, variant: &str, tasks: Option<u64>| {
        run.cells
            .iter()
            .find(|c| {
                c.cell.workload == w
                    && c.cell.variant == variant
                    && (tasks.is_none() || c.cell.point.map(|p| p.value) == tasks)
            })
            .unwrap_or_else(|| panic!("no {w} {variant} {tasks:?} cell"))
            .status
            .clone()
    };
    use arena::store::Status;
    use workloads::Workload::{CpuBalanced, Spawn};
    assert_eq!(status(Spawn, "limit", Some(1_000)), Status::Timed);
    match status(Spawn, "limit", Some(10_000)) {
        Status::LimitReached { reason, largest_ok } => {
            assert_eq!(largest_ok, Some(1_000));
            assert!(
                reason.starts_with("could not spawn thread 5,001 of 10,000: Resource temporarily"),
                "{reason}"
            );
        }
        s => panic!("10,000 should be the limit: {s:?}"),
    }
    assert_eq!(
        status(Spawn, "limit", Some(100_000)),
        Status::PastLimit { limit_at: 10_000 }
    );
    assert_eq!(status(CpuBalanced, "ok", None), Status::Timed);
    // The timed spawn point carries its repeats, and the report shows the limit as a result.
    let timed = run
        .cells
        .iter()
        .find(|c| c.cell.workload == Spawn && c.status == Status::Timed)
        .unwrap();
    assert_eq!(timed.repeats.len(), 2, "the pilot's repeats");
    let report = std::fs::read_to_string(path.join("report.md")).unwrap();
    assert!(
        report.contains(
            "- **arena-fault/limit**: 1,000 tasks ran; 10,000 failed: could not spawn thread 5,001 of 10,000"
        ),
        "{report}"
    );
    assert!(
        !report.contains("**arena-fault/limit [tasks=10000]**"),
        "a limit is not a caveat:\n{report}"
    );
    // Nothing is left running.
    let left = std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
        // This build's fixture only, as in `fault_processes`.
        .filter(|c| c.contains(FAULT) && c.contains("--variant limit"))
        .count();
    assert_eq!(left, 0, "a fixture process outlived the bench");
}
