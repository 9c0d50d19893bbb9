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
    run_with(dir, rules, segs, sport, &[])
}

/// [`run`] with more arguments for the binary (`--set key=value`).
fn run_with(
    dir: &Path,
    rules: &str,
    segs: &[Seg<'_>],
    sport: u16,
    extra: &[&str],
) -> Vec<(u64, u64)> {
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
        .args(extra)
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
    alerts(&out)
}

/// (sid, pcap_cnt or 0) of every alert in `out`/eve.json, in order.
fn alerts(out: &Path) -> Vec<(u64, u64)> {
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

/// `n` bytes of filler no rule matches, with `tags` (offset, bytes) put in.
fn filler(n: usize, tags: &[(usize, &[u8])]) -> Vec<u8> {
    let mut b: Vec<u8> = (0..n).map(|i| b"-.:;"[i % 4]).collect();
    for (at, tag) in tags {
        b[*at..*at + tag.len()].copy_from_slice(tag);
    }
    b
}

/// A client data segment at stream offset `off`.
fn client_data(off: u32, payload: &[u8]) -> Seg<'_> {
    (
        true,
        TcpSpec::psh_ack()
            .seq(ISN_C + 1 + off)
            .ack_number(ISN_S + 1),
        payload,
    )
}

/// The server's bare ACK of client offset `off`.
fn server_ack(off: u32) -> Seg<'static> {
    (
        false,
        TcpSpec::ack().seq(ISN_S + 1).ack_number(ISN_C + 1 + off),
        b"",
    )
}

/// The client's bare ACK, at client offset `off`.
fn client_ack(off: u32) -> Seg<'static> {
    (
        true,
        TcpSpec::ack().seq(ISN_C + 1 + off).ack_number(ISN_S + 1),
        b"",
    )
}

const TAG_RULES: &str = "alert tcp any any -> any any (msg:\"a\"; content:\"TAG-AAA\"; sid:1;)\n\
     alert tcp any any -> any any (msg:\"b\"; content:\"TAG-BBB\"; sid:2;)\n\
     alert tcp any any -> any any (msg:\"c\"; content:\"TAG-CCC\"; sid:3;)\n";

/// A capture gap: the client's bytes 1000..3000 are missing, the server
/// acknowledges up to 3000, where the next block starts. The client's next
/// packet (7) has a chunk's worth of acknowledged bytes past the raw
/// progress, so the stream is inspected: block [0,1000) and block
/// [3000,3400), the latter whole though nothing of it is acknowledged
/// (Suricata cuts a block by the ACK measured from the progress so far,
/// not from the block's start). The raw progress moves only to 3000, the
/// block's start, so the flow-end pseudo packet inspects the block again.
/// No app layer (port 9001, filler bytes). Suricata 8.0.6 on this pcap:
/// sid 1 and 2 at pcap_cnt 7, sid 2 again with no pcap_cnt.
#[test]
fn a_block_past_a_capture_gap_is_inspected_early_and_again_at_flow_end() {
    let dir = tempfile::tempdir().unwrap();
    let a = filler(1000, &[(40, b"TAG-AAA")]);
    let b = filler(400, &[(40, b"TAG-BBB")]);
    let mut segs = handshake();
    segs.extend([
        client_data(0, &a),
        client_data(3000, &b),
        server_ack(3000),
        client_ack(3400),
    ]);
    let got = run(dir.path(), TAG_RULES, &segs, 9001);
    assert_eq!(got, [(1, 7), (2, 7), (2, 0)]);
}

/// The acknowledged edge stops inside the hole (3000), before the block
/// beyond it ([3500,6500)): the walk still inspects the block, cut to
/// `3000 - 1000` = 2000 bytes (ACK minus the progress after the first
/// block), so sid 2 (at 3540) alerts with packet 7 and sid 3 (at 6400)
/// does not. The progress stays at 1000 (the block starts past the
/// edge); at flow end the block is inspected whole: sid 2 again and sid
/// 3. Suricata 8.0.6 on this pcap: sid 1 and 2 at pcap_cnt 7, then sid 2
/// and 3 with no pcap_cnt.
#[test]
fn a_block_beyond_the_ack_is_cut_by_the_ack_measured_from_the_progress() {
    let dir = tempfile::tempdir().unwrap();
    let a = filler(1000, &[(40, b"TAG-AAA")]);
    let b = filler(3000, &[(40, b"TAG-BBB"), (2900, b"TAG-CCC")]);
    let mut segs = handshake();
    segs.extend([
        client_data(0, &a),
        client_data(3500, &b),
        server_ack(3000),
        client_ack(6500),
    ]);
    let mut got = run(dir.path(), TAG_RULES, &segs, 9002);
    got.sort();
    assert_eq!(got, [(1, 7), (2, 0), (2, 7), (3, 0)]);
}

/// Two blocks past holes and out-of-order segments that touch: the
/// segments join one block (sid 3's content spans them), a content never
/// matches across a hole (sid 4), and one pseudo packet per direction sees
/// every block left, so sid 2, found in two blocks, alerts once. Nothing
/// is acknowledged. Suricata 8.0.6 on this pcap: sid 2 and 3, no
/// pcap_cnt.
#[test]
fn flow_end_inspects_every_block_once_and_never_across_a_hole() {
    let dir = tempfile::tempdir().unwrap();
    let a = filler(1000, &[(996, b"TAIL"), (100, b"TAG-BBB")]);
    let b = filler(400, &[(0, b"HEAD"), (50, b"TAG-BBB")]);
    let c1 = filler(100, &[(96, b"TAG-")]);
    let c2 = filler(100, &[(0, b"CCC")]);
    let rules = format!(
        "{TAG_RULES}alert tcp any any -> any any (msg:\"d\"; content:\"TAILHEAD\"; sid:4;)\n"
    );
    let mut segs = handshake();
    segs.extend([
        client_data(0, &a),
        client_data(1500, &b),
        client_data(2100, &c2),
        client_data(2000, &c1),
    ]);
    let got = run(dir.path(), &rules, &segs, 9003);
    let mut sorted = got.clone();
    sorted.sort();
    assert_eq!(sorted, [(2, 0), (3, 0)], "{got:?}");
}

/// A TLS ClientHello (no extensions), 50 bytes, with `TAG-AAA` in its
/// random.
fn client_hello() -> Vec<u8> {
    let mut random = filler(32, &[(4, b"TAG-AAA")]);
    let mut body = vec![0x03, 0x03];
    body.append(&mut random);
    body.extend([0x00, 0x00, 0x02, 0x00, 0x2f, 0x01, 0x00]);
    let mut hs = vec![0x01, 0x00, 0x00, body.len() as u8];
    hs.extend(body);
    let mut rec = vec![0x16, 0x03, 0x01, 0x00, hs.len() as u8];
    rec.extend(hs);
    rec
}

/// A gap in the client's stream of a TLS flow. When the server's ACK
/// (packet 9) passes the hole, Suricata's TLS parser is told of the gap:
/// it takes no gaps, so it asks for raw inspection and the flow's app
/// layer stops. The request lands on the *server's* stream (Suricata
/// 8.0.6 passes a direction index where a direction flag is expected),
/// so packet 9 inspects the server's 60 acknowledged bytes (a ServerHello
/// cut short, which completed no record and so asked for nothing), and
/// the client's block past the hole waits for the flow's end: no trigger
/// for it, and far less than a chunk acknowledged. Packet 7 inspects the
/// ClientHello, whose completed record asked for it. Suricata 8.0.6 on
/// this pcap: sid 1 at pcap_cnt 7, sid 2 at 9, sid 3 with no pcap_cnt.
#[test]
fn a_tls_gap_triggers_raw_inspection_of_the_server_stream_only() {
    let dir = tempfile::tempdir().unwrap();
    let hello = client_hello();
    let c = hello.len() as u32;
    let mut server_hello = vec![
        0x16, 0x03, 0x03, 0x00, 0x6c, 0x02, 0x00, 0x00, 0x68, 0x03, 0x03,
    ];
    server_hello.extend(filler(49, &[(10, b"TAG-BBB")]));
    let mut app_data = vec![0x17, 0x03, 0x03, 0x00, 0x8a];
    app_data.extend(filler(138, &[(40, b"TAG-CCC")]));
    let hole = 93;
    let s = server_hello.len() as u32;
    let after = c + hole + app_data.len() as u32;
    let mut segs = handshake();
    segs.extend([
        (
            true,
            TcpSpec::psh_ack().seq(ISN_C + 1).ack_number(ISN_S + 1),
            &hello[..],
        ),
        (
            false,
            TcpSpec::ack().seq(ISN_S + 1).ack_number(ISN_C + 1 + c),
            b"",
        ),
        (
            false,
            TcpSpec::psh_ack().seq(ISN_S + 1).ack_number(ISN_C + 1 + c),
            &server_hello[..],
        ),
        (
            true,
            TcpSpec::ack().seq(ISN_C + 1 + c).ack_number(ISN_S + 1 + s),
            b"",
        ),
        (
            true,
            TcpSpec::psh_ack()
                .seq(ISN_C + 1 + c + hole)
                .ack_number(ISN_S + 1 + s),
            &app_data[..],
        ),
        (
            false,
            TcpSpec::ack()
                .seq(ISN_S + 1 + s)
                .ack_number(ISN_C + 1 + after),
            b"",
        ),
        (
            true,
            TcpSpec::ack()
                .seq(ISN_C + 1 + after)
                .ack_number(ISN_S + 1 + s),
            b"",
        ),
    ]);
    let got = run(dir.path(), TAG_RULES, &segs, 443);
    assert_eq!(got, [(1, 7), (2, 9), (3, 0)]);
}

/// `pcaps/tls-capture-gaps.pcap`: one TLS session of our benchmark traffic
/// with segments missing in both directions (see `pcaps/README.md`). Each
/// rule matches 8 bytes of one data packet (its msg names the packet
/// and the offset). What Suricata 8.0.6 does with it, and so must we:
///
/// * packet 7 inspects the ClientHello (its parser asked, record done);
/// * packet 10: the server's ACK passes the client's hole (517..610), so
///   the TLS parser is told of a gap, asks for raw inspection of the
///   server's stream and stops; that stream then walks block [0,1237)
///   (packet 6: sids 2, 3) and block [2598,2981) (packet 10: sid 6),
///   which starts right at the acknowledged edge: inspected, the progress
///   left at its start;
/// * packet 11 does not inspect the client's block past the hole: no
///   trigger any more, 390 bytes acknowledged, far less than a chunk;
/// * packet 14 walks the server's stream from 2598: packet 10's block
///   again (sid 6) and packet 14's own block (sids 8, 9), again at the
///   acknowledged edge, so the progress stops at its start;
/// * at flow end the client's blocks (packets 8 and 9, packet 13: sids 4,
///   5, 7) and packet 14's block again (sids 8, 9).
///
/// Suricata 8.0.6 on this pcap (default suricata.yaml, `-k none`):
/// exactly the alerts asserted.
#[test]
fn tls_session_with_capture_gaps_alerts_as_suricata() {
    let dir = tempfile::tempdir().unwrap();
    let pcap = Path::new(env!("CARGO_MANIFEST_DIR")).join("pcaps/tls-capture-gaps.pcap");
    let rules = [
        (1, "p4@40", "8E 42 23 20 D4 46 64 A6"),
        (2, "p6@40", "1A 1E 80 20 C9 44 8C 31"),
        (3, "p6@1200", "0A DB 91 68 55 72 19 29"),
        (4, "p8@40", "CD 32 C2 27 5D C7 21 26"),
        (5, "p9@100", "49 6F 3E 49 70 EB 8F 70"),
        (6, "p10@40", "0E 58 3D 7F B5 C5 33 E2"),
        (7, "p13@100", "45 EF E0 D8 E3 78 2B 52"),
        (8, "p14@40", "5E 51 38 A9 33 21 C6 B4"),
        (9, "p14@1200", "B9 94 5C BA 06 31 46 4B"),
    ]
    .iter()
    .map(|(sid, msg, hex)| {
        format!(
            "alert tcp any any -> any any (msg:\"{msg}\"; flow:established; \
             content:\"|{hex}|\"; sid:{sid};)\n"
        )
    })
    .collect::<String>();
    std::fs::write(dir.path().join("test.rules"), rules).unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_rulewire"))
        .args(["run", "-k", "none", "-r"])
        .arg(&pcap)
        .arg("-S")
        .arg(dir.path().join("test.rules"))
        .arg("-l")
        .arg(&out)
        .output()
        .unwrap();
    assert!(status.status.success(), "{status:?}");
    let got = alerts(&out);
    assert_eq!(
        got,
        [
            (1, 7),
            (2, 10),
            (3, 10),
            (6, 10),
            (6, 14),
            (8, 14),
            (9, 14),
            (4, 0),
            (5, 0),
            (7, 0),
            (8, 0),
            (9, 0),
        ]
    );
}

/// HTTP takes gaps: two requests with a hole between them, both
/// acknowledged by packet 6. Its parser completed both (asking for raw
/// inspection), so packet 7 inspects both blocks (sids 1, 2); the
/// progress stops at the second block's start. Packet 9 (the client's
/// ACK of the response) would walk that block again, but nothing asks for
/// it: the parser read nothing new, and 34 bytes are far from a chunk.
/// (Before stream blocks, the request looked complete again and we
/// alerted there.) The response, read by the app layer on packet 9 (the
/// client's ACK), is inspected with the server's next packet, 10 (sid 3).
/// At flow end the second request's block is inspected again (sid 2).
/// Suricata 8.0.6 on this pcap: sid 1 and 2 at pcap_cnt 7, sid 3 at 10,
/// sid 2 with no pcap_cnt.
#[test]
fn a_block_inspected_again_needs_a_new_reason() {
    let dir = tempfile::tempdir().unwrap();
    let r1: &[u8] = b"GET /first HTTP/1.1\r\nHost: x\r\n\r\n";
    let r2: &[u8] = b"GET /second HTTP/1.1\r\nHost: x\r\n\r\n";
    let resp: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    let end = 100 + r2.len() as u32;
    let s = resp.len() as u32;
    let mut segs = handshake();
    segs.extend([
        client_data(0, r1),
        client_data(100, r2),
        server_ack(end),
        client_ack(end),
        (
            false,
            TcpSpec::psh_ack()
                .seq(ISN_S + 1)
                .ack_number(ISN_C + 1 + end),
            resp,
        ),
        (
            true,
            TcpSpec::ack()
                .seq(ISN_C + 1 + end)
                .ack_number(ISN_S + 1 + s),
            b"",
        ),
        (
            false,
            TcpSpec::ack()
                .seq(ISN_S + 1 + s)
                .ack_number(ISN_C + 1 + end),
            b"",
        ),
    ]);
    let rules = "alert tcp any any -> any any (msg:\"a\"; content:\"/first\"; sid:1;)\n\
                 alert tcp any any -> any any (msg:\"b\"; content:\"/second\"; sid:2;)\n\
                 alert tcp any any -> any any (msg:\"c\"; content:\"200 OK\"; sid:3;)\n";
    let got = run(dir.path(), rules, &segs, 8080);
    assert_eq!(got, [(1, 7), (2, 7), (3, 10), (2, 0)]);
}

/// A TLS record of content type `ctype` (version TLS 1.2) around `body`.
fn tls_record(ctype: u8, body: &[u8]) -> Vec<u8> {
    let mut r = vec![ctype, 0x03, 0x03];
    r.extend_from_slice(&(body.len() as u16).to_be_bytes());
    r.extend_from_slice(body);
    r
}

/// A complete ServerHello record (no extensions) with `TAG-BBB` in its
/// random.
fn server_hello() -> Vec<u8> {
    let mut hello = vec![0x03, 0x03];
    hello.extend(filler(32, &[(4, b"TAG-BBB")]));
    hello.extend([0x00, 0x00, 0x2f, 0x00]);
    let mut hs = vec![0x02, 0x00, 0x00, hello.len() as u8];
    hs.extend(hello);
    tls_record(0x16, &hs)
}

const TLS_RULES: &str = "alert tcp any any -> any any (msg:\"ch\"; content:\"TAG-AAA\"; sid:1;)\n\
     alert tcp any any -> any any (msg:\"sh\"; content:\"TAG-BBB\"; sid:2;)\n\
     alert tcp any any -> any any (msg:\"c-app\"; content:\"TAG-CCC\"; sid:3;)\n\
     alert tcp any any -> any any (msg:\"s-app\"; content:\"TAG-DDD\"; sid:4;)\n\
     alert tcp-pkt any any -> any any (msg:\"s-app-pkt\"; content:\"TAG-DDD\"; sid:5;)\n\
     alert tcp any any -> any any (msg:\"pa\"; flow:established,to_server; flags:PA; sid:6;)\n\
     alert tcp any any -> any any (msg:\"c-app2\"; content:\"TAG-EEE\"; sid:7;)\n\
     alert tcp any any -> any any (msg:\"small\"; flow:established,to_server; dsize:<60; sid:8;)\n\
     alert tcp any any -> any any (msg:\"some\"; flow:established,to_server; dsize:>0; sid:9;)\n";

/// A clean TLS session, every segment in order and acknowledged:
/// ClientHello (4, sid 1), the server's ACK (5), ServerHello (6, sid 2),
/// the client's ACK (7), a client application-data record (8, sid 3),
/// a server application-data record (9, sids 4 and 5) that acknowledges
/// the client's, the client's ACK (10), a second client record (11,
/// sid 7), the server's ACK (12), the client's last ACK (13).
fn tls_session() -> Vec<Seg<'static>> {
    let ch: &'static [u8] = client_hello().leak();
    let sh: &'static [u8] = server_hello().leak();
    let c_app: &'static [u8] = tls_record(0x17, &filler(100, &[(40, b"TAG-CCC")])).leak();
    let s_app: &'static [u8] = tls_record(0x17, &filler(120, &[(40, b"TAG-DDD")])).leak();
    let c_app2: &'static [u8] = tls_record(0x17, &filler(80, &[(20, b"TAG-EEE")])).leak();
    let (c1, s1) = (ch.len() as u32, sh.len() as u32);
    let c2 = c1 + c_app.len() as u32;
    let s2 = s1 + s_app.len() as u32;
    let c3 = c2 + c_app2.len() as u32;
    let c = |off: u32| ISN_C + 1 + off;
    let s = |off: u32| ISN_S + 1 + off;
    let mut segs = handshake();
    segs.extend([
        (true, TcpSpec::psh_ack().seq(c(0)).ack_number(s(0)), ch),
        (false, TcpSpec::ack().seq(s(0)).ack_number(c(c1)), &b""[..]),
        (false, TcpSpec::psh_ack().seq(s(0)).ack_number(c(c1)), sh),
        (true, TcpSpec::ack().seq(c(c1)).ack_number(s(s1)), &b""[..]),
        (true, TcpSpec::psh_ack().seq(c(c1)).ack_number(s(s1)), c_app),
        (
            false,
            TcpSpec::psh_ack().seq(s(s1)).ack_number(c(c2)),
            s_app,
        ),
        (true, TcpSpec::ack().seq(c(c2)).ack_number(s(s2)), &b""[..]),
        (
            true,
            TcpSpec::psh_ack().seq(c(c2)).ack_number(s(s2)),
            c_app2,
        ),
        (false, TcpSpec::ack().seq(s(s2)).ack_number(c(c3)), &b""[..]),
        (true, TcpSpec::ack().seq(c(c3)).ack_number(s(s2)), &b""[..]),
    ]);
    segs
}

/// Suricata's default TLS `encryption-handling` (`track-only`): packet 9
/// acknowledges the client's application-data record, so the TLS parser
/// parses it there and the flow gets no more payload or raw stream
/// inspection. Packet 9 itself was flagged before and has its own payload
/// inspected (sid 5, `tcp-pkt`), and its direction's stream is inspected
/// (the ServerHello, sid 2; the server's own record is not acknowledged
/// yet). The client's records (sids 3, 7) and the server's (sid 4) are
/// never inspected as stream, not even at flow end; a rule without
/// payload keywords (sid 6) still alerts on packet 11. `dsize` follows
/// Suricata's signature masks: packet 11 (85 bytes) counts as having no
/// payload for `dsize:>0` (sid 9), while `dsize:<60` (sid 8) compares its
/// real size (no alert; the bare ACKs 10 and 13 alert). Suricata 8.0.6 on
/// this pcap: sid 1 at 7, sid 2 and 5 at 9, sid 6 at 4, 8 and 11, sid 8
/// at 4, 7, 10 and 13, sid 9 at 4 and 8.
#[test]
fn tls_application_data_stops_payload_inspection() {
    let dir = tempfile::tempdir().unwrap();
    let mut got = run(dir.path(), TLS_RULES, &tls_session(), 443);
    got.sort();
    assert_eq!(
        got,
        [
            (1, 7),
            (2, 9),
            (5, 9),
            (6, 4),
            (6, 8),
            (6, 11),
            (8, 4),
            (8, 7),
            (8, 10),
            (8, 13),
            (9, 4),
            (9, 8)
        ]
    );
}

/// The same session with `encryption-handling: full`: everything is
/// inspected as if it were not encrypted. The client's first record is
/// read by the app layer on packet 9 and inspected with the client's
/// next packet (10, sid 3), the server's on packet 10 and inspected with
/// packet 12 (sid 4), the client's second on packet 12 and inspected
/// with packet 13 (sid 7); `dsize:>0` (sid 9) alerts on packet 11 too.
/// Suricata 8.0.6 on this pcap with `--set
/// app-layer.protocols.tls.encryption-handling=full`: exactly these.
#[test]
fn tls_encryption_handling_full_keeps_inspecting() {
    let dir = tempfile::tempdir().unwrap();
    let mut got = run_with(
        dir.path(),
        TLS_RULES,
        &tls_session(),
        443,
        &["--set", "app-layer.protocols.tls.encryption-handling=full"],
    );
    got.sort();
    assert_eq!(
        got,
        [
            (1, 7),
            (2, 9),
            (3, 10),
            (4, 12),
            (5, 9),
            (6, 4),
            (6, 8),
            (6, 11),
            (7, 13),
            (8, 4),
            (8, 7),
            (8, 10),
            (8, 13),
            (9, 4),
            (9, 8),
            (9, 11)
        ]
    );
}

const GET_RULES: &str = "alert tcp any any -> any any (msg:\"get depth\"; flow:established,to_server; content:\"GET /\"; depth:5; sid:2;)\n\
     alert tcp any any -> any any (msg:\"get nodepth\"; flow:established,to_server; content:\"GET /\"; sid:6;)\n\
     alert tcp any any -> any any (msg:\"server tag\"; flow:established,to_client; content:\"TAG-SSS\"; sid:3;)\n";

/// A server segment at server stream offset `off`, acking client offset
/// `cack`.
fn server_data(off: u32, cack: u32, payload: &[u8]) -> Seg<'_> {
    (
        false,
        TcpSpec::psh_ack()
            .seq(ISN_S + 1 + off)
            .ack_number(ISN_C + 1 + cack),
        payload,
    )
}

/// A client segment at client offset `off` acking server offset `sack`.
fn client_req(off: u32, sack: u32, payload: &[u8]) -> Seg<'_> {
    (
        true,
        TcpSpec::psh_ack()
            .seq(ISN_C + 1 + off)
            .ack_number(ISN_S + 1 + sack),
        payload,
    )
}

const REQ1: &[u8] = b"GET /one HTTP/1.1\r\nHost: a\r\n\r\n";
const REQ2: &[u8] = b"GET /two HTTP/1.1\r\nHost: a\r\n\r\n";

/// The gap-window case, small (port 9002, no app layer): a request,
/// 1000 bytes of response and their ACK; then the capture loses 70,000
/// bytes of response and the client's ACKs for them. The next server
/// segment (7) ends past the window the client last advertised (65535
/// from offset 1000): it is out of window
/// (`stream.est_packet_out_of_window`) and not added to the stream. The
/// client's next request (8) acknowledges that segment, beyond the
/// server's `next_win`: an invalid ACK (`stream.est_invalid_ack`), so the
/// request is not added to the stream either, and detection inspects that
/// packet's own payload: sid 2 and 6 alert on it, not on the client's
/// next ACK (10), where they alerted before window tracking. Suricata
/// 8.0.6 on this pcap: (2,4), (2,6), (6,6), (2,8), (6,8).
#[test]
fn out_of_window_data_and_an_ack_beyond_next_win_are_inspected_alone() {
    let dir = tempfile::tempdir().unwrap();
    let resp = filler(1000, &[]);
    let lost_end = 71_000;
    let tail = filler(500, &[(100, b"TAG-SSS")]);
    let r1 = REQ1.len() as u32;
    let r2 = REQ2.len() as u32;
    let mut segs = handshake();
    segs.extend([
        client_req(0, 0, REQ1),
        server_data(0, r1, &resp),
        client_ack(r1),
        server_data(lost_end, r1, &tail),
        client_req(r1, lost_end + 500, REQ2),
        server_data(lost_end + 500, r1 + r2, b"HTTP/1.1 200 OK\r\n\r\n"),
        client_ack(r1 + r2),
    ]);
    // client_ack acks server offset 0; fix the ACK of the first response.
    segs[6] = (
        true,
        TcpSpec::ack()
            .seq(ISN_C + 1 + r1)
            .ack_number(ISN_S + 1 + 1000),
        b"",
    );
    segs[9] = (
        true,
        TcpSpec::ack()
            .seq(ISN_C + 1 + r1 + r2)
            .ack_number(ISN_S + 1 + lost_end + 520),
        b"",
    );
    let got = run(dir.path(), GET_RULES, &segs, 9002);
    assert_eq!(got, [(2, 4), (2, 6), (6, 6), (2, 8), (6, 8)]);
}

/// SYN with window scale `syn_ws`, SYN/ACK with `synack_ws`, every window
/// field 512; the server then sends a segment at offset 40,000 (a capture
/// gap before it) holding TAG-SSS, and the client acknowledges it.
fn wscale_case(sport: u16, syn_ws: Option<u8>, synack_ws: Option<u8>) -> Vec<(u64, u64)> {
    let dir = tempfile::tempdir().unwrap();
    let ws = |w: Option<u8>| w.map_or(Vec::new(), |w| vec![1, 3, 3, w]);
    let tail = filler(500, &[(100, b"TAG-SSS")]);
    let r1 = REQ1.len() as u32;
    let segs: Vec<Seg<'_>> = vec![
        (
            true,
            TcpSpec::syn().seq(ISN_C).window(512).options(&ws(syn_ws)),
            b"",
        ),
        (
            false,
            TcpSpec::syn_ack()
                .seq(ISN_S)
                .ack_number(ISN_C + 1)
                .window(512)
                .options(&ws(synack_ws)),
            b"",
        ),
        (
            true,
            TcpSpec::ack()
                .seq(ISN_C + 1)
                .ack_number(ISN_S + 1)
                .window(512),
            b"",
        ),
        (
            true,
            TcpSpec::psh_ack()
                .seq(ISN_C + 1)
                .ack_number(ISN_S + 1)
                .window(512),
            REQ1,
        ),
        (
            false,
            TcpSpec::psh_ack()
                .seq(ISN_S + 1 + 40_000)
                .ack_number(ISN_C + 1 + r1)
                .window(512),
            &tail,
        ),
        (
            true,
            TcpSpec::psh_ack()
                .seq(ISN_C + 1 + r1)
                .ack_number(ISN_S + 1 + 40_500)
                .window(512),
            REQ2,
        ),
        (
            false,
            TcpSpec::ack()
                .seq(ISN_S + 1 + 40_500)
                .ack_number(ISN_C + 1 + r1 + REQ2.len() as u32)
                .window(512),
            b"",
        ),
    ];
    run(dir.path(), GET_RULES, &segs, sport)
}

/// Window scaling decides whether the server's segment at offset 40,000
/// (packet 5) is in window. SYN and SYN/ACK with shift 7: the client's
/// ACK advertises 512 << 7 = 65536, the segment goes to the stream and
/// sid 3 alerts when the client's ACK (7) covers it (and at flow end).
/// Without the option the window is 512: the segment is out of window
/// and inspected on its own (sid 3 at packet 5), and the client's request
/// acking it (6) has an invalid ACK. With the option on the SYN only,
/// Suricata still scales the client's windows by the SYN's shift
/// (`StreamTcp3whsSynAckUpdate` resets only the client stream's shift),
/// so it behaves as with both. Suricata 8.0.6 on these pcaps: as
/// asserted (pcap_cnt 0: the flow-end pseudo packet).
#[test]
fn window_scaling_decides_what_is_in_window() {
    let scaled = [(2, 4), (2, 6), (6, 6), (3, 7), (2, 0), (6, 0), (3, 0)];
    assert_eq!(wscale_case(9003, Some(7), Some(7)), scaled);
    assert_eq!(wscale_case(9004, Some(7), None), scaled);
    assert_eq!(
        wscale_case(9005, None, None),
        [(2, 4), (3, 5), (2, 6), (6, 6), (2, 0), (6, 0)]
    );
}

/// /work/benchdata/gap-window.pcap rebuilt (mk-keepalive.py, mode
/// `gaponly`; port 80): HTTP keep-alive, a 300 KB response whose server
/// segments from offset 100,000 to 200,000 and the client's ACKs for them
/// are missing from the capture, then two more requests. The segments
/// after the hole end past the client's last window, and the requests
/// (213, 217) ack beyond the server's `next_win`: they are refused, so
/// sid 6 alerts on the requests themselves, not on the client's next ACKs
/// (216, 220) as before window tracking. Suricata 8.0.6 on this pcap:
/// (2,4), (2,8), (6,8), (2,213), (6,213), (2,217), (6,217).
#[test]
fn gap_window_requests_after_a_capture_hole_alert_on_themselves() {
    let dir = tempfile::tempdir().unwrap();
    let req1: &[u8] = b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
    let req2: &[u8] = b"GET /b HTTP/1.1\r\nHost: x\r\n\r\n";
    let resp2: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nworld";
    let total = 300_000usize;
    let mut resp = format!("HTTP/1.1 200 OK\r\nContent-Length: {total}\r\n\r\n").into_bytes();
    resp.resize(resp.len() + total, b'y');
    let (mut c, mut s) = (ISN_C + 1, ISN_S + 1);
    let ack = |to_server, seq, ack| (to_server, TcpSpec::ack().seq(seq).ack_number(ack));
    let psh = |to_server, seq, ack| (to_server, TcpSpec::psh_ack().seq(seq).ack_number(ack));
    // (direction, spec, payload range of `resp` or a fixed payload)
    let mut segs: Vec<Seg<'_>> = handshake();
    let (d, t) = psh(true, c, s);
    segs.push((d, t, req1));
    c += req1.len() as u32;
    let (d, t) = ack(false, s, c);
    segs.push((d, t, b""));
    let hole = |k: usize| 100_000 < k && k < 200_000;
    let mut k = 0;
    while k < resp.len() {
        let end = (k + 1448).min(resp.len());
        if !hole(k) {
            let (d, t) = ack(false, s, c);
            segs.push((d, t, &resp[k..end]));
        }
        s += (end - k) as u32;
        k = end;
        if (k / 1448) % 2 == 0 && !hole(k) {
            let (d, t) = ack(true, c, s);
            segs.push((d, t, b""));
        }
    }
    for req in [req2, req1] {
        let (d, t) = psh(true, c, s);
        segs.push((d, t, req));
        c += req.len() as u32;
        let (d, t) = ack(false, s, c);
        segs.push((d, t, b""));
        let (d, t) = psh(false, s, c);
        segs.push((d, t, resp2));
        s += resp2.len() as u32;
        let (d, t) = ack(true, c, s);
        segs.push((d, t, b""));
    }
    let mut got = run(dir.path(), GET_RULES, &segs, 80);
    got.sort_unstable();
    assert_eq!(
        got,
        [
            (2, 4),
            (2, 8),
            (2, 213),
            (2, 217),
            (6, 8),
            (6, 213),
            (6, 217)
        ]
    );
}
