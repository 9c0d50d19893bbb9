//! [`LinkType`]: what the first byte of a packet is, as the capture file (or
//! libpcap, for live capture) says.
//!
//! Values are the LINKTYPE_* numbers of the tcpdump.org registry
//! (<https://www.tcpdump.org/linktypes.html>), as stored in pcap and pcapng
//! files. Live capture reports libpcap's DLT_* values instead, which agree
//! with LINKTYPE_* except for a few historical ones; the one that matters is
//! raw IP, DLT_RAW = 12 (14 on OpenBSD) where files say LINKTYPE_RAW = 101, so
//! [`LinkType::is_raw_ip`] accepts all three. This module names types; it
//! does not decode them (that is `decode`'s job).

use std::fmt;

/// A link-layer header type (LINKTYPE_* / DLT_* number).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LinkType(pub u16);

impl LinkType {
    /// BSD loopback: a 4-byte address family in the host's byte order.
    pub const NULL: LinkType = LinkType(0);
    /// Ethernet II / 802.3.
    pub const ETHERNET: LinkType = LinkType(1);
    /// PPP (RFC 1661), starting with the protocol field.
    pub const PPP: LinkType = LinkType(9);
    /// libpcap's DLT_RAW on most systems: raw IPv4 or IPv6, no link header.
    pub const DLT_RAW: LinkType = LinkType(12);
    /// DLT_RAW as OpenBSD numbers it: raw IPv4 or IPv6.
    pub const DLT_RAW_OPENBSD: LinkType = LinkType(14);
    /// Cisco HDLC.
    pub const C_HDLC: LinkType = LinkType(104);
    /// LINKTYPE_RAW in files: raw IPv4 or IPv6, no link header.
    pub const RAW: LinkType = LinkType(101);
    /// IEEE 802.11 wireless.
    pub const IEEE802_11: LinkType = LinkType(105);
    /// OpenBSD loopback: a 4-byte address family in network byte order.
    pub const LOOP: LinkType = LinkType(108);
    /// Linux "cooked" capture v1 (16-byte header).
    pub const LINUX_SLL: LinkType = LinkType(113);
    /// OpenBSD pflog.
    pub const PFLOG: LinkType = LinkType(117);
    /// Radiotap header followed by 802.11.
    pub const IEEE802_11_RADIOTAP: LinkType = LinkType(127);
    /// Raw IPv4, no link header.
    pub const IPV4: LinkType = LinkType(228);
    /// Raw IPv6, no link header.
    pub const IPV6: LinkType = LinkType(229);
    /// Linux netfilter NFLOG.
    pub const NFLOG: LinkType = LinkType(239);
    /// Linux "cooked" capture v2 (20-byte header).
    pub const LINUX_SLL2: LinkType = LinkType(276);

    /// Whether packets start directly with an IPv4 or IPv6 header whose
    /// version nibble tells which: LINKTYPE_RAW (101) and the DLT_RAW values
    /// 12 and 14 libpcap uses for it on live interfaces.
    pub fn is_raw_ip(self) -> bool {
        matches!(
            self,
            LinkType::RAW | LinkType::DLT_RAW | LinkType::DLT_RAW_OPENBSD
        )
    }

    /// The registry name (`ETHERNET`, `LINUX_SLL` ...), or `None` for a
    /// number this module does not name.
    pub fn name(self) -> Option<&'static str> {
        Some(match self {
            LinkType::NULL => "NULL",
            LinkType::ETHERNET => "ETHERNET",
            LinkType::PPP => "PPP",
            LinkType::DLT_RAW | LinkType::DLT_RAW_OPENBSD | LinkType::RAW => "RAW",
            LinkType::C_HDLC => "C_HDLC",
            LinkType::IEEE802_11 => "IEEE802_11",
            LinkType::LOOP => "LOOP",
            LinkType::LINUX_SLL => "LINUX_SLL",
            LinkType::PFLOG => "PFLOG",
            LinkType::IEEE802_11_RADIOTAP => "IEEE802_11_RADIOTAP",
            LinkType::IPV4 => "IPV4",
            LinkType::IPV6 => "IPV6",
            LinkType::NFLOG => "NFLOG",
            LinkType::LINUX_SLL2 => "LINUX_SLL2",
            _ => return None,
        })
    }
}

impl fmt::Display for LinkType {
    /// `ETHERNET (1)`, or `LINKTYPE 147` for an unnamed number.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => write!(f, "{n} ({})", self.0),
            None => write!(f, "LINKTYPE {}", self.0),
        }
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn display_named_and_unnamed() {
        assert_eq!(LinkType::ETHERNET.to_string(), "ETHERNET (1)");
        assert_eq!(LinkType(12).to_string(), "RAW (12)");
        assert_eq!(LinkType(276).to_string(), "LINUX_SLL2 (276)");
        assert_eq!(LinkType(147).to_string(), "LINKTYPE 147");
    }

    #[test]
    fn raw_ip_covers_dlt_and_linktype_numbers() {
        assert!(LinkType(101).is_raw_ip());
        assert!(LinkType(12).is_raw_ip());
        assert!(LinkType(14).is_raw_ip());
        assert!(!LinkType(228).is_raw_ip());
        assert!(!LinkType::ETHERNET.is_raw_ip());
    }
}
