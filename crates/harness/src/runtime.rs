//! The trait a runtime implements, and what it is given and gives back.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use workloads::{Params, Size, SyncMode, Workload};

use crate::latency::LatencyRecorder;
use crate::report::Info;

/// A concurrency model: a description, and a way to run one workload.
pub trait Runtime {
    /// What `list` prints. Called once per process.
    fn info(&self) -> Info;

    /// Runs `ctx.workload` in variant `ctx.variant`, from setting up the model (runtime, pool, processes) to shutting
    /// it down: the harness times exactly this call as `elapsed_ms`. Only workloads listed in [`Info::workloads`]
    /// reach it, with a listed variant and checked opts.
    fn run(&self, ctx: &RunCtx) -> Result<Outcome, RunError>;
}

/// Everything a run is given, every default filled in.
#[derive(Debug, Clone)]
pub struct RunCtx {
    /// The workload.
    pub workload: Workload,
    /// The variant (a listed name).
    pub variant: String,
    /// The parameter set the numbers came from.
    pub size: Size,
    /// The numbers (`--tasks`, `--workers`, ...), after `--size` and explicit flags; for io-net, `params.nonce` is
    /// the run's random nonce, which every request carries.
    pub params: Params,
    /// The delay server (io-net only; always set for io-net).
    pub addr: Option<SocketAddr>,
    /// The `--deadline-s` limit.
    pub deadline: Duration,
    /// Every opt the runtime lists, with its value (given or default).
    pub opts: BTreeMap<String, String>,
}

impl RunCtx {
    /// The value of a listed opt.
    pub fn opt(&self, key: &str) -> &str {
        self.opts
            .get(key)
            .map(String::as_str)
            .unwrap_or_else(|| panic!("opt '{key}' is not listed by this runtime"))
    }

    /// A listed `true`/`false` opt.
    pub fn opt_bool(&self, key: &str) -> bool {
        self.opt(key) == "true"
    }

    /// A listed whole-number opt.
    pub fn opt_u64(&self, key: &str) -> u64 {
        self.opt(key)
            .parse()
            .unwrap_or_else(|_| panic!("opt '{key}' is not a checked number"))
    }

    /// The `race` synchronization (`--opt sync=`).
    pub fn sync(&self) -> SyncMode {
        self.opt(crate::opts::SYNC).parse().unwrap_or_default()
    }

    /// The delay as a [`Duration`].
    pub fn delay(&self) -> Duration {
        Duration::from_millis(self.params.delay_ms)
    }

    /// The io-net server address; an error (not a panic) if missing.
    pub fn server(&self) -> Result<SocketAddr, RunError> {
        self.addr.ok_or_else(|| {
            RunError::Usage("io-net needs --addr HOST:PORT of a delay server".into())
        })
    }
}

/// What a run gives back; the harness adds the timing, probes and `lost_updates`.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// The workload's checksum (`race`: the counter's final value).
    pub checksum: u64,
    /// `race` only: the increments the racers performed, the sum of the counts [`workloads::race::race_worker`] and
    /// its kin return. The harness reports `lost_updates = attempted - checksum`.
    pub attempted: Option<u64>,
    /// Latency samples in ms, for io-sleep, io-net and mixed (io-sleep and mixed: signed lateness).
    pub latency: Option<Vec<f64>>,
    /// Sojourn samples in ms (see [`crate::latency::sojourn_ms`]), for io-sleep, io-net and the mixed ticker.
    pub sojourn: Option<Vec<f64>>,
    /// Runtime-specific figures.
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Outcome {
    /// An outcome with this checksum.
    pub fn new(checksum: u64) -> Outcome {
        Outcome {
            checksum,
            ..Outcome::default()
        }
    }

    /// Sets the increments the `race` racers performed (the sum of their counts).
    pub fn attempted(mut self, n: u64) -> Outcome {
        self.attempted = Some(n);
        self
    }

    /// Adds latency samples.
    pub fn latency(mut self, rec: LatencyRecorder) -> Outcome {
        self.latency = Some(rec.into_samples());
        self
    }

    /// Adds sojourn samples in ms.
    pub fn sojourn(mut self, samples_ms: Vec<f64>) -> Outcome {
        self.sojourn = Some(samples_ms);
        self
    }

    /// Adds a runtime-specific figure.
    pub fn extra(mut self, key: &str, value: impl Into<serde_json::Value>) -> Outcome {
        self.extra.insert(key.into(), value.into());
        self
    }
}

/// Why a run did not produce an outcome.
#[derive(Debug)]
pub enum RunError {
    /// Exit 1: the workload failed (`could not spawn thread 9731 of 10000: ...`). One line.
    Failed(String),
    /// Exit 2: bad input the harness could not catch earlier. Say how to fix it.
    Usage(String),
    /// Exit 3: this runtime does not implement the workload (or this variant of it).
    Unsupported(String),
}

impl RunError {
    /// A failure from any error, with context: `RunError::failed("could not connect", e)`.
    pub fn failed(what: impl std::fmt::Display, err: impl std::fmt::Display) -> RunError {
        RunError::Failed(format!("{what}: {err}"))
    }
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::Failed(m) | RunError::Usage(m) | RunError::Unsupported(m) => f.write_str(m),
        }
    }
}

impl From<std::io::Error> for RunError {
    fn from(e: std::io::Error) -> Self {
        RunError::Failed(e.to_string())
    }
}

/// The error for a workload a runtime lists for none of its variants: `resolve` refuses it with exit 3 before
/// `run` is called, so a runtime's dispatch can answer the floor workloads with this until it implements them.
pub fn not_implemented(ctx: &RunCtx) -> RunError {
    RunError::Unsupported(format!(
        "variant {} does not implement {}",
        ctx.variant, ctx.workload
    ))
}
