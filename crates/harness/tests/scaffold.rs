//! Keeps the runtime template from rotting: scaffolds `rt-demo` with `scripts/new-runtime` into a temporary copy of
//! the workspace, builds it, and runs the conformance suite on it. Also checks that a taken or bad name is refused
//! with exit 2 and changes nothing.

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

/// Every file below `dir`, relative, sorted.
fn listing(dir: &Path) -> Vec<PathBuf> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                out.push(p.strip_prefix(base).unwrap().to_path_buf());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// A copy of the workspace holding only what the template depends on.
fn minimal_workspace(into: &Path) {
    let root = workspace_root();
    for f in ["Cargo.toml", "Cargo.lock"] {
        std::fs::copy(root.join(f), into.join(f)).unwrap();
    }
    copy_dir(&root.join("scripts"), &into.join("scripts"));
    for c in ["workloads", "harness", "delay-server"] {
        let dst = into.join("crates").join(c);
        std::fs::create_dir_all(&dst).unwrap();
        for part in ["Cargo.toml", "src"] {
            let src = root.join("crates").join(c).join(part);
            if src.is_dir() {
                copy_dir(&src, &dst.join(part));
            } else {
                std::fs::copy(&src, dst.join(part)).unwrap();
            }
        }
    }
}

fn new_runtime(ws: &Path, name: &str) -> std::process::Output {
    Command::new("bash")
        .arg(ws.join("scripts/new-runtime"))
        .arg(name)
        .current_dir(ws)
        .output()
        .unwrap()
}

#[test]
fn scaffolded_runtime_builds_and_conforms() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path();
    minimal_workspace(ws);
    let before = listing(ws);

    let out = new_runtime(ws, "demo");
    assert!(
        out.status.success(),
        "new-runtime failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let added: Vec<_> = listing(ws)
        .into_iter()
        .filter(|p| !before.contains(p))
        .collect();
    assert!(
        added.iter().all(|p| p.starts_with("crates/rt-demo")),
        "it wrote outside crates/rt-demo: {added:?}"
    );
    assert_eq!(added.len(), 4, "{added:?}");

    // A taken name and a bad name are refused with exit 2 and change nothing.
    let snapshot = listing(ws);
    for bad in ["demo", "Bad Name", "9lives", ""] {
        let out = new_runtime(ws, bad);
        assert_eq!(out.status.code(), Some(2), "name {bad:?}");
        assert!(!out.stderr.is_empty(), "name {bad:?} gave no message");
        assert_eq!(listing(ws), snapshot, "name {bad:?} changed the tree");
    }

    // Build it. A target directory of its own (kept between runs), because the one running this test is locked.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("scaffold-target");
    let build = Command::new(env!("CARGO"))
        .args(["build", "--offline", "-p", "rt-demo"])
        .env("CARGO_TARGET_DIR", &target)
        .current_dir(ws)
        .output()
        .unwrap();
    assert!(
        build.status.success(),
        "rt-demo does not build:\n{}",
        String::from_utf8_lossy(&build.stderr)
    );

    let bin = target.join("debug/rt-demo");
    let suite = harness::testing::Conformance::new(vec![bin.to_string_lossy().into_owned()]);
    let info = suite.list();
    assert_eq!(info.runtime, "rt-demo");
    assert_eq!(info.display, "Demo");
    suite.assert();
}
