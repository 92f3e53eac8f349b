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
        .filter(|c| c.contains("arena-fault") && c.contains("--variant hang") && c.contains(marker))
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
