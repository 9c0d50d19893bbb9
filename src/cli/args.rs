//! Flag definitions (clap derive). Suricata's spelling wherever Suricata has
//! a flag (`-r -S -c -l -k --set --runmode --simulate-ips`); our own
//! subcommands for what Suricata has no single command for.
//!
//! Nothing here does I/O: these types only describe what was asked for.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// rulewire: match Snort and Suricata rules against packets.
#[derive(Debug, Parser)]
#[command(name = "rulewire", version, about, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the engine over a capture file (or a live interface).
    Run(Box<RunArgs>),
    /// Parse and validate rule files, and say which rules the engine evaluates.
    CheckRules(CheckRulesArgs),
    /// Measure throughput: preload a capture, then time detection only.
    Bench(BenchArgs),
    /// An analyst's report on a capture: header errors, flags, payloads, sources.
    Report(ReportArgs),
}

/// Flags shared by everything that loads rules and a configuration.
#[derive(Debug, Args, Clone, Default)]
pub struct EngineArgs {
    /// Configuration file in suricata.yaml's shape.
    #[arg(short = 'c', long = "config", value_name = "CONFIG")]
    pub config: Option<PathBuf>,
    /// Rule file(s); overrides the configuration's rule-files (Suricata's -S).
    #[arg(short = 'S', value_name = "RULES")]
    pub rules: Vec<PathBuf>,
    /// Override a configuration setting, as Suricata's --set (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Checksum validation: `none` turns it off, as Suricata's -k.
    #[arg(short = 'k', value_enum, value_name = "all|none")]
    pub checksums: Option<ChecksumMode>,
    /// Inspect packets whose TCP/UDP header is malformed with rules too
    /// (config key decoder.inspect-invalid).
    #[arg(long)]
    pub inspect_invalid: bool,
}

/// Checksum validation mode (Suricata's -k).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ChecksumMode {
    /// Validate every checksum.
    All,
    /// Validate none.
    None,
}

/// How packets are spread over threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RunMode {
    /// One thread does everything.
    Single,
    /// A reader hashes flows onto worker threads.
    Workers,
    /// Accepted for Suricata compatibility; treated as `workers`.
    Autofp,
}

/// `rulewire run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Capture file to read (pcap or pcapng).
    #[arg(
        short = 'r',
        value_name = "FILE",
        required_unless_present_any = ["interface", "queue"],
        conflicts_with_all = ["interface", "queue"]
    )]
    pub read: Option<PathBuf>,
    /// Live interface (needs the `live` feature); runs until SIGINT.
    #[arg(
        short = 'i',
        long = "interface",
        value_name = "IFACE",
        conflicts_with = "queue"
    )]
    pub interface: Option<String>,
    /// Inline IPS on netfilter queue QUEUE, or queues START:END (Linux;
    /// repeatable; one thread per queue), as Suricata's -q: packets an
    /// `iptables -j NFQUEUE --queue-num QUEUE` (or `--queue-balance
    /// START:END`) rule queues are accepted or dropped by the rules; runs
    /// until SIGINT.
    #[arg(short = 'q', value_name = "QUEUE|START:END")]
    pub queue: Vec<QueueRange>,
    /// Log directory for fast.log, eve.json and stats.json.
    #[arg(short = 'l', value_name = "LOGDIR", default_value = ".")]
    pub log_dir: PathBuf,
    /// Engine flags.
    #[command(flatten)]
    pub engine: EngineArgs,
    /// Threading: `single` (one thread, in order) or `workers` (a reader
    /// hashing flows onto worker threads; `autofp` is taken as `workers`).
    /// The last one given wins.
    #[arg(long, value_enum, overrides_with = "runmode")]
    pub runmode: Option<RunMode>,
    /// Worker threads for `workers` (default: all cores). The last one
    /// given wins.
    #[arg(long, overrides_with = "threads")]
    pub threads: Option<usize>,
    /// Act as an inline IPS on the capture file: drops are applied.
    #[arg(long)]
    pub simulate_ips: bool,
    /// In IPS mode, write every packet that was not dropped here.
    #[arg(short = 'w', value_name = "OUT.pcap")]
    pub write: Option<PathBuf>,
    /// Print periodic stats every N seconds.
    #[arg(long, value_name = "SECONDS")]
    pub stats_interval: Option<u64>,
    /// BPF filter for live capture.
    #[arg(long, value_name = "FILTER")]
    pub bpf: Option<String>,
    /// Suricata flags accepted so that Suricata command lines run unchanged.
    #[command(flatten)]
    pub compat: SuricataCompat,
    /// A BPF filter given as trailing words, as Suricata accepts
    /// (`rulewire run -r f.pcap port 22`).
    #[arg(trailing_var_arg = true, value_name = "BPF")]
    pub filter_words: Vec<String>,
}

/// Suricata flags we accept for command-line compatibility. Each one that
/// changes nothing here says so on stderr, so nothing is silently ignored.
#[derive(Debug, Args, Default)]
pub struct SuricataCompat {
    /// Suricata's data directory (datasets, state); unused here.
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Suricata 8 firewall rules; not implemented (warned).
    #[arg(long, value_name = "FILE")]
    pub firewall_rules_exclusive: Option<PathBuf>,
    /// Suricata's deterministic mode; rulewire is always deterministic.
    #[arg(long)]
    pub no_random: bool,
    /// Extra configuration file to include (Suricata's --include).
    #[arg(long = "include", value_name = "FILE")]
    pub include: Vec<PathBuf>,
    /// Suricata's strict keyword checking; rule errors are reported anyway.
    #[arg(long, value_name = "KEYWORDS", num_args = 0..=1, default_missing_value = "all")]
    pub strict_rule_keywords: Option<String>,
    /// Verbosity (repeatable, as Suricata's -v).
    #[arg(short = 'v', action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// `rulewire check-rules`.
#[derive(Debug, Args)]
pub struct CheckRulesArgs {
    /// Configuration file (for variables).
    #[arg(short = 'c', long = "config", value_name = "CONFIG")]
    pub config: Option<PathBuf>,
    /// Exit non-zero if any rule has an error.
    #[arg(long)]
    pub strict: bool,
    /// One JSON object on stdout instead of text.
    #[arg(long)]
    pub json: bool,
    /// Also parse commented-out rules (`#alert ...`).
    #[arg(long)]
    pub uncomment: bool,
    /// Write the rules the engine evaluates (as written, one per line) to
    /// FILE: the subset to give another engine for a like-for-like
    /// comparison.
    #[arg(long, value_name = "FILE")]
    pub write_active: Option<PathBuf>,
    /// Rule files or directories of `*.rules`.
    #[arg(required = true, value_name = "FILE|DIR")]
    pub paths: Vec<PathBuf>,
}

/// `rulewire bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Capture file to preload.
    #[arg(short = 'r', value_name = "FILE")]
    pub read: PathBuf,
    /// Engine flags.
    #[command(flatten)]
    pub engine: EngineArgs,
    /// Worker threads.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Run over the capture this many times.
    #[arg(long, default_value_t = 1)]
    pub loops: u32,
    /// One JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// Report the N most expensive rules.
    #[arg(long, value_name = "N")]
    pub profile_rules: Option<usize>,
}

/// `rulewire report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Capture file.
    #[arg(short = 'r', value_name = "FILE")]
    pub read: PathBuf,
    /// JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Write an SVG chart of unique sources per 5-minute window.
    #[arg(long, value_name = "OUT")]
    pub svg: Option<PathBuf>,
    /// MaxMind-format database for AS and country.
    #[arg(long, value_name = "DB")]
    pub geoip: Option<PathBuf>,
}

/// Most NFQUEUE queues one run binds (one thread each).
pub const MAX_QUEUES: usize = 64;

/// One `-q` value: a queue number or an inclusive range `START:END`, as
/// Suricata's `-q` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueRange {
    /// First queue.
    pub start: u16,
    /// Last queue (inclusive).
    pub end: u16,
}

impl std::str::FromStr for QueueRange {
    type Err = String;

    fn from_str(s: &str) -> Result<QueueRange, String> {
        let num = |t: &str| {
            t.trim()
                .parse::<u16>()
                .map_err(|_| format!("queue number {t:?} is not in 0-65535"))
        };
        let (start, end) = match s.split_once(':') {
            Some((a, b)) => (num(a)?, num(b)?),
            None => (num(s)?, num(s)?),
        };
        if start > end {
            return Err(format!("queue range {s}: start is after end"));
        }
        if usize::from(end - start) >= MAX_QUEUES {
            return Err(format!(
                "queue range {s}: at most {MAX_QUEUES} queues (one thread each)"
            ));
        }
        Ok(QueueRange { start, end })
    }
}

/// Every queue of `ranges`, in the order given.
pub fn queue_numbers(ranges: &[QueueRange]) -> Vec<u16> {
    ranges.iter().flat_map(|r| r.start..=r.end).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_ranges_as_suricata_writes_them() {
        assert_eq!("7".parse(), Ok(QueueRange { start: 7, end: 7 }));
        assert_eq!("0:3".parse(), Ok(QueueRange { start: 0, end: 3 }));
        assert!("3:0".parse::<QueueRange>().is_err());
        assert!("65536".parse::<QueueRange>().is_err());
        assert!("x".parse::<QueueRange>().is_err());
        assert!("0:64".parse::<QueueRange>().is_err(), "65 queues");
        assert!("0:63".parse::<QueueRange>().is_ok());
        let r = [
            QueueRange { start: 4, end: 5 },
            QueueRange { start: 1, end: 1 },
        ];
        assert_eq!(queue_numbers(&r), [4, 5, 1]);
    }
}
