//! flow: the flow table, TCP session state for the `flow:` keyword, and the
//! flow counters.
//!
//! Sits between decoding (and defragmentation) and detection. The runtime
//! turns each decoded packet into a [`PacketMeta`], sends it to the worker
//! chosen by [`FlowKey::symmetric_hash`] `% n_workers`, and that worker's
//! [`FlowTable`] answers with a [`FlowUpdate`]: the flow's id, the packet's
//! [`Direction`], whether it is `established`, and a [`FlowHandle`] to reach
//! the flow's per-flow detection data.
//!
//! ```
//! use std::net::{IpAddr, Ipv4Addr};
//! use rulewire::flow::{tcp_flags, Direction, FlowConfig, FlowTable, FlowTime, PacketMeta, TcpMeta};
//!
//! let client = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
//! let server = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));
//! let seg = |flags, seq, ack, len| TcpMeta {
//!     src_port: 40000, dst_port: 80, flags, seq, ack, window: 512, payload_len: len, timestamp: None, wscale: None, checksum_ok: true,
//! };
//! let back = |t: TcpMeta| TcpMeta { src_port: t.dst_port, dst_port: t.src_port, ..t };
//! let t0 = FlowTime::from_secs_micros(1_700_000_000, 0);
//! let mut table: FlowTable = FlowTable::new(FlowConfig::default());
//!
//! let syn = table.update(&PacketMeta::tcp(t0, client, server, seg(tcp_flags::SYN, 100, 0, 0))).unwrap();
//! assert!(syn.new_flow && syn.direction == Direction::ToServer && !syn.established);
//! let synack = seg(tcp_flags::SYN | tcp_flags::ACK, 900, 101, 0);
//! let r = table.update(&PacketMeta::tcp(t0, server, client, back(synack))).unwrap();
//! assert_eq!(r.direction, Direction::ToClient);
//! // The ACK that completes the handshake is not yet established ...
//! let ack = table.update(&PacketMeta::tcp(t0, client, server, seg(tcp_flags::ACK, 101, 901, 0))).unwrap();
//! assert!(!ack.established);
//! // ... the next packet is.
//! let data = seg(tcp_flags::ACK | tcp_flags::PSH, 101, 901, 10);
//! assert!(table.update(&PacketMeta::tcp(t0, client, server, data)).unwrap().established);
//!
//! table.flush();
//! assert_eq!(table.counters().to_json()["flow"]["end"]["state"]["established"], 1);
//! ```
//!
//! # The `flow:` keyword, mapped
//!
//! * `to_server`/`from_client`, `to_client`/`from_server`:
//!   [`FlowUpdate::direction`].
//! * `established`, `not_established`: [`FlowUpdate::established`]. A
//!   packet without a flow matches neither direction nor `established`, and
//!   `stateless` needs a flow too (Suricata's `DetectFlowMatch`).
//! * `only_stream`, `no_stream`: which buffer a payload rule inspects,
//!   the reassembled stream or the packet (see `stream`, and the
//!   detection engine's stream modes).
//! * `only_frag`, `no_frag`: a property of the packet (reassembled by
//!   [`crate::defrag`] or not), not of the flow.
//!
//! # Module map
//!
//! * [`packet`](PacketMeta): the input, [`FlowTime`].
//! * `key`: [`FlowKey`], the symmetric hash, [`flow_id`].
//! * `tcp`: [`TcpState`] and the session state machine.
//! * `table`: [`FlowTable`], lookup, timeouts, memcap and eviction.
//! * `store`: the slab, hash index and LRU lists under the table.
//! * `config`: [`FlowConfig`] with Suricata's defaults.
//! * `stream`: per-direction reassembly buffers ([`ReassemblyConfig`]);
//!   `stream_table`: the table's stream side, [`StreamChunk`] (the raw
//!   data a packet may inspect) and [`EndedFlow`] (flow-end pseudo
//!   packets).
//! * `counters`: [`FlowCounters`] in Suricata's stats layout.
//!
//! # Threads
//!
//! A table belongs to one worker; nothing is shared and nothing locks. Flow
//! ownership follows from the symmetric hash: every packet of a connection
//! goes to one worker. Give each of N workers `memcap / N` and its own
//! [`FlowConfig::table_id`], and [`FlowCounters::merge`] their counters.

mod config;
mod counters;
mod exception;
mod key;
mod packet;
mod state;
mod store;
mod stream;
mod stream_table;
mod table;
mod tcp;

pub use config::{
    FlowConfig, FlowTimeouts, ProtoClass, ProtoTimeouts, StateTimeouts, DEFAULT_MEMCAP,
};
pub use counters::FlowCounters;
pub use exception::{app_layer_error_policy, midstream_policy, ExceptionPolicy, FlowAction};
pub use key::{
    flow_id, icmpv4_counterpart, icmpv6_counterpart, FlowKey, KeyOptions, PacketKey,
    DEFAULT_HASH_SEED,
};
pub use packet::{tcp_flags, EmbeddedTuple, FlowTime, L4Meta, PacketMeta, TcpMeta};
pub use state::{Direction, FlowState};
pub use stream::{RawBlocks, ReassemblyConfig, StreamCounters, MAX_OOO_SEGMENTS};
pub use stream_table::{EndedFlow, StreamChunk};
pub use table::{FlowHandle, FlowInfo, FlowTable, FlowUpdate};
pub use tcp::{TcpSeqs, TcpState};
