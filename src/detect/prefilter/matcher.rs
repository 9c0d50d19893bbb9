//! [`PatternMatcher`]: the fast patterns of one family of groups and
//! one inspection buffer, and the rules each pattern selects.
//!
//! By default ([`MatcherSettings::window`]) the patterns go into two
//! hashed-window filters ([`super::window`]). Some patterns can only
//! usefully occur within the buffer's first bytes (an absolute
//! `depth`/`offset`/`startswith` content, or a payload content of a rule
//! with a small `dsize`, bound at most [`HEAD_MAX`]). The first filter
//! holds every pattern and sweeps the positions of that head; the second
//! holds the unbounded patterns and sweeps the positions after it, so
//! each position is swept once. `cargo bench --bench prefilter --
//! matcher/active` (first 8 MiB of web-mix-8 payloads, the 4,377 fast
//! patterns of ET Open's active rules, 2-core machine, AVX2 sweep):
//! 121 MiB/s against 56 MiB/s for the DFA it replaced
//! (`matcher/active/dfa`), measured back to back, with 1.3 MB of tables
//! instead of 62 MB, built in 12 ms instead of 224 ms.
//!
//! The Aho-Corasick automata stay as the alternative (`window: false`)
//! the benchmarks compare against. An automaton is built
//! case-insensitive (`ascii_case_insensitive`) and runs over the buffer
//! as it is: a hit on a case-sensitive pattern is confirmed by comparing
//! the bytes at the hit. The scan is our own loop over the automaton's
//! transitions ([`aho_corasick::automaton::Automaton`],
//! `MatchKind::Standard`: every pattern that ends at each byte), not
//! `find_overlapping_iter`, which returns once per hit. A DFA while its
//! size bound stays under [`MatcherSettings::dfa_max_bytes`], else a
//! contiguous NFA with the crate's literal prefilter.
//!
//! Either way each pattern selects its rules once per scan (a
//! per-pattern generation stamp in the caller's [`ScanScratch`]), so a
//! short pattern seen a thousand times in a payload costs a thousand
//! checks, not a thousand rule-list copies.

use aho_corasick::automaton::{Automaton, Candidate};
use aho_corasick::{dfa, nfa, AhoCorasickKind, Anchored, MatchKind, Span};

use super::window::{fold_padded, WindowFilter, WindowScratch};

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
    /// Use the hashed-window filter ([`super::window`]) instead of an
    /// Aho-Corasick automaton (`kind` and `prefilter` then unused).
    pub window: bool,
}

impl Default for MatcherSettings {
    fn default() -> Self {
        MatcherSettings {
            kind: None,
            prefilter: true,
            dfa_max_bytes: 64 << 20,
            window: true,
        }
    }
}

/// The automaton, one of the crate's concrete kinds.
#[derive(Debug)]
enum Machine {
    Dfa(dfa::DFA),
    Contiguous(nfa::contiguous::NFA),
    Noncontiguous(nfa::noncontiguous::NFA),
    Window {
        /// Every pattern: looked for at the buffer's first `head_len`
        /// positions.
        prefix: WindowFilter,
        /// Past these, only the patterns that can occur anywhere are:
        /// the others (a `depth`/`offset`/`dsize`-bounded fast pattern)
        /// end within the first `head_len` bytes.
        head_len: usize,
        /// The patterns looked for at the positions from `head_len` on.
        full: WindowFilter,
    },
}

/// Fast patterns whose occurrence must end within this many bytes of the
/// buffer's start go through the head filter, scanned over that prefix
/// only (ET Open: 922 of 2,963 payload fast patterns are bounded, 90% of
/// them within 20 bytes).
const HEAD_MAX: u32 = 128;

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
    /// Where an occurrence that can matter ends at the latest, over all
    /// the pattern's rules (`None`: anywhere).
    max_end: Option<u32>,
}

/// One fast pattern of one rule, for [`PatternMatcher::build`].
#[derive(Clone, Copy, Debug)]
pub struct PatternItem<'p> {
    /// The pattern bytes.
    pub pattern: &'p [u8],
    /// Match regardless of ASCII case.
    pub nocase: bool,
    /// The rule the pattern selects.
    pub rule: u32,
    /// The rule can only match when an occurrence ends within this many
    /// bytes of the buffer's start ([`super::FastPatternChoice::max_end`]).
    pub max_end: Option<u32>,
}

impl<'p> PatternItem<'p> {
    /// An unbounded pattern.
    pub fn new(pattern: &'p [u8], nocase: bool, rule: u32) -> PatternItem<'p> {
        PatternItem {
            pattern,
            nocase,
            rule,
            max_end: None,
        }
    }
}

/// Per-worker state for [`PatternMatcher::scan`]: which patterns already
/// selected their rules in the current scan.
#[derive(Debug, Default)]
pub struct ScanScratch {
    stamps: Vec<u32>,
    generation: u32,
    window: WindowScratch,
    found: Vec<u32>,
    /// The haystack lower-cased and padded ([`fold_padded`]).
    folded: Vec<u8>,
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
        items: impl IntoIterator<Item = PatternItem<'p>>,
        settings: MatcherSettings,
    ) -> Result<PatternMatcher, String> {
        let mut index: std::collections::HashMap<(Vec<u8>, bool), usize> = Default::default();
        let mut patterns: Vec<Vec<u8>> = Vec::new();
        let mut entries: Vec<Entry> = Vec::new();
        for PatternItem {
            pattern: pat,
            nocase,
            rule,
            max_end,
        } in items
        {
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
                    max_end,
                });
                entries.len() - 1
            });
            let e = &mut entries[id];
            e.rules.push(rule);
            e.max_end = e.max_end.zip(max_end).map(|(a, b)| a.max(b));
        }
        if settings.window {
            let in_head = |e: &Entry| e.max_end.is_some_and(|m| m <= HEAD_MAX);
            let head_len = entries
                .iter()
                .filter(|e| in_head(e))
                .filter_map(|e| e.max_end)
                .max()
                .unwrap_or(0) as usize;
            let filter = |all: bool| {
                WindowFilter::build(
                    patterns
                        .iter()
                        .zip(&entries)
                        .enumerate()
                        .filter(|(_, (_, e))| all || !in_head(e))
                        .map(|(i, (p, e))| {
                            let limit = e.max_end.filter(|_| in_head(e));
                            (i as u32, p.as_slice(), e.exact.is_none(), limit)
                        }),
                )
            };
            let machine = Machine::Window {
                prefix: filter(true),
                head_len,
                full: filter(false),
            };
            return Ok(PatternMatcher { machine, entries });
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
            Machine::Window { prefix, full, .. } => prefix.memory_usage() + full.memory_usage(),
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
        if let Machine::Window {
            prefix,
            head_len,
            full,
        } = &self.machine
        {
            let found = &mut scratch.found;
            found.clear();
            let g = scratch.generation;
            let folded = &mut scratch.folded;
            fold_padded(hay, folded);
            let stamps = &mut scratch.stamps;
            // Each position swept once: by the filter of every pattern in
            // the head, by the unbounded patterns' filter after it, which
            // starts a few bytes early: the two filters may look for a
            // pattern at different windows of it.
            let split = hay.len().min(*head_len);
            let rest = split.saturating_sub(prefix.reach_back())..hay.len();
            let w = &mut scratch.window;
            prefix.scan(hay, folded, 0..split, stamps, g, w, found);
            full.scan(hay, folded, rest, stamps, g, w, found);
            for &id in found.iter() {
                out.extend_from_slice(&self.entries[id as usize].rules);
            }
            return;
        }
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
            Machine::Window { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item<'p>(&(p, nocase, rule): &(&'p [u8], bool, u32)) -> PatternItem<'p> {
        PatternItem::new(p, nocase, rule)
    }

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
                    window: false,
                    ..MatcherSettings::default()
                });
            }
        }
        v.push(MatcherSettings::default());
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
        let m = PatternMatcher::build(items.iter().map(item), settings).unwrap();
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
            let m = PatternMatcher::build(items.iter().map(item), settings).unwrap();
            assert_eq!(hits(&m, b"xxA"), Vec::<u32>::new(), "{settings:?}");
            assert_eq!(hits(&m, b"xa\x00"), vec![1, 2], "{settings:?}");
        }
    }

    #[test]
    fn shared_patterns_keep_every_rule() {
        let items: Vec<(&[u8], bool, u32)> =
            vec![(b"abc", true, 5), (b"ABC", true, 6), (b"abc", false, 7)];
        let m = PatternMatcher::build(items.iter().map(item), MatcherSettings::default()).unwrap();
        assert_eq!(m.pattern_count(), 2);
        assert_eq!(hits(&m, b"xABCx"), vec![5, 6]);
        assert_eq!(hits(&m, b"xabcx"), vec![5, 6, 7]);
    }

    #[test]
    fn stamps_survive_generation_wrap() {
        let items: Vec<(&[u8], bool, u32)> = vec![(b"ab", true, 1)];
        let m = PatternMatcher::build(items.iter().map(item), MatcherSettings::default()).unwrap();
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

    #[test]
    fn bounded_patterns_only_in_their_prefix() {
        let bounded = |p: &'static [u8], rule, max_end| PatternItem {
            max_end: Some(max_end),
            ..PatternItem::new(p, false, rule)
        };
        let items = [
            bounded(b"abc", 1, 5),
            bounded(b"abcd", 2, 300),
            // Shared with an unbounded rule: looked for everywhere.
            bounded(b"wxyz", 3, 4),
            PatternItem::new(b"wxyz", false, 4),
        ];
        let m = PatternMatcher::build(items, MatcherSettings::default()).unwrap();
        assert_eq!(hits(&m, b"xxabc"), vec![1]);
        assert_eq!(hits(&m, b"xxxabc"), Vec::<u32>::new());
        // Bound 300 is over the head limit: searched everywhere.
        let mut far = vec![b'.'; 1000];
        far.extend_from_slice(b"abcd wxyz");
        assert_eq!(hits(&m, &far), vec![2, 3, 4]);
    }

    /// The head's filter and the rest's may look for one pattern at
    /// different windows of it: the unbounded pattern's first two
    /// windows are equally rare, the rest's filter takes the first, the
    /// head's the second (its first is the bounded pattern's too). An
    /// occurrence one byte before the split then has its head window at
    /// the split and its rest window before it; the rest's sweep must
    /// start early enough (the fuzz target `prefilter_matcher` found
    /// this).
    #[test]
    fn pattern_straddling_the_head_is_found() {
        let items = [
            PatternItem {
                max_end: Some(64),
                ..PatternItem::new(b"\x90\x91\x92\x93", false, 1)
            },
            PatternItem::new(b"\x90\x91\x92\x93\x94bcdefgh", false, 2),
        ];
        let m = PatternMatcher::build(items, MatcherSettings::default()).unwrap();
        for at in 0..100 {
            let mut hay = vec![b'.'; 200];
            hay[at..at + 12].copy_from_slice(b"\x90\x91\x92\x93\x94bcdefgh");
            let want = if at + 4 <= 64 { vec![1, 2] } else { vec![2] };
            assert_eq!(hits(&m, &hay), want, "pattern at {at}");
        }
    }
}
