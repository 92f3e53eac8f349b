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

/// The string literals of Rust source `text`, each with the line it starts on and whether it is a `#[error(...)]`
/// message. A small scanner, enough for this workspace's code: it skips comments (so doc comments may quote code in
/// backticks), char literals and lifetimes, and reads plain, byte and raw strings.
fn string_literals(text: &str) -> Vec<(usize, String, bool)> {
    let b = text.as_bytes();
    let (mut i, mut line, mut out) = (0, 1, Vec::new());
    let mut code = String::new();
    while i < b.len() {
        match b[i] {
            b'\n' => {
                line += 1;
                code.push('\n');
                i += 1;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let end = text[i + 2..].find("*/").map_or(b.len(), |e| i + 2 + e + 2);
                line += text[i..end].matches('\n').count();
                i = end;
            }
            b'\'' => {
                // A char literal ('x', '\n', '\''), or a lifetime ('a), which has no closing quote after one char.
                if b.get(i + 1) == Some(&b'\\') {
                    i += 2 + text[i + 2..].find('\'').map_or(0, |e| e + 1) + 1;
                } else if b.get(i + 2) == Some(&b'\'') {
                    i += 3;
                } else {
                    let c = text[i + 1..].chars().next().map_or(1, char::len_utf8);
                    if text[i + 1 + c..].starts_with('\'') {
                        i += 2 + c;
                    } else {
                        i += 1;
                    }
                }
            }
            b'r' if matches!(b.get(i + 1), Some(b'"' | b'#'))
                && !code.ends_with(|c: char| c.is_alphanumeric() || c == '_') =>
            {
                let hashes = b[i + 1..].iter().take_while(|c| **c == b'#').count();
                let open = i + 1 + hashes;
                if b.get(open) != Some(&b'"') {
                    code.push('r');
                    i += 1;
                    continue;
                }
                let close = format!("\"{}", "#".repeat(hashes));
                let end = text[open + 1..]
                    .find(&close)
                    .map_or(b.len(), |e| open + 1 + e);
                let s = &text[open + 1..end];
                out.push((line, s.to_string(), code.trim_end().ends_with("#[error(")));
                line += s.matches('\n').count();
                i = end + close.len();
            }
            b'"' => {
                let mut j = i + 1;
                while j < b.len() && b[j] != b'"' {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                let s = &text[i + 1..j.min(b.len())];
                out.push((line, s.to_string(), code.trim_end().ends_with("#[error(")));
                line += s.matches('\n').count();
                i = j + 1;
            }
            _ => {
                let c = text[i..].chars().next().unwrap();
                code.push(c);
                i += c.len_utf8();
            }
        }
    }
    out
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Markdown is the report's: the analysis computes figures, and no string it builds carries a backtick (a cell label
/// in code format, an opt, a statement). The one exception is an error message (`#[error(...)]`), which is the
/// command line's words, not the report's.
#[test]
fn the_analysis_writes_no_markdown() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../analysis/src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    files.sort();
    assert!(files.len() > 10, "{files:?}");
    let mut hits = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for (line, s, error) in string_literals(&text) {
            if s.contains('`') && !error {
                hits.push(format!("{}:{line}: \"{s}\"", f.display()));
            }
        }
    }
    assert!(
        hits.is_empty(),
        "the analysis returns typed figures; the report words them (crates/report/src/evidence.rs and its \
         sections). These string literals carry markdown:\n{}",
        hits.join("\n")
    );
}

#[test]
fn the_scanner_reads_strings_not_comments() {
    let src = r##"
        /// A doc comment may say `code`.
        fn f<'a>(x: &'a str) -> char { let _ = "plain"; let _ = '`'; let _ = '\''; // `not a string`
            /* `block` */ let _ = r#"raw `tick`"#; let _ = "esc \" `tick`"; 'x' }
        #[error("use `arena report DIR`")]
    "##;
    let found: Vec<(usize, String, bool)> = string_literals(src);
    assert_eq!(
        found,
        [
            (3, "plain".to_string(), false),
            (4, "raw `tick`".to_string(), false),
            (4, "esc \\\" `tick`".to_string(), false),
            (5, "use `arena report DIR`".to_string(), true),
        ]
    );
}
