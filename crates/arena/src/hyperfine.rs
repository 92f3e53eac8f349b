//! hyperfine: finding a usable one (1.15-1.20), installing 1.20.0 when there is none, and timing a cell with it.
//! Its JSON export is read by the run folder's [`arena_store::hyperfine`], re-exported here.

use std::ffi::{OsStr, OsString};
use std::fs::TryLockError;
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
///
/// Why a lock: two drivers (two tests, two terminals) started on a machine without hyperfine would otherwise both
/// install into the same `.tools/` at once; with a shared `CARGO_TARGET_DIR` one of them failed copying a binary the
/// other was rebuilding. So the check and the install run under an exclusive lock on `.tools/install.lock`, the
/// check is repeated once the lock is held (the other process may have installed it meanwhile), cargo builds in its
/// own `.tools/target` whatever the user's `CARGO_TARGET_DIR` says, and the binary reaches `.tools/bin` only once
/// it answers `--version` with a usable version: a failed install leaves nothing there that looks usable.
pub fn locate(workspace: &Path, install: bool) -> anyhow::Result<Hyperfine> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    locate_with(
        workspace,
        install,
        std::env::var_os("PATH"),
        Command::new(cargo),
    )
}

/// Looks through `path`'s directories, then `tools_bin`: the first usable hyperfine, or what was found unusable.
fn find(path: Option<&OsStr>, tools_bin: &Path) -> Result<Hyperfine, Vec<String>> {
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(path) = path {
        for dir in std::env::split_paths(path) {
            let p = dir.join("hyperfine");
            if p.is_file() {
                candidates.push(p);
            }
        }
    }
    candidates.push(tools_bin.to_path_buf());
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
    Err(seen)
}

/// [`locate`] with its seams given: the `PATH` to search and the cargo command to install with (its environment
/// stands for the user's).
fn locate_with(
    workspace: &Path,
    install: bool,
    path: Option<OsString>,
    mut cargo: Command,
) -> anyhow::Result<Hyperfine> {
    let root = workspace.join(".tools");
    let tools_bin = root.join("bin").join("hyperfine");
    let seen = match find(path.as_deref(), &tools_bin) {
        Ok(h) => return Ok(h),
        Err(seen) => seen,
    };
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
    std::fs::create_dir_all(&root)
        .with_context(|| format!("could not create {}", root.display()))?;
    let lock_path = root.join("install.lock");
    let lock = std::fs::File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .with_context(|| format!("could not open {}", lock_path.display()))?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            eprintln!(
                "arena: waiting for another process to finish installing hyperfine into {} (it holds {})",
                root.display(),
                lock_path.display()
            );
            lock.lock()
                .with_context(|| format!("could not lock {}", lock_path.display()))?;
        }
        Err(TryLockError::Error(e)) => {
            return Err(e).with_context(|| format!("could not lock {}", lock_path.display()));
        }
    }
    // Held until `lock` is dropped (or this process ends). Another process may have installed it meanwhile.
    if let Ok(h) = find(path.as_deref(), &tools_bin) {
        return Ok(h);
    }
    eprintln!(
        "arena: no hyperfine 1.15-1.20 on PATH or in {}{found}; installing hyperfine {INSTALL_VERSION} into {} with cargo (about 1.5 minutes on 2 cores)",
        tools_bin.display(),
        root.display()
    );
    let h = install_into(&root, &mut cargo);
    drop(lock);
    h
}

/// Installs hyperfine with `cargo` into a staging root under `root`, builds in `root/target`, and moves the binary
/// to `root/bin` only once it reports a usable version. The caller holds the install lock.
fn install_into(root: &Path, cargo: &mut Command) -> anyhow::Result<Hyperfine> {
    let staging = root.join("staging");
    let target = root.join("target");
    let tools_bin = root.join("bin").join("hyperfine");
    // A staging root left by an install that was killed.
    let _ = std::fs::remove_dir_all(&staging);
    let status = cargo
        // The user's target dir is theirs: cargo install would build there (and race any build using it).
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET_DIR")
        .args(["install", "--locked", "--root"])
        .arg(&staging)
        .arg("--target-dir")
        .arg(&target)
        .arg(format!("hyperfine@{INSTALL_VERSION}"))
        .status();
    let result = (|| {
        let program = cargo.get_program().to_string_lossy().into_owned();
        let status = status
            .with_context(|| format!("could not run `{program} install`; is cargo on PATH?"))?;
        if !status.success() {
            bail!(
                "`cargo install --locked --root {} --target-dir {} hyperfine@{INSTALL_VERSION}` failed ({status}); install hyperfine 1.15-1.20 by hand (e.g. `apt-get install hyperfine`) and run again",
                staging.display(),
                target.display()
            );
        }
        let built = staging.join("bin").join("hyperfine");
        let line = match version_of(&built) {
            Some((v, line)) if usable(v) => line,
            _ => bail!(
                "cargo installed hyperfine into {} but `{} --version` does not report 1.15-1.20",
                staging.display(),
                built.display()
            ),
        };
        let bin = root.join("bin");
        std::fs::create_dir_all(&bin)
            .with_context(|| format!("could not create {}", bin.display()))?;
        // A rename within `.tools`: `.tools/bin/hyperfine` is the old file or the whole new one, never half.
        std::fs::rename(&built, &tools_bin).with_context(|| {
            format!(
                "could not move {} to {}",
                built.display(),
                tools_bin.display()
            )
        })?;
        // cargo's own temporary target dir would be gone too; a failed build's is kept for the next try.
        let _ = std::fs::remove_dir_all(&target);
        Ok(Hyperfine {
            path: tools_bin.clone(),
            version: line,
        })
    })();
    let _ = std::fs::remove_dir_all(&staging);
    result
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
    /// Pin hyperfine, and so every run it starts, to this many CPUs ([`arena_store::Cell::pinned`]).
    pub pinned: Option<u64>,
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
        let mut cmd = Command::new(&argv[0]);
        cmd.args(&argv[1..]);
        if let Some(n) = p.pinned {
            crate::machine::pin_command(&mut cmd, n);
        }
        let out = crate::proc::run(&mut cmd, limit)
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

    /// A fake cargo for [`locate_with`]: appends its argv and the target dir it inherited to `log`, sleeps (so two
    /// installs started together overlap), then `exit_with`s, having written a `<root>/bin/hyperfine` that prints
    /// `hyperfine 1.20.0`.
    fn fake_cargo(dir: &Path, exit_with: i32) -> (PathBuf, PathBuf) {
        use std::os::unix::fs::PermissionsExt;
        let log = dir.join("cargo.log");
        let script = dir.join("fake-cargo");
        std::fs::write(
            &script,
            format!(
                r#"#!/bin/sh
echo "$* | CARGO_TARGET_DIR=$CARGO_TARGET_DIR CARGO_BUILD_TARGET_DIR=$CARGO_BUILD_TARGET_DIR" >> '{log}'
sleep 0.3
root=""
while [ $# -gt 0 ]; do
  if [ "$1" = --root ]; then root="$2"; fi
  shift
done
mkdir -p "$root/bin"
printf '#!/bin/sh\necho hyperfine 1.20.0\n' > "$root/bin/hyperfine"
chmod +x "$root/bin/hyperfine"
exit {exit_with}
"#,
                log = log.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        (script, log)
    }

    /// The user's shell, as the cargo command inherits it: a target dir of their own.
    fn cargo_as_the_user(script: &Path, user_target: &Path) -> Command {
        let mut c = Command::new(script);
        c.env("CARGO_TARGET_DIR", user_target)
            .env("CARGO_BUILD_TARGET_DIR", user_target);
        c
    }

    #[test]
    fn two_drivers_at_once_install_once_into_tools_with_its_own_target_dir() {
        let tmp = tempfile::tempdir().unwrap();
        let (ws, user_target, empty) = (
            tmp.path().join("ws"),
            tmp.path().join("user-target"),
            tmp.path().join("empty-path"),
        );
        std::fs::create_dir_all(&ws).unwrap();
        std::fs::create_dir_all(&empty).unwrap();
        let (script, log) = fake_cargo(tmp.path(), 0);
        let start = std::sync::Barrier::new(2);
        let found: Vec<Hyperfine> = std::thread::scope(|s| {
            let calls: Vec<_> = (0..2)
                .map(|_| {
                    s.spawn(|| {
                        start.wait();
                        locate_with(
                            &ws,
                            true,
                            Some(empty.clone().into()),
                            cargo_as_the_user(&script, &user_target),
                        )
                    })
                })
                .collect();
            calls
                .into_iter()
                .map(|c| c.join().unwrap().unwrap())
                .collect()
        });
        let installed = ws.join(".tools").join("bin").join("hyperfine");
        for h in &found {
            assert_eq!(h.path, installed);
            assert_eq!(h.version, "hyperfine 1.20.0");
        }
        let runs = std::fs::read_to_string(&log).unwrap();
        let runs: Vec<&str> = runs.lines().collect();
        assert_eq!(runs.len(), 1, "cargo ran {} times: {runs:#?}", runs.len());
        let tools_target = ws.join(".tools").join("target");
        assert!(
            runs[0].starts_with("install --locked --root ")
                && runs[0].contains(&format!("--target-dir {} ", tools_target.display()))
                && runs[0].contains(&format!("hyperfine@{INSTALL_VERSION} |")),
            "{}",
            runs[0]
        );
        assert!(
            !runs[0].contains(&user_target.display().to_string()),
            "cargo saw the user's target dir: {}",
            runs[0]
        );
        // Nothing of the install is left but the binary and the lock.
        assert!(!ws.join(".tools").join("staging").exists());
        assert!(!tools_target.exists());
        // A third call finds it without cargo.
        locate_with(&ws, false, Some(empty.into()), Command::new("/nonexistent")).unwrap();
    }

    #[test]
    fn a_failed_install_leaves_no_hyperfine_that_looks_usable() {
        let tmp = tempfile::tempdir().unwrap();
        let (ws, empty) = (tmp.path().join("ws"), tmp.path().join("empty-path"));
        std::fs::create_dir_all(&ws).unwrap();
        std::fs::create_dir_all(&empty).unwrap();
        // cargo writes a binary that answers --version, then fails (as a copy that broke halfway would).
        let (script, _) = fake_cargo(tmp.path(), 101);
        let err =
            locate_with(&ws, true, Some(empty.clone().into()), Command::new(&script)).unwrap_err();
        assert!(err.to_string().contains("failed"), "{err}");
        assert!(!ws.join(".tools").join("bin").join("hyperfine").exists());
        assert!(!ws.join(".tools").join("staging").exists());
        let err = locate_with(&ws, false, Some(empty.into()), Command::new(&script)).unwrap_err();
        assert!(err.to_string().contains("no hyperfine 1.15-1.20"), "{err}");
    }

    #[test]
    fn version_range() {
        assert!(usable((1, 15, 0)) && usable((1, 20, 0)));
        assert!(!usable((1, 14, 0)) && !usable((1, 21, 0)) && !usable((2, 0, 0)));
    }
}
