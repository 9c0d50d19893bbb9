//! craft: a small packet builder for tests and pcap generation.
//!
//! It assembles Ethernet / IPv4 or IPv6 / TCP, UDP, ICMP (or raw upper-layer
//! bytes) and fills in lengths and checksums, unless told otherwise: every
//! field a malformed packet needs (TCP data offset, IP protocol, fragment
//! offset, a wrong checksum) can be overridden. It allocates (`Vec`), so it
//! is for building inputs, never for the decode path; the decoder does not
//! use it.
//!
//! ```
//! use rulewire::decode::craft::{PacketBuilder, TcpSpec};
//!
//! // The CERT Polska port-0 probe: data offset 0, odd flags, the marker.
//! let frame = PacketBuilder::ipv4([118, 122, 188, 27], [192, 0, 2, 1])
//!     .tcp(0, 0, TcpSpec::new(0xf5).data_offset(0).payload(&[0xa0, 0x02, 0x7d, 0x78]))
//!     .ethernet();
//! assert_eq!(frame.len(), 14 + 20 + 20 + 4);
//! ```

use super::checksum;

/// Default source MAC of [`PacketBuilder::ethernet`].
pub const SRC_MAC: [u8; 6] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];
/// Default destination MAC of [`PacketBuilder::ethernet`].
pub const DST_MAC: [u8; 6] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02];

/// TCP header fields for [`PacketBuilder::tcp`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TcpSpec {
    seq: u32,
    ack: u32,
    flags: u8,
    window: u16,
    data_offset: Option<u8>,
    options: Vec<u8>,
    payload: Vec<u8>,
    checksum: Option<u16>,
}

impl TcpSpec {
    /// A segment with the given flag byte, seq 1, window 65535.
    pub fn new(flags: u8) -> TcpSpec {
        TcpSpec {
            seq: 1,
            ack: 0,
            flags,
            window: 65535,
            data_offset: None,
            options: Vec::new(),
            payload: Vec::new(),
            checksum: None,
        }
    }

    /// A SYN.
    pub fn syn() -> TcpSpec {
        TcpSpec::new(super::tcp::flags::SYN)
    }

    /// A SYN-ACK.
    pub fn syn_ack() -> TcpSpec {
        TcpSpec::new(super::tcp::flags::SYN | super::tcp::flags::ACK)
    }

    /// An ACK.
    pub fn ack() -> TcpSpec {
        TcpSpec::new(super::tcp::flags::ACK)
    }

    /// A PSH-ACK.
    pub fn psh_ack() -> TcpSpec {
        TcpSpec::new(super::tcp::flags::PSH | super::tcp::flags::ACK)
    }

    /// Sets the sequence number.
    pub fn seq(mut self, seq: u32) -> TcpSpec {
        self.seq = seq;
        self
    }

    /// Sets the acknowledgement number.
    pub fn ack_number(mut self, ack: u32) -> TcpSpec {
        self.ack = ack;
        self
    }

    /// Sets the window.
    pub fn window(mut self, window: u16) -> TcpSpec {
        self.window = window;
        self
    }

    /// Overrides the data offset field (in 32-bit words, 0 to 15) instead
    /// of deriving it from the options. The bytes emitted do not change.
    pub fn data_offset(mut self, words: u8) -> TcpSpec {
        self.data_offset = Some(words & 0x0f);
        self
    }

    /// Option bytes (padded with EOL to a multiple of 4).
    pub fn options(mut self, options: &[u8]) -> TcpSpec {
        self.options = options.to_vec();
        while self.options.len() % 4 != 0 {
            self.options.push(0);
        }
        self
    }

    /// Payload bytes.
    pub fn payload(mut self, payload: &[u8]) -> TcpSpec {
        self.payload = payload.to_vec();
        self
    }

    /// Writes this checksum instead of the computed one.
    pub fn checksum(mut self, checksum: u16) -> TcpSpec {
        self.checksum = Some(checksum);
        self
    }
}

#[derive(Clone, Debug)]
enum Upper {
    Tcp(u16, u16, TcpSpec),
    Udp {
        sport: u16,
        dport: u16,
        payload: Vec<u8>,
        length: Option<u16>,
    },
    Icmp {
        kind: u8,
        code: u8,
        rest: [u8; 4],
        payload: Vec<u8>,
    },
    Raw(u8, Vec<u8>),
}

#[derive(Clone, Debug)]
enum Net {
    V4 {
        src: [u8; 4],
        dst: [u8; 4],
        ttl: u8,
        ident: u16,
        flags_frag: u16,
        options: Vec<u8>,
        proto: Option<u8>,
        checksum: Option<u16>,
    },
    V6 {
        src: [u8; 16],
        dst: [u8; 16],
        hop_limit: u8,
        fragment: Option<(u16, bool, u32)>,
    },
}

/// Builds one IP packet (optionally in an Ethernet frame).
#[derive(Clone, Debug)]
pub struct PacketBuilder {
    net: Net,
    upper: Upper,
}

impl PacketBuilder {
    /// An IPv4 packet, TTL 64, ident 1, no payload yet.
    pub fn ipv4(src: [u8; 4], dst: [u8; 4]) -> PacketBuilder {
        PacketBuilder {
            net: Net::V4 {
                src,
                dst,
                ttl: 64,
                ident: 1,
                flags_frag: 0,
                options: Vec::new(),
                proto: None,
                checksum: None,
            },
            upper: Upper::Raw(253, Vec::new()),
        }
    }

    /// An IPv6 packet, hop limit 64.
    pub fn ipv6(src: [u8; 16], dst: [u8; 16]) -> PacketBuilder {
        PacketBuilder {
            net: Net::V6 {
                src,
                dst,
                hop_limit: 64,
                fragment: None,
            },
            upper: Upper::Raw(59, Vec::new()),
        }
    }

    /// Sets the TTL / hop limit.
    pub fn ttl(mut self, value: u8) -> PacketBuilder {
        match &mut self.net {
            Net::V4 { ttl, .. } => *ttl = value,
            Net::V6 { hop_limit, .. } => *hop_limit = value,
        }
        self
    }

    /// Sets the IPv4 identification.
    pub fn ident(mut self, value: u16) -> PacketBuilder {
        if let Net::V4 { ident, .. } = &mut self.net {
            *ident = value;
        }
        self
    }

    /// Makes this a fragment: `offset` in bytes (a multiple of 8), `more`
    /// fragments flag. For IPv6 a fragment header (ident `ident`) is
    /// inserted; for IPv4 `ident` replaces the identification.
    pub fn fragment(mut self, offset: u16, more: bool, ident: u32) -> PacketBuilder {
        match &mut self.net {
            Net::V4 {
                flags_frag,
                ident: id,
                ..
            } => {
                *flags_frag = ((offset / 8) & 0x1fff) | if more { 0x2000 } else { 0 };
                *id = ident as u16;
            }
            Net::V6 { fragment, .. } => *fragment = Some((offset, more, ident)),
        }
        self
    }

    /// Sets the IPv4 don't-fragment flag.
    pub fn dont_fragment(mut self) -> PacketBuilder {
        if let Net::V4 { flags_frag, .. } = &mut self.net {
            *flags_frag |= 0x4000;
        }
        self
    }

    /// IPv4 option bytes (padded with EOL to a multiple of 4).
    pub fn ipv4_options(mut self, bytes: &[u8]) -> PacketBuilder {
        if let Net::V4 { options, .. } = &mut self.net {
            *options = bytes.to_vec();
            while options.len() % 4 != 0 {
                options.push(0);
            }
        }
        self
    }

    /// Overrides the IPv4 protocol field.
    pub fn ip_proto(mut self, value: u8) -> PacketBuilder {
        if let Net::V4 { proto, .. } = &mut self.net {
            *proto = Some(value);
        }
        self
    }

    /// Writes this IPv4 header checksum instead of the computed one.
    pub fn ipv4_checksum(mut self, value: u16) -> PacketBuilder {
        if let Net::V4 { checksum, .. } = &mut self.net {
            *checksum = Some(value);
        }
        self
    }

    /// A TCP segment.
    pub fn tcp(mut self, sport: u16, dport: u16, spec: TcpSpec) -> PacketBuilder {
        self.upper = Upper::Tcp(sport, dport, spec);
        self
    }

    /// A UDP datagram.
    pub fn udp(mut self, sport: u16, dport: u16, payload: &[u8]) -> PacketBuilder {
        self.upper = Upper::Udp {
            sport,
            dport,
            payload: payload.to_vec(),
            length: None,
        };
        self
    }

    /// A UDP datagram whose length field says `length`.
    pub fn udp_with_length(mut self, sport: u16, dport: u16, payload: &[u8], length: u16) -> Self {
        self.upper = Upper::Udp {
            sport,
            dport,
            payload: payload.to_vec(),
            length: Some(length),
        };
        self
    }

    /// An ICMP message (ICMPv4 over IPv4, ICMPv6 over IPv6): type, code,
    /// the 4 bytes after the checksum, and the data.
    pub fn icmp(mut self, kind: u8, code: u8, rest: [u8; 4], payload: &[u8]) -> PacketBuilder {
        self.upper = Upper::Icmp {
            kind,
            code,
            rest,
            payload: payload.to_vec(),
        };
        self
    }

    /// Raw upper-layer bytes with protocol (IPv4) / next header (IPv6)
    /// `proto`; nothing is computed in them.
    pub fn raw(mut self, proto: u8, bytes: &[u8]) -> PacketBuilder {
        self.upper = Upper::Raw(proto, bytes.to_vec());
        self
    }

    fn proto(&self) -> u8 {
        match (&self.upper, &self.net) {
            (Upper::Tcp(..), _) => 6,
            (Upper::Udp { .. }, _) => 17,
            (Upper::Icmp { .. }, Net::V4 { .. }) => 1,
            (Upper::Icmp { .. }, Net::V6 { .. }) => 58,
            (Upper::Raw(p, _), _) => *p,
        }
    }

    fn pseudo(&self, proto: u8, len: usize) -> u32 {
        match &self.net {
            Net::V4 { src, dst, .. } => checksum::pseudo_v4(*src, *dst, proto, len),
            Net::V6 { src, dst, .. } => checksum::pseudo_v6(*src, *dst, proto, len),
        }
    }

    /// The upper-layer bytes with lengths and checksums filled in: what a
    /// caller slices into fragments (the checksum covers the whole segment).
    pub fn transport_bytes(&self) -> Vec<u8> {
        let proto = self.proto();
        match &self.upper {
            Upper::Tcp(sport, dport, spec) => {
                let mut b = Vec::with_capacity(20 + spec.options.len() + spec.payload.len());
                b.extend_from_slice(&sport.to_be_bytes());
                b.extend_from_slice(&dport.to_be_bytes());
                b.extend_from_slice(&spec.seq.to_be_bytes());
                b.extend_from_slice(&spec.ack.to_be_bytes());
                let words = spec
                    .data_offset
                    .unwrap_or(((20 + spec.options.len()) / 4) as u8);
                b.push(words << 4);
                b.push(spec.flags);
                b.extend_from_slice(&spec.window.to_be_bytes());
                b.extend_from_slice(&[0, 0, 0, 0]);
                b.extend_from_slice(&spec.options);
                b.extend_from_slice(&spec.payload);
                let sum = spec.checksum.unwrap_or_else(|| {
                    checksum::finish(checksum::sum(self.pseudo(proto, b.len()), &b))
                });
                put16(&mut b, 16, sum);
                b
            }
            Upper::Udp {
                sport,
                dport,
                payload,
                length,
            } => {
                let mut b = Vec::with_capacity(8 + payload.len());
                b.extend_from_slice(&sport.to_be_bytes());
                b.extend_from_slice(&dport.to_be_bytes());
                let len = length.unwrap_or((8 + payload.len()) as u16);
                b.extend_from_slice(&len.to_be_bytes());
                b.extend_from_slice(&[0, 0]);
                b.extend_from_slice(payload);
                let mut sum = checksum::finish(checksum::sum(self.pseudo(proto, b.len()), &b));
                if sum == 0 {
                    sum = 0xffff;
                }
                put16(&mut b, 6, sum);
                b
            }
            Upper::Icmp {
                kind,
                code,
                rest,
                payload,
            } => {
                let mut b = vec![*kind, *code, 0, 0];
                b.extend_from_slice(rest);
                b.extend_from_slice(payload);
                let init = if proto == 58 {
                    self.pseudo(58, b.len())
                } else {
                    0
                };
                let sum = checksum::finish(checksum::sum(init, &b));
                put16(&mut b, 2, sum);
                b
            }
            Upper::Raw(_, bytes) => bytes.clone(),
        }
    }

    /// The IP packet.
    pub fn build(&self) -> Vec<u8> {
        let upper = self.transport_bytes();
        let proto = self.proto();
        match &self.net {
            Net::V4 {
                src,
                dst,
                ttl,
                ident,
                flags_frag,
                options,
                proto: proto_override,
                checksum: csum,
            } => {
                let hlen = 20 + options.len();
                let total = hlen + upper.len();
                let mut b = Vec::with_capacity(total);
                b.push(0x40 | ((hlen / 4) as u8 & 0x0f));
                b.push(0);
                b.extend_from_slice(&(total as u16).to_be_bytes());
                b.extend_from_slice(&ident.to_be_bytes());
                b.extend_from_slice(&flags_frag.to_be_bytes());
                b.push(*ttl);
                b.push(proto_override.unwrap_or(proto));
                b.extend_from_slice(&[0, 0]);
                b.extend_from_slice(src);
                b.extend_from_slice(dst);
                b.extend_from_slice(options);
                let sum = csum.unwrap_or_else(|| checksum::checksum(&b));
                put16(&mut b, 10, sum);
                b.extend_from_slice(&upper);
                b
            }
            Net::V6 {
                src,
                dst,
                hop_limit,
                fragment,
            } => {
                let mut ext = Vec::new();
                let first = match fragment {
                    Some((offset, more, ident)) => {
                        ext.push(proto);
                        ext.push(0);
                        let off = (offset & 0xfff8) | u16::from(*more);
                        ext.extend_from_slice(&off.to_be_bytes());
                        ext.extend_from_slice(&ident.to_be_bytes());
                        44
                    }
                    None => proto,
                };
                let plen = ext.len() + upper.len();
                let mut b = Vec::with_capacity(40 + plen);
                b.extend_from_slice(&[0x60, 0, 0, 0]);
                b.extend_from_slice(&(plen as u16).to_be_bytes());
                b.push(first);
                b.push(*hop_limit);
                b.extend_from_slice(src);
                b.extend_from_slice(dst);
                b.extend_from_slice(&ext);
                b.extend_from_slice(&upper);
                b
            }
        }
    }

    /// The packet in an Ethernet II frame with the default MACs.
    pub fn ethernet(&self) -> Vec<u8> {
        let ethertype: u16 = match self.net {
            Net::V4 { .. } => 0x0800,
            Net::V6 { .. } => 0x86dd,
        };
        ethernet_frame(SRC_MAC, DST_MAC, ethertype, &self.build())
    }
}

/// Writes a big-endian u16 at `at` when it fits.
fn put16(buf: &mut [u8], at: usize, value: u16) {
    if let Some(slot) = buf.get_mut(at..at + 2) {
        slot.copy_from_slice(&value.to_be_bytes());
    }
}

/// An Ethernet II frame around `payload`.
pub fn ethernet_frame(src: [u8; 6], dst: [u8; 6], ethertype: u16, payload: &[u8]) -> Vec<u8> {
    let mut f = Vec::with_capacity(14 + payload.len());
    f.extend_from_slice(&dst);
    f.extend_from_slice(&src);
    f.extend_from_slice(&ethertype.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

/// Inserts an 802.1Q tag (`tpid`, VLAN `id`) after the MAC addresses of an
/// Ethernet frame.
pub fn vlan_tag(frame: &[u8], tpid: u16, id: u16) -> Vec<u8> {
    let mut f = Vec::with_capacity(frame.len() + 4);
    f.extend_from_slice(frame.get(..12).unwrap_or(frame));
    f.extend_from_slice(&tpid.to_be_bytes());
    f.extend_from_slice(&(id & 0x0fff).to_be_bytes());
    f.extend_from_slice(frame.get(12..).unwrap_or(&[]));
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::checksum::{ipv4_header_valid, v4_transport_valid, v6_transport_valid};

    #[test]
    fn ipv4_tcp_checksums_verify() {
        let p = PacketBuilder::ipv4([10, 0, 0, 1], [10, 0, 0, 2])
            .tcp(1234, 80, TcpSpec::psh_ack().payload(b"hello"))
            .build();
        assert_eq!(p.len(), 20 + 20 + 5);
        assert_eq!(&p[2..4], &[0, 45]);
        assert!(ipv4_header_valid(&p[..20]));
        assert!(v4_transport_valid(
            [10, 0, 0, 1],
            [10, 0, 0, 2],
            6,
            &p[20..]
        ));
    }

    #[test]
    fn ipv6_udp_and_fragment_header() {
        let src = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
        let dst = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
        let p = PacketBuilder::ipv6(src, dst).udp(53, 53, b"q").build();
        assert_eq!(p[6], 17);
        assert!(v6_transport_valid(src, dst, 17, &p[40..]));
        let f = PacketBuilder::ipv6(src, dst)
            .raw(6, &[1, 2, 3, 4, 5, 6, 7, 8])
            .fragment(16, false, 9)
            .build();
        assert_eq!(f[6], 44);
        assert_eq!(&f[40..48], &[6, 0, 0, 16, 0, 0, 0, 9]);
    }

    #[test]
    fn vlan_insertion() {
        let f = PacketBuilder::ipv4([1, 1, 1, 1], [2, 2, 2, 2]).ethernet();
        let t = vlan_tag(&f, 0x8100, 42);
        assert_eq!(&t[12..18], &[0x81, 0x00, 0x00, 42, 0x08, 0x00]);
        assert_eq!(t.len(), f.len() + 4);
    }
}
