//! The nine workloads of Concurrency Arena (seven under load, two of the floor): what every runtime runs, and how to
//! check that it ran it.
//!
//! This crate holds the *work*, never the *scheduling*: pure, deterministic kernels (prime counting by trial
//! division, file contents and their hash, the racy read-modify-write), the named parameter sets (`--size`), and a
//! reference checksum for any parameters, computed by a different algorithm than the one a runtime runs (a sieve
//! for the prime counts, arithmetic for io-sleep's count of waits, the replies io-net's server must have sent for
//! the run's nonce). Runtimes decide only how the tasks are scheduled.
//!
//! It depends on no runtime. The only I/O it does is in [`blocking`]: the blocking forms of the I/O tasks, shared by
//! the models whose tasks block (async runtimes write the same steps with their own primitives).
//!
//! Kernels take a [`Checkpoint`]: a hook called every so many loop iterations. For every runtime but the GIL
//! emulation it is `()`, which does nothing and is inlined away; the GIL emulation uses it where CPython's eval loop
//! would check for a drop request (loop back-edges).

pub mod blocking;
pub mod file;
pub mod net;
pub mod primes;
pub mod race;
pub mod spec;

pub use primes::{count_primes, sieve_count};
pub use race::{RaceCounter, SyncMode};
pub use spec::{Params, Size, Workload};

/// A hook a kernel calls at its check points (loop back-edges). `()` is the no-op hook.
pub trait Checkpoint {
    /// Called at a check point.
    fn check(&mut self);
}

impl Checkpoint for () {
    #[inline(always)]
    fn check(&mut self) {}
}

impl<F: FnMut()> Checkpoint for F {
    #[inline(always)]
    fn check(&mut self) {
        self()
    }
}
