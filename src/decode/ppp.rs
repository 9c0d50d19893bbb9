//! PPP frames (linktype 9, and PPP inside GRE version 1 / PPTP): an
//! optional HDLC address/control pair (`ff 03`) followed by a 1- or 2-byte
//! protocol field (RFC 1661 section 2: an odd first byte means the
//! compressed 1-byte form).
//!
//! [`Header::new_checked`] applies Suricata's length checks
//! (`src/decode-ppp.c`): at least one byte, three with an HDLC header, and
//! room for the protocol field; each failure is `ppp.pkt_too_small`.
//! [`classify`] sorts protocol numbers the way Suricata does: IP payloads
//! are decoded, control protocols are accepted silently, a list of known but
//! unsupported protocols raises `ppp.unsup_proto`, anything else is
//! `ppp.wrong_type`.

use super::bytes::{be16, tail, u8_at};
use super::event::DecodeEvent;

/// PPP protocol numbers.
pub mod proto {
    /// IPv4.
    pub const IP: u16 = 0x0021;
    /// IPv6.
    pub const IPV6: u16 = 0x0057;
    /// Van Jacobson uncompressed TCP/IP.
    pub const VJ_UCOMP: u16 = 0x002f;
}

/// What a PPP protocol number means to the decoder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// IPv4 follows.
    Ipv4,
    /// IPv6 follows.
    Ipv6,
    /// Van Jacobson uncompressed TCP/IP (an IPv4 header with the protocol
    /// byte replaced by a connection number).
    VjUncompressed,
    /// A control protocol (LCP, IPCP, PAP, CHAP ...): valid, not inspected.
    Control,
    /// Known but not decoded: `ppp.unsup_proto`.
    Unsupported,
    /// Not a PPP protocol Suricata knows: `ppp.wrong_type` (invalid).
    Wrong,
}

/// Classifies a (2-byte) PPP protocol number like Suricata's
/// `DecodePPPUncompressedProto`.
pub fn classify(protocol: u16) -> Class {
    match protocol {
        proto::IP => Class::Ipv4,
        proto::IPV6 => Class::Ipv6,
        proto::VJ_UCOMP => Class::VjUncompressed,
        // IPCP, IPV6CP, LCP, PAP, CHAP, CCP, LQM, CBCP, COMP_DGRAM, CDPCP
        0x8021 | 0x8057 | 0xc021 | 0xc023 | 0xc223 | 0x80fd | 0xc025 | 0xc029 | 0x00fd | 0x8207 => {
            Class::Control
        }
        // VJ_COMP, IPX, OSI, NS, DECNET, APPLE, BRPDU, STII, VINES, HELLO,
        // LUXCOM, SNS, MPLS_UCAST, MPLS_MCAST and their control protocols.
        0x002d | 0x002b | 0x0023 | 0x0025 | 0x0027 | 0x0029 | 0x0031 | 0x0033 | 0x0035 | 0x0201
        | 0x0231 | 0x0233 | 0x0281 | 0x0283 | 0x8023 | 0x8025 | 0x8027 | 0x8029 | 0x802b
        | 0x8033 | 0x8035 | 0x8281 => Class::Unsupported,
        _ => Class::Wrong,
    }
}

/// A read-only view of a PPP header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Header<T> {
    /// Wraps a buffer without checking it.
    pub const fn new_unchecked(buffer: T) -> Header<T> {
        Header { buffer }
    }

    /// Wraps a buffer after [`Header::check_len`].
    ///
    /// # Errors
    /// `ppp.pkt_too_small`.
    pub fn new_checked(buffer: T) -> Result<Header<T>, DecodeEvent> {
        let h = Header::new_unchecked(buffer);
        h.check_len()?;
        Ok(h)
    }

    /// Checks that the address/control pair (if any) and the protocol field
    /// fit.
    ///
    /// # Errors
    /// `ppp.pkt_too_small`.
    pub fn check_len(&self) -> Result<(), DecodeEvent> {
        let len = self.buffer.as_ref().len();
        if len < 1 || (self.has_hdlc() && len < 3) || len < self.header_len() {
            Err(DecodeEvent::PppPktTooSmall)
        } else {
            Ok(())
        }
    }

    /// Whether the frame starts with the HDLC address byte `0xff`.
    pub fn has_hdlc(&self) -> bool {
        u8_at(self.buffer.as_ref(), 0) == 0xff
    }

    fn proto_offset(&self) -> usize {
        if self.has_hdlc() {
            2
        } else {
            0
        }
    }

    /// Whether the protocol field is the 1-byte compressed form.
    pub fn is_compressed(&self) -> bool {
        u8_at(self.buffer.as_ref(), self.proto_offset()) & 0x01 != 0
    }

    /// Header length: address/control (0 or 2) plus protocol (1 or 2).
    pub fn header_len(&self) -> usize {
        self.proto_offset() + if self.is_compressed() { 1 } else { 2 }
    }

    /// The protocol number (a compressed 1-byte field is returned as is,
    /// e.g. `0x21` for IPv4).
    pub fn protocol(&self) -> u16 {
        let buf = self.buffer.as_ref();
        if self.is_compressed() {
            u16::from(u8_at(buf, self.proto_offset()))
        } else {
            be16(buf, self.proto_offset())
        }
    }

    /// The bytes after the header.
    pub fn payload(&self) -> &[u8] {
        tail(self.buffer.as_ref(), self.header_len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let hdlc = [0xffu8, 0x03, 0x00, 0x21, 0x45];
        let h = Header::new_checked(&hdlc[..]).expect("valid");
        assert!(h.has_hdlc() && !h.is_compressed());
        assert_eq!(
            (h.protocol(), h.header_len(), h.payload()),
            (0x21, 4, &[0x45u8][..])
        );

        let hdlc_compressed = [0xffu8, 0x03, 0x21, 0x45];
        let h = Header::new_checked(&hdlc_compressed[..]).expect("valid");
        assert!(h.is_compressed());
        assert_eq!((h.protocol(), h.header_len()), (0x21, 3));

        let bare = [0x00u8, 0x57, 0x60];
        let h = Header::new_checked(&bare[..]).expect("valid");
        assert_eq!((h.protocol(), h.header_len()), (0x57, 2));

        let bare_compressed = [0x21u8];
        let h = Header::new_checked(&bare_compressed[..]).expect("valid");
        assert_eq!((h.protocol(), h.header_len()), (0x21, 1));
        assert!(h.payload().is_empty());
    }

    #[test]
    fn truncation() {
        assert_eq!(
            Header::new_checked(&[][..]).err(),
            Some(DecodeEvent::PppPktTooSmall)
        );
        assert_eq!(
            Header::new_checked(&[0xffu8][..]).err(),
            Some(DecodeEvent::PppPktTooSmall)
        );
        assert_eq!(
            Header::new_checked(&[0xffu8, 0x03][..]).err(),
            Some(DecodeEvent::PppPktTooSmall)
        );
        // HDLC + 2-byte protocol with only its first byte present.
        assert_eq!(
            Header::new_checked(&[0xffu8, 0x03, 0x00][..]).err(),
            Some(DecodeEvent::PppPktTooSmall)
        );
        assert_eq!(
            Header::new_checked(&[0x00u8][..]).err(),
            Some(DecodeEvent::PppPktTooSmall)
        );
    }

    #[test]
    fn classes() {
        assert_eq!(classify(0x0021), Class::Ipv4);
        assert_eq!(classify(0x0057), Class::Ipv6);
        assert_eq!(classify(0x002f), Class::VjUncompressed);
        assert_eq!(classify(0xc021), Class::Control);
        assert_eq!(classify(0x002d), Class::Unsupported);
        assert_eq!(classify(0x1234), Class::Wrong);
    }
}
