//! The JSON wire types: what `list` and `run` print. The driver deserializes these same types.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use workloads::Workload;

use crate::latency::Latency;

/// The kind of concurrency model a runtime implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Model {
    /// One task after another.
    Sequential,
    /// OS threads.
    Threads,
    /// An event loop (async executor).
    Async,
    /// Data parallelism inside one process (work stealing).
    Parallel,
    /// Several processes passing messages.
    Process,
    /// An emulated interpreter model (the GIL).
    Emulated,
}

/// One variant of a runtime (`--variant`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Variant {
    /// The `--variant` name.
    pub name: String,
    /// Whether it runs when `--variant` is not given. Exactly one variant is the default.
    pub default: bool,
    /// What it is.
    pub notes: String,
    /// What it is in the terms the report selects cells by; `None` when the runtime does not say (lists written
    /// before facts existed). The conformance suite requires them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facts: Option<Facts>,
    /// The workloads this variant runs, when not every one the runtime lists: the floor workloads run only where
    /// the variant has the unit they measure (a pool of W threads cannot park N tasks; per-task threads can).
    /// `None`: all of the runtime's [`Info::workloads`]. A listed workload the variant does not run exits 3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workloads: Option<Vec<Workload>>,
}

impl Variant {
    /// Whether this variant runs `w`, given the runtime's workloads `listed`.
    pub fn runs(&self, listed: &[Workload], w: Workload) -> bool {
        listed.contains(&w) && self.workloads.as_ref().is_none_or(|ws| ws.contains(&w))
    }
}

/// How many OS threads run a variant's tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Threads {
    /// One thread runs every task (a sequential run, or one event loop).
    #[default]
    One,
    /// `--workers` threads (or processes) share the tasks.
    Workers,
    /// One thread (or process) per task.
    PerTask,
}

/// What a variant is, declared by the runtime: the report picks the cells for a verdict or a calibration row by
/// these facts, never by a runtime's or variant's name, so a runtime added tomorrow joins every comparison it
/// qualifies for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Facts {
    /// Tasks run one after another: the baseline of every speedup.
    pub sequential: bool,
    /// One interpreter lock lets one thread at a time run interpreted code (the GIL, emulated or CPython's).
    pub holds_gil: bool,
    /// How many OS threads (or processes) run the tasks.
    pub threads: Threads,
    /// Tasks are switched cooperatively by an event loop, only where they wait (an `await`, a callback's end).
    pub event_loop: bool,
    /// Tasks run in separate processes.
    pub processes: bool,
    /// The workers share memory by default (the race's counter is one variable they all update).
    pub shares_memory: bool,
    /// Its timers may fire before the time asked (Node's `setTimeout`, by up to 1 ms): early waits are then
    /// counted and reported, not refused.
    #[serde(default)]
    pub early_timers: bool,
}

impl Facts {
    /// One task after another on one thread.
    pub fn sequential() -> Facts {
        Facts {
            sequential: true,
            shares_memory: true,
            ..Facts::default()
        }
    }

    /// OS threads of one process.
    pub fn threads(threads: Threads) -> Facts {
        Facts {
            threads,
            shares_memory: true,
            ..Facts::default()
        }
    }

    /// An event loop on `threads` threads.
    pub fn event_loop(threads: Threads) -> Facts {
        Facts {
            event_loop: true,
            ..Facts::threads(threads)
        }
    }

    /// Worker processes; `shares_memory` says whether they share the race's counter by default.
    pub fn processes(threads: Threads, shares_memory: bool) -> Facts {
        Facts {
            threads,
            processes: true,
            shares_memory,
            ..Facts::default()
        }
    }

    /// The same, under an interpreter lock.
    pub fn with_gil(self) -> Facts {
        Facts {
            holds_gil: true,
            ..self
        }
    }
}

/// How an `--opt` value is checked before the run starts. In `list` JSON as `"kind": {"type": "bool"}`,
/// `{"type": "int", "min": 0, "max": 9}` or `{"type": "choice", "values": [...]}`; absent for text (and in lists
/// written before kinds were part of the JSON, which then accept any value). The driver plans an opt cell only where
/// the runtime accepts its value.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum OptKind {
    /// Any text.
    #[default]
    Text,
    /// `true` or `false`.
    Bool,
    /// A whole number in an inclusive range.
    Int { min: u64, max: u64 },
    /// One of these words.
    Choice { values: Vec<String> },
}

impl OptKind {
    fn is_text(&self) -> bool {
        *self == OptKind::Text
    }
}

/// One `--opt KEY=VALUE` a runtime accepts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptSpec {
    /// The key.
    pub key: String,
    /// The value used when the opt is not given.
    pub default: String,
    /// What it does, and which workloads read it.
    pub help: String,
    /// How the value is checked.
    #[serde(default, skip_serializing_if = "OptKind::is_text")]
    pub kind: OptKind,
}

impl OptSpec {
    /// A `true`/`false` opt.
    pub fn bool(key: &str, default: bool, help: &str) -> OptSpec {
        OptSpec {
            key: key.into(),
            default: default.to_string(),
            help: help.into(),
            kind: OptKind::Bool,
        }
    }

    /// A whole-number opt in `min..=max`.
    pub fn int(key: &str, default: u64, min: u64, max: u64, help: &str) -> OptSpec {
        OptSpec {
            key: key.into(),
            default: default.to_string(),
            help: help.into(),
            kind: OptKind::Int { min, max },
        }
    }

    /// An opt that takes one of `choices`; the first is the default.
    pub fn choice(key: &str, choices: &[&str], help: &str) -> OptSpec {
        OptSpec {
            key: key.into(),
            default: choices[0].into(),
            help: help.into(),
            kind: OptKind::Choice {
                values: choices.iter().map(|c| c.to_string()).collect(),
            },
        }
    }

    /// Checks a value; the error says what is accepted.
    pub fn check(&self, value: &str) -> Result<(), String> {
        let ok = match &self.kind {
            OptKind::Text => true,
            OptKind::Bool => matches!(value, "true" | "false"),
            OptKind::Int { min, max } => value
                .parse::<u64>()
                .is_ok_and(|v| (*min..=*max).contains(&v)),
            OptKind::Choice { values } => values.iter().any(|c| c == value),
        };
        if ok {
            return Ok(());
        }
        let want = match &self.kind {
            OptKind::Text => String::new(),
            OptKind::Bool => "true or false".into(),
            OptKind::Int { min, max } => format!("a whole number from {min} to {max}"),
            OptKind::Choice { values } => format!("one of {}", values.join(", ")),
        };
        Err(format!("--opt {}={value}: expected {want}", self.key))
    }
}

/// What `rt-<name> list` prints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Info {
    /// The binary's name, e.g. `rt-tokio`.
    pub runtime: String,
    /// A display name, e.g. `Tokio`.
    pub display: String,
    /// The kind of model.
    pub model: Model,
    /// Its variants; exactly one has `default: true`.
    pub variants: Vec<Variant>,
    /// The workloads it implements; the others exit 3.
    pub workloads: Vec<Workload>,
    /// The opts it accepts, including the harness's own (`sync`).
    pub opts: Vec<OptSpec>,
    /// Versions of the crates it is built on.
    pub versions: BTreeMap<String, String>,
    /// Caveats a reader should know.
    pub notes: String,
}

impl Info {
    /// A runtime with no variants, workloads or opts yet.
    pub fn new(runtime: &str, display: &str, model: Model) -> Info {
        Info {
            runtime: runtime.into(),
            display: display.into(),
            model,
            variants: Vec::new(),
            workloads: Vec::new(),
            opts: Vec::new(),
            versions: BTreeMap::new(),
            notes: String::new(),
        }
    }

    /// Adds a variant; the first one added is the default.
    pub fn variant(mut self, name: &str, notes: &str) -> Info {
        let default = self.variants.is_empty();
        self.variants.push(Variant {
            name: name.into(),
            default,
            notes: notes.into(),
            facts: None,
            workloads: None,
        });
        self
    }

    /// Restricts the variant added last to these workloads (see [`Variant::workloads`]); each must also be in
    /// [`Info::workloads`].
    pub fn only(mut self, w: impl IntoIterator<Item = Workload>) -> Info {
        if let Some(v) = self.variants.last_mut() {
            v.workloads = Some(w.into_iter().collect());
        }
        self
    }

    /// Whether `variant` runs `w`.
    pub fn runs(&self, variant: &str, w: Workload) -> bool {
        self.variants
            .iter()
            .any(|v| v.name == variant && v.runs(&self.workloads, w))
    }

    /// Declares the facts of the variant added last.
    pub fn facts(mut self, f: Facts) -> Info {
        if let Some(v) = self.variants.last_mut() {
            v.facts = Some(f);
        }
        self
    }

    /// The facts of a variant, if it declares them.
    pub fn facts_of(&self, variant: &str) -> Option<Facts> {
        self.variants.iter().find(|v| v.name == variant)?.facts
    }

    /// Sets the implemented workloads.
    pub fn workloads(mut self, w: impl IntoIterator<Item = Workload>) -> Info {
        self.workloads = w.into_iter().collect();
        self
    }

    /// Adds an opt.
    pub fn opt(mut self, o: OptSpec) -> Info {
        self.opts.push(o);
        self
    }

    /// Sets the versions (see [`crate::locked_versions!`]).
    pub fn versions(mut self, v: BTreeMap<String, String>) -> Info {
        self.versions = v;
        self
    }

    /// Sets the notes.
    pub fn notes(mut self, n: &str) -> Info {
        self.notes = n.into();
        self
    }

    /// Sets the notes from a runtime's `notes.md`, read with `include_str!("../notes.md")`: see [`notes_text`].
    pub fn notes_md(self, md: &str) -> Info {
        self.notes(&notes_text(md))
    }

    /// The default variant's name.
    pub fn default_variant(&self) -> Option<&str> {
        self.variants
            .iter()
            .find(|v| v.default)
            .map(|v| v.name.as_str())
    }
}

/// What `rt-<name> run` prints: one JSON object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    /// The binary's name.
    pub runtime: String,
    /// The variant that ran.
    pub variant: String,
    /// The workload that ran.
    pub workload: Workload,
    /// Every effective parameter, defaults filled in: `size`, `workers`, the workload's own numbers, `deadline_s`,
    /// `addr` for io-net, and `opts`.
    pub params: serde_json::Map<String, serde_json::Value>,
    /// The workload's checksum, to compare with the reference.
    pub checksum: u64,
    /// Wall time inside the process, from just before the model sets up to just after it shut down.
    pub elapsed_ms: f64,
    /// Latency percentiles in ms (io-sleep: lateness; io-net: round trip; mixed: ticker lateness), else null.
    /// Lateness is signed (`harness::latency::lateness`): negative for a wait that ended before D.
    pub latency_ms: Option<Latency>,
    /// io-sleep and mixed: how many waits (io-sleep's tasks, the ticker's rounds) ended more than
    /// `harness::latency::EARLY_TOLERANCE_MS` before D; absent for the other workloads and in runs recorded before
    /// it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub early_waits: Option<u64>,
    /// io-sleep, io-net and the mixed ticker: percentiles in ms of each task's sojourn, from the run's submission
    /// instant (read once, just before the first task is spawned or queued) to the end of the task's wait or round
    /// trip; for the ticker, per round, from the end of the round before (the first from submission). Unlike
    /// `latency_ms`, it includes the time a task waited to start (behind busy workers, or behind the spawning of the
    /// tasks before it). Absent for the other workloads and in runs recorded before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sojourn_ms: Option<Latency>,
    /// For race: `attempted - checksum`, the increments performed whose update did not survive; else null.
    pub lost_updates: Option<u64>,
    /// For race: the increments the racers performed, each racer counting its own and the runtime summing the
    /// counts; else absent. Reports written before this field existed (the committed runs under `results/`) lack it:
    /// their `lost_updates` was `W*K - checksum`, which took every increment as attempted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempted: Option<u64>,
    /// Peak resident set size (VmHWM) in KiB.
    pub peak_rss_kib: u64,
    /// Most OS threads seen at once in the process, not counting the harness's own probe and watchdog threads.
    pub os_threads_peak: u64,
    /// Runtime-specific figures.
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl RunReport {
    /// The [`workloads::Params`] recorded in `params` (fields a workload does not use are 0).
    pub fn workload_params(&self) -> workloads::Params {
        let get = |k: &str| self.params.get(k).and_then(|v| v.as_u64()).unwrap_or(0);
        workloads::Params {
            tasks: get("tasks"),
            workers: get("workers"),
            work: get("work"),
            delay_ms: get("delay_ms"),
            size_kib: get("size_kib"),
            rounds: get("rounds"),
            nonce: get(workloads::spec::NONCE_KEY),
        }
    }

    /// The reference checksum for this run's parameters (for io-net, of the nonce recorded in `params`: a report
    /// without one is checked against nonce 0, which no harness picks on purpose, and fails).
    pub fn reference_checksum(&self) -> u64 {
        self.workload.reference_checksum(&self.workload_params())
    }

    /// Whether the checksum agrees with the reference. For `race`, see [`RunReport::race_problem`]: the racers
    /// attempted exactly `W*K` increments, the final counter is at most that, and `lost_updates` is the difference.
    pub fn checksum_ok(&self) -> bool {
        match self.workload {
            // The reference depends on the run's nonce: without one, nothing can be checked.
            Workload::IoNet if !self.params.contains_key(workloads::spec::NONCE_KEY) => false,
            Workload::Race => self.race_problem().is_none(),
            _ => self.checksum == self.reference_checksum(),
        }
    }

    /// For `race`, which rule of the reference check the report breaks, if any, as a sentence that names the
    /// figures; `None` when it passes (and for the other workloads). The rules, in order:
    ///
    /// 1. `attempted` is present: every racer counted the increments it performed.
    /// 2. `attempted == W*K`: no racer skipped increments or failed to run. Without this, a final counter of 0 with
    ///    `lost_updates = W*K` would pass as "every update lost".
    /// 3. `checksum <= attempted`: no update lands that was not attempted.
    /// 4. `lost_updates == attempted - checksum`.
    ///
    /// Reports written before `attempted` existed fail rule 1; they are never checked again (a stored run is shown
    /// as recorded), so only fresh runs meet these rules.
    pub fn race_problem(&self) -> Option<String> {
        if self.workload != Workload::Race {
            return None;
        }
        let wk = self.reference_checksum();
        let Some(attempted) = self.attempted else {
            return Some(
                "attempted is missing: a race report must say how many increments its racers performed (each \
                 racer counts its own; the runtime sums the counts)"
                    .into(),
            );
        };
        if attempted != wk {
            return Some(format!(
                "attempted {attempted} != W*K {wk}: the racers must perform exactly K increments each"
            ));
        }
        if self.checksum > attempted {
            return Some(format!(
                "final counter {} > attempted {attempted}: more updates landed than increments were performed",
                self.checksum
            ));
        }
        let lost = attempted - self.checksum;
        if self.lost_updates != Some(lost) {
            return Some(format!(
                "lost_updates {} != attempted {attempted} - final counter {} = {lost}",
                self.lost_updates
                    .map_or_else(|| "null".to_string(), |l| l.to_string()),
                self.checksum
            ));
        }
        None
    }
}

/// The one-line notes `list` prints, from the markdown of a runtime's `notes.md`: plain paragraphs wrapped at any
/// width. Each line is trimmed and the lines are joined with single spaces, so a soft line break inside a paragraph,
/// and the blank line between two paragraphs, both become one space. Nothing else is interpreted: write the notes
/// as prose, without headings or lists, which would be flattened into the line.
pub fn notes_text(md: &str) -> String {
    md.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_md_joins_wrapped_lines_and_paragraphs_with_one_space() {
        assert_eq!(notes_text(""), "");
        assert_eq!(notes_text("One line."), "One line.");
        assert_eq!(
            notes_text(
                "A paragraph wrapped\n  at a narrow width.\n\nA second one,\r\nwith CRLF.\n\n\n"
            ),
            "A paragraph wrapped at a narrow width. A second one, with CRLF."
        );
        let info = Info::new("rt-x", "X", Model::Threads)
            .notes_md("spawn: N tasks\nparked (on one Event).\n");
        assert_eq!(info.notes, "spawn: N tasks parked (on one Event).");
    }

    #[test]
    fn opt_checks() {
        assert!(OptSpec::bool("offload", false, "").check("true").is_ok());
        assert!(
            OptSpec::bool("offload", false, "")
                .check("yes")
                .unwrap_err()
                .contains("true or false")
        );
        assert!(
            OptSpec::int("n", 1, 1, 9, "")
                .check("10")
                .unwrap_err()
                .contains("1 to 9")
        );
        assert!(
            OptSpec::choice("sync", &["none", "lock"], "")
                .check("lock")
                .is_ok()
        );
        let s = OptSpec::choice("sync", &["none", "lock"], "");
        assert_eq!(s.default, "none");
    }

    #[test]
    fn an_opts_kind_survives_list_json() {
        // The driver reads `list` JSON: an opt's kind must come back, or it would plan cells the runtime refuses.
        for o in [
            OptSpec::bool("offload", false, "h"),
            OptSpec::choice("offload", &["false", "true", "process"], "h"),
            OptSpec::int("n", 1, 1, 9, "h"),
        ] {
            let back: OptSpec = serde_json::from_str(&serde_json::to_string(&o).unwrap()).unwrap();
            assert_eq!(back, o);
        }
        let bool_back: OptSpec = serde_json::from_str(
            &serde_json::to_string(&OptSpec::bool("offload", false, "h")).unwrap(),
        )
        .unwrap();
        assert!(bool_back.check("process").is_err());
        // A list written before kinds were in the JSON accepts any value, as it always did.
        let old: OptSpec = serde_json::from_str(r#"{"key":"k","default":"d","help":"h"}"#).unwrap();
        assert!(old.check("anything").is_ok());
    }

    #[test]
    fn first_variant_is_default() {
        let i = Info::new("rt-x", "X", Model::Threads)
            .variant("a", "")
            .variant("b", "");
        assert_eq!(i.default_variant(), Some("a"));
        let json = serde_json::to_value(&i).unwrap();
        assert_eq!(json["model"], "threads");
        assert_eq!(json["variants"][1]["default"], false);
    }
}
