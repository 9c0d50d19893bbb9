//! The line-oriented companion files against the shared corpus: ET Open's
//! classification.config and the conformance cases' threshold.config files
//! all parse without an error, with counts from a plain text scan.

mod common;

use std::collections::BTreeSet;

use rulewire::config::{Classifications, ThresholdRule, Thresholds};

#[test]
fn et_open_classification_config_parses() {
    let Some(shared) = common::shared_dir("config_files") else {
        return;
    };
    let path = shared.join("rulesets/et-open/classification.config");
    let text = std::fs::read_to_string(&path).unwrap();
    // Oracle: distinct names on uncommented `config classification:` lines.
    let names: BTreeSet<String> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("config classification:"))
        .filter_map(|rest| rest.split(',').next())
        .map(|n| n.trim().to_ascii_lowercase())
        .collect();
    let (classes, errors) = Classifications::load(&path).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(classes.len(), names.len());
    for n in &names {
        assert!(classes.get(n).is_some(), "{n}");
    }
    // Where ET and Suricata's default define a name, the priority agrees
    // (ET's file is Suricata's minus `inappropriate-content`).
    let builtin = Classifications::builtin();
    for c in builtin.iter() {
        if let Some(et) = classes.get(&c.name) {
            assert_eq!(et.priority, c.priority, "{}", c.name);
        }
    }
    eprintln!(
        "config_files: ET classification.config: {} classes",
        classes.len()
    );
}

#[test]
fn conformance_threshold_configs_parse() {
    let Some(shared) = common::shared_dir("config_files") else {
        return;
    };
    let mut files = 0;
    let mut entries = 0;
    for case in std::fs::read_dir(shared.join("conformance"))
        .unwrap()
        .flatten()
    {
        let path = case.path().join("threshold.config");
        if !path.is_file() {
            continue;
        }
        files += 1;
        let text = std::fs::read_to_string(&path).unwrap();
        // Oracle: uncommented, non-blank lines (none of these files continue
        // lines with a backslash).
        let expected = text
            .lines()
            .filter(|l| {
                let t = l.trim();
                !t.is_empty() && !t.starts_with('#')
            })
            .count();
        assert!(!text.contains('\\'), "{}", path.display());
        let (t, errors) = Thresholds::load(&path).unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(t.len(), expected, "{}", path.display());
        for e in t.entries() {
            // Every entry in these files targets one real rule.
            assert!(
                e.sig_id > 0 && e.gen_id == 1,
                "{}:{}",
                path.display(),
                e.line
            );
            if let ThresholdRule::Suppress(Some(target)) = &e.rule {
                assert!(!target.ip.is_empty());
            }
        }
        entries += t.len();
    }
    assert!(files > 0, "no threshold.config in the conformance corpus");
    eprintln!("config_files: {files} threshold.config files, {entries} entries");
}
