//! `peers/presets.json` (the `--size` presets the Python and Node peers read) must equal `Params::preset`, so a
//! change to the Rust presets cannot leave the peers running different sizes. `ARENA_BLESS=1` rewrites the file.

use workloads::{Params, Size, Workload};

#[test]
fn peer_presets_equal_the_rust_presets() {
    let path = peers::repo_root().join("peers/presets.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let file: serde_json::Value = serde_json::from_str(&text).expect("presets.json is JSON");
    let mut expected = serde_json::Map::new();
    let mut problems = Vec::new();
    for w in Workload::ALL {
        let mut sizes = serde_json::Map::new();
        for s in Size::ALL {
            let mut p = serde_json::to_value(Params::preset(w, s, 1)).expect("Params serializes");
            p.as_object_mut().expect("an object").remove("workers");
            if file[w.name()][s.name()] != p {
                problems.push(format!(
                    "{w} {s}: file has {}, Params::preset has {p}",
                    file[w.name()][s.name()]
                ));
            }
            sizes.insert(s.name().into(), p);
        }
        expected.insert(w.name().into(), sizes.into());
    }
    let pretty = serde_json::to_string_pretty(&expected).unwrap_or_default() + "\n";
    if !problems.is_empty() && std::env::var_os("ARENA_BLESS").is_some() {
        std::fs::write(&path, pretty).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        return;
    }
    assert!(
        problems.is_empty(),
        "peers/presets.json differs from Params::preset:\n{}\nRewrite it with `ARENA_BLESS=1 cargo test -p peers --test presets`.",
        problems.join("\n"),
    );
}
