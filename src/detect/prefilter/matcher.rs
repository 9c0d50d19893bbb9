//! [`PatternMatcher`]: one Aho-Corasick automaton over the fast patterns
//! of one group and one inspection buffer, and the rules each pattern
//! selects.
//!
//! The automaton is built case-insensitive
//! (`AhoCorasickBuilder::ascii_case_insensitive`) and runs over the
//! buffer as it is: no lowercased copy. A hit on a case-sensitive
//! pattern is then confirmed by comparing the bytes at the hit, so exact
//! patterns select their rules only when the case agrees. Each pattern
//! selects its rules once per scan (a per-pattern generation stamp in
//! the caller's [`ScanScratch`]), so a short pattern seen a thousand
//! times in a payload costs a thousand automaton steps, not a thousand
//! rule-list copies.
//!
//! Settings ([`MatcherSettings::default`], chosen by `benches/prefilter.rs`
//! over every ET Open fast pattern and the benchmark capture's payloads):
//! a contiguous NFA (`AhoCorasickKind::ContiguousNFA`), `MatchKind::Standard`
//! with overlapping search (the only kind that reports every pattern that
//! occurs, which a prefilter needs; leftmost kinds hide a pattern that
//! starts inside another's match), the crate's own prefilter on.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

/// How to build a [`PatternMatcher`]'s automaton.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MatcherSettings {
    /// The automaton kind (`None`: let the crate pick by pattern count).
    pub kind: Option<AhoCorasickKind>,
    /// The crate's literal prefilter (start-byte / rare-byte / Teddy).
    pub prefilter: bool,
}

impl Default for MatcherSettings {
    fn default() -> Self {
        MatcherSettings {
            kind: Some(AhoCorasickKind::ContiguousNFA),
            prefilter: true,
        }
    }
}

/// One fast pattern of a matcher, with the rules it selects.
#[derive(Debug)]
struct Entry {
    /// The exact bytes for a case-sensitive pattern; `None` for nocase.
    exact: Option<Box<[u8]>>,
    rules: Vec<u32>,
}

/// Per-worker state for [`PatternMatcher::scan`]: which patterns already
/// selected their rules in the current scan.
#[derive(Debug, Default)]
pub struct ScanScratch {
    stamps: Vec<u32>,
    generation: u32,
}

impl ScanScratch {
    fn start(&mut self, patterns: usize) {
        if self.stamps.len() < patterns {
            self.stamps.resize(patterns, 0);
        }
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.stamps.iter_mut().for_each(|s| *s = 0);
            self.generation = 1;
        }
    }
}

/// The automaton of one group and buffer, and its rules.
#[derive(Debug)]
pub struct PatternMatcher {
    ac: AhoCorasick,
    entries: Vec<Entry>,
}

impl PatternMatcher {
    /// Builds a matcher over `(pattern, nocase, rule)` triples. Equal
    /// patterns (equal bytes when exact, equal folded bytes when nocase)
    /// share one automaton pattern.
    ///
    /// # Errors
    /// The automaton builder's error, as text.
    pub fn build<'p>(
        items: impl IntoIterator<Item = (&'p [u8], bool, u32)>,
        settings: MatcherSettings,
    ) -> Result<PatternMatcher, String> {
        let mut index: std::collections::HashMap<(Vec<u8>, bool), usize> = Default::default();
        let mut patterns: Vec<Vec<u8>> = Vec::new();
        let mut entries: Vec<Entry> = Vec::new();
        for (pat, nocase, rule) in items {
            let key = if nocase {
                pat.to_ascii_lowercase()
            } else {
                pat.to_vec()
            };
            let id = *index.entry((key, nocase)).or_insert_with(|| {
                patterns.push(pat.to_vec());
                entries.push(Entry {
                    exact: (!nocase).then(|| pat.into()),
                    rules: Vec::new(),
                });
                entries.len() - 1
            });
            entries[id].rules.push(rule);
        }
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .ascii_case_insensitive(true)
            .kind(settings.kind)
            .prefilter(settings.prefilter)
            .build(&patterns)
            .map_err(|e| e.to_string())?;
        Ok(PatternMatcher { ac, entries })
    }

    /// How many distinct patterns the automaton holds.
    pub fn pattern_count(&self) -> usize {
        self.entries.len()
    }

    /// Bytes of heap the automaton uses.
    pub fn memory_usage(&self) -> usize {
        self.ac.memory_usage()
    }

    /// Appends every rule of the matcher to `out` (for a buffer whose
    /// bytes cannot be had: the full check decides).
    pub fn all_rules(&self, out: &mut Vec<u32>) {
        for e in &self.entries {
            out.extend_from_slice(&e.rules);
        }
    }

    /// Appends to `out` the rules of every pattern that occurs in `hay`
    /// (each pattern's rules once; `out` is not sorted here).
    pub fn scan(&self, hay: &[u8], scratch: &mut ScanScratch, out: &mut Vec<u32>) {
        if hay.is_empty() {
            return;
        }
        scratch.start(self.entries.len());
        let generation = scratch.generation;
        for m in self.ac.find_overlapping_iter(hay) {
            let id = m.pattern().as_usize();
            if scratch.stamps[id] == generation {
                continue;
            }
            let e = &self.entries[id];
            if let Some(exact) = &e.exact {
                if hay.get(m.start()..m.end()) != Some(&exact[..]) {
                    continue;
                }
            }
            scratch.stamps[id] = generation;
            out.extend_from_slice(&e.rules);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(m: &PatternMatcher, hay: &[u8]) -> Vec<u32> {
        let mut out = Vec::new();
        m.scan(hay, &mut ScanScratch::default(), &mut out);
        out.sort_unstable();
        out
    }

    #[test]
    fn case_and_overlap() {
        let items: Vec<(&[u8], bool, u32)> = vec![
            (b"GET", false, 0),
            (b"get", true, 1),
            (b"GET /", false, 2),
            (b"ET /a", false, 3),
            (b"Get", false, 4),
        ];
        let m = PatternMatcher::build(items, MatcherSettings::default()).unwrap();
        // "GET /a": GET (exact, 0), get (nocase, 1), "GET /" (2), and
        // "ET /a" starting inside the GET match (3); "Get" is exact and
        // the payload says "GET": not 4.
        assert_eq!(hits(&m, b"GET /a"), vec![0, 1, 2, 3]);
        // "get /": only the nocase pattern.
        assert_eq!(hits(&m, b"xx get /"), vec![1]);
        // A pattern seen many times selects its rules once; the exact
        // "Get" appears after a non-matching "GET".
        assert_eq!(hits(&m, b"GETGETGET Get"), vec![0, 1, 4]);
        assert_eq!(hits(&m, b""), Vec::<u32>::new());
    }

    #[test]
    fn shared_patterns_keep_every_rule() {
        let items: Vec<(&[u8], bool, u32)> =
            vec![(b"abc", true, 5), (b"ABC", true, 6), (b"abc", false, 7)];
        let m = PatternMatcher::build(items, MatcherSettings::default()).unwrap();
        assert_eq!(m.pattern_count(), 2);
        assert_eq!(hits(&m, b"xABCx"), vec![5, 6]);
        assert_eq!(hits(&m, b"xabcx"), vec![5, 6, 7]);
    }

    #[test]
    fn stamps_survive_generation_wrap() {
        let items: Vec<(&[u8], bool, u32)> = vec![(b"ab", true, 1)];
        let m = PatternMatcher::build(items, MatcherSettings::default()).unwrap();
        let mut s = ScanScratch {
            generation: u32::MAX - 1,
            ..ScanScratch::default()
        };
        for _ in 0..4 {
            let mut out = Vec::new();
            m.scan(b"abab", &mut s, &mut out);
            assert_eq!(out, vec![1]);
        }
    }
}
