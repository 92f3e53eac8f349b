//! hyperfine: finding a usable one (1.15-1.20), installing 1.20.0 when there is none, and reading its JSON export.
//!
//! Only the 1.x export format is read. hyperfine 2.x writes `schema_version: 2` with another layout, and is refused
//! with a message saying how to get 1.20. `memory_usage_byte` is parsed when present (1.20) but never used: in 1.x it
//! is a running maximum over every child ever started, so each cell's peak RSS comes from its own RunReport instead.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

/// The version installed when none is usable; the newest that builds on Rust 1.95.
pub const INSTALL_VERSION: &str = "1.20.0";

/// A usable hyperfine.
#[derive(Debug, Clone)]
pub struct Hyperfine {
    /// The program.
    pub path: PathBuf,
    /// `hyperfine --version`, e.g. `hyperfine 1.20.0`.
    pub version: String,
}

/// The version of the hyperfine at `path`, as (major, minor, patch) and the full line.
fn version_of(path: &Path) -> Option<((u64, u64, u64), String)> {
    let out = Command::new(path).arg("--version").output().ok()?;
    let line = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let v = line.split_whitespace().nth(1)?;
    let mut it = v.split('.').map(|p| p.parse::<u64>().ok());
    Some((
        (it.next()??, it.next()??, it.next().flatten().unwrap_or(0)),
        line,
    ))
}

fn usable(v: (u64, u64, u64)) -> bool {
    v.0 == 1 && (15..=20).contains(&v.1)
}

/// Finds hyperfine 1.15-1.20 on `PATH` or in `<workspace>/.tools/bin`; if there is none and `install` is set,
/// installs 1.20.0 into `<workspace>/.tools` with cargo, saying so on stderr with cargo's own progress.
pub fn locate(workspace: &Path, install: bool) -> anyhow::Result<Hyperfine> {
    let tools_bin = workspace.join(".tools").join("bin").join("hyperfine");
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let p = dir.join("hyperfine");
            if p.is_file() {
                candidates.push(p);
            }
        }
    }
    candidates.push(tools_bin.clone());
    let mut seen = Vec::new();
    for c in &candidates {
        if let Some((v, line)) = version_of(c) {
            if usable(v) {
                return Ok(Hyperfine {
                    path: c.clone(),
                    version: line,
                });
            }
            seen.push(format!("{} ({line})", c.display()));
        }
    }
    let found = if seen.is_empty() {
        String::new()
    } else {
        format!(
            " (found {}, which arena cannot use: hyperfine 2.x writes another JSON schema)",
            seen.join(", ")
        )
    };
    if !install {
        bail!(
            "no hyperfine 1.15-1.20 on PATH or in {}{found}; install it with `cargo install --locked --root .tools hyperfine@{INSTALL_VERSION}`",
            tools_bin.display()
        );
    }
    let root = workspace.join(".tools");
    eprintln!(
        "arena: no hyperfine 1.15-1.20 on PATH or in {}{found}; installing hyperfine {INSTALL_VERSION} into {} with cargo (about 1.5 minutes on 2 cores)",
        tools_bin.display(),
        root.display()
    );
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(&cargo)
        .args(["install", "--locked", "--root"])
        .arg(&root)
        .arg(format!("hyperfine@{INSTALL_VERSION}"))
        .status()
        .with_context(|| format!("could not run `{cargo} install`; is cargo on PATH?"))?;
    if !status.success() {
        bail!(
            "`cargo install --locked --root {} hyperfine@{INSTALL_VERSION}` failed ({status}); install hyperfine 1.15-1.20 by hand (e.g. `apt-get install hyperfine`) and run again",
            root.display()
        );
    }
    match version_of(&tools_bin) {
        Some((v, line)) if usable(v) => Ok(Hyperfine {
            path: tools_bin,
            version: line,
        }),
        _ => bail!(
            "installed hyperfine into {} but `{} --version` does not report 1.15-1.20",
            root.display(),
            tools_bin.display()
        ),
    }
}

/// The top level of a hyperfine 1.x `--export-json` file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Export {
    /// One per benchmarked command.
    pub results: Vec<Summary>,
}

/// One benchmarked command, in seconds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Summary {
    /// The `--command-name` (or the command line).
    pub command: String,
    /// Mean wall time.
    pub mean: f64,
    /// Standard deviation; null with one run.
    pub stddev: Option<f64>,
    /// Median wall time.
    pub median: f64,
    /// Mean user CPU time per run.
    pub user: f64,
    /// Mean system CPU time per run.
    pub system: f64,
    /// Fastest run.
    pub min: f64,
    /// Slowest run.
    pub max: f64,
    /// Every timed run (warm-ups excluded).
    pub times: Vec<f64>,
    /// hyperfine 1.20 only, and unreliable there (see the module docs): parsed, never used.
    #[serde(default)]
    pub memory_usage_byte: Option<Vec<u64>>,
    /// Exit code of each run.
    #[serde(default)]
    pub exit_codes: Vec<Option<i32>>,
    /// `-L`/`-P` parameters.
    #[serde(default)]
    pub parameters: BTreeMap<String, String>,
}

/// Parses an export, refusing hyperfine 2.x's schema with a clear error.
pub fn parse_export(text: &str) -> anyhow::Result<Export> {
    let v: serde_json::Value = serde_json::from_str(text).context("not JSON")?;
    if let Some(s) = v.get("schema_version") {
        bail!(
            "this file uses hyperfine's JSON schema_version {s} (hyperfine 2.x); arena reads hyperfine 1.x exports: install hyperfine {INSTALL_VERSION} with `cargo install --locked --root .tools hyperfine@{INSTALL_VERSION}`"
        );
    }
    serde_json::from_value(v).context("not a hyperfine 1.x export (expected {\"results\": [...]})")
}

/// Reads the first result of an export file.
pub fn read_result(path: &Path) -> anyhow::Result<Summary> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("could not read {}", path.display()))?;
    let e = parse_export(&text).with_context(|| format!("in {}", path.display()))?;
    e.results
        .into_iter()
        .next()
        .with_context(|| format!("{} has no results", path.display()))
}

/// How a cell is timed.
#[derive(Debug, Clone)]
pub struct Plan<'a> {
    /// `--warmup`.
    pub warmup: u32,
    /// `--runs`.
    pub runs: u32,
    /// `--command-name`.
    pub name: &'a str,
    /// Where the export goes.
    pub export: &'a Path,
    /// The runtime's command line.
    pub command: &'a [String],
}

impl Hyperfine {
    /// The argv hyperfine is run with. `-N`: no shell, so no shell start-up is measured or subtracted; no `-i`: a
    /// run that fails must fail the cell.
    pub fn argv(&self, p: &Plan<'_>) -> Vec<String> {
        vec![
            self.path.display().to_string(),
            "-N".into(),
            "--style".into(),
            "none".into(),
            "--warmup".into(),
            p.warmup.to_string(),
            "--runs".into(),
            p.runs.to_string(),
            "--export-json".into(),
            p.export.display().to_string(),
            "--command-name".into(),
            p.name.into(),
            crate::proc::command_line(p.command),
        ]
    }

    /// Times one cell; the error carries hyperfine's own reason (e.g. the failing run's exit code).
    pub fn time(&self, p: &Plan<'_>, limit: Duration) -> anyhow::Result<Summary> {
        let argv = self.argv(p);
        let out = crate::proc::run(Command::new(&argv[0]).args(&argv[1..]), limit)
            .with_context(|| format!("could not run {}", self.path.display()))?;
        if out.timed_out {
            bail!(
                "hyperfine ran past the cell's limit of {:.0} s and was stopped",
                limit.as_secs_f64()
            );
        }
        if !out.success() {
            let why = out
                .stderr
                .lines()
                .find(|l| l.contains("rror") || l.contains("terminated"))
                .map(str::trim)
                // hyperfine suggests -i; the driver never uses it, on purpose.
                .map(|l| l.split(" Use the '-i'").next().unwrap_or(l).to_string())
                .unwrap_or_else(|| out.stderr_tail());
            bail!("hyperfine failed: {why}");
        }
        read_result(p.export)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const V115: &str = r#"{"results":[{"command":"rt-seq/seq","mean":0.5,"stddev":0.01,"median":0.49,"user":0.48,"system":0.01,"min":0.48,"max":0.52,"times":[0.48,0.49,0.52],"exit_codes":[0,0,0]}]}"#;

    #[test]
    fn reads_1x_with_and_without_memory() {
        let e = parse_export(V115).unwrap();
        assert_eq!(e.results[0].command, "rt-seq/seq");
        assert!(e.results[0].memory_usage_byte.is_none());
        let v120 = V115.replace(
            "\"exit_codes\"",
            "\"memory_usage_byte\":[1,2,3],\"exit_codes\"",
        );
        assert_eq!(
            parse_export(&v120).unwrap().results[0].memory_usage_byte,
            Some(vec![1, 2, 3])
        );
        let one = V115.replace("\"stddev\":0.01", "\"stddev\":null");
        assert!(parse_export(&one).unwrap().results[0].stddev.is_none());
    }

    #[test]
    fn refuses_schema_2() {
        let err = parse_export(r#"{"schema_version":2,"results":[]}"#).unwrap_err();
        assert!(err.to_string().contains("hyperfine 2.x"), "{err}");
    }

    #[test]
    fn version_range() {
        assert!(usable((1, 15, 0)) && usable((1, 20, 0)));
        assert!(!usable((1, 14, 0)) && !usable((1, 21, 0)) && !usable((2, 0, 0)));
    }
}
