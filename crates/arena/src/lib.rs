//! `arena`, the driver binary of Concurrency Arena: discover -> verify -> plan -> hyperfine -> results -> report.
//! The run folder (`arena-store`), the analysis (`arena-analysis`) and the report (`arena-report`) are crates of their
//! own below this one; this crate holds the command line, discovery, planning, running, the machine probes and
//! hyperfine, and is the only one that uses procfs, cargo_metadata and indicatif.
//!
//! It finds the runtimes from the workspace itself (`cargo metadata` plus each package's
//! `[package.metadata.arena]`, then each binary's `list`), verifies every cell at `--size check` against the
//! reference checksum, runs each once at its timed size to keep its RunReport and choose its number of runs, times
//! the cells under hyperfine 1.15-1.20 in a shuffled order, and writes a self-describing results folder whose report
//! re-renders from the raw data alone. `compare` tests two runs against each other; `merge` sets runs from several
//! machines side by side; `serve` runs the delay server.
//!
//! What it is not: a timer or a statistics package. hyperfine times and summarizes; the driver adds only what
//! hyperfine lacks (verification, the kept RunReports, efficiency against the physical ideal, confidence intervals,
//! Welch's t-test between runs, verdicts). It never runs workload code itself.

pub mod cli;
pub mod discover;
pub mod hyperfine;
pub mod interpreters;
pub mod machine;
pub mod plan;
pub mod proc;
pub mod run;

// The later stages, each its own crate so that the compiler keeps the order (`tests/layering.rs`): the run folder,
// the analysis and the report. Re-exported under their stage names for the binary's modules and its tests.
pub use arena_analysis as analysis;
pub use arena_report as report;
pub use arena_store as store;
pub use arena_store::UsageError;

/// The exit code for an error chain: 2 when it is a [`UsageError`], 1 otherwise.
pub fn exit_code(e: &anyhow::Error) -> i32 {
    if e.downcast_ref::<UsageError>().is_some() {
        2
    } else {
        1
    }
}
