//! crew: the thread layout every multi-threaded run shares, and the
//! per-worker bookkeeping around it.
//!
//! A multi-threaded run ([`run_parallel`](super::run_parallel),
//! [`run_live`](super::run_live), NFQUEUE's `crate::ips::run_nfqueue`) is
//! one worker thread per input, one writer thread and the calling thread,
//! in one thread scope ([`run_crew`]). Worker `w` owns its input (a
//! channel from the reader, a netlink queue), a sender to the writer and
//! its own copy of the pipeline configuration whose flow table id is
//! `flow.table_id + w`, so EVE `flow_id`s are unique across workers. The
//! calling thread leads (reads the source); when it is done, the crew is
//! joined and a panic in any thread is passed on.
//!
//! At the end each worker hands back its [`WorkerTotals`], merged into
//! one [`RunReport`] by [`merge_workers`]. Runs with no file order to
//! keep (live capture, NFQUEUE) send each packet's alert records to the
//! writer as soon as it is processed ([`LiveFeed`], [`write_unordered`]).
//!
//! Not here: what a worker does with a packet (`worker.rs`), how the
//! reader picks a worker (`dispatch.rs`), writing in packet order
//! (`order.rs`, `pipeline.rs`).

use std::sync::atomic::Ordering;
use std::time::Instant;

use crossbeam_channel::{bounded, Receiver, Sender};

use super::config::PipelineConfig;
use super::ctx::Inspector;
use super::latency::Latency;
use super::pipeline::{RecordTap, RecordWriter};
use super::progress::{Progress, Published};
use super::worker::Worker;
use super::RunReport;
use crate::capture::CaptureError;
use crate::output::{PacketBytes, StatsDoc};

/// Runs one worker thread per item of `inputs` and one writer thread in a
/// thread scope, and `lead` on the calling thread; then joins them all.
/// Returns the workers' results in worker order, the writer's and
/// `lead`'s.
///
/// Worker `w` runs `work(w, cfg_w, input_w, out)`: `cfg_w` is `cfg` with
/// flow table id `flow.table_id + w`; `out` sends to the writer over a
/// channel of `out_depth` items, which `write` drains (it ends once every
/// worker has returned). When workers read from channels, `lead` must own
/// their senders and drop them before it returns, or the workers never
/// end.
pub(crate) fn run_crew<X, O, R, V, L>(
    cfg: &PipelineConfig,
    inputs: Vec<X>,
    out_depth: usize,
    work: impl Fn(usize, &PipelineConfig, X, Sender<O>) -> R + Sync,
    write: impl FnOnce(Receiver<O>) -> V + Send,
    lead: impl FnOnce() -> L,
) -> (Vec<R>, V, L)
where
    X: Send,
    O: Send,
    R: Send,
    V: Send,
{
    let (out_tx, out_rx) = bounded::<O>(out_depth);
    std::thread::scope(|s| {
        let work = &work;
        let handles: Vec<_> = inputs
            .into_iter()
            .enumerate()
            .map(|(w, input)| {
                let out = out_tx.clone();
                let mut wcfg = cfg.clone();
                wcfg.flow.table_id = cfg.flow.table_id.wrapping_add(w as u16);
                s.spawn(move || work(w, &wcfg, input, out))
            })
            .collect();
        drop(out_tx);
        let writer = s.spawn(move || write(out_rx));
        let led = lead();
        let ends = handles
            .into_iter()
            .map(|h| h.join().expect("worker thread panicked"))
            .collect();
        (ends, writer.join().expect("writer thread panicked"), led)
    })
}

/// A worker's totals at the end of a run, merged into one [`RunReport`]
/// by [`merge_workers`].
#[derive(Debug)]
pub(crate) struct WorkerTotals {
    stats: StatsDoc,
    latency: Latency,
    packets: u64,
    bytes: u64,
    max_pkt_size: u64,
    defrag_memuse: u64,
}

impl WorkerTotals {
    /// The counters of `worker`, whose flows have ended
    /// ([`Worker::finish`]), with the per-packet times it recorded.
    pub(crate) fn new<I: Inspector>(worker: &Worker<I>, latency: Latency) -> WorkerTotals {
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
pub(crate) fn merge_workers(
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
    RunReport {
        packets,
        bytes,
        elapsed: start.elapsed(),
        capture_error,
        stats,
        latency: summary,
    }
}

/// Frames a live worker processes between two updates of [`Progress`].
const LIVE_PROGRESS_EVERY: u64 = 64;

/// A worker's side of a run with no file order to keep (live capture,
/// NFQUEUE): each packet's alert records go to the writer
/// ([`write_unordered`]) as soon as the packet is processed, with the
/// packet's time and the worker's progress.
pub(crate) struct LiveFeed<'a, T> {
    tap: T,
    records: Sender<(u64, PacketBytes)>,
    progress: &'a Progress,
    published: Published,
    counts_reads: bool,
    latency: Latency,
}

impl<'a, T: RecordTap> LiveFeed<'a, T> {
    /// A feed of `tap`'s records to `records`; `counts_reads` when the
    /// worker reads its frames itself (see [`Published::publish`]).
    pub(crate) fn new(
        tap: T,
        records: Sender<(u64, PacketBytes)>,
        progress: &'a Progress,
        counts_reads: bool,
    ) -> LiveFeed<'a, T> {
        LiveFeed {
            tap,
            records,
            progress,
            published: Published::default(),
            counts_reads,
            latency: Latency::new(),
        }
    }

    /// After packet `index`, whose processing began at `t0`: records its
    /// time, sends its alert records (counted in [`Progress::alerts`])
    /// and now and then publishes `worker`'s progress.
    pub(crate) fn after_packet<I: Inspector>(
        &mut self,
        worker: &Worker<I>,
        index: u64,
        t0: Instant,
    ) {
        self.latency.record_since(t0);
        if let Some(rec) = self.tap.take() {
            self.progress
                .alerts
                .fetch_add(u64::from(rec.alerts), Ordering::Relaxed);
            let _ = self.records.send((index, rec));
        }
        if worker.packets() % LIVE_PROGRESS_EVERY == 0 {
            self.published
                .publish(self.progress, worker, self.counts_reads);
        }
    }

    /// Ends the run of `worker`: publishes its progress, ends every flow
    /// ([`Worker::finish`]), sends the records that raised (as packet
    /// `u64::MAX`) and gives its totals.
    pub(crate) fn finish<I: Inspector>(mut self, worker: &mut Worker<I>) -> WorkerTotals {
        self.published
            .publish(self.progress, worker, self.counts_reads);
        worker.finish();
        let totals = WorkerTotals::new(worker, self.latency);
        if let Some(rec) = self.tap.take() {
            let _ = self.records.send((u64::MAX, rec));
        }
        totals
    }
}

/// The writer of a run with no file order to keep: writes alert records
/// as they come until every worker has hung up; returns the failures.
pub(crate) fn write_unordered<W: RecordWriter>(
    records: Receiver<(u64, PacketBytes)>,
    writer: &mut W,
) -> u64 {
    let mut errors = 0u64;
    for (index, rec) in records {
        errors += u64::from(writer.write(index, rec).is_err());
    }
    errors
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn each_worker_gets_its_input_and_table_id_and_the_writer_gets_all() {
        let mut cfg = PipelineConfig::default();
        cfg.flow.table_id = 10;
        let (ends, mut written, led) = run_crew(
            &cfg,
            vec!['a', 'b', 'c'],
            1,
            |w, wcfg, input, out| {
                out.send((w, input)).unwrap();
                (w, wcfg.flow.table_id)
            },
            |rx| rx.iter().collect::<Vec<(usize, char)>>(),
            || "led",
        );
        // Results in worker order; table ids 10 + w.
        assert_eq!(ends, vec![(0, 10), (1, 11), (2, 12)]);
        written.sort_unstable();
        assert_eq!(written, vec![(0, 'a'), (1, 'b'), (2, 'c')]);
        assert_eq!(led, "led");
    }
}
