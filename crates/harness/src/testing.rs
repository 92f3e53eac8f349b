//! The conformance suite: what every runtime (and every peer implementation in another language) must do to take
//! part. A runtime's `tests/contract.rs` is five lines:
//!
//! ```ignore
//! #[test]
//! fn conforms() {
//!     harness::testing::assert_conforms(env!("CARGO_BIN_EXE_rt-seq"));
//! }
//! ```
//!
//! It checks that `list` parses; that every listed workload in every variant at `--size check` exits 0 with exactly
//! one valid RunReport whose checksum matches the reference (for `race`, `attempted == W*K` and `lost_updates ==
//! attempted - final counter`); the race rules that hold by construction ([`Conformance::check_race`]); that bad
//! input exits 2 with a message and no backtrace (a flag the workload does not read among it); that a run that cannot
//! fit the machine is refused with exit 2 and one line, leaving no scratch directory; that an unlisted workload exits
//! 3; and that `--deadline-s 1` on a run that needs longer exits 124 within 2 s (io-file's leaving no scratch
//! directory). It starts its own delay server for `io-net`, and requires that the server answered exactly `tasks`
//! requests with the nonce the run reports (a model that computes the replies itself, without the network, fails).
//! The waits must tell the truth: `early_waits` is reported for io-sleep and mixed, and is 0 unless the suite is told
//! the timers may fire early ([`Conformance::timers_may_fire_early`]); `sojourn_ms` is reported for io-sleep, io-net
//! and mixed, and no task's sojourn is shorter than its wait. Every key of every report's `extra` must be registered
//! in [`contract::extra`] ([`contract::check_extra_keys`]).

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use delay_server::DelayServer;
use workloads::Workload;

use crate::contract::{self, Exit, Violation};
use crate::report::{Info, RunReport, Threads};

/// W of the race rules ([`Conformance::check_race`]): four racers, more than the cores of a small machine, so that
/// threads and processes overlap.
pub const RACE_WORKERS: u64 = 4;
/// K of the race rules, the default of [`Conformance::race_work`]: 100 000 increments per racer, so that an unguarded
/// read-modify-write on several native threads or processes loses updates (a broken lock loses over half of them).
pub const RACE_WORK: u64 = 100_000;

/// `race` with `--tasks`, which it refuses ([`crate::cli::RACE_HAS_NO_TASKS`]).
const RACE_WITH_TASKS: [&str; 6] = ["run", "race", "--size", "check", "--tasks", "4"];

/// Runs `binary run <args>` and returns its RunReport; panics (naming the command and its stderr) if it fails,
/// prints anything but one RunReport, or writes an `extra` key [`contract::extra`] does not register. For a
/// runtime's behaviour tests.
pub fn run_report(binary: &str, args: &[&str]) -> RunReport {
    let out = Command::new(binary)
        .arg("run")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("could not start {binary}: {e}"));
    assert!(
        out.status.success(),
        "{binary} run {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr).trim()
    );
    let r = contract::stdout_report(&String::from_utf8_lossy(&out.stdout))
        .unwrap_or_else(|v| panic!("{binary} run {}: {v}", args.join(" ")));
    let unregistered = contract::check_extra_keys(&r);
    assert!(
        unregistered.is_empty(),
        "{binary} run {}: {}",
        args.join(" "),
        unregistered.join("; ")
    );
    r
}

/// The `race` behaviour of an async runtime with a one-thread variant (`single`) and a multi-thread one (`multi`),
/// from lost-update counts only (never times), with W = 4 racers of K = 100 000 increments: on one thread nothing
/// is lost unless a yield point sits inside the read-modify-write (`--opt yield=true`), and then updates are lost;
/// `sync=lock` on one thread and `sync=atomic` on several lose nothing, even with the yield point.
pub fn assert_race_yield_points(binary: &str, single: &str, multi: &str) {
    let lost = |variant: &str, opts: &[&str]| {
        let mut args = vec![
            "race",
            "--workers",
            "4",
            "--work",
            "100000",
            "--variant",
            variant,
        ];
        for o in opts {
            args.extend(["--opt", o]);
        }
        let report = run_report(binary, &args);
        if let Some(why) = report.race_problem() {
            panic!("{binary} run {}: {why}", args.join(" "));
        }
        report.lost_updates.expect("lost_updates is set for race")
    };
    assert_eq!(lost(single, &[]), 0, "{single} without a yield point");
    assert!(
        lost(single, &["yield=true"]) > 0,
        "{single} with yield=true"
    );
    assert_eq!(
        lost(single, &["yield=true", "sync=lock"]),
        0,
        "{single}, yield=true, sync=lock"
    );
    assert_eq!(
        lost(multi, &["yield=true", "sync=atomic"]),
        0,
        "{multi}, yield=true, sync=atomic"
    );
}

/// Runs the whole conformance suite against a runtime binary; panics with every problem found.
pub fn assert_conforms(binary: &str) {
    Conformance::new(vec![binary.to_string()]).assert();
}

/// The conformance suite for a command (a binary, or an interpreter and a script with its arguments).
#[derive(Debug, Clone)]
pub struct Conformance {
    command: Vec<String>,
    /// Extra arguments for every `run` (for example `--opt` values a peer needs).
    pub extra_run_args: Vec<String>,
    /// Whether the model's timer may end a wait early (Node's `setTimeout` can, by up to 1 ms). When false (every
    /// Rust runtime: a sleep never returns early on Linux), io-sleep and mixed must report `early_waits: 0`; when
    /// true, the count is only required to be reported.
    pub timers_may_fire_early: bool,
    /// K of the race rules ([`RACE_WORK`] by default). An interpreter that runs the increment loop many times slower
    /// than compiled code gets a smaller K, as its `--size` presets do (`race_scale` in `peers/peers.toml`), so that
    /// the rules take about as long everywhere.
    pub race_work: u64,
}

impl Conformance {
    /// The suite for `command` (program first, then fixed leading arguments).
    pub fn new(command: Vec<String>) -> Conformance {
        assert!(!command.is_empty(), "the command must name a program");
        Conformance {
            command,
            extra_run_args: Vec::new(),
            timers_may_fire_early: false,
            race_work: RACE_WORK,
        }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(&self.command[0]);
        c.args(&self.command[1..]).args(args).stdin(Stdio::null());
        c
    }

    fn output(&self, args: &[&str]) -> Output {
        self.cmd(args)
            .output()
            .unwrap_or_else(|e| panic!("could not start {:?}: {e}", self.command))
    }

    /// The runtime's `list`, parsed.
    pub fn list(&self) -> Info {
        let out = self.output(&["list"]);
        assert!(
            out.status.success(),
            "`list` failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        serde_json::from_str(text.trim())
            .unwrap_or_else(|e| panic!("`list` did not print one Info object: {e}\n{text}"))
    }

    /// Runs every check; panics listing all failures.
    pub fn assert(&self) {
        let info = self.list();
        let mut problems = Vec::new();
        problems.extend(check_info(&info));
        let server = DelayServer::start(0, 0).expect("delay server starts");
        let addr = server.addr().to_string();
        for variant in &info.variants {
            for &w in info
                .workloads
                .iter()
                .filter(|w| variant.runs(&info.workloads, **w))
            {
                let (report, p) = self.run_cell(&info, &variant.name, w, &addr);
                problems.extend(p);
                if let Some(r) = report.filter(|_| w == Workload::IoNet) {
                    problems.extend(
                        check_served(&r, &server).map(|m| format!("{}/{w}: {m}", variant.name)),
                    );
                }
            }
        }
        problems.extend(self.check_race(&info));
        problems.extend(self.check_bad_input(&info));
        problems.extend(self.check_refusals(&info));
        if info.workloads.contains(&Workload::IoNet) {
            problems.extend(self.check_not_a_delay_server(&info));
        }
        problems.extend(self.check_deadline(&info, &addr));
        server.stop();
        assert!(
            problems.is_empty(),
            "{} does not conform:\n- {}",
            info.runtime,
            problems.join("\n- ")
        );
    }

    /// Runs one workload at `--size check` and checks the report; returns the problems found.
    pub fn check_run(&self, info: &Info, variant: &str, w: Workload, addr: &str) -> Vec<String> {
        self.run_cell(info, variant, w, addr).1
    }

    /// [`Conformance::check_run`], also giving back the report when there is one.
    fn run_cell(
        &self,
        info: &Info,
        variant: &str,
        w: Workload,
        addr: &str,
    ) -> (Option<RunReport>, Vec<String>) {
        let mut args = vec![
            "run",
            w.name(),
            "--variant",
            variant,
            "--size",
            "check",
            "--deadline-s",
            "60",
        ];
        if w.needs_addr() {
            args.extend(["--addr", addr]);
        }
        let extra: Vec<&str> = self.extra_run_args.iter().map(String::as_str).collect();
        args.extend(extra);
        let what = format!("{variant}/{w}");
        let out = self.output(&args);
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        let exit = Exit::new(out.status, &stdout, &stderr);
        // The same reader as the driver's; a report with a wrong checksum is still checked for everything else.
        let report = match contract::read(&exit, w, variant) {
            Ok(r) => r,
            Err(Violation::WrongChecksum { report, .. }) => *report,
            Err(v) => return (None, vec![format!("{what}: {v}")]),
        };
        let mut p = check_report(&report, info, variant, w);
        // The variant's own facts may say its timers fire early (Node's setTimeout); the suite may say so too.
        let early = info.facts_of(variant).is_some_and(|f| f.early_timers);
        p.extend(check_waits(&report, self.timers_may_fire_early || early));
        p.extend(contract::check_floor(&report));
        p.extend(contract::check_extra_keys(&report));
        p.iter_mut().for_each(|m| *m = format!("{what}: {m}"));
        (Some(report), p)
    }

    /// The race rules that hold by construction, in every variant of a runtime that lists `race`, with W =
    /// [`RACE_WORKERS`] racers of K = [`Conformance::race_work`] increments: `sync=lock` and `sync=atomic` lose no update; and a variant whose
    /// facts say one thread runs its tasks, as a sequential run or an event loop (`Facts { threads: Threads::One,
    /// .. }`), loses none without a yield point (`yield=false` where the runtime lists `yield`), because nothing can
    /// run between a racer's load and its store. Each run is read by [`contract::read`], so its `attempted` must also
    /// be `W*K`. A runtime is read as its maintainer would: a lost update here is a bug, not bad luck.
    pub fn check_race(&self, info: &Info) -> Vec<String> {
        if !info.workloads.contains(&Workload::Race) {
            return Vec::new();
        }
        let has_yield = info.opts.iter().any(|o| o.key == crate::opts::YIELD);
        let mut problems = Vec::new();
        // Only the variants that run race (a per-task variant may run only the floor workloads).
        for v in info
            .variants
            .iter()
            .filter(|v| v.runs(&info.workloads, Workload::Race))
        {
            let mut rules: Vec<(Vec<String>, String)> = vec![
                (
                    vec![format!("{}=lock", crate::opts::SYNC)],
                    "a lock around the load and the store cannot lose an update: the runtime does not hold one \
                     lock across each racer's whole read-modify-write"
                        .into(),
                ),
                (
                    vec![format!("{}=atomic", crate::opts::SYNC)],
                    "an atomic increment cannot lose an update: the runtime does not increment with one atomic \
                     read-modify-write"
                        .into(),
                ),
            ];
            let facts = v.facts.unwrap_or_default();
            if facts.threads == Threads::One && (facts.sequential || facts.event_loop) {
                let mut opts = vec![format!("{}=none", crate::opts::SYNC)];
                if has_yield {
                    opts.push(format!("{}=false", crate::opts::YIELD));
                }
                let what = if facts.sequential {
                    "a sequential run"
                } else {
                    "an event loop"
                };
                rules.push((
                    opts,
                    format!(
                        "its facts say one thread runs every racer ({what}) and no yield point sits inside the \
                         increment, so no racer can run between another's load and store: the facts are wrong, or \
                         the racers do not run as declared"
                    ),
                ));
            }
            for (opts, why) in rules {
                problems.extend(self.check_race_loses_nothing(&v.name, &opts, &why));
            }
        }
        problems
    }

    fn check_race_loses_nothing(&self, variant: &str, opts: &[String], why: &str) -> Vec<String> {
        let (w, k) = (RACE_WORKERS.to_string(), self.race_work.to_string());
        let mut args: Vec<&str> = vec!["run", "race", "--variant", variant, "--deadline-s", "60"];
        args.extend(["--workers", &w, "--work", &k]);
        // The suite's extra arguments first, so that the opt under test wins over theirs.
        args.extend(self.extra_run_args.iter().map(String::as_str));
        for o in opts {
            args.extend(["--opt", o.as_str()]);
        }
        let what = format!("{variant}/race --opt {}", opts.join(" --opt "));
        let out = self.output(&args);
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        match contract::read(
            &Exit::new(out.status, &stdout, &stderr),
            Workload::Race,
            variant,
        ) {
            Err(v) => vec![format!("{what}: {v}")],
            Ok(r) => {
                let mut p: Vec<String> = contract::check_extra_keys(&r)
                    .into_iter()
                    .map(|m| format!("{what}: {m}"))
                    .collect();
                if r.lost_updates != Some(0) {
                    p.push(format!(
                        "{what}: lost {} of {} updates with --workers {w} --work {k}; {why}",
                        r.lost_updates.unwrap_or(0),
                        r.attempted.unwrap_or(0),
                    ));
                }
                p
            }
        }
    }

    fn check_bad_input(&self, info: &Info) -> Vec<String> {
        let w = info
            .workloads
            .first()
            .map(|w| w.name())
            .unwrap_or("cpu-balanced");
        let mut cases: Vec<(Vec<&str>, i32)> = vec![
            (
                vec!["run", "no-such-workload", "--size", "check"],
                crate::exit::USAGE,
            ),
            (
                vec!["run", w, "--size", "check", "--variant", "no-such-variant"],
                crate::exit::USAGE,
            ),
            (
                vec!["run", w, "--size", "check", "--tasks", "abc"],
                crate::exit::USAGE,
            ),
            (
                vec!["run", w, "--size", "check", "--opt", "no-such-opt=1"],
                crate::exit::USAGE,
            ),
            (vec!["run", w, "--size", "no-such-size"], crate::exit::USAGE),
            (
                vec!["run", w, "--size", "check", "--workers", "0"],
                crate::exit::USAGE,
            ),
            (
                vec!["run", w, "--size", "check", unused_flag(w), "4"],
                crate::exit::USAGE,
            ),
        ];
        if info.workloads.contains(&Workload::IoNet) {
            cases.push((vec!["run", "io-net", "--size", "check"], crate::exit::USAGE));
        }
        if info.workloads.contains(&Workload::Race) {
            cases.push((
                vec!["run", "race", "--size", "check", "--opt", "sync=maybe"],
                crate::exit::USAGE,
            ));
            cases.push((RACE_WITH_TASKS.to_vec(), crate::exit::USAGE));
        }
        let unlisted: Vec<Workload> = Workload::ALL
            .into_iter()
            .filter(|w| !info.workloads.contains(w))
            .collect();
        if let Some(u) = unlisted.first() {
            cases.push((
                vec!["run", u.name(), "--size", "check", "--addr", "127.0.0.1:9"],
                crate::exit::UNSUPPORTED,
            ));
        }
        // A listed workload that a variant does not run (the floor workloads in a pool variant) exits 3 too.
        for v in &info.variants {
            if let Some(w) = info
                .workloads
                .iter()
                .find(|w| !v.runs(&info.workloads, **w))
            {
                cases.push((
                    vec!["run", w.name(), "--variant", &v.name, "--size", "check"],
                    crate::exit::UNSUPPORTED,
                ));
            }
        }
        let mut problems = Vec::new();
        for (args, want) in cases {
            let out = self.output(&args);
            let stderr = String::from_utf8_lossy(&out.stderr);
            let cmd = args.join(" ");
            if out.status.code() != Some(want) {
                problems.push(format!(
                    "`{cmd}` exited {:?}, expected {want}: {}",
                    out.status.code(),
                    stderr.trim()
                ));
            }
            if stderr.trim().is_empty() {
                problems.push(format!("`{cmd}` printed no message on stderr"));
            }
            if stderr.contains("panicked")
                || stderr.contains("RUST_BACKTRACE")
                || stderr.contains("stack backtrace")
            {
                problems.push(format!("`{cmd}` printed a panic: {}", stderr.trim()));
            }
            if !out.stdout.is_empty() {
                problems.push(format!("`{cmd}` printed on stdout although it failed"));
            }
            if args == RACE_WITH_TASKS && !stderr.contains(crate::cli::RACE_HAS_NO_TASKS) {
                problems.push(format!(
                    "`{cmd}` must say \"{}\", said: {}",
                    crate::cli::RACE_HAS_NO_TASKS,
                    stderr.trim()
                ));
            }
        }
        problems
    }

    /// Runs `args` with a private temp dir (`TMPDIR`), so that no other run can put entries in it, and returns the
    /// output and the names of the `arena-` entries left behind.
    fn output_in_private_tmp(&self, args: &[&str]) -> (Output, Vec<String>) {
        let tmp = tempfile::tempdir().expect("a private temp dir");
        let out = self
            .cmd(args)
            .env("TMPDIR", tmp.path())
            .output()
            .unwrap_or_else(|e| panic!("could not start {:?}: {e}", self.command));
        let left = std::fs::read_dir(tmp.path())
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.starts_with("arena-"))
                    .collect()
            })
            .unwrap_or_default();
        (out, left)
    }

    /// Runs that cannot fit any machine are refused before anything is allocated: exit 2, one line on stderr,
    /// nothing on stdout, no backtrace, and (io-file) no scratch directory left in the temp dir. And an io-file run
    /// stopped by its deadline leaves no scratch directory either.
    fn check_refusals(&self, info: &Info) -> Vec<String> {
        let mut cases: Vec<Vec<&str>> = Vec::new();
        if info.workloads.contains(&Workload::IoFile) {
            cases.push(vec![
                "run",
                "io-file",
                "--size-kib",
                "999999999",
                "--tasks",
                "2",
                "--deadline-s",
                "10",
            ]);
        }
        // The deadline keeps a runtime that does not refuse from running for ever.
        if let Some(w) = info.workloads.iter().find(|w| w.uses().contains(&"tasks")) {
            cases.push(vec![
                "run",
                w.name(),
                "--tasks",
                "1000000000000000",
                "--deadline-s",
                "10",
            ]);
        }
        let mut problems = Vec::new();
        for args in cases {
            let cmd = args.join(" ");
            let (out, left) = self.output_in_private_tmp(&args);
            let stderr = String::from_utf8_lossy(&out.stderr);
            if out.status.code() != Some(crate::exit::USAGE) {
                problems.push(format!(
                    "`{cmd}` exited {:?}, expected 2 (refused before allocating): {}",
                    out.status.code(),
                    contract::stderr_tail(&stderr)
                ));
            } else if stderr.trim().lines().count() != 1 {
                problems.push(format!(
                    "`{cmd}` must say why in one line on stderr, got: {}",
                    stderr.trim()
                ));
            }
            if !out.stdout.is_empty() {
                problems.push(format!("`{cmd}` printed on stdout although it failed"));
            }
            if !left.is_empty() {
                problems.push(format!(
                    "`{cmd}` left its scratch directory behind: {}",
                    left.join(", ")
                ));
            }
        }
        if info.workloads.contains(&Workload::IoFile) {
            let args = [
                "run",
                "io-file",
                "--tasks",
                "100000",
                "--size-kib",
                "16",
                "--deadline-s",
                "1",
            ];
            let cmd = args.join(" ");
            let (out, left) = self.output_in_private_tmp(&args);
            if out.status.code() != Some(crate::exit::DEADLINE) {
                problems.push(format!(
                    "`{cmd}` exited {:?}, expected 124",
                    out.status.code()
                ));
            }
            if !left.is_empty() {
                problems.push(format!(
                    "`{cmd}` left its scratch directory behind when the deadline fired: {}",
                    left.join(", ")
                ));
            }
        }
        problems
    }

    /// io-net against a server that echoes the id (io-net's old reply) must fail: exit 1, one line naming a request
    /// id, the address and what came back, nothing on stdout.
    fn check_not_a_delay_server(&self, info: &Info) -> Vec<String> {
        let echo = EchoServer::start();
        let addr = echo.addr.to_string();
        let variant = info.default_variant().unwrap_or_default().to_string();
        let mut args = vec![
            "run",
            "io-net",
            "--variant",
            &variant,
            "--size",
            "check",
            "--deadline-s",
            "60",
            "--addr",
            &addr,
        ];
        let extra: Vec<&str> = self.extra_run_args.iter().map(String::as_str).collect();
        args.extend(extra);
        let out = self.output(&args);
        drop(echo);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let line = stderr.trim();
        let cmd = format!("run io-net against a server that echoes the id ({addr})");
        let mut problems = Vec::new();
        if out.status.code() != Some(crate::exit::FAILED) {
            problems.push(format!(
                "`{cmd}` exited {:?}, expected 1: a reply that is not reply_value(id, nonce) must fail the run",
                out.status.code()
            ));
        }
        if !(line.contains("request ") && line.contains(&addr) && line.contains("0x")) {
            problems.push(format!(
                "`{cmd}`: stderr must name the request id, the server address and the reply that came back, got: \
                 {line:?}"
            ));
        }
        if line.lines().count() > 1 || !out.stdout.is_empty() {
            problems.push(format!(
                "`{cmd}` must print one line on stderr and nothing on stdout"
            ));
        }
        problems
    }

    fn check_deadline(&self, info: &Info, addr: &str) -> Vec<String> {
        // A run that needs far longer than the 1 s deadline.
        let args: Vec<&str> = if info.workloads.contains(&Workload::IoSleep) {
            vec![
                "run",
                "io-sleep",
                "--tasks",
                "2",
                "--delay-ms",
                "20000",
                "--deadline-s",
                "1",
            ]
        } else if info.workloads.contains(&Workload::CpuBalanced) {
            vec![
                "run",
                "cpu-balanced",
                "--tasks",
                "64",
                "--work",
                "2000000",
                "--deadline-s",
                "1",
            ]
        } else if info.workloads.contains(&Workload::IoNet) {
            vec![
                "run",
                "io-net",
                "--tasks",
                "2",
                "--delay-ms",
                "20000",
                "--deadline-s",
                "1",
                "--addr",
                addr,
            ]
        } else {
            return vec![];
        };
        let t = Instant::now();
        let out = self.output(&args);
        let took = t.elapsed();
        let mut problems = Vec::new();
        let cmd = args.join(" ");
        if out.status.code() != Some(crate::exit::DEADLINE) {
            problems.push(format!(
                "`{cmd}` exited {:?}, expected 124",
                out.status.code()
            ));
        }
        // Why 5 s: the run itself would take 20 s, so a runtime that ignores its deadline still fails by far, while
        // an interpreter's start-up on a loaded 2-core machine (the conformance suite runs peers in parallel) no
        // longer does; 2 s failed a CPython peer at 2.03 s under load.
        if took > Duration::from_secs(5) {
            problems.push(format!(
                "`{cmd}` took {took:?} to honour a 1 s deadline (limit 5 s of the 20 s it would take without one)"
            ));
        }
        problems
    }
}

/// A `run` flag that workload `w` does not read (so it must be refused).
fn unused_flag(w: &str) -> &'static str {
    let uses = w.parse::<Workload>().map(|w| w.uses()).unwrap_or_default();
    if uses.contains(&"delay_ms") {
        "--size-kib"
    } else {
        "--delay-ms"
    }
}

/// A loopback server that answers each io-net request with its id, as the delay server did before replies carried
/// `reply_value(id, nonce)`: the stand-in for "something that is not the delay server". Stops when dropped.
struct EchoServer {
    addr: std::net::SocketAddr,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl EchoServer {
    fn start() -> EchoServer {
        use std::io::{Read, Write};
        use std::sync::atomic::Ordering;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let addr = listener.local_addr().expect("its address");
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((mut s, _)) => {
                        let _ = s.set_nonblocking(false);
                        let mut req = [0u8; workloads::net::REQUEST_LEN];
                        if s.read_exact(&mut req).is_ok() {
                            let _ = s.write_all(&req[..workloads::net::REPLY_LEN]);
                        }
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(1)),
                }
            }
        });
        EchoServer {
            addr,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for EchoServer {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Checks `list` output: names, exactly one default variant, at least one workload.
pub fn check_info(info: &Info) -> Vec<String> {
    let mut p = Vec::new();
    if info.runtime.is_empty() || info.display.is_empty() {
        p.push("list: runtime and display must not be empty".to_string());
    }
    let defaults = info.variants.iter().filter(|v| v.default).count();
    if defaults != 1 {
        p.push(format!(
            "list: exactly one variant must be the default, found {defaults}"
        ));
    }
    if info.workloads.is_empty() {
        p.push("list: no workloads".to_string());
    }
    for v in &info.variants {
        if let Some(ws) = &v.workloads {
            if let Some(w) = ws.iter().find(|w| !info.workloads.contains(w)) {
                p.push(format!(
                    "list: variant '{}' runs {w}, which the runtime's workloads do not list",
                    v.name
                ));
            }
            if ws.is_empty() {
                p.push(format!("list: variant '{}' runs no workload", v.name));
            }
        }
    }
    for v in info.variants.iter().filter(|v| v.facts.is_none()) {
        p.push(format!(
            "list: variant '{}' declares no facts (add `.facts(Facts::...)` after its `.variant(..)`): the report \
             selects cells by them",
            v.name
        ));
    }
    if !info.opts.iter().any(|o| o.key == crate::opts::SYNC) {
        p.push("list: the harness opt `sync` is missing".to_string());
    }
    p
}

/// Checks that `server` answered exactly the io-net run's `tasks` requests with the nonce it reports (the
/// contract's rule, [`contract::check_served`]).
pub fn check_served(r: &RunReport, server: &DelayServer) -> Option<String> {
    contract::check_served(r, |nonce| server.served(nonce))
}

/// The figures of the waits, by the contract's rule ([`contract::check_waits`]).
pub fn check_waits(r: &RunReport, timers_may_fire_early: bool) -> Vec<String> {
    contract::check_waits(r, timers_may_fire_early)
}

/// Checks one RunReport against the reference; returns the problems found.
pub fn check_report(r: &RunReport, info: &Info, variant: &str, w: Workload) -> Vec<String> {
    let mut p = Vec::new();
    if r.runtime != info.runtime {
        p.push(format!(
            "runtime is '{}', list says '{}'",
            r.runtime, info.runtime
        ));
    }
    // The cell and the checksum, by the contract's own rule.
    if let Err(v) = contract::check(r, w, variant) {
        p.push(v.to_string());
    }
    if !(r.elapsed_ms > 0.0 && r.elapsed_ms.is_finite()) {
        p.push(format!(
            "elapsed_ms {} is not a positive time",
            r.elapsed_ms
        ));
    }
    if r.peak_rss_kib == 0 || r.os_threads_peak == 0 {
        p.push("peak_rss_kib and os_threads_peak must be measured".to_string());
    }
    let nonce: &[&str] = if w == Workload::IoNet {
        &[workloads::spec::NONCE_KEY]
    } else {
        &[]
    };
    for key in ["size", "workers", "deadline_s", "opts"]
        .iter()
        .chain(w.uses())
        .chain(nonce)
    {
        if !r.params.contains_key(*key) {
            p.push(format!("params lacks '{key}'"));
        }
    }
    let wants_latency = matches!(w, Workload::IoSleep | Workload::IoNet | Workload::Mixed);
    if wants_latency != r.latency_ms.is_some() {
        p.push(format!(
            "latency_ms must be {} for {w}",
            if wants_latency { "set" } else { "null" }
        ));
    }
    if (w == Workload::Race) != r.lost_updates.is_some() {
        p.push("lost_updates must be set for race and only for race".to_string());
    }
    if (w == Workload::Race) != r.attempted.is_some() {
        p.push(
            "attempted must be set for race (the sum of the racers' own counts of the increments they performed) \
             and only for race"
                .to_string(),
        );
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Latency;
    use workloads::{Params, Size};

    fn report(w: Workload) -> RunReport {
        let p = Params::preset(w, Size::Check, 2);
        let mut params = serde_json::Map::new();
        for (k, v) in [("tasks", p.tasks), ("delay_ms", p.delay_ms)] {
            params.insert(k.into(), v.into());
        }
        let lat = |x: f64| Latency {
            p50: x,
            p90: x,
            p99: x,
            max: x,
        };
        RunReport {
            runtime: "rt-x".into(),
            variant: "v".into(),
            workload: w,
            params,
            checksum: 0,
            elapsed_ms: 1.0,
            latency_ms: Some(lat(0.1)),
            early_waits: matches!(w, Workload::IoSleep | Workload::Mixed).then_some(0),
            sojourn_ms: Some(lat(p.delay_ms as f64 + 0.2)),
            lost_updates: None,
            attempted: None,
            peak_rss_kib: 1,
            os_threads_peak: 1,
            extra: serde_json::Map::new(),
        }
    }

    #[test]
    fn waits_must_be_reported_whole() {
        assert!(check_waits(&report(Workload::IoSleep), false).is_empty());
        assert!(check_waits(&report(Workload::IoNet), false).is_empty());
        let mut r = report(Workload::IoSleep);
        r.early_waits = Some(3);
        let p = check_waits(&r, false);
        assert!(p[0].contains("early_waits 3"), "{p:?}");
        assert!(
            check_waits(&r, true).is_empty(),
            "a peer whose timers fire early only reports them"
        );
        r.early_waits = None;
        assert!(check_waits(&r, true)[0].contains("early_waits must be set"));
        let mut r = report(Workload::Mixed);
        r.sojourn_ms = None;
        assert!(check_waits(&r, false)[0].contains("sojourn_ms must be set"));
        let mut r = report(Workload::IoNet);
        r.sojourn_ms = r.latency_ms.map(|l| Latency { p50: 0.5, ..l });
        assert!(check_waits(&r, false)[0].contains("shorter than the 2 ms"));
        let mut r = report(Workload::IoNet);
        r.early_waits = Some(0);
        assert!(check_waits(&r, false)[0].contains("early_waits must be absent"));
    }

    #[test]
    fn io_net_must_have_gone_through_the_server() {
        use std::io::{Read, Write};
        let server = DelayServer::start(0, 0).unwrap();
        let mut r = report(Workload::IoNet);
        assert!(
            check_served(&r, &server)
                .unwrap()
                .contains("lacks the io-net 'nonce'")
        );
        r.params.insert("nonce".into(), 99u64.into());
        let p = check_served(&r, &server).unwrap();
        assert!(p.contains("answered 0 requests with nonce 99"), "{p}");
        for id in 0..8 {
            let mut s = std::net::TcpStream::connect(server.addr()).unwrap();
            s.write_all(&workloads::net::request(id, 99, 0)).unwrap();
            s.read_exact(&mut [0u8; workloads::net::REPLY_LEN]).unwrap();
        }
        assert_eq!(check_served(&r, &server), None);
    }
}
