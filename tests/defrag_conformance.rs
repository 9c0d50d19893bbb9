//! Runs every conformance capture (`../shared/conformance/*/input.pcap`)
//! through decode + defrag and compares with Suricata 8.0.6's recorded
//! counters (`expected-stats.json`, absent counter = 0) and alerts:
//!
//! * `defrag.ipv4/ipv6.fragments` and `.reassembled`, the trackers/frags
//!   limit counters, and the defrag-raised events
//!   (`decoder.event.ipv4/ipv6.frag_overlap`, `.frag_pkt_too_large`,
//!   `.frag_ignored`) must be equal;
//! * every alert of a defrag event rule (sids 2200069-2200072) must sit on
//!   a packet where we raise that event;
//! * `defrag.mgr.tracker_timeout` / `defrag.wrk.tracker_timeout` are
//!   printed, not asserted: Suricata's flow manager collects finished
//!   trackers on its own thread, so the count depends on thread timing
//!   (identical captures -1 and -2 record 0 and 1). `defrag.memuse` is the
//!   memcap in Suricata's output and is only printed.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use rulewire::capture::{CaptureFile, Timestamp};
use rulewire::decode::{decode, DecodeConfig, DecodeEvent};
use rulewire::defrag::{DefragConfig, Defragmenter};
use serde_json::Value;

/// Defrag-raised events, by the alert sid of their decoder-events rule.
const EVENT_SIDS: [(u32, DecodeEvent); 4] = [
    (2_200_069, DecodeEvent::Ipv4FragPktTooLarge),
    (2_200_070, DecodeEvent::Ipv4FragOverlap),
    (2_200_071, DecodeEvent::Ipv6FragPktTooLarge),
    (2_200_072, DecodeEvent::Ipv6FragOverlap),
];

const DEFRAG_EVENTS: [DecodeEvent; 6] = [
    DecodeEvent::Ipv4FragPktTooLarge,
    DecodeEvent::Ipv4FragOverlap,
    DecodeEvent::Ipv4FragIgnored,
    DecodeEvent::Ipv6FragPktTooLarge,
    DecodeEvent::Ipv6FragOverlap,
    DecodeEvent::Ipv6FragIgnored,
];

/// Counters compared exactly.
const EXACT: [&str; 6] = [
    "defrag.ipv4.fragments",
    "defrag.ipv4.reassembled",
    "defrag.ipv6.fragments",
    "defrag.ipv6.reassembled",
    "defrag.max_trackers_reached",
    "defrag.max_frags_reached",
];

/// Counters only reported.
const TIMING: [&str; 2] = ["defrag.mgr.tracker_timeout", "defrag.wrk.tracker_timeout"];

struct Run {
    table: Defragmenter,
    /// (pcap_cnt, event) for every defrag event raised.
    events: Vec<(u64, DecodeEvent)>,
}

fn run_capture(path: &Path) -> Option<Run> {
    let file = CaptureFile::open(path).ok()?;
    let cfg = DecodeConfig::default();
    let mut table = Defragmenter::new(DefragConfig::default());
    let mut events = Vec::new();
    let mut last = Timestamp::default();
    for pkt in file.packets() {
        let Ok(pkt) = pkt else { break };
        last = pkt.ts;
        table.tick(pkt.ts);
        let d = decode(pkt.linktype, pkt.data, &cfg);
        let mut out = table.insert(pkt.ts, &d);
        // A rebuilt datagram may carry fragments of its own (tunnels):
        // feed it back, a bounded number of times.
        for _ in 0..4 {
            events.extend(out.events().map(|e| (pkt.index, e)));
            let Some(r) = out.reassembled.take() else {
                break;
            };
            let inner = r.decode(&cfg);
            out = table.insert(pkt.ts, &inner);
        }
    }
    table.sweep(last);
    Some(Run { table, events })
}

fn get(v: &Value, dotted: &str) -> u64 {
    let mut node = v;
    for part in dotted.split('.') {
        match node.get(part) {
            Some(n) => node = n,
            None => return 0,
        }
    }
    node.as_u64().unwrap_or(0)
}

#[test]
fn defrag_counters_match_suricata() {
    let Some(shared) = common::shared_dir("defrag_conformance") else {
        return;
    };
    let dirs = common::conformance_cases(&shared, &["input.pcap"]);
    assert!(!dirs.is_empty(), "no conformance captures");

    let mut failures = Vec::new();
    let mut with_fragments = 0usize;
    let mut compared = 0usize;
    let mut timing: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut unverified = Vec::new();

    for dir in &dirs {
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned());
        let name = name.unwrap_or_default();
        let Some(run) = run_capture(&dir.join("input.pcap")) else {
            continue;
        };
        let ours = run.table.counters().to_json(0);
        let ours_total = run.table.counters().ipv4_fragments + run.table.counters().ipv6_fragments;
        if ours_total > 0 {
            with_fragments += 1;
        }

        // Alerts of defrag event rules sit on packets where we raise them.
        let expected_alerts: Value = fs::read_to_string(dir.join("expected.json"))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or(Value::Null);
        if let Some(alerts) = expected_alerts["alerts"].as_array() {
            for a in alerts {
                let sid = a["sid"].as_u64().unwrap_or(0);
                let cnt = a["pcap_cnt"].as_u64().unwrap_or(0);
                if let Some(&(_, ev)) = EVENT_SIDS.iter().find(|(s, _)| u64::from(*s) == sid) {
                    if !run.events.contains(&(cnt, ev)) {
                        failures.push(format!(
                            "{name}: Suricata alerts sid {sid} on packet {cnt}, we raise no {} there",
                            ev.name()
                        ));
                    }
                }
            }
        }

        let stats_path = dir.join("expected-stats.json");
        let Ok(text) = fs::read_to_string(&stats_path) else {
            if ours_total > 0 {
                unverified.push(name.clone());
            }
            continue;
        };
        let expected: Value = serde_json::from_str(&text).expect("stats json");
        compared += 1;
        for key in EXACT {
            let (want, got) = (get(&expected, key), get(&ours, key));
            if want != got {
                failures.push(format!("{name}: {key} Suricata {want}, ours {got}"));
            }
        }
        for ev in DEFRAG_EVENTS {
            let key = ev.counter_name();
            let want = get(&expected, &key);
            let got = run.events.iter().filter(|(_, e)| *e == ev).count() as u64;
            if want != got {
                failures.push(format!("{name}: {key} Suricata {want}, ours {got}"));
            }
        }
        for key in TIMING {
            let (want, got) = (get(&expected, key), get(&ours, key));
            if want != 0 || got != 0 {
                timing.insert(format!("{name} {key}"), (want, got));
            }
        }
    }

    eprintln!(
        "defrag conformance: {} captures, {} with fragments, {} with Suricata stats",
        dirs.len(),
        with_fragments,
        compared
    );
    for (what, (want, got)) in &timing {
        let mark = if want == got { "match" } else { "differs" };
        eprintln!("  timing-dependent {what}: Suricata {want}, ours {got} ({mark})");
    }
    for name in &unverified {
        eprintln!("  fragments but no expected-stats.json: {name}");
    }
    for f in &failures {
        eprintln!("  MISMATCH {f}");
    }
    assert!(failures.is_empty(), "{} mismatches", failures.len());
}

/// A test a reassembled packet must pass.
type Check = fn(&rulewire::decode::Decoded<'_>) -> bool;

/// The suricata-verify "bug-6887" captures: datagrams fragmented behind
/// VLAN, PPP and GRE/PPP tunnels. Suricata alerts once per capture on the
/// reassembled packet (its alert has no `pcap_cnt`: a pseudo packet); the
/// rules need the rebuilt transport header.
#[test]
fn tunnelled_and_vlan_fragments_reassemble() {
    let Some(shared) = common::shared_dir("defrag_conformance") else {
        return;
    };
    let cases: [(&str, Check); 4] = [
        ("bug-6887-defrag-eth-vlan-ipv6-tcp", |d| {
            d.ports() == Some((12345, 8080)) && d.tcp().is_some() && d.payload().len() == 1000
        }),
        ("bug-6887-defrag-ipv4-tcp-syn", |d| {
            d.ports() == Some((12345, 8080)) && d.tcp().is_some_and(|t| t.flags() & 0x02 != 0)
        }),
        ("bug-6887-defrag-ppp-ipv4-tcp-syn", |d| {
            d.ports() == Some((12345, 8080)) && d.tcp().is_some_and(|t| t.flags() & 0x02 != 0)
        }),
        ("bug-6942-6887-defrag-eth-ip-gre-ppp-ip-udp-data", |d| {
            d.ports() == Some((11111, 9999)) && d.udp().is_some() && d.payload().len() > 65000
        }),
    ];
    let cfg = DecodeConfig::default();
    for (case, matches) in cases {
        let path = shared.join("conformance").join(case).join("input.pcap");
        let file = CaptureFile::open(&path).expect("capture");
        let mut table = Defragmenter::new(DefragConfig::default());
        let mut hits = 0;
        for pkt in file.packets() {
            let pkt = pkt.expect("packet");
            let d = decode(pkt.linktype, pkt.data, &cfg);
            if let Some(r) = table.insert(pkt.ts, &d).reassembled {
                let inner = r.decode(&cfg);
                eprintln!("{case}: {}", inner.summary());
                if matches(&inner) {
                    hits += 1;
                }
            }
        }
        assert_eq!(hits, 1, "{case}");
    }
}
