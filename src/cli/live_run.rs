//! `rulewire run -q N` (inline IPS on netfilter queues, Linux) and
//! `rulewire run -i IFACE` (live capture, feature `live`): the runs that
//! go on until SIGINT/SIGTERM.
//!
//! Both load rules and configuration as a file run does, write fast.log,
//! eve.json and stats.json into `-l`, and end cleanly on the first
//! SIGINT or SIGTERM (the flag is checked between packets; outputs are
//! flushed and stats written); a second SIGINT exits at once.

use std::fs;
use std::io;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use rulewire::config::Config;
use rulewire::detect::{Detector, PostMatchConfig};
use rulewire::output::{
    AlertFormat, AlertOutputs, BufferSink, EveFormat, FastLogFormat, FormatSet, SplitWriter,
    UtcOffset,
};
use rulewire::runtime::{PipelineConfig, Progress, RunReport};

use super::args::RunArgs;
use super::monitor::{self, MonitorOptions};
use super::run::{build_engine, load_config, pipeline_config, print_summary, write_stats};

/// A flag set by the first SIGINT or SIGTERM; a second SIGINT or SIGTERM
/// exits at once.
fn stop_flag() -> Result<Arc<AtomicBool>, String> {
    let flag = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register_conditional_shutdown(sig, 1, Arc::clone(&flag))
            .and_then(|_| signal_hook::flag::register(sig, Arc::clone(&flag)))
            .map_err(|e| format!("installing the signal handler: {e}"))?;
    }
    Ok(flag)
}

/// Everything a live run needs before its first packet.
struct Setup {
    config: Config,
    pipeline: PipelineConfig,
    engine: Arc<rulewire::detect::Engine>,
    post: PostMatchConfig,
    formats: FormatSet,
}

/// The alert files, apart from [`Setup`] (which the workers share).
type Files = Vec<Box<dyn io::Write + Send>>;

fn setup(args: &RunArgs, ips: bool) -> Result<(Setup, Files), String> {
    let config = load_config(&args.engine)?;
    let pipeline = pipeline_config(&args.engine, &config, ips)?;
    fs::create_dir_all(&args.log_dir)
        .map_err(|e| format!("log directory {} (-l): {e}", args.log_dir.display()))?;
    let engine = Arc::new(build_engine(&args.engine, &config)?);
    let (post, warnings) = PostMatchConfig::from_config(&config)?;
    for w in &warnings {
        eprintln!("rulewire: warning: {w}");
    }
    let create = |name: &str| {
        fs::File::create(args.log_dir.join(name))
            .map_err(|e| format!("{}: {e}", args.log_dir.join(name).display()))
    };
    let outputs = AlertOutputs::from_config(&config);
    let fast = create("fast.log")?;
    let eve = create("eve.json")?;
    let mut formats: Vec<Box<dyn AlertFormat + Send + Sync>> = Vec::new();
    let mut files: Vec<Box<dyn io::Write + Send>> = Vec::new();
    if outputs.fast {
        formats.push(Box::new(FastLogFormat::new(UtcOffset::UTC)));
        files.push(Box::new(io::LineWriter::new(fast)));
    }
    if outputs.eve_alerts {
        formats.push(Box::new(EveFormat::default()));
        files.push(Box::new(io::LineWriter::new(eve)));
    }
    let setup = Setup {
        config,
        pipeline,
        engine,
        post,
        formats: Arc::from(formats),
    };
    Ok((setup, files))
}

impl Setup {
    /// Worker `w`'s detector and the tap its formatted alerts come from.
    fn detector(&self, w: usize, ips: bool) -> (Detector<BufferSink>, rulewire::output::BufferTap) {
        let (sink, tap) = BufferSink::new(Arc::clone(&self.formats));
        let (mut d, warnings) = Detector::with_config(Arc::clone(&self.engine), sink, &self.post);
        if w == 0 {
            for w in &warnings {
                eprintln!("rulewire: warning: {w}");
            }
        }
        d.ips_mode = ips;
        (d, tap)
    }
}

/// Runs `f` with the `--stats-interval` watcher beside it (no progress
/// bar: a live run has no end to measure against).
fn with_monitor<R>(args: &RunArgs, progress: &Progress, f: impl FnOnce() -> R) -> R {
    let opts = MonitorOptions {
        file_len: 0,
        stats_interval: args
            .stats_interval
            .filter(|&s| s > 0)
            .map(Duration::from_secs),
    };
    std::thread::scope(|sc| {
        // Ends the watcher even when the run fails or unwinds.
        let _done = monitor::DoneOnDrop(progress);
        if opts.needed() {
            sc.spawn(|| monitor::watch(progress, opts));
        }
        f()
    })
}

fn finish(args: &RunArgs, report: &RunReport, write_errors: u64) -> Result<i32, String> {
    if write_errors > 0 {
        eprintln!("rulewire: error: {write_errors} alerts could not be written");
    }
    write_stats(&args.log_dir, report)?;
    print_summary(report);
    match &report.capture_error {
        Some(e) => {
            eprintln!("rulewire: error: {e} (the packets before it were processed)");
            Ok(1)
        }
        None => Ok(0),
    }
}

/// `rulewire run -q N [-q M ...]`: inline IPS on netfilter queues.
#[cfg(target_os = "linux")]
pub fn run_nfqueue(args: &RunArgs) -> Result<i32, String> {
    use rulewire::ips::{self, NfqSettings};
    use rulewire::runtime::ChecksumPolicy;

    let (mut s, files) = setup(args, true)?;
    // Locally generated packets reach the queue before their checksum is
    // computed (see the ips::nfq docs): validate only when asked.
    if args.engine.checksums.is_none() {
        s.pipeline.checksums = ChecksumPolicy::Ignore;
    }
    let queues = super::args::queue_numbers(&args.queue);
    if queues.len() > super::args::MAX_QUEUES {
        return Err(format!(
            "{} queues: at most {} (one thread each)",
            queues.len(),
            super::args::MAX_QUEUES
        ));
    }
    let settings = NfqSettings::from_config(&queues, &s.config).map_err(|e| e.to_string())?;
    if args.threads.is_some() || args.runmode.is_some() {
        eprintln!(
            "rulewire: warning: NFQUEUE runs one thread per queue; --threads/--runmode are \
             ignored (spread load with -q START:END and iptables --queue-balance START:END)"
        );
    }
    let stop = stop_flag()?;
    let progress = Progress::default();
    let mut writer = SplitWriter::new(files);
    let report = with_monitor(args, &progress, || {
        ips::run_nfqueue(
            &settings,
            &s.pipeline,
            |w| s.detector(w, true),
            &mut writer,
            &progress,
            &stop,
            || {
                eprintln!(
                "rulewire: inline on NFQUEUE {:?} (fail-{}, kernel queue {} packets); SIGINT ends",
                settings.queues,
                if settings.fail_open { "open" } else { "closed" },
                settings.queue_maxlen
            );
            },
        )
    })
    .map_err(|e| e.to_string())?;
    writer.flush().map_err(|e| format!("writing alerts: {e}"))?;
    let s = &report.run.stats;
    eprintln!(
        "rulewire: NFQUEUE: {} accepted, {} blocked, {} rejected; {} reject answers sent, {} failed; {} verdicts refused",
        s.counter("ips.accepted"),
        s.counter("ips.blocked"),
        s.counter("ips.rejected"),
        report.rejects_sent,
        report.reject_errors,
        report.verdict_errors
    );
    finish(args, &report.run, report.write_errors)
}

/// `rulewire run -q`: not on this system.
#[cfg(not(target_os = "linux"))]
pub fn run_nfqueue(_args: &RunArgs) -> Result<i32, String> {
    Err("NFQUEUE inline mode (-q) is Linux only".into())
}

/// `rulewire run -i IFACE`: live capture through libpcap.
#[cfg(feature = "live")]
pub fn run_interface(args: &RunArgs, iface: &str) -> Result<i32, String> {
    use rulewire::capture::{LiveCapture, LiveConfig};
    use rulewire::runtime::{run_live, Threading};

    let (s, files) = setup(args, args.simulate_ips)?;
    let mut live = LiveConfig::new(iface);
    live.bpf = args
        .bpf
        .clone()
        .or_else(|| (!args.filter_words.is_empty()).then(|| args.filter_words.join(" ")));
    // Short enough that SIGINT is seen promptly on a quiet interface.
    live.timeout_ms = 100;
    let mut cap = LiveCapture::open(&live).map_err(|e| format!("{iface}: {e}"))?;
    let stop = stop_flag()?;
    let progress = Progress::default();
    let workers = super::run::worker_count(args.runmode, args.threads);
    let mut writer = SplitWriter::new(files);
    eprintln!(
        "rulewire: capturing on {iface} (link type {}), {workers} worker(s); SIGINT ends",
        cap.linktype()
    );
    let mut report = with_monitor(args, &progress, || {
        run_live(
            &mut cap,
            &s.pipeline,
            &Threading::new(workers),
            |w| s.detector(w, args.simulate_ips),
            &mut writer,
            &progress,
            &stop,
        )
    });
    writer.flush().map_err(|e| format!("writing alerts: {e}"))?;
    match cap.stats() {
        Ok(k) => {
            let st = &mut report.run.stats;
            let _ = st.set("capture.kernel_packets", u64::from(k.received));
            let _ = st.set("capture.kernel_drops", u64::from(k.dropped));
            let _ = st.set("capture.kernel_ifdrops", u64::from(k.if_dropped));
            eprintln!(
                "rulewire: {iface}: {} packets read, {} dropped by the kernel, {} dropped because workers fell behind",
                report.read, k.dropped, report.queue_drops
            );
        }
        Err(e) => eprintln!("rulewire: warning: {iface}: capture statistics: {e}"),
    }
    finish(args, &report.run, report.write_errors)
}

/// `rulewire run -i`: built without the `live` feature.
#[cfg(not(feature = "live"))]
pub fn run_interface(_args: &RunArgs, iface: &str) -> Result<i32, String> {
    Err(format!(
        "live capture (-i {iface}) needs rulewire built with the `live` feature \
         (cargo build --features live; needs libpcap-dev)"
    ))
}
