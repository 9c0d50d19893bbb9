//! `rulewire run`: the engine over a capture file, Suricata's flags.

use std::fs;
use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;

use rulewire::capture::CaptureFile;
use rulewire::config::{Classifications, Config};
use rulewire::detect::{Detector, Engine, EngineBuilder};
use rulewire::output::{
    AlertSink, Eve, EveFormat, FastLog, FastLogFormat, MultiSink, RunSummary, UtcOffset,
};
use rulewire::rule::{load_paths, LoadOptions};
use rulewire::runtime::{run_capture_with, ChecksumPolicy, PipelineConfig, RunReport};

use super::args::{ChecksumMode, EngineArgs, RunArgs};

/// Runs the command; `Ok` carries the exit code.
pub fn run(args: &RunArgs) -> Result<i32, String> {
    warn_compat(args);
    let config = load_config(&args.engine)?;
    let pipeline = pipeline_config(&args.engine, &config, args.simulate_ips)?;
    let Some(input) = &args.read else {
        return Err("live capture (-i) is not wired into `run` yet; use -r FILE".into());
    };
    // Suricata refuses a missing -l directory; creating it is kinder and
    // changes nothing for a directory that exists.
    fs::create_dir_all(&args.log_dir)
        .map_err(|e| format!("log directory {} (-l): {e}", args.log_dir.display()))?;
    let file = CaptureFile::open(input).map_err(|e| e.to_string())?;
    let engine = build_engine(&args.engine, &config)?;
    // Outputs exist even when empty, as Suricata's do.
    let open = |name: &str| {
        fs::File::create(args.log_dir.join(name))
            .map(io::BufWriter::new)
            .map_err(|e| format!("{}: {e}", args.log_dir.join(name).display()))
    };
    let sink = MultiSink::new()
        .with(FastLog::new(
            FastLogFormat::new(UtcOffset::UTC),
            open("fast.log")?,
        ))
        .with(Eve::new(EveFormat::default(), open("eve.json")?));
    let (post, warnings) = rulewire::detect::PostMatchConfig::from_config(&config)?;
    let (mut detector, more) = Detector::with_config(Arc::new(engine), sink, &post);
    for w in warnings.iter().chain(&more) {
        eprintln!("rulewire: warning: {w}");
    }
    detector.ips_mode = args.simulate_ips;
    let (report, detector) = run_capture_with(&file, &pipeline, detector);
    if detector.write_errors() > 0 {
        eprintln!(
            "rulewire: error: {} alerts could not be written",
            detector.write_errors()
        );
    }
    let mut sink = detector.into_sink();
    sink.flush().map_err(|e| format!("writing alerts: {e}"))?;
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
        if args.read.is_some() {
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

fn write_stats(dir: &Path, report: &RunReport) -> Result<(), String> {
    report
        .stats
        .write_file(&dir.join("stats.json"))
        .map_err(|e| e.to_string())
}

fn print_summary(report: &RunReport) {
    let s = &report.stats;
    let summary = RunSummary {
        packets: report.packets,
        bytes: report.bytes,
        alerts: s.counter("detect.alert"),
        invalid: s.counter("decoder.invalid"),
        flows: s.counter("flow.total"),
        elapsed: report.elapsed,
    };
    let _ = writeln!(std::io::stderr().lock(), "rulewire: {summary}");
}
