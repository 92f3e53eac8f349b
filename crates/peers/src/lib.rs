//! The peers of Concurrency Arena: real interpreters (CPython, Node.js) running the arena's workloads through the
//! same command-line and JSON contract as the `rt-*` binaries.
//!
//! This crate reads the manifest `peers/peers.toml`, checks which interpreters are present and new enough (by
//! running `python3 --version`, `node --version`), and builds each peer's command line, with the manifest's work
//! scale factors appended. It does not run workloads or time anything: the driver runs a peer's [`Peer::argv`] like
//! any runtime binary, and `tests/conformance.rs` checks every present peer with the shared conformance suite.
//! A missing interpreter is not an error: it is a [`Presence::Absent`] with a reason the report can print.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::Deserialize;

/// Where the manifest lives, relative to the repository root.
pub const MANIFEST: &str = "peers/peers.toml";

/// Where `scripts/setup --free-threaded` puts the free-threaded CPython it builds (or links from pyenv or uv),
/// relative to the repository root. A free-threaded peer's interpreter names are looked up on PATH first, then here,
/// so the build is found without a change to PATH. The script's `dest` names the same folder.
pub const FREE_THREADED_BIN: &str = ".tools/python-ft/bin";

/// The setup step that provides a free-threaded CPython, as an absent free-threaded peer's reason names it.
pub const FREE_THREADED_SETUP: &str =
    "run `just setup-free-threaded` (scripts/setup --free-threaded) to find or build one";

/// What can go wrong reading the manifest.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file could not be read.
    #[error(
        "cannot read {path}: {source}; run from the repository root or pass the manifest's path"
    )]
    Read {
        /// The manifest's path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML or lacks a field.
    #[error("{path} is not a valid peers manifest: {message}")]
    Parse {
        /// The manifest's path.
        path: PathBuf,
        /// What the parser said.
        message: String,
    },
    /// A peer's entry is inconsistent.
    #[error("{path}: peer '{name}': {problem}")]
    Invalid {
        /// The manifest's path.
        path: PathBuf,
        /// The peer's name.
        name: String,
        /// What to fix.
        problem: String,
    },
}

/// The manifest: every peer the arena knows.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The peers, in report order.
    pub peer: Vec<PeerSpec>,
}

/// One `[[peer]]` entry.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeerSpec {
    /// The runtime name its `list` prints, e.g. `py-threading`.
    pub name: String,
    /// The program and its fixed leading arguments; `command[0]` is the interpreter.
    pub command: Vec<String>,
    /// The program whose `--version` is checked (`python3`, `node`).
    pub interpreter: String,
    /// The oldest supported interpreter version, e.g. `3.10`.
    pub min_version: String,
    /// The preset CPU work is divided by this (the interpreter is this much slower at trial division).
    pub work_scale: u64,
    /// The preset race increments are divided by this.
    #[serde(default = "one")]
    pub race_scale: u64,
    /// Arguments that make the interpreter print the path of its own executable (`-c "import sys;
    /// print(sys.executable)"`). When set, the peer runs that executable instead of the name found on PATH.
    #[serde(default)]
    pub resolve: Vec<String>,
    /// Other names of the interpreter, tried in order when `interpreter` is absent or fails a check
    /// (`python3.13t` after `python3.14t`); the first that passes runs the peer.
    #[serde(default)]
    pub alternatives: Vec<String>,
    /// The peer needs a free-threaded CPython: present only when `sys._is_gil_enabled()` says False.
    #[serde(default)]
    pub free_threaded: bool,
}

fn one() -> u64 {
    1
}

impl Manifest {
    /// Reads and checks the manifest at `path`.
    pub fn load(path: &Path) -> Result<Manifest, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Manifest::parse(&text, path)
    }

    /// Parses and checks manifest text (`path` is only used in messages).
    pub fn parse(text: &str, path: &Path) -> Result<Manifest, Error> {
        let m: Manifest = toml::from_str(text).map_err(|e| Error::Parse {
            path: path.to_path_buf(),
            message: e.message().to_string(),
        })?;
        let mut seen = std::collections::BTreeSet::new();
        for p in &m.peer {
            let bad = |problem: String| Error::Invalid {
                path: path.to_path_buf(),
                name: p.name.clone(),
                problem,
            };
            if p.name.is_empty() || !seen.insert(p.name.clone()) {
                return Err(bad("names must be non-empty and unique".into()));
            }
            if p.command.first() != Some(&p.interpreter) {
                return Err(bad(format!(
                    "command must start with the interpreter '{}'",
                    p.interpreter
                )));
            }
            if Version::parse(&p.min_version).is_none() {
                return Err(bad(format!(
                    "min_version '{}' is not a version like 3.10",
                    p.min_version
                )));
            }
            if p.work_scale == 0 || p.race_scale == 0 {
                return Err(bad("work_scale and race_scale must be at least 1".into()));
            }
        }
        Ok(m)
    }
}

/// A dotted version, compared numerically (`3.10` > `3.9`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub Vec<u64>);

impl Version {
    /// Parses the first dotted number in `s`: `3.10`, `Python 3.11.7`, `v20.20.2`.
    pub fn parse(s: &str) -> Option<Version> {
        let start = s.find(|c: char| c.is_ascii_digit())?;
        let rest = &s[start..];
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let parts: Option<Vec<u64>> = rest[..end]
            .split('.')
            .filter(|p| !p.is_empty())
            .map(|p| p.parse().ok())
            .collect();
        parts.filter(|v| !v.is_empty()).map(Version)
    }

    /// Whether this version is at least `min` (missing parts count as 0).
    pub fn at_least(&self, min: &Version) -> bool {
        let n = self.0.len().max(min.0.len());
        let pad = |v: &Version| {
            (0..n)
                .map(|i| v.0.get(i).copied().unwrap_or(0))
                .collect::<Vec<_>>()
        };
        pad(self) >= pad(min)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(u64::to_string).collect();
        f.write_str(&parts.join("."))
    }
}

/// Whether a peer's interpreter can run it here.
#[derive(Debug, Clone, PartialEq)]
pub enum Presence {
    /// Found, with its version.
    Present {
        /// What `--version` printed, parsed.
        version: Version,
    },
    /// Not usable; the reason says why, e.g. `node not found on PATH`.
    Absent {
        /// One line for the report.
        reason: String,
    },
}

/// Runs `interpreter --version` and checks it against `min_version`.
pub fn detect(interpreter: &str, min_version: &str) -> Presence {
    let out = Command::new(interpreter)
        .arg("--version")
        .stdin(Stdio::null())
        .output();
    let out = match out {
        Ok(o) => o,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Presence::Absent {
                reason: format!("{interpreter} not found on PATH"),
            };
        }
        Err(e) => {
            return Presence::Absent {
                reason: format!("{interpreter} --version could not run: {e}"),
            };
        }
    };
    // Python 2 printed its version on stderr; read both.
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let Some(version) = Version::parse(&text).filter(|_| out.status.success()) else {
        return Presence::Absent {
            reason: format!(
                "{interpreter} --version printed no version: {}",
                text.trim()
            ),
        };
    };
    let min = Version::parse(min_version).unwrap_or(Version(vec![0]));
    if version.at_least(&min) {
        Presence::Present { version }
    } else {
        Presence::Absent {
            reason: format!("{interpreter} {version} is older than the {min} this peer needs"),
        }
    }
}

/// Checks that a CPython runs without its GIL (a free-threaded build, PEP 703, with the GIL not re-enabled by
/// `PYTHON_GIL=1` or an extension): `Err` says why not, in one line.
pub fn check_free_threaded(interpreter: &str) -> Result<(), String> {
    const PROBE: &str = "import sys; f = getattr(sys, '_is_gil_enabled', None); print('no-api' if f is None else f())";
    let out = Command::new(interpreter)
        .args(["-c", PROBE])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{interpreter} -c could not run: {e}"))?;
    match String::from_utf8_lossy(&out.stdout).trim() {
        "False" if out.status.success() => Ok(()),
        "True" => Err(format!(
            "{interpreter} runs with its GIL enabled (not a free-threaded build, or PYTHON_GIL=1)"
        )),
        "no-api" => Err(format!(
            "{interpreter} has no sys._is_gil_enabled(): it predates free threading (3.13+)"
        )),
        other => Err(format!(
            "{interpreter} did not say whether its GIL is enabled: {other:?}"
        )),
    }
}

/// Whether `spec` can run with the interpreter named `name`: present, new enough, and free-threaded if it must be;
/// with the executable to run when the interpreter can say where it is.
fn check(spec: &PeerSpec, name: &str) -> (Presence, Option<String>) {
    let p = detect(name, &spec.min_version);
    let p = match p {
        Presence::Present { .. } if spec.free_threaded => match check_free_threaded(name) {
            Ok(()) => p,
            Err(reason) => Presence::Absent { reason },
        },
        p => p,
    };
    let exe = match p {
        Presence::Present { .. } => resolve(name, &spec.resolve),
        Presence::Absent { .. } => None,
    };
    (p, exe)
}

/// The interpreter's own executable, as it prints it when run with `args`; `None` when it cannot say, or names
/// something that is not a file.
///
/// Why: the name on PATH may be a version manager's shim (pyenv's `python3` is a bash script that finds the real
/// interpreter), which costs about 50 ms per process here. hyperfine would time that as the peer's, on every run.
pub fn resolve(interpreter: &str, args: &[String]) -> Option<String> {
    if args.is_empty() {
        return None;
    }
    let out = Command::new(interpreter)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .ok()?;
    let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (out.status.success() && Path::new(&path).is_file()).then_some(path)
}

/// A peer, its interpreter checked.
#[derive(Debug, Clone)]
pub struct Peer {
    /// The manifest entry.
    pub spec: PeerSpec,
    /// Whether it can run here.
    pub presence: Presence,
    /// The command line to run it: the manifest's command (its interpreter replaced by the executable
    /// [`resolve`] found, if any), script paths made absolute, then `--work-scale N --race-scale M`. Append `list`
    /// or `run ...`.
    pub argv: Vec<String>,
}

impl Peer {
    /// Whether the interpreter is present and new enough.
    pub fn is_present(&self) -> bool {
        matches!(self.presence, Presence::Present { .. })
    }
}

impl PeerSpec {
    /// The command line for this peer from the repository root `root` (see [`Peer::argv`]).
    pub fn argv(&self, root: &Path) -> Vec<String> {
        let mut argv: Vec<String> = self
            .command
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let p = root.join(a);
                if i > 0 && Path::new(a).is_relative() && p.is_file() {
                    p.to_string_lossy().into_owned()
                } else {
                    a.clone()
                }
            })
            .collect();
        argv.extend([
            "--work-scale".into(),
            self.work_scale.to_string(),
            "--race-scale".into(),
            self.race_scale.to_string(),
        ]);
        argv
    }
}

/// Reads `<root>/peers/peers.toml` and checks every peer's interpreter (each interpreter is asked once).
pub fn discover(root: &Path) -> Result<Vec<Peer>, Error> {
    let manifest = Manifest::load(&root.join(MANIFEST))?;
    // (interpreter, min_version, free-threaded) -> (presence, executable): each interpreter is asked once.
    type Found = (Presence, Option<String>);
    let mut cache: Vec<((String, String, bool), Found)> = Vec::new();
    Ok(manifest
        .peer
        .into_iter()
        .map(|spec| {
            // The interpreter, then its alternatives: the first that can run the peer does.
            let mut reasons = Vec::new();
            let mut found = None;
            for name in &candidates(&spec, root) {
                let key = (name.clone(), spec.min_version.clone(), spec.free_threaded);
                let (presence, exe) = match cache.iter().find(|(k, _)| *k == key) {
                    Some((_, p)) => p.clone(),
                    None => {
                        let p = check(&spec, name);
                        cache.push((key, p.clone()));
                        p
                    }
                };
                match presence {
                    Presence::Absent { reason } => reasons.push(reason),
                    present => {
                        found = Some((present, exe.unwrap_or_else(|| name.clone())));
                        break;
                    }
                }
            }
            let mut argv = spec.argv(root);
            let presence = match found {
                Some((p, exe)) => {
                    argv[0] = exe;
                    p
                }
                None => {
                    if spec.free_threaded {
                        reasons.push(format!(
                            "no free-threaded one in {FREE_THREADED_BIN} either: {FREE_THREADED_SETUP}"
                        ));
                    }
                    Presence::Absent {
                        reason: reasons.join("; "),
                    }
                }
            };
            Peer {
                spec,
                presence,
                argv,
            }
        })
        .collect())
}

/// The interpreters to try for `spec`, in order: its interpreter and alternatives by name (found on PATH); for a
/// free-threaded peer, then the same names in `<root>/.tools/python-ft/bin` ([`FREE_THREADED_BIN`]) where such a
/// file exists. PATH first, so an interpreter the user installed wins over the one setup built.
fn candidates(spec: &PeerSpec, root: &Path) -> Vec<String> {
    let names = || std::iter::once(&spec.interpreter).chain(&spec.alternatives);
    let mut all: Vec<String> = names().cloned().collect();
    if spec.free_threaded {
        let bin = root.join(FREE_THREADED_BIN);
        all.extend(
            names()
                .filter(|n| !n.contains('/'))
                .map(|n| bin.join(n))
                .filter(|p| p.is_file())
                .map(|p| p.to_string_lossy().into_owned()),
        );
    }
    all
}

/// The repository root this crate was built in (two levels above its manifest).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_and_compare() {
        let v = |s| Version::parse(s).unwrap();
        assert_eq!(v("Python 3.11.7"), Version(vec![3, 11, 7]));
        assert_eq!(v("v20.20.2\n"), Version(vec![20, 20, 2]));
        assert!(v("3.10").at_least(&v("3.10")));
        assert!(v("3.11.7").at_least(&v("3.10")));
        assert!(!v("3.9.18").at_least(&v("3.10")));
        assert!(v("v20.1.0").at_least(&v("18")));
        assert!(!v("v16.20.0").at_least(&v("18")));
        assert!(Version::parse("no digits").is_none());
        assert_eq!(v("3.10").to_string(), "3.10");
    }

    #[test]
    fn the_repository_manifest_is_valid() {
        let root = repo_root();
        let m = Manifest::load(&root.join(MANIFEST)).unwrap();
        assert!(m.peer.iter().any(|p| p.interpreter == "python3"));
        assert!(m.peer.iter().any(|p| p.interpreter == "node"));
        for p in &m.peer {
            let argv = p.argv(&root);
            // The script is found and made absolute.
            assert!(
                Path::new(&argv[1]).is_absolute() && Path::new(&argv[1]).is_file(),
                "{argv:?}"
            );
            assert_eq!(
                &argv[argv.len() - 4..][..2],
                ["--work-scale", &p.work_scale.to_string()]
            );
        }
    }

    #[test]
    fn a_present_peer_runs_its_interpreters_own_executable() {
        for p in discover(&repo_root()).unwrap() {
            if p.is_present() && !p.spec.resolve.is_empty() {
                // Not the name on PATH (possibly a shim) but the file the interpreter says it is.
                assert!(
                    Path::new(&p.argv[0]).is_absolute() && Path::new(&p.argv[0]).is_file(),
                    "{:?}",
                    p.argv
                );
            }
        }
        assert_eq!(resolve("arena-no-such-interpreter", &["-c".into()]), None);
        assert_eq!(resolve("python3", &[]), None);
    }

    #[test]
    fn bad_manifests_say_what_to_fix() {
        let path = Path::new("peers.toml");
        let entry = |cmd: &str, scale: u64| {
            format!(
                "[[peer]]\nname = \"x\"\ncommand = [{cmd}]\ninterpreter = \"python3\"\nmin_version = \"3.10\"\nwork_scale = {scale}\n"
            )
        };
        let e = Manifest::parse(&entry("\"node\", \"a.js\"", 1), path).unwrap_err();
        assert!(
            e.to_string().contains("must start with the interpreter"),
            "{e}"
        );
        let e = Manifest::parse(&entry("\"python3\"", 0), path).unwrap_err();
        assert!(e.to_string().contains("at least 1"), "{e}");
        let twice = entry("\"python3\"", 1).repeat(2);
        assert!(
            Manifest::parse(&twice, path)
                .unwrap_err()
                .to_string()
                .contains("unique")
        );
        let e = Manifest::parse("[[peer]]\nname = \"x\"\n", path).unwrap_err();
        assert!(e.to_string().contains("not a valid peers manifest"), "{e}");
        let ok = Manifest::parse(&entry("\"python3\", \"s.py\"", 3), path).unwrap();
        assert_eq!(ok.peer[0].race_scale, 1);
    }

    #[test]
    fn a_missing_interpreter_is_absent_not_an_error() {
        match detect("arena-no-such-interpreter", "1") {
            Presence::Absent { reason } => assert!(reason.contains("not found"), "{reason}"),
            p => panic!("{p:?}"),
        }
        // An interpreter that is present but older than required (every real version is below 10^6).
        if let Presence::Absent { reason } = detect("python3", "1000000") {
            assert!(
                reason.contains("older than") || reason.contains("not found"),
                "{reason}"
            );
        } else {
            panic!("python3 cannot be 10^6 or newer");
        }
    }
}
