//! The packet path over a real capture held in memory: decode alone, then
//! the whole runtime [`Worker`] (decode, defrag, flow table; no rules).
//!
//! ```text
//! cargo bench --bench packet_path
//! RULEWIRE_BENCH_PCAP=/path/to/file.pcap cargo bench --bench packet_path
//! ```
//!
//! The capture is `/work/benchdata/web-mix-8.pcap` unless
//! `RULEWIRE_BENCH_PCAP` names another; without it the bench says so and
//! measures nothing. Its frames are copied out of the file once, so the
//! measurement holds no file reading. Throughput is in packets
//! (`Throughput::Elements`): criterion prints packets per second.
//!
//! * `decode`: [`decode`] of every frame plus the decoder counters.
//! * `worker`: a fresh [`Worker`] with the default settings over every
//!   frame, then [`Worker::finish`] (flows flushed, defrag swept). The
//!   flow table starts empty each iteration, as a run does.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rulewire::capture::{CaptureFile, OwnedPacket};
use rulewire::decode::{decode, DecodeConfig, DecodeCounters};
use rulewire::runtime::{PipelineConfig, Worker};

const DEFAULT_PCAP: &str = "/work/benchdata/web-mix-8.pcap";

fn load() -> Option<(PathBuf, Vec<OwnedPacket>)> {
    let path = std::env::var_os("RULEWIRE_BENCH_PCAP")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_PCAP));
    if !path.is_file() {
        eprintln!(
            "packet_path bench: SKIPPED: {} not found (set RULEWIRE_BENCH_PCAP)",
            path.display()
        );
        return None;
    }
    let file = match CaptureFile::open(&path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("packet_path bench: SKIPPED: {}: {e}", path.display());
            return None;
        }
    };
    let packets: Vec<OwnedPacket> = file
        .packets()
        .map_while(Result::ok)
        .map(|p| p.to_owned_packet())
        .collect();
    Some((path, packets))
}

fn bench(c: &mut Criterion) {
    let Some((path, packets)) = load() else {
        return;
    };
    let bytes: usize = packets.iter().map(|p| p.data.len()).sum();
    eprintln!(
        "packet_path bench: {} packets, {} bytes from {}",
        packets.len(),
        bytes,
        path.display()
    );
    let mut g = c.benchmark_group("packet_path");
    g.throughput(Throughput::Elements(packets.len() as u64));
    g.sample_size(10);

    let cfg = DecodeConfig::default();
    g.bench_function("decode", |b| {
        b.iter(|| {
            let mut counters = DecodeCounters::new();
            for p in &packets {
                let d = decode(p.linktype, &p.data, &cfg);
                counters.record(&d, p.data.len());
            }
            black_box(counters.pkts)
        })
    });

    let pipeline = PipelineConfig::default();
    g.bench_function("worker", |b| {
        b.iter(|| {
            let mut worker = Worker::new(&pipeline);
            for p in &packets {
                worker.process(&p.as_raw());
            }
            worker.finish();
            black_box(worker.flows().counters().total)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
