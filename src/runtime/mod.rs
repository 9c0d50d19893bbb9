//! The runtime: wires capture, decode, defrag, flow and detection into a
//! run over one packet source, and accounts for every packet.
//!
//! A [`Worker`] owns everything that is per-thread and mutable (counters,
//! later its flows and defrag trackers). It never takes a lock: the
//! multi-threaded runmode gives each worker the packets of its own flows.
//! [`run_capture`] is the single-threaded path: one worker, packets in file
//! order.
//!
//! Accounting: every packet the capture yields is counted in
//! `decoder.pkts`; a capture error ends the run after everything before it
//! was processed, and is reported, not swallowed.

mod worker;

pub use worker::{PipelineConfig, Worker};

use std::time::{Duration, Instant};

use crate::capture::{CaptureError, CaptureFile};

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
    /// Counters in Suricata's nested stats layout.
    pub stats: serde_json::Value,
}

/// Runs one worker over every packet of `file`, in order.
pub fn run_capture(file: &CaptureFile, cfg: &PipelineConfig) -> RunReport {
    let start = Instant::now();
    let mut worker = Worker::new(cfg);
    let mut capture_error = None;
    for item in file.packets() {
        match item {
            Ok(pkt) => worker.process(&pkt),
            Err(e) => {
                capture_error = Some(e);
                break;
            }
        }
    }
    worker.finish();
    RunReport {
        packets: worker.packets(),
        bytes: worker.bytes(),
        elapsed: start.elapsed(),
        capture_error,
        stats: worker.stats_json(),
    }
}
