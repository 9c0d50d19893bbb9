//! A slow alert writer loses nothing in file mode: the pipeline blocks
//! (bounded channels, backpressure) instead of dropping.
//!
//! 600 UDP packets over 40 address pairs, each raising one alert
//! (`alert udp any any -> any any (sid:1;)`), run with 3 workers, tiny
//! batches and queues (so the reader and workers block often), and a
//! writer that sleeps 1 ms per record. Asserted:
//! * the writer gets exactly 600 records, for packets 1..=600 in order;
//! * the bytes written equal the single-threaded run's fast.log (each
//!   record one line, naming sid 1), byte for byte;
//! * no packet is dropped: `decoder.pkts` = 600 and `detect.alert` = 600.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use rulewire::capture::{CaptureFile, LinkType, PcapWriter, Timestamp, TsPrecision};
use rulewire::config::{Classifications, Vars};
use rulewire::decode::craft::PacketBuilder;
use rulewire::detect::{Detector, Engine, EngineBuilder};
use rulewire::output::{AlertFormat, BufferSink, FastLog, FastLogFormat, FormatSet, PacketBytes};
use rulewire::rule::{load_str, LoadOptions};
use rulewire::runtime::{
    run_parallel, run_single, PipelineConfig, Progress, RecordWriter, Threading,
};

const PACKETS: u64 = 600;

fn capture() -> CaptureFile {
    let mut w = PcapWriter::new(Vec::new(), LinkType::ETHERNET, TsPrecision::Micro).unwrap();
    for i in 0..PACKETS {
        let pair = (i % 40) as u8;
        let frame = PacketBuilder::ipv4([10, 0, 0, pair], [10, 0, 1, pair])
            .udp(1000 + pair as u16, 53, b"hello")
            .ethernet();
        w.write_packet(
            Timestamp::new(1_700_000_000 + i, 0),
            &frame,
            frame.len() as u32,
        )
        .unwrap();
    }
    CaptureFile::from_bytes(w.into_inner().unwrap()).unwrap()
}

fn engine() -> Arc<Engine> {
    let vars = Vars::new();
    let set = load_str(
        "alert udp any any -> any any (msg:\"udp\"; sid:1;)",
        &LoadOptions::new(&vars),
    );
    Arc::new(
        EngineBuilder::default()
            .build(&set, &Classifications::default())
            .unwrap(),
    )
}

/// Sleeps per record, keeps what it got.
#[derive(Default)]
struct Slow {
    indices: Vec<u64>,
    bytes: Vec<u8>,
}

impl RecordWriter for Slow {
    fn write(&mut self, index: u64, rec: PacketBytes) -> io::Result<()> {
        std::thread::sleep(Duration::from_millis(1));
        self.indices.push(index);
        self.bytes.extend_from_slice(&rec.outputs[0]);
        Ok(())
    }
}

#[test]
fn slow_writer_loses_no_alert() {
    let file = capture();
    let engine = engine();
    let cfg = PipelineConfig::default();

    // Reference: the in-order path writing fast.log directly.
    let det = Detector::new(
        Arc::clone(&engine),
        FastLog::new(FastLogFormat::default(), Vec::new()),
    );
    let (_, det) = run_single(&file, &cfg, det, &Progress::default());
    let reference = det.into_sink().into_inner().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&reference).lines().count() as u64,
        PACKETS
    );

    let formats: FormatSet = Arc::from(vec![
        Box::new(FastLogFormat::default()) as Box<dyn AlertFormat + Send + Sync>
    ]);
    let make = |_w: usize| {
        let (sink, tap) = BufferSink::new(Arc::clone(&formats));
        (Detector::new(Arc::clone(&engine), sink), tap)
    };
    let threading = Threading {
        workers: 3,
        batch: 4,
        queue: 1,
    };
    let mut slow = Slow::default();
    let progress = Progress::default();
    let out = run_parallel(&file, &cfg, &threading, make, &mut slow, &progress);

    let want: Vec<u64> = (1..=PACKETS).collect();
    assert_eq!(slow.indices, want, "every packet's record, in packet order");
    assert_eq!(slow.bytes, reference, "same fast.log as one thread");
    assert!(String::from_utf8_lossy(&slow.bytes)
        .lines()
        .all(|l| l.contains("[1:1:0] udp")));
    assert_eq!(out.write_errors, 0);
    assert_eq!(out.run.packets, PACKETS);
    assert_eq!(out.run.stats.counter("decoder.pkts"), PACKETS);
    assert_eq!(out.run.stats.counter("detect.alert"), PACKETS);
    let s = progress.snapshot();
    assert_eq!(
        (s.read, s.decoded + s.invalid, s.dropped, s.queued),
        (PACKETS, PACKETS, 0, 0)
    );
    assert_eq!(s.alerts, PACKETS);
    // The reorder buffer stayed within its documented bound:
    // (workers + queue + 2) × flush_every = (3 + 1 + 2) × 12 packets.
    assert!(out.reorder_high_water <= 72, "{}", out.reorder_high_water);
}
