//! The exit codes of the runtime contract.

/// The run finished and printed its report.
pub const OK: i32 = 0;
/// The workload failed; stderr holds a one-line reason.
pub const FAILED: i32 = 1;
/// Bad command line: unknown workload, variant or opt, bad value, missing `--addr`.
pub const USAGE: i32 = 2;
/// This runtime does not implement that workload.
pub const UNSUPPORTED: i32 = 3;
/// The `--deadline-s` watchdog fired.
pub const DEADLINE: i32 = 124;
