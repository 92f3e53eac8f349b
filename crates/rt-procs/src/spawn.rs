//! `spawn` in the `per-task` variant: one process per task, Python's `Process(target=task).start()` for each task.
//! Each task process is this binary re-executed (`__task <id> <release-fd> <report-fd> <parent-pid>`).
//!
//! The release signal is ONE pipe: every task inherits its read end and blocks reading it; the parent alone holds
//! the write end, and closing it releases them all (every reader sees end-of-file at once). A second pipe, whose
//! write end every task inherits, carries fixed-size records to the parent: [`ARRIVED`] once the task holds the
//! release pipe and is about to block on it, then its value `sleep_value(id)` once released. The parent holds four
//! pipe ends and one `Child` per task (no fd each), so 10,000 tasks do not exhaust its descriptors.

use std::fs::File;
use std::io::{ErrorKind, PipeReader, Read, Write};
use std::os::fd::{AsFd, AsRawFd, FromRawFd, RawFd};
use std::process::ExitStatus;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use harness::contract::extra;
use harness::floor::{self, Memory, SpawnProbe};
use harness::{Outcome, RunCtx, RunError};

use crate::group::{Group, die_with_parent};
use crate::proto::TASK_ARG;
use crate::worker::Fault;

/// The record a task sends once parked; the value it sends once released, `sleep_value(id)`, is at least 1.
const ARRIVED: u64 = 0;

/// A record's length. One `write` of at most PIPE_BUF (4096) bytes to a pipe is atomic, so the records of N writers
/// never interleave.
const RECORD: usize = 8;

/// How long the parent waits without a record before it checks whether a task process has died.
const STALL: Duration = Duration::from_millis(100);

/// What the records said so far.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    arrived: u64,
    values: u64,
    sum: u64,
    /// Every write end is closed: no record will come.
    closed: bool,
}

#[derive(Default)]
struct Reports {
    tally: Mutex<Tally>,
    news: Condvar,
}

/// The run: start N task processes, wait until all N are parked, sample, release, collect the N values, reap.
pub fn spawn(ctx: &RunCtx) -> Result<Outcome, RunError> {
    let n = ctx.params.tasks;
    let pipe = |what: &str| {
        std::io::pipe().map_err(|e| RunError::failed(format!("cannot create the {what} pipe"), e))
    };
    let (release_r, release_w) = pipe("release")?;
    let (report_r, report_w) = pipe("report")?;
    // std opens every fd close-on-exec: these two ends are the only ones the tasks inherit. In particular no task
    // holds the release pipe's write end, or closing the parent's would release nobody.
    inheritable(&release_r)?;
    inheritable(&report_w)?;
    let reports = Arc::new(Reports::default());
    let collector = {
        let r = reports.clone();
        std::thread::spawn(move || collect(report_r, &r))
    };
    let group = Group::new("task process")?;
    let result = run(n, &group, &reports, release_r, release_w, report_w);
    if result.is_err() {
        group.kill_all(true);
    }
    // Every write end of the report pipe is closed by now (the tasks have exited, the parent's copy was dropped in
    // `run`), so the collector has seen end-of-file.
    let _ = collector.join();
    result
}

fn run(
    n: u64,
    group: &Group,
    reports: &Reports,
    release_r: PipeReader,
    release_w: std::io::PipeWriter,
    report_w: std::io::PipeWriter,
) -> Result<Outcome, RunError> {
    let release_fd = release_r.as_raw_fd().to_string();
    let report_fd = report_w.as_raw_fd().to_string();
    let parent = std::process::id().to_string();
    let mut probe = SpawnProbe::start(n);
    for i in 0..n {
        let id = i.to_string();
        // The OS refusing a process (EAGAIN near pid_max) is the measurement: the caller kills and reaps the tasks
        // already started, and the run exits 1 with one line.
        group
            .spawn(&[TASK_ARG, &id, &release_fd, &report_fd, &parent])
            .map_err(|e| floor::spawn_failed("process", i, n, e))?;
    }
    // Only the tasks hold these ends now: if they all die, the collector sees end-of-file.
    drop((release_r, report_w));
    let arrived = wait(
        reports,
        group,
        "before it parked",
        |t| t.arrived >= n,
        |_| true,
    )?;
    // The probe stops the spawn clock before it reads the N children's /proc files; `children_sample_ms` says how
    // long the reading took.
    let mut sample_ms = 0.0;
    probe.parked(arrived.arrived, || {
        let sampling = Instant::now();
        let children = group
            .pids()
            .into_iter()
            .filter_map(|pid| floor::memory_kib(Some(pid)))
            .fold(Memory::default(), |a, m| a + m);
        sample_ms = sampling.elapsed().as_secs_f64() * 1e3;
        children
    });
    // Why: a task that gave its value before the release did not park, and the checksum cannot tell.
    let early = lock(&reports.tally).values;
    if early > 0 {
        return Err(RunError::Failed(format!(
            "{early} task process(es) gave their value before the release: they did not park"
        )));
    }
    // The release: one close, and every task reading the pipe sees end-of-file.
    drop(release_w);
    let done = wait(
        reports,
        group,
        "before it gave its value",
        |t| t.values >= n,
        |s| !s.success(),
    )?;
    // The join: every task process has exited, and exited 0.
    group.reap_all()?;
    Ok(probe
        .joined(done.sum)
        .extra(extra::CHILDREN_SAMPLE_MS, sample_ms))
}

/// Clears close-on-exec on `fd`, so that the task processes inherit it.
fn inheritable(fd: &impl AsFd) -> Result<(), RunError> {
    let raw = fd.as_fd().as_raw_fd();
    // SAFETY: fcntl on a descriptor this process owns (borrowed for the call); F_SETFD only changes its flags.
    if unsafe { libc::fcntl(raw, libc::F_SETFD, 0) } == -1 {
        return Err(RunError::failed(
            "cannot make a pipe inheritable",
            std::io::Error::last_os_error(),
        ));
    }
    Ok(())
}

/// Waits until `done` holds of the records. Whenever no record came for [`STALL`] (or none can come), looks for a
/// task process that has ended in a way `bad` judges a failure, and names it.
fn wait(
    reports: &Reports,
    group: &Group,
    when: &str,
    done: impl Fn(&Tally) -> bool,
    bad: impl Fn(ExitStatus) -> bool,
) -> Result<Tally, RunError> {
    let mut tally = lock(&reports.tally);
    loop {
        if done(&tally) {
            return Ok(*tally);
        }
        let before = (tally.arrived, tally.values);
        let closed = tally.closed;
        if !closed {
            let (t, timeout) = reports
                .news
                .wait_timeout(tally, STALL)
                .unwrap_or_else(|e| e.into_inner());
            tally = t;
            if !timeout.timed_out() || before != (tally.arrived, tally.values) {
                continue;
            }
        }
        let seen = *tally;
        drop(tally);
        if let Some((i, status)) = group.find_ended(&bad) {
            return Err(RunError::Failed(format!(
                "{} ended {when}: {status}",
                group.name(i)
            )));
        }
        if closed {
            return Err(RunError::Failed(format!(
                "the task processes stopped reporting after {} arrivals and {} values",
                seen.arrived, seen.values
            )));
        }
        tally = lock(&reports.tally);
    }
}

/// The parent's reader of the report pipe, until end-of-file (every task and the parent closed their write ends).
fn collect(mut pipe: PipeReader, reports: &Reports) {
    let mut buf = vec![0u8; 64 * 1024];
    let mut have = 0;
    loop {
        match pipe.read(&mut buf[have..]) {
            Ok(0) => break,
            Ok(k) => {
                have += k;
                let whole = have / RECORD * RECORD;
                {
                    let mut t = lock(&reports.tally);
                    for rec in buf[..whole].chunks_exact(RECORD) {
                        let mut word = [0u8; RECORD];
                        word.copy_from_slice(rec);
                        match u64::from_le_bytes(word) {
                            ARRIVED => t.arrived += 1,
                            v => {
                                t.values += 1;
                                t.sum = t.sum.wrapping_add(v);
                            }
                        }
                    }
                }
                buf.copy_within(whole..have, 0);
                have -= whole;
                reports.news.notify_all();
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    lock(&reports.tally).closed = true;
    reports.news.notify_all();
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A task process's `main`; `args` are the arguments after [`TASK_ARG`]. It never writes to stdout.
pub fn task_main(args: Vec<String>) -> ! {
    let code = match task(&args) {
        Ok(()) => 0,
        Err(msg) => {
            let id = args.first().map_or("?", String::as_str);
            eprintln!("rt-procs task {id}: {msg}");
            1
        }
    };
    std::process::exit(code)
}

fn task(args: &[String]) -> Result<(), String> {
    let [id, release, report, parent] = args else {
        return Err(format!(
            "expected <id> <release-fd> <report-fd> <parent-pid>, got {args:?}"
        ));
    };
    die_with_parent(parent)?;
    match Fault::from_env(id) {
        Fault::NoConnect => std::process::exit(3),
        Fault::Stall => loop {
            std::thread::sleep(Duration::from_secs(3600));
        },
        _ => {}
    }
    let id: u64 = id.parse().map_err(|_| format!("bad task id '{id}'"))?;
    let fd = |s: &str| s.parse::<RawFd>().map_err(|_| format!("bad fd '{s}'"));
    let (release, report) = (fd(release)?, fd(report)?);
    // SAFETY: the parent left these two descriptors open across exec for this process and passed their numbers;
    // nothing else in this process owns them.
    let (mut release, mut report) =
        unsafe { (File::from_raw_fd(release), File::from_raw_fd(report)) };
    // Holding the release pipe's read end is the registration: its end-of-file stays, so a release that comes
    // before the read below is not lost. Only then does the task count itself arrived.
    report
        .write_all(&ARRIVED.to_le_bytes())
        .map_err(|e| format!("cannot report arrival: {e}"))?;
    park(&mut release)?;
    report
        .write_all(&workloads::spec::sleep_value(id).to_le_bytes())
        .map_err(|e| format!("cannot report its value: {e}"))
}

/// Blocks until the parent closes the release pipe's write end.
fn park(release: &mut File) -> Result<(), String> {
    let mut byte = [0u8; 1];
    loop {
        match release.read(&mut byte) {
            Ok(0) => return Ok(()),
            Ok(_) => return Err("the release pipe carried data; only its closing releases".into()),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(format!("waiting on the release pipe: {e}")),
        }
    }
}
