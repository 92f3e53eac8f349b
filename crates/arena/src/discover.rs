//! Discovery: which runtimes exist, from the workspace itself. No hand-kept list anywhere: a runtime is a workspace
//! package with a `[package.metadata.arena]` table (`display`, `model`), built in release mode and asked `list`.
//!
//! A runtime is a *command* (a program and its leading arguments), not necessarily one of our binaries: the peers of
//! `peers/peers.toml` (CPython and Node.js running the same contract) join through [`peers`], each as
//! `python3 peers/python/arena_peer.py threading --work-scale 27 --race-scale 10`, for instance. A peer whose
//! interpreter is absent or too old is kept, excluded, with the reason, so the report can name it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, bail};
use harness::Info;
use serde::{Deserialize, Serialize};
use workloads::Workload;

pub use arena_store::{Entrant, PeerMeta, Standing};

/// The workspace the driver works in.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// The folder with the root `Cargo.toml`.
    pub root: PathBuf,
    /// Cargo's target folder.
    pub target: PathBuf,
    /// The packages with `[package.metadata.arena]`, sorted by name.
    pub candidates: Vec<Candidate>,
}

/// A workspace package that declares itself a runtime.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Candidate {
    /// The package (and binary) name, e.g. `rt-tokio`.
    pub package: String,
    /// `metadata.arena.display`.
    pub display: String,
    /// `metadata.arena.model`.
    pub model: String,
}

/// Reads the workspace with `cargo metadata --no-deps`.
pub fn workspace() -> anyhow::Result<Workspace> {
    let meta = cargo_metadata::MetadataCommand::new()
        .no_deps()
        .exec()
        .context(
            "`cargo metadata` failed; run arena from inside the Concurrency Arena workspace",
        )?;
    let mut candidates: Vec<Candidate> = meta
        .workspace_packages()
        .into_iter()
        .filter_map(|p| {
            let a = p.metadata.get("arena")?;
            let text = |k: &str| a.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
            Some(Candidate {
                package: p.name.to_string(),
                display: text("display"),
                model: text("model"),
            })
        })
        .collect();
    candidates.sort_by(|a, b| a.package.cmp(&b.package));
    Ok(Workspace {
        root: meta.workspace_root.into_std_path_buf(),
        target: meta.target_directory.into_std_path_buf(),
        candidates,
    })
}

/// Builds the chosen packages in release mode and asks each binary `list`. A package that does not build or answers
/// badly is kept with the reason in `excluded`; the others go on.
pub fn build_and_query(
    ws: &Workspace,
    only: &[String],
    quiet: bool,
) -> anyhow::Result<Vec<Entrant>> {
    let chosen: Vec<&Candidate> = ws
        .candidates
        .iter()
        .filter(|c| only.is_empty() || only.contains(&c.package))
        .collect();
    for o in only {
        if !ws.candidates.iter().any(|c| c.package == *o) {
            let names: Vec<_> = ws.candidates.iter().map(|c| c.package.as_str()).collect();
            let peers = peer_names(&ws.root).unwrap_or_default();
            return Err(crate::UsageError(format!(
                "no runtime '{o}' in this workspace; runtimes found: {}; peers: {} (a runtime is a crates/rt-* package with [package.metadata.arena], a peer an entry of peers/peers.toml)",
                names.join(", "),
                if peers.is_empty() {
                    "none".into()
                } else {
                    peers.join(", ")
                }
            ))
            .into());
        }
    }
    let names: Vec<String> = chosen.iter().map(|c| c.package.clone()).collect();
    let failed = build(&ws.root, &names, quiet)?;
    let mut out = Vec::new();
    for c in chosen {
        let bin = ws.target.join("release").join(&c.package);
        let mut rt = Entrant {
            name: c.package.clone(),
            package: Some(c.package.clone()),
            command: vec![bin.display().to_string()],
            info: None,
            excluded: None,
            peer: None,
        };
        if let Some(why) = failed.iter().find(|(p, _)| *p == c.package).map(|(_, w)| w) {
            rt.excluded = Some(format!("did not build: {why}"));
        } else {
            query_into(&mut rt);
        }
        out.push(rt);
    }
    Ok(out)
}

/// A runtime given as a command (e.g. `--runtime-bin PATH`), asked `list`.
pub fn from_command(command: Vec<String>) -> Entrant {
    let name = command
        .first()
        .and_then(|p| Path::new(p).file_name())
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| "runtime".into());
    let mut rt = Entrant {
        name,
        package: None,
        command,
        info: None,
        excluded: None,
        peer: None,
    };
    query_into(&mut rt);
    rt
}

/// The peers of `<root>/peers/peers.toml` named in `only` (empty: all), each asked `list` when its interpreter is
/// present, or kept excluded with the reason (`node not found on PATH`). A missing manifest means no peers.
pub fn peers(root: &Path, only: &[String]) -> anyhow::Result<Vec<Entrant>> {
    if !root.join(peers::MANIFEST).is_file() {
        return Ok(Vec::new());
    }
    let found = peers::discover(root)?;
    Ok(found
        .into_iter()
        .filter(|p| only.is_empty() || only.contains(&p.spec.name))
        .map(|p| {
            let meta = PeerMeta {
                interpreter: p.spec.interpreter.clone(),
                version: match &p.presence {
                    peers::Presence::Present { version } => Some(version.to_string()),
                    peers::Presence::Absent { .. } => None,
                },
                work_scale: p.spec.work_scale,
                race_scale: p.spec.race_scale,
            };
            let mut rt = match &p.presence {
                peers::Presence::Present { .. } => from_command(p.argv.clone()),
                peers::Presence::Absent { reason } => Entrant {
                    name: p.spec.name.clone(),
                    package: None,
                    command: p.argv.clone(),
                    info: None,
                    excluded: Some(format!("peer not present: {reason}")),
                    peer: None,
                },
            };
            rt.peer = Some(meta);
            rt
        })
        .collect())
}

/// The names of the peers in `<root>/peers/peers.toml` (none without the manifest).
pub fn peer_names(root: &Path) -> anyhow::Result<Vec<String>> {
    if !root.join(peers::MANIFEST).is_file() {
        return Ok(Vec::new());
    }
    let m = peers::Manifest::load(&root.join(peers::MANIFEST))?;
    Ok(m.peer.into_iter().map(|p| p.name).collect())
}

fn query_into(rt: &mut Entrant) {
    match query(&rt.command) {
        Ok(info) => {
            rt.name = info.runtime.clone();
            if info.variants.is_empty() || info.workloads.is_empty() {
                rt.excluded = Some("its `list` names no variant or no workload".into());
            }
            rt.info = Some(info);
        }
        Err(e) => rt.excluded = Some(format!("{e:#}")),
    }
}

/// Runs `<command> list` and parses its Info.
pub fn query(command: &[String]) -> anyhow::Result<Info> {
    let mut cmd = Command::new(&command[0]);
    cmd.args(&command[1..]).arg("list");
    let out = crate::proc::run(&mut cmd, Duration::from_secs(30))
        .with_context(|| format!("could not start {}", command[0]))?;
    if !out.success() {
        bail!(
            "`{} list` exited with {:?}: {}",
            crate::proc::command_line(command),
            out.code,
            out.stderr_tail()
        );
    }
    serde_json::from_str(out.stdout.trim()).with_context(|| {
        format!(
            "`{} list` did not print one Info JSON object",
            crate::proc::command_line(command)
        )
    })
}

/// `cargo build --release` of the packages; returns those that failed with a one-line reason. All are built at once
/// first (fast); if that fails, one by one, so that one broken crate does not exclude the rest.
fn build(root: &Path, packages: &[String], quiet: bool) -> anyhow::Result<Vec<(String, String)>> {
    if packages.is_empty() {
        return Ok(Vec::new());
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let run = |pkgs: &[String]| -> anyhow::Result<crate::proc::Output> {
        let mut cmd = Command::new(&cargo);
        cmd.current_dir(root).args(["build", "--release"]);
        if quiet {
            cmd.arg("--quiet");
        }
        for p in pkgs {
            cmd.args(["-p", p]);
        }
        crate::proc::run(&mut cmd, Duration::from_secs(1800))
            .with_context(|| format!("could not run `{cargo} build`; is cargo on PATH?"))
    };
    if !quiet {
        eprintln!("arena: building {} in release mode", packages.join(", "));
    }
    let all = run(packages)?;
    if all.success() {
        return Ok(Vec::new());
    }
    let mut failed = Vec::new();
    for p in packages {
        let o = run(std::slice::from_ref(p))?;
        if !o.success() {
            let why = o
                .stderr
                .lines()
                .find(|l| l.starts_with("error"))
                .unwrap_or("cargo build failed")
                .trim()
                .to_string();
            eprintln!("arena: {p} does not build and is left out: {why}");
            failed.push((p.clone(), why));
        }
    }
    Ok(failed)
}

/// Options shared by `list`, `verify` and `bench`.
#[derive(Debug, Clone)]
pub struct Options {
    /// Only these runtimes (package names or peers); empty: all.
    pub runtimes: Vec<String>,
    /// Extra runtimes given as binaries (`--runtime-bin`).
    pub runtime_bins: Vec<PathBuf>,
    /// Skip workspace discovery: only `--runtime-bin` runtimes.
    pub no_discover: bool,
    /// Leave out the peers of `peers/peers.toml` (CPython, Node.js).
    pub no_peers: bool,
    /// Only these workloads; empty: all.
    pub workloads: Vec<Workload>,
    /// Seconds a check-size run may take before it counts as hung.
    pub verify_timeout_s: f64,
}

/// Finds, builds and asks every entrant the options select.
pub fn entrants(ws: &Workspace, o: &Options) -> anyhow::Result<Vec<Entrant>> {
    let peer_names = if o.no_discover || o.no_peers {
        Vec::new()
    } else {
        peer_names(&ws.root)?
    };
    // `--runtime` may name workspace packages and peers; the workspace is built only for what it names (all of it
    // when `--runtime` is not given or names a package).
    let (peers_only, packages_only): (Vec<String>, Vec<String>) = o
        .runtimes
        .iter()
        .cloned()
        .partition(|r| peer_names.contains(r));
    let mut rts = if o.no_discover || (packages_only.is_empty() && !peers_only.is_empty()) {
        Vec::new()
    } else {
        build_and_query(ws, &packages_only, false)?
    };
    if !peer_names.is_empty() && (o.runtimes.is_empty() || !peers_only.is_empty()) {
        rts.extend(peers(&ws.root, &peers_only)?);
    }
    for b in &o.runtime_bins {
        let abs = std::fs::canonicalize(b).map_err(|_| {
            crate::UsageError(format!(
                "--runtime-bin {}: no such file; give the path of a runtime binary",
                b.display()
            ))
        })?;
        rts.push(from_command(vec![abs.display().to_string()]));
    }
    for (r, why) in rts.iter().filter_map(|r| Some((r, r.excluded()?))) {
        eprintln!("arena: {} is left out: {why}", r.name);
    }
    Ok(rts)
}

/// `arena list`: every entrant the options select, as a table or as JSON; returns the exit code.
pub fn list(o: &Options, json: bool) -> anyhow::Result<i32> {
    let ws = workspace()?;
    let rts = entrants(&ws, o)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&rts)?);
        return Ok(0);
    }
    for r in &rts {
        match r.standing() {
            Standing::Ready(i) => {
                println!("{} ({}, {:?} model)", r.name, i.display, i.model);
                for v in &i.variants {
                    // A variant that runs only some of the workloads says which (the floor workloads run only
                    // where the model has the unit they measure).
                    let only = v.workloads.as_ref().map_or(String::new(), |ws| {
                        let names: Vec<_> = ws.iter().map(|w| w.name()).collect();
                        format!(" [only {}]", names.join(", "))
                    });
                    println!(
                        "  variant {}{}{only}: {}",
                        v.name,
                        if v.default { " (default)" } else { "" },
                        v.notes
                    );
                }
                let w: Vec<_> = i.workloads.iter().map(|w| w.name()).collect();
                println!("  workloads: {}", w.join(", "));
                for op in &i.opts {
                    println!("  --opt {}={} : {}", op.key, op.default, op.help);
                }
                if !i.notes.is_empty() {
                    println!("  notes: {}", i.notes);
                }
            }
            Standing::Excluded { reason, .. } => println!("{} (left out: {reason})", r.name),
        }
    }
    Ok(0)
}
