//! [`Detector`]: the [`Inspector`] that runs an [`Engine`] on each packet
//! and turns matches into [`AlertRecord`]s for an [`AlertSink`].
//!
//! Thin on purpose: the engine lists the matches, the post-match stage
//! ([`super::postmatch`]) decides which alerts are logged (thresholds,
//! suppress, xbits, action order, `packet-alert-max`) and the packet's
//! [`Verdict`]; this file builds the records. A flow whose verdict is
//! pass or drop (set by a flow-scoped rule) is not inspected any more.
//!
//! Per-flow data is a [`FlowState`] (flowbits, the flow verdict and the
//! application-layer detection state [`FlowApp`], fed with every packet
//! before the rules run; inline, fixed size).

use std::sync::Arc;

use crate::applayer::{FlowApp, Observed};
use crate::ips::RejectDirection;
use crate::output::StatsDoc;
use crate::output::{
    AlertAction, AlertRecord, AlertSink, Direction as ODir, FlowInfo, IpInfo, PktSrc,
    Transport as OTransport,
};
use crate::rule::Action;
use crate::runtime::{Inspector, PacketCtx, PacketRole, PacketVerdict};

use super::actions::{ActionBits, FlowState, Verdict};
use super::engine::{DetectScratch, Engine};
use super::packet::View;
use super::postmatch::{PacketFacts, PostMatch, PostMatchConfig, PostMatchCounters};

mod app_error;
mod tagged;

/// One worker's detection: the shared engine, its scratch, and where
/// alerts go.
pub struct Detector<S> {
    engine: Arc<Engine>,
    scratch: DetectScratch,
    sink: S,
    post: PostMatch,
    last_verdict: Verdict,
    /// Which way the last packet's reject goes (the first logged reject
    /// rule's action; `reject` when none was logged).
    last_reject: RejectDirection,
    alerts: u64,
    /// Tagged packets logged (`tag`).
    tagged: u64,
    write_errors: u64,
    /// Whether alerts say IPS mode (`--simulate-ips`).
    pub ips_mode: bool,
}

impl<S: AlertSink> Detector<S> {
    /// A detector writing to `sink`, with the default post-match
    /// settings (Suricata's action order, no threshold.config, 15 alerts
    /// per packet at most).
    pub fn new(engine: Arc<Engine>, sink: S) -> Detector<S> {
        Self::with_config(engine, sink, &PostMatchConfig::default()).0
    }

    /// A detector with post-match settings from the configuration; the
    /// strings are warnings (threshold.config entries skipped...).
    pub fn with_config(
        engine: Arc<Engine>,
        sink: S,
        cfg: &PostMatchConfig,
    ) -> (Detector<S>, Vec<String>) {
        let (post, warnings) = PostMatch::new(engine.rules(), cfg);
        let scratch = DetectScratch {
            first_only: post.first_only_mask(),
            ..DetectScratch::default()
        };
        (
            Detector {
                engine,
                scratch,
                sink,
                post,
                last_verdict: Verdict::Accept,
                last_reject: RejectDirection::Source,
                alerts: 0,
                tagged: 0,
                write_errors: 0,
                ips_mode: false,
            },
            warnings,
        )
    }

    /// The verdict on the last inspected packet: what an IPS would do
    /// with it (drop by a drop/reject rule or by its flow's drop verdict).
    pub fn last_verdict(&self) -> Verdict {
        self.last_verdict
    }

    /// Which way the last packet's reject goes (meaningful when
    /// [`Detector::last_verdict`] is [`Verdict::Reject`]).
    pub fn last_reject_direction(&self) -> RejectDirection {
        self.last_reject
    }

    /// The post-match stage's counters.
    pub fn post_counters(&self) -> PostMatchCounters {
        self.post.counters
    }

    /// Alerts raised so far.
    pub fn alerts(&self) -> u64 {
        self.alerts
    }

    /// Alerts the sink failed to write.
    pub fn write_errors(&self) -> u64 {
        self.write_errors
    }

    /// Starts per-rule profiling ([`RuleProfile`](super::profile::RuleProfile)).
    pub fn enable_profiling(&mut self) {
        let n = self.engine.rules().len();
        self.scratch.profile = Some(super::profile::RuleProfile::new(n));
    }

    /// The per-rule costs so far, when profiling.
    pub fn profile(&self) -> Option<&super::profile::RuleProfile> {
        self.scratch.profile.as_ref()
    }

    /// Flushes and gives back the sink.
    pub fn into_sink(mut self) -> S {
        let _ = self.sink.flush();
        self.sink
    }
}

/// Feeds the packet to the flow's protocol detection and puts the flow's
/// protocol into `v`; gives back EVE's `app_proto` for the flow.
fn observe_app(
    app: &mut FlowApp,
    ctx: &PacketCtx<'_>,
    v: &mut View<'_, '_>,
) -> Option<&'static str> {
    if let (Some(f), Some(ports)) = (ctx.flow, v.ports) {
        v.app_proto = app.observe(&Observed {
            ip_proto: v.proto(),
            to_server: f.direction == crate::flow::Direction::ToServer,
            ports,
            stream_ready: f.stream_established,
            payload: v.payload,
        });
    }
    app.eve_name()
}

fn pkt_src(role: PacketRole) -> PktSrc {
    match role {
        PacketRole::Reassembled { .. } => PktSrc::Defrag,
        _ => PktSrc::Wire,
    }
}

/// The reject direction of a rule action (`reject`/`rejectsrc`: source).
fn reject_direction(action: Action) -> Option<RejectDirection> {
    match action {
        Action::Reject | Action::RejectSrc => Some(RejectDirection::Source),
        Action::RejectDst => Some(RejectDirection::Destination),
        Action::RejectBoth => Some(RejectDirection::Both),
        _ => None,
    }
}

fn alert_action(bits: ActionBits) -> AlertAction {
    if bits.reject {
        AlertAction::Reject
    } else if bits.drop {
        AlertAction::Drop
    } else {
        AlertAction::Alert
    }
}

impl<S: AlertSink> Inspector for Detector<S> {
    type FlowData = FlowState;

    fn inspect(&mut self, ctx: &PacketCtx<'_>, mut flow_data: Option<&mut FlowState>) {
        if let Some(v) = self.post.flow_verdict(flow_data.as_deref()) {
            self.last_verdict = v;
            return;
        }
        self.last_verdict = Verdict::Accept;
        // An exception policy (midstream pass-flow, bypass, drop-flow)
        // turned detection off for this packet or its flow; drop-flow
        // also drops it (IPS mode only: the policy resolves so).
        if let Some(a) = ctx.flow.and_then(|f| f.exception) {
            if a == crate::flow::FlowAction::Drop {
                self.last_verdict = Verdict::Drop;
            }
            return;
        }
        let mut v = View::new(ctx);
        let app_proto = flow_data
            .as_deref_mut()
            .and_then(|f| observe_app(&mut f.app, ctx, &mut v));
        if self.app_layer_error(ctx, &v, flow_data.as_deref_mut()) {
            return;
        }
        self.engine.inspect(
            &v,
            &mut self.scratch,
            flow_data.as_deref_mut().map(|f| &mut f.bits),
        );
        if self.scratch.matched.is_empty() {
            self.handle_tags(ctx, &v);
            return;
        }
        let rules = self.engine.rules();
        let facts = PacketFacts {
            addrs: v.addrs(),
            flow: ctx.flow.map(|f| (f.flow_id, f.first_in_direction)),
            now_us: ctx
                .raw
                .ts
                .secs()
                .saturating_mul(1_000_000)
                .saturating_add(u64::from(ctx.raw.ts.nanos()) / 1_000),
            stream: ctx.flow.is_some_and(|f| f.stream_established)
                && v.proto() == 6
                && !v.payload.is_empty(),
        };
        let ip = v.ip.map(|l| IpInfo {
            src: l.src_addr(),
            dst: l.dst_addr(),
            proto: l.proto,
            transport: match (v.ports, v.transport) {
                (Some((src, dst)), _) => OTransport::Ports { src, dst },
                (None, Some(crate::decode::Transport::Icmpv4(p, _))) => OTransport::Icmp {
                    itype: p.msg_type(),
                    code: p.msg_code(),
                },
                (None, Some(crate::decode::Transport::Icmpv6(p, _))) => OTransport::Icmp {
                    itype: p.msg_type(),
                    code: p.msg_code(),
                },
                _ => OTransport::None,
            },
        });
        let flow = ctx.flow.map(|f| FlowInfo {
            flow_id: f.flow_id,
            direction: match f.direction {
                crate::flow::Direction::ToServer => ODir::ToServer,
                crate::flow::Direction::ToClient => ODir::ToClient,
            },
            app_proto,
            counters: None,
        });
        let ips_mode = self.ips_mode;
        let mut reject_dir = None;
        let sink = &mut self.sink;
        let alerts = &mut self.alerts;
        let write_errors = &mut self.write_errors;
        self.last_verdict = self.post.finalize(
            rules,
            &self.scratch.matched,
            &facts,
            flow_data,
            |i, bits| {
                let r = &rules[i as usize];
                if bits.reject && reject_dir.is_none() {
                    reject_dir = reject_direction(r.action);
                }
                let rec = AlertRecord {
                    ts_secs: ctx.raw.ts.secs(),
                    ts_nanos: ctx.raw.ts.nanos(),
                    linktype: u32::from(ctx.raw.linktype.0),
                    // Suricata's pseudo packets (tunnel children, rebuilt
                    // datagrams) carry no pcap_cnt.
                    pcap_cnt: match ctx.role {
                        PacketRole::Plain | PacketRole::TunnelOuter => ctx.raw.index,
                        _ => 0,
                    },
                    action: alert_action(bits),
                    ips_mode,
                    gid: r.gid,
                    sid: r.sid,
                    rev: r.rev,
                    msg: r.msg.as_deref(),
                    class_desc: r.class_desc.as_deref(),
                    priority: r.priority,
                    ip,
                    flow,
                    pkt_src: pkt_src(ctx.role),
                    payload: Some(v.payload),
                    packet: Some(ctx.raw.data),
                    ..AlertRecord::default()
                };
                *alerts += 1;
                if sink.alert(&rec).is_err() {
                    *write_errors += 1;
                }
            },
        );
        self.last_reject = reject_dir.unwrap_or(RejectDirection::Source);
        self.handle_tags(ctx, &v);
    }

    fn verdict(&self) -> PacketVerdict {
        match self.last_verdict {
            Verdict::Accept => PacketVerdict::Accept,
            Verdict::Drop => PacketVerdict::Drop,
            Verdict::Reject => PacketVerdict::Reject(self.last_reject),
        }
    }

    fn stats(&self, doc: &mut StatsDoc) {
        let _ = doc.set_alerts(self.alerts);
        let c = self.post.counters;
        if c.discarded > 0 {
            let _ = doc.set("detect.alert_queue_overflow", c.discarded);
        }
        if c.suppressed > 0 {
            let _ = doc.set("detect.alerts_suppressed", c.suppressed);
        }
    }
}
