//! The messages between the parent and its worker processes. Both ends are the same binary, so the types always
//! match; ipc-channel serializes them with postcard.

use std::net::SocketAddr;
use std::path::PathBuf;

use ipc_channel::ipc::{IpcReceiver, IpcSender};
use serde::{Deserialize, Serialize};
use workloads::SyncMode;

/// The hidden first argument that turns the binary into a worker: `rt-procs __worker <index> <socket> <parent-pid>`.
pub const WORKER_ARG: &str = "__worker";

/// The hidden first argument of a `spawn` task process: `rt-procs __task <id> <release-fd> <report-fd> <parent-pid>`.
pub const TASK_ARG: &str = "__task";

/// The hidden first argument of the `ping-pong` ponger: `rt-procs __ponger <socket> <parent-pid>`.
pub const PONGER_ARG: &str = "__ponger";

/// Fault injection, for the tests only: `kill:<i>` (worker i sends itself SIGKILL on its first job; the ponger, i = 0,
/// on its first token), `no-connect:<i>` (worker i, task i or the ponger exits with status 3 before connecting or
/// parking), `stall:<i>` (worker i, task i or the ponger never connects or parks).
pub const FAULT_ENV: &str = "RT_PROCS_FAULT";

/// How long the parent waits for every worker to connect, in ms (default 10 s); for the tests.
pub const CONNECT_TIMEOUT_ENV: &str = "RT_PROCS_CONNECT_TIMEOUT_MS";

/// What a new worker sends the parent through the one-shot server: its job sender and its reply receiver. One pair
/// per worker, reused for every job: never a channel per task (each received channel costs a file descriptor).
pub type Hello = (IpcSender<Job>, IpcReceiver<Reply>);

/// What the ponger sends the parent through the one-shot server: the sender of the tokens it answers and the
/// receiver of its answers; one channel each way.
pub type PongHello = (IpcSender<u64>, IpcReceiver<u64>);

/// One task, with the arguments it needs (as `Pool.map` pickles each argument).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Task {
    /// Count the primes in `lo..hi`.
    Primes { lo: u64, hi: u64 },
    /// Sleep `delay_ms`; the value is `sleep_value(id)`.
    Sleep { id: u64, delay_ms: u64 },
    /// One blocking request to the delay server with the run's nonce; the value is the server's reply.
    Net { id: u64, nonce: u64, delay_ms: u64 },
    /// Write, read back and hash task `id`'s file; the value is the hash.
    File { id: u64, size_kib: u64 },
    /// `k` increments of the race counter: the shared one if set up (after all `racers` have arrived), else a
    /// local one whose final value is the task's value. `attempted` is the increments performed.
    Race { k: u64, sync: SyncMode, racers: u64 },
}

/// What every task of a run shares, sent once to each worker before its first job.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Setup {
    /// The delay server (io-net).
    pub addr: Option<SocketAddr>,
    /// The scratch directory (io-file).
    pub dir: Option<PathBuf>,
    /// The inherited memfd of the shared race counter (`--opt shared=true`, the default).
    pub shm_fd: Option<i32>,
}

/// Parent to worker.
#[derive(Debug, Serialize, Deserialize)]
pub enum Job {
    /// The run's shared arguments.
    Setup(Setup),
    /// A chunk of tasks, run one after another; answered with [`Reply::Done`] or [`Reply::Failed`].
    Run(Vec<Task>),
    /// Finish: answered with [`Reply::Bye`], then the worker exits 0.
    Stop,
}

/// The result of one task.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Done {
    /// The task's contribution to the checksum.
    pub value: u64,
    /// Its latency sample in ms (io-sleep: signed lateness; io-net: round trip), if it has one.
    pub latency_ms: Option<f64>,
    /// When its wait or round trip ended, on CLOCK_MONOTONIC in ns (`harness::latency::monotonic_ns`, the clock
    /// the parent's submission instant is read on), if it has a latency sample.
    pub end_ns: Option<u64>,
    /// race: the increments the racer performed, counted by itself and sent back (0 for the other tasks).
    pub attempted: u64,
}

/// The values of some results, summed (wrapping: io-net's replies are random 64-bit values).
pub fn sum(done: &[Done]) -> u64 {
    done.iter().fold(0u64, |acc, d| acc.wrapping_add(d.value))
}

/// The increments some race results performed, summed.
pub fn attempted(done: &[Done]) -> u64 {
    done.iter().map(|d| d.attempted).sum()
}

/// Worker to parent.
#[derive(Debug, Serialize, Deserialize)]
pub enum Reply {
    /// A chunk's results, and how long the worker spent running it (to separate IPC time).
    Done { results: Vec<Done>, busy_ns: u64 },
    /// A task failed; one line.
    Failed(String),
    /// The answer to [`Job::Stop`], with the worker's peak RSS.
    Bye { peak_rss_kib: u64 },
}
