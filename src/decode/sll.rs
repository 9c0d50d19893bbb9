//! Linux "cooked" capture headers: SLL (linktype 113, 16 bytes) and SLL2
//! (linktype 276, 20 bytes). Both carry the EtherType of the payload.

use super::bytes::{be16, be32, u8_at};
use super::event::DecodeEvent;

mod field {
    pub mod v1 {
        use std::ops::Range;
        pub const PACKET_TYPE: Range<usize> = 0..2;
        pub const ARPHRD: Range<usize> = 2..4;
        pub const ADDR_LEN: Range<usize> = 4..6;
        pub const ADDR: Range<usize> = 6..14;
        pub const PROTOCOL: Range<usize> = 14..16;
    }
    pub mod v2 {
        use std::ops::Range;
        pub const PROTOCOL: Range<usize> = 0..2;
        pub const IFINDEX: Range<usize> = 4..8;
        pub const ARPHRD: Range<usize> = 8..10;
        pub const PACKET_TYPE: usize = 10;
        pub const ADDR_LEN: usize = 11;
        pub const ADDR: Range<usize> = 12..20;
    }
}

/// Length of the SLL header.
pub const SLL_HEADER_LEN: usize = field::v1::PROTOCOL.end;
/// Length of the SLL2 header.
pub const SLL2_HEADER_LEN: usize = field::v2::ADDR.end;

/// A read-only view of a Linux SLL header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sll<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Sll<T> {
    /// Wraps a buffer without checking it.
    pub const fn new_unchecked(buffer: T) -> Sll<T> {
        Sll { buffer }
    }

    /// Wraps a buffer after checking the 16-byte header fits.
    ///
    /// # Errors
    /// `sll.pkt_too_small`.
    pub fn new_checked(buffer: T) -> Result<Sll<T>, DecodeEvent> {
        if buffer.as_ref().len() < SLL_HEADER_LEN {
            return Err(DecodeEvent::SllPktTooSmall);
        }
        Ok(Sll { buffer })
    }

    /// Packet type (0 = to us, 4 = outgoing, ...).
    pub fn packet_type(&self) -> u16 {
        be16(self.buffer.as_ref(), field::v1::PACKET_TYPE.start)
    }

    /// ARPHRD_ type of the device.
    pub fn arphrd(&self) -> u16 {
        be16(self.buffer.as_ref(), field::v1::ARPHRD.start)
    }

    /// Link-layer address length.
    pub fn addr_len(&self) -> u16 {
        be16(self.buffer.as_ref(), field::v1::ADDR_LEN.start)
    }

    /// The 8 address bytes (only the first `addr_len` are meaningful).
    pub fn addr(&self) -> [u8; 8] {
        super::bytes::array(self.buffer.as_ref(), field::v1::ADDR.start)
    }

    /// EtherType of the payload.
    pub fn protocol(&self) -> u16 {
        be16(self.buffer.as_ref(), field::v1::PROTOCOL.start)
    }

    /// The bytes after the header.
    pub fn payload(&self) -> &[u8] {
        super::bytes::tail(self.buffer.as_ref(), SLL_HEADER_LEN)
    }
}

/// A read-only view of a Linux SLL2 header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sll2<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Sll2<T> {
    /// Wraps a buffer without checking it.
    pub const fn new_unchecked(buffer: T) -> Sll2<T> {
        Sll2 { buffer }
    }

    /// Wraps a buffer after checking the 20-byte header fits.
    ///
    /// # Errors
    /// `sll2.pkt_too_small`.
    pub fn new_checked(buffer: T) -> Result<Sll2<T>, DecodeEvent> {
        if buffer.as_ref().len() < SLL2_HEADER_LEN {
            return Err(DecodeEvent::Sll2PktTooSmall);
        }
        Ok(Sll2 { buffer })
    }

    /// EtherType of the payload.
    pub fn protocol(&self) -> u16 {
        be16(self.buffer.as_ref(), field::v2::PROTOCOL.start)
    }

    /// Interface index.
    pub fn ifindex(&self) -> u32 {
        be32(self.buffer.as_ref(), field::v2::IFINDEX.start)
    }

    /// ARPHRD_ type of the device.
    pub fn arphrd(&self) -> u16 {
        be16(self.buffer.as_ref(), field::v2::ARPHRD.start)
    }

    /// Packet type.
    pub fn packet_type(&self) -> u8 {
        u8_at(self.buffer.as_ref(), field::v2::PACKET_TYPE)
    }

    /// Link-layer address length.
    pub fn addr_len(&self) -> u8 {
        u8_at(self.buffer.as_ref(), field::v2::ADDR_LEN)
    }

    /// The bytes after the header.
    pub fn payload(&self) -> &[u8] {
        super::bytes::tail(self.buffer.as_ref(), SLL2_HEADER_LEN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static SLL: [u8; 17] = [
        0x00, 0x04, // outgoing
        0x00, 0x01, // ARPHRD_ETHER
        0x00, 0x06, // addr len
        1, 2, 3, 4, 5, 6, 0, 0, // addr
        0x86, 0xdd, // IPv6
        0x60,
    ];

    static SLL2: [u8; 21] = [
        0x08, 0x00, // IPv4
        0x00, 0x00, // reserved
        0x00, 0x00, 0x00, 0x02, // ifindex 2
        0x00, 0x01, // ARPHRD_ETHER
        0x00, // host
        0x06, // addr len
        1, 2, 3, 4, 5, 6, 0, 0, 0x45,
    ];

    #[test]
    fn sll_deconstruct_and_sweep() {
        let h = Sll::new_checked(&SLL[..]).expect("valid");
        assert_eq!(h.packet_type(), 4);
        assert_eq!(h.arphrd(), 1);
        assert_eq!(h.addr_len(), 6);
        assert_eq!(h.addr(), [1, 2, 3, 4, 5, 6, 0, 0]);
        assert_eq!(h.protocol(), 0x86dd);
        assert_eq!(h.payload(), &[0x60]);
        for cut in 0..SLL_HEADER_LEN {
            assert_eq!(
                Sll::new_checked(&SLL[..cut]).err(),
                Some(DecodeEvent::SllPktTooSmall)
            );
        }
    }

    #[test]
    fn sll2_deconstruct_and_sweep() {
        let h = Sll2::new_checked(&SLL2[..]).expect("valid");
        assert_eq!(h.protocol(), 0x0800);
        assert_eq!(h.ifindex(), 2);
        assert_eq!(h.arphrd(), 1);
        assert_eq!(h.packet_type(), 0);
        assert_eq!(h.addr_len(), 6);
        assert_eq!(h.payload(), &[0x45]);
        for cut in 0..SLL2_HEADER_LEN {
            assert_eq!(
                Sll2::new_checked(&SLL2[..cut]).err(),
                Some(DecodeEvent::Sll2PktTooSmall)
            );
        }
    }
}
