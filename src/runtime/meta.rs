//! meta: a [`Decoded`] packet turned into the flow table's [`PacketMeta`].
//!
//! Which packets get a flow follows Suricata 8.0.6's decoders (the calls
//! to `FlowSetupPacket` in `src/decode-*.c`; see the docs of
//! [`crate::flow::PacketMeta`]):
//!
//! * a decoded TCP, UDP or SCTP header, any decoded ICMPv4/ICMPv6 header
//!   (ICMPv4 destination-unreachable messages join the connection they
//!   quote through [`EmbeddedTuple`]), ESP;
//! * the outer packet of an IP-in-IP tunnel (protocol 4 or 41), whether
//!   or not the inner packet decoded ([`L4Meta::Other`]), except an IPv6
//!   outer packet too short to hold the inner header;
//! * the outer UDP packet of a VXLAN, Geneve or Teredo tunnel (Suricata's
//!   `DecodeUDP` sets up the UDP flow after handing the payload over);
//! * never a fragment (its rebuilt datagram gets one), a GRE outer
//!   packet, or a packet whose layer 4 is broken or unknown
//!   ([`L4Meta::None`]).
//!
//! # Limits
//!
//! [`Decoded`] keeps the outer-most and the inner-most IP layer of a
//! tunnelled frame. With two or more tunnel levels the middle levels are
//! not visible, so their flows are not created (Suricata creates one per
//! level); the outer packet's VLAN ids are not kept either, so its flow is
//! keyed without them.
//!
//! Building a meta reads only decoded views (plus the two quoted
//! addresses of an ICMPv4 error, which the decoder does not keep) and
//! allocates nothing.

use std::net::{IpAddr, Ipv4Addr};

use crate::decode::{ChecksumKind, DecodeEvent, Decoded, Transport, Tunnel};
use crate::flow::{EmbeddedTuple, FlowTime, L4Meta, PacketMeta, TcpMeta};

/// ICMPv4 destination unreachable.
const ICMP_DEST_UNREACH: u8 = 3;

/// What a meta needs besides the decoded layers.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MetaBase {
    /// Packet time.
    pub ts: FlowTime,
    /// VLAN ids, outermost first, 0 for absent.
    pub vlan: [u16; 3],
    /// Tunnel depth of the root of this decode (non-zero for a datagram
    /// rebuilt from fragments that were inside a tunnel).
    pub level: u8,
    /// Packet length for the flow's byte counters.
    pub len: u32,
    /// Whether the stream tracker validates TCP checksums for this packet
    /// (off under `-k none`, `stream.checksum-validation: no`, or once
    /// auto mode gave up).
    pub validate_tcp_checksum: bool,
}

/// The VLAN ids of `decoded`, as the flow key wants them.
pub(crate) fn vlan_ids(decoded: &Decoded<'_>) -> [u16; 3] {
    let mut out = [0u16; 3];
    for (slot, id) in out.iter_mut().zip(decoded.vlans().ids()) {
        *slot = id;
    }
    out
}

/// The meta of the outer packet of a tunnelled frame, when Suricata gives
/// that packet a flow.
pub(crate) fn outer_meta(decoded: &Decoded<'_>, base: &MetaBase) -> Option<PacketMeta> {
    let outer = decoded.outer()?;
    let l4 = match outer.tunnel {
        Tunnel::Ipv4InIpv4 | Tunnel::Ipv6InIpv4 | Tunnel::Ipv4InIpv6 | Tunnel::Ipv6InIpv6 => {
            L4Meta::Other
        }
        Tunnel::Vxlan(u, _) | Tunnel::Geneve(u, _) | Tunnel::Teredo(u) => L4Meta::Udp {
            src_port: u.src_port(),
            dst_port: u.dst_port(),
        },
        _ => return None,
    };
    Some(PacketMeta {
        ts: base.ts,
        src: outer.ip.src_addr(),
        dst: outer.ip.dst_addr(),
        proto: outer.ip.proto,
        l4,
        vlan: [0; 3],
        recursion_level: base.level,
        len: base.len,
    })
}

/// The meta of the (inner-most) packet of `decoded`; `None` without an IP
/// layer. A packet without a usable layer 4 gets [`L4Meta::None`], which
/// the flow table uses only to advance its clock.
pub(crate) fn packet_meta(decoded: &Decoded<'_>, base: &MetaBase) -> Option<PacketMeta> {
    let ip = decoded.ip()?;
    let l4 = if decoded.is_fragment() {
        L4Meta::None
    } else {
        match decoded.transport() {
            Some(Transport::Tcp(t, opts)) => L4Meta::Tcp(TcpMeta {
                src_port: t.src_port(),
                dst_port: t.dst_port(),
                flags: t.flags(),
                seq: t.seq_number(),
                ack: t.ack_number(),
                window: t.window_len(),
                payload_len: u32::try_from(decoded.payload().len()).unwrap_or(u32::MAX),
                timestamp: opts.timestamps,
                wscale: opts.window_scale,
                checksum_ok: !base.validate_tcp_checksum || tcp_checksum_ok(decoded),
            }),
            Some(Transport::Udp(u)) => L4Meta::Udp {
                src_port: u.src_port(),
                dst_port: u.dst_port(),
            },
            Some(Transport::Sctp(s)) => L4Meta::Sctp {
                src_port: s.src_port(),
                dst_port: s.dst_port(),
            },
            Some(Transport::Icmpv4(m, info)) => {
                let embedded = if m.msg_type() == ICMP_DEST_UNREACH {
                    info.embedded
                        .and_then(|e| embedded_tuple(m.data(), e.proto, e.ports?))
                } else {
                    None
                };
                L4Meta::Icmp {
                    icmp_type: m.msg_type(),
                    code: m.msg_code(),
                    embedded,
                }
            }
            Some(Transport::Icmpv6(m, _)) => L4Meta::Icmp {
                icmp_type: m.msg_type(),
                code: m.msg_code(),
                embedded: None,
            },
            Some(Transport::Esp(e)) => L4Meta::Esp { spi: e.spi() },
            None if ip_in_ip_outer(decoded, ip.proto) => L4Meta::Other,
            None => L4Meta::None,
        }
    };
    Some(PacketMeta {
        ts: base.ts,
        src: ip.src_addr(),
        dst: ip.dst_addr(),
        proto: ip.proto,
        l4,
        vlan: base.vlan,
        recursion_level: base.level.saturating_add(decoded.tunnel_depth()),
        len: base.len,
    })
}

/// An IP-in-IP packet whose inner packet did not decode: Suricata still
/// gives the outer packet its flow, unless an IPv6 outer packet was too
/// short to hold the inner header.
fn ip_in_ip_outer(decoded: &Decoded<'_>, proto: u8) -> bool {
    matches!(proto, 4 | 41)
        && !decoded.has_event(DecodeEvent::Ipv6Ipv4InIpv6TooSmall)
        && !decoded.has_event(DecodeEvent::Ipv6Ipv6InIpv6TooSmall)
}

fn tcp_checksum_ok(decoded: &Decoded<'_>) -> bool {
    let kind = if decoded.ipv6().is_some() {
        ChecksumKind::Tcpv6
    } else {
        ChecksumKind::Tcpv4
    };
    decoded.checksum(kind).unwrap_or(true)
}

/// The connection an ICMPv4 destination-unreachable message quotes:
/// `quoted` starts with the embedded IPv4 header (at least 20 bytes when
/// the decoder found an embedded packet).
fn embedded_tuple(quoted: &[u8], proto: u8, ports: (u16, u16)) -> Option<EmbeddedTuple> {
    let addr = |at: usize| -> Option<IpAddr> {
        let b: [u8; 4] = quoted.get(at..at + 4)?.try_into().ok()?;
        Some(IpAddr::V4(Ipv4Addr::from(b)))
    };
    Some(EmbeddedTuple {
        src: addr(12)?,
        dst: addr(16)?,
        proto,
        src_port: ports.0,
        dst_port: ports.1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::craft::{PacketBuilder, TcpSpec};
    use crate::decode::{decode, DecodeConfig, LinkType};

    fn base() -> MetaBase {
        MetaBase {
            ts: FlowTime::from_secs_micros(100, 0),
            vlan: [0; 3],
            level: 0,
            len: 60,
            validate_tcp_checksum: true,
        }
    }

    fn v4(s: [u8; 4]) -> IpAddr {
        IpAddr::V4(Ipv4Addr::from(s))
    }

    #[test]
    fn tcp_fields_come_from_the_header() {
        let frame = PacketBuilder::ipv4([10, 0, 0, 1], [10, 0, 0, 2])
            .tcp(
                1234,
                80,
                TcpSpec::psh_ack()
                    .seq(7)
                    .ack_number(9)
                    .window(300)
                    .payload(b"hello"),
            )
            .build();
        let d = decode(LinkType::IPV4, &frame, &DecodeConfig::default());
        let m = packet_meta(&d, &base()).unwrap();
        assert_eq!(
            (m.src, m.dst, m.proto),
            (v4([10, 0, 0, 1]), v4([10, 0, 0, 2]), 6)
        );
        let L4Meta::Tcp(t) = m.l4 else {
            panic!("not tcp: {:?}", m.l4)
        };
        assert_eq!((t.src_port, t.dst_port), (1234, 80));
        assert_eq!((t.seq, t.ack, t.window, t.payload_len), (7, 9, 300, 5));
        assert_eq!(t.flags, 0x18);
        assert!(t.checksum_ok);
        assert!(outer_meta(&d, &base()).is_none());
    }

    #[test]
    fn bad_tcp_checksum_is_seen_unless_ignored() {
        let frame = PacketBuilder::ipv4([10, 0, 0, 1], [10, 0, 0, 2])
            .tcp(1, 2, TcpSpec::syn().checksum(0x1234))
            .build();
        let d = decode(LinkType::IPV4, &frame, &DecodeConfig::default());
        let L4Meta::Tcp(t) = packet_meta(&d, &base()).unwrap().l4 else {
            panic!()
        };
        assert!(!t.checksum_ok);
        let b = MetaBase {
            validate_tcp_checksum: false,
            ..base()
        };
        let L4Meta::Tcp(t) = packet_meta(&d, &b).unwrap().l4 else {
            panic!()
        };
        assert!(t.checksum_ok);
    }

    #[test]
    fn fragments_and_unknown_protocols_get_no_flow() {
        let frag = PacketBuilder::ipv4([1, 1, 1, 1], [2, 2, 2, 2])
            .fragment(0, true, 5)
            .raw(17, &[0; 16])
            .build();
        let d = decode(LinkType::IPV4, &frag, &DecodeConfig::default());
        assert_eq!(packet_meta(&d, &base()).unwrap().l4, L4Meta::None);
        let other = PacketBuilder::ipv4([1, 1, 1, 1], [2, 2, 2, 2])
            .raw(99, &[0; 8])
            .build();
        let d = decode(LinkType::IPV4, &other, &DecodeConfig::default());
        assert_eq!(packet_meta(&d, &base()).unwrap().l4, L4Meta::None);
        assert!(packet_meta(
            &decode(LinkType::ETHERNET, &[0; 10], &DecodeConfig::default()),
            &base()
        )
        .is_none());
    }

    #[test]
    fn ip_in_ip_gives_outer_and_inner_metas() {
        let inner = PacketBuilder::ipv4([192, 168, 0, 1], [192, 168, 0, 2])
            .udp(53, 5353, b"x")
            .build();
        let frame = PacketBuilder::ipv4([1, 1, 1, 1], [2, 2, 2, 2])
            .raw(4, &inner)
            .build();
        let d = decode(LinkType::IPV4, &frame, &DecodeConfig::default());
        let outer = outer_meta(&d, &base()).unwrap();
        assert_eq!(
            (outer.src, outer.proto, outer.l4),
            (v4([1, 1, 1, 1]), 4, L4Meta::Other)
        );
        assert_eq!(outer.recursion_level, 0);
        let m = packet_meta(&d, &base()).unwrap();
        assert_eq!(m.src, v4([192, 168, 0, 1]));
        assert_eq!(
            m.l4,
            L4Meta::Udp {
                src_port: 53,
                dst_port: 5353
            }
        );
        assert_eq!(m.recursion_level, 1);

        // An inner packet that does not decode: the outer still has a flow.
        let frame = PacketBuilder::ipv4([1, 1, 1, 1], [2, 2, 2, 2])
            .raw(4, &[0x45, 0, 0])
            .build();
        let d = decode(LinkType::IPV4, &frame, &DecodeConfig::default());
        assert!(d.outer().is_none());
        let m = packet_meta(&d, &base()).unwrap();
        assert_eq!((m.proto, m.l4, m.recursion_level), (4, L4Meta::Other, 0));
    }

    #[test]
    fn icmp_unreachable_quotes_its_connection() {
        // Quoted: IPv4 10.0.0.1 -> 10.0.0.2 UDP 4000 -> 53.
        let quoted = PacketBuilder::ipv4([10, 0, 0, 1], [10, 0, 0, 2])
            .udp(4000, 53, b"")
            .build();
        let frame = PacketBuilder::ipv4([10, 0, 0, 2], [10, 0, 0, 1])
            .icmp(3, 3, [0; 4], &quoted)
            .build();
        let d = decode(LinkType::IPV4, &frame, &DecodeConfig::default());
        let m = packet_meta(&d, &base()).unwrap();
        assert_eq!(
            m.l4,
            L4Meta::Icmp {
                icmp_type: 3,
                code: 3,
                embedded: Some(EmbeddedTuple {
                    src: v4([10, 0, 0, 1]),
                    dst: v4([10, 0, 0, 2]),
                    proto: 17,
                    src_port: 4000,
                    dst_port: 53,
                }),
            }
        );
        // An echo request quotes nothing.
        let echo = PacketBuilder::ipv4([10, 0, 0, 2], [10, 0, 0, 1])
            .icmp(8, 0, [0, 1, 0, 1], b"ping")
            .build();
        let d = decode(LinkType::IPV4, &echo, &DecodeConfig::default());
        assert_eq!(
            packet_meta(&d, &base()).unwrap().l4,
            L4Meta::Icmp {
                icmp_type: 8,
                code: 0,
                embedded: None
            }
        );
    }

    #[test]
    fn vlan_ids_fill_from_the_outermost() {
        let frame = PacketBuilder::ipv4([1, 1, 1, 1], [2, 2, 2, 2])
            .udp(1, 2, b"")
            .ethernet();
        let tagged = crate::decode::craft::vlan_tag(&frame, 0x8100, 42);
        let d = decode(LinkType::ETHERNET, &tagged, &DecodeConfig::default());
        assert_eq!(vlan_ids(&d), [42, 0, 0]);
    }
}
