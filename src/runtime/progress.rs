//! progress: the live counters a monitor thread reads while a run goes on
//! ([`Progress`], read as a [`ProgressSnapshot`]), and what each worker
//! adds to them ([`Published`]).
//!
//! Workers update the counters once per batch or every few dozen frames,
//! never per packet, with relaxed or acquire/release atomics and no lock.
//! Nothing here decides anything about the run: the counters only report
//! it.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use super::ctx::Inspector;
use super::worker::Worker;

/// How long the monitor sleeps between looks.
pub const MONITOR_TICK: Duration = Duration::from_millis(100);

/// Counters a monitor thread reads while a run goes on (relaxed atomics,
/// updated once per batch, not per packet).
#[derive(Debug, Default)]
pub struct Progress {
    /// Frames read from the source.
    pub read: AtomicU64,
    /// Bytes of the source consumed (file offset).
    pub offset: AtomicU64,
    /// Frames a worker finished (decoded or invalid).
    pub processed: AtomicU64,
    /// Of those, frames the decoder marked invalid.
    pub invalid: AtomicU64,
    /// Frames discarded before processing (live capture only; always 0
    /// for files).
    pub dropped: AtomicU64,
    /// Alerts raised.
    pub alerts: AtomicU64,
    /// Set when the run is over.
    pub done: AtomicBool,
}

/// A snapshot of [`Progress`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProgressSnapshot {
    /// Frames read.
    pub read: u64,
    /// Frames decoded (processed and not invalid).
    pub decoded: u64,
    /// Frames invalid.
    pub invalid: u64,
    /// Frames dropped.
    pub dropped: u64,
    /// Frames read but not yet processed: `read = decoded + invalid +
    /// dropped + queued`.
    pub queued: u64,
    /// Alerts.
    pub alerts: u64,
}

impl Progress {
    /// The counters now. `processed` is read before `read`, so `queued`
    /// never underflows.
    pub fn snapshot(&self) -> ProgressSnapshot {
        let processed = self.processed.load(Ordering::Acquire);
        let invalid = self.invalid.load(Ordering::Acquire).min(processed);
        let dropped = self.dropped.load(Ordering::Acquire);
        let read = self.read.load(Ordering::Acquire);
        ProgressSnapshot {
            read,
            decoded: processed - invalid,
            invalid,
            dropped,
            queued: read.saturating_sub(processed + dropped),
            alerts: self.alerts.load(Ordering::Relaxed),
        }
    }
}

/// What one worker has added to [`Progress`] so far (frames processed,
/// of them invalid), so that each update adds only what is new.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Published {
    packets: u64,
    invalid: u64,
}

impl Published {
    /// Adds the frames `worker` processed since the last call, and those
    /// of them the decoder marked invalid, to `progress`; to
    /// `progress.read` too when `counts_reads` (the worker reads its
    /// frames itself: single-threaded runs, NFQUEUE queues).
    pub(crate) fn publish<I: Inspector>(
        &mut self,
        progress: &Progress,
        worker: &Worker<I>,
        counts_reads: bool,
    ) {
        let (packets, invalid) = (worker.packets(), worker.decode_counters().invalid);
        let d = (packets - self.packets, invalid - self.invalid);
        if counts_reads {
            progress.read.fetch_add(d.0, Ordering::AcqRel);
        }
        progress.invalid.fetch_add(d.1, Ordering::AcqRel);
        progress.processed.fetch_add(d.0, Ordering::AcqRel);
        *self = Published { packets, invalid };
    }
}
