//! `tag`: after a rule with `tag` matched, the following packets of its
//! session (flow) or of one of its hosts are *tagged*, for a count of
//! packets, bytes or seconds. Tagged packets are logged as EVE `packet`
//! records (the alert logger's `tagged-packets: yes`); alerts themselves
//! do not change.
//!
//! Semantics are Suricata 8's (`detect-tag.c`, `detect-engine-tag.c`):
//! - Defaults: `tag:session` and `tag:host` tag 256 packets; `host`
//!   without a direction tags the destination. A `packets` count above
//!   256 is lowered to 256 ([`MAX_PACKETS`]); `bytes` and `seconds`
//!   counts are kept.
//! - A tag is set when its rule's match survives thresholds (an alert, or
//!   a match kept for its action only: `noalert`, suppress), before the
//!   alert is queued. One entry per rule (gid, sid) per flow or host; a
//!   new match of the same rule restarts the entry's count, at most
//!   [`MATCH_LIMIT`] times. At most [`MAX_TAGS`] entries per flow or host.
//! - Every inspected packet then updates the entries of its flow, of its
//!   source host and of its destination host (in that order). Each entry
//!   counts the packet (`packets`: +1, `bytes`: + the captured length),
//!   including the packet that set it. The packet that set an entry is not
//!   tagged by it (the alert logs it); after that, an entry whose count is
//!   exceeded (`packets > count`, `bytes > count`, whole seconds since it
//!   was set `> count`) is removed, otherwise the packet is tagged.
//!   So `tag:session,3,packets` tags the 2 packets after the alert.
//! - Host entries idle for [`IDLE_SECS`] go away (Suricata's host timeout,
//!   `TAG_MAX_LAST_TIME_SEEN`); here when their table needs room.
//!
//! Memory: the entries of one detector (one worker) live in two tables,
//! sessions by flow id and hosts by address, that hold at most
//! `capacity` entries together; a tag that finds no room is not set and
//! counted ([`TagTables::refused`]). Flows are spread over workers by
//! their address pair, so a host tag sees only the flows of the worker
//! that set it (see [`TagTables`]).

use std::collections::HashMap;
use std::net::IpAddr;

use crate::rule::keywords::meta::{Tag, TagMetric, TagScope};

/// Most `packets` a tag counts (Suricata's `DETECT_TAG_MAX_PKTS`), also
/// the default count.
pub const MAX_PACKETS: u32 = 256;
/// Most entries per flow or host (`DETECT_TAG_MAX_TAGS`).
pub const MAX_TAGS: usize = 50;
/// How many times a rule's entry restarts on new matches
/// (`DETECT_TAG_MATCH_LIMIT`: the 10th match and later leave it running).
pub const MATCH_LIMIT: u32 = 10;
/// Seconds after its last packet that a host entry expires
/// (`TAG_MAX_LAST_TIME_SEEN`).
pub const IDLE_SECS: u64 = 600;
/// Default bound on the entries one detector keeps.
pub const DEFAULT_CAPACITY: usize = 1 << 16;

const US: u64 = 1_000_000;

/// Which traffic a tag follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TagTarget {
    /// The flow of the packet that matched.
    Session,
    /// That packet's source host.
    SrcHost,
    /// That packet's destination host.
    DstHost,
}

/// One `tag` keyword, with Suricata's defaults applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TagSpec {
    /// What is tagged.
    pub target: TagTarget,
    /// The unit of `count`.
    pub metric: TagMetric,
    /// How many packets, bytes or seconds.
    pub count: u32,
}

impl TagSpec {
    /// The spec of a parsed `tag` (defaults: 256 packets, host `dst`;
    /// `packets` capped at [`MAX_PACKETS`]).
    pub fn from_rule(t: &Tag) -> TagSpec {
        let target = match (t.scope, t.src) {
            (TagScope::Session, _) => TagTarget::Session,
            (TagScope::Host, Some(true)) => TagTarget::SrcHost,
            (TagScope::Host, _) => TagTarget::DstHost,
        };
        let (count, metric) = match t.limit {
            None => (MAX_PACKETS, TagMetric::Packets),
            Some((n, TagMetric::Packets)) => (n.min(MAX_PACKETS), TagMetric::Packets),
            Some((n, m)) => (n, m),
        };
        TagSpec {
            target,
            metric,
            count,
        }
    }
}

/// One rule's tag on one flow or host.
#[derive(Clone, Copy, Debug)]
struct Entry {
    gid: u32,
    sid: u32,
    metric: TagMetric,
    count: u32,
    packets: u64,
    bytes: u64,
    /// Whole seconds when the entry was (re)started.
    first_secs: u64,
    /// Time of the last packet that updated it, microseconds.
    last_us: u64,
    /// The packet that set it has been seen (not tagged by it).
    skipped_first: bool,
    matches: u32,
}

impl Entry {
    fn expired(&self) -> bool {
        let n = u64::from(self.count);
        match self.metric {
            TagMetric::Packets => self.packets > n,
            TagMetric::Bytes => self.bytes > n,
            TagMetric::Seconds => (self.last_us / US).saturating_sub(self.first_secs) > n,
        }
    }
}

/// The entries of one flow or host (at most [`MAX_TAGS`]).
#[derive(Clone, Debug, Default)]
struct TagList(Vec<Entry>);

/// What [`TagList::add`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Added {
    /// A new entry.
    New,
    /// The rule's entry was there (restarted or left running).
    Updated,
    /// The list is full.
    Full,
}

impl TagList {
    /// Sets or restarts the rule's entry (`TagFlowAdd`/`TagHashAddTag`).
    fn add(&mut self, spec: &TagSpec, gid: u32, sid: u32, now_us: u64, room: bool) -> Added {
        if let Some(e) = self.0.iter_mut().find(|e| e.gid == gid && e.sid == sid) {
            e.matches = e.matches.saturating_add(1);
            if e.matches < MATCH_LIMIT {
                e.first_secs = now_us / US;
                e.last_us = now_us;
                e.packets = 0;
                e.bytes = 0;
            }
            return Added::Updated;
        }
        if self.0.len() >= MAX_TAGS || !room {
            return Added::Full;
        }
        self.0.push(Entry {
            gid,
            sid,
            metric: spec.metric,
            count: spec.count,
            packets: 0,
            bytes: 0,
            first_secs: now_us / US,
            last_us: now_us,
            skipped_first: false,
            matches: 0,
        });
        Added::New
    }

    /// Counts one packet in every entry, removes the expired ones; whether
    /// the packet is tagged. Gives back how many entries were removed.
    fn on_packet(&mut self, now_us: u64, len: u64) -> (bool, usize) {
        let mut tagged = false;
        let before = self.0.len();
        self.0.retain_mut(|e| {
            e.last_us = now_us;
            match e.metric {
                TagMetric::Packets => e.packets = e.packets.saturating_add(1),
                TagMetric::Bytes => e.bytes = e.bytes.saturating_add(len),
                TagMetric::Seconds => {}
            }
            if !e.skipped_first {
                e.skipped_first = true;
                return true;
            }
            if e.expired() {
                return false;
            }
            tagged = true;
            true
        });
        (tagged, before - self.0.len())
    }

    /// Removes entries idle for more than [`IDLE_SECS`]; how many.
    fn purge_idle(&mut self, now_us: u64) -> usize {
        let before = self.0.len();
        self.0
            .retain(|e| e.last_us.saturating_add(IDLE_SECS * US) >= now_us);
        before - self.0.len()
    }
}

/// The packet as the tag tables see it.
#[derive(Clone, Copy, Debug)]
pub struct TagPacket {
    /// Source and destination, for IP packets.
    pub addrs: Option<(IpAddr, IpAddr)>,
    /// The flow id, when the packet has a flow.
    pub flow: Option<u64>,
    /// Packet time, microseconds.
    pub now_us: u64,
    /// Captured length (what `bytes` counts).
    pub len: u64,
}

/// One detector's session and host tags, bounded.
///
/// Host tags are per detector: the runtime sends each flow to one worker
/// by its address pair, so a host tag set on one worker tags that host's
/// packets only in the flows that worker sees (with one worker, all of
/// them, as Suricata's global host table does).
#[derive(Debug)]
pub struct TagTables {
    flows: HashMap<u64, TagList>,
    hosts: HashMap<IpAddr, TagList>,
    entries: usize,
    capacity: usize,
    /// Tags not set for want of room (the table's bound, or
    /// [`MAX_TAGS`] on one flow or host).
    pub refused: u64,
}

impl TagTables {
    /// Tables holding at most `capacity` entries.
    pub fn new(capacity: usize) -> TagTables {
        TagTables {
            flows: HashMap::new(),
            hosts: HashMap::new(),
            entries: 0,
            capacity,
            refused: 0,
        }
    }

    /// Entries held now.
    pub fn len(&self) -> usize {
        self.entries
    }

    /// Whether no tag is set.
    pub fn is_empty(&self) -> bool {
        self.entries == 0
    }

    /// Sets the tag `spec` of rule `gid:sid` that matched `pkt`. Session
    /// tags need a flow, host tags an IP packet; without one nothing is
    /// set (as in Suricata).
    pub fn add(&mut self, spec: &TagSpec, gid: u32, sid: u32, pkt: &TagPacket) {
        if self.entries >= self.capacity {
            self.purge_idle(pkt.now_us);
        }
        let room = self.entries < self.capacity;
        let added = match (spec.target, pkt.flow, pkt.addrs) {
            (TagTarget::Session, Some(id), _) => {
                add_to(&mut self.flows, id, spec, gid, sid, pkt, room)
            }
            (TagTarget::SrcHost, _, Some((src, _))) => {
                add_to(&mut self.hosts, src, spec, gid, sid, pkt, room)
            }
            (TagTarget::DstHost, _, Some((_, dst))) => {
                add_to(&mut self.hosts, dst, spec, gid, sid, pkt, room)
            }
            _ => return,
        };
        match added {
            Added::New => self.entries += 1,
            Added::Updated => {}
            Added::Full => self.refused += 1,
        }
    }

    /// Updates the entries `pkt` belongs to (its flow's, then its source
    /// host's, then its destination host's); whether it is tagged.
    pub fn on_packet(&mut self, pkt: &TagPacket) -> bool {
        if self.entries == 0 {
            return false;
        }
        let mut tagged = false;
        if let Some(id) = pkt.flow {
            if let Some(list) = self.flows.get_mut(&id) {
                let (t, removed) = list.on_packet(pkt.now_us, pkt.len);
                tagged |= t;
                self.entries -= removed;
                if list.0.is_empty() {
                    self.flows.remove(&id);
                }
            }
        }
        if let Some((src, dst)) = pkt.addrs {
            // A packet from a host to itself counts twice, as in Suricata
            // (its source and destination are the same host).
            for host in [src, dst] {
                if let Some(list) = self.hosts.get_mut(&host) {
                    let (t, removed) = list.on_packet(pkt.now_us, pkt.len);
                    tagged |= t;
                    self.entries -= removed;
                    if list.0.is_empty() {
                        self.hosts.remove(&host);
                    }
                }
            }
        }
        tagged
    }

    /// Drops entries idle for more than [`IDLE_SECS`] (flows included:
    /// a flow silent that long has ended).
    fn purge_idle(&mut self, now_us: u64) {
        let mut removed = 0;
        for list in self.flows.values_mut().chain(self.hosts.values_mut()) {
            removed += list.purge_idle(now_us);
        }
        self.entries -= removed;
        self.flows.retain(|_, l| !l.0.is_empty());
        self.hosts.retain(|_, l| !l.0.is_empty());
    }
}

/// Adds to the list of `key` in `map`, leaving no empty list behind.
fn add_to<K: std::hash::Hash + Eq + Copy>(
    map: &mut HashMap<K, TagList>,
    key: K,
    spec: &TagSpec,
    gid: u32,
    sid: u32,
    pkt: &TagPacket,
    room: bool,
) -> Added {
    let list = map.entry(key).or_default();
    let added = list.add(spec, gid, sid, pkt.now_us, room);
    if list.0.is_empty() {
        map.remove(&key);
    }
    added
}

#[cfg(test)]
mod tests;
