//! The merged report of `arena merge RUN...`: [`load`] reads the run folders, `arena_analysis::merge::Merged` lines
//! them up, and [`write`] renders `report.md` ([`markdown`], [`figures`]) and its charts ([`charts`]).

pub mod charts;
mod figures;
pub mod markdown;

use std::path::{Path, PathBuf};

use anyhow::Context;
use arena_analysis::merge::{MergeError, Merged};
use arena_store::RunDir;

/// Opens and loads every run folder, then merges them. Too few runs, a folder that is not a run and two runs of one
/// machine are [`arena_store::UsageError`]s (exit 2).
pub fn load(paths: &[PathBuf]) -> anyhow::Result<Merged> {
    if paths.len() < 2 {
        return Err(arena_store::UsageError(MergeError::TooFew(paths.len()).to_string()).into());
    }
    let dirs = paths
        .iter()
        .map(|p| RunDir::open(p))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut runs = Vec::new();
    for d in &dirs {
        runs.push((d.name(), d.load()?));
    }
    Merged::new(runs).map_err(|e| arena_store::UsageError(e.to_string()).into())
}

/// The default output folder: `<root>/results/merged-<YYYY-MM-DD>-<HHMM>` (UTC), with `-2`, `-3`... if taken. It
/// has no `raw/run.json`, so the results index and `arena report` never take it for a run.
pub fn default_out(workspace_root: &Path) -> PathBuf {
    let (date, hm) = arena_store::machine::utc_now_parts();
    let base = workspace_root
        .join("results")
        .join(format!("merged-{date}-{hm}"));
    let mut path = base.clone();
    let mut n = 2;
    while path.exists() {
        path = PathBuf::from(format!("{}-{n}", base.display()));
        n += 1;
    }
    path
}

/// Writes `report.md` and `charts/*.svg` of a merge into `out`; returns the path of `report.md`.
pub fn write(m: &Merged, out: &Path) -> anyhow::Result<PathBuf> {
    let charts_dir = out.join("charts");
    std::fs::create_dir_all(&charts_dir)
        .with_context(|| format!("could not create {}", charts_dir.display()))?;
    let drawn = charts::write_all(m, &charts_dir)?;
    let report = out.join("report.md");
    std::fs::write(&report, markdown::markdown(m, &drawn))
        .with_context(|| format!("could not write {}", report.display()))?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_folder_is_dated_and_never_reused() {
        let tmp = tempfile::tempdir().unwrap();
        let first = default_out(tmp.path());
        let name = first.file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with("merged-20"), "{name}");
        assert_eq!(first.parent().unwrap(), tmp.path().join("results"));
        std::fs::create_dir_all(&first).unwrap();
        let second = default_out(tmp.path());
        // Unless the minute turned in between, the second is the first with `-2`.
        let second_name = second.file_name().unwrap().to_string_lossy().into_owned();
        assert!(second != first, "{second_name}");
    }
}
