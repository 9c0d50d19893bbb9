//! The engine on the keywords of `detect::keywords`: `pcre`, the `byte_*`
//! keywords and `flowbits`, run through the runtime `Worker` and the
//! `Detector` on hand-built UDP packets. Every case runs with the
//! prefilter on and off and expects the same alerts. Expected sids are
//! worked out in the comment above each case.

#[path = "common/detect.rs"]
mod harness;

use rulewire::decode::craft::PacketBuilder;

/// One UDP packet 10.0.0.1:`sport` -> 10.0.0.2:53 carrying `payload`.
fn udp(sport: u16, payload: &[u8]) -> Vec<u8> {
    PacketBuilder::ipv4([10, 0, 0, 1], [10, 0, 0, 2])
        .udp(sport, 53, payload)
        .ethernet()
}

/// Runs `rules` over `packets` (numbered from 1) with the prefilter on
/// and off, checks both agree and every rule is active, and returns the
/// alerts sorted.
fn run(rules: &str, packets: &[Vec<u8>]) -> Vec<(u64, u32)> {
    harness::agreed_alerts(rules, packets, &harness::prefilter_on_and_off())
}

#[test]
fn pcre_relative_after_content() {
    let rules = r#"
alert udp any any -> any any (msg:"R anchors at the content end"; content:"GET "; pcre:"/^\/admin/R"; sid:1;)
alert udp any any -> any any (msg:"content retried for a relative pcre"; content:"a"; pcre:"/^b/R"; sid:2;)
alert udp any any -> any any (msg:"pcre retried for a relative content"; pcre:"/a./"; content:"z"; within:1; sid:3;)
alert udp any any -> any any (msg:"negated pcre"; content:"GET"; pcre:!"/passwd/i"; sid:4;)
"#;
    let pkts = [
        // 1: "GET " ends at 4, "/admin" starts there: sid 1; no "passwd":
        //    sid 4. No "a" followed by "b": sid 2 no. "/a." = "ad" then
        //    "m" is not "z": sid 3 no.
        udp(1000, b"GET /admin"),
        // 2: "/admin" is not at the end of "GET ": sid 1 no; sid 4 yes.
        udp(1000, b"GET /x/admin"),
        // 3: first "a" (0) is followed by "x", the second (2) by "b":
        //    sid 2 on retry. "ax" then "a" != "z"; retry from 1: "ab" ends
        //    at 4... "axab": "ab" at 2..4, nothing after: sid 3 no.
        udp(1000, b"axab"),
        // 4: "ab" (0..2) then "a" != "z"; retry: "ac" (2..4) then "z": sid
        //    3. sid 2: "a" at 0 then "b": yes.
        udp(1000, b"abacz"),
        // 5: "PASSWD" matches /passwd/i: sid 4 no; sid 1 no.
        udp(1000, b"GET /PASSWD"),
    ];
    assert_eq!(
        run(rules, &pkts),
        vec![(1, 1), (1, 4), (2, 4), (3, 2), (4, 2), (4, 3)]
    );
}

#[test]
fn byte_test_and_jump_chains() {
    let rules = r#"
alert udp any any -> any any (msg:"u16 > 15"; byte_test:2,>,15,0; sid:1;)
alert udp any any -> any any (msg:"jump by the length then XYZ"; byte_jump:2,0; content:"XYZ"; within:3; sid:2;)
alert udp any any -> any any (msg:"extract an offset, test there"; byte_extract:1,0,off; byte_test:1,=,0x41,off; sid:3;)
alert udp any any -> any any (msg:"math then relative test"; content:"L"; byte_math:bytes 1, offset 0, oper +, rvalue 1, result r, relative; byte_test:1,=,r,1,relative; sid:4;)
alert udp any any -> any any (msg:"content at a variable offset"; byte_extract:1,0,o; content:"Q"; offset:o; depth:1; sid:5;)
"#;
    let pkts = [
        // 1: 00 03 "abcXYZ": u16 = 3, not > 15. Jump: read ends at 2,
        //    + 3 = 5, "XYZ" at 5..8 within 3: sid 2. byte 0 = 0: byte 0 is
        //    0x00, not 'A'. No "L". Byte at offset 0 is 'Q'? no.
        udp(2000, b"\x00\x03abcXYZ"),
        // 2: 00 02 "abcXYZ": jump to 4, "cXY" is not "XYZ": no sid 2.
        udp(2000, b"\x00\x02abcXYZ"),
        // 3: 00 10 ...: u16 = 16 > 15: sid 1. Jump to 2 + 16 past the end.
        udp(2000, b"\x00\x10zz"),
        // 4: 02 'z' 'A': off = 2, byte 2 = 'A': sid 3. u16 0x027a > 15:
        //    sid 1. Jump: 2 + 0x027a past the end. Byte 2 is 'A' not 'Q'.
        udp(2000, b"\x02zA"),
        // 5: "L" ends at 1; byte 1 = 0x05, r = 6; byte 2 (1 past the
        //    cursor) = 0x06: sid 4. u16 "L\x05" = 0x4c05 > 15: sid 1.
        //    o = 'L' = 76: past the end, no sid 5.
        udp(2000, b"L\x05\x06"),
        // 6: o = 2, "Q" at 2 within depth 1: sid 5. u16 0x0278 > 15:
        //    sid 1. Byte 2 is 'Q', not 'A'.
        udp(2000, b"\x02xQ"),
    ];
    assert_eq!(
        run(rules, &pkts),
        vec![
            (1, 2),
            (3, 1),
            (4, 1),
            (4, 3),
            (5, 1),
            (5, 4),
            (6, 1),
            (6, 5)
        ]
    );
}

#[test]
fn flowbits_set_then_isset_per_flow() {
    let rules = r#"
alert udp any any -> any any (msg:"login sets auth"; content:"login"; flowbits:set,auth; flowbits:noalert; sid:10;)
alert udp any any -> any any (msg:"cmd after login"; content:"cmd"; flowbits:isset,auth; sid:11;)
alert udp any any -> any any (msg:"cmd without login"; content:"cmd"; flowbits:isnotset,auth; sid:12;)
alert udp any any -> any any (msg:"logout unsets"; content:"logout"; flowbits:unset,auth; sid:13;)
"#;
    let pkts = [
        // 1: flow A sets auth; sid 10 is noalert: nothing.
        udp(3000, b"login"),
        // 2: flow A, auth set: sid 11.
        udp(3000, b"cmd"),
        // 3: flow B (another port) has no bits: sid 12.
        udp(3001, b"cmd"),
        // 4: flow A "logout": sid 13 alerts and clears auth.
        udp(3000, b"logout"),
        // 5: flow A again without auth: sid 12.
        udp(3000, b"cmd"),
        // 6: flow C, one packet sets and tests: setters run first, so
        //    sid 11 (and not 12).
        udp(3002, b"login cmd"),
    ];
    assert_eq!(
        run(rules, &pkts),
        vec![(2, 11), (3, 12), (4, 13), (5, 12), (6, 11)]
    );
}

/// A TCP segment between 10.0.0.1:40000 (client) and 10.0.0.2:80.
fn tcp(from_client: bool, spec: rulewire::decode::craft::TcpSpec) -> Vec<u8> {
    let (a, b, sp, dp) = if from_client {
        ([10, 0, 0, 1], [10, 0, 0, 2], 40000, 80)
    } else {
        ([10, 0, 0, 2], [10, 0, 0, 1], 80, 40000)
    };
    PacketBuilder::ipv4(a, b).tcp(sp, dp, spec).ethernet()
}

#[test]
fn stream_size_follows_the_session() {
    use rulewire::decode::craft::TcpSpec;
    // Client ISN 1000, server ISN 5000. Sizes are next_seq - isn, the SYN
    // counted: after the handshake client 1, server 1; after 20 client
    // bytes, client 21; after 300 server bytes, server 301.
    let packets = vec![
        tcp(true, TcpSpec::syn().seq(1000)),                       // 1
        tcp(false, TcpSpec::syn_ack().seq(5000).ack_number(1001)), // 2
        tcp(true, TcpSpec::ack().seq(1001).ack_number(5001)),      // 3
        tcp(
            true,
            TcpSpec::psh_ack()
                .seq(1001)
                .ack_number(5001)
                .payload(&[b'a'; 20]),
        ), // 4
        tcp(
            false,
            TcpSpec::psh_ack()
                .seq(5001)
                .ack_number(1021)
                .payload(&[b'b'; 300]),
        ), // 5
        tcp(true, TcpSpec::ack().seq(1021).ack_number(5301)),      // 6
    ];
    let rules = r#"
alert tcp any any -> any any (msg:"client over 10"; stream_size:client,>,10; sid:1;)
alert tcp any any -> any any (msg:"server at least 301"; stream_size:server,>=,301; sid:2;)
alert tcp any any -> any any (msg:"both below 2"; stream_size:both,<,2; sid:3;)
alert tcp any any -> any any (msg:"either equal 21"; stream_size:either,=,21; sid:4;)
"#;
    let got = run(rules, &packets);
    // sid 1: client 21 from packet 4 on (4, 5, 6). sid 2: packets 5, 6.
    // sid 3: the SYN (client 1, server 0) through packet 3 (1 and 1).
    // sid 4: client is 21 at 4, 5, 6. (Suricata 8.0.6 raises exactly these
    // on the same six packets.)
    assert_eq!(
        got,
        vec![
            (1, 3),
            (2, 3),
            (3, 3),
            (4, 1),
            (4, 4),
            (5, 1),
            (5, 2),
            (5, 4),
            (6, 1),
            (6, 2),
            (6, 4)
        ]
    );
}
