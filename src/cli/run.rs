//! `rulewire run`: the engine over a capture file, Suricata's flags.

use std::fs;
use std::io::Write;
use std::path::Path;

use rulewire::capture::CaptureFile;
use rulewire::config::Config;
use rulewire::output::RunSummary;
use rulewire::runtime::{run_capture, ChecksumPolicy, PipelineConfig, RunReport};

use super::args::{ChecksumMode, EngineArgs, RunArgs};

/// Runs the command; `Ok` carries the exit code.
pub fn run(args: &RunArgs) -> Result<i32, String> {
    warn_compat(args);
    let config = load_config(&args.engine)?;
    let pipeline = pipeline_config(&args.engine, &config)?;
    let Some(input) = &args.read else {
        return Err("live capture (-i) needs a build with `--features live`; use -r FILE".into());
    };
    if !args.log_dir.is_dir() {
        return Err(format!(
            "log directory {} does not exist (-l)",
            args.log_dir.display()
        ));
    }
    let file = CaptureFile::open(input).map_err(|e| e.to_string())?;
    let report = run_capture(&file, &pipeline);
    write_stats(&args.log_dir, &report)?;
    // Outputs exist even when empty, as Suricata's do.
    for name in ["fast.log", "eve.json"] {
        fs::File::create(args.log_dir.join(name))
            .map_err(|e| format!("{}: {e}", args.log_dir.join(name).display()))?;
    }
    print_summary(&report);
    match &report.capture_error {
        Some(e) => {
            eprintln!("rulewire: error: {e} (the packets before it were processed)");
            Ok(1)
        }
        None => Ok(0),
    }
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
pub fn pipeline_config(engine: &EngineArgs, config: &Config) -> Result<PipelineConfig, String> {
    let mut cfg = PipelineConfig::from_config(config).map_err(|e| e.to_string())?;
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
