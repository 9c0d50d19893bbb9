//! Inline-mode alerts against Suricata 8 (issue #7, part 1): every case of
//! `../shared/conformance` whose arguments contain `--simulate-ips` runs
//! through `rulewire run` with its rules, configuration and arguments, and
//! our (sid, pcap_cnt, action) multiset from eve.json is compared with
//! Suricata's (`expected.json`). A case whose rules are not all active in
//! the engine is *unsupported*, never a pass.
//!
//! Asserted: every supported case is equal except the cases in
//! [`KNOWN_DIFFERENT`] (each with its reason), and a listed case that
//! became equal fails the test until it leaves the list. For every case
//! (supported or not), our stats add up: `ips.accepted + ips.blocked +
//! ips.rejected = decoder.pkts` (one verdict per captured frame).

mod common;
#[path = "common/conformance.rs"]
mod conformance;

use std::collections::BTreeMap;
use std::path::Path;

use common::counter;
use serde_json::Value;

/// Supported `--simulate-ips` cases that differ for a known reason.
const KNOWN_DIFFERENT: &[(&str, &str)] = &[
    ("ja3-lua-rules-quic", "its one rule says `requires: feature ja3` (and runs a lua script): rulewire claims no optional Suricata feature and skips the rule (also in corpus_conformance's list)"),
];

/// (sid, pcap_cnt, action) → how many alerts.
type Alerts = BTreeMap<(u64, u64, String), usize>;

/// What one run of a case left behind.
struct Run {
    alerts: Alerts,
    stats: Value,
}

/// Runs the case as Suricata was run (its arguments, its configuration).
fn ours(bin: &str, case: &Path, expected: &Value) -> Run {
    let run = conformance::run(bin, case, expected, &[]);
    let eve = run.read("eve.json").unwrap_or_default();
    let alerts = conformance::eve_alerts(&eve, |v| {
        (
            v["alert"]["signature_id"].as_u64().unwrap_or(0),
            v["pcap_cnt"].as_u64().unwrap_or(0),
            v["alert"]["action"].as_str().unwrap_or("?").to_string(),
        )
    });
    let stats = run
        .read("stats.json")
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or(Value::Null);
    Run { alerts, stats }
}

#[test]
fn simulate_ips_alerts_and_actions_match_suricata() {
    let Some(shared) = common::shared_dir("corpus_ips") else {
        return;
    };
    let bin = env!("CARGO_BIN_EXE_rulewire");
    let cases = conformance::cases(&shared, &["expected.json", "test.rules"]);
    let (mut equal, mut unsupported) = (0usize, 0usize);
    let mut differing = Vec::new();
    let mut bad_stats = Vec::new();
    let mut ips_cases = 0usize;
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let expected = conformance::expected(case);
        let args = expected["args"].as_array().cloned().unwrap_or_default();
        if !args.iter().any(|a| a == "--simulate-ips") {
            continue;
        }
        ips_cases += 1;
        let run = ours(bin, case, &expected);
        let pkts = counter(&run.stats, "decoder.pkts");
        let verdicts = ["ips.accepted", "ips.blocked", "ips.rejected"]
            .iter()
            .map(|c| counter(&run.stats, c))
            .sum::<u64>();
        if pkts == 0 || verdicts != pkts {
            bad_stats.push(format!(
                "{name}: decoder.pkts {pkts}, ips.accepted+blocked+rejected {verdicts}"
            ));
        }
        if !conformance::rules_active(case).0 {
            unsupported += 1;
            continue;
        }
        let want = conformance::expected_alerts(&expected, |a| {
            (
                a["sid"].as_u64().unwrap_or(0),
                a["pcap_cnt"].as_u64().unwrap_or(0),
                a["action"].as_str().unwrap_or("?").to_string(),
            )
        });
        if run.alerts == want {
            equal += 1;
        } else {
            differing.push((name, want, run.alerts));
        }
    }
    eprintln!(
        "--simulate-ips cases: {ips_cases}: equal {equal} differ {} unsupported {unsupported}",
        differing.len()
    );
    assert!(ips_cases > 40, "too few --simulate-ips cases: {ips_cases}");
    let mut failures = Vec::new();
    for (name, want, got) in &differing {
        let known = KNOWN_DIFFERENT.iter().any(|(n, _)| n == name);
        eprintln!(
            "differs{} {name}: expected {want:?} got {got:?}",
            if known { " [known]" } else { "" }
        );
        if !known {
            failures.push(name.as_str());
        }
    }
    assert!(
        bad_stats.is_empty(),
        "verdict counters do not add up to the frames read:\n{}",
        bad_stats.join("\n")
    );
    assert!(
        failures.is_empty(),
        "--simulate-ips cases differ: {failures:?}"
    );
    let stale: Vec<&str> = KNOWN_DIFFERENT
        .iter()
        .map(|(n, _)| *n)
        .filter(|n| !differing.iter().any(|(name, _, _)| name == n))
        .collect();
    assert!(
        stale.is_empty(),
        "KNOWN_DIFFERENT cases now equal (or gone): remove them: {stale:?}"
    );
}
