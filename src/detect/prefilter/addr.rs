//! Address tables (Suricata's IP-only engine does the same with radix
//! trees): rules without a fast pattern whose source or destination
//! address set is small are found by one lookup of the packet's address
//! instead of being checked one by one on every packet of their group.
//!
//! ET Open has ~1,200 such rules (lists of 10 to 400 addresses: Tor
//! exit nodes, CINS, DShield, botnet C&C); each flow's first packet in
//! each direction evaluated all of them (the later ones skip them as
//! IP-only, see `Prefilter::candidates`).
//!
//! A rule is *indexed* by one side: the one of its two address sets
//! holding fewer addresses, when that set holds at most
//! [`MAX_KEY_ADDRESSES`]. As a rule can only match a packet whose source
//! is in its source set and destination in its destination set, the
//! rule is a candidate exactly when the packet's address on the indexed
//! side is in the indexed set; the full check does the rest. Rules
//! matching both ways (`<>`) and rules whose smaller side is large stay
//! in the always lists. The tables are sorted elementary intervals of
//! the indexed sets' bounds with the rules covering each; their size is
//! capped ([`MAX_ENTRIES`] rule entries, rules beyond it stay in the
//! always lists).

use std::net::IpAddr;

use super::super::engine::CompiledRule;
use crate::rule::AddressSet;

/// The most addresses an indexed side may hold (a /16 of IPv4).
pub const MAX_KEY_ADDRESSES: u128 = 1 << 16;

/// The most rule entries (summed over intervals) one family's tables
/// hold.
pub const MAX_ENTRIES: usize = 1 << 22;

/// Which address of a packet a rule is indexed by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The packet's source must be in the rule's source set.
    Src,
    /// The packet's destination must be in the rule's destination set.
    Dst,
}

fn size(s: &AddressSet) -> u128 {
    let v4: u128 = s
        .v4_ranges()
        .map(|(lo, hi)| u128::from(u32::from(hi) - u32::from(lo)) + 1)
        .sum();
    s.v6_ranges().fold(v4, |n, (lo, hi)| {
        n.saturating_add((u128::from(hi) - u128::from(lo)).saturating_add(1))
    })
}

/// The side rule `r` is indexed by, or `None` when it stays in the
/// always lists.
pub fn key_side(r: &CompiledRule) -> Option<Side> {
    if r.both_ways {
        return None;
    }
    let e = r.endpoints.as_ref()?;
    let (s, d) = (size(&e.src), size(&e.dst));
    let (side, n) = if s <= d {
        (Side::Src, s)
    } else {
        (Side::Dst, d)
    };
    (n <= MAX_KEY_ADDRESSES).then_some(side)
}

/// How many intervals of `starts` the range `lo..end` covers (`end`:
/// one past its last address, `None` at the top of the address space).
fn span<T: Copy + Ord>(starts: &[T], lo: T, end: Option<T>) -> usize {
    let a = starts.partition_point(|&s| s < lo);
    let b = end.map_or(starts.len(), |n| starts.partition_point(|&s| s < n));
    b.saturating_sub(a)
}

/// One address family's table.
#[derive(Debug, Default)]
struct Table<T> {
    /// Interval `k` is `starts[k]..starts[k + 1]` (the last one to the
    /// end of the address space).
    starts: Vec<T>,
    /// Interval `k`'s rules are `rules[offsets[k]..offsets[k + 1]]`.
    offsets: Vec<u32>,
    rules: Vec<u32>,
}

impl<T: Copy + Ord> Table<T> {
    /// `entries`: inclusive ranges and their rule; `next(hi)` is `hi + 1`,
    /// `None` at the top of the address space.
    fn build(entries: &[(T, T, u32)], next: impl Fn(T) -> Option<T>) -> Table<T> {
        let mut starts: Vec<T> = entries
            .iter()
            .flat_map(|&(lo, hi, _)| std::iter::once(lo).chain(next(hi)))
            .collect();
        starts.sort_unstable();
        starts.dedup();
        let mut per: Vec<Vec<u32>> = vec![Vec::new(); starts.len()];
        for &(lo, hi, rule) in entries {
            let a = starts.partition_point(|&s| s < lo);
            let b = a + span(&starts[a..], lo, next(hi));
            for slot in &mut per[a..b] {
                slot.push(rule);
            }
        }
        let mut offsets = Vec::with_capacity(per.len() + 1);
        let mut rules = Vec::new();
        offsets.push(0);
        for mut p in per {
            p.sort_unstable();
            p.dedup();
            rules.extend_from_slice(&p);
            offsets.push(u32::try_from(rules.len()).unwrap_or(u32::MAX));
        }
        Table {
            starts,
            offsets,
            rules,
        }
    }

    fn lookup(&self, x: T, out: &mut Vec<u32>) {
        let k = self.starts.partition_point(|&s| s <= x);
        let Some(k) = k.checked_sub(1) else { return };
        let (a, b) = (self.offsets[k] as usize, self.offsets[k + 1] as usize);
        out.extend_from_slice(&self.rules[a..b]);
    }
}

/// The address tables of one family.
#[derive(Debug, Default)]
pub struct AddrIndex {
    /// `[src, dst]` tables for IPv4 and IPv6.
    v4: [Table<u32>; 2],
    v6: [Table<u128>; 2],
}

impl AddrIndex {
    /// Indexes `candidates` (rule, side) of `rules`. Returns the index
    /// and the rules that did fit (rules past [`MAX_ENTRIES`] do not and
    /// stay in the always lists).
    pub fn build(rules: &[CompiledRule], candidates: &[(u32, Side)]) -> (AddrIndex, Vec<u32>) {
        let sets: Vec<(u32, usize, &AddressSet)> = candidates
            .iter()
            .filter_map(|&(i, side)| {
                let e = rules.get(i as usize)?.endpoints.as_ref()?;
                Some(match side {
                    Side::Src => (i, 0, &*e.src),
                    Side::Dst => (i, 1, &*e.dst),
                })
            })
            .collect();
        let next4 = |h: u32| h.checked_add(1);
        let next6 = |h: u128| h.checked_add(1);
        // The interval bounds of every candidate: a rule's entries are
        // the intervals its ranges cover, counted against these (bounds
        // of rules left out only split intervals, so the count is an
        // upper bound of what the tables then hold).
        let mut b4: [Vec<u32>; 2] = Default::default();
        let mut b6: [Vec<u128>; 2] = Default::default();
        for &(_, t, set) in &sets {
            for (lo, hi) in set.v4_ranges() {
                b4[t].push(u32::from(lo));
                b4[t].extend(next4(u32::from(hi)));
            }
            for (lo, hi) in set.v6_ranges() {
                b6[t].push(u128::from(lo));
                b6[t].extend(next6(u128::from(hi)));
            }
        }
        for b in &mut b4 {
            b.sort_unstable();
            b.dedup();
        }
        for b in &mut b6 {
            b.sort_unstable();
            b.dedup();
        }
        let mut v4: [Vec<(u32, u32, u32)>; 2] = Default::default();
        let mut v6: [Vec<(u128, u128, u32)>; 2] = Default::default();
        let mut taken = Vec::new();
        let mut total = 0usize;
        for &(i, t, set) in &sets {
            let cost: usize = set
                .v4_ranges()
                .map(|(lo, hi)| span(&b4[t], u32::from(lo), next4(u32::from(hi))))
                .chain(
                    set.v6_ranges()
                        .map(|(lo, hi)| span(&b6[t], u128::from(lo), next6(u128::from(hi)))),
                )
                .sum();
            if total.saturating_add(cost) > MAX_ENTRIES {
                continue;
            }
            total += cost;
            v4[t].extend(
                set.v4_ranges()
                    .map(|(lo, hi)| (u32::from(lo), u32::from(hi), i)),
            );
            v6[t].extend(
                set.v6_ranges()
                    .map(|(lo, hi)| (u128::from(lo), u128::from(hi), i)),
            );
            taken.push(i);
        }
        let [s4, d4] = v4;
        let [s6, d6] = v6;
        let index = AddrIndex {
            v4: [Table::build(&s4, next4), Table::build(&d4, next4)],
            v6: [Table::build(&s6, next6), Table::build(&d6, next6)],
        };
        (index, taken)
    }

    /// Appends the rules a packet from `src` to `dst` selects (unsorted,
    /// maybe repeated).
    pub fn lookup(&self, src: IpAddr, dst: IpAddr, out: &mut Vec<u32>) {
        for (t, a) in [(0, src), (1, dst)] {
            match a {
                IpAddr::V4(a) => self.v4[t].lookup(u32::from(a), out),
                IpAddr::V6(a) => self.v6[t].lookup(u128::from(a), out),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_finds_covering_ranges() {
        // Rule 1: 10..=20, rule 2: 15..=15, rule 3: 30..=u32::MAX.
        let t = Table::build(&[(10, 20, 1), (15, 15, 2), (30, u32::MAX, 3)], |h: u32| {
            h.checked_add(1)
        });
        let look = |x: u32| {
            let mut v = Vec::new();
            t.lookup(x, &mut v);
            v
        };
        assert_eq!(look(9), Vec::<u32>::new());
        assert_eq!(look(10), vec![1]);
        assert_eq!(look(15), vec![1, 2]);
        assert_eq!(look(16), vec![1]);
        assert_eq!(look(20), vec![1]);
        assert_eq!(look(21), Vec::<u32>::new());
        assert_eq!(look(30), vec![3]);
        assert_eq!(look(u32::MAX), vec![3]);
        assert_eq!(look(0), Vec::<u32>::new());
    }
}
