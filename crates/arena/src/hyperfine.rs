//! hyperfine: finding a usable one (1.15-1.20), installing 1.20.0 when there is none, and timing a cell with it.
//! Its JSON export is read by the run folder's [`arena_store::hyperfine`], re-exported here.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, bail};

pub use arena_store::hyperfine::{Export, INSTALL_VERSION, Summary, parse_export, read_result};

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

    #[test]
    fn version_range() {
        assert!(usable((1, 15, 0)) && usable((1, 20, 0)));
        assert!(!usable((1, 14, 0)) && !usable((1, 21, 0)) && !usable((2, 0, 0)));
    }
}
