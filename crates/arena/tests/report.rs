//! The report rendered from fixture data (nothing timed), as snapshots.

mod common;

use arena::analysis::verdicts::{Evidence, Missing};

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
    let model = arena::analysis::Analysis::new(dir.load().unwrap(), "run");
    let marks: Vec<(&str, &str)> = arena::analysis::verdicts::all(&model)
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
    let model = arena::analysis::Analysis::new(dir.load().unwrap(), "run");
    for v in arena::analysis::verdicts::all(&model) {
        if v.claim.contains("Processes") || v.claim.contains("Message passing") {
            assert_eq!(v.mark.text(), "missing evidence", "{}", v.claim);
            assert_eq!(
                v.evidence,
                Evidence::Missing(Missing::NoRuntime {
                    model: harness::Model::Process
                }),
                "{}",
                v.claim
            );
        }
    }
}

#[test]
fn calibration_sets_the_emulation_beside_cpython_and_names_absent_peers() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = common::write_run(tmp.path(), "run", 1.0);
    let model = arena::analysis::Analysis::new(dir.load().unwrap(), "run");
    let (text, found) = arena::analysis::calibration::section(&model, 5);
    let agree = |topic: &str| {
        found
            .iter()
            .find(|f| f.topic.starts_with(topic))
            .unwrap_or_else(|| panic!("no finding on {topic}: {found:?}"))
            .agree
    };
    assert_eq!(agree("Threads on CPU work"), Some(true));
    // The fixture's CPython is 20 ms late at the 50 ms interval: the section must say they part there.
    assert_eq!(agree("The convoy effect"), Some(false));
    assert!(text.contains("they part at 50 ms"), "{text}");
    assert_eq!(agree("Lost updates with `counter += 1`"), Some(true));
    assert_eq!(agree("Lost updates with `counter += f()`"), Some(true));
    assert_eq!(agree("asyncio against Node"), None);
    assert!(text.contains("`node` (peer not present: node not found on PATH)"));
    // py-threading's speedup is against py-seq (same scaled work), never against rt-seq.
    let py = model
        .rows
        .iter()
        .find(|r| {
            r.cell.runtime == "py-threading" && r.cell.workload == workloads::Workload::CpuBalanced
        })
        .unwrap();
    assert!((py.speedup.unwrap() - 0.26 / 0.25).abs() < 1e-9);
    // The verdicts weigh the workspace runtimes only.
    assert!(
        arena::analysis::verdicts::all(&model)
            .iter()
            .all(|v| !matches!(&v.evidence, Evidence::Measured(t) if t.contains("py-")))
    );

    // Without peers the section says how to get them, and invents nothing.
    let mut rts = common::runtimes();
    rts.retain(|r| r.peer.is_none());
    dir.write_runtimes(&rts).unwrap();
    let model = arena::analysis::Analysis::new(dir.load().unwrap(), "run");
    let (text, found) = arena::analysis::calibration::section(&model, 5);
    assert!(text.contains("No peer took part"), "{text}");
    assert!(found.is_empty());
}

/// The runs committed under results/ were written before the raw schema had a version: they still load (migrated)
/// and render.
#[test]
fn committed_runs_still_load() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../results");
    let mut n = 0;
    for e in std::fs::read_dir(&root).unwrap().flatten() {
        if !e.path().join("raw/run.json").is_file() {
            continue;
        }
        let dir = arena::store::RunDir::open(&e.path()).unwrap();
        let run = dir.load().unwrap();
        assert_eq!(run.meta.schema_version, arena::store::SCHEMA_VERSION);
        let a = arena::analysis::Analysis::new(run, &dir.name());
        assert!(!a.rows.is_empty(), "{}", dir.name());
        let md = arena::report::markdown(&a, &[]);
        assert!(md.contains("## 1. Verdicts"), "{}", dir.name());
        n += 1;
    }
    assert!(n >= 2, "only {n} committed runs found");
}

/// Each verdict below is decided from the fixture's rows, then decided again with the one figure it rests on
/// turned the other way: the mark must follow. Nothing is rendered or timed.
#[test]
fn verdicts_turn_with_their_evidence() {
    use arena::analysis::Analysis;
    use workloads::Workload;
    let tmp = tempfile::tempdir().unwrap();
    let dir = common::write_run(tmp.path(), "run", 1.0);
    let mark = |run: arena::store::Loaded, prefix: &str| {
        arena::analysis::verdicts::all(&Analysis::new(run, "run"))
            .into_iter()
            .find(|v| v.claim.starts_with(prefix))
            .unwrap()
            .mark
            .text()
    };
    let key = |run: &arena::store::Loaded, rt: &str, v: &str, w: Workload, workers: u64| {
        run.cells
            .iter()
            .find(|c| {
                c.cell.runtime == rt
                    && c.cell.variant == v
                    && c.cell.workload == w
                    && c.cell.workers == workers
                    && c.cell.opts.is_empty()
            })
            .unwrap()
            .cell
            .key()
    };

    // Under the GIL, two workers give no speedup: supported. Give rt-gil's pool half rt-seq's time: contradicted.
    let run = dir.load().unwrap();
    assert_eq!(mark(run.clone(), "Threads are not parallel"), "supported");
    let mut turned = run.clone();
    let seq = turned.hyperfine[&key(&run, "rt-seq", "seq", Workload::CpuBalanced, 1)].median;
    let gil = key(&run, "rt-gil", "pool", Workload::CpuBalanced, 2);
    turned.hyperfine.get_mut(&gil).unwrap().median = seq / 1.9;
    assert_eq!(mark(turned, "Threads are not parallel"), "contradicted");

    // Processes in parallel: supported; at rt-seq's own time: contradicted.
    let procs = key(&run, "rt-procs", "pool", Workload::CpuBalanced, 2);
    let mut turned = run.clone();
    turned.hyperfine.get_mut(&procs).unwrap().median = seq;
    assert_eq!(mark(run.clone(), "Processes give"), "supported");
    assert_eq!(mark(turned, "Processes give"), "contradicted");

    // Message passing loses nothing: supported; a process race that lost updates: contradicted.
    assert_eq!(mark(run.clone(), "Message passing"), "supported");
    let mut turned = run.clone();
    for c in turned.cells.iter_mut().filter(|c| {
        c.cell.runtime == "rt-procs" && c.cell.workload == Workload::Race && c.cell.opts.is_empty()
    }) {
        c.report.as_mut().unwrap().lost_updates = Some(5);
    }
    assert_eq!(mark(turned, "Message passing"), "contradicted");
}
