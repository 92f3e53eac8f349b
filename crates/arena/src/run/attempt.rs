//! One run of a cell outside hyperfine (verification, pilot, or a failed cell run again), judged against the
//! contract by the one reader the conformance suite uses too, `harness::contract`.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use harness::RunReport;
use harness::contract::{self, Exit};
#[cfg(test)]
use workloads::Workload;

use crate::discover::Entrant;
use crate::plan::Cell;
use crate::proc;
use crate::store::{Attempt, Fault};

/// The command line of a run, with the workspace prefix removed from the program so it can be pasted from there.
pub fn display_command(ws_root: &Path, argv: &[String]) -> String {
    // Paths inside the workspace are shown relative to it (also inside hyperfine's quoted command), so the line
    // can be pasted from the workspace root on any clone.
    let prefix = format!("{}/", ws_root.display());
    let a: Vec<String> = argv.iter().map(|x| x.replace(&prefix, "")).collect();
    proc::command_line(&a)
}

/// Runs a cell once and checks what it printed against the contract and the reference checksum.
pub fn run_once(
    ws_root: &Path,
    rt: &Entrant,
    cell: &Cell,
    args: &[String],
    limit_s: f64,
) -> (Attempt, Option<RunReport>) {
    let mut argv = rt.command.clone();
    argv.extend(args.iter().cloned());
    let mut command = display_command(ws_root, &argv);
    let mut cmd = Command::new(&argv[0]);
    cmd.args(&argv[1..]);
    if let Some(cpus) = cell
        .pinned
        .and_then(|n| crate::machine::pin_command(&mut cmd, n))
    {
        command = crate::machine::taskset_prefix(&cpus) + &command;
    }
    let out = match proc::run(&mut cmd, Duration::from_secs_f64(limit_s)) {
        Ok(o) => o,
        Err(e) => {
            let fault = Fault::Crash {
                code: None,
                signal: None,
                stderr: format!("could not start: {e}"),
            };
            return (
                Attempt {
                    command,
                    wall_s: 0.0,
                    fault: Some(fault),
                },
                None,
            );
        }
    };
    let wall_s = out.wall.as_secs_f64();
    let (fault, report) = classify(&out, cell, limit_s);
    (
        Attempt {
            command,
            wall_s,
            fault,
        },
        report,
    )
}
/// The contract's verdict on one finished run, read by `harness::contract::read` (the reader the conformance suite
/// uses too) and recorded as a [`Fault`] ([`Fault::from_violation`]). Only a run the driver stopped itself is judged
/// here, before the reader.
pub fn classify(
    out: &proc::Output,
    cell: &Cell,
    limit_s: f64,
) -> (Option<Fault>, Option<RunReport>) {
    if out.timed_out {
        return (
            Some(Fault::Timeout {
                limit_s,
                by_driver: true,
            }),
            None,
        );
    }
    let exit = Exit {
        code: out.code,
        signal: out.signal,
        stdout: &out.stdout,
        stderr: &out.stderr,
    };
    match contract::read(&exit, cell.workload, &cell.variant) {
        Ok(report) => (None, Some(report)),
        Err(v) => {
            let (fault, report) = Fault::from_violation(v, &exit, limit_s);
            (Some(fault), report)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn out(code: i32, stdout: &str) -> proc::Output {
        proc::Output {
            code: Some(code),
            signal: None,
            timed_out: false,
            stdout: stdout.into(),
            stderr: "one\ntwo\n".into(),
            wall: Duration::from_millis(5),
        }
    }

    fn cell() -> Cell {
        Cell {
            runtime: "rt-x".into(),
            variant: "pool".into(),
            workload: Workload::CpuBalanced,
            size: workloads::Size::Check,
            workers: 2,
            tasks: None,
            opts: Vec::new(),
            point: None,
            params: Vec::new(),
            pinned: None,
        }
    }

    /// The driver and the conformance suite read a run the same way: a blank line before the JSON is accepted by
    /// both, two JSON lines are refused by both.
    #[test]
    fn the_driver_reads_a_run_as_the_conformance_suite_does() {
        // A correct report of cpu-balanced at --size check, as a runtime prints it.
        let w = Workload::CpuBalanced;
        let p = workloads::Params::preset(w, workloads::Size::Check, 2);
        let values = serde_json::to_value(p).unwrap();
        let mut params = serde_json::Map::new();
        params.insert("size".into(), "check".into());
        for key in ["workers"].iter().chain(w.uses()) {
            params.insert((*key).into(), values[*key].clone());
        }
        let report = RunReport {
            runtime: "rt-x".into(),
            variant: "pool".into(),
            workload: w,
            params,
            checksum: Workload::CpuBalanced.reference_checksum(&p),
            elapsed_ms: 1.0,
            latency_ms: None,
            early_waits: None,
            sojourn_ms: None,
            lost_updates: None,
            attempted: None,
            peak_rss_kib: 1,
            os_threads_peak: 1,
            extra: serde_json::Map::new(),
        };
        let line = serde_json::to_string(&report).unwrap();
        for (stdout, ok) in [
            (format!("{line}\n"), true),
            (format!("\n{line}\n"), true),
            (format!("  \n{line}\n\n"), true),
            (format!("{line}\n{line}\n"), false),
            ("not json\n".to_string(), false),
        ] {
            let exit = Exit {
                code: Some(0),
                signal: None,
                stdout: &stdout,
                stderr: "",
            };
            let suite = contract::read(&exit, Workload::CpuBalanced, "pool").is_ok();
            let (fault, _) = classify(&out(0, &stdout), &cell(), 10.0);
            assert_eq!(suite, ok, "{stdout:?}");
            assert_eq!(fault.is_none(), ok, "{stdout:?}: {fault:?}");
        }
    }

    #[test]
    fn exit_codes_become_faults() {
        let f = |code| classify(&out(code, ""), &cell(), 10.0).0.unwrap();
        assert!(matches!(f(1), Fault::Failed { stderr } if stderr.contains("two")));
        assert!(matches!(f(2), Fault::Usage { .. }));
        assert!(matches!(f(3), Fault::Unsupported { .. }));
        assert!(matches!(
            f(124),
            Fault::Timeout {
                by_driver: false,
                ..
            }
        ));
        assert!(matches!(f(7), Fault::Crash { code: Some(7), .. }));
        let mut o = out(0, "");
        o.timed_out = true;
        assert!(matches!(
            classify(&o, &cell(), 10.0).0,
            Some(Fault::Timeout {
                by_driver: true,
                ..
            })
        ));
    }
}
