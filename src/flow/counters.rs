//! Flow and TCP-session counters, under Suricata's stats names.
//!
//! [`FlowCounters::to_json`] renders them in the nested layout of Suricata's
//! `stats.json` (`{"flow": {"total": 3, "end": {"state": {...}}}, "tcp":
//! {...}}`) with zeros left out, as the conformance `expected-stats.json`
//! files are; the output stage deep-merges it with the decoder's counters
//! (`tcp.syn`, `tcp.synack` and `tcp.rst` are decoder counters in Suricata and
//! are not counted here).
//!
//! Names and meanings (Suricata 8: `src/decode.c`, `src/flow-util.c`,
//! `src/flow-manager.c`, `src/stream-tcp.c`):
//!
//! | name | meaning |
//! |---|---|
//! | `flow.total`, `flow.tcp`, `flow.udp`, `flow.icmpv4`, `flow.icmpv6` | flows created |
//! | `flow.active` | flows in the table now (0 after [`FlowTable::flush`](super::FlowTable::flush)) |
//! | `flow.end.state.{new,established,closed}` | flows ended, by flow state |
//! | `flow.end.tcp_state.*` | TCP flows with a session ended, by TCP state |
//! | `flow.tcp_reuse` | TCP flows replaced by a new connection on the same tuple |
//! | `flow.get_used` | flows evicted to make room for a new one (table full) |
//! | `flow.memcap` | packets that got no flow because the table was full |
//! | `flow.emerg_mode_entered`, `flow.emerg_mode_over` | emergency mode entered / left |
//! | `flow.mgr.flows_timeout` | flows ended by their timeout |
//! | `flow.memuse` | bytes the table holds |
//! | `tcp.sessions`, `tcp.midstream_pickups` | TCP sessions created, and those picked up midstream |
//! | `tcp.invalid_checksum` | TCP packets skipped by the stream tracker for a bad checksum |
//!
//! As in Suricata, evicted flows (`flow.get_used`) are not counted under
//! `flow.end.*`; every other flow is, exactly once, so after a flush
//! `sum(flow.end.state.*) == flow.total - flow.get_used` and
//! `sum(flow.end.tcp_state.*) == tcp.sessions - (evicted flows that had one)`.

use serde_json::{Map, Value};

use super::state::FlowState;
use super::tcp::TcpState;

/// The counters of one flow table (or, after [`FlowCounters::merge`], of
/// several).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FlowCounters {
    /// `flow.total`.
    pub total: u64,
    /// `flow.tcp`.
    pub tcp: u64,
    /// `flow.udp`.
    pub udp: u64,
    /// `flow.icmpv4`.
    pub icmpv4: u64,
    /// `flow.icmpv6`.
    pub icmpv6: u64,
    /// `flow.active` (a gauge).
    pub active: u64,
    /// `flow.memcap`.
    pub memcap: u64,
    /// `flow.get_used`.
    pub get_used: u64,
    /// `flow.tcp_reuse`.
    pub tcp_reuse: u64,
    /// `flow.emerg_mode_entered`.
    pub emerg_mode_entered: u64,
    /// `flow.emerg_mode_over`.
    pub emerg_mode_over: u64,
    /// `flow.mgr.flows_timeout`.
    pub flows_timeout: u64,
    /// `flow.end.state.*`, indexed by [`FlowState`] as `usize`.
    pub end_state: [u64; 3],
    /// `flow.end.tcp_state.*`, indexed by [`TcpState`] as `usize`.
    pub end_tcp_state: [u64; 12],
    /// `flow.memuse` (a gauge).
    pub memuse: u64,
    /// `tcp.sessions`.
    pub tcp_sessions: u64,
    /// `tcp.midstream_pickups`.
    pub tcp_midstream_pickups: u64,
    /// `tcp.invalid_checksum`.
    pub tcp_invalid_checksum: u64,
}

impl FlowCounters {
    /// Adds `other` into `self` (gauges too: the sum over workers is the
    /// process-wide figure).
    pub fn merge(&mut self, other: &FlowCounters) {
        self.total += other.total;
        self.tcp += other.tcp;
        self.udp += other.udp;
        self.icmpv4 += other.icmpv4;
        self.icmpv6 += other.icmpv6;
        self.active += other.active;
        self.memcap += other.memcap;
        self.get_used += other.get_used;
        self.tcp_reuse += other.tcp_reuse;
        self.emerg_mode_entered += other.emerg_mode_entered;
        self.emerg_mode_over += other.emerg_mode_over;
        self.flows_timeout += other.flows_timeout;
        for (a, b) in self.end_state.iter_mut().zip(other.end_state) {
            *a += b;
        }
        for (a, b) in self.end_tcp_state.iter_mut().zip(other.end_tcp_state) {
            *a += b;
        }
        self.memuse += other.memuse;
        self.tcp_sessions += other.tcp_sessions;
        self.tcp_midstream_pickups += other.tcp_midstream_pickups;
        self.tcp_invalid_checksum += other.tcp_invalid_checksum;
    }

    /// Flows ended in flow state `s`.
    pub fn ended_in(&self, s: FlowState) -> u64 {
        self.end_state.get(s as usize).copied().unwrap_or(0)
    }

    /// TCP flows ended in TCP state `s`.
    pub fn ended_in_tcp(&self, s: TcpState) -> u64 {
        self.end_tcp_state.get(s as usize).copied().unwrap_or(0)
    }

    /// The counters as `{"flow": {...}, "tcp": {...}}`, nested like
    /// Suricata's stats.json, zeros and empty sections left out.
    pub fn to_json(&self) -> Value {
        let mut flow = Map::new();
        put(&mut flow, "total", self.total);
        put(&mut flow, "tcp", self.tcp);
        put(&mut flow, "udp", self.udp);
        put(&mut flow, "icmpv4", self.icmpv4);
        put(&mut flow, "icmpv6", self.icmpv6);
        put(&mut flow, "active", self.active);
        put(&mut flow, "memcap", self.memcap);
        put(&mut flow, "get_used", self.get_used);
        put(&mut flow, "tcp_reuse", self.tcp_reuse);
        put(&mut flow, "emerg_mode_entered", self.emerg_mode_entered);
        put(&mut flow, "emerg_mode_over", self.emerg_mode_over);
        put(&mut flow, "memuse", self.memuse);

        let mut state = Map::new();
        for s in FlowState::ALL {
            put(&mut state, s.name(), self.ended_in(s));
        }
        let mut tcp_state = Map::new();
        for s in TcpState::ALL {
            put(&mut tcp_state, s.name(), self.ended_in_tcp(s));
        }
        let mut end = Map::new();
        put_map(&mut end, "state", state);
        put_map(&mut end, "tcp_state", tcp_state);
        put_map(&mut flow, "end", end);

        let mut mgr = Map::new();
        put(&mut mgr, "flows_timeout", self.flows_timeout);
        put_map(&mut flow, "mgr", mgr);

        let mut tcp = Map::new();
        put(&mut tcp, "sessions", self.tcp_sessions);
        put(&mut tcp, "midstream_pickups", self.tcp_midstream_pickups);
        put(&mut tcp, "invalid_checksum", self.tcp_invalid_checksum);

        let mut root = Map::new();
        put_map(&mut root, "flow", flow);
        put_map(&mut root, "tcp", tcp);
        Value::Object(root)
    }
}

fn put(m: &mut Map<String, Value>, name: &str, v: u64) {
    if v != 0 {
        m.insert(name.to_string(), Value::from(v));
    }
}

fn put_map(m: &mut Map<String, Value>, name: &str, sub: Map<String, Value>) {
    if !sub.is_empty() {
        m.insert(name.to_string(), Value::Object(sub));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_is_nested_and_omits_zeros() {
        let mut c = FlowCounters {
            total: 3,
            tcp: 2,
            udp: 1,
            tcp_sessions: 2,
            ..FlowCounters::default()
        };
        c.end_state[FlowState::Closed as usize] = 2;
        c.end_state[FlowState::New as usize] = 1;
        c.end_tcp_state[TcpState::Closed as usize] = 2;
        assert_eq!(
            c.to_json(),
            json!({
                "flow": {
                    "total": 3, "tcp": 2, "udp": 1,
                    "end": {"state": {"new": 1, "closed": 2}, "tcp_state": {"closed": 2}}
                },
                "tcp": {"sessions": 2}
            })
        );
        assert_eq!(FlowCounters::default().to_json(), json!({}));
    }

    #[test]
    fn merge_adds_everything() {
        let mut a = FlowCounters {
            total: 1,
            memuse: 10,
            ..FlowCounters::default()
        };
        a.end_tcp_state[TcpState::SynSent as usize] = 1;
        let mut b = a.clone();
        b.get_used = 4;
        a.merge(&b);
        assert_eq!(a.total, 2);
        assert_eq!(a.memuse, 20);
        assert_eq!(a.get_used, 4);
        assert_eq!(a.ended_in_tcp(TcpState::SynSent), 2);
    }
}
