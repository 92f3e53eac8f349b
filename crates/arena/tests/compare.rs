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
