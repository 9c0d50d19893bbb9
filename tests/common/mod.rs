//! Helpers shared by the integration tests: where `../shared` is, and the
//! rule that corpus tests never skip silently.
#![allow(dead_code)]

use std::path::PathBuf;

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
