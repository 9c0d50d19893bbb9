//! TCP headers (RFC 9293) and Suricata's TCP option checks.
//!
//! [`Packet::check_len`] follows `DecodeTCPPacket` in `src/decode-tcp.c`,
//! and the order matters for the malformed headers seen in the wild (the
//! CERT Polska port-0 packets with data offsets 0, 4, 8, 12, 16 bytes):
//!
//! 1. fewer than 20 bytes: `tcp.pkt_too_small`;
//! 2. a data offset that points past the segment: `tcp.hlen_too_small`
//!    (despite the name, the header is *longer* than the data);
//! 3. a data offset below 5 (header shorter than 20 bytes, so the option
//!    length underflows): `tcp.invalid_optlen`.
//!
//! All three mark the packet invalid and leave it without a TCP layer (no
//! ports, no payload). The segment is bounded by the IP layer, so
//! [`Packet::payload`] never includes link padding.
//!
//! [`parse_options`] walks the options like `DecodeTCPOptions`: a length
//! byte of 0 or 1, or one running past the header, stops the walk with an
//! invalid `tcp.opt_invalid_len`; a wrong length for a known option raises
//! `tcp.opt_invalid_len` without invalidating (except MD5 and AO), and a
//! repeated option raises `tcp.opt_duplicate`.

use super::bytes::{be16, be32, slice, u8_at};
use super::event::{DecodeEvent, EventSink};

mod field {
    use std::ops::Range;
    pub const SRC_PORT: Range<usize> = 0..2;
    pub const DST_PORT: Range<usize> = 2..4;
    pub const SEQ_NUM: Range<usize> = 4..8;
    pub const ACK_NUM: Range<usize> = 8..12;
    pub const DATA_OFF: usize = 12;
    pub const FLAGS: usize = 13;
    pub const WIN_SIZE: Range<usize> = 14..16;
    pub const CHECKSUM: Range<usize> = 16..18;
    pub const URGENT: Range<usize> = 18..20;
}

/// Length of the TCP header without options.
pub const HEADER_LEN: usize = field::URGENT.end;
/// Most option bytes a header can carry.
pub const MAX_OPTIONS_LEN: usize = 40;

/// TCP flag bits (the byte at offset 13).
pub mod flags {
    /// FIN.
    pub const FIN: u8 = 0x01;
    /// SYN.
    pub const SYN: u8 = 0x02;
    /// RST.
    pub const RST: u8 = 0x04;
    /// PSH.
    pub const PSH: u8 = 0x08;
    /// ACK.
    pub const ACK: u8 = 0x10;
    /// URG.
    pub const URG: u8 = 0x20;
    /// ECE.
    pub const ECE: u8 = 0x40;
    /// CWR.
    pub const CWR: u8 = 0x80;
}

/// A read-only view of a TCP segment (header and payload, bounded by the IP
/// layer).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps a buffer without checking it.
    pub const fn new_unchecked(buffer: T) -> Packet<T> {
        Packet { buffer }
    }

    /// Wraps a buffer after [`Packet::check_len`].
    ///
    /// # Errors
    /// `tcp.pkt_too_small`, `tcp.hlen_too_small` or `tcp.invalid_optlen`.
    pub fn new_checked(buffer: T) -> Result<Packet<T>, DecodeEvent> {
        let p = Packet::new_unchecked(buffer);
        p.check_len()?;
        Ok(p)
    }

    /// Checks the header against the segment (see the module docs).
    ///
    /// # Errors
    /// `tcp.pkt_too_small`, `tcp.hlen_too_small` or `tcp.invalid_optlen`.
    pub fn check_len(&self) -> Result<(), DecodeEvent> {
        let len = self.buffer.as_ref().len();
        if len < HEADER_LEN {
            return Err(DecodeEvent::TcpPktTooSmall);
        }
        if len < self.header_len() {
            return Err(DecodeEvent::TcpHlenTooSmall);
        }
        if self.header_len() < HEADER_LEN {
            return Err(DecodeEvent::TcpInvalidOptlen);
        }
        Ok(())
    }

    /// Source port.
    pub fn src_port(&self) -> u16 {
        be16(self.buffer.as_ref(), field::SRC_PORT.start)
    }

    /// Destination port.
    pub fn dst_port(&self) -> u16 {
        be16(self.buffer.as_ref(), field::DST_PORT.start)
    }

    /// Sequence number.
    pub fn seq_number(&self) -> u32 {
        be32(self.buffer.as_ref(), field::SEQ_NUM.start)
    }

    /// Acknowledgement number.
    pub fn ack_number(&self) -> u32 {
        be32(self.buffer.as_ref(), field::ACK_NUM.start)
    }

    /// Data offset in 32-bit words (0 to 15, as on the wire).
    pub fn data_offset(&self) -> u8 {
        u8_at(self.buffer.as_ref(), field::DATA_OFF) >> 4
    }

    /// Header length in bytes (data offset * 4).
    pub fn header_len(&self) -> usize {
        usize::from(self.data_offset()) * 4
    }

    /// The 4 reserved bits after the data offset.
    pub fn reserved(&self) -> u8 {
        u8_at(self.buffer.as_ref(), field::DATA_OFF) & 0x0f
    }

    /// The flags byte (CWR ECE URG ACK PSH RST SYN FIN).
    pub fn flags(&self) -> u8 {
        u8_at(self.buffer.as_ref(), field::FLAGS)
    }

    /// Whether all bits of `mask` are set in the flags.
    pub fn has_flags(&self, mask: u8) -> bool {
        self.flags() & mask == mask
    }

    /// Window size.
    pub fn window_len(&self) -> u16 {
        be16(self.buffer.as_ref(), field::WIN_SIZE.start)
    }

    /// Checksum field.
    pub fn checksum(&self) -> u16 {
        be16(self.buffer.as_ref(), field::CHECKSUM.start)
    }

    /// Urgent pointer.
    pub fn urgent_at(&self) -> u16 {
        be16(self.buffer.as_ref(), field::URGENT.start)
    }

    /// The option bytes.
    pub fn options(&self) -> &[u8] {
        slice(self.buffer.as_ref(), HEADER_LEN..self.header_len())
    }

    /// The segment payload.
    pub fn payload(&self) -> &[u8] {
        super::bytes::tail(self.buffer.as_ref(), self.header_len())
    }

    /// The whole segment (header and payload), what the checksum covers.
    pub fn segment(&self) -> &[u8] {
        self.buffer.as_ref()
    }
}

impl<'a> Packet<&'a [u8]> {
    /// The payload with the buffer's lifetime.
    pub fn payload_ref(&self) -> &'a [u8] {
        super::bytes::tail(self.buffer, self.header_len())
    }
}

/// What the options of one header said (the first valid instance of each
/// kind; later ones are duplicates).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct TcpOptions {
    /// Maximum segment size.
    pub mss: Option<u16>,
    /// Window scale shift as sent (Suricata uses 0 above 14).
    pub window_scale: Option<u8>,
    /// SACK permitted.
    pub sack_permitted: bool,
    /// Number of SACK blocks in the (first) SACK option.
    pub sack_blocks: u8,
    /// Timestamp value and echo reply.
    pub timestamps: Option<(u32, u32)>,
    /// TCP fast open cookie (option 34, or experimental 254/253 with magic
    /// 0xf989).
    pub fast_open: bool,
    /// An RFC 2385 MD5 signature option is present.
    pub md5: bool,
    /// An RFC 5925 authentication option is present.
    pub auth_option: bool,
    /// How many options (including NOP) the walk saw.
    pub count: u8,
}

/// Option kinds.
pub mod opt {
    /// End of list.
    pub const EOL: u8 = 0;
    /// No-op.
    pub const NOP: u8 = 1;
    /// Maximum segment size.
    pub const MSS: u8 = 2;
    /// Window scale.
    pub const WS: u8 = 3;
    /// SACK permitted.
    pub const SACK_PERM: u8 = 4;
    /// SACK.
    pub const SACK: u8 = 5;
    /// Timestamps.
    pub const TS: u8 = 8;
    /// MD5 signature.
    pub const MD5: u8 = 19;
    /// Authentication option.
    pub const AO: u8 = 29;
    /// Fast open.
    pub const TFO: u8 = 34;
    /// Experimental 1.
    pub const EXP1: u8 = 253;
    /// Experimental 2.
    pub const EXP2: u8 = 254;
}

/// Walks the option bytes (see the module docs). Never reads past `options`.
pub fn parse_options(options: &[u8], sink: &mut dyn EventSink) -> TcpOptions {
    let mut o = TcpOptions::default();
    let mut at = 0usize;
    while at < options.len() {
        let kind = u8_at(options, at);
        if kind == opt::EOL {
            break;
        }
        o.count = o.count.saturating_add(1);
        if kind == opt::NOP {
            at += 1;
            continue;
        }
        let plen = options.len() - at;
        if plen < 2 {
            break;
        }
        let len = usize::from(u8_at(options, at + 1));
        if len > plen || len < 2 {
            sink.invalid(DecodeEvent::TcpOptInvalidLen);
            return o;
        }
        let data = slice(options, at + 2..at + len);
        let bad_len = |sink: &mut dyn EventSink| sink.event(DecodeEvent::TcpOptInvalidLen);
        let dup = |sink: &mut dyn EventSink| sink.event(DecodeEvent::TcpOptDuplicate);
        match kind {
            opt::WS if len != 3 => bad_len(sink),
            opt::WS if o.window_scale.is_some() => dup(sink),
            opt::WS => o.window_scale = Some(u8_at(data, 0)),
            opt::MSS if len != 4 => bad_len(sink),
            opt::MSS if o.mss.is_some() => dup(sink),
            opt::MSS => o.mss = Some(be16(data, 0)),
            opt::SACK_PERM if len != 2 => bad_len(sink),
            opt::SACK_PERM if o.sack_permitted => dup(sink),
            opt::SACK_PERM => o.sack_permitted = true,
            opt::TS if len != 10 => bad_len(sink),
            opt::TS if o.timestamps.is_some() => dup(sink),
            opt::TS => o.timestamps = Some((be32(data, 0), be32(data, 4))),
            opt::SACK if len == 2 => {} // empty SACK: useless but common
            opt::SACK if !(10..=34).contains(&len) || (len - 2) % 8 != 0 => bad_len(sink),
            opt::SACK if o.sack_blocks > 0 => dup(sink),
            opt::SACK => o.sack_blocks = ((len - 2) / 8) as u8,
            opt::TFO if len != 2 && (!(4..=18).contains(&len) || (len - 2) % 2 != 0) => {
                bad_len(sink)
            }
            opt::TFO if o.fast_open => dup(sink),
            opt::TFO => o.fast_open = true,
            opt::EXP1 | opt::EXP2 if (len == 4 || len == 12) && be16(data, 0) == 0xf989 => {
                if o.fast_open {
                    dup(sink);
                } else {
                    o.fast_open = true;
                }
            }
            opt::EXP1 | opt::EXP2 if len == 4 || len == 12 => {}
            opt::EXP1 | opt::EXP2 => bad_len(sink),
            opt::MD5 if len != 18 => sink.invalid(DecodeEvent::TcpOptInvalidLen),
            opt::MD5 => o.md5 = true,
            opt::AO if len < 4 => sink.invalid(DecodeEvent::TcpOptInvalidLen),
            opt::AO => o.auth_option = true,
            _ => {}
        }
        at += len;
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::event::tests_support::Recorder;

    // 1234 -> 80, seq 1, ack 0, data offset 6 (MSS 1460), SYN, window 8192,
    // then 2 payload bytes.
    static SEGMENT: [u8; 26] = [
        0x04, 0xd2, 0x00, 0x50, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x60, 0x02, 0x20,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0xab, 0xcd,
    ];

    #[test]
    fn deconstruct() {
        let p = Packet::new_checked(&SEGMENT[..]).expect("valid");
        assert_eq!((p.src_port(), p.dst_port()), (1234, 80));
        assert_eq!((p.seq_number(), p.ack_number()), (1, 0));
        assert_eq!((p.data_offset(), p.header_len()), (6, 24));
        assert_eq!(p.flags(), flags::SYN);
        assert!(p.has_flags(flags::SYN) && !p.has_flags(flags::ACK));
        assert_eq!(p.window_len(), 8192);
        assert_eq!(p.options(), &[0x02, 0x04, 0x05, 0xb4]);
        assert_eq!(p.payload(), &[0xab, 0xcd]);
    }

    #[test]
    fn truncation_sweep() {
        for cut in 0..HEADER_LEN {
            assert_eq!(
                Packet::new_checked(&SEGMENT[..cut]).err(),
                Some(DecodeEvent::TcpPktTooSmall)
            );
        }
        for cut in HEADER_LEN..24 {
            assert_eq!(
                Packet::new_checked(&SEGMENT[..cut]).err(),
                Some(DecodeEvent::TcpHlenTooSmall)
            );
        }
        assert!(Packet::new_checked(&SEGMENT[..24]).is_ok());
    }

    #[test]
    fn every_data_offset() {
        // With 60 bytes available: offsets 0..=4 are invalid_optlen, 5..=15 fine.
        let mut seg = [0u8; 60];
        for doff in 0u8..16 {
            seg[12] = doff << 4;
            let res = Packet::new_checked(&seg[..]).err();
            if doff < 5 {
                assert_eq!(res, Some(DecodeEvent::TcpInvalidOptlen), "doff {doff}");
            } else {
                assert_eq!(res, None, "doff {doff}");
            }
        }
        // With exactly 20 bytes: offsets above 5 point past the end.
        for doff in 6u8..16 {
            seg[12] = doff << 4;
            assert_eq!(
                Packet::new_checked(&seg[..20]).err(),
                Some(DecodeEvent::TcpHlenTooSmall),
                "doff {doff}"
            );
        }
    }

    fn opts(bytes: &[u8]) -> (TcpOptions, Vec<(DecodeEvent, bool)>) {
        let mut r = Recorder::default();
        let o = parse_options(bytes, &mut r);
        (o, r.events)
    }

    #[test]
    fn syn_options() {
        // MSS 1460, SACK-perm, TS 1/0, NOP, WS 7
        let b = [
            2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7,
        ];
        let (o, ev) = opts(&b);
        assert!(ev.is_empty());
        assert_eq!(o.mss, Some(1460));
        assert!(o.sack_permitted);
        assert_eq!(o.timestamps, Some((1, 0)));
        assert_eq!(o.window_scale, Some(7));
    }

    #[test]
    fn option_problems() {
        // Length 0: invalid, walk stops.
        let (_, ev) = opts(&[2, 0, 0, 0]);
        assert_eq!(ev, vec![(DecodeEvent::TcpOptInvalidLen, true)]);
        // Past the end.
        let (_, ev) = opts(&[1, 8, 10, 0, 0]);
        assert_eq!(ev, vec![(DecodeEvent::TcpOptInvalidLen, true)]);
        // MSS of length 3: event, not invalid; duplicate WS.
        let (o, ev) = opts(&[2, 3, 0, 3, 3, 1, 3, 3, 2, 0, 0, 0]);
        assert_eq!(o.window_scale, Some(1));
        assert_eq!(
            ev,
            vec![
                (DecodeEvent::TcpOptInvalidLen, false),
                (DecodeEvent::TcpOptDuplicate, false)
            ]
        );
        // MD5 with the wrong length is invalid.
        let (_, ev) = opts(&[19, 4, 0, 0]);
        assert_eq!(ev, vec![(DecodeEvent::TcpOptInvalidLen, true)]);
        // SACK with one block.
        let (o, ev) = opts(&[5, 10, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0]);
        assert_eq!(o.sack_blocks, 1);
        assert!(ev.is_empty());
    }
}
