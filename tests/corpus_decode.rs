//! Conformance counter oracle: decode every conformance capture
//! (`../shared/conformance/*/input.pcap`) and compare our `decoder.*`
//! counters (plus the decoder-side `tcp.syn/synack/rst/urg`) with the ones
//! Suricata 8.0.6 recorded in `expected-stats.json` (an absent counter is 0).
//!
//! Prints a per-counter summary of matches and mismatches, and asserts on
//! the counters this decoder is meant to reproduce exactly, in the cases
//! where they are not influenced by stages we do not run here:
//!
//! * Suricata decodes each reassembled IP packet again, so `decoder.ipv4`,
//!   `decoder.tcp` ... count reassembled packets too, and defrag raises its
//!   own events (`ipv6.frag_overlap` ...). In cases with
//!   `defrag.*.reassembled` or any `frag_*` event those counters
//!   ([`reassembly_sensitive`]) are compared but not asserted on; every
//!   other counter still is.
//! * Decoders we do not have (VN-tag) and the MAC-address counters are
//!   listed as not produced.
//! * Known differences with their reasons are in [`KNOWN_DIFFERENCES`].

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use rulewire::capture::CaptureFile;
use rulewire::decode::{decode, DecodeConfig, DecodeCounters, LinkType};
use serde_json::Value;

/// Counters we do not produce at all (no decoder for them).
const NOT_PRODUCED: &[&str] = &[
    "decoder.vntag",
    "decoder.max_mac_addrs_src",
    "decoder.max_mac_addrs_dst",
];

/// Cases whose counters differ on purpose, with the cause.
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[(
    "bpf-command-line",
    "Suricata ran with the BPF filter `port 22`; the reader does not filter",
)];

/// Counters that reassembly moves: Suricata decodes each reassembled packet
/// again (IP and upper layers), and defrag raises the `frag_*` events.
fn reassembly_sensitive(name: &str) -> bool {
    matches!(
        name,
        "decoder.ipv4"
            | "decoder.ipv6"
            | "decoder.tcp"
            | "decoder.udp"
            | "decoder.sctp"
            | "decoder.icmpv4"
            | "decoder.icmpv6"
            | "tcp.syn"
            | "tcp.synack"
            | "tcp.rst"
            | "tcp.urg"
    ) || name.contains(".frag_")
}

/// Whether a counter is one this module owns.
fn is_decoder_counter(name: &str) -> bool {
    name.starts_with("decoder.") || matches!(name, "tcp.syn" | "tcp.synack" | "tcp.rst" | "tcp.urg")
}

fn decode_case(pcap: &Path) -> Result<DecodeCounters, String> {
    let file = CaptureFile::open(pcap).map_err(|e| e.to_string())?;
    let cfg = DecodeConfig::default();
    let mut counters = DecodeCounters::new();
    for packet in file.packets() {
        let packet = match packet {
            Ok(p) => p,
            Err(_) => break,
        };
        let d = decode(LinkType(packet.linktype.0), packet.data, &cfg);
        counters.record(&d, packet.data.len());
    }
    Ok(counters)
}

#[derive(Default)]
struct Tally {
    matched: usize,
    mismatched: Vec<String>,
}

#[test]
fn decoder_counters_match_suricata() {
    let Some(shared) = common::shared_dir("corpus_decode") else {
        return;
    };
    let dirs = common::conformance_cases(&shared, &["input.pcap", "expected-stats.json"]);
    assert!(
        !dirs.is_empty(),
        "no conformance cases with expected-stats.json"
    );

    let mut per_counter: BTreeMap<String, Tally> = BTreeMap::new();
    let mut asserted_failures = Vec::new();
    let (mut cases, mut defrag_cases, mut clean_cases) = (0usize, 0usize, 0usize);

    for dir in &dirs {
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if KNOWN_DIFFERENCES.iter().any(|(case, _)| *case == name) {
            continue;
        }
        let text = fs::read_to_string(dir.join("expected-stats.json")).expect("stats readable");
        let json: Value = serde_json::from_str(&text).expect("stats parse");
        let expected = common::counters(&json);
        let ours = match decode_case(&dir.join("input.pcap")) {
            Ok(c) => c,
            Err(e) => {
                asserted_failures.push(format!("{name}: capture does not open: {e}"));
                continue;
            }
        };
        cases += 1;
        let defrag = expected
            .iter()
            .any(|(k, v)| *v > 0 && (k.contains("reassembled") || k.contains(".frag_")));
        if defrag {
            defrag_cases += 1;
        }
        let mut ours_map: BTreeMap<String, u64> = ours.entries().into_iter().collect();
        for name in expected.keys().filter(|k| is_decoder_counter(k)) {
            ours_map.entry(name.clone()).or_insert(0);
        }
        let mut case_clean = true;
        for (counter, &our_value) in &ours_map {
            if NOT_PRODUCED.contains(&counter.as_str()) {
                continue;
            }
            let theirs = expected.get(counter).copied().unwrap_or(0);
            let tally = per_counter.entry(counter.clone()).or_default();
            if theirs == our_value {
                tally.matched += 1;
            } else {
                case_clean = false;
                let msg = format!("{name}: ours {our_value} suricata {theirs}");
                tally.mismatched.push(msg.clone());
                if !defrag || !reassembly_sensitive(counter) {
                    asserted_failures.push(format!("{counter}: {msg}"));
                }
            }
        }
        if case_clean {
            clean_cases += 1;
        }
    }

    eprintln!("\n=== corpus_decode: {cases} cases ({defrag_cases} involve reassembly), {clean_cases} match on every decoder counter ===");
    for (counter, tally) in &per_counter {
        eprintln!(
            "{counter:50} match {:4}  mismatch {:3}{}",
            tally.matched,
            tally.mismatched.len(),
            if tally.mismatched.is_empty() {
                String::new()
            } else {
                format!(
                    "  e.g. {}",
                    tally
                        .mismatched
                        .iter()
                        .take(3)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join("; ")
                )
            }
        );
    }
    for (case, why) in KNOWN_DIFFERENCES {
        eprintln!("known difference: {case}: {why}");
    }
    eprintln!("not produced: {}", NOT_PRODUCED.join(", "));
    assert!(
        asserted_failures.is_empty(),
        "{} counter mismatches outside reassembly cases:\n{}",
        asserted_failures.len(),
        asserted_failures.join("\n")
    );
}

/// Rough decode throughput over the whole corpus (prints, asserts nothing
/// about time). Run with
/// `cargo test --release --test corpus_decode -- --ignored --nocapture`.
#[test]
#[ignore]
fn decode_throughput() {
    let Some(shared) = common::shared_dir("corpus_decode throughput") else {
        return;
    };
    let mut frames: Vec<(u16, Vec<u8>)> = Vec::new();
    for entry in fs::read_dir(shared.join("conformance"))
        .expect("dir")
        .flatten()
    {
        let Ok(file) = CaptureFile::open(&entry.path().join("input.pcap")) else {
            continue;
        };
        for p in file.packets().flatten() {
            frames.push((p.linktype.0, p.data.to_vec()));
        }
    }
    let bytes: usize = frames.iter().map(|(_, f)| f.len()).sum();
    let cfg = DecodeConfig::default();
    let rounds = 20;
    let start = std::time::Instant::now();
    let mut events = 0usize;
    for _ in 0..rounds {
        for (lt, f) in &frames {
            events += decode(LinkType(*lt), f, &cfg).events().len();
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let pkts = (frames.len() * rounds) as f64;
    eprintln!(
        "decoded {} packets ({} MB) in {secs:.3}s: {:.2} Mpkt/s, {:.0} MB/s ({events} events)",
        pkts,
        bytes * rounds / 1_000_000,
        pkts / secs / 1e6,
        (bytes * rounds) as f64 / secs / 1e6
    );
}
