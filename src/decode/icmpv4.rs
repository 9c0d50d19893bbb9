//! ICMPv4 messages (RFC 792) and Suricata's type/code checks.
//!
//! The view needs the 8-byte header (`icmpv4.pkt_too_small`, invalid).
//! [`inspect`] then applies `DecodeICMPV4` (`src/decode-icmpv4.c`): unknown
//! codes per type (`icmpv4.unknown_code`), unknown types
//! (`icmpv4.unknown_type`, which includes router solicitation, type 10, as
//! in Suricata), the embedded IPv4 header of error messages (checked with a
//! fixed 20-byte header length, as Suricata does: `icmpv4.ipv4_trunc_pkt`
//! and `icmpv4.ipv4_unknown_ver`, both invalid), and the fixed parts of
//! timestamp and router advertisement messages, which move the payload
//! start.

use super::bytes::{be16, slice, tail, u8_at};
use super::event::{DecodeEvent, EventSink};

mod field {
    use std::ops::Range;
    pub const TYPE: usize = 0;
    pub const CODE: usize = 1;
    pub const CHECKSUM: Range<usize> = 2..4;
    pub const IDENT: Range<usize> = 4..6;
    pub const SEQ: Range<usize> = 6..8;
}

/// Length of the ICMPv4 header.
pub const HEADER_LEN: usize = field::SEQ.end;

/// ICMPv4 message types.
pub mod kind {
    /// Echo reply.
    pub const ECHO_REPLY: u8 = 0;
    /// Destination unreachable.
    pub const DEST_UNREACH: u8 = 3;
    /// Source quench.
    pub const SOURCE_QUENCH: u8 = 4;
    /// Redirect.
    pub const REDIRECT: u8 = 5;
    /// Echo request.
    pub const ECHO: u8 = 8;
    /// Router advertisement.
    pub const ROUTER_ADVERT: u8 = 9;
    /// Router solicitation.
    pub const ROUTER_SOLICIT: u8 = 10;
    /// Time exceeded.
    pub const TIME_EXCEEDED: u8 = 11;
    /// Parameter problem.
    pub const PARAMETER_PROBLEM: u8 = 12;
    /// Timestamp request.
    pub const TIMESTAMP: u8 = 13;
    /// Timestamp reply.
    pub const TIMESTAMP_REPLY: u8 = 14;
    /// Information request.
    pub const INFO_REQUEST: u8 = 15;
    /// Information reply.
    pub const INFO_REPLY: u8 = 16;
    /// Address mask request.
    pub const ADDRESS: u8 = 17;
    /// Address mask reply.
    pub const ADDRESS_REPLY: u8 = 18;
}

/// A read-only view of an ICMPv4 message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps a buffer without checking it.
    pub const fn new_unchecked(buffer: T) -> Packet<T> {
        Packet { buffer }
    }

    /// Wraps a buffer after checking the 8-byte header fits.
    ///
    /// # Errors
    /// `icmpv4.pkt_too_small`.
    pub fn new_checked(buffer: T) -> Result<Packet<T>, DecodeEvent> {
        if buffer.as_ref().len() < HEADER_LEN {
            return Err(DecodeEvent::Icmpv4PktTooSmall);
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

    /// Identifier (echo, timestamp, info, address messages).
    pub fn ident(&self) -> u16 {
        be16(self.buffer.as_ref(), field::IDENT.start)
    }

    /// Sequence number (same messages as [`Packet::ident`]).
    pub fn seq_number(&self) -> u16 {
        be16(self.buffer.as_ref(), field::SEQ.start)
    }

    /// The whole message (what the checksum covers).
    pub fn message(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    /// The bytes after the 8-byte header.
    pub fn data(&self) -> &[u8] {
        tail(self.buffer.as_ref(), HEADER_LEN)
    }
}

/// The start of the datagram an ICMP error message quotes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Embedded {
    /// Protocol of the quoted datagram.
    pub proto: u8,
    /// Its source and destination ports, when the quoted TCP (4 bytes) or
    /// UDP (8 bytes) header is there.
    pub ports: Option<(u16, u16)>,
}

/// What [`inspect`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Info {
    /// Where the payload starts (8, or more for timestamp and router
    /// advertisement messages).
    pub header_len: usize,
    /// The quoted datagram of an error message, when it decoded.
    pub embedded: Option<Embedded>,
    /// The type of the counterpart message (echo <-> echo reply ...).
    pub counterpart: Option<u8>,
}

fn partial_ipv4(quoted: &[u8], sink: &mut dyn EventSink) -> Option<Embedded> {
    const IP_LEN: usize = super::ipv4::HEADER_LEN;
    if quoted.len() < IP_LEN {
        sink.invalid(DecodeEvent::Icmpv4Ipv4TruncPkt);
        return None;
    }
    if u8_at(quoted, 0) >> 4 != 4 {
        sink.invalid(DecodeEvent::Icmpv4Ipv4UnknownVer);
        return None;
    }
    let proto = u8_at(quoted, 9);
    let l4 = tail(quoted, IP_LEN);
    let ports = match proto {
        6 if l4.len() >= 4 => Some((be16(l4, 0), be16(l4, 2))),
        17 if l4.len() >= 8 => Some((be16(l4, 0), be16(l4, 2))),
        _ => None,
    };
    Some(Embedded { proto, ports })
}

/// The counterpart type Suricata's `icmp_d` uses for flow matching.
pub fn counterpart(msg_type: u8) -> Option<u8> {
    use kind::*;
    Some(match msg_type {
        ECHO => ECHO_REPLY,
        ECHO_REPLY => ECHO,
        TIMESTAMP => TIMESTAMP_REPLY,
        TIMESTAMP_REPLY => TIMESTAMP,
        INFO_REQUEST => INFO_REPLY,
        INFO_REPLY => INFO_REQUEST,
        ROUTER_SOLICIT => ROUTER_ADVERT,
        ROUTER_ADVERT => ROUTER_SOLICIT,
        ADDRESS => ADDRESS_REPLY,
        ADDRESS_REPLY => ADDRESS,
        _ => return None,
    })
}

/// Applies Suricata's ICMPv4 checks to a message whose header fits.
pub fn inspect(msg: &[u8], sink: &mut dyn EventSink) -> Info {
    use kind::*;
    let p = Packet::new_unchecked(msg);
    let (t, code, len) = (p.msg_type(), p.msg_code(), msg.len());
    let mut info = Info {
        header_len: HEADER_LEN,
        embedded: None,
        counterpart: counterpart(t),
    };
    let quoted = tail(msg, HEADER_LEN);
    let unknown_code_unless = |ok: bool, sink: &mut dyn EventSink| {
        if !ok {
            sink.event(DecodeEvent::Icmpv4UnknownCode);
        }
        ok
    };
    match t {
        ECHO_REPLY | ECHO | INFO_REQUEST | INFO_REPLY | ADDRESS | ADDRESS_REPLY => {
            unknown_code_unless(code == 0, sink);
        }
        DEST_UNREACH => {
            if unknown_code_unless(code <= 15, sink) && len > HEADER_LEN {
                info.embedded = partial_ipv4(quoted, sink);
            }
        }
        SOURCE_QUENCH => {
            // Suricata tests `len >= 8` here (not `>`), so an empty quote
            // is a truncated embedded header.
            if unknown_code_unless(code == 0, sink) && len >= HEADER_LEN {
                info.embedded = partial_ipv4(quoted, sink);
            }
        }
        REDIRECT => {
            if unknown_code_unless(code <= 3, sink) && len > HEADER_LEN {
                info.embedded = partial_ipv4(quoted, sink);
            }
        }
        TIME_EXCEEDED => {
            if unknown_code_unless(code <= 1, sink) && len > HEADER_LEN {
                info.embedded = partial_ipv4(quoted, sink);
            }
        }
        PARAMETER_PROBLEM => {
            if unknown_code_unless(code == 0, sink) && len > HEADER_LEN {
                info.embedded = partial_ipv4(quoted, sink);
            }
        }
        TIMESTAMP | TIMESTAMP_REPLY => {
            unknown_code_unless(code == 0, sink);
            // Originate, receive and transmit timestamps: 12 bytes.
            if len < HEADER_LEN + 12 {
                sink.event(DecodeEvent::Icmpv4Ipv4TruncPkt);
            } else {
                info.header_len += 12;
            }
        }
        ROUTER_ADVERT => {
            let naddr = usize::from(u8_at(msg, 4));
            let addr_size = usize::from(u8_at(msg, 5));
            let advert_len = naddr * addr_size * 4;
            if len < advert_len + HEADER_LEN {
                sink.event(DecodeEvent::Icmpv4Ipv4TruncPkt);
            } else {
                info.header_len += advert_len;
            }
        }
        _ => sink.event(DecodeEvent::Icmpv4UnknownType),
    }
    info
}

/// The payload after [`Info::header_len`].
pub fn payload<'m>(msg: &'m [u8], info: &Info) -> &'m [u8] {
    slice(msg, info.header_len..msg.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::event::tests_support::Recorder;

    fn run(msg: &[u8]) -> (Info, Vec<(DecodeEvent, bool)>) {
        let mut r = Recorder::default();
        let info = inspect(msg, &mut r);
        (info, r.events)
    }

    #[test]
    fn echo() {
        let msg = [8u8, 0, 0xf7, 0xfd, 0x00, 0x01, 0x00, 0x02, b'h', b'i'];
        let p = Packet::new_checked(&msg[..]).expect("valid");
        assert_eq!(
            (p.msg_type(), p.msg_code(), p.ident(), p.seq_number()),
            (8, 0, 1, 2)
        );
        let (info, ev) = run(&msg);
        assert!(ev.is_empty());
        assert_eq!(info.counterpart, Some(0));
        assert_eq!(payload(&msg, &info), b"hi");
        let (_, ev) = run(&[8u8, 1, 0, 0, 0, 0, 0, 0]);
        assert_eq!(ev, vec![(DecodeEvent::Icmpv4UnknownCode, false)]);
    }

    #[test]
    fn truncation_sweep() {
        let msg = [8u8, 0, 0, 0, 0, 0, 0, 0];
        for cut in 0..HEADER_LEN {
            assert_eq!(
                Packet::new_checked(&msg[..cut]).err(),
                Some(DecodeEvent::Icmpv4PktTooSmall)
            );
        }
    }

    #[test]
    fn unreachable_quotes_udp() {
        // Port unreachable quoting 10.0.0.1:1026 -> 10.0.0.2:135 UDP.
        let mut msg = vec![3u8, 3, 0, 0, 0, 0, 0, 0];
        msg.extend_from_slice(&[
            0x45, 0, 0, 30, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        ]);
        msg.extend_from_slice(&[0x04, 0x02, 0x00, 0x87, 0, 10, 0, 0]);
        let (info, ev) = run(&msg);
        assert!(ev.is_empty());
        assert_eq!(
            info.embedded,
            Some(Embedded {
                proto: 17,
                ports: Some((1026, 135))
            })
        );
        // Quote cut inside the IP header: invalid.
        let (info, ev) = run(&msg[..8 + 19]);
        assert_eq!(info.embedded, None);
        assert_eq!(ev, vec![(DecodeEvent::Icmpv4Ipv4TruncPkt, true)]);
        // Quote with version 6.
        let mut v6 = msg.clone();
        v6[8] = 0x65;
        let (_, ev) = run(&v6);
        assert_eq!(ev, vec![(DecodeEvent::Icmpv4Ipv4UnknownVer, true)]);
        // UDP quote with only 4 bytes of the UDP header: no ports.
        let (info, _) = run(&msg[..8 + 24]);
        assert_eq!(
            info.embedded,
            Some(Embedded {
                proto: 17,
                ports: None
            })
        );
    }

    #[test]
    fn types_and_codes() {
        let (_, ev) = run(&[10u8, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(ev, vec![(DecodeEvent::Icmpv4UnknownType, false)]);
        let (_, ev) = run(&[3u8, 16, 0, 0, 0, 0, 0, 0, 0x45]);
        assert_eq!(ev, vec![(DecodeEvent::Icmpv4UnknownCode, false)]);
        let (_, ev) = run(&[4u8, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(ev, vec![(DecodeEvent::Icmpv4Ipv4TruncPkt, true)]);
        let (info, ev) = run(&[13u8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(ev, vec![(DecodeEvent::Icmpv4Ipv4TruncPkt, false)]);
        assert_eq!(info.header_len, 8);
        let ts = [
            14u8, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0xaa,
        ];
        let (info, ev) = run(&ts);
        assert!(ev.is_empty());
        assert_eq!(payload(&ts, &info), &[0xaa]);
        // Router advertisement: 1 address of 2 words = 8 bytes.
        let ra = [9u8, 0, 0, 0, 1, 2, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8];
        let (info, ev) = run(&ra);
        assert!(ev.is_empty());
        assert_eq!(info.header_len, 16);
    }
}
