//! Crate versions from `Cargo.lock`, for a runtime's `list` output (see [`crate::locked_versions!`]).

use std::collections::BTreeMap;

/// The versions of `names` in the text of a `Cargo.lock`. A crate locked at several versions lists them all,
/// comma-separated; a crate not in the lock is left out.
pub fn from_lock(lock: &str, names: &[&str]) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    let mut current: Option<&str> = None;
    for line in lock.lines() {
        let line = line.trim();
        if line == "[[package]]" {
            current = None;
        } else if let Some(v) = line.strip_prefix("name = ") {
            current = Some(v.trim_matches('"'));
        } else if let (Some(v), Some(name)) = (
            line.strip_prefix("version = "),
            current.filter(|n| names.contains(n)),
        ) {
            let v = v.trim_matches('"');
            out.entry(name.to_string())
                .and_modify(|e| {
                    e.push_str(", ");
                    e.push_str(v)
                })
                .or_insert_with(|| v.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_versions() {
        let lock = "[[package]]\nname = \"tokio\"\nversion = \"1.48.0\"\n\n[[package]]\nname = \"x\"\nversion = \"2\"\n";
        let v = super::from_lock(lock, &["tokio", "absent"]);
        assert_eq!(v.len(), 1);
        assert_eq!(v["tokio"], "1.48.0");
    }
}
