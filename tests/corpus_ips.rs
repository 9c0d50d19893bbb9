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

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use rulewire::config::Config;
use rulewire::detect::Engine;
use rulewire::rule::{load_file, LoadOptions};
use serde_json::Value;

/// Supported `--simulate-ips` cases that differ for a known reason.
const KNOWN_DIFFERENT: &[(&str, &str)] = &[
    ("ja3-lua-rules-quic", "its one rule says `requires: feature ja3` (and runs a lua script): rulewire claims no optional Suricata feature and skips the rule (also in corpus_conformance's list)"),
];

/// (sid, pcap_cnt, action) → how many alerts.
type Alerts = BTreeMap<(u64, u64, String), usize>;

fn multiset(alerts: impl Iterator<Item = (u64, u64, String)>) -> Alerts {
    let mut m = BTreeMap::new();
    for k in alerts {
        *m.entry(k).or_insert(0) += 1;
    }
    m
}

/// Whether every rule of the case loads and is active in the engine.
fn all_active(case: &Path) -> bool {
    let config = if case.join("suricata.yaml").is_file() {
        match Config::load(case.join("suricata.yaml")) {
            Ok(c) => c,
            Err(_) => return false,
        }
    } else {
        Config::new()
    };
    let vars = config.vars();
    let set = load_file(&case.join("test.rules"), &LoadOptions::new(&vars));
    set.errors().next().is_none() && set.rules.iter().all(Engine::is_active)
}

/// What one run of a case left behind.
struct Run {
    alerts: Alerts,
    stats: Value,
}

/// Runs the case as Suricata was run (its arguments, its configuration).
fn ours(bin: &str, case: &Path, expected: &Value) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(bin);
    cmd.current_dir(case)
        .args(["run", "-r", "input.pcap", "-S", "test.rules", "-l"])
        .arg(dir.path());
    if case.join("suricata.yaml").is_file() {
        cmd.arg("-c").arg("suricata.yaml");
    }
    for a in expected["args"].as_array().into_iter().flatten() {
        cmd.arg(a.as_str().unwrap());
    }
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{}: {stderr}", case.display());
    let eve = std::fs::read_to_string(dir.path().join("eve.json")).unwrap_or_default();
    let alerts = multiset(eve.lines().filter_map(|l| {
        let v: Value = serde_json::from_str(l).ok()?;
        (v["event_type"] == "alert").then(|| {
            (
                v["alert"]["signature_id"].as_u64().unwrap_or(0),
                v["pcap_cnt"].as_u64().unwrap_or(0),
                v["alert"]["action"].as_str().unwrap_or("?").to_string(),
            )
        })
    }));
    let stats = std::fs::read_to_string(dir.path().join("stats.json"))
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or(Value::Null);
    Run { alerts, stats }
}

/// A counter of the nested stats document (`"ips.accepted"`), 0 when absent.
fn counter(stats: &Value, dotted: &str) -> u64 {
    dotted
        .split('.')
        .try_fold(stats, |v, k| v.get(k))
        .and_then(Value::as_u64)
        .unwrap_or(0)
}

#[test]
fn simulate_ips_alerts_and_actions_match_suricata() {
    let Some(shared) = common::shared_dir("corpus_ips") else {
        return;
    };
    let bin = env!("CARGO_BIN_EXE_rulewire");
    let mut cases: Vec<_> = std::fs::read_dir(shared.join("conformance"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("expected.json").is_file() && p.join("test.rules").is_file())
        .collect();
    cases.sort();
    let (mut equal, mut unsupported) = (0usize, 0usize);
    let mut differing = Vec::new();
    let mut bad_stats = Vec::new();
    let mut ips_cases = 0usize;
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(case.join("expected.json")).unwrap())
                .unwrap();
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
        if !all_active(case) {
            unsupported += 1;
            continue;
        }
        let want = multiset(
            expected["alerts"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|a| {
                    (
                        a["sid"].as_u64().unwrap_or(0),
                        a["pcap_cnt"].as_u64().unwrap_or(0),
                        a["action"].as_str().unwrap_or("?").to_string(),
                    )
                }),
        );
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
