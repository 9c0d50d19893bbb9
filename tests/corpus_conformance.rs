//! Alerts against Suricata 8 on the conformance corpus (`../shared/
//! conformance`): each case runs through `rulewire run` with its rules,
//! configuration and arguments, and our (sid, pcap_cnt) multiset from
//! eve.json is compared with `expected.json`. A case whose rules are not
//! all active in the engine is *unsupported*, never a pass.
//!
//! Asserted: every packet-tier case whose rules are all active is equal,
//! except the cases in [`KNOWN_DIFFERENT`] (each with its reason); and
//! every eve.json record of every case (supported or not) validates
//! against Suricata's EVE schema (`../shared/eve/schema.json`).

mod common;
#[path = "common/conformance.rs"]
mod conformance;

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

/// Packet-tier cases that differ for a known reason.
const KNOWN_DIFFERENT: &[(&str, &str)] = &[];

/// Packet-tier cases with a rule the engine does not evaluate, each with
/// its reason. The test fails if another packet-tier case is unsupported,
/// or if a listed one becomes supported (then it must be compared).
const UNSUPPORTED_PACKET: &[(&str, &str)] = &[
    ("UriTestSig03", "`pcre:/blah/U` inspects http.uri, the normalised URI from the HTTP parser (libhtp); rulewire has no HTTP parser yet, so /U rules are inactive"),
    ("UriTestSig06", "`pcre:/(oneself)+/U` inspects http.uri, the normalised URI from the HTTP parser (libhtp); rulewire has no HTTP parser yet, so /U rules are inactive"),
    ("ruletype-firewall-102-fw-accept-flow-td-pkt-drop", "Suricata 8 firewall mode: `--firewall-rules-exclusive firewall.rules` with `accept:hook`/`accept:flow` rules on protocol hooks and tls.sni; not implemented (the case's own test.rules uses the `drop:flow` scope)"),
    ("ruletype-firewall-30-fw-accept-td-drop", "Suricata 8 firewall mode: `--firewall-rules-exclusive firewall.rules` with `accept:hook`/`accept:flow` rules on protocol hooks (`tcp:all`, `tls:client_hello_done`) and tls.sni; not implemented (the case's own test.rules also uses the `drop:packet` scope and `tcp-pkt`)"),
];

/// App-tier cases whose rules are all active (their header protocol is an
/// application-layer one, keywords packet-level) and that differ for a
/// known reason. Not asserted (only the packet tier is), listed so a new
/// difference stands out.
const KNOWN_DIFFERENT_APP: &[(&str, &str)] = &[
    ("ja3-lua-rules-quic", "its one rule says `requires: feature ja3` (and runs a lua script): rulewire claims no optional Suricata feature, so it skips the rule as a Suricata without ja3 would"),
    ("bug-2491-01", "stream.async-oneside=true: the one-sided session never gets established in flow::tcp, so app-layer detection never starts"),
    ("detect-engine-proto", "TCP detection timing: Suricata (IDS mode) detects a direction's protocol on the packet that acknowledges its bytes; applayer detects it on the packet carrying them (sid 4 has no content: Suricata knows HTTP only from packet 4, the server's ACK)"),
    ("exception-policy-default-02", "TCP detection timing: Suricata (IDS mode) detects a direction's protocol on the packet that acknowledges its bytes; applayer detects it on the packet carrying them, so protocol-dependent rules are evaluated on different packets"),
    ("memcap-pressure", "TCP detection timing: Suricata (IDS mode) detects a direction's protocol on the packet that acknowledges its bytes; applayer detects it on the packet carrying them, so protocol-dependent rules are evaluated on different packets"),
    ("ssh-newkeys", "Suricata's SSH parser stops content inspection once the session is encrypted (new keys); rulewire has no SSH parser and keeps inspecting"),
    ("issue-4220-01-ids", "the two contents lie in different TCP segments: Suricata's SMTP parser sets a minimum inspect depth (StreamTcpReassemblySetMinInspectDepth), so raw inspection of the SMTP stream waits for more data; rulewire has no SMTP parser and no such window"),
    ("drop-protocol-change", "pass/drop action semantics and exception policies (flow-level drop/pass) are kept to packet-level: pending"),
    ("threshold-config-byrule", "TCP detection timing: Suricata (IDS mode) knows the flow is HTTP from packet 5, the server's ACK of the request; applayer detects it on packet 4, which carries the bytes, so the three alerts the threshold lets through sit one packet earlier"),
];

#[derive(Default, Debug)]
struct Tally {
    equal: usize,
    differ: usize,
    unsupported: usize,
    /// Of `equal` and `differ`: cases with an application-layer protocol
    /// in some rule header (compared since app-layer detection).
    app_header: (usize, usize),
}

/// Suricata's EVE schema, compiled.
fn eve_validator(shared: &Path) -> jsonschema::Validator {
    let text = std::fs::read_to_string(shared.join("eve/schema.json")).expect("eve/schema.json");
    let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::validator_for(&schema).expect("schema compiles")
}

/// EVE records checked against the schema, and the problems found.
#[derive(Default)]
struct EveCheck {
    records: usize,
    alerts: usize,
    invalid: Vec<String>,
}

impl EveCheck {
    fn check(&mut self, v: &jsonschema::Validator, case: &str, eve: &str) {
        for (n, line) in eve.lines().enumerate() {
            self.records += 1;
            let value: Value = match serde_json::from_str(line) {
                Ok(v) => v,
                Err(e) => {
                    self.invalid
                        .push(format!("{case}: eve.json line {}: not JSON: {e}", n + 1));
                    continue;
                }
            };
            if value["event_type"] == "alert" {
                self.alerts += 1;
            }
            for e in v.iter_errors(&value) {
                self.invalid.push(format!(
                    "{case}: eve.json line {}: {e} at {}",
                    n + 1,
                    e.instance_path
                ));
            }
        }
    }
}

/// (sid, pcap_cnt) → how many alerts.
type Alerts = BTreeMap<(u64, u64), usize>;

/// Runs the case; gives the (sid, pcap_cnt) multiset of our alerts and the
/// eve.json text.
fn ours(bin: &str, case: &Path, expected: &Value) -> Option<(Alerts, String)> {
    let eve = conformance::run(bin, case, expected, &[]).read("eve.json")?;
    let alerts = conformance::eve_alerts(&eve, |v| {
        (
            v["alert"]["signature_id"].as_u64().unwrap_or(0),
            v["pcap_cnt"].as_u64().unwrap_or(0),
        )
    });
    Some((alerts, eve))
}

#[test]
fn alerts_match_suricata() {
    let Some(shared) = common::shared_dir("corpus_conformance") else {
        return;
    };
    let bin = env!("CARGO_BIN_EXE_rulewire");
    let cases = conformance::cases(&shared, &["expected.json", "test.rules"]);
    let mut tiers: BTreeMap<String, Tally> = BTreeMap::new();
    let mut differing = Vec::new();
    let mut unsupported_packet = Vec::new();
    let validator = eve_validator(&shared);
    let mut eve_check = EveCheck::default();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let expected = conformance::expected(case);
        let tier = expected["tier"].as_str().unwrap_or("?").to_string();
        let t = tiers.entry(tier.clone()).or_default();
        let run = ours(bin, case, &expected);
        if let Some((_, eve)) = &run {
            eve_check.check(&validator, &name, eve);
        }
        let (active, app) = conformance::rules_active(case);
        if !active {
            t.unsupported += 1;
            if tier == "packet" {
                unsupported_packet.push(name);
            }
            continue;
        }
        let want = conformance::expected_alerts(&expected, |a| {
            (
                a["sid"].as_u64().unwrap_or(0),
                a["pcap_cnt"].as_u64().unwrap_or(0),
            )
        });
        let got = run.map(|(a, _)| a).unwrap_or_default();
        if got == want {
            t.equal += 1;
            t.app_header.0 += usize::from(app);
        } else {
            t.differ += 1;
            t.app_header.1 += usize::from(app);
            differing.push((tier, name, want, got, app));
        }
    }
    for (tier, t) in &tiers {
        eprintln!(
            "tier {tier}: equal {} differ {} unsupported {} (with an app-layer header protocol: equal {} differ {})",
            t.equal, t.differ, t.unsupported, t.app_header.0, t.app_header.1
        );
    }
    eprintln!(
        "eve.json of all {} cases (supported or not): {} records ({} alerts) checked against \
         eve/schema.json, {} problems",
        cases.len(),
        eve_check.records,
        eve_check.alerts,
        eve_check.invalid.len()
    );
    assert!(
        eve_check.invalid.is_empty(),
        "EVE records that do not validate:\n{}",
        eve_check.invalid.join("\n")
    );
    assert!(eve_check.alerts > 500, "too few alerts to say anything");
    let mut failures = Vec::new();
    for (tier, name, want, got, app) in &differing {
        let app = if *app { " [app-layer header]" } else { "" };
        let known = KNOWN_DIFFERENT_APP.iter().any(|(n, _)| n == name);
        let known = if known { " [known]" } else { "" };
        eprintln!("differs [{tier}]{app}{known} {name}: expected {want:?} got {got:?}");
        if tier == "packet" && !KNOWN_DIFFERENT.iter().any(|(n, _)| n == name) {
            failures.push(name.clone());
        }
    }
    assert!(
        failures.is_empty(),
        "packet-tier cases differ: {failures:?}"
    );
    let listed: Vec<&str> = UNSUPPORTED_PACKET.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        unsupported_packet, listed,
        "the unsupported packet-tier cases are not the listed ones (UNSUPPORTED_PACKET)"
    );
    // A listed case that now agrees must leave the list, so the list stays
    // the truth about what differs.
    let stale: Vec<&str> = KNOWN_DIFFERENT
        .iter()
        .map(|(n, _)| *n)
        .filter(|n| !differing.iter().any(|(_, name, _, _, _)| name == n))
        .collect();
    assert!(
        stale.is_empty(),
        "KNOWN_DIFFERENT cases now equal (or gone): remove them: {stale:?}"
    );
}
