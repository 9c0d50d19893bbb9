//! Inline IPS on Linux netfilter queues (`rulewire run -q N`, Suricata's
//! NFQ mode): packets an `iptables … -j NFQUEUE --queue-num N` rule queues
//! are read over netlink (the `nfq` crate: pure Rust on libc, no
//! libnetfilter_queue), inspected, and given back to the kernel with a
//! verdict: accept, or drop for a packet a `drop`/`reject` rule matched.
//!
//! # Threads
//!
//! One thread per queue, each owning its netlink socket and its
//! [`Worker`]: receive → process → verdict, with no lock and no channel on
//! the hot path (Suricata's NFQ `workers` runmode). Several queues
//! (`-q 0 -q 1`, with iptables' `--queue-balance 0:1`, which hashes both
//! directions of a flow onto one queue) spread the load. Alert records go
//! to one writer thread over a bounded channel, in the order the queues
//! produce them. Packet numbers (`pcap_cnt`) come from one counter shared
//! by all queues (one relaxed atomic add per packet).
//!
//! The `nfq` crate's socket has no timeout and does not expose its file
//! descriptor, so each queue reads without blocking. When the queue is
//! empty it first yields the CPU up to [`SPIN_READS`] times (a TCP
//! sender waiting for its ACKs empties the queue between bursts; sleeping
//! then would cap throughput), then sleeps 50 µs, doubling to 1 ms while
//! it stays empty: a busy queue never sleeps; an idle one adds at most
//! 1 ms to the first packet after a pause. `stop` (set by SIGINT/SIGTERM)
//! is checked between reads.
//!
//! # Failure modes
//!
//! * `nfq.fail-open: yes` sets `NFQA_CFG_F_FAIL_OPEN`: when the kernel
//!   queue is full (`max-pending-packets × 4` packets, as Suricata sizes
//!   it), new packets are accepted uninspected. Otherwise (fail-closed)
//!   the kernel drops them. While no process is bound to the queue the
//!   kernel drops queued packets unless the iptables rule has
//!   `--queue-bypass`.
//! * Rejects: the packet is dropped and the answers
//!   ([`super::reject_frames`], bare IP packets) go out through raw IP
//!   sockets ([`RawInjector`]), as Suricata's libnet reject does.
//!
//! # Not supported
//!
//! `nfq.mode: repeat` and `route` (an error), `nfq.repeat-mark/-mask`,
//! `nfq.bypass-mark/-mask`, `nfq.batchcount` (verdicts are sent one by
//! one), marks and modified payloads in verdicts. Checksums: the kernel
//! hands locally generated packets with their checksum not yet computed
//! (`NFQA_SKB_CSUMNOTREADY`); Suricata then ignores that packet's
//! checksum. The worker has no per-packet switch, so `run -q` turns
//! checksum validation off unless `-k all` is given.

use std::io;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use nfq::{Message, Queue, Verdict};

use super::inject::RawInjector;
use crate::capture::{LinkType, RawPacket, Timestamp};
use crate::config::Config;
use crate::runtime::{
    merge_workers, run_crew, write_unordered, Inspector, LiveFeed, PacketVerdict, PipelineConfig,
    Progress, RecordTap, RecordWriter, RunReport, Worker, WorkerTotals,
};

/// Suricata's `max-pending-packets` default.
const DEFAULT_MAX_PENDING: u64 = 1024;
/// Suricata's `NFQ_BURST_FACTOR`: the kernel queue holds this many times
/// `max-pending-packets`.
const BURST_FACTOR: u64 = 4;
/// Empty reads answered by yielding the CPU before an idle queue sleeps.
const SPIN_READS: u32 = 2000;
/// Longest sleep of an idle queue.
const MAX_IDLE_SLEEP: Duration = Duration::from_millis(1);
/// Alert records in flight to the writer.
const RECORD_QUEUE: usize = 1024;

/// How the queues are set up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NfqSettings {
    /// Queue numbers (`-q`), one thread each.
    pub queues: Vec<u16>,
    /// `nfq.fail-open`: accept instead of drop when the kernel queue is
    /// full.
    pub fail_open: bool,
    /// Kernel queue length (`max-pending-packets × 4`).
    pub queue_maxlen: u32,
}

/// Why NFQUEUE mode cannot start.
#[derive(Debug, thiserror::Error)]
pub enum NfqError {
    /// A setting this mode does not implement, or a bad value.
    #[error("{0}")]
    Config(String),
    /// The netlink socket or a queue command failed.
    #[error("NFQUEUE {queue}: {what}: {source}{hint}")]
    Queue {
        /// The queue number.
        queue: u16,
        /// The step that failed.
        what: &'static str,
        /// The system's error.
        source: io::Error,
        /// A hint for the usual causes.
        hint: &'static str,
    },
}

impl NfqSettings {
    /// Settings for `queues` from suricata.yaml's `nfq` section and
    /// `max-pending-packets`.
    ///
    /// # Errors
    /// [`NfqError::Config`] for no queue, a repeated queue, `nfq.mode`
    /// other than `accept`, or a malformed value.
    pub fn from_config(queues: &[u16], config: &Config) -> Result<NfqSettings, NfqError> {
        if queues.is_empty() {
            return Err(NfqError::Config("NFQUEUE mode needs a queue (-q N)".into()));
        }
        let mut sorted = queues.to_vec();
        sorted.sort_unstable();
        if sorted.windows(2).any(|w| w[0] == w[1]) {
            return Err(NfqError::Config(format!(
                "a queue is given twice: {queues:?}"
            )));
        }
        match config.get_str("nfq.mode").map(str::trim) {
            None | Some("accept") => {}
            Some(m @ ("repeat" | "route")) => {
                return Err(NfqError::Config(format!(
                    "nfq.mode: {m} is not supported; only accept (verdicts accept or drop)"
                )))
            }
            Some(m) => return Err(NfqError::Config(format!("unknown nfq.mode: {m}"))),
        }
        let fail_open = config
            .get_bool("nfq.fail-open")
            .map_err(|e| NfqError::Config(e.to_string()))?
            .unwrap_or(false);
        let pending = config
            .get_u64("max-pending-packets")
            .map_err(|e| NfqError::Config(e.to_string()))?
            .unwrap_or(DEFAULT_MAX_PENDING);
        let queue_maxlen = u32::try_from(pending.saturating_mul(BURST_FACTOR)).unwrap_or(u32::MAX);
        Ok(NfqSettings {
            queues: queues.to_vec(),
            fail_open,
            queue_maxlen,
        })
    }
}

/// What an NFQUEUE run produced.
#[derive(Debug)]
pub struct NfqReport {
    /// The run, counters of all queues merged (`ips.accepted`,
    /// `ips.blocked`, `ips.rejected` add up to `decoder.pkts`).
    pub run: RunReport,
    /// Verdicts the kernel refused (the packet then stays queued until the
    /// queue is unbound, when the kernel drops it).
    pub verdict_errors: u64,
    /// Reject answers sent.
    pub rejects_sent: u64,
    /// Reject answers that could not be sent.
    pub reject_errors: u64,
    /// Alert records the writer failed to write.
    pub write_errors: u64,
}

/// Opens and binds every queue of `settings` (so that errors come before
/// any thread starts), then runs one worker thread per queue until `stop`
/// is set; `ready()` is called once every queue is bound. `make(i)` builds
/// queue `i`'s inspector and record tap on its thread; `writer` gets every
/// alert record. `cfg` should have `flow.ips_mode` set (reject answers and
/// `ips.*` counters need it).
///
/// # Errors
/// [`NfqError::Queue`] when a socket cannot be opened or a queue bound
/// (not root, or another process holds the queue).
pub fn run_nfqueue<I, T, F, W>(
    settings: &NfqSettings,
    cfg: &PipelineConfig,
    make: F,
    writer: &mut W,
    progress: &Progress,
    stop: &AtomicBool,
    ready: impl FnOnce(),
) -> Result<NfqReport, NfqError>
where
    I: Inspector,
    T: RecordTap,
    F: Fn(usize) -> (I, T) + Sync,
    W: RecordWriter,
{
    let mut queues = Vec::with_capacity(settings.queues.len());
    for &num in &settings.queues {
        queues.push((num, open_queue(num, settings)?));
    }
    ready();
    let start = Instant::now();
    let counter = AtomicU64::new(0);
    let (ends, write_errors, ()) = run_crew(
        cfg,
        queues,
        RECORD_QUEUE,
        |i, qcfg, (num, queue), records| {
            let (inspector, tap) = make(i);
            let worker = Worker::with_inspector(qcfg, inspector);
            let ctx = QueueCtx {
                num,
                counter: &counter,
                stop,
            };
            queue_loop(
                queue,
                worker,
                LiveFeed::new(tap, records, progress, true),
                ctx,
            )
        },
        |records| write_unordered(records, writer),
        // The queue threads read for themselves until `stop`.
        || (),
    );
    let (mut verdict_errors, mut rejects_sent, mut reject_errors) = (0, 0, 0);
    let mut totals = Vec::with_capacity(ends.len());
    for e in ends {
        verdict_errors += e.verdict_errors;
        rejects_sent += e.rejects_sent;
        reject_errors += e.reject_errors;
        totals.push(e.totals);
    }
    progress.done.store(true, Ordering::Release);
    Ok(NfqReport {
        run: merge_workers(totals, start, None),
        verdict_errors,
        rejects_sent,
        reject_errors,
        write_errors,
    })
}

/// Opens a netlink socket bound to queue `num`, configured by `settings`.
fn open_queue(num: u16, settings: &NfqSettings) -> Result<Queue, NfqError> {
    let err = |what: &'static str, hint: &'static str| {
        move |source: io::Error| NfqError::Queue {
            queue: num,
            what,
            source,
            hint,
        }
    };
    let mut q = Queue::open().map_err(err(
        "opening the netlink socket",
        " (NFQUEUE needs root or CAP_NET_ADMIN)",
    ))?;
    q.bind(num).map_err(err(
        "binding the queue",
        " (needs root or CAP_NET_ADMIN; or another process holds this queue)",
    ))?;
    q.set_queue_max_len(num, settings.queue_maxlen)
        .map_err(err("setting the queue length", ""))?;
    q.set_fail_open(num, settings.fail_open)
        .map_err(err("setting fail-open", " (kernel older than 3.6?)"))?;
    q.set_nonblocking(true);
    Ok(q)
}

/// What a queue thread shares with the others.
struct QueueCtx<'a> {
    num: u16,
    counter: &'a AtomicU64,
    stop: &'a AtomicBool,
}

/// What a queue thread hands back.
struct QueueEnd {
    totals: WorkerTotals,
    verdict_errors: u64,
    rejects_sent: u64,
    reject_errors: u64,
}

/// One queue: receive, process, verdict, until `stop`.
fn queue_loop<I: Inspector, T: RecordTap>(
    mut queue: Queue,
    mut worker: Worker<I>,
    mut feed: LiveFeed<'_, T>,
    ctx: QueueCtx<'_>,
) -> QueueEnd {
    let mut injector = RawInjector::new();
    let mut verdict_errors = 0u64;
    let mut idle = Duration::ZERO;
    let mut empty_reads = 0u32;
    let mut logged_error = false;
    while !ctx.stop.load(Ordering::Relaxed) {
        let mut msg = match queue.recv() {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                if empty_reads < SPIN_READS {
                    empty_reads += 1;
                    std::thread::yield_now();
                } else {
                    idle = (idle * 2).clamp(Duration::from_micros(50), MAX_IDLE_SLEEP);
                    std::thread::sleep(idle);
                }
                continue;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                // A message the socket buffer could not hold (ENOSPC) or
                // a transient netlink error: say it once, go on.
                if !logged_error {
                    eprintln!("rulewire: warning: NFQUEUE {}: receive: {e}", ctx.num);
                    logged_error = true;
                }
                std::thread::sleep(MAX_IDLE_SLEEP);
                continue;
            }
        };
        idle = Duration::ZERO;
        empty_reads = 0;
        let index = ctx.counter.fetch_add(1, Ordering::Relaxed) + 1;
        let t0 = Instant::now();
        let verdict = inspect(&mut worker, &msg, index);
        for answer in worker.rejects() {
            let _ = injector.send(answer);
        }
        msg.set_verdict(match verdict {
            PacketVerdict::Accept => Verdict::Accept,
            PacketVerdict::Drop | PacketVerdict::Reject(_) => Verdict::Drop,
        });
        if queue.verdict(msg).is_err() {
            verdict_errors += 1;
        }
        feed.after_packet(&worker, index, t0);
    }
    QueueEnd {
        totals: feed.finish(&mut worker),
        verdict_errors,
        rejects_sent: injector.sent(),
        reject_errors: injector.errors(),
    }
}

/// Processes one queued packet (a bare IP packet) and gives its verdict.
fn inspect<I: Inspector>(worker: &mut Worker<I>, msg: &Message, index: u64) -> PacketVerdict {
    let data = msg.get_payload();
    let ts = msg.get_timestamp().unwrap_or_else(SystemTime::now);
    let since = ts.duration_since(UNIX_EPOCH).unwrap_or_default();
    let orig_len = u32::try_from(msg.get_original_len()).unwrap_or(u32::MAX);
    worker.process(&RawPacket {
        index,
        ts: Timestamp::new(since.as_secs(), since.subsec_nanos()),
        linktype: LinkType::RAW,
        data,
        orig_len: orig_len.max(u32::try_from(data.len()).unwrap_or(u32::MAX)),
    });
    worker.frame_verdict()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(yaml: &str) -> Config {
        Config::from_yaml_str(yaml, "test.yaml").unwrap()
    }

    #[test]
    fn settings_follow_suricata_yaml() {
        let s = NfqSettings::from_config(&[3], &Config::new()).unwrap();
        assert_eq!(
            s,
            NfqSettings {
                queues: vec![3],
                fail_open: false,
                queue_maxlen: 4096
            }
        );
        let c = cfg("max-pending-packets: 100\nnfq:\n  mode: accept\n  fail-open: yes\n");
        let s = NfqSettings::from_config(&[0, 1], &c).unwrap();
        assert!(s.fail_open);
        assert_eq!(s.queue_maxlen, 400);
    }

    #[test]
    fn unsupported_modes_and_bad_queues_are_errors() {
        for (yaml, want) in [
            ("nfq:\n  mode: repeat\n", "not supported"),
            ("nfq:\n  mode: route\n", "not supported"),
            ("nfq:\n  mode: bogus\n", "unknown nfq.mode"),
            ("nfq:\n  fail-open: maybe\n", "fail-open"),
        ] {
            let e = NfqSettings::from_config(&[0], &cfg(yaml)).unwrap_err();
            assert!(e.to_string().contains(want), "{yaml}: {e}");
        }
        assert!(NfqSettings::from_config(&[], &Config::new()).is_err());
        assert!(NfqSettings::from_config(&[1, 2, 1], &Config::new()).is_err());
    }
}
