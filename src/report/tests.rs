//! Report tests over small crafted captures; every expected number is
//! counted by hand from the packets built here.

use super::*;
use crate::capture::{LinkType, PcapWriter, TsPrecision};
use crate::decode::craft::{PacketBuilder, TcpSpec};

const T0: u64 = 1_321_164_000; // 2011-11-13 06:00:00 UTC, a window start
const A: [u8; 4] = [118, 122, 188, 27];
const B: [u8; 4] = [121, 14, 5, 100];
const C: [u8; 4] = [184, 107, 227, 10];
const HP: [u8; 4] = [203, 0, 113, 10];
const MARKER: [u8; 4] = [0xa0, 0x02, 0x7d, 0x78];

fn capture(frames: &[(u64, Vec<u8>)]) -> CaptureFile {
    let mut w = PcapWriter::new(Vec::new(), LinkType::ETHERNET, TsPrecision::Micro).unwrap();
    for (secs, f) in frames {
        w.write_packet(Timestamp::new(*secs, 0), f, f.len() as u32)
            .unwrap();
    }
    CaptureFile::from_bytes(w.into_inner().unwrap()).unwrap()
}

fn probe(src: [u8; 4], doff: u8, flags: u8, payload: &[u8]) -> Vec<u8> {
    PacketBuilder::ipv4(src, HP)
        .tcp(0, 0, TcpSpec::new(flags).data_offset(doff).payload(payload))
        .ethernet()
}

fn report(frames: &[(u64, Vec<u8>)]) -> Report {
    Report::from_capture(&capture(frames), &ReportOptions::default())
}

/// Nine packets: doff 0 ×3, doff 3 ×2, doff 5 (valid) ×4; flags 0x12 ×4,
/// 0x00 ×3, 0xff ×2; sources A ×5, B ×3, C ×1.
fn cert_like() -> Vec<(u64, Vec<u8>)> {
    vec![
        (T0, probe(A, 0, 0x12, &MARKER)),
        (T0 + 10, probe(A, 0, 0x12, &[])),
        (
            T0 + 20,
            probe(A, 0, 0x00, &[0, 0, 0, 0, 0xa0, 0x02, 0x7d, 0x78]),
        ),
        (T0 + 30, probe(A, 3, 0x00, &MARKER)),
        (T0 + 40, probe(A, 3, 0xff, &[])),
        (T0 + 300, probe(B, 5, 0x12, &MARKER)),
        (T0 + 310, probe(B, 5, 0x12, &[])),
        (T0 + 320, probe(B, 5, 0x00, &[])),
        (T0 + 900, probe(C, 5, 0xff, &[])),
    ]
}

#[test]
fn header_errors_cert_style() {
    let r = report(&cert_like());
    let rows: Vec<(u64, &str)> = r
        .tcp_header_errors
        .rows
        .iter()
        .map(|e| (e.count, e.text.as_str()))
        .collect();
    assert_eq!(
        rows,
        vec![
            (3, "bad hdr length 0 - too short, < 20"),
            (2, "bad hdr length 12 - too short, < 20"),
        ]
    );
    assert_eq!(r.tcp_header_errors.total, 5);
    assert_eq!(r.summary.invalid, 5);
    assert_eq!(
        r.decoder_events.rows,
        vec![EventRow {
            count: 5,
            event: "tcp.invalid_optlen"
        }]
    );
}

#[test]
fn flags_by_count_then_value() {
    let r = report(&cert_like());
    let rows: Vec<(u64, &str, &str)> = r
        .tcp_flags
        .rows
        .iter()
        .map(|f| (f.count, f.hex.as_str(), f.names.as_str()))
        .collect();
    assert_eq!(
        rows,
        vec![
            (4, "0x12", "SYN, ACK"),
            (3, "0x00", "<none>"),
            (2, "0xff", "FIN, SYN, RST, PSH, ACK, URG, ECN, CWR"),
        ]
    );
    assert_eq!(r.tcp_flags.total, 9);
}

#[test]
fn payloads_hex_and_printable() {
    let r = report(&cert_like());
    assert_eq!(r.payloads.total, 4);
    let top = &r.payloads.rows[0];
    assert_eq!((top.count, top.hex.as_str(), top.len), (3, "a0027d78", 4));
    assert_eq!(top.printable, "..}x");
    assert!(!top.truncated);
    assert_eq!(r.payloads.rows[1].hex, "00000000a0027d78");
}

#[test]
fn long_payloads_are_keyed_by_prefix_and_length() {
    let long: Vec<u8> = (0..100u8).map(|i| b'A' + i % 26).collect();
    let f = PacketBuilder::ipv4(A, HP).udp(1234, 53, &long).ethernet();
    let r = report(&[(T0, f.clone()), (T0 + 1, f)]);
    let row = &r.payloads.rows[0];
    assert_eq!((row.count, row.len, row.truncated), (2, 100, true));
    assert_eq!(row.hex.len(), 2 * PAYLOAD_KEY_LEN);
    assert!(row.printable.starts_with("ABCDEFGHIJKLMNOPQRSTUVWXYZABCD"));
}

#[test]
fn ports_keep_real_zero_malformed_and_fragments_apart() {
    let r = report(&cert_like());
    let rows: Vec<(u64, &str)> = r
        .dst_ports
        .rows
        .iter()
        .map(|p| (p.count, p.text.as_str()))
        .collect();
    assert_eq!(rows, vec![(5, "tcp/0 (malformed header)"), (4, "tcp/0")]);

    let frag1 = PacketBuilder::ipv4(A, HP)
        .raw(17, &[0u8; 16])
        .fragment(0, true, 1)
        .ethernet();
    let frag2 = PacketBuilder::ipv4(A, HP)
        .raw(17, &[0u8; 16])
        .fragment(16, false, 1)
        .ethernet();
    let syn = PacketBuilder::ipv4(A, HP)
        .tcp(0, 445, TcpSpec::syn())
        .ethernet();
    let r = report(&[(T0, frag1), (T0, frag2.clone()), (T0, frag2), (T0, syn)]);
    let rows: Vec<(u64, Option<u16>, Option<NoPort>)> = r
        .dst_ports
        .rows
        .iter()
        .map(|p| (p.count, p.port, p.no_port))
        .collect();
    assert_eq!(
        rows,
        vec![
            (2, None, Some(NoPort::LaterFragment)),
            (1, Some(445), None),
            (1, None, Some(NoPort::FirstFragment)),
        ]
    );
    assert_eq!(r.dst_ports.rows[0].text, "udp: no port (later fragment)");
    assert_eq!(r.summary.fragments, 3);
    assert!(
        r.tcp_flags.rows.iter().all(|f| f.count == 1),
        "only the SYN"
    );
}

#[test]
fn sources_and_windows() {
    let r = report(&cert_like());
    let rows: Vec<(u64, String)> = r
        .sources
        .rows
        .iter()
        .map(|s| (s.count, s.addr.to_string()))
        .collect();
    assert_eq!(
        rows,
        vec![
            (5, "118.122.188.27".to_string()),
            (3, "121.14.5.100".to_string()),
            (1, "184.107.227.10".to_string())
        ]
    );
    assert_eq!(r.summary.unique_sources, 3);
    // Windows 06:00 (A), 06:05 (B), 06:10 (empty), 06:15 (C).
    let points: Vec<(u64, u64, u64)> = r
        .windows
        .points
        .iter()
        .map(|p| (p.start - T0, p.unique_sources, p.packets))
        .collect();
    assert_eq!(
        points,
        vec![(0, 1, 5), (300, 1, 3), (600, 0, 0), (900, 1, 1)]
    );
    assert_eq!(
        r.windows.points[1].start_time,
        "2011-11-13T06:05:00.000000+0000"
    );
    assert!(!r.windows.sparse && !r.windows.saturated);
}

#[test]
fn windows_count_each_source_once() {
    let f = |s| probe(s, 5, 0x02, &[]);
    let r = report(&[
        (T0 + 1, f(A)),
        (T0 + 2, f(A)),
        (T0 + 3, f(B)),
        (T0 + 299, f(A)),
    ]);
    assert_eq!(r.windows.points.len(), 1);
    assert_eq!(r.windows.points[0].unique_sources, 2);
    assert_eq!(r.windows.points[0].packets, 4);
}

#[test]
fn long_spans_list_only_busy_windows() {
    let opts = ReportOptions {
        max_points: 3,
        ..ReportOptions::default()
    };
    let cap = capture(&[(T0, probe(A, 5, 2, &[])), (T0 + 3000, probe(B, 5, 2, &[]))]);
    let r = Report::from_capture(&cap, &opts);
    assert!(r.windows.sparse);
    assert_eq!(r.windows.points.len(), 2);
}

#[test]
fn key_limit_counts_overflow() {
    let opts = ReportOptions {
        max_keys: 2,
        ..ReportOptions::default()
    };
    let r = Report::from_capture(&capture(&cert_like()), &opts);
    // A and B fit; C's one packet overflows.
    assert_eq!(r.sources.distinct, 2);
    assert_eq!(r.sources.overflow, 1);
    assert_eq!(r.sources.total + r.sources.overflow, 9);
    // Windows: two fit; C's window does not.
    assert!(r.windows.saturated);
}

#[test]
fn truncated_capture_keeps_counts_and_names_the_error() {
    let cap = capture(&cert_like());
    let mut bytes = cap.bytes().to_vec();
    bytes.truncate(bytes.len() - 10);
    let r = Report::from_capture(
        &CaptureFile::from_bytes(bytes).unwrap(),
        &ReportOptions::default(),
    );
    assert_eq!(r.summary.packets, 8);
    let err = r.capture_error.as_deref().unwrap();
    assert!(err.contains('9'), "names packet 9: {err}");
}

#[test]
fn non_ip_and_icmp_summary() {
    let arp = crate::decode::craft::ethernet_frame([2; 6], [0xff; 6], 0x0806, &[0u8; 28]);
    let ping = PacketBuilder::ipv4(A, HP)
        .icmp(8, 0, [0, 1, 0, 1], b"abcd")
        .ethernet();
    let r = report(&[(T0, arp), (T0 + 1, ping)]);
    assert_eq!(
        (r.summary.packets, r.summary.no_ip, r.summary.ipv4),
        (2, 1, 1)
    );
    assert_eq!(r.summary.protocols.rows[0].name, "icmp");
    assert!(r.dst_ports.rows.is_empty());
    assert_eq!(r.payloads.rows[0].printable, "abcd");
}

#[test]
fn text_has_cert_tables() {
    let r = report(&cert_like());
    let mut out = Vec::new();
    r.write_text(&mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    for line in [
        "3 | bad hdr length 0 - too short, < 20",
        "2 | bad hdr length 12 - too short, < 20",
        "4 | 0x12 (SYN, ACK)",
        "3 | 0x00 (<none>)",
        "5 | tcp/0 (malformed header)",
        "4 | tcp/0",
        "5 | 118.122.188.27",
        "3 | a0027d78 |..}x| (4 bytes)",
        "5 | tcp.invalid_optlen",
        "2011-11-13 06:10 0",
        "Unique sources per 300 s window (4 windows, peak 1 at 2011-11-13 06:00, UTC)",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
}

#[test]
fn json_round_trips_through_serde_json() {
    let r = report(&cert_like());
    let mut out = Vec::new();
    r.write_json(&mut out).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["summary"]["packets"], 9);
    assert_eq!(v["tcp_header_errors"]["rows"][0]["count"], 3);
    assert_eq!(
        v["tcp_header_errors"]["rows"][0]["error"]["kind"],
        "too_short"
    );
    assert_eq!(v["tcp_header_errors"]["rows"][0]["error"]["header_len"], 0);
    assert_eq!(v["tcp_flags"]["rows"][1]["hex"], "0x00");
    assert_eq!(v["dst_ports"]["rows"][0]["malformed_header"], true);
    assert_eq!(v["sources"]["rows"][0]["addr"], "118.122.188.27");
    assert!(v["sources"]["rows"][0].get("asn").is_none(), "no geoip");
    assert!(v.get("countries").is_none());
    assert_eq!(v["windows"]["points"].as_array().unwrap().len(), 4);
}

#[test]
fn svg_is_well_formed_with_one_bar_per_window() {
    let mut r = report(&cert_like());
    r.source = Some("a <weird> & \"name\".pcap".into());
    let svg = svg::render(&r);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let bars: Vec<_> = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("bar"))
        .collect();
    assert_eq!(bars.len(), 4);
    // The empty 06:10 window is a zero-height bar.
    assert_eq!(bars[2].attribute("height"), Some("0.00"));
    let subtitle = doc
        .descendants()
        .find(|n| n.attribute("class") == Some("subtitle"))
        .unwrap();
    assert_eq!(subtitle.text(), Some("a <weird> & \"name\".pcap"));
}

#[test]
fn svg_of_an_empty_capture_is_well_formed() {
    let r = report(&[]);
    let svg = svg::render(&r);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert_eq!(
        doc.descendants()
            .filter(|n| n.attribute("class") == Some("bar"))
            .count(),
        0
    );
}
