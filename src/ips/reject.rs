//! The packets a `reject` rule answers with, built from the packet it
//! rejects (Suricata's `respond-reject`): a TCP RST for TCP, an ICMP
//! destination unreachable otherwise.
//!
//! # Fields (Suricata 8's libnet builder)
//!
//! * RST towards the source (`reject`, `rejectsrc`, half of
//!   `rejectboth`): from the packet's destination to its source, ports
//!   swapped; when the packet has ACK set, seq = its ack number and ack =
//!   its seq + payload length; without ACK, seq 0 and ack = seq + payload
//!   length + 1. Flags RST|ACK, the packet's window, TTL 64.
//! * RST towards the destination (`rejectdst`, the other half of
//!   `rejectboth`): same direction, addresses and ports as the packet, its
//!   seq and ack.
//! * ICMP for everything else: type 3 code 10 (host administratively
//!   prohibited) for IPv4, type 1 code 1 (administratively prohibited) for
//!   IPv6, quoting the rejected packet's IP header and the first 8 bytes
//!   after it (RFC 792's minimum; Suricata quotes as much as its reject
//!   device's MTU allows, which a capture file does not have).
//!
//! # Framing
//!
//! The frame has the rejected packet's link type: an Ethernet frame with
//! the MAC addresses swapped for the source direction (and the first VLAN
//! tag kept), or a bare IP packet for raw-IP link types. Tunnelled packets
//! and other link types get no reject frame ([`RejectError`]); Suricata
//! injects its rejects on a raw socket instead, which a pcap has no room
//! for.

use std::fmt;

use crate::decode::craft::{ethernet_frame, vlan_tag, PacketBuilder, TcpSpec};
use crate::decode::{Decoded, Ip, LinkType, Transport};

const RST: u8 = 0x04;
const ACK: u8 = 0x10;

/// Which way a reject goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RejectDirection {
    /// To the packet's source (`reject`, `rejectsrc`).
    Source,
    /// To the packet's destination (`rejectdst`).
    Destination,
    /// Both (`rejectboth`): the source's frame first.
    Both,
}

/// Why no reject frame was built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RejectError {
    /// No IP layer.
    NotIp,
    /// The packet came out of a tunnel.
    Tunnelled,
    /// A link type other than Ethernet or raw IP.
    LinkType(LinkType),
}

impl fmt::Display for RejectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RejectError::NotIp => f.write_str("not an IP packet"),
            RejectError::Tunnelled => f.write_str("tunnelled packet"),
            RejectError::LinkType(l) => write!(f, "link type {}", l.0),
        }
    }
}

/// The reject frames for `d` in direction `dir` (one, or two for
/// [`RejectDirection::Both`]), framed for `d`'s link type.
///
/// # Errors
/// [`RejectError`] when the packet cannot be answered in a capture file.
pub fn reject_frames(d: &Decoded<'_>, dir: RejectDirection) -> Result<Vec<Vec<u8>>, RejectError> {
    let ip = d.ip().ok_or(RejectError::NotIp)?;
    if d.outer().is_some() || d.tunnel_depth() > 0 {
        return Err(RejectError::Tunnelled);
    }
    let lt = d.linktype();
    let ethernet = lt == LinkType::ETHERNET;
    let raw = matches!(
        lt,
        LinkType::RAW
            | LinkType::DLT_RAW
            | LinkType::DLT_RAW_OPENBSD
            | LinkType::IPV4
            | LinkType::IPV6
    );
    if !ethernet && !raw {
        return Err(RejectError::LinkType(lt));
    }
    let dirs: &[bool] = match dir {
        RejectDirection::Source => &[true],
        RejectDirection::Destination => &[false],
        RejectDirection::Both => &[true, false],
    };
    let mut out = Vec::with_capacity(dirs.len());
    for &to_source in dirs {
        let packet = build_ip(d, ip.header, to_source);
        let frame = if ethernet {
            let (src, dst) = match d.ethernet() {
                Some(e) if to_source => (e.dst_addr(), e.src_addr()),
                Some(e) => (e.src_addr(), e.dst_addr()),
                None => ([0; 6], [0; 6]),
            };
            let ethertype = match ip.header {
                Ip::V4(_) => 0x0800,
                Ip::V6(_) => 0x86dd,
            };
            let f = ethernet_frame(src, dst, ethertype, &packet);
            match d.vlans().as_slice().first() {
                Some(tag) => vlan_tag(&f, tag.tpid, tag.id),
                None => f,
            }
        } else {
            packet
        };
        out.push(frame);
    }
    Ok(out)
}

/// The IP packet (RST or ICMP) for one direction.
fn build_ip(d: &Decoded<'_>, header: Ip<'_>, to_source: bool) -> Vec<u8> {
    let builder = match header {
        Ip::V4(h) => {
            let (s, t) = (h.src_addr().octets(), h.dst_addr().octets());
            let (src, dst) = if to_source { (t, s) } else { (s, t) };
            PacketBuilder::ipv4(src, dst).ident(0)
        }
        Ip::V6(h) => {
            let (s, t) = (h.src_bytes(), h.dst_bytes());
            let (src, dst) = if to_source { (t, s) } else { (s, t) };
            PacketBuilder::ipv6(src, dst)
        }
    }
    .ttl(64);
    match (d.transport(), d.tcp()) {
        (Some(Transport::Tcp(..)), Some(tcp)) => {
            let len = d.payload().len() as u32;
            let (seq, ack) = if !to_source {
                (tcp.seq_number(), tcp.ack_number())
            } else if tcp.flags() & ACK != 0 {
                (tcp.ack_number(), tcp.seq_number().wrapping_add(len))
            } else {
                // Without ACK (a SYN, typically) Suricata acknowledges
                // one more than the data.
                (0, tcp.seq_number().wrapping_add(len).wrapping_add(1))
            };
            let (sp, dp) = if to_source {
                (tcp.dst_port(), tcp.src_port())
            } else {
                (tcp.src_port(), tcp.dst_port())
            };
            builder
                .tcp(
                    sp,
                    dp,
                    TcpSpec::new(RST | ACK)
                        .seq(seq)
                        .ack_number(ack)
                        .window(tcp.window_len()),
                )
                .build()
        }
        _ => {
            let quoted = quote(header);
            let (kind, code) = match header {
                Ip::V4(_) => (3, 10),
                Ip::V6(_) => (1, 1),
            };
            builder.icmp(kind, code, [0; 4], quoted).build()
        }
    }
}

/// The rejected packet's IP header and the first 8 bytes after it.
fn quote<'a>(header: Ip<'a>) -> &'a [u8] {
    match header {
        Ip::V4(h) => {
            let whole = h.into_inner();
            let n = (h.header_len() + 8).min(whole.len());
            &whole[..n]
        }
        Ip::V6(h) => {
            let whole = h.into_inner();
            let n = (40 + 8).min(whole.len());
            &whole[..n]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::craft;
    use crate::decode::{decode, DecodeConfig};

    fn decoded(frame: &[u8], lt: LinkType) -> Decoded<'_> {
        decode(lt, frame, &DecodeConfig::default())
    }

    #[test]
    fn rst_to_source_of_a_data_segment() {
        // 10.0.0.1:40000 -> 10.0.0.2:80, ACK|PSH seq 1000 ack 5000, 5 bytes.
        let frame = craft::PacketBuilder::ipv4([10, 0, 0, 1], [10, 0, 0, 2])
            .tcp(
                40000,
                80,
                craft::TcpSpec::psh_ack()
                    .seq(1000)
                    .ack_number(5000)
                    .window(512)
                    .payload(b"hello"),
            )
            .ethernet();
        let d = decoded(&frame, LinkType::ETHERNET);
        let out = reject_frames(&d, RejectDirection::Source).unwrap();
        assert_eq!(out.len(), 1);
        let r = decoded(&out[0], LinkType::ETHERNET);
        let e = r.ethernet().unwrap();
        assert_eq!(e.dst_addr(), craft::SRC_MAC);
        assert_eq!(e.src_addr(), craft::DST_MAC);
        assert_eq!(
            r.ip()
                .map(|l| (l.src_addr().to_string(), l.dst_addr().to_string())),
            Some(("10.0.0.2".into(), "10.0.0.1".into()))
        );
        let t = r.tcp().unwrap();
        assert_eq!((t.src_port(), t.dst_port()), (80, 40000));
        assert_eq!(t.flags(), RST | ACK);
        // seq = the segment's ack; ack = seq + 5.
        assert_eq!((t.seq_number(), t.ack_number()), (5000, 1005));
        assert_eq!(t.window_len(), 512);
        assert_eq!(r.ip().unwrap().ttl(), 64);
        assert!(r.events().is_empty(), "{:?}", r.events());
    }

    #[test]
    fn rst_to_source_of_a_syn_and_both_directions() {
        let frame = craft::PacketBuilder::ipv4([10, 0, 0, 1], [10, 0, 0, 2])
            .tcp(40000, 445, craft::TcpSpec::syn().seq(77))
            .build();
        let d = decoded(&frame, LinkType::RAW);
        let out = reject_frames(&d, RejectDirection::Both).unwrap();
        assert_eq!(out.len(), 2);
        let src = decoded(&out[0], LinkType::RAW);
        let t = src.tcp().unwrap();
        // No ACK: seq 0, ack = 77 + 0 + 1.
        assert_eq!((t.seq_number(), t.ack_number()), (0, 78));
        assert_eq!((t.src_port(), t.dst_port()), (445, 40000));
        let dst = decoded(&out[1], LinkType::RAW);
        let t = dst.tcp().unwrap();
        assert_eq!((t.src_port(), t.dst_port()), (40000, 445));
        assert_eq!(t.seq_number(), 77);
        assert_eq!(
            dst.ip().map(|l| l.dst_addr().to_string()),
            Some("10.0.0.2".into())
        );
    }

    #[test]
    fn icmp_unreachable_for_udp_quotes_header_and_8_bytes() {
        let frame = craft::PacketBuilder::ipv4([192, 168, 1, 5], [192, 168, 1, 9])
            .udp(1026, 135, &[0, 0, 1, 2, 3, 4, 5, 6, 7, 8])
            .ethernet();
        let d = decoded(&frame, LinkType::ETHERNET);
        let out = reject_frames(&d, RejectDirection::Source).unwrap();
        let r = decoded(&out[0], LinkType::ETHERNET);
        let icmp = r.icmpv4().unwrap();
        assert_eq!((icmp.msg_type(), icmp.msg_code()), (3, 10));
        assert_eq!(
            r.ip().map(|l| l.dst_addr().to_string()),
            Some("192.168.1.5".into())
        );
        // Quoted: 20-byte IPv4 header + UDP header (8 bytes) = 28 bytes.
        let quoted = &r.payload()[r.payload().len() - 28..];
        assert_eq!(&quoted[..20], &frame[14..34]);
        assert_eq!(&quoted[20..22], &1026u16.to_be_bytes());
    }

    #[test]
    fn ipv6_icmp_and_unsupported_inputs() {
        let mut a = [0u8; 16];
        a[15] = 1;
        let mut b = [0u8; 16];
        b[15] = 2;
        let frame = craft::PacketBuilder::ipv6(a, b)
            .udp(5000, 53, b"q")
            .ethernet();
        let d = decoded(&frame, LinkType::ETHERNET);
        let out = reject_frames(&d, RejectDirection::Destination).unwrap();
        let r = decoded(&out[0], LinkType::ETHERNET);
        let icmp = r.icmpv6().unwrap();
        assert_eq!((icmp.msg_type(), icmp.msg_code()), (1, 1));
        // Not IP.
        let arp = craft::ethernet_frame([1; 6], [2; 6], 0x0806, &[0u8; 28]);
        let d = decoded(&arp, LinkType::ETHERNET);
        assert_eq!(
            reject_frames(&d, RejectDirection::Source),
            Err(RejectError::NotIp)
        );
        // A link type a reject cannot be framed in.
        let d = decoded(&frame, LinkType::LINUX_SLL);
        assert!(reject_frames(&d, RejectDirection::Source).is_err());
    }
}
