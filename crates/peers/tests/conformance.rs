//! The shared conformance suite, run on every peer of `peers/peers.toml` whose interpreter is present. A peer whose
//! interpreter is absent or too old is skipped with a visible `SKIPPED peer ...` line on stderr (written past the
//! test harness's capture, so it shows in a plain `cargo test`).

use std::io::Write;

use harness::testing::Conformance;

#[test]
fn every_present_peer_conforms() {
    let root = peers::repo_root();
    let peers = peers::discover(&root).unwrap_or_else(|e| panic!("{e}"));
    let mut failures = Vec::new();
    let mut ran = 0;
    // Why in parallel: each peer's suite is mostly waiting on interpreter start-up and timers; running them side by
    // side keeps the test short. The suite checks behaviour only, never speed.
    std::thread::scope(|s| {
        let handles: Vec<_> = peers
            .iter()
            .filter_map(|p| match &p.presence {
                peers::Presence::Absent { reason } => {
                    let _ = writeln!(std::io::stderr(), "SKIPPED peer {}: {reason}", p.spec.name);
                    None
                }
                peers::Presence::Present { .. } => {
                    ran += 1;
                    let argv = p.argv.clone();
                    let name = p.spec.name.clone();
                    Some((name, s.spawn(move || Conformance::new(argv).assert())))
                }
            })
            .collect();
        for (name, h) in handles {
            match h.join() {
                Ok(()) => {
                    let _ = writeln!(std::io::stderr(), "ok peer {name}");
                }
                Err(e) => {
                    let msg = e
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default();
                    failures.push(format!("{name}: {msg}"));
                }
            }
        }
    });
    assert!(
        failures.is_empty(),
        "peers failing conformance:\n{}",
        failures.join("\n")
    );
    let _ = writeln!(std::io::stderr(), "{ran} of {} peers checked", peers.len());
}
