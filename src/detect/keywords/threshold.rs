//! `threshold`, `detection_filter` and threshold.config state: per rule
//! and per tracked key counters over packet-time windows, with Suricata's
//! semantics (`detect-engine-threshold.c`).
//!
//! What each type decides for one match of the rule (C = count, S =
//! seconds; a window starts at the first match and lasts S whole seconds
//! of packet time):
//! - `limit`: alert on the first C matches of a window.
//! - `threshold`: alert on every C-th match within a window (the count
//!   restarts at each alert and at each new window).
//! - `both`: alert once per window, on its C-th match.
//! - `backoff`: alert on the C-th match, then on the C*M-th, C*M*M-th...
//!   (no window).
//! - `detection_filter`: alert on every match after the C-th in a window.
//! - `rate_filter` ([`ThresholdState::rate`]): after more than C matches
//!   in a window, the rule's action becomes `new_action` for `timeout`
//!   seconds; the alert is always kept.
//! - `suppress` ([`Suppress`]): no alert when the tracked address (or
//!   either, `by_either`) is in the set.
//!
//! Which threshold applies (a threshold.config entry overrides the
//! rule's own) is the engine's choice; this module keeps the counters.
//! Memory is bounded: at most `capacity` entries; when full, entries
//! whose window ended are purged, and if none did, the match is judged as
//! the first of a new window without being stored (counted in
//! [`ThresholdState::untracked`]).

use std::collections::HashMap;
use std::net::IpAddr;

use crate::config as cfg;
use crate::config::{NewAction, RateFilter};
use crate::rule::keywords::meta;
use crate::rule::AddressSet;

/// What is counted separately.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TrackBy {
    /// Per source address.
    Src,
    /// Per destination address.
    Dst,
    /// Per rule.
    Rule,
    /// Per source/destination pair (ordered as in the packet).
    Both,
    /// Per flow.
    Flow,
}

impl TrackBy {
    fn from_rule(t: meta::Track) -> TrackBy {
        match t {
            meta::Track::BySrc => TrackBy::Src,
            meta::Track::ByDst => TrackBy::Dst,
            meta::Track::ByRule => TrackBy::Rule,
            meta::Track::ByBoth => TrackBy::Both,
            meta::Track::ByFlow => TrackBy::Flow,
        }
    }

    fn from_config(t: cfg::Track) -> TrackBy {
        match t {
            cfg::Track::BySrc | cfg::Track::ByEither => TrackBy::Src,
            cfg::Track::ByDst => TrackBy::Dst,
            cfg::Track::ByRule => TrackBy::Rule,
            cfg::Track::ByBoth => TrackBy::Both,
            cfg::Track::ByFlow => TrackBy::Flow,
        }
    }
}

/// The kind of counting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `limit`.
    Limit,
    /// `threshold`.
    Threshold,
    /// `both`.
    Both,
    /// `backoff` with its multiplier.
    Backoff(u32),
    /// `detection_filter`.
    Detection,
}

/// One threshold to apply to a rule's matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThresholdSpec {
    /// Type.
    pub kind: Kind,
    /// Tracking.
    pub track: TrackBy,
    /// `count`.
    pub count: u32,
    /// `seconds`.
    pub seconds: u32,
}

impl ThresholdSpec {
    /// From a rule's `threshold` or `detection_filter`.
    pub fn from_rule(t: &meta::Threshold) -> ThresholdSpec {
        let kind = match t.kind {
            None => Kind::Detection,
            Some(meta::ThresholdType::Limit) => Kind::Limit,
            Some(meta::ThresholdType::Threshold) => Kind::Threshold,
            Some(meta::ThresholdType::Both) => Kind::Both,
            Some(meta::ThresholdType::Backoff) => Kind::Backoff(t.multiplier.unwrap_or(1)),
        };
        ThresholdSpec {
            kind,
            track: TrackBy::from_rule(t.track),
            count: t.count,
            seconds: t.seconds.unwrap_or(0),
        }
    }

    /// From a threshold.config `threshold` or `event_filter` entry.
    pub fn from_config(f: &cfg::Filter) -> ThresholdSpec {
        ThresholdSpec {
            kind: match f.kind {
                cfg::ThresholdType::Limit => Kind::Limit,
                cfg::ThresholdType::Threshold => Kind::Threshold,
                cfg::ThresholdType::Both => Kind::Both,
            },
            track: TrackBy::from_config(f.track),
            count: f.count,
            seconds: f.seconds,
        }
    }
}

/// The packet a match was found in, as tracking needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MatchSite {
    /// Source address.
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// The flow's id (any value unique among live flows).
    pub flow: u64,
    /// Packet time, microseconds.
    pub now_us: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum TrackKey {
    None,
    Host(IpAddr),
    Pair(IpAddr, IpAddr),
    Flow(u64),
}

fn track_key(t: TrackBy, s: &MatchSite) -> TrackKey {
    match t {
        TrackBy::Src => TrackKey::Host(s.src),
        TrackBy::Dst => TrackKey::Host(s.dst),
        TrackBy::Rule => TrackKey::None,
        TrackBy::Both => TrackKey::Pair(s.src, s.dst),
        TrackBy::Flow => TrackKey::Flow(s.flow),
    }
}

/// Key of one counter: the rule (`gid << 32 | sid` or any id the engine
/// chooses), which threshold of it (`slot`), and the tracked key.
type Key = (u64, u8, TrackKey);

#[derive(Clone, Copy, Debug)]
struct Entry {
    /// Window start, whole seconds of packet time.
    start_s: u64,
    count: u32,
    /// Backoff: the next count that alerts. Rate: when the new action
    /// started (`u64::MAX`: not active).
    next: u64,
    /// Seconds after `start_s` (or after the new action started) when the
    /// entry may be purged.
    keep_s: u64,
}

impl Entry {
    fn dead(&self, now_s: u64) -> bool {
        now_s.saturating_sub(self.start_s) >= self.keep_s
            && (self.next == u64::MAX || now_s.saturating_sub(self.next) >= self.keep_s)
    }
}

/// Counters of every threshold, bounded.
#[derive(Debug)]
pub struct ThresholdState {
    map: HashMap<Key, Entry>,
    capacity: usize,
    /// Matches judged without a stored counter because the table was full.
    pub untracked: u64,
}

impl ThresholdState {
    /// An empty state keeping at most `capacity` counters.
    pub fn new(capacity: usize) -> ThresholdState {
        ThresholdState {
            map: HashMap::new(),
            capacity,
            untracked: 0,
        }
    }

    /// How many counters are stored.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Makes room for a new entry; `false` when there is none.
    fn room(&mut self, now_s: u64) -> bool {
        if self.map.len() < self.capacity {
            return true;
        }
        self.map.retain(|_, e| !e.dead(now_s));
        if self.map.len() < self.capacity {
            return true;
        }
        self.untracked += 1;
        false
    }

    /// Records one match of rule `rule` under threshold `slot` and says
    /// whether it alerts.
    pub fn check(&mut self, rule: u64, slot: u8, spec: &ThresholdSpec, at: &MatchSite) -> bool {
        let now_s = at.now_us / 1_000_000;
        let key = (rule, slot, track_key(spec.track, at));
        let secs = u64::from(spec.seconds);
        let c = spec.count;
        if let Some(e) = self.map.get_mut(&key) {
            let in_window = now_s.saturating_sub(e.start_s) < secs;
            return match spec.kind {
                Kind::Limit => {
                    if in_window {
                        e.count = e.count.saturating_add(1);
                        e.count <= c
                    } else {
                        (e.start_s, e.count) = (now_s, 1);
                        true
                    }
                }
                Kind::Threshold => {
                    if in_window {
                        e.count = e.count.saturating_add(1);
                        let hit = e.count >= c;
                        if hit {
                            e.count = 0;
                        }
                        hit
                    } else {
                        (e.start_s, e.count) = (now_s, 1);
                        c <= 1
                    }
                }
                Kind::Both => {
                    if in_window {
                        e.count = e.count.saturating_add(1);
                        e.count == c
                    } else {
                        (e.start_s, e.count) = (now_s, 1);
                        c <= 1
                    }
                }
                Kind::Detection => {
                    if in_window {
                        e.count = e.count.saturating_add(1);
                        e.count > c
                    } else {
                        (e.start_s, e.count) = (now_s, 1);
                        c == 0
                    }
                }
                Kind::Backoff(m) => {
                    e.count = e.count.saturating_add(1);
                    let hit = u64::from(e.count) == e.next;
                    if hit {
                        e.next = e.next.saturating_mul(u64::from(m.max(1)));
                    }
                    hit
                }
            };
        }
        // The first match of this key.
        let (alert, next, keep) = match spec.kind {
            Kind::Limit => (true, u64::MAX, secs),
            Kind::Threshold => (c <= 1, u64::MAX, secs),
            Kind::Both => (c <= 1, u64::MAX, secs),
            Kind::Detection => (c == 0, u64::MAX, secs),
            Kind::Backoff(m) => {
                let first = u64::from(c.max(1));
                if c <= 1 {
                    (true, first.saturating_mul(u64::from(m.max(1))), u64::MAX)
                } else {
                    (false, first, u64::MAX)
                }
            }
        };
        if self.room(now_s) {
            self.map.insert(
                key,
                Entry {
                    start_s: now_s,
                    count: 1,
                    next,
                    keep_s: keep,
                },
            );
        }
        alert
    }

    /// Records one match for a `rate_filter`: the action to use instead
    /// of the rule's while the rate is exceeded (`None`: keep it).
    pub fn rate(
        &mut self,
        rule: u64,
        slot: u8,
        f: &RateFilter,
        at: &MatchSite,
    ) -> Option<NewAction> {
        let now_s = at.now_us / 1_000_000;
        let key = (rule, slot, track_key(TrackBy::from_config(f.track), at));
        let secs = u64::from(f.seconds);
        let timeout = u64::from(f.timeout);
        let Some(e) = self.map.get_mut(&key) else {
            let fire = f.count == 0;
            if self.room(now_s) {
                self.map.insert(
                    key,
                    Entry {
                        start_s: now_s,
                        count: 1,
                        next: if fire { now_s } else { u64::MAX },
                        keep_s: secs.max(timeout),
                    },
                );
            }
            return fire.then_some(f.new_action);
        };
        if e.next != u64::MAX {
            if now_s.saturating_sub(e.next) < timeout {
                return Some(f.new_action);
            }
            // The new action timed out: start counting again.
            (e.next, e.start_s, e.count) = (u64::MAX, now_s, 1);
            return None;
        }
        if now_s.saturating_sub(e.start_s) < secs {
            e.count = e.count.saturating_add(1);
            if e.count > f.count {
                e.next = now_s;
                return Some(f.new_action);
            }
        } else {
            (e.start_s, e.count) = (now_s, 1);
        }
        None
    }
}

/// A threshold.config `suppress` with a target, its address resolved by
/// the engine.
#[derive(Clone, Debug)]
pub struct Suppress {
    /// `by_src`, `by_dst` or `by_either`.
    pub track: cfg::Track,
    /// The addresses.
    pub addrs: AddressSet,
}

impl Suppress {
    /// Whether an alert for `src -> dst` is suppressed.
    pub fn suppresses(&self, src: IpAddr, dst: IpAddr) -> bool {
        match self.track {
            cfg::Track::BySrc => self.addrs.contains(src),
            cfg::Track::ByDst => self.addrs.contains(dst),
            _ => self.addrs.contains(src) || self.addrs.contains(dst),
        }
    }
}

#[cfg(test)]
mod tests;
