//! Every suricata.yaml of the conformance corpus loads: no error, no panic,
//! warnings allowed. The `--set` arguments each case ran with apply cleanly,
//! the includes named in `expected.json`'s `config_includes` are either
//! loaded or reported, and `vars:` / `action-order` read back as written.
//!
//! Prints the warning total and the most common warnings.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use rulewire::config::{Config, WarningKind};

/// The first uncommented `NAME: "value"` line under `address-groups:` in
/// the file text, found without the YAML parser (the test's own oracle).
fn home_net_in_text(text: &str) -> Option<String> {
    let mut in_groups = false;
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('#') {
            continue;
        }
        if t == "address-groups:" {
            in_groups = true;
            continue;
        }
        if in_groups {
            if let Some(v) = t.strip_prefix("HOME_NET:") {
                return Some(v.trim().trim_matches('"').to_string());
            }
            if t.ends_with("port-groups:") {
                in_groups = false;
            }
        }
    }
    None
}

#[test]
fn every_conformance_suricata_yaml_loads() {
    let Some(shared) = common::shared_dir("corpus_config") else {
        return;
    };
    let conformance = shared.join("conformance");
    let cases = common::conformance_cases(&shared, &["suricata.yaml"]);
    assert!(
        !cases.is_empty(),
        "no suricata.yaml under {}",
        conformance.display()
    );

    let mut total_warnings = 0usize;
    let mut by_key: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut sets_applied = 0usize;
    let mut includes_checked = 0usize;
    let mut vars_checked = 0usize;
    let mut orders_checked = 0usize;

    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let yaml_path = case.join("suricata.yaml");
        let mut config = match Config::load(&yaml_path) {
            Ok(c) => c,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        let expected: serde_json::Value = std::fs::read_to_string(case.join("expected.json"))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or(serde_json::Value::Null);

        // The --set overrides the case ran with.
        let args: Vec<&str> = expected["args"]
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        for pair in args.windows(2) {
            if pair[0] == "--set" {
                if let Err(e) = config.apply_set_arg(pair[1]) {
                    failures.push(format!("{name}: {e}"));
                }
                sets_applied += 1;
                let (key, value) = pair[1].split_once('=').unwrap();
                assert_eq!(
                    config.get_str(key.trim()),
                    Some(value.trim()),
                    "{name}: {}",
                    pair[1]
                );
            }
        }

        let warnings = config.warnings();
        // config_includes: each named include was loaded, or is a warning
        // naming it.
        for inc in expected["config_includes"].as_array().into_iter().flatten() {
            let inc = inc.as_str().unwrap();
            includes_checked += 1;
            if case.join(inc).is_file() {
                assert!(
                    config
                        .files()
                        .iter()
                        .any(|f| f.ends_with(Path::new(inc).file_name().unwrap())),
                    "{name}: include {inc} exists but was not loaded"
                );
            } else {
                assert!(
                    warnings
                        .iter()
                        .any(|w| w.kind == WarningKind::Include && w.message.contains(inc)),
                    "{name}: missing include {inc} is not reported: {warnings:?}"
                );
            }
        }

        let text = std::fs::read_to_string(&yaml_path).unwrap();
        if let Some(home) = home_net_in_text(&text) {
            vars_checked += 1;
            assert_eq!(
                config.vars().address("HOME_NET"),
                Some(home.as_str()),
                "{name}"
            );
        }
        if config.get("action-order").is_some() {
            orders_checked += 1;
            if let Err(e) = config.action_order() {
                failures.push(format!("{name}: {e}"));
            }
        }

        total_warnings += warnings.len();
        for w in &warnings {
            *by_key
                .entry((format!("{:?}", w.kind), w.key.clone()))
                .or_default() += 1;
        }
    }

    let mut common: Vec<_> = by_key.into_iter().collect();
    common.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    eprintln!(
        "corpus_config: {} suricata.yaml loaded, {} --set applied, {} config_includes checked, \
         {} HOME_NET and {} action-order read back; {} warnings in total ({} distinct keys)",
        cases.len() - failures.len(),
        sets_applied,
        includes_checked,
        vars_checked,
        orders_checked,
        total_warnings,
        common.len()
    );
    eprintln!("most common warnings:");
    for ((kind, key), n) in common.iter().take(20) {
        eprintln!("  {n:5}  {kind:<13} {key}");
    }
    assert!(
        failures.is_empty(),
        "{} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        includes_checked >= 10,
        "expected the corpus's config_includes cases"
    );
}
