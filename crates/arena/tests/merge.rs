//! `arena merge` on fixture runs: two machines (the second a 4-CPU host missing one cell), the typed [`Merged`], the
//! rendered report and charts, and the refusals.

mod common;

use std::path::{Path, PathBuf};

use arena::analysis::merge::{Absence, Entry, MergeError, Merged};
use arena::analysis::verdicts::Mark;
use arena::store::RunDir;
use assert_cmd::Command;
use workloads::Workload;

/// The key of the cell removed from the second machine's run.
const GONE: &str = "cpu-balanced.rt-threads.pool.workers-4";

/// Sets the host and logical CPUs of a fixture run, as if it ran elsewhere.
fn move_to(dir: &RunDir, host: &str, cpus: u64) {
    let path = dir.path.join("raw/run.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    v["machine"]["host"] = host.into();
    v["machine"]["logical_cpus"] = cpus.into();
    v["workers"] = cpus.into();
    std::fs::write(&path, serde_json::to_string_pretty(&v).unwrap()).unwrap();
}

/// Removes every file of one cell from a run.
fn remove_cell(dir: &RunDir, key: &str) {
    for sub in ["cells", "hyperfine", "reports"] {
        let f = dir.path.join("raw").join(sub).join(format!("{key}.json"));
        if f.exists() {
            std::fs::remove_file(f).unwrap();
        }
    }
}

/// The key of the cell the second machine skipped as too slow.
const SLOW: &str = "io-sleep.rt-procs.pool.tasks-1000";

/// Marks a timed cell of a run as skipped too slow, as if it had never been timed.
fn too_slow(dir: &RunDir, key: &str) {
    let path = dir.path.join("raw/cells").join(format!("{key}.json"));
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    v["status"] = serde_json::json!({"state": "too-slow", "reason": "projected 3.3 s for one run"});
    v["timing"] = serde_json::Value::Null;
    std::fs::write(&path, v.to_string()).unwrap();
    std::fs::remove_file(dir.hyperfine_file(key)).unwrap();
}

/// Multiplies every time hyperfine recorded for one cell.
fn retime(dir: &RunDir, key: &str, factor: f64) {
    let path = dir.hyperfine_file(key);
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let r = &mut v["results"][0];
    for k in ["mean", "stddev", "median", "user", "system", "min", "max"] {
        r[k] = (r[k].as_f64().unwrap() * factor).into();
    }
    for t in r["times"].as_array_mut().unwrap() {
        *t = (t.as_f64().unwrap() * factor).into();
    }
    std::fs::write(&path, v.to_string()).unwrap();
}

/// The process pool at 4 workers, which the second machine runs in half the time.
const PROCS4: &str = "cpu-balanced.rt-procs.pool.workers-4";

/// `a` on fixture/2 CPUs; `b` on big/4 CPUs, every time x0.6 and [`PROCS4`] x0.5 more, without [`GONE`] and with
/// [`SLOW`] not timed.
fn two_machines(root: &Path) -> (PathBuf, PathBuf) {
    let a = common::write_run(root, "a", 1.0);
    let b = common::write_run(root, "b", 0.6);
    move_to(&b, "big", 4);
    remove_cell(&b, GONE);
    too_slow(&b, SLOW);
    retime(&b, PROCS4, 0.5);
    (a.path, b.path)
}

fn merged(paths: &[PathBuf]) -> Merged {
    arena::report::merge::load(paths).unwrap()
}

#[test]
fn merge_lines_machines_up_by_key() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = two_machines(tmp.path());
    let m = merged(&[a, b]);

    let keys: Vec<&str> = m.machines.iter().map(|x| x.key.as_str()).collect();
    assert_eq!(keys, ["fixture/2 CPUs", "big/4 CPUs"]);
    assert_eq!(m.machines[1].logical_cpus, 4);
    assert_eq!(m.machines[0].folder, "a");
    assert!(m.mixed.is_empty(), "{:?}", m.mixed);

    // One verdict per claim per machine, the same claims in the same order.
    assert_eq!(m.claims.len(), 16);
    for c in &m.claims {
        assert_eq!(c.verdicts.len(), 2);
        assert!(c.verdicts.iter().all(|v| v.claim == c.claim));
    }
    let gil = &m.claims[0];
    assert_eq!(
        gil.claim,
        arena::analysis::verdicts::Claim::NotParallelUnderGil
    );
    assert_eq!(
        arena::report::claim(gil.claim),
        "Threads are not parallel for CPU work under a GIL"
    );
    assert_eq!(gil.verdicts[0].mark, Mark::Supported);

    // The removed cell is missing on the second machine only, never estimated.
    let row = m.speedup.iter().find(|r| r.key == GONE).unwrap();
    assert!(matches!(row.entries[0], Entry::Timed { .. }));
    assert_eq!(row.entries[1], Entry::Missing(Absence::NotInRun));

    // Speedups per machine: each over that machine's own sequential run.
    let threads2 = m
        .speedup
        .iter()
        .find(|r| r.key == "cpu-balanced.rt-threads.pool.workers-2")
        .unwrap();
    for e in &threads2.entries {
        let s = e.speedup().unwrap();
        assert!((s - 0.20 / 0.105).abs() < 1e-6, "{s}");
    }
    let procs4 = m.speedup.iter().find(|r| r.key == PROCS4).unwrap();
    let (s0, s1) = (
        procs4.entries[0].speedup().unwrap(),
        procs4.entries[1].speedup().unwrap(),
    );
    assert!((s1 / s0 - 2.0).abs() < 1e-9, "{s0} {s1}");
    assert_eq!(m.ideal(0, 4), 2.0);
    assert_eq!(m.ideal(1, 4), 4.0);
    let peaks = m.peaks();
    let at = |series: &str| -> Vec<Option<u64>> {
        let p = peaks.iter().find(|p| p.series == series).unwrap();
        p.at.iter().map(|b| b.map(|b| b.workers)).collect()
    };
    assert_eq!(at("rt-threads/pool"), [Some(2), Some(2)]);
    assert_eq!(at("rt-procs/pool"), [Some(2), Some(4)]);

    // io-sleep at each task count, io-net at its preset; a too-slow point is a planned cell that was not timed.
    let seq1000 =
        m.io.iter()
            .find(|r| r.key == "io-sleep.rt-threads.pool.tasks-1000")
            .unwrap();
    assert_eq!(seq1000.tasks, Some(1000));
    assert!((seq1000.entries[1].median().unwrap() - 0.6 * 4.5).abs() < 1e-9);
    assert!(
        m.io.iter()
            .any(|r| r.key == "io-net.rt-tokio.current-thread")
    );
    let slow = m.io.iter().find(|r| r.key == SLOW).unwrap();
    assert!(matches!(
        &slow.entries[1],
        Entry::Missing(Absence::NotTimed(arena::store::Status::TooSlow { .. }))
    ));
    // Within a workload, the workspace runtimes first, then the peers, as in a run's report.
    for w in [Workload::IoSleep, Workload::IoNet] {
        let peers: Vec<bool> =
            m.io.iter()
                .filter(|r| r.workload == w)
                .map(|r| r.peer)
                .collect();
        assert!(peers.is_sorted() && peers.contains(&true), "{w}: {peers:?}");
    }
    // The floor: each runtime/variant with its figures on both machines (a bug left this part empty).
    let labels: Vec<&str> = m.floor.iter().map(|r| r.label.as_str()).collect();
    assert_eq!(labels, ["rt-threads/per-task", "rt-tokio/current-thread"]);
    for r in &m.floor {
        assert_eq!(r.machines.len(), 2, "{}", r.label);
        for e in &r.machines {
            let e = e
                .as_ref()
                .unwrap_or_else(|| panic!("{} has no floor on a machine", r.label));
            assert!(e.largest().is_some() && e.ping_pong.is_some(), "{e:?}");
        }
    }
    let threads = m.floor[0].machines[0].as_ref().unwrap();
    assert_eq!(threads.limit.as_ref().map(|l| l.at), Some(100_000));
}

#[test]
fn merged_report_renders_the_machines_side_by_side() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = two_machines(tmp.path());
    let out = tmp.path().join("merged");
    let o = Command::cargo_bin("arena")
        .unwrap()
        .arg("merge")
        .args([&a, &b])
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        String::from_utf8(o.stdout).unwrap().trim(),
        out.join("report.md").display().to_string()
    );
    let text = std::fs::read_to_string(out.join("report.md")).unwrap();
    insta::assert_snapshot!("merged_report", text);
    assert!(text.contains("| fixture/2 CPUs | `a` | fixture | Fixture CPU | 2 |"));
    assert!(text.contains("| Threads are not parallel for CPU work under a GIL | **supported** |"));
    assert!(
        text.contains("| rt-threads/pool | 4 | 1.87x | — |"),
        "{text}"
    );
    assert!(text.contains("on big/4 CPUs, not in that run"));
    assert!(text.contains("`rt-threads/pool [workers=4]`"));
    assert!(text.contains(
        "- on big/4 CPUs, `rt-procs/pool [tasks=1000]` was not timed: skipped as too slow for this profile: projected 3.3 s"
    ));
    // The floor figures of both machines, side by side (the floor part was always empty before).
    assert!(!text.contains("No floor-cost cells in these runs."));
    assert!(text.contains(
        "| rt-tokio/current-thread | spawn 0.30 µs/task at N = 100,000; 0.4 KiB/task; round trip p50 0.2 µs | spawn"
    ));
    assert!(!text.contains("**Mixed:**"));
    for chart in ["verdicts.svg", "speedup-workers.svg"] {
        let svg = std::fs::read_to_string(out.join("charts").join(chart)).unwrap();
        assert!(svg.contains("big/4 CPUs"), "{chart}");
        assert!(text.contains(&format!("(charts/{chart})")));
    }
}

#[test]
fn mixed_profiles_and_tools_are_said() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = two_machines(tmp.path());
    let path = b.join("raw/run.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    v["hyperfine"] = "hyperfine 1.18.0".into();
    std::fs::write(&path, v.to_string()).unwrap();
    let m = merged(&[a, b]);
    assert_eq!(m.mixed.len(), 1);
    assert_eq!(m.mixed[0].what, "hyperfine");
    assert_eq!(m.mixed[0].values, ["hyperfine 1.20.0", "hyperfine 1.18.0"]);
    let text = arena::report::merge::markdown::markdown(&m, &[]);
    assert!(
        text.contains(
            "**Mixed:** the runs differ in hyperfine (hyperfine 1.20.0, hyperfine 1.18.0)"
        )
    );
}

#[test]
fn same_machine_twice_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let a = common::write_run(tmp.path(), "a", 1.0);
    let c = common::write_run(tmp.path(), "c", 1.0);
    let runs = vec![
        ("a".to_string(), a.load().unwrap()),
        ("c".to_string(), c.load().unwrap()),
    ];
    assert_eq!(
        Merged::new(runs).unwrap_err(),
        MergeError::SameMachine {
            key: "fixture/2 CPUs".into(),
            a: "a".into(),
            b: "c".into()
        }
    );
}

/// Runs `arena merge ARGS`, expects exit 2 with one line on stderr containing `says`.
fn refused(args: &[&Path], says: &str) {
    let o = Command::cargo_bin("arena")
        .unwrap()
        .arg("merge")
        .args(args)
        .output()
        .unwrap();
    let err = String::from_utf8(o.stderr).unwrap();
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(says), "{err}");
}

#[test]
fn refusals_exit_2_with_one_line() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = two_machines(tmp.path());
    let c = common::write_run(tmp.path(), "c", 1.0).path;
    refused(&[], "at least two run folders, got 0");
    refused(&[&a], "at least two run folders, got 1");
    refused(&[&a, tmp.path()], "is not a results folder");
    refused(&[&a, &b, &c], "a and c both ran on fixture/2 CPUs");
}
