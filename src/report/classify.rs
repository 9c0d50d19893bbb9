//! What the report learns from one decoded packet: its source, the TCP
//! header error (in tcpdump's words), the TCP flag byte, the destination
//! port (or why there is none) and the payload bytes worth counting.
//!
//! The decoder gives a malformed TCP header no TCP layer and no ports (see
//! "Honest ports" in [`crate::decode`]). An analyst still wants to know
//! *how* it is malformed and what its flag byte and port fields say, so this
//! module reads those few fixed fields from the raw segment, and every
//! value read that way is marked as coming from a malformed header. It never
//! reads fields of a fragment: before reassembly no fragment has ports.
//!
//! Flag names follow CERT Polska's table (FIN, SYN, RST, PSH, ACK, URG,
//! ECN, CWR, low bit first; `<none>` for 0x00).

use std::fmt;
use std::net::IpAddr;

use serde::Serialize;

use crate::decode::{tcp, Decoded, Ip};

/// Why a TCP header failed the decoder's checks, in the order the decoder
/// (and Suricata's `DecodeTCPPacket`) checks: length, then data offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum TcpHeaderError {
    /// The data offset is below 5 words: tcpdump's `bad hdr length N -
    /// too short, < 20` (decoder event `tcp.invalid_optlen`).
    TooShort {
        /// Header length in bytes (data offset × 4): 0, 4, 8, 12 or 16.
        header_len: u8,
    },
    /// The data offset points past the end of the segment (decoder event
    /// `tcp.hlen_too_small`).
    TooLong {
        /// Header length in bytes (data offset × 4), 24 to 60.
        header_len: u8,
    },
    /// The segment is shorter than the 20-byte fixed header (decoder event
    /// `tcp.pkt_too_small`).
    Truncated {
        /// Bytes present, 0 to 19.
        segment_len: u8,
    },
}

impl fmt::Display for TcpHeaderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TcpHeaderError::TooShort { header_len } => {
                write!(f, "bad hdr length {header_len} - too short, < 20")
            }
            TcpHeaderError::TooLong { header_len } => {
                write!(f, "bad hdr length {header_len} - longer than the segment")
            }
            TcpHeaderError::Truncated { segment_len } => {
                write!(f, "truncated header - {segment_len} of 20 bytes")
            }
        }
    }
}

/// Checks a raw TCP segment the way the decoder does; `None` when the
/// header is valid.
pub fn tcp_header_error(segment: &[u8]) -> Option<TcpHeaderError> {
    if segment.len() < tcp::HEADER_LEN {
        return Some(TcpHeaderError::Truncated {
            segment_len: segment.len() as u8,
        });
    }
    let header_len = segment.get(12).map_or(0, |b| (b >> 4) * 4);
    if usize::from(header_len) > segment.len() {
        return Some(TcpHeaderError::TooLong { header_len });
    }
    if usize::from(header_len) < tcp::HEADER_LEN {
        return Some(TcpHeaderError::TooShort { header_len });
    }
    None
}

/// The flag names of CERT Polska's table, bit 0 first.
const FLAG_NAMES: [&str; 8] = ["FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECN", "CWR"];

/// The names of the bits set in a TCP flag byte, comma-separated, low bit
/// first: `0x12` is `SYN, ACK`, `0x00` is `<none>`.
pub fn flag_names(flags: u8) -> String {
    let names: Vec<&str> = FLAG_NAMES
        .iter()
        .enumerate()
        .filter(|(bit, _)| flags & (1 << bit) != 0)
        .map(|(_, name)| *name)
        .collect();
    if names.is_empty() {
        "<none>".to_string()
    } else {
        names.join(", ")
    }
}

/// The short name of an IP protocol number (`tcp`, `udp` ...), or the
/// number.
pub fn proto_name(proto: u8) -> String {
    match proto {
        1 => "icmp".into(),
        2 => "igmp".into(),
        6 => "tcp".into(),
        17 => "udp".into(),
        41 => "ipv6".into(),
        47 => "gre".into(),
        50 => "esp".into(),
        51 => "ah".into(),
        58 => "icmpv6".into(),
        132 => "sctp".into(),
        n => format!("proto-{n}"),
    }
}

/// Why a TCP/UDP/SCTP packet has no destination port.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoPort {
    /// A first fragment (offset 0, more fragments): its header belongs to
    /// a datagram that is not reassembled yet.
    FirstFragment,
    /// A later fragment: it carries no transport header at all (what naive
    /// tools print as "port 0").
    LaterFragment,
    /// The transport header is too short to hold the two port fields.
    Truncated,
}

impl NoPort {
    /// Words for the text report.
    pub fn describe(self) -> &'static str {
        match self {
            NoPort::FirstFragment => "first fragment",
            NoPort::LaterFragment => "later fragment",
            NoPort::Truncated => "header too short for ports",
        }
    }
}

/// A destination-port table key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum PortKey {
    /// A port read from a header; `malformed` when the decoder rejected
    /// the header and the port was read from its first four bytes.
    Port {
        proto: u8,
        port: u16,
        malformed: bool,
    },
    /// No port.
    None { proto: u8, reason: NoPort },
}

/// What the report records about one packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Facts<'a> {
    /// Source address (inner-most IP layer).
    pub src: Option<IpAddr>,
    /// The transport protocol: the IPv4 protocol, or for IPv6 the header
    /// the extension walk ended at, or a fragment header's next header.
    pub proto: Option<u8>,
    /// A TCP header error.
    pub tcp_error: Option<TcpHeaderError>,
    /// The TCP flag byte, valid header or not (never for fragments).
    pub tcp_flags: Option<u8>,
    /// The destination-port key, for TCP, UDP and SCTP.
    pub port: Option<PortKey>,
    /// Payload bytes to count (empty: nothing to count).
    pub payload: &'a [u8],
}

/// Reads the facts of one decoded packet.
pub(crate) fn facts<'a>(d: &Decoded<'a>) -> Facts<'a> {
    let mut f = Facts {
        src: None,
        proto: None,
        tcp_error: None,
        tcp_flags: None,
        port: None,
        payload: &[],
    };
    let Some(ip) = d.ip() else {
        return f;
    };
    f.src = Some(ip.src_addr());
    let proto = match (ip.header, ip.ipv6_ext.and_then(|e| e.fragment)) {
        (Ip::V6(_), Some(frag)) if ip.fragment.is_some() => frag.next_header,
        _ => ip.proto,
    };
    f.proto = Some(proto);
    let has_ports = matches!(proto, 6 | 17 | 132);
    if let Some(frag) = ip.fragment {
        if has_ports {
            let reason = if frag.is_first() {
                NoPort::FirstFragment
            } else {
                NoPort::LaterFragment
            };
            f.port = Some(PortKey::None { proto, reason });
        }
        return f;
    }
    if let Some(t) = d.tcp() {
        f.tcp_flags = Some(t.flags());
        f.port = Some(PortKey::Port {
            proto,
            port: t.dst_port(),
            malformed: false,
        });
        f.payload = d.payload();
        return f;
    }
    if let Some(dport) = d.udp().map(|u| u.dst_port()) {
        f.port = Some(PortKey::Port {
            proto,
            port: dport,
            malformed: false,
        });
        f.payload = d.payload();
        return f;
    }
    if let Some(s) = d.sctp() {
        f.port = Some(PortKey::Port {
            proto,
            port: s.dst_port(),
            malformed: false,
        });
        f.payload = d.payload();
        return f;
    }
    if !has_ports {
        // ICMP and the rest: count their payload as decoded.
        f.payload = d.payload();
        return f;
    }
    // A TCP/UDP/SCTP header the decoder rejected: read what is there.
    let seg = ip.upper;
    f.port = Some(match seg.get(2..4) {
        Some(&[hi, lo]) => PortKey::Port {
            proto,
            port: u16::from_be_bytes([hi, lo]),
            malformed: true,
        },
        _ => PortKey::None {
            proto,
            reason: NoPort::Truncated,
        },
    });
    if proto == 6 {
        f.tcp_error = tcp_header_error(seg);
        f.tcp_flags = seg.get(13).copied();
        // What follows the header: after the fixed 20 bytes when the data
        // offset is too small, nothing when it points past the segment.
        f.payload = match f.tcp_error {
            Some(TcpHeaderError::TooShort { .. }) => seg.get(tcp::HEADER_LEN..).unwrap_or(&[]),
            _ => &[],
        };
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::craft::{PacketBuilder, TcpSpec};
    use crate::decode::{decode, DecodeConfig, LinkType};

    const A: [u8; 4] = [198, 51, 100, 1];
    const B: [u8; 4] = [203, 0, 113, 2];

    fn facts_of(frame: &[u8]) -> Facts<'_> {
        facts(&decode(LinkType::ETHERNET, frame, &DecodeConfig::default()))
    }

    #[test]
    fn flag_names_follow_cert_polska() {
        assert_eq!(flag_names(0x12), "SYN, ACK");
        assert_eq!(flag_names(0x00), "<none>");
        assert_eq!(flag_names(0x82), "SYN, CWR");
        assert_eq!(flag_names(0x54), "RST, ACK, ECN");
        assert_eq!(flag_names(0xff), "FIN, SYN, RST, PSH, ACK, URG, ECN, CWR");
        assert_eq!(flag_names(0xa7), "FIN, SYN, RST, URG, CWR");
    }

    #[test]
    fn header_errors_in_decoder_order() {
        let mut seg = [0u8; 24];
        assert_eq!(
            tcp_header_error(&seg),
            Some(TcpHeaderError::TooShort { header_len: 0 })
        );
        seg[12] = 4 << 4;
        assert_eq!(
            tcp_header_error(&seg),
            Some(TcpHeaderError::TooShort { header_len: 16 })
        );
        seg[12] = 6 << 4;
        assert_eq!(tcp_header_error(&seg), None);
        seg[12] = 7 << 4;
        assert_eq!(
            tcp_header_error(&seg),
            Some(TcpHeaderError::TooLong { header_len: 28 })
        );
        assert_eq!(
            tcp_header_error(&seg[..13]),
            Some(TcpHeaderError::Truncated { segment_len: 13 })
        );
        assert_eq!(
            TcpHeaderError::TooShort { header_len: 12 }.to_string(),
            "bad hdr length 12 - too short, < 20"
        );
    }

    #[test]
    fn valid_tcp() {
        let frame = PacketBuilder::ipv4(A, B)
            .tcp(0, 445, TcpSpec::syn().payload(b"hi"))
            .ethernet();
        let f = facts_of(&frame);
        assert_eq!(f.src, Some(IpAddr::from(A)));
        assert_eq!(f.proto, Some(6));
        assert_eq!(f.tcp_flags, Some(0x02));
        assert_eq!(f.tcp_error, None);
        assert_eq!(
            f.port,
            Some(PortKey::Port {
                proto: 6,
                port: 445,
                malformed: false
            })
        );
        assert_eq!(f.payload, b"hi");
    }

    #[test]
    fn malformed_tcp_keeps_raw_fields_marked() {
        let frame = PacketBuilder::ipv4(A, B)
            .tcp(
                0,
                0,
                TcpSpec::new(0xf5)
                    .data_offset(2)
                    .payload(&[0xa0, 0x02, 0x7d, 0x78]),
            )
            .ethernet();
        let f = facts_of(&frame);
        assert_eq!(
            f.tcp_error,
            Some(TcpHeaderError::TooShort { header_len: 8 })
        );
        assert_eq!(f.tcp_flags, Some(0xf5));
        assert_eq!(
            f.port,
            Some(PortKey::Port {
                proto: 6,
                port: 0,
                malformed: true
            })
        );
        assert_eq!(f.payload, &[0xa0, 0x02, 0x7d, 0x78]);
    }

    #[test]
    fn header_longer_than_segment_has_no_payload() {
        let frame = PacketBuilder::ipv4(A, B)
            .tcp(1, 2, TcpSpec::ack().data_offset(15).payload(b"abcd"))
            .ethernet();
        let f = facts_of(&frame);
        assert_eq!(
            f.tcp_error,
            Some(TcpHeaderError::TooLong { header_len: 60 })
        );
        assert!(f.payload.is_empty());
    }

    #[test]
    fn short_segment_is_truncated_without_port() {
        let frame = PacketBuilder::ipv4(A, B).raw(6, &[0, 80]).ethernet();
        let f = facts_of(&frame);
        assert_eq!(
            f.tcp_error,
            Some(TcpHeaderError::Truncated { segment_len: 2 })
        );
        assert_eq!(f.tcp_flags, None);
        assert_eq!(
            f.port,
            Some(PortKey::None {
                proto: 6,
                reason: NoPort::Truncated
            })
        );
    }

    #[test]
    fn fragments_have_no_port_and_no_flags() {
        let first = PacketBuilder::ipv4(A, B)
            .raw(6, &[0u8; 24])
            .fragment(0, true, 7)
            .ethernet();
        let later = PacketBuilder::ipv4(A, B)
            .raw(17, &[0u8; 24])
            .fragment(24, false, 7)
            .ethernet();
        let f = facts_of(&first);
        assert_eq!(
            f.port,
            Some(PortKey::None {
                proto: 6,
                reason: NoPort::FirstFragment
            })
        );
        assert_eq!((f.tcp_flags, f.tcp_error), (None, None));
        let f = facts_of(&later);
        assert_eq!(
            f.port,
            Some(PortKey::None {
                proto: 17,
                reason: NoPort::LaterFragment
            })
        );
    }

    #[test]
    fn ipv6_fragment_reports_the_fragmented_protocol() {
        let src = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
        let dst = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
        let frame = PacketBuilder::ipv6(src, dst)
            .raw(17, &[0u8; 16])
            .fragment(16, false, 9)
            .ethernet();
        let f = facts_of(&frame);
        assert_eq!(f.proto, Some(17));
        assert_eq!(
            f.port,
            Some(PortKey::None {
                proto: 17,
                reason: NoPort::LaterFragment
            })
        );
    }

    #[test]
    fn icmp_has_no_port_but_a_payload() {
        let frame = PacketBuilder::ipv4(A, B)
            .icmp(8, 0, [0, 1, 0, 1], b"ping")
            .ethernet();
        let f = facts_of(&frame);
        assert_eq!(f.proto, Some(1));
        assert_eq!(f.port, None);
        assert_eq!(f.payload, b"ping");
    }
}
