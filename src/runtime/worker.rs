//! worker: one thread's packet path, from a captured frame to the
//! [`Inspector`]: decode, defragment, look up the flow, inspect.
//!
//! # Per frame ([`Worker::process`])
//!
//! 1. Checksum auto mode: before the 1000th frame, decide whether to stop
//!    validating (see [`ChecksumPolicy::Auto`]).
//! 2. Defrag clock: [`Defragmenter::tick`] with the frame's time.
//! 3. Decode; count the frame in `decoder.*` (Suricata's
//!    `DecodeUpdatePacketCounters` and the per-protocol counters).
//! 4. Fragments go to the [`Defragmenter`]; its events are counted in
//!    `decoder.event.*` and travel with the fragment's context.
//! 5. The frame's packets (tunnel outer, then inner; or the plain packet)
//!    get their flow and are inspected.
//! 6. A datagram the fragment completed is decoded as raw IP, counted in
//!    the protocol counters and `decoder.event.*` (not in `decoder.pkts`,
//!    `bytes` or `invalid`: Suricata counts those for captured frames
//!    only), given its flow and inspected, with the fragment's VLAN ids and
//!    tunnel depth. If it holds a fragment itself (a fragmented tunnel in a
//!    fragmented datagram), that fragment goes back to the table; this
//!    repeats at most [`DecodeConfig::max_layers`] times per frame.
//!
//! Flow timeouts run on packet time: every packet with an IP layer reaches
//! [`FlowTable::update`], which advances the clock and times out at most
//! `expire_budget` flows; packets without one advance it through
//! [`FlowTable::advance_time`] (equally bounded).
//!
//! # Memory
//!
//! Nothing is allocated per frame once the flow table has room for the
//! live flows: views borrow the frame, flow metas and contexts live on the
//! stack. The exceptions are a fragment stored by the defragmenter and a
//! rebuilt datagram (both bounded by `defrag.memcap`), and the flow table
//! growing its slab up to `flow.memcap`.

use super::config::{ChecksumPolicy, PipelineConfig};
use super::ctx::{DefragEvents, Inspector, NoInspection, PacketCtx, PacketRole, PacketVerdict};
use super::meta::{self, MetaBase};
use crate::capture::{RawPacket, Timestamp};
use crate::decode::{decode, DecodeConfig, DecodeCounters, Decoded, ProtoCounter};
use crate::defrag::{Defragmenter, Reassembled};
use crate::flow::{Direction, EndedFlow, FlowTable, FlowTime, L4Meta, PacketMeta, StreamChunk};
use crate::output::StatsDoc;

/// Frames checked before auto mode decides (`CHECKSUM_SAMPLE_COUNT`).
const CHECKSUM_SAMPLE_COUNT: u64 = 1000;
/// Auto mode stops validating when fewer than this many packets per bad
/// checksum were seen (`CHECKSUM_INVALID_RATIO`).
const CHECKSUM_INVALID_RATIO: u64 = 10;

/// Where a decoded packet came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    /// The captured frame.
    Frame,
    /// A datagram rebuilt from this many fragments.
    Reassembled(usize),
}

/// The per-thread state of the packet path. Owned by one thread; no locks.
///
/// ```
/// use rulewire::capture::{LinkType, RawPacket, Timestamp};
/// use rulewire::decode::craft::{PacketBuilder, TcpSpec};
/// use rulewire::runtime::{PipelineConfig, Worker};
///
/// let frame = PacketBuilder::ipv4([10, 0, 0, 1], [10, 0, 0, 2])
///     .tcp(40000, 80, TcpSpec::syn())
///     .ethernet();
/// let mut worker = Worker::new(&PipelineConfig::default());
/// worker.process(&RawPacket {
///     index: 1,
///     ts: Timestamp::new(1_700_000_000, 0),
///     linktype: LinkType::ETHERNET,
///     data: &frame,
///     orig_len: frame.len() as u32,
/// });
/// worker.finish();
/// let stats = worker.stats();
/// assert_eq!(stats.counter("decoder.pkts"), 1);
/// assert_eq!(stats.counter("tcp.syn"), 1);
/// assert_eq!(stats.counter("flow.tcp"), 1);
/// assert_eq!(stats.counter("flow.end.state.new"), 1);
/// ```
#[derive(Debug)]
pub struct Worker<I: Inspector = NoInspection> {
    cfg: PipelineConfig,
    /// The decoder settings in force (checksum validation may be switched
    /// off by auto mode).
    decode_cfg: DecodeConfig,
    decode_counters: DecodeCounters,
    defrag: Defragmenter,
    flows: FlowTable<I::FlowData>,
    inspector: I,
    /// TCP checksums are still validated (auto mode may give up).
    validating: bool,
    /// TCP packets with a flow whose checksum was bad, while validating.
    bad_checksums: u64,
    /// Latest packet time seen.
    last_ts: Option<Timestamp>,
    /// Rebuilt datagrams not processed because the per-frame bound was hit.
    reassembly_bound_hits: u64,
    /// The last frame's verdict: the strongest of its packets'.
    frame_verdict: PacketVerdict,
    /// The last frame's reject answers (IPS mode only).
    rejects: Vec<Vec<u8>>,
    /// IPS counters: accepted, blocked, rejected frames.
    ips: [u64; 3],
}

impl Worker<NoInspection> {
    /// A worker with empty state and no detection.
    pub fn new(cfg: &PipelineConfig) -> Worker<NoInspection> {
        Worker::with_inspector(cfg, NoInspection)
    }
}

impl<I: Inspector> Worker<I> {
    /// A worker with empty state that hands every packet to `inspector`.
    pub fn with_inspector(cfg: &PipelineConfig, inspector: I) -> Worker<I> {
        let mut flows = FlowTable::new(cfg.flow);
        if inspector.wants_stream() && cfg.flow.reassembly.enabled {
            flows.enable_reassembly(cfg.flow.reassembly);
        }
        Worker {
            cfg: cfg.clone(),
            decode_cfg: cfg.effective_decode(),
            decode_counters: DecodeCounters::new(),
            defrag: Defragmenter::new(cfg.defrag.clone()),
            flows,
            inspector,
            validating: cfg.checksums != ChecksumPolicy::Ignore,
            bad_checksums: 0,
            last_ts: None,
            reassembly_bound_hits: 0,
            frame_verdict: PacketVerdict::Accept,
            rejects: Vec::new(),
            ips: [0; 3],
        }
    }

    /// Runs one captured frame through the pipeline (see the module docs).
    pub fn process(&mut self, raw: &RawPacket<'_>) {
        self.frame_verdict = PacketVerdict::Accept;
        self.rejects.clear();
        self.checksum_auto_check();
        match self.last_ts {
            Some(t) if t >= raw.ts => {}
            _ => self.last_ts = Some(raw.ts),
        }
        self.defrag.tick(raw.ts);
        let decoded = decode(raw.linktype, raw.data, &self.decode_cfg);
        self.decode_counters.record(&decoded, raw.data.len());

        let mut events = DefragEvents::new();
        let mut rebuilt = None;
        if decoded.is_fragment() {
            let out = self.defrag.insert(raw.ts, &decoded);
            for ev in out.events() {
                self.decode_counters.bump_event(ev);
                events.push(ev);
            }
            rebuilt = out.reassembled;
        }
        let base = MetaBase {
            ts: flow_time(raw.ts),
            vlan: meta::vlan_ids(&decoded),
            level: 0,
            len: u32::try_from(raw.data.len()).unwrap_or(u32::MAX),
            validate_tcp_checksum: self.validate_tcp_checksum(),
        };
        self.packet(raw, &decoded, Origin::Frame, &base, events);
        if let Some(r) = rebuilt {
            let level = decoded.tunnel_depth();
            self.reassembled(raw, r, base, level);
        }
        if self.cfg.flow.ips_mode {
            let slot = match self.frame_verdict {
                PacketVerdict::Accept => 0,
                PacketVerdict::Drop => 1,
                PacketVerdict::Reject(_) => 2,
            };
            self.ips[slot] += 1;
        }
    }

    /// The verdict on the last frame [`Worker::process`]ed: the strongest
    /// of its packets' (a drop of a tunnel's inner packet or of a datagram
    /// the frame completed drops the frame, as Suricata drops the root
    /// packet with its child).
    pub fn frame_verdict(&self) -> PacketVerdict {
        self.frame_verdict
    }

    /// The reject answers of the last frame (IPS mode only: empty
    /// otherwise), framed in its link type, in the order built. Only
    /// packets decoded from the frame itself are answered: a tunnel's
    /// inner packet and a rebuilt datagram are not (see
    /// [`reject_frames`](crate::ips::reject_frames)).
    pub fn rejects(&self) -> &[Vec<u8>] {
        &self.rejects
    }

    /// Takes the last frame's reject answers (nothing allocated when there
    /// are none).
    pub fn take_rejects(&mut self) -> Vec<Vec<u8>> {
        std::mem::take(&mut self.rejects)
    }

    /// Ends the run: ends every flow (counted under `flow.end.*`) and
    /// sweeps the defragmenter with the last packet time, as Suricata's
    /// shutdown does.
    pub fn finish(&mut self) {
        self.finish_with(|_| {});
    }

    /// [`Worker::finish`], calling `after_flow` with a flow's order key
    /// after the pseudo packets of each flow that ended with stream data
    /// left (flows end in key order; the key depends on the flow only, so
    /// a multi-threaded run can merge its workers' end records by it).
    pub fn finish_with(&mut self, mut after_flow: impl FnMut(u128)) {
        self.flows.flush();
        let ended: Vec<EndedFlow<I::FlowData>> = self.flows.take_ended().collect();
        for mut e in ended {
            self.pseudo_packets(&mut e);
            after_flow(e.order);
        }
        if let Some(ts) = self.last_ts {
            self.defrag.sweep(ts);
        }
    }

    /// Flow-end pseudo packets for flows the table ended during the last
    /// call (timeouts, port reuse).
    fn ended_flows(&mut self) {
        if !self.flows.has_ended() {
            return;
        }
        let ended: Vec<EndedFlow<I::FlowData>> = self.flows.take_ended().collect();
        for mut e in ended {
            self.pseudo_packets(&mut e);
        }
    }

    /// Suricata's `FlowForceReassembly`: one pseudo packet per direction
    /// (to-server first) with bytes left, a crafted header-only frame of
    /// the flow with no `pcap_cnt`, inspected with the flow's data and
    /// `stream.eof` set; it sees every block left in its direction.
    fn pseudo_packets(&mut self, e: &mut EndedFlow<I::FlowData>) {
        for dir in [Direction::ToServer, Direction::ToClient] {
            if !e.pending(dir) {
                continue;
            }
            let Some(frame) = pseudo_frame(&e.info, dir) else {
                return;
            };
            let ts = e.info.last_ts.as_micros();
            let raw = RawPacket {
                index: 0,
                ts: Timestamp::new(ts / 1_000_000, (ts % 1_000_000) as u32 * 1000),
                linktype: crate::capture::LinkType::ETHERNET,
                data: &frame,
                orig_len: u32::try_from(frame.len()).unwrap_or(u32::MAX),
            };
            let decoded = decode(raw.linktype, &frame, &self.decode_cfg);
            let update = e.pseudo_update(dir);
            let (user, chunk) = e.eof_blocks(dir);
            if chunk.blocks.is_empty() {
                continue;
            }
            let ctx = PacketCtx {
                raw: &raw,
                decoded: &decoded,
                role: PacketRole::Plain,
                flow: Some(update),
                defrag_events: DefragEvents::new(),
                recursion_level: 0,
                stream: chunk,
            };
            self.inspector.inspect(&ctx, Some(user));
            e.commit(dir);
        }
    }

    /// Frames seen (`decoder.pkts`).
    pub fn packets(&self) -> u64 {
        self.decode_counters.pkts
    }

    /// Captured bytes seen (`decoder.bytes`).
    pub fn bytes(&self) -> u64 {
        self.decode_counters.bytes
    }

    /// The decoder counters.
    pub fn decode_counters(&self) -> &DecodeCounters {
        &self.decode_counters
    }

    /// The defragmentation table.
    pub fn defrag(&self) -> &Defragmenter {
        &self.defrag
    }

    /// The flow table.
    pub fn flows(&self) -> &FlowTable<I::FlowData> {
        &self.flows
    }

    /// The inspector.
    pub fn inspector(&self) -> &I {
        &self.inspector
    }

    /// The inspector, mutable.
    pub fn inspector_mut(&mut self) -> &mut I {
        &mut self.inspector
    }

    /// Gives the inspector back (end of run).
    pub fn into_inspector(self) -> I {
        self.inspector
    }

    /// Whether TCP checksums are still validated (false under `-k none`,
    /// or once auto mode gave up).
    pub fn validating_checksums(&self) -> bool {
        self.validating
    }

    /// Rebuilt datagrams dropped because one frame produced more than
    /// [`DecodeConfig::max_layers`] of them (nested fragmented tunnels).
    pub fn reassembly_bound_hits(&self) -> u64 {
        self.reassembly_bound_hits
    }

    /// Every counter in Suricata's nested stats layout, zeros left out:
    /// `decoder.*` (with `tcp.syn` ...), `defrag.*` (`defrag.memuse` is the
    /// memcap, as Suricata prints it), `flow.*` and `tcp.sessions` ..., and
    /// the inspector's.
    pub fn stats(&self) -> StatsDoc {
        let mut doc = StatsDoc::new();
        // `flow.memuse` is this table's own figure; Suricata's records
        // differ in size, so the two are not comparable.
        let flow = self.flows.counters();
        for section in [
            self.decode_counters.to_json(),
            self.defrag.stats_json(),
            flow.to_json(),
        ] {
            if let Err(e) = doc.merge("", section) {
                debug_assert!(false, "stats sections clash: {e}");
            }
        }
        self.inspector.stats(&mut doc);
        let sc = self.flows.stream_counters();
        for (name, n) in [
            ("tcp.overlap", sc.overlap),
            ("tcp.overlap_diff_data", sc.overlap_diff_data),
            ("tcp.stream_depth_reached", sc.stream_depth_reached),
            ("tcp.segment_memcap_drop", sc.segment_memcap_drop),
            ("tcp.reassembly_gap", sc.reassembly_gap),
        ] {
            if n > 0 {
                let _ = doc.set(name, n);
            }
        }
        if self.cfg.flow.ips_mode {
            // Suricata's `CaptureStatsUpdate`: every frame counts once,
            // rejects apart from blocks.
            for (name, n) in ["ips.accepted", "ips.blocked", "ips.rejected"]
                .into_iter()
                .zip(self.ips)
            {
                let _ = doc.set(name, n);
            }
        }
        doc.drop_zeros();
        doc
    }

    fn validate_tcp_checksum(&self) -> bool {
        self.validating && self.cfg.stream_checksum_validation
    }

    /// `ChecksumAutoModeCheck`: run before the 1000th frame is processed,
    /// with the bad checksums of the frames before it.
    fn checksum_auto_check(&mut self) {
        if self.cfg.checksums != ChecksumPolicy::Auto
            || !self.validating
            || self.decode_counters.pkts + 1 != CHECKSUM_SAMPLE_COUNT
        {
            return;
        }
        if self.bad_checksums > 0
            && CHECKSUM_SAMPLE_COUNT / self.bad_checksums < CHECKSUM_INVALID_RATIO
        {
            self.validating = false;
            self.decode_cfg.validate_checksums = false;
        }
    }

    /// Processes the datagram `first` rebuilt, and any datagram its own
    /// fragments complete, up to the per-frame bound.
    fn reassembled(&mut self, raw: &RawPacket<'_>, first: Reassembled, base: MetaBase, level: u8) {
        let mut next = Some((first, level));
        let mut rounds = 0u8;
        while let Some((r, level)) = next.take() {
            if rounds >= self.decode_cfg.max_layers {
                self.reassembly_bound_hits += 1;
                break;
            }
            rounds += 1;
            let d = r.decode(&self.decode_cfg);
            self.count_rebuilt(&d);
            let mut events = DefragEvents::new();
            if d.is_fragment() {
                let out = self.defrag.insert(raw.ts, &d);
                for ev in out.events() {
                    self.decode_counters.bump_event(ev);
                    events.push(ev);
                }
                next = out
                    .reassembled
                    .map(|n| (n, level.saturating_add(d.tunnel_depth())));
            }
            let rb = MetaBase {
                level,
                len: u32::try_from(r.datagram().len()).unwrap_or(u32::MAX),
                ..base
            };
            self.packet(raw, &d, Origin::Reassembled(r.fragments()), &rb, events);
        }
    }

    /// Suricata decodes a rebuilt datagram like a frame but counts it only
    /// in the protocol and event counters. It hands the datagram straight
    /// to its IPv4/IPv6 decoder, so the raw-IP link decoder we enter does
    /// not count (`decoder.raw`; conformance `ipv6-malformed-fragments-*`).
    fn count_rebuilt(&mut self, d: &Decoded<'_>) {
        for (counter, n) in d.proto_counts().iter() {
            if counter != ProtoCounter::Raw {
                self.decode_counters.bump_proto(counter, u64::from(n));
            }
        }
        for ev in d.events().iter() {
            self.decode_counters.bump_event(ev);
        }
    }

    /// Flow handling and inspection for the packets of one decode: the
    /// tunnel outer packet (if any), then the inner-most packet.
    fn packet(
        &mut self,
        raw: &RawPacket<'_>,
        decoded: &Decoded<'_>,
        origin: Origin,
        base: &MetaBase,
        events: DefragEvents,
    ) {
        let own_role = match origin {
            Origin::Frame => PacketRole::Plain,
            Origin::Reassembled(fragments) => PacketRole::Reassembled { fragments },
        };
        let tunnelled = decoded.outer().is_some();
        if tunnelled {
            let flow = match meta::outer_meta(decoded, base) {
                Some(m) => self.update_flow(&m),
                None => None,
            };
            let role = match origin {
                Origin::Frame => PacketRole::TunnelOuter,
                Origin::Reassembled(_) => own_role,
            };
            self.ended_flows();
            let ctx = PacketCtx {
                raw,
                decoded,
                role,
                flow,
                defrag_events: DefragEvents::new(),
                recursion_level: base.level,
                stream: StreamChunk::default(),
            };
            let data = flow.and_then(|u| self.flows.user_mut(u.handle));
            self.inspector.inspect(&ctx, data);
            self.record_verdict(decoded, false);
        }
        let (flow, level) = match meta::packet_meta(decoded, base) {
            Some(m) => (self.update_flow(&m), m.recursion_level),
            None => {
                self.flows.advance_time(base.ts);
                (None, base.level)
            }
        };
        self.ended_flows();
        let added = match (flow, decoded.transport()) {
            (Some(u), Some(crate::decode::Transport::Tcp(..))) => {
                self.flows.stream_update(&u, decoded.payload())
            }
            _ => false,
        };
        let (data, stream) = match flow {
            Some(u) => self.flows.stream_chunk(&u, added),
            None => (None, StreamChunk::default()),
        };
        let offered = !stream.blocks.is_empty();
        let ctx = PacketCtx {
            raw,
            decoded,
            role: if tunnelled {
                PacketRole::TunnelInner
            } else {
                own_role
            },
            flow,
            defrag_events: events,
            recursion_level: level,
            stream,
        };
        self.inspector.inspect(&ctx, data);
        if let (Some(u), true) = (flow, offered) {
            if self.inspector.stream_inspected() {
                self.flows.stream_commit(&u);
            }
        }
        self.record_verdict(decoded, origin == Origin::Frame && !tunnelled);
    }

    /// Folds the inspected packet's verdict into the frame's; builds the
    /// reject answers in IPS mode when `answerable` (a packet decoded from
    /// the frame itself, not out of a tunnel).
    fn record_verdict(&mut self, decoded: &Decoded<'_>, answerable: bool) {
        let v = self.inspector.verdict();
        self.frame_verdict = self.frame_verdict.max(v);
        if let PacketVerdict::Reject(dir) = v {
            if self.cfg.flow.ips_mode && answerable && self.rejects.is_empty() {
                if let Ok(frames) = crate::ips::reject_frames(decoded, dir) {
                    self.rejects = frames;
                }
            }
        }
    }

    fn update_flow(&mut self, m: &PacketMeta) -> Option<crate::flow::FlowUpdate> {
        let update = self.flows.update(m);
        if let (Some(_), L4Meta::Tcp(t)) = (update, m.l4) {
            if !t.checksum_ok {
                self.bad_checksums += 1;
            }
        }
        update
    }
}

/// The frame of a flow-end pseudo packet: Ethernet, IP and a bare TCP ACK
/// between the flow's endpoints in direction `dir` (VLAN ids and tunnels
/// are not rebuilt). `None` for mixed address families (never for TCP).
fn pseudo_frame(info: &crate::flow::FlowInfo, dir: Direction) -> Option<Vec<u8>> {
    use crate::decode::craft::{PacketBuilder, TcpSpec};
    use std::net::IpAddr;
    let (src, dst) = match dir {
        Direction::ToServer => (info.client, info.server),
        Direction::ToClient => (info.server, info.client),
    };
    let b = match (src.0, dst.0) {
        (IpAddr::V4(s), IpAddr::V4(d)) => PacketBuilder::ipv4(s.octets(), d.octets()),
        (IpAddr::V6(s), IpAddr::V6(d)) => PacketBuilder::ipv6(s.octets(), d.octets()),
        _ => return None,
    };
    Some(b.tcp(src.1, dst.1, TcpSpec::ack()).ethernet())
}

fn flow_time(ts: Timestamp) -> FlowTime {
    FlowTime::from_secs_nanos(ts.secs(), ts.nanos())
}
