//! `arena-store`, the run folder of Concurrency Arena: what a bench run writes as it goes, and what the analysis,
//! the report, `compare` and `merge` read back.
//!
//! It owns the records a run is made of: the cells and their sweep points ([`cell`]), the profiles ([`profile`]),
//! the entrants ([`entrant`]), the machine record ([`machine`]), hyperfine's summary of a timed cell
//! ([`hyperfine`]), statuses and faults with their sentences, the raw schema with its version and the migrations
//! that keep old runs readable.
//!
//! What it must not depend on: any later stage. It knows nothing of the analysis, the report or the driver binary
//! (discovery, planning, running, probing the machine): those crates depend on it, never the other way round, and
//! `crates/arena/tests/layering.rs` holds that.
//!
//! ```text
//! results/<YYYY-MM-DD>-<HHMM>-<host>/
//!   README.md            the exact command, tool versions, machine (rendered with the report)
//!   report.md            the report
//!   charts/*.svg         its charts
//!   raw/run.json         run metadata: command, profile, seed, versions, machine, phases
//!   raw/runtimes.json    every runtime found, its `list` output, or why it was left out
//!   raw/cells/KEY.json   one per cell: its plan, status, verification, kept RunReport, timing plan
//!   raw/hyperfine/KEY.json   hyperfine's own export for the cell
//!   raw/reports/KEY.json     the cell's RunReport as the runtime printed it
//!   raw/cpython.json     the CPython-versions sweep: interpreters found, skipped, every run (schema 6+)
//! ```
//! Every file is written as soon as its data exists, so an interrupted run still renders a partial report.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub mod cell;
pub mod cpython;
pub mod entrant;
pub mod hyperfine;
pub mod machine;
pub mod profile;

mod index;
mod migrate;
mod schema;

pub use cell::{Axis, Cell, LOSS_ONLY_SIZE, Point, SWITCH_POINTS};
pub use entrant::{Entrant, PeerMeta, Standing};
pub use index::write_index;
pub use migrate::{SchemaError, legacy_facts, migrate_run};
pub use profile::{Profile, ProfileName};
pub use schema::{
    Attempt, CellRecord, Fault, Phase, Policy, Quality, RunMeta, SCHEMA_VERSION, Source, Status,
    Timing, limit_reason,
};

/// Bad input on the command line that clap cannot see (an unknown runtime, profile or workload, a missing folder):
/// `arena` exits 2 for it, like clap's own usage errors, and 1 for a failure while running.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// A results folder.
#[derive(Debug, Clone)]
pub struct RunDir {
    /// Its path.
    pub path: PathBuf,
}

impl RunDir {
    /// Creates `<root>/<YYYY-MM-DD>-<HHMM>-<host>` (with `-2`, `-3`... if taken) and its `raw/` folders.
    pub fn create(root: &Path, host: &str) -> anyhow::Result<RunDir> {
        let (date, hm) = machine::utc_now_parts();
        let base = format!("{date}-{hm}-{}", sanitize(host));
        let mut path = root.join(&base);
        let mut n = 2;
        while path.exists() {
            path = root.join(format!("{base}-{n}"));
            n += 1;
        }
        for sub in ["raw/cells", "raw/hyperfine", "raw/reports", "charts"] {
            std::fs::create_dir_all(path.join(sub))
                .with_context(|| format!("could not create {}", path.join(sub).display()))?;
        }
        Ok(RunDir { path })
    }

    /// An existing folder.
    pub fn open(path: &Path) -> anyhow::Result<RunDir> {
        if !path.join("raw").join("run.json").is_file() {
            return Err(UsageError(format!(
                "{} is not a results folder (no raw/run.json); give a folder under results/",
                path.display()
            ))
            .into());
        }
        Ok(RunDir {
            path: path.to_path_buf(),
        })
    }

    /// The folder's own name, e.g. `2026-11-25-2200-myhost`.
    pub fn name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// `raw/hyperfine/KEY.json`.
    pub fn hyperfine_file(&self, key: &str) -> PathBuf {
        self.path
            .join("raw")
            .join("hyperfine")
            .join(format!("{key}.json"))
    }

    /// Writes `raw/run.json`.
    pub fn write_meta(&self, m: &RunMeta) -> anyhow::Result<()> {
        write_json(&self.path.join("raw").join("run.json"), m)
    }

    /// Writes `raw/runtimes.json`.
    pub fn write_runtimes(&self, r: &[Entrant]) -> anyhow::Result<()> {
        write_json(&self.path.join("raw").join("runtimes.json"), &r)
    }

    /// Writes one cell's record (and its RunReport on its own).
    pub fn write_cell(&self, c: &CellRecord) -> anyhow::Result<()> {
        let key = c.cell.key();
        if let Some(r) = &c.report {
            write_json(
                &self
                    .path
                    .join("raw")
                    .join("reports")
                    .join(format!("{key}.json")),
                r,
            )?;
        }
        write_json(
            &self
                .path
                .join("raw")
                .join("cells")
                .join(format!("{key}.json")),
            c,
        )
    }

    /// Writes `raw/cpython.json`.
    pub fn write_cpython(&self, r: &cpython::CpythonRecord) -> anyhow::Result<()> {
        write_json(&self.path.join("raw").join(cpython::FILE), r)
    }

    /// Reads everything back.
    pub fn load(&self) -> anyhow::Result<Loaded> {
        let raw = self.path.join("raw");
        let (meta, written_at) = read_meta_version(&raw.join("run.json"))?;
        let mut runtimes: Vec<Entrant> = if raw.join("runtimes.json").is_file() {
            read_json(&raw.join("runtimes.json"))?
        } else {
            Vec::new()
        };
        migrate::migrate_runtimes(written_at, &mut runtimes);
        let mut cells = Vec::new();
        let mut hyperfine = BTreeMap::new();
        let mut files: Vec<PathBuf> = std::fs::read_dir(raw.join("cells"))
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.retain(|p| p.extension().is_some_and(|e| e == "json"));
        files.sort();
        // A file that cannot be read costs only its own cell: it is listed, and the rest of the run renders.
        let mut unreadable = Vec::new();
        let name = |f: &Path| {
            f.strip_prefix(&self.path)
                .unwrap_or(f)
                .display()
                .to_string()
        };
        for f in files {
            let c: CellRecord = match read_json(&f) {
                Ok(c) => c,
                Err(e) => {
                    unreadable.push((name(&f), format!("{e:#}")));
                    continue;
                }
            };
            if c.status == Status::Timed {
                let key = c.cell.key();
                let file = self.hyperfine_file(&key);
                match crate::hyperfine::read_result(&file) {
                    Ok(r) => {
                        hyperfine.insert(key, r);
                    }
                    Err(e) => unreadable.push((name(&file), format!("{e:#}"))),
                }
            }
            cells.push(c);
        }
        // The workspace runtimes first, then the peers (whose work is scaled), each in workload/series/point order.
        let peer = |rt: &str| runtimes.iter().any(|r| r.name == rt && r.peer.is_some());
        cells.sort_by_key(|c| (c.cell.workload, peer(&c.cell.runtime), c.cell.order()));
        // Schema 6+: the CPython sweep, when the run had one.
        let cpython = match raw.join(cpython::FILE) {
            f if f.is_file() => Some(read_json(&f)?),
            _ => None,
        };
        Ok(Loaded {
            meta,
            runtimes,
            cells,
            hyperfine,
            unreadable,
            cpython,
        })
    }
}

/// A results folder read back.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// `raw/run.json`.
    pub meta: RunMeta,
    /// `raw/runtimes.json`.
    pub runtimes: Vec<Entrant>,
    /// Every cell, in report order.
    pub cells: Vec<CellRecord>,
    /// hyperfine's result per timed cell key.
    pub hyperfine: BTreeMap<String, crate::hyperfine::Summary>,
    /// Files under `raw/` that could not be read (the path in the folder, why): a cell file's cell is left out, a
    /// hyperfine export's cell has no timing. The report lists them under failures.
    pub unreadable: Vec<(String, String)>,
    /// `raw/cpython.json`: the CPython-versions sweep; `None` when the run had none (schema 5 and older, or a
    /// profile without a sweep budget).
    pub cpython: Option<cpython::CpythonRecord>,
}

/// Writes pretty JSON through a temporary file and a rename, so a reader never sees half a file.
pub fn write_json<T: Serialize + ?Sized>(path: &Path, v: &T) -> anyhow::Result<()> {
    let tmp = path.with_extension("json.tmp");
    let text = serde_json::to_string_pretty(v)?;
    std::fs::write(&tmp, text + "\n")
        .with_context(|| format!("could not write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("could not write {}", path.display()))
}

/// Reads JSON, naming the file on error.
pub fn read_json<T: DeserializeOwned>(path: &Path) -> anyhow::Result<T> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("could not read {}", path.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("{} is not what arena wrote", path.display()))
}

fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// Reads a `raw/run.json` of any known schema version, migrated to the current one.
pub fn read_meta(path: &Path) -> anyhow::Result<RunMeta> {
    Ok(read_meta_version(path)?.0)
}

/// [`read_meta`], and the schema version the file was written at.
fn read_meta_version(path: &Path) -> anyhow::Result<(RunMeta, u64)> {
    let v: serde_json::Value = read_json(path)?;
    let written_at = v
        .get("schema_version")
        .and_then(|x| x.as_u64())
        .unwrap_or(0);
    let meta = migrate_run(v).with_context(|| format!("{}", path.display()))?;
    Ok((meta, written_at))
}
