//! Fast-pattern choice: which content of a rule feeds the multi-pattern
//! prefilter, following Suricata (`RetrieveFPForSig` in
//! `detect-engine-mpm.c`, and the user guide's "Suricata Fast Pattern
//! Determination Explained").
//!
//! 1. A content marked `fast_pattern` (any form) is the fast pattern;
//!    `fast_pattern:offset,len` (`chop`) uses that slice of it.
//! 2. Otherwise the candidates are the non-negated contents of every
//!    buffer (the negated ones only when the rule has no other).
//! 3. Among them, the contents of the highest-priority buffer win
//!    ([`buffer_priority`]: application-layer buffers 2, the payload 3,
//!    `http.method`/`http.stat_code`/`http.stat_msg` 3 or 4, as Suricata
//!    registers them; a lower number is a higher priority).
//! 4. Then the longest pattern, then the highest [`pattern_strength`]
//!    (Suricata's character-diversity score), then the first written.
//!
//! The result keeps the pattern as written (case included) and whether
//! it is `nocase`: the matcher decides how to fold case. A negated fast
//! pattern is reported as such; the prefilter treats its rule as always
//! a candidate, as Suricata does for its negated-mpm signatures.

use crate::rule::keywords::content::{Content, FastPattern};
use crate::rule::{Buffer, Rule};

/// A rule's fast pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FastPatternChoice {
    /// The buffer the pattern is searched in.
    pub buffer: Buffer,
    /// The pattern bytes (the `chop` slice when one is given), as written.
    pub pattern: Vec<u8>,
    /// `nocase`: match without regard to ASCII case.
    pub nocase: bool,
    /// The content is negated (`content:!"..."`): its absence is what
    /// matters, so it cannot select the rule.
    pub negated: bool,
    /// The choice came from an explicit `fast_pattern` keyword.
    pub explicit: bool,
    /// When the content is absolute and bounded (`depth`, with or without
    /// `offset`, or `startswith`, numbers not variables), or it is in the
    /// payload of a rule whose `dsize` has an upper bound: the rule can
    /// match only if the pattern occurs ending within this many bytes of
    /// the buffer's start, so a prefilter may look no further.
    pub max_end: Option<u32>,
}

/// Suricata's multi-pattern priority of a buffer (lower is preferred):
/// the payload registers with 3 (`SupportFastPatternForSigMatchList
/// (DETECT_SM_LIST_PMATCH, 3)`), most application-layer buffers with 2,
/// `http.method` with 4 and the response status code and message with 3.
pub fn buffer_priority(b: Buffer) -> u8 {
    match b {
        Buffer::Payload | Buffer::RawData => 3,
        Buffer::HttpMethod => 4,
        Buffer::HttpStatCode | Buffer::HttpStatMsg => 3,
        _ => 2,
    }
}

/// Suricata's `PatternStrength`: each byte seen for the first time adds
/// 3 (a letter), 4 (another printable byte, or 0x00, 0x01, 0xff) or 6
/// (anything else); a repeated byte adds 1.
pub fn pattern_strength(pat: &[u8]) -> u32 {
    let mut seen = [false; 256];
    let mut s = 0u32;
    for &b in pat {
        if seen[usize::from(b)] {
            s += 1;
            continue;
        }
        seen[usize::from(b)] = true;
        s += if b.is_ascii_alphabetic() {
            3
        } else if (0x20..0x7f).contains(&b) || matches!(b, 0x00 | 0x01 | 0xff) {
            4
        } else {
            6
        };
    }
    s
}

fn chopped(c: &Content) -> &[u8] {
    match c.fast_pattern {
        Some(FastPattern::Chop { offset, len }) => {
            let start = usize::from(offset).min(c.pattern.len());
            let end = start.saturating_add(usize::from(len)).min(c.pattern.len());
            &c.pattern[start..end]
        }
        _ => &c.pattern,
    }
}

/// Where an occurrence of an absolute content must end at the latest
/// (see [`FastPatternChoice::max_end`]); `None` when unbounded, relative,
/// negated, or `fast_pattern:only` (a content used only to prefilter).
fn max_end(c: &Content) -> Option<u32> {
    use crate::rule::keywords::value::Operand;
    if c.negated || c.is_relative() || c.fast_pattern == Some(FastPattern::Only) {
        return None;
    }
    if c.startswith {
        return u32::try_from(c.pattern.len()).ok();
    }
    let offset = match &c.offset {
        None => 0,
        Some(Operand::Num(n)) => *n,
        Some(Operand::Var(_)) => return None,
    };
    match &c.depth {
        Some(Operand::Num(d)) => u32::try_from(offset.checked_add(*d)?).ok(),
        _ => None,
    }
}

/// The fast pattern of `rule`, or `None` when it has no content.
pub fn fast_pattern(rule: &Rule) -> Option<FastPatternChoice> {
    let mut fp = chosen(rule)?;
    // `dsize` bounds the packet payload: when the payload is no longer
    // than its largest accepted size, every occurrence ends within it;
    // when it is longer, the rule fails anyway.
    if fp.buffer == Buffer::Payload {
        if let Some(d) = dsize_max(rule) {
            fp.max_end = Some(fp.max_end.map_or(d, |m| m.min(d)));
        }
    }
    Some(fp)
}

/// The largest payload size the rule's `dsize` accepts, when it has one
/// with an upper bound.
fn dsize_max(rule: &Rule) -> Option<u32> {
    use crate::rule::Condition;
    rule.conditions.iter().find_map(|c| match c {
        Condition::Dsize(d) => d
            .max_accepted()
            .map(|m| u32::try_from(m).unwrap_or(u32::MAX)),
        _ => None,
    })
}

/// [`fast_pattern`] before the `dsize` bound.
fn chosen(rule: &Rule) -> Option<FastPatternChoice> {
    let choice = |b: Buffer, c: &Content, explicit: bool| {
        let pattern = chopped(c).to_vec();
        (!pattern.is_empty()).then_some(FastPatternChoice {
            buffer: b,
            pattern,
            nocase: c.nocase,
            negated: c.negated,
            explicit,
            max_end: max_end(c),
        })
    };
    // `base64_data` is no multi-pattern buffer in Suricata: its contents
    // never become the fast pattern (the decoded bytes are not there
    // before the rule runs).
    let contents = || rule.contents().filter(|(b, _)| *b != Buffer::Base64Data);
    if let Some((b, c)) = contents().find(|(_, c)| c.fast_pattern.is_some()) {
        return choice(b, c, true);
    }
    let any_positive = contents().any(|(_, c)| !c.negated);
    // Key: priority (lower first), then longer, then stronger; `max_by`
    // keeps the last of equals, so compare reversed positions to keep the
    // first written.
    let best = contents()
        .enumerate()
        .filter(|(_, (_, c))| c.negated != any_positive && !c.pattern.is_empty())
        .max_by_key(|(i, (b, c))| {
            (
                std::cmp::Reverse(buffer_priority(*b)),
                c.pattern.len(),
                pattern_strength(&c.pattern),
                std::cmp::Reverse(*i),
            )
        })?;
    let (_, (b, c)) = best;
    choice(b, c, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::parse_rule;

    fn fp(opts: &str) -> Option<FastPatternChoice> {
        fast_pattern(&parse_rule(&format!("alert tcp any any -> any any ({opts} sid:1;)")).unwrap())
    }

    #[test]
    fn strength_matches_suricata_scores() {
        // "abc": three new letters, 3 each.
        assert_eq!(pattern_strength(b"abc"), 9);
        // "aaa": one new letter (3) + two repeats (1 each).
        assert_eq!(pattern_strength(b"aaa"), 5);
        // "/", NUL, 0x02: printable 4, NUL 4, other 6.
        assert_eq!(pattern_strength(b"/\x00\x02"), 14);
    }

    #[test]
    fn longest_then_strongest_then_first() {
        let c = fp(r#"content:"ab"; content:"ABCD";"#).unwrap();
        assert_eq!(c.pattern, b"ABCD");
        assert!(!c.explicit);
        // Equal length: "abcd" (12) beats "aaaa" (6) whatever the order.
        assert_eq!(
            fp(r#"content:"aaaa"; content:"abcd";"#).unwrap().pattern,
            b"abcd"
        );
        // Equal length and strength: the first written.
        assert_eq!(
            fp(r#"content:"abcd"; content:"efgh";"#).unwrap().pattern,
            b"abcd"
        );
    }

    #[test]
    fn explicit_and_chop_win() {
        let c = fp(r#"content:"ab"; fast_pattern; content:"abcd";"#).unwrap();
        assert_eq!(c.pattern, b"ab");
        assert!(c.explicit);
        let c = fp(r#"content:"abcdef"; fast_pattern:2,3;"#).unwrap();
        assert_eq!(c.pattern, b"cde");
        let c = fp(r#"content:"xyz"; fast_pattern:only;"#).unwrap();
        assert_eq!(c.pattern, b"xyz");
    }

    #[test]
    fn bounds_of_absolute_contents() {
        let end = |opts: &str| fp(opts).unwrap().max_end;
        assert_eq!(end(r#"content:"abc"; depth:5;"#), Some(5));
        assert_eq!(end(r#"content:"abc"; offset:2; depth:5;"#), Some(7));
        assert_eq!(end(r#"content:"abc"; startswith;"#), Some(3));
        assert_eq!(end(r#"content:"abc"; offset:2;"#), None);
        assert_eq!(end(r#"content:"abc";"#), None);
        // The fast pattern is the relative one: unbounded.
        assert_eq!(
            end(r#"content:"a"; depth:1; content:"bcdef"; distance:0; within:5;"#),
            None
        );
        assert_eq!(end(r#"content:"abc"; fast_pattern:only;"#), None);
        assert_eq!(
            end(r#"byte_extract:1,0,n; content:"abc"; offset:n; depth:4;"#),
            None
        );
    }

    #[test]
    fn dsize_bounds_payload_patterns() {
        let end = |opts: &str| fp(opts).unwrap().max_end;
        assert_eq!(end(r#"dsize:<10; content:"abc";"#), Some(9));
        assert_eq!(end(r#"dsize:9<>18; content:"abc";"#), Some(17));
        assert_eq!(end(r#"dsize:20; content:"abc"; depth:5;"#), Some(5));
        assert_eq!(
            end(r#"dsize:6; content:"abc"; offset:2; depth:30;"#),
            Some(6)
        );
        assert_eq!(end(r#"dsize:>1200; content:"abc";"#), None);
        assert_eq!(end(r#"dsize:!10; content:"abc";"#), None);
        // Another buffer than the payload: dsize says nothing of it.
        let http = parse_rule(
            r#"alert http any any -> any any (dsize:<10; http.uri; content:"abc"; sid:1;)"#,
        )
        .unwrap();
        assert_eq!(fast_pattern(&http).unwrap().max_end, None);
    }

    #[test]
    fn negated_only_without_positives() {
        let c = fp(r#"content:!"abcdef"; content:"ab";"#).unwrap();
        assert_eq!(c.pattern, b"ab");
        assert!(!c.negated);
        let c = fp(r#"content:!"abcd";"#).unwrap();
        assert!(c.negated);
        assert_eq!(fp("dsize:3;"), None);
    }

    #[test]
    fn base64_data_is_never_the_fast_pattern() {
        let c =
            fp(r#"content:"b64="; base64_decode:relative; base64_data; content:"longer pattern";"#)
                .unwrap();
        assert_eq!((c.buffer, &c.pattern[..]), (Buffer::Payload, &b"b64="[..]));
        assert!(fp(r#"base64_decode; base64_data; content:"longer pattern";"#).is_none());
    }

    #[test]
    fn app_buffer_beats_longer_payload() {
        let c = fp(r#"content:"a long payload pattern"; content:"/x"; http_uri;"#).unwrap();
        assert_eq!(c.buffer, Buffer::HttpUri);
        assert_eq!(c.pattern, b"/x");
        // http_method (4) loses to the payload (3).
        let c = fp(r#"content:"GET"; http_method; content:"ab";"#).unwrap();
        assert_eq!(c.buffer, Buffer::Payload);
        assert!(fp(r#"content:"AbC"; nocase;"#).unwrap().nocase);
    }
}
