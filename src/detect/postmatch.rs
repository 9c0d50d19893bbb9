//! The post-match stage: from the rules a packet matched to the alerts
//! that are logged and the packet's verdict, as Suricata 8's
//! `PacketAlertFinalize` does.
//!
//! For one packet, given the engine's matches:
//! 1. IP-only rules are dropped unless the packet is its flow's first in
//!    its direction (or has no flow); see [`super::actions`].
//! 2. The matches are sorted as Suricata's alert queue (action order,
//!    flowbits/xbits use, priority, load order).
//! 3. For each match in that order: its `xbits` conditions are checked
//!    against the host table (a failed check drops the match) and its
//!    `xbits` actions run; then, for IP packets, suppressions, then
//!    thresholds/detection filters/rate filters decide
//!    [`Outcome`]: alert, silent (action only) or ignored.
//! 4. The action applies unless ignored (a pass after a drop on the same
//!    packet does not); a flow-scoped drop/pass sets the flow's verdict.
//! 5. Unless ignored, the rule's `tag`s are set ([`TagTables`]).
//! 6. The alert is logged if it kept the alert bit and was not silenced,
//!    up to `packet-alert-max` per packet (the rest are counted as
//!    discarded). The first pass ends the queue.
//!
//! Then, for every inspected packet (matches or not),
//! [`PostMatch::tag_packet`] updates the tags of its flow and hosts and
//! says whether it is a tagged packet (Suricata's `TagHandlePacket`).
//!
//! Memory: thresholds, xbits and tags live in bounded tables
//! ([`ThresholdState`], [`XbitsTable`], [`TagTables`]) keyed by packet time; `by_flow` thresholds are keyed by
//! the flow id in the same table. State is per detector (one worker).

mod setup;

use std::net::IpAddr;

pub(crate) use setup::{Gate, RulePost};
pub use setup::{PostMatchConfig, DEFAULT_PACKET_ALERT_MAX};

use super::actions::{ActionBits, FlowState, FlowVerdict, IpOnly, Verdict};
use super::engine::CompiledRule;
use super::keywords::bits::XbitsTable;
use super::keywords::tag::{TagPacket, TagTables};
use super::keywords::threshold::{MatchSite, Outcome, ThresholdState};
use crate::config::NewAction;
use crate::flow::ExceptionPolicy;

/// Most threshold counters one detector keeps.
pub const THRESHOLD_CAPACITY: usize = 1 << 16;
/// Most host/pair bits one detector keeps.
pub const XBITS_CAPACITY: usize = 1 << 16;
/// Most session and host tag entries one detector keeps.
pub const TAG_CAPACITY: usize = super::keywords::tag::DEFAULT_CAPACITY;

/// What the stage needs to know about the packet.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PacketFacts {
    /// Source and destination, for IP packets.
    pub addrs: Option<(IpAddr, IpAddr)>,
    /// The flow's id and whether this packet is its first in its
    /// direction; `None` without a flow.
    pub flow: Option<(u64, bool)>,
    /// Packet time, microseconds.
    pub now_us: u64,
    /// A TCP packet of a flow with payload: payload matches on it are
    /// stream matches (inline stream inspection), whose drop/pass
    /// applies to the flow as Suricata's `FlowApplySignatureActions`.
    pub stream: bool,
}

/// Counters of the stage.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PostMatchCounters {
    /// Matches that logged no alert (thresholds, suppress, noalert).
    pub suppressed: u64,
    /// Alerts beyond `packet-alert-max`.
    pub discarded: u64,
    /// Packets not inspected because their flow has a pass/drop verdict.
    pub flow_skipped: u64,
    /// Tags not set for want of room.
    pub tags_refused: u64,
}

/// The per-detector post-match state.
#[derive(Debug)]
pub(crate) struct PostMatch {
    rules: Vec<RulePost>,
    max_alerts: usize,
    thresholds: ThresholdState,
    xbits: XbitsTable,
    tags: TagTables,
    /// `app-layer.error-policy` and `exception-policy`, as written.
    error_policy: (Option<ExceptionPolicy>, Option<ExceptionPolicy>),
    queue: Vec<u32>,
    pub counters: PostMatchCounters,
}

impl PostMatch {
    /// Per rule: evaluated only on the first packet of each direction of
    /// a flow (IP-only).
    pub(crate) fn first_only_mask(&self) -> Vec<bool> {
        self.rules
            .iter()
            .map(|p| p.ip_only == IpOnly::Yes)
            .collect()
    }

    /// The stage for `rules` (the engine's, in order).
    pub fn new(rules: &[CompiledRule], cfg: &PostMatchConfig) -> (PostMatch, Vec<String>) {
        let (posts, warnings) = setup::build(rules, cfg);
        (
            PostMatch {
                rules: posts,
                max_alerts: cfg.packet_alert_max.max(1),
                thresholds: ThresholdState::new(THRESHOLD_CAPACITY),
                xbits: XbitsTable::new(XBITS_CAPACITY),
                tags: TagTables::new(TAG_CAPACITY),
                error_policy: (cfg.app_layer_error_policy, cfg.exception_policy),
                queue: Vec::new(),
                counters: PostMatchCounters::default(),
            },
            warnings,
        )
    }

    /// Whether the packet's flow stops inspection (and the verdict it
    /// gives the packet).
    pub fn flow_verdict(&mut self, flow: Option<&FlowState>) -> Option<Verdict> {
        match flow.map(FlowState::verdict) {
            Some(FlowVerdict::Pass) => {
                self.counters.flow_skipped += 1;
                Some(Verdict::Accept)
            }
            Some(FlowVerdict::Drop) => {
                self.counters.flow_skipped += 1;
                Some(Verdict::Drop)
            }
            _ => None,
        }
    }

    /// The `app-layer.error-policy` in effect in IPS mode (`ips`) or not.
    pub fn app_layer_error_policy(&self, ips: bool) -> ExceptionPolicy {
        let (explicit, master) = self.error_policy;
        crate::flow::app_layer_error_policy(explicit, master, ips)
    }

    /// Updates the session and host tags `pkt` belongs to; whether it is
    /// a tagged packet (to log as such). Call for every inspected packet,
    /// after [`PostMatch::finalize`] when it had matches.
    pub fn tag_packet(&mut self, pkt: &TagPacket) -> bool {
        self.tags.on_packet(pkt)
    }

    /// Runs the stage over `matched` (indexes into `rules`); `log` gets
    /// each alert to write, in order, with the action bits it was raised
    /// with. Returns the packet's verdict.
    pub fn finalize(
        &mut self,
        rules: &[CompiledRule],
        matched: &[u32],
        pkt: &PacketFacts,
        mut flow: Option<&mut FlowState>,
        mut log: impl FnMut(u32, ActionBits),
    ) -> Verdict {
        let PostMatch {
            rules: posts,
            max_alerts,
            thresholds,
            xbits,
            tags,
            queue,
            counters,
            ..
        } = self;
        let later_in_flow = pkt.flow.is_some_and(|(_, first)| !first);
        queue.clear();
        queue.extend(matched.iter().copied().filter(|&i| {
            posts
                .get(i as usize)
                .is_some_and(|p| !(later_in_flow && p.ip_only == IpOnly::Yes))
        }));
        queue.sort_unstable_by_key(|&i| posts[i as usize].key);

        let mut verdict = Verdict::Accept;
        let mut logged = 0usize;
        for &i in queue.iter() {
            let (Some(r), Some(post)) = (rules.get(i as usize), posts.get(i as usize)) else {
                continue;
            };
            if !xbits_pass(xbits, r, pkt) {
                continue;
            }
            let mut bits = post.bits;
            let outcome = judge(thresholds, i, post, pkt, &mut bits);
            if outcome != Outcome::Ignore && !post.tags.is_empty() {
                let at = TagPacket {
                    addrs: pkt.addrs,
                    flow: pkt.flow.map(|(id, _)| id),
                    now_us: pkt.now_us,
                    len: 0,
                };
                for spec in &post.tags {
                    tags.add(spec, r.gid, r.sid, &at);
                }
                counters.tags_refused = tags.refused;
            }
            if outcome != Outcome::Ignore {
                let skip_action = verdict != Verdict::Accept && bits.pass;
                if !skip_action {
                    if bits.drop {
                        if verdict != Verdict::Reject {
                            verdict = if bits.reject {
                                Verdict::Reject
                            } else {
                                Verdict::Drop
                            };
                        }
                        if post.flow_action.applies_to_flow(pkt.stream) {
                            if let Some(f) = flow.as_deref_mut() {
                                f.set_verdict(FlowVerdict::Drop);
                            }
                        }
                    } else if bits.pass && post.flow_action.applies_to_flow(pkt.stream) {
                        if let Some(f) = flow.as_deref_mut() {
                            f.set_verdict(FlowVerdict::Pass);
                        }
                    }
                }
            }
            if outcome != Outcome::Alert || !(post.bits.alert || post.bits.pass) {
                counters.suppressed += 1;
            } else if logged < *max_alerts {
                if bits.pass && !bits.alert {
                    // A pass without alert ends the queue, unlogged.
                    break;
                }
                logged += 1;
                log(i, bits);
                if bits.pass {
                    break;
                }
            } else {
                counters.discarded += 1;
            }
        }
        verdict
    }
}

/// Checks the rule's xbits conditions, and when they hold runs its xbits
/// actions.
fn xbits_pass(table: &mut XbitsTable, r: &CompiledRule, pkt: &PacketFacts) -> bool {
    if r.xbit_checks.is_empty() && r.xbit_actions.is_empty() {
        return true;
    }
    let Some((src, dst)) = pkt.addrs else {
        // No addresses: conditions fail, actions have nothing to act on.
        return r.xbit_checks.is_empty();
    };
    if !r
        .xbit_checks
        .iter()
        .all(|x| table.check(x, src, dst, pkt.now_us))
    {
        return false;
    }
    for x in &r.xbit_actions {
        table.apply(x, src, dst, pkt.now_us);
    }
    true
}

/// Suppressions then gates, for IP packets; may change `bits` (rate
/// filter).
fn judge(
    table: &mut ThresholdState,
    i: u32,
    post: &RulePost,
    pkt: &PacketFacts,
    bits: &mut ActionBits,
) -> Outcome {
    let Some((src, dst)) = pkt.addrs else {
        return Outcome::Alert;
    };
    if post.suppress.iter().any(|s| s.suppresses(src, dst)) {
        return Outcome::Silent;
    }
    let site = MatchSite {
        src,
        dst,
        flow: pkt.flow.map_or(0, |(id, _)| id),
        now_us: pkt.now_us,
    };
    for (slot, g) in post.gates.iter().enumerate() {
        let slot = slot.min(usize::from(u8::MAX)) as u8;
        match g {
            Gate::Count(spec) => {
                if spec.track == super::keywords::threshold::TrackBy::Flow && pkt.flow.is_none() {
                    // Suricata: by_flow without a flow neither alerts
                    // nor acts.
                    return Outcome::Ignore;
                }
                let o = table.check(u64::from(i), slot, spec, &site);
                if o != Outcome::Alert {
                    return o;
                }
            }
            Gate::Rate(f) => {
                if let Some(a) = table.rate(u64::from(i), slot, f, &site) {
                    *bits = rate_action(a, *bits);
                }
            }
        }
    }
    Outcome::Alert
}

/// The action bits a rate filter's `new_action` gives (Suricata's
/// `RateFilterSetAction`: the alert bit is replaced, not kept).
fn rate_action(a: NewAction, old: ActionBits) -> ActionBits {
    let none = ActionBits::default();
    match a {
        NewAction::Alert => ActionBits {
            alert: true,
            ..none
        },
        NewAction::Drop => ActionBits { drop: true, ..none },
        NewAction::Reject => ActionBits {
            drop: true,
            reject: true,
            ..none
        },
        NewAction::Pass => ActionBits { pass: true, ..none },
        NewAction::Log | NewAction::Sdrop => old,
    }
}

#[cfg(test)]
mod tests;
