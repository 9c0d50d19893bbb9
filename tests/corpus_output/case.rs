//! Test-only view of one conformance case: its expected alerts, arguments
//! and each rule's action, read with test-only types (the oracle must not
//! be the code under test).

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use rulewire::output::AlertAction;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Expected {
    #[serde(default)]
    pub args: Vec<String>,
    pub alerts: Vec<ExpectedAlert>,
}

#[derive(Deserialize, Clone)]
pub struct ExpectedAlert {
    pub pcap_cnt: Option<u64>,
    pub sid: u32,
    pub gid: u32,
    pub rev: u32,
    pub action: String,
    pub src_ip: Option<String>,
    pub src_port: Option<u16>,
    pub dest_ip: Option<String>,
    pub dest_port: Option<u16>,
    pub proto: Option<String>,
}

pub struct Case {
    pub name: String,
    pub dir: PathBuf,
    pub expected: Expected,
    /// (gid, sid) -> the rule's action word.
    pub actions: HashMap<(u32, u32), String>,
}

impl Case {
    pub fn load(dir: &Path) -> Option<Case> {
        let text = std::fs::read_to_string(dir.join("expected.json")).ok()?;
        let expected: Expected = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{}: bad expected.json: {e}", dir.display()));
        let rules = std::fs::read_to_string(dir.join("test.rules")).unwrap_or_default();
        Some(Case {
            name: dir.file_name()?.to_string_lossy().into_owned(),
            dir: dir.to_owned(),
            expected,
            actions: rule_actions(&rules),
        })
    }

    /// Whether the case ran in IPS mode.
    pub fn ips(&self) -> bool {
        self.expected.args.iter().any(|a| a == "--simulate-ips")
    }

    /// Whether a `threshold.config` with a `rate_filter` may have changed
    /// an alert's action (Suricata then logs the packet's final action).
    pub fn rate_filtered(&self) -> bool {
        std::fs::read_to_string(self.dir.join("threshold.config"))
            .is_ok_and(|t| t.lines().any(|l| l.trim_start().starts_with("rate_filter")))
    }

    /// The action of rule (gid, sid), `alert` when the rule is not in
    /// test.rules (Suricata's own decoder/stream rules).
    pub fn action(&self, gid: u32, sid: u32) -> AlertAction {
        match self.actions.get(&(gid, sid)).map(String::as_str) {
            Some("drop") => AlertAction::Drop,
            Some(a) if a.starts_with("reject") => AlertAction::Reject,
            _ => AlertAction::Alert,
        }
    }
}

fn rule_actions(rules: &str) -> HashMap<(u32, u32), String> {
    let sid_re = regex::Regex::new(r"[(;\s]sid\s*:\s*(\d+)\s*;").unwrap();
    let gid_re = regex::Regex::new(r"[(;\s]gid\s*:\s*(\d+)\s*;").unwrap();
    let mut map = HashMap::new();
    for line in rules.lines() {
        let line = line.trim();
        // Suricata 8 firewall rules carry a scope: `drop:packet`.
        let Some(action) = line
            .split_whitespace()
            .next()
            .and_then(|w| w.split(':').next())
        else {
            continue;
        };
        let Some(sid) = sid_re.captures(line).and_then(|c| c[1].parse().ok()) else {
            continue;
        };
        let gid = gid_re
            .captures(line)
            .and_then(|c| c[1].parse().ok())
            .unwrap_or(1);
        map.entry((gid, sid)).or_insert_with(|| action.to_owned());
    }
    map
}

/// IANA name (as Suricata prints it) back to the protocol number.
pub fn proto_number(name: &str) -> Option<u8> {
    (0..=255u8)
        .find(|&p| rulewire::output::proto_name(p) == Some(name))
        .or_else(|| name.parse().ok())
}

pub fn parse_ip(s: &str) -> Option<IpAddr> {
    s.parse().ok()
}

/// Every case folder under `conformance/`, sorted.
pub fn case_dirs(shared: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(shared.join("conformance"))
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    dirs.retain(|d| d.join("expected.json").is_file());
    dirs.sort();
    dirs
}
