//! Every conformance capture (`../shared/conformance/*/input.pcap`) opens and
//! iterates without panic, and where Suricata's counters were kept
//! (`expected-stats.json`), our packet count equals `decoder.pkts` and the
//! sum of captured lengths equals `decoder.bytes` (an absent counter is 0).
//! Prints a census of formats and link types.

mod common;

use std::collections::BTreeMap;
use std::fs;

use rulewire::capture::{CaptureFile, CaptureFormat, LinkType};

/// Cases where our count differs from Suricata's on purpose, with the cause.
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[(
    "bpf-command-line",
    "Suricata ran with the BPF filter `port 22` (expected.json args); \
     the file reader does not filter",
)];

#[test]
fn conformance_captures_read_and_match_suricata_counts() {
    let Some(shared) = common::shared_dir("corpus_capture") else {
        return;
    };
    let dirs = common::conformance_cases(&shared, &["input.pcap"]);
    assert!(!dirs.is_empty(), "no conformance captures found");

    let mut formats: BTreeMap<String, usize> = BTreeMap::new();
    let mut linktypes: BTreeMap<LinkType, (usize, u64)> = BTreeMap::new();
    let (mut compared, mut matched) = (0usize, 0usize);
    let mut failures = Vec::new();
    let mut ended_early = Vec::new();

    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let file = match CaptureFile::open(&dir.join("input.pcap")) {
            Ok(f) => f,
            Err(e) => {
                failures.push(format!("{name}: does not open: {e}"));
                continue;
            }
        };
        let fmt = match file.format() {
            CaptureFormat::Pcap {
                nanosecond,
                big_endian,
                modified,
                ..
            } => format!(
                "pcap {}{}{}",
                if nanosecond { "nsec" } else { "usec" },
                if big_endian { " BE" } else { " LE" },
                if modified { " modified" } else { "" }
            ),
            CaptureFormat::PcapNg { big_endian } => {
                format!("pcapng{}", if big_endian { " BE" } else { " LE" })
            }
            _ => "other".to_string(),
        };
        *formats.entry(fmt).or_default() += 1;

        let (mut pkts, mut bytes) = (0u64, 0u64);
        let mut seen_here: Vec<LinkType> = Vec::new();
        for item in file.packets() {
            match item {
                Ok(p) => {
                    assert_eq!(p.index, pkts + 1, "{name}: numbering");
                    pkts += 1;
                    bytes += p.data.len() as u64;
                    let e = linktypes.entry(p.linktype).or_default();
                    e.1 += 1;
                    if !seen_here.contains(&p.linktype) {
                        seen_here.push(p.linktype);
                        e.0 += 1;
                    }
                }
                Err(e) => ended_early.push(format!("{name}: {e}")),
            }
        }

        let stats_path = dir.join("expected-stats.json");
        let Ok(text) = fs::read_to_string(&stats_path) else {
            continue;
        };
        let stats: serde_json::Value = serde_json::from_str(&text).expect("stats json");
        let counter = |k: &str| stats["decoder"][k].as_u64().unwrap_or(0);
        let (want_pkts, want_bytes) = (counter("pkts"), counter("bytes"));
        compared += 1;
        if (pkts, bytes) == (want_pkts, want_bytes) {
            matched += 1;
        } else if let Some((_, why)) = KNOWN_DIFFERENCES.iter().find(|(n, _)| *n == name) {
            eprintln!(
                "known difference {name}: ours {pkts} pkts/{bytes} bytes, Suricata \
                 {want_pkts}/{want_bytes}: {why}"
            );
        } else {
            failures.push(format!(
                "{name}: ours {pkts} pkts/{bytes} bytes, Suricata {want_pkts}/{want_bytes}"
            ));
        }
    }

    eprintln!("\ncapture census over {} conformance captures:", dirs.len());
    for (fmt, n) in &formats {
        eprintln!("  format {fmt}: {n} files");
    }
    for (lt, (files, pkts)) in &linktypes {
        eprintln!("  link type {lt}: {files} files, {pkts} packets");
    }
    eprintln!(
        "  files that end with a read error ({}):",
        ended_early.len()
    );
    for e in &ended_early {
        eprintln!("    {e}");
    }
    eprintln!("  counts compared: {compared}, equal: {matched}\n");
    assert!(failures.is_empty(), "mismatches:\n{}", failures.join("\n"));
    assert!(compared > 0, "no expected-stats.json compared");
}

/// Reader throughput over every Ethernet packet of the conformance corpus
/// rewritten as one in-memory pcap. Not a pass/fail test (no timing
/// assertions); run it with
/// `cargo test --release --test corpus_capture -- --ignored --nocapture`.
#[test]
#[ignore]
fn reader_throughput() {
    use rulewire::capture::{CaptureSlice, PcapWriter, TsPrecision};
    use std::time::Instant;
    let Some(shared) = common::shared_dir("reader_throughput") else {
        return;
    };
    let mut w = PcapWriter::new(Vec::new(), LinkType::ETHERNET, TsPrecision::Micro).unwrap();
    for e in fs::read_dir(shared.join("conformance")).unwrap() {
        let Ok(file) = CaptureFile::open(&e.unwrap().path().join("input.pcap")) else {
            continue;
        };
        for p in file.packets().flatten() {
            if p.linktype == LinkType::ETHERNET {
                w.write_raw(&p).unwrap();
            }
        }
    }
    let bytes = w.into_inner().unwrap();
    let slice = CaptureSlice::new(&bytes).unwrap();
    let rounds = 50;
    let start = Instant::now();
    let (mut pkts, mut sum) = (0u64, 0u64);
    for _ in 0..rounds {
        for p in slice.packets() {
            let p = p.unwrap();
            pkts += 1;
            sum += p.data.len() as u64 + u64::from(p.data.first().copied().unwrap_or(0));
        }
    }
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "reader_throughput: {} packets, {:.1} MB file x {rounds}: {:.1} ns/packet, {:.2} GB/s \
         (checksum {sum})",
        pkts / rounds,
        bytes.len() as f64 / 1e6,
        secs * 1e9 / pkts as f64,
        (bytes.len() as f64 * rounds as f64) / secs / 1e9,
    );
}
