//! End to end: `arena bench --profile smoke` with the real hyperfine on two real runtimes (rt-seq and rt-threads),
//! one peer (py-seq, CPython, when python3 3.10+ is on PATH) and the fault fixture, checking the results folder. If no hyperfine 1.15-1.20 is found, the driver installs one
//! into `.tools/` (about 1.5 minutes) or the test fails saying why; it never passes without timing anything.

use std::time::Duration;

use arena::store::{Fault, RunDir, Status};
use assert_cmd::Command;

#[test]
fn smoke_bench_writes_a_complete_results_folder_and_faults_cost_only_their_cells() {
    let tmp = tempfile::tempdir().unwrap();
    let counter = tmp.path().join("flaky-counter");
    let out = Command::cargo_bin("arena")
        .unwrap()
        .env("ARENA_FAULT_COUNTER", &counter)
        .args([
            "bench",
            "--profile",
            "smoke",
            "--runtime",
            "rt-seq",
            "--runtime",
            "rt-threads",
            "--runtime",
            "py-seq",
        ])
        .args([
            "--runtime-bin",
            env!("CARGO_BIN_EXE_arena-fault"),
            "--verify-timeout-s",
            "3",
            "--seed",
            "1",
        ])
        .arg("--out")
        .arg(tmp.path())
        .timeout(Duration::from_secs(900))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "arena bench failed:\n{stderr}");
    let path = std::path::PathBuf::from(String::from_utf8_lossy(&out.stdout).trim().to_string());
    assert!(path.starts_with(tmp.path()), "{path:?}");

    for f in [
        "README.md",
        "report.md",
        "raw/run.json",
        "raw/runtimes.json",
    ] {
        assert!(path.join(f).is_file(), "{f} missing");
    }
    let index = std::fs::read_to_string(tmp.path().join("README.md")).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    assert!(
        index.contains(&format!("[{name}]({name}/report.md)")),
        "{index}"
    );

    let run = RunDir::open(&path).unwrap().load().unwrap();
    assert!(run.meta.quality.steal_share.is_some());
    assert_eq!(
        run.meta.quality.calibration_ms.len(),
        4,
        "start, after verify, after pilot, end"
    );
    assert_eq!(run.meta.seed, 1);
    assert!(
        run.meta.hyperfine.starts_with("hyperfine 1."),
        "{}",
        run.meta.hyperfine
    );
    assert!(run.meta.finished_utc.is_some() && !run.meta.interrupted);
    // The peer joined through peers/peers.toml: present and timed, or absent and named with the reason.
    let py = run.runtimes.iter().find(|r| r.name == "py-seq").unwrap();
    assert_eq!(py.peer.as_ref().unwrap().work_scale, 27);
    let py_present = py.usable();
    if !py_present {
        assert!(
            py.excluded().unwrap().starts_with("peer not present"),
            "{py:?}"
        );
    }
    assert_eq!(
        run.cells.iter().any(|c| c.cell.runtime == "py-seq"),
        py_present
    );
    // Every real cell was verified and timed, with hyperfine's numbers and a kept RunReport.
    let real: Vec<_> = run
        .cells
        .iter()
        .filter(|c| c.cell.runtime != "arena-fault")
        .collect();
    assert!(
        real.len() >= 21,
        "rt-seq and rt-threads give at least 3 x 7 cells, got {}",
        real.len()
    );
    for c in &real {
        assert_eq!(c.status, Status::Timed, "{}", c.cell);
        // The hypervisor's steal while the cell was timed is recorded for every timed cell.
        assert!(
            c.steal_share.is_some_and(|s| (0.0..=1.0).contains(&s)),
            "{}: steal {:?}",
            c.cell,
            c.steal_share
        );
        let hf = &run.hyperfine[&c.cell.key()];
        assert_eq!(hf.command, c.cell.label());
        assert_eq!(hf.times.len(), 3);
        assert!(hf.times.iter().all(|t| *t > 0.0));
        assert!(c.report.as_ref().unwrap().checksum_ok());
        assert!(
            path.join("raw/reports")
                .join(format!("{}.json", c.cell.key()))
                .is_file()
        );
    }
    // Each fault cost only its own cells, with the right reason.
    let fault = |variant: &str| {
        run.cells
            .iter()
            .filter(|c| c.cell.runtime == "arena-fault" && c.cell.variant == variant)
            .map(|c| c.status.clone())
            .collect::<Vec<_>>()
    };
    assert!(fault("ok").iter().all(|s| *s == Status::Timed));
    for s in fault("crash") {
        assert!(
            matches!(
                s,
                Status::VerifyFailed {
                    fault: Fault::Crash {
                        signal: Some(6),
                        ..
                    }
                }
            ),
            "{s:?}"
        );
    }
    for s in fault("hang") {
        assert!(
            matches!(
                s,
                Status::VerifyFailed {
                    fault: Fault::Timeout {
                        by_driver: true,
                        ..
                    }
                }
            ),
            "{s:?}"
        );
    }
    for s in fault("garbage") {
        assert!(
            matches!(
                s,
                Status::VerifyFailed {
                    fault: Fault::Garbage { .. }
                }
            ),
            "{s:?}"
        );
    }
    // The flaky variant passes verification, its pilot and hyperfine's warm-up, then fails a timed run: hyperfine
    // runs without -i, so the cell fails instead of averaging a failure into its time. One workload is enough.
    let flaky = fault("flaky");
    assert!(
        flaky.iter().any(
            |s| matches!(s, Status::TimingFailed { reason } if reason.contains("hyperfine failed"))
        ),
        "{flaky:?}"
    );
    for s in fault("wrong") {
        assert!(
            matches!(
                s,
                Status::VerifyFailed {
                    fault: Fault::WrongChecksum { .. }
                }
            ),
            "{s:?}"
        );
    }

    let report = std::fs::read_to_string(path.join("report.md")).unwrap();
    for s in arena::report::SECTIONS {
        let section = format!("## {}", s.heading());
        assert!(report.contains(&section), "{section} missing");
    }
    assert!(
        report.contains("| Threads do help I/O | **"),
        "no verdict on threads and I/O"
    );
    assert!(
        report.contains("arena-fault/hang** failed verification"),
        "the hang is not reported"
    );
    assert!(
        report.contains("reproduce with `"),
        "no command to reproduce a failure"
    );
    for w in ["cpu-balanced", "io-sleep", "race"] {
        let svg = std::fs::read_to_string(path.join("charts").join(format!("{w}.svg"))).unwrap();
        assert!(svg.contains("rt-threads/pool"), "{w} chart lacks its bars");
    }
    // The report re-renders from raw/ alone, to the same text.
    Command::cargo_bin("arena")
        .unwrap()
        .arg("report")
        .arg(&path)
        .assert()
        .success();
    assert_eq!(
        std::fs::read_to_string(path.join("report.md")).unwrap(),
        report
    );
}

/// `--cpus 1` pins every runtime and its threads to one CPU: rt-threads still starts two threads for two workers
/// (its `os_threads_peak`), but they take turns, so they keep at most one core busy; the run records the pinning.
/// Why cores busy and not the speedup over rt-seq: one CPU gives at most one CPU-second per second of wall time
/// however loaded the machine is, while the speedup compares two cells timed at different moments, and a process
/// beside the run that slowed rt-seq's cell more than rt-threads' passed for two threads gaining.
#[test]
fn one_cpu_runs_two_threads_that_take_turns() {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("arena")
        .unwrap()
        .args([
            "bench",
            "--profile",
            "standard",
            "--cpus",
            "1",
            "--no-peers",
        ])
        .args(["--runtime", "rt-seq", "--runtime", "rt-threads"])
        .args(["--workload", "cpu-balanced", "--seed", "1", "--out"])
        .arg(tmp.path())
        .timeout(Duration::from_secs(900))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "arena bench failed:\n{stderr}");
    let path = std::path::PathBuf::from(String::from_utf8_lossy(&out.stdout).trim().to_string());
    let run = RunDir::open(&path).unwrap().load().unwrap();
    assert_eq!(run.meta.cpus, Some(1));
    assert_eq!(run.meta.machine.affinity.len(), 1, "{:?}", run.meta.machine);
    let a = arena::analysis::Analysis::new(run, "one");
    let two = a
        .rows_of(workloads::Workload::CpuBalanced)
        .find(|r| r.cell.runtime == "rt-threads" && r.cell.variant == "pool" && r.cell.workers == 2)
        .expect("rt-threads/pool [workers=2] was timed");
    assert!(
        two.report.as_ref().unwrap().os_threads_peak >= 2,
        "two workers, two threads: {:?}",
        two.report
    );
    assert!(
        two.cores_busy < 1.2,
        "two threads on one CPU kept {:.2} cores busy (user {:.3} s + sys {:.3} s per {:.3} s run; speedup {:?})",
        two.cores_busy,
        two.hf.user,
        two.hf.system,
        two.hf.mean,
        two.speedup
    );
    let readme = std::fs::read_to_string(path.join("README.md")).unwrap();
    assert!(
        readme.contains("pinned with `--cpus 1`"),
        "the run's README records the pinning:\n{readme}"
    );
}
