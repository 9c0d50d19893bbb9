//! The runtime: wires capture, decode, defrag, flow and detection into a
//! run over one packet source, and accounts for every packet.
//!
//! # Pieces
//!
//! * [`Worker`] (`worker.rs`): one thread's packet path. It owns
//!   everything per-thread and mutable: decoder counters, its
//!   [`Defragmenter`](crate::defrag::Defragmenter), its
//!   [`FlowTable`](crate::flow::FlowTable) and its [`Inspector`]. It never
//!   takes a lock: a multi-threaded runmode gives each worker the packets
//!   of its own flows (and all fragments of a datagram, hashed by address
//!   pair; see the defrag module docs).
//! * [`PacketCtx`] and [`Inspector`] (`ctx.rs`): the seam where detection
//!   plugs in. The worker builds one context per Suricata packet (frame,
//!   tunnel inner packet, rebuilt datagram) and calls
//!   [`Inspector::inspect`] with it and the flow's per-flow data.
//! * `meta.rs`: [`Decoded`](crate::decode::Decoded) → the flow table's
//!   [`PacketMeta`](crate::flow::PacketMeta).
//! * [`PipelineConfig`] (`config.rs`) and its mapping from suricata.yaml
//!   keys (`settings.rs`, [`PipelineConfig::from_config`]).
//! * [`run_capture`]: the single-threaded path, one worker over a file in
//!   order. [`fuzz_packet_path`] (`fuzz.rs`) drives a worker from
//!   arbitrary bytes.
//!
//! # Accounting
//!
//! Every frame the capture yields is counted in `decoder.pkts`; a capture
//! error ends the run after everything before it was processed, and is
//! reported, not swallowed. At the end, [`Worker::finish`] ends every flow
//! and sweeps the defragmenter, so `flow.end.*` add up to the flows
//! created (minus evictions), as in Suricata's stats at shutdown.

mod config;
mod ctx;
pub mod dispatch;
mod fuzz;
mod latency;
mod meta;
mod order;
mod pipeline;
mod settings;
mod worker;

pub use config::{ChecksumPolicy, PipelineConfig};
pub use ctx::{DefragEvents, Inspector, NoInspection, PacketCtx, PacketRole, MAX_DEFRAG_EVENTS};
pub use fuzz::fuzz_packet_path;
pub use latency::{Latency, LatencySummary};
pub use order::Reorder;
pub use pipeline::{
    run_parallel, run_single, NoRecords, ParallelReport, Progress, ProgressSnapshot, RecordTap,
    RecordWriter, Threading, MONITOR_TICK,
};
pub use settings::{builtin_flow_timeouts, SettingsError, BUILTIN_DEFRAG_MEMCAP};
pub use worker::Worker;

use std::time::Duration;

use crate::capture::{CaptureError, CaptureFile};
use crate::output::StatsDoc;

/// What a run produced.
#[derive(Debug)]
pub struct RunReport {
    /// Packets read from the source.
    pub packets: u64,
    /// Captured bytes read.
    pub bytes: u64,
    /// Wall-clock time spent processing.
    pub elapsed: Duration,
    /// The error that ended reading early, if any (packets before it were
    /// processed).
    pub capture_error: Option<CaptureError>,
    /// Counters in Suricata's nested stats layout, zeros left out (plus
    /// our `rulewire.latency_ns.*`).
    pub stats: StatsDoc,
    /// Per-packet processing time.
    pub latency: LatencySummary,
}

/// Runs one worker without detection over every packet of `file`, in
/// order.
pub fn run_capture(file: &CaptureFile, cfg: &PipelineConfig) -> RunReport {
    run_capture_with(file, cfg, NoInspection).0
}

/// Runs one worker handing packets to `inspector` over every packet of
/// `file`, in order; gives the inspector back with the report.
pub fn run_capture_with<I: Inspector>(
    file: &CaptureFile,
    cfg: &PipelineConfig,
    inspector: I,
) -> (RunReport, I) {
    run_single(file, cfg, inspector, &Progress::default())
}
