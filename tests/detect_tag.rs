//! `tag` end to end: rules through the real `Worker` and `Detector` on
//! hand-built UDP packets, recording alerts and tagged packets (what EVE
//! logs as `packet` records with `tagged-packets: yes`).
//!
//! Each case's expectation is worked out in its comment (the packet that
//! set a tag counts towards it; `packets`/`bytes`/whole seconds above the
//! count end it). The same packets (written to a pcap) and rules through
//! Suricata 8.0.6 (`--runmode single`, EVE alert with `tagged-packets:
//! true`) log exactly these alert and packet records (checked by hand, not
//! by these tests). With `../shared`, suricata-verify's eve-tag-02 and
//! eve-tag-06 are also run through `rulewire run` and their `packet`
//! records compared with what Suricata 8.0.6 logged.

mod common;
#[path = "common/detect.rs"]
mod harness;

use std::sync::Arc;

use harness::Udp;
use rulewire::detect::prefilter::PrefilterSettings;
use rulewire::detect::Detector;
use rulewire::output::{AlertRecord, AlertSink};

/// What was logged: `('a', n)` for an alert on packet n, `('p', n)` for
/// packet n tagged.
#[derive(Default)]
struct Log(Vec<(char, u64)>);

impl AlertSink for Log {
    fn alert(&mut self, rec: &AlertRecord<'_>) -> std::io::Result<()> {
        self.0.push(('a', rec.pcap_cnt));
        Ok(())
    }

    fn tagged_packet(&mut self, rec: &AlertRecord<'_>) -> std::io::Result<()> {
        assert!(rec.packet.is_some_and(|p| !p.is_empty()));
        self.0.push(('p', rec.pcap_cnt));
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

const A: [u8; 4] = [10, 0, 0, 1];
const B: [u8; 4] = [10, 0, 0, 2];
const C: [u8; 4] = [10, 0, 0, 3];

/// A UDP packet at second `t` with a 2-byte payload: 14 + 20 + 8 + 2 =
/// 44 bytes on the wire (the byte counts below rely on it).
fn p(t: u64, src: [u8; 4], sport: u16, dst: [u8; 4], dport: u16, payload: &'static [u8; 2]) -> Udp {
    harness::udp_at(t, src, sport, dst, dport, payload)
}

fn run(rule: &str, pkts: &[Udp]) -> Vec<(char, u64)> {
    assert!(pkts.iter().all(|k| k.frame().len() == 44));
    let set = harness::load(rule);
    let engine = harness::engine(&set, true, PrefilterSettings::default());
    let det = Detector::new(Arc::new(engine), Log::default());
    harness::feed_udp(det, pkts, |_| {}).into_sink().0
}

/// Count 3 packets: the alert packet (1) is the tag's first; the reply
/// (2) and the next packet of the flow (4) are its second and third; the
/// packet of another flow (3) is not counted, and 5 ends the tag.
#[test]
fn session_packets() {
    let got = run(
        r#"alert udp any any -> any any (content:"go"; tag:session,3,packets; sid:1;)"#,
        &[
            p(0, A, 1000, B, 53, b"go"),
            p(0, B, 53, A, 1000, b"xx"),
            p(0, C, 2000, B, 53, b"xx"),
            p(0, A, 1000, B, 53, b"xx"),
            p(0, A, 1000, B, 53, b"xx"),
        ],
    );
    assert_eq!(got, [('a', 1), ('p', 2), ('p', 4)]);
}

/// Count 176 bytes of host A (the alert's source), 44 bytes a packet:
/// 44 (alert), 88 (2, A -> C), 132 (3, C -> A), 176 (5); packet 4 is not
/// about A, and 220 (6) ends the tag.
#[test]
fn host_src_bytes_across_flows() {
    let got = run(
        r#"alert udp any any -> any any (content:"go"; tag:host,176,bytes,src; sid:1;)"#,
        &[
            p(0, A, 1000, B, 53, b"go"),
            p(0, A, 1001, C, 53, b"xx"),
            p(0, C, 53, A, 1001, b"xx"),
            p(0, B, 1002, C, 53, b"xx"),
            p(0, A, 1003, B, 53, b"xx"),
            p(0, A, 1004, B, 53, b"xx"),
        ],
    );
    assert_eq!(got, [('a', 1), ('p', 2), ('p', 3), ('p', 5)]);
}

/// Count 2 seconds from the alert at second 0: seconds 1 and 2 are
/// within it (1 - 0 and 2 - 0 are not above 2), second 3 is not.
#[test]
fn session_seconds() {
    let got = run(
        r#"alert udp any any -> any any (content:"go"; tag:session,2,seconds; sid:1;)"#,
        &[
            p(0, A, 1000, B, 53, b"go"),
            p(1, A, 1000, B, 53, b"xx"),
            p(2, B, 53, A, 1000, b"xx"),
            p(3, A, 1000, B, 53, b"xx"),
            p(3, A, 1000, B, 53, b"xx"),
        ],
    );
    assert_eq!(got, [('a', 1), ('p', 2), ('p', 3)]);
}

/// `threshold` every 2nd match: match 1 is ignored and sets no tag;
/// match 2 alerts and tags (count 2: packet 3 is its second); match 3 is
/// ignored; match 4 alerts and restarts the tag, and since the tag's
/// first packet was already seen, packet 4 is tagged too (1 of 2), then
/// 5 (2 of 2); 6 ends it.
#[test]
fn tags_follow_thresholds_and_restart_on_a_new_alert() {
    let got = run(
        r#"alert udp any any -> any any (content:"go"; threshold:type threshold,track by_rule,count 2,seconds 60; tag:session,2,packets; sid:1;)"#,
        &[
            p(0, A, 1000, B, 53, b"go"),
            p(0, A, 1000, B, 53, b"go"),
            p(0, A, 1000, B, 53, b"go"),
            p(0, A, 1000, B, 53, b"go"),
            p(0, A, 1000, B, 53, b"xx"),
            p(0, A, 1000, B, 53, b"xx"),
        ],
    );
    assert_eq!(got, [('a', 2), ('p', 3), ('a', 4), ('p', 4), ('p', 5)]);
}

/// `noalert`: no alert is logged, but the match sets the tag (Suricata
/// sets tags for every match that passes thresholds).
#[test]
fn noalert_still_tags() {
    let got = run(
        r#"alert udp any any -> any any (content:"go"; noalert; tag:session,2,packets; sid:1;)"#,
        &[
            p(0, A, 1000, B, 53, b"go"),
            p(0, A, 1000, B, 53, b"xx"),
            p(0, A, 1000, B, 53, b"xx"),
        ],
    );
    assert_eq!(got, [('p', 2)]);
}

/// The `packet` records of `rulewire run` on a suricata-verify case, as
/// pcap_cnt values.
fn packet_records(case: &str) -> Option<Vec<u64>> {
    let shared = common::shared_dir("detect_tag")?;
    let dir = shared.join("conformance").join(case);
    let out = tempfile::tempdir().unwrap();
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_rulewire"))
        .current_dir(&dir)
        .args([
            "run",
            "-r",
            "input.pcap",
            "-S",
            "test.rules",
            "-c",
            "suricata.yaml",
        ])
        .args(["--runmode=single", "-k", "none", "-l"])
        .arg(out.path())
        .output()
        .unwrap();
    assert!(status.status.success(), "{status:?}");
    let eve = std::fs::read_to_string(out.path().join("eve.json")).unwrap();
    Some(
        eve.lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .filter(|v| v["event_type"] == "packet")
            .map(|v| v["pcap_cnt"].as_u64().unwrap())
            .collect(),
    )
}

/// eve-tag-02: `tag:session` on the SYN (packet 8) of the ssh flow tags
/// the flow's later packets (9-15, 18; 16-17 are DNS), as Suricata 8.0.6
/// logged them.
#[test]
fn eve_tag_02_packets() {
    if let Some(got) = packet_records("eve-tag-02") {
        assert_eq!(got, [9, 10, 11, 12, 13, 14, 15, 18]);
    }
}

/// eve-tag-06: host tags on both ends of the SYN tag every later packet
/// of .27 or .103, including .103's DNS and TLS flows (one worker, as in
/// Suricata's single runmode).
#[test]
fn eve_tag_06_packets() {
    if let Some(got) = packet_records("eve-tag-06") {
        assert_eq!(got, [9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 21, 22, 23, 24]);
    }
}
