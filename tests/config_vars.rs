//! `Vars::builtin()` defines every `$NAME` the shared rule sets use in rule
//! headers. The oracle is a plain text scan of the rule files (active and
//! commented-out rules), not the rule parser.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use rulewire::config::Vars;

const ACTIONS: &[&str] = &[
    "alert",
    "drop",
    "pass",
    "reject",
    "rejectsrc",
    "rejectdst",
    "rejectboth",
    "sdrop",
    "log",
    "block",
    "react",
    "rewrite",
];

/// `$NAME` tokens in the header (the text before the first `(`) of every
/// rule line, commented out or not.
fn header_vars(text: &str, out: &mut BTreeMap<String, usize>) {
    for line in text.lines() {
        let line = line.trim_start().trim_start_matches('#').trim_start();
        let first = line.split_whitespace().next().unwrap_or("");
        if !ACTIONS.contains(&first) {
            continue;
        }
        let header = line.split('(').next().unwrap_or("");
        let mut rest = header;
        while let Some(at) = rest.find('$') {
            let after = &rest[at + 1..];
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            if end > 0 {
                *out.entry(after[..end].to_string()).or_default() += 1;
            }
            rest = &after[end..];
        }
    }
}

fn rule_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(rule_files(&path));
        } else if path.extension().is_some_and(|e| e == "rules") {
            files.push(path);
        }
    }
    files.sort();
    files
}

#[test]
fn builtin_defines_every_header_variable_of_the_shared_rule_sets() {
    let Some(shared) = common::shared_dir("config_vars") else {
        return;
    };
    let files = rule_files(&shared.join("rulesets"));
    assert!(!files.is_empty(), "no .rules files under rulesets/");
    let mut used = BTreeMap::new();
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        header_vars(&String::from_utf8_lossy(&bytes), &mut used);
    }
    let vars = Vars::builtin();
    let missing: Vec<_> = used
        .iter()
        .filter(|(name, _)| vars.address(name).is_none() && vars.port(name).is_none())
        .collect();
    eprintln!(
        "config_vars: {} rule files, {} distinct header variables: {:?}",
        files.len(),
        used.len(),
        used
    );
    assert!(used.contains_key("HOME_NET") && used.contains_key("HTTP_PORTS"));
    assert!(
        missing.is_empty(),
        "variables used by rules but not built in: {missing:?}"
    );
}

/// The variable names a value refers to (`$NAME`, letters, digits and
/// `_`).
fn referenced(value: &str) -> impl Iterator<Item = String> + '_ {
    value.split('$').skip(1).map(|r| {
        r.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    })
}

#[test]
fn builtin_values_reference_only_defined_variables() {
    // Every `$NAME` inside a built-in value is itself built in, in the same
    // table (address values name addresses, port values name ports).
    let vars = Vars::builtin();
    for (name, value) in vars.addresses() {
        for r in referenced(value) {
            assert!(
                vars.address(&r).is_some(),
                "{name} = {value} names undefined ${r}"
            );
        }
    }
    for (name, value) in vars.ports() {
        for r in referenced(value) {
            assert!(
                vars.port(&r).is_some(),
                "{name} = {value} names undefined ${r}"
            );
        }
    }
}
