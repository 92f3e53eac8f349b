//! `scripts/setup --free-threaded` without a network or a compiler: each run gets a PATH of its own (links to the
//! few tools the script uses, plus stubs), a temporary HOME (so no real ~/.pyenv) and `ARENA_TOOLS_DIR` in a
//! temporary folder, so nothing here downloads, builds or touches the repository's `.tools`. A failure must be one
//! line on stderr naming the cause, a non-zero exit and no `python-ft` left behind; a found interpreter must stop the
//! script before any build.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// What the script runs besides the interpreters, compilers and apt-get the tests control.
const TOOLS: &[&str] = &[
    "bash", "env", "dirname", "basename", "mkdir", "mktemp", "rm", "mv", "ln", "cat", "awk",
    "grep", "sed", "tr", "head", "tail", "find", "tar", "xz", "id", "nproc",
];

struct Sandbox {
    tmp: tempfile::TempDir,
}

impl Sandbox {
    /// A PATH folder holding links to [`TOOLS`] (those this machine has), a HOME and a tools folder, all empty.
    fn new() -> Sandbox {
        let tmp = tempfile::tempdir().unwrap();
        let bin = tmp.path().join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::create_dir_all(tmp.path().join("home")).unwrap();
        for tool in TOOLS {
            let found = ["/usr/bin", "/bin", "/usr/local/bin"]
                .iter()
                .map(|d| Path::new(d).join(tool))
                .find(|p| p.is_file());
            if let Some(p) = found {
                std::os::unix::fs::symlink(p, bin.join(tool)).unwrap();
            }
        }
        Sandbox { tmp }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.tmp.path().join(rel)
    }

    fn tools(&self) -> PathBuf {
        self.path("tools")
    }

    /// An executable shell script at `rel` (folders created).
    fn script(&self, rel: &str, body: &str) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    /// A fake CPython at `rel` whose GIL is off or on: answers the script's GIL probe by its exit code and `-VV`.
    fn python(&self, rel: &str, gil_off: bool) {
        let code = if gil_off { 0 } else { 1 };
        self.script(
            rel,
            &format!(
                "case \"$*\" in\n  *_is_gil_enabled*) exit {code} ;;\n  -VV) echo 'Python 3.13.5 (fake)' ;;\n  *) exit 2 ;;\nesac"
            ),
        );
    }

    /// `cc` and `make` stubs: the script only checks they exist before it reaches apt-get.
    fn compiler(&self) {
        self.script("bin/cc", "exit 0");
        self.script("bin/make", "exit 0");
    }

    /// An apt-get that fails as it does without a network, and leaves a mark that it ran.
    fn offline_apt(&self) {
        let mark = self.path("apt-ran");
        self.script(
            "bin/apt-get",
            &format!(
                ": > '{}'\necho 'E: Failed to fetch http://deb.debian.org/debian/dists/trixie/InRelease  Temporary failure resolving deb.debian.org' >&2\nexit 100",
                mark.display()
            ),
        );
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(peers::repo_root().join("scripts/setup"))
            .args(args)
            .env_clear()
            .env("PATH", self.path("bin"))
            .env("HOME", self.path("home"))
            .env("ARENA_TOOLS_DIR", self.tools())
            .output()
            .unwrap()
    }

    /// Nothing half-installed: no python-ft and no temporary build folder in the tools folder.
    fn assert_nothing_installed(&self) {
        let left: Vec<String> = std::fs::read_dir(self.tools())
            .map(|d| {
                d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .filter(|n| n != "python-ft-build.log")
                    .collect()
            })
            .unwrap_or_default();
        assert!(
            left.is_empty(),
            "left behind in {}: {left:?}",
            self.tools().display()
        );
    }
}

/// A failed run: exit code, exactly one line on stderr (returned), nothing installed.
fn assert_one_line_failure(s: &Sandbox, out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !out.status.success(),
        "should fail; stdout:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line of error, got:\n{stderr}");
    assert!(
        lines[0].starts_with("setup: cannot build a free-threaded CPython: "),
        "{stderr}"
    );
    // The way out is always named.
    assert!(lines[0].contains("uv python install 3.13t"), "{stderr}");
    s.assert_nothing_installed();
    lines[0].to_string()
}

#[test]
fn without_a_c_compiler_it_fails_in_one_line_before_downloading_anything() {
    let s = Sandbox::new();
    s.script("bin/make", "exit 0");
    s.offline_apt();
    let out = s.run(&["--free-threaded"]);
    let line = assert_one_line_failure(&s, &out);
    assert!(line.contains("no C compiler"), "{line}");
    assert!(line.contains("install gcc and make"), "{line}");
    assert!(
        !s.path("apt-ran").exists(),
        "apt-get ran without a compiler to build with"
    );
}

#[test]
fn without_make_it_fails_in_one_line() {
    let s = Sandbox::new();
    s.script("bin/cc", "exit 0");
    s.offline_apt();
    let line = assert_one_line_failure(&s, &s.run(&["--free-threaded"]));
    assert!(line.contains("no make"), "{line}");
}

#[test]
fn when_apt_get_cannot_fetch_it_fails_in_one_line_naming_apts_error() {
    let s = Sandbox::new();
    s.compiler();
    s.offline_apt();
    // GIL builds under the names looked for, on PATH and under pyenv, are passed over: the script goes on to build.
    s.python("bin/python3.13t", false);
    s.python("home/.pyenv/versions/3.13.0/bin/python3.13t", false);
    let out = s.run(&["--free-threaded"]);
    let line = assert_one_line_failure(&s, &out);
    assert!(s.path("apt-ran").exists(), "apt-get never ran");
    assert!(line.contains("apt-get update"), "{line}");
    assert!(
        line.contains("Temporary failure resolving deb.debian.org"),
        "{line}"
    );
    // Its progress line for the stage it was in went to stdout.
    assert!(String::from_utf8_lossy(&out.stdout).contains("[1/6] fetching python3.13"));
}

#[test]
fn without_apt_get_it_says_where_else_to_get_one() {
    let s = Sandbox::new();
    s.compiler();
    let line = assert_one_line_failure(&s, &s.run(&["--free-threaded"]));
    assert!(line.contains("no apt-get"), "{line}");
    assert!(line.contains("pyenv install 3.13t"), "{line}");
}

#[test]
fn a_free_threaded_interpreter_on_path_stops_it_before_any_build() {
    let s = Sandbox::new();
    s.offline_apt();
    s.python("bin/python3.14t", true);
    let out = s.run(&["--free-threaded"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("found on PATH at") && stdout.contains("python3.14t"),
        "{stdout}"
    );
    assert!(!s.path("apt-ran").exists());
    assert!(!s.tools().join("python-ft").exists());
}

#[test]
fn one_under_pyenv_is_linked_where_the_peers_look_and_a_second_run_reuses_it() {
    let s = Sandbox::new();
    s.offline_apt();
    s.python("home/.pyenv/versions/3.13.5t/bin/python3.13t", true);
    let out = s.run(&["--free-threaded"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("linked as"), "{stdout}");
    // The folder the peers read, by the crate's own constant.
    let rel = peers::FREE_THREADED_BIN.strip_prefix(".tools/").unwrap();
    let link = s.tools().join(rel).join("python3.13t");
    assert!(link.is_file(), "{} missing", link.display());

    let again = s.run(&["--free-threaded"]);
    assert!(again.status.success());
    let stdout = String::from_utf8_lossy(&again.stdout);
    assert!(
        stdout.contains("an earlier build; nothing to do"),
        "{stdout}"
    );
    assert!(!s.path("apt-ran").exists());
}

#[test]
fn an_unknown_argument_is_refused() {
    let s = Sandbox::new();
    let out = s.run(&["--free-thread"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("usage: scripts/setup [--free-threaded]")
    );
}
