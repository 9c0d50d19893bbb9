//! Rules classified as Suricata's engine classifies them when it loads
//! them, for the counts it logs: "N signatures processed. A are IP-only
//! rules, B are inspecting packet payload, C inspect application layer, D
//! are decoder event only" (`SigAddressPrepareStage1`, with the types of
//! `SignatureSetType` in detect-engine-build.c, Suricata 8).
//!
//! The rules, in Suricata's order:
//! 1. *protocol-detection only* (`app-layer-protocol` and nothing
//!    inspecting): counted nowhere.
//! 2. *IP-only*: no application-layer protocol, no payload keyword, no
//!    sticky buffer, no one-sided `flow` direction, and every packet
//!    keyword compatible with the IP-only engine (`flowbits:set`, `xbits`;
//!    `flow` with more than a direction is not). With a negated address
//!    (after variables, so `$EXTERNAL_NET` = `!$HOME_NET`) it is
//!    "like IP-only" and counted nowhere.
//! 3. *payload*: the payload list (`content`, `pcre`, `byte_*`,
//!    `isdataat` on the packet) is not empty, whatever else the rule has.
//! 4. *decoder-event only*: only `decode-event` keywords (at least one).
//! 5. *app-layer*: an application-layer protocol in the header, a sticky
//!    buffer of one protocol (not `file.data` or `file.name`, which serve
//!    several), or an app-layer keyword.
//!
//! Rules with only packet keywords (`flags`, `ttl`, `flow:established`
//! ...) and no payload are Suricata's plain packet rules, counted nowhere
//! in its log line; here they are [`SuricataType::Other`].
//!
//! Counted per rule: Suricata loads a `<>` rule as two signatures and
//! counts both, so its numbers exceed these by the `<>` rules of each
//! type (ET Open: Suricata 8.0.6 logs 1,192 / 3,318 / 20,292 / 0 for
//! 24,830 signatures from 24,827 rules; here 1,192 / 3,316 / 20,291 / 0
//! and 28 others, the three `<>` rules being two payload and one
//! app-layer).

use serde::Serialize;

use crate::config::Vars;
use crate::rule::keywords::flow::BitsCommand;
use crate::rule::{AddressExpr, Buffer, Condition, LoadedRule, Protocol, Rule};

use super::engine::Engine;

/// The type Suricata gives a rule at load, as far as its log line counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuricataType {
    /// IP-only.
    IpOnly,
    /// Inspecting packet payload.
    Payload,
    /// Decoder-event only.
    DecoderEventOnly,
    /// Inspecting the application layer.
    AppLayer,
    /// Counted nowhere: plain packet rules, like-IP-only, protocol
    /// detection only.
    Other,
}

/// Rules of one type and how many of them the engine evaluates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TypeCount {
    /// Rules of the type.
    pub rules: usize,
    /// Of those, active in the engine.
    pub active: usize,
}

/// Per-type counts of a rule set (the `suricata_types` object of
/// `check-rules --json`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SuricataTypes {
    /// IP-only rules.
    pub ip_only: TypeCount,
    /// Rules inspecting packet payload.
    pub payload: TypeCount,
    /// Rules inspecting the application layer.
    pub app_layer: TypeCount,
    /// Decoder-event-only rules.
    pub decoder_event_only: TypeCount,
    /// Rules Suricata's log line does not count.
    pub other: TypeCount,
}

impl SuricataTypes {
    /// Counts `rules`, resolving address variables with `vars`.
    pub fn count<'r>(rules: impl IntoIterator<Item = &'r LoadedRule>, vars: &Vars) -> Self {
        let mut t = SuricataTypes::default();
        for lr in rules {
            let slot = match suricata_type(lr, vars) {
                SuricataType::IpOnly => &mut t.ip_only,
                SuricataType::Payload => &mut t.payload,
                SuricataType::AppLayer => &mut t.app_layer,
                SuricataType::DecoderEventOnly => &mut t.decoder_event_only,
                SuricataType::Other => &mut t.other,
            };
            slot.rules += 1;
            if Engine::is_active(lr) {
                slot.active += 1;
            }
        }
        t
    }
}

/// Whether the address, with variables resolved through `vars`, contains
/// a negation. Variables nest at most 16 deep (deeper counts as none).
fn negated(e: &AddressExpr, vars: &Vars, depth: u8) -> bool {
    match e {
        AddressExpr::Not(_) => true,
        AddressExpr::List(l) => l.iter().any(|x| negated(x, vars, depth)),
        AddressExpr::Var(name) => {
            depth < 16
                && vars
                    .address(name)
                    .is_some_and(|v| value_negated(v, vars, depth + 1))
        }
        _ => false,
    }
}

/// A variable's raw value: a `!` anywhere, or a `$VAR` whose value has one.
fn value_negated(value: &str, vars: &Vars, depth: u8) -> bool {
    if value.contains('!') {
        return true;
    }
    value.split('$').skip(1).any(|rest| {
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        negated(&AddressExpr::Var(name), vars, depth)
    })
}

/// What a `MATCH`-list keyword is to Suricata's type checks.
enum Sm {
    /// Not a sigmatch (sets flags only) or in another list (thresholds,
    /// tags).
    None,
    /// Compatible with IP-only rules.
    IpOnlyCompat,
    /// `decode-event`.
    DecodeEvent,
    /// `app-layer-protocol`.
    ProtoDetect,
    /// An application-layer keyword (sets the rule's app-layer flag).
    App,
    /// Any other packet keyword.
    Packet,
}

fn sm_kind(c: &Condition) -> Sm {
    match c {
        Condition::Flow(f) => {
            if f.state.is_none() && f.stream.is_none() && f.frag.is_none() {
                Sm::None
            } else {
                Sm::Packet
            }
        }
        Condition::Flowbits(f) => match f.command {
            BitsCommand::Set => Sm::IpOnlyCompat,
            BitsCommand::NoAlert => Sm::None,
            _ => Sm::Packet,
        },
        Condition::Xbits(_) => Sm::IpOnlyCompat,
        Condition::Noalert
        | Condition::Tag(_)
        | Condition::Threshold(_)
        | Condition::DetectionFilter(_) => Sm::None,
        Condition::DecodeEvent(_) => Sm::DecodeEvent,
        Condition::AppLayerProtocol(_) => Sm::ProtoDetect,
        Condition::AppLayerEvent(_)
        | Condition::SslState(_)
        | Condition::SslVersion(_)
        | Condition::TlsVersion(_)
        | Condition::TlsFingerprint(_)
        | Condition::DceIface(_)
        | Condition::DceOpnum(_)
        | Condition::Ftpbounce
        | Condition::FtpdataCommand(_)
        | Condition::File(..)
        | Condition::Filestore(_)
        | Condition::SipMethod(_)
        | Condition::SipStatCode(_) => Sm::App,
        _ => Sm::Packet,
    }
}

/// What Suricata's type checks look at in a rule.
struct Shape {
    app_header: bool,
    pmatch: bool,
    buffers: bool,
    /// A sticky buffer other than the payload's own lists (an inspect
    /// engine of its own: Suricata's app-tx rules).
    app_buffers: bool,
    applayer_flag: bool,
    one_sided: bool,
    kinds: Vec<Sm>,
}

impl Shape {
    fn of(r: &Rule) -> Shape {
        let app_header = matches!(r.protocol, Protocol::App(_));
        let pmatch = r
            .lists
            .iter()
            .any(|l| l.buffer == Buffer::Payload && !l.matches.is_empty());
        let buffers = r.lists.iter().any(|l| l.buffer != Buffer::Payload);
        let app_buffers = r.lists.iter().any(|l| {
            !matches!(
                l.buffer,
                Buffer::Payload | Buffer::RawData | Buffer::Base64Data
            )
        });
        // A buffer of one protocol sets the rule's protocol (and app-layer
        // flag); the file buffers serve several protocols and set neither.
        let proto_buffers = r.lists.iter().any(|l| {
            !matches!(
                l.buffer,
                Buffer::Payload | Buffer::FileData | Buffer::FileName
            )
        });
        let kinds: Vec<Sm> = r.conditions.iter().map(sm_kind).collect();
        let app_kw = kinds.iter().any(|k| matches!(k, Sm::App));
        let one_sided = r.conditions.iter().any(|c| match c {
            Condition::Flow(f) => f.direction.is_some(),
            _ => false,
        });
        Shape {
            app_header,
            pmatch,
            buffers,
            app_buffers,
            applayer_flag: app_header || proto_buffers || app_kw,
            one_sided,
            kinds,
        }
    }

    fn plain(&self) -> bool {
        !self.app_header && !self.pmatch && !self.buffers
    }

    /// Protocol-detection only (`app-layer-protocol` and nothing
    /// inspecting).
    fn pd_only(&self) -> bool {
        self.plain()
            && self.kinds.iter().any(|k| matches!(k, Sm::ProtoDetect))
            && self
                .kinds
                .iter()
                .all(|k| matches!(k, Sm::ProtoDetect | Sm::IpOnlyCompat | Sm::None))
    }

    /// IP-only or like-IP-only (negated addresses are decided apart).
    fn ip_only(&self) -> bool {
        self.plain()
            && !self.applayer_flag
            && !self.one_sided
            && self
                .kinds
                .iter()
                .all(|k| matches!(k, Sm::IpOnlyCompat | Sm::None))
    }

    fn de_only(&self) -> bool {
        self.plain()
            && self.kinds.iter().any(|k| matches!(k, Sm::DecodeEvent))
            && self
                .kinds
                .iter()
                .all(|k| matches!(k, Sm::DecodeEvent | Sm::None))
    }
}

/// Whether a `drop` or `pass` of a rule applies to its flow as well as to
/// the packet: Suricata's `signature_properties[type].flow_action`
/// (detect-engine.c), by the type `SignatureSetType` gives the rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FlowAction {
    /// The packet only (plain packet rules, decoder-event only).
    Packet,
    /// The flow (IP-only, like-IP-only, protocol-detection only, app-layer
    /// rules with or without buffers).
    Flow,
    /// The flow when the match was a stream match (payload rules).
    FlowIfStream,
}

impl FlowAction {
    /// Whether the action reaches the flow, for a match that was a stream
    /// match or not.
    pub(crate) fn applies_to_flow(self, stream_match: bool) -> bool {
        match self {
            FlowAction::Packet => false,
            FlowAction::Flow => true,
            FlowAction::FlowIfStream => stream_match,
        }
    }
}

/// `r`'s [`FlowAction`], following `SignatureSetType`: protocol-detection
/// only, IP-only and like-IP-only rules act on the flow; decoder-event only
/// rules on the packet; then a sticky buffer makes an app-tx rule (flow),
/// payload keywords a packet-or-stream rule (flow if the match was on the
/// stream), other packet keywords a packet rule, and an app-layer protocol
/// with nothing else an app-layer rule (flow).
pub(crate) fn flow_action(r: &Rule) -> FlowAction {
    let shape = Shape::of(r);
    if shape.pd_only() || shape.ip_only() {
        FlowAction::Flow
    } else if shape.de_only() {
        FlowAction::Packet
    } else if shape.app_buffers || shape.kinds.iter().any(|k| matches!(k, Sm::App)) {
        FlowAction::Flow
    } else if shape.pmatch {
        FlowAction::FlowIfStream
    } else if shape
        .kinds
        .iter()
        .any(|k| !matches!(k, Sm::None | Sm::IpOnlyCompat))
    {
        FlowAction::Packet
    } else if shape.applayer_flag {
        FlowAction::Flow
    } else {
        FlowAction::Packet
    }
}

/// The type Suricata gives `lr` (see the module docs).
pub fn suricata_type(lr: &LoadedRule, vars: &Vars) -> SuricataType {
    let r = &lr.rule;
    let shape = Shape::of(r);
    // 1. Protocol-detection only.
    if shape.pd_only() {
        return SuricataType::Other;
    }
    // 2. IP-only.
    if shape.ip_only() {
        let neg = r
            .header
            .as_ref()
            .is_some_and(|h| negated(&h.src, vars, 0) || negated(&h.dst, vars, 0));
        return if neg {
            SuricataType::Other
        } else {
            SuricataType::IpOnly
        };
    }
    // 3. Payload.
    if shape.pmatch {
        return SuricataType::Payload;
    }
    // 4. Decoder-event only.
    if shape.de_only() {
        return SuricataType::DecoderEventOnly;
    }
    // 5. App-layer.
    if shape.applayer_flag {
        return SuricataType::AppLayer;
    }
    SuricataType::Other
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::{load_str, LoadOptions};

    fn types(rules: &str) -> Vec<SuricataType> {
        let vars = Vars::builtin();
        let set = load_str(rules, &LoadOptions::new(&vars));
        assert!(set.errors().next().is_none(), "{:?}", set.diagnostics);
        set.rules.iter().map(|r| suricata_type(r, &vars)).collect()
    }

    #[test]
    fn suricata_order() {
        use SuricataType as T;
        let got = types(concat!(
            "alert ip $HOME_NET any -> [1.2.3.4,5.6.7.8] any (msg:\"a\"; sid:1;)\n",
            "alert ip $EXTERNAL_NET any -> $HOME_NET any (sid:2;)\n",
            "alert tcp any any -> any 80 (flowbits:set,x; noalert; sid:3;)\n",
            "alert tcp any any -> any any (flow:to_server; sid:4;)\n",
            "alert tcp any any -> any any (flow:established; sid:5;)\n",
            "alert tls any any -> any any (flow:established,to_client; content:\"|16 03|\"; sid:6;)\n",
            "alert http any any -> any any (content:\"a\"; http_uri; sid:7;)\n",
            "alert http any any -> any any (content:\"b\"; content:\"a\"; http_uri; sid:8;)\n",
            "alert pkthdr any any -> any any (decode-event:ipv4.trunc_pkt; sid:9;)\n",
            "alert tcp any any -> any any (flags:S; sid:10;)\n",
            "alert tcp any any -> any any (flowbits:isset,x; sid:11;)\n",
            "alert dns any any -> any any (sid:12;)\n",
            "alert tcp any any -> any any (flow:to_client,established; file_data; content:\"a\"; sid:13;)\n",
        ));
        assert_eq!(
            got,
            vec![
                T::IpOnly,
                T::Other, // negated: $EXTERNAL_NET is !$HOME_NET
                T::IpOnly,
                T::Other, // one-sided direction: a packet rule
                T::Other,
                T::Payload,
                T::AppLayer,
                T::Payload,
                T::DecoderEventOnly,
                T::Other,
                T::Other,
                T::AppLayer,
                T::Other, // file_data sets no protocol: a packet-type rule
            ]
        );
    }

    #[test]
    fn flow_actions_follow_suricata_types() {
        use FlowAction as F;
        let vars = Vars::builtin();
        let set = load_str(
            concat!(
                "drop ip 1.2.3.4 any -> any any (sid:1;)\n",
                "drop ip !1.2.3.4 any -> any any (sid:2;)\n",
                "drop tcp any any -> any any (app-layer-protocol:http; sid:3;)\n",
                "drop pkthdr any any -> any any (decode-event:ipv4.trunc_pkt; sid:4;)\n",
                "drop http any any -> any any (sid:5;)\n",
                "drop http any any -> any any (flow:to_server; sid:6;)\n",
                "drop tcp any any -> any any (flow:established; content:\"a\"; sid:7;)\n",
                "drop tcp any any -> any any (flags:S; sid:8;)\n",
                "drop http any any -> any any (flow:established; sid:9;)\n",
                "drop http any any -> any any (http.uri; content:\"a\"; sid:10;)\n",
            ),
            &LoadOptions::new(&vars),
        );
        assert!(set.errors().next().is_none(), "{:?}", set.diagnostics);
        let got: Vec<F> = set.rules.iter().map(|r| flow_action(&r.rule)).collect();
        assert_eq!(
            got,
            vec![
                F::Flow,         // IP-only
                F::Flow,         // like IP-only
                F::Flow,         // protocol-detection only
                F::Packet,       // decoder-event only
                F::Flow,         // app-layer protocol, nothing else
                F::Flow,         // a direction adds no sigmatch
                F::FlowIfStream, // payload
                F::Packet,       // packet keyword
                F::Packet,       // packet keyword beats the app-layer header
                F::Flow,         // sticky buffer: app-tx
            ]
        );
        assert!(F::FlowIfStream.applies_to_flow(true) && !F::FlowIfStream.applies_to_flow(false));
    }
}
