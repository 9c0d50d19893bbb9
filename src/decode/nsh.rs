//! Network Service Header (RFC 8300), EtherType 0x894f.
//!
//! Suricata 8.0.6 (`src/decode-nsh.c`): an 8-byte base + service path
//! header (`nsh.header_too_small`, invalid), version 0
//! (`nsh.unsupported_version`), a header length shorter than the packet
//! (`nsh.bad_header_length`, invalid), MD type 1 with exactly 24 bytes or
//! MD type 2 (`nsh.reserved_type` for 0 and 15, `nsh.unsupported_type`
//! otherwise), then IPv4, IPv6, Ethernet or MPLS (`nsh.unknown_payload`).

use super::bytes::{be16, be32, u8_at};
use super::event::DecodeEvent;

/// Length of the base and service path headers.
pub const HEADER_LEN: usize = 8;

/// What follows the header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// IPv4.
    Ipv4,
    /// IPv6.
    Ipv6,
    /// Ethernet.
    Ethernet,
    /// MPLS.
    Mpls,
}

/// The outcome of Suricata's NSH checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// Decode `next` at `offset`.
    Payload {
        /// What follows.
        next: Next,
        /// Where it starts.
        offset: usize,
    },
    /// Stop with a plain event (the decode still "succeeds").
    Event(DecodeEvent),
    /// Stop with an invalid event (the decode fails).
    Invalid(DecodeEvent),
}

/// A read-only view of an NSH header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Header<T> {
    /// Wraps a buffer without checking it.
    pub const fn new_unchecked(buffer: T) -> Header<T> {
        Header { buffer }
    }

    /// Version (2 bits).
    pub fn version(&self) -> u8 {
        (be16(self.buffer.as_ref(), 0) >> 14) as u8
    }

    /// Header length in bytes.
    pub fn header_len(&self) -> usize {
        usize::from(be16(self.buffer.as_ref(), 0) & 0x003f) * 4
    }

    /// Metadata type.
    pub fn md_type(&self) -> u8 {
        u8_at(self.buffer.as_ref(), 2) & 0x0f
    }

    /// Next protocol.
    pub fn next_protocol(&self) -> u8 {
        u8_at(self.buffer.as_ref(), 3)
    }

    /// Service path identifier.
    pub fn spi(&self) -> u32 {
        be32(self.buffer.as_ref(), 4) >> 8
    }

    /// Service index.
    pub fn si(&self) -> u8 {
        u8_at(self.buffer.as_ref(), 7)
    }

    /// Suricata's checks, in its order.
    pub fn check(&self) -> Check {
        let len = self.buffer.as_ref().len();
        if len < HEADER_LEN {
            return Check::Invalid(DecodeEvent::NshHeaderTooSmall);
        }
        if self.version() != 0 {
            return Check::Event(DecodeEvent::NshUnsupportedVersion);
        }
        let hlen = self.header_len();
        if hlen >= len {
            return Check::Invalid(DecodeEvent::NshBadHeaderLength);
        }
        // Suricata compares the whole byte: the upper nibble is reserved.
        match u8_at(self.buffer.as_ref(), 2) {
            0 | 0x0f => return Check::Event(DecodeEvent::NshReservedType),
            1 if hlen != 24 => return Check::Invalid(DecodeEvent::NshBadHeaderLength),
            1 | 2 => {}
            _ => return Check::Event(DecodeEvent::NshUnsupportedType),
        }
        let next = match self.next_protocol() {
            1 => Next::Ipv4,
            2 => Next::Ipv6,
            3 => Next::Ethernet,
            5 => Next::Mpls,
            _ => return Check::Event(DecodeEvent::NshUnknownPayload),
        };
        Check::Payload { next, offset: hlen }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks() {
        // MD type 2, length 2 words, next IPv4.
        let b = [0x00, 0x02, 0x02, 0x01, 0, 0, 1, 255, 0x45];
        let h = Header::new_unchecked(&b[..]);
        assert_eq!(
            h.check(),
            Check::Payload {
                next: Next::Ipv4,
                offset: 8
            }
        );
        assert_eq!((h.spi(), h.si()), (1, 255));
        let short = Header::new_unchecked(&b[..7]);
        assert_eq!(
            short.check(),
            Check::Invalid(DecodeEvent::NshHeaderTooSmall)
        );
        let md1 = [0x00, 0x02, 0x01, 0x01, 0, 0, 1, 255, 0x45];
        assert_eq!(
            Header::new_unchecked(&md1[..]).check(),
            Check::Invalid(DecodeEvent::NshBadHeaderLength)
        );
        let v1 = [0x40, 0x02, 0x02, 0x01, 0, 0, 1, 255, 0x45];
        assert_eq!(
            Header::new_unchecked(&v1[..]).check(),
            Check::Event(DecodeEvent::NshUnsupportedVersion)
        );
        let nsh_in_nsh = [0x00, 0x02, 0x02, 0x04, 0, 0, 1, 255, 0x45];
        assert_eq!(
            Header::new_unchecked(&nsh_in_nsh[..]).check(),
            Check::Event(DecodeEvent::NshUnknownPayload)
        );
    }
}
