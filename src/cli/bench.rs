//! `rulewire bench`: throughput of the packet path with rules.
//!
//! The capture is read into memory first, the rules are loaded and
//! compiled (`load_seconds`), then the file is processed `--loops` times
//! with alerts counted, not written (`seconds` is processing only).
//! `--json` prints one object with exactly the keys of [`BenchResult`].

use std::sync::Arc;
use std::time::{Duration, Instant};

use rulewire::capture::CaptureFile;
use rulewire::detect::profile::RuleProfile;
use rulewire::detect::{Detector, Engine, PostMatchConfig};
use rulewire::output::{CountingSink, PacketBytes};
use rulewire::runtime::{
    run_parallel_with, run_single, LatencySummary, NoRecords, Progress, RecordWriter, RunReport,
    Threading,
};
use serde::Serialize;

use super::args::BenchArgs;
use super::run::{build_engine, load_config, pipeline_config, worker_count};

/// Per-packet latency percentiles, in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LatencyUs {
    /// Median.
    pub p50_us: f64,
    /// 90th percentile.
    pub p90_us: f64,
    /// 99th percentile.
    pub p99_us: f64,
    /// 99.9th percentile.
    pub p99_9_us: f64,
    /// Largest.
    pub max_us: f64,
}

impl From<LatencySummary> for LatencyUs {
    fn from(l: LatencySummary) -> LatencyUs {
        let us = |ns: u64| ns as f64 / 1e3;
        LatencyUs {
            p50_us: us(l.p50_ns),
            p90_us: us(l.p90_ns),
            p99_us: us(l.p99_ns),
            p99_9_us: us(l.p99_9_ns),
            max_us: us(l.max_ns),
        }
    }
}

/// What `--json` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchResult {
    /// Seconds to parse and compile the rules (and the configuration).
    pub load_seconds: f64,
    /// Packets processed (all loops).
    pub packets: u64,
    /// Captured bytes processed (all loops).
    pub bytes: u64,
    /// Seconds of processing (all loops).
    pub seconds: f64,
    /// Packets per second.
    pub pps: f64,
    /// Gigabits of captured bytes per second.
    pub gbps: f64,
    /// Alerts raised (all loops).
    pub alerts: u64,
    /// Per-packet processing time of the last loop.
    pub latency: LatencyUs,
    /// Peak resident set size (`VmHWM` of /proc/self/status), 0 where
    /// unavailable.
    pub peak_rss_bytes: u64,
    /// With `--profile-rules N`: the N most expensive rules, costliest
    /// first (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_profile: Option<Vec<RuleRow>>,
}

/// One line of the rule profile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleRow {
    /// Generator id.
    pub gid: u32,
    /// Signature id.
    pub sid: u32,
    /// Revision.
    pub rev: u32,
    /// Microseconds spent evaluating it (all loops, all threads).
    pub total_us: f64,
    /// Times it was evaluated (it passed the prefilter).
    pub checks: u64,
    /// Times it matched.
    pub matches: u64,
    /// Nanoseconds per check.
    pub avg_ns: f64,
}

/// Discards records (the bench inspectors write none).
struct Discard;

impl RecordWriter for Discard {
    fn write(&mut self, _index: u64, _rec: PacketBytes) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs the command; `Ok` carries the exit code.
pub fn run(args: &BenchArgs) -> Result<i32, String> {
    let bytes = std::fs::read(&args.read).map_err(|e| format!("{}: {e}", args.read.display()))?;
    let file = CaptureFile::from_bytes(bytes).map_err(|e| e.to_string())?;
    let t0 = Instant::now();
    let config = load_config(&args.engine)?;
    let pipeline = pipeline_config(&args.engine, &config, false)?;
    let engine = Arc::new(build_engine(&args.engine, &config)?);
    let (post, warnings) = PostMatchConfig::from_config(&config)?;
    for w in &warnings {
        eprintln!("rulewire: warning: {w}");
    }
    let load = t0.elapsed();
    let workers = worker_count(None, args.threads);
    let mut seconds = Duration::ZERO;
    let (mut packets, mut bytes, mut alerts) = (0u64, 0u64, 0u64);
    let mut latency = LatencySummary::default();
    let profiling = args.profile_rules.is_some();
    let mut profile = RuleProfile::new(engine.rules().len());
    let detector = || {
        let (mut d, _) = Detector::with_config(Arc::clone(&engine), CountingSink::default(), &post);
        if profiling {
            d.enable_profiling();
        }
        d
    };
    for _ in 0..args.loops.max(1) {
        let report: RunReport = if workers == 1 {
            let (report, d) = run_single(&file, &pipeline, detector(), &Progress::default());
            if let Some(p) = d.profile() {
                profile.merge(p);
            }
            report
        } else {
            let (out, profiles) = run_parallel_with(
                &file,
                &pipeline,
                &Threading::new(workers),
                |_w: usize| (detector(), NoRecords),
                |d| d.profile().cloned(),
                &mut Discard,
                &Progress::default(),
            );
            for p in profiles.iter().flatten() {
                profile.merge(p);
            }
            out.run
        };
        if let Some(e) = &report.capture_error {
            return Err(format!("{}: {e}", args.read.display()));
        }
        seconds += report.elapsed;
        packets += report.packets;
        bytes += report.bytes;
        alerts += report.stats.counter("detect.alert");
        latency = report.latency;
    }
    let secs = seconds.as_secs_f64();
    let rate = |x: f64| if secs > 0.0 { x / secs } else { 0.0 };
    let result = BenchResult {
        load_seconds: load.as_secs_f64(),
        packets,
        bytes,
        seconds: secs,
        pps: rate(packets as f64),
        gbps: rate(bytes as f64 * 8.0) / 1e9,
        alerts,
        latency: latency.into(),
        peak_rss_bytes: peak_rss_bytes(),
        rule_profile: args.profile_rules.map(|n| rule_rows(&engine, &profile, n)),
    };
    if args.json {
        let text = serde_json::to_string(&result).map_err(|e| e.to_string())?;
        println!("{text}");
    } else {
        print!("{}", text(&result, workers));
    }
    Ok(0)
}

/// The `n` costliest rules of `profile`.
fn rule_rows(engine: &Engine, profile: &RuleProfile, n: usize) -> Vec<RuleRow> {
    profile
        .top(n)
        .into_iter()
        .filter_map(|(i, c)| {
            let r = engine.rules().get(i)?;
            Some(RuleRow {
                gid: r.gid,
                sid: r.sid,
                rev: r.rev,
                total_us: c.nanos as f64 / 1e3,
                checks: c.checks,
                matches: c.matches,
                avg_ns: c.nanos as f64 / c.checks.max(1) as f64,
            })
        })
        .collect()
}

/// The text form.
fn text(r: &BenchResult, workers: usize) -> String {
    let mut out = summary_text(r, workers);
    if let Some(rows) = &r.rule_profile {
        out.push_str("rule profile (costliest first):\n");
        out.push_str("   gid:sid:rev         total_us     checks    matches     avg_ns\n");
        for row in rows {
            out.push_str(&format!(
                "{:>14} {:>16.1} {:>10} {:>10} {:>10.1}\n",
                format!("{}:{}:{}", row.gid, row.sid, row.rev),
                row.total_us,
                row.checks,
                row.matches,
                row.avg_ns
            ));
        }
    }
    out
}

fn summary_text(r: &BenchResult, workers: usize) -> String {
    let l = &r.latency;
    format!(
        "threads:        {workers}\n\
         load_seconds:   {:.3}\n\
         packets:        {}\n\
         bytes:          {}\n\
         seconds:        {:.3}\n\
         pps:            {:.0}\n\
         gbps:           {:.3}\n\
         alerts:         {}\n\
         latency (us):   p50 {:.2} p90 {:.2} p99 {:.2} p99.9 {:.2} max {:.2}\n\
         peak_rss_bytes: {}\n",
        r.load_seconds,
        r.packets,
        r.bytes,
        r.seconds,
        r.pps,
        r.gbps,
        r.alerts,
        l.p50_us,
        l.p90_us,
        l.p99_us,
        l.p99_9_us,
        l.max_us,
        r.peak_rss_bytes
    )
}

/// `VmHWM` from /proc/self/status in bytes; 0 where there is none.
fn peak_rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| parse_vm_hwm(&s))
        .unwrap_or(0)
}

fn parse_vm_hwm(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vm_hwm_is_read_in_bytes() {
        let status =
            "Name:\trulewire\nVmPeak:\t  20000 kB\nVmHWM:\t    1234 kB\nVmRSS:\t 1000 kB\n";
        assert_eq!(parse_vm_hwm(status), Some(1234 * 1024));
        assert_eq!(parse_vm_hwm("Name: x\n"), None);
    }
}
