//! A set of byte values (256 bits), built while translating a character
//! class for the backtracking target and written back as a *positive*
//! class of `\xNN` ranges bounded to U+0000-U+00FF.
//!
//! Why: `fancy-regex` compiles its delegates in Unicode mode over a
//! Latin-1 view of the haystack, where a negated class such as `[^\x27]`
//! means every Unicode scalar but one; its UTF-8 automaton, repeated
//! (`{1075,}`), costs tens of MB per pattern. Over a Latin-1 haystack the
//! bounded positive class is the same language and a tiny automaton.
//!
//! Case folding (`i`): the backtracking path folds ASCII letters and the
//! Latin-1 letters 0xC0-0xDE / 0xE0-0xFE (not 0xD7 / 0xF7), as Unicode
//! simple case folding does inside Latin-1; [`ByteSet::fold_latin1`]
//! applies exactly that, so a negated class folds *before* it is
//! complemented, as `regex-syntax` does. Does not know about any other
//! engine or about PCRE syntax.

use std::fmt::Write;

/// 256 bits, one per byte value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct ByteSet([u64; 4]);

impl ByteSet {
    /// Every byte.
    pub(crate) const ALL: ByteSet = ByteSet([u64::MAX; 4]);

    /// The bytes of the inclusive ranges `ranges`.
    pub(crate) fn of(ranges: &[(u8, u8)]) -> ByteSet {
        let mut s = ByteSet::default();
        for &(lo, hi) in ranges {
            s.insert_range(lo, hi);
        }
        s
    }

    /// Adds `b`.
    pub(crate) fn insert(&mut self, b: u8) {
        self.0[usize::from(b >> 6)] |= 1 << (b & 63);
    }

    /// Adds `lo..=hi` (nothing when `hi < lo`).
    pub(crate) fn insert_range(&mut self, lo: u8, hi: u8) {
        for b in lo..=hi {
            self.insert(b);
        }
    }

    /// Whether `b` is in the set.
    pub(crate) fn contains(&self, b: u8) -> bool {
        self.0[usize::from(b >> 6)] & (1 << (b & 63)) != 0
    }

    /// Adds every member of `other`.
    pub(crate) fn union(&mut self, other: ByteSet) {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a |= b;
        }
    }

    /// The bytes not in the set.
    pub(crate) fn complement(self) -> ByteSet {
        ByteSet(self.0.map(|w| !w))
    }

    /// The set closed under the Latin-1 case pairs (see the module doc).
    pub(crate) fn fold_latin1(self) -> ByteSet {
        let mut out = self;
        for b in 0..=255u8 {
            if self.contains(b) {
                if let Some(o) = other_case(b) {
                    out.insert(o);
                }
            }
        }
        out
    }

    /// Writes the set as a positive class, e.g. `[\x00-\x26\x28-\xFF]`.
    /// An empty set is written as a class that matches nothing.
    pub(crate) fn write_class(&self, out: &mut String) {
        if *self == ByteSet::default() {
            out.push_str(r"[^\x00-\x{10FFFF}]");
            return;
        }
        out.push('[');
        let mut b = 0usize;
        while b < 256 {
            if !self.contains(b as u8) {
                b += 1;
                continue;
            }
            let lo = b;
            while b + 1 < 256 && self.contains((b + 1) as u8) {
                b += 1;
            }
            let _ = write!(out, "\\x{lo:02X}");
            if b > lo {
                let _ = write!(out, "-\\x{b:02X}");
            }
            b += 1;
        }
        out.push(']');
    }
}

/// The other case of a Latin-1 letter, within Latin-1.
fn other_case(b: u8) -> Option<u8> {
    match b {
        b'A'..=b'Z' | 0xC0..=0xDE if b != 0xD7 => Some(b + 0x20),
        b'a'..=b'z' | 0xE0..=0xFE if b != 0xF7 => Some(b - 0x20),
        _ => None,
    }
}

/// The ASCII set of a POSIX class name (`alpha`, ...), as `regex` and
/// PCRE (non-UCP) define them.
pub(crate) fn posix(name: &str) -> Option<ByteSet> {
    let r: &[(u8, u8)] = match name {
        "alnum" => &[(b'0', b'9'), (b'A', b'Z'), (b'a', b'z')],
        "alpha" => &[(b'A', b'Z'), (b'a', b'z')],
        "ascii" => &[(0, 0x7F)],
        "blank" => &[(b'\t', b'\t'), (b' ', b' ')],
        "cntrl" => &[(0, 0x1F), (0x7F, 0x7F)],
        "digit" => &[(b'0', b'9')],
        "graph" => &[(b'!', b'~')],
        "lower" => &[(b'a', b'z')],
        "print" => &[(b' ', b'~')],
        "punct" => &[(b'!', b'/'), (b':', b'@'), (b'[', b'`'), (b'{', b'~')],
        "space" => &[(b'\t', 0x0D), (b' ', b' ')],
        "upper" => &[(b'A', b'Z')],
        "word" => &[(b'0', b'9'), (b'A', b'Z'), (b'a', b'z'), (b'_', b'_')],
        "xdigit" => &[(b'0', b'9'), (b'A', b'F'), (b'a', b'f')],
        _ => return None,
    };
    Some(ByteSet::of(r))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: ByteSet) -> String {
        let mut out = String::new();
        s.write_class(&mut out);
        out
    }

    #[test]
    fn ranges_and_complement() {
        let q = ByteSet::of(&[(0x27, 0x27)]);
        assert_eq!(text(q.complement()), r"[\x00-\x26\x28-\xFF]");
        assert_eq!(text(ByteSet::ALL), r"[\x00-\xFF]");
        assert_eq!(text(ByteSet::of(&[(0, 0), (0xFF, 0xFF)])), r"[\x00\xFF]");
        assert_eq!(text(ByteSet::default()), r"[^\x00-\x{10FFFF}]");
        let mut s = ByteSet::default();
        s.insert_range(b'a', b'c');
        s.union(ByteSet::of(&[(b'x', b'x')]));
        assert!(s.contains(b'b') && s.contains(b'x') && !s.contains(b'd'));
        assert_eq!(text(s), r"[\x61-\x63\x78]");
    }

    #[test]
    fn fold_pairs() {
        let s = ByteSet::of(&[(b'a', b'a'), (0xC9, 0xC9), (0xD7, 0xD7), (0xDF, 0xDF)]);
        // a↔A, É↔é; × (0xD7) and ß (0xDF) have no other case in Latin-1.
        assert_eq!(text(s.fold_latin1()), r"[\x41\x61\xC9\xD7\xDF\xE9]");
    }

    /// The fold pairs are those of Unicode simple case folding restricted
    /// to Latin-1, as the `regex` crate (which `fancy-regex` delegates to)
    /// applies them.
    #[test]
    fn fold_matches_unicode_regex() {
        for a in 0..=255u8 {
            let re = regex::Regex::new(&format!(r"(?i)\A\x{{{a:02X}}}\z")).unwrap();
            let folded = ByteSet::of(&[(a, a)]).fold_latin1();
            for b in 0..=255u8 {
                let hay = char::from(b).to_string();
                assert_eq!(re.is_match(&hay), folded.contains(b), "{a:#x} vs {b:#x}");
            }
        }
    }

    #[test]
    fn posix_classes() {
        assert_eq!(posix("digit"), Some(ByteSet::of(&[(b'0', b'9')])));
        assert!(posix("space").unwrap().contains(0x0B));
        assert!(posix("punct").unwrap().contains(b'`'));
        assert!(!posix("punct").unwrap().contains(b'a'));
        assert_eq!(posix("nope"), None);
    }
}
