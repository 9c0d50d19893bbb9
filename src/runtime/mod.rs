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
//! * [`run_single`] (`pipeline.rs`): one worker over a file in order on
//!   the calling thread ([`run_capture`] and [`run_capture_with`] are it
//!   without a monitor). [`fuzz_packet_path`] (`fuzz.rs`) drives a worker
//!   from arbitrary bytes.
//! * [`run_parallel`] (`pipeline.rs`): reader → flow-hash dispatch → N
//!   workers (each owning its flows, no locks on the hot path) → one
//!   writer, over bounded crossbeam channels in batches. Workers format
//!   their alerts into owned per-packet records
//!   ([`BufferSink`](crate::output::BufferSink)); the writer puts them in
//!   packet order ([`Reorder`], `order.rs`), so the same input gives the
//!   same alerts in the same order whatever the thread count.
//! * [`run_live`] (`live.rs`): a live source (libpcap) → flow-hash
//!   dispatch → N workers, where the reader never waits: a frame whose
//!   worker queue is full is discarded and counted (`capture.queue_drops`).
//! * `crew.rs`: the thread layout all multi-threaded runs share (file,
//!   live and NFQUEUE in `crate::ips`): one thread per worker input, a
//!   writer thread, the reader on the calling thread; per-worker totals
//!   merged into one [`RunReport`] (counters added, gauges combined).
//! * [`Progress`] (`progress.rs`): the counters a monitor reads while a
//!   run goes on.
//! * `dispatch.rs`: the flow hash. Symmetric over the **outermost IP
//!   address pair only**: all fragments of a datagram (and the datagram
//!   rebuilt from them), both directions of a flow, a tunnel with every
//!   flow inside it, and an ICMP error with the flow it quotes all reach
//!   the same worker.
//! * `latency.rs`: per-packet processing time per worker in an HDR
//!   histogram, merged at the end; p50/p90/p99/p99.9/max land in
//!   [`RunReport::latency`] and in stats as `rulewire.latency_ns.*`.
//!
//! # Memory of the multi-threaded run
//!
//! File mode never discards: a full worker channel blocks the reader,
//! a full writer channel blocks the worker (backpressure). The writer's
//! reorder buffer holds only records of packets the slowest worker has
//! not confirmed; the reader confirms its position to every worker at
//! least every `batch × workers` frames, so at most `(workers + queue +
//! 2) × batch × workers` packets are pending (see `order.rs`), and only
//! packets that raised alerts hold a record, except in inline mode with
//! `-w OUT.pcap` ([`RecordWriter::wants_frames`]), where every frame does:
//! a borrowed view of the mapped frame, its verdict and its reject answers
//! (at most two small frames), under the same bound.
//!
//! # Inline (IPS) mode
//!
//! [`Worker::frame_verdict`] is the strongest verdict ([`PacketVerdict`],
//! from [`Inspector::verdict`]) over the frame's packets: a dropped tunnel
//! child or rebuilt datagram drops the frame, as Suricata drops the root
//! packet. With `flow.ips_mode` the worker builds the reject answers of
//! the frame's own packet ([`Worker::rejects`]) and counts `ips.accepted`,
//! `ips.blocked`, `ips.rejected` (one per frame; they add up to
//! `decoder.pkts`). [`run_single_frames`] and [`RecordWriter::frame`] hand
//! every frame with its verdict to the caller in capture order.
//!
//! # What depends on the thread count
//!
//! Not alerts nor their order for packet-level detection (asserted on
//! every packet-tier conformance case by `tests/runtime_threads.rs`).
//! EVE `flow_id`s differ (worker `w` numbers flows with table id
//! `flow.table_id + w`); flow timeouts run on each worker's own packet
//! clock; checksum auto mode decides per worker; memcaps apply per
//! worker. Merged stats add counters and combine the gauges
//! (`decoder.avg_pkt_size`, `decoder.max_pkt_size`, `defrag.memuse`).
//!
//! # Accounting
//!
//! Every frame the capture yields is counted in `decoder.pkts`; a capture
//! error ends the run after everything before it was processed, and is
//! reported, not swallowed. At the end, [`Worker::finish`] ends every flow
//! and sweeps the defragmenter, so `flow.end.*` add up to the flows
//! created (minus evictions), as in Suricata's stats at shutdown.

mod config;
mod crew;
mod ctx;
pub mod dispatch;
mod fuzz;
mod latency;
mod live;
mod meta;
mod order;
mod pipeline;
mod progress;
mod settings;
mod worker;

pub use config::{ChecksumPolicy, PipelineConfig};
pub(crate) use crew::{merge_workers, run_crew, write_unordered, LiveFeed, WorkerTotals};
pub use ctx::{
    DefragEvents, Inspector, NoInspection, PacketCtx, PacketRole, PacketVerdict, MAX_DEFRAG_EVENTS,
};
pub use fuzz::fuzz_packet_path;
pub use latency::{Latency, LatencySummary};
pub use live::{run_live, LiveReport};
pub use order::Reorder;
pub use pipeline::{
    run_parallel, run_parallel_with, run_single, run_single_frames, NoRecords, ParallelReport,
    RecordTap, RecordWriter, Threading,
};
pub use progress::{Progress, ProgressSnapshot, MONITOR_TICK};
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
