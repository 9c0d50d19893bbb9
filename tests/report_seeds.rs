//! `report` over the committed seed captures: the tables of the seed
//! reports come back with the exact numbers the generator's plan fixes
//! (see `pcaps/README.md`), and the negative captures show no port 0.

#[path = "common/seeds.rs"]
mod seeds;

use rulewire::capture::CaptureFile;
use rulewire::report::{svg, NoPort, Report, ReportOptions};
use seeds::{cert_unique_sources, seed_path};

fn report(name: &str) -> Report {
    let file = CaptureFile::open(&seed_path(name)).unwrap();
    let r = Report::from_capture(&file, &ReportOptions::default());
    assert_eq!(r.capture_error, None);
    r
}

fn port_rows(r: &Report) -> Vec<(u64, String)> {
    r.dst_ports
        .rows
        .iter()
        .map(|p| (p.count, p.text.clone()))
        .collect()
}

#[test]
fn certpl_header_error_table() {
    let r = report("certpl-port0-wave.pcap");
    let rows: Vec<(u64, &str)> = r
        .tcp_header_errors
        .rows
        .iter()
        .map(|e| (e.count, e.text.as_str()))
        .collect();
    // CERT Polska's table (1113, 1005, 941, 882, 832), divided by ten.
    assert_eq!(
        rows,
        vec![
            (111, "bad hdr length 0 - too short, < 20"),
            (100, "bad hdr length 12 - too short, < 20"),
            (94, "bad hdr length 8 - too short, < 20"),
            (88, "bad hdr length 16 - too short, < 20"),
            (83, "bad hdr length 4 - too short, < 20"),
        ]
    );
    assert_eq!(r.tcp_header_errors.total, 476);
    let events: Vec<(u64, &str)> = r
        .decoder_events
        .rows
        .iter()
        .map(|e| (e.count, e.event))
        .collect();
    assert_eq!(events, vec![(476, "tcp.invalid_optlen")]);
    assert_eq!(r.summary.invalid, 476);
}

#[test]
fn certpl_flag_table() {
    let r = report("certpl-port0-wave.pcap");
    assert_eq!((r.tcp_flags.total, r.tcp_flags.distinct), (965, 256));
    assert_eq!(r.tcp_flags.rows.len(), 256, "every combination is listed");
    let head: Vec<String> = r
        .tcp_flags
        .rows
        .iter()
        .take(14)
        .map(|f| format!("{} | {} ({})", f.count, f.hex, f.names))
        .collect();
    assert_eq!(
        head,
        vec![
            "18 | 0x12 (SYN, ACK)",
            "17 | 0x00 (<none>)",
            "14 | 0x02 (SYN)",
            "10 | 0x82 (SYN, CWR)",
            "9 | 0x04 (RST)",
            "9 | 0x14 (RST, ACK)",
            "8 | 0x54 (RST, ACK, ECN)",
            "8 | 0xf5 (FIN, RST, ACK, URG, ECN, CWR)",
            "7 | 0x29 (FIN, PSH, URG)",
            "7 | 0x2c (RST, PSH, URG)",
            "7 | 0x40 (ECN)",
            "7 | 0x62 (SYN, URG, ECN)",
            "7 | 0xc2 (SYN, ECN, CWR)",
            "7 | 0xf2 (SYN, ACK, URG, ECN, CWR)",
        ]
    );
    let last = r.tcp_flags.rows.last().unwrap();
    assert_eq!((last.count, last.hex.as_str()), (1, "0xbc"));
}

#[test]
fn certpl_payloads_ports_sources() {
    let r = report("certpl-port0-wave.pcap");
    assert_eq!((r.payloads.total, r.payloads.distinct), (259, 21));
    let top: Vec<(u64, &str)> = r
        .payloads
        .rows
        .iter()
        .take(6)
        .map(|p| (p.count, p.hex.as_str()))
        .collect();
    assert_eq!(
        top,
        vec![
            (64, "00000000a0027d78"),
            (62, "0000000000000000a0027d78"),
            (60, "a0027d78"),
            (53, "000000000000000000000000a0027d78"),
            (3, "db19f91b000000000000000000000000a0027d78"),
            (2, "ed8dda5e000000000000000000000000a0027d78"),
        ]
    );
    assert_eq!(r.payloads.rows.len(), 10);
    assert!(r.payloads.rows[6..].iter().all(|p| p.count == 1));

    assert_eq!(
        port_rows(&r),
        vec![
            (489, "tcp/0".to_string()),
            (476, "tcp/0 (malformed header)".to_string())
        ]
    );

    assert_eq!((r.sources.total, r.sources.distinct), (965, 230));
    let sources: Vec<(u64, String)> = r
        .sources
        .rows
        .iter()
        .map(|s| (s.count, s.addr.to_string()))
        .collect();
    assert_eq!(
        &sources[..5],
        &[
            (576, "118.122.188.27".to_string()),
            (72, "121.14.5.100".to_string()),
            (36, "184.107.227.10".to_string()),
            (24, "124.74.192.107".to_string()),
            (18, "221.194.128.145".to_string()),
        ]
    );
    assert!(sources[5..].iter().all(|s| s.0 == 2));
    assert_eq!(r.summary.unique_sources, 230);
}

#[test]
fn certpl_windows_and_chart() {
    let r = report("certpl-port0-wave.pcap");
    assert_eq!(r.windows.width_secs, 300);
    assert_eq!(r.windows.points.len(), 72);
    for (w, p) in r.windows.points.iter().enumerate() {
        let w = w as u64;
        assert_eq!(p.start, 1_321_164_000 + 300 * w);
        assert_eq!(p.unique_sources, cert_unique_sources(w), "window {w}");
    }
    assert_eq!(
        r.windows.points[30].start_time,
        "2011-11-13T08:30:00.000000+0000"
    );
    assert_eq!(r.windows.points[30].unique_sources, 19);
    assert_eq!(r.windows.points.iter().map(|p| p.packets).sum::<u64>(), 965);
    let svg = svg::render(&r);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let bars = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("bar"))
        .count();
    assert_eq!(bars, 72);
}

#[test]
fn certpl_text_matches_the_report_layout() {
    let r = report("certpl-port0-wave.pcap");
    let mut out = Vec::new();
    r.write_text(&mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    for line in [
        "111 | bad hdr length 0 - too short, < 20",
        " 83 | bad hdr length 4 - too short, < 20",
        "18 | 0x12 (SYN, ACK)",
        "17 | 0x00 (<none>)",
        " 1 | 0x27 (FIN, SYN, RST, URG)",
        "64 | 00000000a0027d78 |......}x| (8 bytes)",
        "576 | 118.122.188.27",
        "2011-11-13 08:30 19 ",
    ] {
        assert!(text.contains(line), "missing {line:?}");
    }
}

#[test]
fn cisco_syns_to_445() {
    let r = report("port0-src-syn-445.pcap");
    assert_eq!(port_rows(&r), vec![(112, "tcp/445".to_string())]);
    assert_eq!(r.tcp_flags.rows.len(), 1);
    assert_eq!(r.tcp_flags.rows[0].count, 112);
    assert_eq!(r.tcp_flags.rows[0].names, "SYN");
    assert!(r.tcp_header_errors.rows.is_empty());
    let sources: Vec<(u64, String)> = r
        .sources
        .rows
        .iter()
        .map(|s| (s.count, s.addr.to_string()))
        .collect();
    assert_eq!(sources[0], (20, "93.174.93.175".to_string()));
    assert_eq!(sources[7], (6, "89.248.162.236".to_string()));
    assert_eq!(r.sources.distinct, 12);
    // 01:00 to 04:00 UTC: 36 windows, all with traffic.
    assert!(r.windows.points.len() <= 36);
    assert_eq!(
        r.windows.points[0].start_time.get(..13),
        Some("2013-11-02T01")
    );
}

#[test]
fn sans_eserver_payload_on_port_zero() {
    let r = report("port0-dst-eserver.pcap");
    let top = &r.payloads.rows[0];
    assert_eq!((top.count, top.len), (24, 81));
    // Keyed by its first 64 bytes (`eServer` at 39) and its full length;
    // `eserver` at 68 is past the key.
    assert!(top.truncated);
    assert_eq!(top.printable.find("eServer"), Some(39));
    assert!(top.hex.starts_with("e34c00000001105e"));
    // Client to honeypot: SYN, ACK, data, FIN, ACK per session.
    assert_eq!(port_rows(&r)[0], (120, "tcp/0".to_string()));
    assert!(r.tcp_header_errors.rows.is_empty());
    assert_eq!(r.summary.invalid, 0);
}

#[test]
fn udp_zero_byte_scans_and_nbstat() {
    let r = report("udp-135-zero.pcap");
    let expected: Vec<(u64, String)> = [
        (20, "udp/135"),
        (20, "udp/1026"),
        (20, "udp/1027"),
        (20, "udp/1028"),
        (20, "udp/1029"),
        (20, "udp/1030"),
        (20, "udp/1031"),
        (10, "udp/137"),
    ]
    .into_iter()
    .map(|(n, t)| (n, t.to_string()))
    .collect();
    assert_eq!(port_rows(&r), expected);
    let top = &r.payloads.rows[0];
    assert_eq!((top.count, top.hex.as_str(), top.len), (140, "0000", 2));
    // NBSTAT queries differ only in their transaction id.
    assert!(r.payloads.rows[1..]
        .iter()
        .all(|p| p.len == 50 && p.printable.contains("CKAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")));
}

#[test]
fn negative_web_has_no_oddities() {
    let r = report("negative-web.pcap");
    assert_eq!(
        port_rows(&r),
        vec![(6, "tcp/80".to_string()), (4, "tcp/49152".to_string())]
    );
    assert!(r.tcp_header_errors.rows.is_empty());
    assert!(r.decoder_events.rows.is_empty());
    assert_eq!(r.summary.invalid, 0);
}

#[test]
fn negative_fragments_are_no_port_rows() {
    let r = report("negative-fragments.pcap");
    let rows: Vec<(u64, String, Option<u16>, Option<NoPort>)> = r
        .dst_ports
        .rows
        .iter()
        .map(|p| (p.count, p.proto.clone(), p.port, p.no_port))
        .collect();
    assert_eq!(
        rows,
        vec![
            (3, "udp".into(), None, Some(NoPort::LaterFragment)),
            (2, "tcp".into(), None, Some(NoPort::FirstFragment)),
            (2, "tcp".into(), None, Some(NoPort::LaterFragment)),
            (2, "udp".into(), None, Some(NoPort::FirstFragment)),
        ]
    );
    assert!(r.tcp_flags.rows.is_empty(), "no flags read from fragments");
    assert!(r.tcp_header_errors.rows.is_empty());
    assert!(r.payloads.rows.is_empty());
    assert_eq!(r.summary.fragments, 9);
}

#[test]
fn negative_icmp_has_no_ports() {
    let r = report("negative-icmp.pcap");
    assert!(r.dst_ports.rows.is_empty());
    assert!(r.tcp_flags.rows.is_empty());
    let protos: Vec<(u64, &str)> = r
        .summary
        .protocols
        .rows
        .iter()
        .map(|p| (p.count, p.name.as_str()))
        .collect();
    assert_eq!(protos, vec![(5, "icmp"), (2, "icmpv6")]);
    assert_eq!(r.summary.invalid, 0);
}
