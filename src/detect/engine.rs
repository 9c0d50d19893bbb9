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

use crate::applayer::AppProto;
use crate::config::Classifications;
use crate::rule::{
    Action, AddressExpr, Buffer, Condition, Direction, Endpoints, LoadedRule, Match, Protocol,
    RuleSet,
};

use super::actions::{bits_use, ip_only_compatible};
use super::content::{compile_content, matches as list_matches, Step};
use super::keywords::bits::{BitNames, BitsOp, FlowBits, XbitsOp};
use super::keywords::byte::{ByteVars, VarNames};
use super::keywords::pcre::{check_all, CompiledPcre};
use super::keywords::threshold::ThresholdSpec;
use super::packet::{condition_matches, proto_matches, View};
use super::prefilter::{fast_pattern, Prefilter, PrefilterScratch, PrefilterSettings, Scan};
use super::support::inactive_reason;
use crate::rule::keywords::pcre::Pcre;
use rayon::prelude::*;

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

/// Which buffer a rule's payload list inspects on TCP (Suricata's
/// `SIG_FLAG_REQUIRE_PACKET` / `SIG_FLAG_REQUIRE_STREAM` /
/// `SIG_FLAG_REQUIRE_STREAM_ONLY`, set by `SigConsolidateTcpBuffer`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamMode {
    /// No payload list: header and conditions only (not run on flow-end
    /// pseudo packets).
    NoPayload,
    /// The packet payload only: not a TCP-capable protocol, `tcp-pkt`,
    /// `flow:no_stream`, or a packet keyword (`dsize`, `flags`, `ttl`,
    /// `seq`, ...).
    Packet,
    /// The reassembled stream when it has data ready, else the payload of
    /// a packet whose data did not go into the stream.
    Stream,
    /// [`StreamMode::Stream`], and every packet's payload too (a content
    /// with `depth`/`offset`/`startswith`, or `stream_size`).
    StreamAndPacket,
    /// The stream only (`flow:only_stream`, `tcp-stream`).
    StreamOnly,
}

impl StreamMode {
    /// Whether the mode inspects the reassembled stream.
    pub fn uses_stream(self) -> bool {
        matches!(
            self,
            StreamMode::Stream | StreamMode::StreamAndPacket | StreamMode::StreamOnly
        )
    }
}

/// Suricata's stream/packet decision for a rule with a payload list.
fn stream_mode(r: &crate::rule::Rule, has_payload: bool) -> StreamMode {
    use crate::rule::keywords::flow::FlowStream;
    if !has_payload {
        return StreamMode::NoPayload;
    }
    let tcp_capable = matches!(
        r.protocol,
        Protocol::Ip
            | Protocol::Ipv4
            | Protocol::Ipv6
            | Protocol::Tcp
            | Protocol::TcpStream
            | Protocol::App(_)
    );
    let flow_stream = r.conditions.iter().find_map(|c| match c {
        Condition::Flow(f) => f.stream,
        _ => None,
    });
    let packet_keyword = r.conditions.iter().any(|c| {
        matches!(
            c,
            Condition::Dsize(_)
                | Condition::Fragbits(_)
                | Condition::Fragoffset(_)
                | Condition::Id(_)
                | Condition::Ipopts(_)
                | Condition::IpProto(_)
                | Condition::Itype(_)
                | Condition::Icode(_)
                | Condition::IcmpId(_)
                | Condition::IcmpSeq(_)
                | Condition::Sameip
                | Condition::Seq(_)
                | Condition::Ack(_)
                | Condition::Flags(_)
                | Condition::Window(_)
                | Condition::TcpMss(_)
                | Condition::Tos(_)
                | Condition::Ttl(_)
        )
    }) || r
        .lists
        .iter()
        .flat_map(|l| &l.matches)
        .any(|m| matches!(m, Match::Asn1(_)));
    if !tcp_capable || flow_stream == Some(FlowStream::NoStream) {
        return StreamMode::Packet;
    }
    if flow_stream == Some(FlowStream::OnlyStream) || r.protocol == Protocol::TcpStream {
        return StreamMode::StreamOnly;
    }
    if packet_keyword {
        return StreamMode::Packet;
    }
    let positional = r
        .lists
        .iter()
        .filter(|l| l.buffer == Buffer::Payload)
        .flat_map(|l| &l.matches)
        .any(|m| {
            matches!(m, Match::Content(c)
                if c.depth.is_some() || c.offset.is_some() || c.startswith)
        });
    let stream_size = r
        .conditions
        .iter()
        .any(|c| matches!(c, Condition::StreamSize(_)));
    if positional || stream_size {
        StreamMode::StreamAndPacket
    } else {
        StreamMode::Stream
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
    /// The `alert` keyword: alert even when the action would not (`pass`).
    pub force_alert: bool,
    pub(crate) protocol: Protocol,
    /// The header's application-layer protocol (`alert tls ...`): the
    /// rule matches only packets of flows detected as it.
    pub(crate) app_proto: Option<AppProto>,
    pub(crate) endpoints: Option<Endpoints>,
    pub(crate) both_ways: bool,
    pub(crate) conditions: Vec<Condition>,
    pub(crate) payload: Vec<Step>,
    /// The byte variables of `payload`.
    pub(crate) vars: VarNames,
    /// `flowbits` conditions (`isset`/`isnotset`).
    pub(crate) bit_checks: Vec<BitsOp>,
    /// `flowbits` actions (`set`/`unset`/`toggle`), run when the rule
    /// matched.
    pub(crate) bit_actions: Vec<BitsOp>,
    /// `xbits` conditions (`isset`/`isnotset`), checked by the post-match
    /// stage ([`super::postmatch`]), not by [`CompiledRule::matches`].
    pub(crate) xbit_checks: Vec<XbitsOp>,
    /// `xbits` actions, run by the post-match stage when the rule matched.
    pub(crate) xbit_actions: Vec<XbitsOp>,
    /// The rule's own `threshold` and `detection_filter`, in rule order.
    pub(crate) thresholds: Vec<ThresholdSpec>,
    /// Only IP-only compatible keywords (see [`super::actions`]); whether
    /// an address is negated is decided with the variables, later.
    pub(crate) ip_only_compatible: bool,
    /// Whether a drop or pass reaches the flow (Suricata's rule type).
    pub(crate) flow_action: super::classify::FlowAction,
    /// The header's source and destination addresses, as written.
    pub(crate) addr_exprs: [AddressExpr; 2],
    /// Flowbits use for ordering (4 set, 3 set+read, 2 read, 1 none).
    pub(crate) flowbits_use: u8,
    /// Xbits use for ordering, the same way.
    pub(crate) xbits_use: u8,
    /// Which buffer the payload list inspects on TCP.
    pub stream_mode: StreamMode,
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
        // Ports first: two range checks, where an address list (ET's
        // $HOME_NET / $EXTERNAL_NET) is a search per side.
        let one_way = |forward: bool| {
            let port_ok = any_port
                || v.ports.is_some_and(|(s, d)| {
                    let (s, d) = if forward { (s, d) } else { (d, s) };
                    e.src_ports.contains(s) && e.dst_ports.contains(d)
                });
            port_ok
                && (any_addr
                    || addrs.is_some_and(|(s, d)| {
                        let (s, d) = if forward { (s, d) } else { (d, s) };
                        e.src.contains(s) && e.dst.contains(d)
                    }))
        };
        one_way(true) || (self.both_ways && one_way(false))
    }

    /// Whether the rule matches the packet (all of it, prefilter aside),
    /// given the flow's bits (`None`: no flow, every flowbits condition
    /// fails).
    ///
    /// The payload list runs as Suricata's
    /// `DetectEngineInspectRulePayloadMatches`: a rule that uses the
    /// stream first inspects the raw stream data ready for this packet
    /// ([`View::stream`]); without a match there, the packet payload,
    /// unless the packet's data went into the stream (stream-only rules
    /// never). On a flow-end pseudo packet only stream-using rules run.
    pub(crate) fn matches(&self, v: &View<'_, '_>, bits: Option<&FlowBits>) -> bool {
        let eof = v.ctx.stream.eof;
        let header = proto_matches(&self.protocol, v)
            && self
                .app_proto
                .map_or(true, |a| v.app_proto.is_some_and(|f| a.matches_flow(f)))
            && self.endpoints_match(v)
            && self.conditions.iter().all(|c| condition_matches(c, v))
            && self
                .bit_checks
                .iter()
                .all(|b| bits.is_some_and(|f| b.check_flow(f)));
        if !header {
            return false;
        }
        let on = |buf: &[u8]| list_matches(&self.payload, buf, &mut ByteVars::new(&self.vars));
        match self.stream_mode {
            StreamMode::NoPayload => !eof,
            StreamMode::Packet => !eof && on(v.payload),
            mode => {
                if v.stream.iter().any(&on) {
                    return true;
                }
                if eof
                    || mode == StreamMode::StreamOnly
                    || (mode == StreamMode::Stream && v.ctx.stream.added)
                {
                    return false;
                }
                on(v.payload)
            }
        }
    }

    /// Whether the rule changes flowbits when it matches.
    pub(crate) fn sets_bits(&self) -> bool {
        !self.bit_actions.is_empty()
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
    pub(crate) prefilter: PrefilterScratch,
    /// Indexes (into [`Engine::rules`]) of the rules the last packet
    /// matched, in rule order.
    pub matched: Vec<u32>,
    /// Per-rule costs, when profiling (`None`: no clock reads).
    pub profile: Option<super::profile::RuleProfile>,
    /// Rules evaluated only on the first packet of each direction of a
    /// flow (Suricata's IP-only rules), by rule index; empty: none. Set by
    /// the detector from its post-match stage, which knows the variables
    /// that decide IP-only-ness.
    pub(crate) first_only: Vec<bool>,
    /// Candidates from the stream data, and the union with the packet's.
    pub(crate) stream_hits: Vec<u32>,
    pub(crate) merged: Vec<u32>,
}

/// `a` becomes the sorted union of the sorted, repeat-free `a` and `b`
/// (`tmp` is scratch).
fn union_sorted(a: &mut Vec<u32>, b: &[u32], tmp: &mut Vec<u32>) {
    if b.is_empty() {
        return;
    }
    tmp.clear();
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        if x <= y {
            tmp.push(x);
            i += 1;
            if x == y {
                j += 1;
            }
        } else {
            tmp.push(y);
            j += 1;
        }
    }
    tmp.extend_from_slice(&a[i..]);
    tmp.extend_from_slice(&b[j..]);
    std::mem::swap(a, tmp);
}

impl Engine {
    /// Whether the engine evaluates `rule` (every keyword in it).
    pub fn is_active(rule: &LoadedRule) -> bool {
        Self::why_inactive(rule).is_none()
    }

    /// Why the engine does not evaluate `rule`; `None` when it does.
    /// Compiles what needs compiling (pcre), so a pattern the engines
    /// cannot run is a reason too.
    pub fn why_inactive(rule: &LoadedRule) -> Option<String> {
        inactive_reason(&rule.rule).or_else(|| {
            compile_rule(
                rule,
                &mut BitNames::default(),
                &Classifications::default(),
                Patterns::Checked,
            )
            .err()
        })
    }

    /// Checks the pcre patterns of every rule of `rules` the engine could
    /// evaluate, on every core, each distinct pattern once, so that
    /// [`Engine::why_inactive`], [`Engine::is_active`] and
    /// [`EngineBuilder::build`] find them checked instead of compiling
    /// them one by one. Changes no result, only when the work is done.
    pub fn check_patterns(rules: &[LoadedRule]) {
        let pcres: Vec<&Pcre> = rules
            .iter()
            .filter(|lr| inactive_reason(&lr.rule).is_none())
            .flat_map(|lr| rule_pcres(&lr.rule))
            .collect();
        check_all(&pcres);
    }

    /// The compiled rules, in load order.
    pub fn rules(&self) -> &[CompiledRule] {
        &self.rules
    }

    /// Whether some rule inspects the reassembled TCP stream.
    pub fn uses_stream(&self) -> bool {
        self.rules.iter().any(|r| r.stream_mode.uses_stream())
    }

    /// The prefilter, when the engine was built with one.
    pub fn prefilter(&self) -> Option<&Prefilter> {
        self.prefilter.as_ref()
    }

    /// The rules left out, with sid (0 when absent) and reason.
    pub fn inactive(&self) -> &[(u32, String)] {
        &self.inactive
    }

    /// Lists into `scratch.matched` the rules `v`'s packet matches, and
    /// runs the flowbits actions of those rules on `bits` (the flow's
    /// bits; `None` without a flow).
    ///
    /// As Suricata orders rules that set flowbits before those that test
    /// them, the candidates that set flowbits are evaluated first (their
    /// actions applied as each matches), then the others; each group in
    /// rule order, and `matched` lists them in that evaluation order.
    pub fn inspect(
        &self,
        v: &View<'_, '_>,
        scratch: &mut DetectScratch,
        mut bits: Option<&mut FlowBits>,
    ) {
        scratch.matched.clear();
        // IP-only rules see a flow once per direction: skipping them here
        // (not after matching) is what keeps ET Open's ~1,000 address-list
        // rules off the per-packet path. The prefilter leaves them out of
        // its lists for later packets of a flow, so they are not even
        // walked; the check in the loop below stays for the no-prefilter
        // path.
        let later_in_flow = v.ctx.flow.is_some_and(|f| !f.first_in_direction);
        match &self.prefilter {
            Some(p) => {
                // A payload that went into the stream is read only by
                // packet-inspecting rules; the stream pass serves the rest.
                let scan = if v.ctx.stream.added {
                    Scan::PacketInStream
                } else {
                    Scan::Packet
                };
                let skip: &[bool] = if later_in_flow {
                    &scratch.first_only
                } else {
                    &[]
                };
                p.candidates(
                    v,
                    scan,
                    skip,
                    &mut scratch.prefilter,
                    &mut scratch.candidates,
                );
                // Stream data ready: the fast patterns of each of its
                // pieces nominate rules too.
                for piece in v.stream.iter() {
                    let sv = View {
                        payload: piece,
                        ..*v
                    };
                    p.candidates(
                        &sv,
                        Scan::Stream,
                        skip,
                        &mut scratch.prefilter,
                        &mut scratch.stream_hits,
                    );
                    union_sorted(
                        &mut scratch.candidates,
                        &scratch.stream_hits,
                        &mut scratch.merged,
                    );
                }
            }
            None => {
                scratch.candidates.clear();
                scratch.candidates.extend(0..self.rules.len() as u32);
            }
        }
        for setters in [true, false] {
            for &i in &scratch.candidates {
                let r = &self.rules[i as usize];
                if r.sets_bits() != setters
                    || (later_in_flow && scratch.first_only.get(i as usize) == Some(&true))
                {
                    continue;
                }
                let t0 = scratch.profile.is_some().then(std::time::Instant::now);
                let hit = r.matches(v, bits.as_deref());
                if let (Some(t0), Some(p)) = (t0, scratch.profile.as_mut()) {
                    p.record(i, t0.elapsed(), hit);
                }
                if !hit {
                    continue;
                }
                if let Some(b) = bits.as_deref_mut() {
                    for a in &r.bit_actions {
                        a.apply_flow(b);
                    }
                }
                scratch.matched.push(i);
            }
        }
    }
}

/// Compiles the parts of `lr` beyond its header: the payload steps, byte
/// variables and flowbits; `Err` with the reason when something does not
/// compile (a pcre the engines cannot run, a full bit-name table).
fn compile_rule(
    lr: &LoadedRule,
    names: &mut BitNames,
    classes: &Classifications,
    patterns: Patterns,
) -> Result<CompiledRule, String> {
    let r = &lr.rule;
    let mut payload = Vec::new();
    let mut b64_data = Vec::new();
    for l in &r.lists {
        let into = if l.buffer == Buffer::Base64Data {
            &mut b64_data
        } else {
            &mut payload
        };
        for m in &l.matches {
            into.push(compile_step(m, patterns)?);
        }
    }
    // The base64_data list hangs off the (only, see `inactive_reason`)
    // base64_decode step.
    if let Some(Step::Base64Decode(_, data)) = payload
        .iter_mut()
        .find(|s| matches!(s, Step::Base64Decode(..)))
    {
        *data = b64_data;
    }
    let mut bit_checks = Vec::new();
    let mut bit_actions = Vec::new();
    let mut xbit_checks = Vec::new();
    let mut xbit_actions = Vec::new();
    let mut thresholds = Vec::new();
    let mut noalert = false;
    let mut force_alert = false;
    for c in &r.conditions {
        match c {
            Condition::Xbits(x) => {
                let op = XbitsOp::compile(x, names).ok_or("too many xbits names")?;
                if op.op.is_condition() {
                    xbit_checks.push(op);
                } else {
                    xbit_actions.push(op);
                }
            }
            Condition::Threshold(t) | Condition::DetectionFilter(t) => {
                thresholds.push(ThresholdSpec::from_rule(t));
            }
            Condition::Noalert => {
                noalert = true;
                force_alert = false;
            }
            // Suricata's `alert` and `noalert` set and clear the same
            // action bit: the later one wins.
            Condition::Alert => {
                force_alert = true;
                noalert = false;
            }
            Condition::Flowbits(f) => {
                let op = BitsOp::flowbits(f, names).ok_or("too many flowbit names")?;
                if op.is_noalert() {
                    noalert = true;
                    force_alert = false;
                } else if op.is_condition() {
                    bit_checks.push(op);
                } else {
                    bit_actions.push(op);
                }
            }
            _ => {}
        }
    }
    let class = r.classtype.as_deref().and_then(|c| classes.get(c));
    let mode = stream_mode(r, !payload.is_empty());
    Ok(CompiledRule {
        stream_mode: mode,
        gid: r.gid(),
        sid: r.sid.unwrap_or(0),
        rev: r.rev(),
        msg: r.msg.clone(),
        class_desc: class.map(|c| c.description.clone()),
        priority: r.priority.or(class.map(|c| c.priority)).unwrap_or(3),
        action: r.action,
        noalert,
        force_alert,
        protocol: r.protocol.clone(),
        app_proto: match &r.protocol {
            Protocol::App(name) => AppProto::from_rule_name(name),
            _ => None,
        },
        endpoints: lr.endpoints.clone(),
        both_ways: r
            .header
            .as_ref()
            .is_some_and(|h| h.direction == Direction::Both),
        conditions: r
            .conditions
            .iter()
            .filter(|c| {
                !matches!(
                    c,
                    Condition::Flowbits(_)
                        | Condition::Xbits(_)
                        | Condition::Threshold(_)
                        | Condition::DetectionFilter(_)
                )
            })
            .cloned()
            .collect(),
        payload,
        vars: VarNames::of_rule(r),
        flowbits_use: bits_use(!bit_checks.is_empty(), !bit_actions.is_empty()),
        xbits_use: bits_use(!xbit_checks.is_empty(), !xbit_actions.is_empty()),
        bit_checks,
        bit_actions,
        xbit_checks,
        xbit_actions,
        thresholds,
        ip_only_compatible: ip_only_compatible(r),
        flow_action: super::classify::flow_action(r),
        addr_exprs: match &r.header {
            Some(h) => [h.src.clone(), h.dst.clone()],
            None => [AddressExpr::Any, AddressExpr::Any],
        },
    })
}

/// The pcre of `r` that [`compile_step`] compiles (those without a
/// capture into a variable).
fn rule_pcres(r: &crate::rule::Rule) -> impl Iterator<Item = &Pcre> {
    r.lists
        .iter()
        .flat_map(|l| &l.matches)
        .filter_map(|m| match m {
            Match::Pcre(p) if p.captures.is_none() => Some(p),
            _ => None,
        })
}

/// Compiles one payload-list (or `base64_data`-list) match.
fn compile_step(m: &Match, patterns: Patterns) -> Result<Step, String> {
    Ok(match m {
        Match::Content(c) => Step::Content(compile_content(c)),
        Match::IsDataAt(i) => Step::IsDataAt(i.clone()),
        Match::Pcre(p) => {
            if p.captures.is_some() {
                return Err("pcre capture into a variable".into());
            }
            let c = match patterns {
                Patterns::Checked => CompiledPcre::compile(p),
                Patterns::Assumed => CompiledPcre::compile_assumed(p),
            }
            .map_err(|e| e.to_string())?;
            let anchored =
                p.flags.anchored || p.pattern.starts_with('^') || p.pattern.starts_with("\\A");
            Step::Pcre(Box::new(c), anchored)
        }
        Match::ByteTest(t) => Step::ByteTest(t.clone()),
        Match::ByteJump(j) => Step::ByteJump(j.clone()),
        Match::ByteExtract(e) => Step::ByteExtract(e.clone()),
        Match::ByteMath(m) => Step::ByteMath(m.clone()),
        Match::Asn1(a) => Step::Asn1(*a),
        Match::Base64Decode(d) => Step::Base64Decode(*d, Vec::new()),
        other => return Err(format!("keyword '{}'", other.keyword())),
    })
}

impl EngineBuilder {
    /// Compiles the active rules of `set`.
    ///
    /// # Errors
    /// [`BuildError::Prefilter`] when the automaton cannot be built.
    pub fn build(&self, set: &RuleSet, classes: &Classifications) -> Result<Engine, BuildError> {
        self.build_with(set, classes, PrefilterSettings::default())
    }

    /// [`EngineBuilder::build`] with explicit prefilter settings (port
    /// grouping and automaton; ignored when `prefilter` is off).
    ///
    /// # Errors
    /// [`BuildError::Prefilter`] when an automaton cannot be built.
    pub fn build_with(
        &self,
        set: &RuleSet,
        classes: &Classifications,
        settings: PrefilterSettings,
    ) -> Result<Engine, BuildError> {
        let reasons: Vec<Option<String>> = set
            .rules
            .par_iter()
            .with_min_len(512)
            .map(|lr| inactive_reason(&lr.rule))
            .collect();
        let pcres: Vec<&Pcre> = set
            .rules
            .iter()
            .zip(&reasons)
            .filter(|(_, why)| why.is_none())
            .flat_map(|(lr, _)| rule_pcres(&lr.rule))
            .collect();
        // Checking the pcre (compiling the ones that may fail) is most of
        // the build: it runs on every core while this thread assembles the
        // engine as if every pattern compiles, as nearly all do. When the
        // checks agree, that engine is the one; otherwise it is assembled
        // again with what the checks found.
        let assumed = std::thread::scope(|s| {
            let checks = s.spawn(|| check_all(&pcres));
            let assumed = self.assemble(set, classes, &reasons, settings, Patterns::Assumed);
            if let Err(panic) = checks.join() {
                std::panic::resume_unwind(panic);
            }
            assumed
        });
        if pcres.iter().all(|p| CompiledPcre::compiles_as_assumed(p)) {
            return assumed;
        }
        self.assemble(set, classes, &reasons, settings, Patterns::Checked)
    }

    /// Compiles the rules not left out by `reasons` and indexes them.
    fn assemble(
        &self,
        set: &RuleSet,
        classes: &Classifications,
        reasons: &[Option<String>],
        settings: PrefilterSettings,
        patterns: Patterns,
    ) -> Result<Engine, BuildError> {
        let mut rules = Vec::new();
        let mut inactive = Vec::new();
        let mut names = BitNames::default();
        let mut fps = Vec::new();
        for (lr, why) in set.rules.iter().zip(reasons) {
            let r = &lr.rule;
            let compiled = match why {
                Some(why) => Err(why.clone()),
                None => compile_rule(lr, &mut names, classes, patterns),
            };
            match compiled {
                Ok(c) => {
                    rules.push(c);
                    if self.prefilter {
                        fps.push(fast_pattern(r));
                    }
                }
                Err(why) => inactive.push((r.sid.unwrap_or(0), why)),
            }
        }
        let prefilter = if self.prefilter {
            Some(Prefilter::build(&rules, &fps, settings).map_err(BuildError::Prefilter)?)
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

/// How [`compile_rule`] learns whether a pcre compiles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Patterns {
    /// Checked ([`CompiledPcre::compile`]): the answer.
    Checked,
    /// Assumed to compile ([`CompiledPcre::compile_assumed`]); the caller
    /// confirms with [`CompiledPcre::compiles_as_assumed`].
    Assumed,
}

/// An engine behind an `Arc`, as workers share it.
pub type SharedEngine = Arc<Engine>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn union_of_sorted_lists() {
        let mut a = vec![1, 4, 9];
        let mut tmp = Vec::new();
        union_sorted(&mut a, &[2, 4, 10], &mut tmp);
        assert_eq!(a, [1, 2, 4, 9, 10]);
        union_sorted(&mut a, &[], &mut tmp);
        assert_eq!(a, [1, 2, 4, 9, 10]);
        let mut e = Vec::new();
        union_sorted(&mut e, &[3], &mut tmp);
        assert_eq!(e, [3]);
    }

    #[test]
    fn pcre_that_does_not_compile_leaves_its_rule_out() {
        // The second pattern passes translation (so the build first
        // assumes it compiles) but its NFA is past the regex size limit:
        // the checks find it and the engine is assembled again without it.
        let text = concat!(
            "alert tcp any any -> any any (msg:\"ok\"; content:\"abc\"; pcre:\"/abc[0-9]+/\"; sid:1;)\n",
            "alert tcp any any -> any any (msg:\"big\"; content:\"abc\"; pcre:\"/(?:[a-z]{1000}){1000}/\"; sid:2;)\n",
            "alert tcp any any -> any any (msg:\"bt\"; content:\"abc\"; pcre:\"/(a)\\1/\"; sid:3;)\n",
        );
        let vars = crate::config::Vars::builtin();
        let set = crate::rule::load_str(text, &crate::rule::LoadOptions::new(&vars));
        assert_eq!(set.rules.len(), 3);
        let engine = EngineBuilder::default()
            .build(&set, &Classifications::default())
            .unwrap();
        let sids: Vec<u32> = engine.rules().iter().map(|r| r.sid).collect();
        assert_eq!(sids, [1, 3]);
        assert_eq!(engine.inactive().len(), 1);
        assert_eq!(engine.inactive()[0].0, 2);
        assert!(engine.inactive()[0]
            .1
            .starts_with("pcre /(?:[a-z]{1000}){1000}/"));
        assert_eq!(
            Engine::why_inactive(&set.rules[1]).as_deref(),
            Some(engine.inactive()[0].1.as_str())
        );
        assert!(Engine::is_active(&set.rules[0]) && Engine::is_active(&set.rules[2]));
    }

    #[test]
    fn engine_is_send_sync() {
        fn check<T: Send + Sync>() {}
        check::<Engine>();
    }
}
