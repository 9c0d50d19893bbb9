//! pipeline: the runs over a capture file, single-threaded
//! ([`run_single`]) and multi-threaded ([`run_parallel`]), and the seams
//! every run writes through ([`RecordTap`], [`RecordWriter`]). Live
//! sources are `live.rs`; the thread layout is `crew.rs`; the monitor's
//! counters are `progress.rs`.
//!
//! # Multi-threaded shape
//!
//! ```text
//!   reader (calling thread) ──batches──▶ worker 0 ─┐
//!     flow hash (dispatch.rs)  ─────────▶ worker 1 ─┼─records+watermarks─▶ writer
//!                              ─────────▶ worker N ─┘      (order.rs)
//! ```
//!
//! The reader walks the memory-mapped file (zero copy: batches hold
//! [`RawPacket`]s borrowing the map; scoped threads let workers borrow
//! it), picks each frame's worker with [`worker_for`](super::dispatch::worker_for)
//! and sends batches of [`Threading::batch`] frames over bounded channels
//! ([`Threading::queue`] batches each). A full channel blocks the reader:
//! in file mode nothing is ever dropped. Each worker owns its [`Worker`]
//! (flows, defrag, inspector) and takes no lock. After a frame it takes
//! the alert bytes its inspector formatted ([`RecordTap`]) and, per batch,
//! sends them with a watermark to the writer, which writes records in
//! packet order ([`Reorder`]; see `order.rs` for the memory bound).
//!
//! Worker `w` numbers its flows with flow table id `table_id + w`, so EVE
//! `flow_id`s are unique across workers (they differ from a
//! single-threaded run's, as Suricata's differ between runs).
//!
//! # What depends on the thread count
//!
//! Alerts and their order do not, for packet-level detection: a flow's
//! packets all reach one worker in capture order. What can differ: flow
//! timeouts run on each worker's own packet clock (a worker sees time
//! advance only through its packets), checksum auto mode decides per
//! worker on its first 1000 frames, and memcaps (`flow.memcap`,
//! `defrag.memcap`) apply per worker.

use std::io;
use std::sync::atomic::Ordering;
use std::time::Instant;

use crossbeam_channel::{bounded, Receiver, Sender};

use super::config::PipelineConfig;
use super::crew::{merge_workers, run_crew, WorkerTotals};
use super::ctx::{Inspector, PacketVerdict};
use super::dispatch::worker_for;
use super::latency::Latency;
use super::order::Reorder;
use super::progress::{Progress, Published};
use super::worker::Worker;
use super::RunReport;
use crate::capture::{CaptureError, CaptureFile, RawPacket};
use crate::output::{BufferTap, PacketBytes, SplitWriter};

/// How a multi-threaded run is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Threading {
    /// Worker threads (at least 1).
    pub workers: usize,
    /// Frames per batch sent to a worker.
    pub batch: usize,
    /// Batches a worker's channel holds before the reader blocks.
    pub queue: usize,
}

impl Threading {
    /// `workers` workers with the default batch (128) and queue (8).
    pub fn new(workers: usize) -> Threading {
        Threading {
            workers: workers.max(1),
            batch: 128,
            queue: 8,
        }
    }

    /// The reader confirms its position to every worker at least this
    /// often (frames), so idle workers do not hold the writer back.
    pub fn flush_every(&self) -> u64 {
        (self.batch * self.workers) as u64
    }
}

/// Where a worker's formatted alerts come from, packet by packet.
pub trait RecordTap {
    /// The alert bytes of the packet just processed, if it raised any.
    fn take(&mut self) -> Option<PacketBytes>;
}

impl RecordTap for BufferTap {
    fn take(&mut self) -> Option<PacketBytes> {
        BufferTap::take(self)
    }
}

/// No records: for inspectors that write nothing (benchmarks, counts).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoRecords;

impl RecordTap for NoRecords {
    fn take(&mut self) -> Option<PacketBytes> {
        None
    }
}

/// The writer thread's output: receives records in packet order.
pub trait RecordWriter: Send {
    /// Writes packet `index`'s alert bytes.
    ///
    /// # Errors
    /// The underlying writer's error (counted, the run goes on).
    fn write(&mut self, index: u64, rec: PacketBytes) -> io::Result<()>;

    /// Whether the writer wants every frame with its IPS verdict
    /// ([`RecordWriter::frame`]); asked once before the run. When true,
    /// every frame makes a record (bounded as the alert records are, see
    /// `order.rs`).
    fn wants_frames(&self) -> bool {
        false
    }

    /// Frame `raw`'s verdict and reject answers, in packet order, after
    /// the frame's alerts ([`RecordWriter::write`]). Called only when
    /// [`RecordWriter::wants_frames`].
    ///
    /// # Errors
    /// The underlying writer's error (counted, the run goes on).
    fn frame(
        &mut self,
        raw: &RawPacket<'_>,
        verdict: PacketVerdict,
        rejects: &[Vec<u8>],
    ) -> io::Result<()> {
        let _ = (raw, verdict, rejects);
        Ok(())
    }
}

impl RecordWriter for SplitWriter<'_> {
    fn write(&mut self, _index: u64, rec: PacketBytes) -> io::Result<()> {
        SplitWriter::write(self, &rec)
    }
}

/// What a multi-threaded run produced beyond the [`RunReport`].
#[derive(Debug)]
pub struct ParallelReport {
    /// The run, counters of all workers merged.
    pub run: RunReport,
    /// Records the writer failed to write.
    pub write_errors: u64,
    /// Most records the reorder buffer held at once.
    pub reorder_high_water: usize,
}

/// Frames between two updates of [`Progress`] on the single path.
const SINGLE_PROGRESS_EVERY: u64 = 256;

/// How far behind the reader a mapped capture's pages are let go
/// ([`CaptureFile::release_before`]): well beyond what batches in flight
/// hold, so workers seldom fault a page back in.
const RELEASE_LAG: u64 = 16 << 20;

/// Runs one worker over every packet of `file` in order on this thread,
/// updating `progress` as it goes; gives the inspector back.
pub fn run_single<I: Inspector>(
    file: &CaptureFile,
    cfg: &PipelineConfig,
    inspector: I,
    progress: &Progress,
) -> (RunReport, I) {
    run_single_frames(file, cfg, inspector, progress, |_, _, _| {})
}

/// [`run_single`], handing every frame with its verdict and reject
/// answers to `on_frame` right after it was processed (inline mode: the
/// caller writes the accepted frames).
pub fn run_single_frames<I, F>(
    file: &CaptureFile,
    cfg: &PipelineConfig,
    inspector: I,
    progress: &Progress,
    mut on_frame: F,
) -> (RunReport, I)
where
    I: Inspector,
    F: FnMut(&RawPacket<'_>, PacketVerdict, &[Vec<u8>]),
{
    let start = Instant::now();
    let mut worker = Worker::with_inspector(cfg, inspector);
    let mut latency = Latency::new();
    let mut capture_error = None;
    let mut packets = file.packets();
    let mut published = Published::default();
    loop {
        let pkt = match packets.next() {
            Some(Ok(p)) => p,
            Some(Err(e)) => {
                capture_error = Some(e);
                break;
            }
            None => break,
        };
        let t0 = Instant::now();
        worker.process(&pkt);
        latency.record_since(t0);
        on_frame(&pkt, worker.frame_verdict(), worker.rejects());
        if worker.packets() % SINGLE_PROGRESS_EVERY == 0 {
            progress
                .offset
                .store(packets.byte_offset(), Ordering::Relaxed);
            file.release_before(packets.byte_offset().saturating_sub(RELEASE_LAG));
            published.publish(progress, &worker, true);
        }
    }
    progress
        .offset
        .store(packets.byte_offset(), Ordering::Relaxed);
    published.publish(progress, &worker, true);
    worker.finish();
    let mut stats = worker.stats();
    let summary = latency.summary();
    summary.add_to(&mut stats);
    let report = RunReport {
        packets: worker.packets(),
        bytes: worker.bytes(),
        elapsed: start.elapsed(),
        capture_error,
        stats,
        latency: summary,
    };
    progress.done.store(true, Ordering::Release);
    (report, worker.into_inspector())
}

/// A batch of frames for one worker, and the reader's position when it
/// was sent: every frame for this worker up to `upto` is in it or earlier.
struct Batch<'a> {
    packets: Vec<RawPacket<'a>>,
    upto: u64,
}

/// One packet's record for the writer: its alerts, and in inline mode
/// the frame with its verdict and reject answers.
struct Record<'a> {
    alerts: Option<PacketBytes>,
    frame: Option<(RawPacket<'a>, PacketVerdict, Vec<Vec<u8>>)>,
}

/// A worker's records for one batch, and its watermark.
struct Done<'a> {
    worker: usize,
    upto: u64,
    records: Vec<(u64, Record<'a>)>,
    /// End-of-run records (flow-end pseudo packets), each with its flow's
    /// order key: written after every packet's, in key order.
    tail: Vec<(u128, Record<'a>)>,
}

/// Runs `threading.workers` workers over `file` (see the module docs).
/// `make(w)` builds worker `w`'s inspector and its record tap on the
/// worker's own thread; `writer` gets every record in packet order.
pub fn run_parallel<I, T, F, W>(
    file: &CaptureFile,
    cfg: &PipelineConfig,
    threading: &Threading,
    make: F,
    writer: &mut W,
    progress: &Progress,
) -> ParallelReport
where
    I: Inspector,
    T: RecordTap,
    F: Fn(usize) -> (I, T) + Sync,
    W: RecordWriter,
{
    run_parallel_with(file, cfg, threading, make, |_| (), writer, progress).0
}

/// [`run_parallel`], and `end(inspector)` of every worker at the end, run
/// on the worker's thread (what an inspector gathered: a rule profile...),
/// in worker order.
pub fn run_parallel_with<I, T, F, E, R, W>(
    file: &CaptureFile,
    cfg: &PipelineConfig,
    threading: &Threading,
    make: F,
    end: E,
    writer: &mut W,
    progress: &Progress,
) -> (ParallelReport, Vec<R>)
where
    I: Inspector,
    T: RecordTap,
    F: Fn(usize) -> (I, T) + Sync,
    E: Fn(I) -> R + Sync,
    R: Send,
    W: RecordWriter,
{
    let start = Instant::now();
    let n = threading.workers.max(1);
    let batch = threading.batch.max(1);
    let frames = writer.wants_frames();
    let (senders, inputs): (Vec<Sender<Batch<'_>>>, Vec<Receiver<Batch<'_>>>) =
        (0..n).map(|_| bounded(threading.queue.max(1))).unzip();
    let (ends, (write_errors, high), capture_error) = run_crew(
        cfg,
        inputs,
        n,
        |w, wcfg, rx, done| worker_loop(w, wcfg, (&make, &end), frames, rx, done, progress),
        |done| writer_loop(n, done, writer),
        // `senders` drops when the reader returns: the workers end.
        move || read_loop(file, n, batch, threading.flush_every(), &senders, progress),
    );
    let (totals, results): (Vec<WorkerTotals>, Vec<R>) = ends.into_iter().unzip();
    let run = merge_workers(totals, start, capture_error);
    progress.done.store(true, Ordering::Release);
    let report = ParallelReport {
        run,
        write_errors,
        reorder_high_water: high,
    };
    (report, results)
}

/// The reader: dispatches every frame; returns the capture error that
/// ended reading, if any.
fn read_loop<'a>(
    file: &'a CaptureFile,
    n: usize,
    batch: usize,
    flush_every: u64,
    senders: &[Sender<Batch<'a>>],
    progress: &Progress,
) -> Option<CaptureError> {
    let mut pending: Vec<Vec<RawPacket<'a>>> = (0..n).map(|_| Vec::with_capacity(batch)).collect();
    let mut packets = file.packets();
    let mut since_flush = 0u64;
    let mut error = None;
    let send = |w: usize, pkts: Vec<RawPacket<'a>>, upto: u64| {
        // A worker only goes away by panicking, which the join reports.
        let _ = senders[w].send(Batch {
            packets: pkts,
            upto,
        });
    };
    loop {
        let pkt = match packets.next() {
            Some(Ok(p)) => p,
            Some(Err(e)) => {
                error = Some(e);
                break;
            }
            None => break,
        };
        let last = pkt.index;
        progress.read.fetch_add(1, Ordering::AcqRel);
        let w = worker_for(pkt.linktype, pkt.data, n);
        pending[w].push(pkt);
        since_flush += 1;
        if pending[w].len() >= batch {
            let full = std::mem::replace(&mut pending[w], Vec::with_capacity(batch));
            send(w, full, last);
        }
        if since_flush >= flush_every {
            since_flush = 0;
            progress
                .offset
                .store(packets.byte_offset(), Ordering::Relaxed);
            file.release_before(packets.byte_offset().saturating_sub(RELEASE_LAG));
            for (w, p) in pending.iter_mut().enumerate() {
                send(w, std::mem::take(p), last);
            }
        }
    }
    progress
        .offset
        .store(packets.byte_offset(), Ordering::Relaxed);
    for (w, p) in pending.into_iter().enumerate() {
        send(w, p, u64::MAX);
    }
    error
}

fn worker_loop<'a, I, T, F, E, R>(
    id: usize,
    cfg: &PipelineConfig,
    (make, end): (&F, &E),
    frames: bool,
    rx: Receiver<Batch<'a>>,
    done: Sender<Done<'a>>,
    progress: &Progress,
) -> (WorkerTotals, R)
where
    I: Inspector,
    T: RecordTap,
    F: Fn(usize) -> (I, T),
    E: Fn(I) -> R,
{
    let (inspector, mut tap) = make(id);
    let mut worker = Worker::with_inspector(cfg, inspector);
    let mut latency = Latency::new();
    let mut published = Published::default();
    for b in rx {
        let mut records = Vec::new();
        for pkt in &b.packets {
            let t0 = Instant::now();
            worker.process(pkt);
            let alerts = tap.take();
            if let Some(rec) = &alerts {
                progress
                    .alerts
                    .fetch_add(u64::from(rec.alerts), Ordering::Relaxed);
            }
            let frame = frames.then(|| (*pkt, worker.frame_verdict(), worker.take_rejects()));
            if alerts.is_some() || frame.is_some() {
                records.push((pkt.index, Record { alerts, frame }));
            }
            latency.record_since(t0);
        }
        published.publish(progress, &worker, false);
        let _ = done.send(Done {
            worker: id,
            upto: b.upto,
            records,
            tail: Vec::new(),
        });
    }
    // Flow-end pseudo packets: one record per flow, keyed by the flow (not
    // the worker), so the writer puts them in the single-threaded order.
    let mut tail = Vec::new();
    let mut take = |key: u128, tail: &mut Vec<(u128, Record<'_>)>| {
        if let Some(rec) = tap.take() {
            progress
                .alerts
                .fetch_add(u64::from(rec.alerts), Ordering::Relaxed);
            tail.push((
                key,
                Record {
                    alerts: Some(rec),
                    frame: None,
                },
            ));
        }
    };
    worker.finish_with(|key| take(key, &mut tail));
    take(u128::MAX, &mut tail);
    if !tail.is_empty() {
        let _ = done.send(Done {
            worker: id,
            upto: u64::MAX,
            records: Vec::new(),
            tail,
        });
    }
    (
        WorkerTotals::new(&worker, latency),
        end(worker.into_inspector()),
    )
}

/// The writer: reorders and writes; returns (write errors, reorder high
/// water).
fn writer_loop<W: RecordWriter>(n: usize, rx: Receiver<Done<'_>>, out: &mut W) -> (u64, usize) {
    let mut order = Reorder::new(n);
    let mut errors = 0u64;
    let mut tail = Vec::new();
    for d in rx {
        for (index, rec) in d.records {
            order.push(index, d.worker, rec);
        }
        tail.extend(d.tail.into_iter().map(|(k, rec)| (k, d.worker, rec)));
        order.confirm(d.worker, d.upto);
        while let Some((index, rec)) = order.pop_ready() {
            errors += write_record(out, index, rec);
        }
    }
    for (index, rec) in order.drain() {
        errors += write_record(out, index, rec);
    }
    tail.sort_by_key(|&(k, w, _)| (k, w));
    for (_, _, rec) in tail {
        errors += write_record(out, u64::MAX, rec);
    }
    (errors, order.high_water())
}

/// Writes one record (alerts, then the frame); returns the failures.
fn write_record<W: RecordWriter>(out: &mut W, index: u64, rec: Record<'_>) -> u64 {
    let mut errors = 0;
    if let Some(a) = rec.alerts {
        errors += u64::from(out.write(index, a).is_err());
    }
    if let Some((raw, verdict, rejects)) = rec.frame {
        errors += u64::from(out.frame(&raw, verdict, &rejects).is_err());
    }
    errors
}
