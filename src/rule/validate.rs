//! Checks on a finished rule as a whole, as Suricata's `SigValidate` and
//! the keywords' validate callbacks do: a `sid` is required, `ip_proto`
//! only in `ip` rules, and limits that make the rule unable to ever match
//! (`bsize`/`dsize` smaller than its contents need).
//!
//! Note that `within` counts from where `distance` puts the start (as in
//! Suricata's content inspection: the window ends at previous match end +
//! distance + within), so `distance:4; within:4;` with a 4-byte pattern is
//! fine; only `within` shorter than the pattern is an error (in `build`).
//!
//! Variable checks need a [`crate::config::Vars`] and live in the loader.

use super::buffer::Buffer;
use super::build::{Built, Diag};
use super::error::RuleErrorKind as K;
use super::keywords::content::FastPattern;
use super::keywords::value::Operand;
use super::model::{Condition, Match};

/// The first problem found, if any.
pub(crate) fn validate(built: &Built) -> Result<(), Diag> {
    let rule = &built.rule;
    if rule.sid.is_none() {
        return Err(Diag {
            at: 0,
            kind: K::MissingSid,
        });
    }
    for (i, c) in rule.conditions.iter().enumerate() {
        let at = built.condition_at.get(i).copied().unwrap_or(0);
        if let Condition::IpProto(_) = c {
            if !rule.protocol.is_ip_any() {
                return Err(Diag {
                    at,
                    kind: K::WrongProtocol {
                        keyword: "ip_proto".into(),
                        protocol: rule.protocol.name().to_string(),
                    },
                });
            }
        }
    }
    for (li, list) in rule.lists.iter().enumerate() {
        let at = built.list_at.get(li).copied().unwrap_or(0);
        check_fast_pattern_only(&list.matches, at)?;
        // bsize against the contents of the same buffer.
        let bsize_max = list.matches.iter().find_map(|m| match m {
            Match::Bsize(b) => b.max_accepted(),
            _ => None,
        });
        if let Some(max) = bsize_max {
            if let Some(need) = required_len(&list.matches) {
                if need > max {
                    return Err(Diag {
                        at,
                        kind: K::Contradiction(format!(
                            "its contents need {need} bytes of '{}' but bsize allows at most {max} (Suricata refuses such a rule too)",
                            list.buffer
                        )),
                    });
                }
            }
        }
    }
    // dsize against the payload contents.
    let dsize_max = rule.conditions.iter().find_map(|c| match c {
        Condition::Dsize(d) => d.max_accepted(),
        _ => None,
    });
    if let (Some(max), Some(list)) = (dsize_max, rule.list(Buffer::Payload)) {
        if let Some(need) = required_len(&list.matches) {
            if need > max {
                let at = rule
                    .conditions
                    .iter()
                    .position(|c| matches!(c, Condition::Dsize(_)))
                    .and_then(|i| built.condition_at.get(i).copied())
                    .unwrap_or(0);
                return Err(Diag {
                    at,
                    kind: K::Contradiction(format!(
                        "its payload contents need {need} bytes but dsize allows at most {max} (Suricata refuses such a rule too)"
                    )),
                });
            }
        }
    }
    Ok(())
}

/// A relative content cannot follow a `fast_pattern:only` content in the
/// same buffer (Suricata: "previous keyword has a fast_pattern:only").
/// Checked on the final lists, so a Snort 2 modifier that moves a content
/// away (`content:"a"; fast_pattern:only; content:"b"; http_header;
/// content:"c"; distance:0; http_header;`) is judged where it ends up.
fn check_fast_pattern_only(matches: &[Match], at: usize) -> Result<(), Diag> {
    let mut prev_only = false;
    for m in matches {
        match m {
            Match::Content(c) => {
                if prev_only && c.is_relative() {
                    return Err(Diag {
                        at,
                        kind: K::ConflictingModifiers {
                            keyword: if c.distance.is_some() { "distance" } else { "within" }.into(),
                            reason: "the previous content has fast_pattern:only; relative modifiers cannot refer to it".into(),
                        },
                    });
                }
                prev_only = c.fast_pattern == Some(FastPattern::Only);
            }
            Match::Pcre(_) => prev_only = false,
            _ => {}
        }
    }
    Ok(())
}

/// The fewest bytes a buffer must hold for its positive contents to
/// match, following chains of relative contents; `None` when a variable
/// or a negative distance makes it unknowable.
pub(crate) fn required_len(matches: &[Match]) -> Option<u64> {
    let mut best: u64 = 0;
    let mut chain_end: u64 = 0;
    for m in matches {
        match m {
            Match::Content(c) if !c.negated => {
                let len = c.pattern.len() as u64;
                let end = if c.is_relative() {
                    let d = match &c.distance {
                        None => 0,
                        Some(Operand::Num(n)) if *n >= 0 => *n as u64,
                        _ => return None,
                    };
                    chain_end + d + len
                } else {
                    let off = match &c.offset {
                        None => 0,
                        Some(Operand::Num(n)) => *n as u64,
                        Some(Operand::Var(_)) => return None,
                    };
                    off + len
                };
                chain_end = end;
                best = best.max(end);
            }
            Match::Content(_) => {}
            // Anything else may move the cursor in ways not tracked here.
            _ => chain_end = 0,
        }
    }
    Some(best)
}
