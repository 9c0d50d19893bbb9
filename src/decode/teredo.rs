//! Teredo (RFC 4380): IPv6 inside UDP, by default on port 3544 (either
//! direction, Suricata's `decoder.teredo.ports`).
//!
//! There is no Teredo header to check, so Suricata 8.0.6
//! (`src/decode-teredo.c`) guesses: skip an 8-byte origin indication
//! (`00 00 ...`), then require an IPv6 header with a non-zero hop limit, no
//! bogus short hop-by-hop, and a payload length that accounts for exactly
//! the rest of the datagram. [`probe`] returns the IPv6 bytes when it looks
//! right. Suricata also drops the tunnel child if it decodes as invalid.

use super::bytes::{be16, tail, u8_at};
use super::ipv6;

/// Suricata's default Teredo port.
pub const DEFAULT_PORT: u16 = 3544;
const ORIGIN_INDICATION_LEN: usize = 8;

/// The IPv6 packet inside a UDP payload, if it looks like Teredo.
pub fn probe(payload: &[u8]) -> Option<&[u8]> {
    if payload.len() < ipv6::HEADER_LEN {
        return None;
    }
    let start = if u8_at(payload, 0) == 0 {
        if u8_at(payload, 1) != 0 || payload.len() < ORIGIN_INDICATION_LEN + ipv6::HEADER_LEN {
            return None;
        }
        ORIGIN_INDICATION_LEN
    } else {
        0
    };
    let ip = tail(payload, start);
    if u8_at(ip, 0) >> 4 != 6 || u8_at(ip, 7) == 0 {
        return None;
    }
    let plen = usize::from(be16(ip, 4));
    if u8_at(ip, 6) == 0 && plen < 8 {
        return None;
    }
    (ip.len() == ipv6::HEADER_LEN + plen).then_some(ip)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v6(plen: u16, next: u8, hl: u8) -> Vec<u8> {
        let mut h = vec![0x60, 0, 0, 0];
        h.extend_from_slice(&plen.to_be_bytes());
        h.extend_from_slice(&[next, hl]);
        h.extend_from_slice(&[0u8; 32]);
        h.extend(std::iter::repeat(0u8).take(usize::from(plen)));
        h
    }

    #[test]
    fn probe_rules() {
        let p = v6(8, 17, 64);
        assert_eq!(probe(&p).map(<[u8]>::len), Some(48));
        let mut with_origin = vec![0, 0, 1, 2, 3, 4, 5, 6];
        with_origin.extend_from_slice(&p);
        assert_eq!(probe(&with_origin).map(<[u8]>::len), Some(48));
        assert!(probe(&v6(8, 17, 0)).is_none(), "hop limit 0");
        assert!(probe(&v6(4, 0, 64)).is_none(), "short hop-by-hop");
        let mut longer = p.clone();
        longer.push(0);
        assert!(probe(&longer).is_none(), "length mismatch");
        let mut auth = p.clone();
        auth.splice(0..0, [0u8, 1, 0, 0, 0, 0, 0, 0]);
        assert!(probe(&auth).is_none(), "authentication indication");
    }
}
