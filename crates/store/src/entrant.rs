//! Who takes part in a run: a workspace runtime, a peer or a `--runtime-bin`, as `raw/runtimes.json` records it.
//! Finding them is the driver's job (`arena::discover`); this is only the record.

use harness::Info;
use serde::{Deserialize, Serialize};

/// One entrant of a run, a workspace runtime, a peer or a `--runtime-bin`: how to start it, and what it said about
/// itself. Serialized into `raw/runtimes.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entrant {
    /// The name the runtime gives itself (`Info::runtime`), or the package name if it never answered.
    pub name: String,
    /// The workspace package, when it is one.
    pub package: Option<String>,
    /// Program and leading arguments; `list` or `run ...` is appended.
    pub command: Vec<String>,
    /// What `list` printed; `None` when excluded before it answered.
    pub info: Option<Info>,
    /// Why it takes no part in this run, if it does not.
    pub excluded: Option<String>,
    /// Set for a peer from `peers/peers.toml` (absent from run folders written before peers joined).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer: Option<PeerMeta>,
}

/// What the driver knows of a peer beyond its `list`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeerMeta {
    /// The interpreter, e.g. `python3`.
    pub interpreter: String,
    /// Its version; `None` when the interpreter is absent or too old (see [`Entrant::absent_peer`]).
    pub version: Option<String>,
    /// The preset CPU work is divided by this in the peer (see docs/peers.md).
    pub work_scale: u64,
    /// The preset race increments are divided by this.
    pub race_scale: u64,
}

impl Entrant {
    /// Whether it takes part.
    pub fn usable(&self) -> bool {
        self.excluded.is_none() && self.info.is_some()
    }

    /// Whether it is a peer left out because its interpreter is absent or too old (no version was found): the
    /// machine lacks it, which is not a fault of the workspace.
    pub fn absent_peer(&self) -> bool {
        self.peer.as_ref().is_some_and(|p| p.version.is_none())
    }
}
