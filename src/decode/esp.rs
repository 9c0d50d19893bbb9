//! ESP (RFC 4303): only the clear-text SPI and sequence number. Suricata
//! (`src/decode-esp.c`) needs the 8 bytes (`esp.pkt_too_small`, invalid) and
//! treats the encrypted rest as payload.

use super::bytes::{be32, tail};
use super::event::DecodeEvent;

mod field {
    use std::ops::Range;
    pub const SPI: Range<usize> = 0..4;
    pub const SEQ: Range<usize> = 4..8;
}

/// Length of the ESP header.
pub const HEADER_LEN: usize = field::SEQ.end;

/// A read-only view of an ESP packet.
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
    /// `esp.pkt_too_small`.
    pub fn new_checked(buffer: T) -> Result<Packet<T>, DecodeEvent> {
        if buffer.as_ref().len() < HEADER_LEN {
            return Err(DecodeEvent::EspPktTooSmall);
        }
        Ok(Packet { buffer })
    }

    /// Security parameters index.
    pub fn spi(&self) -> u32 {
        be32(self.buffer.as_ref(), field::SPI.start)
    }

    /// Sequence number.
    pub fn seq_number(&self) -> u32 {
        be32(self.buffer.as_ref(), field::SEQ.start)
    }

    /// The encrypted payload.
    pub fn payload(&self) -> &[u8] {
        tail(self.buffer.as_ref(), HEADER_LEN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deconstruct_and_sweep() {
        let b = [0, 0, 1, 0, 0, 0, 0, 5, 0xaa];
        let p = Packet::new_checked(&b[..]).expect("valid");
        assert_eq!(
            (p.spi(), p.seq_number(), p.payload()),
            (256, 5, &[0xaa][..])
        );
        for cut in 0..HEADER_LEN {
            assert_eq!(
                Packet::new_checked(&b[..cut]).err(),
                Some(DecodeEvent::EspPktTooSmall)
            );
        }
    }
}
