//! The executor of a run: a `LocalExecutor` on the main thread (`single`) or an `Executor` on W threads (`multi`).

use std::future::Future;

use harness::RunError;
use smol::{Executor, LocalExecutor, Task};

pub const MULTI: &str = "multi";
pub const SINGLE: &str = "single";

/// One run's executor. Both kinds borrow from the run (lifetime `'a`), so tasks may borrow the run's context.
pub enum Exec<'a> {
    Single(LocalExecutor<'a>),
    Multi(Executor<'a>),
}

impl<'a> Exec<'a> {
    pub fn new(variant: &str) -> Exec<'a> {
        if variant == SINGLE {
            Exec::Single(LocalExecutor::new())
        } else {
            Exec::Multi(Executor::new())
        }
    }

    /// The OS threads that run tasks.
    pub fn threads(&self, workers: usize) -> usize {
        match self {
            Exec::Single(_) => 1,
            Exec::Multi(_) => workers,
        }
    }

    /// Spawns a task. (The `Send` bound is what `multi` needs; `single` accepts it too.)
    pub fn spawn<T: Send + 'a>(&self, f: impl Future<Output = T> + Send + 'a) -> Task<T> {
        match self {
            Exec::Single(ex) => ex.spawn(f),
            Exec::Multi(ex) => ex.spawn(f),
        }
    }

    /// Runs `main` to completion. `multi` runs the executor on the calling thread and `workers - 1` more threads,
    /// which stop when `main` is done; the threads are scoped, so none outlives the run.
    pub fn block_on<T>(
        &self,
        workers: usize,
        main: impl Future<Output = T>,
    ) -> Result<T, RunError> {
        let ex = match self {
            Exec::Single(ex) => return Ok(smol::block_on(ex.run(main))),
            Exec::Multi(ex) => ex,
        };
        let (stop, stopped) = smol::channel::bounded::<()>(1);
        std::thread::scope(|s| {
            for i in 1..workers {
                let stopped = stopped.clone();
                std::thread::Builder::new()
                    .name(format!("smol-{i}"))
                    .spawn_scoped(s, move || smol::block_on(ex.run(stopped.recv())))
                    .map_err(|e| {
                        RunError::failed(format!("could not start executor thread {i}"), e)
                    })?;
            }
            harness::probe::sample_threads();
            let out = smol::block_on(ex.run(main));
            drop(stop); // every `stopped.recv()` returns, so the helper threads leave `run` and the scope joins them
            Ok(out)
        })
    }
}
