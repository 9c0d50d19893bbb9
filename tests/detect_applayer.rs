//! Rules whose header names an application-layer protocol (`alert tls`,
//! `alert http`, `alert dns`) with packet-level keywords, run through the
//! runtime `Worker` and the `Detector` on hand-built flows: such a rule
//! matches only packets of flows detected as its protocol, from the
//! packet that carries the deciding bytes on. Expected alerts are worked
//! out in the comments of each case.

mod common;

#[path = "common/detect.rs"]
mod harness;

use std::sync::Arc;

use rulewire::config::Vars;
use rulewire::decode::craft::{PacketBuilder, TcpSpec};
use rulewire::detect::prefilter::PrefilterSettings;
use rulewire::detect::Detector;
use rulewire::output::{AlertRecord, AlertSink};
use rulewire::rule::LoadOptions;

/// Records `(packet index, sid, app_proto)` per alert.
#[derive(Default)]
struct Alerts(Vec<(u64, u32, Option<String>)>);

impl AlertSink for Alerts {
    fn alert(&mut self, rec: &AlertRecord<'_>) -> std::io::Result<()> {
        let app = rec.flow.and_then(|f| f.app_proto).map(str::to_string);
        self.0.push((rec.pcap_cnt, rec.sid, app));
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

const CLIENT: [u8; 4] = [10, 0, 0, 1];
const SERVER: [u8; 4] = [10, 0, 0, 2];

/// A TCP packet; `to_server` picks the direction between
/// 10.0.0.1:`cport` and 10.0.0.2:`sport`.
fn tcp(to_server: bool, cport: u16, sport: u16, spec: TcpSpec) -> Vec<u8> {
    if to_server {
        PacketBuilder::ipv4(CLIENT, SERVER)
            .tcp(cport, sport, spec)
            .ethernet()
    } else {
        PacketBuilder::ipv4(SERVER, CLIENT)
            .tcp(sport, cport, spec)
            .ethernet()
    }
}

/// Handshake, then `request` from the client and `response` from the
/// server: packets 1-3 handshake, 4 request, 5 response.
fn tcp_flow(cport: u16, sport: u16, request: &[u8], response: &[u8]) -> Vec<Vec<u8>> {
    let c = 1000u32;
    let s = 5000u32;
    vec![
        tcp(true, cport, sport, TcpSpec::syn().seq(c)),
        tcp(
            false,
            cport,
            sport,
            TcpSpec::syn_ack().seq(s).ack_number(c + 1),
        ),
        tcp(
            true,
            cport,
            sport,
            TcpSpec::ack().seq(c + 1).ack_number(s + 1),
        ),
        tcp(
            true,
            cport,
            sport,
            TcpSpec::psh_ack()
                .seq(c + 1)
                .ack_number(s + 1)
                .payload(request),
        ),
        tcp(
            false,
            cport,
            sport,
            TcpSpec::psh_ack()
                .seq(s + 1)
                .ack_number(c + 1 + request.len() as u32)
                .payload(response),
        ),
    ]
}

/// Runs `rules` over `packets` (numbered from 1); every rule must be
/// active.
fn run(rules: &str, packets: &[Vec<u8>]) -> Vec<(u64, u32, Option<String>)> {
    let set = harness::load(rules);
    let engine = harness::engine(&set, true, PrefilterSettings::default());
    let det = Detector::new(Arc::new(engine), Alerts::default());
    harness::feed(det, packets).into_sink().0
}

const RULES: &str = r#"
alert tls any any -> any any (msg:"tls to server"; flow:established,to_server; content:"|16 03|"; sid:1;)
alert tls any any -> any any (msg:"tls to client"; flow:established,to_client; content:"|16 03|"; sid:2;)
alert http any any -> any any (msg:"http raw content"; content:"|16 03|"; sid:3;)
alert tcp any any -> any any (msg:"tcp raw content"; content:"|16 03|"; sid:4;)
alert tcp any any -> any any (msg:"syn"; flags:S; sid:5;)
"#;

/// The start of a TLS 1.2 ClientHello record: handshake (0x16), version
/// 3.1, length 0x31, ClientHello (1).
const CLIENT_HELLO: &[u8] =
    b"\x16\x03\x01\x00\x31\x01\x00\x00\x2d\x03\x03abcdefghijklmnopqrstuvwxyz012345";
/// The start of a ServerHello record (version 3.3).
const SERVER_HELLO: &[u8] =
    b"\x16\x03\x03\x00\x31\x02\x00\x00\x2d\x03\x03ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

fn tls() -> Option<String> {
    Some("tls".into())
}

#[test]
fn tls_rule_on_a_tls_flow() {
    // Port 8443: detected by the `16 03 01` pattern, not the port.
    // 1 SYN: sid 5, no protocol yet. 4 ClientHello: detected as TLS on
    // this packet, sid 1 (to server) and sid 4. 5 ServerHello: sid 2 and
    // sid 4. sid 3 (http) never: the flow is TLS.
    let pkts = tcp_flow(40000, 8443, CLIENT_HELLO, SERVER_HELLO);
    assert_eq!(
        run(RULES, &pkts),
        vec![
            (1, 5, None),
            (4, 1, tls()),
            (4, 4, tls()),
            (5, 2, tls()),
            (5, 4, tls()),
        ]
    );
}

#[test]
fn tls_rule_on_an_http_flow() {
    // The same bytes 16 03 inside an HTTP request and response: detected
    // as HTTP/1 ("GET " to the server). sid 3 (http) and sid 4 (tcp) on
    // packets 4 and 5; sids 1 and 2 (tls) never.
    let pkts = tcp_flow(
        40001,
        8080,
        b"GET /\x16\x03 HTTP/1.1\r\nHost: a\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nX: \x16\x03\r\n\r\n",
    );
    let http = || Some("http".to_string());
    assert_eq!(
        run(RULES, &pkts),
        vec![
            (1, 5, None),
            (4, 3, http()),
            (4, 4, http()),
            (5, 3, http()),
            (5, 4, http()),
        ]
    );
}

#[test]
fn no_detection_midstream() {
    // Only the data packets, no handshake: the session never gets
    // established, nothing reaches protocol detection (Suricata's default
    // without midstream pickup). sid 4 alone on both.
    let pkts = tcp_flow(40002, 443, CLIENT_HELLO, SERVER_HELLO);
    assert_eq!(run(RULES, &pkts[3..]), vec![(1, 4, None), (2, 4, None)]);
}

/// A DNS query for `example.com`, type A, class IN, id 0x1234.
fn dns_query() -> Vec<u8> {
    let mut q = vec![0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
    q.extend_from_slice(b"\x07example\x03com\x00\x00\x01\x00\x01");
    q
}

#[test]
fn dns_rule_on_udp() {
    let rules = r#"
alert dns any any -> any any (msg:"dns raw content"; content:"example"; sid:10;)
alert udp any any -> any any (msg:"udp raw content"; content:"example"; sid:11;)
"#;
    let q = dns_query();
    let pkts = [
        // 1: to port 53, a valid query: DNS on this first packet: sid 10
        //    and 11.
        PacketBuilder::ipv4(CLIENT, SERVER)
            .udp(53000, 53, &q)
            .ethernet(),
        // 2: the same bytes to port 5353: no DNS probing there: sid 11.
        PacketBuilder::ipv4(CLIENT, SERVER)
            .udp(53001, 5353, &q)
            .ethernet(),
        // 3: to port 53 but truncated inside the question: not DNS. The
        //    client side gave up, the server side has said nothing: the
        //    flow's protocol stays unknown (no "failed" yet): sid 11 only.
        PacketBuilder::ipv4(CLIENT, SERVER)
            .udp(53002, 53, &q[..q.len() - 3])
            .ethernet(),
    ];
    let dns = Some("dns".to_string());
    assert_eq!(
        run(rules, &pkts),
        vec![
            (1, 10, dns.clone()),
            (1, 11, dns),
            (2, 11, None),
            (3, 11, None)
        ]
    );
}

/// Must-show 3 on ET Open: the rules typed as Suricata 8.0.6 types them
/// at load, against its log line "24830 signatures processed. 1192 are
/// IP-only rules, 3318 are inspecting packet payload, 20292 inspect
/// application layer, 0 are decoder event only": it loads each of the
/// three `<>` rules (sids 2001805, 2001259: payload; 2009375: app layer)
/// as two signatures, so per rule that is 1,192 / 3,316 / 20,291 / 0.
/// Of the payload rules, none is left out for its header's
/// application-layer protocol except `ftp-data` (found only through FTP
/// expectations).
#[test]
fn et_open_suricata_types() {
    use rulewire::detect::classify::{suricata_type, SuricataType, SuricataTypes};
    use rulewire::detect::Engine;
    let Some(shared) = common::shared_dir("et_open_suricata_types") else {
        return;
    };
    let vars = Vars::builtin();
    let set = rulewire::rule::load_paths(
        &[shared.join("rulesets").join("et-open")],
        &LoadOptions::new(&vars),
    );
    let t = SuricataTypes::count(&set.rules, &vars);
    assert_eq!(t.ip_only.rules, 1192);
    assert_eq!(t.payload.rules, 3316);
    assert_eq!(t.app_layer.rules, 20291);
    assert_eq!(t.decoder_event_only.rules, 0);
    assert_eq!(t.other.rules, 28);
    for r in &set.rules {
        if suricata_type(r, &vars) != SuricataType::Payload {
            continue;
        }
        if let Some(why) = Engine::why_inactive(r) {
            assert!(
                !why.starts_with("application-layer protocol") || why.contains("'ftp-data'"),
                "sid {:?}: {why}",
                r.rule.sid
            );
        }
    }
}
