//! Sets of unsigned integers kept as sorted, disjoint, non-adjacent
//! inclusive ranges: the normal form behind [`AddressSet`] (u32 for IPv4,
//! u128 for IPv6) and [`PortSet`] (u16).
//!
//! Every constructor normalises, so two equal sets have equal range lists
//! and `contains` is one binary search.
//!
//! [`AddressSet`]: super::AddressSet
//! [`PortSet`]: super::PortSet

/// An unsigned integer type a [`RangeSet`] can hold.
pub trait Bound: Copy + Ord + std::fmt::Debug {
    /// The smallest value.
    const MIN: Self;
    /// The largest value.
    const MAX: Self;
    /// `self + 1`, or `None` at `MAX`.
    fn succ(self) -> Option<Self>;
    /// `self - 1`, or `None` at `MIN`.
    fn pred(self) -> Option<Self>;
}

macro_rules! bound {
    ($t:ty) => {
        impl Bound for $t {
            const MIN: Self = <$t>::MIN;
            const MAX: Self = <$t>::MAX;
            fn succ(self) -> Option<Self> {
                self.checked_add(1)
            }
            fn pred(self) -> Option<Self> {
                self.checked_sub(1)
            }
        }
    };
}
bound!(u16);
bound!(u32);
bound!(u128);

/// A set of integers as sorted, disjoint, non-adjacent inclusive ranges.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RangeSet<T: Bound> {
    ranges: Vec<(T, T)>,
}

impl<T: Bound> Default for RangeSet<T> {
    fn default() -> Self {
        RangeSet { ranges: Vec::new() }
    }
}

impl<T: Bound> RangeSet<T> {
    /// The empty set.
    pub fn empty() -> Self {
        Self::default()
    }

    /// Every value of `T`.
    pub fn all() -> Self {
        RangeSet {
            ranges: vec![(T::MIN, T::MAX)],
        }
    }

    /// The set holding the given inclusive ranges (in any order, possibly
    /// overlapping); ranges with `lo > hi` are ignored.
    pub fn from_ranges(mut ranges: Vec<(T, T)>) -> Self {
        ranges.retain(|(lo, hi)| lo <= hi);
        ranges.sort_unstable();
        let mut out: Vec<(T, T)> = Vec::with_capacity(ranges.len());
        for (lo, hi) in ranges {
            if let Some(last) = out.last_mut() {
                // Merge overlapping or adjacent ranges.
                let touches = match last.1.succ() {
                    Some(next) => lo <= next,
                    None => true,
                };
                if touches {
                    if hi > last.1 {
                        last.1 = hi;
                    }
                    continue;
                }
            }
            out.push((lo, hi));
        }
        RangeSet { ranges: out }
    }

    /// The ranges, sorted and disjoint.
    pub fn ranges(&self) -> &[(T, T)] {
        &self.ranges
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Whether the set holds every value.
    pub fn is_all(&self) -> bool {
        self.ranges.as_slice() == [(T::MIN, T::MAX)]
    }

    /// Whether `v` is in the set.
    pub fn contains(&self, v: T) -> bool {
        // Index of the first range whose end is >= v.
        let i = self.ranges.partition_point(|&(_, hi)| hi < v);
        self.ranges.get(i).is_some_and(|&(lo, _)| lo <= v)
    }

    /// `self − other`.
    pub fn difference(&self, other: &Self) -> Self {
        let mut out = Vec::with_capacity(self.ranges.len());
        let mut j = 0;
        for &(lo, hi) in &self.ranges {
            let mut cur = Some(lo);
            // Skip subtrahend ranges that end before this range starts.
            while other.ranges.get(j).is_some_and(|&(_, ohi)| ohi < lo) {
                j += 1;
            }
            let mut k = j;
            while let (Some(start), Some(&(olo, ohi))) = (cur, other.ranges.get(k)) {
                if olo > hi {
                    break;
                }
                if olo > start {
                    // olo > start >= MIN, so pred exists.
                    if let Some(p) = olo.pred() {
                        out.push((start, p));
                    }
                }
                cur = if ohi >= hi { None } else { ohi.succ() };
                k += 1;
            }
            if let Some(start) = cur {
                out.push((start, hi));
            }
        }
        RangeSet { ranges: out }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_overlap_and_adjacency() {
        let s = RangeSet::<u16>::from_ranges(vec![(10, 20), (1, 5), (6, 8), (15, 30), (40, 39)]);
        assert_eq!(s.ranges(), &[(1, 8), (10, 30)]);
    }

    #[test]
    fn contains_uses_inclusive_bounds() {
        let s = RangeSet::<u16>::from_ranges(vec![(10, 20), (30, 30)]);
        assert!(!s.contains(9));
        assert!(s.contains(10));
        assert!(s.contains(20));
        assert!(!s.contains(21));
        assert!(s.contains(30));
        assert!(!s.contains(31));
        assert!(!RangeSet::<u16>::empty().contains(0));
    }

    #[test]
    fn difference_splits_ranges() {
        let all = RangeSet::<u16>::all();
        let s = all.difference(&RangeSet::from_ranges(vec![(80, 80), (443, 443)]));
        assert_eq!(s.ranges(), &[(0, 79), (81, 442), (444, 65535)]);
        let t = s.difference(&RangeSet::from_ranges(vec![(0, 100)]));
        assert_eq!(t.ranges(), &[(101, 442), (444, 65535)]);
        assert!(all.difference(&all).is_empty());
    }

    #[test]
    fn difference_at_the_edges() {
        let s = RangeSet::<u16>::from_ranges(vec![(0, 10)]);
        assert_eq!(
            s.difference(&RangeSet::from_ranges(vec![(0, 0)])).ranges(),
            &[(1, 10)]
        );
        assert_eq!(
            s.difference(&RangeSet::from_ranges(vec![(10, 20)]))
                .ranges(),
            &[(0, 9)]
        );
        let top = RangeSet::<u16>::from_ranges(vec![(65530, 65535)]);
        assert_eq!(
            top.difference(&RangeSet::from_ranges(vec![(65535, 65535)]))
                .ranges(),
            &[(65530, 65534)]
        );
    }

    #[test]
    fn all_is_all() {
        assert!(RangeSet::<u32>::all().is_all());
        assert!(!RangeSet::<u32>::from_ranges(vec![(1, 2)]).is_all());
    }
}
