//! Every conformance capture goes through `rulewire run` with its case's
//! configuration and arguments: no panic, no hang, and the counters of
//! stats.json equal Suricata 8.0.6's (`expected-stats.json`, an absent
//! counter being 0).
//!
//! # What is compared
//!
//! Every counter either side prints whose name is *modelled* (see
//! [`modelled`]): all of `decoder.*` (events included), all of `defrag.*`,
//! the flow table's `flow.*` and the TCP session counters of `tcp.*`.
//! The counters rulewire does not model are listed in [`NOT_MODELLED`]
//! with the reason; they are never compared.
//!
//! # Exclusions
//!
//! [`EXCLUDED`] names the cases, and the counters in them, that differ for
//! a documented reason (a feature not implemented, or Suricata output
//! that depends on thread timing). An exclusion that no longer differs
//! fails the test, so the list cannot go stale.

mod common;
#[path = "common/conformance.rs"]
mod conformance;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

/// Counter families Suricata prints that rulewire does not model, with
/// why. A name matches an entry equal to it or starting with it.
const NOT_MODELLED: &[(&str, &str)] = &[
    ("decoder.max_mac_addrs_", "ethernet address tracking (`decoder.max_mac_addrs_*`) is not implemented"),
    ("defrag.mgr.tracker_timeout", "collected by Suricata's flow-manager thread: depends on thread timing (identical captures ipv6-malformed-fragments-1 and -2 record 1 and 0)"),
    ("defrag.wrk.tracker_timeout", "same as defrag.mgr.tracker_timeout"),
    ("flow.memuse", "the size of Suricata's own flow records"),
    ("flow.spare", "Suricata's spare-flow pool"),
    ("flow.wrk.", "Suricata's flow-worker internals (spare sync, injection into the flow manager)"),
    ("flow.recycler.", "Suricata's flow-recycler thread"),
    ("flow.mgr.", "Suricata's flow-manager thread: which flows it times out before shutdown depends on wall-clock scheduling (sip-* record 0 to 8 of the same 133 idle flows); flow.end.* counts every flow either way"),
    ("flow.end.tcp_liberal", "stream reassembly (liberal mode) is not implemented"),
    ("tcp.memuse", "the size of Suricata's stream structures"),
    ("tcp.reassembly_memuse", "stream reassembly is not implemented"),
    ("tcp.ssn_from_pool", "Suricata's session pool"),
    ("tcp.segment_from_", "Suricata's segment pool and cache"),
    ("tcp.overlap", "stream reassembly is not implemented"),
    ("tcp.pseudo", "stream pseudo packets are not implemented"),
    ("tcp.ack_unseen_data", "stream reassembly is not implemented"),
    ("tcp.reassembly_gap", "stream reassembly is not implemented"),
    ("tcp.urgent_oob_data", "stream reassembly is not implemented"),
    ("tcp.stream_depth_reached", "stream reassembly is not implemented"),
];

/// Cases that differ for a documented reason, and the counters excluded
/// there (a prefix matches every counter under it; "" is every counter).
const EXCLUDED: &[(&str, &str, &str)] = &[
    (
        "bpf-command-line",
        "",
        "Suricata applied a BPF filter from the command line to the file; filters on files are not implemented",
    ),
    (
        "bug-2491-01",
        "flow.end.",
        "`stream.async-oneside` is not modelled",
    ),
    (
        "bug-6402-01",
        "flow.",
        "Geneve → GRE → TCP: Decoded keeps one outer IP layer (the GRE one), so the flow of the outer-most Geneve UDP packet is not created",
    ),
    (
        "bug-8224-01",
        "flow.end.",
        "IPS drop: Suricata stops tracking the dropped flow's stream",
    ),
    (
        "http2-host",
        "flow.end.",
        "IPS drop: Suricata stops tracking the dropped flow's stream",
    ),
    (
        "tcp-urgp-02-drop-ips",
        "flow.end.",
        "IPS drop: Suricata stops tracking the dropped flow's stream",
    ),
    (
        "ruletype-firewall-97-fw-accept-flow-td-drop",
        "flow.end.",
        "firewall drop: Suricata stops tracking the dropped flow's stream",
    ),
    (
        "ruletype-firewall-102-fw-accept-flow-td-pkt-drop",
        "flow.end.",
        "firewall drop: Suricata stops tracking the dropped flow's stream",
    ),
    (
        "bug-8336-02-bypass",
        "flow.end.",
        "TLS `encryption-handling: bypass` ends the flow as local_bypassed",
    ),
    (
        "exception-policy-midstream-05",
        "flow.end.",
        "`stream.midstream-policy` bypass ends the flow as local_bypassed",
    ),
    (
        "security-4710-02",
        "flow.end.tcp_state.",
        "RSTs carrying TCP-AO are not checked",
    ),
];

/// Whether rulewire models counter `name` (see [`NOT_MODELLED`]).
fn modelled(name: &str) -> bool {
    let family = ["decoder.", "defrag.", "flow.", "tcp."]
        .iter()
        .any(|p| name.starts_with(p));
    family && !NOT_MODELLED.iter().any(|(p, _)| name.starts_with(p))
}

fn excluded(case: &str, counter: &str) -> bool {
    EXCLUDED
        .iter()
        .any(|(c, prefix, _)| *c == case && counter.starts_with(prefix))
}

#[test]
fn every_conformance_pcap_runs() {
    let Some(shared) = common::shared_dir("every_conformance_pcap_runs") else {
        return;
    };
    let bin = env!("CARGO_BIN_EXE_rulewire");
    let cases = conformance::cases(&shared, &["input.pcap"]);
    assert!(
        cases.len() >= 785,
        "expected 785 cases, found {}",
        cases.len()
    );

    let out = tempfile::tempdir().unwrap();
    let mut totals = Totals::default();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let logdir = out.path().join(&name);
        std::fs::create_dir_all(&logdir).unwrap();
        run_case(bin, case, &logdir);
        if let Some(expected) = read_json(&case.join("expected-stats.json")) {
            let ours = read_json(&logdir.join("stats.json")).expect("stats.json written");
            totals.add(&name, &expected, &ours);
        }
    }

    eprintln!(
        "corpus_run: {} cases ran, {} with expected stats; {} counters compared, {} equal; \
         {} excluded in {} cases",
        cases.len(),
        totals.cases,
        totals.compared,
        totals.equal,
        totals.excluded,
        EXCLUDED.len()
    );
    for (counter, n) in &totals.by_counter {
        eprintln!("  compared {counter}: {n} cases");
    }
    let unused: Vec<_> = EXCLUDED
        .iter()
        .filter(|(c, p, _)| {
            !totals
                .exclusions_used
                .contains(&(c.to_string(), p.to_string()))
        })
        .map(|(c, p, _)| format!("{c} ({p})"))
        .collect();
    assert!(
        totals.mismatches.is_empty(),
        "{} counters differ from Suricata's:\n{}",
        totals.mismatches.len(),
        totals.mismatches.join("\n")
    );
    assert!(
        unused.is_empty(),
        "excluded but no longer different (remove the exclusion): {unused:?}"
    );
    assert!(totals.cases >= 600, "only {} cases compared", totals.cases);
}

/// Runs one case through the binary and checks it ended well.
fn run_case(bin: &str, case: &Path, logdir: &Path) {
    let name = case.file_name().unwrap().to_string_lossy();
    let expected = read_json(&case.join("expected.json")).expect("expected.json");
    let mut cmd = conformance::command(bin, case, &expected, false, logdir);
    let started = Instant::now();
    let output = cmd.output().unwrap();
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("panicked"),
        "{name}: rulewire panicked:\n{stderr}"
    );
    assert!(
        matches!(output.status.code(), Some(0) | Some(1)),
        "{name}: exit status {:?}\n{stderr}",
        output.status
    );
    assert!(
        took < Duration::from_secs(60),
        "{name}: took {took:?}, something loops"
    );
}

fn read_json(path: &Path) -> Option<Value> {
    let text = std::fs::read_to_string(path).ok()?;
    Some(serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

#[derive(Default)]
struct Totals {
    cases: usize,
    compared: usize,
    equal: usize,
    excluded: usize,
    by_counter: BTreeMap<String, usize>,
    mismatches: Vec<String>,
    exclusions_used: BTreeSet<(String, String)>,
}

impl Totals {
    fn add(&mut self, case: &str, expected: &Value, ours: &Value) {
        self.cases += 1;
        let (want, got) = (common::counters(expected), common::counters(ours));
        let names: BTreeSet<&String> = want.keys().chain(got.keys()).collect();
        for name in names.into_iter().filter(|n| modelled(n)) {
            let w = want.get(name).copied().unwrap_or(0);
            let g = got.get(name).copied().unwrap_or(0);
            if excluded(case, name) {
                self.excluded += 1;
                if w != g {
                    for (c, p, _) in EXCLUDED {
                        if *c == case && name.starts_with(p) {
                            self.exclusions_used.insert((c.to_string(), p.to_string()));
                        }
                    }
                }
                continue;
            }
            self.compared += 1;
            *self.by_counter.entry(name.clone()).or_default() += 1;
            if w == g {
                self.equal += 1;
            } else {
                self.mismatches
                    .push(format!("{case}: {name}: suricata {w}, ours {g}"));
            }
        }
    }
}

#[test]
fn modelled_counters_are_the_intended_ones() {
    assert!(modelled("decoder.event.ipv4.trunc_pkt"));
    assert!(modelled("decoder.pkts"));
    assert!(modelled("defrag.ipv6.reassembled"));
    assert!(modelled("defrag.memuse"));
    assert!(modelled("flow.end.tcp_state.closed"));
    assert!(modelled("flow.total"));
    assert!(modelled("tcp.sessions"));
    assert!(modelled("tcp.syn"));
    assert!(!modelled("flow.mgr.flows_timeout"));
    assert!(!modelled("flow.memuse"));
    assert!(!modelled("tcp.reassembly_memuse"));
    assert!(!modelled("decoder.max_mac_addrs_src"));
    assert!(!modelled("detect.alert"));
    assert!(!modelled("app_layer.flow.http"));
    assert!(excluded("bug-2491-01", "flow.end.state.new"));
    assert!(!excluded("bug-2491-01", "flow.total"));
    assert!(excluded("bpf-command-line", "decoder.pkts"));
}
