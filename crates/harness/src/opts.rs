//! The `--opt KEY=VALUE` keys that cross a crate or process boundary, in one place.
//!
//! A runtime declares its opts in [`crate::Info`] (`list`) and reads them from [`crate::RunCtx`]; the driver plans
//! cells with them and selects report cells by them. Both sides name a key through these constants, so a key
//! cannot drift between the two. The values (`true`, `call`, ...) and the `extra` figures a run reports are not
//! keys and are not listed here.

/// race: how the increment is synchronized (`none`, `lock` or `atomic`); added by the harness to every runtime.
pub const SYNC: &str = "sync";

/// cpu-balanced, cpu-skewed, mixed (async runtimes): run each CPU task on the blocking pool instead of inline.
pub const OFFLOAD: &str = "offload";

/// race (async runtimes): put a yield point (the runtime's `yield_now`) between the load and the store.
pub const YIELD: &str = "yield";

/// race with `yield=true` (async runtimes): the yield point is in every N-th increment.
pub const YIELD_EVERY: &str = "yield_every";

/// rt-gil: the emulated GIL's switch interval in µs, as Python's `sys.setswitchinterval`.
pub const SWITCH_INTERVAL_US: &str = "switch-interval-us";

/// rt-gil: kernel loop iterations between GIL check points.
pub const CHECK_EVERY: &str = "check-every";

/// rt-gil race: the read-modify-write, `plain` (`counter += 1`) or `call` (`counter += f()`, a check point inside).
pub const RMW: &str = "rmw";

/// rt-procs: tasks per message to a worker process, as `Pool.map`'s chunksize (0 = its default).
pub const CHUNKSIZE: &str = "chunksize";

/// rt-procs race: the counter lives in shared memory mapped by every worker process.
pub const SHARED: &str = "shared";
