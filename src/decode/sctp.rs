//! SCTP common headers (RFC 9260 section 3.1).
//!
//! Suricata 8.0.6 (`src/decode-sctp.c`) checks only that the 12-byte common
//! header fits (`sctp.pkt_too_small`, invalid) and inspects everything after
//! it as payload; later versions also walk the chunks. We follow 8.0.6 and
//! offer [`Packet::chunks`] for callers that want the chunk types.

use super::bytes::{be16, be32, tail, u8_at};
use super::event::DecodeEvent;

mod field {
    use std::ops::Range;
    pub const SRC_PORT: Range<usize> = 0..2;
    pub const DST_PORT: Range<usize> = 2..4;
    pub const VTAG: Range<usize> = 4..8;
    pub const CHECKSUM: Range<usize> = 8..12;
}

/// Length of the SCTP common header.
pub const HEADER_LEN: usize = field::CHECKSUM.end;

/// A read-only view of an SCTP packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps a buffer without checking it.
    pub const fn new_unchecked(buffer: T) -> Packet<T> {
        Packet { buffer }
    }

    /// Wraps a buffer after checking the common header fits.
    ///
    /// # Errors
    /// `sctp.pkt_too_small`.
    pub fn new_checked(buffer: T) -> Result<Packet<T>, DecodeEvent> {
        if buffer.as_ref().len() < HEADER_LEN {
            return Err(DecodeEvent::SctpPktTooSmall);
        }
        Ok(Packet { buffer })
    }

    /// Source port.
    pub fn src_port(&self) -> u16 {
        be16(self.buffer.as_ref(), field::SRC_PORT.start)
    }

    /// Destination port.
    pub fn dst_port(&self) -> u16 {
        be16(self.buffer.as_ref(), field::DST_PORT.start)
    }

    /// Verification tag.
    pub fn verification_tag(&self) -> u32 {
        be32(self.buffer.as_ref(), field::VTAG.start)
    }

    /// CRC32c checksum field.
    pub fn checksum(&self) -> u32 {
        be32(self.buffer.as_ref(), field::CHECKSUM.start)
    }

    /// Everything after the common header (the chunks).
    pub fn payload(&self) -> &[u8] {
        tail(self.buffer.as_ref(), HEADER_LEN)
    }

    /// The chunk types, in order, as far as the chunk lengths are sane
    /// (each at least 4 and within the packet; padding to 4 bytes). Bounded:
    /// every step advances at least 4 bytes.
    pub fn chunks(&self) -> impl Iterator<Item = u8> + '_ {
        let chunks = self.payload();
        let mut at = 0usize;
        std::iter::from_fn(move || {
            let rest = tail(chunks, at);
            if rest.len() < 4 {
                return None;
            }
            let len = usize::from(be16(rest, 2));
            if len < 4 || len > rest.len() {
                return None;
            }
            at += (len + 3) & !3;
            Some(u8_at(rest, 0))
        })
    }
}

impl<'a> Packet<&'a [u8]> {
    /// The payload with the buffer's lifetime.
    pub fn payload_ref(&self) -> &'a [u8] {
        tail(self.buffer, HEADER_LEN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static INIT: [u8; 32] = [
        0x04, 0xd2, 0x00, 0x50, 0, 0, 0, 0, 0, 0, 0, 0, // common header
        0x01, 0x00, 0x00, 0x14, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, // INIT
    ];

    #[test]
    fn deconstruct() {
        let p = Packet::new_checked(&INIT[..]).expect("valid");
        assert_eq!(
            (p.src_port(), p.dst_port(), p.verification_tag()),
            (1234, 80, 0)
        );
        assert_eq!(p.payload().len(), 20);
        assert_eq!(p.chunks().collect::<Vec<_>>(), vec![1]);
    }

    #[test]
    fn truncation_sweep() {
        for cut in 0..HEADER_LEN {
            assert_eq!(
                Packet::new_checked(&INIT[..cut]).err(),
                Some(DecodeEvent::SctpPktTooSmall)
            );
        }
        // A chunk length past the end stops the chunk iterator.
        let p = Packet::new_checked(&INIT[..20]).expect("header fits");
        assert_eq!(p.chunks().count(), 0);
    }
}
