//! Full rule evaluation: the ET Open rules (as shipped, commented rules
//! left out) through the runtime `Worker` and the `Detector` over the
//! first packets of the benchmark capture, with the prefilter on (signature
//! groups and fast patterns) and off (every active rule on every packet).
//!
//! ```text
//! cargo bench --bench detect
//! RULEWIRE_BENCH_PCAP=/path/to/file.pcap RULEWIRE_BENCH_PACKETS=50000 cargo bench --bench detect
//! ```
//!
//! Rules come from `../shared/rulesets/et-open`, the capture from
//! `/work/benchdata/web-mix-8.pcap` unless `RULEWIRE_BENCH_PCAP` names
//! another; when either is missing the bench says so and measures
//! nothing. Only the first `RULEWIRE_BENCH_PACKETS` packets (default
//! 20,000) are used: without the prefilter each packet meets every active
//! rule, which is slow by design. Throughput is in captured bytes
//! (`Throughput::Bytes`); the measurement includes decode and flow
//! tracking (the `packet_path` bench's `worker` measures those alone).

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rulewire::capture::{CaptureFile, OwnedPacket};
use rulewire::config::{Classifications, Vars};
use rulewire::detect::{Detector, EngineBuilder};
use rulewire::output::CountingSink;
use rulewire::rule::{load_paths, LoadOptions, RuleSet};
use rulewire::runtime::{PipelineConfig, Worker};

const DEFAULT_PCAP: &str = "/work/benchdata/web-mix-8.pcap";

fn rules() -> Option<RuleSet> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/rulesets/et-open");
    if !dir.is_dir() {
        eprintln!("detect bench: SKIPPED: {} not found", dir.display());
        return None;
    }
    let vars = Vars::builtin();
    Some(load_paths(&[dir], &LoadOptions::new(&vars)))
}

fn packets() -> Option<(PathBuf, Vec<OwnedPacket>)> {
    let path = std::env::var_os("RULEWIRE_BENCH_PCAP")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_PCAP));
    let limit: usize = std::env::var("RULEWIRE_BENCH_PACKETS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_000);
    let file = match CaptureFile::open(&path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!(
                "detect bench: SKIPPED: {}: {e} (set RULEWIRE_BENCH_PCAP)",
                path.display()
            );
            return None;
        }
    };
    let packets = file
        .packets()
        .map_while(Result::ok)
        .take(limit)
        .map(|p| p.to_owned_packet())
        .collect();
    Some((path, packets))
}

fn bench(c: &mut Criterion) {
    let Some(set) = rules() else { return };
    let Some((path, packets)) = packets() else {
        return;
    };
    let bytes: usize = packets.iter().map(|p| p.data.len()).sum();
    eprintln!(
        "detect bench: {} rules, {} packets, {} bytes from {}",
        set.rules.len(),
        packets.len(),
        bytes,
        path.display()
    );
    let classes = Classifications::default();
    let pipeline = PipelineConfig::default();
    let mut g = c.benchmark_group("detect");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.sample_size(10);
    for prefilter in [true, false] {
        let t = std::time::Instant::now();
        let engine = Arc::new(
            EngineBuilder { prefilter }
                .build(&set, &classes)
                .expect("engine"),
        );
        let pf = engine.prefilter();
        eprintln!(
            "detect bench: prefilter {prefilter}: {} active rules, {} groups, {} automaton bytes, built in {:?}",
            engine.rules().len(),
            pf.map_or(0, |p| p.group_count()),
            pf.map_or(0, |p| p.memory_usage()),
            t.elapsed()
        );
        let name = if prefilter {
            "prefilter-on"
        } else {
            "prefilter-off"
        };
        g.bench_function(name, |b| {
            b.iter(|| {
                let det = Detector::new(Arc::clone(&engine), CountingSink::default());
                let mut w = Worker::with_inspector(&pipeline, det);
                for p in &packets {
                    w.process(&p.as_raw());
                }
                w.finish();
                black_box(w.into_inspector().into_sink().alerts)
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
