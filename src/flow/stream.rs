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
//! * out-of-order segments beyond a hole, sorted and disjoint (at most
//!   [`MAX_OOO_SEGMENTS`]);
//! * the acknowledged edge.
//!
//! Overlaps keep the bytes that arrived first (`tcp.overlap`, and
//! `tcp.overlap_diff_data` when the new bytes differ). Nothing is stored
//! beyond `stream.reassembly.depth` (`tcp.stream_depth_reached`, once per
//! stream); bytes that would take the worker's buffers above
//! `stream.reassembly.memcap` are refused (`tcp.segment_memcap_drop`). A
//! refused segment is not "added to the stream", so detection inspects
//! that packet's own payload instead, as Suricata does.
//!
//! # When data is ready (IDS mode, Suricata's `StreamReassembleRaw`)
//!
//! [`StreamBuf::acked_chunk`] is the contiguous data from the raw progress
//! up to the acknowledged edge; if the acknowledged edge passed a hole that
//! later data lies beyond, the hole is skipped (`tcp.reassembly_gap`).
//! Whether it is inspected now is decided by the caller (chunk size,
//! closing session, depth, app-layer trigger). At flow end everything left
//! is inspected, acknowledged or not ([`StreamBuf::eof_chunk`]).
//!
//! # What it does not do
//!
//! No inline (IPS) mode raw inspection around the packet, no overlap
//! policies other than first-wins, no app-layer progress: the buffer
//! exists only for raw stream inspection.

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
    /// The raw progress: bytes below it were inspected. Equal to `base`
    /// in IDS mode; inline mode keeps up to a chunk of inspected bytes
    /// before it, for the window around the next packet.
    raw: u64,
    data: Vec<u8>,
    /// (offset, bytes), sorted, disjoint, all beyond `base + data.len()`.
    ooo: Vec<(u64, Vec<u8>)>,
    /// Acknowledged edge (offset).
    acked: u64,
    depth_reached: bool,
    /// The chunk is a block found at the acknowledged edge after a hole.
    gap_block: bool,
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
        // Below the raw progress: already inspected, nothing to keep.
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
        let new = self.new_bytes(start, bytes);
        if new > room {
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

    /// Upper bound of the bytes `insert` would add (for the memcap check).
    fn new_bytes(&self, _start: u64, bytes: &[u8]) -> u64 {
        bytes.len() as u64
    }

    /// After contiguous data grew: drop from out-of-order segments what the
    /// new data already covers (first wins: the segments were there first,
    /// so their bytes replace ours). Returns the bytes double-held that
    /// were given back.
    fn trim_ooo_overlap(&mut self, counters: &mut StreamCounters) -> u64 {
        let end = self.end();
        let mut given_back = 0u64;
        while let Some((o, d)) = self.ooo.first() {
            if *o >= end {
                break;
            }
            // The segment was there first: its bytes win over the overlap.
            let from = (*o - self.base) as usize;
            let n = ((end - *o) as usize).min(d.len());
            counters.overlap += 1;
            if self.data[from..from + n] != d[..n] {
                counters.overlap_diff_data += 1;
                let (o, d) = (*o, d.clone());
                let from = (o - self.base) as usize;
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

    /// Moves out-of-order segments that now continue the contiguous data.
    fn merge_ooo(&mut self) {
        while self.ooo.first().is_some_and(|(o, _)| *o == self.end()) {
            let (_, d) = self.ooo.remove(0);
            self.data.extend_from_slice(&d);
        }
    }

    /// Stores a segment beyond a hole; `None` when the segment table is
    /// full. Returns the bytes newly held.
    fn insert_ooo(
        &mut self,
        start: u64,
        bytes: &[u8],
        counters: &mut StreamCounters,
    ) -> Option<u64> {
        // Cut `bytes` into the parts no held segment covers (first wins).
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
        if self.ooo.len() + pieces.len() > MAX_OOO_SEGMENTS {
            return None;
        }
        if overlapped {
            counters.overlap += 1;
            if diff {
                counters.overlap_diff_data += 1;
            }
        }
        for (s, e) in pieces {
            let seg = bytes[(s - start) as usize..(e - start) as usize].to_vec();
            added += seg.len() as u64;
            let at = self.ooo.partition_point(|(o, _)| *o < s);
            self.ooo.insert(at, (s, seg));
        }
        Some(added)
    }

    /// If the acknowledged edge passed a hole before held data, skip the
    /// hole (the missing bytes will not come: Suricata's "gap").
    fn skip_acked_gap(&mut self, counters: &mut StreamCounters) -> bool {
        if self.raw < self.end() {
            return false;
        }
        if let Some(&(o, _)) = self.ooo.first() {
            if o <= self.acked && o > self.raw {
                counters.reassembly_gap += 1;
                // A block starting right at the acknowledged edge is
                // inspected whole, acknowledged or not: Suricata limits
                // the block by the ACK measured from the old progress.
                self.gap_block = o == self.acked;
                self.jump_to(o);
                return true;
            }
        }
        false
    }

    /// Drops the contiguous data and continues at the held segment at `o`.
    fn jump_to(&mut self, o: u64) {
        self.data.clear();
        self.base = o;
        self.raw = o;
        self.merge_ooo();
    }

    /// The acknowledged, not yet inspected, contiguous bytes (possibly
    /// empty), and whether an acknowledged hole was skipped to reach them
    /// (Suricata's app layer then asks for raw inspection at once).
    pub fn acked_chunk(&mut self, counters: &mut StreamCounters) -> (&[u8], bool) {
        let gap = self.skip_acked_gap(counters);
        let from = (self.raw - self.base) as usize;
        let to = if self.gap_block {
            self.end()
        } else {
            self.acked.clamp(self.raw, self.end())
        };
        (&self.data[from..(to - self.base) as usize], gap)
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

    fn drop_below(&mut self, target: u64) -> u64 {
        let n = (target - self.base) as usize;
        self.data.drain(..n);
        self.base = target;
        if self.data.capacity() > 4 * 4096 && self.data.len() < self.data.capacity() / 4 {
            self.data.shrink_to(self.data.len().max(4096));
        }
        n as u64
    }

    /// The next block of bytes left at flow end, acknowledged or not:
    /// the contiguous data, else (after a hole, counted as a gap) the
    /// first out-of-order segment. Empty when nothing is left.
    pub fn eof_chunk(&mut self, counters: &mut StreamCounters) -> &[u8] {
        if self.raw >= self.end() {
            if let Some(&(o, _)) = self.ooo.first() {
                if o > self.raw {
                    counters.reassembly_gap += 1;
                }
                self.jump_to(o);
            }
        }
        &self.data[(self.raw - self.base) as usize..]
    }

    /// Marks the next `n` bytes from the raw progress inspected and drops
    /// every inspected byte; returns the bytes freed.
    pub fn consume(&mut self, n: usize) -> u64 {
        self.gap_block = false;
        self.raw = (self.raw + n as u64).min(self.end());
        self.drop_below(self.raw)
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

    #[test]
    fn in_order_data_is_ready_up_to_the_ack() {
        let (mut b, mut c) = (StreamBuf::default(), StreamCounters::default());
        assert_eq!(put(&mut b, &mut c, 0, b"GET /"), Insert::Added);
        assert_eq!(put(&mut b, &mut c, 5, b" HTTP"), Insert::Added);
        assert_eq!(b.acked_chunk(&mut c).0, b"");
        b.ack(7);
        assert_eq!(b.acked_chunk(&mut c).0, b"GET / H");
        assert_eq!(b.consume(7), 7);
        assert_eq!(b.progress(), 7);
        b.ack(10);
        assert_eq!(b.acked_chunk(&mut c).0, b"TTP");
        assert_eq!(c, StreamCounters::default());
    }

    #[test]
    fn out_of_order_segments_join_when_the_hole_fills() {
        let (mut b, mut c) = (StreamBuf::default(), StreamCounters::default());
        put(&mut b, &mut c, 6, b"World");
        put(&mut b, &mut c, 0, b"Hel");
        b.ack(11);
        // The ack passes the hole at 3..6, but contiguous data comes
        // first: the chunk ends at the hole, which may still fill.
        assert_eq!(b.acked_chunk(&mut c).0, b"Hel");
        put(&mut b, &mut c, 3, b"lo ");
        assert_eq!(b.acked_chunk(&mut c).0, b"Hello World");
        assert_eq!(b.held(), 11);
    }

    #[test]
    fn retransmission_is_added_and_changes_nothing() {
        let (mut b, mut c) = (StreamBuf::default(), StreamCounters::default());
        put(&mut b, &mut c, 0, b"abcdef");
        assert_eq!(put(&mut b, &mut c, 0, b"abcdef"), Insert::Added);
        assert_eq!(c.overlap, 1);
        assert_eq!(c.overlap_diff_data, 0);
        b.ack(6);
        assert_eq!(b.acked_chunk(&mut c).0, b"abcdef");
        b.consume(6);
        // Below the raw progress: dropped silently.
        assert_eq!(put(&mut b, &mut c, 2, b"cd"), Insert::Added);
        assert_eq!(b.held(), 0);
    }

    #[test]
    fn overlap_keeps_the_first_bytes() {
        let (mut b, mut c) = (StreamBuf::default(), StreamCounters::default());
        put(&mut b, &mut c, 0, b"AAAA");
        put(&mut b, &mut c, 2, b"XXYY");
        b.ack(6);
        assert_eq!(b.acked_chunk(&mut c).0, b"AAAAYY");
        assert_eq!((c.overlap, c.overlap_diff_data), (1, 1));
        // Out of order, then an overlapping out-of-order segment.
        let (mut b, mut c) = (StreamBuf::default(), StreamCounters::default());
        put(&mut b, &mut c, 4, b"efgh");
        put(&mut b, &mut c, 6, b"ZZij");
        put(&mut b, &mut c, 0, b"abcdQQ");
        b.ack(10);
        assert_eq!(b.acked_chunk(&mut c).0, b"abcdefghij");
        assert_eq!(c.overlap_diff_data, 2);
    }

    #[test]
    fn acked_gap_is_skipped() {
        let (mut b, mut c) = (StreamBuf::default(), StreamCounters::default());
        put(&mut b, &mut c, 0, b"abc");
        b.ack(3);
        assert_eq!(b.acked_chunk(&mut c).0, b"abc");
        b.consume(3);
        put(&mut b, &mut c, 10, b"xyz");
        b.ack(13);
        assert_eq!(b.acked_chunk(&mut c), (&b"xyz"[..], true));
        assert_eq!(b.progress(), 10);
        assert_eq!(c.reassembly_gap, 1);
        b.consume(3);
        // A block starting exactly at the acknowledged edge after a hole
        // is taken whole.
        put(&mut b, &mut c, 20, b"block");
        b.ack(20);
        assert_eq!(b.acked_chunk(&mut c), (&b"block"[..], true));
        b.consume(5);
        assert!(!b.has_pending());
        assert_eq!(c.reassembly_gap, 2);
    }

    #[test]
    fn eof_takes_unacked_data_and_skips_holes() {
        let (mut b, mut c) = (StreamBuf::default(), StreamCounters::default());
        put(&mut b, &mut c, 0, b"one");
        put(&mut b, &mut c, 5, b"two");
        assert_eq!(b.eof_chunk(&mut c), b"one");
        b.consume(3);
        assert_eq!(b.eof_chunk(&mut c), b"two");
        assert_eq!(c.reassembly_gap, 1);
        b.consume(3);
        assert!(!b.has_pending());
        assert_eq!(b.eof_chunk(&mut c), b"");
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
        assert_eq!(b.acked_chunk(&mut c).0, b"12345678");
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
        assert_eq!(b.acked_chunk(&mut c).0.len(), 18);
        assert_eq!(&b.acked_chunk(&mut c).0[13..], b"wrap!");
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
        assert_eq!(b.eof_chunk(&mut c), b"");
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
    }
}
