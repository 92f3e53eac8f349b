//! The run folder's `README.md`: the exact command, the machine, the tools and crate versions, every runtime.

use std::fmt::Write as _;

use super::sections::method::machine_table;
use crate::template::fill;
use arena_analysis::Analysis;

/// The run folder's `README.md`: what ran, with what, where.
pub fn readme(m: &Analysis) -> String {
    let meta = &m.run.meta;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# {}\n\n{}\n",
        m.name,
        fill!("readme/intro.md", name = m.name)
    );
    let _ = writeln!(
        s,
        "## Command\n\n```sh\n{}\n```\n\n{}\n",
        meta.command,
        fill!(
            "readme/run.md",
            profile = meta.profile.name,
            seed = meta.seed,
            started = meta.started_utc,
            finished = meta.finished_utc.as_deref().unwrap_or(if meta.interrupted {
                "never (interrupted)"
            } else {
                "never (stopped)"
            })
        )
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
