//! The stages' order, held by the compiler and by this test: the run folder (`arena-store`) depends on no later
//! stage; the analysis (`arena-analysis`) on neither the report nor the binary; the report (`arena-report`) not on the
//! binary. And the report renders what the analysis computed: no section or chart calls an analysis function, and a
//! render builds its analysis once.

use std::collections::BTreeMap;

/// Each driver stage and the stages after it, which it must not depend on (normal, build or dev dependency).
const LATER: &[(&str, &[&str])] = &[
    ("arena-store", &["arena-analysis", "arena-report", "arena"]),
    ("arena-analysis", &["arena-report", "arena"]),
    ("arena-report", &["arena"]),
    // The contract crates sit below every stage.
    (
        "harness",
        &["arena-store", "arena-analysis", "arena-report", "arena"],
    ),
    (
        "workloads",
        &[
            "arena-store",
            "arena-analysis",
            "arena-report",
            "arena",
            "harness",
        ],
    ),
];

#[test]
fn no_stage_depends_on_a_later_one() {
    let meta = cargo_metadata::MetadataCommand::new()
        .no_deps()
        .exec()
        .expect("cargo metadata");
    let deps: BTreeMap<String, Vec<String>> = meta
        .workspace_packages()
        .into_iter()
        .map(|p| {
            (
                p.name.to_string(),
                p.dependencies.iter().map(|d| d.name.clone()).collect(),
            )
        })
        .collect();
    for (stage, later) in LATER {
        let of = deps
            .get(*stage)
            .unwrap_or_else(|| panic!("no workspace package {stage}"));
        for l in *later {
            assert!(
                !of.contains(&l.to_string()),
                "{stage} depends on {l}, a later stage (see docs/architecture.md)"
            );
        }
    }
    // The binary-only crates stay in the binary.
    for stage in ["arena-store", "arena-analysis", "arena-report"] {
        for only_binary in ["procfs", "cargo_metadata", "indicatif"] {
            assert!(
                !deps[stage].contains(&only_binary.to_string()),
                "{stage} depends on {only_binary}, which only the arena binary may use"
            );
        }
    }
}

/// Calls that compute an analysis: only `Analysis::new` (and a merge or comparison's own constructor) may make them.
const ANALYSIS_CALLS: &[&str] = &[
    "verdicts::all(",
    "floor::floor(",
    "calibrate(",
    "quality::assess(",
    "Analysis::new(",
    "Comparison::new(",
    "Merged::new(",
];

#[test]
fn no_section_or_chart_calls_an_analysis_function() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../report/src");
    let mut files = Vec::new();
    for sub in ["sections", "charts", "merge"] {
        for e in std::fs::read_dir(root.join(sub)).unwrap() {
            files.push(e.unwrap().path());
        }
    }
    files.push(root.join("compare.rs"));
    files.push(root.join("readme.rs"));
    let mut hits = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for call in ANALYSIS_CALLS {
                // `merge::load` builds the merge it renders, once.
                let allowed = *call == "Merged::new(" && f.ends_with("merge/mod.rs");
                if code.contains(call) && !allowed {
                    hits.push(format!("{}:{}: {}", f.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        hits.is_empty(),
        "the report renders what Analysis computed; these call the analysis themselves:\n{}",
        hits.join("\n")
    );
}

mod common;

#[test]
fn a_render_builds_its_analysis_once() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = common::write_run(tmp.path(), "fixture", 1.0);
    let before = arena::analysis::Analysis::built_on_this_thread();
    arena::report::render(&dir).unwrap();
    assert_eq!(
        arena::analysis::Analysis::built_on_this_thread() - before,
        1,
        "report.md, extra.md, README.md and the charts come from one analysis"
    );
    assert!(dir.path.join("report.md").is_file());
}
