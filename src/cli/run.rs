//! `rulewire run`: the engine over a capture file, Suricata's flags. Live
//! runs (`-q`, `-i`) are dispatched to `live_run.rs`.

use std::fs;
use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rulewire::capture::{CaptureFile, RawPacket};
use rulewire::config::{Classifications, Config};
use rulewire::detect::{Detector, Engine, EngineBuilder, PostMatchConfig};
use rulewire::ips::{output_format, IpsPcap};
use rulewire::output::{
    AlertFormat, AlertOutputs, AlertSink, BufferSink, Eve, FastLog, FastLogFormat, FormatSet,
    MultiSink, PacketBytes, RunSummary, SplitWriter, UtcOffset,
};
use rulewire::rule::{load_paths, LoadOptions};
use rulewire::runtime::{
    run_parallel, run_single_frames, ChecksumPolicy, PacketVerdict, PipelineConfig, Progress,
    RecordWriter, RunReport, Threading,
};

use super::args::{ChecksumMode, EngineArgs, RunArgs, RunMode};
use super::monitor::{self, MonitorOptions};

/// Runs the command; `Ok` carries the exit code.
pub fn run(args: &RunArgs) -> Result<i32, String> {
    warn_compat(args);
    if args.write.is_some() && !args.simulate_ips {
        return Err(
            "-w OUT.pcap writes the packets an inline IPS lets through: it needs --simulate-ips"
                .into(),
        );
    }
    if !args.queue.is_empty() {
        if args.write.is_some() {
            return Err("-w OUT.pcap is for --simulate-ips on a capture file, not -q".into());
        }
        return super::live_run::run_nfqueue(args);
    }
    let Some(input) = &args.read else {
        let Some(iface) = &args.interface else {
            return Err("nothing to read: give -r FILE, -i IFACE or -q QUEUE".into());
        };
        if args.write.is_some() {
            return Err("-w OUT.pcap is for --simulate-ips on a capture file, not -i".into());
        }
        return super::live_run::run_interface(args, iface);
    };
    let config = load_config(&args.engine)?;
    let pipeline = pipeline_config(&args.engine, &config, args.simulate_ips)?;
    // Suricata refuses a missing -l directory; creating it is kinder and
    // changes nothing for a directory that exists.
    fs::create_dir_all(&args.log_dir)
        .map_err(|e| format!("log directory {} (-l): {e}", args.log_dir.display()))?;
    let file = CaptureFile::open(input).map_err(|e| e.to_string())?;
    let engine = Arc::new(build_engine(&args.engine, &config)?);
    // Outputs exist even when empty, as Suricata's do.
    let create = |name: &str| {
        fs::File::create(args.log_dir.join(name))
            .map_err(|e| format!("{}: {e}", args.log_dir.join(name).display()))
    };
    let (post, warnings) = PostMatchConfig::from_config(&config)?;
    for w in &warnings {
        eprintln!("rulewire: warning: {w}");
    }
    let outputs = AlertOutputs::from_config(&config);
    let fast = create("fast.log")?;
    let eve = create("eve.json")?;
    let mut ips_out = match &args.write {
        Some(path) => {
            let f = fs::File::create(path).map_err(|e| format!("{} (-w): {e}", path.display()))?;
            let (linktype, precision) = output_format(&file);
            Some(
                IpsPcap::new(io::BufWriter::new(f), linktype, precision)
                    .map_err(|e| format!("{} (-w): {e}", path.display()))?,
            )
        }
        None => None,
    };
    let workers = worker_count(args.runmode, args.threads);
    let progress = Progress::default();
    let monitor = MonitorOptions {
        file_len: file.bytes().len() as u64,
        stats_interval: args
            .stats_interval
            .filter(|&s| s > 0)
            .map(Duration::from_secs),
    };
    let (report, write_errors) = std::thread::scope(|s| {
        // Ends the monitor even if the run panics (the scope joins it).
        let _done = monitor::DoneOnDrop(&progress);
        if monitor.needed() {
            s.spawn(|| monitor::watch(&progress, monitor));
        }
        if workers == 1 {
            run_one(
                &file,
                &pipeline,
                DetectSetup {
                    engine: Arc::clone(&engine),
                    post: &post,
                    ips: args.simulate_ips,
                    outputs,
                },
                (fast, eve),
                ips_out.as_mut(),
                &progress,
            )
        } else {
            run_many(
                &file,
                &pipeline,
                DetectSetup {
                    engine: Arc::clone(&engine),
                    post: &post,
                    ips: args.simulate_ips,
                    outputs,
                },
                (fast, eve),
                ips_out.as_mut(),
                workers,
                &progress,
            )
        }
    });
    let (report, write_errors) = (report, write_errors?);
    if write_errors > 0 {
        eprintln!("rulewire: error: {write_errors} alerts or packets could not be written");
    }
    if let (Some(out), Some(path)) = (ips_out, &args.write) {
        eprintln!(
            "rulewire: {}: {} packets accepted, {} blocked, {} rejected, {} reject answers written",
            path.display(),
            out.accepted(),
            out.blocked(),
            out.rejected(),
            out.answers()
        );
        out.finish()
            .map_err(|e| format!("{} (-w): {e}", path.display()))?;
    }
    write_stats(&args.log_dir, &report)?;
    print_summary(&report);
    match &report.capture_error {
        Some(e) => {
            eprintln!("rulewire: error: {e} (the packets before it were processed)");
            Ok(1)
        }
        None => Ok(0),
    }
}

/// Worker threads for `--runmode` and `--threads`: 1 for `single`,
/// otherwise `--threads` or every core.
pub fn worker_count(runmode: Option<RunMode>, threads: Option<usize>) -> usize {
    match runmode {
        Some(RunMode::Single) => 1,
        _ => threads
            .filter(|&t| t > 0)
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
    }
}

/// What every worker's detector is built from, and where its alerts go.
struct DetectSetup<'a> {
    engine: Arc<Engine>,
    post: &'a PostMatchConfig,
    ips: bool,
    outputs: AlertOutputs,
}

/// The `-w OUT.pcap` writer.
type IpsFile = IpsPcap<io::BufWriter<fs::File>>;

/// The in-order path: one worker on this thread, writing alerts directly.
/// Returns the report and the alerts that could not be written.
fn run_one(
    file: &CaptureFile,
    pipeline: &PipelineConfig,
    DetectSetup {
        engine,
        post,
        ips,
        outputs,
    }: DetectSetup<'_>,
    (fast, eve): (fs::File, fs::File),
    mut ips_out: Option<&mut IpsFile>,
    progress: &Progress,
) -> (RunReport, Result<u64, String>) {
    // The files exist either way; what goes in them follows `outputs:`.
    let mut sink = MultiSink::new();
    if outputs.fast {
        sink.push(FastLog::new(
            FastLogFormat::new(UtcOffset::UTC),
            io::BufWriter::new(fast),
        ));
    }
    if outputs.eve_alerts {
        sink.push(Eve::new(outputs.eve_format(), io::BufWriter::new(eve)));
    }
    let (mut detector, warnings) = Detector::with_config(engine, sink, post);
    for w in &warnings {
        eprintln!("rulewire: warning: {w}");
    }
    detector.ips_mode = ips;
    let mut frame_errors = 0u64;
    let (report, detector) = run_single_frames(file, pipeline, detector, progress, |raw, v, r| {
        if let Some(out) = ips_out.as_deref_mut() {
            frame_errors += u64::from(out.frame(raw, v, r).is_err());
        }
    });
    let errors = detector.write_errors() + frame_errors;
    let mut sink = detector.into_sink();
    let flushed = sink
        .flush()
        .map(|()| errors)
        .map_err(|e| format!("writing alerts: {e}"));
    (report, flushed)
}

/// The multi-threaded path: workers format alerts, one writer writes them
/// in packet order.
fn run_many(
    file: &CaptureFile,
    pipeline: &PipelineConfig,
    DetectSetup {
        engine,
        post,
        ips,
        outputs,
    }: DetectSetup<'_>,
    (fast, eve): (fs::File, fs::File),
    ips_out: Option<&mut IpsFile>,
    workers: usize,
    progress: &Progress,
) -> (RunReport, Result<u64, String>) {
    let mut formats: Vec<Box<dyn AlertFormat + Send + Sync>> = Vec::new();
    let mut files: Vec<Box<dyn io::Write + Send>> = Vec::new();
    if outputs.fast {
        formats.push(Box::new(FastLogFormat::new(UtcOffset::UTC)));
        files.push(Box::new(fast));
    }
    if outputs.eve_alerts {
        formats.push(Box::new(outputs.eve_format()));
        files.push(Box::new(eve));
    }
    let formats: FormatSet = Arc::from(formats);
    let mut writer = InlineWriter {
        alerts: SplitWriter::new(files),
        ips: ips_out,
    };
    let make = |w: usize| {
        let (sink, tap) = BufferSink::new(Arc::clone(&formats));
        let (mut d, warnings) = Detector::with_config(Arc::clone(&engine), sink, post);
        if w == 0 {
            for w in &warnings {
                eprintln!("rulewire: warning: {w}");
            }
        }
        d.ips_mode = ips;
        (d, tap)
    };
    let out = run_parallel(
        file,
        pipeline,
        &Threading::new(workers),
        make,
        &mut writer,
        progress,
    );
    let flushed = writer
        .alerts
        .flush()
        .map(|()| out.write_errors)
        .map_err(|e| format!("writing alerts: {e}"));
    (out.run, flushed)
}

/// The multi-threaded writer: alerts to fast.log/eve.json, and in inline
/// mode with `-w` every frame to OUT.pcap, both in packet order.
struct InlineWriter<'w, 'o> {
    alerts: SplitWriter<'w>,
    ips: Option<&'o mut IpsFile>,
}

impl RecordWriter for InlineWriter<'_, '_> {
    fn write(&mut self, _index: u64, rec: PacketBytes) -> io::Result<()> {
        self.alerts.write(&rec)
    }

    fn wants_frames(&self) -> bool {
        self.ips.is_some()
    }

    fn frame(
        &mut self,
        raw: &RawPacket<'_>,
        verdict: PacketVerdict,
        rejects: &[Vec<u8>],
    ) -> io::Result<()> {
        match self.ips.as_deref_mut() {
            Some(out) => out.frame(raw, verdict, rejects),
            None => Ok(()),
        }
    }
}

/// Loads the rules (`-S`, else the configuration's rule-files) and the
/// classifications, and compiles the engine. Rule errors are reported and
/// skipped, as Suricata does.
pub fn build_engine(engine: &EngineArgs, config: &Config) -> Result<Engine, String> {
    let paths = if engine.rules.is_empty() {
        config.rule_paths()
    } else {
        engine.rules.clone()
    };
    let vars = config.vars();
    let opts = LoadOptions::new(&vars);
    let set = load_paths(&paths, &opts);
    for e in set.errors() {
        eprintln!("rulewire: error: {e}");
    }
    let classes = match config.classification_file() {
        Some(f) if Path::new(f).is_file() => Classifications::load(f)
            .map(|(c, _)| c)
            .unwrap_or_else(|_| Classifications::builtin()),
        _ => Classifications::builtin(),
    };
    let built = EngineBuilder::default()
        .build(&set, &classes)
        .map_err(|e| e.to_string())?;
    if !built.inactive().is_empty() {
        eprintln!(
            "rulewire: {} rules loaded, {} not evaluated (unsupported keywords)",
            set.rules.len(),
            built.inactive().len()
        );
    }
    // The engine holds what it needs; freeing the set's tens of thousands
    // of rules (~30 ms for ET Open) is done off the path to a ready engine.
    std::thread::spawn(move || drop(set));
    Ok(built)
}

/// Says which accepted Suricata flags change nothing here.
fn warn_compat(args: &RunArgs) {
    let c = &args.compat;
    if let Some(f) = &c.firewall_rules_exclusive {
        eprintln!(
            "rulewire: warning: --firewall-rules-exclusive {}: firewall rules are not implemented; ignored",
            f.display()
        );
    }
    if !args.filter_words.is_empty() || args.bpf.is_some() {
        let filter = args
            .bpf
            .clone()
            .unwrap_or_else(|| args.filter_words.join(" "));
        if args.read.is_some() || !args.queue.is_empty() {
            eprintln!(
                "rulewire: warning: BPF filter '{filter}': filters on capture files are not implemented; every packet is processed"
            );
        }
    }
    for f in &c.include {
        eprintln!(
            "rulewire: warning: --include {}: extra configuration includes are not implemented; ignored",
            f.display()
        );
    }
}

/// Loads `-c CONFIG` (or the built-in defaults) and applies `--set`.
/// Warnings about settings the engine does not implement go to stderr.
pub fn load_config(engine: &EngineArgs) -> Result<Config, String> {
    let mut config = match &engine.config {
        Some(path) => Config::load(path).map_err(|e| e.to_string())?,
        None => Config::new(),
    };
    for set in &engine.set {
        config.apply_set_arg(set).map_err(|e| e.to_string())?;
    }
    for w in config.warnings() {
        eprintln!("rulewire: warning: {w}");
    }
    Ok(config)
}

/// Turns flags and configuration into the packet path's settings: the
/// configuration's keys first ([`PipelineConfig::from_config`]), then the
/// flags, which win (`-k`, `--inspect-invalid`).
pub fn pipeline_config(
    engine: &EngineArgs,
    config: &Config,
    ips: bool,
) -> Result<PipelineConfig, String> {
    let mut cfg = PipelineConfig::from_config_in_mode(config, ips).map_err(|e| e.to_string())?;
    match engine.checksums {
        Some(ChecksumMode::None) => cfg.checksums = ChecksumPolicy::Ignore,
        Some(ChecksumMode::All) => cfg.checksums = ChecksumPolicy::Validate,
        None => {}
    }
    if engine.inspect_invalid {
        cfg.decode.inspect_invalid = true;
    }
    Ok(cfg)
}

pub(super) fn write_stats(dir: &Path, report: &RunReport) -> Result<(), String> {
    report
        .stats
        .write_file(&dir.join("stats.json"))
        .map_err(|e| e.to_string())
}

pub(super) fn print_summary(report: &RunReport) {
    let s = &report.stats;
    let summary = RunSummary {
        packets: report.packets,
        bytes: report.bytes,
        alerts: s.counter("detect.alert"),
        invalid: s.counter("decoder.invalid"),
        flows: s.counter("flow.total"),
        elapsed: report.elapsed,
    };
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "rulewire: {summary}");
    let l = &report.latency;
    if l.count > 0 {
        let _ = writeln!(
            err,
            "rulewire: per-packet latency (us): p50 {:.1} p90 {:.1} p99 {:.1} p99.9 {:.1} max {:.1}",
            l.p50_ns as f64 / 1e3,
            l.p90_ns as f64 / 1e3,
            l.p99_ns as f64 / 1e3,
            l.p99_9_ns as f64 / 1e3,
            l.max_ns as f64 / 1e3
        );
    }
}
