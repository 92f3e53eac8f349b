//! Interpreter discovery for the CPython-versions sweep: every CPython 3.8+ this machine has, each asked to
//! describe itself, one per real executable.
//!
//! Where it looks ([`Sources::from_env`]): `python3.X` and `python3.Xt` (X = 8..14) in every PATH folder; pyenv's
//! `versions/*/bin/python3` (under `$PYENV_ROOT`, else `~/.pyenv`); uv's installed interpreters when `uv` is on
//! PATH; and the repository's `.tools/python-ft/bin/python3.13t` and `python3.14t` (where a setup step puts a
//! free-threaded build). `arena bench --python PATH` replaces all of this with the paths given.
//!
//! What it is not: it runs no workload. Each candidate runs one short `-c` probe ([`PROBE`]) that prints its
//! version, real executable, GIL state, build flags and switch interval as JSON; candidates that lead to one
//! executable (a symlink, `python3.11` and `python3` of one install) are one interpreter.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use arena_store::cpython::{Interpreter, Skipped};

/// The oldest CPython the sweep runs: 3.8 (the peer and the question both start there; pyenv here has 3.6 and 3.7
/// as well, which are skipped and said).
pub const MIN_VERSION: (u64, u64) = (3, 8);

/// The minor versions looked for on PATH as `python3.X` / `python3.Xt`.
pub const MINORS: std::ops::RangeInclusive<u64> = 8..=14;

/// What a candidate is asked. Written for every CPython 3 (3.6 and 3.7 must answer too, to be skipped by version):
/// `sys._is_gil_enabled` exists from 3.13, `Py_GIL_DISABLED` is set in free-threaded builds only.
pub const PROBE: &str = "import json, platform, sys, sysconfig\n\
f = getattr(sys, '_is_gil_enabled', None)\n\
print(json.dumps({'implementation': platform.python_implementation(), 'version': platform.python_version(), \
'executable': sys.executable, 'gil_disabled': sysconfig.get_config_var('Py_GIL_DISABLED'), \
'gil_enabled': None if f is None else f(), 'switch_interval': sys.getswitchinterval(), \
'config_args': sysconfig.get_config_var('CONFIG_ARGS') or ''}))";

/// How long a probe may take (a cold interpreter on a busy machine starts in well under a second).
const PROBE_LIMIT: Duration = Duration::from_secs(10);

/// Where discovery looks.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// The PATH folders, in order.
    pub path: Vec<PathBuf>,
    /// pyenv's root, when there is one.
    pub pyenv_root: Option<PathBuf>,
    /// The `uv` executable, when there is one.
    pub uv: Option<PathBuf>,
    /// The folder of the repository's free-threaded build (`.tools/python-ft/bin`).
    pub ft_bin: PathBuf,
}

impl Sources {
    /// From this process's environment, for the repository at `ws_root`.
    pub fn from_env(ws_root: &Path) -> Sources {
        let path: Vec<PathBuf> = std::env::var_os("PATH")
            .map(|p| std::env::split_paths(&p).collect())
            .unwrap_or_default();
        let pyenv_root = std::env::var_os("PYENV_ROOT")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".pyenv")))
            .filter(|p| p.is_dir());
        let uv = path.iter().map(|d| d.join("uv")).find(|p| p.is_file());
        Sources {
            path,
            pyenv_root,
            uv,
            ft_bin: ws_root.join(".tools").join("python-ft").join("bin"),
        }
    }
}

/// Every candidate file, in the order looked at, each path once (different paths to one executable are merged
/// later, by what they say they are).
pub fn candidates(s: &Sources) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    // pyenv's shims run only the version pyenv has selected (`python3.8` fails unless 3.8 is global); its versions
    // are read directly below, so the shims are not looked at.
    let shims = s.pyenv_root.as_ref().map(|r| r.join("shims"));
    for dir in &s.path {
        if shims.as_ref() == Some(dir) {
            continue;
        }
        for x in MINORS {
            for suffix in ["", "t"] {
                out.push(dir.join(format!("python3.{x}{suffix}")));
            }
        }
    }
    if let Some(root) = &s.pyenv_root
        && let Ok(rd) = std::fs::read_dir(root.join("versions"))
    {
        let mut v: Vec<PathBuf> = rd
            .filter_map(|e| e.ok())
            .map(|e| e.path().join("bin").join("python3"))
            .collect();
        v.sort();
        out.extend(v);
    }
    if let Some(uv) = &s.uv {
        out.extend(uv_pythons(uv));
    }
    for name in ["python3.13t", "python3.14t"] {
        out.push(s.ft_bin.join(name));
    }
    let mut seen = BTreeSet::new();
    out.retain(|p| is_executable(p) && seen.insert(p.clone()));
    out
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The interpreters uv has installed: `uv python list --only-installed` (one per line, the path last), else the
/// one `uv python find` names.
fn uv_pythons(uv: &Path) -> Vec<PathBuf> {
    let run = |args: &[&str]| {
        Command::new(uv)
            .args(args)
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    };
    let paths = |text: String| -> Vec<PathBuf> {
        text.lines()
            .filter_map(|l| l.split_whitespace().last())
            .filter(|t| t.starts_with('/'))
            .map(PathBuf::from)
            .collect()
    };
    let listed = paths(run(&["python", "list", "--only-installed"]));
    if listed.is_empty() {
        paths(run(&["python", "find"]))
    } else {
        listed
    }
}

/// What a candidate said of itself.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct Probed {
    /// `platform.python_implementation()`.
    pub implementation: String,
    /// `platform.python_version()`.
    pub version: String,
    /// `sys.executable`.
    pub executable: String,
    /// `Py_GIL_DISABLED` (None or 0 in GIL builds).
    pub gil_disabled: Option<serde_json::Value>,
    /// `sys._is_gil_enabled()`.
    pub gil_enabled: Option<bool>,
    /// `sys.getswitchinterval()`.
    pub switch_interval: f64,
    /// `CONFIG_ARGS`.
    pub config_args: String,
}

/// Runs [`PROBE`] in the candidate; `Err` is one line saying why it could not answer.
pub fn probe(path: &Path) -> Result<Probed, String> {
    let out = crate::proc::run(Command::new(path).args(["-c", PROBE]), PROBE_LIMIT)
        .map_err(|e| format!("could not start: {e}"))?;
    if out.timed_out {
        return Err(format!("the probe took over {} s", PROBE_LIMIT.as_secs()));
    }
    let line = out.stdout.lines().rev().find(|l| l.starts_with('{'));
    match line.map(serde_json::from_str::<Probed>) {
        Some(Ok(p)) if out.code == Some(0) => Ok(p),
        _ => Err(format!(
            "the probe failed (exit {:?}): {}",
            out.code,
            out.stderr.lines().last().unwrap_or("").trim()
        )),
    }
}

pub use arena_store::cpython::major_minor;

/// The parts of a configure flag that bear on threads or speed (a distribution's build lists a dozen others:
/// ipv6, sqlite, expat...).
const RELEVANT: [&str; 8] = [
    "gil",
    "optimizations",
    "lto",
    "pydebug",
    "jit",
    "computed-gotos",
    "shared",
    "tail-call",
];

/// The flags of `CONFIG_ARGS` worth showing: `--enable-*`, `--disable-*`, `--with-*`, `--without-*` that bear on
/// threads or speed ([`RELEVANT`]), without the ones that name paths.
pub fn build_flags(config_args: &str) -> Vec<String> {
    config_args
        .split_whitespace()
        .map(|a| a.trim_matches(|c| c == '\'' || c == '"'))
        .filter(|a| {
            ["--enable-", "--disable-", "--with-", "--without-"]
                .iter()
                .any(|p| a.starts_with(p))
        })
        .filter(|a| !a.contains('/') && RELEVANT.iter().any(|r| a.contains(r)))
        .map(str::to_string)
        .collect()
}

/// Probes every candidate and keeps each CPython 3.8+ once per real executable (realpath of its
/// `sys.executable`), in version order; the rest are skipped, with the reason.
pub fn discover(candidates: &[PathBuf]) -> (Vec<Interpreter>, Vec<Skipped>) {
    let mut found: Vec<Interpreter> = Vec::new();
    let mut skipped = Vec::new();
    for c in candidates {
        let shown = c.display().to_string();
        let p = match probe(c) {
            Ok(p) => p,
            Err(reason) => {
                skipped.push(Skipped {
                    path: shown,
                    version: None,
                    reason,
                });
                continue;
            }
        };
        let skip = |reason: String| Skipped {
            path: shown.clone(),
            version: Some(p.version.clone()),
            reason,
        };
        if p.implementation != "CPython" {
            skipped.push(skip(format!("{} is not CPython", p.implementation)));
            continue;
        }
        match major_minor(&p.version) {
            Some(mm) if mm >= MIN_VERSION => {}
            _ => {
                skipped.push(skip(format!(
                    "{} is older than {}.{}, the oldest the sweep runs",
                    p.version, MIN_VERSION.0, MIN_VERSION.1
                )));
                continue;
            }
        }
        let exe = std::fs::canonicalize(&p.executable)
            .or_else(|_| std::fs::canonicalize(c))
            .unwrap_or_else(|_| c.clone())
            .display()
            .to_string();
        // One file under two names: a symlink resolves to it, a hard link (a free-threaded build's `python3.13` and
        // `python3.13t`) has its inode.
        let inode = |p: &str| {
            std::fs::metadata(p)
                .ok()
                .map(|m| std::os::unix::fs::MetadataExt::ino(&m))
        };
        if let Some(i) = found.iter_mut().find(|i| {
            i.executable == exe
                || (inode(&i.executable).is_some() && inode(&i.executable) == inode(&exe))
        }) {
            i.found_as.push(shown);
            continue;
        }
        let gil_disabled_build = p
            .gil_disabled
            .as_ref()
            .is_some_and(|v| v.as_u64() == Some(1) || v.as_bool() == Some(true));
        found.push(Interpreter {
            id: String::new(),
            version: p.version.clone(),
            executable: exe,
            found_as: vec![shown],
            gil_disabled_build,
            gil_enabled: p.gil_enabled,
            switch_interval_s: p.switch_interval,
            build_flags: build_flags(&p.config_args),
        });
    }
    let key = |i: &Interpreter| {
        let v: Vec<u64> = i
            .version
            .split('.')
            .map(|x| {
                x.chars()
                    .take_while(char::is_ascii_digit)
                    .collect::<String>()
                    .parse()
                    .unwrap_or(0)
            })
            .collect();
        (v, i.free_threaded(), i.executable.clone())
    };
    found.sort_by_key(key);
    name_all(&mut found);
    (found, skipped)
}

/// Gives each interpreter its [`Interpreter::id`]: the version, `t` when free-threaded, `#2`... for a second
/// executable of the same.
fn name_all(found: &mut [Interpreter]) {
    let mut used: Vec<String> = Vec::new();
    for i in found.iter_mut() {
        let base = format!("{}{}", i.version, if i.free_threaded() { "t" } else { "" });
        let n = used.iter().filter(|u| **u == base).count();
        i.id = if n == 0 {
            base.clone()
        } else {
            format!("{base}#{}", n + 1)
        };
        used.push(base);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// A fake interpreter: a shell script that answers the probe as a CPython of `version` whose real executable is
    /// `exe` (itself when `None`).
    fn fake(dir: &Path, name: &str, version: &str, ft: bool, exe: Option<&Path>) -> PathBuf {
        let path = dir.join(name);
        let exe = exe.unwrap_or(&path).display().to_string();
        let (disabled, enabled) = match (ft, major_minor(version) >= Some((3, 13))) {
            (true, _) => ("1", "false"),
            (false, true) => ("0", "true"),
            (false, false) => ("null", "null"),
        };
        let flags = if ft {
            "'--prefix=/opt/x' '--disable-gil'"
        } else {
            "'--enable-optimizations' '--with-lto'"
        };
        let json = format!(
            r#"{{"implementation": "CPython", "version": "{version}", "executable": "{exe}", "gil_disabled": {disabled}, "gil_enabled": {enabled}, "switch_interval": 0.005, "config_args": "{flags}"}}"#
        );
        std::fs::write(&path, format!("#!/bin/sh\ncat <<'EOF'\n{json}\nEOF\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    #[test]
    fn discovery_finds_each_cpython_once_and_skips_the_old_ones() {
        let tmp = tempfile::tempdir().unwrap();
        let bin = tmp.path().join("bin");
        let pyenv = tmp.path().join("pyenv");
        let ft = tmp.path().join("ft");
        for d in [&bin, &ft, &pyenv.join("versions/3.7.16/bin")] {
            std::fs::create_dir_all(d).unwrap();
        }
        std::fs::create_dir_all(pyenv.join("versions/3.9.18/bin")).unwrap();
        std::fs::create_dir_all(pyenv.join("shims")).unwrap();
        // 3.9 on PATH and in pyenv: two names, one executable (the PATH one is a copy that says it is pyenv's).
        let real39 = fake(
            &pyenv.join("versions/3.9.18/bin"),
            "python3",
            "3.9.18",
            false,
            None,
        );
        fake(&bin, "python3.9", "3.9.18", false, Some(&real39));
        fake(
            &pyenv.join("versions/3.7.16/bin"),
            "python3",
            "3.7.16",
            false,
            None,
        );
        fake(&ft, "python3.13t", "3.13.5", true, None);
        // A shim that would fail is not looked at.
        fake(&pyenv.join("shims"), "python3.8", "3.8.18", false, None);
        std::fs::write(bin.join("python3.12"), "not executable").unwrap();
        let s = Sources {
            path: vec![bin.clone(), pyenv.join("shims")],
            pyenv_root: Some(pyenv.clone()),
            uv: None,
            ft_bin: ft.clone(),
        };
        let c = candidates(&s);
        assert_eq!(c.len(), 4, "{c:?}");
        let (found, skipped) = discover(&c);
        let ids: Vec<&str> = found.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["3.9.18", "3.13.5t"]);
        assert_eq!(found[0].found_as.len(), 2, "{:?}", found[0].found_as);
        assert!(!found[0].free_threaded() && found[0].gil_enabled.is_none());
        assert_eq!(
            found[0].build_flags,
            ["--enable-optimizations", "--with-lto"]
        );
        assert!(found[1].free_threaded() && found[1].gil_disabled_build);
        assert_eq!(found[1].build_flags, ["--disable-gil"]);
        assert_eq!(found[1].switch_interval_s, 0.005);
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0].version.as_deref(), Some("3.7.16"));
        assert!(skipped[0].reason.contains("older than 3.8"), "{skipped:?}");
    }

    #[test]
    fn uv_lists_its_interpreters_with_the_path_last() {
        let tmp = tempfile::tempdir().unwrap();
        let py = fake(tmp.path(), "python3.12", "3.12.1", false, None);
        let uv = tmp.path().join("uv");
        std::fs::write(
            &uv,
            format!(
                "#!/bin/sh\n[ \"$2\" = list ] && echo 'cpython-3.12.1-linux-x86_64-gnu    {}'\n",
                py.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&uv, std::fs::Permissions::from_mode(0o755)).unwrap();
        let s = Sources {
            uv: Some(uv),
            ft_bin: tmp.path().join("none"),
            ..Sources::default()
        };
        assert_eq!(candidates(&s), [py]);
    }

    #[test]
    fn a_broken_candidate_is_skipped_with_its_reason() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("python3.11");
        std::fs::write(&p, "#!/bin/sh\necho 'no such module' >&2\nexit 1\n").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        let (found, skipped) = discover(&[p]);
        assert!(found.is_empty());
        assert!(skipped[0].reason.contains("no such module"), "{skipped:?}");
    }

    #[test]
    fn versions_and_flags_parse() {
        assert_eq!(major_minor("3.13.0rc1"), Some((3, 13)));
        assert_eq!(major_minor("3.9.18"), Some((3, 9)));
        assert!(major_minor("3.7.16") < Some(MIN_VERSION));
        assert_eq!(major_minor("x"), None);
        assert_eq!(
            build_flags(
                "'--prefix=/usr' '--enable-shared' '--with-openssl=/x' '--disable-gil' CC=gcc"
            ),
            ["--enable-shared", "--disable-gil"]
        );
    }
}
