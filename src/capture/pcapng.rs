//! pcapng over a byte slice: sections (each with its own byte order and its
//! own interfaces), interface descriptions (link type, snaplen, `if_tsresol`,
//! `if_tsoffset`), and the three packet blocks: enhanced (EPB), simple (SPB)
//! and the obsolete packet block (OPB, type 2). Every other block is skipped.
//!
//! pcap-parser frames the blocks (block type, both length fields) and parses
//! section headers, interface descriptions and simple packets. EPB and OPB
//! are framed by pcap-parser as generic blocks and their 20-byte fixed part
//! is read here: pcap-parser's `EnhancedPacketBlock` collects the block's
//! options into a `Vec`, an allocation per packet whenever a writer adds
//! `epb_flags`, and it has no OPB parser at all. Unknown blocks go through
//! the generic framing too, so name-resolution and statistics blocks are
//! skipped without building their record lists.
//!
//! Bounds (as libpcap applies them, see `pcap.rs`): caplen above
//! [`MAX_CAPLEN`] is an error, caplen above the interface snaplen is cut to
//! it, a caplen that runs past its block is an error. A section may describe
//! at most [`MAX_INTERFACES`] interfaces. Every accepted block is at least 12
//! bytes long, so the reader always makes progress.

use pcap_parser::nom;
use pcap_parser::{
    parse_interfacedescriptionblock_be, parse_interfacedescriptionblock_le,
    parse_sectionheaderblock, parse_simplepacketblock_be, parse_simplepacketblock_le,
    parse_unknownblock_be, parse_unknownblock_le, InterfaceDescriptionBlock, PcapError,
    SimplePacketBlock, UnknownBlock, EPB_MAGIC, IDB_MAGIC, SHB_MAGIC, SPB_MAGIC,
};

use super::{
    CaptureError, CaptureErrorKind, LinkType, RawPacket, Timestamp, MAX_CAPLEN, MAX_INTERFACES,
};

/// Block type of the obsolete Packet Block (pcapng draft, appendix).
const OPB_MAGIC: u32 = 0x0000_0002;
/// Generic block framing: type, length, ..., length.
const BLOCK_FRAME_LEN: usize = 12;
/// The fixed part of an EPB / OPB body: interface (and drops), timestamp
/// high and low, caplen, original length.
const PACKET_FIXED_LEN: usize = 20;
/// `if_tsoffset` option code in an IDB.
const OPT_IF_TSOFFSET: u16 = 14;

/// One interface of the current section.
#[derive(Debug, Clone, Copy)]
struct Interface {
    linktype: LinkType,
    /// Snaplen in effect ([`MAX_CAPLEN`] for "no limit").
    snaplen: u32,
    /// Timestamp units per second (10^n or 2^n from `if_tsresol`).
    units_per_sec: u64,
    /// Seconds to add to every timestamp (`if_tsoffset`).
    ts_offset: i64,
}

impl Interface {
    fn timestamp(&self, high: u32, low: u32) -> Timestamp {
        let units = (u64::from(high) << 32) | u64::from(low);
        // units_per_sec >= 1 (checked when the IDB was read).
        let per = self.units_per_sec.max(1);
        let secs = units / per;
        let frac = units % per;
        // frac < per <= 2^63, so frac * 1e9 fits in u128.
        let nanos = (u128::from(frac) * 1_000_000_000 / u128::from(per)) as u32;
        let secs = if self.ts_offset >= 0 {
            secs.saturating_add(self.ts_offset.unsigned_abs())
        } else {
            secs.saturating_sub(self.ts_offset.unsigned_abs())
        };
        Timestamp::new(secs, nanos)
    }

    fn from_idb(
        idb: &InterfaceDescriptionBlock<'_>,
        big_endian: bool,
    ) -> Result<Interface, &'static str> {
        let units_per_sec = units_per_sec(idb.if_tsresol).ok_or("if_tsresol out of range")?;
        // pcap-parser reads if_tsoffset little-endian whatever the section's
        // byte order; read it here in the section's order.
        let mut ts_offset = 0i64;
        for opt in &idb.options {
            if opt.code.0 == OPT_IF_TSOFFSET {
                let bytes = opt
                    .value()
                    .get(..8)
                    .and_then(|b| <[u8; 8]>::try_from(b).ok());
                if let Some(b) = bytes {
                    ts_offset = if big_endian {
                        i64::from_be_bytes(b)
                    } else {
                        i64::from_le_bytes(b)
                    };
                }
            }
        }
        let snaplen = if idb.snaplen == 0 || idb.snaplen > MAX_CAPLEN {
            MAX_CAPLEN
        } else {
            idb.snaplen
        };
        Ok(Interface {
            linktype: LinkType(idb.linktype.0 as u16),
            snaplen,
            units_per_sec,
            ts_offset,
        })
    }
}

/// Timestamp units per second for an `if_tsresol` byte: 10^n when the top
/// bit is clear, 2^n when it is set; `None` when that overflows 64 bits.
/// (pcap-parser's `build_ts_resolution` rejects every 2^n value: it compares
/// the whole byte, top bit included, with 63.)
fn units_per_sec(tsresol: u8) -> Option<u64> {
    let n = u32::from(tsresol & 0x7f);
    if tsresol & 0x80 == 0 {
        10u64.checked_pow(n)
    } else {
        1u64.checked_shl(n)
    }
}

/// Iterates the packets of a pcapng file.
#[derive(Debug, Clone)]
pub(crate) struct NgBlocks<'a> {
    data: &'a [u8],
    offset: usize,
    big_endian: bool,
    interfaces: Vec<Interface>,
}

type Parsed<'a, T> = nom::IResult<&'a [u8], T, PcapError<&'a [u8]>>;

impl<'a> NgBlocks<'a> {
    /// Blocks of `data`, which must start with a section header block.
    pub(crate) fn new(data: &'a [u8]) -> NgBlocks<'a> {
        NgBlocks {
            data,
            offset: 0,
            big_endian: false,
            interfaces: Vec::new(),
        }
    }

    /// Byte offset of the next block.
    pub(crate) fn offset(&self) -> usize {
        self.offset
    }

    /// The next packet as packet number `index`, skipping non-packet blocks;
    /// `None` at a clean end.
    pub(crate) fn next_packet(
        &mut self,
        index: u64,
    ) -> Option<Result<RawPacket<'a>, CaptureError>> {
        loop {
            let rest = self.data.get(self.offset..).unwrap_or_default();
            if rest.is_empty() {
                return None;
            }
            match self.step(rest) {
                Ok((consumed, packet)) => {
                    // `consumed` >= 12 for every accepted block: progress.
                    self.offset += consumed;
                    if let Some(p) = packet {
                        return Some(Ok(RawPacket { index, ..p }));
                    }
                }
                Err(kind) => return Some(Err(CaptureError::at(kind, index, self.offset as u64))),
            }
        }
    }

    /// Reads one block from the start of `rest`: the bytes it used, and the
    /// packet it held (with index 0; the caller numbers it).
    fn step(&mut self, rest: &'a [u8]) -> Result<(usize, Option<RawPacket<'a>>), CaptureErrorKind> {
        let block_type = self
            .read_u32(rest, 0)
            .ok_or(CaptureErrorKind::TruncatedRecord {
                needed: BLOCK_FRAME_LEN as u64,
                available: rest.len() as u64,
            })?;
        let consumed = |left: &[u8]| rest.len() - left.len();
        match block_type {
            SHB_MAGIC => {
                let (left, shb) = self.framed(rest, block_type, parse_sectionheaderblock(rest))?;
                self.big_endian = shb.big_endian();
                self.interfaces.clear();
                Ok((consumed(left), None))
            }
            IDB_MAGIC => {
                let parsed = if self.big_endian {
                    parse_interfacedescriptionblock_be(rest)
                } else {
                    parse_interfacedescriptionblock_le(rest)
                };
                let (left, idb) = self.framed(rest, block_type, parsed)?;
                if self.interfaces.len() >= MAX_INTERFACES {
                    return Err(CaptureErrorKind::TooManyInterfaces);
                }
                let iface = Interface::from_idb(&idb, self.big_endian)
                    .map_err(|reason| CaptureErrorKind::MalformedBlock { block_type, reason })?;
                self.interfaces.push(iface);
                Ok((consumed(left), None))
            }
            SPB_MAGIC => {
                let parsed = if self.big_endian {
                    parse_simplepacketblock_be(rest)
                } else {
                    parse_simplepacketblock_le(rest)
                };
                let (left, spb) = self.framed(rest, block_type, parsed)?;
                Ok((consumed(left), Some(self.simple_packet(&spb)?)))
            }
            EPB_MAGIC | OPB_MAGIC => {
                let (left, block) = self.framed(rest, block_type, self.generic(rest))?;
                Ok((consumed(left), Some(self.packet_block(block_type, &block)?)))
            }
            _ => {
                let (left, _) = self.framed(rest, block_type, self.generic(rest))?;
                Ok((consumed(left), None))
            }
        }
    }

    fn generic(&self, rest: &'a [u8]) -> Parsed<'a, UnknownBlock<'a>> {
        if self.big_endian {
            parse_unknownblock_be(rest)
        } else {
            parse_unknownblock_le(rest)
        }
    }

    /// Maps a pcap-parser result to ours: lack of bytes is a truncated
    /// record (sized from the block's own length field when readable),
    /// anything else a malformed block.
    fn framed<T>(
        &self,
        rest: &'a [u8],
        block_type: u32,
        parsed: Parsed<'a, T>,
    ) -> Result<(&'a [u8], T), CaptureErrorKind> {
        match parsed {
            Ok(ok) => Ok(ok),
            Err(nom::Err::Incomplete(_)) => {
                let len = if block_type == SHB_MAGIC {
                    None // its length's byte order is not known yet
                } else {
                    self.read_u32(rest, 4)
                };
                Err(CaptureErrorKind::TruncatedRecord {
                    needed: len.map_or(BLOCK_FRAME_LEN as u64, u64::from),
                    available: rest.len() as u64,
                })
            }
            Err(_) => Err(CaptureErrorKind::MalformedBlock {
                block_type,
                reason: if block_type == SHB_MAGIC {
                    "bad byte-order magic or block length"
                } else {
                    "block length too small or inconsistent"
                },
            }),
        }
    }

    fn interface(&self, interface_id: u32) -> Result<&Interface, CaptureErrorKind> {
        usize::try_from(interface_id)
            .ok()
            .and_then(|i| self.interfaces.get(i))
            .ok_or(CaptureErrorKind::UnknownInterface {
                interface_id,
                described: self.interfaces.len(),
            })
    }

    /// An EPB or OPB from its generic framing.
    /// (`block_type` as read in the section's byte order: pcap-parser's
    /// generic block keeps it as read little-endian.)
    fn packet_block(
        &self,
        block_type: u32,
        b: &UnknownBlock<'a>,
    ) -> Result<RawPacket<'a>, CaptureErrorKind> {
        let bad = |reason| CaptureErrorKind::MalformedBlock { block_type, reason };
        if b.block_len1 != b.block_len2 {
            return Err(bad("trailing block length differs from leading one"));
        }
        if b.data.len() < PACKET_FIXED_LEN {
            return Err(bad("packet block shorter than its fixed fields"));
        }
        let field = |i: usize| self.read_u32(b.data, i).unwrap_or(0);
        let interface_id = if block_type == OPB_MAGIC {
            // OPB: 16-bit interface id, then a 16-bit drops count.
            let id = b.data.get(..2).and_then(|s| <[u8; 2]>::try_from(s).ok());
            let id = id.unwrap_or_default();
            u32::from(if self.big_endian {
                u16::from_be_bytes(id)
            } else {
                u16::from_le_bytes(id)
            })
        } else {
            field(0)
        };
        let (ts_high, ts_low, caplen, orig_len) = (field(4), field(8), field(12), field(16));
        let iface = self.interface(interface_id)?;
        if caplen > MAX_CAPLEN {
            return Err(CaptureErrorKind::CapLenTooLarge {
                caplen,
                limit: MAX_CAPLEN,
            });
        }
        let body = b.data.get(PACKET_FIXED_LEN..).unwrap_or_default();
        let data = body
            .get(..caplen as usize)
            .ok_or(bad("captured length runs past the end of its block"))?;
        let data = data.get(..iface.snaplen as usize).unwrap_or(data);
        Ok(RawPacket {
            index: 0,
            ts: iface.timestamp(ts_high, ts_low),
            linktype: iface.linktype,
            data,
            orig_len,
        })
    }

    /// An SPB: interface 0, no timestamp, caplen = min(original length,
    /// snaplen, bytes in the block).
    fn simple_packet(&self, b: &SimplePacketBlock<'a>) -> Result<RawPacket<'a>, CaptureErrorKind> {
        let iface = self.interface(0)?;
        let len = (b.origlen.min(iface.snaplen) as usize).min(b.data.len());
        Ok(RawPacket {
            index: 0,
            ts: Timestamp::default(),
            linktype: iface.linktype,
            data: b.data.get(..len).unwrap_or(b.data),
            orig_len: b.origlen,
        })
    }

    /// The u32 at `at` in `bytes`, in the section's byte order.
    fn read_u32(&self, bytes: &[u8], at: usize) -> Option<u32> {
        let b = bytes.get(at..at.checked_add(4)?)?;
        let b = <[u8; 4]>::try_from(b).ok()?;
        Some(if self.big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn tsresol_powers_of_ten_and_two() {
        assert_eq!(units_per_sec(6), Some(1_000_000));
        assert_eq!(units_per_sec(9), Some(1_000_000_000));
        assert_eq!(units_per_sec(0), Some(1));
        assert_eq!(units_per_sec(19), Some(10_000_000_000_000_000_000));
        assert_eq!(units_per_sec(20), None);
        assert_eq!(units_per_sec(0x80 | 10), Some(1024));
        assert_eq!(units_per_sec(0x80 | 63), Some(1 << 63));
        assert_eq!(units_per_sec(0x80 | 64), None);
    }

    #[test]
    fn timestamps_from_units() {
        let iface = |units_per_sec, ts_offset| Interface {
            linktype: LinkType::ETHERNET,
            snaplen: MAX_CAPLEN,
            units_per_sec,
            ts_offset,
        };
        // 2^32 + 5 microseconds = 4294.967301 s.
        let t = iface(1_000_000, 0).timestamp(1, 5);
        assert_eq!((t.secs(), t.nanos()), (4294, 967_301_000));
        // 3/8 s at 2^-3 resolution, offset +10 s.
        let t = iface(8, 10).timestamp(0, 3);
        assert_eq!((t.secs(), t.nanos()), (10, 375_000_000));
        // A negative offset larger than the time clamps at the epoch.
        let t = iface(1, -100).timestamp(0, 7);
        assert_eq!((t.secs(), t.nanos()), (0, 0));
        // Largest units at the finest binary resolution: no overflow.
        let t = iface(1 << 63, 0).timestamp(u32::MAX, u32::MAX);
        assert_eq!(t.secs(), 1);
        assert_eq!(t.nanos(), 999_999_999);
    }
}
