//! The one reader of the runtime contract: what a finished `rt-<name> run` gave back (exit code, signal, stdout,
//! stderr) becomes either its [`RunReport`] or a named [`Violation`].
//!
//! The driver (`arena verify`, `arena bench`) and the conformance suite (`harness::testing`) both call [`read`], so
//! the two can never judge a runtime differently. The rules, in order:
//!
//! 1. A signal, or an exit code [`crate::exit`] does not define, is a crash. Codes 1, 2, 3 and 124 are the
//!    runtime's own verdicts (failed, usage, unsupported, its deadline watchdog).
//! 2. On exit 0, stdout must hold exactly one non-blank line; blank (whitespace-only) lines are ignored. That line
//!    must parse as a [`RunReport`].
//! 3. The report must be for the workload and variant that were asked for, and its checksum must match the reference
//!    for the parameters it records (`race`: `attempted == W*K`, `checksum <= attempted` and
//!    `lost_updates == attempted - checksum`; see [`RunReport::race_problem`]).
//!
//! What this module is not: a process runner. A driver that stops a run itself (a hang past its own limit) says so
//! without asking here; only a process that ended by itself is read.
//!
//! [`extra`] names the keys of [`RunReport::extra`] that a runtime writes and the driver reads.

use workloads::Workload;

use crate::exit;
use crate::report::RunReport;

/// What a finished runtime process gave back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exit<'a> {
    /// The exit code, if it exited by itself.
    pub code: Option<i32>,
    /// The signal that ended it, if one did.
    pub signal: Option<i32>,
    /// Everything it printed on stdout.
    pub stdout: &'a str,
    /// Everything it printed on stderr.
    pub stderr: &'a str,
}

impl<'a> Exit<'a> {
    /// The exit of a process that ended with `status` and printed `stdout` and `stderr`.
    pub fn new(status: std::process::ExitStatus, stdout: &'a str, stderr: &'a str) -> Exit<'a> {
        use std::os::unix::process::ExitStatusExt;
        Exit {
            code: status.code(),
            signal: status.signal(),
            stdout,
            stderr,
        }
    }
}

/// Why a run does not meet the contract. Each message is one line that says what happened and what to do.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Violation {
    /// Exit 1 ([`exit::FAILED`]): the runtime says the workload failed.
    #[error("the workload failed (exit 1): {}", or_silent(stderr))]
    Failed {
        /// The tail of stderr ([`stderr_tail`]).
        stderr: String,
    },
    /// Exit 2 ([`exit::USAGE`]): the runtime rejected its command line.
    #[error(
        "rejected its command line (exit 2): {}; compare the arguments with what `list` offers",
        or_silent(stderr)
    )]
    Usage {
        /// The tail of stderr.
        stderr: String,
    },
    /// Exit 3 ([`exit::UNSUPPORTED`]): the runtime does not implement the workload.
    #[error(
        "does not implement this workload (exit 3): {}; run only the workloads `list` names",
        or_silent(stderr)
    )]
    Unsupported {
        /// The tail of stderr.
        stderr: String,
    },
    /// Exit 124 ([`exit::DEADLINE`]): the runtime's own `--deadline-s` watchdog fired.
    #[error(
        "timed out: its own deadline watchdog fired (exit 124): {}; give a longer --deadline-s or a smaller --size",
        or_silent(stderr)
    )]
    Timeout {
        /// The tail of stderr, which names the deadline.
        stderr: String,
    },
    /// Killed by a signal, or an exit code the contract does not define.
    #[error(
        "{}: {}; run the command by hand to see all of its output",
        crash(*code, *signal),
        or_silent(stderr)
    )]
    Crash {
        /// The exit code, if it exited by itself.
        code: Option<i32>,
        /// The signal that ended it, if one did.
        signal: Option<i32>,
        /// The tail of stderr.
        stderr: String,
    },
    /// Exit 0, but stdout is not exactly one RunReport.
    #[error(
        "exit 0 but stdout is not one RunReport ({why}): {stdout:?}; print the report as one JSON line on stdout \
         and everything else on stderr"
    )]
    NotOneReport {
        /// The start of stdout, blank lines left out.
        stdout: String,
        /// What is wrong with it.
        why: String,
    },
    /// A RunReport for another workload or variant than the one asked for.
    #[error(
        "printed a RunReport for {got}, but {want} was asked for; report the workload and variant that ran"
    )]
    WrongCell {
        /// `variant/workload` asked for.
        want: String,
        /// `variant/workload` the report names.
        got: String,
    },
    /// A RunReport whose checksum disagrees with the reference for the parameters it records; for `race`, one that
    /// breaks a rule of [`RunReport::race_problem`].
    #[error("{}", wrong_checksum(*got, *want, report))]
    WrongChecksum {
        /// The checksum; for `race`, the figure that breaks the rule: `attempted` (0 if absent) against `W*K`, the
        /// final counter against `attempted`, or `checksum + lost_updates` against `attempted`.
        got: u64,
        /// The reference; for `race`, what that figure should be (or, for the final counter, its most).
        want: u64,
        /// The report, kept: its other figures may still be of interest.
        report: Box<RunReport>,
    },
}

/// The parameters a checksum depends on, as `name=value` words; for io-net with the run's nonce (or `no nonce`).
fn run_params(report: &RunReport) -> String {
    let p = workloads::spec::describe_params(report.workload, &report.workload_params());
    if report.workload != Workload::IoNet {
        return p;
    }
    match report.params.get(workloads::spec::NONCE_KEY) {
        Some(n) => format!("{p} nonce={n}"),
        None => format!("{p}, no nonce in params: report the nonce every request carried"),
    }
}

fn wrong_checksum(got: u64, want: u64, report: &RunReport) -> String {
    match report.race_problem() {
        Some(why) => format!(
            "race ({}): {why}; each racer must count the increments it performed and the runtime report \
             their sum as attempted, with lost_updates = attempted - final counter",
            run_params(report)
        ),
        None => format!(
            "checksum: {got} != reference {want} for {} ({}); the workload computed a wrong result",
            report.workload,
            run_params(report)
        ),
    }
}

fn or_silent(stderr: &str) -> &str {
    if stderr.is_empty() {
        "nothing on stderr"
    } else {
        stderr
    }
}

/// How a crashed run ended, as a phrase: `crashed (killed by signal 11)`, or `exited with code 7, which the contract
/// does not define`. [`Violation::Crash`] says it, and so does the driver's record of a crash (`arena_store::Fault`).
pub fn crash(code: Option<i32>, signal: Option<i32>) -> String {
    match (code, signal) {
        (_, Some(s)) => format!("crashed (killed by signal {s})"),
        (Some(c), None) => format!("exited with code {c}, which the contract does not define"),
        (None, None) => "crashed".into(),
    }
}

/// How many of stderr's last non-blank lines a violation keeps.
pub const TAIL_LINES: usize = 3;
/// How many characters of stderr a violation keeps at most.
pub const TAIL_CHARS: usize = 300;
/// How many characters of stdout a [`Violation::NotOneReport`] keeps.
const STDOUT_CHARS: usize = 120;

/// The end of `stderr` on one line, for a violation: its last few non-blank lines ([`TAIL_LINES`]), each trimmed,
/// joined with ` | `, and at most [`TAIL_CHARS`] characters. A line too long on its own keeps its start, where the
/// reason usually is (`rt-threads: could not spawn thread ...`), and ends with `…`; the last line is always kept.
pub fn stderr_tail(stderr: &str) -> String {
    let mut kept: Vec<String> = Vec::new();
    let mut chars = 0;
    for line in stderr
        .lines()
        .rev()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        let line = cut(line, TAIL_CHARS);
        let len = line.chars().count() + if kept.is_empty() { 0 } else { 3 };
        if kept.len() == TAIL_LINES || (!kept.is_empty() && chars + len > TAIL_CHARS) {
            break;
        }
        chars += len;
        kept.push(line);
    }
    kept.reverse();
    kept.join(" | ")
}

/// The first `max` characters of `s`, with `…` in place of the last one when it was cut.
fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// `variant/workload`, as violations name a cell.
fn cell(workload: Workload, variant: &str) -> String {
    format!("{variant}/{workload}")
}

/// Reads one run against the contract: the exit code (by the constants of [`crate::exit`]), then stdout, which must
/// hold exactly one non-blank line, a RunReport for this workload and variant whose checksum matches the reference
/// (see [`check`]).
pub fn read(exit: &Exit, workload: Workload, variant: &str) -> Result<RunReport, Violation> {
    let stderr = || stderr_tail(exit.stderr);
    match (exit.code, exit.signal) {
        (Some(exit::OK), None) => {}
        (Some(exit::FAILED), None) => return Err(Violation::Failed { stderr: stderr() }),
        (Some(exit::USAGE), None) => return Err(Violation::Usage { stderr: stderr() }),
        (Some(exit::UNSUPPORTED), None) => {
            return Err(Violation::Unsupported { stderr: stderr() });
        }
        (Some(exit::DEADLINE), None) => return Err(Violation::Timeout { stderr: stderr() }),
        (code, signal) => {
            return Err(Violation::Crash {
                code,
                signal,
                stderr: stderr(),
            });
        }
    }
    let report = stdout_report(exit.stdout)?;
    check(&report, workload, variant)?;
    Ok(report)
}

/// The one RunReport on stdout of a run that exited 0: blank (whitespace-only) lines are ignored, exactly one line
/// must remain, and it must parse as a RunReport. [`read`] calls it; it is public for callers that do not know
/// which cell ran.
pub fn stdout_report(stdout: &str) -> Result<RunReport, Violation> {
    let lines: Vec<&str> = stdout.lines().filter(|l| !l.trim().is_empty()).collect();
    let not_one = |why: String| Violation::NotOneReport {
        stdout: cut(&lines.join("\n"), STDOUT_CHARS),
        why,
    };
    match lines[..] {
        [] => Err(not_one("stdout is empty".into())),
        [line] => serde_json::from_str(line).map_err(|e| not_one(format!("not a RunReport: {e}"))),
        _ => Err(not_one(format!(
            "{} non-blank lines, expected exactly one",
            lines.len()
        ))),
    }
}

/// Checks a parsed report: it names `workload` and `variant`, and its checksum matches the reference for the
/// parameters it records. For `race` the racers must have attempted exactly `W*K` increments, the final counter
/// must be at most that, and `lost_updates` the difference (lost updates are the model's behaviour, not a wrong
/// result; skipped increments are a wrong result).
pub fn check(report: &RunReport, workload: Workload, variant: &str) -> Result<(), Violation> {
    if report.workload != workload || report.variant != variant {
        return Err(Violation::WrongCell {
            want: cell(workload, variant),
            got: cell(report.workload, &report.variant),
        });
    }
    if !report.checksum_ok() {
        let (got, want) = match report.workload {
            Workload::Race => race_figures(report),
            _ => (report.checksum, report.reference_checksum()),
        };
        return Err(Violation::WrongChecksum {
            got,
            want,
            report: Box::new(report.clone()),
        });
    }
    Ok(())
}

/// The figure of a wrong race report that breaks a rule, and what it should be (see [`Violation::WrongChecksum`]).
fn race_figures(r: &RunReport) -> (u64, u64) {
    let wk = r.reference_checksum();
    match r.attempted {
        None => (0, wk),
        Some(a) if a != wk => (a, wk),
        Some(a) if r.checksum > a => (r.checksum, a),
        Some(a) => (r.checksum.saturating_add(r.lost_updates.unwrap_or(0)), a),
    }
}

/// The keys of [`RunReport::extra`] that cross a crate or process boundary: written by a runtime (or the harness,
/// or a peer in another language) and read by the driver's report. Each constant says who writes it and who reads
/// it. The report also lists every `extra` figure of a cell as it is, so a key read by nobody is still shown.
pub mod extra {
    /// One registered key: its name in the JSON, and what it is (the doc comment of its constant).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Key {
        /// The key as it appears in `extra`.
        pub name: &'static str,
        /// Its doc comment, line by line.
        pub doc: &'static [&'static str],
    }

    impl Key {
        /// Who writes it and what it means, on one line.
        pub fn about(&self) -> String {
            crate::report::notes_text(&self.doc.join("\n"))
        }
    }

    /// Declares each key once: `/// doc` then `CONST = "name";` gives the constant, with that doc, and its entry in
    /// [`KEYS`] and [`ALL`], so no key can be listed without a constant or have a constant without being listed.
    macro_rules! keys {
        ($($(#[doc = $doc:literal])+ $konst:ident = $name:literal;)+) => {
            $($(#[doc = $doc])+ pub const $konst: &str = $name;)+

            /// Every key, in the order declared, with its doc.
            pub const KEYS: &[Key] = &[$(Key { name: $name, doc: &[$($doc),+] }),+];

            /// Every key's name, in the order declared.
            pub const ALL: &[&str] = &[$($konst),+];
        };
    }

    /// Whether `key` is registered here: every key a runtime or peer writes into `extra` must be.
    pub fn is_registered(key: &str) -> bool {
        ALL.contains(&key)
    }

    keys! {
        /// ms from creating a process pool until every worker is up. Written by rt-procs and the `multiprocessing`
        /// peer (`peers/python/models.py`); read by the driver's calibration section (process-pool start-up).
        SPAWN_MS = "spawn_ms";
        /// The `multiprocessing` start method (`fork`, `spawn`, `forkserver`). Written by the `multiprocessing` peer;
        /// read by the driver's calibration section.
        START_METHOD = "start_method";

        /// rt-procs: ms the workers spent on messages rather than tasks, summed.
        IPC_MS = "ipc_ms";
        /// rt-procs: jobs (chunks) sent to the workers.
        JOBS = "jobs";
        /// rt-procs: tasks per job, as CPython's `Pool.map` computes it.
        CHUNKSIZE = "chunksize";
        /// rt-procs: ms from asking the workers to stop until every one was reaped.
        SHUTDOWN_MS = "shutdown_ms";
        /// rt-procs: the workers' peak RSS in KiB, summed (`peak_rss_kib` is the parent's alone).
        WORKERS_PEAK_RSS_KIB = "workers_peak_rss_kib";
        /// rt-procs, `spawn` (per-task): ms spent reading the N task processes' `/proc/<pid>/status`, inside the spawn
        /// clock.
        CHILDREN_SAMPLE_MS = "children_sample_ms";
        /// The `multiprocessing` peer: the largest child's peak RSS in KiB.
        CHILD_PEAK_RSS_KIB = "child_peak_rss_kib";
        /// rt-procs, `race`: how the counter was shared (a sentence).
        RACE = "race";

        /// rt-tokio, rt-smol, rt-async-std: executor threads started.
        EXECUTOR_THREADS = "executor_threads";
        /// rt-tokio, rt-smol, rt-async-std: the most blocking-pool threads allowed.
        BLOCKING_THREADS_MAX = "blocking_threads_max";
        /// rt-tokio, rt-smol, rt-async-std: whether CPU tasks were offloaded to the blocking pool (`--opt offload`).
        OFFLOAD = "offload";
        /// rt-threads: OS threads started.
        THREADS_STARTED = "threads_started";

        /// The harness (`tasks::mixed_outcome`): the shortest CPU task of `mixed`, in ms.
        CPU_TASK_MS_MIN = "cpu_task_ms_min";
        /// The harness (`tasks::mixed_outcome`): the longest CPU task of `mixed`, in ms.
        CPU_TASK_MS_MAX = "cpu_task_ms_max";
        /// The harness (`tasks::race_outcome`): `race` with a yield point in every N-th increment.
        YIELD_EVERY = "yield_every";

        /// rt-gil: whether the GIL was on.
        GIL = "gil";
        /// rt-gil: the switch interval in µs.
        SWITCH_INTERVAL_US = "switch_interval_us";
        /// rt-gil: kernel loop iterations between GIL check points (`--opt check-every`).
        CHECK_EVERY = "check_every";
        /// rt-gil: GIL acquisitions.
        GIL_ACQUISITIONS = "gil_acquisitions";
        /// rt-gil: acquisitions that had to wait.
        GIL_CONTENDED_ACQUISITIONS = "gil_contended_acquisitions";
        /// rt-gil: acquisitions by a thread other than the last holder.
        GIL_SWITCHES = "gil_switches";
        /// rt-gil: times a waiter's interval ran out and it asked the holder to drop the GIL.
        GIL_DROP_REQUESTS = "gil_drop_requests";
        /// rt-gil: drop requests honoured at a check point.
        GIL_FORCED_SWITCHES = "gil_forced_switches";
        /// rt-gil: ms spent waiting for the GIL, summed.
        GIL_WAIT_MS_TOTAL = "gil_wait_ms_total";
        /// rt-gil: the 99th percentile (nearest rank) of the wait per acquisition, in ms.
        GIL_WAIT_MS_P99 = "gil_wait_ms_p99";
        /// rt-gil: the longest wait, in ms.
        GIL_WAIT_MS_MAX = "gil_wait_ms_max";
        /// rt-gil: the share of wall time the GIL was held.
        GIL_HELD_SHARE = "gil_held_share";
        /// rt-gil, `race`: the read-modify-write form (`--opt rmw`: `plain` or `call`).
        RMW = "rmw";

        /// `spawn` (every runtime that runs it, via `harness::floor` or the peers' contract modules; read by the
        /// report's section "The floor"): the tasks parked at once when memory was sampled (must be N).
        PARKED = "parked";
        /// `spawn`: µs from the first spawn until all N tasks were parked, divided by N.
        SPAWN_US_PER_TASK = "spawn_us_per_task";
        /// `spawn`: VmRSS in KiB just before the first spawn.
        RSS_BEFORE_KIB = "rss_before_kib";
        /// `spawn`: VmRSS in KiB with all N tasks parked (process models: the parent's plus every task process's).
        RSS_PARKED_KIB = "rss_parked_kib";
        /// `spawn`: VmSize (the virtual reservation) in KiB just before the first spawn.
        VSZ_BEFORE_KIB = "vsz_before_kib";
        /// `spawn`: VmSize in KiB with all N tasks parked (process models: summed as RSS is).
        VSZ_PARKED_KIB = "vsz_parked_kib";
        /// `spawn`: ms from the release until every task was joined.
        TEARDOWN_MS = "teardown_ms";
        /// `ping-pong`: the round trips the pinger completed (must be K).
        ROUND_TRIPS = "round_trips";
        /// `ping-pong`: the exchange's wall time over its round trips, in µs.
        RTT_US_MEAN = "rtt_us_mean";
        /// `ping-pong`: the median round trip, in µs (nearest rank, of every round trip timed on its own).
        RTT_US_P50 = "rtt_us_p50";
        /// `ping-pong`: the 99th-percentile round trip, in µs.
        RTT_US_P99 = "rtt_us_p99";
        /// `ping-pong`: the longest round trip, in µs.
        RTT_US_MAX = "rtt_us_max";

        /// The Python and Node peers: the divisor applied to the CPU work (`peers/peers.toml`).
        WORK_SCALE = "work_scale";
        /// The Python and Node peers: the divisor applied to `race`'s increments.
        RACE_SCALE = "race_scale";
    }
}

/// Checks that the delay server (`served(nonce)`: how many requests it answered with that nonce) answered exactly the io-net run's `tasks` requests with the nonce it reports: the checksum
/// alone cannot tell a model that asked the server from one that computed `reply_value` itself.
pub fn check_served(r: &RunReport, served: impl Fn(u64) -> u64) -> Option<String> {
    let Some(nonce) = r
        .params
        .get(workloads::spec::NONCE_KEY)
        .and_then(|v| v.as_u64())
    else {
        return Some("params lacks the io-net 'nonce'".into());
    };
    let (tasks, served) = (r.workload_params().tasks, served(nonce));
    (served != tasks).then(|| {
        format!(
            "the delay server answered {served} requests with nonce {nonce}, but the run has {tasks} tasks; every \
             task must make its own round trip to --addr with the run's nonce"
        )
    })
}

/// Checks that every key of the report's `extra` is registered in [`extra`], so that each figure a runtime or peer
/// writes has one constant saying who writes it and who reads it. The conformance suite applies it to every run it
/// makes; the driver does not, so that runs recorded before a key was registered still re-render. Returns the
/// problems found.
pub fn check_extra_keys(r: &RunReport) -> Vec<String> {
    r.extra
        .keys()
        .filter(|k| !extra::is_registered(k))
        .map(|k| {
            format!(
                "extra.{k} is not a registered key: declare it in harness::contract::extra (who writes it, who \
                 reads it) and write it through that constant"
            )
        })
        .collect()
}

/// Checks the floor workloads' figures (see `harness::floor`): a `spawn` report must show all N tasks parked at
/// once, with its spawn time, memory and teardown; a `ping-pong` report must show all K round trips, with their
/// times in order (p50 <= p99 <= max). The checksum says every task gave its value and every reply came back; these
/// say the figures the report prints were measured. Returns the problems found.
pub fn check_floor(r: &RunReport) -> Vec<String> {
    let num = |k: &str| r.extra.get(k).and_then(|v| v.as_f64());
    let mut p = Vec::new();
    let mut need = |keys: &[&str]| {
        for k in keys {
            match num(k) {
                Some(x) if x.is_finite() && x >= 0.0 => {}
                Some(x) => p.push(format!("extra.{k} is {x}; it must be a finite number >= 0")),
                None => p.push(format!("extra.{k} is missing; {} reports it", r.workload)),
            }
        }
    };
    match r.workload {
        Workload::Spawn => {
            need(&[
                extra::PARKED,
                extra::SPAWN_US_PER_TASK,
                extra::RSS_BEFORE_KIB,
                extra::RSS_PARKED_KIB,
                extra::VSZ_BEFORE_KIB,
                extra::VSZ_PARKED_KIB,
                extra::TEARDOWN_MS,
            ]);
            let n = r.workload_params().tasks;
            if let Some(parked) = num(extra::PARKED)
                && parked as u64 != n
            {
                p.push(format!(
                    "extra.parked is {parked}, but the run has {n} tasks; sample memory only once every task has started and is parked on the release signal"
                ));
            }
        }
        Workload::PingPong => {
            need(&[
                extra::ROUND_TRIPS,
                extra::RTT_US_MEAN,
                extra::RTT_US_P50,
                extra::RTT_US_P99,
                extra::RTT_US_MAX,
            ]);
            let k = r.workload_params().work;
            if let Some(n) = num(extra::ROUND_TRIPS)
                && n as u64 != k
            {
                p.push(format!(
                    "extra.round_trips is {n}, but the run asks for {k}; time every round trip"
                ));
            }
            if let (Some(a), Some(b), Some(c)) = (
                num(extra::RTT_US_P50),
                num(extra::RTT_US_P99),
                num(extra::RTT_US_MAX),
            ) && !(a <= b && b <= c)
            {
                p.push(format!(
                    "round trip percentiles out of order: p50 {a}, p99 {b}, max {c} (µs)"
                ));
            }
        }
        _ => {}
    }
    p
}

/// Checks the figures of the waits: `early_waits` is set for io-sleep and mixed (and 0 unless
/// `timers_may_fire_early`), `sojourn_ms` for io-sleep, io-net and mixed, and where no wait may end early no
/// sojourn is shorter than the D it waited. Returns the problems found.
pub fn check_waits(r: &RunReport, timers_may_fire_early: bool) -> Vec<String> {
    use crate::latency::EARLY_TOLERANCE_MS;
    let w = r.workload;
    let mut p = Vec::new();
    let counts_early = matches!(w, Workload::IoSleep | Workload::Mixed);
    match (counts_early, r.early_waits) {
        (true, None) => p.push(format!("early_waits must be set for {w}")),
        (false, Some(_)) => p.push(format!("early_waits must be absent for {w}")),
        (true, Some(n)) if n > 0 && !timers_may_fire_early => p.push(format!(
            "{n} waits ended more than {EARLY_TOLERANCE_MS} ms before D (early_waits {n}); a wait must last at \
             least D: time it from just before the wait to just after, and wait on a timer that never fires early"
        )),
        _ => {}
    }
    let has_sojourn = matches!(w, Workload::IoSleep | Workload::IoNet | Workload::Mixed);
    match (has_sojourn, &r.sojourn_ms) {
        (true, None) => p.push(format!("sojourn_ms must be set for {w}")),
        (false, Some(_)) => p.push(format!("sojourn_ms must be absent for {w}")),
        (true, Some(s)) => {
            let d = r.workload_params().delay_ms as f64;
            let figures = [s.p50, s.p90, s.p99, s.max];
            if figures.iter().any(|x| !x.is_finite() || *x < 0.0) {
                p.push(format!("sojourn_ms {s:?} must be finite and not negative"));
            } else if !timers_may_fire_early && s.p50 < d - EARLY_TOLERANCE_MS {
                p.push(format!(
                    "sojourn_ms p50 {:.3} ms is shorter than the {d} ms every task waits: time each task from the \
                     run's submission instant to the end of its wait",
                    s.p50
                ));
            }
        }
        (false, None) => {}
    }
    p
}

#[cfg(test)]
mod tests {
    use workloads::{Params, Size};

    use super::*;

    /// A correct report of `workload` at `--size check` with 2 workers.
    fn report(workload: Workload, variant: &str) -> RunReport {
        let p = Params::preset(workload, Size::Check, 2);
        let mut params = serde_json::Map::new();
        params.insert("size".into(), "check".into());
        let values = serde_json::to_value(p).unwrap();
        for key in ["workers"].iter().chain(workload.uses()) {
            params.insert((*key).into(), values[*key].clone());
        }
        RunReport {
            runtime: "rt-x".into(),
            variant: variant.into(),
            workload,
            params,
            checksum: workload.reference_checksum(&p),
            elapsed_ms: 1.0,
            latency_ms: None,
            early_waits: None,
            sojourn_ms: None,
            lost_updates: (workload == Workload::Race).then_some(0),
            attempted: (workload == Workload::Race).then(|| workload.reference_checksum(&p)),
            peak_rss_kib: 1,
            os_threads_peak: 1,
            extra: serde_json::Map::new(),
        }
    }

    fn json(r: &RunReport) -> String {
        serde_json::to_string(r).unwrap()
    }

    fn exited(code: i32, stdout: &str, stderr: &str) -> Result<RunReport, Violation> {
        let exit = Exit {
            code: Some(code),
            signal: None,
            stdout,
            stderr,
        };
        read(&exit, Workload::CpuBalanced, "v")
    }

    fn ok_stdout() -> String {
        json(&report(Workload::CpuBalanced, "v")) + "\n"
    }

    #[test]
    fn exit_0_with_one_report_is_read() {
        let r = exited(exit::OK, &ok_stdout(), "a log line\n").unwrap();
        assert_eq!(r, report(Workload::CpuBalanced, "v"));
    }

    #[test]
    fn each_exit_code_of_the_contract_is_its_violation() {
        let out = ok_stdout();
        let err = "rt-x: first\nrt-x: the reason\n";
        let tail = "rt-x: first | rt-x: the reason".to_string();
        assert_eq!(
            exited(exit::FAILED, "", err),
            Err(Violation::Failed {
                stderr: tail.clone()
            })
        );
        assert_eq!(
            exited(exit::USAGE, "", err),
            Err(Violation::Usage {
                stderr: tail.clone()
            })
        );
        assert_eq!(
            exited(exit::UNSUPPORTED, "", err),
            Err(Violation::Unsupported {
                stderr: tail.clone()
            })
        );
        // A report on stdout does not rescue a failing exit code.
        assert_eq!(
            exited(exit::DEADLINE, &out, err),
            Err(Violation::Timeout {
                stderr: tail.clone()
            })
        );
        assert_eq!(
            exited(42, &out, err),
            Err(Violation::Crash {
                code: Some(42),
                signal: None,
                stderr: tail.clone()
            })
        );
        let killed = Exit {
            code: None,
            signal: Some(9),
            stdout: &out,
            stderr: "",
        };
        let v = read(&killed, Workload::CpuBalanced, "v").unwrap_err();
        assert_eq!(
            v,
            Violation::Crash {
                code: None,
                signal: Some(9),
                stderr: String::new()
            }
        );
        assert!(v.to_string().contains("killed by signal 9"), "{v}");
        assert!(v.to_string().contains("nothing on stderr"), "{v}");
    }

    #[test]
    fn blank_lines_around_the_report_are_ignored() {
        let out = format!("\n  \n{}\t\n\n", json(&report(Workload::CpuBalanced, "v")));
        assert!(exited(exit::OK, &out, "").is_ok());
        let crlf = format!("\r\n{}\r\n", json(&report(Workload::CpuBalanced, "v")));
        assert!(exited(exit::OK, &crlf, "").is_ok());
    }

    #[test]
    fn two_reports_are_not_one() {
        let one = json(&report(Workload::CpuBalanced, "v"));
        let v = exited(exit::OK, &format!("{one}\n\n{one}\n"), "").unwrap_err();
        assert!(
            matches!(&v, Violation::NotOneReport { why, .. } if why.contains("2 non-blank lines")),
            "{v:?}"
        );
    }

    #[test]
    fn empty_or_garbage_stdout_is_not_a_report() {
        let v = exited(exit::OK, " \n\n", "").unwrap_err();
        assert!(
            matches!(&v, Violation::NotOneReport { why, stdout } if why == "stdout is empty" && stdout.is_empty()),
            "{v:?}"
        );
        let v = exited(exit::OK, "hello {\n", "").unwrap_err();
        assert!(
            matches!(&v, Violation::NotOneReport { why, stdout }
                if why.starts_with("not a RunReport") && stdout == "hello {"),
            "{v:?}"
        );
        // A pretty-printed report spans several lines: not the one line the contract asks for.
        let pretty = serde_json::to_string_pretty(&report(Workload::CpuBalanced, "v")).unwrap();
        assert!(matches!(
            exited(exit::OK, &pretty, ""),
            Err(Violation::NotOneReport { .. })
        ));
        // Long garbage is cut in the violation.
        let v = exited(exit::OK, &"x".repeat(1000), "").unwrap_err();
        let Violation::NotOneReport { stdout, .. } = &v else {
            panic!("{v:?}")
        };
        assert_eq!(stdout.chars().count(), STDOUT_CHARS);
        assert!(!v.to_string().contains('\n'));
    }

    #[test]
    fn a_report_for_another_cell_is_wrong() {
        let other_workload = json(&report(Workload::CpuSkewed, "v"));
        assert_eq!(
            exited(exit::OK, &other_workload, ""),
            Err(Violation::WrongCell {
                want: "v/cpu-balanced".into(),
                got: "v/cpu-skewed".into()
            })
        );
        let other_variant = json(&report(Workload::CpuBalanced, "w"));
        assert!(matches!(
            exited(exit::OK, &other_variant, ""),
            Err(Violation::WrongCell { .. })
        ));
    }

    #[test]
    fn a_wrong_checksum_keeps_the_report() {
        let mut r = report(Workload::CpuBalanced, "v");
        let want = r.checksum;
        r.checksum += 1;
        let v = exited(exit::OK, &json(&r), "").unwrap_err();
        assert_eq!(
            v,
            Violation::WrongChecksum {
                got: want + 1,
                want,
                report: Box::new(r)
            }
        );
        let text = v.to_string();
        assert!(
            text.starts_with(&format!(
                "checksum: {} != reference {want} for cpu-balanced (tasks=8 work=2000)",
                want + 1
            )),
            "{text}"
        );
    }

    #[test]
    fn io_net_is_checked_against_the_sum_of_replies_for_its_nonce() {
        let read_net = |r: &RunReport| {
            let out = json(r);
            let exit = Exit {
                code: Some(exit::OK),
                signal: None,
                stdout: &out,
                stderr: "",
            };
            read(&exit, Workload::IoNet, "v")
        };
        let nonce = 0xABCD_EF01_2345_6789u64;
        let mut r = report(Workload::IoNet, "v");
        r.params.insert("nonce".into(), nonce.into());
        r.checksum = workloads::net::reference_checksum(8, nonce);
        assert!(read_net(&r).is_ok());
        // A model that never asked the server and summed the ids: wrong.
        r.checksum = 28;
        let v = read_net(&r).unwrap_err();
        assert!(
            v.to_string()
                .contains(&format!("for io-net (tasks=8 delay_ms=2 nonce={nonce})")),
            "{v}"
        );
        // The right sum for another nonce than the one reported: wrong.
        r.checksum = workloads::net::reference_checksum(8, nonce ^ 1);
        assert!(matches!(read_net(&r), Err(Violation::WrongChecksum { .. })));
        // No nonce reported: nothing to check against, so wrong, and said.
        r.params.remove("nonce");
        r.checksum = workloads::net::reference_checksum(8, 0);
        let v = read_net(&r).unwrap_err();
        assert!(v.to_string().contains("no nonce in params"), "{v}");
    }

    #[test]
    fn race_counts_lost_updates_against_attempted_increments() {
        let read_race = |checksum: u64, lost: Option<u64>, attempted: Option<u64>| {
            let mut r = report(Workload::Race, "v");
            r.checksum = checksum;
            r.lost_updates = lost;
            r.attempted = attempted;
            let out = json(&r);
            let exit = Exit {
                code: Some(exit::OK),
                signal: None,
                stdout: &out,
                stderr: "",
            };
            read(&exit, Workload::Race, "v")
        };
        // W*K = 2 * 20 000 at --size check.
        let wk = 40_000;
        assert!(read_race(wk, Some(0), Some(wk)).is_ok());
        assert!(
            read_race(wk - 123, Some(123), Some(wk)).is_ok(),
            "lost updates are behaviour, not a wrong result"
        );
        let figures = |v: Result<RunReport, Violation>| match v {
            Err(Violation::WrongChecksum { got, want, .. }) => (got, want),
            other => panic!("{other:?}"),
        };
        // A final counter of 0 "with every update lost" used to pass; the racers must say what they attempted.
        let v = read_race(0, Some(wk), None).unwrap_err();
        assert!(
            v.to_string()
                .starts_with("race (work=20000): attempted is missing"),
            "{v}"
        );
        assert_eq!(figures(read_race(0, Some(wk), None)), (0, wk));
        // Skipped increments are a wrong result, not lost updates.
        let v = read_race(wk - 1, Some(0), Some(wk - 1)).unwrap_err();
        assert!(
            v.to_string()
                .starts_with("race (work=20000): attempted 39999 != W*K 40000"),
            "{v}"
        );
        assert_eq!(
            figures(read_race(wk - 1, Some(0), Some(wk - 1))),
            (wk - 1, wk)
        );
        // More updates than attempts.
        let v = read_race(wk + 1, Some(0), Some(wk)).unwrap_err();
        assert!(
            v.to_string()
                .contains("final counter 40001 > attempted 40000"),
            "{v}"
        );
        // lost_updates must be attempted - final.
        let v = read_race(wk - 123, Some(100), Some(wk)).unwrap_err();
        assert!(
            v.to_string()
                .contains("lost_updates 100 != attempted 40000 - final counter 39877 = 123"),
            "{v}"
        );
        assert_eq!(
            figures(read_race(wk - 123, Some(100), Some(wk))),
            (wk - 23, wk)
        );
        assert!(
            read_race(wk, None, Some(wk)).is_err(),
            "lost_updates is required"
        );
        // Figures near u64::MAX are wrong, not a panic.
        assert!(matches!(
            read_race(u64::MAX, Some(wk), Some(u64::MAX)),
            Err(Violation::WrongChecksum { got: u64::MAX, .. })
        ));
    }

    #[test]
    fn attempted_is_written_for_race_only() {
        let mut r = report(Workload::Race, "v");
        r.attempted = Some(40_000);
        assert!(json(&r).contains(r#""attempted":40000"#));
        let cpu = json(&report(Workload::CpuBalanced, "v"));
        assert!(!cpu.contains("attempted"), "{cpu}");
        // A report written before the field existed still parses, without it.
        let old = cpu.replace(r#""workload":"cpu-balanced""#, r#""workload":"race""#);
        let parsed: RunReport = serde_json::from_str(&old).unwrap();
        assert_eq!(parsed.attempted, None);
    }

    #[test]
    fn stderr_tail_keeps_the_last_few_lines_on_one_line() {
        assert_eq!(stderr_tail(""), "");
        assert_eq!(stderr_tail("\n  \n"), "");
        assert_eq!(
            stderr_tail("one\n\n  two  \nthree\nfour\n\n"),
            "two | three | four"
        );
        // A long last line keeps its start, and no earlier line fits beside it.
        let long = "r".repeat(1000);
        let t = stderr_tail(&format!("before\n{long}\n"));
        assert_eq!(t.chars().count(), TAIL_CHARS);
        assert!(t.starts_with("rrr") && t.ends_with('…'));
        // Earlier lines are dropped once the total would pass the limit.
        let mid = "m".repeat(200);
        assert_eq!(
            stderr_tail(&format!("{mid}\n{mid}\nlast")),
            format!("{mid} | last")
        );
    }

    #[test]
    fn every_message_is_one_line() {
        let err = "a\nb\nc\nd\n";
        for code in [
            exit::FAILED,
            exit::USAGE,
            exit::UNSUPPORTED,
            exit::DEADLINE,
            7,
        ] {
            let v = exited(code, "", err).unwrap_err();
            assert!(!v.to_string().contains('\n'), "{v}");
        }
    }

    #[test]
    fn extra_keys_are_unique() {
        let mut keys = extra::ALL.to_vec();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), extra::ALL.len());
        assert!(extra::ALL.contains(&extra::SPAWN_MS) && extra::ALL.contains(&extra::START_METHOD));
    }

    #[test]
    fn unregistered_extra_keys_are_named() {
        let mut r = report(Workload::CpuBalanced, "v");
        r.extra.insert(extra::OFFLOAD.into(), true.into());
        assert!(check_extra_keys(&r).is_empty());
        r.extra.insert("offloaded".into(), true.into());
        r.extra.insert(extra::CHILDREN_SAMPLE_MS.into(), 1.5.into());
        let p = check_extra_keys(&r);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(
            p[0].starts_with("extra.offloaded is not a registered key"),
            "{p:?}"
        );
    }

    #[test]
    fn every_extra_key_is_declared_once_with_its_doc() {
        let names: Vec<&str> = extra::KEYS.iter().map(|k| k.name).collect();
        assert_eq!(names, extra::ALL);
        for k in extra::KEYS {
            // Keys are snake_case JSON names, and each says who writes it.
            assert!(
                k.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{}",
                k.name
            );
            assert!(
                !k.about().is_empty() && !k.about().contains('\n'),
                "{}",
                k.name
            );
        }
        assert!(extra::is_registered(extra::CHILDREN_SAMPLE_MS));
        assert!(extra::is_registered("children_sample_ms"));
        assert!(!extra::is_registered("no_such_key"));
        let spawn = extra::KEYS.iter().find(|k| k.name == "spawn_ms").unwrap();
        assert!(
            spawn.about().starts_with("ms from creating a process pool"),
            "{}",
            spawn.about()
        );
        assert!(
            spawn
                .about()
                .contains("`multiprocessing` peer (`peers/python/models.py`)")
        );
    }
}
