//! [`PatternMatcher`]: one Aho-Corasick automaton over the fast patterns
//! of one group and one inspection buffer, and the rules each pattern
//! selects.
//!
//! The automaton is built case-insensitive (`ascii_case_insensitive`)
//! and runs over the buffer as it is: no lowercased copy. A hit on a
//! case-sensitive pattern is then confirmed by comparing the bytes at the
//! hit, so exact patterns select their rules only when the case agrees.
//! Each pattern selects its rules once per scan (a per-pattern generation
//! stamp in the caller's [`ScanScratch`]), so a short pattern seen a
//! thousand times in a payload costs a thousand automaton steps, not a
//! thousand rule-list copies.
//!
//! The scan is our own loop over the automaton's transitions
//! ([`aho_corasick::automaton::Automaton`], `MatchKind::Standard`: every
//! pattern that ends at each byte), not `find_overlapping_iter`: with
//! short fast patterns there is about one hit per payload byte, and the
//! iterator returns (saving and restoring its state) once per hit.
//!
//! Settings ([`MatcherSettings::default`], chosen with `rulewire bench`
//! over ET Open and the benchmark capture): a DFA (one table lookup per
//! byte) while its size bound stays under
//! [`MatcherSettings::dfa_max_bytes`] (64 MiB), else a contiguous NFA
//! with the crate's literal prefilter. On web-mix-8 with ET Open's 4,178
//! active rules the DFA halves the detection time of the NFA (the
//! prefilter builds one automaton per family of groups, about 40 MB of
//! DFAs in all).

use aho_corasick::automaton::{Automaton, Candidate};
use aho_corasick::{dfa, nfa, AhoCorasickKind, Anchored, MatchKind, Span};

/// How to build a [`PatternMatcher`]'s automaton.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MatcherSettings {
    /// The automaton kind (`None`: a DFA when its size bound is at most
    /// `dfa_max_bytes`, else a contiguous NFA).
    pub kind: Option<AhoCorasickKind>,
    /// The crate's literal prefilter (start-byte / rare-byte / Teddy),
    /// used while an NFA is in its start state. Never for a DFA: its one
    /// lookup per byte is cheaper than the prefilter's checks.
    pub prefilter: bool,
    /// With `kind: None`, the largest DFA to build, in bytes, bounded
    /// above by 1 KiB (256 transitions of 4 bytes) per pattern byte (each
    /// pattern byte adds at most one state).
    pub dfa_max_bytes: usize,
}

impl Default for MatcherSettings {
    fn default() -> Self {
        MatcherSettings {
            kind: None,
            prefilter: true,
            dfa_max_bytes: 64 << 20,
        }
    }
}

/// The automaton, one of the crate's concrete kinds.
#[derive(Debug)]
enum Machine {
    Dfa(dfa::DFA),
    Contiguous(nfa::contiguous::NFA),
    Noncontiguous(nfa::noncontiguous::NFA),
}

/// Calls `hit(pattern, end)` for every pattern occurrence in `hay`
/// (`end`: one past its last byte), in order of end.
#[inline]
fn each_hit<A: Automaton>(a: &A, hay: &[u8], mut hit: impl FnMut(usize, usize)) {
    let Ok(mut sid) = a.start_state(Anchored::No) else {
        return;
    };
    let pre = a.prefilter();
    let mut at = 0;
    while at < hay.len() {
        sid = a.next_state(Anchored::No, sid, hay[at]);
        at += 1;
        if !a.is_special(sid) {
            continue;
        }
        if a.is_dead(sid) {
            return;
        }
        if a.is_match(sid) {
            for k in 0..a.match_len(sid) {
                hit(a.match_pattern(sid, k).as_usize(), at);
            }
        } else if let Some(pre) = pre {
            // A special state that is neither dead nor a match is the
            // start state (special only with a prefilter): no pattern has
            // begun, so skip to the next place one can.
            match pre.find_in(hay, Span::from(at..hay.len())) {
                Candidate::None => return,
                Candidate::Match(m) => at = at.max(m.start()),
                Candidate::PossibleStartOfMatch(i) => at = at.max(i),
            }
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
    machine: Machine,
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
        let dfa_bound = patterns
            .iter()
            .map(Vec::len)
            .sum::<usize>()
            .saturating_add(1)
            .saturating_mul(1024);
        let kind = settings
            .kind
            .unwrap_or(if dfa_bound <= settings.dfa_max_bytes {
                AhoCorasickKind::DFA
            } else {
                AhoCorasickKind::ContiguousNFA
            });
        let err = |e: aho_corasick::BuildError| e.to_string();
        let machine = match kind {
            AhoCorasickKind::DFA => Machine::Dfa(
                dfa::Builder::new()
                    .match_kind(MatchKind::Standard)
                    .ascii_case_insensitive(true)
                    .prefilter(false)
                    .build(&patterns)
                    .map_err(err)?,
            ),
            AhoCorasickKind::NoncontiguousNFA => Machine::Noncontiguous(
                nfa::noncontiguous::Builder::new()
                    .match_kind(MatchKind::Standard)
                    .ascii_case_insensitive(true)
                    .prefilter(settings.prefilter)
                    .build(&patterns)
                    .map_err(err)?,
            ),
            _ => Machine::Contiguous(
                nfa::contiguous::Builder::new()
                    .match_kind(MatchKind::Standard)
                    .ascii_case_insensitive(true)
                    .prefilter(settings.prefilter)
                    .build(&patterns)
                    .map_err(err)?,
            ),
        };
        Ok(PatternMatcher { machine, entries })
    }

    /// How many distinct patterns the automaton holds.
    pub fn pattern_count(&self) -> usize {
        self.entries.len()
    }

    /// Bytes of heap the automaton uses.
    pub fn memory_usage(&self) -> usize {
        match &self.machine {
            Machine::Dfa(a) => a.memory_usage(),
            Machine::Contiguous(a) => a.memory_usage(),
            Machine::Noncontiguous(a) => a.memory_usage(),
        }
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
        let stamps = &mut scratch.stamps[..];
        let entries = &self.entries[..];
        let hit = |id: usize, end: usize| {
            if stamps[id] == generation {
                return;
            }
            let e = &entries[id];
            if let Some(exact) = &e.exact {
                let start = end.wrapping_sub(exact.len());
                if hay.get(start..end) != Some(&exact[..]) {
                    return;
                }
            }
            stamps[id] = generation;
            out.extend_from_slice(&e.rules);
        };
        match &self.machine {
            Machine::Dfa(a) => each_hit(a, hay, hit),
            Machine::Contiguous(a) => each_hit(a, hay, hit),
            Machine::Noncontiguous(a) => each_hit(a, hay, hit),
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

    /// Every automaton kind, with and without the crate's prefilter.
    fn all_settings() -> Vec<MatcherSettings> {
        let mut v = Vec::new();
        for kind in [
            None,
            Some(AhoCorasickKind::DFA),
            Some(AhoCorasickKind::ContiguousNFA),
            Some(AhoCorasickKind::NoncontiguousNFA),
        ] {
            for prefilter in [false, true] {
                v.push(MatcherSettings {
                    kind,
                    prefilter,
                    ..MatcherSettings::default()
                });
            }
        }
        v
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
        for settings in all_settings() {
            case_and_overlap_with(&items, settings);
        }
    }

    fn case_and_overlap_with(items: &[(&[u8], bool, u32)], settings: MatcherSettings) {
        let m = PatternMatcher::build(items.iter().copied(), settings).unwrap();
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
        // A pattern at the very start and one ending at the very end.
        assert_eq!(hits(&m, b"ET /a"), vec![3]);
        // Past a long stretch with no pattern start (the prefilter's skip).
        let mut long = vec![b'z'; 300];
        long.extend_from_slice(b"get");
        assert_eq!(hits(&m, &long), vec![1]);
    }

    #[test]
    fn one_byte_patterns_in_every_kind() {
        let items: Vec<(&[u8], bool, u32)> = vec![(b"a", false, 1), (b"\x00", true, 2)];
        for settings in all_settings() {
            let m = PatternMatcher::build(items.iter().copied(), settings).unwrap();
            assert_eq!(hits(&m, b"xxA"), Vec::<u32>::new(), "{settings:?}");
            assert_eq!(hits(&m, b"xa\x00"), vec![1, 2], "{settings:?}");
        }
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
