//! The stream side of a [`FlowTable`](super::FlowTable): one
//! [`FlowStreams`] per TCP flow that sent data, the worker's stream memory
//! account, and the flows that ended with bytes not yet inspected
//! ([`EndedFlow`], for the flow-end pseudo packets).
//!
//! Reassembly is off unless [`ReassemblyConfig`] says otherwise through
//! [`FlowTable::enable_reassembly`](super::FlowTable::enable_reassembly):
//! a run without stream rules keeps nothing.
//!
//! Invariant: `memuse` is the sum of the bytes every held [`FlowStreams`]
//! holds, and never exceeds the memcap.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::state::Direction;
use super::stream::{FlowStreams, Insert, RawBlocks, ReassemblyConfig, StreamCounters};
use super::table::{FlowInfo, FlowUpdate};
use super::tcp::TcpState;

/// One direction's raw stream data offered to detection with a packet
/// (see [`FlowTable::stream_chunk`](super::FlowTable::stream_chunk)).
#[derive(Clone, Copy, Debug, Default)]
pub struct StreamChunk<'a> {
    /// The packet's payload was added to the stream (Suricata's
    /// `PKT_STREAM_ADD`): stream-only rules do not look at it on its own.
    pub added: bool,
    /// What raw inspection of the packet's direction would look at now
    /// (IDS mode: [`StreamBuf::walk`](super::stream::StreamBuf::walk)),
    /// every block left on a flow-end pseudo packet, or the window around
    /// the packet (inline mode).
    pub blocks: RawBlocks<'a>,
    /// The data must be inspected now whatever the app layer says
    /// (`StreamTcpReassembleRawCheckLimit`): a chunk size of acknowledged
    /// bytes past the raw progress, the session closing, the depth
    /// reached, the flow's end.
    pub flush: bool,
    /// A flow-end pseudo packet (Suricata's `PKT_PSEUDO_STREAM_END`).
    pub eof: bool,
    /// The app layer ran into a gap on this packet: the acknowledgement
    /// it carries passed a hole in the other direction's stream with data
    /// beyond it (Suricata's `STREAM_GAP` to the parser).
    pub app_gap: bool,
    /// Inspecting `blocks` moves the raw progress (Suricata then clears a
    /// pending raw trigger of this direction).
    pub advances: bool,
    /// The app layer read bytes of this direction since raw inspection
    /// last moved (see
    /// [`StreamBuf::app_news`](super::stream::StreamBuf::app_news)): its
    /// parser may have asked for raw inspection.
    pub app_news: bool,
    /// The app layer read an application-data record of the flow's TLS
    /// records, in either direction, on this packet or before (see
    /// [`RecordWalker`](crate::applayer::tls::RecordWalker)); whether the
    /// flow speaks TLS is the detector's business.
    pub tls_app_data: bool,
}

/// Hashes a flow slot index (a small unique `u32`) by one multiply: no
/// SipHash per TCP packet. Slot indexes are not attacker-chosen.
#[derive(Default)]
struct SlotHasher(u64);

impl Hasher for SlotHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8 | u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// Per-flow stream buffers of one table.
#[derive(Debug, Default)]
pub(crate) struct StreamTable {
    cfg: Option<ReassemblyConfig>,
    /// Inline (IPS) mode: a packet inspects the window of stream data
    /// ending with its own bytes, on arrival.
    inline: bool,
    /// Right edge (offset) of the last segment added, and its inline
    /// window.
    last_right: u64,
    inline_window: u64,
    flows: HashMap<u32, FlowStreams, BuildHasherDefault<SlotHasher>>,
    pub(crate) counters: StreamCounters,
    /// The last [`StreamTable::update`] found an app-layer gap.
    app_gap: bool,
}

impl StreamTable {
    pub(crate) fn enable(&mut self, cfg: ReassemblyConfig, inline: bool) {
        self.cfg = Some(cfg);
        self.inline = inline;
    }

    /// The inline window for a packet of `plen` bytes in direction `d`
    /// (Suricata widens the chunk for large packets).
    fn window(cfg: &ReassemblyConfig, d: usize, plen: u64) -> u64 {
        let chunk = u64::from(cfg.chunk_size[d]);
        if chunk <= plen || (chunk / 3) * 2 < plen {
            plen + chunk / 3
        } else {
            chunk
        }
    }

    pub(crate) fn enabled(&self) -> bool {
        self.cfg.is_some()
    }

    /// Acknowledgements and data of one TCP packet of flow `idx`; returns
    /// whether the payload was added to the stream. In IDS mode the app
    /// layer then reads the other direction up to the packet's
    /// acknowledgement (Suricata updates the app layer of the
    /// acknowledged side first, then adds the packet's data).
    pub(crate) fn update(&mut self, idx: u32, u: &FlowUpdate, payload: &[u8]) -> bool {
        self.app_gap = false;
        let (Some(cfg), Some(seqs)) = (self.cfg, u.tcp_seqs) else {
            return false;
        };
        let data = u.stream_segment && !payload.is_empty();
        if !data && !self.flows.contains_key(&idx) {
            return false;
        }
        let room = cfg.memcap.saturating_sub(self.counters.memuse);
        let streams = self.flows.entry(idx).or_default();
        for (side, buf) in streams.dirs.iter_mut().enumerate() {
            let base = seqs.isn[side].wrapping_add(1);
            let acked = buf.offset_of(base, seqs.last_ack[side]);
            buf.ack(acked);
        }
        let d = u.direction.index();
        if !self.inline {
            self.app_gap = streams.dirs[1 - d].app_update(&mut self.counters);
            // A failed parser stops the flow's app layer, both ways.
            if streams.dirs[1 - d].tls().failed() {
                streams.dirs[d].tls_fail();
            }
        }
        if !data {
            return false;
        }
        let Some(seq) = u.tcp_seq else {
            return false;
        };
        let buf = &mut streams.dirs[d];
        let off = buf.offset_of(seqs.isn[d].wrapping_add(1), seq);
        let (r, new) = buf.insert(off, payload, &cfg, room, &mut self.counters);
        self.counters.memuse += new;
        self.last_right = off + payload.len() as u64;
        self.inline_window = Self::window(&cfg, d, payload.len() as u64);
        r == Insert::Added
    }

    /// The raw data the packet `u` of flow `idx` may inspect.
    pub(crate) fn chunk(&mut self, idx: u32, u: &FlowUpdate, added: bool) -> StreamChunk<'_> {
        let Some(cfg) = self.cfg else {
            return StreamChunk::default();
        };
        let d = u.direction.index();
        let closing = u.tcp_state.is_some_and(|s| s > TcpState::TimeWait);
        let app_gap = self.app_gap;
        let Some(streams) = self.flows.get_mut(&idx) else {
            return StreamChunk {
                added,
                app_gap,
                ..StreamChunk::default()
            };
        };
        let tls_app_data = streams.tls_app_data();
        let buf = &mut streams.dirs[d];
        if self.inline {
            if !added {
                return StreamChunk {
                    added,
                    ..StreamChunk::default()
                };
            }
            let data = buf.window_before(self.last_right, self.inline_window);
            return StreamChunk {
                added,
                blocks: RawBlocks::one(data),
                flush: true,
                advances: true,
                ..StreamChunk::default()
            };
        }
        let flush = closing || buf.depth_reached() || buf.chunk_acked(u64::from(cfg.chunk_size[d]));
        let advances = buf.walk(false);
        StreamChunk {
            added,
            blocks: RawBlocks::walked(buf),
            flush,
            eof: false,
            app_gap,
            advances,
            app_news: buf.app_news(),
            tls_app_data,
        }
    }

    /// Detection inspected what [`StreamTable::chunk`] offered for the
    /// packet's direction: the raw progress moves.
    pub(crate) fn commit(&mut self, idx: u32, dir: Direction) {
        let keep = self.cfg.map_or(0, |c| u64::from(c.chunk_size[dir.index()]));
        let (inline, right) = (self.inline, self.last_right);
        if let Some(s) = self.flows.get_mut(&idx) {
            let buf = &mut s.dirs[dir.index()];
            let freed = if inline {
                buf.inspected_to(right, keep)
            } else {
                buf.commit()
            };
            self.counters.memuse = self.counters.memuse.saturating_sub(freed);
        }
    }

    /// Takes flow `idx`'s buffers out (the flow ends).
    pub(crate) fn remove(&mut self, idx: u32) -> Option<FlowStreams> {
        let s = self.flows.remove(&idx)?;
        self.counters.memuse = self.counters.memuse.saturating_sub(s.held());
        Some(s)
    }
}

/// A flow that ended with stream bytes not yet inspected: what the worker
/// needs for its flow-end pseudo packets (Suricata's
/// `FlowForceReassembly`): the flow, its per-flow detection data and its
/// buffers.
#[derive(Debug)]
pub struct EndedFlow<U> {
    /// The flow as it ended.
    pub info: FlowInfo,
    /// Its per-flow data.
    pub user: U,
    /// Where the flow sorts among flows ended together: first packet time,
    /// then key hash (independent of the worker that held it).
    pub order: u128,
    /// The update its last packet got (flow id, TCP state ...).
    last: FlowUpdate,
    streams: FlowStreams,
}

impl<U> EndedFlow<U> {
    pub(crate) fn new(
        info: FlowInfo,
        user: U,
        order: u128,
        last: FlowUpdate,
        streams: FlowStreams,
    ) -> Self {
        EndedFlow {
            info,
            user,
            order,
            last,
            streams,
        }
    }

    /// Whether direction `dir` still holds bytes.
    pub fn pending(&self, dir: Direction) -> bool {
        self.streams.dirs[dir.index()].has_pending()
    }

    /// What a pseudo packet in direction `dir` sees of the flow:
    /// established, not the first packet, no exception.
    pub fn pseudo_update(&self, dir: Direction) -> FlowUpdate {
        FlowUpdate {
            direction: dir,
            established: true,
            first_in_direction: false,
            new_flow: false,
            stream_established: true,
            exception: None,
            stream_segment: false,
            tcp_seq: None,
            ..self.last
        }
    }

    /// Every block of `dir`'s bytes left (none: nothing to inspect) and
    /// the per-flow data, for the direction's one pseudo packet.
    pub fn eof_blocks(&mut self, dir: Direction) -> (&mut U, StreamChunk<'_>) {
        let tls_app_data = self.streams.tls_app_data();
        let buf = &mut self.streams.dirs[dir.index()];
        let advances = buf.walk(true);
        (
            &mut self.user,
            StreamChunk {
                added: false,
                blocks: RawBlocks::walked(buf),
                flush: true,
                eof: true,
                app_gap: false,
                advances,
                app_news: false,
                tls_app_data,
            },
        )
    }

    /// The pseudo packet inspected what [`EndedFlow::eof_blocks`] offered.
    pub fn commit(&mut self, dir: Direction) {
        self.streams.dirs[dir.index()].commit();
    }
}
