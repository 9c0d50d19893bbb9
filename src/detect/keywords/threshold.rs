//! `threshold`, `detection_filter` and threshold.config state: per rule
//! and per tracked key counters over packet-time windows, with Suricata's
//! semantics (`detect-engine-threshold.c`).
//!
//! What each type decides for one match of the rule (C = count, S =
//! seconds; a window starts at the first match and lasts S seconds of
//! packet time, its end included, as Suricata's `SCTIME_CMP_LTE`):
//! - `limit`: alert on the first C matches of a window; later matches
//!   are silent ([`Outcome::Silent`]: no alert, the rule's action still
//!   applies).
//! - `threshold`: alert on every C-th match within a window (the count
//!   restarts at each alert and at each new window); other matches are
//!   ignored ([`Outcome::Ignore`]: no alert, no action).
//! - `both`: alert once per window, on its C-th match; matches before it
//!   are ignored, those after it silent.
//! - `backoff`: alert on the C-th match, then on the C*M-th, C*M*M-th...
//!   (no window); the first match is ignored when C > 1, later misses are
//!   silent.
//! - `detection_filter`: alert on every match after the C-th in a window;
//!   the others are ignored.
//! - `rate_filter` ([`ThresholdState::rate`]): after more than C matches
//!   in a window, the rule's action becomes `new_action` until `timeout`
//!   whole seconds have passed; the alert is always kept.
//! - `suppress` ([`Suppress`]): no alert when the tracked address (or
//!   either, `by_either`) is in the set; the action still applies.
//!
//! Which threshold applies (a threshold.config entry overrides the
//! rule's own) is the post-match stage's choice ([`crate::detect`]); this
//! module keeps the counters. Memory is bounded: at most `capacity`
//! entries; when full, entries whose window ended are purged, and if none
//! did, the match is judged as the first of a new window without being
//! stored (counted in [`ThresholdState::untracked`]).

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
        // Suricata keys `by_both` on the pair with the lower address
        // first (`ThresholdGetFromHash`): both directions share a counter.
        TrackBy::Both => TrackKey::Pair(s.src.min(s.dst), s.src.max(s.dst)),
        TrackBy::Flow => TrackKey::Flow(s.flow),
    }
}

/// Key of one counter: the rule (`gid << 32 | sid` or any id the engine
/// chooses), which threshold of it (`slot`), and the tracked key.
type Key = (u64, u8, TrackKey);

/// What one match of a thresholded rule leads to (Suricata's
/// `PacketAlertThreshold` results 1, 2 and 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Alert, and apply the rule's action.
    Alert,
    /// No alert, but the rule's action (drop, pass) still applies.
    Silent,
    /// Neither alert nor action.
    Ignore,
}

const US: u64 = 1_000_000;
/// `next` value meaning "none" (no backoff target, no rate timeout).
const NONE: u64 = u64::MAX;

#[derive(Clone, Copy, Debug)]
struct Entry {
    /// Window start, packet time in microseconds.
    start_us: u64,
    count: u32,
    /// Backoff: the next count that alerts. Rate: when the new action
    /// started, microseconds ([`NONE`]: not active).
    next: u64,
    /// How long after `start_us` (or after the new action started) the
    /// entry may be purged, microseconds.
    keep_us: u64,
}

impl Entry {
    fn dead(&self, now_us: u64) -> bool {
        now_us.saturating_sub(self.start_us) > self.keep_us
            && (self.next == NONE || now_us.saturating_sub(self.next) > self.keep_us)
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
    fn room(&mut self, now_us: u64) -> bool {
        if self.map.len() < self.capacity {
            return true;
        }
        self.map.retain(|_, e| !e.dead(now_us));
        if self.map.len() < self.capacity {
            return true;
        }
        self.untracked += 1;
        false
    }

    /// Records one match of rule `rule` under threshold `slot` and says
    /// what it leads to.
    pub fn check(&mut self, rule: u64, slot: u8, spec: &ThresholdSpec, at: &MatchSite) -> Outcome {
        let c = spec.count;
        // Suricata's fast path: `threshold` with count 1 alerts on every
        // match and keeps no entry.
        if spec.kind == Kind::Threshold && c <= 1 {
            return Outcome::Alert;
        }
        let now = at.now_us;
        let key = (rule, slot, track_key(spec.track, at));
        let window = u64::from(spec.seconds).saturating_mul(US);
        if let Some(e) = self.map.get_mut(&key) {
            let in_window = now <= e.start_us.saturating_add(window);
            if !matches!(spec.kind, Kind::Backoff(_)) && !in_window {
                // A new window: this match counts as its first.
                (e.start_us, e.count) = (now, 1);
                return first_outcome(spec.kind, c).0;
            }
            return match spec.kind {
                Kind::Limit => {
                    e.count = e.count.saturating_add(1);
                    if e.count <= c {
                        Outcome::Alert
                    } else {
                        Outcome::Silent
                    }
                }
                Kind::Threshold => {
                    e.count = e.count.saturating_add(1);
                    if e.count >= c {
                        e.count = 0;
                        Outcome::Alert
                    } else {
                        Outcome::Ignore
                    }
                }
                Kind::Both => {
                    e.count = e.count.saturating_add(1);
                    match e.count.cmp(&c) {
                        std::cmp::Ordering::Equal => Outcome::Alert,
                        std::cmp::Ordering::Greater => Outcome::Silent,
                        std::cmp::Ordering::Less => Outcome::Ignore,
                    }
                }
                Kind::Detection => {
                    e.count = e.count.saturating_add(1);
                    if e.count > c {
                        Outcome::Alert
                    } else {
                        Outcome::Ignore
                    }
                }
                Kind::Backoff(m) => {
                    if e.count == u32::MAX {
                        return Outcome::Silent;
                    }
                    e.count += 1;
                    if u64::from(e.count) == e.next {
                        e.next = backoff_next(e.next, m);
                        Outcome::Alert
                    } else {
                        Outcome::Silent
                    }
                }
            };
        }
        let (out, next) = first_outcome(spec.kind, c);
        let keep = if matches!(spec.kind, Kind::Backoff(_)) {
            u64::MAX
        } else {
            window
        };
        if self.room(now) {
            self.map.insert(
                key,
                Entry {
                    start_us: now,
                    count: 1,
                    next,
                    keep_us: keep,
                },
            );
        }
        out
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
        let now = at.now_us;
        let key = (rule, slot, track_key(TrackBy::from_config(f.track), at));
        let window = u64::from(f.seconds).saturating_mul(US);
        let timeout_s = u64::from(f.timeout);
        let Some(e) = self.map.get_mut(&key) else {
            if self.room(now) {
                self.map.insert(
                    key,
                    Entry {
                        start_us: now,
                        count: 1,
                        next: NONE,
                        keep_us: window.max(timeout_s.saturating_mul(US)),
                    },
                );
            }
            return None;
        };
        if e.next != NONE {
            // Whole seconds, as Suricata compares them.
            if (now / US).saturating_sub(e.next / US) > timeout_s {
                // Timed out: this match is not counted, and the old
                // window carries on.
                e.next = NONE;
                return None;
            }
            return Some(f.new_action);
        }
        if now <= e.start_us.saturating_add(window) {
            e.count = e.count.saturating_add(1);
            if e.count > f.count {
                e.next = now;
                return Some(f.new_action);
            }
        } else {
            (e.start_us, e.count) = (now, 1);
        }
        None
    }
}

/// The outcome of the first match of a key (or window), and the entry's
/// initial `next`.
fn first_outcome(kind: Kind, c: u32) -> (Outcome, u64) {
    match kind {
        Kind::Limit => (Outcome::Alert, NONE),
        Kind::Threshold | Kind::Both if c <= 1 => (Outcome::Alert, NONE),
        Kind::Threshold | Kind::Both | Kind::Detection => (Outcome::Ignore, NONE),
        Kind::Backoff(m) if c <= 1 => (Outcome::Alert, backoff_next(1, m)),
        Kind::Backoff(_) => (Outcome::Ignore, u64::from(c)),
    }
}

/// The next backoff value, capped at `u32::MAX` as Suricata's.
fn backoff_next(cur: u64, m: u32) -> u64 {
    cur.saturating_mul(u64::from(m.max(1)))
        .min(u64::from(u32::MAX))
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
