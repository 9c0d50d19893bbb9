//! datagram: what a fragment contributes (read from the decoder's IP layer)
//! and how the reassembled datagram's header is rebuilt.
//!
//! # Reading a fragment
//!
//! [`FragmentInput::from_layer`] takes a decoded [`IpLayer`] whose
//! `fragment` is set and extracts the tracker key, the offset, the
//! more-fragments flag and the fragment data (`IpLayer::upper`: the IPv4
//! payload bounded by the total length, or what follows the IPv6 fragment
//! header bounded by the payload length).
//!
//! # Rebuilding
//!
//! The header of the offset-0 fragment is kept with it:
//!
//! * IPv4: the header with its options, as received. On reassembly the
//!   total length becomes header + data, the flags/offset word becomes 0
//!   (DF and the reserved bit are cleared too, as Suricata writes
//!   `ip_off = 0`), and the checksum is updated incrementally (RFC 1624), so
//!   a valid checksum stays valid and an invalid one stays invalid, as
//!   with Suricata's `FixChecksum`.
//! * IPv6: the fixed header plus the unfragmentable extension headers
//!   (those before the fragment header), with the fragment header dropped:
//!   the header that pointed at it (the fixed header or the last
//!   unfragmentable extension header) gets the fragment header's next
//!   header. On reassembly the payload length becomes unfragmentable +
//!   fragmentable bytes.
//!
//! A rebuilt datagram longer than 65535 bytes (possible only with IPv4
//! options or IPv6 unfragmentable headers on top of a maximal fragment
//! offset) is refused: its length cannot be written.

use super::table::Key;
use crate::decode::ipv6::nh;
use crate::decode::{Ip, IpLayer, VlanStack};
use std::net::IpAddr;

/// Largest IP datagram (IPv4 total length, IPv6 payload length).
pub(crate) const IP_MAXPACKET: u32 = 65_535;

/// The IPv4 header Suricata assumes in its size check (`IPV4_HEADER_LEN`).
const IPV4_MIN_HEADER: u32 = 20;

/// One fragment as the table needs it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FragmentInput<'a> {
    /// The tracker key.
    pub key: Key,
    /// Destination address (picks the host policy and timeout).
    pub dst: IpAddr,
    /// Offset of `data` in the fragmentable part.
    pub offset: u32,
    /// More fragments follow.
    pub more: bool,
    /// The fragment data.
    pub data: &'a [u8],
    layer: IpLayer<'a>,
}

impl<'a> FragmentInput<'a> {
    /// Reads a fragment from a decoded IP layer; `None` when the layer is
    /// not a fragment that needs reassembly.
    pub(crate) fn from_layer(layer: &IpLayer<'a>, vlans: &VlanStack) -> Option<FragmentInput<'a>> {
        let frag = layer.fragment?;
        if frag.offset == 0 && !frag.more {
            return None;
        }
        let mut vlan = [0u16; 3];
        for (slot, id) in vlan.iter_mut().zip(vlans.ids()) {
            *slot = id;
        }
        let (src, dst) = (layer.src_addr(), layer.dst_addr());
        let proto = match layer.header {
            Ip::V4(p) => p.protocol(),
            // Suricata's IPv6 tracker proto is p->proto, always the
            // fragment header's 44 here: it does not tell datagrams apart.
            Ip::V6(_) => nh::FRAGMENT,
        };
        Some(FragmentInput {
            key: Key::new(src, dst, proto, frag.ident, vlan),
            dst,
            offset: frag.offset,
            more: frag.more,
            data: layer.upper,
            layer: *layer,
        })
    }

    /// A non-first IPv4 fragment with the given key (unit tests of the
    /// table, which need no real packet).
    #[cfg(test)]
    pub(crate) fn for_test(
        key: Key,
        dst: IpAddr,
        offset: u32,
        data: &'a [u8],
    ) -> FragmentInput<'a> {
        const HEADER: [u8; 20] = [
            0x45, 0, 0, 28, 0, 1, 0x20, 1, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        ];
        let p = crate::decode::ipv4::Packet::new_unchecked(&HEADER[..]);
        FragmentInput {
            key,
            dst,
            offset,
            more: true,
            data,
            layer: IpLayer {
                header: Ip::V4(p),
                proto: 17,
                fragment: None,
                upper: data,
                ipv4_options: Default::default(),
                ipv6_ext: None,
            },
        }
    }

    /// Whether this is an IPv6 fragment.
    pub(crate) fn is_v6(&self) -> bool {
        matches!(self.layer.header, Ip::V6(_))
    }

    /// Suricata's size check: the fragment would end past the largest
    /// datagram (`ipv4/ipv6.frag_pkt_too_large`).
    pub(crate) fn too_large(&self) -> bool {
        let len = u32::try_from(self.data.len()).unwrap_or(u32::MAX);
        let end = self.offset.saturating_add(len);
        let end = if self.is_v6() {
            end
        } else {
            end.saturating_add(IPV4_MIN_HEADER)
        };
        end > IP_MAXPACKET
    }

    /// The header the rebuilt datagram starts with (see the module docs);
    /// only meaningful for the offset-0 fragment.
    pub(crate) fn first_header(&self) -> Vec<u8> {
        match self.layer.header {
            Ip::V4(p) => p.header().to_vec(),
            Ip::V6(p) => {
                let payload = p.payload_ref();
                let (frag_at, frag_next) = match self.layer.ipv6_ext.and_then(|e| e.fragment) {
                    Some(fh) => (fh.header_offset, fh.next_header),
                    None => (0, nh::NONE),
                };
                let unfrag = payload.get(..frag_at).unwrap_or(&[]);
                let mut h = Vec::with_capacity(40 + unfrag.len());
                let word0 = (6u32 << 28)
                    | (u32::from(p.traffic_class()) << 20)
                    | (p.flow_label() & 0x000f_ffff);
                h.extend_from_slice(&word0.to_be_bytes());
                h.extend_from_slice(&p.payload_len().to_be_bytes());
                h.push(p.next_header());
                h.push(p.hop_limit());
                h.extend_from_slice(&p.src_bytes());
                h.extend_from_slice(&p.dst_bytes());
                h.extend_from_slice(unfrag);
                // The header that named the fragment header now names what
                // followed it.
                let nh_at = match last_header_before(p.next_header(), unfrag) {
                    Some(at) => 40 + at,
                    None => 6,
                };
                if let Some(b) = h.get_mut(nh_at) {
                    *b = frag_next;
                }
                h
            }
        }
    }
}

/// The offset (in `unfrag`) of the last extension header of the chain that
/// starts with `first` and fills `unfrag` exactly; `None` when `unfrag` is
/// empty or the chain does not fit it (then the fixed header is patched).
fn last_header_before(first: u8, unfrag: &[u8]) -> Option<usize> {
    let mut next = first;
    let mut at = 0usize;
    let mut last = None;
    while at < unfrag.len() {
        let len_byte = usize::from(*unfrag.get(at + 1)?);
        let len = match next {
            nh::HOPOPTS | nh::DSTOPTS | nh::ROUTING | nh::MH | nh::HIP | nh::SHIM6 => {
                (len_byte + 1) * 8
            }
            // The decoder's (and Suricata's) AH length.
            nh::AH if len_byte > 0 => 12 + (len_byte - 1) * 4,
            nh::AH => 12,
            _ => return None,
        };
        last = Some(at);
        next = *unfrag.get(at)?;
        at += len;
    }
    if at == unfrag.len() {
        last
    } else {
        None
    }
}

/// Builds the datagram from the stored first header and the assembled
/// fragmentable bytes; `None` when it would exceed 65535 bytes.
pub(crate) fn rebuild(v6: bool, header: &[u8], data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(header.len() + data.len());
    out.extend_from_slice(header);
    out.extend_from_slice(data);
    if v6 {
        let plen = u16::try_from(header.len().checked_sub(40)? + data.len()).ok()?;
        put16(&mut out, 4, plen);
    } else {
        let total = u16::try_from(header.len() + data.len()).ok()?;
        let old_len = get16(&out, 2);
        let old_off = get16(&out, 6);
        let mut csum = get16(&out, 10);
        csum = checksum_update(csum, old_len, total);
        csum = checksum_update(csum, old_off, 0);
        put16(&mut out, 2, total);
        put16(&mut out, 6, 0);
        put16(&mut out, 10, csum);
    }
    Some(out)
}

/// RFC 1624 eqn. 3: the header checksum after one 16-bit word changes from
/// `old` to `new`.
fn checksum_update(csum: u16, old: u16, new: u16) -> u16 {
    let mut sum = u32::from(!csum) + u32::from(!old) + u32::from(new);
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    !(sum as u16)
}

fn get16(buf: &[u8], at: usize) -> u16 {
    match buf.get(at..at + 2) {
        Some(&[a, b]) => u16::from_be_bytes([a, b]),
        _ => 0,
    }
}

fn put16(buf: &mut [u8], at: usize, value: u16) {
    if let Some(dst) = buf.get_mut(at..at + 2) {
        dst.copy_from_slice(&value.to_be_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::checksum;

    #[test]
    fn checksum_update_keeps_valid_headers_valid() {
        // 20-byte header, total length 28, MF set, valid checksum.
        let mut h = vec![
            0x45, 0, 0, 28, 0, 7, 0x20, 0, 64, 1, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        ];
        let c = checksum::checksum(&h);
        put16(&mut h, 10, c);
        assert!(checksum::ipv4_header_valid(&h));
        let out = rebuild(false, &h, &[0xaa; 100]).unwrap();
        assert_eq!(get16(&out, 2), 120);
        assert_eq!(get16(&out, 6), 0);
        assert!(checksum::ipv4_header_valid(&out[..20]));
        // A wrong checksum stays wrong.
        put16(&mut h, 10, c ^ 0x0101);
        let out = rebuild(false, &h, &[0xaa; 100]).unwrap();
        assert!(!checksum::ipv4_header_valid(&out[..20]));
    }

    #[test]
    fn oversize_is_refused() {
        let h = [0x45u8; 24];
        assert!(rebuild(false, &h, &vec![0; 65_511]).is_some());
        assert!(rebuild(false, &h, &vec![0; 65_512]).is_none());
        let h6 = [0x60u8; 48];
        assert!(rebuild(true, &h6, &vec![0; 65_527]).is_some());
        assert!(rebuild(true, &h6, &vec![0; 65_528]).is_none());
        assert!(rebuild(true, &[0x60; 10], &[]).is_none());
    }

    #[test]
    fn chain_walk_finds_the_header_before_the_fragment_header() {
        // Hop-by-hop (8 bytes) then routing (24 bytes).
        let mut unfrag = vec![0u8; 32];
        unfrag[0] = nh::ROUTING;
        unfrag[1] = 0;
        unfrag[8] = nh::FRAGMENT;
        unfrag[9] = 2;
        assert_eq!(last_header_before(nh::HOPOPTS, &unfrag), Some(8));
        assert_eq!(last_header_before(nh::HOPOPTS, &unfrag[..8]), Some(0));
        assert_eq!(last_header_before(nh::HOPOPTS, &[]), None);
        // Does not fill the bytes exactly.
        assert_eq!(last_header_before(nh::HOPOPTS, &unfrag[..16]), None);
        assert_eq!(last_header_before(nh::TCP, &unfrag), None);
    }
}
