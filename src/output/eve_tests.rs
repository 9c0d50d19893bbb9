//! Tests of `eve.rs`: exact record text for hand-built alerts.

use super::*;
use crate::output::record::{AlertAction, Direction, FlowCounters, FlowInfo, IpInfo};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

fn v4(a: [u8; 4]) -> IpAddr {
    IpAddr::V4(Ipv4Addr::from(a))
}

/// The IP layer of a TCP packet `src:sport -> dst:dport` over IPv4.
fn tcp_v4(src: [u8; 4], sport: u16, dst: [u8; 4], dport: u16) -> Option<IpInfo> {
    Some(IpInfo {
        src: v4(src),
        dst: v4(dst),
        proto: 6,
        transport: Transport::Ports {
            src: sport,
            dst: dport,
        },
    })
}

fn tcp_alert() -> AlertRecord<'static> {
    AlertRecord {
        ts_secs: 1_385_479_820, // 2013-11-26T15:30:20Z
        ts_nanos: 14_493_999,
        pcap_cnt: 4,
        sid: 2_210_044,
        rev: 2,
        msg: Some("SURICATA STREAM Packet with invalid timestamp"),
        class_desc: Some("Generic Protocol Command Decode"),
        priority: 3,
        ip: tcp_v4([192, 168, 1, 90], 80, [192, 168, 1, 43], 35532),
        ..AlertRecord::default()
    }
}

fn eve(rec: &AlertRecord<'_>, options: EveOptions) -> String {
    let mut out = Vec::new();
    format_alert(rec, &options, UtcOffset::UTC, &mut out);
    String::from_utf8(out).unwrap()
}

#[test]
fn minimal_tcp_alert_exact_text() {
    // 1385479820 = 16035 days (43 years * 365 + 11 leap days = 15706 to
    // 2013-01-01, + 329 to Nov 26) * 86400 + 15:30:20.
    let want = concat!(
        r#"{"timestamp":"2013-11-26T15:30:20.014493+0000","pcap_cnt":4,"event_type":"alert","#,
        r#""src_ip":"192.168.1.90","src_port":80,"dest_ip":"192.168.1.43","dest_port":35532,"#,
        r#""proto":"TCP","ip_v":4,"pkt_src":"wire/pcap","alert":{"action":"allowed","gid":1,"#,
        r#""signature_id":2210044,"rev":2,"#,
        r#""signature":"SURICATA STREAM Packet with invalid timestamp","#,
        r#""category":"Generic Protocol Command Decode","severity":3}}"#,
        "\n"
    );
    assert_eq!(eve(&tcp_alert(), EveOptions::default()), want);
}

#[test]
fn flow_fields_in_suricata_order() {
    let rec = AlertRecord {
        flow: Some(FlowInfo {
            flow_id: 1_234_567_890_123,
            direction: Direction::ToClient,
            app_proto: Some("http"),
            counters: Some(FlowCounters {
                pkts_toserver: 3,
                pkts_toclient: 2,
                bytes_toserver: 300,
                bytes_toclient: 200,
                start_secs: 1_385_479_819,
                start_nanos: 1_000,
            }),
        }),
        tx_id: Some(0),
        ..tcp_alert()
    };
    let text = eve(&rec, EveOptions::default());
    let want_tail = concat!(
        r#""severity":3},"app_proto":"http","direction":"to_client","flow":{"pkts_toserver":3,"#,
        r#""pkts_toclient":2,"bytes_toserver":300,"bytes_toclient":200,"#,
        r#""start":"2013-11-26T15:30:19.000001+0000","src_ip":"192.168.1.43","#,
        r#""dest_ip":"192.168.1.90","src_port":35532,"dest_port":80}}"#,
        "\n"
    );
    assert!(text.ends_with(want_tail), "{text}");
    assert!(text.starts_with(
        r#"{"timestamp":"2013-11-26T15:30:20.014493+0000","flow_id":1234567890123,"pcap_cnt":4,"#
    ));
    assert!(
        text.contains(r#""pkt_src":"wire/pcap","tx_id":0,"alert":{"#),
        "{text}"
    );
    // With metadata off there is no flow object, but still app_proto and
    // direction.
    let text = eve(
        &rec,
        EveOptions {
            flow: false,
            ..EveOptions::default()
        },
    );
    assert!(text.ends_with("\"app_proto\":\"http\",\"direction\":\"to_client\"}\n"));
}

#[test]
fn icmp_has_type_code_and_no_ports() {
    let rec = AlertRecord {
        ip: Some(IpInfo {
            src: v4([23, 0, 0, 2]),
            dst: v4([23, 0, 0, 3]),
            proto: 1,
            transport: Transport::Icmp { itype: 8, code: 0 },
        }),
        ..tcp_alert()
    };
    let text = eve(&rec, EveOptions::default());
    assert!(text.contains(
        r#""src_ip":"23.0.0.2","dest_ip":"23.0.0.3","proto":"ICMP","ip_v":4,"icmp_type":8,"icmp_code":0,"pkt_src""#
    ), "{text}");
}

#[test]
fn ipv6_fragment_without_ports_and_unnamed_proto() {
    let rec = AlertRecord {
        ip: Some(IpInfo {
            src: IpAddr::V6("2001:db8:85a3::8a2e:370:7334".parse::<Ipv6Addr>().unwrap()),
            dst: IpAddr::V6("2001:db8:1::1".parse::<Ipv6Addr>().unwrap()),
            proto: 44,
            transport: Transport::None,
        }),
        ..tcp_alert()
    };
    let text = eve(&rec, EveOptions::default());
    assert!(
        text.contains(concat!(
            r#""src_ip":"2001:0db8:85a3:0000:0000:8a2e:0370:7334","#,
            r#""dest_ip":"2001:0db8:0001:0000:0000:0000:0000:0001","proto":"IPv6-Frag","ip_v":6,"#
        )),
        "{text}"
    );
    // Ports given for a protocol Suricata prints no ports for are left out.
    let rec = AlertRecord {
        ip: Some(IpInfo {
            proto: 253,
            transport: Transport::Ports { src: 1, dst: 2 },
            ..rec.ip.unwrap()
        }),
        ..rec
    };
    let text = eve(&rec, EveOptions::default());
    assert!(text.contains(r#""proto":"253","ip_v":6,"#), "{text}");
    assert!(!text.contains("src_port"), "{text}");
}

#[test]
fn non_ip_alert_has_no_addresses_or_proto() {
    let rec = AlertRecord {
        ip: None,
        ..tcp_alert()
    };
    let text = eve(&rec, EveOptions::default());
    assert!(
        text.contains(r#""event_type":"alert","pkt_src":"wire/pcap","alert":"#),
        "{text}"
    );
}

#[test]
fn drop_and_reject_actions() {
    let mut rec = tcp_alert();
    rec.action = AlertAction::Drop;
    assert!(eve(&rec, EveOptions::default()).contains(r#""action":"allowed""#));
    rec.ips_mode = true;
    assert!(eve(&rec, EveOptions::default()).contains(r#""action":"blocked""#));
    rec.ips_mode = false;
    rec.action = AlertAction::Reject;
    assert!(eve(&rec, EveOptions::default()).contains(r#""action":"blocked""#));
}

#[test]
fn missing_msg_and_class_are_empty_strings() {
    let rec = AlertRecord {
        msg: None,
        class_desc: None,
        priority: 1,
        ..tcp_alert()
    };
    let text = eve(&rec, EveOptions::default());
    assert!(
        text.contains(r#""signature":"","category":"","severity":1}"#),
        "{text}"
    );
}

#[test]
fn payload_packet_and_printable() {
    let payload = b"GET /\r\n\t\x00\xffA\"\\";
    let packet = [0xde, 0xad, 0xbe, 0xef];
    let rec = AlertRecord {
        payload: Some(payload),
        packet: Some(&packet),
        stream_match: true,
        ..tcp_alert()
    };
    let all = EveOptions {
        flow: true,
        payload: true,
        payload_printable: true,
        packet: true,
    };
    let text = eve(&rec, all);
    // base64("GET /\r\n\t\0\xffA\"\\") computed by hand from the 13 bytes:
    // 47 45 54 20 2f 0d 0a 09 00 ff 41 22 5c.
    let want_tail = concat!(
        r#""severity":3},"payload":"R0VUIC8NCgkA/0EiXA==","#,
        r#""payload_printable":"GET /\r\n...A\"\\","stream":1,"#,
        r#""packet":"3q2+7w==","packet_info":{"linktype":1,"linktype_name":"EN10MB"}}"#,
        "\n"
    );
    assert!(text.ends_with(want_tail), "{text}");
    // UDP: `stream` is 0 whatever the record says.
    let rec = AlertRecord {
        ip: Some(IpInfo {
            proto: 17,
            ..rec.ip.unwrap()
        }),
        ..rec
    };
    assert!(eve(&rec, all).contains(r#","stream":0,"#));
}

#[test]
fn vlan_and_iface() {
    let vlans = [10u16, 20, 30, 40];
    let rec = AlertRecord {
        vlan: &vlans,
        in_iface: Some("eth0"),
        pcap_cnt: 0,
        ..tcp_alert()
    };
    let text = eve(&rec, EveOptions::default());
    assert!(text.contains(
        r#""timestamp":"2013-11-26T15:30:20.014493+0000","in_iface":"eth0","event_type":"alert","vlan":[10,20,30],"src_ip""#
    ), "{text}");
}

#[test]
fn strings_are_json_escaped() {
    let rec = AlertRecord {
        msg: Some("quote \" backslash \\ tab \t nl \n"),
        ..tcp_alert()
    };
    let text = eve(&rec, EveOptions::default());
    assert!(
        text.contains(r#""signature":"quote \" backslash \\ tab \t nl \n""#),
        "{text}"
    );
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        v["alert"]["signature"],
        "quote \" backslash \\ tab \t nl \n"
    );
    assert_eq!(text.matches('\n').count(), 1);
}

#[test]
fn anomaly_record() {
    let rec = AnomalyRecord {
        packet: PacketFields {
            ts_secs: 0,
            ts_nanos: 0,
            pcap_cnt: 9,
            ip: None,
            flow: None,
            pkt_src: PktSrc::Wire,
            in_iface: None,
            vlan: &[],
        },
        kind: AnomalyKind::Decode,
        event: "decoder.ipv4.trunc_pkt",
    };
    let mut out = Vec::new();
    format_anomaly(&rec, UtcOffset::UTC, &mut out);
    assert_eq!(
        String::from_utf8(out).unwrap(),
        concat!(
            r#"{"timestamp":"1970-01-01T00:00:00.000000+0000","pcap_cnt":9,"event_type":"anomaly","#,
            r#""pkt_src":"wire/pcap","anomaly":{"type":"decode","event":"decoder.ipv4.trunc_pkt"}}"#,
            "\n"
        )
    );
}

#[test]
fn linktype_names() {
    assert_eq!(linktype_name(1), "EN10MB");
    assert_eq!(linktype_name(113), "LINUX_SLL");
    assert_eq!(linktype_name(12), "RAW");
    assert_eq!(linktype_name(147), "n/a");
}

/// A tagged packet's record, field for field as Suricata 8.0.6 wrote
/// packet 18 of suricata-verify eve-tag-02 (flow id aside).
#[test]
fn tagged_packet_record() {
    // 192.168.0.27:54634 -> 192.168.0.103:22, ACK, 60 bytes on the wire.
    let packet: &[u8] = &[
        0x08, 0x00, 0x27, 0xea, 0x65, 0x89, 0x00, 0xf4, 0x8d, 0xbd, 0xfa, 0xc7, 0x08, 0x00, 0x45,
        0x00, 0x00, 0x28, 0x82, 0x45, 0x40, 0x00, 0x80, 0x06, 0xf6, 0xb7, 0xc0, 0xa8, 0x00, 0x1b,
        0xc0, 0xa8, 0x00, 0x67, 0xd5, 0x6a, 0x00, 0x16, 0x6f, 0x9c, 0x95, 0xc7, 0xe5, 0x97, 0xfa,
        0x68, 0x50, 0x10, 0x10, 0x09, 0x63, 0x13, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    ];
    let rec = AlertRecord {
        ts_secs: 1_591_180_157, // 2020-06-03T10:29:17Z
        ts_nanos: 850_417_000,
        pcap_cnt: 18,
        ip: tcp_v4([192, 168, 0, 27], 54634, [192, 168, 0, 103], 22),
        flow: Some(FlowInfo {
            flow_id: 1_576_830_360_448_836,
            direction: Direction::ToServer,
            app_proto: Some("ssh"),
            counters: None,
        }),
        packet: Some(packet),
        ..AlertRecord::default()
    };
    let mut out = Vec::new();
    format_tagged_packet(&rec, UtcOffset::UTC, &mut out);
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "{\"timestamp\":\"2020-06-03T10:29:17.850417+0000\",\"flow_id\":1576830360448836,\
         \"pcap_cnt\":18,\"event_type\":\"packet\",\"src_ip\":\"192.168.0.27\",\
         \"src_port\":54634,\"dest_ip\":\"192.168.0.103\",\"dest_port\":22,\"proto\":\"TCP\",\
         \"ip_v\":4,\"pkt_src\":\"wire/pcap\",\
         \"packet\":\"CAAn6mWJAPSNvfrHCABFAAAogkVAAIAG9rfAqAAbwKgAZ9VqABZvnJXH5Zf6aFAQEAljEwAAAAAAAAAA\",\
         \"packet_info\":{\"linktype\":1,\"linktype_name\":\"EN10MB\"}}\n"
    );
    // The format writes it only with `tagged-packets`.
    let mut out = Vec::new();
    let f = EveFormat::default();
    f.format_tagged_packet(&rec, &mut out);
    assert!(out.is_empty());
    f.with_tagged_packets(true)
        .format_tagged_packet(&rec, &mut out);
    assert!(!out.is_empty());
}
