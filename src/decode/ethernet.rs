//! Ethernet II frames (linktype 1) and the EtherType values the decoder
//! dispatches on.
//!
//! The view checks only that the 14-byte header is present. It does not
//! strip a trailing FCS and does not interpret 802.3 length fields: like
//! Suricata, any value in the type field is treated as an EtherType, and an
//! unknown one raises `ethernet.unknown_ethertype`.

use super::bytes::{array, be16, tail};
use super::event::DecodeEvent;

mod field {
    use std::ops::Range;
    pub const DESTINATION: Range<usize> = 0..6;
    pub const SOURCE: Range<usize> = 6..12;
    pub const ETHERTYPE: Range<usize> = 12..14;
    pub const PAYLOAD: usize = ETHERTYPE.end;
}

/// Length of the Ethernet II header.
pub const HEADER_LEN: usize = field::PAYLOAD;

/// EtherType values Suricata (and this decoder) knows, from
/// `src/decode-ethernet.h`.
pub mod ethertype {
    /// IPv4.
    pub const IPV4: u16 = 0x0800;
    /// ARP.
    pub const ARP: u16 = 0x0806;
    /// Transparent Ethernet bridging (inside GRE).
    pub const BRIDGE: u16 = 0x6558;
    /// IPv6.
    pub const IPV6: u16 = 0x86dd;
    /// PPPoE discovery stage.
    pub const PPPOE_DISCOVERY: u16 = 0x8863;
    /// PPPoE session stage.
    pub const PPPOE_SESSION: u16 = 0x8864;
    /// 802.1Q VLAN tag.
    pub const VLAN: u16 = 0x8100;
    /// 802.1ad service tag (QinQ outer tag).
    pub const QINQ_8021AD: u16 = 0x88a8;
    /// Pre-standard QinQ tag.
    pub const QINQ_9100: u16 = 0x9100;
    /// 802.1ah provider backbone bridging.
    pub const IEEE8021AH: u16 = 0x88e7;
    /// MPLS unicast.
    pub const MPLS_UNICAST: u16 = 0x8847;
    /// MPLS multicast.
    pub const MPLS_MULTICAST: u16 = 0x8848;
    /// ERSPAN (inside GRE).
    pub const ERSPAN: u16 = 0x88be;
    /// Cisco data-center ethernet (DCE / FabricPath).
    pub const DCE: u16 = 0x8903;
    /// 802.1BR E-tag.
    pub const ETAG: u16 = 0x893f;
    /// 802.1Qbh VN-tag.
    pub const VNTAG: u16 = 0x8926;
    /// Network service header.
    pub const NSH: u16 = 0x894f;
}

/// A read-only view of an Ethernet II frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Frame<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Frame<T> {
    /// Wraps a buffer without checking it. Accessors on a too-short buffer
    /// return zeros; use [`Frame::new_checked`] for untrusted input.
    pub const fn new_unchecked(buffer: T) -> Frame<T> {
        Frame { buffer }
    }

    /// Wraps a buffer after [`Frame::check_len`].
    ///
    /// # Errors
    /// `ethernet.pkt_too_small` when the header does not fit.
    pub fn new_checked(buffer: T) -> Result<Frame<T>, DecodeEvent> {
        let frame = Frame::new_unchecked(buffer);
        frame.check_len()?;
        Ok(frame)
    }

    /// Checks that the 14-byte header is present.
    ///
    /// # Errors
    /// `ethernet.pkt_too_small` when it is not.
    pub fn check_len(&self) -> Result<(), DecodeEvent> {
        if self.buffer.as_ref().len() < HEADER_LEN {
            Err(DecodeEvent::EthernetPktTooSmall)
        } else {
            Ok(())
        }
    }

    /// Destination MAC address.
    pub fn dst_addr(&self) -> [u8; 6] {
        array(self.buffer.as_ref(), field::DESTINATION.start)
    }

    /// Source MAC address.
    pub fn src_addr(&self) -> [u8; 6] {
        array(self.buffer.as_ref(), field::SOURCE.start)
    }

    /// The EtherType field.
    pub fn ethertype(&self) -> u16 {
        be16(self.buffer.as_ref(), field::ETHERTYPE.start)
    }

    /// Everything after the header (including any padding or FCS: the next
    /// layer bounds itself by its own length fields).
    pub fn payload(&self) -> &[u8] {
        tail(self.buffer.as_ref(), field::PAYLOAD)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static FRAME: [u8; 16] = [
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55, // dst
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, // src
        0x08, 0x00, // IPv4
        0xde, 0xad,
    ];

    #[test]
    fn deconstruct() {
        let f = Frame::new_checked(&FRAME[..]).expect("valid");
        assert_eq!(f.dst_addr(), [0x00, 0x11, 0x22, 0x33, 0x44, 0x55]);
        assert_eq!(f.src_addr(), [0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb]);
        assert_eq!(f.ethertype(), ethertype::IPV4);
        assert_eq!(f.payload(), &[0xde, 0xad]);
    }

    #[test]
    fn truncation_sweep() {
        for cut in 0..HEADER_LEN {
            assert_eq!(
                Frame::new_checked(&FRAME[..cut]).err(),
                Some(DecodeEvent::EthernetPktTooSmall),
                "cut {cut}"
            );
        }
        let f = Frame::new_checked(&FRAME[..HEADER_LEN]).expect("header only");
        assert!(f.payload().is_empty());
    }
}
