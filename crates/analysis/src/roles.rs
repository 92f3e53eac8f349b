//! Roles: which runtime and variant play each part of a comparison, chosen by the [`Facts`] the variants declare
//! and never by their names. A runtime added tomorrow that declares the same facts takes the same part.

use harness::{Facts, Model, Threads};

use arena_store::Entrant;

/// A runtime and one of its variants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Player {
    /// The runtime's name.
    pub runtime: String,
    /// The variant.
    pub variant: String,
}

impl Player {
    /// Whether a cell of `runtime/variant` is this player's.
    pub fn is(&self, runtime: &str, variant: &str) -> bool {
        self.runtime == runtime && self.variant == variant
    }
}

/// Every part the calibration casts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Roles {
    /// A workspace runtime's thread pool under an emulated interpreter lock.
    pub emulated_gil: Option<Player>,
    /// The same runtime's thread pool without the lock: the emulation's own control.
    pub no_gil: Option<Player>,
    /// A peer's thread pool under its interpreter's lock (CPython threading).
    pub peer_gil: Option<Player>,
    /// A peer's process pool (multiprocessing).
    pub peer_processes: Option<Player>,
    /// A workspace process pool.
    pub processes: Option<Player>,
    /// One-thread event loops: the workspace's, in the run's order, then the peers'.
    pub loops: Vec<Player>,
}

/// Every usable variant of the run with its facts and whether its runtime is a peer, in the run's order.
fn players(runtimes: &[Entrant]) -> impl Iterator<Item = (Player, Facts, bool, Model)> + '_ {
    runtimes
        .iter()
        .filter_map(|r| Some((r, r.ready()?)))
        .flat_map(|(r, info)| {
            info.variants.iter().filter_map(move |v| {
                Some((
                    Player {
                        runtime: r.name.clone(),
                        variant: v.name.clone(),
                    },
                    v.facts?,
                    r.peer.is_some(),
                    info.model,
                ))
            })
        })
}

/// A thread pool: W OS threads of one process, not an event loop.
fn thread_pool(f: &Facts) -> bool {
    f.threads == Threads::Workers && !f.processes && !f.event_loop && !f.sequential
}

/// Casts the parts from the run's runtimes.
pub fn roles(runtimes: &[Entrant]) -> Roles {
    let all: Vec<_> = players(runtimes).collect();
    let first = |pick: &dyn Fn(&Facts, bool, Model) -> bool| {
        all.iter()
            .find(|(_, f, peer, model)| pick(f, *peer, *model))
            .map(|(p, ..)| p.clone())
    };
    // The emulation is the workspace's model of an interpreter (Model::Emulated) with a lock.
    let emulated_gil =
        first(&|f, peer, model| !peer && model == Model::Emulated && f.holds_gil && thread_pool(f));
    let no_gil = emulated_gil.as_ref().and_then(|e| {
        all.iter()
            .find(|(p, f, ..)| p.runtime == e.runtime && !f.holds_gil && thread_pool(f))
            .map(|(p, ..)| p.clone())
    });
    // The workspace's loops first (the first is the base of the ratios), then the peers'.
    let one_loop = |f: &Facts| f.event_loop && f.threads == Threads::One;
    let loops: Vec<Player> = all
        .iter()
        .filter(|(_, f, peer, _)| !peer && one_loop(f))
        .chain(all.iter().filter(|(_, f, peer, _)| *peer && one_loop(f)))
        .map(|(p, ..)| p.clone())
        .collect();
    Roles {
        emulated_gil,
        no_gil,
        peer_gil: first(&|f, peer, _| peer && f.holds_gil && thread_pool(f)),
        peer_processes: first(&|f, peer, _| peer && f.processes && f.threads == Threads::Workers),
        processes: first(&|f, peer, _| !peer && f.processes && f.threads == Threads::Workers),
        loops,
    }
}

/// The sequential variant of a runtime (its baseline in speedups), if it has one.
pub fn sequential_variant(runtimes: &[Entrant], runtime: &str) -> Option<String> {
    players(runtimes)
        .find(|(p, f, ..)| p.runtime == runtime && f.sequential)
        .map(|(p, ..)| p.variant)
}
