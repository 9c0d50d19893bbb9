//! live: runs over a live source ([`run_live`]), where the reader never
//! waits for the workers.
//!
//! Each frame is copied ([`OwnedPacket`]) and offered to its flow's
//! worker (the flow hash of `dispatch.rs`, as in a file run) over a
//! bounded queue; a full queue discards the frame and counts it
//! (`capture.queue_drops`, [`Progress::dropped`]), so a slow worker never
//! makes the kernel drop for everyone. Alerts reach the writer in the
//! order workers produce them (a live source has no file order to keep).
//! The thread layout is the one every multi-threaded run shares
//! (`crew.rs`).
//!
//! Not here: the live capture source itself (`crate::capture`, feature
//! `live`), NFQUEUE (`crate::ips`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use crossbeam_channel::{bounded, Receiver, Sender, TrySendError};

use super::config::PipelineConfig;
use super::crew::{merge_workers, run_crew, write_unordered, LiveFeed, WorkerTotals};
use super::ctx::Inspector;
use super::dispatch::worker_for;
use super::pipeline::{RecordTap, RecordWriter, Threading};
use super::progress::Progress;
use super::worker::Worker;
use super::RunReport;
use crate::capture::{Next, OwnedPacket, PacketSource};
use crate::output::PacketBytes;

/// What a live run ([`run_live`]) produced.
#[derive(Debug)]
pub struct LiveReport {
    /// The run, counters of all workers merged (`decoder.pkts` counts the
    /// frames the workers processed: read minus queue drops), plus
    /// `capture.queue_drops`.
    pub run: RunReport,
    /// Frames the source yielded.
    pub read: u64,
    /// Frames discarded because their worker's queue was full.
    pub queue_drops: u64,
    /// Alert records the writer failed to write.
    pub write_errors: u64,
}

/// Runs `threading.workers` workers over a live `source` until it ends or
/// `stop` is set (checked after every packet and every idle read).
///
/// Unlike a file run, the reader never waits: each frame is copied
/// ([`OwnedPacket`]) and offered to its flow's worker (flow hash, as in
/// [`run_parallel`](super::run_parallel)) over a bounded queue of `threading.batch ×
/// threading.queue` frames; when that queue is full the frame is
/// discarded and counted (`capture.queue_drops`, [`Progress::dropped`]),
/// so a slow worker never makes the kernel drop for everyone. `read =
/// decoder.pkts + queue_drops` at the end. Alerts reach `writer` in the
/// order workers produce them (a live source has no file order to keep).
pub fn run_live<S, I, T, F, W>(
    source: &mut S,
    cfg: &PipelineConfig,
    threading: &Threading,
    make: F,
    writer: &mut W,
    progress: &Progress,
    stop: &AtomicBool,
) -> LiveReport
where
    S: PacketSource + ?Sized,
    I: Inspector,
    T: RecordTap,
    F: Fn(usize) -> (I, T) + Sync,
    W: RecordWriter,
{
    let start = Instant::now();
    let n = threading.workers.max(1);
    let depth = threading.batch.max(1) * threading.queue.max(1);
    let (senders, inputs): (Vec<Sender<OwnedPacket>>, Vec<Receiver<OwnedPacket>>) =
        (0..n).map(|_| bounded(depth)).unzip();
    let reader = move || {
        let (mut read, mut drops, mut capture_error) = (0u64, 0u64, None);
        while !stop.load(Ordering::Relaxed) {
            match source.next_packet() {
                Ok(Next::Packet(p)) => {
                    read += 1;
                    progress.read.fetch_add(1, Ordering::AcqRel);
                    let w = worker_for(p.linktype, p.data, n);
                    if let Err(TrySendError::Full(_)) = senders[w].try_send(p.to_owned_packet()) {
                        drops += 1;
                        progress.dropped.fetch_add(1, Ordering::AcqRel);
                    }
                }
                Ok(Next::Idle) => {}
                Ok(Next::End) => break,
                Err(e) => {
                    capture_error = Some(e);
                    break;
                }
            }
        }
        // `senders` drops here: the workers drain their queues and end.
        (read, drops, capture_error)
    };
    let (ends, write_errors, (read, drops, capture_error)) = run_crew(
        cfg,
        inputs,
        depth,
        |w, wcfg, rx, records| live_worker(w, wcfg, &make, rx, records, progress),
        |records| write_unordered(records, writer),
        reader,
    );
    let mut run = merge_workers(ends, start, capture_error);
    if drops > 0 {
        let _ = run.stats.set("capture.queue_drops", drops);
    }
    progress.done.store(true, Ordering::Release);
    LiveReport {
        run,
        read,
        queue_drops: drops,
        write_errors,
    }
}

/// One worker of a live run: processes its queue until the reader hangs
/// up, sending each packet's alert records to the writer.
fn live_worker<I, T, F>(
    id: usize,
    cfg: &PipelineConfig,
    make: &F,
    rx: Receiver<OwnedPacket>,
    records: Sender<(u64, PacketBytes)>,
    progress: &Progress,
) -> WorkerTotals
where
    I: Inspector,
    T: RecordTap,
    F: Fn(usize) -> (I, T),
{
    let (inspector, tap) = make(id);
    let mut worker = Worker::with_inspector(cfg, inspector);
    let mut feed = LiveFeed::new(tap, records, progress, false);
    for pkt in rx {
        let t0 = Instant::now();
        worker.process(&pkt.as_raw());
        feed.after_packet(&worker, pkt.index, t0);
    }
    feed.finish(&mut worker)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod live_tests {
    use std::io;
    use std::time::Duration;

    use super::*;
    use crate::capture::{CaptureError, LinkType, RawPacket, Timestamp};
    use crate::decode::craft::{PacketBuilder, TcpSpec};
    use crate::runtime::ctx::PacketCtx;
    use crate::runtime::NoRecords;

    /// `total` copies of one TCP frame (one flow, so one worker), then
    /// the end.
    struct Burst {
        frame: Vec<u8>,
        sent: u64,
        total: u64,
    }

    impl PacketSource for Burst {
        fn next_packet(&mut self) -> Result<Next<'_>, CaptureError> {
            if self.sent == self.total {
                return Ok(Next::End);
            }
            self.sent += 1;
            Ok(Next::Packet(RawPacket {
                index: self.sent,
                ts: Timestamp::new(1_700_000_000, 0),
                linktype: LinkType::ETHERNET,
                data: &self.frame,
                orig_len: self.frame.len() as u32,
            }))
        }
    }

    /// An inspector that takes 200 µs per packet: far slower than the
    /// reader.
    struct Slow;

    impl Inspector for Slow {
        type FlowData = ();
        fn inspect(&mut self, _ctx: &PacketCtx<'_>, _flow: Option<&mut ()>) {
            std::thread::sleep(Duration::from_micros(200));
        }
    }

    fn burst(total: u64) -> Burst {
        let frame = PacketBuilder::ipv4([10, 0, 0, 1], [10, 0, 0, 2])
            .tcp(40000, 80, TcpSpec::syn())
            .ethernet();
        Burst {
            frame,
            sent: 0,
            total,
        }
    }

    #[test]
    fn a_slow_worker_makes_the_queue_drop_and_count() {
        let mut src = burst(5_000);
        let threading = Threading {
            workers: 2,
            batch: 4,
            queue: 4,
        };
        let progress = Progress::default();
        let stop = AtomicBool::new(false);
        let report = run_live(
            &mut src,
            &PipelineConfig::default(),
            &threading,
            |_| (Slow, NoRecords),
            &mut NoWrites,
            &progress,
            &stop,
        );
        assert_eq!(report.read, 5_000);
        // 5000 frames at 200 µs each would take a second; the reader is
        // done in milliseconds, so most of them found the queue full.
        assert!(report.queue_drops > 1_000, "{}", report.queue_drops);
        assert_eq!(
            report.run.stats.counter("decoder.pkts") + report.queue_drops,
            5_000
        );
        assert_eq!(
            report.run.stats.counter("capture.queue_drops"),
            report.queue_drops
        );
        let snap = progress.snapshot();
        assert_eq!(snap.dropped, report.queue_drops);
        assert_eq!(snap.queued, 0);
    }

    #[test]
    fn a_fast_worker_loses_nothing_and_stop_ends_the_run() {
        let mut src = burst(50);
        let progress = Progress::default();
        let stop = AtomicBool::new(false);
        let report = run_live(
            &mut src,
            &PipelineConfig::default(),
            &Threading::new(2),
            |_| (crate::runtime::NoInspection, NoRecords),
            &mut NoWrites,
            &progress,
            &stop,
        );
        assert_eq!((report.read, report.queue_drops), (50, 0));
        assert_eq!(report.run.stats.counter("decoder.pkts"), 50);
        assert!(report.run.stats.get("capture.queue_drops").is_none());
        // Set before the start: nothing is read.
        stop.store(true, Ordering::Relaxed);
        let mut src = burst(50);
        let report = run_live(
            &mut src,
            &PipelineConfig::default(),
            &Threading::new(1),
            |_| (crate::runtime::NoInspection, NoRecords),
            &mut NoWrites,
            &Progress::default(),
            &stop,
        );
        assert_eq!(report.read, 0);
    }

    struct NoWrites;

    impl RecordWriter for NoWrites {
        fn write(&mut self, _index: u64, _rec: PacketBytes) -> io::Result<()> {
            Ok(())
        }
    }
}
