//! [`Engine`]: the active rules of a [`RuleSet`] compiled once, immutable
//! and shared read-only between workers (`Send + Sync`), and
//! [`Engine::inspect`], which lists the rules a packet matches into a
//! per-worker [`DetectScratch`].
//!
//! Order of evaluation per packet: the prefilter's candidates (see
//! [`super::prefilter`]), then for each candidate the protocol, the
//! addresses and ports (both ways for `<>`), the conditions, and the
//! payload list. A packet without an IP layer reaches only `pkthdr` rules
//! (Suricata's decoder-event group).

use std::sync::Arc;

use thiserror::Error;

use crate::config::Classifications;
use crate::rule::{Action, Condition, Direction, Endpoints, LoadedRule, Match, Protocol, RuleSet};

use super::content::{compile_content, compile_isdataat, matches as list_matches, Step};
use super::packet::{condition_matches, proto_matches, View};
use super::prefilter::{fast_pattern, Prefilter};
use super::support::inactive_reason;

/// A problem building the engine.
#[derive(Debug, Error)]
pub enum BuildError {
    /// The prefilter automaton could not be built.
    #[error("building the fast-pattern automaton: {0}")]
    Prefilter(String),
}

/// Settings for [`EngineBuilder::build`].
#[derive(Clone, Copy, Debug)]
pub struct EngineBuilder {
    /// Use the fast-pattern prefilter (`false`: check every rule on every
    /// packet, the naive baseline).
    pub prefilter: bool,
}

impl Default for EngineBuilder {
    fn default() -> Self {
        EngineBuilder { prefilter: true }
    }
}

/// One active rule, compiled.
#[derive(Debug)]
pub struct CompiledRule {
    /// gid.
    pub gid: u32,
    /// sid.
    pub sid: u32,
    /// rev.
    pub rev: u32,
    /// `msg`.
    pub msg: Option<String>,
    /// The classtype's description.
    pub class_desc: Option<String>,
    /// Rule priority, else classtype priority, else 3.
    pub priority: u32,
    /// Action.
    pub action: Action,
    /// `noalert`.
    pub noalert: bool,
    pub(crate) protocol: Protocol,
    pub(crate) endpoints: Option<Endpoints>,
    pub(crate) both_ways: bool,
    pub(crate) conditions: Vec<Condition>,
    pub(crate) payload: Vec<Step>,
}

impl CompiledRule {
    fn endpoints_match(&self, v: &View<'_, '_>) -> bool {
        let Some(e) = &self.endpoints else {
            return true;
        };
        let any_addr = e.src.is_any() && e.dst.is_any();
        let any_port = e.src_ports.is_any() && e.dst_ports.is_any();
        if any_addr && any_port {
            return true;
        }
        let addrs = v.addrs();
        let one_way = |forward: bool| {
            let addr_ok = any_addr
                || addrs.is_some_and(|(s, d)| {
                    let (s, d) = if forward { (s, d) } else { (d, s) };
                    e.src.contains(s) && e.dst.contains(d)
                });
            let port_ok = any_port
                || v.ports.is_some_and(|(s, d)| {
                    let (s, d) = if forward { (s, d) } else { (d, s) };
                    e.src_ports.contains(s) && e.dst_ports.contains(d)
                });
            addr_ok && port_ok
        };
        one_way(true) || (self.both_ways && one_way(false))
    }

    /// Whether the rule matches the packet (all of it, prefilter aside).
    pub(crate) fn matches(&self, v: &View<'_, '_>) -> bool {
        proto_matches(&self.protocol, v)
            && self.endpoints_match(v)
            && self.conditions.iter().all(|c| condition_matches(c, v))
            && (self.payload.is_empty() || list_matches(&self.payload, v.payload))
    }
}

/// The compiled rules and the prefilter.
#[derive(Debug)]
pub struct Engine {
    rules: Vec<CompiledRule>,
    prefilter: Option<Prefilter>,
    inactive: Vec<(u32, String)>,
}

/// Per-worker reusable buffers for [`Engine::inspect`].
#[derive(Debug, Default)]
pub struct DetectScratch {
    pub(crate) candidates: Vec<u32>,
    pub(crate) lowered: Vec<u8>,
    /// Indexes (into [`Engine::rules`]) of the rules the last packet
    /// matched, in rule order.
    pub matched: Vec<u32>,
}

impl Engine {
    /// Whether the engine evaluates `rule` (every keyword in it).
    pub fn is_active(rule: &LoadedRule) -> bool {
        inactive_reason(&rule.rule).is_none()
    }

    /// Why the engine does not evaluate `rule`; `None` when it does.
    pub fn why_inactive(rule: &LoadedRule) -> Option<String> {
        inactive_reason(&rule.rule)
    }

    /// The compiled rules, in load order.
    pub fn rules(&self) -> &[CompiledRule] {
        &self.rules
    }

    /// The rules left out, with sid (0 when absent) and reason.
    pub fn inactive(&self) -> &[(u32, String)] {
        &self.inactive
    }

    /// Lists into `scratch.matched` the rules `v`'s packet matches.
    pub fn inspect(&self, v: &View<'_, '_>, scratch: &mut DetectScratch) {
        scratch.matched.clear();
        match &self.prefilter {
            Some(p) => {
                p.candidates(v, &mut scratch.lowered, &mut scratch.candidates);
                for &i in &scratch.candidates {
                    if self.rules[i as usize].matches(v) {
                        scratch.matched.push(i);
                    }
                }
            }
            None => {
                for (i, r) in self.rules.iter().enumerate() {
                    if r.matches(v) {
                        scratch.matched.push(i as u32);
                    }
                }
            }
        }
    }
}

impl EngineBuilder {
    /// Compiles the active rules of `set`.
    ///
    /// # Errors
    /// [`BuildError::Prefilter`] when the automaton cannot be built.
    pub fn build(&self, set: &RuleSet, classes: &Classifications) -> Result<Engine, BuildError> {
        let mut rules = Vec::new();
        let mut inactive = Vec::new();
        for lr in &set.rules {
            let r = &lr.rule;
            if let Some(why) = inactive_reason(r) {
                inactive.push((r.sid.unwrap_or(0), why));
                continue;
            }
            let mut payload = Vec::new();
            for l in &r.lists {
                for m in &l.matches {
                    let step = match m {
                        Match::Content(c) => compile_content(c).map(Step::Content),
                        Match::IsDataAt(i) => compile_isdataat(i),
                        _ => None,
                    };
                    payload.extend(step);
                }
            }
            let class = r.classtype.as_deref().and_then(|c| classes.get(c));
            rules.push(CompiledRule {
                gid: r.gid(),
                sid: r.sid.unwrap_or(0),
                rev: r.rev(),
                msg: r.msg.clone(),
                class_desc: class.map(|c| c.description.clone()),
                priority: r.priority.or(class.map(|c| c.priority)).unwrap_or(3),
                action: r.action,
                noalert: r.conditions.iter().any(|c| matches!(c, Condition::Noalert)),
                protocol: r.protocol.clone(),
                endpoints: lr.endpoints.clone(),
                both_ways: r
                    .header
                    .as_ref()
                    .is_some_and(|h| h.direction == Direction::Both),
                conditions: r.conditions.clone(),
                payload,
            });
        }
        let prefilter = if self.prefilter {
            let fps: Vec<_> = set
                .rules
                .iter()
                .filter(|lr| inactive_reason(&lr.rule).is_none())
                .map(|lr| fast_pattern(&lr.rule))
                .collect();
            Some(Prefilter::build(&rules, &fps).map_err(BuildError::Prefilter)?)
        } else {
            None
        };
        Ok(Engine {
            rules,
            prefilter,
            inactive,
        })
    }
}

/// An engine behind an `Arc`, as workers share it.
pub type SharedEngine = Arc<Engine>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_is_send_sync() {
        fn check<T: Send + Sync>() {}
        check::<Engine>();
    }
}
