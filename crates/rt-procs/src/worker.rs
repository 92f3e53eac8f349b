//! The worker process: `rt-procs __worker <index> <socket> <parent-pid>`. It connects to the parent's one-shot
//! server, hands over its channel pair, then runs jobs one at a time until told to stop or the parent hangs up.
//! It never goes through the command line of `harness::main` and never writes to stdout.

use std::time::{Duration, Instant};

use harness::tasks::request_failed;
use ipc_channel::ipc::{self, IpcSender};
use workloads::race::{locked_worker, race_worker};
use workloads::{RaceCounter, SyncMode, blocking, count_primes};

use crate::proto::{Done, FAULT_ENV, Hello, Job, Reply, Setup, Task};
use crate::shm::SharedCounter;

/// The worker's `main`; `args` are the arguments after [`crate::proto::WORKER_ARG`].
pub fn main(args: Vec<String>) -> ! {
    let index = args.first().cloned().unwrap_or_default();
    std::panic::set_hook(Box::new(move |info| {
        eprintln!("rt-procs worker {index}: internal error: {info}");
    }));
    let code = match run(&args) {
        Ok(()) => 0,
        Err(msg) => {
            eprintln!("rt-procs worker {}: {msg}", args.first().map_or("?", |s| s));
            1
        }
    };
    std::process::exit(code)
}

fn run(args: &[String]) -> Result<(), String> {
    let [index, socket, parent] = args else {
        return Err(format!(
            "expected <index> <socket> <parent-pid>, got {args:?}"
        ));
    };
    crate::group::die_with_parent(parent)?;
    let fault = Fault::from_env(index);
    match fault {
        Fault::NoConnect => std::process::exit(3),
        Fault::Stall => loop {
            std::thread::sleep(Duration::from_secs(3600));
        },
        _ => {}
    }
    let (job_tx, job_rx) = ipc::channel::<Job>().map_err(|e| format!("channel: {e}"))?;
    let (reply_tx, reply_rx) = ipc::channel::<Reply>().map_err(|e| format!("channel: {e}"))?;
    IpcSender::<Hello>::connect(socket.clone())
        .map_err(|e| format!("could not connect to {socket}: {e}"))?
        .send((job_tx, reply_rx))
        .map_err(|e| format!("could not send the handshake: {e}"))?;
    let mut setup = Setup::default();
    let mut shared: Option<SharedCounter> = None;
    loop {
        let reply = match job_rx.recv() {
            Ok(Job::Setup(s)) => {
                if let Some(fd) = s.shm_fd {
                    shared =
                        Some(SharedCounter::open(fd).map_err(|e| format!("shared memory: {e}"))?);
                }
                setup = s;
                continue;
            }
            Ok(Job::Run(tasks)) => {
                if fault == Fault::Kill {
                    // SAFETY: signalling ourselves.
                    unsafe { libc::kill(libc::getpid(), libc::SIGKILL) };
                }
                let t = Instant::now();
                let done: Result<Vec<Done>, String> = tasks
                    .iter()
                    .map(|t| run_task(t, &setup, shared.as_ref()))
                    .collect();
                match done {
                    Ok(results) => Reply::Done {
                        results,
                        busy_ns: t.elapsed().as_nanos() as u64,
                    },
                    Err(m) => Reply::Failed(m),
                }
            }
            Ok(Job::Stop) => Reply::Bye {
                peak_rss_kib: harness::probe::peak_rss_kib(),
            },
            // The parent hung up (it failed, or was killed): nothing left to do.
            Err(_) => return Ok(()),
        };
        let stop = matches!(reply, Reply::Bye { .. });
        reply_tx
            .send(reply)
            .map_err(|e| format!("could not reply: {e}"))?;
        if stop {
            return Ok(());
        }
    }
}

fn run_task(task: &Task, setup: &Setup, shared: Option<&SharedCounter>) -> Result<Done, String> {
    let plain = |value| Done {
        value,
        latency_ms: None,
        end_ns: None,
        attempted: 0,
    };
    // The end is read on CLOCK_MONOTONIC just after the task's own clock read, as the parent's submission instant
    // is: Instants cannot cross processes, and this clock is the one they read.
    let timed = |value, latency_ms: f64| Done {
        value,
        latency_ms: Some(latency_ms),
        end_ns: Some(harness::latency::monotonic_ns()),
        attempted: 0,
    };
    let raced = |value, attempted| Done {
        value,
        latency_ms: None,
        end_ns: None,
        attempted,
    };
    Ok(match *task {
        Task::Primes { lo, hi } => plain(count_primes(lo, hi, 0, &mut ())),
        Task::Sleep { id, delay_ms } => {
            let d = Duration::from_millis(delay_ms);
            let (late, _) = harness::jobs::timed_wait(d, || std::thread::sleep(d));
            timed(workloads::spec::sleep_value(id), late)
        }
        Task::Net {
            id,
            nonce,
            delay_ms,
        } => {
            let addr = setup.addr.ok_or("io-net task without a server address")?;
            let (reply, rtt) = blocking::net_request(addr, id, nonce, delay_ms)
                .map_err(|e| request_failed(id as usize, addr, e).to_string())?;
            timed(reply, harness::latency::ms(rtt))
        }
        Task::File { id, size_kib } => {
            let dir = setup
                .dir
                .as_deref()
                .ok_or("io-file task without a directory")?;
            let h = blocking::file_task(dir, id, size_kib)
                .map_err(|e| format!("file task {id} in {}: {e}", dir.display()))?;
            plain(h)
        }
        Task::Race { k, sync, racers } => match shared {
            Some(s) => {
                s.start_together(racers);
                let performed = match sync {
                    // The process-shared mutex around the same load and store, as `with lock: c.value += 1`.
                    SyncMode::Lock => locked_worker(s.counter(), k, || s.lock()),
                    _ => race_worker(s.counter(), sync, k, 0, false, &mut ()),
                };
                raced(0, performed)
            }
            None => {
                // Message passing: a counter of this process's own, whose final value is sent back.
                let local = RaceCounter::new();
                let performed = race_worker(&local, sync, k, 0, false, &mut ());
                raced(local.get(), performed)
            }
        },
    })
}

/// The fault `RT_PROCS_FAULT` asks this child (a worker, a spawn task or the ponger) to simulate (tests only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    None,
    Kill,
    NoConnect,
    Stall,
}

impl Fault {
    /// The fault aimed at the child with this index (a worker's index, a task's id, the ponger's 0).
    pub fn from_env(index: &str) -> Fault {
        std::env::var(FAULT_ENV).map_or(Fault::None, |spec| Fault::parse(&spec, index))
    }

    /// `kind:<worker index>`; anything else (or another worker's index) is no fault.
    fn parse(spec: &str, index: &str) -> Fault {
        let Some((kind, who)) = spec.split_once(':') else {
            return Fault::None;
        };
        if who != index {
            return Fault::None;
        }
        match kind {
            "kill" => Fault::Kill,
            "no-connect" => Fault::NoConnect,
            "stall" => Fault::Stall,
            _ => Fault::None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Fault;

    #[test]
    fn faults_target_one_worker() {
        assert_eq!(Fault::parse("kill:1", "1"), Fault::Kill);
        assert_eq!(Fault::parse("kill:1", "0"), Fault::None);
        assert_eq!(Fault::parse("no-connect:0", "0"), Fault::NoConnect);
        assert_eq!(Fault::parse("stall:2", "2"), Fault::Stall);
        assert_eq!(Fault::parse("explode:2", "2"), Fault::None);
        assert_eq!(Fault::parse("", "0"), Fault::None);
    }
}
