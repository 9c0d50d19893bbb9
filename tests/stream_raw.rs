//! Raw stream inspection end to end: crafted TCP sessions written to a
//! pcap, run through the `rulewire` binary, alerts read from eve.json.
//!
//! The expected packet numbers were confirmed with the reference Suricata
//! 8.0.6 on the same crafted pcaps (`suricata -r X.pcap -S X.rules -k none`
//! with its default suricata.yaml, IDS mode): see each test.

use std::path::Path;
use std::process::Command;

use rulewire::capture::{LinkType, PcapWriter, Timestamp, TsPrecision};
use rulewire::decode::craft::{PacketBuilder, TcpSpec};
use serde_json::Value;

const CLIENT: [u8; 4] = [10, 0, 0, 1];
const SERVER: [u8; 4] = [10, 0, 0, 2];
const CPORT: u16 = 40000;

/// One TCP segment: `to_server`, flags, seq, ack, payload.
type Seg<'a> = (bool, TcpSpec, &'a [u8]);

fn write_pcap(path: &Path, sport: u16, segs: &[Seg<'_>]) {
    let file = std::fs::File::create(path).unwrap();
    let mut w = PcapWriter::new(file, LinkType::ETHERNET, TsPrecision::Micro).unwrap();
    for (i, (to_server, spec, payload)) in segs.iter().enumerate() {
        let (src, dst, sp, dp) = if *to_server {
            (CLIENT, SERVER, CPORT, sport)
        } else {
            (SERVER, CLIENT, sport, CPORT)
        };
        let frame = PacketBuilder::ipv4(src, dst)
            .tcp(sp, dp, spec.clone().payload(payload))
            .ethernet();
        let ts = Timestamp::new(1_700_000_000, (i as u32) * 1000);
        w.write_packet(ts, &frame, frame.len() as u32).unwrap();
    }
    w.into_inner().unwrap();
}

/// Runs the binary; gives (sid, pcap_cnt or 0) of every alert in eve.json
/// order.
fn run(dir: &Path, rules: &str, segs: &[Seg<'_>], sport: u16) -> Vec<(u64, u64)> {
    let pcap = dir.join("in.pcap");
    write_pcap(&pcap, sport, segs);
    std::fs::write(dir.join("test.rules"), rules).unwrap();
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_rulewire"))
        .args(["run", "-k", "none", "-r"])
        .arg(&pcap)
        .arg("-S")
        .arg(dir.join("test.rules"))
        .arg("-l")
        .arg(&out)
        .output()
        .unwrap();
    assert!(status.status.success(), "{status:?}");
    // STREAM_RAW_KEEP=DIR keeps the inputs, to run Suricata on them.
    if let Some(keep) = std::env::var_os("STREAM_RAW_KEEP") {
        let keep = Path::new(&keep).join(sport.to_string());
        std::fs::create_dir_all(&keep).unwrap();
        std::fs::copy(&pcap, keep.join("in.pcap")).unwrap();
        std::fs::copy(dir.join("test.rules"), keep.join("test.rules")).unwrap();
    }
    let eve = std::fs::read_to_string(out.join("eve.json")).unwrap();
    eve.lines()
        .filter_map(|l| {
            let v: Value = serde_json::from_str(l).ok()?;
            (v["event_type"] == "alert").then(|| {
                (
                    v["alert"]["signature_id"].as_u64().unwrap(),
                    v["pcap_cnt"].as_u64().unwrap_or(0),
                )
            })
        })
        .collect()
}

const ISN_C: u32 = 1000;
const ISN_S: u32 = 5000;

fn handshake() -> Vec<Seg<'static>> {
    vec![
        (true, TcpSpec::syn().seq(ISN_C), b""),
        (
            false,
            TcpSpec::syn_ack().seq(ISN_S).ack_number(ISN_C + 1),
            b"",
        ),
        (
            true,
            TcpSpec::ack().seq(ISN_C + 1).ack_number(ISN_S + 1),
            b"",
        ),
    ]
}

/// An HTTP request split over two segments: "GET /ab" | "cd HTTP/1.1...".
/// Neither packet holds `/abcd HTTP` on its own. The server's ACK (packet
/// 6) acknowledges the complete request; the client's next packet (7)
/// inspects the reassembled, acknowledged stream and alerts. Suricata
/// 8.0.6 on this pcap: one alert, sid 1, pcap_cnt 7.
#[test]
fn content_split_over_two_segments_alerts_on_the_next_packet_after_the_ack() {
    let dir = tempfile::tempdir().unwrap();
    let p1: &[u8] = b"GET /ab";
    let p2: &[u8] = b"cd HTTP/1.1\r\nHost: example\r\n\r\n";
    let end = ISN_C + 1 + (p1.len() + p2.len()) as u32;
    let mut segs = handshake();
    segs.extend([
        (
            true,
            TcpSpec::psh_ack().seq(ISN_C + 1).ack_number(ISN_S + 1),
            p1,
        ),
        (
            true,
            TcpSpec::psh_ack()
                .seq(ISN_C + 1 + p1.len() as u32)
                .ack_number(ISN_S + 1),
            p2,
        ),
        (false, TcpSpec::ack().seq(ISN_S + 1).ack_number(end), b""),
        (true, TcpSpec::ack().seq(end).ack_number(ISN_S + 1), b""),
    ]);
    let rules = "alert tcp any any -> any any (msg:\"split\"; content:\"/abcd HTTP\"; sid:1;)\n";
    assert_eq!(run(dir.path(), rules, &segs, 80), [(1, 7)]);
}

/// Data the server never acknowledges is inspected at flow end only: the
/// alert comes from the flow-end pseudo packet, which has no pcap_cnt.
/// The packet's own payload is not inspected (it went into the stream).
/// Suricata 8.0.6 on this pcap: one alert, sid 1, no pcap_cnt.
#[test]
fn unacknowledged_data_alerts_on_the_flow_end_pseudo_packet() {
    let dir = tempfile::tempdir().unwrap();
    let mut segs = handshake();
    segs.push((
        true,
        TcpSpec::psh_ack().seq(ISN_C + 1).ack_number(ISN_S + 1),
        b"hello secret world",
    ));
    let rules = "alert tcp any any -> any any (msg:\"eof\"; content:\"secret\"; sid:1;)\n\
                 alert tcp-pkt any any -> any any (msg:\"pkt\"; content:\"secret\"; sid:2;)\n";
    let got = run(dir.path(), rules, &segs, 9999);
    let mut sorted = got.clone();
    sorted.sort();
    // sid 2 (tcp-pkt) matches the packet itself.
    assert_eq!(sorted, [(1, 0), (2, 4)], "{got:?}");
}
