//! `results/README.md`: the index of every run folder under a results root, rewritten by every run.

use std::path::Path;

use anyhow::Context;

use super::RunMeta;

/// Rewrites `<root>/README.md`: every run folder under `root`, newest first.
pub fn write_index(root: &Path) -> anyhow::Result<()> {
    let mut runs: Vec<(String, RunMeta)> = Vec::new();
    for e in std::fs::read_dir(root)?.flatten() {
        let p = e.path();
        if let Ok(m) = super::read_meta(&p.join("raw").join("run.json")) {
            runs.push((e.file_name().to_string_lossy().into_owned(), m));
        }
    }
    runs.sort_by(|a, b| b.1.started_utc.cmp(&a.1.started_utc).then(b.0.cmp(&a.0)));
    let mut s = String::from(
        "# Results\n\nEach folder is one `arena bench` run: `report.md` (start there), `README.md` (the exact command, \
         tool versions and machine), `charts/` and `raw/` (hyperfine's JSON and every RunReport; `arena report DIR` \
         re-renders the report from it). How to read a report: [docs/report.md](../docs/report.md).\n\n\
         Newest first. This index is rewritten by every run.\n\n\
         | run | profile | started (UTC) | host | cells timed | status |\n|---|---|---|---|---|---|\n",
    );
    for (name, m) in &runs {
        let dir = root.join(name);
        let n_timed = std::fs::read_dir(dir.join("raw").join("hyperfine")).map_or(0, |d| d.count());
        let status = if m.interrupted {
            "interrupted"
        } else if m.finished_utc.is_some() {
            "complete"
        } else {
            "incomplete"
        };
        s.push_str(&format!(
            "| [{name}]({name}/report.md) | {} | {} | {} | {n_timed} | {status} |\n",
            m.profile.name, m.started_utc, m.machine.host
        ));
    }
    std::fs::write(root.join("README.md"), s)
        .with_context(|| format!("could not write {}/README.md", root.display()))
}
