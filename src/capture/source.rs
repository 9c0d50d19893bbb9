//! What every packet source offers the runtime: [`PacketSource`] (next
//! packet, borrowed until the next call), [`Next`], [`OwnedPacket`] for
//! packets that must outlive their source's buffer, [`LiveConfig`] (the
//! settings of a live capture, present in every build so the CLI can parse
//! them and say "built without `live`"), and [`read_all`], which counts a
//! whole capture in one call.

use super::{CaptureError, CaptureSlice, LinkType, Packets, RawPacket, Timestamp};

/// What [`PacketSource::next_packet`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next<'a> {
    /// A packet, valid until the next call.
    Packet(RawPacket<'a>),
    /// A live source's read timeout passed with no packet: a chance to check
    /// for shutdown or flush output. Files never return this.
    Idle,
    /// The source is exhausted (end of file, or after an error).
    End,
}

/// A source of packets: a capture file's [`Packets`] or a live capture.
///
/// After an `Err` the source returns [`Next::End`].
pub trait PacketSource {
    /// The next packet, borrowed until the next call.
    ///
    /// # Errors
    ///
    /// Why the source cannot go on (a corrupt record, a libpcap error); it
    /// names the packet index that failed.
    fn next_packet(&mut self) -> Result<Next<'_>, CaptureError>;
}

impl PacketSource for Packets<'_> {
    fn next_packet(&mut self) -> Result<Next<'_>, CaptureError> {
        match self.next() {
            Some(Ok(p)) => Ok(Next::Packet(p)),
            Some(Err(e)) => Err(e),
            None => Ok(Next::End),
        }
    }
}

/// A packet that owns its bytes (one allocation): for live packets kept past
/// the next read, or queued between threads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedPacket {
    /// As [`RawPacket::index`].
    pub index: u64,
    /// As [`RawPacket::ts`].
    pub ts: Timestamp,
    /// As [`RawPacket::linktype`].
    pub linktype: LinkType,
    /// As [`RawPacket::data`].
    pub data: Vec<u8>,
    /// As [`RawPacket::orig_len`].
    pub orig_len: u32,
}

impl OwnedPacket {
    /// A borrowed view of this packet.
    pub fn as_raw(&self) -> RawPacket<'_> {
        RawPacket {
            index: self.index,
            ts: self.ts,
            linktype: self.linktype,
            data: &self.data,
            orig_len: self.orig_len,
        }
    }
}

/// Settings of a live capture (used with feature `live`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveConfig {
    /// Interface name, e.g. `eth0` or `lo`.
    pub interface: String,
    /// A BPF filter expression (tcpdump syntax), or none.
    pub bpf: Option<String>,
    /// Bytes kept per packet; 0 means [`super::MAX_CAPLEN`].
    pub snaplen: u32,
    /// Put the interface in promiscuous mode.
    pub promiscuous: bool,
    /// Milliseconds a read may wait before returning [`Next::Idle`]; 0 means
    /// libpcap's "wait forever".
    pub timeout_ms: u32,
}

impl LiveConfig {
    /// `interface` with Suricata's defaults: no filter, full snaplen,
    /// promiscuous, 100 ms read timeout.
    pub fn new(interface: impl Into<String>) -> LiveConfig {
        LiveConfig {
            interface: interface.into(),
            bpf: None,
            snaplen: 0,
            promiscuous: true,
            timeout_ms: 100,
        }
    }
}

/// What [`read_all`] counted.
#[derive(Debug)]
pub struct ReadSummary {
    /// Good packets read (the `decoder.pkts` Suricata would count).
    pub packets: u64,
    /// Sum of their captured lengths (Suricata's `decoder.bytes`).
    pub bytes: u64,
    /// Link types seen, with packet counts, in order of first appearance.
    pub linktypes: Vec<(LinkType, u64)>,
    /// Why reading stopped early, if it did.
    pub error: Option<CaptureError>,
}

/// Reads every packet of the capture in `data` and counts them.
///
/// # Errors
///
/// A header error when `data` is no pcap or pcapng file; errors after the
/// header are kept in [`ReadSummary::error`].
pub fn read_all(data: &[u8]) -> Result<ReadSummary, CaptureError> {
    let slice = CaptureSlice::new(data)?;
    let mut sum = ReadSummary {
        packets: 0,
        bytes: 0,
        linktypes: Vec::new(),
        error: None,
    };
    for item in slice.packets() {
        match item {
            Ok(p) => {
                sum.packets += 1;
                sum.bytes += p.data.len() as u64;
                match sum.linktypes.iter_mut().find(|(l, _)| *l == p.linktype) {
                    Some((_, n)) => *n += 1,
                    None => sum.linktypes.push((p.linktype, 1)),
                }
            }
            Err(e) => sum.error = Some(e),
        }
    }
    Ok(sum)
}
