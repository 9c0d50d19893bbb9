//! GRE (RFC 1701/2784, and the enhanced version 1 of PPTP, RFC 2637).
//!
//! [`Header::check`] applies Suricata's `src/decode-gre.c` rules and
//! returns the header length including optional checksum/offset, key,
//! sequence, acknowledgement and source-route entries. Every failure is an
//! *invalid* event; the GRE layer is still kept (the outer IP packet is
//! what rules see then).

use super::bytes::{be16, tail, u8_at};
use super::event::DecodeEvent;

mod field {
    use std::ops::Range;
    pub const FLAGS: usize = 0;
    pub const VERSION: usize = 1;
    pub const PROTOCOL: Range<usize> = 2..4;
}

/// Length of the fixed GRE header.
pub const HEADER_LEN: usize = field::PROTOCOL.end;
/// The PPP protocol type carried by PPTP's GRE version 1.
pub const PROTO_PPP: u16 = 0x880b;

const FLAG_CHECKSUM: u8 = 0x80;
const FLAG_ROUTING: u8 = 0x40;
const FLAG_KEY: u8 = 0x20;
const FLAG_SEQUENCE: u8 = 0x10;
const FLAG_STRICT_ROUTE: u8 = 0x08;
const RECURSION_MASK: u8 = 0x07;
const V1_ACK: u8 = 0x80;
const V1_FLAGS_MASK: u8 = 0x78;
const SRE_HEADER_LEN: usize = 4;

/// A read-only view of a GRE header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Header<T> {
    /// Wraps a buffer without checking it.
    pub const fn new_unchecked(buffer: T) -> Header<T> {
        Header { buffer }
    }

    /// Wraps a buffer after checking the fixed 4-byte header fits.
    ///
    /// # Errors
    /// `gre.pkt_too_small`.
    pub fn new_checked(buffer: T) -> Result<Header<T>, DecodeEvent> {
        if buffer.as_ref().len() < HEADER_LEN {
            return Err(DecodeEvent::GrePktTooSmall);
        }
        Ok(Header { buffer })
    }

    /// The first flags byte (C R K S s Recur).
    pub fn flags(&self) -> u8 {
        u8_at(self.buffer.as_ref(), field::FLAGS)
    }

    /// The version (low 3 bits of the second byte).
    pub fn version(&self) -> u8 {
        u8_at(self.buffer.as_ref(), field::VERSION) & 0x07
    }

    /// The protocol type (an EtherType).
    pub fn protocol(&self) -> u16 {
        be16(self.buffer.as_ref(), field::PROTOCOL.start)
    }

    /// Whether the sequence number field is present (for ERSPAN it tells
    /// type II from type I).
    pub fn has_sequence(&self) -> bool {
        self.flags() & FLAG_SEQUENCE != 0
    }

    /// Whether the key field is present.
    pub fn has_key(&self) -> bool {
        self.flags() & FLAG_KEY != 0
    }

    /// For version 1 (PPTP): the payload length in the key field.
    pub fn pptp_payload_len(&self) -> u16 {
        be16(self.buffer.as_ref(), HEADER_LEN)
    }

    /// Validates the header by version and returns its full length.
    ///
    /// # Errors
    /// One of the `gre.*` events of Suricata's decoder.
    pub fn check(&self) -> Result<usize, DecodeEvent> {
        let buf = self.buffer.as_ref();
        let flags = self.flags();
        let second = u8_at(buf, field::VERSION);
        let mut len = HEADER_LEN;
        match self.version() {
            0 => {
                if flags & RECURSION_MASK != 0 {
                    return Err(DecodeEvent::GreVersion0Recur);
                }
                if second & V1_FLAGS_MASK != 0 {
                    return Err(DecodeEvent::GreVersion0Flags);
                }
                if flags & FLAG_KEY != 0 {
                    len += 4;
                }
                if flags & FLAG_SEQUENCE != 0 {
                    len += 4;
                }
                if flags & (FLAG_CHECKSUM | FLAG_ROUTING) != 0 {
                    len += 4;
                }
                if len > buf.len() {
                    return Err(DecodeEvent::GreVersion0HdrTooBig);
                }
                if flags & FLAG_ROUTING != 0 {
                    // Source route entries: af(2) offset(1) length(1) data,
                    // ending with af 0 and length 0. Each step consumes at
                    // least 4 bytes, so the walk is bounded by the buffer.
                    loop {
                        if len + SRE_HEADER_LEN > buf.len() {
                            return Err(DecodeEvent::GreVersion0MalformedSreHdr);
                        }
                        let af = be16(buf, len);
                        let sre_len = usize::from(u8_at(buf, len + 3));
                        len += SRE_HEADER_LEN;
                        if af == 0 && sre_len == 0 {
                            break;
                        }
                        len += sre_len;
                        if len > buf.len() {
                            return Err(DecodeEvent::GreVersion0MalformedSreHdr);
                        }
                    }
                }
                Ok(len)
            }
            1 => {
                if flags & FLAG_CHECKSUM != 0 {
                    return Err(DecodeEvent::GreVersion1Chksum);
                }
                if flags & FLAG_ROUTING != 0 {
                    return Err(DecodeEvent::GreVersion1Route);
                }
                if flags & FLAG_STRICT_ROUTE != 0 {
                    return Err(DecodeEvent::GreVersion1Ssr);
                }
                if flags & RECURSION_MASK != 0 {
                    return Err(DecodeEvent::GreVersion1Recur);
                }
                if second & V1_FLAGS_MASK != 0 {
                    return Err(DecodeEvent::GreVersion1Flags);
                }
                if self.protocol() != PROTO_PPP {
                    return Err(DecodeEvent::GreVersion1WrongProtocol);
                }
                if flags & FLAG_KEY == 0 {
                    return Err(DecodeEvent::GreVersion1NoKey);
                }
                len += 4;
                if flags & FLAG_SEQUENCE != 0 {
                    len += 4;
                }
                if second & V1_ACK != 0 {
                    len += 4;
                }
                if len > buf.len() {
                    return Err(DecodeEvent::GreVersion1HdrTooBig);
                }
                Ok(len)
            }
            _ => Err(DecodeEvent::GreWrongVersion),
        }
    }

    /// The bytes after a header of `header_len` bytes (from [`Header::check`]).
    pub fn payload(&self, header_len: usize) -> &[u8] {
        tail(self.buffer.as_ref(), header_len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version0_plain_and_with_options() {
        let plain = [0x00u8, 0x00, 0x08, 0x00, 0x45];
        let h = Header::new_checked(&plain[..]).expect("fits");
        assert_eq!((h.version(), h.protocol()), (0, 0x0800));
        assert_eq!(h.check(), Ok(4));
        assert_eq!(h.payload(4), &[0x45]);

        // checksum + key + sequence: 4 + 4 + 4 + 4 = 16
        let mut full = vec![0xb0u8, 0x00, 0x86, 0xdd];
        full.extend_from_slice(&[0; 12]);
        let h = Header::new_checked(&full[..]).expect("fits");
        assert_eq!(h.check(), Ok(16));
        assert_eq!(
            Header::new_checked(&full[..15]).expect("fits").check(),
            Err(DecodeEvent::GreVersion0HdrTooBig)
        );
    }

    #[test]
    fn version0_errors() {
        let recur = [0x01u8, 0x00, 0x08, 0x00];
        assert_eq!(
            Header::new_unchecked(&recur[..]).check(),
            Err(DecodeEvent::GreVersion0Recur)
        );
        let flags = [0x00u8, 0x08, 0x08, 0x00];
        assert_eq!(
            Header::new_unchecked(&flags[..]).check(),
            Err(DecodeEvent::GreVersion0Flags)
        );
        // routing present: 4 + 4 (csum/offset) then an SRE that runs off the end.
        let sre = [0x40u8, 0x00, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x01, 0x00, 0x08];
        assert_eq!(
            Header::new_unchecked(&sre[..]).check(),
            Err(DecodeEvent::GreVersion0MalformedSreHdr)
        );
        let sre_end = [0x40u8, 0x00, 0x08, 0x00, 0, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(Header::new_unchecked(&sre_end[..]).check(), Ok(12));
    }

    #[test]
    fn version1_pptp() {
        // K + S set, version 1 with ack: 4 + 4 + 4 + 4 = 16
        let mut pptp = vec![0x30u8, 0x81, 0x88, 0x0b, 0x00, 0x10, 0x00, 0x01];
        pptp.extend_from_slice(&[0; 8]);
        let h = Header::new_unchecked(&pptp[..]);
        assert_eq!(h.check(), Ok(16));
        assert_eq!(h.pptp_payload_len(), 0x10);
        let wrong_proto = [0x20u8, 0x01, 0x08, 0x00, 0, 0, 0, 0];
        assert_eq!(
            Header::new_unchecked(&wrong_proto[..]).check(),
            Err(DecodeEvent::GreVersion1WrongProtocol)
        );
        let no_key = [0x00u8, 0x01, 0x88, 0x0b];
        assert_eq!(
            Header::new_unchecked(&no_key[..]).check(),
            Err(DecodeEvent::GreVersion1NoKey)
        );
        let csum = [0x80u8, 0x01, 0x88, 0x0b];
        assert_eq!(
            Header::new_unchecked(&csum[..]).check(),
            Err(DecodeEvent::GreVersion1Chksum)
        );
        let v2 = [0x00u8, 0x02, 0x08, 0x00];
        assert_eq!(
            Header::new_unchecked(&v2[..]).check(),
            Err(DecodeEvent::GreWrongVersion)
        );
    }

    #[test]
    fn truncation_sweep() {
        let plain = [0x00u8, 0x00, 0x08, 0x00];
        for cut in 0..HEADER_LEN {
            assert_eq!(
                Header::new_checked(&plain[..cut]).err(),
                Some(DecodeEvent::GrePktTooSmall)
            );
        }
    }
}
