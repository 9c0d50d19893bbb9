//! The overlap pattern of Novak's "Target-Based Fragmentation Reassembly"
//! (the one Suricata's `DefragSturgesNovak*Test`s use), run through the whole
//! path (crafted packet → decode → Defragmenter → rebuilt datagram) for
//! every policy, IPv4 and IPv6.
//!
//! The pattern, in 8-byte units (offset/8), originals first:
//!
//! ```text
//! unit      0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23
//! <1>  A    A A A
//! <2>  B            B B
//! <3>  C                C C C
//! <3_1> D                        D
//! <3_2> E                                 E  E
//! <3_3> F                                       F  F  F
//! <3_4> G                                                G  G
//! <3_5> H                                                      H  H
//! <3_6> I                                                            I
//! then the overlapping ones:
//! <4>  J      J J J J
//! <5>  K                K K K
//! <6>  L                      L L  L
//! <7>  M                               M  M  M
//! <8>  N                                           N
//! <9>  O                                                   O
//! <10> P                                                      P
//! <11> Q (last)                                                      Q  Q
//! ```
//!
//! Expected bytes per unit, worked out by hand from each policy's rule:
//!
//! * first: the original always wins.
//! * last: the newest always wins.
//! * bsd: the original wins unless the new fragment starts before it
//!   (J beats B at unit 4, L beats D, M beats E).
//! * linux: bsd, but an equal start favours the new fragment (K over C,
//!   P over H, Q over I).
//! * windows: the original wins unless the new fragment starts before and
//!   ends after it (L covers D; M ends with E, so E stays).
//! * solaris: the original wins unless the new fragment starts before and
//!   ends at or after it (M covers E).
//! * bsd-right (Suricata 8.0.6 has no trimming rule for it): every fragment
//!   is copied whole in offset order, later arrivals after earlier ones at
//!   the same offset, so the covering fragment with the highest start wins,
//!   and the later one on a tie.
//!
//! These agree with the expected arrays of Suricata's unit tests for the
//! six policies it tests.

use rulewire::capture::Timestamp;
use rulewire::decode::craft::PacketBuilder;
use rulewire::decode::{decode, DecodeConfig, DecodeEvent, LinkType};
use rulewire::defrag::{DefragConfig, Defragmenter, Policy};

/// (offset in bytes, content letter, length, more fragments)
const PATTERN: [(u16, u8, usize, bool); 17] = [
    (0, b'A', 24, true),
    (32, b'B', 16, true),
    (48, b'C', 24, true),
    (80, b'D', 8, true),
    (104, b'E', 16, true),
    (120, b'F', 24, true),
    (144, b'G', 16, true),
    (160, b'H', 16, true),
    (176, b'I', 8, true),
    (8, b'J', 32, true),
    (48, b'K', 24, true),
    (72, b'L', 24, true),
    (96, b'M', 24, true),
    (128, b'N', 8, true),
    (152, b'O', 8, true),
    (160, b'P', 8, true),
    (176, b'Q', 16, false),
];

/// One letter per 8-byte unit.
const EXPECTED: [(Policy, &str); 7] = [
    (Policy::Bsd, "AAAJJBCCCLLLMMMFFFGGHHIQ"),
    (Policy::Linux, "AAAJJBKKKLLLMMMFFFGGPHQQ"),
    (Policy::Windows, "AAAJBBCCCLLLMEEFFFGGHHIQ"),
    (Policy::Solaris, "AAAJBBCCCLLLMMMFFFGGHHIQ"),
    (Policy::First, "AAAJBBCCCLDLMEEFFFGGHHIQ"),
    (Policy::Last, "AJJJJBKKKLLLMMMFNFGOPHQQ"),
    (Policy::BsdRight, "AJJJBBKKKLDLMEEFNFGOPHQQ"),
];

fn units(s: &str) -> Vec<u8> {
    s.bytes().flat_map(|c| [c; 8]).collect()
}

fn fragment(v6: bool, offset: u16, more: bool, content: &[u8]) -> Vec<u8> {
    if v6 {
        let mut src = [0u8; 16];
        src[15] = 1;
        let mut dst = [0u8; 16];
        dst[15] = 2;
        PacketBuilder::ipv6(src, dst)
            .fragment(offset, more, 1)
            .raw(58, content)
            .build()
    } else {
        PacketBuilder::ipv4([1, 1, 1, 1], [2, 2, 2, 2])
            .fragment(offset, more, 1)
            .raw(1, content)
            .build()
    }
}

/// Feeds the pattern; returns per-packet overlap flags and the datagram.
fn run(policy: Policy, v6: bool) -> (Vec<bool>, Vec<u8>) {
    let cfg = DecodeConfig::default();
    let mut table = Defragmenter::new(DefragConfig {
        default_policy: policy,
        ..DefragConfig::default()
    });
    let lt = if v6 { LinkType::IPV6 } else { LinkType::IPV4 };
    let overlap = if v6 {
        DecodeEvent::Ipv6FragOverlap
    } else {
        DecodeEvent::Ipv4FragOverlap
    };
    let ts = Timestamp::new(1_000_000, 0);
    let mut flags = Vec::new();
    let mut result = None;
    for (i, &(offset, letter, len, more)) in PATTERN.iter().enumerate() {
        let pkt = fragment(v6, offset, more, &vec![letter; len]);
        let d = decode(lt, &pkt, &cfg);
        assert!(d.is_fragment(), "{policy} packet {i} is a fragment");
        let out = table.insert(ts, &d);
        flags.push(out.has_event(overlap));
        if i + 1 < PATTERN.len() {
            assert!(out.reassembled.is_none(), "{policy}: early datagram at {i}");
        } else {
            result = out.reassembled;
        }
    }
    let r = result.unwrap_or_else(|| panic!("{policy} v6={v6}: no datagram"));
    assert_eq!(r.is_ipv6(), v6);
    (flags, r.into_datagram())
}

#[test]
fn novak_pattern_ipv4_every_policy() {
    for (policy, want) in EXPECTED {
        let (flags, dgram) = run(policy, false);
        // The originals do not overlap each other; every later fragment
        // overlaps an original.
        assert_eq!(&flags[..9], &[false; 9], "{policy}");
        assert_eq!(&flags[9..], &[true; 8], "{policy}");
        assert_eq!(dgram.len(), 20 + 192, "{policy}");
        // Rebuilt header: total length 212, fragment word cleared, valid
        // checksum.
        assert_eq!(&dgram[2..4], &212u16.to_be_bytes(), "{policy}");
        assert_eq!(&dgram[6..8], &[0, 0], "{policy}");
        assert!(rulewire::decode::checksum::ipv4_header_valid(&dgram[..20]));
        assert_eq!(
            String::from_utf8_lossy(&dgram[20..]),
            String::from_utf8_lossy(&units(want)),
            "{policy}"
        );
    }
}

#[test]
fn novak_pattern_ipv6_every_policy() {
    for (policy, want) in EXPECTED {
        let (flags, dgram) = run(policy, true);
        assert_eq!(&flags[..9], &[false; 9], "{policy}");
        assert_eq!(&flags[9..], &[true; 8], "{policy}");
        assert_eq!(dgram.len(), 40 + 192, "{policy}");
        // Payload length 192, next header ICMPv6 (the fragment header is
        // gone).
        assert_eq!(&dgram[4..6], &192u16.to_be_bytes(), "{policy}");
        assert_eq!(dgram[6], 58, "{policy}");
        assert_eq!(
            String::from_utf8_lossy(&dgram[40..]),
            String::from_utf8_lossy(&units(want)),
            "{policy}"
        );
    }
}

#[test]
fn host_os_policy_picks_by_destination() {
    // Same pattern, default bsd, but 2.2.2.0/24 is a Linux host.
    let mut config = DefragConfig::default();
    config
        .host_policies
        .insert_os("linux", ["2.2.2.0/24"])
        .unwrap();
    let cfg = DecodeConfig::default();
    let mut table = Defragmenter::new(config);
    let ts = Timestamp::new(1_000_000, 0);
    let mut last = None;
    for &(offset, letter, len, more) in &PATTERN {
        let pkt = fragment(false, offset, more, &vec![letter; len]);
        last = table
            .insert(ts, &decode(LinkType::IPV4, &pkt, &cfg))
            .reassembled;
    }
    let dgram = last.expect("datagram").into_datagram();
    assert_eq!(&dgram[20..], &units("AAAJJBKKKLLLMMMFFFGGPHQQ")[..]);
}
