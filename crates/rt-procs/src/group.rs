//! A group of child processes, each this binary re-executed in a child role (a hidden first argument): the pool's
//! workers, the `spawn` task processes, the `ping-pong` ponger.
//!
//! No child outlives the run: dropping the group (any error path) kills and reaps whatever is left; the harness's
//! early-exit clean-up (deadline, panic) does the same; and each child calls [`die_with_parent`] first thing, so
//! that even a SIGKILLed parent takes its children with it.

use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use harness::RunError;
use harness::watchdog::{CleanupGuard, on_early_exit};
use ipc_channel::ipc::{IpcOneShotServer, IpcSender};
use serde::{Deserialize, Serialize};

use crate::proto::CONNECT_TIMEOUT_ENV;

/// ipc-channel copies the socket path into `sun_path` (108 bytes with the NUL) and silently truncates longer ones.
const MAX_SOCKET_PATH: usize = 107;

/// The children, in spawn order; shared with the early-exit clean-up.
type Children = Arc<Mutex<Vec<Child>>>;

/// Child processes of this binary, killed and reaped when the group is dropped.
pub struct Group {
    /// What a child is called in messages: `worker 1 (pid 123) died mid-run`.
    noun: &'static str,
    exe: std::path::PathBuf,
    children: Children,
    _guard: CleanupGuard,
}

impl Group {
    /// An empty group whose children are called `noun` in messages. Spawn its children from the thread that runs
    /// the workload: `PR_SET_PDEATHSIG` fires when the *thread* that spawned a child exits, not the process.
    pub fn new(noun: &'static str) -> Result<Group, RunError> {
        let exe = std::env::current_exe()
            .map_err(|e| RunError::failed("cannot find my own executable", e))?;
        let children: Children = Arc::default();
        let c = children.clone();
        let guard = on_early_exit(move || kill_all(&c, true));
        Ok(Group {
            noun,
            exe,
            children,
            _guard: guard,
        })
    }

    /// Starts this binary with `args` (the first is the child role), stdin and stdout on /dev/null (stdout carries
    /// only the parent's JSON report), stderr inherited, and adds it to the group.
    pub fn spawn(&self, args: &[&str]) -> std::io::Result<()> {
        let child = Command::new(&self.exe)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()?;
        lock(&self.children).push(child);
        Ok(())
    }

    /// How many children were started.
    pub fn len(&self) -> usize {
        lock(&self.children).len()
    }

    /// The pid of child `i` (0 if there is none).
    pub fn pid(&self, i: usize) -> u32 {
        lock(&self.children).get(i).map_or(0, Child::id)
    }

    /// Every child's pid, in spawn order.
    pub fn pids(&self) -> Vec<u32> {
        lock(&self.children).iter().map(Child::id).collect()
    }

    /// `worker 1 (pid 123)`.
    pub fn name(&self, i: usize) -> String {
        format!("{} {i} (pid {})", self.noun, self.pid(i))
    }

    /// The exit status of child `i`, if it has ended (reaping it).
    pub fn exit_status(&self, i: usize) -> Option<ExitStatus> {
        lock(&self.children)
            .get_mut(i)
            .and_then(|c| c.try_wait().ok().flatten())
    }

    /// The first child that has ended and whose end `bad` judges a failure, with its status (reaping the children
    /// that have ended).
    pub fn find_ended(&self, bad: impl Fn(ExitStatus) -> bool) -> Option<(usize, ExitStatus)> {
        let mut list = lock(&self.children);
        list.iter_mut().enumerate().find_map(|(i, c)| {
            c.try_wait()
                .ok()
                .flatten()
                .filter(|s| bad(*s))
                .map(|s| (i, s))
        })
    }

    /// Waits for child `i` to exit, up to `limit`; `None` if it is still running then.
    pub fn wait_for(&self, i: usize, limit: Duration) -> Option<ExitStatus> {
        let t = Instant::now();
        loop {
            if let Some(s) = self.exit_status(i) {
                return Some(s);
            }
            if t.elapsed() > limit {
                return None;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
    }

    /// Names child `i` and says how it ended (`when`: "mid-run", ...), waiting up to 3 s for it to end after its
    /// channel broke with `err`.
    pub fn describe(&self, i: usize, when: &str, err: &dyn std::fmt::Display) -> String {
        match self.wait_for(i, Duration::from_secs(3)) {
            Some(status) => format!("{} died {when}: {status}", self.name(i)),
            None => format!(
                "{} broke its channel {when} ({err}) but is still running; it was killed",
                self.name(i)
            ),
        }
    }

    /// SIGKILLs every child not yet reaped, then (with `reap`) waits for each.
    pub fn kill_all(&self, reap: bool) {
        kill_all(&self.children, reap);
    }

    /// Waits for every child (they were told to finish), up to 5 s each; an error names the first that did not
    /// exit, or did not exit 0.
    pub fn reap_all(&self) -> Result<(), RunError> {
        for i in 0..self.len() {
            match self.wait_for(i, Duration::from_secs(5)) {
                Some(s) if s.success() => {}
                Some(s) => {
                    return Err(RunError::Failed(format!("{} ended with {s}", self.name(i))));
                }
                None => {
                    return Err(RunError::Failed(format!(
                        "{} did not exit when told to finish",
                        self.name(i)
                    )));
                }
            }
        }
        Ok(())
    }

    /// Accepts every child's handshake `H` on its own server, on helper threads (`accept` blocks forever if a child
    /// dies before connecting), while this thread watches the children and the clock. `servers[i]` is child i's.
    pub fn accept_all<H>(
        &self,
        servers: Vec<(IpcOneShotServer<H>, String)>,
    ) -> Result<Vec<H>, RunError>
    where
        H: for<'de> Deserialize<'de> + Serialize + Send + 'static,
    {
        let timeout = std::env::var(CONNECT_TIMEOUT_ENV)
            .ok()
            .and_then(|v| v.parse().ok())
            .map_or(Duration::from_secs(10), Duration::from_millis);
        let (tx, rx) = mpsc::channel();
        let mut names = Vec::new();
        let mut threads = Vec::new();
        for (i, (server, name)) in servers.into_iter().enumerate() {
            let tx = tx.clone();
            names.push(name);
            threads.push(std::thread::spawn(move || {
                let _ = tx.send((
                    i,
                    server
                        .accept()
                        .map(|(_, hello)| hello)
                        .map_err(|e| e.to_string()),
                ));
            }));
        }
        drop(tx);
        let mut hellos: Vec<Option<H>> = names.iter().map(|_| None).collect();
        let deadline = Instant::now() + timeout;
        let outcome = loop {
            if hellos.iter().all(Option::is_some) {
                break Ok(());
            }
            match rx.recv_timeout(Duration::from_millis(5)) {
                Ok((i, Ok(h))) => hellos[i] = Some(h),
                Ok((i, Err(e))) => break Err(self.describe(i, "during the handshake", &e)),
                Err(_) => {}
            }
            let waiting = (0..hellos.len()).filter(|&i| hellos[i].is_none());
            if let Some((i, status)) = waiting
                .clone()
                .find_map(|i| self.exit_status(i).map(|s| (i, s)))
            {
                break Err(format!(
                    "{} exited before connecting: {status}",
                    self.name(i)
                ));
            }
            if Instant::now() > deadline {
                let late: Vec<String> = waiting
                    .map(|i| format!("{i} (pid {})", self.pid(i)))
                    .collect();
                break Err(format!(
                    "{} {} did not connect within {timeout:?}",
                    self.noun,
                    late.join(", ")
                ));
            }
        };
        if let Err(msg) = outcome {
            self.kill_all(true);
            // Unblock the accept threads still waiting, so that their servers drop and remove their socket dirs.
            for (i, name) in names.into_iter().enumerate() {
                if hellos[i].is_none() {
                    drop(IpcSender::<H>::connect(name));
                }
            }
            threads.into_iter().for_each(|t| drop(t.join()));
            return Err(RunError::Failed(msg));
        }
        threads.into_iter().for_each(|t| drop(t.join()));
        Ok(hellos.into_iter().flatten().collect())
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        kill_all(&self.children, true);
    }
}

/// SIGKILLs every child not yet reaped, then (with `reap`) waits for each. `Child::kill` never signals a child that
/// was already reaped, so a recycled pid is never hit. The lock is never held across a blocking call elsewhere.
fn kill_all(children: &Children, reap: bool) {
    let mut list = lock(children);
    for c in list.iter_mut() {
        let _ = c.kill();
    }
    if reap {
        for c in list.iter_mut() {
            let _ = c.wait();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// ipc-channel binds `$TMPDIR/.tmpXXXXXX/socket`; fail before creating anything if that cannot fit.
pub fn check_socket_dir() -> Result<(), RunError> {
    let dir = std::env::temp_dir();
    let len = dir.join(".tmpXXXXXX").join("socket").as_os_str().len();
    if len > MAX_SOCKET_PATH {
        return Err(RunError::Failed(format!(
            "the temporary directory '{}' is too long for ipc-channel's Unix socket path ({len} > {MAX_SOCKET_PATH} bytes); set TMPDIR to a short directory such as /tmp",
            dir.display()
        )));
    }
    Ok(())
}

/// The child's side of the promise: asks the kernel for SIGKILL when the parent dies, whatever kills it (SIGKILL
/// included, where no clean-up runs), then checks that `parent` (the pid the parent passed) is still the parent,
/// closing the race where it died before the `prctl` (we would then have been re-parented already).
pub fn die_with_parent(parent: &str) -> Result<(), String> {
    let parent: libc::pid_t = parent
        .parse()
        .map_err(|_| format!("bad parent pid '{parent}'"))?;
    // SAFETY: prctl and getppid only act on this process.
    let ppid = unsafe {
        libc::prctl(
            libc::PR_SET_PDEATHSIG,
            libc::SIGKILL as libc::c_ulong,
            0,
            0,
            0,
        );
        libc::getppid()
    };
    if ppid != parent {
        return Err("the parent is gone; exiting".into());
    }
    Ok(())
}
