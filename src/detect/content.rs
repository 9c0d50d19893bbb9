//! Payload match lists: `content` (all modifiers), `isdataat`, `pcre`
//! and the `byte_*` keywords, with Suricata's relative-chain semantics
//! (`DetectEngineContentInspection`).
//!
//! Positions: a non-relative content searches `[offset, offset + depth)`
//! (depth counts from offset, as written). A relative content (`distance`,
//! `within`) searches from the end of the previous match plus `distance`
//! (clamped at 0), and must end within `prev_end + distance + within`.
//! When a later relative match fails, the earlier content is retried at
//! its next occurrence, as Suricata does; the number of retries per list
//! is capped ([`MAX_STEPS`]) so hostile payloads cannot loop for long.
//! A negated content succeeds when the pattern is absent from its window
//! and does not move the match position. Content positions may name a
//! byte variable; an unset variable is a non-match.
//!
//! `pcre` searches from the previous match end when relative (`R`), else
//! from 0, and moves the cursor to the match end; when a later step
//! fails, it is retried from its previous match start plus one, like
//! content (not for anchored patterns: `^`, `\A` or `A`, whose retry
//! could not match in PCRE either). A negated pcre never moves the
//! cursor. `byte_jump` and `byte_extract` move the cursor; `byte_test`,
//! `byte_math` and `isdataat` do not. `asn1` does not move the cursor
//! (its `relative_offset` counts from it). `base64_decode` ends the list,
//! as in Suricata (`DetectEngineContentInspectionInternal`): when it
//! decodes something, the `base64_data` list runs on the decoded bytes
//! from position 0 and its answer is the list's answer (the payload steps
//! after `base64_decode` are never evaluated); when nothing is decoded,
//! or the rule has no `base64_data` list, it is a non-match. The
//! evaluators themselves live in [`super::keywords`].

use crate::rule::keywords::app::{Asn1, Base64Decode};
use crate::rule::keywords::byte::{ByteExtract, ByteJump, ByteMath, ByteTest, IsDataAt};
use crate::rule::keywords::content::Content;
use crate::rule::keywords::value::Operand;

use super::keywords::asn1::asn1_matches;
use super::keywords::base64::with_decoded;
use super::keywords::byte::{self as kb, ByteVars};
use super::keywords::pcre::CompiledPcre;

/// Upper bound on content searches for one list on one packet (Suricata's
/// `inspection_recursion_limit` is 3000).
pub const MAX_STEPS: u32 = 3000;

/// One compiled payload match.
#[derive(Debug)]
pub(crate) enum Step {
    /// A content.
    Content(CContent),
    /// `isdataat`.
    IsDataAt(IsDataAt),
    /// `pcre`, with whether it is anchored (no retry).
    Pcre(Box<CompiledPcre>, bool),
    /// `byte_test`.
    ByteTest(ByteTest),
    /// `byte_jump`.
    ByteJump(ByteJump),
    /// `byte_extract`.
    ByteExtract(ByteExtract),
    /// `byte_math`.
    ByteMath(ByteMath),
    /// `asn1`.
    Asn1(Asn1),
    /// `base64_decode`, with the rule's `base64_data` list (empty when
    /// it has none).
    Base64Decode(Base64Decode, Vec<Step>),
}

/// A content with its positions (numbers or byte variables).
#[derive(Clone, Debug)]
pub(crate) struct CContent {
    /// Pattern (lowercased when `nocase`).
    pub pattern: Vec<u8>,
    pub nocase: bool,
    pub negated: bool,
    pub offset: Option<Operand<i64>>,
    pub depth: Option<Operand<i64>>,
    pub distance: Option<Operand<i64>>,
    pub within: Option<Operand<i64>>,
    pub startswith: bool,
    pub endswith: bool,
}

impl CContent {
    fn relative(&self) -> bool {
        self.distance.is_some() || self.within.is_some()
    }
}

/// Compiles a content.
pub(crate) fn compile_content(c: &Content) -> CContent {
    let pattern = if c.nocase {
        c.pattern.to_ascii_lowercase()
    } else {
        c.pattern.clone()
    };
    CContent {
        pattern,
        nocase: c.nocase,
        negated: c.negated,
        offset: c.offset.clone(),
        depth: c.depth.clone(),
        distance: c.distance.clone(),
        within: c.within.clone(),
        startswith: c.startswith,
        endswith: c.endswith,
    }
}

/// The value of an optional position: `Ok(None)` when absent, `Err` when
/// it names a variable not set.
fn pos(o: &Option<Operand<i64>>, vars: &ByteVars<'_>) -> Result<Option<i64>, ()> {
    match o {
        None => Ok(None),
        Some(Operand::Num(n)) => Ok(Some(*n)),
        Some(Operand::Var(v)) => vars.get(v).map(|n| Some(n as i64)).ok_or(()),
    }
}

fn eq_at(hay: &[u8], pat: &[u8], nocase: bool) -> bool {
    if nocase {
        hay.iter()
            .zip(pat)
            .all(|(h, p)| h.to_ascii_lowercase() == *p)
    } else {
        hay == pat
    }
}

/// First occurrence of `pat` in `hay` at or after `from`, ending at or
/// before `end`; returns the start.
fn find(hay: &[u8], pat: &[u8], nocase: bool, from: usize, end: usize) -> Option<usize> {
    let end = end.min(hay.len());
    if pat.len() > end || from > end - pat.len() {
        return None;
    }
    (from..=end - pat.len()).find(|&s| eq_at(&hay[s..s + pat.len()], pat, nocase))
}

/// The search window `[start, end)` of `c` given the previous match end.
fn window(c: &CContent, prev: usize, len: usize, vars: &ByteVars<'_>) -> Option<(usize, usize)> {
    let (start, end) = if c.relative() {
        let dist = pos(&c.distance, vars).ok()?.unwrap_or(0);
        let base = (prev as i64).saturating_add(dist);
        let start = base.max(0);
        let end = match pos(&c.within, vars).ok()? {
            Some(w) => base.saturating_add(w).min(len as i64),
            None => len as i64,
        };
        (start, end)
    } else if c.startswith {
        (0, len as i64)
    } else {
        let offset = pos(&c.offset, vars).ok()?.unwrap_or(0);
        let end = match pos(&c.depth, vars).ok()? {
            Some(d) => offset.saturating_add(d).min(len as i64),
            None => len as i64,
        };
        (offset, end)
    };
    if start > end || start < 0 {
        return None;
    }
    Some((start as usize, end as usize))
}

/// Whether the list `steps` matches `buf`, with the rule's byte variables
/// in `vars` (cleared first).
pub(crate) fn matches(steps: &[Step], buf: &[u8], vars: &mut ByteVars<'_>) -> bool {
    let mut budget = MAX_STEPS;
    vars.clear();
    inspect(steps, buf, 0, vars, &mut budget)
}

fn inspect(
    steps: &[Step],
    buf: &[u8],
    prev: usize,
    vars: &mut ByteVars<'_>,
    budget: &mut u32,
) -> bool {
    let Some((first, rest)) = steps.split_first() else {
        return true;
    };
    if *budget == 0 {
        return false;
    }
    *budget -= 1;
    match first {
        Step::IsDataAt(d) => {
            kb::isdataat(buf, prev, d, vars) && inspect(rest, buf, prev, vars, budget)
        }
        Step::ByteTest(t) => {
            kb::byte_test(buf, prev, t, vars) && inspect(rest, buf, prev, vars, budget)
        }
        Step::ByteMath(m) => {
            kb::byte_math(buf, prev, m, vars).is_some() && inspect(rest, buf, prev, vars, budget)
        }
        Step::Asn1(a) => asn1_matches(buf, prev, a) && inspect(rest, buf, prev, vars, budget),
        Step::Base64Decode(d, data) => {
            !data.is_empty()
                && with_decoded(buf, prev, d, |decoded| {
                    inspect(data, decoded, 0, vars, budget)
                })
        }
        Step::ByteJump(j) => match kb::byte_jump(buf, prev, j, vars) {
            Some(at) => inspect(rest, buf, at, vars, budget),
            None => false,
        },
        Step::ByteExtract(e) => match kb::byte_extract(buf, prev, e, vars) {
            Some(at) => inspect(rest, buf, at, vars, budget),
            None => false,
        },
        Step::Pcre(p, anchored) => {
            let base = if p.relative() { prev } else { 0 };
            if p.negated() {
                return p.find(buf, base).is_none() && inspect(rest, buf, prev, vars, budget);
            }
            let retry = !*anchored && rest.iter().any(depends_on_position);
            let mut from = base;
            while let Some((s, e)) = p.find(buf, from) {
                if inspect(rest, buf, e, vars, budget) {
                    return true;
                }
                if !retry || *budget == 0 {
                    return false;
                }
                *budget -= 1;
                from = s + 1;
            }
            false
        }
        Step::Content(c) => {
            let Some((start, end)) = window(c, prev, buf.len(), vars) else {
                return c.negated && inspect(rest, buf, prev, vars, budget);
            };
            if c.negated {
                let found = occurrences(c, buf, start, end).next().is_some();
                return !found && inspect(rest, buf, prev, vars, budget);
            }
            // Retry later occurrences only when what follows depends on
            // where this one matched.
            let retry = rest.iter().any(depends_on_position);
            for s in occurrences(c, buf, start, end) {
                if inspect(rest, buf, s + c.pattern.len(), vars, budget) {
                    return true;
                }
                if !retry || *budget == 0 {
                    return false;
                }
                *budget -= 1;
            }
            false
        }
    }
}

fn depends_on_position(s: &Step) -> bool {
    match s {
        Step::Content(c) => c.relative(),
        Step::IsDataAt(d) => d.relative,
        Step::Pcre(p, _) => p.relative(),
        Step::ByteTest(t) => t.relative,
        Step::ByteJump(j) => j.relative,
        Step::ByteExtract(e) => e.relative,
        Step::ByteMath(m) => m.relative,
        // Suricata's asn1 and base64_decode setups do not mark the
        // content before them RELATIVE_NEXT: it is not retried for them.
        Step::Asn1(_) | Step::Base64Decode(..) => false,
    }
}

/// Starts of the occurrences of `c` in `buf[start..end]` that satisfy
/// `startswith`/`endswith`.
fn occurrences<'b>(
    c: &'b CContent,
    buf: &'b [u8],
    start: usize,
    end: usize,
) -> impl Iterator<Item = usize> + 'b {
    let mut from = start;
    std::iter::from_fn(move || loop {
        let s = find(buf, &c.pattern, c.nocase, from, end)?;
        from = s + 1;
        if c.startswith && s != 0 {
            return None;
        }
        if c.endswith && s + c.pattern.len() != buf.len() {
            continue;
        }
        return Some(s);
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::keywords::byte::VarNames;
    use crate::rule::parse_rule;
    use crate::rule::Match;

    fn steps(opts: &str) -> Vec<Step> {
        let r = parse_rule(&format!("alert tcp any any -> any any ({opts} sid:1;)")).unwrap();
        r.lists[0]
            .matches
            .iter()
            .map(|m| match m {
                Match::Content(c) => Step::Content(compile_content(c)),
                Match::IsDataAt(i) => Step::IsDataAt(i.clone()),
                _ => panic!(),
            })
            .collect()
    }

    fn matches(steps: &[Step], buf: &[u8]) -> bool {
        let names = VarNames::default();
        super::matches(steps, buf, &mut ByteVars::new(&names))
    }

    #[test]
    fn content_positions() {
        let cases: &[(&str, &[u8], bool)] = &[
            (r#"content:"abc";"#, b"xxabcxx", true),
            (r#"content:"ABC"; nocase;"#, b"xxabcxx", true),
            (r#"content:"ABC";"#, b"xxabcxx", false),
            (r#"content:"abc"; offset:2;"#, b"xxabcxx", true),
            (r#"content:"abc"; offset:3;"#, b"xxabcxx", false),
            (r#"content:"abc"; depth:5;"#, b"xxabcxx", true),
            (r#"content:"abc"; depth:4;"#, b"xxabcxx", false),
            (r#"content:"abc"; offset:1; depth:4;"#, b"xxabcxx", true),
            (r#"content:"abc"; offset:1; depth:3;"#, b"xxabcxx", false),
            (r#"content:"abc"; startswith;"#, b"abcxx", true),
            (r#"content:"abc"; startswith;"#, b"xabc", false),
            (r#"content:"abc"; endswith;"#, b"abcxabc", true),
            (r#"content:"abc"; endswith;"#, b"abcx", false),
            (r#"content:!"abc";"#, b"xyz", true),
            (r#"content:!"abc";"#, b"xabc", false),
            (r#"content:!"abc"; depth:3;"#, b"xabc", true),
        ];
        for (opts, buf, want) in cases {
            assert_eq!(matches(&steps(opts), buf), *want, "{opts} on {buf:?}");
        }
    }

    #[test]
    fn relative_chains_retry() {
        let cases: &[(&str, &[u8], bool)] = &[
            (r#"content:"a"; content:"b"; distance:0;"#, b"ab", true),
            (r#"content:"a"; content:"b"; distance:1;"#, b"ab", false),
            (r#"content:"a"; content:"b"; within:1;"#, b"axb", false),
            (r#"content:"a"; content:"b"; within:2;"#, b"axb", true),
            // first "a" fails within:1, the second "a" succeeds: retry.
            (r#"content:"a"; content:"b"; within:1;"#, b"axxab", true),
            (
                r#"content:"b"; content:"a"; distance:-2; within:1;"#,
                b"ab",
                true,
            ),
            (r#"content:"a"; isdataat:1,relative;"#, b"a", false),
            (r#"content:"a"; isdataat:1,relative;"#, b"ab", true),
            (r#"content:"a"; isdataat:!1,relative;"#, b"a", true),
            (r#"isdataat:2;"#, b"ab", false),
            (r#"isdataat:1;"#, b"ab", true),
            (r#"content:"a"; content:!"b"; within:1;"#, b"ab", false),
            (r#"content:"a"; content:!"b"; within:1;"#, b"abac", true),
        ];
        for (opts, buf, want) in cases {
            assert_eq!(matches(&steps(opts), buf), *want, "{opts} on {buf:?}");
        }
    }
}
