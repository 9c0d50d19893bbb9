//! [`FlowTable`]: one worker's flows, looked up and updated per packet.
//!
//! # Per packet ([`FlowTable::update`])
//!
//! The steps and their order follow Suricata 8's flow worker
//! (`FlowWorker` in `src/flow-worker.c`):
//!
//! 1. **Lookup** (`FlowGetFlowFromHash`, `src/flow-hash.c`). A flow found
//!    but timed out by this packet's time is ended and replaced. A TCP flow
//!    found whose session is finished (or missing) while this packet starts
//!    a new connection (`TcpSessionPacketSsnReuse`) is ended and replaced
//!    (`flow.tcp_reuse`). No flow: one is created, unless the packet may not
//!    create one (ICMPv4 errors; in emergency mode with midstream on, TCP
//!    packets other than a bare SYN: `FlowCreateCheck`).
//! 2. **Flow update** (`FlowHandlePacketUpdate`, `src/flow.c`): direction,
//!    counters, "first packet in this direction", and `established` *as
//!    detection will see it*: for TCP, the session state before this packet
//!    (so the ACK that completes the handshake is not yet established, the
//!    next packet is); for other protocols, packets seen in both directions
//!    (so the first reply already is).
//! 3. **Stream** (`StreamTcpPacket`, `src/stream-tcp.c`), TCP packets only:
//!    [`TcpSession`](super::tcp) moves the session state, which moves the
//!    flow state; a SYN/ACK picked up midstream reverses the flow so its
//!    sender is the server (`FlowSwap`), and that packet is then to-client. A
//!    handshake-completing ACK that carries data is established at once.
//!
//! # Direction
//!
//! The first packet's sender is the client, except that a midstream SYN/ACK
//! pick-up makes its sender the server. A TCP SYN always starts a fresh flow
//! on a tuple without a live session (port reuse), so a SYN sender is always
//! the client. As in Suricata (`FlowGetPacketDirection`), ESP and tunnel
//! outer packets are always to-server and so never established.
//!
//! # Time, timeouts and memory
//!
//! Time is packet time. At most [`FlowConfig::expire_budget`] flows are
//! timed out per call, oldest first, only when packet time enters a new
//! second or a previous sweep ran out of budget: each flow sits on one of 12
//! least-recently-used lists (4 protocol classes × 3 states), and within a
//! list all flows share one timeout, so the tails are the only candidates.
//!
//! Memory never exceeds [`FlowConfig::memcap`]. When the table is full it
//! enters emergency mode (`flow.emerg_mode_entered`): emergency timeouts
//! apply, and if timing out frees nothing the least recently used flow is
//! evicted (`flow.get_used`), taken from the closed flows first, then new,
//! then established ones. This differs from Suricata on purpose: Suricata
//! samples a few hash rows and refuses to create the flow (`flow.memcap`) if
//! all it finds were active in the last seconds; we always make room, so a
//! flood of fresh connections cannot keep later connections untracked, and
//! established flows are the last to go. Emergency mode ends
//! (`flow.emerg_mode_over`) once [`FlowConfig::emergency_recovery`] percent
//! of the table is free again.
//!
//! # Per-flow data for detection
//!
//! `FlowTable<U>` keeps a `U` per flow (flowbits, flowints, ...), reset to
//! `U::default()` when a flow is created and dropped when it ends; reach it
//! with [`FlowTable::user_mut`] and the [`FlowHandle`] that `update` returns.
//! Its inline size counts against the memory cap; `U` must not own heap
//! memory that grows with traffic (use fixed-size arrays).

use std::net::IpAddr;

use super::config::{FlowConfig, ProtoClass, StateTimeouts};
use super::counters::FlowCounters;
use super::exception::FlowAction;
use super::key::{flow_id, icmpv4_is_error, FlowKey, KeyOptions};
use super::packet::{tcp_flags, FlowTime, L4Meta, PacketMeta};
use super::state::{Direction, FlowState};
use super::store::{Store, N_LISTS};
use super::stream::{ReassemblyConfig, StreamCounters};
use super::stream_table::{EndedFlow, StreamChunk, StreamTable};
use super::tcp::{TcpSeqs, TcpSession, TcpState};

const IPPROTO_ICMP: u8 = 1;
const IPPROTO_TCP: u8 = 6;
const IPPROTO_UDP: u8 = 17;
const IPPROTO_ICMPV6: u8 = 58;
const IPPROTO_SCTP: u8 = 132;

/// Refers to one flow for the packet that [`FlowTable::update`] returned it
/// for. It goes stale when the flow ends; a stale handle reaches nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FlowHandle {
    idx: u32,
    gen: u32,
}

/// What the flow table says about one packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlowUpdate {
    /// The packet's flow.
    pub handle: FlowHandle,
    /// EVE `flow_id` (51-bit, non-zero, unique per flow).
    pub flow_id: u64,
    /// `flow:to_server` / `flow:to_client`.
    pub direction: Direction,
    /// `flow:established` (Suricata's `FLOW_PKT_ESTABLISHED`).
    pub established: bool,
    /// First packet of the flow in this direction
    /// (`FLOW_PKT_TOSERVER_FIRST` / `FLOW_PKT_TOCLIENT_FIRST`).
    pub first_in_direction: bool,
    /// The packet created the flow.
    pub new_flow: bool,
    /// Flow state after the packet.
    pub state: FlowState,
    /// TCP session state after the packet, `None` without a session.
    pub tcp_state: Option<TcpState>,
    /// The session is established after the packet (Suricata's
    /// `PKT_STREAM_EST`, which gates stream reassembly and app-layer work).
    pub stream_established: bool,
    /// An exception policy applied to the flow (sticky `pass`/`drop`) or
    /// to this packet: no detection for it (see the `exception` module).
    pub exception: Option<FlowAction>,
    /// `stream_size`'s view of the session after the packet: client and
    /// server `next_seq - isn`; `None` without a TCP session.
    pub stream_size: Option<[u32; 2]>,
    /// The session accepted the packet's data for reassembly.
    pub stream_segment: bool,
    /// The session's ISNs and acknowledged edges after the packet.
    pub tcp_seqs: Option<TcpSeqs>,
    /// The packet's TCP sequence number.
    pub tcp_seq: Option<u32>,
}

/// A snapshot of one flow, for EVE records and flow keywords.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlowInfo {
    /// EVE `flow_id`.
    pub flow_id: u64,
    /// The flow's key.
    pub key: FlowKey,
    /// Client (address, port). For ICMP the "port" is the keyed type.
    pub client: (IpAddr, u16),
    /// Server (address, port).
    pub server: (IpAddr, u16),
    /// First packet time.
    pub first_ts: FlowTime,
    /// Latest packet time.
    pub last_ts: FlowTime,
    /// Packets to server, packets to client.
    pub pkts: [u32; 2],
    /// Bytes to server, bytes to client.
    pub bytes: [u64; 2],
    /// Flow state.
    pub state: FlowState,
    /// TCP session state, `None` without a session.
    pub tcp_state: Option<TcpState>,
}

/// One flow's fixed-size record.
#[derive(Debug, Default)]
struct Flow<U> {
    key: FlowKey,
    flow_id: u64,
    first_ts: FlowTime,
    last_ts: FlowTime,
    /// Per direction (to-server, to-client), as the flow currently sees it.
    pkts: [u32; 2],
    bytes: [u64; 2],
    class: ProtoClass,
    state: FlowState,
    /// The first packet's source is endpoint 0 of the key (Suricata's
    /// `f->src`).
    orig_src_first: bool,
    /// `FLOW_DIR_REVERSED`: a midstream SYN/ACK made `f->src` the server.
    reversed: bool,
    /// A packet has been seen to-server / to-client.
    seen: [bool; 2],
    tcp: TcpSession,
    /// A flow-wide exception-policy action (`pass-flow`, `bypass`,
    /// `drop-flow`), sticky.
    action: Option<FlowAction>,
    user: U,
}

impl<U> Flow<U> {
    fn list(&self) -> usize {
        self.class as usize * 3 + self.state as usize
    }

    /// `FlowGetPacketDirection`.
    fn direction(&self, pkt: &PacketMeta) -> Direction {
        let src = usize::from(!self.orig_src_first);
        let raw_to_server = match pkt.proto {
            IPPROTO_TCP | IPPROTO_UDP | IPPROTO_SCTP => match ports(&pkt.l4) {
                Some((sp, dp)) if sp != dp => sp == self.key.port(src),
                _ => self.key.addr_is(src, pkt.src),
            },
            IPPROTO_ICMP | IPPROTO_ICMPV6 => self.key.addr_is(src, pkt.src),
            _ => return Direction::ToServer,
        };
        if raw_to_server != self.reversed {
            Direction::ToServer
        } else {
            Direction::ToClient
        }
    }

    /// `FlowSwap`: reverse the flow and the per-direction data.
    fn swap(&mut self) {
        self.reversed = !self.reversed;
        self.pkts.swap(0, 1);
        self.bytes.swap(0, 1);
        self.seen.swap(0, 1);
    }

    fn tcp_state(&self) -> Option<TcpState> {
        self.tcp.exists().then(|| self.tcp.state())
    }

    fn info(&self) -> FlowInfo {
        let src = usize::from(!self.orig_src_first);
        let (client, server) = if self.reversed {
            (1 - src, src)
        } else {
            (src, 1 - src)
        };
        FlowInfo {
            flow_id: self.flow_id,
            key: self.key,
            client: self.key.endpoint(client),
            server: self.key.endpoint(server),
            first_ts: self.first_ts,
            last_ts: self.last_ts,
            pkts: self.pkts,
            bytes: self.bytes,
            state: self.state,
            tcp_state: self.tcp_state(),
        }
    }
}

fn ports(l4: &L4Meta) -> Option<(u16, u16)> {
    match *l4 {
        L4Meta::Tcp(t) => Some((t.src_port, t.dst_port)),
        L4Meta::Udp { src_port, dst_port } | L4Meta::Sctp { src_port, dst_port } => {
            Some((src_port, dst_port))
        }
        _ => None,
    }
}

/// Why a flow ended.
#[derive(Clone, Copy, PartialEq, Eq)]
enum End {
    Timeout,
    Reuse,
    Shutdown,
}

/// The flows of one worker. Single-threaded: every method takes `&self` or
/// `&mut self` and there are no locks. See the module docs.
#[derive(Debug)]
pub struct FlowTable<U = ()> {
    cfg: FlowConfig,
    store: Store<Flow<U>>,
    counters: FlowCounters,
    emergency: bool,
    /// Flows created so far: the sequence number for flow ids.
    created: u64,
    /// Latest packet time seen.
    now: FlowTime,
    /// The second of packet time the last expiry sweep ran in.
    swept_sec: u64,
    /// The last sweep ran out of budget: sweep again on the next packet.
    backlog: bool,
    /// Stream buffers (reassembly on) and the flows that ended with bytes
    /// left.
    streams: StreamTable,
    ended: Vec<EndedFlow<U>>,
}

impl<U: Default> FlowTable<U> {
    /// An empty table. Memory for flows is allocated as they arrive, up to
    /// `cfg.memcap`; the bucket index is allocated now (4 bytes per flow the
    /// cap allows, rounded up to a power of two).
    pub fn new(cfg: FlowConfig) -> FlowTable<U> {
        let capacity = Self::capacity_for(&cfg);
        FlowTable {
            cfg,
            store: Store::new(capacity, capacity),
            counters: FlowCounters::default(),
            emergency: false,
            created: 0,
            now: FlowTime::default(),
            swept_sec: 0,
            backlog: false,
            streams: StreamTable::default(),
            ended: Vec::new(),
        }
    }

    /// Turns TCP stream reassembly on (see the `stream` module): TCP
    /// packets' data is kept per flow and direction for raw stream
    /// inspection (inline, around each packet, when
    /// [`FlowConfig::ips_mode`]; else once acknowledged), and flows that end with bytes not inspected are handed
    /// out by [`FlowTable::take_ended`].
    pub fn enable_reassembly(&mut self, cfg: ReassemblyConfig) {
        self.streams.enable(cfg, self.cfg.ips_mode);
    }

    /// Feeds the packet `u` was returned for (its TCP payload `payload`)
    /// to reassembly: acknowledgements, and the data when the session
    /// accepted it. Returns whether the payload was added to the stream
    /// (Suricata's `PKT_STREAM_ADD`). Nothing happens with reassembly off.
    pub fn stream_update(&mut self, u: &FlowUpdate, payload: &[u8]) -> bool {
        if !self.streams.enabled() || self.store.get(u.handle.idx, u.handle.gen).is_none() {
            return false;
        }
        self.streams.update(u.handle.idx, u, payload)
    }

    /// The per-flow data of `u`'s flow and the raw stream data its packet
    /// may inspect (`added`: what [`FlowTable::stream_update`] said).
    pub fn stream_chunk(
        &mut self,
        u: &FlowUpdate,
        added: bool,
    ) -> (Option<&mut U>, StreamChunk<'_>) {
        let Some(f) = self.store.get_mut(u.handle.idx, u.handle.gen) else {
            return (None, StreamChunk::default());
        };
        let chunk = if self.streams.enabled() && u.stream_established {
            self.streams.chunk(u.handle.idx, u, added)
        } else {
            StreamChunk {
                added,
                ..StreamChunk::default()
            }
        };
        (Some(&mut f.user), chunk)
    }

    /// Detection inspected what [`FlowTable::stream_chunk`] offered for
    /// `u`'s packet: the raw progress moves (Suricata's
    /// `StreamReassembleRawUpdateProgress`).
    pub fn stream_commit(&mut self, u: &FlowUpdate) {
        if self.store.get(u.handle.idx, u.handle.gen).is_some() {
            self.streams.commit(u.handle.idx, u.direction);
        }
    }

    /// Flows that ended (timed out, reused, flushed) with stream bytes not
    /// yet inspected, oldest end first. Empty with reassembly off.
    pub fn take_ended(&mut self) -> std::vec::Drain<'_, EndedFlow<U>> {
        self.ended.drain(..)
    }

    /// Whether [`FlowTable::take_ended`] has flows to give.
    pub fn has_ended(&self) -> bool {
        !self.ended.is_empty()
    }

    /// The reassembly counters (`tcp.reassembly_memuse` ...).
    pub fn stream_counters(&self) -> StreamCounters {
        self.streams.counters
    }

    /// The most flows a table with `cfg` holds: the largest count whose full
    /// memory (entries, bucket index and the table itself) fits the memcap,
    /// and at most `cfg.max_flows`.
    pub fn capacity_for(cfg: &FlowConfig) -> u32 {
        let own = std::mem::size_of::<Self>() - std::mem::size_of::<Store<Flow<U>>>();
        let fits = |n: u32| {
            let bytes = own as u64 + Store::<Flow<U>>::memory_at_capacity(n, n) as u64;
            bytes <= cfg.memcap
        };
        let mut lo = 0u32; // fits (or 0)
        let mut hi = cfg.max_flows.unwrap_or(1 << 30).min(1 << 30);
        if fits(hi) {
            return hi;
        }
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if fits(mid) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        if fits(lo) {
            lo
        } else {
            0
        }
    }

    /// Looks up (or creates) the packet's flow and updates it; see the
    /// module docs for the steps. `None` when the packet gets no flow: no
    /// usable layer 4, an ICMP error without a matching flow, a TCP packet
    /// refused in emergency mode, or a table that cannot hold a single flow.
    pub fn update(&mut self, pkt: &PacketMeta) -> Option<FlowUpdate> {
        self.observe_time(pkt.ts);
        let pk = FlowKey::from_packet(pkt, self.key_options())?;
        let hash = (pk.key.symmetric_hash_seeded(self.cfg.hash_seed) >> 32) as u32;
        let tcp = match pkt.l4 {
            L4Meta::Tcp(t) if pkt.proto == IPPROTO_TCP => Some(t),
            _ => None,
        };

        let mut found = self.store.find(hash, |f| f.key == pk.key);
        if let Some(idx) = found {
            if self.timed_out(idx, pkt.ts) {
                self.end_flow(idx, End::Timeout);
                found = None;
            } else if let (Some(t), Some(flow)) = (tcp, self.store.val(idx)) {
                let to_server = flow.direction(pkt).is_to_server();
                if flow.key.proto() == IPPROTO_TCP
                    && flow.tcp.is_reuse(
                        &t,
                        to_server,
                        self.cfg.midstream && self.cfg.midstream_policy.permits_pickup(),
                    )
                {
                    self.counters.tcp_reuse += 1;
                    self.end_flow(idx, End::Reuse);
                    found = None;
                }
            }
        }
        let new_flow = found.is_none();
        let idx = match found {
            Some(idx) => idx,
            None => {
                if pk.lookup_only || !self.may_create(pkt) {
                    return None;
                }
                self.create(hash, pk.key, pk.src_is_first, pkt.ts)?
            }
        };

        // A policy that does not permit pick-up keeps the session from
        // being picked up even with `stream.midstream` on.
        let midstream = self.cfg.midstream && self.cfg.midstream_policy.permits_pickup();
        let mut exception = None;
        let gen = self.store.gen(idx);
        let flow = self.store.val_mut(idx)?;
        // FlowHandlePacketUpdate.
        let mut direction = flow.direction(pkt);
        if pkt.ts > flow.last_ts {
            flow.last_ts = pkt.ts;
        }
        let d = direction.index();
        if let Some(p) = flow.pkts.get_mut(d) {
            *p = p.saturating_add(1);
        }
        if let Some(b) = flow.bytes.get_mut(d) {
            *b = b.saturating_add(u64::from(pkt.len));
        }
        let icmp_error = pkt.proto == IPPROTO_ICMP
            && matches!(pkt.l4, L4Meta::Icmp { icmp_type, .. } if icmpv4_is_error(icmp_type));
        let mut first_in_direction = false;
        if let Some(seen) = flow.seen.get_mut(d) {
            if !*seen && !icmp_error {
                *seen = true;
                first_in_direction = true;
            }
        }
        let mut established = if flow.state == FlowState::Established {
            true
        } else if flow.key.proto() == IPPROTO_TCP {
            flow.tcp.state().is_established()
        } else if flow.seen == [true, true] {
            flow.state = FlowState::Established;
            true
        } else {
            false
        };

        // Stream tracking.
        let mut stream_segment = false;
        if let Some(t) = tcp {
            if !t.checksum_ok {
                self.counters.tcp_invalid_checksum += 1;
            } else {
                let out = flow.tcp.process(direction.is_to_server(), &t, midstream);
                if out.new_session {
                    self.counters.tcp_sessions += 1;
                }
                if out.midstream_pickup {
                    self.counters.tcp_midstream_pickups += 1;
                }
                if out.midstream_exception {
                    match self.cfg.midstream_policy.flow_action(self.cfg.ips_mode) {
                        Some(FlowAction::Uninspected) => exception = Some(FlowAction::Uninspected),
                        // A drop stays a drop.
                        Some(a) if flow.action != Some(FlowAction::Drop) => flow.action = Some(a),
                        _ => {}
                    }
                }
                if out.swap {
                    flow.swap();
                    direction = direction.reversed();
                }
                if out.established_with_data {
                    established = true;
                }
                stream_segment = out.segment;
                if let Some(s) = flow.tcp.state().flow_state() {
                    flow.state = s;
                }
            }
        }

        let update = FlowUpdate {
            handle: FlowHandle { idx, gen },
            flow_id: flow.flow_id,
            direction,
            established,
            first_in_direction,
            new_flow,
            state: flow.state,
            tcp_state: flow.tcp_state(),
            stream_established: flow.tcp.state().is_established(),
            exception: flow.action.or(exception),
            stream_size: flow.tcp.stream_sizes(),
            stream_segment: tcp.is_some_and(|t| t.checksum_ok) && stream_segment,
            tcp_seqs: flow.tcp.seqs(),
            tcp_seq: tcp.map(|t| t.seq),
        };
        let list = flow.list();
        self.store.touch(idx, list);
        Some(update)
    }

    /// Advances packet time without a packet (live capture gone quiet) and
    /// times out flows as `update` would: at most
    /// [`FlowConfig::expire_budget`] of them. Returns true when more flows are
    /// due; call again (or let the next packets finish the work).
    pub fn advance_time(&mut self, now: FlowTime) -> bool {
        self.observe_time(now);
        self.backlog
    }

    /// Ends every flow (end of input), counting each under `flow.end.*`.
    /// With reassembly on, flows end in the order of their first packet
    /// (time, then key hash), so the flow-end pseudo packets come in an
    /// order that does not depend on how flows were spread over workers.
    pub fn flush(&mut self) {
        if self.streams.enabled() {
            let mut order: Vec<(FlowTime, u64, u32)> = Vec::with_capacity(self.len());
            for list in 0..N_LISTS {
                let mut at = self.store.tail(list);
                while let Some(idx) = at {
                    if let Some(f) = self.store.val(idx) {
                        let h = f.key.symmetric_hash_seeded(self.cfg.hash_seed);
                        order.push((f.first_ts, h, idx));
                    }
                    at = self.store.newer(idx);
                }
            }
            order.sort_unstable();
            for (_, _, idx) in order {
                self.end_flow(idx, End::Shutdown);
            }
        }
        for list in 0..N_LISTS {
            while let Some(idx) = self.store.tail(list) {
                self.end_flow(idx, End::Shutdown);
            }
        }
    }

    /// The per-flow data of `h`'s flow, if it is still live.
    pub fn user(&self, h: FlowHandle) -> Option<&U> {
        self.store.get(h.idx, h.gen).map(|f| &f.user)
    }

    /// Mutable [`FlowTable::user`].
    pub fn user_mut(&mut self, h: FlowHandle) -> Option<&mut U> {
        self.store.get_mut(h.idx, h.gen).map(|f| &mut f.user)
    }

    /// A snapshot of `h`'s flow, if it is still live.
    pub fn info(&self, h: FlowHandle) -> Option<FlowInfo> {
        self.store.get(h.idx, h.gen).map(Flow::info)
    }

    /// Counters so far, `flow.active` and `flow.memuse` included.
    pub fn counters(&self) -> FlowCounters {
        let mut c = self.counters.clone();
        c.active = u64::from(self.store.len());
        c.memuse = self.memory_usage() as u64;
        c
    }

    /// Bytes this table holds. Never above the configured memcap.
    pub fn memory_usage(&self) -> usize {
        std::mem::size_of::<Self>() - std::mem::size_of::<Store<Flow<U>>>()
            + self.store.memory_usage()
    }

    /// Live flows.
    pub fn len(&self) -> usize {
        self.store.len() as usize
    }

    /// True when no flow is live.
    pub fn is_empty(&self) -> bool {
        self.store.len() == 0
    }

    /// The most flows the table holds.
    pub fn capacity(&self) -> usize {
        self.store.capacity() as usize
    }

    /// True while in emergency mode.
    pub fn in_emergency(&self) -> bool {
        self.emergency
    }

    /// The table's settings.
    pub fn config(&self) -> &FlowConfig {
        &self.cfg
    }

    fn key_options(&self) -> KeyOptions {
        KeyOptions {
            vlan_tracking: self.cfg.vlan_tracking,
            recursion_tracking: self.cfg.recursion_tracking,
        }
    }

    /// `FlowCreateCheck`: in emergency mode with midstream on, only a bare
    /// SYN may create a TCP flow.
    fn may_create(&self, pkt: &PacketMeta) -> bool {
        if self.emergency && self.cfg.midstream {
            if let L4Meta::Tcp(t) = pkt.l4 {
                let f =
                    t.flags & (tcp_flags::SYN | tcp_flags::ACK | tcp_flags::RST | tcp_flags::FIN);
                return f == tcp_flags::SYN;
            }
        }
        true
    }

    fn create(&mut self, hash: u32, key: FlowKey, src_is_first: bool, ts: FlowTime) -> Option<u32> {
        if self.store.is_full() && !self.make_room() {
            self.counters.memcap += 1;
            return None;
        }
        let class = ProtoClass::of(key.proto());
        let list = class as usize * 3 + FlowState::New as usize;
        let idx = self.store.insert(hash, list)?;
        let id = flow_id(self.cfg.table_id, self.created);
        self.created += 1;
        let flow = self.store.val_mut(idx)?;
        flow.key = key;
        flow.flow_id = id;
        flow.first_ts = ts;
        flow.last_ts = ts;
        flow.class = class;
        flow.orig_src_first = src_is_first;
        self.counters.total += 1;
        match key.proto() {
            IPPROTO_TCP => self.counters.tcp += 1,
            IPPROTO_UDP => self.counters.udp += 1,
            IPPROTO_ICMP => self.counters.icmpv4 += 1,
            IPPROTO_ICMPV6 => self.counters.icmpv6 += 1,
            _ => {}
        }
        Some(idx)
    }

    /// The table is full: enter emergency mode, time out what emergency
    /// timeouts allow, else evict one flow. False when nothing can go.
    fn make_room(&mut self) -> bool {
        if !self.emergency {
            // Entering emergency: the shorter timeouts may free room at once.
            // Afterwards the per-second sweeps apply them; sweeping here for
            // every new flow would cost a dozen cache misses per packet.
            self.emergency = true;
            self.counters.emerg_mode_entered += 1;
            self.sweep(self.now);
            if !self.store.is_full() {
                return true;
            }
        }
        for state in [FlowState::Closed, FlowState::New, FlowState::Established] {
            let oldest = (0..4)
                .map(|class| class * 3 + state as usize)
                .filter_map(|list| self.store.tail(list))
                .min_by_key(|&idx| {
                    self.store
                        .val(idx)
                        .map_or(FlowTime::default(), |f| f.last_ts)
                });
            if let Some(idx) = oldest {
                self.store.remove(idx);
                self.counters.get_used += 1;
                return true;
            }
        }
        false
    }

    fn timeouts(&self, class: ProtoClass) -> &StateTimeouts {
        let t = class.timeouts(&self.cfg.timeouts);
        if self.emergency {
            &t.emergency
        } else {
            &t.normal
        }
    }

    /// `FlowIsTimedOut`: `now` is at or past the flow's last packet plus its
    /// state's timeout.
    fn timed_out(&self, idx: u32, now: FlowTime) -> bool {
        let Some(f) = self.store.val(idx) else {
            return false;
        };
        let t = self.timeouts(f.class);
        let secs = match f.state {
            FlowState::New => t.new,
            FlowState::Established => t.established,
            FlowState::Closed => t.closed,
        };
        now >= f.last_ts.add_secs(secs)
    }

    fn observe_time(&mut self, ts: FlowTime) {
        if ts > self.now {
            self.now = ts;
        }
        if self.backlog || self.now.secs() != self.swept_sec {
            self.swept_sec = self.now.secs();
            self.sweep(self.now);
        }
    }

    /// Times out up to `expire_budget` flows from the list tails, then
    /// checks whether emergency mode can end.
    fn sweep(&mut self, now: FlowTime) {
        let mut budget = self.cfg.expire_budget.max(1);
        for list in 0..N_LISTS {
            while budget > 0 {
                match self.store.tail(list) {
                    Some(idx) if self.timed_out(idx, now) => {
                        self.end_flow(idx, End::Timeout);
                        budget -= 1;
                    }
                    _ => break,
                }
            }
        }
        self.backlog = budget == 0;
        if self.emergency {
            let free = u64::from(self.store.capacity() - self.store.len());
            if free * 100
                >= u64::from(self.cfg.emergency_recovery) * u64::from(self.store.capacity())
            {
                self.emergency = false;
                self.counters.emerg_mode_over += 1;
            }
        }
    }

    /// Counts the flow's end and frees it; a flow with stream bytes left
    /// goes to `ended`.
    fn end_flow(&mut self, idx: u32, why: End) {
        let gen = self.store.gen(idx);
        let Some(f) = self.store.remove(idx) else {
            return;
        };
        if let Some(streams) = self.streams.remove(idx) {
            let pending = streams.dirs.iter().any(|d| d.has_pending());
            if pending {
                let info = f.info();
                let last = FlowUpdate {
                    handle: FlowHandle { idx, gen },
                    flow_id: f.flow_id,
                    direction: Direction::ToServer,
                    established: true,
                    first_in_direction: false,
                    new_flow: false,
                    state: f.state,
                    tcp_state: f.tcp_state(),
                    stream_established: true,
                    exception: f.action,
                    stream_size: f.tcp.stream_sizes(),
                    stream_segment: false,
                    tcp_seqs: f.tcp.seqs(),
                    tcp_seq: None,
                };
                let (state, tcp_state) = (f.state, f.tcp_state());
                self.count_end(state, tcp_state, why);
                let hash = f.key.symmetric_hash_seeded(self.cfg.hash_seed);
                let order = (u128::from(f.first_ts.as_micros()) << 64) | u128::from(hash);
                self.ended
                    .push(EndedFlow::new(info, f.user, order, last, streams));
                return;
            }
        }
        self.count_end(f.state, f.tcp_state(), why);
    }

    fn count_end(&mut self, state: FlowState, tcp_state: Option<TcpState>, why: End) {
        let f = (state, tcp_state);
        {
            if let Some(c) = self.counters.end_state.get_mut(f.0 as usize) {
                *c += 1;
            }
            if let Some(s) = f.1 {
                if let Some(c) = self.counters.end_tcp_state.get_mut(s as usize) {
                    *c += 1;
                }
            }
            if why == End::Timeout {
                self.counters.flows_timeout += 1;
            }
        }
    }
}
