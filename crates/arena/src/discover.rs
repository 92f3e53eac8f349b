//! Discovery: which runtimes exist, from the workspace itself. No hand-kept list anywhere: a runtime is a workspace
//! package with a `[package.metadata.arena]` table (`display`, `model`), built in release mode and asked `list`.
//!
//! A runtime is a *command* (a program and its leading arguments), not necessarily one of our binaries, so that
//! peers in other languages can join later (`python3 peers/python/arena_peer.py`, for instance).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, bail};
use harness::Info;
use serde::{Deserialize, Serialize};

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

/// One runtime: how to start it, and what it said about itself. Serialized into `raw/runtimes.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Runtime {
    /// The name the runtime gives itself (`Info::runtime`), or the package name if it never answered.
    pub name: String,
    /// The workspace package, when it is one.
    pub package: Option<String>,
    /// Program and leading arguments; `list` or `run ...` is appended.
    pub command: Vec<String>,
    /// What `list` printed; `None` when excluded before it answered.
    pub info: Option<Info>,
    /// Why it takes no part in this run, if it does not.
    pub excluded: Option<String>,
}

impl Runtime {
    /// Whether it takes part.
    pub fn usable(&self) -> bool {
        self.excluded.is_none() && self.info.is_some()
    }
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
) -> anyhow::Result<Vec<Runtime>> {
    let chosen: Vec<&Candidate> = ws
        .candidates
        .iter()
        .filter(|c| only.is_empty() || only.contains(&c.package))
        .collect();
    for o in only {
        if !ws.candidates.iter().any(|c| c.package == *o) {
            let names: Vec<_> = ws.candidates.iter().map(|c| c.package.as_str()).collect();
            bail!(
                "no runtime '{o}' in this workspace; runtimes found: {} (a runtime is a crates/rt-* package with [package.metadata.arena])",
                names.join(", ")
            );
        }
    }
    let names: Vec<String> = chosen.iter().map(|c| c.package.clone()).collect();
    let failed = build(&ws.root, &names, quiet)?;
    let mut out = Vec::new();
    for c in chosen {
        let bin = ws.target.join("release").join(&c.package);
        let mut rt = Runtime {
            name: c.package.clone(),
            package: Some(c.package.clone()),
            command: vec![bin.display().to_string()],
            info: None,
            excluded: None,
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
pub fn from_command(command: Vec<String>) -> Runtime {
    let name = command
        .first()
        .and_then(|p| Path::new(p).file_name())
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| "runtime".into());
    let mut rt = Runtime {
        name,
        package: None,
        command,
        info: None,
        excluded: None,
    };
    query_into(&mut rt);
    rt
}

fn query_into(rt: &mut Runtime) {
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
