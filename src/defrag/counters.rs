//! counters: the `defrag.*` statistics under Suricata 8.0.6's names, and
//! their nested-JSON form.
//!
//! | counter | counts |
//! |---|---|
//! | `defrag.ipv4.fragments` / `defrag.ipv6.fragments` | fragments handed to the table (too-large ones included) |
//! | `defrag.ipv4.reassembled` / `defrag.ipv6.reassembled` | datagrams rebuilt |
//! | `defrag.max_trackers_reached` | fragments dropped because no tracker could be had |
//! | `defrag.max_frags_reached` | fragments that found no room (fragment limits or memcap); their datagram is discarded |
//! | `defrag.tracker_soft_reuse` | finished trackers recycled under pressure |
//! | `defrag.tracker_hard_reuse` | live trackers evicted under pressure |
//! | `defrag.wrk.tracker_timeout` | finished or expired trackers replaced when their key came back |
//! | `defrag.mgr.tracker_timeout` | finished or expired trackers removed by the periodic sweep |
//! | `defrag.memuse` | what Suricata prints here: the configured memcap (its flow manager stores `DefragTrackerGetMemcap()`), passed in by the caller |
//!
//! Events (`ipv4.frag_overlap`, ...) are not counted here: they belong to
//! `decoder.event.*`, which the caller bumps from [`super::Outcome`].

use serde_json::{Map, Value};

/// Run-wide defragmentation counters (one set per table; [`merge`] them
/// for a multi-worker total).
///
/// [`merge`]: DefragCounters::merge
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DefragCounters {
    /// `defrag.ipv4.fragments`.
    pub ipv4_fragments: u64,
    /// `defrag.ipv4.reassembled`.
    pub ipv4_reassembled: u64,
    /// `defrag.ipv6.fragments`.
    pub ipv6_fragments: u64,
    /// `defrag.ipv6.reassembled`.
    pub ipv6_reassembled: u64,
    /// `defrag.max_trackers_reached`.
    pub max_trackers_reached: u64,
    /// `defrag.max_frags_reached`.
    pub max_frags_reached: u64,
    /// `defrag.tracker_soft_reuse`.
    pub tracker_soft_reuse: u64,
    /// `defrag.tracker_hard_reuse`.
    pub tracker_hard_reuse: u64,
    /// `defrag.wrk.tracker_timeout`.
    pub wrk_tracker_timeout: u64,
    /// `defrag.mgr.tracker_timeout`.
    pub mgr_tracker_timeout: u64,
}

impl DefragCounters {
    /// All zero.
    pub fn new() -> DefragCounters {
        DefragCounters::default()
    }

    /// Adds another table's counters.
    pub fn merge(&mut self, other: &DefragCounters) {
        for ((_, a), (_, b)) in self.fields_mut().into_iter().zip(other.entries_all()) {
            *a += b;
        }
    }

    fn entries_all(&self) -> [(&'static str, u64); 10] {
        [
            ("defrag.ipv4.fragments", self.ipv4_fragments),
            ("defrag.ipv4.reassembled", self.ipv4_reassembled),
            ("defrag.ipv6.fragments", self.ipv6_fragments),
            ("defrag.ipv6.reassembled", self.ipv6_reassembled),
            ("defrag.max_trackers_reached", self.max_trackers_reached),
            ("defrag.max_frags_reached", self.max_frags_reached),
            ("defrag.tracker_soft_reuse", self.tracker_soft_reuse),
            ("defrag.tracker_hard_reuse", self.tracker_hard_reuse),
            ("defrag.wrk.tracker_timeout", self.wrk_tracker_timeout),
            ("defrag.mgr.tracker_timeout", self.mgr_tracker_timeout),
        ]
    }

    fn fields_mut(&mut self) -> [(&'static str, &mut u64); 10] {
        [
            ("defrag.ipv4.fragments", &mut self.ipv4_fragments),
            ("defrag.ipv4.reassembled", &mut self.ipv4_reassembled),
            ("defrag.ipv6.fragments", &mut self.ipv6_fragments),
            ("defrag.ipv6.reassembled", &mut self.ipv6_reassembled),
            (
                "defrag.max_trackers_reached",
                &mut self.max_trackers_reached,
            ),
            ("defrag.max_frags_reached", &mut self.max_frags_reached),
            ("defrag.tracker_soft_reuse", &mut self.tracker_soft_reuse),
            ("defrag.tracker_hard_reuse", &mut self.tracker_hard_reuse),
            ("defrag.wrk.tracker_timeout", &mut self.wrk_tracker_timeout),
            ("defrag.mgr.tracker_timeout", &mut self.mgr_tracker_timeout),
        ]
    }

    /// Every non-zero counter as `(dotted name, value)`.
    pub fn entries(&self) -> Vec<(&'static str, u64)> {
        self.entries_all()
            .into_iter()
            .filter(|&(_, v)| v > 0)
            .collect()
    }

    /// A counter by its dotted name (0 when unknown or zero).
    pub fn get(&self, name: &str) -> u64 {
        self.entries_all()
            .into_iter()
            .find(|&(n, _)| n == name)
            .map_or(0, |(_, v)| v)
    }

    /// The counters as nested JSON in Suricata's stats layout
    /// (`{"defrag": {"ipv4": {"fragments": ..}, "memuse": ..}}`), zeros left
    /// out. `memuse` is printed as `defrag.memuse`; pass the configured
    /// memcap to print what Suricata prints, or 0 to leave it out.
    pub fn to_json(&self, memuse: u64) -> Value {
        let mut defrag = Map::new();
        let mut entries = self.entries();
        if memuse > 0 {
            entries.push(("defrag.memuse", memuse));
        }
        for (name, value) in entries {
            let path: Vec<&str> = name.split('.').skip(1).collect();
            insert_path(&mut defrag, &path, value);
        }
        let mut root = Map::new();
        if !defrag.is_empty() {
            root.insert("defrag".to_string(), Value::Object(defrag));
        }
        Value::Object(root)
    }
}

fn insert_path(node: &mut Map<String, Value>, path: &[&str], value: u64) {
    match path {
        [] => {}
        [leaf] => {
            node.insert((*leaf).to_string(), Value::from(value));
        }
        [head, rest @ ..] => {
            let child = node
                .entry((*head).to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if !child.is_object() {
                *child = Value::Object(Map::new());
            }
            if let Value::Object(map) = child {
                insert_path(map, rest, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_nests_and_omits_zeros() {
        let c = DefragCounters {
            ipv6_fragments: 4,
            ipv6_reassembled: 1,
            mgr_tracker_timeout: 1,
            ..DefragCounters::new()
        };
        assert_eq!(
            c.to_json(33_554_432),
            json!({"defrag": {
                "ipv6": {"fragments": 4, "reassembled": 1},
                "mgr": {"tracker_timeout": 1},
                "memuse": 33_554_432u64
            }})
        );
        assert_eq!(DefragCounters::new().to_json(0), json!({}));
        assert_eq!(c.get("defrag.ipv6.fragments"), 4);
        assert_eq!(c.get("defrag.ipv4.fragments"), 0);
    }

    #[test]
    fn merge_adds_every_field() {
        let mut a = DefragCounters {
            ipv4_fragments: 1,
            tracker_hard_reuse: 2,
            ..DefragCounters::new()
        };
        let b = DefragCounters {
            ipv4_fragments: 10,
            wrk_tracker_timeout: 3,
            ..DefragCounters::new()
        };
        a.merge(&b);
        assert_eq!(a.ipv4_fragments, 11);
        assert_eq!(a.tracker_hard_reuse, 2);
        assert_eq!(a.wrk_tracker_timeout, 3);
    }
}
