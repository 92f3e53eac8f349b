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

// The casting helpers: each names one kind of variant by its declared facts. The roles below and every verdict
// pick their cells through these, so a kind is defined once.

/// OS threads of one process that run tasks at once (a pool or a thread per task): not a loop, processes or one
/// task after another.
pub fn os_threads(f: &Facts) -> bool {
    !f.processes && !f.event_loop && !f.sequential
}

/// A thread pool: W OS threads of one process, not an event loop.
pub fn thread_pool(f: &Facts) -> bool {
    os_threads(f) && f.threads == Threads::Workers
}

/// A pool of `--workers`, threads or processes: W tasks in flight at once.
pub fn pool(f: &Facts) -> bool {
    f.threads == Threads::Workers && !f.event_loop && !f.sequential
}

/// A process pool of `--workers`.
pub fn process_pool(f: &Facts) -> bool {
    pool(f) && f.processes
}

/// Every task on one event loop on one thread: tokio's current-thread runtime and smol's single executor alike,
/// whatever helper threads the runtime keeps (async-io's reactor thread does not run tasks).
pub fn one_loop(f: &Facts) -> bool {
    f.event_loop && f.threads == Threads::One
}

/// Runs under an interpreter lock, emulated or CPython's.
pub fn gil(f: &Facts) -> bool {
    f.holds_gil
}

/// OS threads under an interpreter lock: what "threads under a GIL" means (CPython's threading, rt-gil's GIL
/// variants), not an asyncio loop that also holds one.
pub fn gil_threads(f: &Facts) -> bool {
    f.holds_gil && os_threads(f)
}

/// OS threads with no interpreter lock, more than one: what a free-threaded interpreter runs (rt-gil's
/// free-threaded variant, a free-threaded CPython's threading).
pub fn free_threads(f: &Facts) -> bool {
    !f.holds_gil && os_threads(f) && f.threads != Threads::One
}

/// Whether `f` is known and `kind` holds of it: a variant that declares no facts takes no part.
pub fn is(f: Option<Facts>, kind: impl Fn(&Facts) -> bool) -> bool {
    f.is_some_and(|f| kind(&f))
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
        first(&|f, peer, model| !peer && model == Model::Emulated && gil(f) && thread_pool(f));
    let no_gil = emulated_gil.as_ref().and_then(|e| {
        all.iter()
            .find(|(p, f, ..)| p.runtime == e.runtime && !gil(f) && thread_pool(f))
            .map(|(p, ..)| p.clone())
    });
    // The workspace's loops first (the first is the base of the ratios), then the peers'.
    let loops: Vec<Player> = all
        .iter()
        .filter(|(_, f, peer, _)| !peer && one_loop(f))
        .chain(all.iter().filter(|(_, f, peer, _)| *peer && one_loop(f)))
        .map(|(p, ..)| p.clone())
        .collect();
    Roles {
        emulated_gil,
        no_gil,
        peer_gil: first(&|f, peer, _| peer && gil(f) && thread_pool(f)),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The kinds by facts alone: rt-gil's three variants, a sequential baseline, a loop and a process pool.
    #[test]
    fn kinds_by_facts() {
        let gil_pool = Facts::threads(Threads::Workers).with_gil();
        let gil_per_task = Facts::threads(Threads::PerTask).with_gil();
        let free = Facts::threads(Threads::Workers);
        let seq = Facts::sequential();
        let lp = Facts::event_loop(Threads::One);
        let procs = Facts::processes(Threads::Workers, false);
        // The free-threaded cell is the one without the lock, whatever it is called.
        assert!(free_threads(&free));
        for f in [gil_pool, gil_per_task, seq, lp, procs] {
            assert!(!free_threads(&f), "{f:?}");
        }
        assert!(thread_pool(&gil_pool) && thread_pool(&free) && !thread_pool(&gil_per_task));
        assert!(pool(&procs) && process_pool(&procs) && !process_pool(&free));
        assert!(one_loop(&lp) && !one_loop(&seq) && !os_threads(&seq));
        assert!(is(Some(gil_pool), gil) && !is(None, gil));
    }
}
