//! Helpers shared by the integration tests: where `../shared` is, and the
//! rule that corpus tests never skip silently; the conformance case
//! folders; reading stats.json counters.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// The `shared/` folder beside the repository (or `$RULEWIRE_SHARED`).
///
/// When it is absent, the calling test prints a loud notice and should
/// return early. When `RULEWIRE_REQUIRE_SHARED` is set (as `.ci/run` does),
/// an absent folder is a failure instead: CI must run the corpus tests.
pub fn shared_dir(test: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("RULEWIRE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    if dir.join("rulesets").is_dir() {
        return Some(dir);
    }
    if std::env::var_os("RULEWIRE_REQUIRE_SHARED").is_some() {
        panic!(
            "{test}: RULEWIRE_REQUIRE_SHARED is set but {} has no rulesets/",
            dir.display()
        );
    }
    eprintln!(
        "\n*** {test}: SKIPPED: corpus folder {} not found (set RULEWIRE_SHARED) ***\n",
        dir.display()
    );
    None
}

/// A counter of a nested stats.json document (`"ips.accepted"` is
/// `stats["ips"]["accepted"]`), 0 when absent or not a number.
pub fn counter(stats: &Value, dotted: &str) -> u64 {
    dotted
        .split('.')
        .try_fold(stats, |v, k| v.get(k))
        .and_then(Value::as_u64)
        .unwrap_or(0)
}

/// The case folders under `shared/conformance` holding every one of
/// `files`, sorted by name.
pub fn conformance_cases(shared: &Path, files: &[&str]) -> Vec<PathBuf> {
    let mut cases: Vec<_> = std::fs::read_dir(shared.join("conformance"))
        .expect("conformance dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| files.iter().all(|f| p.join(f).is_file()))
        .collect();
    cases.sort();
    cases
}

/// Every numeric leaf of a stats.json document as (dotted name, value);
/// a number that is not a `u64` counts as 0.
pub fn counters(stats: &Value) -> BTreeMap<String, u64> {
    fn walk(v: &Value, prefix: &str, out: &mut BTreeMap<String, u64>) {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    let name = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(v, &name, out);
                }
            }
            Value::Number(n) => {
                out.insert(prefix.to_string(), n.as_u64().unwrap_or(0));
            }
            _ => {}
        }
    }
    let mut out = BTreeMap::new();
    walk(stats, "", &mut out);
    out
}
