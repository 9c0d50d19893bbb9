//! Flow table settings: memory cap, timeouts, midstream pick-up.
//!
//! Defaults are Suricata 8.0's: the timeouts are those of the `flow-timeouts`
//! section of the suricata.yaml it ships (which Suricata's conformance runs
//! used), *not* the smaller built-in fallbacks in `src/flow-private.h` (TCP
//! new/established/closed 30/300/10 there, 60/600/60 in the yaml). The memory
//! cap is the built-in `FLOW_DEFAULT_MEMCAP` of 32 MiB (`src/flow.c`); the
//! shipped yaml raises it to 128 MiB.
//!
//! The runtime maps its suricata.yaml-shaped configuration onto
//! [`FlowConfig`]; nothing here parses YAML.

use super::exception::ExceptionPolicy;

/// Timeouts in seconds for one protocol class, by flow state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StateTimeouts {
    /// `new`: no reply yet (UDP/ICMP) or handshake not complete (TCP).
    pub new: u32,
    /// `established`.
    pub established: u32,
    /// `closed` (TCP after FIN exchange or RST; other protocols never close).
    pub closed: u32,
}

/// Normal and emergency timeouts of one protocol class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProtoTimeouts {
    /// Used while the table is below its memory cap.
    pub normal: StateTimeouts,
    /// Used in emergency mode (the table hit its cap), to free room faster.
    pub emergency: StateTimeouts,
}

/// Timeouts for each of Suricata's four protocol classes
/// (`FlowGetProtoMapping` in `src/flow-util.c`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlowTimeouts {
    /// `flow-timeouts.default`: every protocol not listed below, ICMPv6,
    /// SCTP and ESP included.
    pub default: ProtoTimeouts,
    /// `flow-timeouts.tcp`.
    pub tcp: ProtoTimeouts,
    /// `flow-timeouts.udp`.
    pub udp: ProtoTimeouts,
    /// `flow-timeouts.icmp`: ICMPv4 only (Suricata maps ICMPv6 to default).
    pub icmp: ProtoTimeouts,
}

impl Default for FlowTimeouts {
    /// suricata.yaml 8.0 `flow-timeouts`. UDP and ICMP have no `closed`
    /// entry there; Suricata's built-in value for them is 0.
    fn default() -> FlowTimeouts {
        let st = |new, established, closed| StateTimeouts {
            new,
            established,
            closed,
        };
        FlowTimeouts {
            default: ProtoTimeouts {
                normal: st(30, 300, 0),
                emergency: st(10, 100, 0),
            },
            tcp: ProtoTimeouts {
                normal: st(60, 600, 60),
                emergency: st(5, 100, 10),
            },
            udp: ProtoTimeouts {
                normal: st(30, 300, 0),
                emergency: st(10, 100, 0),
            },
            icmp: ProtoTimeouts {
                normal: st(30, 300, 0),
                emergency: st(10, 100, 0),
            },
        }
    }
}

/// Suricata's flow protocol classes, which pick the timeouts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProtoClass {
    /// IP protocol 6.
    Tcp = 0,
    /// IP protocol 17.
    Udp = 1,
    /// IP protocol 1 (ICMPv4 only).
    Icmp = 2,
    /// Everything else.
    #[default]
    Default = 3,
}

impl ProtoClass {
    /// The class of an IP protocol number.
    pub fn of(proto: u8) -> ProtoClass {
        match proto {
            6 => ProtoClass::Tcp,
            17 => ProtoClass::Udp,
            1 => ProtoClass::Icmp,
            _ => ProtoClass::Default,
        }
    }

    /// This class's timeouts.
    pub fn timeouts(self, t: &FlowTimeouts) -> &ProtoTimeouts {
        match self {
            ProtoClass::Tcp => &t.tcp,
            ProtoClass::Udp => &t.udp,
            ProtoClass::Icmp => &t.icmp,
            ProtoClass::Default => &t.default,
        }
    }
}

/// Suricata's built-in flow memory cap (`FLOW_DEFAULT_MEMCAP`, 32 MiB).
pub const DEFAULT_MEMCAP: u64 = 32 * 1024 * 1024;

/// Settings of one [`FlowTable`](super::FlowTable).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlowConfig {
    /// Bytes this table may use (`flow.memcap`). The table's memory, as
    /// [`FlowTable::memory_usage`](super::FlowTable::memory_usage) reports
    /// it, never exceeds this. Suricata's memcap is global; with N workers
    /// give each table `memcap / N`.
    pub memcap: u64,
    /// An optional cap on the number of flows, below what `memcap` allows.
    pub max_flows: Option<u32>,
    /// Leave emergency mode once at least this percentage of the table is
    /// free again (`flow.emergency-recovery`, default 30).
    pub emergency_recovery: u8,
    /// Timeouts by protocol class and state.
    pub timeouts: FlowTimeouts,
    /// Pick up TCP sessions whose handshake was not seen
    /// (`stream.midstream`, default false).
    pub midstream: bool,
    /// What to do with a TCP session whose handshake was not seen
    /// (`stream.midstream-policy`, resolved by
    /// [`midstream_policy`](super::midstream_policy)).
    pub midstream_policy: ExceptionPolicy,
    /// IPS mode (`--simulate-ips`): exception policies that reject drop
    /// the flow.
    pub ips_mode: bool,
    /// Key flows by VLAN ids (`vlan.use-for-tracking`, default true).
    pub vlan_tracking: bool,
    /// Key flows by tunnel depth (`decoder.recursion-level.use-for-tracking`,
    /// default true).
    pub recursion_tracking: bool,
    /// This table's number among the workers (below 2048): part of every
    /// flow id, so ids differ across workers.
    pub table_id: u16,
    /// Seed of the bucket hash; see [`FlowKey`](super::FlowKey) on why the
    /// default is fixed.
    pub hash_seed: u64,
    /// At most this many flows are timed out per call to
    /// [`FlowTable::update`](super::FlowTable::update), so no packet waits on
    /// a long sweep; the rest are handled on the following packets.
    pub expire_budget: u32,
    /// `stream.reassembly.*`: used when the worker's inspector inspects
    /// the TCP stream.
    pub reassembly: super::stream::ReassemblyConfig,
}

impl Default for FlowConfig {
    fn default() -> FlowConfig {
        FlowConfig {
            memcap: DEFAULT_MEMCAP,
            max_flows: None,
            emergency_recovery: 30,
            timeouts: FlowTimeouts::default(),
            midstream: false,
            midstream_policy: ExceptionPolicy::Ignore,
            ips_mode: false,
            vlan_tracking: true,
            recursion_tracking: true,
            table_id: 0,
            hash_seed: super::key::DEFAULT_HASH_SEED,
            expire_budget: 64,
            reassembly: super::stream::ReassemblyConfig::default(),
        }
    }
}
