//! The conformance suite's `check_run` on a real process: a stand-in runtime (a shell script) whose output is known,
//! read through `harness::contract::read` as the driver reads it. Shows the stdout rule end to end: a blank line
//! before the one JSON line is accepted, two JSON lines are not, and a failing exit is named with its stderr.

use std::path::Path;

use harness::testing::Conformance;
use harness::{Info, Model, Params, RunReport, Size, Workload};

/// A correct report of `cpu-balanced --size check --workers 2`, with every field the suite checks.
fn good_report() -> RunReport {
    let w = Workload::CpuBalanced;
    let p = Params::preset(w, Size::Check, 2);
    let values = serde_json::to_value(p).unwrap();
    let mut params = serde_json::Map::new();
    params.insert("size".into(), "check".into());
    params.insert("workers".into(), 2.into());
    for key in w.uses() {
        params.insert((*key).into(), values[*key].clone());
    }
    params.insert("deadline_s".into(), 60.0.into());
    params.insert("opts".into(), serde_json::json!({"sync": "none"}));
    RunReport {
        runtime: "rt-fixture".into(),
        variant: "only".into(),
        workload: w,
        params,
        checksum: w.reference_checksum(&p),
        elapsed_ms: 1.5,
        latency_ms: None,
        early_waits: None,
        sojourn_ms: None,
        lost_updates: None,
        attempted: None,
        peak_rss_kib: 1024,
        os_threads_peak: 1,
        extra: serde_json::Map::new(),
    }
}

fn info() -> Info {
    Info::new("rt-fixture", "Fixture", Model::Sequential)
        .variant("only", "")
        .facts(harness::Facts::sequential())
        .workloads([Workload::CpuBalanced])
}

/// Runs the suite's `check_run` against a script that ignores its arguments and runs `body` with `$R` naming a
/// file that holds the good report on one line.
fn check_run_with(dir: &Path, body: &str) -> Vec<String> {
    let report = dir.join("report.json");
    std::fs::write(&report, serde_json::to_string(&good_report()).unwrap()).unwrap();
    let script = dir.join("rt-fixture.sh");
    std::fs::write(&script, format!("R='{}'\n{body}\n", report.display())).unwrap();
    let suite = Conformance::new(vec!["sh".into(), script.display().to_string()]);
    suite.check_run(&info(), "only", Workload::CpuBalanced, "127.0.0.1:9")
}

#[test]
fn the_fixture_report_conforms() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        check_run_with(dir.path(), r#"cat "$R"; echo"#),
        Vec::<String>::new()
    );
}

#[test]
fn a_blank_line_before_the_report_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let problems = check_run_with(dir.path(), r#"printf '\n  \n'; cat "$R"; echo"#);
    assert_eq!(problems, Vec::<String>::new());
}

#[test]
fn two_reports_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let problems = check_run_with(dir.path(), r#"cat "$R"; echo; echo; cat "$R"; echo"#);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with(
            "only/cpu-balanced: exit 0 but stdout is not one RunReport (2 non-blank lines"
        ),
        "{problems:?}"
    );
}

#[test]
fn a_failing_exit_is_named_with_its_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let problems = check_run_with(
        dir.path(),
        r#"cat "$R"; echo 'rt-fixture: could not spawn thread 3' >&2; exit 1"#,
    );
    assert_eq!(
        problems,
        vec![
            "only/cpu-balanced: the workload failed (exit 1): rt-fixture: could not spawn thread 3"
                .to_string()
        ]
    );
}
