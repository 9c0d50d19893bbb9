//! UDP headers (RFC 768).
//!
//! [`Packet::check_len`] follows `DecodeUDPPacket` in `src/decode-udp.c`:
//! fewer than 8 bytes is `udp.hlen_too_small`, a length field larger than
//! the IP payload is `udp.pkt_too_small`, a length field below 8 is
//! `udp.len_invalid`. All three mark the packet invalid and leave it without
//! a UDP layer. The payload is bounded by the UDP length field.

use super::bytes::{be16, slice};
use super::event::DecodeEvent;

mod field {
    use std::ops::Range;
    pub const SRC_PORT: Range<usize> = 0..2;
    pub const DST_PORT: Range<usize> = 2..4;
    pub const LENGTH: Range<usize> = 4..6;
    pub const CHECKSUM: Range<usize> = 6..8;
}

/// Length of the UDP header.
pub const HEADER_LEN: usize = field::CHECKSUM.end;

/// A read-only view of a UDP datagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps a buffer without checking it.
    pub const fn new_unchecked(buffer: T) -> Packet<T> {
        Packet { buffer }
    }

    /// Wraps a buffer after [`Packet::check_len`].
    ///
    /// # Errors
    /// `udp.hlen_too_small`, `udp.pkt_too_small` or `udp.len_invalid`.
    pub fn new_checked(buffer: T) -> Result<Packet<T>, DecodeEvent> {
        let p = Packet::new_unchecked(buffer);
        p.check_len()?;
        Ok(p)
    }

    /// Checks the header and the length field (see the module docs).
    ///
    /// # Errors
    /// `udp.hlen_too_small`, `udp.pkt_too_small` or `udp.len_invalid`.
    pub fn check_len(&self) -> Result<(), DecodeEvent> {
        let len = self.buffer.as_ref().len();
        if len < HEADER_LEN {
            return Err(DecodeEvent::UdpHlenTooSmall);
        }
        if len < usize::from(self.len()) {
            return Err(DecodeEvent::UdpPktTooSmall);
        }
        if usize::from(self.len()) < HEADER_LEN {
            return Err(DecodeEvent::UdpLenInvalid);
        }
        Ok(())
    }

    /// Source port.
    pub fn src_port(&self) -> u16 {
        be16(self.buffer.as_ref(), field::SRC_PORT.start)
    }

    /// Destination port.
    pub fn dst_port(&self) -> u16 {
        be16(self.buffer.as_ref(), field::DST_PORT.start)
    }

    /// Length field (header plus payload).
    pub fn len(&self) -> u16 {
        be16(self.buffer.as_ref(), field::LENGTH.start)
    }

    /// Whether the length field says there is no payload.
    pub fn is_empty(&self) -> bool {
        usize::from(self.len()) <= HEADER_LEN
    }

    /// Checksum field (0 = not computed, over IPv4).
    pub fn checksum(&self) -> u16 {
        be16(self.buffer.as_ref(), field::CHECKSUM.start)
    }

    /// The datagram as the length field bounds it (header and payload).
    pub fn datagram(&self) -> &[u8] {
        slice(self.buffer.as_ref(), 0..usize::from(self.len()))
    }

    /// The payload, bounded by the length field.
    pub fn payload(&self) -> &[u8] {
        slice(self.buffer.as_ref(), HEADER_LEN..usize::from(self.len()))
    }
}

impl<'a> Packet<&'a [u8]> {
    /// The payload with the buffer's lifetime.
    pub fn payload_ref(&self) -> &'a [u8] {
        slice(self.buffer, HEADER_LEN..usize::from(self.len()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // 1026 -> 135, length 10: the two zero bytes of the 2003 scans.
    static DGRAM: [u8; 12] = [
        0x04, 0x02, 0x00, 0x87, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff,
    ];

    #[test]
    fn deconstruct() {
        let p = Packet::new_checked(&DGRAM[..]).expect("valid");
        assert_eq!((p.src_port(), p.dst_port(), p.len()), (1026, 135, 10));
        assert_eq!(p.payload(), &[0, 0]);
        assert_eq!(p.datagram().len(), 10);
        assert!(!p.is_empty());
    }

    #[test]
    fn truncation_sweep() {
        for cut in 0..HEADER_LEN {
            assert_eq!(
                Packet::new_checked(&DGRAM[..cut]).err(),
                Some(DecodeEvent::UdpHlenTooSmall)
            );
        }
        for cut in HEADER_LEN..10 {
            assert_eq!(
                Packet::new_checked(&DGRAM[..cut]).err(),
                Some(DecodeEvent::UdpPktTooSmall)
            );
        }
        assert!(Packet::new_checked(&DGRAM[..10]).is_ok());
    }

    #[test]
    fn length_field_below_header() {
        for l in 0u8..8 {
            let mut b = DGRAM;
            b[5] = l;
            assert_eq!(
                Packet::new_checked(&b[..]).err(),
                Some(DecodeEvent::UdpLenInvalid)
            );
        }
    }
}
