//! File → alerts on one thread: a capture held in memory through the whole
//! runtime ([`run_single`]: decode, defrag, flows, detection with a rule
//! set) and both alert formats (fast.log and eve.json, written to
//! `io::sink()`).
//!
//! ```text
//! cargo bench --bench end_to_end
//! RULEWIRE_BENCH_PCAP=f.pcap RULEWIRE_BENCH_RULES=dir-or-file cargo bench --bench end_to_end
//! ```
//!
//! Defaults: `/work/benchdata/web-mix-2.pcap` and the ET Open rules in
//! `../shared/rulesets/et-open`; when either is missing the bench says so
//! and measures nothing. Throughput is in packets (criterion prints
//! packets per second). Rule loading and compiling happen once, outside
//! the measurement.

use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rulewire::capture::CaptureFile;
use rulewire::config::{Classifications, Config};
use rulewire::detect::{Detector, EngineBuilder};
use rulewire::output::{Eve, EveFormat, FastLog, FastLogFormat, MultiSink};
use rulewire::rule::{load_paths, LoadOptions};
use rulewire::runtime::{run_single, PipelineConfig, Progress};

const DEFAULT_PCAP: &str = "/work/benchdata/web-mix-2.pcap";

fn env_path(var: &str, default: PathBuf) -> PathBuf {
    std::env::var_os(var).map(PathBuf::from).unwrap_or(default)
}

fn bench(c: &mut Criterion) {
    let pcap = env_path("RULEWIRE_BENCH_PCAP", PathBuf::from(DEFAULT_PCAP));
    let rules = env_path(
        "RULEWIRE_BENCH_RULES",
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/rulesets/et-open"),
    );
    if !pcap.is_file() || !rules.exists() {
        eprintln!(
            "end_to_end bench: SKIPPED: {} or {} not found (set RULEWIRE_BENCH_PCAP / RULEWIRE_BENCH_RULES)",
            pcap.display(),
            rules.display()
        );
        return;
    }
    let bytes = match std::fs::read(&pcap) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("end_to_end bench: SKIPPED: {}: {e}", pcap.display());
            return;
        }
    };
    let Ok(file) = CaptureFile::from_bytes(bytes) else {
        eprintln!("end_to_end bench: SKIPPED: {} unreadable", pcap.display());
        return;
    };
    // The default address and port variables ($HOME_NET ...).
    let vars = Config::new().vars();
    let set = load_paths(&[rules], &LoadOptions::new(&vars));
    let Ok(engine) = EngineBuilder::default().build(&set, &Classifications::builtin()) else {
        eprintln!("end_to_end bench: SKIPPED: the rules did not compile");
        return;
    };
    let engine = Arc::new(engine);
    let packets = file.packets().map_while(Result::ok).count() as u64;
    let cfg = PipelineConfig::default();
    let mut group = c.benchmark_group("end_to_end");
    group.sample_size(10);
    group.throughput(Throughput::Elements(packets));
    group.bench_function("one_thread", |b| {
        b.iter(|| {
            let sink = MultiSink::new()
                .with(FastLog::new(FastLogFormat::default(), io::sink()))
                .with(Eve::new(EveFormat::default(), io::sink()));
            let det = Detector::new(Arc::clone(&engine), sink);
            let (report, _) = run_single(&file, &cfg, det, &Progress::default());
            report.packets
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
