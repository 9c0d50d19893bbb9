//! [`Tally`]: a counter of packets per key with a cap on distinct keys, and
//! [`Table`], the sorted, serialisable result every report table shares.
//!
//! Invariants: a tally never holds more than its cap of distinct keys; a
//! packet whose key is new once the cap is reached is counted in
//! [`Table::overflow`] instead of being dropped silently, so `total +
//! overflow` is always the number of packets offered. Rows sort by count,
//! highest first, then by key, so equal counts always print in the same
//! order.

use std::collections::HashMap;
use std::hash::Hash;

use serde::Serialize;

/// Counts per key, at most `cap` distinct keys.
#[derive(Debug, Clone)]
pub(crate) struct Tally<K> {
    counts: HashMap<K, u64>,
    cap: usize,
    overflow: u64,
}

impl<K: Hash + Eq> Tally<K> {
    /// An empty tally holding at most `cap` distinct keys.
    pub(crate) fn new(cap: usize) -> Tally<K> {
        Tally {
            counts: HashMap::new(),
            cap,
            overflow: 0,
        }
    }

    /// Counts one packet for `key`.
    pub(crate) fn add(&mut self, key: K) {
        self.add_n(key, 1);
    }

    /// Counts `n` packets for `key`.
    pub(crate) fn add_n(&mut self, key: K, n: u64) {
        if let Some(c) = self.counts.get_mut(&key) {
            *c += n;
        } else if self.counts.len() < self.cap {
            self.counts.insert(key, n);
        } else {
            self.overflow += n;
        }
    }

    /// Counts one packet for a borrowed key, allocating only when the key
    /// is new (`make` builds the owned key).
    pub(crate) fn add_borrowed<Q>(&mut self, key: &Q, make: impl FnOnce(&Q) -> K)
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        if let Some(c) = self.counts.get_mut(key) {
            *c += 1;
        } else if self.counts.len() < self.cap {
            self.counts.insert(make(key), 1);
        } else {
            self.overflow += 1;
        }
    }

    /// The count of `key` (0 when absent).
    pub(crate) fn get<Q>(&self, key: &Q) -> u64
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.counts.get(key).copied().unwrap_or(0)
    }

    /// Every key with its count, in no particular order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&K, u64)> {
        self.counts.iter().map(|(k, &c)| (k, c))
    }

    /// How many distinct keys are held.
    pub(crate) fn distinct(&self) -> usize {
        self.counts.len()
    }

    /// Sorts (count desc, key asc), keeps the first `top` (all when `None`)
    /// and turns each into a row.
    pub(crate) fn table<R>(&self, top: Option<usize>, row: impl Fn(&K, u64) -> R) -> Table<R>
    where
        K: Ord,
    {
        let mut entries: Vec<(&K, u64)> = self.iter().collect();
        entries.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        let total = entries.iter().map(|e| e.1).sum();
        let distinct = entries.len() as u64;
        if let Some(top) = top {
            entries.truncate(top);
        }
        Table {
            total,
            distinct,
            overflow: self.overflow,
            rows: entries.into_iter().map(|(k, c)| row(k, c)).collect(),
        }
    }
}

/// One report table: its rows (sorted by count, highest first; possibly
/// only the top N) and what the rows do not show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Table<R> {
    /// Packets counted in the table (all keys, not only the rows shown).
    pub total: u64,
    /// Distinct keys counted (rows shown may be fewer).
    pub distinct: u64,
    /// Packets not counted because the table reached its cap of distinct
    /// keys ([`ReportOptions::max_keys`](super::ReportOptions::max_keys)).
    pub overflow: u64,
    /// The rows.
    pub rows: Vec<R>,
}

impl<R> Default for Table<R> {
    fn default() -> Table<R> {
        Table {
            total: 0,
            distinct: 0,
            overflow: 0,
            rows: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_sort_and_truncate() {
        let mut t = Tally::new(10);
        for k in ["b", "a", "c", "a", "b", "a"] {
            t.add(k);
        }
        let table = t.table(Some(2), |k, c| (k.to_string(), c));
        assert_eq!(table.rows, vec![("a".into(), 3), ("b".into(), 2)]);
        assert_eq!((table.total, table.distinct, table.overflow), (6, 3, 0));
    }

    #[test]
    fn ties_sort_by_key() {
        let mut t = Tally::new(10);
        for k in [3u8, 1, 2] {
            t.add(k);
        }
        let table = t.table(None, |k, _| *k);
        assert_eq!(table.rows, vec![1, 2, 3]);
    }

    #[test]
    fn cap_counts_overflow() {
        let mut t = Tally::new(2);
        for k in [1u8, 2, 3, 3, 1] {
            t.add(k);
        }
        assert_eq!(t.distinct(), 2);
        assert_eq!(t.overflow, 2, "both packets for key 3 overflow");
        assert_eq!(t.get(&1), 2);
        let table = t.table(None, |k, c| (*k, c));
        assert_eq!(table.total + table.overflow, 5);
    }

    #[test]
    fn borrowed_keys_allocate_once() {
        let mut t: Tally<Box<[u8]>> = Tally::new(4);
        let mut made = 0;
        for _ in 0..3 {
            t.add_borrowed(&b"abc"[..], |k| {
                made += 1;
                k.into()
            });
        }
        assert_eq!(made, 1);
        assert_eq!(t.get(&b"abc"[..]), 3);
    }
}
