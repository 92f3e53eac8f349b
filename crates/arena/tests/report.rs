//! The report rendered from fixture data (nothing timed), as snapshots.

mod common;

use arena::analysis::calibration::{self, Compared, Presence, Rmw, ThreadsRole};
use arena::analysis::verdicts::{Evidence, Fact, Missing, Scope, Verdict};
use arena::report::claim;

/// The verdict whose claim starts with `prefix`, decided from `run`.
fn decided(run: arena::store::Loaded, prefix: &str) -> Verdict {
    arena::analysis::verdicts::all(&arena::analysis::Analysis::new(run, "run"))
        .into_iter()
        .find(|v| claim(v.claim).starts_with(prefix))
        .unwrap_or_else(|| panic!("no verdict on {prefix:?}"))
}

/// The mark and the plain-text evidence of the verdict whose claim starts with `prefix`, decided from `run`.
fn verdict(run: arena::store::Loaded, prefix: &str) -> (&'static str, String) {
    let v = decided(run, prefix);
    (
        v.mark.text(),
        arena::report::merge::markdown::evidence(&v.evidence),
    )
}

/// The speed facts of a verdict's evidence, with the scope of their clause.
fn speeds(v: &Verdict) -> Vec<(Option<Scope>, arena::analysis::verdicts::facts::Speed)> {
    let Evidence::Measured(clauses) = &v.evidence else {
        panic!("{:?}: no measured evidence", v.claim)
    };
    clauses
        .iter()
        .flat_map(|c| {
            c.facts.iter().filter_map(move |f| match f {
                Fact::Speed(s) => Some((c.scope, s.clone())),
                _ => None,
            })
        })
        .collect()
}

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
        .map(|v| (claim(v.claim), v.mark.text()))
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
    assert_eq!(get("Without the GIL"), "supported");
    assert_eq!(get("On one event loop"), "contradicted");
    assert_eq!(get("Processes are less efficient"), "supported");
    // The fixture ran on 2 CPUs: the one-core claim has no evidence, and says how to get some.
    assert_eq!(get("Without parallelism"), "missing evidence");
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
        if claim(v.claim).contains("Processes") || claim(v.claim).contains("Message passing") {
            assert_eq!(v.mark.text(), "missing evidence", "{:?}", v.claim);
            assert_eq!(
                v.evidence,
                Evidence::Missing(Missing::NoRuntime {
                    model: harness::Model::Process
                }),
                "{:?}",
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
    let cal = calibration::calibrate(&model);
    let agree = |topic: &str| {
        cal.findings
            .iter()
            .find(|f| arena::report::finding_topic(f).starts_with(topic))
            .unwrap_or_else(|| panic!("no finding on {topic}: {:?}", cal.findings))
            .agree
    };
    assert_eq!(agree("Threads on CPU work"), Some(true));
    // The fixture's CPython is 20 ms late at the 50 ms interval: the calibration must say they part there.
    assert_eq!(agree("The convoy effect"), Some(false));
    assert_eq!(agree("Lost updates with `counter += 1`"), Some(true));
    assert_eq!(agree("Lost updates with `counter += f()`"), Some(true));
    assert_eq!(agree("The peers' event loops"), None);
    assert_eq!(agree("Process-pool start-up"), None);
    // The findings' figures, typed: the convoy parts at 50 ms only; `counter += f()` loses updates on both sides.
    let convoy = cal
        .findings
        .iter()
        .find_map(|f| match &f.on {
            Compared::Convoy(c) => Some(c),
            _ => None,
        })
        .unwrap();
    assert_eq!(convoy.apart_us, [50_000]);
    let call = cal
        .findings
        .iter()
        .find_map(|f| match &f.on {
            Compared::Lost(l) if l.rmw == Rmw::Call => l.figures,
            _ => None,
        })
        .unwrap();
    assert_eq!(
        (call.emulated.lost, call.cpython.lost),
        (1_234_567, 6_000_000)
    );

    // The peers: node is absent, with the reason discovery gave; the CPython peers are present with their scales.
    let absent: Vec<_> = cal.absent().collect();
    assert_eq!(absent.len(), 1);
    assert_eq!(absent[0].name, "node");
    assert_eq!(
        absent[0].presence,
        Presence::Absent {
            reason: Some("peer not present: node not found on PATH".into())
        }
    );
    let threading = cal.present().find(|p| p.name == "py-threading").unwrap();
    assert!(
        matches!(
            &threading.presence,
            Presence::Present {
                work_scale: 27,
                race_scale: 10,
                ..
            }
        ),
        "{threading:?}"
    );

    // Two threads over one: CPython's row carries its median and its speedup over py-seq.
    let py = cal
        .threads
        .iter()
        .find(|r| r.role == ThreadsRole::CpythonGil)
        .unwrap();
    assert_eq!(py.median, Some(0.25));
    assert!((py.speedup.unwrap() - 0.26 / 0.25).abs() < 1e-9);
    // The convoy: one row per switch interval, apart only at 50 ms.
    let at = |us: u64| {
        cal.convoy
            .iter()
            .find(|r| r.switch_interval_us == us)
            .unwrap()
    };
    assert_eq!(at(500).agree(), Some(true));
    assert_eq!(at(50_000).agree(), Some(false));
    assert!((at(50_000).cpython.unwrap().p50 - 70.0).abs() < 1e-9);
    // Lost updates: the numbers of the kept runs, per form.
    let lost = |rt: &str, rmw: Rmw| {
        cal.lost
            .iter()
            .find(|r| r.player.as_ref().is_some_and(|p| p.runtime == rt) && r.rmw == rmw)
            .unwrap()
            .lost
    };
    assert_eq!(lost("rt-gil", Rmw::Plain), Some(0));
    assert_eq!(lost("rt-gil", Rmw::Call), Some(1_234_567));
    assert_eq!(lost("py-threading", Rmw::Call), Some(6_000_000));
    // The loops are cast by their facts (one thread, an event loop): the workspace's first, then the peers'. An
    // absent peer plays no part.
    let loops: Vec<String> = cal
        .loops
        .iter()
        .map(|r| format!("{}/{}", r.player.runtime, r.player.variant))
        .collect();
    assert!(
        loops.contains(&"rt-tokio/current-thread".to_string()),
        "{loops:?}"
    );
    assert!(loops.contains(&"py-asyncio/loop".to_string()), "{loops:?}");
    assert!(!loops.iter().any(|l| l.starts_with("node")), "{loops:?}");
    assert!(!cal.loops[0].peer && cal.loops.last().unwrap().peer);
    // Process-pool start-up: multiprocessing's spawn_ms and start method at two workers.
    let w2 = cal.spawn.iter().find(|r| r.workers == 2).unwrap();
    let mp = w2.multiprocessing.as_ref().unwrap();
    assert_eq!(
        (mp.median_ms, mp.cells, mp.start_method.as_deref()),
        (11.0, 1, Some("fork"))
    );

    // The rendered section says the same.
    let text = arena::report::markdown(&model, &[]);
    assert!(
        text.contains(&format!(
            "### {}.1 Two threads over one on CPU work",
            arena::report::SectionId::Calibration.number()
        )),
        "{text}"
    );
    assert!(text.contains("they part at 50 ms"), "{text}");
    assert!(text.contains("`node` (peer not present: node not found on PATH)"));
    assert!(text.contains("| py-threading/pool | call | "), "{text}");

    // The verdicts weigh the workspace runtimes, but for the claims only the peers can weigh (they say so) and the
    // claims about CPython, which its peers weigh first with the emulation beside them.
    use arena::analysis::verdicts::Claim;
    let about_cpython = |c: Claim| {
        matches!(
            c,
            Claim::NotParallelUnderGil
                | Claim::GilCounter
                | Claim::NoGilParallel
                | Claim::NoGilCounter
        )
    };
    let verdicts = arena::analysis::verdicts::all(&model);
    assert!(
        verdicts
            .iter()
            .filter(|v| !claim(v.claim).contains("peer") && !about_cpython(v.claim))
            .all(|v| v
                .evidence
                .facts()
                .all(|f| f.labels().iter().all(|l| !l.starts_with("py-"))))
    );
    assert!(
        verdicts
            .iter()
            .filter(|v| !claim(v.claim).contains("peer") && !about_cpython(v.claim))
            .all(|v| !arena::report::merge::markdown::evidence(&v.evidence).contains("py-"))
    );
    // The claims about CPython name the peer first, the emulation beside it.
    for c in [Claim::NotParallelUnderGil, Claim::GilCounter] {
        let v = verdicts.iter().find(|v| v.claim == c).unwrap();
        let text = arena::report::merge::markdown::evidence(&v.evidence);
        let (peer, emulation) = (
            text.find("`py-threading/pool").unwrap(),
            text.find("`rt-gil/pool").unwrap(),
        );
        assert!(
            peer < emulation && text.contains("beside it, the emulation: "),
            "{text}"
        );
    }

    // Without peers there is nothing to compare and the section says how to get them, inventing nothing.
    let mut rts = common::runtimes();
    rts.retain(|r| r.peer.is_none());
    dir.write_runtimes(&rts).unwrap();
    let model = arena::analysis::Analysis::new(dir.load().unwrap(), "run");
    assert_eq!(
        calibration::calibrate(&model),
        calibration::Calibration::default()
    );
    let text = arena::report::markdown(&model, &[]);
    assert!(text.contains("No peer took part"), "{text}");
    assert!(!text.contains("### 5.1"), "{text}");
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
        assert!(
            run.unreadable.is_empty(),
            "{}: {:?}",
            dir.name(),
            run.unreadable
        );
        assert_eq!(run.meta.schema_version, arena::store::SCHEMA_VERSION);
        // Written before variants declared facts: the migration gave every variant the facts it had then.
        for (r, info) in run.runtimes.iter().filter_map(|r| Some((r, r.ready()?))) {
            for v in &info.variants {
                assert!(v.facts.is_some(), "{} {}/{}", dir.name(), r.name, v.name);
            }
        }
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
    use workloads::Workload;
    let tmp = tempfile::tempdir().unwrap();
    let dir = common::write_run(tmp.path(), "run", 1.0);
    let mark = |run: arena::store::Loaded, prefix: &str| verdict(run, prefix).0;
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
    // The CPython peer decides this claim about CPython: with it still at one thread's speed, the emulation's 1.9x
    // is set beside it as a disagreement; with the peer at 1.9x too, contradicted.
    let (m, why) = verdict(turned.clone(), "Threads are not parallel");
    assert_eq!(m, "supported", "{why}");
    assert!(why.contains("the emulation comes out otherwise"), "{why}");
    let py_seq = turned.hyperfine[&key(&run, "py-seq", "seq", Workload::CpuBalanced, 1)].median;
    let py = key(&run, "py-threading", "pool", Workload::CpuBalanced, 2);
    turned.hyperfine.get_mut(&py).unwrap().median = py_seq / 1.9;
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
        c.cell.runtime == "rt-procs"
            && c.cell.workload == Workload::Race
            && c.cell.opts == [("shared".to_string(), "false".to_string())]
    }) {
        c.report.as_mut().unwrap().lost_updates = Some(5);
    }
    assert_eq!(mark(turned, "Message passing"), "contradicted");
    // Which process cells passed messages is read from the run itself: a cell without the opt, from before
    // `shared=true` became rt-procs' default, counts by the value its report recorded; without one, by the
    // runtime's listed default (now `true`: shared memory, not message passing).
    let procs_race = |run: &arena::store::Loaded| {
        run.cells
            .iter()
            .find(|c| c.cell.runtime == "rt-procs" && c.cell.workload == Workload::Race)
            .unwrap()
            .clone()
    };
    let mut old = run.clone();
    let mut cell = procs_race(&old);
    cell.cell.opts.clear();
    cell.report.as_mut().unwrap().params.insert(
        "opts".into(),
        serde_json::json!({"shared": "false", "sync": "none"}),
    );
    old.cells
        .retain(|c| !(c.cell.runtime == "rt-procs" && c.cell.workload == Workload::Race));
    old.cells.push(cell.clone());
    assert_eq!(mark(old.clone(), "Message passing"), "supported");
    cell.report.as_mut().unwrap().params.remove("opts");
    old.cells
        .retain(|c| !(c.cell.runtime == "rt-procs" && c.cell.workload == Workload::Race));
    old.cells.push(cell);
    assert_eq!(mark(old, "Message passing"), "missing evidence");

    // Without the GIL the emulation's racers lose updates: supported; had they lost none: contradicted.
    let set_lost = |run: &mut arena::store::Loaded, rt: &str, v: &str, yields: bool, n: u64| {
        for c in run.cells.iter_mut().filter(|c| {
            c.cell.runtime == rt
                && c.cell.variant == v
                && c.cell.workload == Workload::Race
                && c.cell.opts.is_empty() != yields
        }) {
            c.report.as_mut().unwrap().lost_updates = Some(n);
        }
    };
    assert_eq!(mark(run.clone(), "Without the GIL"), "supported");
    let mut turned = run.clone();
    set_lost(&mut turned, "rt-gil", "free-threaded", false, 0);
    assert_eq!(mark(turned, "Without the GIL"), "contradicted");

    // One loop without a GIL lost nothing without an await: the GIL is not what keeps it whole (contradicted);
    // had it lost updates without an await, the claim would stand.
    assert_eq!(mark(run.clone(), "On one event loop"), "contradicted");
    let mut turned = run.clone();
    set_lost(&mut turned, "rt-tokio", "current-thread", false, 5);
    assert_eq!(mark(turned, "On one event loop"), "supported");

    // Processes against threads with a worker per wait: 25x (supported); 1% slower, however significant, is under
    // the smallest effect that matters (partly); faster (contradicted).
    assert_eq!(mark(run.clone(), "Processes cost more"), "supported");
    let in_flight = |rt: &str| {
        run.cells
            .iter()
            .find(|c| {
                c.cell.runtime == rt
                    && c.cell.workload == Workload::IoSleep
                    && c.cell.workers == 100
            })
            .unwrap()
            .cell
            .key()
    };
    let (pk, tk) = (in_flight("rt-procs"), in_flight("rt-threads"));
    let threads_hf = run.hyperfine[&tk].clone();
    let mut turned = run.clone();
    let p = turned.hyperfine.get_mut(&pk).unwrap();
    *p = threads_hf.clone();
    for t in p.times.iter_mut() {
        *t *= 1.01;
    }
    p.median = threads_hf.median * 1.01;
    let (m, why) = verdict(turned.clone(), "Processes cost more");
    assert_eq!(m, "partly", "a 1% effect: {why}");
    assert!(why.contains("1.01x"), "{why}");
    let p = turned.hyperfine.get_mut(&pk).unwrap();
    for t in p.times.iter_mut() {
        *t *= 0.5;
    }
    p.median = threads_hf.median * 0.5;
    assert_eq!(mark(turned, "Processes cost more"), "contradicted");
    // At the run's 2 workers both pools keep two waits in flight: not the cells this claim reads.
    let (_, why) = verdict(run.clone(), "Processes cost more");
    assert!(
        why.contains("workers=100") && !why.contains("[tasks=1000]"),
        "{why}"
    );

    // A process pool against one loop on io-sleep: slower (supported); as fast (contradicted).
    assert_eq!(
        mark(run.clone(), "Processes are less efficient"),
        "supported"
    );
    let mut turned = run.clone();
    let loop_keys: Vec<(Option<u64>, f64)> = run
        .cells
        .iter()
        .filter(|c| c.cell.runtime == "rt-tokio" && c.cell.workload == Workload::IoSleep)
        .map(|c| (c.cell.tasks, run.hyperfine[&c.cell.key()].median))
        .collect();
    for c in run.cells.iter().filter(|c| {
        c.cell.runtime == "rt-procs"
            && c.cell.workload == Workload::IoSleep
            && c.cell.opts.is_empty()
    }) {
        if let Some((_, m)) = loop_keys.iter().find(|(t, _)| *t == c.cell.tasks) {
            turned.hyperfine.get_mut(&c.cell.key()).unwrap().median = *m;
        }
    }
    assert_eq!(mark(turned, "Processes are less efficient"), "contradicted");

    // Time-slicing needs one CPU: on the fixture's 2, missing evidence. On 1 CPU, the thread pool's two workers at
    // 1.9x do not take turns but its waits overlap (partly); at rt-seq's time they take turns (supported); with
    // neither (contradicted).
    assert_eq!(mark(run.clone(), "Without parallelism"), "missing evidence");
    let mut one = run.clone();
    one.meta.machine.logical_cpus = 1;
    assert_eq!(mark(one.clone(), "Without parallelism"), "partly");
    let pool2 = key(&run, "rt-threads", "pool", Workload::CpuBalanced, 2);
    one.hyperfine.get_mut(&pool2).unwrap().median = seq;
    assert_eq!(mark(one.clone(), "Without parallelism"), "supported");
    let io_seq = run
        .cells
        .iter()
        .find(|c| {
            c.cell.runtime == "rt-seq"
                && c.cell.workload == Workload::IoSleep
                && c.cell.tasks == Some(100)
        })
        .map(|c| run.hyperfine[&c.cell.key()].median)
        .unwrap();
    // The waits are weighed on threads that can have two in flight: a pool of one worker (what every cell gets on
    // one CPU unless a sweep sets it) waits for one task after another and is not evidence either way.
    let mut one_worker = one.clone();
    for c in one_worker
        .cells
        .iter_mut()
        .filter(|c| c.cell.runtime == "rt-threads" && c.cell.workload == Workload::IoSleep)
    {
        let median = if c.cell.variant == "pool" {
            c.cell.workers = 1;
            io_seq
        } else {
            io_seq / 40.0
        };
        let k = c.cell.key();
        one_worker.hyperfine.get_mut(&k).unwrap().median = median;
    }
    let (m, why) = verdict(one_worker.clone(), "Without parallelism");
    assert_eq!(m, "supported", "{why}");
    assert!(why.contains("rt-threads/per-task"), "{why}");
    // The same, read from the typed figures: computing on the pool's two workers at rt-seq's time, waiting on a
    // thread per task at 40x.
    let v = decided(one_worker, "Without parallelism");
    let [(computing, pool), (waiting, per_task)] = speeds(&v).try_into().unwrap();
    assert_eq!(computing, Some(Scope::Computing { cpus: Some(1) }));
    assert_eq!(
        (pool.label.as_str(), pool.workers),
        ("rt-threads/pool [workers=2]", Some(2))
    );
    assert!((pool.speedup - 1.0).abs() < 1e-9, "{pool:?}");
    assert_eq!(waiting, Some(Scope::Waiting));
    assert_eq!(per_task.label, "rt-threads/per-task [tasks=100]");
    assert!((per_task.speedup - 40.0).abs() < 1e-6, "{per_task:?}");
    for c in run
        .cells
        .iter()
        .filter(|c| c.cell.runtime == "rt-threads" && c.cell.workload == Workload::IoSleep)
    {
        one.hyperfine.get_mut(&c.cell.key()).unwrap().median = io_seq * 2.0;
    }
    one.hyperfine.get_mut(&pool2).unwrap().median = seq / 1.9;
    assert_eq!(mark(one, "Without parallelism"), "contradicted");
}

/// The run folder holds its cells as data: `cells.csv` and `cells.json`, one row per cell of the run (timed or not),
/// with hyperfine's figures where it was timed and its status where it was not.
#[test]
fn the_cells_are_written_as_csv_and_json_one_row_per_cell() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = common::write_run(tmp.path(), "r", 1.0);
    arena::report::render(&dir).unwrap();
    let run = dir.load().unwrap();
    let mut rd = csv::Reader::from_path(dir.path.join("cells.csv")).unwrap();
    let headers = rd.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), run.cells.len(), "one row per cell");
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let timed = run
        .cells
        .iter()
        .filter(|c| c.status == arena::store::Status::Timed)
        .count();
    assert_eq!(
        rows.iter().filter(|r| &r[col("status")] == "timed").count(),
        timed
    );
    for r in &rows {
        let has_median = !r[col("median_s")].is_empty();
        assert_eq!(has_median, &r[col("status")] == "timed", "{r:?}");
    }
    // A label with a comma in it stays one field.
    assert!(rows.iter().any(|r| r[col("label")].contains(", ")));
    let json: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.path.join("cells.json")).unwrap())
            .unwrap();
    assert_eq!(json.len(), run.cells.len());
    assert_eq!(
        json[0]["key"],
        serde_json::Value::from(&rows[0][col("key")])
    );
}

/// A corrupt cell file costs only its own cell: the report renders the rest and names the file under failures.
#[test]
fn a_corrupt_cell_file_is_reported_and_the_rest_renders() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = common::write_run(tmp.path(), "r", 1.0);
    let cells = dir.path.join("raw").join("cells");
    let mut files: Vec<_> = std::fs::read_dir(&cells)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let n = files.len();
    std::fs::write(&files[0], "{ not json").unwrap();
    // And a timed cell whose hyperfine export is gone.
    let timed = dir
        .load()
        .unwrap()
        .cells
        .into_iter()
        .find(|c| c.status == arena::store::Status::Timed)
        .unwrap();
    std::fs::remove_file(dir.hyperfine_file(&timed.cell.key())).unwrap();
    arena::report::render(&dir).unwrap();
    let run = dir.load().unwrap();
    assert_eq!(run.cells.len(), n - 1);
    assert_eq!(run.unreadable.len(), 2, "{:?}", run.unreadable);
    let text = std::fs::read_to_string(dir.path.join("report.md")).unwrap();
    let name = files[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        text.contains(&format!("`raw/cells/{name}` could not be read")),
        "{text}"
    );
    assert!(text.contains(&format!(
        "`raw/hyperfine/{}.json` could not be read",
        timed.cell.key()
    )));
}

/// A repeat that failed is counted and shown beside the runs the figures rest on, never dropped without a word.
#[test]
fn a_failed_repeat_is_counted_and_shown() {
    let tmp = tempfile::tempdir().unwrap();
    let mut run = common::write_run(tmp.path(), "r", 1.0).load().unwrap();
    let c = run
        .cells
        .iter_mut()
        .find(|c| c.cell.workload == workloads::Workload::Spawn && !c.repeats.is_empty())
        .expect("a floor cell with repeats");
    let kept = c.repeats.len();
    c.repeats.pop();
    c.failed_repeats.push(arena::store::Fault::Failed {
        stderr: "rt-x: out of memory".into(),
    });
    let label = c.cell.label();
    let a = arena::analysis::Analysis::new(run, "r");
    let text = arena::report::markdown(&a, &[]);
    let line = format!(
        "**{label}**: 1 of its {kept} untimed repeats failed (the first: failed (exit 1): rt-x: out of memory); its \
         figures rest on the pilot and the {} that did not",
        kept - 1
    );
    assert!(text.contains(&line), "no line {line:?} in:\n{text}");
}

/// On two CPUs the one-core claim is weighed on the cells the plan pinned to one CPU (`Cell::pinned`), each beside
/// the sequential runtime pinned the same way; the pinned rows stay out of every other table and verdict.
#[test]
fn the_one_core_claim_is_weighed_on_pinned_cells_inside_a_two_cpu_run() {
    use workloads::Workload;
    let mark = |run: arena::store::Loaded, prefix: &str| verdict(run, prefix).0;
    let tmp = tempfile::tempdir().unwrap();
    let run = common::write_run(tmp.path(), "r", 1.0).load().unwrap();
    assert_eq!(run.meta.machine.logical_cpus, 2);
    assert_eq!(mark(run.clone(), "Without parallelism"), "missing evidence");
    // Pinned copies of four cells, with the medians of one CPU: the pool takes turns (rt-seq's time), the thread per
    // task overlaps its waits (a 40th of rt-seq's).
    let mut pinned = run.clone();
    let pick = |rt: &str, v: &str, w: Workload, tasks: Option<u64>| {
        run.cells
            .iter()
            .find(|c| {
                c.cell.runtime == rt
                    && c.cell.variant == v
                    && c.cell.workload == w
                    && c.cell.opts.is_empty()
                    && (tasks.is_none() || c.cell.tasks == tasks)
                    && (w != Workload::CpuBalanced || c.cell.workers == 2 || rt == "rt-seq")
            })
            .unwrap_or_else(|| panic!("no {rt}/{v} {w} cell"))
            .clone()
    };
    let seq_cpu = pick("rt-seq", "seq", Workload::CpuBalanced, None);
    let seq_io = pick("rt-seq", "seq", Workload::IoSleep, Some(100));
    let seq_cpu_ms = run.hyperfine[&seq_cpu.cell.key()].median;
    let seq_io_ms = run.hyperfine[&seq_io.cell.key()].median;
    for (c, median) in [
        (seq_cpu.clone(), seq_cpu_ms),
        (
            pick("rt-threads", "pool", Workload::CpuBalanced, None),
            seq_cpu_ms,
        ),
        (seq_io.clone(), seq_io_ms),
        (
            pick("rt-threads", "per-task", Workload::IoSleep, Some(100)),
            seq_io_ms / 40.0,
        ),
    ] {
        let mut c = c;
        let mut hf = run.hyperfine[&c.cell.key()].clone();
        c.cell.pinned = Some(1);
        hf.median = median;
        pinned.hyperfine.insert(c.cell.key(), hf);
        pinned.cells.push(c);
    }
    let (m, why) = verdict(pinned.clone(), "Without parallelism");
    assert_eq!(m, "supported", "{why}");
    assert!(why.contains("cpus=1"), "{why}");
    // Every figure it rests on is a pinned cell's.
    let v = decided(pinned.clone(), "Without parallelism");
    let labels: Vec<&str> = v.evidence.facts().flat_map(|f| f.labels()).collect();
    assert_eq!(labels.len(), 2, "{labels:?}");
    assert!(labels.iter().all(|l| l.contains("cpus=1")), "{labels:?}");
    // Nothing else sees them: the cpu-balanced rows, and so the parallel claims, are the unpinned ones.
    let a = arena::analysis::Analysis::new(pinned, "p");
    assert_eq!(a.pinned.len(), 4);
    assert!(a.rows.iter().all(|r| r.cell.pinned.is_none()));
    assert!(
        a.pinned.iter().all(|r| r.speedup.is_some()),
        "each pinned row has its pinned baseline"
    );
}

/// The verdicts and the calibration pick cells by the facts a variant declares, never by its name: the fixture's
/// one-thread loop renamed to a runtime the driver has never heard of, with helper threads of its own (as smol's
/// single executor has async-io's reactor thread), still decides the event-loop verdicts and heads the loops table.
#[test]
fn a_new_runtime_joins_by_its_facts() {
    use arena::analysis::Analysis;
    let tmp = tempfile::tempdir().unwrap();
    let dir = common::write_run(tmp.path(), "run", 1.0);
    let mut run = dir.load().unwrap();
    let marks = |run: arena::store::Loaded| {
        let a = Analysis::new(run, "run");
        let v: Vec<(&str, &str)> = arena::analysis::verdicts::all(&a)
            .into_iter()
            .map(|v| (claim(v.claim), v.mark.text()))
            .collect();
        let loops: Vec<String> = arena::analysis::calibration::calibrate(&a)
            .loops
            .iter()
            .map(|r| format!("{}/{}", r.player.runtime, r.player.variant))
            .collect();
        (v, loops)
    };
    let (before, _) = marks(run.clone());
    for r in run.runtimes.iter_mut().filter(|r| r.name == "rt-tokio") {
        r.name = "rt-brand-new".into();
        for v in &mut r.info.as_mut().unwrap().variants {
            v.name = "solo".into();
        }
    }
    let mut hyperfine = std::collections::BTreeMap::new();
    for c in &mut run.cells {
        let old = c.cell.key();
        if c.cell.runtime == "rt-tokio" {
            c.cell.runtime = "rt-brand-new".into();
            c.cell.variant = "solo".into();
            if let Some(r) = c.report.as_mut() {
                r.os_threads_peak = 2;
            }
        }
        if let Some(h) = run.hyperfine.get(&old) {
            hyperfine.insert(c.cell.key(), h.clone());
        }
    }
    run.hyperfine = hyperfine;
    let (after, loops) = marks(run);
    assert_eq!(before, after);
    assert_eq!(loops.first().map(String::as_str), Some("rt-brand-new/solo"));
    let get = |p: &str| after.iter().find(|(c, _)| c.starts_with(p)).unwrap().1;
    assert_eq!(get("An event loop"), "supported");
    assert_eq!(get("CPU work blocks"), "supported");
}

/// A run whose calibration kernel drifted past the limit says so at the top, and every verdict resting on its cells
/// is less certain; the same run with a steady kernel says nothing of the kind.
#[test]
fn an_unsteady_run_says_so_at_the_top() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = common::write_run(tmp.path(), "run", 1.0);
    let md = |run: arena::store::Loaded| {
        arena::report::markdown(&arena::analysis::Analysis::new(run, "run"), &[])
    };
    let run = dir.load().unwrap();
    let steady = md(run.clone());
    assert!(!steady.contains("not steady"));
    assert_eq!(steady.matches("(less certain:").count(), 1, "{steady}");
    let mut drifting = run;
    drifting
        .meta
        .quality
        .calibration_ms
        .push(("end".into(), 36.0));
    let text = md(drifting);
    let top = text.split("## 1.").next().unwrap();
    assert!(
        top.contains("**The machine was not steady during this run**"),
        "{top}"
    );
    assert!(top.contains("took up to 20% longer"), "{top}");
    assert!(
        text.matches("(less certain: the run was unsteady)").count() >= 5,
        "{text}"
    );
}

/// asyncio against Node is decided from the peers' own elapsed_ms over the pilot and its repeats, at 1,000 tasks and
/// more: slower everywhere at p < 0.05 is supported, faster is contradicted. Node is cast by its facts (one loop, no
/// GIL), asyncio by its (one loop, a GIL).
#[test]
fn asyncio_against_node_turns_with_the_elapsed_times() {
    use workloads::Workload;
    let tmp = tempfile::tempdir().unwrap();
    let dir = common::write_run(tmp.path(), "run", 1.0);
    let base = dir.load().unwrap();
    let mark = |run: arena::store::Loaded| verdict(run, "asyncio underperforms");
    assert_eq!(mark(base.clone()).0, "missing evidence");
    // Node joins the run (present, with its facts), and both loops ran io-net at 1,000 tasks five times.
    let with = |py_ms: f64| {
        let mut run = base.clone();
        let node = run.runtimes.iter_mut().find(|r| r.name == "node").unwrap();
        node.excluded = None;
        node.info = Some(
            harness::Info::new("node", "Node.js event loop", harness::Model::Async)
                .variant("event-loop", "one loop")
                .facts(harness::Facts::event_loop(harness::Threads::One))
                .workloads(Workload::LOAD),
        );
        let template = run
            .cells
            .iter()
            .find(|c| c.cell.runtime == "py-asyncio" && c.cell.workload == Workload::IoSleep)
            .unwrap()
            .clone();
        run.cells
            .retain(|c| c.cell.runtime != "py-asyncio" || c.cell.workload != Workload::IoNet);
        for (rt, v, ms) in [("py-asyncio", "loop", py_ms), ("node", "event-loop", 100.0)] {
            let mut c = template.clone();
            c.cell.runtime = rt.into();
            c.cell.variant = v.into();
            c.cell.workload = Workload::IoNet;
            c.cell.tasks = Some(1_000);
            c.cell.point = Some(arena::plan::Point {
                axis: arena::plan::Axis::Tasks,
                value: 1_000,
            });
            let runs: Vec<harness::RunReport> = [0.98, 1.0, 1.02, 0.99, 1.01]
                .iter()
                .map(|f| {
                    let mut r = c.report.clone().unwrap();
                    r.runtime = rt.into();
                    r.workload = Workload::IoNet;
                    r.elapsed_ms = ms * f;
                    r
                })
                .collect();
            c.report = Some(runs[0].clone());
            c.repeats = runs[1..].to_vec();
            run.cells.push(c);
        }
        run
    };
    let (m, why) = mark(with(180.0));
    assert_eq!(m, "supported", "{why}");
    assert!(
        why.contains("1.80x") && why.contains("no other CPython loop (uvloop)"),
        "{why}"
    );
    assert_eq!(mark(with(60.0)).0, "contradicted");
    // As fast within the noise: not the underperformance the claim describes.
    assert_eq!(mark(with(100.5)).0, "contradicted");
}

/// A cell copied from `template` as `rt/variant` of workload `w` with these opts, its report's latency p99 or lost
/// updates set.
fn synthetic(
    template: &arena::store::CellRecord,
    rt: &str,
    variant: &str,
    w: workloads::Workload,
    opts: &[(&str, &str)],
    p99: Option<f64>,
    lost: Option<u64>,
) -> arena::store::CellRecord {
    let mut c = template.clone();
    c.cell.runtime = rt.into();
    c.cell.variant = variant.into();
    c.cell.workload = w;
    c.cell.opts = opts
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    c.cell.params.clear();
    c.cell.point = None;
    let r = c.report.as_mut().unwrap();
    r.runtime = rt.into();
    r.variant = variant.into();
    r.workload = w;
    if let Some(p) = p99 {
        r.latency_ms = Some(harness::Latency {
            p50: p / 2.0,
            p90: p,
            p99: p,
            max: p,
        });
    }
    if let Some(n) = lost {
        r.lost_updates = Some(n);
    }
    c
}

/// The peers' verdicts on offloading under the GIL and on JavaScript's shared memory, both ways.
#[test]
fn the_peer_verdicts_turn_with_their_evidence() {
    use workloads::Workload;
    let tmp = tempfile::tempdir().unwrap();
    let dir = common::write_run(tmp.path(), "run", 1.0);
    let base = dir.load().unwrap();
    let mixed = base
        .cells
        .iter()
        .find(|c| c.cell.workload == Workload::Mixed && c.report.is_some())
        .unwrap()
        .clone();
    // asyncio's mixed ticker (5 ms waits) with a thread pool and with a process pool.
    let offload = |threads_ms: f64, procs_ms: f64| {
        let mut run = base.clone();
        for (v, ms) in [("true", threads_ms), ("process", procs_ms)] {
            run.cells.push(synthetic(
                &mixed,
                "py-asyncio",
                "loop",
                Workload::Mixed,
                &[("offload", v)],
                Some(ms),
                None,
            ));
        }
        run
    };
    assert_eq!(
        verdict(base.clone(), "Under a GIL, offloading").0,
        "missing evidence"
    );
    let (m, why) = verdict(offload(42.0, 1.2), "Under a GIL, offloading");
    assert_eq!(m, "supported", "{why}");
    // Threads unblock it too: half the claim fails (partly); and processes do not: both fail (contradicted).
    assert_eq!(
        verdict(offload(1.0, 1.2), "Under a GIL, offloading").0,
        "partly"
    );
    assert_eq!(
        verdict(offload(1.0, 40.0), "Under a GIL, offloading").0,
        "contradicted"
    );

    // Node: one loop loses nothing; worker_threads over a SharedArrayBuffer lose updates with plain reads and
    // writes and none with Atomics: partly. Had the atomic cell lost some: contradicted; had nothing lost: supported.
    let race = base
        .cells
        .iter()
        .find(|c| c.cell.workload == Workload::Race && c.report.is_some())
        .unwrap()
        .clone();
    let node = |none: u64, atomic: u64| {
        let mut run = base.clone();
        let rt = run.runtimes.iter_mut().find(|r| r.name == "node").unwrap();
        rt.excluded = None;
        rt.info = Some(
            harness::Info::new("node", "Node.js event loop", harness::Model::Async)
                .variant("event-loop", "one loop")
                .facts(harness::Facts::event_loop(harness::Threads::One))
                .variant("workers", "worker_threads")
                .facts(harness::Facts {
                    shares_memory: true,
                    ..harness::Facts::threads(harness::Threads::Workers)
                })
                .workloads(Workload::LOAD),
        );
        run.cells.push(synthetic(
            &race,
            "node",
            "event-loop",
            Workload::Race,
            &[],
            None,
            Some(0),
        ));
        run.cells.push(synthetic(
            &race,
            "node",
            "workers",
            Workload::Race,
            &[],
            None,
            Some(none),
        ));
        run.cells.push(synthetic(
            &race,
            "node",
            "workers",
            Workload::Race,
            &[("sync", "atomic")],
            None,
            Some(atomic),
        ));
        run
    };
    let js = "JavaScript cannot race";
    assert_eq!(verdict(base.clone(), js).0, "missing evidence");
    let (m, why) = verdict(node(12_345, 0), js);
    assert_eq!(m, "partly", "{why}");
    assert!(why.contains("`node/workers` lost 12345"), "{why}");
    assert_eq!(verdict(node(12_345, 7), js).0, "contradicted");
    assert_eq!(verdict(node(0, 0), js).0, "supported");
}

/// A free-threaded CPython, when one took part, is set beside the emulation in the two GIL-removal verdicts: its
/// figure joins the evidence, and where it disagrees the mark is partly. Without one, the evidence says so.
#[test]
fn a_free_threaded_cpython_joins_the_gil_removal_verdicts() {
    use workloads::Workload;
    let tmp = tempfile::tempdir().unwrap();
    let dir = common::write_run(tmp.path(), "run", 1.0);
    let base = dir.load().unwrap();
    let (m, why) = verdict(base.clone(), "Without the GIL");
    assert_eq!(m, "supported");
    assert!(why.contains("no free-threaded CPython took part"), "{why}");
    // py-threading-ft joins: its pool's racers lost updates (agrees) or none (disagrees).
    let with_ft = |lost: u64| {
        let mut run = base.clone();
        let mut e = run
            .runtimes
            .iter()
            .find(|r| r.name == "py-threading")
            .unwrap()
            .clone();
        e.name = "py-threading-ft".into();
        let info = e.info.as_mut().unwrap();
        info.runtime = "py-threading-ft".into();
        for v in &mut info.variants {
            v.facts = v.facts.map(|f| harness::Facts {
                holds_gil: false,
                ..f
            });
        }
        run.runtimes.push(e);
        let mut c = run
            .cells
            .iter()
            .find(|c| {
                c.cell.runtime == "py-threading"
                    && c.cell.workload == Workload::Race
                    && c.cell.opts.is_empty()
            })
            .unwrap()
            .clone();
        c.cell.runtime = "py-threading-ft".into();
        c.report.as_mut().unwrap().runtime = "py-threading-ft".into();
        c.report.as_mut().unwrap().lost_updates = Some(lost);
        run.cells.push(c);
        run
    };
    let (m, why) = verdict(with_ft(777), "Without the GIL");
    assert_eq!(m, "supported", "{why}");
    assert!(
        why.contains("a free-threaded CPython: `py-threading-ft/pool` lost 777"),
        "{why}"
    );
    // The real interpreter decides: keeping every update, it contradicts the claim, and the emulation beside it is
    // said to disagree.
    let (m, why) = verdict(with_ft(0), "Without the GIL");
    assert_eq!(m, "contradicted", "{why}");
    assert!(why.contains("the emulation beside it disagrees"), "{why}");
}
