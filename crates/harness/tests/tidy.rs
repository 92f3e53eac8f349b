//! Keeps the workspace honest: every runtime crate (`crates/rt-*`) declares its `[package.metadata.arena]`, opens
//! with a `//!` header, keeps its notes in a non-empty `notes.md` that `src/main.rs` reads, and runs the conformance
//! suite from `tests/contract.rs`; and no runtime or harness source spells out an `extra` key as a string literal
//! (`.extra("key", ..)`) instead of naming it through `harness::contract::extra`.

use std::path::{Path, PathBuf};

const MODELS: [&str; 6] = [
    "sequential",
    "threads",
    "async",
    "parallel",
    "process",
    "emulated",
];

fn runtime_crates() -> Vec<PathBuf> {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&crates)
        .expect("crates/ is readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("rt-"))
        })
        .collect();
    dirs.sort();
    dirs
}

fn problems_of(dir: &Path) -> Vec<String> {
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    let mut p = Vec::new();
    let manifest: toml::Table =
        match std::fs::read_to_string(dir.join("Cargo.toml")).map(|s| s.parse()) {
            Ok(Ok(t)) => t,
            _ => return vec![format!("{name}: Cargo.toml is missing or not TOML")],
        };
    let package = manifest.get("package").and_then(|v| v.as_table());
    if package.and_then(|t| t.get("name")).and_then(|v| v.as_str()) != Some(name.as_str()) {
        p.push(format!("{name}: the package must be named like its folder"));
    }
    let arena = package
        .and_then(|t| t.get("metadata"))
        .and_then(|m| m.get("arena"))
        .and_then(|a| a.as_table());
    match arena {
        None => p.push(format!("{name}: Cargo.toml lacks [package.metadata.arena]")),
        Some(a) => {
            if a.get("display")
                .and_then(|v| v.as_str())
                .is_none_or(str::is_empty)
            {
                p.push(format!(
                    "{name}: [package.metadata.arena] needs display = \"...\""
                ));
            }
            if !a
                .get("model")
                .and_then(|v| v.as_str())
                .is_some_and(|m| MODELS.contains(&m))
            {
                p.push(format!(
                    "{name}: [package.metadata.arena] model must be one of {MODELS:?}"
                ));
            }
        }
    }
    let main = std::fs::read_to_string(dir.join("src/main.rs")).unwrap_or_default();
    if !main.trim_start().starts_with("//!") {
        p.push(format!(
            "{name}: src/main.rs must open with a //! header saying what the model is"
        ));
    }
    let notes = std::fs::read_to_string(dir.join("notes.md")).unwrap_or_default();
    if notes.trim().is_empty() {
        p.push(format!(
            "{name}: notes.md is missing or empty: write what a reader of the report should know about the model"
        ));
    } else if !main.contains(r#"include_str!("../notes.md")"#) {
        p.push(format!(
            "{name}: src/main.rs must read its notes with .notes_md(include_str!(\"../notes.md\"))"
        ));
    }
    let contract = std::fs::read_to_string(dir.join("tests/contract.rs")).unwrap_or_default();
    if !contract.contains("assert_conforms") {
        p.push(format!(
            "{name}: tests/contract.rs must call harness::testing::assert_conforms"
        ));
    }
    p
}

#[test]
fn every_runtime_crate_is_complete() {
    let dirs = runtime_crates();
    assert!(
        dirs.iter().any(|d| d.ends_with("rt-seq")),
        "rt-seq, the baseline, must exist"
    );
    let problems: Vec<String> = dirs.iter().flat_map(|d| problems_of(d)).collect();
    assert!(
        problems.is_empty(),
        "runtime crates are incomplete:\n- {}",
        problems.join("\n- ")
    );
}

#[test]
fn tidy_catches_an_incomplete_crate() {
    let dir = tempfile::tempdir().unwrap();
    let rt = dir.path().join("rt-bogus");
    std::fs::create_dir_all(rt.join("src")).unwrap();
    std::fs::write(rt.join("Cargo.toml"), "[package]\nname = \"rt-bogus\"\n").unwrap();
    std::fs::write(rt.join("src/main.rs"), "fn main() {}\n").unwrap();
    let p = problems_of(&rt);
    assert_eq!(p.len(), 4, "{p:?}");
    assert!(p.iter().any(|m| m.contains("notes.md is missing")), "{p:?}");
    // Blank notes are no notes; notes the binary does not read are not its notes.
    std::fs::write(rt.join("notes.md"), " \n\n").unwrap();
    assert!(
        problems_of(&rt)
            .iter()
            .any(|m| m.contains("notes.md is missing or empty"))
    );
    std::fs::write(rt.join("notes.md"), "Some notes.\n").unwrap();
    assert!(
        problems_of(&rt)
            .iter()
            .any(|m| m.contains("must read its notes"))
    );
}

/// Every `.rs` file below `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(rust_files(&p));
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// The lines of `src` where `.extra(` is given a string literal as its key, a key spelled out instead of named
/// through `harness::contract::extra` (whitespace, line breaks included, may sit between the two).
fn literal_extra_keys(src: &str) -> Vec<usize> {
    src.match_indices(".extra(")
        .filter(|(i, m)| src[i + m.len()..].trim_start().starts_with('"'))
        .map(|(i, _)| src[..i].lines().count().max(1))
        .collect()
}

#[test]
fn extra_keys_are_written_through_the_registry() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut dirs: Vec<PathBuf> = runtime_crates().iter().map(|d| d.join("src")).collect();
    dirs.push(crates.join("harness/src"));
    let files: Vec<PathBuf> = dirs.iter().flat_map(|d| rust_files(d)).collect();
    assert!(
        files.iter().any(|f| f.ends_with("rt-seq/src/main.rs")),
        "the runtime crates' sources were not found: {files:?}"
    );
    let found: Vec<String> = files
        .iter()
        .flat_map(|f| {
            let src = std::fs::read_to_string(f).unwrap_or_default();
            literal_extra_keys(&src)
                .into_iter()
                .map(move |line| format!("{}:{line}", f.display()))
        })
        .collect();
    assert!(
        found.is_empty(),
        "these pass a string literal to .extra(); name the key through harness::contract::extra (declare it there \
         if it is new):\n- {}",
        found.join("\n- ")
    );
}

#[test]
fn tidy_catches_a_literal_extra_key() {
    assert_eq!(
        literal_extra_keys("let o = Outcome::new(1)\n    .extra(\n        \"bogus\", 1);"),
        [2]
    );
    assert_eq!(
        literal_extra_keys(".extra(\"a\", 1).extra(extra::JOBS, 2)"),
        [1]
    );
    assert!(literal_extra_keys("o.extra(extra::JOBS, 2); o.extra[\"jobs\"]").is_empty());
}
