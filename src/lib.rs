//! rulewire: an intrusion-detection matching engine for the rule files people
//! already run in Snort and Suricata.
//!
//! # The pipeline
//!
//! Each stage is one module, and data flows through them in this order:
//!
//! 1. [`capture`]: pcap and pcapng files read without libpcap (memory-mapped),
//!    and live capture behind the `live` feature.
//! 2. [`decode`]: typed views over the packet bytes, layer by layer, with
//!    Suricata's decoder events for everything malformed. Nothing is dropped
//!    for being odd; odd packets are what an IDS is for.
//! 3. [`defrag`]: IPv4 and IPv6 reassembly with selectable overlap policies.
//! 4. [`flow`]: the symmetric 5-tuple flow table with TCP state for `flow:`.
//! 5. [`applayer`]: per-flow application-layer protocol detection (which
//!    protocol a flow speaks, for rules like `alert tls ...`).
//! 6. [`detect`]: signature groups, the Aho-Corasick fast-pattern prefilter and
//!    full rule evaluation over named inspection buffers.
//! 7. [`output`]: fast.log, EVE JSON and stats.
//!
//! [`ips`] builds what inline mode adds (reject packets).
//! [`runtime`] wires the stages onto threads; [`rule`] and [`config`] turn rule
//! files and a suricata.yaml-shaped configuration into the typed model the
//! detection engine is built from.
//!
//! # Untrusted input
//!
//! Rule files and packets are untrusted. Neither may panic the engine, loop
//! without bound, or grow memory without a cap. Rule problems are values with
//! a `file:line:column` location; packet problems are decoder events and
//! counters, never errors.

#![deny(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links)]

pub mod applayer;
pub mod capture;
pub mod config;
pub mod decode;
pub mod defrag;
pub mod detect;
pub mod flow;
pub mod ips;
pub mod output;
pub mod report;
pub mod rule;
pub mod runtime;
