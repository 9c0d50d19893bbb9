//! ARP (RFC 826) over Ethernet for IPv4, with Suricata's checks
//! (`src/decode-arp.c`): an 8-byte fixed part (`arp.pkt_too_small`), then
//! hardware type Ethernet, protocol IPv4, a full 28-byte packet, sizes 6
//! and 4, and opcodes 1 to 4. Every failure is an invalid event.

use super::bytes::{array, be16, u8_at};
use super::event::DecodeEvent;
use std::net::Ipv4Addr;

mod field {
    use std::ops::Range;
    pub const HW_TYPE: Range<usize> = 0..2;
    pub const PROTO_TYPE: Range<usize> = 2..4;
    pub const HW_SIZE: usize = 4;
    pub const PROTO_SIZE: usize = 5;
    pub const OPCODE: Range<usize> = 6..8;
    pub const SENDER_MAC: usize = 8;
    pub const SENDER_IP: usize = 14;
    pub const TARGET_MAC: usize = 18;
    pub const TARGET_IP: usize = 24;
}

/// The fixed part Suricata needs before looking at the fields.
pub const MIN_LEN: usize = field::OPCODE.end;
/// A complete Ethernet/IPv4 ARP packet.
pub const PACKET_LEN: usize = 28;

/// A read-only view of an ARP packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps a buffer without checking it.
    pub const fn new_unchecked(buffer: T) -> Packet<T> {
        Packet { buffer }
    }

    /// Wraps a buffer after [`Packet::check`].
    ///
    /// # Errors
    /// One of the `arp.*` events.
    pub fn new_checked(buffer: T) -> Result<Packet<T>, DecodeEvent> {
        let p = Packet::new_unchecked(buffer);
        p.check()?;
        Ok(p)
    }

    /// Suricata's checks, in its order.
    ///
    /// # Errors
    /// One of the `arp.*` events.
    pub fn check(&self) -> Result<(), DecodeEvent> {
        let len = self.buffer.as_ref().len();
        if len < MIN_LEN {
            return Err(DecodeEvent::ArpPktTooSmall);
        }
        if self.hw_type() != 1 {
            return Err(DecodeEvent::ArpUnsupportedHardware);
        }
        if self.proto_type() != 0x0800 {
            return Err(DecodeEvent::ArpUnsupportedProtocol);
        }
        if len < PACKET_LEN {
            return Err(DecodeEvent::ArpInvalidPkt);
        }
        if u8_at(self.buffer.as_ref(), field::HW_SIZE) != 6 {
            return Err(DecodeEvent::ArpInvalidHardwareSize);
        }
        if u8_at(self.buffer.as_ref(), field::PROTO_SIZE) != 4 {
            return Err(DecodeEvent::ArpInvalidProtocolSize);
        }
        if !(1..=4).contains(&self.opcode()) {
            return Err(DecodeEvent::ArpUnsupportedOpcode);
        }
        Ok(())
    }

    /// Hardware type.
    pub fn hw_type(&self) -> u16 {
        be16(self.buffer.as_ref(), field::HW_TYPE.start)
    }

    /// Protocol type.
    pub fn proto_type(&self) -> u16 {
        be16(self.buffer.as_ref(), field::PROTO_TYPE.start)
    }

    /// Opcode (1 request, 2 reply, 3/4 RARP).
    pub fn opcode(&self) -> u16 {
        be16(self.buffer.as_ref(), field::OPCODE.start)
    }

    /// Sender hardware address.
    pub fn sender_mac(&self) -> [u8; 6] {
        array(self.buffer.as_ref(), field::SENDER_MAC)
    }

    /// Sender protocol address.
    pub fn sender_ip(&self) -> Ipv4Addr {
        Ipv4Addr::from(array::<4>(self.buffer.as_ref(), field::SENDER_IP))
    }

    /// Target hardware address.
    pub fn target_mac(&self) -> [u8; 6] {
        array(self.buffer.as_ref(), field::TARGET_MAC)
    }

    /// Target protocol address.
    pub fn target_ip(&self) -> Ipv4Addr {
        Ipv4Addr::from(array::<4>(self.buffer.as_ref(), field::TARGET_IP))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static REQUEST: [u8; 28] = [
        0, 1, 8, 0, 6, 4, 0, 1, 1, 2, 3, 4, 5, 6, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2,
    ];

    #[test]
    fn deconstruct() {
        let p = Packet::new_checked(&REQUEST[..]).expect("valid");
        assert_eq!(p.opcode(), 1);
        assert_eq!(p.sender_mac(), [1, 2, 3, 4, 5, 6]);
        assert_eq!(p.sender_ip(), Ipv4Addr::new(10, 0, 0, 1));
        assert_eq!(p.target_ip(), Ipv4Addr::new(10, 0, 0, 2));
        assert_eq!(p.target_mac(), [0; 6]);
    }

    #[test]
    fn checks() {
        for cut in 0..MIN_LEN {
            assert_eq!(
                Packet::new_checked(&REQUEST[..cut]).err(),
                Some(DecodeEvent::ArpPktTooSmall)
            );
        }
        for cut in MIN_LEN..PACKET_LEN {
            assert_eq!(
                Packet::new_checked(&REQUEST[..cut]).err(),
                Some(DecodeEvent::ArpInvalidPkt)
            );
        }
        let mut b = REQUEST;
        b[1] = 6;
        assert_eq!(
            Packet::new_checked(&b[..]).err(),
            Some(DecodeEvent::ArpUnsupportedHardware)
        );
        let mut b = REQUEST;
        b[2] = 0x86;
        assert_eq!(
            Packet::new_checked(&b[..]).err(),
            Some(DecodeEvent::ArpUnsupportedProtocol)
        );
        let mut b = REQUEST;
        b[4] = 8;
        assert_eq!(
            Packet::new_checked(&b[..]).err(),
            Some(DecodeEvent::ArpInvalidHardwareSize)
        );
        let mut b = REQUEST;
        b[5] = 16;
        assert_eq!(
            Packet::new_checked(&b[..]).err(),
            Some(DecodeEvent::ArpInvalidProtocolSize)
        );
        let mut b = REQUEST;
        b[7] = 9;
        assert_eq!(
            Packet::new_checked(&b[..]).err(),
            Some(DecodeEvent::ArpUnsupportedOpcode)
        );
    }
}
