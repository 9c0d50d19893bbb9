//! Whole-frame decoding across link types, VLAN/MPLS/PPPoE stacks and
//! tunnels, with the events, flags and counters Suricata's decoders would
//! produce. Expected values are written by hand from the byte layouts.

use rulewire::decode::craft::{ethernet_frame, vlan_tag, PacketBuilder, TcpSpec, DST_MAC, SRC_MAC};
use rulewire::decode::{
    decode, DecodeConfig, DecodeCounters, DecodeEvent, Decoded, Ip, Link, LinkType, ProtoCounter,
    Tunnel,
};
use std::net::{IpAddr, Ipv4Addr};

const A: [u8; 4] = [10, 0, 0, 1];
const B: [u8; 4] = [10, 0, 0, 2];
const V6A: [u8; 16] = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
const V6B: [u8; 16] = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];

fn cfg() -> DecodeConfig {
    DecodeConfig::default()
}

fn events(d: &Decoded<'_>) -> Vec<&'static str> {
    d.events().iter().map(DecodeEvent::name).collect()
}

fn counts(d: &Decoded<'_>) -> Vec<(&'static str, u8)> {
    d.proto_counts()
        .iter()
        .map(|(c, n)| (c.name(), n))
        .collect()
}

fn syn_ip() -> Vec<u8> {
    PacketBuilder::ipv4(A, B)
        .tcp(1234, 80, TcpSpec::syn())
        .build()
}

#[test]
fn ethernet_ipv4_tcp_truncation_sweep() {
    let frame = PacketBuilder::ipv4(A, B)
        .tcp(1234, 80, TcpSpec::psh_ack().payload(b"GET /"))
        .ethernet();
    assert_eq!(frame.len(), 14 + 20 + 20 + 5);
    for cut in 0..=frame.len() {
        let d = decode(LinkType::ETHERNET, &frame[..cut], &cfg());
        let expected: Vec<&str> = match cut {
            0..=13 => vec!["ethernet.pkt_too_small"],
            14..=33 => vec!["ipv4.pkt_too_small"],
            34..=58 => vec!["ipv4.trunc_pkt"],
            _ => vec![],
        };
        assert_eq!(events(&d), expected, "cut {cut}");
        assert_eq!(d.is_invalid(), cut < frame.len(), "cut {cut}");
        assert_eq!(d.ip().is_some(), cut == frame.len(), "cut {cut}");
        assert_eq!(d.ports().is_some(), cut == frame.len(), "cut {cut}");
    }
    // Beyond the IP total length, bytes are padding and change nothing.
    let mut padded = frame.clone();
    padded.extend_from_slice(&[0xff; 20]);
    let d = decode(LinkType::ETHERNET, &padded, &cfg());
    assert_eq!(d.payload(), b"GET /");
    assert!(d.events().is_empty());
}

#[test]
fn tcp_segment_truncation_sweep_inside_a_valid_ip_packet() {
    // Keep the IP header consistent (total length matches) while the TCP
    // segment shrinks: the TCP checks fire in Suricata's order.
    let seg = PacketBuilder::ipv4(A, B)
        .tcp(1, 2, TcpSpec::syn().options(&[2, 4, 5, 0xb4]))
        .transport_bytes();
    assert_eq!(seg.len(), 24);
    for cut in 0..=seg.len() {
        let frame = PacketBuilder::ipv4(A, B).raw(6, &seg[..cut]).ethernet();
        let d = decode(LinkType::ETHERNET, &frame, &cfg());
        let expected: Vec<&str> = match cut {
            0..=19 => vec!["tcp.pkt_too_small"],
            20..=23 => vec!["tcp.hlen_too_small"],
            _ => vec![],
        };
        assert_eq!(events(&d), expected, "cut {cut}");
        assert_eq!(d.ip_proto(), Some(6));
        assert_eq!(d.tcp().is_some(), cut == 24);
    }
}

#[test]
fn link_types_reach_the_same_ip_layer() {
    let ip = syn_ip();
    let mut sll = vec![0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00];
    sll.extend_from_slice(&ip);
    let mut sll2 = vec![
        0x08, 0x00, 0, 0, 0, 0, 0, 3, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0,
    ];
    sll2.extend_from_slice(&ip);
    let mut null_le = vec![2, 0, 0, 0];
    null_le.extend_from_slice(&ip);
    let mut null_be = vec![0, 0, 0, 2];
    null_be.extend_from_slice(&ip);
    let mut loop_be = vec![0, 0, 0, 2];
    loop_be.extend_from_slice(&ip);
    let mut ppp = vec![0xff, 0x03, 0x00, 0x21];
    ppp.extend_from_slice(&ip);
    let cases: Vec<(LinkType, Vec<u8>, &str)> = vec![
        (
            LinkType::ETHERNET,
            ethernet_frame(SRC_MAC, DST_MAC, 0x0800, &ip),
            "decoder.ethernet",
        ),
        (LinkType::LINUX_SLL, sll, "decoder.sll"),
        (LinkType::LINUX_SLL2, sll2, "decoder.sll2"),
        (LinkType::NULL, null_le, "decoder.null"),
        (LinkType::NULL, null_be, "decoder.null"),
        (LinkType::LOOP, loop_be, "decoder.null"),
        (LinkType::PPP, ppp, "decoder.ppp"),
        (LinkType::DLT_RAW, ip.clone(), "decoder.raw"),
        (LinkType::DLT_RAW_OPENBSD, ip.clone(), "decoder.raw"),
        (LinkType::RAW, ip.clone(), "decoder.raw"),
        (LinkType::IPV4, ip.clone(), "decoder.raw"),
    ];
    for (lt, frame, link_counter) in cases {
        let d = decode(lt, &frame, &cfg());
        assert!(d.events().is_empty(), "{lt:?}: {:?}", d.events());
        assert_eq!(d.ports(), Some((1234, 80)), "{lt:?}");
        assert_eq!(
            d.ip().map(|l| l.src_addr()),
            Some(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)))
        );
        assert_eq!(
            counts(&d),
            {
                let mut v = vec![
                    (link_counter, 1u8),
                    ("decoder.ipv4", 1),
                    ("decoder.tcp", 1),
                    ("tcp.syn", 1),
                ];
                v.sort_by_key(|(n, _)| order(n));
                v
            },
            "{lt:?}"
        );
    }
    let d = decode(LinkType(105), &ip, &cfg());
    assert!(d.flags().unsupported_linktype && d.ip().is_none() && d.events().is_empty());
}

/// Position of a counter in `ProtoCounter::ALL` (the order `iter` uses).
fn order(name: &str) -> usize {
    ProtoCounter::ALL
        .iter()
        .position(|c| c.name() == name)
        .expect("known counter")
}

#[test]
fn raw_and_null_link_problems() {
    let d = decode(LinkType::DLT_RAW, &[0x45; 19], &cfg());
    assert_eq!(events(&d), vec!["ipv4.pkt_too_small"]);
    assert!(d.is_invalid());
    let d = decode(LinkType::DLT_RAW, &[0x75; 20], &cfg());
    assert_eq!(events(&d), vec!["ipraw.invalid_ip_version"]);
    assert!(!d.is_invalid());
    let d = decode(LinkType::NULL, &[2, 0, 0], &cfg());
    assert_eq!(events(&d), vec!["ltnull.pkt_too_small"]);
    let d = decode(LinkType::NULL, &[99, 0, 0, 0, 0x45], &cfg());
    assert_eq!(events(&d), vec!["ltnull.unsupported_type"]);
    assert!(!d.is_invalid());
    // IPv6 over NULL with the FreeBSD AF_INET6 (28).
    let mut f = vec![28, 0, 0, 0];
    f.extend_from_slice(&PacketBuilder::ipv6(V6A, V6B).udp(1, 2, b"x").build());
    let d = decode(LinkType::NULL, &f, &cfg());
    assert_eq!(d.ports(), Some((1, 2)));
    assert!(matches!(d.link(), Some(Link::Null(_))));
}

#[test]
fn stacked_vlans_and_too_many() {
    let base = PacketBuilder::ipv4(A, B)
        .tcp(1, 2, TcpSpec::syn())
        .ethernet();
    let one = vlan_tag(&base, 0x8100, 100);
    let two = vlan_tag(&one, 0x88a8, 200);
    let three = vlan_tag(&two, 0x88a8, 300);
    let four = vlan_tag(&three, 0x88a8, 400);

    let d = decode(LinkType::ETHERNET, &two, &cfg());
    assert_eq!(d.vlans().ids().collect::<Vec<_>>(), vec![200, 100]);
    assert_eq!(d.vlans().as_slice()[0].tpid, 0x88a8);
    assert_eq!(d.ports(), Some((1, 2)));
    let names: Vec<_> = counts(&d).into_iter().map(|(n, _)| n).collect();
    assert!(names.contains(&"decoder.vlan") && names.contains(&"decoder.vlan_qinq"));

    let d = decode(LinkType::ETHERNET, &three, &cfg());
    assert_eq!(d.vlans().len(), 3);
    assert!(d.events().is_empty());
    assert_eq!(d.proto_counts().get(ProtoCounter::VlanQinqinq), 1);

    let d = decode(LinkType::ETHERNET, &four, &cfg());
    assert_eq!(d.vlans().len(), 3);
    assert_eq!(events(&d), vec!["vlan.too_many_layers"]);
    assert!(d.ip().is_none());
    assert!(!d.is_invalid(), "Suricata raises it as a plain event");
}

#[test]
fn vlan_with_unknown_inner_type_raises_both_events() {
    let frame = vlan_tag(
        &ethernet_frame(SRC_MAC, DST_MAC, 0x1234, &[0; 30]),
        0x8100,
        5,
    );
    let d = decode(LinkType::ETHERNET, &frame, &cfg());
    assert_eq!(
        events(&d),
        vec!["ethernet.unknown_ethertype", "vlan.unknown_type"]
    );
    assert!(d.is_invalid());
    assert_eq!(d.proto_counts().get(ProtoCounter::UnknownEthertype), 1);
    // A truncated tag.
    let d = decode(LinkType::ETHERNET, &frame[..16], &cfg());
    assert_eq!(events(&d), vec!["vlan.header_too_small"]);
}

#[test]
fn mpls_and_pppoe() {
    let ip = syn_ip();
    // Two labels, the bottom one 1000: payload guessed from the nibble.
    let mut mpls = vec![0x00, 0x01, 0x00, 0x40, 0x00, 0x3e, 0x81, 0x40];
    mpls.extend_from_slice(&ip);
    let f = ethernet_frame(SRC_MAC, DST_MAC, 0x8847, &mpls);
    let d = decode(LinkType::ETHERNET, &f, &cfg());
    assert_eq!(d.mpls().map(|s| s.len()), Some(2));
    assert_eq!(d.mpls().map(|s| s.bottom().label()), Some(1000));
    assert_eq!(d.ports(), Some((1234, 80)));
    // Bottom label 3 (implicit null) is an event and nothing follows.
    let mut null = vec![0x00, 0x00, 0x31, 0x40];
    null.extend_from_slice(&ip);
    let f = ethernet_frame(SRC_MAC, DST_MAC, 0x8847, &null);
    let d = decode(LinkType::ETHERNET, &f, &cfg());
    assert_eq!(events(&d), vec!["mpls.bad_label_implicit_null"]);
    assert!(d.ip().is_none() && !d.is_invalid());

    // PPPoE session carrying IPv4.
    let mut pppoe = vec![0x11, 0x00, 0x12, 0x34];
    pppoe.extend_from_slice(&((ip.len() + 2) as u16).to_be_bytes());
    pppoe.extend_from_slice(&[0x00, 0x21]);
    pppoe.extend_from_slice(&ip);
    let f = ethernet_frame(SRC_MAC, DST_MAC, 0x8864, &pppoe);
    let d = decode(LinkType::ETHERNET, &f, &cfg());
    assert_eq!(d.pppoe().map(|s| s.session_id()), Some(0x1234));
    assert_eq!(d.ports(), Some((1234, 80)));
    assert_eq!(d.proto_counts().get(ProtoCounter::Pppoe), 1);
    // An unknown PPP protocol inside PPPoE.
    let mut bad = pppoe.clone();
    bad[6] = 0x12;
    bad[7] = 0x34;
    let f = ethernet_frame(SRC_MAC, DST_MAC, 0x8864, &bad);
    let d = decode(LinkType::ETHERNET, &f, &cfg());
    assert_eq!(events(&d), vec!["ppp.wrong_type"]);
    assert!(d.is_invalid());
}

#[test]
fn ip_in_ip_tunnels_keep_outer_and_count() {
    let inner = PacketBuilder::ipv4([192, 168, 0, 1], [192, 168, 0, 2])
        .udp(53, 5353, b"dns")
        .build();
    let frame = PacketBuilder::ipv4(A, B).raw(4, &inner).ethernet();
    let d = decode(LinkType::ETHERNET, &frame, &cfg());
    assert_eq!(d.tunnel_depth(), 1);
    assert!(d.flags().tunnel);
    assert_eq!(d.ports(), Some((53, 5353)));
    assert_eq!(d.payload(), b"dns");
    assert_eq!(
        d.ip().map(|l| l.src_addr()),
        Some(IpAddr::V4(Ipv4Addr::new(192, 168, 0, 1)))
    );
    let outer = d.outer().expect("outer kept");
    assert_eq!(outer.ip.src_addr(), IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)));
    assert_eq!(outer.tunnel, Tunnel::Ipv4InIpv4);
    assert_eq!(d.proto_counts().get(ProtoCounter::Ipv4), 2);
    assert_eq!(d.proto_counts().get(ProtoCounter::Ipv4InIpv4), 1);

    // 6in4.
    let inner6 = PacketBuilder::ipv6(V6A, V6B)
        .tcp(1, 2, TcpSpec::syn())
        .build();
    let frame = PacketBuilder::ipv4(A, B).raw(41, &inner6).ethernet();
    let d = decode(LinkType::ETHERNET, &frame, &cfg());
    assert!(matches!(d.ip().map(|l| l.header), Some(Ip::V6(_))));
    assert_eq!(d.proto_counts().get(ProtoCounter::Ipv6InIpv4), 1);
    assert_eq!(d.ports(), Some((1, 2)));

    // A broken inner header: the child is dropped with its events, the
    // outer packet stands as it was, and no tunnel counter moves.
    let frame = PacketBuilder::ipv4(A, B).raw(4, &inner[..10]).ethernet();
    let d = decode(LinkType::ETHERNET, &frame, &cfg());
    assert_eq!(d.tunnel_depth(), 0);
    assert!(d.events().is_empty(), "child events go with the child");
    assert!(!d.is_invalid());
    assert_eq!(d.ip_proto(), Some(4));
    assert_eq!(
        d.proto_counts().get(ProtoCounter::Ipv4),
        2,
        "the child still counted"
    );
    assert_eq!(d.proto_counts().get(ProtoCounter::Ipv4InIpv4), 0);
}

#[test]
fn gre_and_vxlan() {
    let inner = PacketBuilder::ipv4([172, 16, 0, 1], [172, 16, 0, 2])
        .tcp(4444, 22, TcpSpec::syn())
        .build();
    let mut gre = vec![0x00, 0x00, 0x08, 0x00];
    gre.extend_from_slice(&inner);
    let frame = PacketBuilder::ipv4(A, B).raw(47, &gre).ethernet();
    let d = decode(LinkType::ETHERNET, &frame, &cfg());
    assert_eq!(d.ports(), Some((4444, 22)));
    assert!(matches!(d.outer().map(|o| o.tunnel), Some(Tunnel::Gre(_))));
    assert_eq!(d.proto_counts().get(ProtoCounter::Gre), 1);
    // GRE version 2: invalid, nothing inside decoded.
    gre[1] = 0x02;
    let frame = PacketBuilder::ipv4(A, B).raw(47, &gre).ethernet();
    let d = decode(LinkType::ETHERNET, &frame, &cfg());
    assert_eq!(events(&d), vec!["gre.wrong_version"]);
    assert!(d.is_invalid() && d.outer().is_none());

    // VXLAN to 4789 carrying Ethernet/IPv4/TCP.
    let mut vx = vec![0x08, 0, 0, 0, 0, 0, 0x2a, 0];
    vx.extend_from_slice(&ethernet_frame(SRC_MAC, DST_MAC, 0x0800, &inner));
    let frame = PacketBuilder::ipv4(A, B).udp(55555, 4789, &vx).ethernet();
    let d = decode(LinkType::ETHERNET, &frame, &cfg());
    assert_eq!(d.ports(), Some((4444, 22)));
    match d.outer().map(|o| o.tunnel) {
        Some(Tunnel::Vxlan(udp, hdr)) => {
            assert_eq!(udp.dst_port(), 4789);
            assert_eq!(hdr.vni(), 42);
        }
        other => panic!("expected VXLAN, got {other:?}"),
    }
    assert_eq!(d.proto_counts().get(ProtoCounter::Vxlan), 1);
    assert_eq!(d.proto_counts().get(ProtoCounter::Udp), 1);
    assert_eq!(d.proto_counts().get(ProtoCounter::Tcp), 1);
    // With VXLAN decoding off it is plain UDP.
    let off = DecodeConfig {
        vxlan: false,
        ..DecodeConfig::default()
    };
    let d = decode(LinkType::ETHERNET, &frame, &off);
    assert_eq!(d.ports(), Some((55555, 4789)));
    assert_eq!(d.tunnel_depth(), 0);
}

#[test]
fn ipv6_extension_headers_through_the_whole_decoder() {
    // Hop-by-hop with only a PadN, then UDP.
    let udp = PacketBuilder::ipv6(V6A, V6B)
        .udp(546, 547, b"dhcp")
        .transport_bytes();
    let mut payload = vec![17, 0, 1, 4, 0, 0, 0, 0];
    payload.extend_from_slice(&udp);
    let frame = PacketBuilder::ipv6(V6A, V6B).raw(0, &payload).ethernet();
    let d = decode(LinkType::ETHERNET, &frame, &cfg());
    assert_eq!(events(&d), vec!["ipv6.hopopts_only_padding"]);
    assert_eq!(d.ip_proto(), Some(17));
    assert_eq!(d.ports(), Some((546, 547)));
    assert_eq!(d.payload(), b"dhcp");
    // ICMPv4 inside IPv6: event, Suricata's proto 0.
    let frame = PacketBuilder::ipv6(V6A, V6B)
        .raw(1, &[8, 0, 0, 0, 0, 0, 0, 0])
        .ethernet();
    let d = decode(LinkType::ETHERNET, &frame, &cfg());
    assert_eq!(events(&d), vec!["ipv6.icmpv4"]);
    assert_eq!(d.ip_proto(), Some(0));
}

#[test]
fn counters_sum_frames_like_suricata() {
    let mut c = DecodeCounters::new();
    let frames = [
        PacketBuilder::ipv4(A, B)
            .tcp(1, 2, TcpSpec::syn())
            .ethernet(),
        PacketBuilder::ipv4(B, A)
            .tcp(2, 1, TcpSpec::syn_ack())
            .ethernet(),
        PacketBuilder::ipv4(A, B)
            .tcp(1, 2, TcpSpec::new(0x14))
            .ethernet(),
        PacketBuilder::ipv4(A, B)
            .tcp(1, 2, TcpSpec::syn().data_offset(3))
            .ethernet(),
        vec![0u8; 10],
    ];
    for f in &frames {
        c.record(&decode(LinkType::ETHERNET, f, &cfg()), f.len());
    }
    assert_eq!(c.pkts, 5);
    assert_eq!(c.bytes, 4 * 54 + 10);
    assert_eq!(c.avg_pkt_size(), (4 * 54 + 10) / 5);
    assert_eq!(c.max_pkt_size, 54);
    assert_eq!(c.invalid, 2);
    assert_eq!(c.proto(ProtoCounter::Ethernet), 5);
    assert_eq!(c.proto(ProtoCounter::Ipv4), 4);
    assert_eq!(c.proto(ProtoCounter::Tcp), 4);
    assert_eq!(c.proto(ProtoCounter::TcpSyn), 1);
    assert_eq!(c.proto(ProtoCounter::TcpSynack), 1);
    assert_eq!(c.proto(ProtoCounter::TcpRst), 1);
    assert_eq!(c.event(DecodeEvent::EthernetPktTooSmall), 1);
    assert_eq!(c.event(DecodeEvent::TcpInvalidOptlen), 1);
    let j = c.to_json();
    assert_eq!(j["decoder"]["pkts"], 5);
    assert_eq!(j["tcp"]["rst"], 1);
    assert_eq!(j["decoder"]["event"]["ethernet"]["pkt_too_small"], 1);
}

#[test]
fn too_many_layers_stops_nesting() {
    // 20 levels of IP-in-IP: decoding stops at max_layers with an event.
    let mut pkt = PacketBuilder::ipv4(A, B).udp(1, 2, b"x").build();
    for _ in 0..20 {
        pkt = PacketBuilder::ipv4(A, B).raw(4, &pkt).build();
    }
    let d = decode(LinkType::DLT_RAW, &pkt, &cfg());
    assert!(d.has_event(DecodeEvent::TooManyLayers));
    assert!(d.tunnel_depth() < 16);
}

#[test]
fn teredo_geneve_erspan_nsh() {
    // Teredo: IPv6/ICMPv6 echo inside UDP from port 3544.
    let inner6 = PacketBuilder::ipv6(V6A, V6B)
        .icmp(128, 0, [0, 1, 0, 1], b"hi")
        .build();
    let frame = PacketBuilder::ipv4(A, B)
        .udp(3544, 50000, &inner6)
        .ethernet();
    let d = decode(LinkType::ETHERNET, &frame, &cfg());
    assert!(matches!(
        d.outer().map(|o| o.tunnel),
        Some(Tunnel::Teredo(_))
    ));
    assert_eq!(d.icmpv6().map(|m| m.msg_type()), Some(128));
    assert_eq!(d.proto_counts().get(ProtoCounter::Teredo), 1);
    // The same bytes on another port stay UDP.
    let frame = PacketBuilder::ipv4(A, B)
        .udp(3545, 50000, &inner6)
        .ethernet();
    let d = decode(LinkType::ETHERNET, &frame, &cfg());
    assert_eq!(d.ports(), Some((3545, 50000)));
    assert_eq!(d.proto_counts().get(ProtoCounter::Teredo), 0);

    // Geneve to 6081 carrying IPv4.
    let inner = PacketBuilder::ipv4([172, 16, 0, 1], [172, 16, 0, 2])
        .tcp(1, 2, TcpSpec::syn())
        .build();
    let mut gen = vec![0x00, 0x00, 0x08, 0x00, 0, 0, 5, 0];
    gen.extend_from_slice(&inner);
    let frame = PacketBuilder::ipv4(A, B).udp(40000, 6081, &gen).ethernet();
    let d = decode(LinkType::ETHERNET, &frame, &cfg());
    assert_eq!(d.ports(), Some((1, 2)));
    assert!(matches!(d.outer().map(|o| o.tunnel), Some(Tunnel::Geneve(_, g)) if g.vni() == 5));
    assert_eq!(d.proto_counts().get(ProtoCounter::Geneve), 1);

    // ERSPAN type II (GRE with sequence) carrying Ethernet/IPv4, VLAN 100.
    let mut gre = vec![0x10, 0x00, 0x88, 0xbe, 0, 0, 0, 1];
    gre.extend_from_slice(&[0x10, 0x64, 0x00, 0x01, 0, 0, 0, 0]);
    gre.extend_from_slice(&ethernet_frame(SRC_MAC, DST_MAC, 0x0800, &inner));
    let frame = PacketBuilder::ipv4(A, B).raw(47, &gre).ethernet();
    let d = decode(LinkType::ETHERNET, &frame, &cfg());
    assert_eq!(d.ports(), Some((1, 2)));
    assert_eq!(d.vlans().ids().collect::<Vec<_>>(), vec![100]);
    assert_eq!(d.proto_counts().get(ProtoCounter::Erspan), 1);
    assert_eq!(d.proto_counts().get(ProtoCounter::Ethernet), 2);
    // ERSPAN version 2: a plain event, and the GRE packet stands alone.
    gre[8] = 0x20;
    let frame = PacketBuilder::ipv4(A, B).raw(47, &gre).ethernet();
    let d = decode(LinkType::ETHERNET, &frame, &cfg());
    assert!(
        d.events().is_empty(),
        "child events go with the failed child"
    );
    assert_eq!(d.ip_proto(), Some(47));

    // NSH (MD type 2, 8-byte header) carrying IPv4.
    let mut nsh = vec![0x00, 0x02, 0x02, 0x01, 0, 0, 1, 255];
    nsh.extend_from_slice(&inner);
    let f = ethernet_frame(SRC_MAC, DST_MAC, 0x894f, &nsh);
    let d = decode(LinkType::ETHERNET, &f, &cfg());
    assert_eq!(d.ports(), Some((1, 2)));
    assert_eq!(d.proto_counts().get(ProtoCounter::Nsh), 1);
    assert!(d.events().is_empty());
}
