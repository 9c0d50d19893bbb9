//! Classic pcap ("libpcap format") over a byte slice: the 24-byte file
//! header, then records of a 16-byte header (24 in the "modified" format)
//! and `caplen` bytes of packet.
//!
//! Field parsing is pcap-parser's ([`pcap_parser::parse_pcap_header`] and the
//! `parse_pcap_frame*` family); this module picks the frame parser once, when
//! the header is read, and adds the bounds libpcap applies, so that we stop
//! where Suricata (which reads through libpcap) stops:
//!
//! - a header snaplen of 0 or above [`MAX_CAPLEN`] means [`MAX_CAPLEN`];
//! - a record whose caplen is above [`MAX_CAPLEN`] is an error (libpcap:
//!   "invalid packet capture length"): conformance case `bug-1450-02` ends
//!   this way after 6 packets, and Suricata counts 6;
//! - a record whose caplen is above the snaplen but within [`MAX_CAPLEN`] is
//!   salvaged as libpcap does: its data is cut to the snaplen and the reader
//!   skips the rest of the record.
//!
//! It never allocates and never indexes without a check.

use pcap_parser::nom;
use pcap_parser::{
    parse_pcap_frame, parse_pcap_frame_be, parse_pcap_frame_modified, parse_pcap_header,
    LegacyPcapBlock, PcapError,
};

use super::{CaptureError, CaptureErrorKind, LinkType, RawPacket, Timestamp, MAX_CAPLEN};

/// Length of the pcap file header.
pub(crate) const FILE_HEADER_LEN: usize = 24;

type FrameParser =
    for<'b> fn(&'b [u8]) -> nom::IResult<&'b [u8], LegacyPcapBlock<'b>, PcapError<&'b [u8]>>;

/// What the pcap file header says, decided once per file.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PcapHeader {
    /// Multi-byte fields are big-endian.
    pub(crate) big_endian: bool,
    /// Record fractions are nanoseconds (magic 0xa1b23c4d), not microseconds.
    pub(crate) nanosecond: bool,
    /// Alexey Kuznetzov's "modified" format: 24-byte record headers.
    pub(crate) modified: bool,
    /// The snaplen in effect ([`MAX_CAPLEN`] when the header says 0 or more).
    pub(crate) snaplen: u32,
    /// The header's snaplen, as written.
    pub(crate) header_snaplen: u32,
    /// Link type of every packet.
    pub(crate) linktype: LinkType,
}

impl PcapHeader {
    /// Parses the 24-byte file header at the start of `data`.
    pub(crate) fn parse(data: &[u8]) -> Result<PcapHeader, CaptureError> {
        let hdr = match parse_pcap_header(data) {
            Ok((_, hdr)) => hdr,
            Err(nom::Err::Incomplete(_)) => {
                return Err(CaptureError::new(CaptureErrorKind::TruncatedFileHeader {
                    needed: FILE_HEADER_LEN,
                    available: data.len(),
                }))
            }
            Err(_) => {
                return Err(CaptureError::new(CaptureErrorKind::UnknownMagic(magic(
                    data,
                ))))
            }
        };
        // The upper bits of the link-type field carry FCS information
        // (LT_FCS_* in libpcap's pcap-common.h); the type is the low 26 bits.
        let raw_link = hdr.network.0 as u32 & 0x03FF_FFFF;
        let linktype = u16::try_from(raw_link)
            .map_err(|_| CaptureError::new(CaptureErrorKind::UnsupportedLinkType(raw_link)))?;
        let snaplen = if hdr.snaplen == 0 || hdr.snaplen > MAX_CAPLEN {
            MAX_CAPLEN
        } else {
            hdr.snaplen
        };
        Ok(PcapHeader {
            big_endian: hdr.is_bigendian(),
            nanosecond: hdr.is_nanosecond_precision(),
            modified: hdr.is_modified_format(),
            snaplen,
            header_snaplen: hdr.snaplen,
            linktype: LinkType(linktype),
        })
    }

    fn record_header_len(&self) -> usize {
        if self.modified {
            24
        } else {
            16
        }
    }
}

/// The first four bytes of `data` as a little-endian number (0-padded).
pub(crate) fn magic(data: &[u8]) -> u32 {
    let mut m = [0u8; 4];
    for (d, s) in m.iter_mut().zip(data) {
        *d = *s;
    }
    u32::from_le_bytes(m)
}

/// Iterates the records of a pcap file after its header.
#[derive(Debug, Clone)]
pub(crate) struct PcapRecords<'a> {
    data: &'a [u8],
    offset: usize,
    header: PcapHeader,
    parse: FrameParser,
    record_header_len: usize,
}

impl<'a> PcapRecords<'a> {
    /// Records of `data`, whose file header `header` was parsed from.
    pub(crate) fn new(data: &'a [u8], header: PcapHeader) -> PcapRecords<'a> {
        let parse: FrameParser = if header.modified {
            parse_pcap_frame_modified
        } else if header.big_endian {
            parse_pcap_frame_be
        } else {
            parse_pcap_frame
        };
        PcapRecords {
            data,
            offset: FILE_HEADER_LEN,
            header,
            parse,
            record_header_len: header.record_header_len(),
        }
    }

    /// Byte offset of the next record.
    pub(crate) fn offset(&self) -> usize {
        self.offset
    }

    /// The next record as packet number `index`, `None` at a clean end.
    pub(crate) fn next_packet(
        &mut self,
        index: u64,
    ) -> Option<Result<RawPacket<'a>, CaptureError>> {
        let rest = self.data.get(self.offset..).unwrap_or_default();
        if rest.is_empty() {
            return None;
        }
        let at = |kind| CaptureError::at(kind, index, self.offset as u64);
        let block = match (self.parse)(rest) {
            Ok((_, block)) => block,
            Err(_) => return Some(Err(at(self.diagnose(rest)))),
        };
        if block.caplen > MAX_CAPLEN {
            return Some(Err(at(CaptureErrorKind::CapLenTooLarge {
                caplen: block.caplen,
                limit: MAX_CAPLEN,
            })));
        }
        // caplen <= MAX_CAPLEN, so the sum cannot overflow.
        self.offset += self.record_header_len + block.data.len();
        let kept = block.data.len().min(self.header.snaplen as usize);
        let data = block.data.get(..kept).unwrap_or(block.data);
        let ts = if self.header.nanosecond {
            Timestamp::new(u64::from(block.ts_sec), block.ts_usec)
        } else {
            Timestamp::from_micros(u64::from(block.ts_sec), block.ts_usec)
        };
        Some(Ok(RawPacket {
            index,
            ts,
            linktype: self.header.linktype,
            data,
            orig_len: block.origlen,
        }))
    }

    /// Why the record at the start of `rest` did not parse: the frame
    /// parsers only fail for want of bytes, so either the record header is
    /// cut, or its caplen is absurd, or its data is cut.
    fn diagnose(&self, rest: &[u8]) -> CaptureErrorKind {
        let available = rest.len() as u64;
        let caplen = rest.get(8..12).and_then(|b| <[u8; 4]>::try_from(b).ok());
        let caplen = caplen.map(|b| {
            if self.header.big_endian {
                u32::from_be_bytes(b)
            } else {
                u32::from_le_bytes(b)
            }
        });
        match caplen {
            Some(caplen) if rest.len() >= self.record_header_len => {
                if caplen > MAX_CAPLEN {
                    CaptureErrorKind::CapLenTooLarge {
                        caplen,
                        limit: MAX_CAPLEN,
                    }
                } else {
                    CaptureErrorKind::TruncatedRecord {
                        needed: self.record_header_len as u64 + u64::from(caplen),
                        available,
                    }
                }
            }
            _ => CaptureErrorKind::TruncatedRecord {
                needed: self.record_header_len as u64,
                available,
            },
        }
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn magic_reads_up_to_four_bytes_little_endian() {
        assert_eq!(magic(&[0xd4, 0xc3, 0xb2, 0xa1, 9]), 0xa1b2_c3d4);
        assert_eq!(magic(&[0x0a, 0x0d]), 0x0d0a);
        assert_eq!(magic(&[]), 0);
    }

    #[test]
    fn header_snaplen_zero_or_huge_means_max() {
        let mut h = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0];
        h.extend([0; 8]);
        h.extend(0u32.to_le_bytes());
        h.extend(1u32.to_le_bytes());
        assert_eq!(
            PcapHeader::parse(&h).map(|h| h.snaplen).ok(),
            Some(MAX_CAPLEN)
        );
        h[16..20].copy_from_slice(&0xffff_ffffu32.to_le_bytes());
        assert_eq!(
            PcapHeader::parse(&h).map(|h| h.snaplen).ok(),
            Some(MAX_CAPLEN)
        );
        h[16..20].copy_from_slice(&1500u32.to_le_bytes());
        assert_eq!(PcapHeader::parse(&h).map(|h| h.snaplen).ok(), Some(1500));
    }
}
