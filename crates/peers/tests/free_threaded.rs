//! A free-threaded peer is discovered only from an interpreter that says its GIL is off: fake interpreters (shell
//! scripts answering `--version`, the GIL probe and the executable probe) stand in for python3.14t and python3.13t.

use std::io::Write;
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

#[test]
fn the_interpreter_setup_builds_is_found_in_tools_after_path() {
    let tmp = tempfile::tempdir().unwrap();
    let tools = tmp.path().join(peers::FREE_THREADED_BIN);
    std::fs::create_dir_all(&tools).unwrap();
    // Names no PATH holds: only the copy in .tools/python-ft/bin can run the peer.
    let (first, second) = ("arena-fake-python3.14t", "arena-fake-python3.13t");
    manifest(tmp.path(), first, &[second.into()]);

    // Nothing anywhere: absent, and the reason says which step provides one.
    let p = &peers::discover(tmp.path()).unwrap()[0];
    match &p.presence {
        peers::Presence::Absent { reason } => {
            assert!(
                reason.contains(&format!("{first} not found on PATH")),
                "{reason}"
            );
            assert!(reason.contains(peers::FREE_THREADED_BIN), "{reason}");
            assert!(reason.contains("just setup-free-threaded"), "{reason}");
        }
        present => panic!("nothing is installed: {present:?}"),
    }

    // A GIL build there does not count, and says why.
    let gil = fake(&tools, second, "3.13.5", "True");
    let p = &peers::discover(tmp.path()).unwrap()[0];
    match &p.presence {
        peers::Presence::Absent { reason } => {
            assert!(
                reason.contains(&format!("{gil} runs with its GIL enabled")),
                "{reason}"
            );
            assert!(reason.contains("just setup-free-threaded"), "{reason}");
        }
        present => panic!("{gil} has its GIL on: {present:?}"),
    }

    // The free-threaded build setup leaves there runs the peer, by its own path, without a change to PATH.
    let free = fake(&tools, second, "3.13.5", "False");
    let p = &peers::discover(tmp.path()).unwrap()[0];
    assert!(p.is_present(), "{:?}", p.presence);
    assert_eq!(p.argv[0], free);
    assert!(p.argv[1].ends_with("arena_peer.py"), "{:?}", p.argv);

    // Only free-threaded peers look there: the same entry without `free_threaded` stays absent.
    let text = std::fs::read_to_string(tmp.path().join(peers::MANIFEST)).unwrap();
    std::fs::write(
        tmp.path().join(peers::MANIFEST),
        text.replace("free_threaded = true\n", ""),
    )
    .unwrap();
    let p = &peers::discover(tmp.path()).unwrap()[0];
    assert!(!p.is_present(), "{:?}", p.argv);
}

/// Why: the conformance suite skips an absent peer, so a build that discovery failed to see would turn the -ft
/// peers' checks into SKIPPED lines without anyone noticing. Where setup's build is in place, they must be present.
#[test]
fn the_free_threaded_peers_are_present_where_setup_built_their_interpreter() {
    let root = peers::repo_root();
    let bin = root.join(peers::FREE_THREADED_BIN);
    let built = ["python3.14t", "python3.13t"]
        .iter()
        .map(|n| bin.join(n))
        .find(|p| peers::check_free_threaded(&p.to_string_lossy()).is_ok());
    let Some(built) = built else {
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED the check on setup's free-threaded build: none in {}",
            bin.display()
        );
        return;
    };
    for p in peers::discover(&root).unwrap() {
        if p.spec.free_threaded {
            assert!(
                p.is_present(),
                "{}: {} is free-threaded, yet {:?}",
                p.spec.name,
                built.display(),
                p.presence
            );
        }
    }
}

/// What the Python peer says of itself on an interpreter whose GIL is `gil`, for each implementation `impls`:
/// `models.describe` asked directly (there is no free-threaded CPython here to ask, and no switch turns the GIL off in
/// a GIL build), as JSON; `None` when python3 is absent.
fn describe(impls: &[&str], gil: bool) -> Option<serde_json::Value> {
    let dir = peers::repo_root().join("peers/python");
    let script = format!(
        "import json, sys\nsys.dont_write_bytecode = True\nsys.path.insert(0, {dir:?})\nimport models\n\
         print(json.dumps({{i: models.describe(models.IMPLS[i], gil={}, listing=False) for i in {impls:?}}}))\n",
        if gil { "True" } else { "False" }
    );
    let out = match std::process::Command::new("python3")
        .args(["-c", &script])
        .output()
    {
        Ok(o) => o,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => panic!("python3 could not run: {e}"),
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

#[test]
fn the_python_peer_names_itself_by_its_manifest_entry_and_claims_no_gil_when_its_gil_is_off() {
    let root = peers::repo_root();
    let manifest = peers::Manifest::load(&root.join(peers::MANIFEST)).unwrap();
    let python: Vec<_> = manifest
        .peer
        .iter()
        .filter(|p| {
            p.command
                .get(1)
                .is_some_and(|s| s.ends_with("arena_peer.py"))
        })
        .collect();
    assert!(
        python.iter().any(|p| p.free_threaded),
        "no free-threaded Python peer in the manifest"
    );
    let impls = ["seq", "threading", "asyncio", "multiprocessing"];
    let (Some(with_gil), Some(without)) = (describe(&impls, true), describe(&impls, false)) else {
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED the Python peer's naming: python3 not found on PATH"
        );
        return;
    };
    // Every Python entry of the manifest is named what the peer calls itself under its kind of interpreter, so the
    // driver (which names a runtime by its `list`) finds each entry under its own name.
    for p in &python {
        let info = if p.free_threaded { &without } else { &with_gil };
        assert_eq!(
            info[p.command[2].as_str()]["runtime"],
            p.name.as_str(),
            "{}",
            p.name
        );
    }
    for i in impls {
        let info = &without[i];
        assert!(info["runtime"].as_str().unwrap().ends_with("-ft"), "{info}");
        let mut text = vec![info["notes"].as_str().unwrap().to_string()];
        for v in info["variants"].as_array().unwrap() {
            assert_eq!(
                v["facts"]["holds_gil"], false,
                "{i}/{}: a GIL is off",
                v["name"]
            );
            text.push(v["notes"].as_str().unwrap().to_string());
        }
        for o in info["opts"].as_array().unwrap() {
            text.push(o["help"].as_str().unwrap().to_string());
        }
        for t in text {
            assert!(
                !t.contains("the GIL") && !t.contains("and GIL"),
                "{i}: claims a GIL where there is none: {t}"
            );
        }
        // The same peer under a GIL build claims it, where it runs threads under one.
        let gil = &with_gil[i];
        assert!(!gil["runtime"].as_str().unwrap().ends_with("-ft"), "{gil}");
        if i == "threading" {
            assert!(
                gil["notes"]
                    .as_str()
                    .unwrap()
                    .contains("under the real GIL")
            );
            assert_eq!(gil["variants"][0]["facts"]["holds_gil"], true);
        }
    }
}
