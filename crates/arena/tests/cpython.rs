//! The GIL across CPython versions, from fixture data: the rows, the findings, rt-gil's checks, and the section.

mod common;

use arena::analysis::Analysis;
use arena::analysis::calibration::Rmw;
use arena::analysis::cpython::Figure;

fn analysis() -> (tempfile::TempDir, arena::store::RunDir, Analysis) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = common::write_run(tmp.path(), "run", 1.0);
    let a = Analysis::new(dir.load().unwrap(), "run");
    (tmp, dir, a)
}

#[test]
fn one_row_per_interpreter_with_losses_and_the_speedup() {
    let (_t, _d, a) = analysis();
    let v = a.cpython.as_ref().expect("the fixture has a sweep");
    let ids: Vec<&str> = v.rows.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["3.9.18", "3.12.1", "3.13.5t"]);
    let r39 = &v.rows[0];
    assert!(!r39.free_threaded);
    let l = r39.cell(Rmw::Plain, 2).unwrap();
    assert_eq!((l.lost, l.attempted), (4_000_000, 10_000_000));
    assert!((r39.cell(Rmw::Plain, 4).unwrap().share() - 0.45).abs() < 1e-9);
    // Medians of 3: 800 / 860.
    let s = r39.speedup.unwrap();
    assert_eq!((s.seq_ms, s.threads_ms, s.runs), (800.0, 860.0, 3));
    let ft = &v.rows[2];
    assert!(ft.free_threaded);
    assert!((ft.speedup.unwrap().ratio - 910.0 / 480.0).abs() < 1e-9);
    assert_eq!(v.skipped.len(), 1);
    assert_eq!(v.left_out.len(), 1);
}

#[test]
fn the_findings_say_which_versions_lose_plain_updates() {
    let (_t, _d, a) = analysis();
    let f = &a.cpython.as_ref().unwrap().findings;
    assert_eq!(f.plain_loses, ["3.9.18"]);
    assert_eq!(f.plain_safe, ["3.12.1"]);
    assert_eq!(f.call_loses, ["3.9.18", "3.12.1"]);
    assert!(f.call_safe.is_empty());
    assert_eq!(f.free_threaded.len(), 1);
    assert_eq!(f.free_threaded[0].id, "3.13.5t");
    assert!((f.free_threaded[0].plain.unwrap().share() - 0.525).abs() < 1e-9);
    assert!((f.best_gil_speedup.unwrap() - 600.0 / 620.0).abs() < 1e-9);
    assert!(f.gil_speedup_noise.is_empty());
}

#[test]
fn rt_gil_is_checked_against_the_versions_it_models() {
    let (_t, _d, a) = analysis();
    let checks = &a.cpython.as_ref().unwrap().checks;
    assert_eq!(checks.len(), 4);
    // Plain: rt-gil's GIL loses none, as 3.12 (3.9 is not what it models and is left out of the comparison).
    assert_eq!(checks[0].against, ["3.12.1"]);
    assert_eq!(
        checks[0].emulation.as_ref().map(|p| p.variant.as_str()),
        Some("pool")
    );
    assert!(matches!(checks[0].emulated, Some(Figure::Loss(l)) if l.lost == 0));
    assert_eq!(checks[0].agree, Some(true));
    // Call: both lose.
    assert_eq!(checks[1].agree, Some(true));
    // The free-threaded variant (cast as the same runtime's pool without the lock) loses, as 3.13t does.
    assert_eq!(
        checks[2].emulation.as_ref().map(|p| p.variant.as_str()),
        Some("free-threaded")
    );
    assert_eq!(checks[2].against, ["3.13.5t"]);
    assert_eq!(checks[2].agree, Some(true));
    assert!(matches!(checks[3].emulated, Some(Figure::Speedup(_))));
    assert!(checks[3].agree.is_some());
}

#[test]
fn the_section_renders_the_table_the_chart_and_the_citations() {
    let (_t, dir, _a) = analysis();
    arena::report::render(&dir).unwrap();
    let report = std::fs::read_to_string(dir.path.join("report.md")).unwrap();
    let body = report
        .split("## 7. The GIL across CPython versions")
        .nth(1)
        .expect("the section is the 7th")
        .split("\n## ")
        .next()
        .unwrap();
    assert!(
        body.contains("| 3.9.18 | GIL | 5 ms | 4,000,000 (40.0%) | 9,000,000 (45.0%) |"),
        "{body}"
    );
    assert!(body.contains("| 3.13.5t | free-threaded |"), "{body}");
    assert!(body.contains("**lost updates** on: 3.9.18; **lost none** on: 3.12.1"));
    assert!(body.contains("bpo-29988") && body.contains("cpython#125646"));
    assert!(body.contains("3.7.16 is older than 3.8"));
    assert!(body.contains("charts/cpython-versions.svg"));
    let svg = std::fs::read_to_string(dir.path.join("charts/cpython-versions.svg")).unwrap();
    assert!(svg.contains("3.13.5t") && svg.contains("counter += f()"));
    // The table of contents lists it after the calibration.
    assert!(report.contains(
        "6. [Calibration against CPython and Node](#6-calibration-against-cpython-and-node)\n7. [The GIL across CPython versions]"
    ));
}

#[test]
fn a_run_without_a_sweep_says_why() {
    let (_t, dir, _a) = analysis();
    std::fs::remove_file(dir.path.join("raw/cpython.json")).unwrap();
    let a = Analysis::new(dir.load().unwrap(), "run");
    assert!(a.cpython.is_none());
    let md = arena::report::markdown(&a, &[]);
    assert!(
        md.contains("This run has no CPython-versions sweep"),
        "{md}"
    );
}

#[test]
fn a_python_that_is_not_a_file_is_a_usage_error_before_anything_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let out = assert_cmd::Command::cargo_bin("arena")
        .unwrap()
        .args(["bench", "--profile", "smoke", "--no-discover", "--out"])
        .arg(tmp.path())
        .args(["--python", "/no/such/python3.13t"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--python /no/such/python3.13t: no such file"),
        "{stderr}"
    );
    // Nothing was written: the check comes first.
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}
