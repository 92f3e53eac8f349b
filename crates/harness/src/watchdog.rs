//! The `--deadline-s` watchdog: when the deadline passes, it runs the registered clean-ups (kill worker processes,
//! remove temporary files) and exits the process with code 124, whatever the model's threads are doing.

use std::sync::Mutex;
use std::time::Duration;

type Cleanup = Box<dyn FnOnce() + Send>;

static CLEANUPS: Mutex<Vec<(u64, Option<Cleanup>)>> = Mutex::new(Vec::new());
static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// A registered clean-up; dropping the guard unregisters it (without running it).
#[derive(Debug)]
pub struct CleanupGuard(u64);

impl Drop for CleanupGuard {
    fn drop(&mut self) {
        let mut list = CLEANUPS.lock().unwrap_or_else(|e| e.into_inner());
        list.retain(|(id, _)| *id != self.0);
    }
}

/// Registers `f` to run if the process exits early (the deadline fired, or the run failed). Keep the guard for as
/// long as the resource exists.
pub fn on_early_exit(f: impl FnOnce() + Send + 'static) -> CleanupGuard {
    let id = NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    CLEANUPS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push((id, Some(Box::new(f))));
    CleanupGuard(id)
}

/// Runs every registered clean-up once.
pub fn run_cleanups() {
    let fs: Vec<Cleanup> = {
        let mut list = CLEANUPS.lock().unwrap_or_else(|e| e.into_inner());
        list.iter_mut().filter_map(|(_, f)| f.take()).collect()
    };
    for f in fs {
        f();
    }
}

/// Starts the watchdog thread for `deadline`.
pub(crate) fn start(runtime: String, deadline: Duration) {
    let spawned = std::thread::Builder::new().name("arena-watchdog".into()).spawn(move || {
        std::thread::sleep(deadline);
        eprintln!(
            "{runtime}: deadline of {} s exceeded; stopped (raise --deadline-s or run a smaller --size)",
            deadline.as_secs_f64()
        );
        run_cleanups();
        std::process::exit(crate::exit::DEADLINE);
    });
    if spawned.is_ok() {
        crate::probe::add_own_threads(1);
    }
}
