//! Section "Failures and exclusions": every caveat of the analysis, in words that say how to reproduce it.

use std::fmt::Write as _;

use crate::Ctx;
use crate::template::fill;
use arena_analysis::{Caveat, NOISY_CV};
use arena_store::Status;

/// The section's body.
pub fn write(out: &mut String, cx: &Ctx<'_>) {
    let m = cx.a;
    if m.caveats.is_empty() {
        let _ = writeln!(out, "{}", fill!("failures/none.md"));
    } else {
        for c in &m.caveats {
            let _ = writeln!(out, "- {}", caveat(c));
        }
    }
    let failed = m
        .caveats
        .iter()
        .filter(|c| {
            matches!(
                c,
                Caveat::Cell {
                    status: Status::VerifyFailed { .. }
                        | Status::PilotFailed { .. }
                        | Status::TimingFailed { .. },
                    ..
                }
            )
        })
        .count();
    if failed > 0 {
        let _ = writeln!(out, "\n{}", fill!("failures/failed.md", failed = failed));
    }
}

/// One caveat as a markdown line (without the bullet).
pub fn caveat(c: &Caveat) -> String {
    let mut f = String::new();
    match c {
        Caveat::RuntimeExcluded { runtime, reason } => {
            let _ = write!(f, "**{runtime}** left out of the whole run: {reason}");
        }
        Caveat::NotImplemented { runtime, workloads } => {
            let w: Vec<_> = workloads.iter().map(|w| w.name()).collect();
            let _ = write!(
                f,
                "**{runtime}** does not implement {} (its `list` says so)",
                w.join(", ")
            );
        }
        Caveat::Cell {
            label,
            workload,
            status,
            command,
        } => {
            let why = crate::format::StatusText(status);
            let _ = write!(f, "`{workload}` **{label}** {why}");
            if let Some(c) = command {
                let _ = write!(f, "; reproduce with `{c}`");
            }
        }
        Caveat::FailedRepeats {
            label,
            workload,
            failed,
            of,
            first,
        } => {
            let _ = write!(
                f,
                "`{workload}` **{label}**: {failed} of its {of} untimed repeats failed (the first: {first}); its figures \
                 rest on the pilot and the {} that did not",
                of - failed
            );
        }
        Caveat::Unreadable { file, why } => {
            let _ = write!(
                f,
                "`{file}` could not be read ({why}); the rest of the run is reported without it"
            );
        }
        Caveat::Noisy {
            label,
            workload,
            cv,
        } => {
            let _ = write!(
                f,
                "`{workload}` **{label}**: noisy, coefficient of variation {:.1}% (threshold {:.0}%); compare it with care",
                cv * 100.0,
                NOISY_CV * 100.0
            );
        }
    }
    f
}
