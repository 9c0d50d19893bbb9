//! Suricata's `decoder.*` statistics: per-packet protocol tallies
//! ([`ProtoCounter`], recorded while decoding) and the run-wide
//! [`DecodeCounters`] that sums them, with a JSON export in Suricata's
//! nested `stats` layout.
//!
//! Counting follows Suricata, not intuition: each decoder bumps its counter
//! when it is *entered*, before its length checks (a 10-byte "IPv4" packet
//! still counts in `decoder.ipv4`), tunnel children count their inner layers
//! again, `decoder.pkts`/`bytes`/`invalid` count only the captured frame, and
//! every event kept on the packet (root and tunnel children that decoded)
//! bumps `decoder.event.<name>`.

use super::event::DecodeEvent;
use super::Decoded;
use serde_json::{Map, Value};

macro_rules! proto_counters {
    ($($variant:ident => $name:literal,)*) => {
        /// A per-protocol counter Suricata keeps (named as in its stats).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ProtoCounter {
            $(
                #[doc = concat!("`", $name, "`")]
                $variant,
            )*
        }

        impl ProtoCounter {
            /// Every counter, in index order.
            pub const ALL: &'static [ProtoCounter] = &[$(ProtoCounter::$variant,)*];

            /// The stats name, e.g. `decoder.ipv4` or `tcp.syn`.
            pub const fn name(self) -> &'static str {
                match self {
                    $(ProtoCounter::$variant => $name,)*
                }
            }
        }
    };
}

proto_counters! {
    Ethernet => "decoder.ethernet",
    Sll => "decoder.sll",
    Sll2 => "decoder.sll2",
    Null => "decoder.null",
    Raw => "decoder.raw",
    Ppp => "decoder.ppp",
    Pppoe => "decoder.pppoe",
    Vlan => "decoder.vlan",
    VlanQinq => "decoder.vlan_qinq",
    VlanQinqinq => "decoder.vlan_qinqinq",
    Ieee8021ah => "decoder.ieee8021ah",
    Mpls => "decoder.mpls",
    Arp => "decoder.arp",
    UnknownEthertype => "decoder.unknown_ethertype",
    Ipv4 => "decoder.ipv4",
    Ipv6 => "decoder.ipv6",
    Tcp => "decoder.tcp",
    Udp => "decoder.udp",
    Sctp => "decoder.sctp",
    Esp => "decoder.esp",
    Icmpv4 => "decoder.icmpv4",
    Icmpv6 => "decoder.icmpv6",
    Gre => "decoder.gre",
    Vxlan => "decoder.vxlan",
    Geneve => "decoder.geneve",
    Teredo => "decoder.teredo",
    Erspan => "decoder.erspan",
    Nsh => "decoder.nsh",
    Ipv4InIpv4 => "decoder.ipv4_in_ipv4",
    Ipv6InIpv4 => "decoder.ipv6_in_ipv4",
    Ipv4InIpv6 => "decoder.ipv4_in_ipv6",
    Ipv6InIpv6 => "decoder.ipv6_in_ipv6",
    TcpSyn => "tcp.syn",
    TcpSynack => "tcp.synack",
    TcpRst => "tcp.rst",
    TcpUrg => "tcp.urg",
}

/// Number of [`ProtoCounter`]s.
pub const PROTO_COUNTERS: usize = ProtoCounter::ALL.len();

/// How often each protocol decoder ran for one frame. Fixed size, no
/// allocation; saturates at 255 (a frame decodes at most 16 layers deep).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProtoCounts([u8; PROTO_COUNTERS]);

impl ProtoCounts {
    /// All zero.
    pub const fn new() -> ProtoCounts {
        ProtoCounts([0; PROTO_COUNTERS])
    }

    pub(crate) fn bump(&mut self, counter: ProtoCounter) {
        if let Some(slot) = self.0.get_mut(counter as usize) {
            *slot = slot.saturating_add(1);
        }
    }

    /// How often `counter` was bumped.
    pub fn get(&self, counter: ProtoCounter) -> u8 {
        self.0.get(counter as usize).copied().unwrap_or(0)
    }

    /// The non-zero counters.
    pub fn iter(&self) -> impl Iterator<Item = (ProtoCounter, u8)> + '_ {
        ProtoCounter::ALL
            .iter()
            .map(|&c| (c, self.get(c)))
            .filter(|&(_, n)| n > 0)
    }
}

impl Default for ProtoCounts {
    fn default() -> ProtoCounts {
        ProtoCounts::new()
    }
}

/// Run-wide decoder counters, Suricata's `decoder.*` (plus the decoder-side
/// `tcp.syn`, `tcp.synack`, `tcp.rst`, `tcp.urg`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeCounters {
    /// `decoder.pkts`: frames recorded.
    pub pkts: u64,
    /// `decoder.bytes`: sum of the recorded lengths.
    pub bytes: u64,
    /// `decoder.invalid`: frames whose root packet was marked invalid.
    pub invalid: u64,
    /// `decoder.max_pkt_size`.
    pub max_pkt_size: u64,
    proto: [u64; PROTO_COUNTERS],
    events: Vec<u64>,
}

impl Default for DecodeCounters {
    fn default() -> DecodeCounters {
        DecodeCounters::new()
    }
}

impl DecodeCounters {
    /// All zero.
    pub fn new() -> DecodeCounters {
        DecodeCounters {
            pkts: 0,
            bytes: 0,
            invalid: 0,
            max_pkt_size: 0,
            proto: [0; PROTO_COUNTERS],
            events: vec![0; DecodeEvent::ALL.len()],
        }
    }

    /// Adds one decoded frame; `pkt_len` is the captured length (Suricata's
    /// `GET_PKT_LEN`).
    pub fn record(&mut self, decoded: &Decoded<'_>, pkt_len: usize) {
        let len = pkt_len as u64;
        self.pkts += 1;
        self.bytes += len;
        self.max_pkt_size = self.max_pkt_size.max(len);
        if decoded.flags().invalid {
            self.invalid += 1;
        }
        for (counter, n) in decoded.proto_counts().iter() {
            if let Some(slot) = self.proto.get_mut(counter as usize) {
                *slot += u64::from(n);
            }
        }
        for event in decoded.events().iter() {
            self.bump_event(event);
        }
    }

    /// Counts an event raised outside the decoder (defragmentation events
    /// such as `ipv4.frag_overlap` are counted on the packet that carries
    /// them).
    pub fn bump_event(&mut self, event: DecodeEvent) {
        if let Some(slot) = self.events.get_mut(event as usize) {
            *slot += 1;
        }
    }

    /// Counts a protocol decoder run outside [`DecodeCounters::record`]
    /// (e.g. the decode of a reassembled packet, which Suricata counts in
    /// `decoder.ipv4` and the L4 counter again).
    pub fn bump_proto(&mut self, counter: ProtoCounter, n: u64) {
        if let Some(slot) = self.proto.get_mut(counter as usize) {
            *slot += n;
        }
    }

    /// Adds another set of counters (for per-worker totals).
    pub fn merge(&mut self, other: &DecodeCounters) {
        self.pkts += other.pkts;
        self.bytes += other.bytes;
        self.invalid += other.invalid;
        self.max_pkt_size = self.max_pkt_size.max(other.max_pkt_size);
        for (a, b) in self.proto.iter_mut().zip(other.proto.iter()) {
            *a += b;
        }
        for (a, b) in self.events.iter_mut().zip(other.events.iter()) {
            *a += b;
        }
    }

    /// A protocol counter.
    pub fn proto(&self, counter: ProtoCounter) -> u64 {
        self.proto.get(counter as usize).copied().unwrap_or(0)
    }

    /// An event counter.
    pub fn event(&self, event: DecodeEvent) -> u64 {
        self.events.get(event as usize).copied().unwrap_or(0)
    }

    /// `decoder.avg_pkt_size`: bytes / pkts, integer division as Suricata.
    pub fn avg_pkt_size(&self) -> u64 {
        self.bytes.checked_div(self.pkts).unwrap_or(0)
    }

    /// Every non-zero counter as `(dotted name, value)`, e.g.
    /// `("decoder.event.ipv4.trunc_pkt", 3)`.
    pub fn entries(&self) -> Vec<(String, u64)> {
        let mut out = Vec::new();
        let mut push = |name: String, v: u64| {
            if v > 0 {
                out.push((name, v));
            }
        };
        push("decoder.pkts".into(), self.pkts);
        push("decoder.bytes".into(), self.bytes);
        push("decoder.invalid".into(), self.invalid);
        push("decoder.avg_pkt_size".into(), self.avg_pkt_size());
        push("decoder.max_pkt_size".into(), self.max_pkt_size);
        for &c in ProtoCounter::ALL {
            push(c.name().to_string(), self.proto(c));
        }
        for &e in DecodeEvent::ALL {
            push(e.counter_name(), self.event(e));
        }
        out
    }

    /// A counter by its dotted stats name (0 when unknown or zero).
    pub fn get(&self, name: &str) -> u64 {
        self.entries()
            .into_iter()
            .find(|(n, _)| n == name)
            .map_or(0, |(_, v)| v)
    }

    /// The counters as nested JSON in Suricata's `stats` layout
    /// (`{"decoder": {"pkts": .., "event": {"ipv4": {"trunc_pkt": ..}}},
    /// "tcp": {"syn": ..}}`), zero counters left out.
    pub fn to_json(&self) -> Value {
        let mut root = Map::new();
        for (name, value) in self.entries() {
            insert_dotted(&mut root, &name, value);
        }
        Value::Object(root)
    }
}

fn insert_dotted(root: &mut Map<String, Value>, name: &str, value: u64) {
    let mut parts = name.split('.').peekable();
    let mut node = root;
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            node.insert(part.to_string(), Value::from(value));
            return;
        }
        let child = node
            .entry(part.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if !child.is_object() {
            *child = Value::Object(Map::new());
        }
        match child {
            Value::Object(map) => node = map,
            _ => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counter_names_are_unique_and_dotted() {
        let mut seen = std::collections::HashSet::new();
        for &c in ProtoCounter::ALL {
            assert!(seen.insert(c.name()));
            assert!(c.name().contains('.'));
        }
    }

    #[test]
    fn json_layout_nests_and_omits_zeros() {
        let mut c = DecodeCounters::new();
        c.pkts = 3;
        c.bytes = 200;
        c.max_pkt_size = 100;
        c.bump_proto(ProtoCounter::Ipv4, 3);
        c.bump_proto(ProtoCounter::TcpSyn, 1);
        c.bump_event(DecodeEvent::Ipv4TruncPkt);
        c.bump_event(DecodeEvent::TooManyLayers);
        let v = c.to_json();
        assert_eq!(v["decoder"]["pkts"], 3);
        assert_eq!(v["decoder"]["bytes"], 200);
        assert_eq!(v["decoder"]["avg_pkt_size"], 66);
        assert_eq!(v["decoder"]["ipv4"], 3);
        assert_eq!(v["decoder"]["event"]["ipv4"]["trunc_pkt"], 1);
        assert_eq!(v["decoder"]["event"]["too_many_layers"], 1);
        assert_eq!(v["tcp"]["syn"], 1);
        assert!(v["decoder"].get("invalid").is_none());
        assert!(v["decoder"].get("ipv6").is_none());
        assert_eq!(c.get("decoder.event.ipv4.trunc_pkt"), 1);
    }
}
