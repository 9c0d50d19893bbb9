//! [`PcapWriter`]: writes a classic pcap file (microsecond or nanosecond
//! timestamps, one link type) to any [`Write`].
//!
//! Used for crafted test captures and for IPS mode's `-w OUT.pcap`. The
//! writer always writes little-endian with version 2.4, which every reader
//! (ours, libpcap, Wireshark) accepts; it buffers nothing itself, so wrap a
//! file in a [`std::io::BufWriter`]. The format is two fixed little structs,
//! so it is written here rather than through pcap-parser's experimental
//! `serialize` feature, which builds a `Vec` per record.

use std::io::{self, Write};

use super::{LinkType, RawPacket, Timestamp, MAX_CAPLEN};

/// Timestamp resolution of a written pcap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TsPrecision {
    /// Magic 0xa1b2c3d4: fractions are microseconds (nanoseconds truncated).
    Micro,
    /// Magic 0xa1b23c4d: fractions are nanoseconds.
    Nano,
}

/// Writes packets as a classic pcap file.
#[derive(Debug)]
pub struct PcapWriter<W: Write> {
    out: W,
    precision: TsPrecision,
    snaplen: u32,
    linktype: LinkType,
}

impl<W: Write> PcapWriter<W> {
    /// Writes the file header (snaplen [`MAX_CAPLEN`]) and returns the writer.
    ///
    /// # Errors
    ///
    /// Any error of `out`.
    pub fn new(out: W, linktype: LinkType, precision: TsPrecision) -> io::Result<PcapWriter<W>> {
        PcapWriter::with_snaplen(out, linktype, precision, MAX_CAPLEN)
    }

    /// As [`PcapWriter::new`] with a given header snaplen; packets longer
    /// than it are refused.
    ///
    /// # Errors
    ///
    /// Any error of `out`.
    pub fn with_snaplen(
        mut out: W,
        linktype: LinkType,
        precision: TsPrecision,
        snaplen: u32,
    ) -> io::Result<PcapWriter<W>> {
        let magic: u32 = match precision {
            TsPrecision::Micro => 0xa1b2_c3d4,
            TsPrecision::Nano => 0xa1b2_3c4d,
        };
        let mut h = [0u8; 24];
        h[0..4].copy_from_slice(&magic.to_le_bytes());
        h[4..6].copy_from_slice(&2u16.to_le_bytes());
        h[6..8].copy_from_slice(&4u16.to_le_bytes());
        // thiszone (8..12) and sigfigs (12..16) stay 0.
        h[16..20].copy_from_slice(&snaplen.to_le_bytes());
        h[20..24].copy_from_slice(&u32::from(linktype.0).to_le_bytes());
        out.write_all(&h)?;
        Ok(PcapWriter {
            out,
            precision,
            snaplen,
            linktype,
        })
    }

    /// The link type written in the header.
    pub fn linktype(&self) -> LinkType {
        self.linktype
    }

    /// Appends one record: `data` as captured, `orig_len` the length on the
    /// wire (at least `data.len()`; smaller values are raised to it).
    ///
    /// # Errors
    ///
    /// [`io::ErrorKind::InvalidInput`] when `data` is longer than the
    /// snaplen, or seconds do not fit the format's 32 bits; else any error
    /// of the output.
    pub fn write_packet(&mut self, ts: Timestamp, data: &[u8], orig_len: u32) -> io::Result<()> {
        let caplen = u32::try_from(data.len())
            .ok()
            .filter(|&c| c <= self.snaplen)
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "packet of {} bytes is longer than the snaplen {}",
                        data.len(),
                        self.snaplen
                    ),
                )
            })?;
        let secs = u32::try_from(ts.secs()).map_err(|_| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("timestamp {} s does not fit pcap's 32 bits", ts.secs()),
            )
        })?;
        let frac = match self.precision {
            TsPrecision::Micro => ts.micros(),
            TsPrecision::Nano => ts.nanos(),
        };
        let mut h = [0u8; 16];
        h[0..4].copy_from_slice(&secs.to_le_bytes());
        h[4..8].copy_from_slice(&frac.to_le_bytes());
        h[8..12].copy_from_slice(&caplen.to_le_bytes());
        h[12..16].copy_from_slice(&orig_len.max(caplen).to_le_bytes());
        self.out.write_all(&h)?;
        self.out.write_all(data)
    }

    /// Appends `packet` with its own timestamp and lengths (its link type is
    /// not checked against the header's).
    ///
    /// # Errors
    ///
    /// As [`PcapWriter::write_packet`].
    pub fn write_raw(&mut self, packet: &RawPacket<'_>) -> io::Result<()> {
        self.write_packet(packet.ts, packet.data, packet.orig_len)
    }

    /// Flushes and returns the output.
    ///
    /// # Errors
    ///
    /// Any error of the final flush.
    pub fn into_inner(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}
