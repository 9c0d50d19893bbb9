//! Warnings for rules that load but can never match: contradictions
//! between keywords that Suricata accepts (so the rule stays loaded, as
//! it does in Suricata), reported so they are not silently dead.
//!
//! What Suricata itself refuses is an error elsewhere, not here:
//! `depth` or `within` shorter than the pattern ("depth smaller than
//! content length"), `startswith` with `offset`/`depth`, and `dsize` or
//! `bsize` below what the contents need (see [`super::validate`] and
//! [`super::build`]). Note that `offset` past `depth` is no contradiction:
//! `depth` counts from `offset` (the content must lie in
//! `offset..offset+depth`).
//!
//! Checked here, per buffer (numbers only; a byte variable makes a check
//! unknowable and skips it):
//! * a negated content with no position that occurs inside a positive
//!   content of the same buffer (`content:"abcd"; content:!"bc";`);
//! * two positive contents pinned to overlapping absolute positions (by
//!   `startswith`, or `depth` equal to the pattern length) whose bytes
//!   disagree (`content:"GET"; depth:3; content:"POST"; depth:4;`);
//! * `isdataat:!N` (absolute) when the contents need more than `N` bytes,
//!   and absolute `isdataat` against `dsize` in payload rules.

use super::buffer::Buffer;
use super::build::{Built, Diag};
use super::error::RuleErrorKind as K;
use super::keywords::content::Content;
use super::keywords::value::{IntMatch, Operand};
use super::model::{Condition, Match};
use super::validate::required_len;

/// The never-matching contradictions of `built`, as warnings.
pub(crate) fn lint(built: &Built) -> Vec<Diag> {
    let rule = &built.rule;
    let mut out = Vec::new();
    let dsize_at = rule
        .conditions
        .iter()
        .position(|c| matches!(c, Condition::Dsize(_)))
        .and_then(|i| built.condition_at.get(i).copied());
    let dsize = rule.conditions.iter().find_map(|c| match c {
        Condition::Dsize(d) => Some(*d),
        _ => None,
    });
    for (li, list) in rule.lists.iter().enumerate() {
        let at = built.list_at.get(li).copied().unwrap_or(0);
        let mut warn = |at: usize, msg: String| {
            out.push(Diag {
                at,
                kind: K::Contradiction(msg),
            })
        };
        let contents: Vec<&Content> = list
            .matches
            .iter()
            .filter_map(|m| match m {
                Match::Content(c) => Some(c),
                _ => None,
            })
            .collect();
        for n in contents.iter().filter(|c| c.negated && unplaced(c)) {
            if let Some(p) = contents
                .iter()
                .find(|p| !p.negated && contains(p, &n.pattern, n.nocase))
            {
                warn(at, format!(
                    "the negated content \"{}\" occurs inside the content \"{}\" of the same buffer",
                    show(&n.pattern),
                    show(&p.pattern)
                ));
            }
        }
        let pinned: Vec<(u64, &Content)> = contents
            .iter()
            .filter_map(|c| pinned_at(c).map(|o| (o, *c)))
            .collect();
        'pairs: for (i, (oa, a)) in pinned.iter().enumerate() {
            for (ob, b) in pinned.iter().skip(i + 1) {
                if let Some(pos) = disagreement(*oa, a, *ob, b) {
                    warn(at, format!(
                        "\"{}\" at offset {oa} and \"{}\" at offset {ob} need different bytes at offset {pos}",
                        show(&a.pattern),
                        show(&b.pattern)
                    ));
                    break 'pairs;
                }
            }
        }
        let need = required_len(&list.matches);
        for m in &list.matches {
            let Match::IsDataAt(d) = m else { continue };
            let (false, Operand::Num(n)) = (d.relative, &d.offset) else {
                continue;
            };
            let n = (*n).max(0) as u64;
            if d.negated {
                if let Some(need) = need.filter(|&need| need > n) {
                    warn(at, format!(
                        "isdataat:!{n} allows at most {n} bytes of '{}' but its contents need {need}",
                        list.buffer
                    ));
                }
            }
            if list.buffer != Buffer::Payload {
                continue;
            }
            match (d.negated, dsize) {
                (false, Some(ds)) if ds.max_accepted().is_some_and(|max| max <= n) => {
                    warn(dsize_at.unwrap_or(at), format!(
                        "isdataat:{n} needs more than {n} bytes of payload but dsize allows at most {}",
                        ds.max_accepted().unwrap_or(0)
                    ));
                }
                (true, Some(ds)) if min_accepted(&ds) > n => {
                    warn(dsize_at.unwrap_or(at), format!(
                        "isdataat:!{n} allows at most {n} bytes of payload but dsize needs at least {}",
                        min_accepted(&ds)
                    ));
                }
                _ => {}
            }
        }
    }
    out
}

/// A content with no position at all: it may be anywhere.
fn unplaced(c: &Content) -> bool {
    c.offset.is_none()
        && c.depth.is_none()
        && c.distance.is_none()
        && c.within.is_none()
        && !c.startswith
        && !c.endswith
}

/// Whether every match of `outer` contains `inner` (`inner_nocase`:
/// compared without case). An exact `inner` inside a `nocase` outer is
/// not certain unless the bytes have no letters.
fn contains(outer: &Content, inner: &[u8], inner_nocase: bool) -> bool {
    if inner.is_empty() || inner.len() > outer.pattern.len() {
        return false;
    }
    let fold = inner_nocase;
    if outer.nocase && !fold && inner.iter().any(u8::is_ascii_alphabetic) {
        return false;
    }
    outer.pattern.windows(inner.len()).any(|w| {
        if fold {
            w.eq_ignore_ascii_case(inner)
        } else {
            w == inner
        }
    })
}

/// The absolute offset a positive content must start at, when it has
/// exactly one: `startswith`, or a numeric `depth` equal to its length.
fn pinned_at(c: &Content) -> Option<u64> {
    if c.negated || c.is_relative() {
        return None;
    }
    let off = match &c.offset {
        None => 0,
        Some(Operand::Num(n)) => (*n).max(0) as u64,
        Some(Operand::Var(_)) => return None,
    };
    if c.startswith {
        return Some(0);
    }
    match &c.depth {
        Some(Operand::Num(d)) if *d as usize == c.pattern.len() => Some(off),
        _ => None,
    }
}

/// The first absolute offset where pinned `a` (at `oa`) and `b` (at
/// `ob`) cannot both hold, if any.
fn disagreement(oa: u64, a: &Content, ob: u64, b: &Content) -> Option<u64> {
    let start = oa.max(ob);
    let end = (oa + a.pattern.len() as u64).min(ob + b.pattern.len() as u64);
    (start..end).find(|&pos| {
        let (Some(&x), Some(&y)) = (
            a.pattern.get((pos - oa) as usize),
            b.pattern.get((pos - ob) as usize),
        ) else {
            return false;
        };
        if a.nocase || b.nocase {
            // A nocase side accepts either case of its letter, so only a
            // difference beyond case is certain.
            !x.eq_ignore_ascii_case(&y)
        } else {
            x != y
        }
    })
}

/// The smallest value `m` accepts.
fn min_accepted(m: &IntMatch) -> u64 {
    match *m {
        IntMatch::Eq(n) | IntMatch::Ge(n) => n,
        IntMatch::Gt(n) => n.saturating_add(1),
        IntMatch::Range(lo, _) => lo.saturating_add(1),
        IntMatch::RangeInclusive(lo, _) => lo,
        _ => 0,
    }
}

/// A pattern for a message: printable ASCII as is, other bytes as `|xx|`.
fn show(p: &[u8]) -> String {
    let mut s = String::new();
    for &b in p.iter().take(40) {
        if (0x20..0x7f).contains(&b) && b != b'|' && b != b'"' {
            s.push(b as char);
        } else {
            s.push_str(&format!("|{b:02x}|"));
        }
    }
    if p.len() > 40 {
        s.push_str("...");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::build::build;
    use crate::rule::syntax::parse_rule;

    fn warnings(opts: &str) -> Vec<String> {
        let text = format!("alert tcp any any -> any any ({opts} sid:1;)");
        let raw = parse_rule(&text, false).unwrap();
        let b = build(raw, None).unwrap();
        lint(&b).into_iter().map(|d| d.kind.to_string()).collect()
    }

    #[test]
    fn negated_inside_positive() {
        let w = warnings(r#"content:"abcd"; content:!"bc";"#);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("\"bc\" occurs inside the content \"abcd\""));
        // nocase negation catches other case; an exact one does not.
        assert_eq!(
            warnings(r#"content:"aBCd"; content:!"bc"; nocase;"#).len(),
            1
        );
        assert!(warnings(r#"content:"aBCd"; content:!"bc";"#).is_empty());
        // A placed negation is fine.
        assert!(warnings(r#"content:"abcd"; content:!"bc"; depth:2;"#).is_empty());
        // Exact negation inside a nocase positive: not certain.
        assert!(warnings(r#"content:"abcd"; nocase; content:!"bc";"#).is_empty());
    }

    #[test]
    fn pinned_contents_disagree() {
        let w = warnings(r#"content:"GET"; depth:3; content:"POST"; depth:4;"#);
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("offset 0"), "{w:?}");
        // Agreeing prefixes are fine; so is a nocase letter of other case.
        assert!(warnings(r#"content:"GE"; startswith; content:"GET"; depth:3;"#).is_empty());
        assert!(warnings(r#"content:"get"; nocase; depth:3; content:"GET"; depth:3;"#).is_empty());
        // Pinned apart: "ab" at 0..2 and "cd" at 2..4 never overlap.
        assert!(warnings(r#"content:"ab"; depth:2; content:"cd"; offset:2; depth:2;"#).is_empty());
        // depth longer than the pattern: not pinned.
        assert!(warnings(r#"content:"GET"; depth:4; content:"POST"; depth:4;"#).is_empty());
    }

    #[test]
    fn isdataat_against_contents_and_dsize() {
        let w = warnings(r#"content:"abcdef"; isdataat:!4;"#);
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("contents need 6"), "{w:?}");
        assert!(warnings(r#"content:"abcd"; isdataat:!4;"#).is_empty());
        let w = warnings(r#"dsize:<10; isdataat:20;"#);
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("dsize allows at most 9"), "{w:?}");
        let w = warnings(r#"dsize:>30; isdataat:!20;"#);
        assert!(w[0].contains("dsize needs at least 31"), "{w:?}");
        assert!(warnings(r#"dsize:<10; isdataat:5;"#).is_empty());
        // Relative isdataat is not judged.
        assert!(warnings(r#"content:"abcdef"; isdataat:!1,relative;"#).is_empty());
    }
}
