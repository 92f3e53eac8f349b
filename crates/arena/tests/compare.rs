//! `arena compare` on two fixture runs.

mod common;

use assert_cmd::Command;
use predicates::prelude::PredicateBooleanExt;

#[test]
fn compare_marks_real_changes_only() {
    let tmp = tempfile::tempdir().unwrap();
    common::write_run(tmp.path(), "a", 1.0);
    common::write_run(tmp.path(), "b", 0.8);
    common::write_run(tmp.path(), "c", 1.0);
    let out = Command::cargo_bin("arena")
        .unwrap()
        .args(["compare"])
        .arg(tmp.path().join("a"))
        .arg(tmp.path().join("b"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    insta::assert_snapshot!("compare_a_b", text);
    assert!(text.contains("**faster** (20%)"));
    assert!(!text.contains("**slower**"));

    // The same numbers again: nothing changed.
    let out = Command::cargo_bin("arena")
        .unwrap()
        .args(["compare"])
        .arg(tmp.path().join("a"))
        .arg(tmp.path().join("c"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        !text.contains("**faster**") && !text.contains("**slower**"),
        "{text}"
    );
    assert!(text.contains("0 faster in B, 0 slower in B"));
}

#[test]
fn compare_refuses_a_folder_that_is_not_a_run() {
    let tmp = tempfile::tempdir().unwrap();
    common::write_run(tmp.path(), "a", 1.0);
    Command::cargo_bin("arena")
        .unwrap()
        .args(["compare"])
        .arg(tmp.path().join("a"))
        .arg(tmp.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("is not a results folder"));
}

#[test]
fn bad_names_exit_2_with_the_names_that_exist() {
    Command::cargo_bin("arena")
        .unwrap()
        .args(["list", "--runtime", "rt-nope"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no runtime 'rt-nope'").and(
            predicates::str::contains("rt-seq").and(predicates::str::contains("py-threading")),
        ));
    Command::cargo_bin("arena")
        .unwrap()
        .args(["bench", "--profile", "huge"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "possible values: smoke, quick, standard, full",
        ));
    Command::cargo_bin("arena")
        .unwrap()
        .args(["verify", "--workload", "cpu-nope"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("cpu-balanced"));
}

/// `arena compare --verdicts A B`: the marks side by side, and where one changed, what decided it in each run.
#[test]
fn compare_verdicts_sets_the_marks_side_by_side_and_says_why_one_changed() {
    let tmp = tempfile::tempdir().unwrap();
    let a = common::write_run(tmp.path(), "a", 1.0);
    let b = common::write_run(tmp.path(), "b", 1.0);
    // In B the emulated free-threaded racers lose nothing: "without the GIL, `counter += 1` loses updates" turns.
    let run = b.load().unwrap();
    for mut c in run.cells.into_iter().filter(|c| {
        c.cell.runtime == "rt-gil"
            && c.cell.variant == "free-threaded"
            && c.cell.workload == workloads::Workload::Race
    }) {
        if let Some(r) = c.report.as_mut() {
            r.lost_updates = Some(0);
        }
        b.write_cell(&c).unwrap();
    }
    let out = Command::cargo_bin("arena")
        .unwrap()
        .args(["compare", "--verdicts"])
        .arg(&a.path)
        .arg(&b.path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("| Without the GIL, `counter += 1` loses updates | supported | contradicted | **changed** |"),
        "{text}"
    );
    assert!(
        text.contains("15 of 16 claims have the same mark in both runs; 1 changed"),
        "{text}"
    );
    assert!(
        text.contains("- B, **contradicted**: `rt-gil/free-threaded` lost 0 of"),
        "{text}"
    );
    // A run against itself: nothing changed.
    let out = Command::cargo_bin("arena")
        .unwrap()
        .args(["compare", "--verdicts"])
        .arg(&a.path)
        .arg(&a.path)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("16 of 16 claims have the same mark in both runs; 0 changed"),
        "{text}"
    );
}
