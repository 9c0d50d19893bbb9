//! defrag: IPv4 and IPv6 reassembly with Suricata's overlap policies,
//! events, limits and counters.
//!
//! # Using it
//!
//! Each worker owns one [`Defragmenter`]. For every decoded packet:
//!
//! ```text
//! let out = table.insert(pkt.ts, &decoded);        // non-fragments: no-op
//! for ev in out.events() { counters.bump_event(ev) } // and attach to this packet
//! if let Some(r) = out.reassembled {
//!     let inner = r.decode(&decode_config);          // raw IPv4/IPv6
//!     // detect on `inner` like any packet (same ts, link, VLANs)
//!     // `inner` may itself carry fragments (tunnels): feed it back
//! }
//! ```
//!
//! The fragment itself still goes to detection as Suricata sends it: with
//! its IP header (for `ip`/`decode-event:` rules) and no transport layer.
//! The reassembled datagram is what transport and content rules see.
//! Call [`Defragmenter::tick`] with every packet's time (it sweeps at most
//! once per second of packet time) and [`Defragmenter::sweep`] once at the
//! end of the input.
//!
//! **Dispatch requirement.** Fragments of one datagram must reach the same
//! worker. Non-first fragments have no ports, so the runtime must hash
//! fragments (IPv4 with MF or an offset, IPv6 with a fragment header) by
//! the address pair only, order-independently; the 5-tuple hash used for
//! flows would split them. The reassembled datagram then belongs to the
//! flow of that worker's choosing only if flows are also hashed by
//! addresses; otherwise the runtime hands it to the flow's worker.
//!
//! # Semantics
//!
//! Suricata 8.0.6 (`defrag.c`, `defrag-hash.c`): which fragments count,
//! the tracker key, the `frag_pkt_too_large` size checks (IPv4:
//! 20 + offset + length > 65535; IPv6: offset + length > 65535), the seven
//! overlap policies with their trimming quirks (see `fragments.rs`), the
//! completeness rule, the rebuilt header (`datagram.rs`), timeouts in
//! packet time and the counter names ([`counters`]). The module docs of
//! each file list where we differ and why.
//!
//! # Untrusted input
//!
//! Every fragment is hostile until proven otherwise. Nothing here panics or
//! indexes unchecked; every stored byte and record counts against
//! [`DefragConfig::memcap`]; trackers, fragments and fragments per datagram
//! are capped; work per fragment is linear in the (capped) fragments of its
//! datagram, and the sweep runs once per second of packet time.
//!
//! # Not here
//!
//! Decoding (the caller decodes the fragment and the result), flow
//! handling, and the YAML (the config layer fills [`DefragConfig`]).

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

pub mod config;
pub mod counters;
mod datagram;
mod fragments;
pub mod outcome;
pub mod policy;
mod table;

pub use config::DefragConfig;
pub use counters::DefragCounters;
pub use outcome::{Outcome, Reassembled};
pub use policy::{HostTable, HostTableError, Policy, Prefix};
pub use table::Defragmenter;
