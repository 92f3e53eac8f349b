//! The fixture's CPython-versions sweep (`raw/cpython.json`): a 3.9 that loses plain updates, a 3.12 that loses
//! none (and only `counter += f()`), and a free-threaded 3.13t that loses about half and runs two threads at 1.9x.

use arena::store::cpython::{
    CpythonRecord, Interpreter, LeftOut, Probe, Skipped, Source, SweepItem, SweepRun,
};
use arena::store::{Attempt, RunDir};
use workloads::{Size, Workload};

use super::{cell, report};

fn interpreter(id: &str, version: &str, ft: bool) -> Interpreter {
    Interpreter {
        id: id.into(),
        version: version.into(),
        executable: format!("/opt/python/{id}/bin/python3"),
        found_as: vec![format!("/usr/bin/python{id}")],
        gil_disabled_build: ft,
        gil_enabled: version.starts_with("3.13").then_some(!ft),
        switch_interval_s: 0.005,
        build_flags: if ft {
            vec!["--disable-gil".into()]
        } else {
            vec!["--enable-optimizations".into()]
        },
    }
}

fn run(id: &str, probe: Probe, round: u32, elapsed_ms: f64, lost: u64) -> SweepRun {
    let (rt, variant, w, workers, opts) = match &probe {
        Probe::Race { rmw, workers } => (
            "py-threading",
            "pool",
            Workload::Race,
            *workers,
            vec![("rmw".to_string(), rmw.clone())],
        ),
        Probe::CpuSeq => ("py-seq", "seq", Workload::CpuBalanced, 2, Vec::new()),
        Probe::CpuThreads { workers } => (
            "py-threading",
            "pool",
            Workload::CpuBalanced,
            *workers,
            Vec::new(),
        ),
    };
    let mut c = cell(rt, variant, w);
    c.workers = workers;
    c.opts = opts;
    SweepRun {
        item: SweepItem {
            interpreter: id.into(),
            probe,
            round,
        },
        attempt: Attempt {
            command: format!("/opt/python/{id}/bin/python3 peers/python/arena_peer.py ..."),
            wall_s: elapsed_ms / 1000.0 + 0.03,
            fault: None,
        },
        report: Some(report(&c, elapsed_ms, workers, None, lost)),
    }
}

/// (id, plain lost at 2 and 4 threads, call lost at 2 and 4, seq ms x3, threads ms x3).
type Spec = (&'static str, [u64; 4], [f64; 3], [f64; 3]);

/// Writes the fixture's `raw/cpython.json`.
pub fn write(dir: &RunDir) {
    // Attempted is W x 5,000,000 at the quick preset: 10 M at 2 threads, 20 M at 4.
    let specs: [Spec; 3] = [
        (
            "3.9.18",
            [4_000_000, 9_000_000, 5_000_000, 11_000_000],
            [800.0, 780.0, 820.0],
            [840.0, 900.0, 860.0],
        ),
        (
            "3.12.1",
            [0, 0, 4_000_000, 9_000_000],
            [600.0, 610.0, 590.0],
            [620.0, 600.0, 640.0],
        ),
        (
            "3.13.5t",
            [5_000_000, 10_500_000, 5_200_000, 10_000_000],
            [900.0, 950.0, 910.0],
            [480.0, 470.0, 500.0],
        ),
    ];
    let mut runs = Vec::new();
    for (id, lost, ..) in &specs {
        for (k, (rmw, workers)) in [("plain", 2), ("plain", 4), ("call", 2), ("call", 4)]
            .into_iter()
            .enumerate()
        {
            let p = Probe::Race {
                rmw: rmw.into(),
                workers,
            };
            runs.push(run(id, p, 0, 300.0, lost[k]));
        }
    }
    for (id, _, seq, thr) in &specs {
        for r in 0..3 {
            runs.push(run(id, Probe::CpuSeq, r as u32, seq[r], 0));
            runs.push(run(
                id,
                Probe::CpuThreads { workers: 2 },
                r as u32,
                thr[r],
                0,
            ));
        }
    }
    let rec = CpythonRecord {
        source: Source::Discovered,
        interpreters: vec![
            interpreter("3.9.18", "3.9.18", false),
            interpreter("3.12.1", "3.12.1", false),
            interpreter("3.13.5t", "3.13.5", true),
        ],
        skipped: vec![Skipped {
            path: "/root/.pyenv/versions/3.7.16/bin/python3".into(),
            version: Some("3.7.16".into()),
            reason: "3.7.16 is older than 3.8, the oldest the sweep runs".into(),
        }],
        budget_s: Some(90.0),
        size: Size::Quick,
        work_scale: 27,
        race_scale: 10,
        runs,
        left_out: vec![LeftOut {
            item: SweepItem {
                interpreter: "3.12.1".into(),
                probe: Probe::CpuSeq,
                round: 3,
            },
            reason: "over the profile's sweep budget: 89 s spent + 1.2 s expected > 90 s".into(),
        }],
        elapsed_s: 61.0,
    };
    dir.write_cpython(&rec).unwrap();
}
