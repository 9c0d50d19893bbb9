//! ICMPv6 messages (RFC 4443, plus ND, MLD and friends) and Suricata's
//! type/code checks from `DecodeICMPV6` (`src/decode-icmpv6.c`).
//!
//! The view needs 8 bytes (`icmpv6.pkt_too_small`, invalid). Error messages
//! (types 1 to 4) quote an IPv6 header, checked for length
//! (`icmpv6.ipv6_trunc_pkt`) and version (`icmpv6.ipv6_unknown_version`),
//! both invalid. MLD messages must have hop limit 1. Unknown types are
//! split by IANA range into `unassigned_type`, `experimentation_type` and
//! `unknown_type`.
//!
//! Payload: Suricata's payload starts after 8 bytes for error and echo
//! messages; for the others ("informational" in its terms) it starts at
//! byte 4 and is 12 bytes shorter than the message. That quirk is kept
//! because content matches depend on it ([`Info::payload_range`]).

use super::bytes::{be16, be32, tail, u8_at};
use super::event::{DecodeEvent, EventSink};

mod field {
    use std::ops::Range;
    pub const TYPE: usize = 0;
    pub const CODE: usize = 1;
    pub const CHECKSUM: Range<usize> = 2..4;
    pub const IDENT: Range<usize> = 4..6;
    pub const SEQ: Range<usize> = 6..8;
}

/// Minimum ICMPv6 length Suricata accepts.
pub const HEADER_LEN: usize = field::SEQ.end;

/// ICMPv6 message types.
pub mod kind {
    /// Destination unreachable.
    pub const DST_UNREACH: u8 = 1;
    /// Packet too big.
    pub const PACKET_TOO_BIG: u8 = 2;
    /// Time exceeded.
    pub const TIME_EXCEEDED: u8 = 3;
    /// Parameter problem.
    pub const PARAM_PROB: u8 = 4;
    /// Echo request.
    pub const ECHO_REQUEST: u8 = 128;
    /// Echo reply.
    pub const ECHO_REPLY: u8 = 129;
    /// MLD query.
    pub const MLD_QUERY: u8 = 130;
    /// MLD report.
    pub const MLD_REPORT: u8 = 131;
    /// MLD done.
    pub const MLD_REDUCTION: u8 = 132;
    /// Router solicitation.
    pub const ROUTER_SOLICIT: u8 = 133;
    /// Router advertisement.
    pub const ROUTER_ADVERT: u8 = 134;
    /// Neighbor solicitation.
    pub const NEIGHBOR_SOLICIT: u8 = 135;
    /// Neighbor advertisement.
    pub const NEIGHBOR_ADVERT: u8 = 136;
    /// Redirect.
    pub const REDIRECT: u8 = 137;
}

/// A read-only view of an ICMPv6 message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps a buffer without checking it.
    pub const fn new_unchecked(buffer: T) -> Packet<T> {
        Packet { buffer }
    }

    /// Wraps a buffer after checking 8 bytes fit.
    ///
    /// # Errors
    /// `icmpv6.pkt_too_small`.
    pub fn new_checked(buffer: T) -> Result<Packet<T>, DecodeEvent> {
        if buffer.as_ref().len() < HEADER_LEN {
            return Err(DecodeEvent::Icmpv6PktTooSmall);
        }
        Ok(Packet { buffer })
    }

    /// Message type.
    pub fn msg_type(&self) -> u8 {
        u8_at(self.buffer.as_ref(), field::TYPE)
    }

    /// Message code.
    pub fn msg_code(&self) -> u8 {
        u8_at(self.buffer.as_ref(), field::CODE)
    }

    /// Checksum field.
    pub fn checksum(&self) -> u16 {
        be16(self.buffer.as_ref(), field::CHECKSUM.start)
    }

    /// Identifier (echo messages).
    pub fn ident(&self) -> u16 {
        be16(self.buffer.as_ref(), field::IDENT.start)
    }

    /// Sequence number (echo messages).
    pub fn seq_number(&self) -> u16 {
        be16(self.buffer.as_ref(), field::SEQ.start)
    }

    /// MTU (packet-too-big messages).
    pub fn mtu(&self) -> u32 {
        be32(self.buffer.as_ref(), field::IDENT.start)
    }

    /// The whole message (what the checksum covers).
    pub fn message(&self) -> &[u8] {
        self.buffer.as_ref()
    }
}

/// The start of the datagram an ICMPv6 error quotes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Embedded {
    /// Next header of the quoted IPv6 header.
    pub next_header: u8,
    /// Ports when a full TCP (20) or UDP (8) header is quoted.
    pub ports: Option<(u16, u16)>,
}

/// What [`inspect`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Info {
    /// Whether Suricata treats the message as having a full 8-byte header
    /// (valid error and echo messages).
    pub full_header: bool,
    /// The quoted datagram of an error message.
    pub embedded: Option<Embedded>,
    /// Counterpart type for flow matching.
    pub counterpart: Option<u8>,
}

impl Info {
    /// The byte range of the message that Suricata inspects as payload.
    pub fn payload_range(&self, msg_len: usize) -> std::ops::Range<usize> {
        if self.full_header {
            HEADER_LEN..msg_len
        } else if msg_len - HEADER_LEN >= 4 {
            4..msg_len - 8
        } else {
            0..0
        }
    }
}

fn partial_ipv6(quoted: &[u8], sink: &mut dyn EventSink) -> Option<Embedded> {
    const IP_LEN: usize = super::ipv6::HEADER_LEN;
    if quoted.len() < IP_LEN {
        sink.invalid(DecodeEvent::Icmpv6Ipv6TruncPkt);
        return None;
    }
    if u8_at(quoted, 0) >> 4 != 6 {
        sink.invalid(DecodeEvent::Icmpv6Ipv6UnknownVersion);
        return None;
    }
    let next_header = u8_at(quoted, 6);
    let l4 = tail(quoted, IP_LEN);
    let ports = match next_header {
        6 if l4.len() >= 20 => Some((be16(l4, 0), be16(l4, 2))),
        17 if l4.len() >= 8 => Some((be16(l4, 0), be16(l4, 2))),
        _ => None,
    };
    Some(Embedded { next_header, ports })
}

/// The counterpart type (request <-> reply) used for flow matching.
pub fn counterpart(msg_type: u8) -> Option<u8> {
    let pairs: [(u8, u8); 10] = [
        (128, 129),
        (135, 136),
        (133, 134),
        (130, 131),
        (139, 140),
        (144, 145),
        (146, 147),
        (148, 149),
        (151, 152),
        (157, 158),
    ];
    pairs.iter().find_map(|&(a, b)| {
        if msg_type == a {
            Some(b)
        } else if msg_type == b {
            Some(a)
        } else {
            None
        }
    })
}

/// Applies Suricata's ICMPv6 checks. `hop_limit` is the enclosing IPv6
/// header's (MLD messages must carry 1).
pub fn inspect(msg: &[u8], hop_limit: u8, sink: &mut dyn EventSink) -> Info {
    let p = Packet::new_unchecked(msg);
    let (t, code) = (p.msg_type(), p.msg_code());
    let mut info = Info {
        full_header: false,
        embedded: None,
        counterpart: counterpart(t),
    };
    let unknown_code = |sink: &mut dyn EventSink| sink.event(DecodeEvent::Icmpv6UnknownCode);
    let quoted = tail(msg, HEADER_LEN);
    match t {
        1..=4 => {
            let max_code = match t {
                1 => 6,
                2 => 0,
                3 => 1,
                _ => 2,
            };
            if code > max_code {
                unknown_code(sink);
            } else {
                info.embedded = partial_ipv6(quoted, sink);
                info.full_header = true;
            }
        }
        128 | 129 => {
            if code != 0 {
                unknown_code(sink);
            } else {
                info.full_header = true;
            }
        }
        130..=132 => {
            if code != 0 {
                unknown_code(sink);
            }
            if hop_limit != 1 {
                sink.event(DecodeEvent::Icmpv6MldMessageWithInvalidHl);
            }
        }
        138 => {
            if code > 2 && code != 255 {
                unknown_code(sink);
            }
        }
        139 | 140 => {
            if code > 2 {
                unknown_code(sink);
            }
        }
        150..=153 => {}
        155 => {
            if (code > 3 && code < 128) || code > 132 {
                unknown_code(sink);
            }
        }
        133..=137 | 141..=149 | 154 | 156..=159 => {
            if code != 0 {
                unknown_code(sink);
            }
        }
        5..=99 | 102..=126 | 160..=199 | 202..=255 => sink.event(DecodeEvent::Icmpv6UnassignedType),
        100 | 101 | 200 | 201 => sink.event(DecodeEvent::Icmpv6ExperimentationType),
        _ => sink.event(DecodeEvent::Icmpv6UnknownType),
    }
    info
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::event::tests_support::Recorder;

    fn run(msg: &[u8], hl: u8) -> (Info, Vec<(DecodeEvent, bool)>) {
        let mut r = Recorder::default();
        let info = inspect(msg, hl, &mut r);
        (info, r.events)
    }

    #[test]
    fn echo_request() {
        let msg = [128u8, 0, 0, 0, 0, 7, 0, 1, b'p', b'i', b'n', b'g'];
        let p = Packet::new_checked(&msg[..]).expect("valid");
        assert_eq!((p.ident(), p.seq_number()), (7, 1));
        let (info, ev) = run(&msg, 64);
        assert!(ev.is_empty());
        assert_eq!(info.counterpart, Some(129));
        assert_eq!(info.payload_range(msg.len()), 8..12);
    }

    #[test]
    fn informational_payload_quirk() {
        // Neighbor solicitation, 24 bytes: Suricata inspects bytes 4..16.
        let msg = [
            135u8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
        ];
        let (info, ev) = run(&msg, 255);
        assert!(ev.is_empty());
        assert_eq!(info.payload_range(msg.len()), 4..16);
        let (info, _) = run(&msg[..10], 255);
        assert_eq!(info.payload_range(10), 0..0);
    }

    #[test]
    fn errors_and_events() {
        let short = [1u8, 4, 0, 0, 0, 0, 0, 0, 0x60];
        let (_, ev) = run(&short, 64);
        assert_eq!(ev, vec![(DecodeEvent::Icmpv6Ipv6TruncPkt, true)]);
        let (_, ev) = run(&[1u8, 7, 0, 0, 0, 0, 0, 0], 64);
        assert_eq!(ev, vec![(DecodeEvent::Icmpv6UnknownCode, false)]);
        let (_, ev) = run(&[130u8, 0, 0, 0, 0, 0, 0, 0], 64);
        assert_eq!(
            ev,
            vec![(DecodeEvent::Icmpv6MldMessageWithInvalidHl, false)]
        );
        let (_, ev) = run(&[50u8, 0, 0, 0, 0, 0, 0, 0], 64);
        assert_eq!(ev, vec![(DecodeEvent::Icmpv6UnassignedType, false)]);
        let (_, ev) = run(&[200u8, 0, 0, 0, 0, 0, 0, 0], 64);
        assert_eq!(ev, vec![(DecodeEvent::Icmpv6ExperimentationType, false)]);
        let (_, ev) = run(&[0u8, 0, 0, 0, 0, 0, 0, 0], 64);
        assert_eq!(ev, vec![(DecodeEvent::Icmpv6UnknownType, false)]);
        let (_, ev) = run(&[127u8, 0, 0, 0, 0, 0, 0, 0], 64);
        assert_eq!(ev, vec![(DecodeEvent::Icmpv6UnknownType, false)]);
    }

    #[test]
    fn quoted_tcp_ports() {
        let mut msg = vec![1u8, 4, 0, 0, 0, 0, 0, 0];
        let mut ip = vec![0x60u8, 0, 0, 0, 0, 20, 6, 64];
        ip.extend_from_slice(&[0u8; 32]);
        msg.extend_from_slice(&ip);
        let mut tcp = vec![0x00u8, 0x00, 0x01, 0xbd];
        tcp.extend_from_slice(&[0u8; 16]);
        msg.extend_from_slice(&tcp);
        let (info, ev) = run(&msg, 64);
        assert!(ev.is_empty());
        assert_eq!(
            info.embedded,
            Some(Embedded {
                next_header: 6,
                ports: Some((0, 445))
            })
        );
    }

    #[test]
    fn truncation_sweep() {
        let msg = [128u8, 0, 0, 0, 0, 0, 0, 0];
        for cut in 0..HEADER_LEN {
            assert_eq!(
                Packet::new_checked(&msg[..cut]).err(),
                Some(DecodeEvent::Icmpv6PktTooSmall)
            );
        }
    }
}
