//! Telling, without compiling it, that a pattern for the `regex` engine
//! will compile: the engine build only needs to know *whether* a pattern
//! compiles (the program is dropped), and most do.
//!
//! `regex::bytes::RegexBuilder::build`, with our settings, fails only
//! when the pattern does not parse (`regex-syntax`, with the syntax
//! options the builder passes: Unicode off, UTF-8 off, our nest limit) or
//! when a Thompson NFA it builds (forward, and reverse for the lazy DFA)
//! grows past the size limit; the other engines it tries are optional and
//! their failures are swallowed. [`surely_compiles`] parses the pattern
//! with the same parser and options, then bounds the NFA's size from the
//! parsed expression (states times the builder's 32-byte state, plus the
//! transitions and alternates they hold), with the rules of
//! `regex-automata`'s compiler generously rounded up. Only a pattern that
//! parses and whose bound is at most half the limit is "surely": any
//! other goes to the real compile, whose result (and message) is the
//! answer. So the answer is always the compile's; this only skips
//! compiles that cannot fail.
//!
//! Not here: the backtracking (`fancy-regex`) path, which is always
//! compiled.

use regex_automata::util::syntax;
use regex_syntax::hir::{Class, Hir, HirKind};

/// The builder's size of one NFA state while building (regex-automata
/// asserts it in its own tests), doubled for safety.
const STATE_BYTES: u64 = 64;
/// A sparse transition (start, end, next state): 8 bytes, doubled.
const TRANSITION_BYTES: u64 = 16;
/// A union alternate (a state id): 4 bytes, doubled.
const ALTERNATE_BYTES: u64 = 8;

/// An upper bound of what compiling part of an expression adds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Cost {
    states: u64,
    heap: u64,
}

impl Cost {
    const fn new(states: u64, heap: u64) -> Cost {
        Cost { states, heap }
    }

    fn plus(self, o: Cost) -> Cost {
        Cost::new(
            self.states.saturating_add(o.states),
            self.heap.saturating_add(o.heap),
        )
    }

    fn times(self, n: u64) -> Cost {
        Cost::new(self.states.saturating_mul(n), self.heap.saturating_mul(n))
    }

    fn bytes(self) -> u64 {
        self.states
            .saturating_mul(STATE_BYTES)
            .saturating_add(self.heap)
    }
}

/// Whether `pattern` (the translator's text for the `regex` engine)
/// surely compiles with a size limit of `size_limit` and a nest limit of
/// `nest_limit`; `false` means "compile it to know".
pub(super) fn surely_compiles(pattern: &str, size_limit: usize, nest_limit: u32) -> bool {
    // What `regex::bytes::RegexBuilder` gives the parser: the defaults,
    // with our `unicode(false)` and `nest_limit`, and `utf8(false)`.
    let config = syntax::Config::new()
        .unicode(false)
        .utf8(false)
        .nest_limit(nest_limit);
    let Ok(hir) = syntax::parse_with(pattern, &config) else {
        return false;
    };
    match nfa_bound(&hir) {
        Some(bytes) => bytes <= size_limit as u64 / 2,
        None => false,
    }
}

/// An upper bound, in bytes, of either NFA built from `hir`; `None` for
/// what is not bounded here (non-ASCII Unicode classes).
fn nfa_bound(hir: &Hir) -> Option<u64> {
    // The unanchored prefix `(?s-u:.)*?`, the capture of group 0, the
    // match and start states: a handful, rounded up.
    let fixed = Cost::new(16, 64);
    Some(cost(hir)?.plus(fixed).bytes())
}

fn cost(hir: &Hir) -> Option<Cost> {
    Some(match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Cost::new(1, 0),
        // One state per byte.
        HirKind::Literal(lit) => Cost::new(lit.0.len().max(1) as u64, 0),
        // A sparse state and its end.
        HirKind::Class(Class::Bytes(c)) => Cost::new(2, c.ranges().len() as u64 * TRANSITION_BYTES),
        HirKind::Class(Class::Unicode(c)) if c.is_ascii() => {
            Cost::new(2, c.ranges().len() as u64 * TRANSITION_BYTES)
        }
        HirKind::Class(Class::Unicode(_)) => return None,
        // Start and end of the group.
        HirKind::Capture(c) => cost(&c.sub)?.plus(Cost::new(2, 0)),
        HirKind::Concat(subs) => {
            let mut total = Cost::new(1, 0);
            for s in subs {
                total = total.plus(cost(s)?);
            }
            total
        }
        HirKind::Alternation(subs) => alternation(subs)?,
        HirKind::Repetition(rep) => {
            // Copies of the sub-expression: the minimum (at least one),
            // plus one per optional copy when bounded; each copy with a
            // union (or empty) state and its alternates.
            let min = u64::from(rep.min);
            let optional = rep.max.map_or(0, |max| u64::from(max).saturating_sub(min));
            let copies = min.max(1).saturating_add(optional);
            let one = cost(&rep.sub)?.plus(Cost::new(1, 2 * ALTERNATE_BYTES));
            one.times(copies).plus(Cost::new(4, 4 * ALTERNATE_BYTES))
        }
    })
}

/// An alternation: a union, an end, and each branch; when every branch is
/// a literal the compiler builds a trie instead, bounded by the literal
/// bytes (one state and one transition each, per trie node up to three
/// states and the alternates of its chunks).
fn alternation(subs: &[Hir]) -> Option<Cost> {
    let n = subs.len() as u64;
    let literal_bytes: Option<u64> = subs
        .iter()
        .map(|s| match s.kind() {
            HirKind::Literal(l) => Some(l.0.len() as u64),
            _ => None,
        })
        .sum();
    let mut branches = Cost::new(2, n.saturating_mul(ALTERNATE_BYTES));
    for s in subs {
        branches = branches.plus(cost(s)?);
    }
    let trie = literal_bytes.map(|bytes| {
        let nodes = bytes.saturating_add(1);
        Cost::new(
            nodes
                .saturating_mul(3)
                .saturating_add(2 * n)
                .saturating_add(4),
            nodes
                .saturating_mul(TRANSITION_BYTES)
                .saturating_add(nodes.saturating_add(2 * n).saturating_mul(ALTERNATE_BYTES)),
        )
    });
    Some(match trie {
        Some(t) => Cost::new(t.states.max(branches.states), t.heap.max(branches.heap)),
        None => branches,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: usize = 8 << 20;

    fn bound(p: &str) -> u64 {
        let config = syntax::Config::new().unicode(false).utf8(false);
        nfa_bound(&syntax::parse_with(p, &config).unwrap()).unwrap()
    }

    #[test]
    fn bounds_by_hand() {
        // `abc`: one literal of 3 bytes, 3 states, plus the fixed 16
        // states and 64 bytes: 19 * 64 + 64.
        assert_eq!(bound("abc"), 19 * 64 + 64);
        // `[a-c]x`: concat (1) + class (2 states, 1 range: 16 bytes) +
        // literal (1) + fixed (16): 20 states, 16 + 64 heap.
        assert_eq!(bound("[a-c]x"), 20 * 64 + 16 + 64);
        // `a{3}`: 3 copies of (1 + 1 states, 16 heap) + (4, 32) + fixed.
        assert_eq!(bound("a{3}"), (6 + 4 + 16) * 64 + 3 * 16 + 32 + 64);
    }

    #[test]
    fn what_parses_and_is_small_compiles() {
        for p in [
            r"^GET\s+/[a-z]{1,20}\.php\?id=\d+",
            r"(?i)user-agent\x3a[^\r\n]{300,}",
            r"(sname|oname|type|gname)",
            r"\x27[^\x27]{1075,}\x27",
            r"(?s)a.*b(c|d)?e{2,5}",
        ] {
            assert!(surely_compiles(p, LIMIT, 100), "{p}");
            let real = regex::bytes::RegexBuilder::new(p)
                .unicode(false)
                .size_limit(LIMIT)
                .nest_limit(100)
                .build();
            assert!(real.is_ok(), "{p}");
        }
    }

    #[test]
    fn what_may_fail_is_left_to_the_compiler() {
        // Too big: the real compile fails on its size limit.
        let big = r"(?:[a-z]{1000}){1000}";
        assert!(!surely_compiles(big, LIMIT, 100));
        assert!(regex::bytes::RegexBuilder::new(big)
            .unicode(false)
            .size_limit(LIMIT)
            .build()
            .is_err());
        // Does not parse.
        assert!(!surely_compiles("(unclosed", LIMIT, 100));
        // Nested deeper than the limit.
        assert!(!surely_compiles("((((a))))", LIMIT, 3));
        // Non-ASCII Unicode class: not bounded here.
        assert!(!surely_compiles(r"(?u)\w", LIMIT, 100));
    }
}
