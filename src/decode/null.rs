//! BSD loopback encapsulation: linktype 0 (`NULL`, address family in the
//! capturing host's byte order) and linktype 108 (`LOOP`, network order).
//!
//! The header is a 4-byte address family. `AF_INET` is 2 everywhere;
//! `AF_INET6` differs by OS: 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS),
//! 10 (Linux), 26 (Solaris), 23 (Winsock), the list Suricata's
//! `src/decode-null.c` accepts.
//!
//! Byte order: Suricata reads the `NULL` value in its own (little-endian)
//! order only. We read it little-endian first and, when that is not a known
//! family, big-endian, so captures from big-endian hosts decode too. A value
//! that is known in neither order raises `ltnull.unsupported_type`.

use super::bytes::{be32, le32, tail};
use super::event::DecodeEvent;

mod field {
    use std::ops::Range;
    pub const FAMILY: Range<usize> = 0..4;
}

/// Length of the loopback header.
pub const HEADER_LEN: usize = field::FAMILY.end;

/// `AF_INET`.
pub const AF_INET: u32 = 2;
/// The `AF_INET6` values of the various operating systems.
pub const AF_INET6_ALL: [u32; 6] = [24, 28, 30, 10, 26, 23];

/// What the address family says the payload is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// IPv4.
    Ipv4,
    /// IPv6 (any OS's `AF_INET6`).
    Ipv6,
    /// Anything else (the raw value as read in the first byte order tried).
    Other(u32),
}

fn classify(value: u32) -> Option<Family> {
    if value == AF_INET {
        Some(Family::Ipv4)
    } else if AF_INET6_ALL.contains(&value) {
        Some(Family::Ipv6)
    } else {
        None
    }
}

/// A read-only view of the 4-byte loopback header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Header<T> {
    /// Wraps a buffer without checking it.
    pub const fn new_unchecked(buffer: T) -> Header<T> {
        Header { buffer }
    }

    /// Wraps a buffer after checking the 4-byte header fits.
    ///
    /// # Errors
    /// `ltnull.pkt_too_small`.
    pub fn new_checked(buffer: T) -> Result<Header<T>, DecodeEvent> {
        if buffer.as_ref().len() < HEADER_LEN {
            return Err(DecodeEvent::LtnullPktTooSmall);
        }
        Ok(Header { buffer })
    }

    /// The family as written by a little-endian host.
    pub fn family_le(&self) -> u32 {
        le32(self.buffer.as_ref(), field::FAMILY.start)
    }

    /// The family in network byte order.
    pub fn family_be(&self) -> u32 {
        be32(self.buffer.as_ref(), field::FAMILY.start)
    }

    /// The payload family for linktype `NULL` (host order: little-endian
    /// first, then big-endian).
    pub fn family_host_order(&self) -> Family {
        let le = self.family_le();
        classify(le)
            .or_else(|| classify(self.family_be()))
            .unwrap_or(Family::Other(le))
    }

    /// The payload family for linktype `LOOP` (network order).
    pub fn family_network_order(&self) -> Family {
        let be = self.family_be();
        classify(be).unwrap_or(Family::Other(be))
    }

    /// The bytes after the header.
    pub fn payload(&self) -> &[u8] {
        tail(self.buffer.as_ref(), HEADER_LEN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_in_both_orders() {
        let le_v4 = [2u8, 0, 0, 0, 0x45];
        let be_v4 = [0u8, 0, 0, 2, 0x45];
        let le_v6_darwin = [30u8, 0, 0, 0];
        let be_v6_freebsd = [0u8, 0, 0, 28];
        let other = [7u8, 0, 0, 0];
        fn h(b: &[u8]) -> Header<&[u8]> {
            Header::new_checked(b).expect("fits")
        }
        assert_eq!(h(&le_v4).family_host_order(), Family::Ipv4);
        assert_eq!(h(&le_v4).payload(), &[0x45]);
        assert_eq!(h(&be_v4).family_host_order(), Family::Ipv4);
        assert_eq!(h(&be_v4).family_network_order(), Family::Ipv4);
        assert_eq!(h(&le_v4).family_network_order(), Family::Other(0x0200_0000));
        assert_eq!(h(&le_v6_darwin).family_host_order(), Family::Ipv6);
        assert_eq!(h(&be_v6_freebsd).family_network_order(), Family::Ipv6);
        assert_eq!(h(&other).family_host_order(), Family::Other(7));
    }

    #[test]
    fn truncation_sweep() {
        let b = [2u8, 0, 0, 0];
        for cut in 0..HEADER_LEN {
            assert_eq!(
                Header::new_checked(&b[..cut]).err(),
                Some(DecodeEvent::LtnullPktTooSmall)
            );
        }
    }
}
