//! The four shared rule sets load completely, with commented-out rules,
//! and every rule prints back to text that parses to an equal model.
//!
//! Expected counts come from grep, not from this parser:
//!
//! ```text
//! cat DIR/*.rules | grep -cE '^\s*(alert|drop|reject|rejectsrc|rejectdst|rejectboth|pass|log|sdrop|config)\s'
//! cat DIR/*.rules | grep -cE '^\s*#+\s*(alert|drop|reject|rejectsrc|rejectdst|rejectboth|pass|log|sdrop|config)\s'
//! ```
//!
//! et-open: 24,827 + 10,023; snort-community: 887 + 2,641; snort3-community:
//! 4,004 + 0; suricata-events: 427 + 51, where one of the 51 is the prose
//! comment "# alert if STARTTLS was not followed by actual SSL/TLS" in
//! app-layer-events.rules (grep lists it; it is not a rule), so 427 + 50.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use rulewire::config::Vars;
use rulewire::rule::{load_paths, parse_rule, Dialect, LoadOptions, RuleErrorKind, RuleSet};

/// The built-in variables (Suricata's suricata.yaml defaults plus Snort's
/// classic names); the config module's own test checks that they cover
/// every `$VAR` in the shared rule sets.
fn corpus_vars() -> Vars {
    Vars::builtin()
}

fn load(shared: &Path, set: &str) -> RuleSet {
    let vars = corpus_vars();
    let opts = LoadOptions {
        vars: &vars,
        uncomment: true,
        dialect: None,
    };
    load_paths(&[shared.join("rulesets").join(set)], &opts)
}

fn assert_no_errors(set: &str, rs: &RuleSet) {
    let errors: Vec<String> = rs.errors().map(|e| e.to_string()).collect();
    assert!(
        errors.is_empty(),
        "{set}: {} rules failed to load; the first ones:\n{}",
        errors.len(),
        errors
            .iter()
            .take(15)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        !rs.diagnostics
            .iter()
            .any(|d| matches!(d.kind, RuleErrorKind::DuplicateSid { .. })),
        "{set}: duplicate sids"
    );
}

fn counts(rs: &RuleSet) -> (usize, usize) {
    let commented = rs.rules.iter().filter(|r| r.commented).count();
    (rs.rules.len() - commented, commented)
}

/// Loads `set` and checks active and commented-out counts, no errors, and
/// every keyword typed.
fn check_set(test: &str, set: &str, active: usize, commented: usize) -> Option<RuleSet> {
    let shared = common::shared_dir(test)?;
    let rs = load(&shared, set);
    assert_no_errors(set, &rs);
    assert_eq!(
        counts(&rs),
        (active, commented),
        "{set}: (active, commented)"
    );
    let unsupported: BTreeMap<String, usize> = rs.unsupported_by_keyword();
    assert!(
        unsupported.is_empty(),
        "{set}: keywords without a typed parser: {unsupported:?}"
    );
    Some(rs)
}

#[test]
fn et_open_loads_every_rule() {
    let Some(rs) = check_set("et_open_loads_every_rule", "et-open", 24_827, 10_023) else {
        return;
    };
    assert!(rs.rules.iter().all(|r| r.dialect == Dialect::Suricata));
}

#[test]
fn snort_community_loads_every_rule() {
    let Some(rs) = check_set(
        "snort_community_loads_every_rule",
        "snort-community",
        887,
        2_641,
    ) else {
        return;
    };
    assert!(rs.rules.iter().all(|r| r.dialect == Dialect::Suricata));
}

#[test]
fn snort3_community_loads_every_rule() {
    check_set(
        "snort3_community_loads_every_rule",
        "snort3-community",
        4_004,
        0,
    );
}

#[test]
fn suricata_events_load_every_rule() {
    let Some(rs) = check_set(
        "suricata_events_load_every_rule",
        "suricata-events",
        427,
        50,
    ) else {
        return;
    };
    assert!(rs.rules.iter().all(|r| r.dialect == Dialect::Suricata));
    // The dnp3 rules are continued over several lines; their location is
    // the first line.
    let dnp3 = rs
        .rules
        .iter()
        .find(|r| r.rule.sid == Some(2270000))
        .expect("sid 2270000 loads");
    assert_eq!(dnp3.line, 7);
    assert!(dnp3
        .path
        .as_ref()
        .is_some_and(|p| p.ends_with("dnp3-events.rules")));
}

#[test]
fn every_rule_prints_back_to_an_equal_model() {
    let Some(shared) = common::shared_dir("every_rule_prints_back_to_an_equal_model") else {
        return;
    };
    let mut checked = 0;
    for set in [
        "et-open",
        "snort-community",
        "snort3-community",
        "suricata-events",
    ] {
        let rs = load(&shared, set);
        let mut failures = Vec::new();
        for r in &rs.rules {
            let text = r.rule.to_string();
            match parse_rule(&text) {
                Ok(back) if back == r.rule => {}
                Ok(_) => failures.push(format!(
                    "{}: model differs:\n  {}\n  {}",
                    r.location(),
                    r.text,
                    text
                )),
                Err(e) => failures.push(format!("{}: {e}\n  from {}", r.location(), r.text)),
            }
            checked += 1;
        }
        assert!(
            failures.is_empty(),
            "{set}: {} rules do not round-trip:\n{}",
            failures.len(),
            failures
                .iter()
                .take(10)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    assert_eq!(checked, 34_850 + 3_528 + 4_004 + 477);
}
