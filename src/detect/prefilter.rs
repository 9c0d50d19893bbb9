//! The fast-pattern prefilter: which rules are worth a full check on a
//! packet.
//!
//! Each active rule with a payload content gets one *fast pattern*: the
//! content marked `fast_pattern` (its `offset,len` slice when given), else
//! the longest non-negated content (the first of equals). A rule whose
//! payload contents are all negated, or that has none, has no fast pattern
//! and is a candidate on every packet of its protocol bucket.
//!
//! One `aho_corasick` automaton (`MatchKind::Standard`, overlapping
//! search) holds every distinct fast pattern *lowercased*, and runs over a
//! lowercased copy of the payload kept in the worker's scratch. Matching
//! case-insensitively always gives a superset of the case-sensitive hits,
//! and every candidate gets the full check, so the choice trades a few
//! false candidates for one automaton and one scan (aho-corasick's case
//! folding is per automaton, not per pattern).
//!
//! Rules are bucketed by IP protocol (TCP, UDP, ICMP, other) only for the
//! always-checked lists; pattern hits are filtered by the full check.
//! Candidates are sorted and de-duplicated, so alerts keep rule order.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::rule::keywords::content::FastPattern;
use crate::rule::{Buffer, Match, Protocol, Rule};

use super::engine::CompiledRule;
use super::packet::View;

/// The prefilter of one engine.
#[derive(Debug)]
pub struct Prefilter {
    automaton: Option<AhoCorasick>,
    /// Rules (indexes) of each automaton pattern.
    pattern_rules: Vec<Vec<u32>>,
    /// Rules without a fast pattern, per bucket (see [`bucket`]).
    always: [Vec<u32>; 4],
}

/// The lowercased fast pattern of `rule`, if it has one.
pub fn fast_pattern(rule: &Rule) -> Option<Vec<u8>> {
    let list = rule.list(Buffer::Payload)?;
    let contents = list.matches.iter().filter_map(|m| match m {
        Match::Content(c) if !c.negated => Some(c),
        _ => None,
    });
    let mut best: Option<&crate::rule::keywords::content::Content> = None;
    for c in contents {
        if c.fast_pattern.is_some() {
            best = Some(c);
            break;
        }
        if best.map_or(true, |b| c.pattern.len() > b.pattern.len()) {
            best = Some(c);
        }
    }
    let c = best?;
    let pat = match c.fast_pattern {
        Some(FastPattern::Chop { offset, len }) => {
            let start = usize::from(offset).min(c.pattern.len());
            let end = (start + usize::from(len)).min(c.pattern.len());
            c.pattern.get(start..end)?.to_vec()
        }
        _ => c.pattern.clone(),
    };
    (!pat.is_empty()).then(|| pat.to_ascii_lowercase())
}

fn bucket(proto: u8) -> usize {
    match proto {
        6 => 0,
        17 => 1,
        1 | 58 => 2,
        _ => 3,
    }
}

fn rule_buckets(p: &Protocol) -> &'static [usize] {
    match p {
        Protocol::Tcp | Protocol::TcpPkt => &[0],
        Protocol::Udp => &[1],
        Protocol::Icmp | Protocol::Icmpv4 | Protocol::Icmpv6 => &[2],
        _ => &[0, 1, 2, 3],
    }
}

impl Prefilter {
    /// Builds the prefilter; `fps[i]` is rule `i`'s fast pattern.
    ///
    /// # Errors
    /// The automaton builder's error, as text.
    pub fn build(rules: &[CompiledRule], fps: &[Option<Vec<u8>>]) -> Result<Prefilter, String> {
        let mut patterns: Vec<Vec<u8>> = Vec::new();
        let mut index = std::collections::HashMap::new();
        let mut pattern_rules: Vec<Vec<u32>> = Vec::new();
        let mut always: [Vec<u32>; 4] = Default::default();
        for (i, (r, fp)) in rules.iter().zip(fps).enumerate() {
            match fp {
                Some(p) => {
                    let id = *index.entry(p.clone()).or_insert_with(|| {
                        patterns.push(p.clone());
                        pattern_rules.push(Vec::new());
                        patterns.len() - 1
                    });
                    pattern_rules[id].push(i as u32);
                }
                None => {
                    for &b in rule_buckets(&r.protocol) {
                        always[b].push(i as u32);
                    }
                }
            }
        }
        let automaton = if patterns.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::Standard)
                    .build(&patterns)
                    .map_err(|e| e.to_string())?,
            )
        };
        Ok(Prefilter {
            automaton,
            pattern_rules,
            always,
        })
    }

    /// Fills `out` with the candidate rules for `v`, sorted, no repeats.
    pub fn candidates(&self, v: &View<'_, '_>, lowered: &mut Vec<u8>, out: &mut Vec<u32>) {
        out.clear();
        out.extend_from_slice(&self.always[bucket(v.proto())]);
        if let Some(ac) = &self.automaton {
            if !v.payload.is_empty() {
                lowered.clear();
                lowered.extend(v.payload.iter().map(u8::to_ascii_lowercase));
                for m in ac.find_overlapping_iter(lowered.as_slice()) {
                    out.extend_from_slice(&self.pattern_rules[m.pattern().as_usize()]);
                }
            }
        }
        out.sort_unstable();
        out.dedup();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::parse_rule;

    #[test]
    fn fast_pattern_choice() {
        let fp = |t: &str| {
            fast_pattern(
                &parse_rule(&format!("alert tcp any any -> any any ({t} sid:1;)")).unwrap(),
            )
        };
        assert_eq!(
            fp(r#"content:"ab"; content:"ABCD";"#),
            Some(b"abcd".to_vec())
        );
        assert_eq!(
            fp(r#"content:"ab"; fast_pattern; content:"abcd";"#),
            Some(b"ab".to_vec())
        );
        assert_eq!(fp(r#"content:!"abcd";"#), None);
        assert_eq!(fp(r#"dsize:3;"#), None);
        assert_eq!(
            fp(r#"content:"abcdef"; fast_pattern:2,3;"#),
            Some(b"cde".to_vec())
        );
    }
}
