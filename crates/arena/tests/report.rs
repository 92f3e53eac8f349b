//! The report rendered from fixture data (nothing timed), as snapshots.

mod common;

#[test]
fn report_from_fixture_data() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = common::write_run(tmp.path(), "2026-11-25-2200-fixture", 1.0);
    arena::report::render(&dir).unwrap();
    let report = std::fs::read_to_string(dir.path.join("report.md")).unwrap();
    let readme = std::fs::read_to_string(dir.path.join("README.md")).unwrap();
    insta::assert_snapshot!("report", report);
    insta::assert_snapshot!("readme", readme);
    // Every chart the report links exists and is an SVG carrying its labels.
    for name in [
        "cpu-balanced",
        "race",
        "scaling-workers",
        "scaling-tasks",
        "latency-mixed",
        "latency-io-net",
    ] {
        let svg =
            std::fs::read_to_string(dir.path.join("charts").join(format!("{name}.svg"))).unwrap();
        assert!(svg.starts_with("<svg"), "{name}");
        assert!(
            report.contains(&format!("charts/{name}.svg")),
            "{name} is not linked"
        );
    }
    let svg = std::fs::read_to_string(dir.path.join("charts/scaling-tasks.svg")).unwrap();
    assert!(svg.contains("tasks (log scale)") && svg.contains("rt-procs/pool"));
    let svg = std::fs::read_to_string(dir.path.join("charts/cpu-balanced.svg")).unwrap();
    assert!(svg.contains("rt-gil/free-threaded [workers=4]"));
}

#[test]
fn verdicts_follow_the_evidence() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = common::write_run(tmp.path(), "run", 1.0);
    let model = arena::report::Model::new(dir.load().unwrap(), "run");
    let marks: Vec<(&str, &str)> = arena::report::verdicts::all(&model)
        .iter()
        .map(|v| (v.claim, v.mark.text()))
        .collect();
    let get = |prefix: &str| marks.iter().find(|(c, _)| c.starts_with(prefix)).unwrap().1;
    assert_eq!(get("Threads are not parallel"), "supported");
    assert_eq!(get("Threads do help I/O"), "supported");
    assert_eq!(get("An event loop"), "supported");
    assert_eq!(get("CPU work blocks"), "supported");
    assert_eq!(get("Processes give"), "supported");
    assert_eq!(get("Processes cost more"), "supported");
    assert_eq!(get("The GIL makes"), "partly");
    assert_eq!(get("Message passing"), "supported");
    assert_eq!(get("Removing the GIL"), "supported");
}

#[test]
fn a_missing_runtime_gives_missing_evidence_not_a_guess() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = common::write_run(tmp.path(), "run", 1.0);
    // Take rt-procs out of the run entirely.
    for e in std::fs::read_dir(dir.path.join("raw/cells"))
        .unwrap()
        .flatten()
    {
        if e.file_name().to_string_lossy().contains(".rt-procs.") {
            std::fs::remove_file(e.path()).unwrap();
        }
    }
    let mut rts = common::runtimes();
    rts.retain(|r| r.name != "rt-procs");
    dir.write_runtimes(&rts).unwrap();
    let model = arena::report::Model::new(dir.load().unwrap(), "run");
    for v in arena::report::verdicts::all(&model) {
        if v.claim.contains("Processes") || v.claim.contains("Message passing") {
            assert_eq!(v.mark.text(), "missing evidence", "{}", v.claim);
            assert!(
                v.evidence.contains("no process-model runtime"),
                "{}",
                v.evidence
            );
        }
    }
}
