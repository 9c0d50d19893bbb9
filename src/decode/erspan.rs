//! ERSPAN (Cisco's encapsulated remote SPAN) inside GRE protocol 0x88be.
//!
//! Type I has no header: the mirrored Ethernet frame follows GRE directly.
//! Type II (GRE with the sequence bit) has an 8-byte header: version (must
//! be 1, `erspan.unsupported_version`), VLAN, session id. Suricata 8.0.6
//! (`src/decode-erspan.c`) raises `erspan.header_too_small` for a short
//! header; none of these events mark the packet invalid. A non-zero VLAN id
//! is pushed on the inner packet's VLAN stack.

use super::bytes::{be16, tail};
use super::event::DecodeEvent;

mod field {
    use std::ops::Range;
    pub const VER_VLAN: Range<usize> = 0..2;
    pub const FLAGS_SPANID: Range<usize> = 2..4;
}

/// Length of the type II header.
pub const HEADER_LEN: usize = 8;

/// A read-only view of an ERSPAN type II header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Header<T> {
    /// Wraps a buffer without checking it.
    pub const fn new_unchecked(buffer: T) -> Header<T> {
        Header { buffer }
    }

    /// Wraps a buffer after checking the 8-byte header fits.
    ///
    /// # Errors
    /// `erspan.header_too_small`.
    pub fn new_checked(buffer: T) -> Result<Header<T>, DecodeEvent> {
        if buffer.as_ref().len() < HEADER_LEN {
            return Err(DecodeEvent::ErspanHeaderTooSmall);
        }
        Ok(Header { buffer })
    }

    /// Version (4 bits; 1 for type II).
    pub fn version(&self) -> u8 {
        (be16(self.buffer.as_ref(), field::VER_VLAN.start) >> 12) as u8
    }

    /// The original VLAN id (0 = none).
    pub fn vlan_id(&self) -> u16 {
        be16(self.buffer.as_ref(), field::VER_VLAN.start) & 0x0fff
    }

    /// Session id (10 bits).
    pub fn session_id(&self) -> u16 {
        be16(self.buffer.as_ref(), field::FLAGS_SPANID.start) & 0x03ff
    }

    /// The mirrored Ethernet frame.
    pub fn payload(&self) -> &[u8] {
        tail(self.buffer.as_ref(), HEADER_LEN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deconstruct_and_sweep() {
        let b = [0x10, 0x64, 0x00, 0x05, 0, 0, 0, 0, 0xaa];
        let h = Header::new_checked(&b[..]).expect("fits");
        assert_eq!((h.version(), h.vlan_id(), h.session_id()), (1, 100, 5));
        assert_eq!(h.payload(), &[0xaa]);
        for cut in 0..HEADER_LEN {
            assert_eq!(
                Header::new_checked(&b[..cut]).err(),
                Some(DecodeEvent::ErspanHeaderTooSmall)
            );
        }
    }
}
