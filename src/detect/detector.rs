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

use crate::applayer::{AppProto, FlowApp, Observed};
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
    /// Some rule inspects the TCP stream (asks the worker to reassemble).
    uses_stream: bool,
    /// The last packet inspected the raw stream data it was offered.
    stream_done: bool,
    /// `app-layer.protocols.tls.encryption-handling: full`.
    tls_inspect_encrypted: bool,
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
        let uses_stream = engine.uses_stream();
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
                uses_stream,
                stream_done: false,
                tls_inspect_encrypted: cfg.tls_inspect_encrypted,
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

/// Raw stream inspection the app layer asked for, per flow (Suricata's
/// `STREAMTCP_STREAM_FLAG_TRIGGER_RAW` and what sets it).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct RawTrigger {
    /// The to-client stream is to be inspected at its next packet; cleared
    /// when an inspection moves its raw progress.
    to_client: bool,
    /// The app layer stopped after a gap: its parsers ask for nothing more.
    app_gone: bool,
}

impl RawTrigger {
    /// The app layer was told of a gap in either direction
    /// (`AppLayerParserParse` with `STREAM_GAP`). A parser that does not
    /// take gaps asks for raw inspection and fails, which stops the
    /// flow's app layer. The request always lands on the to-client
    /// stream: Suricata 8.0.6 passes the parser's direction index (0 for
    /// to-server, 1 for to-client) where
    /// `StreamTcpReassembleTriggerRawInspection` expects the
    /// `STREAM_TOSERVER` flag, which neither equals. With no protocol
    /// known yet nothing is parsed.
    fn on_gap(&mut self, proto: Option<AppProto>) {
        if self.app_gone {
            return;
        }
        if proto.is_some_and(|p| !p.parser_accepts_gaps()) {
            self.to_client = true;
            self.app_gone = true;
        }
    }
}

/// Whether Suricata's parser for `proto` would have asked for raw stream
/// inspection (`AppLayerParserTriggerRawStreamInspection`) on `data`, the
/// acknowledged bytes of one direction not yet inspected. Most parsers do
/// so as each record or message completes; we take any data as complete,
/// except for HTTP/1, whose parser triggers when a request or response is
/// complete, which is checked here. SMB, IMAP and the UDP-only parsers
/// never trigger.
fn app_triggers_raw(proto: AppProto, to_server: bool, data: &[u8]) -> bool {
    use AppProto as P;
    match proto {
        P::Http1 | P::Http => http_message_complete(to_server, data),
        P::Ftp
        | P::Smtp
        | P::Dnp3
        | P::Tls
        | P::Dcerpc
        | P::Dns
        | P::Enip
        | P::Http2
        | P::Krb5
        | P::Ldap
        | P::Modbus
        | P::Mqtt
        | P::Nfs
        | P::Pgsql
        | P::Pop3
        | P::Rdp
        | P::Rfb
        | P::Sip
        | P::Ssh
        | P::Websocket => true,
        _ => false,
    }
}

/// Whether `data` holds a complete HTTP/1 message from its start: the
/// header block and a body of `Content-Length` bytes, or a chunked body
/// up to its last chunk. A request without a length ends at its header
/// block; a response without one ends at the connection's close (not
/// complete here) unless its status has no body (1xx, 204, 304).
fn http_message_complete(to_server: bool, data: &[u8]) -> bool {
    let Some(end) = memchr::memmem::find(data, b"\r\n\r\n").map(|i| i + 4) else {
        return false;
    };
    let head = &data[..end];
    let starts_ok = if to_server {
        head.first().is_some_and(u8::is_ascii_uppercase)
    } else {
        head.starts_with(b"HTTP/")
    };
    if !starts_ok {
        return false;
    }
    let mut length = None;
    let mut chunked = false;
    for line in head.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let (name, value) = (&line[..colon], line[colon + 1..].trim_ascii());
        if name.eq_ignore_ascii_case(b"content-length") {
            length = std::str::from_utf8(value)
                .ok()
                .and_then(|v| v.parse::<usize>().ok());
        } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
            chunked = value.eq_ignore_ascii_case(b"chunked");
        }
    }
    let body = &data[end..];
    if chunked {
        return body.ends_with(b"0\r\n\r\n");
    }
    if let Some(n) = length {
        return body.len() >= n;
    }
    if to_server {
        return true;
    }
    let status = head.get(9..12).unwrap_or_default();
    status.first() == Some(&b'1') || status == b"204" || status == b"304"
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

impl<S: AlertSink> Detector<S> {
    /// Suricata's default TLS `encryption-handling` (`track-only`): once
    /// the TLS parser parses an application-data record (`SSLv3Decode`
    /// sets `APP_LAYER_PARSER_NO_INSPECTION_PAYLOAD`),
    /// `AppLayerParserParse` sets `FLOW_NOPAYLOAD_INSPECTION` on the flow
    /// and asks both streams to take no new raw data
    /// (`StreamTcpSetDisableRawReassemblyFlag`). The parse runs in the
    /// stream stage of the packet whose acknowledgement let the app layer
    /// read the record; that packet got its flags from the flow before
    /// (`FlowHandlePacketUpdate`), so it still has its payload inspected,
    /// and its own direction's raw stream is inspected one last time
    /// (`STREAMTCP_STREAM_FLAG_NEW_RAW_DISABLED` is a flush reason in
    /// `StreamTcpReassembleRawCheckLimit`, and raw is disabled once that
    /// inspection moves the progress). Every later packet of the flow
    /// has `PKT_NOPAYLOAD_INSPECTION`: no payload, and no raw stream
    /// content (the payload prefilter does not run; rules that need a
    /// payload do not match).
    ///
    /// Returns (no payload for this packet, this packet is the one that
    /// saw the flag set: its direction's raw stream flushes).
    fn encrypted(
        &self,
        ctx: &PacketCtx<'_>,
        v: &View<'_, '_>,
        flow: Option<&mut FlowState>,
    ) -> (bool, bool) {
        let Some(f) = flow else {
            return (false, false);
        };
        if f.no_payload {
            return (true, false);
        }
        if ctx.stream.tls_app_data
            && !self.tls_inspect_encrypted
            && v.app_proto == Some(AppProto::Tls)
        {
            f.no_payload = true;
            // A flow-end pseudo packet carries the flow's flag already
            // (`FlowForceReassemblyPseudoPacketSetup`).
            return (ctx.stream.eof, !ctx.stream.eof);
        }
        (false, false)
    }
}

impl<S: AlertSink> Inspector for Detector<S> {
    type FlowData = FlowState;

    fn inspect(&mut self, ctx: &PacketCtx<'_>, mut flow_data: Option<&mut FlowState>) {
        // Stream data this packet does not inspect (flow passed or
        // dropped, exception policy) is dropped with it.
        self.stream_done = true;
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
        let app_proto = match flow_data.as_deref_mut() {
            Some(f) if ctx.stream.eof => {
                v.app_proto = f.app.proto();
                f.app.eve_name()
            }
            Some(f) => observe_app(&mut f.app, ctx, &mut v),
            None => None,
        };
        if self.app_layer_error(ctx, &v, flow_data.as_deref_mut()) {
            return;
        }
        // IDS-mode raw stream inspection (`StreamReassembleRawHasDataReady`
        // and `StreamTcpReassembleRawCheckLimit`): the stream is inspected
        // once a chunk of it is acknowledged, or the session closes, or
        // the flow ends, or the app layer asked for it: after a gap (see
        // `RawTrigger`), or as its parser read a complete message (we
        // check the bytes; only bytes it read since raw inspection last
        // moved can have asked).
        let s = ctx.stream;
        let (no_payload, last_flush) = self.encrypted(ctx, &v, flow_data.as_deref_mut());
        if no_payload {
            v.payload = &[];
            v.nopayload = true;
        }
        let to_server = ctx.flow.is_some_and(|f| f.direction.is_to_server());
        let raw = match flow_data.as_deref_mut() {
            Some(f) => {
                if s.app_gap {
                    f.raw.on_gap(f.app.proto());
                }
                &mut f.raw
            }
            None => &mut RawTrigger::default(),
        };
        let ready = !no_payload
            && !s.blocks.is_empty()
            && ctx.flow.is_some_and(|f| f.stream_established)
            && (s.flush
                || last_flush
                || s.eof
                || (!to_server && raw.to_client)
                || (s.app_news
                    && !raw.app_gone
                    && v.app_proto
                        .is_some_and(|p| app_triggers_raw(p, to_server, s.blocks.first()))));
        if ready && s.advances && !to_server {
            raw.to_client = false;
        }
        // A flow past its encrypted data drops its stream bytes unread.
        self.stream_done = ready || no_payload;
        if ready {
            v.stream = s.blocks;
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
            now_us: now_us(ctx),
            stream: ctx.flow.is_some_and(|f| f.stream_established)
                && v.proto() == 6
                && !v.payload.is_empty(),
        };
        let ip = ip_info(&v);
        let flow = flow_info(ctx, app_proto);
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
                    pcap_cnt: pcap_cnt(ctx),
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

    fn wants_stream(&self) -> bool {
        self.uses_stream
    }

    fn stream_inspected(&self) -> bool {
        self.stream_done
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

/// The packet's pcap_cnt for output: Suricata's pseudo packets (tunnel
/// children, rebuilt datagrams) carry none (0 here).
fn pcap_cnt(ctx: &PacketCtx<'_>) -> u64 {
    match ctx.role {
        PacketRole::Plain | PacketRole::TunnelOuter => ctx.raw.index,
        _ => 0,
    }
}

/// The packet's flow as the output records take it.
fn flow_info<'a>(ctx: &PacketCtx<'_>, app_proto: Option<&'a str>) -> Option<FlowInfo<'a>> {
    ctx.flow.map(|f| FlowInfo {
        flow_id: f.flow_id,
        direction: match f.direction {
            crate::flow::Direction::ToServer => ODir::ToServer,
            crate::flow::Direction::ToClient => ODir::ToClient,
        },
        app_proto,
        counters: None,
    })
}

/// Packet time in microseconds.
fn now_us(ctx: &PacketCtx<'_>) -> u64 {
    ctx.raw
        .ts
        .secs()
        .saturating_mul(1_000_000)
        .saturating_add(u64::from(ctx.raw.ts.nanos()) / 1_000)
}

/// The packet's IP layer as the output records take it.
fn ip_info(v: &View<'_, '_>) -> Option<IpInfo> {
    v.ip.map(|l| IpInfo {
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
    })
}

#[cfg(test)]
mod stream_trigger_tests {
    use super::*;

    #[test]
    fn http_messages_complete_as_the_parser_sees_them() {
        assert!(http_message_complete(
            true,
            b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"
        ));
        assert!(!http_message_complete(
            true,
            b"GET / HTTP/1.1\r\nHost: a\r\n"
        ));
        assert!(!http_message_complete(
            true,
            b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nabc"
        ));
        assert!(http_message_complete(
            true,
            b"POST / HTTP/1.1\r\ncontent-length: 5\r\n\r\nabcde"
        ));
        // A response without a length ends with the connection.
        assert!(!http_message_complete(
            false,
            b"HTTP/1.0 200 OK\r\n\r\nbody"
        ));
        assert!(http_message_complete(
            false,
            b"HTTP/1.1 304 Not Modified\r\n\r\n"
        ));
        assert!(http_message_complete(
            false,
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
        ));
        // Data that does not start a message does not trigger.
        assert!(!http_message_complete(false, b"tail of a body\r\n\r\n"));
    }

    #[test]
    fn smb_never_triggers_and_tls_always_does() {
        assert!(!app_triggers_raw(AppProto::Smb, true, b"x"));
        assert!(app_triggers_raw(AppProto::Tls, false, b"x"));
    }
}
