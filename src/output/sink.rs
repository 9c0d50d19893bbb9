//! The traits the runtime writes alerts through, and the buffered file
//! writers that implement them.
//!
//! - [`AlertFormat`]: turns one [`AlertRecord`] into bytes appended to a
//!   caller's `Vec<u8>`. Pure, no I/O: a worker thread can format a batch
//!   into its own buffer and hand the bytes to the one thread that writes,
//!   so lines never interleave and workers never touch files.
//! - [`AlertSink`]: takes alerts and writes them somewhere.
//!   [`LineWriter`] pairs a format with a buffered writer ([`FastLog`] and
//!   [`Eve`] are its two instances); [`MultiSink`] tees to several sinks.
//!
//! In steady state nothing allocates per alert: each writer formats into a
//! scratch `Vec<u8>` it keeps and clears, then copies into its `BufWriter`.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::Path;

use super::eve::EveFormat;
use super::fast_log::FastLogFormat;
use super::record::AlertRecord;

/// Formats alerts as bytes (one line each, newline included).
pub trait AlertFormat {
    /// Appends `rec`'s text to `out`, leaving what `out` held before.
    fn format_alert(&self, rec: &AlertRecord<'_>, out: &mut Vec<u8>);

    /// Appends the record of a *tagged* packet (rule keyword `tag`; only
    /// the packet fields of `rec` are set), if this format logs them. The
    /// default writes nothing (fast.log does not log tagged packets).
    fn format_tagged_packet(&self, rec: &AlertRecord<'_>, out: &mut Vec<u8>) {
        let _ = (rec, out);
    }
}

/// Somewhere alerts go.
pub trait AlertSink {
    /// Writes one alert.
    ///
    /// # Errors
    /// The underlying writer's error.
    fn alert(&mut self, rec: &AlertRecord<'_>) -> io::Result<()>;

    /// Writes one tagged packet (rule keyword `tag`; only the packet fields
    /// of `rec` are set). The default ignores it.
    ///
    /// # Errors
    /// The underlying writer's error.
    fn tagged_packet(&mut self, rec: &AlertRecord<'_>) -> io::Result<()> {
        let _ = rec;
        Ok(())
    }

    /// Pushes buffered output to the underlying writer.
    ///
    /// # Errors
    /// The underlying writer's error.
    fn flush(&mut self) -> io::Result<()>;
}

impl<S: AlertSink + ?Sized> AlertSink for &mut S {
    fn alert(&mut self, rec: &AlertRecord<'_>) -> io::Result<()> {
        (**self).alert(rec)
    }
    fn tagged_packet(&mut self, rec: &AlertRecord<'_>) -> io::Result<()> {
        (**self).tagged_packet(rec)
    }
    fn flush(&mut self) -> io::Result<()> {
        (**self).flush()
    }
}

impl<S: AlertSink + ?Sized> AlertSink for Box<S> {
    fn alert(&mut self, rec: &AlertRecord<'_>) -> io::Result<()> {
        (**self).alert(rec)
    }
    fn tagged_packet(&mut self, rec: &AlertRecord<'_>) -> io::Result<()> {
        (**self).tagged_packet(rec)
    }
    fn flush(&mut self) -> io::Result<()> {
        (**self).flush()
    }
}

/// Bytes in a writer's buffer before it writes through (Suricata's file
/// outputs are line-buffered stdio; a bigger buffer means fewer syscalls).
const WRITE_BUFFER: usize = 64 * 1024;

/// A format plus a buffered writer: one line per alert.
pub struct LineWriter<F, W: Write> {
    format: F,
    out: BufWriter<W>,
    scratch: Vec<u8>,
    lines: u64,
}

/// fast.log writer.
pub type FastLog<W> = LineWriter<FastLogFormat, W>;

/// eve.json alert writer.
pub type Eve<W> = LineWriter<EveFormat, W>;

impl<F: AlertFormat, W: Write> LineWriter<F, W> {
    /// Writes `format`ted lines to `w`, buffered.
    pub fn new(format: F, w: W) -> LineWriter<F, W> {
        LineWriter {
            format,
            out: BufWriter::with_capacity(WRITE_BUFFER, w),
            scratch: Vec::with_capacity(1024),
            lines: 0,
        }
    }

    /// Writes bytes some worker formatted with the same format (whole lines)
    /// as they are. They do not count in [`lines`](LineWriter::lines).
    ///
    /// # Errors
    /// The underlying writer's error.
    pub fn write_formatted(&mut self, lines: &[u8]) -> io::Result<()> {
        self.out.write_all(lines)
    }

    /// Alerts written through [`AlertSink::alert`] so far.
    pub fn lines(&self) -> u64 {
        self.lines
    }

    /// The format.
    pub fn format(&self) -> &F {
        &self.format
    }

    /// Flushes and returns the underlying writer.
    ///
    /// # Errors
    /// The error of the final flush.
    pub fn into_inner(self) -> io::Result<W> {
        self.out
            .into_inner()
            .map_err(io::IntoInnerError::into_error)
    }
}

impl<F: AlertFormat> LineWriter<F, File> {
    /// Opens `path` for writing (appending to what is there when `append`,
    /// as Suricata's `append: yes` does; truncating otherwise).
    ///
    /// # Errors
    /// The error of opening the file, with its path.
    pub fn create(format: F, path: &Path, append: bool) -> io::Result<LineWriter<F, File>> {
        let file = OpenOptions::new()
            .create(true)
            .write(true)
            .append(append)
            .truncate(!append)
            .open(path)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        Ok(LineWriter::new(format, file))
    }
}

impl<F: AlertFormat, W: Write> AlertSink for LineWriter<F, W> {
    fn alert(&mut self, rec: &AlertRecord<'_>) -> io::Result<()> {
        self.scratch.clear();
        self.format.format_alert(rec, &mut self.scratch);
        self.lines += 1;
        self.out.write_all(&self.scratch)
    }

    fn tagged_packet(&mut self, rec: &AlertRecord<'_>) -> io::Result<()> {
        self.scratch.clear();
        self.format.format_tagged_packet(rec, &mut self.scratch);
        self.out.write_all(&self.scratch)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

impl<F: std::fmt::Debug, W: Write> std::fmt::Debug for LineWriter<F, W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LineWriter")
            .field("format", &self.format)
            .field("lines", &self.lines)
            .finish_non_exhaustive()
    }
}

/// Sends every alert to each of its sinks, in order.
///
/// Every sink sees every alert even when an earlier one fails; the first
/// error is returned.
#[derive(Default)]
pub struct MultiSink<'s> {
    sinks: Vec<Box<dyn AlertSink + Send + 's>>,
}

impl<'s> MultiSink<'s> {
    /// No sinks yet.
    pub fn new() -> MultiSink<'s> {
        MultiSink { sinks: Vec::new() }
    }

    /// Adds a sink.
    pub fn push(&mut self, sink: impl AlertSink + Send + 's) {
        self.sinks.push(Box::new(sink));
    }

    /// Adds a sink, builder style.
    pub fn with(mut self, sink: impl AlertSink + Send + 's) -> MultiSink<'s> {
        self.push(sink);
        self
    }

    /// How many sinks there are.
    pub fn len(&self) -> usize {
        self.sinks.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.sinks.is_empty()
    }
}

impl AlertSink for MultiSink<'_> {
    fn alert(&mut self, rec: &AlertRecord<'_>) -> io::Result<()> {
        try_all(&mut self.sinks, |sink| sink.alert(rec))
    }

    fn tagged_packet(&mut self, rec: &AlertRecord<'_>) -> io::Result<()> {
        try_all(&mut self.sinks, |sink| sink.tagged_packet(rec))
    }

    fn flush(&mut self) -> io::Result<()> {
        try_all(&mut self.sinks, |sink| sink.flush())
    }
}

/// Calls `f` on every item, also after one failed; returns the first
/// error (every output gets its chance even when an earlier one fails).
pub(crate) fn try_all<T>(
    items: impl IntoIterator<Item = T>,
    mut f: impl FnMut(T) -> io::Result<()>,
) -> io::Result<()> {
    let mut first = Ok(());
    for item in items {
        let result = f(item);
        if first.is_ok() {
            first = result;
        }
    }
    first
}

impl std::fmt::Debug for MultiSink<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MultiSink")
            .field("sinks", &self.sinks.len())
            .finish()
    }
}

/// Counts alerts and writes nothing (for `--no-output` style runs and
/// benchmarks).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CountingSink {
    /// Alerts seen.
    pub alerts: u64,
}

impl AlertSink for CountingSink {
    fn alert(&mut self, _rec: &AlertRecord<'_>) -> io::Result<()> {
        self.alerts += 1;
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::eve::EveOptions;
    use crate::output::record::{IpInfo, Transport};
    use crate::output::time::UtcOffset;
    use std::net::{IpAddr, Ipv4Addr};

    fn record() -> AlertRecord<'static> {
        AlertRecord {
            ts_secs: 1_612_510_490,
            sid: 7,
            rev: 1,
            msg: Some("m"),
            ip: Some(IpInfo {
                src: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)),
                dst: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)),
                proto: 17,
                transport: Transport::Ports { src: 53, dst: 1024 },
            }),
            ..AlertRecord::default()
        }
    }

    const FAST: &str = "02/05/2021-07:34:50.000000  [**] [1:7:1] m [**] \
                        [Classification: (null)] [Priority: 3] {UDP} 10.0.0.1:53 -> 10.0.0.2:1024\n";

    #[test]
    fn fast_log_writes_lines_in_order() {
        let mut w = FastLog::new(FastLogFormat::default(), Vec::new());
        w.alert(&record()).unwrap();
        w.alert(&record()).unwrap();
        assert_eq!(w.lines(), 2);
        let out = w.into_inner().unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), FAST.repeat(2));
    }

    #[test]
    fn write_formatted_passes_bytes_through() {
        let mut batch = Vec::new();
        FastLogFormat::default().format_alert(&record(), &mut batch);
        let mut w = FastLog::new(FastLogFormat::default(), Vec::new());
        w.write_formatted(&batch).unwrap();
        assert_eq!(w.into_inner().unwrap(), FAST.as_bytes());
    }

    #[test]
    fn multi_sink_tees() {
        let mut fast = Vec::new();
        let mut eve = Vec::new();
        let mut count = CountingSink::default();
        {
            let mut tee = MultiSink::new()
                .with(FastLog::new(FastLogFormat::default(), &mut fast))
                .with(Eve::new(
                    EveFormat::new(EveOptions::default(), UtcOffset::UTC),
                    &mut eve,
                ))
                .with(&mut count);
            assert_eq!(tee.len(), 3);
            tee.alert(&record()).unwrap();
            tee.flush().unwrap();
        }
        assert_eq!(String::from_utf8(fast).unwrap(), FAST);
        let eve = String::from_utf8(eve).unwrap();
        assert!(
            eve.starts_with("{\"timestamp\":\"2021-02-05T07:34:50.000000+0000\""),
            "{eve}"
        );
        assert!(eve.ends_with("}\n"));
        assert_eq!(count.alerts, 1);
    }

    /// A tagged packet goes to EVE (when `tagged_packets` is on) and not
    /// to fast.log, and does not count as an alert line.
    #[test]
    fn tagged_packets_reach_eve_only_when_asked() {
        let mut fast = Vec::new();
        let mut eve = Vec::new();
        let mut quiet = Vec::new();
        {
            let on =
                EveFormat::new(EveOptions::default(), UtcOffset::UTC).with_tagged_packets(true);
            let mut eve_w = Eve::new(on, &mut eve);
            let mut tee = MultiSink::new()
                .with(FastLog::new(FastLogFormat::default(), &mut fast))
                .with(Eve::new(
                    EveFormat::new(EveOptions::default(), UtcOffset::UTC),
                    &mut quiet,
                ))
                .with(&mut eve_w);
            tee.tagged_packet(&record()).unwrap();
            tee.flush().unwrap();
            drop(tee);
            assert_eq!(eve_w.lines(), 0);
        }
        assert!(fast.is_empty());
        assert!(quiet.is_empty());
        let eve = String::from_utf8(eve).unwrap();
        assert!(eve.contains("\"event_type\":\"packet\""), "{eve}");
        assert_eq!(eve.lines().count(), 1);
    }

    struct Failing;
    impl AlertSink for Failing {
        fn alert(&mut self, _: &AlertRecord<'_>) -> io::Result<()> {
            Err(io::Error::other("disk full"))
        }
        fn flush(&mut self) -> io::Result<()> {
            Err(io::Error::other("disk full"))
        }
    }

    #[test]
    fn multi_sink_reaches_every_sink_and_reports_first_error() {
        let mut count = CountingSink::default();
        {
            let mut tee = MultiSink::new().with(Failing).with(&mut count);
            let err = tee.alert(&record()).unwrap_err();
            assert_eq!(err.to_string(), "disk full");
            assert!(tee.flush().is_err());
        }
        assert_eq!(count.alerts, 1);
    }

    #[test]
    fn create_truncates_or_appends() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fast.log");
        std::fs::write(&path, "old\n").unwrap();
        let mut w = FastLog::create(FastLogFormat::default(), &path, true).unwrap();
        w.alert(&record()).unwrap();
        drop(w.into_inner().unwrap());
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            format!("old\n{FAST}")
        );
        let mut w = FastLog::create(FastLogFormat::default(), &path, false).unwrap();
        w.alert(&record()).unwrap();
        drop(w.into_inner().unwrap());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), FAST);
        let missing = dir.path().join("no/such/dir/fast.log");
        let err = FastLog::create(FastLogFormat::default(), &missing, false).unwrap_err();
        assert!(err.to_string().contains("no/such/dir/fast.log"), "{err}");
    }
}
