//! Alerts formatted on a worker thread, written on another: the owned
//! per-packet record that travels between them.
//!
//! - [`BufferSink`]: an [`AlertSink`] for a worker's detector. It formats
//!   each alert with every format of a [`FormatSet`] into the current
//!   packet's [`PacketBytes`] (one byte buffer per output, whole lines).
//! - [`BufferTap`]: the worker loop's handle on the same buffers; after a
//!   packet it [`take`](BufferTap::take)s the packet's bytes, if any alert
//!   was raised, to send them to the writer thread.
//! - [`SplitWriter`]: the writer thread's end: output `k`'s bytes of each
//!   record go to writer `k`, buffered.
//!
//! The sink and its tap share the buffers through `Rc<RefCell<..>>`: both
//! live on the worker's thread, so there is no lock. Neither is `Send`;
//! build them on the thread that uses them.
//!
//! Memory: a packet's buffers grow with the alerts it raised; taking them
//! hands the allocation to the record, so nothing is kept between packets
//! beyond empty `Vec`s.

use std::cell::RefCell;
use std::io::{self, BufWriter, Write};
use std::rc::Rc;
use std::sync::Arc;

use super::record::AlertRecord;
use super::sink::{try_all, AlertFormat, AlertSink};

/// The formats a run writes, in output order (shared by every worker).
pub type FormatSet = Arc<[Box<dyn AlertFormat + Send + Sync>]>;

/// One packet's formatted alerts: `outputs[k]` holds format `k`'s lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PacketBytes {
    /// Bytes per output, in the [`FormatSet`]'s order.
    pub outputs: Vec<Vec<u8>>,
    /// Alerts formatted into them.
    pub alerts: u32,
    /// Tagged-packet records formatted into them (rule keyword `tag`).
    pub tagged: u32,
}

/// An [`AlertSink`] that formats into the current packet's buffers.
pub struct BufferSink {
    formats: FormatSet,
    buf: Rc<RefCell<PacketBytes>>,
}

/// The worker loop's handle on a [`BufferSink`]'s buffers.
#[derive(Debug)]
pub struct BufferTap {
    buf: Rc<RefCell<PacketBytes>>,
    outputs: usize,
}

impl BufferSink {
    /// A sink formatting with `formats`, and the tap that takes what it
    /// formatted.
    pub fn new(formats: FormatSet) -> (BufferSink, BufferTap) {
        let n = formats.len();
        let buf = Rc::new(RefCell::new(PacketBytes {
            outputs: vec![Vec::new(); n],
            alerts: 0,
            tagged: 0,
        }));
        let tap = BufferTap {
            buf: Rc::clone(&buf),
            outputs: n,
        };
        (BufferSink { formats, buf }, tap)
    }
}

impl AlertSink for BufferSink {
    fn alert(&mut self, rec: &AlertRecord<'_>) -> io::Result<()> {
        let mut b = self.buf.borrow_mut();
        for (format, out) in self.formats.iter().zip(b.outputs.iter_mut()) {
            format.format_alert(rec, out);
        }
        b.alerts += 1;
        Ok(())
    }

    fn tagged_packet(&mut self, rec: &AlertRecord<'_>) -> io::Result<()> {
        let mut b = self.buf.borrow_mut();
        for (format, out) in self.formats.iter().zip(b.outputs.iter_mut()) {
            format.format_tagged_packet(rec, out);
        }
        b.tagged += 1;
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl std::fmt::Debug for BufferSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BufferSink")
            .field("formats", &self.formats.len())
            .finish_non_exhaustive()
    }
}

impl BufferTap {
    /// The bytes formatted since the last take, or `None` when no alert
    /// was raised and no packet tagged (nothing allocated then).
    pub fn take(&self) -> Option<PacketBytes> {
        let mut b = self.buf.borrow_mut();
        if b.alerts == 0 && b.tagged == 0 {
            return None;
        }
        let fresh = PacketBytes {
            outputs: vec![Vec::new(); self.outputs],
            alerts: 0,
            tagged: 0,
        };
        Some(std::mem::replace(&mut *b, fresh))
    }
}

/// Writes output `k` of each record to writer `k`, buffered.
pub struct SplitWriter<'w> {
    outs: Vec<BufWriter<Box<dyn Write + Send + 'w>>>,
    alerts: u64,
}

impl<'w> SplitWriter<'w> {
    /// One buffered writer per output, in the [`FormatSet`]'s order.
    pub fn new(outs: Vec<Box<dyn Write + Send + 'w>>) -> SplitWriter<'w> {
        SplitWriter {
            outs: outs
                .into_iter()
                .map(|w| BufWriter::with_capacity(64 * 1024, w))
                .collect(),
            alerts: 0,
        }
    }

    /// Writes one packet's bytes. Every output is written even when an
    /// earlier one fails; the first error is returned.
    ///
    /// # Errors
    /// The first writer error.
    pub fn write(&mut self, rec: &PacketBytes) -> io::Result<()> {
        self.alerts += u64::from(rec.alerts);
        try_all(self.outs.iter_mut().zip(&rec.outputs), |(out, bytes)| {
            out.write_all(bytes)
        })
    }

    /// Alerts written so far.
    pub fn alerts(&self) -> u64 {
        self.alerts
    }

    /// Flushes every output.
    ///
    /// # Errors
    /// The first writer error.
    pub fn flush(&mut self) -> io::Result<()> {
        try_all(&mut self.outs, |out| out.flush())
    }
}

impl std::fmt::Debug for SplitWriter<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SplitWriter")
            .field("outputs", &self.outs.len())
            .field("alerts", &self.alerts)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::fast_log::FastLogFormat;

    fn record(sid: u32) -> AlertRecord<'static> {
        AlertRecord {
            ts_secs: 0,
            sid,
            msg: Some("m"),
            ..AlertRecord::default()
        }
    }

    #[test]
    fn tap_takes_each_packets_lines_once() {
        let formats: FormatSet = Arc::from(vec![
            Box::new(FastLogFormat::default()) as Box<dyn AlertFormat + Send + Sync>,
            Box::new(FastLogFormat::default()),
        ]);
        let (mut sink, tap) = BufferSink::new(formats);
        assert_eq!(tap.take(), None);
        sink.alert(&record(1)).unwrap();
        sink.alert(&record(2)).unwrap();
        let got = tap.take().unwrap();
        assert_eq!(got.alerts, 2);
        let text = String::from_utf8(got.outputs[0].clone()).unwrap();
        assert_eq!(text.lines().count(), 2);
        assert!(
            text.contains("[1:1:0]") && text.contains("[1:2:0]"),
            "{text}"
        );
        assert_eq!(got.outputs[0], got.outputs[1]);
        assert_eq!(tap.take(), None, "a take empties the buffers");
    }

    #[test]
    fn split_writer_routes_outputs() {
        let mut a = Vec::new();
        let mut b = Vec::new();
        {
            let mut w = SplitWriter::new(vec![Box::new(&mut a), Box::new(&mut b)]);
            w.write(&PacketBytes {
                outputs: vec![b"x\n".to_vec(), b"y\n".to_vec()],
                alerts: 1,
                tagged: 0,
            })
            .unwrap();
            assert_eq!(w.alerts(), 1);
            w.flush().unwrap();
        }
        assert_eq!(a, b"x\n");
        assert_eq!(b, b"y\n");
    }
}
