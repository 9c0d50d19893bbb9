//! TCP stream reassembly for raw stream inspection: per flow and direction
//! a bounded buffer of the bytes the sender sent, in sequence order, with
//! Suricata's *raw progress* (what detection has inspected) and the
//! acknowledged edge (what the receiver has ACKed).
//!
//! # Model
//!
//! Offsets are absolute stream offsets: offset 0 is the byte after the
//! sender's ISN (`isn + 1`), so 32-bit sequence numbers wrap without
//! trouble ([`StreamBuf::offset_of`] unwraps a sequence number relative to
//! the data seen so far). A [`StreamBuf`] keeps
//!
//! * `data`: the contiguous bytes from the raw progress on (everything
//!   below it was inspected and is dropped);
//! * blocks beyond a hole, sorted, disjoint and never touching (adjacent
//!   bytes join one block, as Suricata's streaming buffer blocks do; at
//!   most [`MAX_OOO_SEGMENTS`]);
//! * the acknowledged edge and the app layer's progress.
//!
//! Overlaps keep the bytes that arrived first (`tcp.overlap`, and
//! `tcp.overlap_diff_data` when the new bytes differ). Nothing is stored
//! beyond `stream.reassembly.depth` (`tcp.stream_depth_reached`, once per
//! stream); bytes that would take the worker's buffers above
//! `stream.reassembly.memcap` are refused (`tcp.segment_memcap_drop`). A
//! refused segment is not "added to the stream", so detection inspects
//! that packet's own payload instead, as Suricata does.
//!
//! # What raw inspection sees (IDS mode)
//!
//! Suricata's `StreamReassembleRawDo` walks the stored blocks (runs of
//! contiguous bytes) from the raw progress on, and hands detection each
//! block on its own: a content never matches across a hole.
//! [`StreamBuf::walk`] does the same and keeps its quirks, which decide
//! when an alert fires and whether it fires again:
//!
//! * each block is cut to `acked - progress` bytes, `progress` being the
//!   value *while walking*: a block past a hole is cut by the distance
//!   from the previous block's end (or start) to the acknowledged edge,
//!   not from its own start, so bytes nobody acknowledged get inspected;
//! * after a block at the progress the progress moves to its end; after
//!   a block past a hole it moves only to the block's start (or stays put
//!   when the block starts beyond the acknowledged edge): that block is
//!   inspected again by the next walk, and at flow end;
//! * at flow end (`eof`) every block is inspected whole.
//!
//! [`StreamBuf::commit`] then applies the new progress as
//! `StreamReassembleRawUpdateProgress` does. Whether a walk runs at all is
//! the caller's business (`StreamTcpReassembleRawCheckLimit`: a chunk size
//! of acknowledged bytes past the progress, depth, a closing session, the
//! flow's end, or a trigger from the app layer).
//!
//! # The app layer's view
//!
//! Suricata's app layer reads each direction up to the acknowledged edge
//! as acknowledgements come (on the other side's packets). When the edge
//! passes a hole that stored data lies beyond, it is told of a *gap*
//! ([`StreamBuf::app_update`] reports it; `tcp.reassembly_gap`). Parsers
//! that do not take gaps then ask for raw inspection and give up on the
//! flow: the detector decides that, as it knows the protocol.
//!
//! # What it does not do
//!
//! No overlap policies other than first-wins, and no app-layer parsing
//! beyond a TLS record walker per direction (fed what the app layer
//! reads, IDS mode only; see [`RecordWalker`]): the app progress is that
//! of a parser that takes every byte it is given. Data below the raw progress is dropped (Suricata keeps it while
//! its app layer needs it; raw inspection never reads it again).

use crate::applayer::tls::RecordWalker;

/// Most out-of-order segments one direction holds; beyond, segments are
/// refused (counted as `tcp.segment_memcap_drop`).
pub const MAX_OOO_SEGMENTS: usize = 64;

/// `stream.reassembly` settings (Suricata's defaults).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReassemblyConfig {
    /// Raw stream inspection at all (`stream.reassembly.raw`). Off in
    /// `Default` (a bare worker inspects packets only, as the detection
    /// tests expect); a run configured from a suricata.yaml-shaped
    /// configuration turns it on unless the key says `no`, as Suricata
    /// always reassembles.
    pub enabled: bool,
    /// `stream.reassembly.depth` in bytes per direction; 0: unlimited.
    pub depth: u64,
    /// `stream.reassembly.memcap`: bytes of stream data one worker holds.
    pub memcap: u64,
    /// `toserver-chunk-size`, `toclient-chunk-size`: acknowledged bytes
    /// that make raw data ready for inspection. Suricata randomises them
    /// by default (±5%); we do not, so results are reproducible.
    pub chunk_size: [u32; 2],
}

impl Default for ReassemblyConfig {
    fn default() -> Self {
        ReassemblyConfig {
            enabled: false,
            depth: 1 << 20,
            memcap: 256 << 20,
            chunk_size: [2560, 2560],
        }
    }
}

/// Reassembly counters, in Suricata's `tcp.*` names.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StreamCounters {
    /// `tcp.overlap`: segments overlapping data already held.
    pub overlap: u64,
    /// `tcp.overlap_diff_data`: ... with different bytes.
    pub overlap_diff_data: u64,
    /// `tcp.stream_depth_reached`: streams that hit the depth.
    pub stream_depth_reached: u64,
    /// `tcp.segment_memcap_drop`: segments refused for memory.
    pub segment_memcap_drop: u64,
    /// `tcp.reassembly_gap`: holes skipped.
    pub reassembly_gap: u64,
    /// `tcp.reassembly_memuse` now (bytes held).
    pub memuse: u64,
}

/// What happened to one segment offered to [`StreamBuf::insert`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Insert {
    /// Taken (also when every byte was already there: a retransmission).
    Added,
    /// Beyond the reassembly depth, or refused for memory: the packet's
    /// payload is inspected on its own.
    Refused,
}

/// One direction of one flow. See the module docs.
#[derive(Debug, Default)]
pub struct StreamBuf {
    /// Offset of `data[0]`.
    base: u64,
    /// The raw progress: bytes below it were inspected. IDS mode keeps
    /// the bytes from the lower of it and the app progress (the app
    /// layer may not have read them yet); inline mode keeps up to a chunk
    /// of inspected bytes before it, for the window around the next
    /// packet.
    raw: u64,
    data: Vec<u8>,
    /// Blocks beyond a hole: (offset, bytes), sorted, disjoint, never
    /// touching each other or `data`, all beyond `base + data.len()`.
    ooo: Vec<(u64, Vec<u8>)>,
    /// Acknowledged edge (offset).
    acked: u64,
    /// The app layer's progress (see [`StreamBuf::app_update`]).
    app: u64,
    /// The app layer read bytes since an inspection last moved the raw
    /// progress (see [`StreamBuf::app_news`]).
    app_news: bool,
    depth_reached: bool,
    /// The TLS records the app layer read (see [`StreamBuf::app_update`]).
    tls: RecordWalker,
    /// The last [`StreamBuf::walk`]: the (offset, length) of each piece
    /// inspected, and the raw progress it leads to.
    walk: Vec<(u64, u32)>,
    walk_to: u64,
}

/// The pieces of stream data one packet inspects, each on its own (a
/// content never matches across two): the blocks of a
/// [`StreamBuf::walk`], or one window (inline mode). `Default` is none.
#[derive(Clone, Copy, Debug, Default)]
pub struct RawBlocks<'a> {
    one: &'a [u8],
    walk: Option<&'a StreamBuf>,
}

impl<'a> RawBlocks<'a> {
    /// One piece (empty: none).
    pub fn one(bytes: &'a [u8]) -> Self {
        RawBlocks {
            one: bytes,
            walk: None,
        }
    }

    /// The pieces of `buf`'s last walk.
    pub fn walked(buf: &'a StreamBuf) -> Self {
        RawBlocks {
            one: &[],
            walk: Some(buf),
        }
    }

    /// Whether there is nothing to inspect.
    pub fn is_empty(&self) -> bool {
        self.one.is_empty() && self.walk.map_or(true, |b| b.walk.is_empty())
    }

    /// The pieces in stream order.
    pub fn iter(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        let buf = self.walk;
        let spans: &'a [(u64, u32)] = buf.map_or(&[], |b| &b.walk);
        std::iter::once(self.one).filter(|b| !b.is_empty()).chain(
            spans
                .iter()
                .filter_map(move |&(o, n)| Some(buf?.slice(o, n))),
        )
    }

    /// The first piece (empty when none).
    pub fn first(&self) -> &'a [u8] {
        self.iter().next().unwrap_or(&[])
    }
}

impl StreamBuf {
    /// Offset just past the contiguous data.
    fn end(&self) -> u64 {
        self.base + self.data.len() as u64
    }

    /// The raw progress: every byte below it was inspected.
    #[cfg(test)]
    pub fn progress(&self) -> u64 {
        self.raw
    }

    /// Whether the depth was reached.
    pub fn depth_reached(&self) -> bool {
        self.depth_reached
    }

    /// Whether bytes not yet inspected are held.
    pub fn has_pending(&self) -> bool {
        self.raw < self.end() || !self.ooo.is_empty()
    }

    /// Bytes of stream data held.
    pub fn held(&self) -> u64 {
        self.data.len() as u64 + self.ooo.iter().map(|(_, d)| d.len() as u64).sum::<u64>()
    }

    /// Whether at least `chunk` acknowledged bytes lie past the raw
    /// progress, held or not (`StreamTcpReassembleRawCheckLimit`).
    pub fn chunk_acked(&self, chunk: u64) -> bool {
        self.acked.saturating_sub(self.raw) >= chunk
    }

    /// The absolute offset of sequence number `seq`, for a stream whose
    /// offset 0 is sequence number `base_seq` (`isn + 1`): the offset
    /// nearest the data seen so far (so sequence numbers wrap), never
    /// below 0.
    pub fn offset_of(&self, base_seq: u32, seq: u32) -> u64 {
        let reference = self.end().max(self.acked);
        let rel = seq.wrapping_sub(base_seq);
        let delta = i64::from(rel.wrapping_sub(reference as u32) as i32);
        (reference as i64 + delta).max(0) as u64
    }

    /// Records an acknowledgement up to `offset`.
    pub fn ack(&mut self, offset: u64) {
        if offset > self.acked {
            self.acked = offset;
        }
    }

    /// The stored blocks in order: `(offset, bytes)`.
    fn blocks(&self) -> impl Iterator<Item = (u64, &[u8])> {
        let first = (!self.data.is_empty()).then_some((self.base, &self.data[..]));
        first
            .into_iter()
            .chain(self.ooo.iter().map(|(o, d)| (*o, &d[..])))
    }

    /// `n` stored bytes from `offset` (within one block).
    fn slice(&self, offset: u64, n: u32) -> &[u8] {
        let (o, d) = if offset >= self.base && offset < self.end() {
            (self.base, &self.data[..])
        } else {
            let at = self.ooo.partition_point(|(o, _)| *o <= offset);
            let Some((o, d)) = at.checked_sub(1).and_then(|i| self.ooo.get(i)) else {
                return &[];
            };
            (*o, &d[..])
        };
        let from = usize::try_from(offset - o)
            .unwrap_or(usize::MAX)
            .min(d.len());
        let to = from.saturating_add(n as usize).min(d.len());
        &d[from..to]
    }

    /// Offers `bytes` at `offset`. `room` is how many bytes the worker's
    /// memcap still allows; returns what happened and the bytes newly
    /// held (for the memory account).
    pub fn insert(
        &mut self,
        offset: u64,
        bytes: &[u8],
        cfg: &ReassemblyConfig,
        room: u64,
        counters: &mut StreamCounters,
    ) -> (Insert, u64) {
        if bytes.is_empty() {
            return (Insert::Added, 0);
        }
        let mut start = offset;
        let mut bytes = bytes;
        if cfg.depth > 0 {
            if start >= cfg.depth {
                if !self.depth_reached {
                    self.depth_reached = true;
                    counters.stream_depth_reached += 1;
                }
                return (Insert::Refused, 0);
            }
            let fits = (cfg.depth - start).min(bytes.len() as u64) as usize;
            if fits < bytes.len() {
                bytes = &bytes[..fits];
                if !self.depth_reached {
                    self.depth_reached = true;
                    counters.stream_depth_reached += 1;
                }
            }
        }
        // Below what is kept: already inspected, nothing to keep.
        if start < self.base {
            let skip = (self.base - start).min(bytes.len() as u64) as usize;
            bytes = &bytes[skip..];
            start = self.base;
            if bytes.is_empty() {
                return (Insert::Added, 0);
            }
        }
        // Overlap with the contiguous data: first wins.
        let end = self.end();
        if start < end {
            let n = (end - start).min(bytes.len() as u64) as usize;
            let from = (start - self.base) as usize;
            counters.overlap += 1;
            if self.data[from..from + n] != bytes[..n] {
                counters.overlap_diff_data += 1;
            }
            bytes = &bytes[n..];
            start += n as u64;
            if bytes.is_empty() {
                return (Insert::Added, 0);
            }
        }
        if bytes.len() as u64 > room {
            counters.segment_memcap_drop += 1;
            return (Insert::Refused, 0);
        }
        if start == self.end() {
            self.data.extend_from_slice(bytes);
            let added = self.trim_ooo_overlap(counters);
            self.merge_ooo();
            return (Insert::Added, bytes.len() as u64 - added);
        }
        match self.insert_ooo(start, bytes, counters) {
            Some(n) => (Insert::Added, n),
            None => {
                counters.segment_memcap_drop += 1;
                (Insert::Refused, 0)
            }
        }
    }

    /// After contiguous data grew: drop from out-of-order blocks what the
    /// new data already covers (first wins: the blocks were there first,
    /// so their bytes replace ours). Returns the bytes double-held that
    /// were given back.
    fn trim_ooo_overlap(&mut self, counters: &mut StreamCounters) -> u64 {
        let end = self.end();
        let mut given_back = 0u64;
        while let Some((o, d)) = self.ooo.first() {
            if *o >= end {
                break;
            }
            let from = (*o - self.base) as usize;
            let n = ((end - *o) as usize).min(d.len());
            counters.overlap += 1;
            if self.data[from..from + n] != d[..n] {
                counters.overlap_diff_data += 1;
                self.data[from..from + n].copy_from_slice(&d[..n]);
            }
            given_back += n as u64;
            let (o, mut d) = self.ooo.remove(0);
            if n < d.len() {
                d.drain(..n);
                self.ooo.insert(0, (o + n as u64, d));
                break;
            }
        }
        given_back
    }

    /// Moves the out-of-order block that now continues the contiguous
    /// data into it.
    fn merge_ooo(&mut self) {
        if self.ooo.first().is_some_and(|(o, _)| *o == self.end()) {
            let (_, d) = self.ooo.remove(0);
            if self.data.is_empty() {
                self.data = d;
            } else {
                self.data.extend_from_slice(&d);
            }
        }
    }

    /// Stores a segment beyond a hole; `None` when the block table is
    /// full. Returns the bytes newly held.
    fn insert_ooo(
        &mut self,
        start: u64,
        bytes: &[u8],
        counters: &mut StreamCounters,
    ) -> Option<u64> {
        // Cut `bytes` into the parts no held block covers (first wins).
        let mut added = 0u64;
        let mut pos = start;
        let stop = start + bytes.len() as u64;
        let mut overlapped = false;
        let mut diff = false;
        let mut pieces: Vec<(u64, u64)> = Vec::new();
        for (o, d) in &self.ooo {
            let (s, e) = (*o, *o + d.len() as u64);
            if e <= pos {
                continue;
            }
            if s >= stop {
                break;
            }
            if s > pos {
                pieces.push((pos, s.min(stop)));
            }
            let (os, oe) = (pos.max(s), stop.min(e));
            if os < oe {
                overlapped = true;
                let mine = &bytes[(os - start) as usize..(oe - start) as usize];
                let theirs = &d[(os - s) as usize..(oe - s) as usize];
                diff |= mine != theirs;
            }
            pos = pos.max(e);
        }
        if pos < stop {
            pieces.push((pos, stop));
        }
        if self.ooo.len() + pieces.len() > MAX_OOO_SEGMENTS + self.touching(&pieces) {
            return None;
        }
        if overlapped {
            counters.overlap += 1;
            if diff {
                counters.overlap_diff_data += 1;
            }
        }
        for (s, e) in pieces {
            let seg = &bytes[(s - start) as usize..(e - start) as usize];
            added += seg.len() as u64;
            let at = self.ooo.partition_point(|(o, _)| *o < s);
            // Join the block before when it ends where the piece starts.
            if let Some((o, d)) = at.checked_sub(1).and_then(|i| self.ooo.get_mut(i)) {
                if *o + d.len() as u64 == s {
                    d.extend_from_slice(seg);
                    continue;
                }
            }
            self.ooo.insert(at, (s, seg.to_vec()));
        }
        // Join blocks the new pieces made touch.
        let mut i = 1;
        while i < self.ooo.len() {
            let (po, plen) = (self.ooo[i - 1].0, self.ooo[i - 1].1.len() as u64);
            if po + plen == self.ooo[i].0 {
                let (_, d) = self.ooo.remove(i);
                self.ooo[i - 1].1.extend_from_slice(&d);
            } else {
                i += 1;
            }
        }
        Some(added)
    }

    /// How many of `pieces` join a held block (so add no entry).
    fn touching(&self, pieces: &[(u64, u64)]) -> usize {
        pieces
            .iter()
            .filter(|&&(s, _)| self.ooo.iter().any(|(o, d)| *o + d.len() as u64 == s))
            .count()
    }

    /// The app layer reads up to the acknowledged edge (Suricata's
    /// `ReassembleUpdateAppLayer` in IDS mode, for a parser that takes
    /// all it is given). Returns whether it ran into a gap: the edge lies
    /// past a hole with stored data beyond it (`CheckGap`); the app
    /// progress then skips the hole, up to the edge.
    ///
    /// The bytes read also go through the direction's TLS record walker
    /// (whatever the flow's protocol: only the detector knows it); a gap
    /// stops the walker, as it fails Suricata's TLS parser.
    pub fn app_update(&mut self, counters: &mut StreamCounters) -> bool {
        let mut gap = false;
        while self.app < self.acked {
            let (app, acked) = (self.app, self.acked);
            let next = self.blocks().find(|(o, d)| o + d.len() as u64 > app);
            match next {
                None => break,
                Some((o, d)) if o <= app => {
                    let to = (o + d.len() as u64).min(acked);
                    // The walker is a small copy: fed from the block found
                    // here, then stored back.
                    let mut walker = self.tls;
                    if !walker.failed() {
                        walker.feed(&d[(app - o) as usize..(to - o) as usize]);
                    }
                    self.tls = walker;
                    self.app = to;
                    self.app_news = true;
                }
                Some((o, _)) => {
                    gap = true;
                    self.tls.fail();
                    counters.reassembly_gap += 1;
                    self.app += (o - self.app).min(self.acked - self.app);
                }
            }
        }
        gap
    }

    /// The direction's TLS record walker (what the app layer read of it).
    pub fn tls(&self) -> &RecordWalker {
        &self.tls
    }

    /// Stops the direction's TLS record walker (the other direction's
    /// parser failed: Suricata's app layer gives up on the flow).
    pub fn tls_fail(&mut self) {
        self.tls.fail();
    }

    /// Whether the app layer read bytes of this direction since an
    /// inspection last moved the raw progress: only then can its parser
    /// have asked for raw inspection (`STREAMTCP_STREAM_FLAG_TRIGGER_RAW`
    /// is set as a parser completes a message, on the acknowledgement
    /// that brings the message's end, and cleared as the progress moves).
    pub fn app_news(&self) -> bool {
        self.app_news
    }

    /// Suricata's `StreamReassembleRawDo` from the raw progress (see the
    /// module docs): remembers the pieces to inspect (see
    /// [`RawBlocks::walked`]) and the progress inspecting them leads to.
    /// `eof`: the flow ends, every block is taken whole. Returns whether
    /// [`StreamBuf::commit`] would move the raw progress (Suricata then
    /// clears a pending raw trigger).
    pub fn walk(&mut self, eof: bool) -> bool {
        let re = self.acked;
        let mut progress = self.raw;
        let mut spans = std::mem::take(&mut self.walk);
        spans.clear();
        for (o, d) in self.blocks() {
            let end = o + d.len() as u64;
            if end <= progress {
                continue;
            }
            let start = o.max(progress);
            let mut n = end - start;
            if !eof {
                if re < progress {
                    break;
                }
                n = n.min(re - progress);
            }
            if n == 0 {
                break;
            }
            spans.push((start, u32::try_from(n).unwrap_or(u32::MAX)));
            if start == progress {
                progress += n;
            } else if start <= re {
                // Past a hole: only as far as the block's start (or the
                // acknowledged edge it starts at).
                progress = start;
            }
        }
        self.walk = spans;
        self.walk_to = progress;
        progress > self.raw || progress == 0
    }

    /// Detection inspected the last walk's pieces: the raw progress moves
    /// as `StreamReassembleRawUpdateProgress` moves it (forward only; a
    /// walk that got nowhere from offset 0 leaves it at the app
    /// progress), and the bytes below both progresses are dropped.
    /// Returns the bytes freed.
    pub fn commit(&mut self) -> u64 {
        let to = if self.walk_to == 0 {
            self.app
        } else {
            self.walk_to
        };
        self.walk.clear();
        if to > self.raw || self.walk_to == 0 {
            self.app_news = false;
        }
        self.raw = self.raw.max(to);
        self.drop_below(self.raw.min(self.app))
    }

    /// Inline mode (Suricata's `StreamReassembleRawInline`): the
    /// contiguous bytes ending at `right` (a packet's right edge), at most
    /// `window` of them, inspected or not. Empty when `right` lies beyond
    /// the contiguous data.
    pub fn window_before(&self, right: u64, window: u64) -> &[u8] {
        if right > self.end() || right <= self.base {
            return &[];
        }
        let from = right.saturating_sub(window).max(self.base);
        &self.data[(from - self.base) as usize..(right - self.base) as usize]
    }

    /// Inline mode: everything up to `right` was inspected; keep `keep`
    /// bytes before it for the next window. Returns the bytes freed.
    pub fn inspected_to(&mut self, right: u64, keep: u64) -> u64 {
        self.raw = self.raw.max(right.min(self.end()));
        let target = self.raw.saturating_sub(keep).max(self.base);
        self.drop_below(target)
    }

    /// Drops every byte below `target` (which may lie in a hole or past
    /// all data); returns the bytes freed.
    fn drop_below(&mut self, target: u64) -> u64 {
        if target <= self.base {
            return 0;
        }
        let mut freed;
        if target <= self.end() {
            let n = (target - self.base) as usize;
            self.data.drain(..n);
            freed = n as u64;
        } else {
            freed = self.data.len() as u64;
            self.data.clear();
            while let Some((o, d)) = self.ooo.first_mut() {
                let e = *o + d.len() as u64;
                if e <= target {
                    freed += d.len() as u64;
                    self.ooo.remove(0);
                    continue;
                }
                if *o < target {
                    let n = (target - *o) as usize;
                    d.drain(..n);
                    *o = target;
                    freed += n as u64;
                }
                break;
            }
        }
        self.base = target;
        self.merge_ooo();
        if self.data.capacity() > 4 * 4096 && self.data.len() < self.data.capacity() / 4 {
            self.data.shrink_to(self.data.len().max(4096));
        }
        freed
    }
}

/// Both directions of one flow: `[to-server (client's bytes), to-client
/// (server's bytes)]`.
#[derive(Debug, Default)]
pub struct FlowStreams {
    /// Per direction, indexed by [`super::Direction::index`].
    pub dirs: [StreamBuf; 2],
}

impl FlowStreams {
    /// Bytes held in both directions.
    pub fn held(&self) -> u64 {
        self.dirs[0].held() + self.dirs[1].held()
    }

    /// Whether either direction's TLS record walker saw application data.
    pub fn tls_app_data(&self) -> bool {
        self.dirs.iter().any(|b| b.tls().app_data_seen())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> ReassemblyConfig {
        ReassemblyConfig::default()
    }

    fn put(b: &mut StreamBuf, c: &mut StreamCounters, off: u64, bytes: &[u8]) -> Insert {
        b.insert(off, bytes, &cfg(), u64::MAX, c).0
    }

    /// The pieces a walk offers.
    fn walk(b: &mut StreamBuf, eof: bool) -> Vec<Vec<u8>> {
        b.walk(eof);
        RawBlocks::walked(b).iter().map(<[u8]>::to_vec).collect()
    }

    /// One walk's pieces as strings, then inspected.
    fn inspect(b: &mut StreamBuf, eof: bool) -> Vec<String> {
        let got = walk(b, eof)
            .into_iter()
            .map(|p| String::from_utf8(p).unwrap())
            .collect();
        b.commit();
        got
    }

    #[test]
    fn in_order_data_is_offered_up_to_the_ack() {
        let (mut b, mut c) = (StreamBuf::default(), StreamCounters::default());
        assert_eq!(put(&mut b, &mut c, 0, b"GET /"), Insert::Added);
        assert_eq!(put(&mut b, &mut c, 5, b" HTTP"), Insert::Added);
        assert!(walk(&mut b, false).is_empty());
        b.ack(7);
        b.app_update(&mut c);
        assert_eq!(inspect(&mut b, false), ["GET / H"]);
        assert_eq!(b.progress(), 7);
        b.ack(10);
        b.app_update(&mut c);
        assert_eq!(inspect(&mut b, false), ["TTP"]);
        assert_eq!(b.held(), 0);
        assert_eq!(c, StreamCounters::default());
    }

    #[test]
    fn out_of_order_segments_join_when_the_hole_fills() {
        let (mut b, mut c) = (StreamBuf::default(), StreamCounters::default());
        put(&mut b, &mut c, 6, b"World");
        put(&mut b, &mut c, 0, b"Hel");
        put(&mut b, &mut c, 3, b"lo ");
        b.ack(11);
        assert_eq!(walk(&mut b, false), [b"Hello World"]);
        assert_eq!(b.held(), 11);
    }

    #[test]
    fn touching_out_of_order_segments_are_one_block() {
        let (mut b, mut c) = (StreamBuf::default(), StreamCounters::default());
        put(&mut b, &mut c, 0, b"ab");
        put(&mut b, &mut c, 14, b"ghij");
        put(&mut b, &mut c, 10, b"ef");
        put(&mut b, &mut c, 12, b"GH");
        assert_eq!(walk(&mut b, true), [&b"ab"[..], b"efGHghij"]);
    }

    #[test]
    fn retransmission_is_added_and_changes_nothing() {
        let (mut b, mut c) = (StreamBuf::default(), StreamCounters::default());
        put(&mut b, &mut c, 0, b"abcdef");
        assert_eq!(put(&mut b, &mut c, 0, b"abcdef"), Insert::Added);
        assert_eq!(c.overlap, 1);
        assert_eq!(c.overlap_diff_data, 0);
        b.ack(6);
        b.app_update(&mut c);
        assert_eq!(inspect(&mut b, false), ["abcdef"]);
        // Below the raw (and app) progress: dropped silently.
        assert_eq!(put(&mut b, &mut c, 2, b"cd"), Insert::Added);
        assert_eq!(b.held(), 0);
    }

    #[test]
    fn overlap_keeps_the_first_bytes() {
        let (mut b, mut c) = (StreamBuf::default(), StreamCounters::default());
        put(&mut b, &mut c, 0, b"AAAA");
        put(&mut b, &mut c, 2, b"XXYY");
        b.ack(6);
        assert_eq!(walk(&mut b, false), [b"AAAAYY"]);
        assert_eq!((c.overlap, c.overlap_diff_data), (1, 1));
        // Out of order, then an overlapping out-of-order segment.
        let (mut b, mut c) = (StreamBuf::default(), StreamCounters::default());
        put(&mut b, &mut c, 4, b"efgh");
        put(&mut b, &mut c, 6, b"ZZij");
        put(&mut b, &mut c, 0, b"abcdQQ");
        b.ack(10);
        assert_eq!(walk(&mut b, false), [b"abcdefghij"]);
        assert_eq!(c.overlap_diff_data, 2);
    }

    /// The walk of Suricata's `StreamReassembleRawDo` over blocks
    /// `[0,4)` and `[10,14)`, with the acknowledged edge at each place it
    /// can be relative to the second block.
    #[test]
    fn a_block_past_a_hole_is_inspected_but_the_progress_stops_at_its_start() {
        let blocks = |ack: u64| {
            let (mut b, mut c) = (StreamBuf::default(), StreamCounters::default());
            put(&mut b, &mut c, 0, b"abcd");
            put(&mut b, &mut c, 10, b"wxyz");
            b.ack(ack);
            b.app_update(&mut c);
            b
        };
        // Acknowledged past the block: it is inspected whole, and the
        // progress moves to its start only.
        let mut b = blocks(20);
        assert_eq!(inspect(&mut b, false), ["abcd", "wxyz"]);
        assert_eq!(b.progress(), 10);
        // ... so the next walk inspects it again, this time moving past.
        assert_eq!(inspect(&mut b, false), ["wxyz"]);
        assert_eq!(b.progress(), 14);
        // Acknowledged up to the block's start: the same, unacknowledged
        // bytes and all.
        let mut b = blocks(10);
        assert_eq!(inspect(&mut b, false), ["abcd", "wxyz"]);
        assert_eq!(b.progress(), 10);
        // Acknowledged into the hole: the block starts beyond the edge,
        // is cut to `ack - progress` bytes and leaves the progress alone.
        let mut b = blocks(6);
        assert_eq!(inspect(&mut b, false), ["abcd", "wx"]);
        assert_eq!(b.progress(), 4);
        // At flow end every block is inspected whole (the progress still
        // follows the same rules: it stays put).
        assert_eq!(inspect(&mut b, true), ["wxyz"]);
        assert_eq!(b.progress(), 4);
    }

    #[test]
    fn a_walk_that_moves_nothing_from_offset_0_jumps_to_the_app_progress() {
        let (mut b, mut c) = (StreamBuf::default(), StreamCounters::default());
        put(&mut b, &mut c, 10, b"late");
        b.ack(4);
        assert!(b.app_update(&mut c));
        assert_eq!(inspect(&mut b, false), ["late"]);
        assert_eq!(b.progress(), 4);
        // From there the acknowledged edge leaves no room.
        assert!(walk(&mut b, false).is_empty());
        b.ack(12);
        assert_eq!(inspect(&mut b, false), ["late"]);
        assert_eq!(b.progress(), 10);
    }

    #[test]
    fn the_app_layer_sees_a_gap_once_the_ack_passes_a_hole_with_data_beyond() {
        let (mut b, mut c) = (StreamBuf::default(), StreamCounters::default());
        put(&mut b, &mut c, 0, b"abc");
        b.ack(8);
        // Nothing stored beyond the hole yet: the bytes may still come.
        assert!(!b.app_update(&mut c));
        put(&mut b, &mut c, 10, b"xyz");
        assert!(b.app_update(&mut c));
        assert_eq!(c.reassembly_gap, 1);
        // The app progress reached the edge, inside the hole; the next
        // acknowledgement past the block finds the rest of the hole.
        assert!(!b.app_update(&mut c));
        b.ack(13);
        assert!(b.app_update(&mut c));
        assert!(!b.app_update(&mut c));
        assert_eq!(c.reassembly_gap, 2);
    }

    #[test]
    fn data_the_app_layer_has_not_read_is_kept() {
        let (mut b, mut c) = (StreamBuf::default(), StreamCounters::default());
        // Acknowledged before it was seen: the app layer read nothing.
        b.ack(4);
        b.app_update(&mut c);
        put(&mut b, &mut c, 0, b"abcd");
        assert_eq!(inspect(&mut b, false), ["abcd"]);
        assert_eq!(b.held(), 4);
        // The next acknowledgement lets the app layer read it: no gap.
        assert!(!b.app_update(&mut c));
        put(&mut b, &mut c, 4, b"e");
        b.ack(5);
        b.app_update(&mut c);
        assert_eq!(inspect(&mut b, false), ["e"]);
        assert_eq!(b.held(), 0);
    }

    #[test]
    fn app_news_last_until_an_inspection_moves_the_progress() {
        let (mut b, mut c) = (StreamBuf::default(), StreamCounters::default());
        put(&mut b, &mut c, 0, b"abc");
        put(&mut b, &mut c, 10, b"xyz");
        assert!(!b.app_news());
        b.ack(13);
        b.app_update(&mut c);
        assert!(b.app_news());
        // The progress moves (to the block past the hole): no news.
        assert_eq!(inspect(&mut b, false), ["abc", "xyz"]);
        assert!(!b.app_news());
        // The same block again, nothing new read: still none.
        b.app_update(&mut c);
        assert!(!b.app_news());
        put(&mut b, &mut c, 13, b"!");
        b.ack(14);
        b.app_update(&mut c);
        assert!(b.app_news());
    }

    #[test]
    fn eof_takes_unacked_data_and_every_block() {
        let (mut b, mut c) = (StreamBuf::default(), StreamCounters::default());
        put(&mut b, &mut c, 0, b"one");
        put(&mut b, &mut c, 5, b"two");
        assert_eq!(inspect(&mut b, true), ["one", "two"]);
        assert_eq!(inspect(&mut b, true), ["two"]);
    }

    #[test]
    fn depth_limits_what_is_stored() {
        let cfg = ReassemblyConfig {
            depth: 8,
            ..ReassemblyConfig::default()
        };
        let (mut b, mut c) = (StreamBuf::default(), StreamCounters::default());
        assert_eq!(
            b.insert(0, b"123456", &cfg, u64::MAX, &mut c).0,
            Insert::Added
        );
        // Crosses the depth: the first 2 bytes are kept.
        assert_eq!(
            b.insert(6, b"7890", &cfg, u64::MAX, &mut c),
            (Insert::Added, 2)
        );
        assert_eq!(c.stream_depth_reached, 1);
        // Wholly beyond: refused, counted once.
        assert_eq!(
            b.insert(10, b"x", &cfg, u64::MAX, &mut c).0,
            Insert::Refused
        );
        assert_eq!(c.stream_depth_reached, 1);
        assert!(b.depth_reached());
        b.ack(100);
        assert_eq!(walk(&mut b, false), [b"12345678"]);
    }

    #[test]
    fn memcap_refuses_segments() {
        let (mut b, mut c) = (StreamBuf::default(), StreamCounters::default());
        assert_eq!(b.insert(0, b"abcd", &cfg(), 4, &mut c), (Insert::Added, 4));
        assert_eq!(b.insert(4, b"efgh", &cfg(), 3, &mut c).0, Insert::Refused);
        assert_eq!(c.segment_memcap_drop, 1);
        assert_eq!(b.held(), 4);
    }

    #[test]
    fn sequence_numbers_wrap() {
        let b = StreamBuf::default();
        // isn = 0xffff_fff0: offset 0 is 0xffff_fff1.
        let base = 0xffff_fff1u32;
        assert_eq!(b.offset_of(base, 0xffff_fff1), 0);
        assert_eq!(b.offset_of(base, 0x0000_0005), 20);
        // Before the stream start: clamped to 0.
        assert_eq!(b.offset_of(base, 0xffff_ff00), 0);
        let (mut b, mut c) = (StreamBuf::default(), StreamCounters::default());
        let o = b.offset_of(base, 0xffff_fffe);
        assert_eq!(o, 13);
        put(&mut b, &mut c, 0, &[b'a'; 13]);
        put(&mut b, &mut c, o, b"wrap!");
        b.ack(b.offset_of(base, 0x0000_0003));
        let got = walk(&mut b, false);
        assert_eq!(got.len(), 1);
        assert_eq!(&got[0][13..], b"wrap!");
    }

    #[test]
    fn inline_window_keeps_a_chunk_of_history() {
        let (mut b, mut c) = (StreamBuf::default(), StreamCounters::default());
        put(&mut b, &mut c, 0, b"abcdef");
        assert_eq!(b.window_before(6, 4), b"cdef");
        assert_eq!(b.inspected_to(6, 4), 2);
        assert!(!b.has_pending());
        put(&mut b, &mut c, 6, b"gh");
        // The window spans the kept history and the new packet.
        assert_eq!(b.window_before(8, 5), b"defgh");
        assert!(b.has_pending());
        b.inspected_to(8, 4);
        assert!(walk(&mut b, true).is_empty());
        // Beyond the contiguous data: no window.
        assert_eq!(b.window_before(20, 4), b"");
    }

    #[test]
    fn too_many_holes_are_refused() {
        let (mut b, mut c) = (StreamBuf::default(), StreamCounters::default());
        for i in 0..MAX_OOO_SEGMENTS as u64 {
            assert_eq!(put(&mut b, &mut c, 10 + i * 2, b"x"), Insert::Added);
        }
        assert_eq!(put(&mut b, &mut c, 1000, b"y"), Insert::Refused);
        assert_eq!(c.segment_memcap_drop, 1);
        // A segment joining a block adds none: taken.
        assert_eq!(put(&mut b, &mut c, 11, b"z"), Insert::Added);
    }
}
