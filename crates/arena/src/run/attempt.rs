//! One run of a cell outside hyperfine (verification, pilot, or a failed cell run again), judged against the
//! contract by the one reader the conformance suite uses too, `harness::contract`.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use harness::RunReport;
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
    let command = display_command(ws_root, &argv);
    let out = match proc::run(
        Command::new(&argv[0]).args(&argv[1..]),
        Duration::from_secs_f64(limit_s),
    ) {
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
/// The contract's verdict on one finished run.
pub fn classify(
    out: &proc::Output,
    cell: &Cell,
    limit_s: f64,
) -> (Option<Fault>, Option<RunReport>) {
    let stderr = out.stderr_tail();
    if out.timed_out {
        return (
            Some(Fault::Timeout {
                limit_s,
                by_driver: true,
            }),
            None,
        );
    }
    let fault = match (out.code, out.signal) {
        (Some(0), _) => None,
        (Some(1), _) => Some(Fault::Failed { stderr }),
        (Some(2), _) => Some(Fault::Usage { stderr }),
        (Some(3), _) => Some(Fault::Unsupported { stderr }),
        (Some(124), _) => Some(Fault::Timeout {
            limit_s,
            by_driver: false,
        }),
        (code, signal) => Some(Fault::Crash {
            code,
            signal,
            stderr,
        }),
    };
    if fault.is_some() {
        return (fault, None);
    }
    let text = out.stdout.trim();
    let garbage = || Fault::Garbage {
        stdout: text.chars().take(120).collect(),
    };
    let report: RunReport = match (
        text.lines().count(),
        serde_json::from_str::<RunReport>(text),
    ) {
        (1, Ok(r)) => r,
        _ => return (Some(garbage()), None),
    };
    if report.workload != cell.workload || report.variant != cell.variant {
        return (Some(garbage()), None);
    }
    if !report.checksum_ok() {
        let want = report.reference_checksum();
        let got = match report.workload {
            Workload::Race => report.checksum + report.lost_updates.unwrap_or(0),
            _ => report.checksum,
        };
        return (Some(Fault::WrongChecksum { got, want }), Some(report));
    }
    (None, Some(report))
}
