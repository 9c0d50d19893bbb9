//! [`fuzz_matcher`], the body of the `prefilter_matcher` fuzz target:
//! arbitrary patterns, bounds and a haystack through a [`PatternMatcher`]
//! (the hashed-window filters, with the AVX2 sweep where the CPU has
//! it), checked against a naive search at every position.
//!
//! # Input format
//!
//! ```text
//! byte 0          number of patterns, 1 + (byte mod 64)
//! per pattern     [len][bound]?[bytes]
//!                 len: bits 0-3 the length minus one (1 to 16 bytes),
//!                 bit 7 nocase, bit 6 a bound byte follows (the
//!                 pattern's max_end)
//! the rest        the haystack
//! ```
//!
//! An input that ends inside a pattern is skipped.

use super::{MatcherSettings, PatternItem, PatternMatcher, ScanScratch};

/// Runs `data` through a matcher; see the module docs.
///
/// # Panics
///
/// When the matcher misses a pattern that occurs within its bound, or
/// reports one that occurs nowhere: a bug.
pub fn fuzz_matcher(data: &[u8]) {
    let Some((&count, mut rest)) = data.split_first() else {
        return;
    };
    let mut pats: Vec<(&[u8], bool, Option<u32>)> = Vec::new();
    for _ in 0..usize::from(count % 64) + 1 {
        let Some((&len, mut tail)) = rest.split_first() else {
            return;
        };
        let mut bound = None;
        if len & 0x40 != 0 {
            let Some((&b, t)) = tail.split_first() else {
                return;
            };
            bound = Some(u32::from(b));
            tail = t;
        }
        let n = usize::from(len & 15) + 1;
        if tail.len() < n {
            return;
        }
        pats.push((&tail[..n], len & 0x80 != 0, bound));
        rest = &tail[n..];
    }
    let hay = rest;
    let items = pats
        .iter()
        .enumerate()
        .map(|(i, &(p, nocase, bound))| PatternItem {
            max_end: bound,
            ..PatternItem::new(p, nocase, i as u32)
        });
    let m = PatternMatcher::build(items, MatcherSettings::default()).expect("matcher");
    let mut got = Vec::new();
    m.scan(hay, &mut ScanScratch::default(), &mut got);
    got.sort_unstable();
    got.dedup();
    // Where each pattern occurs: (anywhere, within its bound).
    let occurs = |&(p, nocase, bound): &(&[u8], bool, Option<u32>)| {
        let at = |w: &[u8]| {
            if nocase {
                w.eq_ignore_ascii_case(p)
            } else {
                w == p
            }
        };
        let limit = bound.map_or(usize::MAX, |b| b as usize);
        let ends: Vec<usize> = (0..hay.len().saturating_sub(p.len() - 1))
            .filter(|&s| at(&hay[s..s + p.len()]))
            .map(|s| s + p.len())
            .collect();
        (!ends.is_empty(), ends.iter().any(|&e| e <= limit))
    };
    for (i, pat) in pats.iter().enumerate() {
        let (anywhere, within) = occurs(pat);
        let reported = got.binary_search(&(i as u32)).is_ok();
        assert!(
            !within || reported,
            "pattern {i} {pat:?} occurs within its bound, not reported"
        );
        assert!(
            anywhere || !reported,
            "pattern {i} {pat:?} reported, does not occur"
        );
    }
}
