//! Geneve (RFC 8926) over UDP port 6081 (either direction, Suricata's
//! default `decoder.geneve.ports`).
//!
//! Suricata 8.0.6 (`src/decode-geneve.c`) only treats a UDP payload as
//! Geneve when the 8-byte header and its options fit, the version is 0, the
//! reserved flag bits and byte are zero, and the option lengths add up to
//! the header's option length. Anything else stays plain UDP, silently.

use super::bytes::{be16, be32, tail, u8_at};

mod field {
    pub const VER_OPTLEN: usize = 0;
    pub const FLAGS: usize = 1;
    pub const PROTOCOL: usize = 2;
    pub const VNI: usize = 4;
    pub const RESERVED: usize = 7;
}

/// Length of the fixed Geneve header.
pub const HEADER_LEN: usize = 8;
/// Suricata's default Geneve port.
pub const DEFAULT_PORT: u16 = 6081;

/// A read-only view of a Geneve header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Header<T> {
    /// Wraps a UDP payload when it is Geneve by Suricata's rules; `None`
    /// otherwise. The option walk advances at least 4 bytes per option.
    pub fn probe(buffer: T) -> Option<Header<T>> {
        let h = Header { buffer };
        let buf = h.buffer.as_ref();
        if buf.len() < HEADER_LEN || buf.len() < h.header_len() {
            return None;
        }
        if u8_at(buf, field::VER_OPTLEN) >> 6 != 0 {
            return None;
        }
        if u8_at(buf, field::FLAGS) & 0x3f != 0 || u8_at(buf, field::RESERVED) != 0 {
            return None;
        }
        let mut remaining = h.header_len() - HEADER_LEN;
        let mut at = HEADER_LEN;
        while remaining > 0 {
            let opt_len = 4 + usize::from(u8_at(buf, at + 3) & 0x1f) * 4;
            if opt_len > remaining {
                return None;
            }
            remaining -= opt_len;
            at += opt_len;
        }
        Some(h)
    }

    /// Header length including options.
    pub fn header_len(&self) -> usize {
        HEADER_LEN + usize::from(u8_at(self.buffer.as_ref(), field::VER_OPTLEN) & 0x3f) * 4
    }

    /// The EtherType of the payload.
    pub fn protocol(&self) -> u16 {
        be16(self.buffer.as_ref(), field::PROTOCOL)
    }

    /// The 24-bit virtual network identifier.
    pub fn vni(&self) -> u32 {
        be32(self.buffer.as_ref(), field::VNI) >> 8
    }

    /// The bytes after the header and its options.
    pub fn payload(&self) -> &[u8] {
        tail(self.buffer.as_ref(), self.header_len())
    }
}

impl<'a> Header<&'a [u8]> {
    /// The payload with the buffer's lifetime.
    pub fn payload_ref(&self) -> &'a [u8] {
        tail(self.buffer, self.header_len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_rules() {
        // One 8-byte option (opt len 2 words): header 16 bytes.
        let mut b = vec![0x02, 0x00, 0x08, 0x00, 0, 0, 7, 0];
        b.extend_from_slice(&[0x01, 0x02, 0x80, 0x01, 1, 2, 3, 4]);
        b.push(0x45);
        let h = Header::probe(&b[..]).expect("geneve");
        assert_eq!((h.header_len(), h.protocol(), h.vni()), (16, 0x0800, 7));
        assert_eq!(h.payload(), &[0x45]);
        // Option length inconsistent with the header's.
        let mut bad = b.clone();
        bad[11] = 0x02;
        assert!(Header::probe(&bad[..]).is_none());
        let mut v1 = b.clone();
        v1[0] |= 0x40;
        assert!(Header::probe(&v1[..]).is_none());
        assert!(Header::probe(&b[..12]).is_none());
    }
}
