//! Running the conformance corpus (`shared/conformance/NAME/`: input.pcap,
//! test.rules, maybe suricata.yaml, expected.json) through `rulewire run`
//! as Suricata was run: its rules, configuration and arguments.
//!
//! Shared by the tests that compare with Suricata (`corpus_conformance`,
//! `corpus_ips`), the thread-count test (`runtime_threads`) and the
//! counters test (`corpus_run`). It compares nothing: each test keeps its
//! own assertions. Included with `#[path = "common/conformance.rs"] mod
//! conformance;` by the tests that use it.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

use rulewire::config::Config;
use rulewire::detect::Engine;
use rulewire::rule::{load_file, LoadOptions};
use serde_json::Value;

pub use super::common::conformance_cases as cases;

/// The case's `expected.json` (Suricata's alerts, arguments and tier).
pub fn expected(case: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(case.join("expected.json")).unwrap()).unwrap()
}

/// `rulewire run` on the case's pcap, logging into `logdir`, with the
/// case's rules when `rules` is set, then its configuration (if any) and
/// its arguments from `expected.json`. Runs in the case's folder.
pub fn command(bin: &str, case: &Path, expected: &Value, rules: bool, logdir: &Path) -> Command {
    let mut cmd = Command::new(bin);
    cmd.current_dir(case).args(["run", "-r", "input.pcap"]);
    if rules {
        cmd.args(["-S", "test.rules"]);
    }
    cmd.arg("-l").arg(logdir);
    if case.join("suricata.yaml").is_file() {
        cmd.arg("-c").arg("suricata.yaml");
    }
    for a in expected["args"].as_array().into_iter().flatten() {
        cmd.arg(a.as_str().unwrap());
    }
    cmd
}

/// One finished run of a case: its exit and the folder holding its logs.
pub struct CaseRun {
    /// The process's exit status and output.
    pub output: Output,
    /// The log folder (removed on drop).
    pub dir: tempfile::TempDir,
}

impl CaseRun {
    /// The text of log file `name`, if it was written.
    pub fn read(&self, name: &str) -> Option<String> {
        std::fs::read_to_string(self.dir.path().join(name)).ok()
    }
}

/// Runs the case with its rules (see [`command`]) into a fresh temporary
/// folder, `extra` arguments after the case's own; fails the test when
/// rulewire panicked.
pub fn run(bin: &str, case: &Path, expected: &Value, extra: &[&str]) -> CaseRun {
    let dir = tempfile::tempdir().unwrap();
    let output = command(bin, case, expected, true, dir.path())
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{}: {stderr}", case.display());
    CaseRun { output, dir }
}

/// How many times each key occurs.
pub fn multiset<K: Ord>(keys: impl Iterator<Item = K>) -> BTreeMap<K, usize> {
    let mut m = BTreeMap::new();
    for k in keys {
        *m.entry(k).or_insert(0) += 1;
    }
    m
}

/// The multiset of `key` over the alert records of eve.json text `eve`
/// (lines that are not JSON are skipped).
pub fn eve_alerts<K: Ord>(eve: &str, key: impl Fn(&Value) -> K) -> BTreeMap<K, usize> {
    multiset(eve.lines().filter_map(|l| {
        let v: Value = serde_json::from_str(l).ok()?;
        (v["event_type"] == "alert").then(|| key(&v))
    }))
}

/// The multiset of `key` over the alerts Suricata raised
/// (`expected.json`'s `alerts`).
pub fn expected_alerts<K: Ord>(expected: &Value, key: impl Fn(&Value) -> K) -> BTreeMap<K, usize> {
    multiset(expected["alerts"].as_array().into_iter().flatten().map(key))
}

/// Whether every rule of the case loads and is active in the engine
/// (with the case's configuration), and whether one of them names an
/// application-layer protocol in its header.
pub fn rules_active(case: &Path) -> (bool, bool) {
    let config = if case.join("suricata.yaml").is_file() {
        match Config::load(case.join("suricata.yaml")) {
            Ok(c) => c,
            Err(_) => return (false, false),
        }
    } else {
        Config::new()
    };
    let vars = config.vars();
    let set = load_file(&case.join("test.rules"), &LoadOptions::new(&vars));
    let app = set.rules.iter().any(|r| r.rule.protocol.is_app_layer());
    (
        set.errors().next().is_none() && set.rules.iter().all(Engine::is_active),
        app,
    )
}
