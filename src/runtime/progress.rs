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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::capture::{LinkType, RawPacket, Timestamp};
    use crate::decode::craft::{PacketBuilder, TcpSpec};
    use crate::runtime::{NoInspection, PipelineConfig};

    fn process(w: &mut Worker<NoInspection>, index: u64, data: &[u8]) {
        w.process(&RawPacket {
            index,
            ts: Timestamp::new(1_700_000_000, 0),
            linktype: LinkType::ETHERNET,
            data,
            orig_len: data.len() as u32,
        });
    }

    #[test]
    fn publish_adds_only_what_is_new() {
        let good = PacketBuilder::ipv4([10, 0, 0, 1], [10, 0, 0, 2])
            .tcp(40000, 80, TcpSpec::syn())
            .ethernet();
        // Ethernet and 6 bytes of an IPv4 header: an invalid frame.
        let truncated = &good[..20];
        let mut w = Worker::with_inspector(&PipelineConfig::default(), NoInspection);
        let (fed, reads_itself) = (Progress::default(), Progress::default());
        let (mut a, mut b) = (Published::default(), Published::default());
        process(&mut w, 1, &good);
        process(&mut w, 2, truncated);
        a.publish(&fed, &w, false);
        b.publish(&reads_itself, &w, true);
        process(&mut w, 3, &good);
        for _ in 0..2 {
            a.publish(&fed, &w, false);
            b.publish(&reads_itself, &w, true);
        }
        // Three frames, one invalid, each counted once. A worker fed by a
        // reader leaves `read` to it.
        let want = ProgressSnapshot {
            read: 3,
            decoded: 2,
            invalid: 1,
            dropped: 0,
            queued: 0,
            alerts: 0,
        };
        assert_eq!(reads_itself.snapshot(), want);
        assert_eq!(fed.snapshot(), ProgressSnapshot { read: 0, ..want });
    }
}
