//! hyperfine's summary of a timed cell, as its 1.x `--export-json` writes it, and the reader of that file.
//!
//! Only the 1.x export format is read. hyperfine 2.x writes `schema_version: 2` with another layout, and is refused
//! with a message saying how to get 1.20. `memory_usage_byte` is parsed when present (1.20) but never used: in 1.x it
//! is a running maximum over every child ever started, so each cell's peak RSS comes from its own RunReport instead.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

/// The version the driver installs when none is usable; the newest that builds on Rust 1.95.
pub const INSTALL_VERSION: &str = "1.20.0";

/// The top level of a hyperfine 1.x `--export-json` file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Export {
    /// One per benchmarked command.
    pub results: Vec<Summary>,
}

/// One benchmarked command, in seconds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Summary {
    /// The `--command-name` (or the command line).
    pub command: String,
    /// Mean wall time.
    pub mean: f64,
    /// Standard deviation; null with one run.
    pub stddev: Option<f64>,
    /// Median wall time.
    pub median: f64,
    /// Mean user CPU time per run.
    pub user: f64,
    /// Mean system CPU time per run.
    pub system: f64,
    /// Fastest run.
    pub min: f64,
    /// Slowest run.
    pub max: f64,
    /// Every timed run (warm-ups excluded).
    pub times: Vec<f64>,
    /// hyperfine 1.20 only, and unreliable there (see the module docs): parsed, never used.
    #[serde(default)]
    pub memory_usage_byte: Option<Vec<u64>>,
    /// Exit code of each run.
    #[serde(default)]
    pub exit_codes: Vec<Option<i32>>,
    /// `-L`/`-P` parameters.
    #[serde(default)]
    pub parameters: BTreeMap<String, String>,
}

/// Parses an export, refusing hyperfine 2.x's schema with a clear error.
pub fn parse_export(text: &str) -> anyhow::Result<Export> {
    let v: serde_json::Value = serde_json::from_str(text).context("not JSON")?;
    if let Some(s) = v.get("schema_version") {
        bail!(
            "this file uses hyperfine's JSON schema_version {s} (hyperfine 2.x); arena reads hyperfine 1.x exports: install hyperfine {INSTALL_VERSION} with `cargo install --locked --root .tools hyperfine@{INSTALL_VERSION}`"
        );
    }
    serde_json::from_value(v).context("not a hyperfine 1.x export (expected {\"results\": [...]})")
}

/// Reads the first result of an export file.
pub fn read_result(path: &Path) -> anyhow::Result<Summary> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("could not read {}", path.display()))?;
    let e = parse_export(&text).with_context(|| format!("in {}", path.display()))?;
    e.results
        .into_iter()
        .next()
        .with_context(|| format!("{} has no results", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const V115: &str = r#"{"results":[{"command":"rt-seq/seq","mean":0.5,"stddev":0.01,"median":0.49,"user":0.48,"system":0.01,"min":0.48,"max":0.52,"times":[0.48,0.49,0.52],"exit_codes":[0,0,0]}]}"#;

    #[test]
    fn reads_1x_with_and_without_memory() {
        let e = parse_export(V115).unwrap();
        assert_eq!(e.results[0].command, "rt-seq/seq");
        assert!(e.results[0].memory_usage_byte.is_none());
        let v120 = V115.replace(
            "\"exit_codes\"",
            "\"memory_usage_byte\":[1,2,3],\"exit_codes\"",
        );
        assert_eq!(
            parse_export(&v120).unwrap().results[0].memory_usage_byte,
            Some(vec![1, 2, 3])
        );
        let one = V115.replace("\"stddev\":0.01", "\"stddev\":null");
        assert!(parse_export(&one).unwrap().results[0].stddev.is_none());
    }

    #[test]
    fn refuses_schema_2() {
        let err = parse_export(r#"{"schema_version":2,"results":[]}"#).unwrap_err();
        assert!(err.to_string().contains("hyperfine 2.x"), "{err}");
    }
}
