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
        let guard = on_early_exit(move || {
            let _ = std::fs::remove_dir_all(&path);
        });
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

impl Drop for ScratchDir {
    fn drop(&mut self) {
        if let Some(d) = self.dir.take() {
            let _ = d.close();
        }
    }
}
