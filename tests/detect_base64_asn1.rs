//! The engine on `base64_decode`/`base64_data` and `asn1`, run through the
//! runtime `Worker` and the `Detector` on hand-built UDP packets, with the
//! prefilter on and off (both must agree). Expected sids are worked out by
//! hand in the comment above each packet. Both tests' rules and packets
//! were also run through the reference Suricata 8.0.6 (UDP pcap crafted
//! from the same payloads): it raised exactly the alerts expected here,
//! including no alert for the un-retried content (base64 packet 4) and
//! none ever for `base64_decode` without `base64_data` (sid 4).

#[path = "common/detect.rs"]
mod harness;

use rulewire::decode::craft::PacketBuilder;

/// One UDP packet 10.0.0.1:1000 -> 10.0.0.2:53 carrying `payload`.
fn udp(payload: &[u8]) -> Vec<u8> {
    PacketBuilder::ipv4([10, 0, 0, 1], [10, 0, 0, 2])
        .udp(1000, 53, payload)
        .ethernet()
}

/// Runs `rules` over `packets` (numbered from 1) with the prefilter on
/// and off, checks both agree and every rule is active, and returns the
/// alerts sorted.
fn run(rules: &str, packets: &[Vec<u8>]) -> Vec<(u64, u32)> {
    harness::agreed_alerts(rules, packets, &harness::prefilter_on_and_off())
}

#[test]
fn base64_decode_and_data() {
    let rules = r#"
alert udp any any -> any any (msg:"relative decode"; content:"b64="; base64_decode:relative; base64_data; content:"ABC"; startswith; sid:1;)
alert udp any any -> any any (msg:"4 input bytes"; content:"b64="; base64_decode:bytes 4, offset 0, relative; base64_data; content:"ABC"; endswith; sid:2;)
alert udp any any -> any any (msg:"from the start"; base64_decode; base64_data; content:"hello"; sid:3;)
alert udp any any -> any any (msg:"no base64_data: never"; content:"b64="; base64_decode:relative; sid:4;)
alert udp any any -> any any (msg:"offset"; base64_decode:offset 4; base64_data; content:"DEF"; distance:3; sid:5;)
"#;
    let pkts = [
        // 1: after "b64=": "QUJDREVG" = "ABCDEF": sid 1; 4 bytes "QUJD"
        //    = "ABC": sid 2. From 0, "b64=" is itself a group: "o\xae"
        //    then "ABCDEF": no "hello" (sid 3 no). From offset 4:
        //    "ABCDEF", "DEF" at 3 with distance 3 from 0: sid 5.
        udp(b"b64=QUJDREVG"),
        // 2: "aGVsbG8=" = "hello": sid 3 only.
        udp(b"aGVsbG8="),
        // 3: '!' right after "b64=": nothing decoded, sids 1, 2 no; from
        //    0 "o\xae" only: sid 3 no; offset 4 is '!': sid 5 no.
        udp(b"b64=!QUJD"),
        // 4: the first "b64=" decodes nothing; Suricata does not retry
        //    the content for base64_decode (no RELATIVE_NEXT): sid 1 no.
        udp(b"b64=! b64=QUJD"),
    ];
    assert_eq!(run(rules, &pkts), vec![(1, 1), (1, 2), (1, 5), (2, 3)]);
}

#[test]
fn asn1_checks() {
    let rules = r#"
alert udp any any -> any any (msg:"bitstring after ASN"; content:"ASN"; asn1:bitstring_overflow, relative_offset 0; sid:11;)
alert udp any any -> any any (msg:"oversize at 0"; asn1:oversize_length 10, absolute_offset 0; sid:12;)
alert udp any any -> any any (msg:"oversize in a sequence"; content:"X"; asn1:oversize_length 3, relative_offset 1; sid:13;)
"#;
    let pkts = [
        // 1: after "ASN": BIT STRING len 1, unused bits 0xff > 8: sid 11.
        //    At 0, 'A' (0x41) is an application tag of length 'S' = 83,
        //    truncated: sid 12 no.
        udp(b"ASN\x03\x01\xff"),
        // 2: OCTET STRING of length 11 > 10 at 0: sid 12.
        udp(b"\x04\x0bhello world"),
        // 3: after "X" skip 1 byte: SEQUENCE { OCTET STRING len 4 }: 4 > 3
        //    in a SEQUENCE (the SEQUENCE's own length 6 > 3 too): sid 13.
        udp(b"X-\x30\x06\x04\x04abcd"),
        // 4: the same inside a context tag [0] of length 6 > 3: the tag
        //    itself trips the check: sid 13.
        udp(b"X-\xa0\x06\x04\x04abcd"),
        // 5: lengths within 3: sid 13 no.
        udp(b"X-\x30\x03\x04\x01a"),
    ];
    assert_eq!(run(rules, &pkts), vec![(1, 11), (2, 12), (3, 13), (4, 13)]);
}
