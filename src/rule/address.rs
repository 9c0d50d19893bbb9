//! Addresses in rule headers and address variables: the written form
//! ([`AddressExpr`]) and the resolved set ([`AddressSet`]).
//!
//! An `AddressExpr` is what the rule says (`[$HOME_NET,!10.0.0.1]`); it
//! prints back to the same text. An `AddressSet` is what it means once
//! variables are substituted: sorted IPv4 and IPv6 ranges with a
//! `contains` method. Resolution lives in [`super::resolve`].

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::ranges::RangeSet;

/// An address as written in a rule header or an address variable.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum AddressExpr {
    /// `any`: every IPv4 and IPv6 address.
    Any,
    /// `$NAME` (stored without the `$`).
    Var(String),
    /// One address or a CIDR block (`10.0.0.0/8`); a netmask written as
    /// `/255.0.0.0` is stored as its prefix length.
    Block(IpBlock),
    /// An inclusive range `first-last` of one family.
    Range(IpAddr, IpAddr),
    /// `[a,b,...]`.
    List(Vec<AddressExpr>),
    /// `!x`.
    Not(Box<AddressExpr>),
}

/// One address with an optional prefix length.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IpBlock {
    /// The address as written (host bits may be set, as in `10.1.2.3/8`).
    pub addr: IpAddr,
    /// Prefix length, `None` for a single address.
    pub prefix: Option<u8>,
}

impl IpBlock {
    /// The inclusive range of addresses this block covers, as integers.
    fn bounds_v4(addr: Ipv4Addr, prefix: u8) -> (u32, u32) {
        let a = u32::from(addr);
        let mask = if prefix == 0 {
            0
        } else {
            u32::MAX << (32 - u32::from(prefix))
        };
        (a & mask, (a & mask) | !mask)
    }

    fn bounds_v6(addr: Ipv6Addr, prefix: u8) -> (u128, u128) {
        let a = u128::from(addr);
        let mask = if prefix == 0 {
            0
        } else {
            u128::MAX << (128 - u32::from(prefix))
        };
        (a & mask, (a & mask) | !mask)
    }
}

/// Parses one address token: `1.2.3.4`, `1.2.3.0/24`, `1.2.3.0/255.255.255.0`,
/// `1.2.3.4-1.2.3.9`, `::1`, `2001:db8::/32`. Returns a reason on failure.
pub(crate) fn parse_ip_token(text: &str) -> Result<AddressExpr, String> {
    if let Some((a, b)) = text.split_once('/') {
        let addr: IpAddr = a
            .parse()
            .map_err(|_| format!("'{a}' is not an IP address"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = if let Ok(p) = b.parse::<u8>() {
            p
        } else if let (IpAddr::V4(_), Ok(mask)) = (addr, b.parse::<Ipv4Addr>()) {
            let m = u32::from(mask);
            // A netmask must be contiguous ones then zeros.
            if m.leading_ones() + m.trailing_zeros() != 32 {
                return Err(format!("'{b}' is not a contiguous netmask"));
            }
            m.leading_ones() as u8
        } else {
            return Err(format!("'{b}' is not a prefix length"));
        };
        if prefix > max {
            return Err(format!("prefix /{prefix} is longer than {max} bits"));
        }
        return Ok(AddressExpr::Block(IpBlock {
            addr,
            prefix: Some(prefix),
        }));
    }
    // A range `a-b`: IPv6 addresses never contain '-'.
    if let Some((a, b)) = text.split_once('-') {
        let lo: IpAddr = a
            .parse()
            .map_err(|_| format!("'{a}' is not an IP address"))?;
        let hi: IpAddr = b
            .parse()
            .map_err(|_| format!("'{b}' is not an IP address"))?;
        let ordered = match (lo, hi) {
            (IpAddr::V4(l), IpAddr::V4(h)) => l <= h,
            (IpAddr::V6(l), IpAddr::V6(h)) => l <= h,
            _ => return Err("a range cannot mix IPv4 and IPv6".to_string()),
        };
        if !ordered {
            return Err("range starts after it ends".to_string());
        }
        return Ok(AddressExpr::Range(lo, hi));
    }
    let addr: IpAddr = text
        .parse()
        .map_err(|_| format!("'{text}' is not an IP address"))?;
    Ok(AddressExpr::Block(IpBlock { addr, prefix: None }))
}

impl fmt::Display for AddressExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AddressExpr::Any => f.write_str("any"),
            AddressExpr::Var(name) => write!(f, "${name}"),
            AddressExpr::Block(b) => write!(f, "{b}"),
            AddressExpr::Range(a, b) => write!(f, "{a}-{b}"),
            AddressExpr::List(items) => {
                f.write_str("[")?;
                for (i, it) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{it}")?;
                }
                f.write_str("]")
            }
            AddressExpr::Not(inner) => write!(f, "!{inner}"),
        }
    }
}

impl fmt::Display for IpBlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.prefix {
            Some(p) => write!(f, "{}/{p}", self.addr),
            None => write!(f, "{}", self.addr),
        }
    }
}

/// A resolved address set: what a header address matches.
///
/// IPv4 and IPv6 are kept apart, each as sorted disjoint inclusive ranges,
/// so `contains` is a binary search and equal sets compare equal.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct AddressSet {
    pub(crate) v4: RangeSet<u32>,
    pub(crate) v6: RangeSet<u128>,
}

impl AddressSet {
    /// Every address of both families (`any`).
    pub fn any() -> AddressSet {
        AddressSet {
            v4: RangeSet::all(),
            v6: RangeSet::all(),
        }
    }

    /// Whether `ip` is in the set.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match ip {
            IpAddr::V4(a) => self.v4.contains(u32::from(a)),
            IpAddr::V6(a) => self.v6.contains(u128::from(a)),
        }
    }

    /// Whether the set holds every address of both families.
    pub fn is_any(&self) -> bool {
        self.v4.is_all() && self.v6.is_all()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty()
    }

    /// IPv4 ranges, inclusive, sorted and disjoint.
    pub fn v4_ranges(&self) -> impl Iterator<Item = (Ipv4Addr, Ipv4Addr)> + '_ {
        self.v4
            .ranges()
            .iter()
            .map(|&(a, b)| (Ipv4Addr::from(a), Ipv4Addr::from(b)))
    }

    /// IPv6 ranges, inclusive, sorted and disjoint.
    pub fn v6_ranges(&self) -> impl Iterator<Item = (Ipv6Addr, Ipv6Addr)> + '_ {
        self.v6
            .ranges()
            .iter()
            .map(|&(a, b)| (Ipv6Addr::from(a), Ipv6Addr::from(b)))
    }

    /// The set as a minimal list of CIDR blocks (IPv4 first).
    pub fn cidrs(&self) -> Vec<IpBlock> {
        let mut out = Vec::new();
        for &(lo, hi) in self.v4.ranges() {
            split_cidr(u128::from(lo), u128::from(hi), 32, &mut |a, p| {
                out.push(IpBlock {
                    addr: IpAddr::V4(Ipv4Addr::from(a as u32)),
                    prefix: Some(p),
                })
            });
        }
        for &(lo, hi) in self.v6.ranges() {
            split_cidr(lo, hi, 128, &mut |a, p| {
                out.push(IpBlock {
                    addr: IpAddr::V6(Ipv6Addr::from(a)),
                    prefix: Some(p),
                })
            });
        }
        out
    }

    /// The set covering one block or range.
    pub(crate) fn from_leaf(expr: &AddressExpr) -> AddressSet {
        let mut set = AddressSet::default();
        match expr {
            AddressExpr::Any => return AddressSet::any(),
            AddressExpr::Block(b) => match b.addr {
                IpAddr::V4(a) => {
                    let (lo, hi) = IpBlock::bounds_v4(a, b.prefix.unwrap_or(32));
                    set.v4 = RangeSet::from_ranges(vec![(lo, hi)]);
                }
                IpAddr::V6(a) => {
                    let (lo, hi) = IpBlock::bounds_v6(a, b.prefix.unwrap_or(128));
                    set.v6 = RangeSet::from_ranges(vec![(lo, hi)]);
                }
            },
            AddressExpr::Range(IpAddr::V4(a), IpAddr::V4(b)) => {
                set.v4 = RangeSet::from_ranges(vec![(u32::from(*a), u32::from(*b))]);
            }
            AddressExpr::Range(IpAddr::V6(a), IpAddr::V6(b)) => {
                set.v6 = RangeSet::from_ranges(vec![(u128::from(*a), u128::from(*b))]);
            }
            // Mixed ranges are rejected by the parser; lists, negations
            // and variables are not leaves.
            _ => {}
        }
        set
    }
}

/// Splits the inclusive range `lo..=hi` of a `bits`-wide family into CIDR
/// blocks, calling `out(start, prefix)` for each.
fn split_cidr(mut lo: u128, hi: u128, bits: u32, out: &mut dyn FnMut(u128, u8)) {
    loop {
        // The largest block 2^k that starts at `lo` (aligned) and ends by `hi`.
        let mut k = if lo == 0 {
            bits
        } else {
            lo.trailing_zeros().min(bits)
        };
        loop {
            if k == 128 {
                // Only lo == 0 in IPv6: the whole space, or smaller.
                if hi == u128::MAX {
                    out(0, 0);
                    return;
                }
                k -= 1;
                continue;
            }
            // lo is a multiple of 2^k, so this cannot overflow.
            if lo + ((1u128 << k) - 1) <= hi {
                break;
            }
            k -= 1;
        }
        out(lo, (bits - k) as u8);
        let last = lo + ((1u128 << k) - 1);
        if last >= hi {
            return;
        }
        lo = last + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn tokens_parse() {
        assert_eq!(
            parse_ip_token("10.0.0.0/8").unwrap(),
            AddressExpr::Block(IpBlock {
                addr: ip("10.0.0.0"),
                prefix: Some(8)
            })
        );
        assert_eq!(
            parse_ip_token("10.0.0.0/255.255.0.0").unwrap(),
            AddressExpr::Block(IpBlock {
                addr: ip("10.0.0.0"),
                prefix: Some(16)
            })
        );
        assert_eq!(
            parse_ip_token("1.2.3.4-1.2.3.9").unwrap(),
            AddressExpr::Range(ip("1.2.3.4"), ip("1.2.3.9"))
        );
        assert_eq!(
            parse_ip_token("ff00::/8").unwrap(),
            AddressExpr::Block(IpBlock {
                addr: ip("ff00::"),
                prefix: Some(8)
            })
        );
    }

    #[test]
    fn bad_tokens_say_why() {
        assert!(parse_ip_token("1.2.3").unwrap_err().contains("not an IP"));
        assert!(parse_ip_token("1.2.3.4/33")
            .unwrap_err()
            .contains("longer than 32"));
        assert!(parse_ip_token("1.2.3.4/255.0.255.0")
            .unwrap_err()
            .contains("contiguous"));
        assert!(parse_ip_token("1.2.3.9-1.2.3.4")
            .unwrap_err()
            .contains("starts after"));
        assert!(parse_ip_token("1.2.3.4-::1").unwrap_err().contains("mix"));
        assert!(parse_ip_token("::1/129")
            .unwrap_err()
            .contains("longer than 128"));
    }

    #[test]
    fn leaf_sets() {
        let s = AddressSet::from_leaf(&parse_ip_token("10.1.2.3/8").unwrap());
        assert!(s.contains(ip("10.0.0.0")));
        assert!(s.contains(ip("10.255.255.255")));
        assert!(!s.contains(ip("11.0.0.0")));
        assert!(!s.contains(ip("::a01:203")));
        let any = AddressSet::any();
        assert!(any.contains(ip("::1")) && any.contains(ip("0.0.0.0")));
    }

    #[test]
    fn cidrs_of_a_range() {
        let s = AddressSet::from_leaf(&parse_ip_token("10.0.0.1-10.0.0.6").unwrap());
        let c: Vec<String> = s.cidrs().iter().map(|b| b.to_string()).collect();
        assert_eq!(
            c,
            ["10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6/32"]
        );
        let all: Vec<String> = AddressSet::any()
            .cidrs()
            .iter()
            .map(|b| b.to_string())
            .collect();
        assert_eq!(all, ["0.0.0.0/0", "::/0"]);
    }

    #[test]
    fn display_round_trips_text() {
        let e = AddressExpr::List(vec![
            AddressExpr::Var("HOME_NET".into()),
            AddressExpr::Not(Box::new(parse_ip_token("10.0.0.1").unwrap())),
        ]);
        assert_eq!(e.to_string(), "[$HOME_NET,!10.0.0.1]");
    }
}
