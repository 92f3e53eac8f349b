//! The run folder's `README.md`: the exact command, the machine, the tools and crate versions, every runtime.

use std::fmt::Write as _;

use super::sections::method::machine_table;
use arena_analysis::Analysis;

/// The run folder's `README.md`: what ran, with what, where.
pub fn readme(m: &Analysis) -> String {
    let meta = &m.run.meta;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# {}\n\nAn `arena bench` run. Start with [report.md](report.md); `raw/` holds hyperfine's JSON (`raw/hyperfine/`), every kept RunReport (`raw/reports/`) and each cell's record (`raw/cells/`). From the repository root, `just report results/{}` (or `cargo arena report results/{}`) re-renders the report and charts from `raw/` alone.\n",
        m.name, m.name, m.name
    );
    let _ = writeln!(
        s,
        "## Command\n\n```sh\n{}\n```\n\nProfile `{}`, shuffle seed `{}`, started {}, finished {}.\n",
        meta.command,
        meta.profile.name,
        meta.seed,
        meta.started_utc,
        meta.finished_utc.as_deref().unwrap_or(if meta.interrupted {
            "never (interrupted)"
        } else {
            "never (stopped)"
        })
    );
    let _ = writeln!(s, "## Machine\n\n{}", machine_table(m));
    let _ = writeln!(
        s,
        "## Tools\n\n```text\n$ rustc -vV\n{}\n$ hyperfine --version\n{}\n```\n",
        meta.rustc, meta.hyperfine
    );
    s.push_str("## Crate versions (from Cargo.lock)\n\n| crate | version |\n|---|---|\n");
    for (k, v) in &meta.crate_versions {
        let _ = writeln!(s, "| {k} | {v} |");
    }
    s.push_str("\n## Runtimes\n\n| runtime | display | model | variants | command | status |\n|---|---|---|---|---|---|\n");
    for r in &m.run.runtimes {
        let (display, model, variants) =
            r.info()
                .map_or(("?".into(), "?".into(), String::new()), |i| {
                    (
                        i.display.clone(),
                        format!("{:?}", i.model).to_lowercase(),
                        i.variants
                            .iter()
                            .map(|v| v.name.clone())
                            .collect::<Vec<_>>()
                            .join(", "),
                    )
                });
        let cmd = r
            .command
            .iter()
            .map(|c| c.rsplit('/').next().unwrap_or(c).to_string())
            .collect::<Vec<_>>()
            .join(" ");
        let _ = writeln!(
            s,
            "| {} | {display} | {model} | {variants} | `{cmd}` | {} |",
            r.name,
            r.excluded().unwrap_or("used")
        );
    }
    s
}
