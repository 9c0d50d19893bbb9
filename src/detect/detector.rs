//! [`Detector`]: the [`Inspector`] that runs an [`Engine`] on each packet
//! and turns matches into [`AlertRecord`]s for an [`AlertSink`].
//!
//! Actions, kept simple: when any matching rule is `pass`, the packet
//! raises no alert (Suricata's action order puts pass first; a pass here
//! applies to the packet only, not the rest of the flow). `noalert` rules
//! match but raise nothing. `log` and `sdrop` raise nothing either.
//!
//! Per-flow data is the flow's [`FlowBits`] (inline, fixed capacity) and
//! its application-layer detection state ([`FlowApp`]), fed with every
//! packet before the rules run.

use std::sync::Arc;

use crate::applayer::{FlowApp, Observed};
use crate::output::StatsDoc;
use crate::output::{
    AlertAction, AlertRecord, AlertSink, Direction as ODir, FlowInfo, IpInfo, PktSrc,
    Transport as OTransport,
};
use crate::rule::Action;
use crate::runtime::{Inspector, PacketCtx, PacketRole};

use super::engine::{DetectScratch, Engine};
use super::keywords::bits::FlowBits;
use super::packet::View;

/// One worker's detection: the shared engine, its scratch, and where
/// alerts go.
pub struct Detector<S> {
    engine: Arc<Engine>,
    scratch: DetectScratch,
    sink: S,
    alerts: u64,
    write_errors: u64,
    /// Whether alerts say IPS mode (`--simulate-ips`).
    pub ips_mode: bool,
}

impl<S: AlertSink> Detector<S> {
    /// A detector writing to `sink`.
    pub fn new(engine: Arc<Engine>, sink: S) -> Detector<S> {
        Detector {
            engine,
            scratch: DetectScratch::default(),
            sink,
            alerts: 0,
            write_errors: 0,
            ips_mode: false,
        }
    }

    /// Alerts raised so far.
    pub fn alerts(&self) -> u64 {
        self.alerts
    }

    /// Alerts the sink failed to write.
    pub fn write_errors(&self) -> u64 {
        self.write_errors
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

impl<S: AlertSink> Inspector for Detector<S> {
    type FlowData = (FlowBits, FlowApp);

    fn inspect(&mut self, ctx: &PacketCtx<'_>, flow_data: Option<&mut (FlowBits, FlowApp)>) {
        let mut v = View::new(ctx);
        let (bits, app) = match flow_data {
            Some((b, a)) => (Some(b), Some(a)),
            None => (None, None),
        };
        let app_proto = app.and_then(|a| observe_app(a, ctx, &mut v));
        self.engine.inspect(&v, &mut self.scratch, bits);
        if self.scratch.matched.is_empty() {
            return;
        }
        let rules = self.engine.rules();
        if self
            .scratch
            .matched
            .iter()
            .any(|&i| rules[i as usize].action == Action::Pass)
        {
            return;
        }
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
        for &i in &self.scratch.matched {
            let r = &rules[i as usize];
            let action = match r.action {
                Action::Alert => AlertAction::Alert,
                Action::Drop => AlertAction::Drop,
                Action::Reject | Action::RejectSrc | Action::RejectDst | Action::RejectBoth => {
                    AlertAction::Reject
                }
                _ => continue,
            };
            if r.noalert {
                continue;
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
                action,
                ips_mode: self.ips_mode,
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
            self.alerts += 1;
            if self.sink.alert(&rec).is_err() {
                self.write_errors += 1;
            }
        }
    }

    fn stats(&self, doc: &mut StatsDoc) {
        let _ = doc.set_alerts(self.alerts);
    }
}
