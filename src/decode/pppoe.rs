//! PPPoE (RFC 2516): the session stage (EtherType 0x8864) that carries PPP,
//! and the discovery stage (0x8863) that Suricata only sanity-checks.
//!
//! Session header: version/type, code, session id, length, then the PPP
//! protocol field in its 1- or 2-byte form. As in Suricata's
//! `src/decode-pppoe.c`, the payload after the header is *not* bounded by
//! the PPPoE length field (the inner IP header bounds itself); the length
//! field only decides whether there is a PPP payload at all (0 = none).

use super::bytes::{be16, tail, u8_at};
use super::event::DecodeEvent;

mod field {
    use std::ops::Range;
    pub const VERSION_TYPE: usize = 0;
    pub const CODE: usize = 1;
    pub const SESSION_ID: Range<usize> = 2..4;
    pub const LENGTH: Range<usize> = 4..6;
    pub const PROTOCOL: usize = 6;
}

/// Minimum session header: 6 bytes plus a 1-byte protocol.
pub const SESSION_MIN_LEN: usize = field::PROTOCOL + 1;
/// Discovery header length.
pub const DISCOVERY_HEADER_LEN: usize = field::LENGTH.end;

/// Discovery codes (PADI, PADO, PADR, PADS, PADT).
pub const DISCOVERY_CODES: [u8; 5] = [0x09, 0x07, 0x19, 0x65, 0xa7];

/// A read-only view of a PPPoE session header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Session<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Session<T> {
    /// Wraps a buffer without checking it.
    pub const fn new_unchecked(buffer: T) -> Session<T> {
        Session { buffer }
    }

    /// Wraps a buffer after [`Session::check_len`].
    ///
    /// # Errors
    /// `pppoe.pkt_too_small`.
    pub fn new_checked(buffer: T) -> Result<Session<T>, DecodeEvent> {
        let s = Session::new_unchecked(buffer);
        s.check_len()?;
        Ok(s)
    }

    /// Checks the fixed header and, when the length field announces a PPP
    /// payload, the protocol field (1 or 2 bytes).
    ///
    /// # Errors
    /// `pppoe.pkt_too_small`.
    pub fn check_len(&self) -> Result<(), DecodeEvent> {
        let len = self.buffer.as_ref().len();
        if len < SESSION_MIN_LEN || (self.length() > 0 && len < self.header_len()) {
            Err(DecodeEvent::PppoePktTooSmall)
        } else {
            Ok(())
        }
    }

    /// Version (high nibble).
    pub fn version(&self) -> u8 {
        u8_at(self.buffer.as_ref(), field::VERSION_TYPE) >> 4
    }

    /// Type (low nibble).
    pub fn kind(&self) -> u8 {
        u8_at(self.buffer.as_ref(), field::VERSION_TYPE) & 0x0f
    }

    /// Code (0 for session data).
    pub fn code(&self) -> u8 {
        u8_at(self.buffer.as_ref(), field::CODE)
    }

    /// Session id.
    pub fn session_id(&self) -> u16 {
        be16(self.buffer.as_ref(), field::SESSION_ID.start)
    }

    /// The PPPoE length field.
    pub fn length(&self) -> u16 {
        be16(self.buffer.as_ref(), field::LENGTH.start)
    }

    /// Whether the PPP protocol field is the 1-byte form (its first byte
    /// is odd).
    pub fn is_protocol_compressed(&self) -> bool {
        u8_at(self.buffer.as_ref(), field::PROTOCOL) & 0x01 != 0
    }

    /// Header length including the protocol field: 7 or 8.
    pub fn header_len(&self) -> usize {
        if self.is_protocol_compressed() {
            SESSION_MIN_LEN
        } else {
            SESSION_MIN_LEN + 1
        }
    }

    /// The PPP protocol number.
    pub fn protocol(&self) -> u16 {
        let buf = self.buffer.as_ref();
        if self.is_protocol_compressed() {
            u16::from(u8_at(buf, field::PROTOCOL))
        } else {
            be16(buf, field::PROTOCOL)
        }
    }

    /// The bytes after the header.
    pub fn payload(&self) -> &[u8] {
        tail(self.buffer.as_ref(), self.header_len())
    }
}

/// Suricata's discovery-stage checks: header length, a known code, and a
/// length field that fits. Returns the event to raise (all mark the packet
/// invalid), or `None` when the header is fine.
pub fn check_discovery(buf: &[u8]) -> Option<DecodeEvent> {
    if buf.len() < DISCOVERY_HEADER_LEN {
        return Some(DecodeEvent::PppoePktTooSmall);
    }
    if !DISCOVERY_CODES.contains(&u8_at(buf, field::CODE)) {
        return Some(DecodeEvent::PppoeWrongCode);
    }
    let announced = usize::from(be16(buf, field::LENGTH.start));
    if announced > buf.len() - DISCOVERY_HEADER_LEN {
        return Some(DecodeEvent::PppoeMalformedTags);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    static SESSION: [u8; 9] = [0x11, 0x00, 0x00, 0x01, 0x00, 0x68, 0x00, 0x21, 0x45];

    #[test]
    fn deconstruct() {
        let s = Session::new_checked(&SESSION[..]).expect("valid");
        assert_eq!((s.version(), s.kind(), s.code()), (1, 1, 0));
        assert_eq!(s.session_id(), 1);
        assert_eq!(s.length(), 0x68);
        assert!(!s.is_protocol_compressed());
        assert_eq!((s.protocol(), s.header_len()), (0x0021, 8));
        assert_eq!(s.payload(), &[0x45]);

        let compressed = [0x11u8, 0x00, 0x00, 0x01, 0x00, 0x10, 0x21, 0x45];
        let s = Session::new_checked(&compressed[..]).expect("valid");
        assert_eq!((s.protocol(), s.header_len()), (0x21, 7));
    }

    #[test]
    fn truncation_sweep() {
        for cut in 0..8 {
            assert_eq!(
                Session::new_checked(&SESSION[..cut]).err(),
                Some(DecodeEvent::PppoePktTooSmall),
                "cut {cut}"
            );
        }
        // Length 0: no PPP payload, 7 bytes suffice whatever the protocol.
        let empty = [0x11u8, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00];
        assert!(Session::new_checked(&empty[..]).is_ok());
    }

    #[test]
    fn discovery() {
        let padi = [0x11u8, 0x09, 0x00, 0x00, 0x00, 0x04, 0x01, 0x01, 0x00, 0x00];
        assert_eq!(check_discovery(&padi), None);
        assert_eq!(
            check_discovery(&padi[..5]),
            Some(DecodeEvent::PppoePktTooSmall)
        );
        assert_eq!(
            check_discovery(&padi[..9]),
            Some(DecodeEvent::PppoeMalformedTags)
        );
        let bad_code = [0x11u8, 0x42, 0x00, 0x00, 0x00, 0x00];
        assert_eq!(
            check_discovery(&bad_code),
            Some(DecodeEvent::PppoeWrongCode)
        );
    }
}
