//! IP addresses as Suricata 8 prints them in fast.log and EVE.
//!
//! IPv4 is dotted decimal. IPv6 is the *full* form, eight groups of four
//! lower-case hex digits with no `::` compression and no brackets
//! (`2001:0db8:0000:0000:0000:0000:0000:0001`): Suricata 8.0's `PrintInet`
//! formats IPv6 itself "without deleting zeroes", and the conformance
//! `expected.json` files hold addresses in that form. An IPv4-mapped IPv6
//! address is still IPv6 here, since the packet was.
//!
//! The text lands in an [`AddrText`] on the stack; nothing allocates.

use std::net::IpAddr;

/// A formatted address (at most 39 bytes: the full IPv6 form).
#[derive(Clone, Copy)]
pub struct AddrText {
    buf: [u8; 39],
    len: usize,
}

impl AddrText {
    /// Formats `ip`.
    pub fn new(ip: IpAddr) -> AddrText {
        let mut t = AddrText {
            buf: [0; 39],
            len: 0,
        };
        match ip {
            IpAddr::V4(v4) => {
                for (i, octet) in v4.octets().into_iter().enumerate() {
                    if i > 0 {
                        t.push(b'.');
                    }
                    if octet >= 100 {
                        t.push(b'0' + octet / 100);
                    }
                    if octet >= 10 {
                        t.push(b'0' + octet / 10 % 10);
                    }
                    t.push(b'0' + octet % 10);
                }
            }
            IpAddr::V6(v6) => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                for (i, group) in v6.segments().into_iter().enumerate() {
                    if i > 0 {
                        t.push(b':');
                    }
                    for shift in [12u16, 8, 4, 0] {
                        t.push(HEX[usize::from((group >> shift) & 0xf)]);
                    }
                }
            }
        }
        t
    }

    fn push(&mut self, b: u8) {
        if let Some(slot) = self.buf.get_mut(self.len) {
            *slot = b;
            self.len += 1;
        }
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits, hex letters, '.' and ':' are ever pushed.
        std::str::from_utf8(self.as_bytes()).unwrap_or("")
    }

    /// The text as bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&[])
    }
}

impl std::fmt::Debug for AddrText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("AddrText").field(&self.as_str()).finish()
    }
}

impl std::fmt::Display for AddrText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    fn text(ip: IpAddr) -> String {
        AddrText::new(ip).as_str().to_owned()
    }

    #[test]
    fn ipv4_dotted_decimal() {
        assert_eq!(text(Ipv4Addr::new(0, 235, 239, 74).into()), "0.235.239.74");
        assert_eq!(text(Ipv4Addr::new(192, 168, 10, 1).into()), "192.168.10.1");
        assert_eq!(
            text(Ipv4Addr::new(255, 255, 255, 255).into()),
            "255.255.255.255"
        );
        assert_eq!(text(Ipv4Addr::UNSPECIFIED.into()), "0.0.0.0");
    }

    #[test]
    fn ipv6_full_form() {
        let ip: Ipv6Addr = "2001:db8::1".parse().unwrap();
        assert_eq!(text(ip.into()), "2001:0db8:0000:0000:0000:0000:0000:0001");
        // From a conformance expected.json (ipv6 fragment cases).
        let ip: Ipv6Addr = "2001:db8:85a3::8a2e:370:7334".parse().unwrap();
        assert_eq!(text(ip.into()), "2001:0db8:85a3:0000:0000:8a2e:0370:7334");
        assert_eq!(
            text(Ipv6Addr::UNSPECIFIED.into()),
            "0000:0000:0000:0000:0000:0000:0000:0000"
        );
        let max = text(Ipv6Addr::from(u128::MAX).into());
        assert_eq!(max, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
        assert_eq!(max.len(), 39);
    }

    #[test]
    fn ipv4_mapped_stays_ipv6() {
        let ip: Ipv6Addr = "::ffff:10.0.0.1".parse().unwrap();
        assert_eq!(text(ip.into()), "0000:0000:0000:0000:0000:ffff:0a00:0001");
    }
}
