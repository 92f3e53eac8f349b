//! The fresh temporary directory of an `io-file` run, removed when dropped and also when the run ends early
//! (deadline, failure, panic).

use std::path::Path;

use crate::watchdog::{CleanupGuard, on_early_exit};

/// A fresh directory under the system temp dir; removed on drop and on early exit.
#[derive(Debug)]
pub struct ScratchDir {
    dir: Option<tempfile::TempDir>,
    _guard: CleanupGuard,
}

impl ScratchDir {
    /// Creates the directory, named after the runtime.
    pub fn new(runtime: &str) -> std::io::Result<ScratchDir> {
        let dir = tempfile::Builder::new()
            .prefix(&format!("arena-{runtime}-"))
            .tempdir()?;
        let path = dir.path().to_path_buf();
        let guard = on_early_exit(move || remove(&path));
        Ok(ScratchDir {
            dir: Some(dir),
            _guard: guard,
        })
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        self.dir
            .as_ref()
            .map(|d| d.path())
            .expect("scratch dir present until drop")
    }
}

/// Removes `dir` and everything in it. Why several tries: on an early exit (deadline, panic) the model's tasks may
/// still be writing, and a file created after `remove_dir_all` listed the directory makes its last `rmdir` fail.
fn remove(dir: &Path) {
    for _ in 0..8 {
        match std::fs::remove_dir_all(dir) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                std::thread::sleep(std::time::Duration::from_millis(1))
            }
            _ => return,
        }
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        if let Some(d) = self.dir.take() {
            remove(&d.keep());
        }
    }
}
