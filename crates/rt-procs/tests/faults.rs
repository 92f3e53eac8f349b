//! What happens when workers fail: the run ends with exit 1 within seconds, names the worker and how it ended, and
//! leaves no worker process behind. Black-box: each run is started in its own process group, so its workers (which
//! inherit the group) can be found in /proc after it ended, whoever their parent is by then.

use std::os::unix::process::CommandExt;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_rt-procs");

/// A run of `rt-procs` in a process group of its own (pgid = its pid).
fn start(args: &[&str], env: &[(&str, &str)]) -> std::process::Child {
    let mut c = Command::new(BIN);
    c.args(args)
        .envs(env.iter().copied())
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c.spawn().expect("rt-procs starts")
}

fn run(args: &[&str], env: &[(&str, &str)]) -> (Output, Duration, u32) {
    let t = Instant::now();
    let child = start(args, env);
    let pid = child.id();
    let out = child.wait_with_output().expect("rt-procs runs");
    (out, t.elapsed(), pid)
}

/// Live (not zombie) child processes of rt-procs (a worker, a spawn task, the ponger: a hidden `__role` first
/// argument) in process group `pgid`, as (pid, the argument after the role: a worker's index, a task's id).
fn workers_in_group(pgid: u32) -> Vec<(u32, String)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc")
        .expect("/proc is readable")
        .flatten()
    {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // After the command name's closing ')': state, ppid, pgrp, ...
        let Some((_, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        if fields.len() < 3 || fields[0] == "Z" || fields[2] != pgid.to_string() {
            continue;
        }
        let Ok(cmdline) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
            continue;
        };
        let args: Vec<String> = cmdline
            .split(|&b| b == 0)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        if args.get(1).is_some_and(|a| a.starts_with("__")) {
            found.push((pid, args.get(2).cloned().unwrap_or_default()));
        }
    }
    found
}

/// Asserts that no child (worker, task, ponger) of the run with pgid `pgid` is alive, allowing 5 s for the kernel to deliver SIGKILLs.
fn assert_no_workers_left(pgid: u32) {
    let t = Instant::now();
    loop {
        let left = workers_in_group(pgid);
        if left.is_empty() {
            return;
        }
        assert!(
            t.elapsed() < Duration::from_secs(5),
            "workers outlived the run: {left:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_worker_killed_mid_run_fails_the_run_and_is_named() {
    let (out, took, pgid) = run(
        &[
            "run",
            "cpu-balanced",
            "--size",
            "standard",
            "--workers",
            "2",
        ],
        &[("RT_PROCS_FAULT", "kill:1")],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert!(err.contains("worker 1") && err.contains("SIGKILL"), "{err}");
    assert!(out.stdout.is_empty());
    assert_no_workers_left(pgid);
}

#[test]
fn a_worker_killed_from_outside_fails_the_run_and_is_named() {
    // Long enough (about 10 s of CPU work on 2 cores) that the kill lands mid-run.
    let child = start(
        &[
            "run",
            "cpu-balanced",
            "--tasks",
            "1000",
            "--work",
            "11000",
            "--workers",
            "2",
        ],
        &[],
    );
    let pgid = child.id();
    let t = Instant::now();
    let victim = loop {
        if let Some(w) = workers_in_group(pgid)
            .into_iter()
            .find(|(_, idx)| idx == "1")
        {
            break w;
        }
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "worker 1 never appeared"
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    std::thread::sleep(Duration::from_millis(300));
    let killed_at = Instant::now();
    // SAFETY: signalling a process we just found in the run's process group.
    unsafe { libc::kill(victim.0 as libc::pid_t, libc::SIGKILL) };
    let out = child.wait_with_output().expect("rt-procs runs");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        killed_at.elapsed() < Duration::from_secs(5),
        "took {:?}",
        killed_at.elapsed()
    );
    assert!(
        err.contains(&format!("worker 1 (pid {})", victim.0)),
        "{err}"
    );
    assert_no_workers_left(pgid);
}

#[test]
fn workers_die_with_a_parent_killed_outright() {
    // SIGKILL runs no clean-up in the parent, and the workers sit in a 20 s sleep, so they would not notice their
    // broken channels for 20 s: only their PR_SET_PDEATHSIG can end them at once.
    let mut child = start(
        &[
            "run",
            "io-sleep",
            "--tasks",
            "2",
            "--delay-ms",
            "20000",
            "--workers",
            "2",
        ],
        &[],
    );
    let pgid = child.id();
    let t = Instant::now();
    while workers_in_group(pgid).len() < 2 {
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "the workers never appeared"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(300));
    child.kill().expect("SIGKILL the parent");
    child.wait().expect("reap the parent");
    assert_no_workers_left(pgid);
}

#[test]
fn a_worker_that_exits_before_connecting_does_not_hang_the_run() {
    let (out, took, pgid) = run(
        &["run", "cpu-balanced", "--size", "check", "--workers", "3"],
        &[("RT_PROCS_FAULT", "no-connect:2")],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert!(
        err.contains("worker 2") && err.contains("before connecting"),
        "{err}"
    );
    assert_no_workers_left(pgid);
}

#[test]
fn a_worker_that_never_connects_times_out() {
    let (out, took, pgid) = run(
        &["run", "cpu-balanced", "--size", "check", "--workers", "2"],
        &[
            ("RT_PROCS_FAULT", "stall:0"),
            ("RT_PROCS_CONNECT_TIMEOUT_MS", "500"),
        ],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert!(
        err.contains("worker 0") && err.contains("did not connect"),
        "{err}"
    );
    assert_no_workers_left(pgid);
}

#[test]
fn the_deadline_kills_the_workers() {
    let (out, took, pgid) = run(
        &[
            "run",
            "io-sleep",
            "--tasks",
            "4",
            "--delay-ms",
            "20000",
            "--workers",
            "2",
            "--deadline-s",
            "1",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(124), "{}", stderr(&out));
    assert!(took < Duration::from_secs(3), "took {took:?}");
    assert_no_workers_left(pgid);
}

#[test]
fn a_temporary_directory_too_long_for_a_socket_path_fails_clearly() {
    let long = format!("/tmp/{}", "d".repeat(100));
    let (out, _, pgid) = run(
        &["run", "cpu-balanced", "--size", "check"],
        &[("TMPDIR", &long)],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("TMPDIR"), "{err}");
    assert_no_workers_left(pgid);
}

#[test]
fn a_task_process_that_dies_before_parking_fails_the_spawn_run_and_is_named() {
    let (out, took, pgid) = run(
        &["run", "spawn", "--variant", "per-task", "--tasks", "40"],
        &[("RT_PROCS_FAULT", "no-connect:7")],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert!(
        err.contains("task process 7 (pid")
            && err.contains("before it parked")
            && err.contains("3"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(out.stdout.is_empty());
    assert_no_workers_left(pgid);
}

#[test]
fn parked_task_processes_die_with_a_parent_killed_outright() {
    // Task 29 never parks, so the parent waits with the other 29 parked on the release pipe; SIGKILL runs no
    // clean-up in the parent, and task 29 sits in a sleep: only its PR_SET_PDEATHSIG can end it.
    let mut child = start(
        &["run", "spawn", "--variant", "per-task", "--tasks", "30"],
        &[("RT_PROCS_FAULT", "stall:29")],
    );
    let pgid = child.id();
    let t = Instant::now();
    while workers_in_group(pgid).len() < 30 {
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "the task processes never appeared"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(300));
    child.kill().expect("SIGKILL the parent");
    child.wait().expect("reap the parent");
    assert_no_workers_left(pgid);
}

#[test]
fn the_deadline_kills_the_parked_task_processes() {
    let (out, took, pgid) = run(
        &[
            "run",
            "spawn",
            "--variant",
            "per-task",
            "--tasks",
            "30",
            "--deadline-s",
            "1",
        ],
        &[("RT_PROCS_FAULT", "stall:3")],
    );
    assert_eq!(out.status.code(), Some(124), "{}", stderr(&out));
    assert!(took < Duration::from_secs(3), "took {took:?}");
    assert_no_workers_left(pgid);
}

#[test]
fn a_ponger_killed_mid_exchange_fails_the_run_and_is_named() {
    let (out, took, pgid) = run(
        &[
            "run",
            "ping-pong",
            "--variant",
            "per-task",
            "--size",
            "check",
        ],
        &[("RT_PROCS_FAULT", "kill:0")],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert!(err.contains("ponger 0") && err.contains("SIGKILL"), "{err}");
    assert_no_workers_left(pgid);
}

fn report(args: &[&str]) -> serde_json::Value {
    let (out, _, _) = run(args, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("one JSON report")
}

#[test]
fn every_chunksize_gives_the_reference_checksum() {
    let reference =
        report(&["run", "cpu-skewed", "--size", "check", "--workers", "1"])["checksum"].clone();
    for chunk in ["0", "3", "100"] {
        let r = report(&[
            "run",
            "cpu-skewed",
            "--size",
            "check",
            "--workers",
            "3",
            "--opt",
            &format!("chunksize={chunk}"),
        ]);
        assert_eq!(r["checksum"], reference, "chunksize={chunk}");
        assert!(r["extra"]["spawn_ms"].as_f64().is_some_and(|ms| ms > 0.0));
    }
}

#[test]
fn race_in_shared_memory_is_really_shared() {
    // By default the workers share one counter: with sync=atomic nothing can be lost, and the parent reads W*K from
    // the mapping the workers wrote to.
    let r = report(&[
        "run",
        "race",
        "--work",
        "100000",
        "--workers",
        "3",
        "--opt",
        "sync=atomic",
    ]);
    assert_eq!(r["checksum"], 300_000);
    assert_eq!(r["attempted"], 300_000);
    assert_eq!(r["lost_updates"], 0);
    assert!(
        r["extra"]["race"]
            .as_str()
            .unwrap()
            .starts_with("shared memory")
    );
    // sync=lock takes the process-shared mutex: nothing lost either.
    let r = report(&[
        "run",
        "race",
        "--work",
        "100000",
        "--workers",
        "3",
        "--opt",
        "sync=lock",
    ]);
    assert_eq!(
        (&r["checksum"], &r["lost_updates"]),
        (&300_000.into(), &0.into())
    );
    // Message passing: each worker counts alone, the parent sums.
    let r = report(&[
        "run",
        "race",
        "--work",
        "100000",
        "--workers",
        "3",
        "--opt",
        "shared=false",
    ]);
    assert_eq!(r["checksum"], 300_000);
    assert_eq!(r["attempted"], 300_000);
    assert!(
        r["extra"]["race"]
            .as_str()
            .unwrap()
            .starts_with("message passing")
    );
}
