//! The `--deadline-s` watchdog: when the deadline passes, it runs the registered clean-ups (kill worker processes,
//! remove temporary files) and exits the process with code 124, whatever the model's threads are doing.

use std::sync::Mutex;
use std::time::Duration;

type Cleanup = Box<dyn FnOnce() + Send>;

static CLEANUPS: Mutex<Vec<(u64, Option<Cleanup>)>> = Mutex::new(Vec::new());
static FIRED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether the deadline has fired: the watchdog is then cleaning up and will exit with 124.
pub fn fired() -> bool {
    FIRED.load(std::sync::atomic::Ordering::SeqCst)
}

/// Called on every other way out of a run (a report, a failure, a panic): once the deadline has fired, the run's end
/// belongs to the watchdog, so this parks the calling thread until the watchdog exits with 124. Why: the watchdog's
/// clean-ups remove the run's scratch files while the model's threads are still writing them, and a thread that then
/// failed on a missing file ended the run with exit 1 before the watchdog could say 124 (seen under load with
/// io-file at 100,000 tasks). A run that ends before the deadline fires is not delayed at all.
pub fn defer_to_deadline() {
    if fired() {
        loop {
            std::thread::park();
        }
    }
}
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
        FIRED.store(true, std::sync::atomic::Ordering::SeqCst);
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
