//! Signature groups and the fast-pattern prefilter against the naive
//! engine (every rule on every packet): hand-worked port-group cases
//! (`any`, ranges, negations, `<>`, `flow:to_client` rules keyed by the
//! source port) and a proptest over random rule sets and packets, each
//! run with the prefilter off, on with the default grouping, and on with
//! one own port per side (so nearly every port goes through the merged
//! group). All three must give the same alerts.

#[path = "common/detect.rs"]
mod harness;

use proptest::prelude::*;
use rulewire::decode::craft::{PacketBuilder, TcpSpec};
use rulewire::detect::prefilter::{GroupSettings, PrefilterSettings};

/// The engines compared: prefilter off, default groups, tiny groups.
fn engines() -> [(&'static str, bool, PrefilterSettings); 3] {
    let tiny = PrefilterSettings {
        groups: GroupSettings {
            to_server_ports: 1,
            to_client_ports: 1,
        },
        ..PrefilterSettings::default()
    };
    [
        ("prefilter off", false, PrefilterSettings::default()),
        ("prefilter on", true, PrefilterSettings::default()),
        ("prefilter on with one own port", true, tiny),
    ]
}

/// Runs `rules` over `packets` (numbered from 1) with each engine of
/// [`engines`], asserts they agree, and returns the alerts.
fn run(rules: &str, packets: &[Vec<u8>]) -> Vec<(u64, u32)> {
    harness::agreed_alerts(rules, packets, &engines())
}

const CLIENT: [u8; 4] = [10, 0, 0, 1];
const SERVER: [u8; 4] = [10, 0, 0, 2];

fn tcp(src: [u8; 4], dst: [u8; 4], sp: u16, dp: u16, spec: TcpSpec) -> Vec<u8> {
    PacketBuilder::ipv4(src, dst).tcp(sp, dp, spec).ethernet()
}

fn sids_of(alerts: &[(u64, u32)], packet: u64) -> Vec<u32> {
    alerts
        .iter()
        .filter(|a| a.0 == packet)
        .map(|a| a.1)
        .collect()
}

#[test]
fn port_groups_by_direction() {
    let rules = r#"
alert tcp any any -> any 80 (content:"abc"; sid:1;)
alert tcp any 80 -> any any (flow:to_client; content:"abc"; sid:2;)
alert tcp any any <> any 8080 (content:"abc"; sid:3;)
alert tcp any any -> any ![80,443] (content:"abc"; sid:4;)
alert tcp any any -> any 1024: (content:"abc"; sid:5;)
alert tcp any any -> any any (content:"abc"; sid:6;)
alert udp any any -> any 80 (content:"abc"; sid:7;)
alert tcp any any -> any [80,8080] (flow:to_server; content:"ABC"; sid:8;)
alert tcp any any -> any 80 (dsize:>0; sid:9;)
"#;
    let packets = vec![
        // 1: client SYN to :80, no payload: only sid 9 could, but
        // dsize:>0 fails.
        tcp(CLIENT, SERVER, 40000, 80, TcpSpec::syn().seq(1)),
        // 2: server SYN/ACK.
        tcp(
            SERVER,
            CLIENT,
            80,
            40000,
            TcpSpec::syn_ack().seq(100).ack_number(2),
        ),
        // 3: to_server "abc" on :80: sid 1 (dst 80), 6 (any), 9 (dsize);
        // not 4 (80 excluded), 5 (80 < 1024), 8 (case differs), 3 (no
        // 8080), 7 (udp).
        tcp(
            CLIENT,
            SERVER,
            40000,
            80,
            TcpSpec::psh_ack().seq(2).ack_number(101).payload(b"abc"),
        ),
        // 4: to_client "abc" from :80 to :40000: sid 2 (src 80,
        // to_client), 4 (dst 40000 not 80/443), 5 (40000 >= 1024), 6.
        tcp(
            SERVER,
            CLIENT,
            80,
            40000,
            TcpSpec::psh_ack().seq(101).ack_number(5).payload(b"abc"),
        ),
        // 5: new flow from :8080 to :5555 carrying "ABC abc": sid 3
        // (`<>`: the source is 8080), 4, 5, 6; sid 8 needs dst 80/8080.
        tcp(
            CLIENT,
            SERVER,
            8080,
            5555,
            TcpSpec::psh_ack().seq(7).payload(b"ABC abc"),
        ),
        // 6: new flow to :8080 carrying "ABC": sid 3 needs "abc" (case),
        // sid 8 (dst 8080, to_server, exact "ABC"); 4/5/6 need "abc".
        tcp(
            CLIENT,
            SERVER,
            41000,
            8080,
            TcpSpec::psh_ack().seq(9).payload(b"ABC"),
        ),
        // 7: UDP to :80 "xabc": sid 7 only.
        PacketBuilder::ipv4(CLIENT, SERVER)
            .udp(5000, 80, b"xabc")
            .ethernet(),
    ];
    let alerts = run(rules, &packets);
    assert_eq!(sids_of(&alerts, 1), Vec::<u32>::new());
    assert_eq!(sids_of(&alerts, 2), Vec::<u32>::new());
    assert_eq!(sids_of(&alerts, 3), vec![1, 6, 9]);
    assert_eq!(sids_of(&alerts, 4), vec![2, 4, 5, 6]);
    assert_eq!(sids_of(&alerts, 5), vec![3, 4, 5, 6]);
    assert_eq!(sids_of(&alerts, 6), vec![8]);
    assert_eq!(sids_of(&alerts, 7), vec![7]);
}

#[test]
fn nocase_negated_and_chopped_fast_patterns() {
    let rules = r#"
alert udp any any -> any any (content:"HeLLo"; nocase; sid:1;)
alert udp any any -> any any (content:!"evil"; sid:2;)
alert udp any any -> any any (content:"abcdef"; fast_pattern:2,2; sid:3;)
alert udp any any -> any any (content:"xy"; fast_pattern; content:"longer one"; sid:4;)
alert udp any any -> any any (content:"Exact"; sid:5;)
"#;
    let udp = |p: &[u8]| PacketBuilder::ipv4(CLIENT, SERVER).udp(1, 2, p).ethernet();
    let packets = vec![
        // 1: "hello" any case: 1; no "evil": 2; "exact" lowercase: not 5.
        udp(b"say HELLO exact"),
        // 2: "evil" present: not 2; "cd" alone is not "abcdef": not 3.
        udp(b"evil cd"),
        // 3: 2, 3 ("abcdef"), 4 ("xy" and "longer one"), 5.
        udp(b"abcdef xy longer one Exact"),
        // 4: "xy" without "longer one": 2 only.
        udp(b"xy"),
    ];
    let alerts = run(rules, &packets);
    assert_eq!(sids_of(&alerts, 1), vec![1, 2]);
    assert_eq!(sids_of(&alerts, 2), Vec::<u32>::new());
    assert_eq!(sids_of(&alerts, 3), vec![2, 3, 4, 5]);
    assert_eq!(sids_of(&alerts, 4), vec![2]);
}

const PORTS: &[&str] = &[
    "any",
    "80",
    "53",
    "1024:",
    ":1023",
    "![80,443]",
    "[80,8080]",
    "[53,80,1000:2000]",
    "!53",
];
const WORDS: &[&str] = &["abc", "ABC", "bcd", "zz", "GET /", "|00 01|", "a", "xyzzy"];
const FLOWS: &[&str] = &[
    "",
    "flow:to_server;",
    "flow:to_client;",
    "flow:established;",
];
const PKT_PORTS: &[u16] = &[53, 80, 443, 1000, 1500, 8080, 40000];

fn rule_strategy() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["tcp", "udp", "ip"]),
        prop::sample::select(PORTS),
        prop::sample::select(PORTS),
        any::<bool>(),
        prop::sample::select(FLOWS),
        prop::collection::vec((prop::sample::select(WORDS), any::<bool>(), 0u8..6), 0..3),
    )
        .prop_map(|(proto, sp, dp, both, flow, contents)| {
            let (sp, dp) = if proto == "ip" {
                ("any", "any")
            } else {
                (sp, dp)
            };
            let mut opts = String::from(flow);
            for (i, (w, nocase, extra)) in contents.iter().enumerate() {
                // extra: 0 negated, 1 fast_pattern, else plain.
                let neg = if *extra == 0 { "!" } else { "" };
                opts.push_str(&format!("content:{neg}\"{w}\";"));
                if *nocase {
                    opts.push_str(" nocase;");
                }
                if *extra == 1 && i == 0 {
                    opts.push_str(" fast_pattern;");
                }
            }
            let arrow = if both { "<>" } else { "->" };
            format!("alert {proto} any {sp} {arrow} any {dp} ({opts} sid:SID;)")
        })
}

fn packet_strategy() -> impl Strategy<Value = (bool, bool, u16, u16, Vec<u8>)> {
    let chunk = prop::sample::select(vec![
        b"abc".to_vec(),
        b"ABC".to_vec(),
        b"aBc".to_vec(),
        b"bcd".to_vec(),
        b"zz".to_vec(),
        b"GET /".to_vec(),
        b"get /".to_vec(),
        vec![0, 1],
        b" ".to_vec(),
        b"xyzzy".to_vec(),
    ]);
    (
        any::<bool>(),
        any::<bool>(),
        prop::sample::select(PKT_PORTS),
        prop::sample::select(PKT_PORTS),
        prop::collection::vec(chunk, 0..5).prop_map(|v| v.concat()),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn prefilter_agrees_with_naive(
        rules in prop::collection::vec(rule_strategy(), 1..25),
        packets in prop::collection::vec(packet_strategy(), 1..12),
    ) {
        let text: String = rules
            .iter()
            .enumerate()
            .map(|(i, r)| r.replace("SID", &(i + 1).to_string()) + "\n")
            .collect();
        let frames: Vec<Vec<u8>> = packets
            .iter()
            .map(|(is_tcp, reply, sp, dp, payload)| {
                let (src, dst, sp, dp) = if *reply {
                    (SERVER, CLIENT, *dp, *sp)
                } else {
                    (CLIENT, SERVER, *sp, *dp)
                };
                let b = PacketBuilder::ipv4(src, dst);
                if *is_tcp {
                    b.tcp(sp, dp, TcpSpec::psh_ack().payload(payload)).ethernet()
                } else {
                    b.udp(sp, dp, payload).ethernet()
                }
            })
            .collect();
        run(&text, &frames);
    }
}
