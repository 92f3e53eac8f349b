//! A free-threaded peer is discovered only from an interpreter that says its GIL is off: fake interpreters (shell
//! scripts answering `--version`, the GIL probe and the executable probe) stand in for python3.14t and python3.13t.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// A fake CPython at `dir/name`: prints `version`, answers the GIL probe with `gil`, and its own path to the
/// executable probe.
fn fake(dir: &Path, name: &str, version: &str, gil: &str) -> String {
    let path = dir.join(name);
    let script = format!(
        "#!/bin/sh\ncase \"$*\" in\n  --version) echo 'Python {version}' ;;\n  *_is_gil_enabled*) echo '{gil}' ;;\n  *sys.executable*) echo '{}' ;;\n  *) exit 2 ;;\nesac\n",
        path.display()
    );
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.to_string_lossy().into_owned()
}

fn manifest(root: &Path, interpreter: &str, alternatives: &[String]) {
    std::fs::create_dir_all(root.join("peers/python")).unwrap();
    std::fs::write(root.join("peers/python/arena_peer.py"), "").unwrap();
    let alts: Vec<String> = alternatives.iter().map(|a| format!("{a:?}")).collect();
    std::fs::write(
        root.join(peers::MANIFEST),
        format!(
            "[[peer]]\nname = \"py-threading-ft\"\ncommand = [{interpreter:?}, \"peers/python/arena_peer.py\", \"threading\"]\n\
             interpreter = {interpreter:?}\nalternatives = [{}]\nfree_threaded = true\nmin_version = \"3.13\"\n\
             resolve = [\"-c\", \"import sys; print(sys.executable)\"]\nwork_scale = 27\n",
            alts.join(", ")
        ),
    )
    .unwrap();
}

#[test]
fn a_free_threaded_interpreter_is_found_and_a_gil_one_is_not() {
    let tmp = tempfile::tempdir().unwrap();
    let bin = tmp.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let with_gil = fake(&bin, "python3.14", "3.14.0", "True");
    let free = fake(&bin, "python3.13t", "3.13.1", "False");
    let old = fake(&bin, "python3.12", "3.12.1", "no-api");

    // The first name has its GIL on: the alternative that says False runs the peer, by its own path.
    manifest(tmp.path(), &with_gil, std::slice::from_ref(&free));
    let p = &peers::discover(tmp.path()).unwrap()[0];
    assert!(p.is_present(), "{:?}", p.presence);
    assert_eq!(p.argv[0], free);

    // None is free-threaded: absent, and the reason names each interpreter and why.
    manifest(
        tmp.path(),
        &with_gil,
        &[old.clone(), "arena-no-such-python3.14t".into()],
    );
    let p = &peers::discover(tmp.path()).unwrap()[0];
    match &p.presence {
        peers::Presence::Absent { reason } => {
            assert!(reason.contains("GIL enabled"), "{reason}");
            assert!(reason.contains("older than the 3.13"), "{reason}");
            assert!(
                reason.contains("arena-no-such-python3.14t not found on PATH"),
                "{reason}"
            );
        }
        present => panic!("no interpreter here is free-threaded: {present:?}"),
    }
    assert!(
        peers::check_free_threaded(&old)
            .unwrap_err()
            .contains("predates")
    );
}
