//! `rulewire bench`: a hand-built capture of 50 UDP packets, 20 of them
//! carrying "attack", and one rule matching that content.
//!
//! Asserted, with 1 and 2 threads and `--loops 2`: `--json` prints one
//! object with exactly the documented keys (and `latency` with exactly
//! its five), `packets` = 100 (50 × 2 loops), `bytes` = twice the frames'
//! lengths, `alerts` = 40, rates consistent with `seconds`, and the text
//! form names the same counts.

use std::collections::BTreeSet;
use std::process::Command;

use rulewire::capture::{LinkType, PcapWriter, Timestamp, TsPrecision};
use rulewire::decode::craft::PacketBuilder;
use serde_json::Value;

fn fixture(dir: &std::path::Path) -> u64 {
    let mut w = PcapWriter::new(Vec::new(), LinkType::ETHERNET, TsPrecision::Micro).unwrap();
    let mut bytes = 0u64;
    for i in 0..50u8 {
        let payload: &[u8] = if i % 5 < 2 {
            b"an attack here"
        } else {
            b"benign"
        };
        let frame = PacketBuilder::ipv4([10, 0, 0, i], [10, 0, 1, 1])
            .udp(2000 + u16::from(i), 53, payload)
            .ethernet();
        bytes += frame.len() as u64;
        w.write_packet(
            Timestamp::new(1_700_000_000 + u64::from(i), 0),
            &frame,
            frame.len() as u32,
        )
        .unwrap();
    }
    std::fs::write(dir.join("in.pcap"), w.into_inner().unwrap()).unwrap();
    std::fs::write(
        dir.join("t.rules"),
        "alert udp any any -> any any (msg:\"attack\"; content:\"attack\"; sid:9;)\n",
    )
    .unwrap();
    bytes
}

fn bench(dir: &std::path::Path, threads: &str, json: bool) -> String {
    bench_with(dir, threads, json, &[])
}

fn bench_with(dir: &std::path::Path, threads: &str, json: bool, extra: &[&str]) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rulewire"));
    cmd.current_dir(dir).args([
        "bench",
        "-r",
        "in.pcap",
        "-S",
        "t.rules",
        "--threads",
        threads,
        "--loops",
        "2",
    ]);
    if json {
        cmd.arg("--json");
    }
    cmd.args(extra);
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn bench_reports_exact_keys_and_counts() {
    let dir = tempfile::tempdir().unwrap();
    let frame_bytes = fixture(dir.path());
    for threads in ["1", "2"] {
        let text = bench(dir.path(), threads, true);
        assert_eq!(text.lines().count(), 1, "one JSON object: {text}");
        let v: Value = serde_json::from_str(&text).unwrap();
        let keys: BTreeSet<&str> = v.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        let want: BTreeSet<&str> = [
            "load_seconds",
            "packets",
            "bytes",
            "seconds",
            "pps",
            "gbps",
            "alerts",
            "latency",
            "peak_rss_bytes",
        ]
        .into();
        assert_eq!(keys, want);
        let lat: BTreeSet<&str> = v["latency"]
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        assert_eq!(
            lat,
            ["p50_us", "p90_us", "p99_us", "p99_9_us", "max_us"].into()
        );
        assert_eq!(v["packets"], 100, "threads {threads}");
        assert_eq!(v["bytes"].as_u64().unwrap(), 2 * frame_bytes);
        assert_eq!(v["alerts"], 40, "threads {threads}");
        let secs = v["seconds"].as_f64().unwrap();
        assert!(secs > 0.0);
        let pps = v["pps"].as_f64().unwrap();
        assert!((pps * secs - 100.0).abs() < 1e-6 * 100.0, "{pps} × {secs}");
        let gbps = v["gbps"].as_f64().unwrap();
        assert!((gbps * 1e9 * secs - 16.0 * frame_bytes as f64).abs() < 1e-3 * frame_bytes as f64);
        assert!(
            v["latency"]["max_us"].as_f64().unwrap() >= v["latency"]["p50_us"].as_f64().unwrap()
        );
        assert!(v["load_seconds"].as_f64().unwrap() >= 0.0);
        if cfg!(target_os = "linux") {
            assert!(v["peak_rss_bytes"].as_u64().unwrap() > 0);
        }
    }
    let text = bench(dir.path(), "2", false);
    assert!(text.contains("packets:        100\n"), "{text}");
    assert!(text.contains("alerts:         40\n"), "{text}");
    assert!(text.contains("threads:        2\n"), "{text}");
}

/// `--profile-rules 3` with two rules: the content rule is checked on the
/// packets the prefilter lets through and matches 20 times per loop; the
/// rule without content is checked on all 50 and matches all 50.
#[test]
fn profile_rules_lists_checks_and_matches() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    std::fs::write(
        dir.path().join("t.rules"),
        "alert udp any any -> any any (msg:\"attack\"; content:\"attack\"; sid:9;)\n\
         alert udp any any -> any 53 (msg:\"dns port\"; sid:10;)\n",
    )
    .unwrap();
    for threads in ["1", "2"] {
        let text = bench_with(dir.path(), threads, true, &["--profile-rules", "3"]);
        let v: Value = serde_json::from_str(&text).unwrap();
        let rows = v["rule_profile"].as_array().unwrap();
        assert_eq!(rows.len(), 2, "{text}");
        let row = |sid: u64| rows.iter().find(|r| r["sid"] == sid).unwrap();
        assert_eq!(row(10)["checks"], 100, "{text}");
        assert_eq!(row(10)["matches"], 100, "{text}");
        assert_eq!(row(9)["matches"], 40, "{text}");
        assert!(row(9)["checks"].as_u64().unwrap() >= 40, "{text}");
        assert_eq!(v["alerts"], 140);
    }
}
