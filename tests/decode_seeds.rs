//! The seed reports in `shared/seeds/`, replayed as crafted packets: what
//! the decoder must see, exactly, for port-0 reconnaissance, the CERT Polska
//! malformed TCP headers (data offsets of 0 to 16 bytes, absurd flags, the
//! `A0 02 7D 78` marker), the 2003 UDP 135/1026-1031 two-zero-byte scans,
//! fragments that monitors misreport as port 0, and ICMP.
//!
//! Every expectation is written by hand from the packet layout (RFC 791,
//! RFC 9293, RFC 768, RFC 792) and Suricata's `src/decode-*.c` rules.

use rulewire::decode::craft::{PacketBuilder, TcpSpec};
use rulewire::decode::{
    decode, DecodeConfig, DecodeCounters, DecodeEvent, Decoded, LinkType, ProtoCounter, Transport,
};

const ATTACKER: [u8; 4] = [118, 122, 188, 27];
const HONEYPOT: [u8; 4] = [192, 0, 2, 10];
const MARKER: [u8; 4] = [0xa0, 0x02, 0x7d, 0x78];

fn strict() -> DecodeConfig {
    DecodeConfig::default()
}

fn lax() -> DecodeConfig {
    DecodeConfig {
        inspect_invalid: true,
        ..DecodeConfig::default()
    }
}

fn eth<'a>(frame: &'a [u8], cfg: &DecodeConfig) -> Decoded<'a> {
    decode(LinkType::ETHERNET, frame, cfg)
}

fn events(d: &Decoded<'_>) -> Vec<&'static str> {
    d.events().iter().map(DecodeEvent::name).collect()
}

/// Cisco TRAC, 2013-11-02: TCP SYNs from source port 0 to 445.
#[test]
fn syn_from_source_port_zero_to_445() {
    let frame = PacketBuilder::ipv4(ATTACKER, HONEYPOT)
        .tcp(0, 445, TcpSpec::syn().seq(0x1000))
        .ethernet();
    for cfg in [strict(), lax()] {
        let d = eth(&frame, &cfg);
        assert_eq!(d.ports(), Some((0, 445)), "a real port 0 is reported as 0");
        let tcp = d.tcp().expect("TCP decodes");
        assert_eq!(tcp.flags(), 0x02);
        assert_eq!(tcp.seq_number(), 0x1000);
        assert!(d.events().is_empty());
        assert!(!d.is_invalid() && !d.is_fragment());
        assert!(d.payload().is_empty());
        let mut c = DecodeCounters::new();
        c.record(&d, frame.len());
        assert_eq!(c.proto(ProtoCounter::TcpSyn), 1);
        assert_eq!(c.proto(ProtoCounter::Tcp), 1);
        assert_eq!(c.invalid, 0);
    }
}

/// SANS ISC, June 2005: a full handshake to destination port 0, then the
/// "eServer" payload (the 81 bytes quoted in the post).
#[test]
fn handshake_to_destination_port_zero_with_eserver() {
    let payload: Vec<u8> = [
        "e34c00000001105e47e301cf0e980d1d",
        "ac6f0055b36f0bd5ba2f543612040000",
        "00020100010700655365727665720301",
        "00113c0000000301 00fb00ef06000201",
        "0055070065736572766572000000 0000",
        "00",
    ]
    .concat()
    .replace(' ', "")
    .as_bytes()
    .chunks(2)
    .map(|h| u8::from_str_radix(std::str::from_utf8(h).expect("ascii"), 16).expect("hex"))
    .collect();
    assert_eq!(payload.len(), 81);

    let client = [203, 0, 113, 5];
    let steps = [
        PacketBuilder::ipv4(client, HONEYPOT).tcp(40000, 0, TcpSpec::syn().seq(100)),
        PacketBuilder::ipv4(HONEYPOT, client).tcp(
            0,
            40000,
            TcpSpec::syn_ack().seq(500).ack_number(101),
        ),
        PacketBuilder::ipv4(client, HONEYPOT).tcp(
            40000,
            0,
            TcpSpec::ack().seq(101).ack_number(501),
        ),
        PacketBuilder::ipv4(client, HONEYPOT).tcp(
            40000,
            0,
            TcpSpec::psh_ack()
                .seq(101)
                .ack_number(501)
                .payload(&payload),
        ),
    ];
    let expected_ports = [(40000, 0), (0, 40000), (40000, 0), (40000, 0)];
    let mut counters = DecodeCounters::new();
    for (step, ports) in steps.iter().zip(expected_ports) {
        let frame = step.ethernet();
        let d = eth(&frame, &strict());
        assert_eq!(d.ports(), Some(ports));
        assert!(d.events().is_empty(), "{:?}", d.events());
        counters.record(&d, frame.len());
    }
    let frame = steps[3].ethernet();
    let d = eth(&frame, &strict());
    assert_eq!(d.payload(), &payload[..]);
    assert!(d.payload().windows(7).any(|w| w == b"eServer"));
    assert_eq!(counters.proto(ProtoCounter::TcpSyn), 1);
    assert_eq!(counters.proto(ProtoCounter::TcpSynack), 1);
    assert_eq!(counters.pkts, 4);
}

/// CERT Polska / ARAKIS, November 2011: TCP to port 0 whose data offset
/// says the header is 0, 4, 8, 12 or 16 bytes long ("bad hdr length N -
/// too short, < 20"), with random flags and the `A0 02 7D 78` marker after
/// a run of zeros.
#[test]
fn malformed_data_offsets_are_kept_and_counted() {
    let cases: [(u8, u8, usize); 5] = [
        // (data offset in 32-bit words, flags, zeros before the marker)
        (0, 0xf5, 0),
        (1, 0x12, 4),
        (2, 0x00, 8),
        (3, 0x82, 12),
        (4, 0x54, 12),
    ];
    let mut counters = DecodeCounters::new();
    for (doff, flags, zeros) in cases {
        let mut data = vec![0u8; zeros];
        data.extend_from_slice(&MARKER);
        let frame = PacketBuilder::ipv4(ATTACKER, HONEYPOT)
            .tcp(0, 0, TcpSpec::new(flags).data_offset(doff).payload(&data))
            .ethernet();
        let hdr_bytes = usize::from(doff) * 4;

        let d = eth(&frame, &strict());
        // Kept: the IP layer is there and says TCP.
        let ip = d.ip().expect("IPv4 decodes");
        assert_eq!(ip.proto, 6);
        assert_eq!(
            d.ipv4().map(|p| p.total_len()),
            Some(20 + 20 + data.len() as u16)
        );
        // The TCP layer is not: Suricata's tcp.invalid_optlen (the option
        // length 'hlen - 20' underflows), and the packet is invalid.
        assert!(d.tcp().is_none(), "doff {hdr_bytes} bytes");
        assert_eq!(
            events(&d),
            vec!["tcp.invalid_optlen"],
            "doff {hdr_bytes} bytes"
        );
        assert!(d.is_invalid());
        assert!(d.flags().l4_malformed);
        // Honest ports: none, and no payload for content rules.
        assert_eq!(d.ports(), None);
        assert!(d.payload().is_empty());
        assert!(d.inspection_payload().is_empty());
        // The IP payload still holds the marker for whoever asks for it.
        let ip_payload = d.ip_payload().expect("ip payload");
        assert_eq!(ip_payload.len(), 20 + data.len());
        assert!(ip_payload.ends_with(&MARKER));
        counters.record(&d, frame.len());

        // With inspect_invalid: ports from the first four header bytes
        // (really 0 here), and the whole IP payload is inspected.
        let d = eth(&frame, &lax());
        assert_eq!(d.ports(), Some((0, 0)));
        assert!(d.inspection_payload().ends_with(&MARKER));
        assert_eq!(d.inspection_payload().len(), 20 + data.len());
        assert_eq!(events(&d), vec!["tcp.invalid_optlen"]);
    }
    assert_eq!(counters.pkts, 5);
    assert_eq!(counters.invalid, 5);
    assert_eq!(counters.event(DecodeEvent::TcpInvalidOptlen), 5);
    assert_eq!(counters.proto(ProtoCounter::Tcp), 5);
    assert_eq!(
        counters.proto(ProtoCounter::TcpSyn),
        0,
        "flags of a broken header are not counted"
    );
    let json = counters.to_json();
    assert_eq!(json["decoder"]["event"]["tcp"]["invalid_optlen"], 5);
    assert_eq!(json["decoder"]["invalid"], 5);
}

/// The same probe with the marker shifted right by random bytes: a data
/// offset that points *past* the segment is `tcp.hlen_too_small`.
#[test]
fn data_offset_past_the_segment_is_hlen_too_small() {
    let mut data = vec![0xdb, 0x19, 0xf9, 0x1b];
    data.extend_from_slice(&[0u8; 12]);
    data.extend_from_slice(&MARKER);
    // 20 + 20 bytes of segment, but offset 15 says 60.
    let frame = PacketBuilder::ipv4(ATTACKER, HONEYPOT)
        .tcp(0, 0, TcpSpec::new(0xba).data_offset(15).payload(&data))
        .ethernet();
    let d = eth(&frame, &strict());
    assert_eq!(events(&d), vec!["tcp.hlen_too_small"]);
    assert!(d.is_invalid());
    assert_eq!(d.ports(), None);
    // Offset 10 (40 bytes) fits in the 40-byte segment: a valid header whose
    // "options" are the random bytes; the option walk complains instead.
    let frame = PacketBuilder::ipv4(ATTACKER, HONEYPOT)
        .tcp(7, 9, TcpSpec::new(0xba).data_offset(10).payload(&data))
        .ethernet();
    let d = eth(&frame, &strict());
    assert_eq!(d.ports(), Some((7, 9)));
    assert!(d.payload().is_empty());
    assert_eq!(events(&d), vec!["tcp.opt_invalid_len"]);
    assert!(
        d.is_invalid(),
        "a bad option length marks the packet invalid"
    );
}

/// Incidents list, December 2003: UDP to 135 and 1026-1031 carrying two
/// zero bytes.
#[test]
fn udp_two_zero_bytes_to_135_and_1026_to_1031() {
    let mut counters = DecodeCounters::new();
    for dport in [135u16, 1026, 1027, 1028, 1029, 1030, 1031] {
        let frame = PacketBuilder::ipv4(ATTACKER, HONEYPOT)
            .udp(1024, dport, &[0, 0])
            .ethernet();
        // 14 + 20 + 8 + 2 = 44 bytes: short of the 60-byte Ethernet minimum,
        // so pad it like a NIC would; the padding must not reach the payload.
        let mut padded = frame.clone();
        padded.resize(60, 0xee);
        let d = eth(&padded, &strict());
        assert_eq!(d.ports(), Some((1024, dport)));
        let udp = d.udp().expect("UDP decodes");
        assert_eq!(udp.len(), 10);
        assert_eq!(d.payload(), &[0, 0]);
        assert!(d.events().is_empty());
        counters.record(&d, padded.len());
    }
    assert_eq!(counters.proto(ProtoCounter::Udp), 7);
    assert_eq!(counters.bytes, 7 * 60);
}

#[test]
fn udp_with_lying_length_fields() {
    // Length 6 (< 8): udp.len_invalid.
    let frame = PacketBuilder::ipv4(ATTACKER, HONEYPOT)
        .udp_with_length(1024, 1026, &[0, 0], 6)
        .ethernet();
    let d = eth(&frame, &strict());
    assert_eq!(events(&d), vec!["udp.len_invalid"]);
    assert_eq!(d.ports(), None);
    assert_eq!(eth(&frame, &lax()).ports(), Some((1024, 1026)));
    // Length 200 (> what IP carries): udp.pkt_too_small.
    let frame = PacketBuilder::ipv4(ATTACKER, HONEYPOT)
        .udp_with_length(1024, 1026, &[0, 0], 200)
        .ethernet();
    let d = eth(&frame, &strict());
    assert_eq!(events(&d), vec!["udp.pkt_too_small"]);
    assert!(d.is_invalid());
    // Only 4 bytes of UDP header: udp.hlen_too_small; inspect_invalid can
    // still read the two ports.
    let frame = PacketBuilder::ipv4(ATTACKER, HONEYPOT)
        .raw(17, &[0x04, 0x00, 0x00, 0x87])
        .ethernet();
    let d = eth(&frame, &strict());
    assert_eq!(events(&d), vec!["udp.hlen_too_small"]);
    assert_eq!(d.ports(), None);
    assert_eq!(eth(&frame, &lax()).ports(), Some((1024, 135)));
}

/// "Port 0" as an artefact: a fragment after the first carries no L4
/// header, so it has no ports at all, in either mode.
#[test]
fn ipv4_fragments_have_no_ports() {
    let whole = PacketBuilder::ipv4(ATTACKER, HONEYPOT).tcp(
        3333,
        445,
        TcpSpec::psh_ack().payload(&[0x41; 40]),
    );
    let segment = whole.transport_bytes();
    assert_eq!(segment.len(), 60);
    let first = PacketBuilder::ipv4(ATTACKER, HONEYPOT)
        .raw(6, &segment[..24])
        .fragment(0, true, 0x4242)
        .ethernet();
    let second = PacketBuilder::ipv4(ATTACKER, HONEYPOT)
        .raw(6, &segment[24..])
        .fragment(24, false, 0x4242)
        .ethernet();

    for cfg in [strict(), lax()] {
        let d = eth(&second, &cfg);
        let ip = d.ip().expect("IPv4 decodes");
        let frag = ip.fragment.expect("a fragment");
        assert_eq!((frag.offset, frag.more, frag.ident), (24, false, 0x4242));
        assert!(d.is_fragment());
        assert_eq!(ip.proto, 6);
        assert!(d.transport().is_none());
        assert_eq!(d.ports(), None, "never port 0 for a non-first fragment");
        assert!(d.events().is_empty() && !d.is_invalid());
        assert_eq!(d.ip_payload().map(<[u8]>::len), Some(36));
    }
    // The first fragment holds the TCP header but is not decoded before
    // reassembly (Suricata): no ports by default, the real ones with
    // inspect_invalid.
    let d = eth(&first, &strict());
    assert!(d.is_fragment() && d.tcp().is_none());
    assert_eq!(d.ports(), None);
    let d = eth(&first, &lax());
    assert_eq!(d.ports(), Some((3333, 445)));
    assert_eq!(d.inspection_payload(), &segment[..24]);
}

#[test]
fn ipv6_fragments_have_no_ports() {
    let src = [
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let dst = [
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20,
    ];
    let whole = PacketBuilder::ipv6(src, dst).udp(5353, 1026, &[0u8; 40]);
    let dgram = whole.transport_bytes();
    let first = PacketBuilder::ipv6(src, dst)
        .raw(17, &dgram[..16])
        .fragment(0, true, 77)
        .ethernet();
    let second = PacketBuilder::ipv6(src, dst)
        .raw(17, &dgram[16..])
        .fragment(16, false, 77)
        .ethernet();
    for cfg in [strict(), lax()] {
        let d = eth(&second, &cfg);
        let ip = d.ip().expect("IPv6 decodes");
        assert_eq!(ip.proto, 44, "Suricata's proto for an IPv6 fragment");
        let frag = ip.fragment.expect("fragment");
        assert_eq!((frag.offset, frag.more, frag.ident), (16, false, 77));
        assert_eq!(d.ports(), None);
        assert!(d.transport().is_none());
        assert!(d.events().is_empty());
        assert_eq!(d.ip_payload().map(<[u8]>::len), Some(32));
    }
    let d = eth(&first, &strict());
    assert!(d.is_fragment());
    assert_eq!(d.ports(), None);
    // First fragment, 16 bytes of data (a multiple of 8): no event.
    assert!(d.events().is_empty());
    // IPv6 first fragment: proto is 44, not UDP, so even inspect_invalid
    // reports no ports (the L4 protocol is only known after reassembly).
    assert_eq!(eth(&first, &lax()).ports(), None);
}

#[test]
fn icmp_echo_and_unreachable() {
    let frame = PacketBuilder::ipv4(ATTACKER, HONEYPOT)
        .icmp(8, 0, [0x12, 0x34, 0x00, 0x01], b"abcdefgh")
        .ethernet();
    for cfg in [strict(), lax()] {
        let d = eth(&frame, &cfg);
        let icmp = d.icmpv4().expect("ICMP decodes");
        assert_eq!((icmp.msg_type(), icmp.msg_code()), (8, 0));
        assert_eq!((icmp.ident(), icmp.seq_number()), (0x1234, 1));
        assert_eq!(d.payload(), b"abcdefgh");
        assert_eq!(d.ports(), None, "ICMP has no ports");
        assert!(d.events().is_empty());
        assert_eq!(
            d.checksum(rulewire::decode::ChecksumKind::Icmpv4),
            Some(true)
        );
    }

    // The honeypot's port unreachable for a UDP 1026 probe quotes it.
    let probe = PacketBuilder::ipv4(ATTACKER, HONEYPOT)
        .udp(1024, 1026, &[0, 0])
        .build();
    let frame = PacketBuilder::ipv4(HONEYPOT, ATTACKER)
        .icmp(3, 3, [0; 4], &probe)
        .ethernet();
    let d = eth(&frame, &strict());
    match d.transport() {
        Some(Transport::Icmpv4(_, info)) => {
            let emb = info.embedded.expect("quoted datagram");
            assert_eq!((emb.proto, emb.ports), (17, Some((1024, 1026))));
        }
        other => panic!("expected ICMPv4, got {other:?}"),
    }
    assert!(d.events().is_empty());

    // A truncated quote is invalid; an unknown type is only an event.
    let frame = PacketBuilder::ipv4(HONEYPOT, ATTACKER)
        .icmp(3, 3, [0; 4], &probe[..12])
        .ethernet();
    let d = eth(&frame, &strict());
    assert_eq!(events(&d), vec!["icmpv4.ipv4_trunc_pkt"]);
    assert!(d.is_invalid() && d.icmpv4().is_some());
    let frame = PacketBuilder::ipv4(HONEYPOT, ATTACKER)
        .icmp(42, 0, [0; 4], &[])
        .ethernet();
    let d = eth(&frame, &strict());
    assert_eq!(events(&d), vec!["icmpv4.unknown_type"]);
    assert!(!d.is_invalid());
}

#[test]
fn checksums_follow_the_k_switch() {
    use rulewire::decode::ChecksumKind;
    let good = PacketBuilder::ipv4(ATTACKER, HONEYPOT)
        .tcp(0, 445, TcpSpec::syn())
        .ethernet();
    let bad = PacketBuilder::ipv4(ATTACKER, HONEYPOT)
        .ipv4_checksum(0xdead)
        .tcp(0, 445, TcpSpec::syn().checksum(0xbeef))
        .ethernet();
    let d = eth(&good, &strict());
    assert_eq!(d.checksum(ChecksumKind::Ipv4), Some(true));
    assert_eq!(d.checksum(ChecksumKind::Tcpv4), Some(true));
    assert_eq!(d.checksum(ChecksumKind::Tcpv6), None);
    assert_eq!(d.checksum(ChecksumKind::Udpv4), None);
    let d = eth(&bad, &strict());
    assert_eq!(d.checksum(ChecksumKind::Ipv4), Some(false));
    assert_eq!(d.checksum(ChecksumKind::Tcpv4), Some(false));
    assert!(
        !d.is_invalid(),
        "a bad checksum never makes a packet invalid"
    );
    assert!(d.events().is_empty());
    let k_none = DecodeConfig {
        validate_checksums: false,
        ..DecodeConfig::default()
    };
    let d = eth(&bad, &k_none);
    assert_eq!(d.checksum(ChecksumKind::Ipv4), Some(true));
    assert_eq!(d.checksum(ChecksumKind::Tcpv4), Some(true));
}
