//! [`CaptureError`]: why a capture file (or live source) could not be read
//! further, and where.
//!
//! The error is an opaque struct: callers print it, and the few that need to
//! branch (tests, the CLI choosing an exit code) look at [`CaptureError::kind`],
//! a `#[non_exhaustive]` enum. Every error raised while iterating carries the
//! 1-based index of the packet that could not be read (the one *after* the last
//! good packet) and the byte offset of its record in the file, so a message
//! reads `capture.pcap: packet 7 at byte offset 4325400: captured length ...`.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// What went wrong; see [`CaptureError`] for where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CaptureErrorKind {
    /// The operating system refused to open, map or read the file (the
    /// [`std::io::Error`] is the error's `source()`).
    #[error("I/O error")]
    Io,
    /// The file is shorter than its format's file header (24 bytes for pcap,
    /// one section header block for pcapng). An empty file is this too.
    #[error("truncated file header: need {needed} bytes, file has {available}")]
    TruncatedFileHeader {
        /// Bytes the header needs.
        needed: usize,
        /// Bytes the file has.
        available: usize,
    },
    /// The first four bytes are no pcap or pcapng magic number.
    #[error("not a pcap or pcapng file (magic number {0:#010x})")]
    UnknownMagic(u32),
    /// The file header names a link type that does not fit in 16 bits.
    #[error("unsupported link type {0:#x} in file header")]
    UnsupportedLinkType(u32),
    /// A packet record (or pcapng block) runs past the end of the file.
    #[error("truncated packet record: need {needed} bytes, {available} left in file")]
    TruncatedRecord {
        /// Bytes the record needs, counted from its first byte.
        needed: u64,
        /// Bytes left in the file from the record's first byte.
        available: u64,
    },
    /// A record's captured length is above [`super::MAX_CAPLEN`]: a corrupt
    /// or hostile file, never an allocation. (libpcap refuses the same
    /// records, so Suricata stops at the same packet.)
    #[error("captured length {caplen} is larger than the maximum of {limit}")]
    CapLenTooLarge {
        /// The captured length the record claims.
        caplen: u32,
        /// The limit it broke.
        limit: u32,
    },
    /// A pcapng block is malformed (bad length, mismatched trailer, caplen
    /// larger than its block, bad byte-order magic ...).
    #[error("malformed pcapng block (type {block_type:#010x}): {reason}")]
    MalformedBlock {
        /// The block type as read from the file.
        block_type: u32,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A pcapng packet names an interface the section never described.
    #[error("packet names interface {interface_id}, but the section describes {described}")]
    UnknownInterface {
        /// The interface id in the packet block.
        interface_id: u32,
        /// How many interfaces the current section described.
        described: usize,
    },
    /// A pcapng section describes more than [`super::MAX_INTERFACES`]
    /// interfaces.
    #[error(
        "pcapng section describes more than {} interfaces",
        super::MAX_INTERFACES
    )]
    TooManyInterfaces,
    /// libpcap reported an error on a live capture (message kept verbatim).
    #[error("live capture: {0}")]
    Live(String),
}

/// A capture source could not be read further.
///
/// Holds the [`kind`](CaptureError::kind), the file path when known, the
/// 1-based index of the packet that failed and the byte offset of its record,
/// and the underlying [`io::Error`] as `source()` where there is one.
#[derive(Debug)]
pub struct CaptureError {
    kind: CaptureErrorKind,
    path: Option<PathBuf>,
    packet_index: Option<u64>,
    byte_offset: Option<u64>,
    source: Option<io::Error>,
}

impl CaptureError {
    /// An error of `kind` with no location yet.
    pub(crate) fn new(kind: CaptureErrorKind) -> CaptureError {
        CaptureError {
            kind,
            path: None,
            packet_index: None,
            byte_offset: None,
            source: None,
        }
    }

    /// An I/O error, keeping `err` as the source.
    pub(crate) fn io(err: io::Error) -> CaptureError {
        CaptureError {
            source: Some(err),
            ..CaptureError::new(CaptureErrorKind::Io)
        }
    }

    /// An error at packet `index` (1-based) whose record starts at `offset`.
    pub(crate) fn at(kind: CaptureErrorKind, index: u64, offset: u64) -> CaptureError {
        CaptureError {
            packet_index: Some(index),
            byte_offset: Some(offset),
            ..CaptureError::new(kind)
        }
    }

    /// Records the 1-based index of the packet that failed.
    #[cfg_attr(not(feature = "live"), allow(dead_code))]
    pub(crate) fn set_packet_index(&mut self, index: u64) {
        self.packet_index = Some(index);
    }

    /// The same error, naming the file it came from.
    pub(crate) fn with_path(mut self, path: &Path) -> CaptureError {
        self.path = Some(path.to_path_buf());
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> &CaptureErrorKind {
        &self.kind
    }

    /// The file, when the error came from [`super::CaptureFile::open`] or a
    /// file opened by path.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The 1-based index of the packet that could not be read (Suricata's
    /// `pcap_cnt` numbering): every packet before it was yielded.
    pub fn packet_index(&self) -> Option<u64> {
        self.packet_index
    }

    /// The byte offset in the file of the record (or block) that failed.
    pub fn byte_offset(&self) -> Option<u64> {
        self.byte_offset
    }
}

impl fmt::Display for CaptureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(path) = &self.path {
            write!(f, "{}: ", path.display())?;
        }
        match (self.packet_index, self.byte_offset) {
            (Some(i), Some(o)) => write!(f, "packet {i} at byte offset {o}: ")?,
            (Some(i), None) => write!(f, "packet {i}: ")?,
            (None, Some(o)) => write!(f, "byte offset {o}: ")?,
            (None, None) => {}
        }
        write!(f, "{}", self.kind)?;
        if let Some(src) = &self.source {
            write!(f, ": {src}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CaptureError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn display_names_path_packet_and_offset() {
        let e = CaptureError::at(
            CaptureErrorKind::CapLenTooLarge {
                caplen: 4_325_376,
                limit: 262_144,
            },
            7,
            4_325_400,
        )
        .with_path(Path::new("x.pcap"));
        assert_eq!(
            e.to_string(),
            "x.pcap: packet 7 at byte offset 4325400: captured length 4325376 is larger \
             than the maximum of 262144"
        );
        assert_eq!(e.packet_index(), Some(7));
        assert_eq!(e.byte_offset(), Some(4_325_400));
    }

    #[test]
    fn io_error_keeps_source() {
        use std::error::Error as _;
        let e = CaptureError::io(io::Error::new(io::ErrorKind::NotFound, "gone"));
        assert_eq!(e.kind(), &CaptureErrorKind::Io);
        assert_eq!(e.source().map(|s| s.to_string()), Some("gone".to_string()));
        assert_eq!(e.to_string(), "I/O error: gone");
    }
}
