//! Caveats: the reasons a number is missing or should be read with care, as data. Like hyperfine's `Warnings`,
//! they are kept as an enum and rendered by the report (its "Failures and exclusions" section).

use workloads::Workload;

use arena_store::Status;

/// A caveat printed in the report: the reasons a number is missing or should be read with care.
#[derive(Debug, Clone, PartialEq)]
pub enum Caveat {
    /// The runtime was left out before any cell ran.
    RuntimeExcluded { runtime: String, reason: String },
    /// A workload the runtime does not list.
    NotImplemented {
        runtime: String,
        workloads: Vec<Workload>,
    },
    /// A cell that was not timed, with its status.
    Cell {
        label: String,
        workload: Workload,
        status: Status,
        command: Option<String>,
    },
    /// A cell some of whose untimed repeats failed: its figures rest on the runs that did not.
    FailedRepeats {
        label: String,
        workload: Workload,
        failed: usize,
        of: usize,
        first: arena_store::Fault,
    },
    /// A file of the run folder that could not be read: its cell is left out of the report, or has no timing.
    Unreadable { file: String, why: String },
    /// A timed cell whose spread is large.
    Noisy {
        label: String,
        workload: Workload,
        cv: f64,
    },
}
