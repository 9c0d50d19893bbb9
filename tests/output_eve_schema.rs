//! EVE records of every shape we write validate against Suricata 8.0.6's
//! EVE schema (`../shared/eve/schema.json`, its `etc/schema.json`).

mod common;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use rulewire::output::eve::{format_alert, format_anomaly};
use rulewire::output::{
    AlertAction, AlertRecord, AnomalyKind, AnomalyRecord, Direction, EveOptions, FlowCounters,
    FlowInfo, IpInfo, PacketFields, PktSrc, Transport, UtcOffset,
};

fn validator() -> Option<jsonschema::Validator> {
    let shared = common::shared_dir("output_eve_schema")?;
    let text = std::fs::read_to_string(shared.join("eve/schema.json")).expect("schema.json");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("schema is JSON");
    Some(jsonschema::validator_for(&schema).expect("schema compiles"))
}

fn errors(v: &jsonschema::Validator, line: &[u8]) -> Vec<String> {
    assert_eq!(line.last(), Some(&b'\n'), "one record per line");
    assert_eq!(line.iter().filter(|&&b| b == b'\n').count(), 1);
    let value: serde_json::Value = serde_json::from_slice(line).expect("record is JSON");
    v.iter_errors(&value)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect()
}

const ALL: EveOptions = EveOptions {
    flow: true,
    payload: true,
    payload_printable: true,
    packet: true,
};

fn records() -> Vec<(&'static str, AlertRecord<'static>)> {
    static PAYLOAD: &[u8] = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n\x00\xff";
    static PACKET: &[u8] = &[0u8; 60];
    static VLANS: &[u16] = &[100, 200];
    let v4 = |a, b, c, d| IpAddr::V4(Ipv4Addr::new(a, b, c, d));
    let v6 = |s: &str| IpAddr::V6(s.parse::<Ipv6Addr>().expect("v6"));
    let tcp = AlertRecord {
        ts_secs: 1_700_000_000,
        ts_nanos: 123_456_789,
        pcap_cnt: 42,
        sid: 2_100_498,
        rev: 7,
        msg: Some("GPL ATTACK_RESPONSE id check returned root"),
        class_desc: Some("Potentially Bad Traffic"),
        priority: 2,
        ip: Some(IpInfo {
            src: v4(10, 0, 0, 1),
            dst: v4(10, 0, 0, 2),
            proto: 6,
            transport: Transport::Ports {
                src: 80,
                dst: 51234,
            },
        }),
        flow: Some(FlowInfo {
            flow_id: 987_654_321,
            direction: Direction::ToClient,
            app_proto: Some("http"),
            counters: Some(FlowCounters {
                pkts_toserver: 4,
                pkts_toclient: 3,
                bytes_toserver: 400,
                bytes_toclient: 3000,
                start_secs: 1_699_999_999,
                start_nanos: 5,
            }),
        }),
        tx_id: Some(0),
        stream_match: true,
        payload: Some(PAYLOAD),
        packet: Some(PACKET),
        ..AlertRecord::default()
    };
    vec![
        ("ipv4 tcp with flow, payload, packet", tcp),
        (
            "ipv6 udp",
            AlertRecord {
                ip: Some(IpInfo {
                    src: v6("2001:db8::1"),
                    dst: v6("2001:db8::53"),
                    proto: 17,
                    transport: Transport::Ports { src: 5353, dst: 53 },
                }),
                ..tcp
            },
        ),
        (
            "icmpv6 without ports",
            AlertRecord {
                ip: Some(IpInfo {
                    src: v6("fe80::1"),
                    dst: v6("ff02::1"),
                    proto: 58,
                    transport: Transport::Icmp {
                        itype: 135,
                        code: 0,
                    },
                }),
                flow: None,
                ..tcp
            },
        ),
        (
            "gre without ports, unnamed msg and class",
            AlertRecord {
                msg: None,
                class_desc: None,
                ip: Some(IpInfo {
                    src: v4(1, 2, 3, 4),
                    dst: v4(5, 6, 7, 8),
                    proto: 47,
                    transport: Transport::None,
                }),
                flow: None,
                ..tcp
            },
        ),
        (
            "unnamed protocol",
            AlertRecord {
                ip: Some(IpInfo {
                    src: v4(1, 2, 3, 4),
                    dst: v4(5, 6, 7, 8),
                    proto: 253,
                    transport: Transport::None,
                }),
                ..tcp
            },
        ),
        (
            "drop in ips mode",
            AlertRecord {
                action: AlertAction::Drop,
                ips_mode: true,
                ..tcp
            },
        ),
        (
            "reject in ids mode",
            AlertRecord {
                action: AlertAction::Reject,
                ..tcp
            },
        ),
        (
            "non-ip packet (decoder event)",
            AlertRecord {
                ip: None,
                flow: None,
                pcap_cnt: 0,
                ..tcp
            },
        ),
        (
            "live capture with vlan and tunnel source",
            AlertRecord {
                in_iface: Some("eth0"),
                vlan: VLANS,
                pkt_src: PktSrc::GreTunnel,
                ..tcp
            },
        ),
        (
            "flow without counters or app_proto",
            AlertRecord {
                flow: Some(FlowInfo {
                    flow_id: 1,
                    direction: Direction::ToServer,
                    app_proto: None,
                    counters: None,
                }),
                ..tcp
            },
        ),
        (
            "empty payload and packet",
            AlertRecord {
                payload: None,
                packet: None,
                ..tcp
            },
        ),
    ]
}

#[test]
fn alert_records_of_every_shape_validate() {
    let Some(v) = validator() else {
        return;
    };
    let mut checked = 0;
    for (name, rec) in records() {
        for (opts_name, opts) in [("defaults", EveOptions::default()), ("all options", ALL)] {
            let mut line = Vec::new();
            format_alert(&rec, &opts, UtcOffset::UTC, &mut line);
            let errs = errors(&v, &line);
            assert!(
                errs.is_empty(),
                "{name} ({opts_name}): {}\n{}",
                errs.join("; "),
                String::from_utf8_lossy(&line)
            );
            checked += 1;
        }
    }
    // With a non-UTC offset too (the schema's timestamp pattern allows any).
    let est = UtcOffset::from_seconds(-5 * 3600).expect("offset");
    let (_, rec) = records().remove(0);
    let mut line = Vec::new();
    format_alert(&rec, &ALL, est, &mut line);
    assert!(errors(&v, &line).is_empty());
    assert!(String::from_utf8_lossy(&line).contains("-0500\""));
    eprintln!("eve schema: {} alert records valid", checked + 1);
}

#[test]
fn anomaly_records_validate() {
    let Some(v) = validator() else {
        return;
    };
    for (kind, event, ip) in [
        (AnomalyKind::Decode, "decoder.ipv4.trunc_pkt", None),
        (
            AnomalyKind::Stream,
            "stream.pkt_invalid_timestamp",
            Some(IpInfo {
                src: IpAddr::V4(Ipv4Addr::new(192, 168, 1, 90)),
                dst: IpAddr::V4(Ipv4Addr::new(192, 168, 1, 43)),
                proto: 6,
                transport: Transport::Ports {
                    src: 80,
                    dst: 35532,
                },
            }),
        ),
    ] {
        let rec = AnomalyRecord {
            packet: PacketFields {
                ts_secs: 1_385_479_820,
                ts_nanos: 0,
                pcap_cnt: 2,
                ip,
                flow: None,
                pkt_src: PktSrc::Wire,
                in_iface: None,
                vlan: &[],
            },
            kind,
            event,
        };
        let mut line = Vec::new();
        format_anomaly(&rec, UtcOffset::UTC, &mut line);
        let errs = errors(&v, &line);
        assert!(errs.is_empty(), "{event}: {}", errs.join("; "));
    }
}

/// The validator really validates: records with a wrong type or an unknown
/// field are refused (so the tests above cannot pass vacuously).
#[test]
fn schema_rejects_broken_records() {
    let Some(v) = validator() else {
        return;
    };
    let (_, rec) = records().remove(0);
    let mut line = Vec::new();
    format_alert(&rec, &ALL, UtcOffset::UTC, &mut line);
    let good: serde_json::Value = serde_json::from_slice(&line).expect("json");
    let mut bad_type = good.clone();
    bad_type["src_port"] = serde_json::json!("80");
    assert!(!v.is_valid(&bad_type));
    let mut unknown = good.clone();
    unknown["alert"]["sid"] = serde_json::json!(1);
    assert!(!v.is_valid(&unknown));
    let mut bad_time = good;
    bad_time["timestamp"] = serde_json::json!("2023-11-14 22:13:20");
    assert!(!v.is_valid(&bad_time));
}
