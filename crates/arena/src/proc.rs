//! Child processes with a time limit. Each child runs in its own process group, so that a runtime that starts
//! processes of its own (rt-procs) or a hyperfine run is stopped with everything it started; each dies with the
//! driver (`PR_SET_PDEATHSIG`), and Ctrl-C or SIGTERM on the driver kills the running group before the driver stops.

use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::time::{Duration, Instant};

static CURRENT_GROUP: AtomicI32 = AtomicI32::new(0);
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_sig: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
    let group = CURRENT_GROUP.load(Ordering::SeqCst);
    if group > 0 {
        // SAFETY: kill(2) is async-signal-safe; a stale group id at worst yields ESRCH.
        unsafe {
            libc::kill(-group, libc::SIGKILL);
        }
    }
}

/// Makes Ctrl-C (SIGINT) and SIGTERM stop the running child group and set [`interrupted`], instead of killing the
/// driver before it can write its partial report.
pub fn install_interrupt_handler() {
    let handler = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
    // SAFETY: the handler only touches atomics and calls kill(2).
    unsafe {
        libc::signal(libc::SIGINT, handler);
        libc::signal(libc::SIGTERM, handler);
    }
}

/// Whether Ctrl-C or SIGTERM arrived.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// What a finished (or stopped) child left behind.
#[derive(Debug, Clone)]
pub struct Output {
    /// The exit code, if it exited by itself.
    pub code: Option<i32>,
    /// The signal that ended it, if one did (including our own SIGKILL on time-out).
    pub signal: Option<i32>,
    /// Whether the driver stopped it because it ran past its time limit.
    pub timed_out: bool,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// Wall time from spawn to exit, as the driver saw it.
    pub wall: Duration,
}

impl Output {
    /// Exit code 0.
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }

    /// The last lines of stderr, for one-line reasons (the contract's own rule, `harness::contract::stderr_tail`).
    pub fn stderr_tail(&self) -> String {
        harness::contract::stderr_tail(&self.stderr)
    }
}

/// Runs `cmd` to completion or until `limit`, capturing stdout and stderr. `inherit_stderr` lets a child's progress
/// (cargo's) reach the terminal instead.
pub fn run(cmd: &mut Command, limit: Duration) -> std::io::Result<Output> {
    run_with(cmd, limit, false)
}

/// [`run`], with stderr passed through to ours when `inherit_stderr` is set.
pub fn run_with(
    cmd: &mut Command,
    limit: Duration,
    inherit_stderr: bool,
) -> std::io::Result<Output> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .process_group(0);
    cmd.stderr(if inherit_stderr {
        Stdio::inherit()
    } else {
        Stdio::piped()
    });
    // SAFETY: prctl is async-signal-safe and touches no memory of the parent.
    unsafe {
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
    let t0 = Instant::now();
    let mut child = cmd.spawn()?;
    let group = child.id() as i32;
    CURRENT_GROUP.store(group, Ordering::SeqCst);
    let read = |r: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut r) = r {
                let _ = r.read_to_end(&mut buf);
            }
            String::from_utf8_lossy(&buf).into_owned()
        })
    };
    let out = read(
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );
    let err = read(
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );
    let mut timed_out = false;
    let status = loop {
        if let Some(st) = child.try_wait()? {
            break st;
        }
        if t0.elapsed() > limit || interrupted() {
            timed_out = !interrupted();
            kill_group(group);
            break child.wait()?;
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    let wall = t0.elapsed();
    // Whatever the child left running in its group (worker processes) goes with it.
    kill_group(group);
    CURRENT_GROUP.store(0, Ordering::SeqCst);
    Ok(Output {
        code: status.code(),
        signal: status.signal(),
        timed_out,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
        wall,
    })
}

fn kill_group(group: i32) {
    // SAFETY: plain kill(2); ESRCH when the group is already gone is fine.
    unsafe {
        libc::kill(-group, libc::SIGKILL);
    }
}

/// Quotes one argument for a shell command line a reader can paste.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:@,+".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// A command line from its words.
pub fn command_line(argv: &[String]) -> String {
    argv.iter()
        .map(|a| shell_quote(a))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `arena serve`: the io-net delay server on 127.0.0.1 until Ctrl-C; prints its address; returns the exit code.
pub fn serve(delay_ms: u32, port: u16) -> anyhow::Result<i32> {
    install_interrupt_handler();
    let s = delay_server::DelayServer::start(port, delay_ms)?;
    println!("{}", s.addr());
    eprintln!(
        "arena: delay server on {} (default delay {delay_ms} ms); Ctrl-C stops it",
        s.addr()
    );
    while !interrupted() {
        std::thread::sleep(Duration::from_millis(50));
    }
    s.stop();
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_when_needed() {
        assert_eq!(shell_quote("rt-seq"), "rt-seq");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn captures_and_times_out() {
        let o = run(
            Command::new("sh").args(["-c", "echo hi; echo err >&2; exit 3"]),
            Duration::from_secs(5),
        )
        .unwrap();
        assert_eq!(o.code, Some(3));
        assert_eq!(o.stdout.trim(), "hi");
        assert_eq!(o.stderr_tail(), "err");
        let o = run(Command::new("sleep").arg("30"), Duration::from_millis(100)).unwrap();
        assert!(o.timed_out);
        assert_eq!(o.signal, Some(libc::SIGKILL));
        assert!(o.wall < Duration::from_secs(5));
    }
}
