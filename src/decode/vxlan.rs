//! VXLAN (RFC 7348) over UDP destination port 4789: an 8-byte header, then
//! an Ethernet frame.
//!
//! Suricata 8.0.6 (`src/decode-vxlan.c`) only treats a UDP payload as VXLAN
//! when it holds the 8-byte header plus a 14-byte Ethernet header, the
//! I flag (0x08 in the first byte) is set and the last reserved byte is
//! zero. Anything else is left as plain UDP, with no event.

use super::bytes::{be32, tail, u8_at};

mod field {
    pub const FLAGS: usize = 0;
    pub const VNI: usize = 4;
    pub const RESERVED2: usize = 7;
}

/// Length of the VXLAN header.
pub const HEADER_LEN: usize = 8;
/// The IANA port, Suricata's default `decoder.vxlan.ports`.
pub const DEFAULT_PORT: u16 = 4789;

const FLAG_I: u8 = 0x08;

/// A read-only view of a VXLAN header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Header<T> {
    /// Wraps a buffer without checking it.
    pub const fn new_unchecked(buffer: T) -> Header<T> {
        Header { buffer }
    }

    /// Wraps a UDP payload when it looks like VXLAN by Suricata's rules
    /// (see the module docs); `None` otherwise.
    pub fn probe(buffer: T) -> Option<Header<T>> {
        let buf = buffer.as_ref();
        if buf.len() < HEADER_LEN + super::ethernet::HEADER_LEN {
            return None;
        }
        if u8_at(buf, field::FLAGS) & FLAG_I == 0 || u8_at(buf, field::RESERVED2) != 0 {
            return None;
        }
        Some(Header { buffer })
    }

    /// The flags byte.
    pub fn flags(&self) -> u8 {
        u8_at(self.buffer.as_ref(), field::FLAGS)
    }

    /// The 24-bit VXLAN network identifier.
    pub fn vni(&self) -> u32 {
        be32(self.buffer.as_ref(), field::VNI) >> 8
    }

    /// The encapsulated Ethernet frame.
    pub fn payload(&self) -> &[u8] {
        tail(self.buffer.as_ref(), HEADER_LEN)
    }
}

impl<'a> Header<&'a [u8]> {
    /// The encapsulated Ethernet frame with the buffer's lifetime.
    pub fn payload_ref(&self) -> &'a [u8] {
        tail(self.buffer, HEADER_LEN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_rules() {
        let mut pkt = vec![0x08u8, 0, 0, 0, 0x00, 0x12, 0x34, 0x00];
        pkt.extend_from_slice(&[0u8; 14]);
        let h = Header::probe(&pkt[..]).expect("vxlan");
        assert_eq!(h.vni(), 0x1234);
        assert_eq!(h.payload().len(), 14);
        assert!(
            Header::probe(&pkt[..21]).is_none(),
            "too short for inner ethernet"
        );
        let mut no_i = pkt.clone();
        no_i[0] = 0;
        assert!(Header::probe(&no_i[..]).is_none());
        let mut reserved = pkt.clone();
        reserved[7] = 1;
        assert!(Header::probe(&reserved[..]).is_none());
    }
}
