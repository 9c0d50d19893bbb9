//! IPv6 headers (RFC 8200) and the extension-header walk.
//!
//! [`Packet::check_len`] makes Suricata 8.0.6's checks: a buffer shorter
//! than 40 bytes fails (8.0.6 raises *no* event for it; later Suricata
//! raises `ipv6.pkt_too_small`, and so do we, as a plain event so the
//! `decoder.invalid` counter still matches 8.0.6), version not 6
//! (`ipv6.wrong_ip_version`), buffer shorter than 40 + payload length
//! (`ipv6.trunc_pkt`). [`Packet::payload`] is bounded by the payload length
//! field.
//!
//! [`walk_ext_headers`] follows `DecodeIPV6ExtHdrs` in
//! `src/decode-ipv6.c`: hop-by-hop, routing, destination options, fragment,
//! AH, and the skipped MH/HIP/SHIM6 headers, with their duplicate and
//! option checks. It returns where the upper layer starts, or that the
//! packet is a fragment (then nothing after the fragment header is
//! decoded: the rest belongs to reassembly).

use super::bytes::{array, be16, be32, slice, tail, u8_at};
use super::event::{DecodeEvent, EventSink};
use std::net::Ipv6Addr;

mod field {
    use std::ops::Range;
    pub const VER_TC_FLOW: Range<usize> = 0..4;
    pub const LENGTH: Range<usize> = 4..6;
    pub const NXT_HDR: usize = 6;
    pub const HOP_LIMIT: usize = 7;
    pub const SRC_ADDR: Range<usize> = 8..24;
    pub const DST_ADDR: Range<usize> = 24..40;
}

/// Length of the fixed IPv6 header.
pub const HEADER_LEN: usize = field::DST_ADDR.end;

/// Next-header numbers the walk knows.
pub mod nh {
    /// Hop-by-hop options.
    pub const HOPOPTS: u8 = 0;
    /// ICMP (for IPv4; an event inside IPv6).
    pub const ICMP: u8 = 1;
    /// IPv4 in IPv6.
    pub const IPIP: u8 = 4;
    /// TCP.
    pub const TCP: u8 = 6;
    /// UDP.
    pub const UDP: u8 = 17;
    /// IPv6 in IPv6.
    pub const IPV6: u8 = 41;
    /// Routing header.
    pub const ROUTING: u8 = 43;
    /// Fragment header.
    pub const FRAGMENT: u8 = 44;
    /// GRE.
    pub const GRE: u8 = 47;
    /// ESP.
    pub const ESP: u8 = 50;
    /// Authentication header.
    pub const AH: u8 = 51;
    /// ICMPv6.
    pub const ICMPV6: u8 = 58;
    /// No next header.
    pub const NONE: u8 = 59;
    /// Destination options.
    pub const DSTOPTS: u8 = 60;
    /// Mobility header.
    pub const MH: u8 = 135;
    /// Host identity protocol.
    pub const HIP: u8 = 139;
    /// Shim6.
    pub const SHIM6: u8 = 140;
    /// SCTP.
    pub const SCTP: u8 = 132;
}

/// A read-only view of an IPv6 packet.
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
    /// `ipv6.pkt_too_small`, `ipv6.wrong_ip_version` or `ipv6.trunc_pkt`.
    pub fn new_checked(buffer: T) -> Result<Packet<T>, DecodeEvent> {
        let p = Packet::new_unchecked(buffer);
        p.check_len()?;
        Ok(p)
    }

    /// Checks the fixed header and the payload length against the buffer.
    ///
    /// # Errors
    /// `ipv6.pkt_too_small`, `ipv6.wrong_ip_version` or `ipv6.trunc_pkt`.
    pub fn check_len(&self) -> Result<(), DecodeEvent> {
        let len = self.buffer.as_ref().len();
        if len < HEADER_LEN {
            return Err(DecodeEvent::Ipv6PktTooSmall);
        }
        if self.version() != 6 {
            return Err(DecodeEvent::Ipv6WrongIpVersion);
        }
        if len < HEADER_LEN + usize::from(self.payload_len()) {
            return Err(DecodeEvent::Ipv6TruncPkt);
        }
        Ok(())
    }

    /// IP version.
    pub fn version(&self) -> u8 {
        u8_at(self.buffer.as_ref(), 0) >> 4
    }

    /// Traffic class.
    pub fn traffic_class(&self) -> u8 {
        ((be32(self.buffer.as_ref(), field::VER_TC_FLOW.start) >> 20) & 0xff) as u8
    }

    /// Flow label (20 bits).
    pub fn flow_label(&self) -> u32 {
        be32(self.buffer.as_ref(), field::VER_TC_FLOW.start) & 0x000f_ffff
    }

    /// Payload length field.
    pub fn payload_len(&self) -> u16 {
        be16(self.buffer.as_ref(), field::LENGTH.start)
    }

    /// Next header of the fixed header.
    pub fn next_header(&self) -> u8 {
        u8_at(self.buffer.as_ref(), field::NXT_HDR)
    }

    /// Hop limit.
    pub fn hop_limit(&self) -> u8 {
        u8_at(self.buffer.as_ref(), field::HOP_LIMIT)
    }

    /// Source address.
    pub fn src_addr(&self) -> Ipv6Addr {
        Ipv6Addr::from(array::<16>(self.buffer.as_ref(), field::SRC_ADDR.start))
    }

    /// Destination address.
    pub fn dst_addr(&self) -> Ipv6Addr {
        Ipv6Addr::from(array::<16>(self.buffer.as_ref(), field::DST_ADDR.start))
    }

    /// The raw 16 source address bytes (for checksums).
    pub fn src_bytes(&self) -> [u8; 16] {
        array::<16>(self.buffer.as_ref(), field::SRC_ADDR.start)
    }

    /// The raw 16 destination address bytes.
    pub fn dst_bytes(&self) -> [u8; 16] {
        array::<16>(self.buffer.as_ref(), field::DST_ADDR.start)
    }

    /// The payload (extension headers included), bounded by the payload
    /// length field.
    pub fn payload(&self) -> &[u8] {
        slice(
            self.buffer.as_ref(),
            HEADER_LEN..HEADER_LEN + usize::from(self.payload_len()),
        )
    }
}

impl<'a> Packet<&'a [u8]> {
    /// The payload with the buffer's lifetime.
    pub fn payload_ref(&self) -> &'a [u8] {
        slice(
            self.buffer,
            HEADER_LEN..HEADER_LEN + usize::from(self.payload_len()),
        )
    }
}

/// The fields of an IPv6 fragment header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FragmentHeader {
    /// Next header of the fragmentable part.
    pub next_header: u8,
    /// Fragment offset in bytes (already multiplied by 8).
    pub offset: u16,
    /// More-fragments flag.
    pub more: bool,
    /// Identification.
    pub ident: u32,
    /// Offset of the fragment header within the IPv6 payload.
    pub header_offset: usize,
}

/// Where the extension-header walk ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WalkEnd {
    /// An upper-layer (or tunnel, ESP) header `proto` starts at `offset`
    /// within the IPv6 payload.
    Upper {
        /// Its protocol number.
        proto: u8,
        /// Its offset in the IPv6 payload.
        offset: usize,
    },
    /// A real fragment (not offset 0 without more-fragments): the rest is
    /// for reassembly.
    Fragment,
    /// Nothing more to decode (no-next-header, a truncated or unknown
    /// header, ICMPv4 inside IPv6).
    Stop,
}

/// The result of [`walk_ext_headers`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExtHeaders {
    /// How the walk ended.
    pub end: WalkEnd,
    /// The protocol Suricata records for the packet (`IPV6_GET_L4PROTO`):
    /// the last header type it set, which is 0 when a leading hop-by-hop
    /// header is truncated.
    pub l4_proto: u8,
    /// The (first) fragment header, also for the "useless" one.
    pub fragment: Option<FragmentHeader>,
    /// Whether a routing header was seen.
    pub has_routing: bool,
    /// The type of the (first) routing header.
    pub routing_type: Option<u8>,
}

const OPT_PAD1: u8 = 0x00;
const OPT_PADN: u8 = 0x01;
const OPT_RA: u8 = 0x05;
const OPT_JUMBO: u8 = 0xc2;
const OPT_HAO: u8 = 0xc9;

/// Checks the options of a hop-by-hop or destination options header
/// (`opts` = the bytes after next-header and length).
fn check_options(opts: &[u8], hop: bool, sink: &mut dyn EventSink) {
    let mut padn = 0u32;
    let mut other = 0u32;
    let mut at = 0usize;
    while at < opts.len() {
        let kind = u8_at(opts, at);
        if kind == OPT_PAD1 {
            padn += 1;
            at += 1;
            continue;
        }
        if at + 1 >= opts.len() {
            sink.invalid(DecodeEvent::Ipv6ExthdrInvalidOptlen);
            break;
        }
        let len = usize::from(u8_at(opts, at + 1));
        // Suricata 8.0.6 checks `offset + 1 + len > optslen` (one byte
        // laxer than the option's real end); later versions use + 2.
        if at + 1 + len > opts.len() {
            sink.invalid(DecodeEvent::Ipv6ExthdrInvalidOptlen);
            break;
        }
        match kind {
            OPT_PADN => {
                padn += 1;
                if len == 0 {
                    sink.event(DecodeEvent::Ipv6ZeroLenPadn);
                }
            }
            OPT_RA => {
                if len < 2 {
                    sink.invalid(DecodeEvent::Ipv6ExthdrInvalidOptlen);
                    break;
                }
                other += 1;
            }
            OPT_JUMBO => {
                if len < 4 {
                    sink.invalid(DecodeEvent::Ipv6ExthdrInvalidOptlen);
                    break;
                }
            }
            OPT_HAO => {
                if len < 16 {
                    sink.invalid(DecodeEvent::Ipv6ExthdrInvalidOptlen);
                    break;
                }
                other += 1;
            }
            _ => {
                sink.event(if hop {
                    DecodeEvent::Ipv6HopoptsUnknownOpt
                } else {
                    DecodeEvent::Ipv6DstoptsUnknownOpt
                });
                other += 1;
            }
        }
        at += len + 2;
    }
    if padn > 0 && other == 0 {
        sink.event(if hop {
            DecodeEvent::Ipv6HopoptsOnlyPadding
        } else {
            DecodeEvent::Ipv6DstoptsOnlyPadding
        });
    }
}

/// Walks the extension headers of `payload` (the IPv6 payload), starting
/// with next header `first`. Every header consumes at least 2 bytes of the
/// bounded payload, so the walk terminates.
pub fn walk_ext_headers(first: u8, payload: &[u8], sink: &mut dyn EventSink) -> ExtHeaders {
    let mut out = ExtHeaders {
        end: WalkEnd::Stop,
        l4_proto: 0,
        fragment: None,
        has_routing: false,
        routing_type: None,
    };
    let mut next = first;
    let mut at = 0usize;
    let (mut hh, mut rh, mut ah, mut dstopts) = (false, false, false, 0u8);
    loop {
        let rest = tail(payload, at);
        if next == nh::NONE {
            if !rest.is_empty() {
                sink.event(DecodeEvent::Ipv6DataAfterNoneHeader);
            }
            return out;
        }
        if rest.len() < 2 {
            sink.invalid(DecodeEvent::Ipv6TruncExthdr);
            return out;
        }
        let hdr_next = u8_at(rest, 0);
        let hdr_len_byte = usize::from(u8_at(rest, 1));
        match next {
            nh::TCP | nh::UDP | nh::ICMPV6 | nh::SCTP | nh::ESP | nh::IPIP => {
                out.l4_proto = next;
                out.end = WalkEnd::Upper {
                    proto: next,
                    offset: at,
                };
                return out;
            }
            nh::ROUTING => {
                out.l4_proto = next;
                let len = 8 + hdr_len_byte * 8;
                if len > rest.len() {
                    sink.invalid(DecodeEvent::Ipv6TruncExthdr);
                    return out;
                }
                if rh {
                    sink.event(DecodeEvent::Ipv6ExthdrDuplRh);
                } else {
                    rh = true;
                    out.has_routing = true;
                    let rtype = u8_at(rest, 2);
                    out.routing_type = Some(rtype);
                    if rtype == 0 {
                        sink.event(DecodeEvent::Ipv6RhType0);
                    }
                }
                next = hdr_next;
                at += len;
            }
            nh::HOPOPTS | nh::DSTOPTS => {
                out.l4_proto = next;
                let len = (hdr_len_byte + 1) * 8;
                if len > rest.len() {
                    sink.invalid(DecodeEvent::Ipv6TruncExthdr);
                    return out;
                }
                let hop = next == nh::HOPOPTS;
                let duplicate = if hop {
                    std::mem::replace(&mut hh, true)
                } else {
                    dstopts += 1;
                    dstopts > 2
                };
                if duplicate {
                    sink.event(if hop {
                        DecodeEvent::Ipv6ExthdrDuplHh
                    } else {
                        DecodeEvent::Ipv6ExthdrDuplDh
                    });
                } else {
                    check_options(slice(rest, 2..len), hop, sink);
                }
                next = hdr_next;
                at += len;
            }
            nh::FRAGMENT => {
                out.l4_proto = next;
                const FRAG_LEN: usize = 8;
                if rest.len() < FRAG_LEN {
                    sink.invalid(DecodeEvent::Ipv6TruncExthdr);
                    return out;
                }
                if hdr_len_byte != 0 {
                    sink.event(DecodeEvent::Ipv6FhNonZeroReservedField);
                }
                if out.fragment.is_some() {
                    sink.event(DecodeEvent::Ipv6ExthdrDuplFh);
                    next = hdr_next;
                    at += FRAG_LEN;
                    continue;
                }
                let off_flags = be16(rest, 2);
                let frag = FragmentHeader {
                    next_header: hdr_next,
                    offset: off_flags & 0xfff8,
                    more: off_flags & 0x0001 != 0,
                    ident: be32(rest, 4),
                    header_offset: at,
                };
                out.fragment = Some(frag);
                if !frag.more && frag.offset == 0 {
                    sink.event(DecodeEvent::Ipv6ExthdrUselessFh);
                    next = hdr_next;
                    at += FRAG_LEN;
                    continue;
                }
                if frag.more && rest.len() % 8 != 0 {
                    // RFC 8200 section 4.5: every fragment but the last is a
                    // multiple of 8 octets (Suricata tests the bytes from
                    // the fragment header on).
                    sink.event(DecodeEvent::Ipv6FragInvalidLength);
                }
                out.end = WalkEnd::Fragment;
                return out;
            }
            nh::AH => {
                out.l4_proto = next;
                let len = if hdr_len_byte > 0 {
                    12 + (hdr_len_byte - 1) * 4
                } else {
                    12
                };
                if len > rest.len() {
                    sink.invalid(DecodeEvent::Ipv6TruncExthdr);
                    return out;
                }
                if be16(rest, 2) != 0 {
                    sink.event(DecodeEvent::Ipv6ExthdrAhResNotNull);
                }
                if ah {
                    sink.event(DecodeEvent::Ipv6ExthdrDuplAh);
                }
                ah = true;
                next = hdr_next;
                at += len;
            }
            nh::ICMP => {
                sink.event(DecodeEvent::Ipv6Icmpv4);
                return out;
            }
            nh::MH | nh::HIP | nh::SHIM6 => {
                let len = 8 + hdr_len_byte * 8;
                if len > rest.len() {
                    sink.invalid(DecodeEvent::Ipv6TruncExthdr);
                    return out;
                }
                next = hdr_next;
                at += len;
            }
            other => {
                sink.event(DecodeEvent::Ipv6UnknownNextHeader);
                out.l4_proto = other;
                return out;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::event::tests_support::Recorder;

    fn header(next: u8, payload_len: u16) -> Vec<u8> {
        let mut h = vec![0x60, 0x00, 0x00, 0x00];
        h.extend_from_slice(&payload_len.to_be_bytes());
        h.push(next);
        h.push(64);
        h.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        h.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
        h
    }

    #[test]
    fn deconstruct_and_bound() {
        let mut p = header(nh::UDP, 4);
        p.extend_from_slice(&[1, 2, 3, 4, 0xee, 0xee]);
        let v = Packet::new_checked(&p[..]).expect("valid");
        assert_eq!(v.version(), 6);
        assert_eq!(v.next_header(), 17);
        assert_eq!(v.hop_limit(), 64);
        assert_eq!(
            v.src_addr(),
            "2001:db8::1".parse::<Ipv6Addr>().expect("addr")
        );
        assert_eq!(
            v.dst_addr(),
            "2001:db8::2".parse::<Ipv6Addr>().expect("addr")
        );
        assert_eq!(v.payload(), &[1, 2, 3, 4]);
    }

    #[test]
    fn truncation_sweep() {
        let mut p = header(nh::UDP, 4);
        p.extend_from_slice(&[1, 2, 3, 4]);
        for cut in 0..HEADER_LEN {
            assert_eq!(
                Packet::new_checked(&p[..cut]).err(),
                Some(DecodeEvent::Ipv6PktTooSmall)
            );
        }
        for cut in HEADER_LEN..44 {
            assert_eq!(
                Packet::new_checked(&p[..cut]).err(),
                Some(DecodeEvent::Ipv6TruncPkt)
            );
        }
        let mut v4 = p.clone();
        v4[0] = 0x45;
        assert_eq!(
            Packet::new_checked(&v4[..]).err(),
            Some(DecodeEvent::Ipv6WrongIpVersion)
        );
    }

    fn walk(first: u8, payload: &[u8]) -> (ExtHeaders, Vec<(DecodeEvent, bool)>) {
        let mut r = Recorder::default();
        let out = walk_ext_headers(first, payload, &mut r);
        (out, r.events)
    }

    #[test]
    fn hop_by_hop_then_tcp() {
        // HBH: next TCP, len 0 (8 bytes), PadN of 4 data bytes -> only padding.
        let hbh = [nh::TCP, 0, 0x01, 0x04, 0, 0, 0, 0, 0xaa, 0xbb];
        let (out, ev) = walk(nh::HOPOPTS, &hbh);
        assert_eq!(
            out.end,
            WalkEnd::Upper {
                proto: nh::TCP,
                offset: 8
            }
        );
        assert_eq!(out.l4_proto, nh::TCP);
        assert_eq!(ev, vec![(DecodeEvent::Ipv6HopoptsOnlyPadding, false)]);
    }

    #[test]
    fn dst_options_events() {
        // DST: zero-length PadN, unknown option 0x3e len 2, Pad1 x0.
        let dst = [nh::NONE, 0, 0x01, 0x00, 0x3e, 0x02, 0, 0];
        let (out, ev) = walk(nh::DSTOPTS, &dst);
        assert_eq!(out.end, WalkEnd::Stop);
        assert_eq!(out.l4_proto, nh::DSTOPTS);
        assert_eq!(
            ev,
            vec![
                (DecodeEvent::Ipv6ZeroLenPadn, false),
                (DecodeEvent::Ipv6DstoptsUnknownOpt, false),
            ]
        );
        // Option running past the header: invalid, walk goes on.
        let bad = [nh::UDP, 0, 0x3e, 0x08, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8];
        let (out, ev) = walk(nh::DSTOPTS, &bad);
        assert_eq!(
            out.end,
            WalkEnd::Upper {
                proto: nh::UDP,
                offset: 8
            }
        );
        assert_eq!(ev, vec![(DecodeEvent::Ipv6ExthdrInvalidOptlen, true)]);
    }

    #[test]
    fn fragments() {
        // Offset 0, more fragments: a real first fragment.
        let first = [nh::TCP, 0, 0x00, 0x01, 0, 0, 0, 7, 1, 2, 3, 4, 5, 6, 7, 8];
        let (out, ev) = walk(nh::FRAGMENT, &first);
        assert_eq!(out.end, WalkEnd::Fragment);
        let f = out.fragment.expect("frag");
        assert_eq!(
            (f.offset, f.more, f.ident, f.next_header),
            (0, true, 7, nh::TCP)
        );
        assert!(ev.is_empty());
        // Offset 8, last: a later fragment.
        let later = [nh::TCP, 0, 0x00, 0x08, 0, 0, 0, 7, 9];
        let (out, _) = walk(nh::FRAGMENT, &later);
        assert_eq!(out.end, WalkEnd::Fragment);
        assert_eq!(out.fragment.map(|f| f.offset), Some(8));
        // Offset 0, no more: useless, parse on.
        let useless = [nh::UDP, 0, 0, 0, 0, 0, 0, 7, 1, 2, 3, 4, 5, 6, 7, 8];
        let (out, ev) = walk(nh::FRAGMENT, &useless);
        assert_eq!(
            out.end,
            WalkEnd::Upper {
                proto: nh::UDP,
                offset: 8
            }
        );
        assert_eq!(ev, vec![(DecodeEvent::Ipv6ExthdrUselessFh, false)]);
        // More fragments with a length that is not a multiple of 8.
        let odd = [nh::TCP, 1, 0x00, 0x01, 0, 0, 0, 7, 1, 2, 3];
        let (_, ev) = walk(nh::FRAGMENT, &odd);
        assert_eq!(
            ev,
            vec![
                (DecodeEvent::Ipv6FhNonZeroReservedField, false),
                (DecodeEvent::Ipv6FragInvalidLength, false)
            ]
        );
    }

    #[test]
    fn truncated_and_unknown() {
        let (out, ev) = walk(nh::HOPOPTS, &[nh::TCP]);
        assert_eq!((out.end, out.l4_proto), (WalkEnd::Stop, 0));
        assert_eq!(ev, vec![(DecodeEvent::Ipv6TruncExthdr, true)]);
        let (out, ev) = walk(nh::ROUTING, &[nh::TCP, 1, 0, 0, 0, 0, 0, 0]);
        assert_eq!(out.end, WalkEnd::Stop);
        assert_eq!(ev, vec![(DecodeEvent::Ipv6TruncExthdr, true)]);
        let (out, ev) = walk(99, &[0, 0]);
        assert_eq!((out.end, out.l4_proto), (WalkEnd::Stop, 99));
        assert_eq!(ev, vec![(DecodeEvent::Ipv6UnknownNextHeader, false)]);
        let (_, ev) = walk(nh::NONE, &[1]);
        assert_eq!(ev, vec![(DecodeEvent::Ipv6DataAfterNoneHeader, false)]);
    }

    #[test]
    fn routing_type0_and_duplicates() {
        let mut p = vec![nh::ROUTING, 0, 0, 0, 0, 0, 0, 0];
        p.extend_from_slice(&[nh::TCP, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x50]);
        let (out, ev) = walk(nh::ROUTING, &p);
        assert_eq!(
            out.end,
            WalkEnd::Upper {
                proto: nh::TCP,
                offset: 16
            }
        );
        assert_eq!(out.routing_type, Some(0));
        assert_eq!(
            ev,
            vec![
                (DecodeEvent::Ipv6RhType0, false),
                (DecodeEvent::Ipv6ExthdrDuplRh, false)
            ]
        );
    }

    #[test]
    fn authentication_header() {
        // AH len 1 -> 12 bytes, reserved non-zero.
        let ah = [nh::UDP, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x35];
        let (out, ev) = walk(nh::AH, &ah);
        assert_eq!(
            out.end,
            WalkEnd::Upper {
                proto: nh::UDP,
                offset: 12
            }
        );
        assert_eq!(ev, vec![(DecodeEvent::Ipv6ExthdrAhResNotNull, false)]);
    }
}
