//! The runtime contract of Concurrency Arena, shared by every runtime binary and by the driver.
//!
//! A runtime crate implements [`Runtime`] (what it is, and how it runs one workload) and calls [`main`]; the harness
//! does everything else the same way for every model, so that no model measures itself differently:
//!
//! - the command line (`list`, `run <WORKLOAD> [flags]`) and its validation, with exit code 2 and a one-line hint
//!   for bad input ([`cli`]);
//! - the parameter sets (`--size`), defaults and `--opt KEY=VALUE` checking, with the keys in one place ([`opts`]);
//! - the clock: `elapsed_ms` spans exactly the call to [`Runtime::run`], which sets up and shuts down the model;
//! - refusing, before anything is allocated, a run that cannot fit the machine ([`limits`]);
//! - the deadline watchdog (exit 124), the peak-RSS and thread-count probes ([`probe`]), latency percentiles
//!   ([`latency`]);
//! - the one JSON object on stdout ([`RunReport`]), and the exit codes ([`exit`]);
//! - the one reader of that output, [`contract::read`], which judges a run for the driver and the conformance suite
//!   alike.
//!
//! The driver deserializes the same types, so the wire format cannot drift. With the `testing` feature,
//! [`testing::assert_conforms`] is the conformance suite every runtime's `tests/contract.rs` calls.
//!
//! What this crate is not: a scheduler. It never runs workload tasks itself.

pub mod cli;
pub mod contract;
pub mod exit;
pub mod floor;
pub mod jobs;
pub mod latency;
pub mod limits;
pub mod opts;
pub mod probe;
pub mod report;
pub mod runtime;
pub mod scratch;
pub mod tasks;
pub mod versions;
pub mod watchdog;

#[cfg(feature = "testing")]
pub mod testing;

pub use cli::main;
pub use latency::{Latency, LatencyRecorder};
pub use report::{Facts, Info, Model, OptSpec, RunReport, Threads, Variant};
pub use runtime::{Outcome, RunCtx, RunError, Runtime, not_implemented};
pub use scratch::ScratchDir;
pub use workloads::{Params, Size, Workload};

/// The crate versions a runtime links, read from the workspace's `Cargo.lock` at compile time:
/// `harness::locked_versions!("tokio", "async-executor")`.
#[macro_export]
macro_rules! locked_versions {
    ($($name:expr),* $(,)?) => {
        $crate::versions::from_lock(
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.lock")),
            &[$($name),*],
        )
    };
}
