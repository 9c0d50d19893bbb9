//! [`CaptureFile`] (owns the bytes of a pcap or pcapng file: a memory map,
//! or a `Vec` for pipes and tests), [`CaptureSlice`] (a parsed view over
//! borrowed bytes) and [`Packets`], the iterator both hand out.
//!
//! The format is recognised from the first four bytes and its file header is
//! checked when the file is opened, so an unreadable or foreign file fails at
//! `open`, before any packet is promised. Iteration errors come later, as the
//! last item of [`Packets`].

use std::fs::File;
use std::io::Read;
use std::iter::FusedIterator;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use memmap2::Mmap;

use super::pcap::{magic, PcapHeader, PcapRecords};
use super::pcapng::NgBlocks;
use super::{CaptureError, CaptureErrorKind, LinkType, RawPacket};

/// pcapng's section header block type, the first four bytes of the file.
const PCAPNG_MAGIC: u32 = 0x0A0D_0D0A;
/// Bytes of a pcapng file before the byte-order magic can be read.
const PCAPNG_MIN_HEADER: usize = 28;

/// The container format of a capture, as recognised from its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CaptureFormat {
    /// Classic pcap.
    Pcap {
        /// Timestamps carry nanoseconds (magic 0xa1b23c4d).
        nanosecond: bool,
        /// Fields are big-endian.
        big_endian: bool,
        /// Kuznetzov's "modified" pcap (magic 0xa1b2cd34, 24-byte records).
        modified: bool,
        /// The link type of every packet.
        linktype: LinkType,
        /// The snaplen written in the header (0 means unlimited).
        snaplen: u32,
    },
    /// pcapng; byte order and link types may change per section/interface.
    PcapNg {
        /// The first section is big-endian.
        big_endian: bool,
    },
}

/// The declared length of the section header block at the start of `data`,
/// in the byte order its byte-order magic says.
fn shb_len(data: &[u8]) -> Option<usize> {
    let len = <[u8; 4]>::try_from(data.get(4..8)?).ok()?;
    let len = match data.get(8..12)? {
        [0x1a, 0x2b, 0x3c, 0x4d] => u32::from_be_bytes(len),
        _ => u32::from_le_bytes(len),
    };
    usize::try_from(len).ok()
}

#[derive(Debug, Clone, Copy)]
enum Parsed {
    Pcap(PcapHeader),
    PcapNg,
}

impl Parsed {
    fn detect(data: &[u8]) -> Result<Parsed, CaptureError> {
        if data.len() >= 4 && magic(data) == PCAPNG_MAGIC {
            // Check the first section header now, so a foreign file that
            // happens to start 0a 0d 0d 0a fails at open.
            if data.len() < PCAPNG_MIN_HEADER {
                return Err(CaptureError::new(CaptureErrorKind::TruncatedFileHeader {
                    needed: PCAPNG_MIN_HEADER,
                    available: data.len(),
                }));
            }
            return match pcap_parser::parse_sectionheaderblock(data) {
                Ok(_) => Ok(Parsed::PcapNg),
                Err(pcap_parser::nom::Err::Incomplete(_)) => {
                    Err(CaptureError::new(CaptureErrorKind::TruncatedFileHeader {
                        needed: shb_len(data).unwrap_or(PCAPNG_MIN_HEADER),
                        available: data.len(),
                    }))
                }
                Err(_) => Err(CaptureError::at(
                    CaptureErrorKind::MalformedBlock {
                        block_type: PCAPNG_MAGIC,
                        reason: "bad byte-order magic or block length",
                    },
                    1,
                    0,
                )),
            };
        }
        PcapHeader::parse(data).map(Parsed::Pcap)
    }

    fn format(&self, data: &[u8]) -> CaptureFormat {
        match self {
            Parsed::Pcap(h) => CaptureFormat::Pcap {
                nanosecond: h.nanosecond,
                big_endian: h.big_endian,
                modified: h.modified,
                linktype: h.linktype,
                snaplen: h.header_snaplen,
            },
            Parsed::PcapNg => CaptureFormat::PcapNg {
                // Byte-order magic 1a2b3c4d at offset 8, read little-endian.
                big_endian: data.get(8..12) == Some(&[0x1a, 0x2b, 0x3c, 0x4d][..]),
            },
        }
    }
}

/// A pcap or pcapng capture held in memory: a read-only memory map of a
/// regular file, or the bytes of a pipe or of [`CaptureFile::from_bytes`].
///
/// `CaptureFile` is `Send + Sync`; [`CaptureFile::packets`] borrows it, and
/// every [`RawPacket::data`] points into it, so workers on scoped threads can
/// share packets without copying.
#[derive(Debug)]
pub struct CaptureFile {
    bytes: Bytes,
    parsed: Parsed,
    path: Option<PathBuf>,
    /// The mapped bytes before this offset were let go
    /// ([`CaptureFile::release_before`]).
    released: AtomicUsize,
}

/// [`CaptureFile::release_before`] lets pages go in steps of this many
/// bytes (a multiple of every page size Linux uses below huge pages).
const RELEASE_STEP: usize = 4 << 20;

#[derive(Debug)]
enum Bytes {
    Mapped(Mmap),
    Owned(Vec<u8>),
}

impl CaptureFile {
    /// Opens `path`: maps it when it is a regular file, reads it whole
    /// otherwise (a FIFO, `/dev/stdin`), and checks its file header.
    ///
    /// # Errors
    ///
    /// [`CaptureErrorKind::Io`] when the file cannot be opened, mapped or
    /// read; a header error ([`CaptureErrorKind::UnknownMagic`],
    /// [`CaptureErrorKind::TruncatedFileHeader`] ...) when it is no capture.
    /// Every error names `path`.
    pub fn open(path: &Path) -> Result<CaptureFile, CaptureError> {
        let with_path = |e: CaptureError| e.with_path(path);
        let file = File::open(path).map_err(|e| with_path(CaptureError::io(e)))?;
        let meta = file
            .metadata()
            .map_err(|e| with_path(CaptureError::io(e)))?;
        let bytes = if meta.is_file() && meta.len() > 0 {
            // SAFETY: the map is read-only and lives as long as `self`. If
            // another process truncates or rewrites the file while we read it,
            // reads may see changed bytes or fault (SIGBUS); every slice is
            // bounds-checked against the map's length, which cannot change,
            // so the reader itself stays memory-safe on changed *contents*.
            // The same trade-off ripgrep makes for its mmap searcher.
            let map = unsafe { Mmap::map(&file) }.map_err(|e| with_path(CaptureError::io(e)))?;
            #[cfg(unix)]
            {
                // Only a hint to the kernel; failure changes nothing.
                let _ = map.advise(memmap2::Advice::Sequential);
            }
            Bytes::Mapped(map)
        } else {
            let mut v = Vec::new();
            (&file)
                .read_to_end(&mut v)
                .map_err(|e| with_path(CaptureError::io(e)))?;
            Bytes::Owned(v)
        };
        let parsed = Parsed::detect(bytes.as_slice()).map_err(with_path)?;
        Ok(CaptureFile {
            bytes,
            parsed,
            path: Some(path.to_path_buf()),
            released: AtomicUsize::new(0),
        })
    }

    /// A capture from bytes already in memory (tests, fuzzing, benchmarks
    /// that preload a file).
    ///
    /// # Errors
    ///
    /// A header error when `bytes` is no pcap or pcapng file.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<CaptureFile, CaptureError> {
        let parsed = Parsed::detect(&bytes)?;
        Ok(CaptureFile {
            bytes: Bytes::Owned(bytes),
            parsed,
            path: None,
            released: AtomicUsize::new(0),
        })
    }

    /// Reads `reader` to its end and parses it as [`CaptureFile::from_bytes`]
    /// does (for `-r -` style standard input).
    ///
    /// # Errors
    ///
    /// [`CaptureErrorKind::Io`] on a read error, else as `from_bytes`.
    pub fn from_reader<R: Read>(mut reader: R) -> Result<CaptureFile, CaptureError> {
        let mut v = Vec::new();
        reader.read_to_end(&mut v).map_err(CaptureError::io)?;
        CaptureFile::from_bytes(v)
    }

    /// Lets the kernel take the mapped pages of the file before `offset`
    /// out of this process's resident memory, in [`RELEASE_STEP`]s: a
    /// reader calls it with an offset well behind what it has handed
    /// out, so reading a capture larger than memory does not make the
    /// process's RSS the file's size. The pages stay in the page cache,
    /// and a packet that is read again afterwards is read back from the
    /// file (a page fault, the same bytes). Nothing for a capture held
    /// in memory ([`CaptureFile::from_bytes`]).
    pub fn release_before(&self, offset: u64) {
        #[cfg(unix)]
        if let Bytes::Mapped(map) = &self.bytes {
            let end = usize::try_from(offset).unwrap_or(usize::MAX).min(map.len()) / RELEASE_STEP
                * RELEASE_STEP;
            let done = self.released.load(Ordering::Relaxed);
            if end > done
                && self
                    .released
                    .compare_exchange(done, end, Ordering::Relaxed, Ordering::Relaxed)
                    .is_ok()
            {
                // SAFETY: the map is a read-only mapping of a file this
                // process never writes; MADV_DONTNEED on it only drops
                // the pages from this process, and later reads fault the
                // file's bytes back in, so every `&[u8]` into the map
                // keeps reading what it read before (under the same
                // assumption as the map itself, see `open`: nobody
                // rewrites the file meanwhile). `done..end` is within
                // the map and page-aligned (multiples of RELEASE_STEP).
                let _ = unsafe {
                    map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, done, end - done)
                };
            }
        }
        #[cfg(not(unix))]
        let _ = offset;
    }

    /// The file's path, when it was opened by path.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The whole file.
    pub fn bytes(&self) -> &[u8] {
        self.bytes.as_slice()
    }

    /// The container format and, for pcap, its link type.
    pub fn format(&self) -> CaptureFormat {
        self.parsed.format(self.bytes())
    }

    /// The view [`CaptureFile::packets`] iterates.
    pub fn as_slice(&self) -> CaptureSlice<'_> {
        CaptureSlice {
            data: self.bytes(),
            parsed: self.parsed,
        }
    }

    /// Every packet in file order, numbered from 1. Errors name this
    /// file's path.
    pub fn packets(&self) -> Packets<'_> {
        let mut p = self.as_slice().packets();
        p.path = self.path.as_deref();
        p
    }
}

impl Bytes {
    fn as_slice(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m) => m,
            Bytes::Owned(v) => v,
        }
    }
}

/// A pcap or pcapng file over borrowed bytes, header already checked.
#[derive(Debug, Clone, Copy)]
pub struct CaptureSlice<'a> {
    data: &'a [u8],
    parsed: Parsed,
}

impl<'a> CaptureSlice<'a> {
    /// Recognises the format of `data` and checks its file header.
    ///
    /// # Errors
    ///
    /// As [`CaptureFile::from_bytes`].
    pub fn new(data: &'a [u8]) -> Result<CaptureSlice<'a>, CaptureError> {
        Ok(CaptureSlice {
            data,
            parsed: Parsed::detect(data)?,
        })
    }

    /// The container format and, for pcap, its link type.
    pub fn format(&self) -> CaptureFormat {
        self.parsed.format(self.data)
    }

    /// Every packet in file order, numbered from 1.
    pub fn packets(&self) -> Packets<'a> {
        let inner = match self.parsed {
            Parsed::Pcap(h) => Inner::Pcap(PcapRecords::new(self.data, h)),
            Parsed::PcapNg => Inner::PcapNg(NgBlocks::new(self.data)),
        };
        Packets {
            inner,
            next_index: 1,
            done: false,
            path: None,
        }
    }
}

/// Iterator over the packets of a capture: `Ok` for each good packet in
/// file order, then, if the file is truncated or corrupt, one `Err` naming
/// the packet index and byte offset where reading stopped; then `None`
/// forever.
///
/// Each item costs no allocation; a pcapng interface description costs one
/// small push (at most [`super::MAX_INTERFACES`] per section).
#[derive(Debug, Clone)]
pub struct Packets<'a> {
    inner: Inner<'a>,
    next_index: u64,
    done: bool,
    path: Option<&'a Path>,
}

#[derive(Debug, Clone)]
enum Inner<'a> {
    Pcap(PcapRecords<'a>),
    PcapNg(NgBlocks<'a>),
}

impl<'a> Packets<'a> {
    /// How many packets were yielded so far.
    pub fn packets_read(&self) -> u64 {
        self.next_index - 1
    }

    /// Byte offset of the next record or block: after a clean end, the
    /// file's length; after an error, where the bad record starts.
    pub fn byte_offset(&self) -> u64 {
        match &self.inner {
            Inner::Pcap(r) => r.offset() as u64,
            Inner::PcapNg(r) => r.offset() as u64,
        }
    }
}

impl<'a> Iterator for Packets<'a> {
    type Item = Result<RawPacket<'a>, CaptureError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let item = match &mut self.inner {
            Inner::Pcap(r) => r.next_packet(self.next_index),
            Inner::PcapNg(r) => r.next_packet(self.next_index),
        };
        match item {
            Some(Ok(p)) => {
                self.next_index += 1;
                Some(Ok(p))
            }
            Some(Err(e)) => {
                self.done = true;
                Some(Err(match self.path {
                    Some(path) => e.with_path(path),
                    None => e,
                }))
            }
            None => {
                self.done = true;
                None
            }
        }
    }
}

impl FusedIterator for Packets<'_> {}
