//! Migration of older run folders: `raw/run.json` is brought to [`SCHEMA_VERSION`] one version at a time, in
//! memory; the files on disk are never rewritten (they are the run's record).

use harness::{Facts, Threads};

use super::schema::{RunMeta, SCHEMA_VERSION};

/// Why a `raw/run.json` cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    /// Written by a newer driver.
    #[error(
        "written by a newer arena (raw schema {found}; this one reads up to {SCHEMA_VERSION}): render it with the \
         arena that wrote it, or update this checkout"
    )]
    Newer { found: u64 },
    /// Not an object with the fields a run has.
    #[error("not a run's metadata ({0}): was it written by arena?")]
    Malformed(String),
}

/// Brings a `raw/run.json` of any known version to [`SCHEMA_VERSION`], one step at a time.
pub fn migrate_run(mut v: serde_json::Value) -> Result<RunMeta, SchemaError> {
    let obj = v
        .as_object_mut()
        .ok_or_else(|| SchemaError::Malformed("not a JSON object".into()))?;
    let mut version = match obj.get("schema_version") {
        None => 0,
        Some(x) => x
            .as_u64()
            .ok_or_else(|| SchemaError::Malformed("schema_version is not a number".into()))?,
    };
    if version > u64::from(SCHEMA_VERSION) {
        return Err(SchemaError::Newer { found: version });
    }
    if version == 0 {
        // 0 -> 1: the fields that older drivers left out get their "not measured" values.
        obj.entry("load").or_insert(serde_json::json!([]));
        obj.entry("other_cpus").or_insert(serde_json::Value::Null);
        version = 1;
    }
    if version == 1 {
        // 1 -> 2: nothing in run.json; the runtimes' facts are filled on load ([`migrate_runtimes`]).
        version = 2;
    }
    if version == 2 {
        // 2 -> 3: nothing was measured of the run's quality or recorded of the fuller machine.
        obj.entry("cpus").or_insert(serde_json::Value::Null);
        obj.entry("quality").or_insert(serde_json::json!({
            "steal_share": null,
            "calibration_ms": []
        }));
        if let Some(m) = obj.get_mut("machine").and_then(|m| m.as_object_mut()) {
            m.entry("online_cpus").or_insert(serde_json::Value::Null);
            m.entry("affinity").or_insert(serde_json::json!([]));
            m.entry("smt").or_insert(serde_json::Value::Null);
            m.entry("governor").or_insert("unknown".into());
            m.entry("virtualization").or_insert("unknown".into());
        }
        version = 3;
    }
    if version == 3 {
        // 3 -> 4: nothing in run.json; cells gained statuses and a field that older runs never used.
        version = 4;
    }
    if version == 4 {
        // 4 -> 5: the policy and the source were not recorded.
        obj.entry("policy")
            .or_insert(serde_json::json!({ "no_warmup_from_s": null }));
        obj.entry("source")
            .or_insert(serde_json::json!({ "commit": null, "dirty": null }));
        version = 5;
    }
    if version == 5 {
        // 5 -> 6: there was no CPython-versions sweep (and so no `raw/cpython.json`): a budget of none.
        if let Some(p) = obj.get_mut("profile").and_then(|p| p.as_object_mut()) {
            p.entry("cpython_budget_s").or_insert(0.0.into());
        }
        version = 6;
    }
    obj.insert("schema_version".into(), version.into());
    serde_json::from_value(v).map_err(|e| SchemaError::Malformed(e.to_string()))
}

/// The facts of the runtimes and variants that existed before variants declared them (schema versions 0 and 1),
/// as those runtimes behaved then. This table is the migration's only knowledge of names: the analysis never uses
/// names.
pub fn legacy_facts(runtime: &str, variant: &str) -> Option<Facts> {
    let f = match (runtime, variant) {
        ("rt-seq", "seq") => Facts::sequential(),
        ("py-seq", "seq") => Facts::sequential().with_gil(),
        ("rt-threads" | "rt-rayon", "pool") | ("rt-gil", "free-threaded") => {
            Facts::threads(Threads::Workers)
        }
        ("rt-threads", "per-task") => Facts::threads(Threads::PerTask),
        ("rt-gil" | "py-threading", "pool") => Facts::threads(Threads::Workers).with_gil(),
        ("rt-gil" | "py-threading", "per-task") => Facts::threads(Threads::PerTask).with_gil(),
        // rt-procs' race passed messages by default then; multiprocessing's shared a counter.
        ("rt-procs", "pool") => Facts::processes(Threads::Workers, false),
        ("py-multiprocessing", "pool") => Facts::processes(Threads::Workers, true),
        ("rt-tokio", "multi-thread") | ("rt-smol", "multi") | ("rt-async-std", "global") => {
            Facts::event_loop(Threads::Workers)
        }
        ("rt-tokio", "current-thread") | ("rt-smol", "single") | ("node", "event-loop") => {
            Facts::event_loop(Threads::One)
        }
        ("py-asyncio", "loop") => Facts::event_loop(Threads::One).with_gil(),
        _ => return None,
    };
    Some(f)
}

/// Brings `raw/runtimes.json` written at schema version `from` to the current one: variants without facts get
/// their [`legacy_facts`].
pub fn migrate_runtimes(from: u64, runtimes: &mut [crate::Entrant]) {
    if from >= 2 {
        return;
    }
    for r in runtimes.iter_mut() {
        let name = r.name.clone();
        for v in r.info.iter_mut().flat_map(|i| i.variants.iter_mut()) {
            if v.facts.is_none() {
                v.facts = legacy_facts(&name, &v.name);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Phase, Quality};

    /// A `raw/run.json` as drivers before the schema version wrote it, without the fields added later.
    fn v0() -> serde_json::Value {
        serde_json::json!({
            "arena_version": "0.1.0",
            "command": "arena bench",
            "profile": {
                "name": "smoke", "size": "check", "sweeps": false, "opt_cells": false, "warmup": 1,
                "min_runs": 3, "max_runs": 3, "cell_budget_s": 0.5, "run_limit_s": 2.0, "total_budget_s": 60.0
            },
            "seed": 1,
            "started_utc": "2026-11-25T22:00:00Z",
            "finished_utc": null,
            "interrupted": false,
            "hyperfine": "hyperfine 1.20.0",
            "rustc": "rustc 1.95.0",
            "machine": {
                "host": "h", "cpu_model": "c", "logical_cpus": 2, "physical_cores": null, "memory_mib": 1,
                "kernel": "k", "os": "o", "cgroup_cpu_max": "max 100000"
            },
            "crate_versions": {},
            "delay_server": null,
            "bare_rtt_ms": null,
            "workers": 2,
            "phases": {"verify_s": 1.0}
        })
    }

    /// A run migrated to the current version, as the current driver writes it.
    fn migrate_and_back(v: serde_json::Value) -> serde_json::Value {
        serde_json::to_value(migrate_run(v).unwrap()).unwrap()
    }

    #[test]
    fn a_run_without_a_version_is_migrated() {
        let m = migrate_run(v0()).unwrap();
        assert_eq!(m.schema_version, SCHEMA_VERSION);
        assert!(m.load.is_empty());
        assert_eq!(m.other_cpus, None);
        assert_eq!(m.phase(Phase::Verify), Some(1.0));
        assert_eq!(m.phase(Phase::Time), None);
        assert_eq!(m.cpus, None);
        assert_eq!(m.quality, Quality::default());
        assert_eq!(m.machine.governor, "unknown");
        assert!(m.machine.affinity.is_empty());
        // Schema 6: older runs had no CPython sweep.
        assert_eq!(m.profile.cpython_budget_s, Some(0.0));
    }

    #[test]
    fn a_current_run_reads_back_and_a_newer_one_is_refused() {
        let mut v = migrate_and_back(v0());
        assert_eq!(v["schema_version"], SCHEMA_VERSION);
        v["other_cpus"] = 0.5.into();
        let m = migrate_run(v.clone()).unwrap();
        assert_eq!(m.other_cpus, Some(0.5));
        // The current version has every field: one left out is an error, not a silent default.
        v.as_object_mut().unwrap().remove("load");
        assert!(matches!(migrate_run(v), Err(SchemaError::Malformed(_))));
        let mut v = v0();
        v["schema_version"] = (SCHEMA_VERSION + 1).into();
        let e = migrate_run(v).unwrap_err();
        assert!(matches!(e, SchemaError::Newer { .. }));
        assert!(e.to_string().contains("written by a newer arena"), "{e}");
        assert!(matches!(
            migrate_run(serde_json::json!([1])),
            Err(SchemaError::Malformed(_))
        ));
    }
}
