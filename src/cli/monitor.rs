//! The watcher beside a run: a progress bar on a terminal (indicatif,
//! only when stderr is a tty and the file is long enough to need one) and
//! periodic stats lines (`--stats-interval SECS`), both read from the
//! run's [`Progress`] counters.

use std::io::{IsTerminal, Write};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use rulewire::runtime::{Progress, ProgressSnapshot, MONITOR_TICK};

/// Files smaller than this get no progress bar (they end too soon).
const BAR_MIN_BYTES: u64 = 64 * 1024 * 1024;

/// What to show.
#[derive(Debug, Clone, Copy)]
pub struct MonitorOptions {
    /// Bytes of the capture file (the bar's length).
    pub file_len: u64,
    /// Print a stats line this often.
    pub stats_interval: Option<Duration>,
}

impl MonitorOptions {
    /// Whether there is anything to show (no thread otherwise).
    pub fn needed(&self) -> bool {
        self.stats_interval.is_some() || show_bar(self.file_len)
    }
}

fn show_bar(file_len: u64) -> bool {
    file_len >= BAR_MIN_BYTES && std::io::stderr().is_terminal()
}

/// Sets the run's `done` flag when dropped, so the monitor ends even when
/// the run unwinds.
#[derive(Debug)]
pub struct DoneOnDrop<'a>(pub &'a Progress);

impl Drop for DoneOnDrop<'_> {
    fn drop(&mut self) {
        self.0.done.store(true, Ordering::Release);
    }
}

/// Watches `progress` until its `done` flag is set. Call on its own
/// (scoped) thread.
pub fn watch(progress: &Progress, opts: MonitorOptions) {
    let bar = show_bar(opts.file_len).then(|| {
        let b = ProgressBar::new(opts.file_len);
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({bytes_per_sec}, eta {eta})",
        ) {
            b.set_style(style);
        }
        b
    });
    let start = Instant::now();
    let mut next_stats = opts.stats_interval.map(|i| start + i);
    while !progress.done.load(Ordering::Acquire) {
        std::thread::sleep(MONITOR_TICK);
        if let Some(b) = &bar {
            b.set_position(progress.offset.load(Ordering::Relaxed));
        }
        if let (Some(at), Some(every)) = (next_stats, opts.stats_interval) {
            if Instant::now() >= at {
                let line = stats_line(&progress.snapshot(), start.elapsed());
                match &bar {
                    Some(b) => b.println(line),
                    None => {
                        let _ = writeln!(std::io::stderr().lock(), "{line}");
                    }
                }
                next_stats = Some(at + every);
            }
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
}

/// One periodic stats line: every packet read is decoded, invalid,
/// dropped or still queued.
pub fn stats_line(s: &ProgressSnapshot, elapsed: Duration) -> String {
    format!(
        "rulewire: stats at {:.1} s: read {} = decoded {} + invalid {} + dropped {} + queued {}; alerts {}",
        elapsed.as_secs_f64(),
        s.read,
        s.decoded,
        s.invalid,
        s.dropped,
        s.queued,
        s.alerts
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_line_accounts_for_every_packet() {
        let s = ProgressSnapshot {
            read: 10,
            decoded: 6,
            invalid: 1,
            dropped: 0,
            queued: 3,
            alerts: 2,
        };
        assert_eq!(
            stats_line(&s, Duration::from_millis(1500)),
            "rulewire: stats at 1.5 s: read 10 = decoded 6 + invalid 1 + dropped 0 + queued 3; alerts 2"
        );
    }
}
