//! Who takes part in a run: a workspace runtime, a peer or a `--runtime-bin`, as `raw/runtimes.json` records it.
//! Finding them is the driver's job (`arena::discover`); this is only the record.

use harness::Info;
use serde::{Deserialize, Serialize};

/// One entrant of a run, a workspace runtime, a peer or a `--runtime-bin`: how to start it, and what it said about
/// itself. Serialized into `raw/runtimes.json`.
///
/// Whether it takes part is [`Entrant::standing`] (or [`Entrant::ready`], its `list` when it takes part): read
/// that rather than the two fields, which stay as they are for the JSON shape of every run folder written so far.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entrant {
    /// The name the runtime gives itself (`Info::runtime`), or the package name if it never answered.
    pub name: String,
    /// The workspace package, when it is one.
    pub package: Option<String>,
    /// Program and leading arguments; `list` or `run ...` is appended.
    pub command: Vec<String>,
    /// What `list` printed; `None` when excluded before it answered. Read it with [`Entrant::info`].
    pub info: Option<Info>,
    /// Why it takes no part in this run, if it does not. Read it with [`Entrant::standing`].
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

/// Whether an entrant takes part in a run: the one reading of [`Entrant::info`] and [`Entrant::excluded`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Standing<'a> {
    /// It answered `list` and takes part.
    Ready(&'a Info),
    /// It takes no part, for `reason`; `info` is its `list` when it answered one (a `list` that names no variant
    /// or no workload is an answer, and a reason to leave it out).
    Excluded {
        /// Why, in one line (`did not build: ...`, `peer not present: ...`).
        reason: &'a str,
        /// What `list` printed, if it answered.
        info: Option<&'a Info>,
    },
}

impl Entrant {
    /// The reason of an entrant recorded with neither a `list` nor a reason (no run folder holds one: discovery
    /// sets one or the other).
    pub const NO_LIST: &'static str = "no list output";

    /// Whether it takes part, and what it said about itself.
    pub fn standing(&self) -> Standing<'_> {
        match (&self.info, &self.excluded) {
            (Some(i), None) => Standing::Ready(i),
            (info, reason) => Standing::Excluded {
                reason: reason.as_deref().unwrap_or(Self::NO_LIST),
                info: info.as_ref(),
            },
        }
    }

    /// Its `list`, when it takes part.
    pub fn ready(&self) -> Option<&Info> {
        match self.standing() {
            Standing::Ready(i) => Some(i),
            Standing::Excluded { .. } => None,
        }
    }

    /// Its `list`, whether or not it takes part; `None` when it never answered.
    pub fn info(&self) -> Option<&Info> {
        self.info.as_ref()
    }

    /// Why it takes no part; `None` when it does.
    pub fn excluded(&self) -> Option<&str> {
        match self.standing() {
            Standing::Ready(_) => None,
            Standing::Excluded { reason, .. } => Some(reason),
        }
    }

    /// Whether it takes part.
    pub fn usable(&self) -> bool {
        self.ready().is_some()
    }

    /// Whether it is a peer left out because its interpreter is absent or too old (no version was found): the
    /// machine lacks it, which is not a fault of the workspace.
    pub fn absent_peer(&self) -> bool {
        self.peer.as_ref().is_some_and(|p| p.version.is_none())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use harness::Model;

    fn entrant(info: Option<Info>, excluded: Option<&str>) -> Entrant {
        Entrant {
            name: "rt-x".into(),
            package: None,
            command: vec!["rt-x".into()],
            info,
            excluded: excluded.map(String::from),
            peer: None,
        }
    }

    /// The standing is read from the two fields `raw/runtimes.json` has always had, and writing it back keeps them.
    #[test]
    fn the_standing_reads_the_recorded_fields() {
        let info = Info::new("rt-x", "X", Model::Threads).variant("pool", "a pool");
        let ready = entrant(Some(info.clone()), None);
        assert_eq!(ready.standing(), Standing::Ready(&info));
        assert_eq!((ready.ready(), ready.excluded()), (Some(&info), None));

        let empty = entrant(Some(info.clone()), Some("its `list` names no variant"));
        assert_eq!(
            empty.standing(),
            Standing::Excluded {
                reason: "its `list` names no variant",
                info: Some(&info)
            }
        );
        assert_eq!(empty.ready(), None);
        assert_eq!(empty.info(), Some(&info));

        let silent = entrant(None, None);
        assert_eq!(silent.excluded(), Some(Entrant::NO_LIST));
        assert!(!silent.usable());

        for e in [ready, empty, silent] {
            let json = serde_json::to_value(&e).unwrap();
            assert!(json.get("info").is_some() && json.get("excluded").is_some());
            let back: Entrant = serde_json::from_value(json).unwrap();
            assert_eq!(back.standing(), e.standing());
        }
    }
}
