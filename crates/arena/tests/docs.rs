//! Keeps the commands in the docs runnable: every line of a ```sh block in README.md, docs/*.md and
//! docs/runtimes/*.md is checked against the repository without running anything: `just` recipes exist in the
//! justfile and get the right number of arguments, `cargo` aliases exist in .cargo/config.toml, `-p` packages exist
//! in the workspace, and paths into the repository exist. Every command that reaches the driver is parsed by the
//! driver's own clap definition (`arena::cli::command()`), and every runtime `run` by the contract's
//! (`harness::cli::command()`), so flags, values and profiles are judged by the code that will read them.
//! `scripts/check-docs` adds the runs that need built binaries (each runtime command run briefly).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

/// The Markdown files whose commands must run.
fn doc_files() -> Vec<PathBuf> {
    let r = root();
    let mut v = vec![r.join("README.md")];
    for dir in [r.join("docs"), r.join("docs/runtimes")] {
        let mut md: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "md"))
            .collect();
        md.sort();
        v.extend(md);
    }
    v
}

/// (line number, command) for every command of the ```sh blocks: comments removed, `\` continuations joined,
/// `a && b` split.
pub fn sh_commands(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let (mut in_sh, mut pending, mut start) = (false, String::new(), 0);
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        if t.starts_with("```") {
            in_sh = !in_sh && (t == "```sh" || t == "```bash");
            continue;
        }
        if !in_sh {
            continue;
        }
        let code = match line.find(" #") {
            Some(k) => &line[..k],
            None => line,
        };
        if pending.is_empty() {
            start = i + 1;
        }
        match code.trim_end().strip_suffix('\\') {
            Some(head) => pending.push_str(head),
            None => {
                pending.push_str(code);
                for part in pending.split("&&") {
                    if !part.trim().is_empty() {
                        out.push((start, part.trim().to_string()));
                    }
                }
                pending.clear();
            }
        }
    }
    out
}

/// Recipe name -> (required arguments, whether more are accepted).
fn just_recipes() -> BTreeMap<String, (usize, bool)> {
    let mut m = BTreeMap::new();
    for line in read(&root().join("justfile")).lines() {
        if line.starts_with([' ', '\t', '#']) || !line.contains(':') || line.starts_with("set ") {
            continue;
        }
        let head = line.split(':').next().unwrap_or("");
        let mut words = head.split_whitespace();
        let Some(name) = words.next() else { continue };
        let (mut req, mut rest) = (0, false);
        for w in words {
            if w.starts_with('*') || w.starts_with('+') {
                rest = true;
                req += usize::from(w.starts_with('+'));
            } else if !w.contains('=') {
                req += 1;
            }
        }
        m.insert(name.to_string(), (req, rest));
    }
    m
}

fn cargo_aliases() -> BTreeSet<String> {
    let t: toml::Table = read(&root().join(".cargo/config.toml")).parse().unwrap();
    t.get("alias")
        .and_then(|a| a.as_table())
        .map(|a| a.keys().cloned().collect())
        .unwrap_or_default()
}

fn packages() -> BTreeSet<String> {
    let mut s = BTreeSet::new();
    for e in std::fs::read_dir(root().join("crates")).unwrap().flatten() {
        if let Ok(text) = std::fs::read_to_string(e.path().join("Cargo.toml")) {
            let t: toml::Table = text.parse().unwrap();
            if let Some(n) = t
                .get("package")
                .and_then(|p| p.get("name"))
                .and_then(|n| n.as_str())
            {
                s.insert(n.to_string());
            }
        }
    }
    s
}

/// Commands that do not run as written, in docs this check does not own. Each entry must still be in the docs
/// (the test says so when one is fixed); remove it then.
const KNOWN_BROKEN: [(&str, &str); 0] = [];

/// Strips one pair of outer quotes, as the shell would.
fn unquote(w: &str) -> &str {
    for q in ['"', '\''] {
        if w.len() >= 2 && w.starts_with(q) && w.ends_with(q) {
            return &w[1..w.len() - 1];
        }
    }
    w
}

/// What clap says of `arena ARGS...`: nothing when it parses.
fn arena_parses(args: &[&str], p: &mut Vec<String>) {
    let argv = std::iter::once("arena").chain(args.iter().map(|a| unquote(a)));
    if let Err(e) = arena::cli::command().try_get_matches_from(argv)
        && !matches!(
            e.kind(),
            clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion
        )
    {
        let text = e.to_string();
        p.push(format!(
            "arena rejects it: {}",
            text.lines()
                .next()
                .unwrap_or("")
                .trim_start_matches("error: ")
        ));
    }
}

/// What clap says of a runtime's `run ARGS...`, plus the workload and size it names.
fn check_run(a: &[&str], p: &mut Vec<String>) {
    check_workload(a.first().unwrap_or(&""), p);
    let argv = ["rt", "run"]
        .into_iter()
        .chain(a.iter().map(|x| unquote(x)));
    if let Err(e) = harness::cli::command().try_get_matches_from(argv) {
        p.push(format!(
            "the contract rejects it: {}",
            e.to_string()
                .lines()
                .next()
                .unwrap_or("")
                .trim_start_matches("error: ")
        ));
    }
    for (i, x) in a.iter().enumerate() {
        if *x == "--size"
            && a.get(i + 1)
                .is_none_or(|s| s.parse::<workloads::Size>().is_err())
        {
            p.push(format!("bad --size {:?}", a.get(i + 1)));
        }
    }
}

fn check_workload(name: &str, p: &mut Vec<String>) {
    if name.parse::<workloads::Workload>().is_err() {
        p.push(format!("no workload '{name}'"));
    }
}

struct Ctx {
    recipes: BTreeMap<String, (usize, bool)>,
    aliases: BTreeSet<String>,
    packages: BTreeSet<String>,
}

impl Ctx {
    fn new() -> Ctx {
        Ctx {
            recipes: just_recipes(),
            aliases: cargo_aliases(),
            packages: packages(),
        }
    }

    /// Problems with one command; `created` holds packages an earlier command of the same page scaffolds.
    fn check(&self, cmd: &str, created: &mut BTreeSet<String>) -> Vec<String> {
        let words = shell_words(cmd);
        let w: Vec<&str> = words.iter().map(String::as_str).collect();
        let mut p = Vec::new();
        for a in &w {
            let a = a.trim_matches('"');
            let repo_path = ["results/", "docs/", "crates/", "scripts/", "peers/"]
                .iter()
                .any(|d| a.starts_with(d));
            if repo_path && !a.contains('$') && !root().join(a).exists() {
                p.push(format!("no such path: {a}"));
            }
        }
        match w[0] {
            "just" => self.check_just(&w[1..], created, &mut p),
            "cargo" => self.check_cargo(&w[1..], created, &mut p),
            "scripts/new-runtime" => {
                created.insert(format!("rt-{}", w.get(1).unwrap_or(&"")));
            }
            "export" | "cp" | "ls" | "python3" | "node" => {}
            prog if prog.contains('/') => {
                let built = prog.starts_with("target/") || prog.starts_with(".tools/");
                if !built && !root().join(prog).exists() {
                    p.push(format!("no such program: {prog}"));
                }
                if prog.ends_with("/arena") {
                    arena_parses(&w[1..], &mut p);
                }
            }
            other => p.push(format!(
                "'{other}' is not a command this check knows (a program on PATH?)"
            )),
        }
        p
    }

    fn check_just(&self, a: &[&str], created: &mut BTreeSet<String>, p: &mut Vec<String>) {
        let Some(name) = a.first() else { return };
        let Some(&(req, rest)) = self.recipes.get(*name) else {
            p.push(format!("no recipe '{name}' in the justfile"));
            return;
        };
        let n = a.len() - 1;
        if n < req || (!rest && n > req) {
            p.push(format!(
                "`just {name}` takes {req}{} arguments, got {n}",
                if rest { " or more" } else { "" }
            ));
        }
        // What each recipe passes to arena, from the justfile: `bench-all` is `bench --profile standard`, `bench
        // PROFILE` is `bench --profile PROFILE`, the others pass their arguments to the subcommand of their name.
        let arena_args: Option<Vec<&str>> = match *name {
            "run" if n >= 2 => {
                self.check_package(a[1], created, p);
                check_run(&a[2..], p);
                None
            }
            "new-runtime" if n >= 1 => {
                created.insert(format!("rt-{}", a[1]));
                None
            }
            "bench-all" => Some([&["bench", "--profile", "standard"], &a[1..]].concat()),
            "bench" if n >= 1 => Some([&["bench", "--profile"], &a[1..]].concat()),
            "verify" | "list" | "serve" | "report" | "compare" | "merge" => Some(a.to_vec()),
            _ => None,
        };
        if let Some(args) = arena_args {
            arena_parses(&args, p);
        }
    }

    fn check_cargo(&self, a: &[&str], created: &mut BTreeSet<String>, p: &mut Vec<String>) {
        let Some(sub) = a.first() else { return };
        if self.aliases.contains(*sub) {
            // The aliases of .cargo/config.toml: `arena` passes its arguments on, `bench-all` is the main job.
            let args = match *sub {
                "bench-all" => [&["bench", "--profile", "standard"], &a[1..]].concat(),
                _ => a[1..].to_vec(),
            };
            return arena_parses(&args, p);
        }
        if !["run", "test", "build", "clippy", "install", "fmt"].contains(sub) {
            p.push(format!(
                "'cargo {sub}' is neither a cargo command this check knows nor an alias"
            ));
            return;
        }
        let split = a.iter().position(|x| *x == "--").unwrap_or(a.len());
        let mut pkg = None;
        for (i, x) in a[..split].iter().enumerate() {
            if (*x == "-p" || *x == "--package") && *sub != "install" {
                pkg = a.get(i + 1).copied();
                self.check_package(pkg.unwrap_or(""), created, p);
            }
        }
        if *sub == "run" {
            let after = &a[(split + 1).min(a.len())..];
            match pkg {
                Some("arena") => arena_parses(after, p),
                Some(x) if x.starts_with("rt-") => match after.first() {
                    Some(&"run") => check_run(&after[1..], p),
                    Some(&"list") => {}
                    other => p.push(format!("a runtime takes `list` or `run`, not {other:?}")),
                },
                _ => {}
            }
        }
    }

    fn check_package(&self, name: &str, created: &BTreeSet<String>, p: &mut Vec<String>) {
        if !self.packages.contains(name) && !created.contains(name) {
            p.push(format!("no workspace package '{name}'"));
        }
    }
}

/// Splits a command into words as a shell would for these docs: at blanks outside quotes (quotes are kept).
fn shell_words(cmd: &str) -> Vec<String> {
    let (mut out, mut cur, mut quote) = (Vec::new(), String::new(), None);
    for ch in cmd.chars() {
        match (quote, ch) {
            (None, c) if c.is_whitespace() => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                continue;
            }
            (None, '"' | '\'') => quote = Some(ch),
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
        cur.push(ch);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[test]
fn every_doc_command_runs_as_written() {
    let ctx = Ctx::new();
    let mut problems = Vec::new();
    let mut seen_broken = BTreeSet::new();
    let mut count = 0;
    for f in doc_files() {
        let rel = f
            .strip_prefix(root())
            .unwrap_or(&f)
            .to_string_lossy()
            .replace("../", "");
        let rel = rel.trim_start_matches("crates/harness/").to_string();
        let mut created = BTreeSet::new();
        for (line, cmd) in sh_commands(&read(&f)) {
            count += 1;
            if KNOWN_BROKEN.contains(&(rel.as_str(), cmd.as_str())) {
                seen_broken.insert(cmd.clone());
                continue;
            }
            for pr in ctx.check(&cmd, &mut created) {
                problems.push(format!("{rel}:{line}: `{cmd}`: {pr}"));
            }
        }
    }
    for (f, cmd) in KNOWN_BROKEN {
        if !seen_broken.contains(cmd) {
            problems.push(format!(
                "{f}: `{cmd}` is no longer in the docs: remove it from KNOWN_BROKEN"
            ));
        }
    }
    assert!(
        count > 20,
        "only {count} commands found: is the extraction broken?"
    );
    assert!(
        problems.is_empty(),
        "{} doc command(s) would not run:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn the_checker_catches_broken_commands() {
    let ctx = Ctx::new();
    let mut c = BTreeSet::new();
    for bad in [
        "just no-such-recipe",
        "just compare results/2026-11-26-0021-vm",
        "just bench huge",
        "just run rt-nope cpu-balanced",
        "cargo run --release -p rt-seq -- run cpu-balanced --bogus 1",
        "cargo run --release -p rt-seq -- run no-such-workload",
        "cargo run --release -p arena -- bench --no-such-flag",
        "cargo bench-everything",
        "scripts/no-such-script",
        "cp -r results/no-such-run /tmp/x",
        "rt-seq run cpu-balanced",
        "just bench smoke --seed soon",
        "cargo arena report",
        "just list --runtime",
        "cargo run --release -p rt-seq -- run cpu-balanced --workers many",
    ] {
        assert!(!ctx.check(bad, &mut c).is_empty(), "not caught: {bad}");
    }
    for good in [
        "just bench smoke --runtime rt-seq --workload cpu-balanced",
        "cargo run --release -p rt-seq -- run cpu-balanced --size quick",
        "cargo bench-all",
        "just compare results/2026-11-26-0021-vm \"$(ls -d /tmp/x/* | tail -n 1)\"",
    ] {
        assert_eq!(ctx.check(good, &mut c), Vec::<String>::new(), "{good}");
    }
    let mut created = BTreeSet::new();
    assert!(
        ctx.check("just new-runtime demo-x", &mut created)
            .is_empty()
    );
    assert!(
        ctx.check("cargo test -p rt-demo-x", &mut created)
            .is_empty()
    );
    let cmds = sh_commands("x\n```sh\na \\\n  b # c\nd && e\n```\n```text\nf\n```\n");
    assert_eq!(
        cmds,
        vec![(3, "a   b".to_string()), (5, "d".into()), (5, "e".into())]
    );
}
