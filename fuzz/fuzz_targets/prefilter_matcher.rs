//! Arbitrary patterns and an arbitrary haystack through the prefilter's
//! matcher (the hashed-window filter, with its AVX2 sweep where the CPU
//! has it): it must never panic, and, against a naive search at every
//! position, it must report every pattern that occurs within its bound
//! (`max_end`) and none that does not occur at all.
//!
//! Input: the first byte gives the number of patterns (1 to 64); each
//! pattern is a length byte (low four bits: 1 to 16 bytes; bit 7:
//! `nocase`; bit 6: a bound byte follows, the pattern's `max_end`) and
//! its bytes; what is left is the haystack.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rulewire::detect::prefilter::{MatcherSettings, PatternItem, PatternMatcher, ScanScratch};

fuzz_target!(|data: &[u8]| {
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
    let items = pats.iter().enumerate().map(|(i, &(p, nocase, bound))| PatternItem {
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
        let at = |w: &[u8]| if nocase { w.eq_ignore_ascii_case(p) } else { w == p };
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
        assert!(!within || reported, "pattern {i} {pat:?} occurs within its bound, not reported");
        assert!(anywhere || !reported, "pattern {i} {pat:?} reported, does not occur");
    }
});
