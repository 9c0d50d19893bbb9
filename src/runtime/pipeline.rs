//! pipeline: the runs over a capture file, single-threaded
//! ([`run_single`]) and multi-threaded ([`run_parallel`]), with the live
//! counters a monitor reads ([`Progress`]).
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
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crossbeam_channel::{bounded, Receiver, Sender, TrySendError};

use super::config::PipelineConfig;
use super::ctx::{Inspector, PacketVerdict};
use super::dispatch::worker_for;
use super::latency::Latency;
use super::order::Reorder;
use super::worker::Worker;
use super::RunReport;
use crate::capture::{CaptureError, CaptureFile, Next, OwnedPacket, PacketSource, RawPacket};
use crate::output::{BufferTap, PacketBytes, SplitWriter, StatsDoc};

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
    let mut reported = (0u64, 0u64);
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
        latency.record(elapsed_ns(t0));
        on_frame(&pkt, worker.frame_verdict(), worker.rejects());
        if worker.packets() % SINGLE_PROGRESS_EVERY == 0 {
            progress
                .offset
                .store(packets.byte_offset(), Ordering::Relaxed);
            reported = publish(progress, &worker, reported, true);
        }
    }
    progress
        .offset
        .store(packets.byte_offset(), Ordering::Relaxed);
    publish(progress, &worker, reported, true);
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

fn elapsed_ns(t0: Instant) -> u64 {
    u64::try_from(t0.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

/// Adds what `worker` did since `last` (processed, invalid) to `progress`
/// (and to `read` too when the worker reads for itself).
fn publish<I: Inspector>(
    progress: &Progress,
    worker: &Worker<I>,
    last: (u64, u64),
    counts_reads: bool,
) -> (u64, u64) {
    let now = (worker.packets(), worker.decode_counters().invalid);
    let d = (now.0 - last.0, now.1 - last.1);
    if counts_reads {
        progress.read.fetch_add(d.0, Ordering::AcqRel);
    }
    progress.invalid.fetch_add(d.1, Ordering::AcqRel);
    progress.processed.fetch_add(d.0, Ordering::AcqRel);
    now
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

/// What a worker thread hands back at the end.
struct WorkerEnd {
    stats: StatsDoc,
    latency: Latency,
    packets: u64,
    bytes: u64,
    max_pkt_size: u64,
    defrag_memuse: u64,
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
    let (done_tx, done_rx) = bounded::<Done<'_>>(n);
    let frames = writer.wants_frames();
    let mut capture_error = None;
    let (ends, write_errors, high) = std::thread::scope(|s| {
        let mut senders = Vec::with_capacity(n);
        let mut handles = Vec::with_capacity(n);
        for w in 0..n {
            let (tx, rx) = bounded::<Batch<'_>>(threading.queue.max(1));
            senders.push(tx);
            let done_tx = done_tx.clone();
            let make = &make;
            let end = &end;
            let mut wcfg = cfg.clone();
            wcfg.flow.table_id = cfg.flow.table_id.wrapping_add(w as u16);
            handles.push(
                s.spawn(move || worker_loop(w, &wcfg, (make, end), frames, rx, done_tx, progress)),
            );
        }
        drop(done_tx);
        let writer_handle = s.spawn(move || writer_loop(n, done_rx, writer));
        capture_error = read_loop(file, n, batch, threading.flush_every(), &senders, progress);
        drop(senders);
        let ends: Vec<(WorkerEnd, R)> = handles
            .into_iter()
            .map(|h| h.join().expect("worker thread panicked"))
            .collect();
        let (errors, high) = writer_handle.join().expect("writer thread panicked");
        (ends, errors, high)
    });
    let mut stats = StatsDoc::new();
    let mut latency = Latency::new();
    let (mut packets, mut bytes, mut max_pkt, mut defrag_memuse) = (0, 0, 0, 0);
    let mut results = Vec::with_capacity(ends.len());
    for (end, r) in ends {
        results.push(r);
        let _ = stats.merge("", end.stats.as_value());
        latency.merge(&end.latency);
        packets += end.packets;
        bytes += end.bytes;
        max_pkt = max_pkt.max(end.max_pkt_size);
        defrag_memuse = defrag_memuse.max(end.defrag_memuse);
    }
    // Gauges and averages: combined once, not added.
    if let Some(avg) = bytes.checked_div(packets) {
        let _ = stats.set("decoder.avg_pkt_size", avg);
        let _ = stats.set("decoder.max_pkt_size", max_pkt);
    }
    if defrag_memuse > 0 {
        let _ = stats.set("defrag.memuse", defrag_memuse);
    }
    let summary = latency.summary();
    summary.add_to(&mut stats);
    progress.done.store(true, Ordering::Release);
    let report = ParallelReport {
        run: RunReport {
            packets,
            bytes,
            elapsed: start.elapsed(),
            capture_error,
            stats,
            latency: summary,
        },
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
) -> (WorkerEnd, R)
where
    I: Inspector,
    T: RecordTap,
    F: Fn(usize) -> (I, T),
    E: Fn(I) -> R,
{
    let (inspector, mut tap) = make(id);
    let mut worker = Worker::with_inspector(cfg, inspector);
    let mut latency = Latency::new();
    let mut reported = (0u64, 0u64);
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
            latency.record(elapsed_ns(t0));
        }
        reported = publish(progress, &worker, reported, false);
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
    let stats = worker.stats();
    let we = WorkerEnd {
        defrag_memuse: stats.counter("defrag.memuse"),
        stats,
        latency,
        packets: worker.packets(),
        bytes: worker.bytes(),
        max_pkt_size: worker.decode_counters().max_pkt_size,
    };
    (we, end(worker.into_inspector()))
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

/// How long the monitor sleeps between looks.
pub const MONITOR_TICK: Duration = Duration::from_millis(100);

// ---------------------------------------------------------------------
// Live runs: a source that does not wait for the workers.
// ---------------------------------------------------------------------

/// A worker's totals at the end of a run, merged into one [`RunReport`]
/// by [`merge_workers`] (for runs whose threads are laid out elsewhere:
/// NFQUEUE's one thread per queue).
#[derive(Debug)]
pub struct WorkerTotals {
    stats: StatsDoc,
    latency: Latency,
    packets: u64,
    bytes: u64,
    max_pkt_size: u64,
    defrag_memuse: u64,
}

impl WorkerTotals {
    /// Ends every flow of `worker` ([`Worker::finish`]) and takes its
    /// counters, with the per-packet times it recorded.
    pub fn finish<I: Inspector>(worker: &mut Worker<I>, latency: Latency) -> WorkerTotals {
        worker.finish();
        let stats = worker.stats();
        WorkerTotals {
            defrag_memuse: stats.counter("defrag.memuse"),
            stats,
            latency,
            packets: worker.packets(),
            bytes: worker.bytes(),
            max_pkt_size: worker.decode_counters().max_pkt_size,
        }
    }
}

/// One report from every worker's totals: counters added, gauges
/// (`decoder.avg_pkt_size`, `decoder.max_pkt_size`, `defrag.memuse`)
/// combined once, latency histograms merged. `start` is when the run
/// began (for [`RunReport::elapsed`]).
pub fn merge_workers(
    ends: Vec<WorkerTotals>,
    start: Instant,
    capture_error: Option<CaptureError>,
) -> RunReport {
    let mut stats = StatsDoc::new();
    let mut latency = Latency::new();
    let (mut packets, mut bytes, mut max_pkt, mut defrag_memuse) = (0, 0, 0, 0);
    for end in ends {
        let _ = stats.merge("", end.stats.as_value());
        latency.merge(&end.latency);
        packets += end.packets;
        bytes += end.bytes;
        max_pkt = max_pkt.max(end.max_pkt_size);
        defrag_memuse = defrag_memuse.max(end.defrag_memuse);
    }
    if let Some(avg) = bytes.checked_div(packets) {
        let _ = stats.set("decoder.avg_pkt_size", avg);
        let _ = stats.set("decoder.max_pkt_size", max_pkt);
    }
    if defrag_memuse > 0 {
        let _ = stats.set("defrag.memuse", defrag_memuse);
    }
    let summary = latency.summary();
    summary.add_to(&mut stats);
    RunReport {
        packets,
        bytes,
        elapsed: start.elapsed(),
        capture_error,
        stats,
        latency: summary,
    }
}

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

/// Frames a worker processes between two updates of [`Progress`] in a
/// live run.
const LIVE_PROGRESS_EVERY: u64 = 64;

/// Runs `threading.workers` workers over a live `source` until it ends or
/// `stop` is set (checked after every packet and every idle read).
///
/// Unlike a file run, the reader never waits: each frame is copied
/// ([`OwnedPacket`]) and offered to its flow's worker (flow hash, as in
/// [`run_parallel`]) over a bounded queue of `threading.batch ×
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
    let (rec_tx, rec_rx) = bounded::<(u64, PacketBytes)>(depth);
    let mut capture_error = None;
    let (mut read, mut drops) = (0u64, 0u64);
    let (ends, write_errors) = std::thread::scope(|s| {
        let mut senders = Vec::with_capacity(n);
        let mut handles = Vec::with_capacity(n);
        for w in 0..n {
            let (tx, rx) = bounded::<OwnedPacket>(depth);
            senders.push(tx);
            let rec_tx = rec_tx.clone();
            let make = &make;
            let mut wcfg = cfg.clone();
            wcfg.flow.table_id = cfg.flow.table_id.wrapping_add(w as u16);
            handles.push(s.spawn(move || live_worker(w, &wcfg, make, rx, rec_tx, progress)));
        }
        drop(rec_tx);
        let writer_handle = s.spawn(move || {
            let mut errors = 0u64;
            for (index, rec) in rec_rx {
                errors += u64::from(writer.write(index, rec).is_err());
            }
            errors
        });
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
        drop(senders);
        let ends: Vec<WorkerTotals> = handles
            .into_iter()
            .map(|h| h.join().expect("worker thread panicked"))
            .collect();
        let errors = writer_handle.join().expect("writer thread panicked");
        (ends, errors)
    });
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
    let (inspector, mut tap) = make(id);
    let mut worker = Worker::with_inspector(cfg, inspector);
    let mut latency = Latency::new();
    let mut reported = (0u64, 0u64);
    for pkt in rx {
        let t0 = Instant::now();
        worker.process(&pkt.as_raw());
        latency.record(elapsed_ns(t0));
        if let Some(rec) = tap.take() {
            progress
                .alerts
                .fetch_add(u64::from(rec.alerts), Ordering::Relaxed);
            let _ = records.send((pkt.index, rec));
        }
        if worker.packets() % LIVE_PROGRESS_EVERY == 0 {
            reported = publish(progress, &worker, reported, false);
        }
    }
    publish(progress, &worker, reported, false);
    let totals = WorkerTotals::finish(&mut worker, latency);
    if let Some(rec) = tap.take() {
        let _ = records.send((u64::MAX, rec));
    }
    totals
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod live_tests {
    use super::*;
    use crate::capture::{LinkType, Timestamp};
    use crate::decode::craft::{PacketBuilder, TcpSpec};
    use crate::runtime::ctx::PacketCtx;

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
