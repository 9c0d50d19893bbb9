//! Rule actions as Suricata applies them after a packet's matches are
//! known: the action bits of a rule, the sort order of a packet's alert
//! queue (`action-order`, flowbits use, priority), which rules act on the
//! whole flow, and the per-flow state the detector keeps ([`FlowState`]).
//!
//! Facts from Suricata 8 (`detect-engine-alert.c`, `detect-engine-sigorder.c`,
//! `detect-engine-build.c`, `util-action.c`):
//! - `drop` is drop + alert, `reject*` reject + drop + alert, `sdrop` drop
//!   only, `pass` pass only, `alert` alert; `noalert` (and a threshold.config
//!   `suppress` without a track) clears the alert bit.
//! - The alert queue is sorted by the signature order: action rank
//!   (`action-order`, reject variants rank as `reject`), then flowbits use
//!   (setters, then set-and-read, then readers, then rules without
//!   flowbits), then xbits use the same way, then priority (1 first), then
//!   load order.
//! - A drop/pass applies to the rest of the flow when the rule is
//!   IP-only (or IP-only but for a negated address) or app-layer, or when
//!   a payload rule matched a TCP packet of a flow (a stream match:
//!   Suricata inspects TCP payload through the stream); otherwise a
//!   packet rule's drop/pass applies to that packet. The first flow
//!   verdict wins. A flow with a verdict is not inspected any more.
//! - IP-only rules (no payload, no packet keyword other than flowbits
//!   `set`, xbits, thresholds, tags; no flow direction) are evaluated on
//!   the first packet of each direction of a flow only (every packet
//!   without a flow).
//!
//! Not here: the counters and the alert loop ([`super::postmatch`]).

use crate::config::{ActionOrder, OrderedAction};
use crate::rule::{Action, AddressExpr, Condition, Protocol, Rule};

use super::keywords::bits::FlowBits;

/// The action bits of one match (Suricata's `ACTION_*`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ActionBits {
    /// Raise an alert.
    pub alert: bool,
    /// Drop the packet.
    pub drop: bool,
    /// Reject (implies drop).
    pub reject: bool,
    /// Pass: stop inspecting (the packet or the flow).
    pub pass: bool,
}

impl ActionBits {
    /// The bits of a rule action (`noalert` not applied).
    pub fn of(action: Action) -> ActionBits {
        let none = ActionBits::default();
        match action {
            Action::Alert => ActionBits {
                alert: true,
                ..none
            },
            Action::Drop => ActionBits {
                alert: true,
                drop: true,
                ..none
            },
            Action::Reject | Action::RejectSrc | Action::RejectDst | Action::RejectBoth => {
                ActionBits {
                    alert: true,
                    drop: true,
                    reject: true,
                    ..none
                }
            }
            Action::Sdrop => ActionBits { drop: true, ..none },
            Action::Pass => ActionBits { pass: true, ..none },
            Action::Log | Action::Config => none,
        }
    }

    /// Which of the four ranked actions this is (Suricata's
    /// `ActionOrderVal`: reject, then drop, then pass, else alert).
    pub fn ordered(self) -> OrderedAction {
        if self.reject {
            OrderedAction::Reject
        } else if self.drop {
            OrderedAction::Drop
        } else if self.pass {
            OrderedAction::Pass
        } else {
            OrderedAction::Alert
        }
    }
}

/// A flow's verdict, set by a flow-scoped drop or pass.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FlowVerdict {
    /// None yet: packets are inspected.
    #[default]
    None,
    /// `FLOW_ACTION_PASS`: no more inspection, packets pass.
    Pass,
    /// `FLOW_ACTION_DROP`: no more inspection, packets are dropped (IPS).
    Drop,
}

/// What the detector keeps per flow (reset when a flow starts). Plain
/// data, no heap: its size counts against the flow memcap.
#[derive(Clone, Copy, Debug, Default)]
pub struct FlowState {
    /// The flow's flowbits.
    pub(crate) bits: FlowBits,
    /// The flow's verdict (first to set wins).
    pub(crate) verdict: FlowVerdict,
    /// Application-layer protocol detection.
    pub(crate) app: crate::applayer::FlowApp,
    /// Raw stream inspection asked for by the app layer.
    pub(crate) raw: super::detector::RawTrigger,
    /// No more payload or raw stream inspection (Suricata's
    /// `FLOW_NOPAYLOAD_INSPECTION`: TLS application data was seen).
    pub(crate) no_payload: bool,
}

impl FlowState {
    /// The flow's flowbits.
    pub fn bits(&self) -> &FlowBits {
        &self.bits
    }

    /// The flow's verdict.
    pub fn verdict(&self) -> FlowVerdict {
        self.verdict
    }

    /// Records a flow-scoped drop or pass; the first one wins.
    pub(crate) fn set_verdict(&mut self, v: FlowVerdict) {
        if self.verdict == FlowVerdict::None {
            self.verdict = v;
        }
    }
}

/// The verdict on the last inspected packet, for the runtime (IPS).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Verdict {
    /// Let it through.
    #[default]
    Accept,
    /// Drop it (a drop or reject rule, or the flow's drop verdict).
    Drop,
    /// Drop it and send a reject (RST / ICMP unreachable).
    Reject,
}

/// How a rule takes part in Suricata's IP-only engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IpOnly {
    /// A packet rule.
    No,
    /// IP-only (`SIG_TYPE_IPONLY`): first packet of each direction only;
    /// drop/pass apply to the flow.
    Yes,
    /// IP-only but for a negated address (`SIG_TYPE_LIKE_IPONLY`): every
    /// packet; drop/pass apply to the flow.
    Like,
}

/// Whether `rule` has only IP-only compatible parts (the negation test is
/// separate, see [`address_negated`]).
pub(crate) fn ip_only_compatible(rule: &Rule) -> bool {
    // An app-layer protocol in the header (`alert http ...`) needs the
    // flow's detected protocol: never IP-only (Suricata's
    // `SignatureIsIPOnly` refuses any rule with an alproto).
    if !rule.lists.is_empty() || matches!(rule.protocol, Protocol::App(_)) {
        return false;
    }
    rule.conditions.iter().all(|c| match c {
        Condition::Flowbits(f) => f.command == crate::rule::keywords::flow::BitsCommand::Set,
        Condition::Xbits(_)
        | Condition::Threshold(_)
        | Condition::DetectionFilter(_)
        | Condition::Tag(_)
        | Condition::Noalert
        | Condition::Alert => true,
        _ => false,
    })
}

/// Whether the header's addresses (`[src, dst]`, as written) contain a
/// negation, looking through variables with `lookup` (at most 16 levels
/// deep), as Suricata's `src_contains_negation`.
pub(crate) fn address_negated_exprs<'a>(
    exprs: &[AddressExpr; 2],
    lookup: &dyn Fn(&str) -> Option<&'a str>,
) -> bool {
    fn text_negated<'a>(t: &str, lookup: &dyn Fn(&str) -> Option<&'a str>, depth: u8) -> bool {
        if t.contains('!') {
            return true;
        }
        if depth == 0 {
            return false;
        }
        // Variables inside a variable's text.
        t.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
            .filter_map(|w| w.strip_prefix('$'))
            .any(|v| lookup(v).is_some_and(|t| text_negated(t, lookup, depth - 1)))
    }
    fn expr_negated<'a>(e: &AddressExpr, lookup: &dyn Fn(&str) -> Option<&'a str>) -> bool {
        match e {
            AddressExpr::Not(_) => true,
            AddressExpr::List(l) => l.iter().any(|x| expr_negated(x, lookup)),
            AddressExpr::Var(v) => lookup(v).is_some_and(|t| text_negated(t, lookup, 16)),
            _ => false,
        }
    }
    exprs.iter().any(|e| expr_negated(e, lookup))
}

/// The flowbits (or xbits) use of a rule for ordering: 4 set only, 3 set
/// and read, 2 read only, 1 none (Suricata's `DETECT_FLOWBITS_TYPE_*`).
pub(crate) fn bits_use(reads: bool, writes: bool) -> u8 {
    match (reads, writes) {
        (false, true) => 4,
        (true, true) => 3,
        (true, false) => 2,
        (false, false) => 1,
    }
}

/// The sort key of a rule in a packet's alert queue: smaller first.
pub(crate) fn order_key(
    order: &ActionOrder,
    bits: ActionBits,
    flowbits_use: u8,
    xbits_use: u8,
    priority: u32,
    index: u32,
) -> (usize, u8, u8, u32, u32) {
    (
        order.rank(bits.ordered()),
        u8::MAX - flowbits_use,
        u8::MAX - xbits_use,
        priority,
        index,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::parse_rule;

    #[test]
    fn action_bits() {
        let d = ActionBits::of(Action::Drop);
        assert!(d.alert && d.drop && !d.pass);
        assert_eq!(d.ordered(), OrderedAction::Drop);
        let r = ActionBits::of(Action::RejectDst);
        assert!(r.alert && r.drop && r.reject);
        assert_eq!(r.ordered(), OrderedAction::Reject);
        let s = ActionBits::of(Action::Sdrop);
        assert!(!s.alert && s.drop);
        assert_eq!(ActionBits::of(Action::Pass).ordered(), OrderedAction::Pass);
        assert_eq!(ActionBits::of(Action::Log), ActionBits::default());
    }

    #[test]
    fn order_keys() {
        let def = ActionOrder::DEFAULT;
        let k = |a, fb, prio, i| order_key(&def, ActionBits::of(a), fb, 1, prio, i);
        // pass before drop before reject before alert.
        assert!(k(Action::Pass, 1, 3, 9) < k(Action::Drop, 1, 1, 0));
        assert!(k(Action::Drop, 1, 3, 9) < k(Action::Reject, 1, 1, 0));
        assert!(k(Action::RejectBoth, 1, 3, 9) < k(Action::Alert, 1, 1, 0));
        // Same action: flowbits setters first, then priority, then load order.
        assert!(k(Action::Alert, 4, 3, 9) < k(Action::Alert, 2, 1, 0));
        assert!(k(Action::Alert, 1, 1, 9) < k(Action::Alert, 1, 2, 0));
        assert!(k(Action::Alert, 1, 1, 0) < k(Action::Alert, 1, 1, 1));
        let alert_first = ActionOrder::from_names(["alert", "pass", "drop", "reject"]).unwrap();
        assert!(
            order_key(&alert_first, ActionBits::of(Action::Alert), 1, 1, 3, 5)
                < order_key(&alert_first, ActionBits::of(Action::Pass), 1, 1, 3, 0)
        );
    }

    #[test]
    fn ip_only_classes() {
        let r = |t: &str| parse_rule(t).unwrap();
        assert!(ip_only_compatible(&r(
            "alert ip any any -> any any (sid:1;)"
        )));
        assert!(ip_only_compatible(&r(
            "pass tcp 10.0.0.0/8 any -> any 80 (flowbits:set,a; sid:1;)"
        )));
        assert!(!ip_only_compatible(&r(
            "alert tcp any any -> any any (flowbits:isset,a; sid:1;)"
        )));
        assert!(!ip_only_compatible(&r(
            r#"alert tcp any any -> any any (content:"a"; sid:1;)"#
        )));
        assert!(!ip_only_compatible(&r(
            "alert ip any any -> any any (flow:stateless; sid:1;)"
        )));
        // An app-layer protocol in the header waits for protocol detection.
        assert!(!ip_only_compatible(&r(
            "alert http any any -> any any (sid:1;)"
        )));
        let address_negated = |r: &Rule, l: &dyn Fn(&str) -> Option<&'static str>| {
            let h = r.header.as_ref().unwrap();
            address_negated_exprs(&[h.src.clone(), h.dst.clone()], l)
        };
        let none = |_: &str| None;
        assert!(!address_negated(
            &r("alert ip 1.2.3.4 any -> any any (sid:1;)"),
            &none
        ));
        assert!(address_negated(
            &r("alert ip !1.2.3.4 any -> any any (sid:1;)"),
            &none
        ));
        let vars = |v: &str| match v {
            "EXTERNAL_NET" => Some("!$HOME_NET"),
            "HOME_NET" => Some("[10.0.0.0/8]"),
            _ => None,
        };
        assert!(address_negated(
            &r("alert ip $HOME_NET any -> $EXTERNAL_NET any (sid:1;)"),
            &vars
        ));
        assert!(!address_negated(
            &r("alert ip $HOME_NET any -> any any (sid:1;)"),
            &vars
        ));
    }

    #[test]
    fn flow_verdict_first_wins() {
        let mut f = FlowState::default();
        f.set_verdict(FlowVerdict::Pass);
        f.set_verdict(FlowVerdict::Drop);
        assert_eq!(f.verdict(), FlowVerdict::Pass);
    }
}
