//! Payload match lists: `content` (all modifiers) and `isdataat`, with
//! Suricata's relative-chain semantics (`DetectEngineContentInspection`).
//!
//! Positions: a non-relative content searches `[offset, offset + depth)`
//! (depth counts from offset, as written). A relative content (`distance`,
//! `within`) searches from the end of the previous match plus `distance`
//! (clamped at 0), and must end within `prev_end + distance + within`.
//! When a later relative match fails, the earlier content is retried at
//! its next occurrence, as Suricata does; the number of retries per list
//! is capped ([`MAX_STEPS`]) so hostile payloads cannot loop for long.
//! A negated content succeeds when the pattern is absent from its window
//! and does not move the match position.
//!
//! Only literal operands are evaluated: a `byte_extract` variable makes
//! the rule inactive at build time (see [`super::support`]).

use crate::rule::keywords::byte::IsDataAt;
use crate::rule::keywords::content::Content;
use crate::rule::keywords::value::Operand;

/// Upper bound on content searches for one list on one packet (Suricata's
/// `inspection_recursion_limit` is 3000).
pub const MAX_STEPS: u32 = 3000;

/// One compiled payload match.
#[derive(Clone, Debug)]
pub(crate) enum Step {
    /// A content with literal positions.
    Content(CContent),
    /// `isdataat`.
    IsDataAt {
        /// Position.
        at: i64,
        /// `relative`.
        relative: bool,
        /// `!`.
        negated: bool,
    },
}

/// A content with its positions resolved to numbers.
#[derive(Clone, Debug)]
pub(crate) struct CContent {
    /// Pattern (lowercased when `nocase`).
    pub pattern: Vec<u8>,
    pub nocase: bool,
    pub negated: bool,
    pub offset: i64,
    pub depth: Option<i64>,
    pub distance: Option<i64>,
    pub within: Option<i64>,
    pub startswith: bool,
    pub endswith: bool,
}

impl CContent {
    fn relative(&self) -> bool {
        self.distance.is_some() || self.within.is_some()
    }
}

fn num(o: &Option<Operand<i64>>) -> Result<Option<i64>, ()> {
    match o {
        None => Ok(None),
        Some(Operand::Num(n)) => Ok(Some(*n)),
        Some(Operand::Var(_)) => Err(()),
    }
}

/// Compiles a content; `None` when a position is a byte variable.
pub(crate) fn compile_content(c: &Content) -> Option<CContent> {
    let pattern = if c.nocase {
        c.pattern.to_ascii_lowercase()
    } else {
        c.pattern.clone()
    };
    Some(CContent {
        pattern,
        nocase: c.nocase,
        negated: c.negated,
        offset: num(&c.offset).ok()?.unwrap_or(0),
        depth: num(&c.depth).ok()?,
        distance: num(&c.distance).ok()?,
        within: num(&c.within).ok()?,
        startswith: c.startswith,
        endswith: c.endswith,
    })
}

/// Compiles an `isdataat`; `None` when its position is a byte variable.
pub(crate) fn compile_isdataat(i: &IsDataAt) -> Option<Step> {
    match i.offset {
        Operand::Num(at) => Some(Step::IsDataAt {
            at,
            relative: i.relative,
            negated: i.negated,
        }),
        Operand::Var(_) => None,
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
fn window(c: &CContent, prev: usize, len: usize) -> Option<(usize, usize)> {
    let (start, end) = if c.relative() {
        let dist = c.distance.unwrap_or(0);
        let base = prev as i64 + dist;
        let start = base.max(0);
        let end = match c.within {
            Some(w) => (base + w).min(len as i64),
            None => len as i64,
        };
        (start, end)
    } else if c.startswith {
        (0, len as i64)
    } else {
        let end = match c.depth {
            Some(d) => (c.offset + d).min(len as i64),
            None => len as i64,
        };
        (c.offset, end)
    };
    if start > end || start < 0 {
        return None;
    }
    Some((start as usize, end as usize))
}

/// Whether the list `steps` matches `buf`.
pub(crate) fn matches(steps: &[Step], buf: &[u8]) -> bool {
    let mut budget = MAX_STEPS;
    inspect(steps, buf, 0, &mut budget)
}

fn inspect(steps: &[Step], buf: &[u8], prev: usize, budget: &mut u32) -> bool {
    let Some((first, rest)) = steps.split_first() else {
        return true;
    };
    if *budget == 0 {
        return false;
    }
    *budget -= 1;
    match first {
        Step::IsDataAt {
            at,
            relative,
            negated,
        } => {
            let has = if *relative {
                prev as i64 + at <= buf.len() as i64
            } else {
                *at < buf.len() as i64
            };
            has != *negated && inspect(rest, buf, prev, budget)
        }
        Step::Content(c) => {
            let Some((start, end)) = window(c, prev, buf.len()) else {
                return c.negated && inspect(rest, buf, prev, budget);
            };
            if c.negated {
                let found = occurrences(c, buf, start, end).next().is_some();
                return !found && inspect(rest, buf, prev, budget);
            }
            // Retry later occurrences only when what follows depends on
            // where this one matched.
            let retry = rest.iter().any(depends_on_position);
            for s in occurrences(c, buf, start, end) {
                if inspect(rest, buf, s + c.pattern.len(), budget) {
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
        Step::IsDataAt { relative, .. } => *relative,
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
    use crate::rule::parse_rule;
    use crate::rule::Match;

    fn steps(opts: &str) -> Vec<Step> {
        let r = parse_rule(&format!("alert tcp any any -> any any ({opts} sid:1;)")).unwrap();
        r.lists[0]
            .matches
            .iter()
            .map(|m| match m {
                Match::Content(c) => Step::Content(compile_content(c).unwrap()),
                Match::IsDataAt(i) => compile_isdataat(i).unwrap(),
                _ => panic!(),
            })
            .collect()
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
