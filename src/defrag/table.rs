//! table: the [`Defragmenter`], one worker's table of datagrams being
//! reassembled, with its limits, timeouts, eviction and counters.
//!
//! # Trackers
//!
//! A tracker holds the fragments of one datagram, keyed like Suricata's
//! (`defrag-hash.c`): the address pair (in either direction: a fragment
//! from B to A joins a datagram from A to B, as Suricata's compare allows),
//! IPv4 protocol or IPv6 (where Suricata's key protocol is always the
//! fragment header's 44), identification and up to three VLAN ids. Its
//! policy and timeout come from the destination of the fragment that
//! created it.
//!
//! A tracker whose datagram was rebuilt or discarded is *finished*: its
//! fragments are freed at once, but the record stays (Suricata's `remove`
//! flag) until the sweep removes it or its key comes back, so the
//! `tracker_timeout` counters read as Suricata's.
//!
//! # Time
//!
//! Time is packet time. A tracker expires `timeout` seconds (whole seconds,
//! as Suricata) after its last accepted fragment. [`Defragmenter::tick`]
//! runs the sweep once per new second of packet time, as Suricata's flow
//! manager does with `DefragTimeoutHash`; [`Defragmenter::insert`] ticks
//! itself, and the runtime should tick on every packet so that finished
//! trackers are swept on the same schedule.
//!
//! # Limits (all per table)
//!
//! * A new tracker needs room under `max_trackers` and `memcap`; without
//!   it, the least recently used tracker is recycled (finished ones count as
//!   `tracker_soft_reuse`, live ones as `tracker_hard_reuse`). Only when
//!   nothing can be recycled is the fragment dropped
//!   (`max_trackers_reached`).
//! * A fragment to store needs room under `memcap` and `max_frags`; other
//!   trackers are recycled the same way. A fragment that still does not fit,
//!   or that would exceed `max_frags_per_datagram`, is refused with
//!   `frag_ignored` and `max_frags_reached`, and its datagram is discarded,
//!   as Suricata does when its fragment pool runs dry.
//!
//! [`Defragmenter::memory_usage`] counts tracker records (with their index
//! and slab slots) and stored fragments (records by capacity, data and
//! headers), the figure the memcap is checked against; it never exceeds
//! the memcap.
//!
//! # Not here
//!
//! No locking: one table belongs to one worker thread (`&mut self`). The
//! runtime must therefore send every fragment of a datagram to the same
//! worker: hash fragments by their address pair (order-independent) only,
//! never by ports (non-first fragments have none).

use super::config::DefragConfig;
use super::counters::DefragCounters;
use super::datagram::{rebuild, FragmentInput};
use super::fragments::FragList;
use super::outcome::{Outcome, Reassembled};
use super::policy::Policy;
use crate::capture::Timestamp;
use crate::decode::{DecodeEvent, Decoded, IpLayer, VlanStack};
use std::collections::HashMap;
use std::mem::size_of;
use std::net::IpAddr;

/// The identity of a datagram being reassembled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Key {
    v6: bool,
    lo: [u8; 16],
    hi: [u8; 16],
    proto: u8,
    id: u32,
    vlan: [u16; 3],
}

impl Key {
    /// The key of a fragment; the address pair is stored in a fixed order
    /// so both directions give the same key.
    pub(crate) fn new(src: IpAddr, dst: IpAddr, proto: u8, id: u32, vlan: [u16; 3]) -> Key {
        let (a, b) = (addr_bytes(src), addr_bytes(dst));
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        Key {
            v6: src.is_ipv6(),
            lo,
            hi,
            proto,
            id,
            vlan,
        }
    }
}

fn addr_bytes(addr: IpAddr) -> [u8; 16] {
    match addr {
        IpAddr::V4(a) => {
            let mut out = [0u8; 16];
            out[..4].copy_from_slice(&a.octets());
            out
        }
        IpAddr::V6(a) => a.octets(),
    }
}

/// "No tracker" in the LRU links.
const NIL: u32 = u32::MAX;

/// One datagram being reassembled.
#[derive(Debug)]
struct Tracker {
    key: Key,
    frags: FragList,
    policy: Policy,
    timeout: u32,
    /// Packet-time second at which it expires (0: already expired, for a
    /// tracker that has not accepted a fragment yet, as in Suricata).
    expires: u64,
    /// Rebuilt or discarded; waiting for the sweep (Suricata's `remove`).
    finished: bool,
    v6: bool,
    /// What this tracker adds to the table's memory figure.
    mem: usize,
    /// How many fragments it holds in the table's fragment count.
    nfrags: usize,
    prev: u32,
    next: u32,
}

impl Tracker {
    fn expired(&self, now: Timestamp) -> bool {
        now.secs() >= self.expires
    }
}

/// What one tracker record costs against the memcap: the slab slot, the
/// index entry (key, slot number and a control byte) and a free-list slot.
const TRACKER_COST: usize =
    size_of::<Option<Tracker>>() + size_of::<Key>() + 2 * size_of::<u32>() + 1;

/// One worker's defragmentation table.
///
/// ```
/// use rulewire::capture::Timestamp;
/// use rulewire::decode::{craft::PacketBuilder, decode, DecodeConfig, LinkType};
/// use rulewire::defrag::{DefragConfig, Defragmenter};
///
/// let cfg = DecodeConfig::default();
/// let mut table = Defragmenter::new(DefragConfig::default());
/// let ts = Timestamp::new(1_000, 0);
/// // A UDP datagram cut in two: 16 bytes at offset 0, 4 bytes at 16.
/// let whole = PacketBuilder::ipv4([10, 0, 0, 1], [10, 0, 0, 2])
///     .udp(5000, 53, b"abcdefghijkl")
///     .transport_bytes();
/// let first = PacketBuilder::ipv4([10, 0, 0, 1], [10, 0, 0, 2])
///     .fragment(0, true, 7)
///     .raw(17, &whole[..16])
///     .build();
/// let last = PacketBuilder::ipv4([10, 0, 0, 1], [10, 0, 0, 2])
///     .fragment(16, false, 7)
///     .raw(17, &whole[16..])
///     .build();
///
/// let out = table.insert(ts, &decode(LinkType::IPV4, &first, &cfg));
/// assert!(out.reassembled.is_none());
/// let out = table.insert(ts, &decode(LinkType::IPV4, &last, &cfg));
/// let datagram = out.reassembled.expect("complete");
/// let d = datagram.decode(&cfg);
/// assert_eq!(d.ports(), Some((5000, 53)));
/// assert_eq!(d.payload(), b"abcdefghijkl");
/// ```
#[derive(Debug)]
pub struct Defragmenter {
    config: DefragConfig,
    slots: Vec<Option<Tracker>>,
    free: Vec<u32>,
    index: HashMap<Key, u32>,
    /// Least recently used tracker.
    head: u32,
    /// Most recently used tracker.
    tail: u32,
    trackers: usize,
    frags: usize,
    memory: usize,
    last_sweep: Option<u64>,
    counters: DefragCounters,
}

impl Defragmenter {
    /// An empty table (the configuration is [`DefragConfig::normalized`]).
    pub fn new(config: DefragConfig) -> Defragmenter {
        Defragmenter {
            config: config.normalized(),
            slots: Vec::new(),
            free: Vec::new(),
            index: HashMap::new(),
            head: NIL,
            tail: NIL,
            trackers: 0,
            frags: 0,
            memory: 0,
            last_sweep: None,
            counters: DefragCounters::new(),
        }
    }

    /// The settings in force.
    pub fn config(&self) -> &DefragConfig {
        &self.config
    }

    /// The counters so far.
    pub fn counters(&self) -> &DefragCounters {
        &self.counters
    }

    /// The counters in Suricata's nested stats layout, with `defrag.memuse`
    /// set to this table's memcap as Suricata prints it (with several
    /// workers, merge the [`DefragCounters`] and pass the total memcap to
    /// [`DefragCounters::to_json`] instead).
    pub fn stats_json(&self) -> serde_json::Value {
        self.counters.to_json(self.config.memcap)
    }

    /// Bytes held, as checked against the memcap (see the module docs).
    pub fn memory_usage(&self) -> usize {
        self.memory
    }

    /// Trackers held (live and finished).
    pub fn trackers(&self) -> usize {
        self.trackers
    }

    /// Fragments stored.
    pub fn fragments(&self) -> usize {
        self.frags
    }

    /// Feeds a decoded packet. Packets whose (inner-most) IP layer is not a
    /// fragment return an empty [`Outcome`] and change nothing; the caller
    /// may pass every packet or only those with [`Decoded::is_fragment`].
    pub fn insert(&mut self, ts: Timestamp, decoded: &Decoded<'_>) -> Outcome {
        match decoded.ip() {
            Some(ip) => self.insert_layer(ts, ip, decoded.vlans()),
            None => Outcome::default(),
        }
    }

    /// Feeds one IP layer (with the VLAN ids that key it): the lower-level
    /// form of [`Defragmenter::insert`].
    pub fn insert_layer(&mut self, ts: Timestamp, ip: &IpLayer<'_>, vlans: &VlanStack) -> Outcome {
        match FragmentInput::from_layer(ip, vlans) {
            Some(input) => self.insert_fragment(ts, &input),
            None => Outcome::default(),
        }
    }

    /// Runs the sweep if `now` is in a later second than the last sweep
    /// (Suricata's flow manager schedule). Returns the trackers removed.
    pub fn tick(&mut self, now: Timestamp) -> usize {
        if self.last_sweep.is_some_and(|s| s >= now.secs()) {
            return 0;
        }
        self.last_sweep = Some(now.secs());
        self.sweep(now)
    }

    /// Removes every finished tracker and every tracker expired at `now`,
    /// counting them in `defrag.mgr.tracker_timeout`. Returns how many.
    /// Call it at the end of the input (with the last packet time) to
    /// collect what Suricata's flow manager collects at shutdown.
    pub fn sweep(&mut self, now: Timestamp) -> usize {
        let mut removed = 0usize;
        for i in 0..self.slots.len() {
            let Ok(idx) = u32::try_from(i) else { break };
            let gone = match self.slot(idx) {
                Some(t) => t.finished || t.expired(now),
                None => false,
            };
            if gone {
                self.remove(idx);
                removed += 1;
            }
        }
        self.counters.mgr_tracker_timeout += removed as u64;
        removed
    }

    fn insert_fragment(&mut self, ts: Timestamp, input: &FragmentInput<'_>) -> Outcome {
        let v6 = input.is_v6();
        if v6 {
            self.counters.ipv6_fragments += 1;
        } else {
            self.counters.ipv4_fragments += 1;
        }
        self.tick(ts);

        let idx = match self.lookup(ts, input) {
            Some(idx) => idx,
            None => {
                self.counters.max_trackers_reached += 1;
                return Outcome::default();
            }
        };
        self.touch(idx);

        if input.too_large() {
            return Outcome::with_event(if v6 {
                DecodeEvent::Ipv6FragPktTooLarge
            } else {
                DecodeEvent::Ipv4FragPktTooLarge
            });
        }

        let len = u32::try_from(input.data.len()).unwrap_or(u32::MAX);
        let placement = match self.slot_mut(idx) {
            Some(t) => {
                t.expires = ts.secs().saturating_add(u64::from(t.timeout));
                let policy = t.policy;
                t.frags.place(policy, input.offset, len)
            }
            None => return Outcome::default(),
        };
        self.account(idx);

        let mut out = Outcome::default();
        if placement.overlap {
            out.push(if v6 {
                DecodeEvent::Ipv6FragOverlap
            } else {
                DecodeEvent::Ipv4FragOverlap
            });
        }
        let Some(trim) = placement.store else {
            return out;
        };

        let offset = input.offset.saturating_add(trim);
        let data = input
            .data
            .get(usize::try_from(trim).unwrap_or(usize::MAX)..)
            .unwrap_or(&[]);
        let header = (offset == 0).then(|| input.first_header());
        let payload = data.len() + header.as_ref().map_or(0, Vec::len);
        let (need, stored) = match self.slot(idx) {
            Some(t) => (t.frags.growth_bound(payload), t.frags.len()),
            None => return out,
        };
        if stored >= self.config.max_frags_per_datagram || !self.make_room(need, idx) {
            out.push(if v6 {
                DecodeEvent::Ipv6FragIgnored
            } else {
                DecodeEvent::Ipv4FragIgnored
            });
            self.counters.max_frags_reached += 1;
            self.finish(idx);
            return out;
        }

        let complete = match self.slot_mut(idx) {
            Some(t) => {
                t.frags.store(offset, data, input.more, header.as_deref());
                t.frags.seen_last() && t.frags.is_complete()
            }
            None => false,
        };
        self.account(idx);
        if complete {
            let rebuilt = self.slot(idx).and_then(|t| {
                let a = t.frags.assemble()?;
                let bytes = rebuild(t.v6, a.header, &a.data)?;
                Some(Reassembled::new(bytes, t.v6, t.frags.len()))
            });
            match rebuilt {
                Some(r) => {
                    if v6 {
                        self.counters.ipv6_reassembled += 1;
                    } else {
                        self.counters.ipv4_reassembled += 1;
                    }
                    out.reassembled = Some(r);
                }
                // Only a datagram over 65535 bytes cannot be rebuilt.
                None => out.push(if v6 {
                    DecodeEvent::Ipv6FragPktTooLarge
                } else {
                    DecodeEvent::Ipv4FragPktTooLarge
                }),
            }
            self.finish(idx);
        }
        out
    }

    /// The live tracker for the fragment's key, replacing a finished or
    /// expired one (`wrk.tracker_timeout`), or a new one.
    fn lookup(&mut self, ts: Timestamp, input: &FragmentInput<'_>) -> Option<u32> {
        if let Some(&idx) = self.index.get(&input.key) {
            let stale = match self.slot(idx) {
                Some(t) => t.finished || t.expired(ts),
                None => true,
            };
            if !stale {
                return Some(idx);
            }
            self.remove(idx);
            self.counters.wrk_tracker_timeout += 1;
        }
        self.create(input)
    }

    fn create(&mut self, input: &FragmentInput<'_>) -> Option<u32> {
        while self.trackers >= self.config.max_trackers
            || (self.memory + TRACKER_COST) as u64 > self.config.memcap
        {
            if !self.evict_lru(NIL) {
                return None;
            }
        }
        let tracker = Tracker {
            key: input.key,
            frags: FragList::new(),
            policy: self.config.policy_for(input.dst),
            timeout: self.config.timeout_for(input.dst),
            expires: 0,
            finished: false,
            v6: input.is_v6(),
            mem: TRACKER_COST,
            nfrags: 0,
            prev: NIL,
            next: NIL,
        };
        let idx = match self.free.pop() {
            Some(idx) => {
                if let Some(slot) = self.slots.get_mut(idx as usize) {
                    *slot = Some(tracker);
                }
                idx
            }
            None => {
                let idx = u32::try_from(self.slots.len()).ok()?;
                self.slots.push(Some(tracker));
                idx
            }
        };
        self.index.insert(input.key, idx);
        self.link_tail(idx);
        self.trackers += 1;
        self.memory += TRACKER_COST;
        Some(idx)
    }

    /// Recycles least recently used trackers other than `keep` until
    /// `bytes` more bytes and one more fragment fit; false when they never
    /// will.
    fn make_room(&mut self, bytes: usize, keep: u32) -> bool {
        loop {
            let fits_mem = (self.memory.saturating_add(bytes)) as u64 <= self.config.memcap;
            let fits_frags = self.frags < self.config.max_frags;
            if fits_mem && fits_frags {
                return true;
            }
            if !self.evict_lru(keep) {
                return false;
            }
        }
    }

    /// Removes the least recently used tracker other than `keep`, counting
    /// a soft (finished) or hard (live) reuse. False when there is none.
    fn evict_lru(&mut self, keep: u32) -> bool {
        let mut victim = self.head;
        if victim != NIL && victim == keep {
            victim = self.slot(victim).map_or(NIL, |t| t.next);
        }
        let finished = match self.slot(victim) {
            Some(t) => t.finished,
            None => return false,
        };
        if finished {
            self.counters.tracker_soft_reuse += 1;
        } else {
            self.counters.tracker_hard_reuse += 1;
        }
        self.remove(victim);
        true
    }

    /// Marks a tracker finished and frees its fragments.
    fn finish(&mut self, idx: u32) {
        if let Some(t) = self.slot_mut(idx) {
            t.finished = true;
            t.frags.clear();
        }
        self.account(idx);
    }

    /// Brings the table's memory and fragment totals up to date with one
    /// tracker.
    fn account(&mut self, idx: u32) {
        let Some(t) = self.slots.get_mut(idx as usize).and_then(Option::as_mut) else {
            return;
        };
        let mem = TRACKER_COST + t.frags.memory();
        let nfrags = t.frags.len();
        // Totals are sums of the per-tracker figures; saturating keeps a
        // broken invariant from ever panicking.
        self.memory = self.memory.saturating_sub(t.mem) + mem;
        self.frags = self.frags.saturating_sub(t.nfrags) + nfrags;
        t.mem = mem;
        t.nfrags = nfrags;
    }

    fn remove(&mut self, idx: u32) {
        self.unlink(idx);
        let Some(t) = self.slots.get_mut(idx as usize).and_then(Option::take) else {
            return;
        };
        self.index.remove(&t.key);
        self.free.push(idx);
        self.trackers = self.trackers.saturating_sub(1);
        self.memory = self.memory.saturating_sub(t.mem);
        self.frags = self.frags.saturating_sub(t.nfrags);
    }

    fn slot(&self, idx: u32) -> Option<&Tracker> {
        self.slots.get(idx as usize).and_then(Option::as_ref)
    }

    fn slot_mut(&mut self, idx: u32) -> Option<&mut Tracker> {
        self.slots.get_mut(idx as usize).and_then(Option::as_mut)
    }

    fn touch(&mut self, idx: u32) {
        if self.tail != idx {
            self.unlink(idx);
            self.link_tail(idx);
        }
    }

    fn link_tail(&mut self, idx: u32) {
        let old_tail = self.tail;
        if let Some(t) = self.slot_mut(idx) {
            t.prev = old_tail;
            t.next = NIL;
        }
        match self.slot_mut(old_tail) {
            Some(t) => t.next = idx,
            None => self.head = idx,
        }
        self.tail = idx;
    }

    fn unlink(&mut self, idx: u32) {
        let (prev, next) = match self.slot(idx) {
            Some(t) => (t.prev, t.next),
            None => return,
        };
        match self.slot_mut(prev) {
            Some(p) => p.next = next,
            None => self.head = next,
        }
        match self.slot_mut(next) {
            Some(n) => n.prev = prev,
            None => self.tail = prev,
        }
        if let Some(t) = self.slot_mut(idx) {
            t.prev = NIL;
            t.next = NIL;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_crosses_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Defragmenter>();
    }

    #[test]
    fn key_ignores_direction_only() {
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let k = Key::new(a, b, 17, 5, [0; 3]);
        assert_eq!(k, Key::new(b, a, 17, 5, [0; 3]));
        assert_ne!(k, Key::new(a, b, 6, 5, [0; 3]));
        assert_ne!(k, Key::new(a, b, 17, 6, [0; 3]));
        assert_ne!(k, Key::new(a, b, 17, 5, [1, 0, 0]));
        let m: IpAddr = "::ffff:10.0.0.1".parse().unwrap();
        let n: IpAddr = "::ffff:10.0.0.2".parse().unwrap();
        assert_ne!(k, Key::new(m, n, 17, 5, [0; 3]));
    }

    /// Walks the LRU list both ways and checks it holds every tracker once.
    fn check_links(t: &Defragmenter) {
        let mut forward = Vec::new();
        let mut at = t.head;
        while let Some(tr) = t.slot(at) {
            forward.push(at);
            at = tr.next;
            assert!(forward.len() <= t.slots.len(), "cycle");
        }
        let mut backward = Vec::new();
        let mut at = t.tail;
        while let Some(tr) = t.slot(at) {
            backward.push(at);
            at = tr.prev;
            assert!(backward.len() <= t.slots.len(), "cycle");
        }
        backward.reverse();
        assert_eq!(forward, backward);
        assert_eq!(forward.len(), t.trackers);
        assert_eq!(t.index.len(), t.trackers);
    }

    #[test]
    fn lru_links_survive_touch_evict_and_sweep() {
        let mut t = Defragmenter::new(DefragConfig {
            max_trackers: 3,
            ..DefragConfig::default()
        });
        let src: IpAddr = "10.0.0.1".parse().unwrap();
        let dst: IpAddr = "10.0.0.2".parse().unwrap();
        let data = [0u8; 8];
        for id in [1u32, 2, 3, 2, 1, 4, 5, 1, 6] {
            let input = FragmentInput::for_test(Key::new(src, dst, 17, id, [0; 3]), dst, 8, &data);
            t.insert_fragment(Timestamp::new(10, 0), &input);
            check_links(&t);
            assert!(t.trackers <= 3);
        }
        // 1, 2, 3 in; 2 and 1 touched (LRU order 3, 2, 1); 4 evicts 3;
        // 5 evicts 2; 1 touched; 6 evicts 4.
        assert_eq!(t.counters.tracker_hard_reuse, 3);
        let ids: Vec<u32> = {
            let mut v = Vec::new();
            let mut at = t.head;
            while let Some(tr) = t.slot(at) {
                v.push(tr.key.id);
                at = tr.next;
            }
            v
        };
        assert_eq!(ids, vec![5, 1, 6]);
        assert_eq!(t.sweep(Timestamp::new(10_000, 0)), 3);
        check_links(&t);
        assert_eq!((t.head, t.tail, t.memory), (NIL, NIL, 0));
    }
}
