//! Exception policies: what the engine does with a flow when it hits an
//! exception condition. Two are implemented: midstream, a TCP session
//! whose handshake was not seen (`stream.midstream-policy`, with the
//! `exception-policy` master switch as its default), and app-layer parser
//! errors (`app-layer.error-policy`, see [`app_layer_error_policy`]; the
//! detector applies it).
//!
//! # Which policy applies (Suricata 8's `ExceptionPolicyMidstreamParse`)
//!
//! * `stream.midstream-policy` set: that value; `auto` means `drop-flow` in
//!   IPS mode with midstream pick-up off, else `ignore`. With pick-up on,
//!   only `ignore` and `pass-flow` are valid; `drop-flow` is invalid in IDS
//!   mode; `drop-packet` and `pass-packet` never apply to midstream (each
//!   an error: Suricata refuses to start).
//! * Else the `exception-policy` master switch, if set: its value (`auto`
//!   as above; `drop-*` count as unset in IDS mode). No validity check
//!   here: a master `bypass` with pick-up on is applied (suricata-verify
//!   exception-policy-master-switch-05).
//! * Else `drop-flow` in IPS mode with pick-up off, `ignore` otherwise.
//!
//! # What it does
//!
//! The TCP tracker applies the policy to every packet that finds no
//! session and is not a SYN or a RST (a FIN, a SYN/ACK, an ACK): the flow
//! is marked (see [`FlowAction`]) and, unless the policy is `ignore` or
//! `pass-flow`, no session is picked up even with `stream.midstream` on.
//! The marked flow's packets get no detection; with `drop-flow` and the
//! reject forms they are dropped in IPS mode.

use std::fmt;

/// An exception policy value (`exception-policy`, `*-policy` keys).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ExceptionPolicy {
    /// `ignore` (or not set): nothing happens.
    #[default]
    Ignore,
    /// `auto`: resolved by mode (see the module docs).
    Auto,
    /// `drop-packet`.
    DropPacket,
    /// `drop-flow`.
    DropFlow,
    /// `pass-packet`.
    PassPacket,
    /// `pass-flow`.
    PassFlow,
    /// `bypass`.
    Bypass,
    /// `reject`.
    Reject,
    /// `rejectboth`.
    RejectBoth,
}

impl ExceptionPolicy {
    /// Parses a configuration value; `None` for an unknown one.
    pub fn parse(s: &str) -> Option<ExceptionPolicy> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "ignore" => ExceptionPolicy::Ignore,
            "auto" => ExceptionPolicy::Auto,
            "drop-packet" => ExceptionPolicy::DropPacket,
            "drop-flow" => ExceptionPolicy::DropFlow,
            "pass-packet" => ExceptionPolicy::PassPacket,
            "pass-flow" => ExceptionPolicy::PassFlow,
            "bypass" => ExceptionPolicy::Bypass,
            "reject" => ExceptionPolicy::Reject,
            "rejectboth" => ExceptionPolicy::RejectBoth,
            _ => return None,
        })
    }

    /// The configuration spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ExceptionPolicy::Ignore => "ignore",
            ExceptionPolicy::Auto => "auto",
            ExceptionPolicy::DropPacket => "drop-packet",
            ExceptionPolicy::DropFlow => "drop-flow",
            ExceptionPolicy::PassPacket => "pass-packet",
            ExceptionPolicy::PassFlow => "pass-flow",
            ExceptionPolicy::Bypass => "bypass",
            ExceptionPolicy::Reject => "reject",
            ExceptionPolicy::RejectBoth => "rejectboth",
        }
    }

    /// `ignore` and `pass-flow` still let a midstream session be picked
    /// up; the others stop it.
    pub fn permits_pickup(self) -> bool {
        matches!(self, ExceptionPolicy::Ignore | ExceptionPolicy::PassFlow)
    }

    /// What applying the policy does to the flow, `None` for `ignore`.
    /// `reject` forms drop the flow only in IPS mode (Suricata's fall
    /// through from reject to drop-flow); in IDS mode they still stop
    /// inspection of the packet.
    pub fn flow_action(self, ips: bool) -> Option<FlowAction> {
        match self {
            ExceptionPolicy::Ignore | ExceptionPolicy::Auto => None,
            ExceptionPolicy::DropFlow => Some(FlowAction::Drop),
            ExceptionPolicy::Reject | ExceptionPolicy::RejectBoth if ips => Some(FlowAction::Drop),
            ExceptionPolicy::Reject | ExceptionPolicy::RejectBoth => Some(FlowAction::Uninspected),
            ExceptionPolicy::PassFlow | ExceptionPolicy::Bypass => Some(FlowAction::Pass),
            ExceptionPolicy::DropPacket | ExceptionPolicy::PassPacket => {
                Some(FlowAction::Uninspected)
            }
        }
    }
}

impl fmt::Display for ExceptionPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an exception policy did to a flow (sticky for the flow's life).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlowAction {
    /// `pass-flow` / `bypass`: no detection on the flow's packets.
    Pass,
    /// `drop-flow` (and reject in IPS mode): no detection, and the flow's
    /// packets are dropped in IPS mode.
    Drop,
    /// A packet-scoped policy (or reject in IDS mode) was applied: the
    /// packets it applied to get no detection.
    Uninspected,
}

/// The midstream policy in effect; `Err` with Suricata's reason where it
/// refuses to start. `explicit` is `stream.midstream-policy`, `master` the
/// `exception-policy` switch, `midstream` is `stream.midstream`, `ips` the
/// engine mode.
pub fn midstream_policy(
    explicit: Option<ExceptionPolicy>,
    master: Option<ExceptionPolicy>,
    midstream: bool,
    ips: bool,
) -> Result<ExceptionPolicy, String> {
    let auto = || {
        if !midstream && ips {
            ExceptionPolicy::DropFlow
        } else {
            ExceptionPolicy::Ignore
        }
    };
    let policy = match (explicit, master) {
        (Some(ExceptionPolicy::Auto), _) => auto(),
        (Some(p), _) => {
            if midstream && !p.permits_pickup() {
                return Err(format!(
                    "stream.midstream-policy: \"{p}\" is not valid when midstream is enabled (valid: pass-flow, ignore)"
                ));
            }
            if !ips && p == ExceptionPolicy::DropFlow {
                return Err(format!(
                    "stream.midstream-policy: \"{p}\" is not valid in IDS mode"
                ));
            }
            p
        }
        (None, Some(ExceptionPolicy::Auto)) => auto(),
        (None, Some(ExceptionPolicy::DropFlow | ExceptionPolicy::DropPacket)) if !ips => {
            ExceptionPolicy::Ignore
        }
        (None, Some(p)) => p,
        (None, None) => auto(),
    };
    if matches!(
        policy,
        ExceptionPolicy::DropPacket | ExceptionPolicy::PassPacket
    ) {
        return Err(format!(
            "stream.midstream-policy: \"{policy}\" does not apply to midstream sessions"
        ));
    }
    Ok(policy)
}

/// The `app-layer.error-policy` in effect (Suricata 8's
/// `ExceptionPolicyParse` for a flow-capable option, never midstream):
/// `explicit` is the option, `master` the `exception-policy` switch.
/// - set: its value, `auto` being `drop-flow` in IPS mode and `ignore`
///   otherwise (no IDS check: a `drop-packet` still stops inspection of
///   the packet in IDS mode);
/// - else the master switch, `auto` as above and a master `drop-*` counting
///   as unset in IDS mode;
/// - else `drop-flow` in IPS mode, `ignore` in IDS mode.
pub fn app_layer_error_policy(
    explicit: Option<ExceptionPolicy>,
    master: Option<ExceptionPolicy>,
    ips: bool,
) -> ExceptionPolicy {
    let auto = if ips {
        ExceptionPolicy::DropFlow
    } else {
        ExceptionPolicy::Ignore
    };
    match (explicit, master) {
        (Some(ExceptionPolicy::Auto), _) | (None, Some(ExceptionPolicy::Auto)) | (None, None) => {
            auto
        }
        (Some(p), _) => p,
        (None, Some(ExceptionPolicy::DropFlow | ExceptionPolicy::DropPacket)) if !ips => {
            ExceptionPolicy::Ignore
        }
        (None, Some(p)) => p,
    }
}

#[cfg(test)]
mod tests {
    use super::ExceptionPolicy as P;
    use super::*;

    #[test]
    fn app_layer_error_policy_by_mode() {
        // Nothing set: drop-flow in IPS mode only.
        assert_eq!(app_layer_error_policy(None, None, true), P::DropFlow);
        assert_eq!(app_layer_error_policy(None, None, false), P::Ignore);
        // detect-udp-flow-rule-02: `--set app-layer.error-policy=drop-packet`.
        let dp = Some(P::DropPacket);
        assert_eq!(app_layer_error_policy(dp, None, true), P::DropPacket);
        assert_eq!(app_layer_error_policy(dp, None, false), P::DropPacket);
        assert_eq!(
            app_layer_error_policy(Some(P::Auto), None, false),
            P::Ignore
        );
        // The master switch: drops count as unset in IDS mode.
        assert_eq!(app_layer_error_policy(None, dp, false), P::Ignore);
        assert_eq!(app_layer_error_policy(None, dp, true), P::DropPacket);
        let pf = Some(P::PassFlow);
        assert_eq!(app_layer_error_policy(None, pf, false), P::PassFlow);
        assert_eq!(app_layer_error_policy(pf, dp, true), P::PassFlow);
    }

    #[test]
    fn parse_spellings() {
        assert_eq!(P::parse(" Pass-Flow "), Some(P::PassFlow));
        assert_eq!(P::parse("rejectboth"), Some(P::RejectBoth));
        assert_eq!(P::parse("drop"), None);
        for p in [P::Ignore, P::Auto, P::DropFlow, P::Bypass, P::Reject] {
            assert_eq!(P::parse(p.as_str()), Some(p));
        }
    }

    #[test]
    fn defaults_by_mode() {
        // Nothing set: drop-flow only in IPS mode without pick-up.
        assert_eq!(midstream_policy(None, None, false, true), Ok(P::DropFlow));
        assert_eq!(midstream_policy(None, None, false, false), Ok(P::Ignore));
        assert_eq!(midstream_policy(None, None, true, true), Ok(P::Ignore));
        // `--set exception-policy=auto` in IPS mode (exception-policy-
        // default-03, master-switch-01).
        assert_eq!(
            midstream_policy(None, Some(P::Auto), false, true),
            Ok(P::DropFlow)
        );
        // A master drop in IDS mode counts as unset.
        assert_eq!(
            midstream_policy(None, Some(P::DropFlow), false, false),
            Ok(P::Ignore)
        );
    }

    #[test]
    fn master_bypass_applies_with_pickup_on() {
        // exception-policy-master-switch-05: midstream=true, master bypass.
        assert_eq!(
            midstream_policy(None, Some(P::Bypass), true, false),
            Ok(P::Bypass)
        );
    }

    #[test]
    fn explicit_values_are_checked() {
        assert_eq!(
            midstream_policy(Some(P::PassFlow), Some(P::Ignore), false, true),
            Ok(P::PassFlow)
        );
        assert!(midstream_policy(Some(P::Bypass), None, true, true).is_err());
        assert!(midstream_policy(Some(P::DropFlow), None, false, false).is_err());
        assert!(midstream_policy(Some(P::DropPacket), None, false, true).is_err());
        assert_eq!(
            midstream_policy(Some(P::Auto), None, true, true),
            Ok(P::Ignore)
        );
    }

    #[test]
    fn flow_actions() {
        assert_eq!(P::Ignore.flow_action(true), None);
        assert_eq!(P::Bypass.flow_action(false), Some(FlowAction::Pass));
        assert_eq!(P::Reject.flow_action(true), Some(FlowAction::Drop));
        assert_eq!(P::Reject.flow_action(false), Some(FlowAction::Uninspected));
        assert!(P::PassFlow.permits_pickup());
        assert!(!P::Bypass.permits_pickup());
    }
}
