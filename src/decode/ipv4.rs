//! IPv4 headers (RFC 791) and Suricata's IPv4 option validation.
//!
//! [`Packet::check_len`] makes Suricata's checks in Suricata's order
//! (`DecodeIPV4Packet` in `src/decode-ipv4.c`): buffer shorter than 20 bytes
//! (`ipv4.pkt_too_small`), version not 4 (`ipv4.wrong_ip_version`), IHL
//! below 5 (`ipv4.hlen_too_small`), total length below the header length
//! (`ipv4.iplen_smaller_than_hlen`), buffer shorter than the total length
//! (`ipv4.trunc_pkt`). All of them mark the packet invalid and leave it
//! without an IP layer, as in Suricata.
//!
//! [`Packet::payload`] is bounded by the total length field, never by the
//! buffer, so Ethernet padding does not leak into it.
//!
//! [`validate_options`] walks the options like `DecodeIPV4Options`: some
//! problems are warnings (the packet goes on), others make the whole IPv4
//! decode fail.

use super::bytes::{array, be16, slice, u8_at};
use super::event::{DecodeEvent, EventSink};
use std::net::Ipv4Addr;

mod field {
    use std::ops::Range;
    pub const VER_IHL: usize = 0;
    pub const TOS: usize = 1;
    pub const LENGTH: Range<usize> = 2..4;
    pub const IDENT: Range<usize> = 4..6;
    pub const FLG_OFF: Range<usize> = 6..8;
    pub const TTL: usize = 8;
    pub const PROTOCOL: usize = 9;
    pub const CHECKSUM: Range<usize> = 10..12;
    pub const SRC_ADDR: Range<usize> = 12..16;
    pub const DST_ADDR: Range<usize> = 16..20;
}

/// Length of the IPv4 header without options.
pub const HEADER_LEN: usize = field::DST_ADDR.end;

/// A read-only view of an IPv4 packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps a buffer without checking it.
    pub const fn new_unchecked(buffer: T) -> Packet<T> {
        Packet { buffer }
    }

    /// The underlying buffer (the whole packet, as wrapped).
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// Wraps a buffer after [`Packet::check_len`].
    ///
    /// # Errors
    /// The first of Suricata's IPv4 header checks that fails.
    pub fn new_checked(buffer: T) -> Result<Packet<T>, DecodeEvent> {
        let p = Packet::new_unchecked(buffer);
        p.check_len()?;
        Ok(p)
    }

    /// Checks the header against the buffer (see the module docs).
    ///
    /// # Errors
    /// `ipv4.pkt_too_small`, `ipv4.wrong_ip_version`, `ipv4.hlen_too_small`,
    /// `ipv4.iplen_smaller_than_hlen` or `ipv4.trunc_pkt`.
    pub fn check_len(&self) -> Result<(), DecodeEvent> {
        let len = self.buffer.as_ref().len();
        if len < HEADER_LEN {
            return Err(DecodeEvent::Ipv4PktTooSmall);
        }
        if self.version() != 4 {
            return Err(DecodeEvent::Ipv4WrongIpVersion);
        }
        if self.header_len() < HEADER_LEN {
            return Err(DecodeEvent::Ipv4HlenTooSmall);
        }
        if usize::from(self.total_len()) < self.header_len() {
            return Err(DecodeEvent::Ipv4IplenSmallerThanHlen);
        }
        if len < usize::from(self.total_len()) {
            return Err(DecodeEvent::Ipv4TruncPkt);
        }
        Ok(())
    }

    /// IP version (high nibble of the first byte).
    pub fn version(&self) -> u8 {
        u8_at(self.buffer.as_ref(), field::VER_IHL) >> 4
    }

    /// Header length in bytes (IHL * 4).
    pub fn header_len(&self) -> usize {
        usize::from(u8_at(self.buffer.as_ref(), field::VER_IHL) & 0x0f) * 4
    }

    /// Type of service / DSCP+ECN byte.
    pub fn tos(&self) -> u8 {
        u8_at(self.buffer.as_ref(), field::TOS)
    }

    /// Total length field.
    pub fn total_len(&self) -> u16 {
        be16(self.buffer.as_ref(), field::LENGTH.start)
    }

    /// Identification.
    pub fn ident(&self) -> u16 {
        be16(self.buffer.as_ref(), field::IDENT.start)
    }

    /// Reserved ("evil") flag.
    pub fn reserved_flag(&self) -> bool {
        be16(self.buffer.as_ref(), field::FLG_OFF.start) & 0x8000 != 0
    }

    /// Don't-fragment flag.
    pub fn dont_frag(&self) -> bool {
        be16(self.buffer.as_ref(), field::FLG_OFF.start) & 0x4000 != 0
    }

    /// More-fragments flag.
    pub fn more_frags(&self) -> bool {
        be16(self.buffer.as_ref(), field::FLG_OFF.start) & 0x2000 != 0
    }

    /// Fragment offset in 8-byte units.
    pub fn frag_offset(&self) -> u16 {
        be16(self.buffer.as_ref(), field::FLG_OFF.start) & 0x1fff
    }

    /// Whether this is a fragment (offset non-zero or more-fragments set).
    pub fn is_fragment(&self) -> bool {
        self.frag_offset() > 0 || self.more_frags()
    }

    /// Time to live.
    pub fn ttl(&self) -> u8 {
        u8_at(self.buffer.as_ref(), field::TTL)
    }

    /// Protocol of the payload.
    pub fn protocol(&self) -> u8 {
        u8_at(self.buffer.as_ref(), field::PROTOCOL)
    }

    /// Header checksum field.
    pub fn checksum(&self) -> u16 {
        be16(self.buffer.as_ref(), field::CHECKSUM.start)
    }

    /// Source address.
    pub fn src_addr(&self) -> Ipv4Addr {
        Ipv4Addr::from(array::<4>(self.buffer.as_ref(), field::SRC_ADDR.start))
    }

    /// Destination address.
    pub fn dst_addr(&self) -> Ipv4Addr {
        Ipv4Addr::from(array::<4>(self.buffer.as_ref(), field::DST_ADDR.start))
    }

    /// The whole header, options included.
    pub fn header(&self) -> &[u8] {
        slice(self.buffer.as_ref(), 0..self.header_len())
    }

    /// The option bytes.
    pub fn options(&self) -> &[u8] {
        slice(self.buffer.as_ref(), HEADER_LEN..self.header_len())
    }

    /// The payload, bounded by the total length field.
    pub fn payload(&self) -> &[u8] {
        slice(
            self.buffer.as_ref(),
            self.header_len()..usize::from(self.total_len()),
        )
    }
}

impl<'a> Packet<&'a [u8]> {
    /// The payload with the buffer's lifetime.
    pub fn payload_ref(&self) -> &'a [u8] {
        slice(
            self.buffer,
            self.header_len()..usize::from(self.total_len()),
        )
    }
}

/// IPv4 option type numbers Suricata validates.
pub mod opt {
    /// End of option list.
    pub const EOL: u8 = 0x00;
    /// No operation.
    pub const NOP: u8 = 0x01;
    /// Record route.
    pub const RR: u8 = 0x07;
    /// Quick start.
    pub const QS: u8 = 0x19;
    /// Timestamp.
    pub const TS: u8 = 0x44;
    /// Security.
    pub const SEC: u8 = 0x82;
    /// Loose source route.
    pub const LSRR: u8 = 0x83;
    /// Extended security.
    pub const ESEC: u8 = 0x85;
    /// Commercial IP security.
    pub const CIPSO: u8 = 0x86;
    /// Stream identifier.
    pub const SID: u8 = 0x88;
    /// Strict source route.
    pub const SSRR: u8 = 0x89;
    /// Router alert.
    pub const RTRALT: u8 = 0x94;
}

/// Which options were present and valid (what the `ipopts` keyword tests),
/// as a bit per option kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct OptionSet(u16);

impl OptionSet {
    /// End of list seen.
    pub const EOL: u16 = 1 << 1;
    /// No-op seen.
    pub const NOP: u16 = 1 << 2;
    /// Record route.
    pub const RR: u16 = 1 << 3;
    /// Timestamp.
    pub const TS: u16 = 1 << 4;
    /// Quick start.
    pub const QS: u16 = 1 << 5;
    /// Loose source route.
    pub const LSRR: u16 = 1 << 6;
    /// Strict source route.
    pub const SSRR: u16 = 1 << 7;
    /// Stream id.
    pub const SID: u16 = 1 << 8;
    /// Security.
    pub const SEC: u16 = 1 << 9;
    /// CIPSO.
    pub const CIPSO: u16 = 1 << 10;
    /// Router alert.
    pub const RTRALT: u16 = 1 << 11;
    /// Extended security.
    pub const ESEC: u16 = 1 << 12;

    /// Whether any of the bits in `mask` is set.
    pub fn contains(self, mask: u16) -> bool {
        self.0 & mask != 0
    }

    /// The raw bits.
    pub fn bits(self) -> u16 {
        self.0
    }
}

fn option_bit(kind: u8) -> Option<u16> {
    Some(match kind {
        opt::RR => OptionSet::RR,
        opt::QS => OptionSet::QS,
        opt::TS => OptionSet::TS,
        opt::SEC => OptionSet::SEC,
        opt::LSRR => OptionSet::LSRR,
        opt::ESEC => OptionSet::ESEC,
        opt::CIPSO => OptionSet::CIPSO,
        opt::SID => OptionSet::SID,
        opt::SSRR => OptionSet::SSRR,
        opt::RTRALT => OptionSet::RTRALT,
        _ => return None,
    })
}

/// Per-kind validation of one option (`len` is the option's length byte,
/// `data` the bytes after type and length, within the options area).
fn validate_one(kind: u8, len: usize, data: &[u8]) -> Result<(), DecodeEvent> {
    use DecodeEvent::{Ipv4OptInvalidLen as BadLen, Ipv4OptMalformed as Malformed};
    match kind {
        opt::QS if len < 8 => Err(BadLen),
        opt::SEC | opt::ESEC if len < 3 => Err(BadLen),
        opt::SID | opt::RTRALT if len != 4 => Err(BadLen),
        opt::QS | opt::SEC | opt::ESEC | opt::SID | opt::RTRALT => Ok(()),
        opt::RR | opt::LSRR | opt::SSRR => {
            if len < 3 {
                return Err(BadLen);
            }
            let ptr = usize::from(u8_at(data, 0));
            if ptr < 4 || ptr % 4 != 0 || ptr > len + 1 {
                return Err(Malformed);
            }
            Ok(())
        }
        opt::TS => {
            if len < 5 {
                return Err(BadLen);
            }
            let ptr = usize::from(u8_at(data, 0));
            if ptr < 5 {
                return Err(Malformed);
            }
            let flag = u8_at(data, 1) & 0x0f;
            let rec = if flag == 1 || flag == 3 { 8 } else { 4 };
            if (ptr - 5) % rec != 0 || ptr > len + 1 {
                return Err(Malformed);
            }
            Ok(())
        }
        opt::CIPSO => {
            if len < 10 {
                return Err(BadLen);
            }
            // Tags follow the 4-byte domain of interpretation.
            let mut rest = len - 6;
            let mut at = 4usize;
            while rest > 0 {
                if rest < 2 {
                    return Err(Malformed);
                }
                let ttype = u8_at(data, at);
                let tlen = usize::from(u8_at(data, at + 1));
                at += 2;
                if tlen > rest {
                    return Err(Malformed);
                }
                match ttype {
                    1 | 2 | 5 | 6 | 7 => {
                        if tlen < 4 {
                            return Err(Malformed);
                        }
                        if ttype != 7 && u8_at(data, at) != 0 {
                            return Err(Malformed);
                        }
                        at += tlen - 2;
                        rest -= tlen;
                    }
                    _ => return Err(Malformed),
                }
            }
            Ok(())
        }
        _ => Err(DecodeEvent::Ipv4OptUnknown),
    }
}

/// Walks and validates IPv4 options like Suricata's `DecodeIPV4Options`.
///
/// Warnings (`opt_pad_required` when the options area is not a multiple of
/// 8 bytes, `opt_eol_required`, `opt_duplicate`, `opt_invalid` for an
/// unknown type) are raised and the walk goes on. A known option that fails
/// its own checks (`opt_invalid_len`, `opt_malformed`) raises an invalid
/// event and the walk also goes on. A length byte below 2 or past the end
/// of the options raises an invalid `opt_invalid_len` and ends the walk
/// with that error: Suricata then drops the IPv4 layer altogether.
///
/// # Errors
/// `opt_invalid_len` (already raised on `sink`), as described above.
pub fn validate_options(
    options: &[u8],
    sink: &mut dyn EventSink,
) -> Result<OptionSet, DecodeEvent> {
    let mut set = OptionSet::default();
    if options.len() % 8 != 0 {
        sink.event(DecodeEvent::Ipv4OptPadRequired);
    }
    let mut at = 0usize;
    while at < options.len() {
        let plen = options.len() - at;
        let kind = u8_at(options, at);
        if kind == opt::EOL {
            set.0 |= OptionSet::EOL;
            break;
        }
        if kind == opt::NOP {
            set.0 |= OptionSet::NOP;
            at += 1;
            continue;
        }
        if plen < 2 {
            sink.event(DecodeEvent::Ipv4OptEolRequired);
            break;
        }
        let len = usize::from(u8_at(options, at + 1));
        if len > plen || len < 2 {
            sink.invalid(DecodeEvent::Ipv4OptInvalidLen);
            return Err(DecodeEvent::Ipv4OptInvalidLen);
        }
        let data = slice(options, at + 2..at + len);
        match option_bit(kind) {
            Some(bit) if set.0 & bit != 0 => sink.event(DecodeEvent::Ipv4OptDuplicate),
            // A malformed known option marks the packet invalid but, as in
            // Suricata, the walk goes on (conformance case
            // bug-7414-decoder-event-01 counts two `opt_invalid_len`).
            Some(bit) => match validate_one(kind, len, data) {
                Ok(()) => set.0 |= bit,
                Err(event) => sink.invalid(event),
            },
            None => sink.event(DecodeEvent::Ipv4OptInvalid),
        }
        at += len;
    }
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::event::tests_support::Recorder;

    // 192.168.1.1 -> 10.0.0.2, TCP, total length 24 (4 payload bytes),
    // ident 0x1234, DF, TTL 64, checksum computed by hand below.
    static PACKET: [u8; 26] = [
        0x45, 0x00, 0x00, 0x18, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00, 0xc0, 0xa8, 0x01,
        0x01, 0x0a, 0x00, 0x00, 0x02, 0xaa, 0xbb, 0xcc, 0xdd, // payload
        0xee, 0xff, // ethernet padding
    ];

    #[test]
    fn deconstruct() {
        let p = Packet::new_checked(&PACKET[..]).expect("valid");
        assert_eq!(p.version(), 4);
        assert_eq!(p.header_len(), 20);
        assert_eq!(p.total_len(), 24);
        assert_eq!(p.ident(), 0x1234);
        assert!(p.dont_frag() && !p.more_frags() && !p.reserved_flag());
        assert_eq!(p.frag_offset(), 0);
        assert!(!p.is_fragment());
        assert_eq!(p.ttl(), 64);
        assert_eq!(p.protocol(), 6);
        assert_eq!(p.src_addr(), Ipv4Addr::new(192, 168, 1, 1));
        assert_eq!(p.dst_addr(), Ipv4Addr::new(10, 0, 0, 2));
        // Padding never leaks into the payload.
        assert_eq!(p.payload(), &[0xaa, 0xbb, 0xcc, 0xdd]);
        assert!(p.options().is_empty());
    }

    #[test]
    fn truncation_sweep() {
        for cut in 0..HEADER_LEN {
            assert_eq!(
                Packet::new_checked(&PACKET[..cut]).err(),
                Some(DecodeEvent::Ipv4PktTooSmall)
            );
        }
        for cut in HEADER_LEN..24 {
            assert_eq!(
                Packet::new_checked(&PACKET[..cut]).err(),
                Some(DecodeEvent::Ipv4TruncPkt)
            );
        }
        assert!(Packet::new_checked(&PACKET[..24]).is_ok());
    }

    #[test]
    fn header_field_errors() {
        let mut b = PACKET;
        b[0] = 0x65;
        assert_eq!(
            Packet::new_checked(&b[..]).err(),
            Some(DecodeEvent::Ipv4WrongIpVersion)
        );
        for ihl in 0..5u8 {
            b[0] = 0x40 | ihl;
            assert_eq!(
                Packet::new_checked(&b[..]).err(),
                Some(DecodeEvent::Ipv4HlenTooSmall)
            );
        }
        b[0] = 0x46; // 24-byte header, total length 24 is fine ...
        assert!(Packet::new_checked(&b[..]).is_ok());
        b[0] = 0x47; // ... 28 is more than the total length
        assert_eq!(
            Packet::new_checked(&b[..]).err(),
            Some(DecodeEvent::Ipv4IplenSmallerThanHlen)
        );
    }

    #[test]
    fn fragment_fields() {
        let mut b = PACKET;
        b[6] = 0x20; // MF
        b[7] = 0x00;
        let p = Packet::new_checked(&b[..]).expect("valid");
        assert!(p.more_frags() && p.is_fragment());
        b[6] = 0x00;
        b[7] = 0xb9; // offset 185 (1480 bytes)
        let p = Packet::new_checked(&b[..]).expect("valid");
        assert_eq!(p.frag_offset(), 185);
        assert!(p.is_fragment() && !p.more_frags());
    }

    fn run(opts: &[u8]) -> (Result<OptionSet, DecodeEvent>, Recorder) {
        let mut r = Recorder::default();
        let res = validate_options(opts, &mut r);
        (res, r)
    }

    #[test]
    fn options_valid() {
        // NOP, RR len 7 ptr 4, EOL: 8 bytes, no pad event.
        let (res, r) = run(&[0x01, 0x07, 0x07, 0x04, 0, 0, 0, 0x00]);
        let set = res.expect("valid");
        assert!(set.contains(OptionSet::RR) && set.contains(OptionSet::NOP));
        assert!(!set.contains(OptionSet::EOL));
        // NOP, EOL: the walk stops at EOL.
        let (res, _) = run(&[0x01, 0x00, 0x07, 0x07, 0, 0, 0, 0]);
        assert!(res.expect("valid").contains(OptionSet::EOL));
        assert!(r.events.is_empty());
        // Router alert, 4 bytes: valid but needs padding to 8.
        let (res, r) = run(&[0x94, 0x04, 0x00, 0x00]);
        assert!(res.expect("valid").contains(OptionSet::RTRALT));
        assert_eq!(r.events, vec![(DecodeEvent::Ipv4OptPadRequired, false)]);
    }

    #[test]
    fn options_invalid() {
        // Option length larger than what is left.
        let (res, r) = run(&[0x07, 0x09, 0x04, 0, 0, 0, 0, 0]);
        assert!(res.is_err());
        assert_eq!(r.events, vec![(DecodeEvent::Ipv4OptInvalidLen, true)]);
        // Length 1.
        let (res, r) = run(&[0x44, 0x01, 0, 0, 0, 0, 0, 0]);
        assert!(res.is_err());
        assert_eq!(r.events, vec![(DecodeEvent::Ipv4OptInvalidLen, true)]);
        // RR with pointer 3 is malformed: invalid, but the walk goes on
        // and the option is not recorded.
        let (res, r) = run(&[0x07, 0x07, 0x03, 0, 0, 0, 0, 0]);
        assert!(!res.expect("walk completes").contains(OptionSet::RR));
        assert_eq!(r.events, vec![(DecodeEvent::Ipv4OptMalformed, true)]);
        // SID must be exactly 4.
        let (res, r) = run(&[0x88, 0x05, 0, 0, 0, 0, 0, 0]);
        assert!(res.is_ok());
        assert_eq!(r.events, vec![(DecodeEvent::Ipv4OptInvalidLen, true)]);
        // The bytes of conformance case bug-7414-decoder-event-01: SEC of
        // length 2 (too short), then type 0xf1 claiming 53 bytes.
        let (res, r) = run(&[
            0x82, 0x02, 0xf1, 0x35, 0, 0, 0xde, 0xad, 0xbe, 0xef, 0xaa, 0,
        ]);
        assert_eq!(res, Err(DecodeEvent::Ipv4OptInvalidLen));
        assert_eq!(
            r.events,
            vec![
                (DecodeEvent::Ipv4OptPadRequired, false),
                (DecodeEvent::Ipv4OptInvalidLen, true),
                (DecodeEvent::Ipv4OptInvalidLen, true)
            ]
        );
    }

    #[test]
    fn options_warnings() {
        // Unknown type 0x42 len 2, then duplicate RTRALT.
        let (res, r) = run(&[0x42, 0x02, 0x94, 0x04, 0, 0, 0x94, 0x04, 0, 0, 0x01, 0x01]);
        assert!(res.is_ok());
        assert_eq!(
            r.events,
            vec![
                (DecodeEvent::Ipv4OptPadRequired, false),
                (DecodeEvent::Ipv4OptInvalid, false),
                (DecodeEvent::Ipv4OptDuplicate, false),
            ]
        );
        // A lone multi-byte type at the end: EOL required.
        let (res, r) = run(&[0x01, 0x01, 0x01, 0x07]);
        assert!(res.is_ok());
        assert_eq!(
            r.events,
            vec![
                (DecodeEvent::Ipv4OptPadRequired, false),
                (DecodeEvent::Ipv4OptEolRequired, false)
            ]
        );
    }

    #[test]
    fn timestamp_and_cipso() {
        // TS len 12, ptr 5, flag 0 (4-byte records): valid.
        let (res, _) = run(&[0x44, 0x0c, 0x05, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert!(res.expect("valid").contains(OptionSet::TS));
        // TS flag 1 (8-byte records) with ptr 9 is misaligned.
        let (res, r) = run(&[0x44, 0x0c, 0x09, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert!(!res.expect("walk completes").contains(OptionSet::TS));
        assert_eq!(r.events, vec![(DecodeEvent::Ipv4OptMalformed, true)]);
        // CIPSO len 10: DOI + one tag type 1 of length 4, alignment 0.
        let (res, _) = run(&[0x86, 0x0a, 0, 0, 0, 1, 0x01, 0x04, 0x00, 0x00, 0x01, 0x01]);
        assert!(res.expect("valid").contains(OptionSet::CIPSO));
        // Tag type 0 is reserved.
        let (res, r) = run(&[0x86, 0x0a, 0, 0, 0, 1, 0x00, 0x04, 0x00, 0x00, 0x01, 0x01]);
        assert!(!res.expect("walk completes").contains(OptionSet::CIPSO));
        assert_eq!(
            r.events,
            vec![
                (DecodeEvent::Ipv4OptPadRequired, false),
                (DecodeEvent::Ipv4OptMalformed, true)
            ]
        );
    }
}
