//! Packet capture: pcap and pcapng files read without libpcap, pcap files
//! written, and (feature `live`) live capture through libpcap. This is the
//! first stage of the pipeline; its output is a [`RawPacket`]: where the
//! packet came from, when, its link type and its bytes. Decoding those bytes
//! is [`crate::decode`]'s job.
//!
//! # Reading files
//!
//! [`CaptureFile::open`] memory-maps a regular file (other files, such as
//! pipes, are read into memory) and checks its header; [`CaptureFile::packets`]
//! then yields [`RawPacket`]s whose `data` is a slice *into the map*: no copy,
//! no allocation per packet. [`CaptureSlice`] does the same over any borrowed
//! `&[u8]`, for tests, fuzzing and benchmarks that preload a file.
//!
//! Supported: pcap with microsecond or nanosecond magic in either byte order,
//! the little-endian "modified" (Kuznetzov) pcap; pcapng with any number of
//! sections of either byte order, interfaces of different link types, any
//! `if_tsresol` (powers of 10 or 2) and `if_tsoffset`, and enhanced, simple
//! and obsolete packet blocks. Other pcapng blocks are skipped. Field parsing
//! is done by the `pcap-parser` crate; this module adds the framing policy,
//! the bounds, the numbering and the error values.
//!
//! ```
//! use rulewire::capture::{CaptureFile, LinkType, PcapWriter, Timestamp, TsPrecision};
//!
//! // Write a two-packet pcap in memory, then read it back.
//! let mut w = PcapWriter::new(Vec::new(), LinkType::ETHERNET, TsPrecision::Micro)?;
//! w.write_packet(Timestamp::from_micros(1_612_510_490, 3), &[0xaa; 14], 14)?;
//! w.write_packet(Timestamp::from_micros(1_612_510_491, 0), &[0xbb; 60], 1514)?;
//! let file = CaptureFile::from_bytes(w.into_inner()?)?;
//!
//! let mut packets = file.packets();
//! let first = packets.next().unwrap()?;
//! assert_eq!((first.index, first.data.len()), (1, 14));
//! assert_eq!(first.linktype, LinkType::ETHERNET);
//! assert_eq!(first.ts.fast_log().to_string(), "02/05/2021-07:34:50.000003");
//! let second = packets.next().unwrap()?;
//! assert_eq!((second.index, second.data.len(), second.orig_len), (2, 60, 1514));
//! assert!(packets.next().is_none());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Errors and bounds
//!
//! Packets are numbered from 1 in file order, the numbering of Suricata's
//! `pcap_cnt`. A file that is truncated or corrupt yields every good packet,
//! then one `Err(`[`CaptureError`]`)` naming the 1-based index of the packet
//! it could not read and the byte offset of that record, then ends: the run
//! keeps everything raised so far. The reader never panics, never allocates
//! more than a pcapng section's interface table (at most [`MAX_INTERFACES`]
//! entries) and always moves forward.
//!
//! The bounds are libpcap's, so we stop where Suricata (which reads files
//! through libpcap) stops: a captured length above [`MAX_CAPLEN`] is an
//! error; one above the file's (or interface's) snaplen but within
//! [`MAX_CAPLEN`] is cut to the snaplen and the record skipped past, as
//! libpcap salvages such files; a snaplen of 0 means [`MAX_CAPLEN`].
//! [`RawPacket::data`] is therefore never longer than [`MAX_CAPLEN`].
//!
//! # Sources
//!
//! [`PacketSource`] is what a single-threaded loop needs from any source,
//! file or live: the next packet, borrowed until the next call. A
//! multi-threaded runtime should iterate [`Packets`] directly instead: its
//! items borrow the file, not the iterator, so they can cross scoped threads
//! without a copy. Live packets live in libpcap's buffer until the next read,
//! so they must be copied (e.g. into an [`OwnedPacket`]) to outlive it.
//!
//! # Not here
//!
//! BPF filtering of files (Suricata applies a command-line BPF to files too;
//! conformance case `bpf-command-line` expects 0 packets), link-layer
//! decoding, and reordering by timestamp.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod error;
mod file;
mod linktype;
#[cfg(feature = "live")]
mod live;
mod pcap;
mod pcapng;
mod source;
mod timestamp;
mod writer;

pub use error::{CaptureError, CaptureErrorKind};
pub use file::{CaptureFile, CaptureFormat, CaptureSlice, Packets};
pub use linktype::LinkType;
#[cfg(feature = "live")]
pub use live::{LiveCapture, LiveStats};
pub use source::{read_all, LiveConfig, Next, OwnedPacket, PacketSource, ReadSummary};
pub use timestamp::{EveTime, FastLogTime, Timestamp};
pub use writer::{PcapWriter, TsPrecision};

/// Largest captured length accepted, in bytes: 256 KiB, libpcap's
/// `MAXIMUM_SNAPLEN` (and its maximum for every common link type).
pub const MAX_CAPLEN: u32 = 262_144;

/// Most interfaces one pcapng section may describe.
pub const MAX_INTERFACES: usize = 65_536;

/// One captured packet, borrowed from its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawPacket<'a> {
    /// 1-based position in the source (Suricata's `pcap_cnt`).
    pub index: u64,
    /// Capture time.
    pub ts: Timestamp,
    /// What `data` starts with.
    pub linktype: LinkType,
    /// The captured bytes (at most [`MAX_CAPLEN`]; the "caplen"). Suricata's
    /// `decoder.bytes` counter sums these lengths.
    pub data: &'a [u8],
    /// Length on the wire; larger than `data.len()` when the capture cut the
    /// packet. Taken from the file as is, so a corrupt file may make it
    /// smaller.
    pub orig_len: u32,
}

impl RawPacket<'_> {
    /// An owned copy (one allocation) for sources whose buffers are reused.
    pub fn to_owned_packet(&self) -> OwnedPacket {
        OwnedPacket {
            index: self.index,
            ts: self.ts,
            linktype: self.linktype,
            data: self.data.to_vec(),
            orig_len: self.orig_len,
        }
    }
}

/// Panics if the reader breaks one of its promises on `data`; otherwise
/// reads everything. The body of the `pcap_reader` fuzz target.
///
/// Checked: no packet is longer than [`MAX_CAPLEN`] or than its file, packet
/// indexes run 1, 2, 3 ... without gaps, at most one error comes and it is
/// last and names the next index, the iterator stays ended.
///
/// # Panics
///
/// Only on a broken promise, which is a bug in this module.
pub fn fuzz_pcap_reader(data: &[u8]) {
    let Ok(slice) = CaptureSlice::new(data) else {
        return;
    };
    let _ = slice.format();
    let mut packets = slice.packets();
    let mut expect = 1u64;
    let mut bytes = 0u64;
    let mut errored = false;
    for item in packets.by_ref() {
        assert!(!errored, "an item after the error");
        match item {
            Ok(p) => {
                assert_eq!(p.index, expect, "packet numbering");
                assert!(p.data.len() <= MAX_CAPLEN as usize, "caplen bound");
                bytes += p.data.len() as u64;
                assert!(bytes <= data.len() as u64, "packets longer than the file");
                let _ = p.ts.fast_log().to_string();
                expect += 1;
            }
            Err(e) => {
                assert_eq!(e.packet_index(), Some(expect), "error names next packet");
                assert!(e.byte_offset() <= Some(data.len() as u64), "error offset");
                let _ = e.to_string();
                errored = true;
            }
        }
    }
    assert!(packets.next().is_none(), "iterator fused");
    assert!(packets.byte_offset() <= data.len() as u64, "offset in file");
}
