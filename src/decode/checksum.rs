//! Internet checksums (RFC 1071) for IPv4 headers and for TCP, UDP, ICMPv4
//! and ICMPv6 with their pseudo-headers (RFC 9293 section 3.1, RFC 768,
//! RFC 8200 section 8.1).
//!
//! These are pure functions over byte slices. [`crate::decode::Decoded::checksum`]
//! applies them to a decoded packet the way Suricata's `*-csum` keywords do;
//! an invalid checksum never makes a packet invalid (Suricata only uses it
//! for those keywords and for stream handling).

/// Adds `data` to a running ones'-complement sum (big-endian 16-bit words,
/// an odd trailing byte padded with zero).
pub fn sum(acc: u32, data: &[u8]) -> u32 {
    // The ones'-complement sum does not depend on byte order (RFC 1071
    // section 2(B)): sum little-endian 32-bit words into a u64 (a loop
    // the compiler vectorises), fold to 16 bits, then swap the two bytes.
    // 2^16 = 1 mod 0xffff, so 32-bit words fold to the same sum as the
    // 16-bit ones.
    let mut wide = 0u64;
    let mut words = data.chunks_exact(4);
    for w in &mut words {
        if let &[a, b, c, d] = w {
            wide += u64::from(u32::from_le_bytes([a, b, c, d]));
        }
    }
    match *words.remainder() {
        [a, b, c] => wide += u64::from(u16::from_le_bytes([a, b])) + u64::from(c),
        [a, b] => wide += u64::from(u16::from_le_bytes([a, b])),
        [a] => wide += u64::from(a),
        _ => {}
    }
    let swapped = u64::from(fold(wide).swap_bytes());
    u32::from(fold(swapped + u64::from(acc)))
}

/// `x` folded to 16 bits with end-around carries.
fn fold(mut x: u64) -> u16 {
    while x >> 16 != 0 {
        x = (x & 0xffff) + (x >> 16);
    }
    x as u16
}

/// Folds a running sum and complements it: the checksum of the data summed.
pub fn finish(mut acc: u32) -> u16 {
    while acc >> 16 != 0 {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    !(acc as u16)
}

/// The checksum of `data` alone.
pub fn checksum(data: &[u8]) -> u16 {
    finish(sum(0, data))
}

/// Whether data that contains its own checksum field sums to zero (valid).
pub fn verifies(acc: u32) -> bool {
    finish(acc) == 0
}

/// The IPv4 pseudo-header sum for a transport segment of `len` bytes.
pub fn pseudo_v4(src: [u8; 4], dst: [u8; 4], proto: u8, len: usize) -> u32 {
    let mut acc = sum(0, &src);
    acc = sum(acc, &dst);
    acc = acc.wrapping_add(u32::from(proto));
    acc.wrapping_add((len & 0xffff) as u32 + (len >> 16) as u32)
}

/// The IPv6 pseudo-header sum for an upper-layer packet of `len` bytes.
pub fn pseudo_v6(src: [u8; 16], dst: [u8; 16], next_header: u8, len: usize) -> u32 {
    let mut acc = sum(0, &src);
    acc = sum(acc, &dst);
    acc = acc.wrapping_add(u32::from(next_header));
    acc.wrapping_add((len & 0xffff) as u32 + (len >> 16) as u32)
}

/// Whether an IPv4 header (options included) carries a valid checksum.
pub fn ipv4_header_valid(header: &[u8]) -> bool {
    verifies(sum(0, header))
}

/// Whether a TCP/UDP/ICMPv6 segment over IPv4 verifies with its
/// pseudo-header.
pub fn v4_transport_valid(src: [u8; 4], dst: [u8; 4], proto: u8, segment: &[u8]) -> bool {
    verifies(sum(pseudo_v4(src, dst, proto, segment.len()), segment))
}

/// Whether a TCP/UDP/ICMPv6 segment over IPv6 verifies with its
/// pseudo-header.
pub fn v6_transport_valid(src: [u8; 16], dst: [u8; 16], next: u8, segment: &[u8]) -> bool {
    verifies(sum(pseudo_v6(src, dst, next, segment.len()), segment))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc1071_example() {
        // RFC 1071 section 3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2.
        let data = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        assert_eq!(finish(sum(0, &data)), !0xddf2);
    }

    #[test]
    fn ipv4_header_known_checksum() {
        // A classic example header: checksum b861.
        let mut h = [
            0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00, 0xc0, 0xa8,
            0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
        ];
        assert_eq!(checksum(&h), 0xb861);
        h[10] = 0xb8;
        h[11] = 0x61;
        assert!(ipv4_header_valid(&h));
        h[11] = 0x62;
        assert!(!ipv4_header_valid(&h));
    }

    #[test]
    fn odd_length_pads_with_zero() {
        assert_eq!(sum(0, &[0x12]), 0x1200);
        assert_eq!(sum(0, &[0x12, 0x34, 0x56]), 0x1234 + 0x5600);
    }

    /// The sum as RFC 1071 writes it: big-endian 16-bit words, one at a
    /// time, carries folded back.
    fn reference(acc: u32, data: &[u8]) -> u32 {
        let mut x = u64::from(acc);
        for pair in data.chunks(2) {
            x += u64::from(u16::from_be_bytes([pair[0], *pair.get(1).unwrap_or(&0)]));
        }
        u32::from(fold(x))
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_the_rfc_1071_loop(
            acc in proptest::prelude::any::<u32>(),
            data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300),
        ) {
            proptest::prop_assert_eq!(sum(acc, &data), reference(acc, &data));
        }
    }

    #[test]
    fn long_input_does_not_overflow() {
        let data = vec![0xffu8; 200_000];
        assert_eq!(checksum(&data), 0);
    }
}
