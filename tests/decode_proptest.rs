//! Property tests: `decode` on arbitrary bytes never panics, and every view
//! it hands out respects the lengths its checks promised (each slice lies
//! inside the frame, each header fits its buffer, payloads are bounded by
//! their length fields).

use proptest::prelude::*;
use rulewire::decode::craft::{vlan_tag, PacketBuilder, TcpSpec};
use rulewire::decode::{decode, fuzz_decode_all, DecodeConfig, Decoded, Ip, LinkType, Transport};

fn within(outer: &[u8], inner: &[u8]) -> bool {
    if inner.is_empty() {
        return true;
    }
    let o = outer.as_ptr() as usize;
    let i = inner.as_ptr() as usize;
    i >= o && i + inner.len() <= o + outer.len()
}

/// Checks every invariant a consumer relies on.
fn check(d: &Decoded<'_>) {
    let frame = d.frame();
    assert!(within(frame, d.payload()));
    assert!(within(frame, d.inspection_payload()));
    if let Some(ip) = d.ip() {
        assert!(within(frame, ip.upper));
        match ip.header {
            Ip::V4(p) => {
                assert!(p.header_len() >= 20);
                assert!(usize::from(p.total_len()) >= p.header_len());
                assert!(within(frame, p.payload()));
                assert_eq!(
                    p.payload().len(),
                    usize::from(p.total_len()) - p.header_len()
                );
            }
            Ip::V6(p) => {
                assert_eq!(p.payload().len(), usize::from(p.payload_len()));
                assert!(within(frame, p.payload()));
            }
        }
        if let Some(f) = ip.fragment {
            assert!(d.transport().is_none() || d.tunnel_depth() > 0 || !d.is_fragment());
            if !f.is_first() && d.tunnel_depth() == 0 {
                assert_eq!(d.ports(), None);
            }
        }
    }
    match d.transport() {
        Some(Transport::Tcp(t, _)) => {
            assert!(t.header_len() >= 20 && t.header_len() <= t.segment().len());
            assert!(within(frame, t.segment()));
            assert_eq!(d.payload().len(), t.segment().len() - t.header_len());
        }
        Some(Transport::Udp(u)) => {
            assert!(usize::from(u.len()) >= 8);
            assert_eq!(d.payload().len(), usize::from(u.len()) - 8);
            assert!(within(frame, u.datagram()));
        }
        Some(Transport::Icmpv4(m, _)) => assert!(m.message().len() >= 8),
        Some(Transport::Icmpv6(m, _)) => assert!(m.message().len() >= 8),
        Some(Transport::Sctp(s)) => assert!(within(frame, s.payload())),
        Some(Transport::Esp(e)) => assert!(within(frame, e.payload())),
        Some(_) | None => {}
    }
    if d.ports().is_some() && d.transport().is_none() {
        // Only inspect_invalid exposes ports without a transport layer.
        assert!(d.ip().is_some());
    }
    assert!(d.events().len() <= rulewire::decode::event::EVENT_LIST_CAPACITY);
    assert!(d.vlans().len() <= 3);
}

fn all_configs() -> [DecodeConfig; 2] {
    [
        DecodeConfig::default(),
        DecodeConfig {
            inspect_invalid: true,
            validate_checksums: false,
            ..DecodeConfig::default()
        },
    ]
}

/// Valid frames of several shapes, for mutation.
fn seeds() -> Vec<Vec<u8>> {
    let a = [10, 0, 0, 1];
    let b = [10, 0, 0, 2];
    let v6a = [0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    let v6b = [0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
    let tcp = PacketBuilder::ipv4(a, b)
        .ipv4_options(&[0x94, 0x04, 0, 0])
        .tcp(
            1,
            2,
            TcpSpec::syn()
                .options(&[2, 4, 5, 0xb4, 1, 3, 3, 7])
                .payload(b"data"),
        )
        .ethernet();
    let inner = PacketBuilder::ipv4(a, b).udp(53, 53, b"q").build();
    let mut gre = vec![0x30, 0x00, 0x08, 0x00, 0, 0, 0, 1, 0, 0, 0, 2];
    gre.extend_from_slice(&inner);
    let mut hbh = vec![58, 0, 1, 4, 0, 0, 0, 0];
    hbh.extend_from_slice(&[128, 0, 0, 0, 0, 1, 0, 1, b'p']);
    vec![
        tcp.clone(),
        vlan_tag(&vlan_tag(&tcp, 0x8100, 7), 0x88a8, 9),
        PacketBuilder::ipv4(a, b).raw(47, &gre).ethernet(),
        PacketBuilder::ipv4(a, b).raw(4, &inner).ethernet(),
        PacketBuilder::ipv6(v6a, v6b).raw(0, &hbh).ethernet(),
        PacketBuilder::ipv6(v6a, v6b)
            .raw(17, &[0; 12])
            .fragment(8, true, 3)
            .ethernet(),
        PacketBuilder::ipv4(a, b)
            .icmp(3, 3, [0; 4], &inner)
            .ethernet(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..300)) {
        fuzz_decode_all(&data);
        for cfg in all_configs() {
            for lt in LinkType::SUPPORTED {
                check(&decode(lt, &data, &cfg));
            }
        }
    }

    #[test]
    fn mutated_valid_frames_keep_invariants(
        which in 0usize..7,
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..6),
        cut in any::<usize>(),
    ) {
        let mut frame = seeds()[which].clone();
        for (at, value) in flips {
            let len = frame.len();
            frame[at % len] = value;
        }
        let cut = cut % (frame.len() + 1);
        for cfg in all_configs() {
            check(&decode(LinkType::ETHERNET, &frame, &cfg));
            check(&decode(LinkType::ETHERNET, &frame[..cut], &cfg));
            check(&decode(LinkType::DLT_RAW, frame.get(14..).unwrap_or(&[]), &cfg));
        }
    }
}

#[test]
fn seeds_decode_cleanly() {
    for (i, frame) in seeds().iter().enumerate() {
        let d = decode(LinkType::ETHERNET, frame, &DecodeConfig::default());
        check(&d);
        assert!(d.ip().is_some(), "seed {i}");
    }
}
