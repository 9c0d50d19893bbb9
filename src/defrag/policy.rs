//! policy: the overlap policies (which copy of an overlapped byte wins) and
//! the per-host tables that choose a policy or a timeout by destination
//! address.
//!
//! # The policies
//!
//! Named after Novak's "Target-Based Fragmentation Reassembly" (2005) and
//! Suricata's `defrag.c`. Each describes how one operating-system family
//! resolves two fragments that cover the same bytes; an IDS must reassemble
//! the way the *target* host will, or it inspects bytes the host never sees.
//!
//! * [`Policy::First`]: the byte seen first wins.
//! * [`Policy::Last`]: the byte seen last wins.
//! * [`Policy::Bsd`] (Suricata's default): the earlier fragment wins, unless
//!   the new fragment starts before it.
//! * [`Policy::Linux`]: as BSD, but a new fragment starting at the same
//!   offset as an earlier one wins.
//! * [`Policy::Windows`]: the earlier fragment wins unless the new one starts
//!   before it and ends after it.
//! * [`Policy::Solaris`]: the earlier fragment wins unless the new one starts
//!   before it and ends at or after its end.
//! * [`Policy::BsdRight`]: Suricata 8.0.6 names it but gives it no trimming
//!   rule, so every fragment is kept whole and the copy order decides: a
//!   byte comes from the covering fragment with the highest start offset,
//!   and among equal offsets from the later one. We reproduce that.
//!
//! The exact trimming rules (with Suricata's quirks) live in
//! `fragments.rs`; this module only names and selects them.
//!
//! # Host tables
//!
//! [`HostTable`] maps address prefixes to a value with longest-prefix
//! matching: the `host-os-policy` section (prefix → [`Policy`]) and
//! `defrag.host-config` (prefix → timeout). A tracker takes both from the
//! destination address of the fragment that creates it, as Suricata does.
//! The table is a plain list: these sections hold a handful of entries, and
//! the lookup runs once per new datagram, not per fragment.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// A fragment overlap policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Policy {
    /// The first copy of a byte wins.
    First,
    /// The last copy of a byte wins.
    Last,
    /// BSD (Suricata's default): earlier data wins unless the new fragment
    /// starts before the earlier one.
    #[default]
    Bsd,
    /// BSD-right as Suricata 8.0.6 implements it: no trimming, highest
    /// start offset (then latest arrival) wins.
    BsdRight,
    /// Linux: as BSD, but an equal start offset favours the new fragment.
    Linux,
    /// Windows: earlier data wins unless fully covered (strictly on both
    /// ends) by the new fragment.
    Windows,
    /// Solaris: earlier data wins unless the new fragment starts before it
    /// and ends at or after its end.
    Solaris,
}

impl Policy {
    /// Every policy, in Suricata's enum order.
    pub const ALL: [Policy; 7] = [
        Policy::First,
        Policy::Last,
        Policy::Bsd,
        Policy::BsdRight,
        Policy::Linux,
        Policy::Windows,
        Policy::Solaris,
    ];

    /// Maps a Suricata `host-os-policy` OS name to the defrag policy
    /// Suricata uses for it (`DefragGetOsPolicy`): `bsd`, `hpux10`, `irix`
    /// → BSD; `bsd-right`; `old-linux`, `linux` → Linux; `old-solaris`,
    /// `hpux11`, `macos`, `first` → First; `solaris`; `windows`, `vista`,
    /// `windows2k3` → Windows; `last`. Case-insensitive; `None` for
    /// anything else.
    pub fn from_os_name(name: &str) -> Option<Policy> {
        let lower = name.trim().to_ascii_lowercase();
        Some(match lower.as_str() {
            "bsd" | "hpux10" | "irix" => Policy::Bsd,
            "bsd-right" | "bsd_right" => Policy::BsdRight,
            "old-linux" | "linux" => Policy::Linux,
            "old-solaris" | "hpux11" | "macos" | "first" => Policy::First,
            "solaris" => Policy::Solaris,
            "windows" | "vista" | "windows2k3" => Policy::Windows,
            "last" => Policy::Last,
            _ => return None,
        })
    }

    /// The policy's own name (`first`, `last`, `bsd`, `bsd-right`, `linux`,
    /// `windows`, `solaris`).
    pub fn name(self) -> &'static str {
        match self {
            Policy::First => "first",
            Policy::Last => "last",
            Policy::Bsd => "bsd",
            Policy::BsdRight => "bsd-right",
            Policy::Linux => "linux",
            Policy::Windows => "windows",
            Policy::Solaris => "solaris",
        }
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a prefix or policy name was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HostTableError {
    /// The address part is not an IPv4 or IPv6 address.
    #[error("invalid address in `{0}`")]
    Address(String),
    /// The prefix length is not a number or exceeds the address width.
    #[error("invalid prefix length in `{0}`")]
    PrefixLength(String),
    /// Not a Suricata host-os-policy name.
    #[error("unknown host-os-policy name `{0}`")]
    PolicyName(String),
}

/// An address prefix such as `10.0.0.0/8`, `::1` or `2001:db8::/32`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Prefix {
    addr: IpAddr,
    len: u8,
}

impl Prefix {
    /// A prefix of `len` bits (clamped to the address width); host bits of
    /// `addr` are ignored when matching.
    pub fn new(addr: IpAddr, len: u8) -> Prefix {
        let max = if addr.is_ipv4() { 32 } else { 128 };
        Prefix {
            addr,
            len: len.min(max),
        }
    }

    /// The prefix length in bits.
    pub fn len(&self) -> u8 {
        self.len
    }

    /// Whether this is a zero-length (match-everything) prefix.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether `addr` lies inside the prefix (never across families).
    pub fn contains(&self, addr: IpAddr) -> bool {
        match (self.addr, addr) {
            (IpAddr::V4(net), IpAddr::V4(a)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.len)).unwrap_or(0);
                u32::from(net) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(a)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.len))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for Prefix {
    type Err = HostTableError;

    /// Parses `ADDR` (a host) or `ADDR/LEN`.
    fn from_str(text: &str) -> Result<Prefix, HostTableError> {
        let text = text.trim();
        let (addr_text, len_text) = match text.split_once('/') {
            Some((a, l)) => (a, Some(l)),
            None => (text, None),
        };
        let addr: IpAddr = addr_text
            .trim()
            .parse()
            .map_err(|_| HostTableError::Address(text.to_string()))?;
        let max: u8 = if addr.is_ipv4() { 32 } else { 128 };
        let len = match len_text {
            None => max,
            Some(l) => match l.trim().parse::<u8>() {
                Ok(n) if n <= max => n,
                _ => return Err(HostTableError::PrefixLength(text.to_string())),
            },
        };
        Ok(Prefix { addr, len })
    }
}

/// Prefix → value with longest-prefix lookup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostTable<T> {
    entries: Vec<(Prefix, T)>,
}

impl<T> Default for HostTable<T> {
    fn default() -> HostTable<T> {
        HostTable {
            entries: Vec::new(),
        }
    }
}

impl<T: Copy> HostTable<T> {
    /// An empty table.
    pub fn new() -> HostTable<T> {
        HostTable::default()
    }

    /// Adds (or replaces) the value for `prefix`.
    pub fn insert(&mut self, prefix: Prefix, value: T) {
        if let Some(slot) = self.entries.iter_mut().find(|(p, _)| *p == prefix) {
            slot.1 = value;
        } else {
            self.entries.push((prefix, value));
        }
    }

    /// Parses `prefix` (see [`Prefix`]) and adds it.
    ///
    /// # Errors
    /// The text is not an address or address/length.
    pub fn insert_str(&mut self, prefix: &str, value: T) -> Result<(), HostTableError> {
        self.insert(prefix.parse()?, value);
        Ok(())
    }

    /// The value of the longest prefix containing `addr`.
    pub fn lookup(&self, addr: IpAddr) -> Option<T> {
        self.entries
            .iter()
            .filter(|(p, _)| p.contains(addr))
            .max_by_key(|(p, _)| p.len())
            .map(|(_, v)| *v)
    }

    /// Number of prefixes.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl HostTable<Policy> {
    /// Adds every address of one `host-os-policy` entry (`windows: [..]`):
    /// `os` is the Suricata OS name (see [`Policy::from_os_name`]).
    ///
    /// # Errors
    /// An unknown OS name or a malformed address.
    pub fn insert_os<'a>(
        &mut self,
        os: &str,
        addresses: impl IntoIterator<Item = &'a str>,
    ) -> Result<(), HostTableError> {
        let policy =
            Policy::from_os_name(os).ok_or_else(|| HostTableError::PolicyName(os.to_string()))?;
        for a in addresses {
            self.insert_str(a, policy)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn os_names_map_as_suricata() {
        assert_eq!(Policy::from_os_name("hpux10"), Some(Policy::Bsd));
        assert_eq!(Policy::from_os_name("irix"), Some(Policy::Bsd));
        assert_eq!(Policy::from_os_name("bsd-right"), Some(Policy::BsdRight));
        assert_eq!(Policy::from_os_name("old-linux"), Some(Policy::Linux));
        assert_eq!(Policy::from_os_name("macos"), Some(Policy::First));
        assert_eq!(Policy::from_os_name("hpux11"), Some(Policy::First));
        assert_eq!(Policy::from_os_name("old-solaris"), Some(Policy::First));
        assert_eq!(Policy::from_os_name("Solaris"), Some(Policy::Solaris));
        assert_eq!(Policy::from_os_name("vista"), Some(Policy::Windows));
        assert_eq!(Policy::from_os_name("windows2k3"), Some(Policy::Windows));
        assert_eq!(Policy::from_os_name("last"), Some(Policy::Last));
        assert_eq!(Policy::from_os_name("plan9"), None);
        assert_eq!(Policy::default(), Policy::Bsd);
    }

    #[test]
    fn prefixes_parse_and_match() {
        let p: Prefix = "10.1.0.0/16".parse().unwrap();
        assert!(p.contains(ip("10.1.200.3")));
        assert!(!p.contains(ip("10.2.0.1")));
        assert!(!p.contains(ip("::1")));
        let host: Prefix = "192.168.1.1".parse().unwrap();
        assert_eq!(host.len(), 32);
        assert!(host.contains(ip("192.168.1.1")));
        assert!(!host.contains(ip("192.168.1.2")));
        let any: Prefix = "0.0.0.0/0".parse().unwrap();
        assert!(any.contains(ip("1.2.3.4")));
        let v6: Prefix = "2001:db8::/32".parse().unwrap();
        assert!(v6.contains(ip("2001:db8:ffff::1")));
        assert!(!v6.contains(ip("2001:db9::1")));
        assert!("10.0.0.0/33".parse::<Prefix>().is_err());
        assert!("10.0.0/8".parse::<Prefix>().is_err());
        assert!("::/129".parse::<Prefix>().is_err());
    }

    #[test]
    fn longest_prefix_wins() {
        let mut t = HostTable::new();
        t.insert_os("windows", ["10.0.0.0/8"]).unwrap();
        t.insert_os("linux", ["10.1.0.0/16", "::1"]).unwrap();
        t.insert_os("solaris", ["10.1.2.3"]).unwrap();
        assert_eq!(t.lookup(ip("10.9.9.9")), Some(Policy::Windows));
        assert_eq!(t.lookup(ip("10.1.9.9")), Some(Policy::Linux));
        assert_eq!(t.lookup(ip("10.1.2.3")), Some(Policy::Solaris));
        assert_eq!(t.lookup(ip("::1")), Some(Policy::Linux));
        assert_eq!(t.lookup(ip("11.0.0.1")), None);
        assert!(t.insert_os("beos", ["1.1.1.1"]).is_err());
    }
}
