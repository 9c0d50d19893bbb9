//! decode: typed views over packet bytes, layer by layer, with Suricata's
//! decoder events for everything malformed.
//!
//! # Where it sits
//!
//! `capture` hands over a link type number and a frame; [`decode`] returns a
//! [`Decoded`] that borrows the frame and holds one `Option` view per layer
//! (link, VLAN stack, MPLS, PPPoE, IP, transport, tunnel), the transport
//! payload, the [`DecodeEvent`]s raised, [`DecodeFlags`] and the protocol
//! tallies for [`DecodeCounters`]. `defrag`, `flow` and `detect` read those
//! views; nothing downstream parses bytes again.
//!
//! # Guarantees
//!
//! * No panic and no unbounded loop on any input: every view is built with
//!   `new_checked`, every walk (IPv4/TCP options, IPv6 extension headers,
//!   MPLS labels, GRE source routes) advances through a bounded slice, and
//!   tunnel nesting stops at [`DecodeConfig::max_layers`].
//! * No allocation per packet: views borrow the frame, events and VLAN tags
//!   live in fixed-capacity arrays.
//! * Payloads are bounded by header length fields (IPv4 total length, IPv6
//!   payload length, UDP length), never by the buffer, so Ethernet padding
//!   never reaches content matching.
//! * Keep what decoded (etherparse's "lax" model): a broken TCP header
//!   leaves the IP layer in place, and the packet still flows.
//!
//! # Suricata semantics
//!
//! The checks, their order, which events they raise and which of those mark
//! the packet *invalid* follow Suricata 8.0.6's `src/decode-*.c` (the
//! version the conformance corpus was recorded with). Where Suricata fails a
//! layer it clears it (no IP layer after a bad IPv4 header, no TCP layer
//! after a bad TCP header), and so do we. Differences are deliberate and
//! listed in each protocol module; the main one is *honest ports*, below.
//!
//! # Honest ports
//!
//! A packet whose TCP/UDP/SCTP header is missing or malformed has no ports:
//! [`Decoded::ports`] returns `None`, never `(0, 0)`. Fragments never have
//! ports (Suricata does not decode the L4 header of any fragment until
//! reassembly). With [`DecodeConfig::inspect_invalid`], a malformed
//! (or first-fragment) TCP/UDP/SCTP header still exposes the ports read
//! from its first four bytes, and [`Decoded::inspection_payload`] returns
//! the whole IP payload of packets without a decoded transport layer.
//!
//! Suricata itself keeps `p->proto` set and `sp`/`dp` at 0 for a broken
//! TCP/UDP header, so a `tcp any any -> any 0` rule can match such a packet
//! there; we do not reproduce that. [`Decoded::ip_proto`] still reports the
//! IP protocol, so `tcp any any -> any any` rules see the packet as
//! Suricata does.
//!
//! # What it does not do
//!
//! No reassembly (`defrag` does that from [`IpLayer::fragment`]), no flow
//! state, no application-layer parsing. Not decoded: VN-tag, E-tag, Cisco
//! HDLC, IGMP (Suricata 8.0.6 does not either), PPP VJ compression beyond
//! Suricata's "uncompressed" case.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

pub mod arp;
mod bytes;
pub mod checksum;
pub mod counters;
pub mod craft;
mod decoder;
pub mod erspan;
pub mod esp;
pub mod ethernet;
pub mod event;
pub mod geneve;
pub mod gre;
pub mod icmpv4;
pub mod icmpv6;
pub mod ipv4;
pub mod ipv6;
pub mod mpls;
pub mod nsh;
pub mod null;
pub mod ppp;
pub mod pppoe;
pub mod sctp;
pub mod sll;
pub mod tcp;
pub mod teredo;
pub mod udp;
pub mod vlan;
pub mod vxlan;

pub use counters::{DecodeCounters, ProtoCounter, ProtoCounts};
pub use event::{DecodeEvent, EventList};
pub use vlan::{VlanStack, VlanTag};

use bytes::be16;
use std::net::IpAddr;

/// The link-layer type: one type for the whole crate, defined by
/// [`capture`](crate::capture) where it is read from the file.
pub use crate::capture::LinkType;

impl LinkType {
    /// Every link type [`decode`] understands.
    pub const SUPPORTED: [LinkType; 11] = [
        LinkType::NULL,
        LinkType::ETHERNET,
        LinkType::PPP,
        LinkType::DLT_RAW,
        LinkType::DLT_RAW_OPENBSD,
        LinkType::RAW,
        LinkType::LOOP,
        LinkType::LINUX_SLL,
        LinkType::IPV4,
        LinkType::IPV6,
        LinkType::LINUX_SLL2,
    ];

    /// Whether [`decode`] understands this link type.
    pub fn is_supported(self) -> bool {
        LinkType::SUPPORTED.contains(&self)
    }
}

/// Decoder settings, decided once per run (Suricata's `decoder.*` and
/// `-k` options).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecodeConfig {
    /// Expose ports and payload bytes of packets whose transport header is
    /// malformed or absent (see "Honest ports" in the module docs). Off by
    /// default, like Suricata, where invalid packets only reach
    /// decoder-event rules.
    pub inspect_invalid: bool,
    /// Verify checksums when asked ([`Decoded::checksum`]). Off is
    /// Suricata's `-k none`: every checksum then reads as valid.
    pub validate_checksums: bool,
    /// Decode VXLAN on UDP destination port [`DecodeConfig::vxlan_port`]
    /// (Suricata's `decoder.vxlan.enabled`, on by default).
    pub vxlan: bool,
    /// The VXLAN port (default 4789).
    pub vxlan_port: u16,
    /// Decode Geneve on UDP port [`DecodeConfig::geneve_port`], either
    /// direction (on by default).
    pub geneve: bool,
    /// The Geneve port (default 6081).
    pub geneve_port: u16,
    /// Decode Teredo (on by default).
    pub teredo: bool,
    /// The Teredo port, either direction (default 3544, as in Suricata's
    /// default configuration); `None` tries every UDP datagram, which is
    /// Suricata's behaviour when no port is configured.
    pub teredo_port: Option<u16>,
    /// Maximum decoded layers per packet (Suricata's `decoder.max-layers`,
    /// default 16); beyond it `too_many_layers` is raised.
    pub max_layers: u8,
}

impl Default for DecodeConfig {
    fn default() -> DecodeConfig {
        DecodeConfig {
            inspect_invalid: false,
            validate_checksums: true,
            vxlan: true,
            vxlan_port: vxlan::DEFAULT_PORT,
            geneve: true,
            geneve_port: geneve::DEFAULT_PORT,
            teredo: true,
            teredo_port: Some(teredo::DEFAULT_PORT),
            max_layers: 16,
        }
    }
}

/// The link layer a frame started with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Link<'a> {
    /// Ethernet II.
    Ethernet(ethernet::Frame<&'a [u8]>),
    /// Linux cooked capture v1.
    Sll(sll::Sll<&'a [u8]>),
    /// Linux cooked capture v2.
    Sll2(sll::Sll2<&'a [u8]>),
    /// BSD loopback (`NULL` or `LOOP`).
    Null(null::Header<&'a [u8]>),
    /// PPP.
    Ppp(ppp::Header<&'a [u8]>),
    /// Raw IP: no link header.
    Raw,
}

/// An IPv4 or IPv6 header view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ip<'a> {
    /// IPv4.
    V4(ipv4::Packet<&'a [u8]>),
    /// IPv6.
    V6(ipv6::Packet<&'a [u8]>),
}

/// Fragment information common to IPv4 and IPv6.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fragment {
    /// Offset of this fragment's data in bytes.
    pub offset: u32,
    /// More fragments follow.
    pub more: bool,
    /// Identification (16 bits for IPv4, 32 for IPv6).
    pub ident: u32,
}

impl Fragment {
    /// Whether this is the first fragment (offset 0), which starts with the
    /// upper-layer header.
    pub fn is_first(&self) -> bool {
        self.offset == 0
    }
}

/// One decoded IP layer with what the decoder learned beyond the header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpLayer<'a> {
    /// The header view.
    pub header: Ip<'a>,
    /// The packet's protocol as Suricata records it (`p->proto`): the IPv4
    /// protocol field, or for IPv6 the last header type the extension walk
    /// reached (44 for fragments, 0 when a leading hop-by-hop header is
    /// truncated, 0 for ICMPv4 inside IPv6).
    pub proto: u8,
    /// Set when the packet is a fragment needing reassembly (IPv4: offset or
    /// MF set; IPv6: a fragment header other than offset 0 without MF).
    pub fragment: Option<Fragment>,
    /// The bytes after the IP header chain, bounded by the length fields:
    /// for IPv4 the payload after options; for IPv6 what follows the
    /// extension headers (the upper-layer header, or a fragment's data).
    pub upper: &'a [u8],
    /// IPv4 options that were present and valid.
    pub ipv4_options: ipv4::OptionSet,
    /// IPv6 extension-header summary (`None` for IPv4, or IPv6 without
    /// extension headers).
    pub ipv6_ext: Option<ipv6::ExtHeaders>,
}

impl<'a> IpLayer<'a> {
    /// Source address.
    pub fn src_addr(&self) -> IpAddr {
        match self.header {
            Ip::V4(p) => IpAddr::V4(p.src_addr()),
            Ip::V6(p) => IpAddr::V6(p.src_addr()),
        }
    }

    /// Destination address.
    pub fn dst_addr(&self) -> IpAddr {
        match self.header {
            Ip::V4(p) => IpAddr::V4(p.dst_addr()),
            Ip::V6(p) => IpAddr::V6(p.dst_addr()),
        }
    }

    /// TTL (IPv4) or hop limit (IPv6).
    pub fn ttl(&self) -> u8 {
        match self.header {
            Ip::V4(p) => p.ttl(),
            Ip::V6(p) => p.hop_limit(),
        }
    }

    /// Whether this is IPv4.
    pub fn is_v4(&self) -> bool {
        matches!(self.header, Ip::V4(_))
    }
}

/// The transport (or other upper-layer) header that decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Transport<'a> {
    /// TCP with its parsed options.
    Tcp(tcp::Packet<&'a [u8]>, tcp::TcpOptions),
    /// UDP.
    Udp(udp::Packet<&'a [u8]>),
    /// ICMPv4 with Suricata's type/code findings.
    Icmpv4(icmpv4::Packet<&'a [u8]>, icmpv4::Info),
    /// ICMPv6 with Suricata's type/code findings.
    Icmpv6(icmpv6::Packet<&'a [u8]>, icmpv6::Info),
    /// SCTP.
    Sctp(sctp::Packet<&'a [u8]>),
    /// ESP (only SPI and sequence are clear text).
    Esp(esp::Packet<&'a [u8]>),
}

/// How the inner packet of a tunnel was carried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Tunnel<'a> {
    /// GRE (the header view).
    Gre(gre::Header<&'a [u8]>),
    /// VXLAN over UDP (both headers).
    Vxlan(udp::Packet<&'a [u8]>, vxlan::Header<&'a [u8]>),
    /// Geneve over UDP (both headers).
    Geneve(udp::Packet<&'a [u8]>, geneve::Header<&'a [u8]>),
    /// Teredo: IPv6 in UDP.
    Teredo(udp::Packet<&'a [u8]>),
    /// IPv4 in IPv4 (protocol 4).
    Ipv4InIpv4,
    /// IPv6 in IPv4 (protocol 41).
    Ipv6InIpv4,
    /// IPv4 in IPv6.
    Ipv4InIpv6,
    /// IPv6 in IPv6.
    Ipv6InIpv6,
}

/// The outer-most IP layer of a tunnelled frame and how it carried the
/// next level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outer<'a> {
    /// The outer IP layer.
    pub ip: IpLayer<'a>,
    /// The encapsulation right above it.
    pub tunnel: Tunnel<'a>,
}

/// Facts about a decoded frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct DecodeFlags {
    /// The root packet was marked invalid (Suricata's `PKT_IS_INVALID`, what
    /// `decoder.invalid` counts).
    pub invalid: bool,
    /// A tunnel child that decoded was marked invalid.
    pub inner_invalid: bool,
    /// The (inner-most) IP packet is a fragment.
    pub fragment: bool,
    /// The frame carried a tunnel whose inner packet decoded.
    pub tunnel: bool,
    /// The IP protocol says TCP/UDP/SCTP/ICMP but that header failed its
    /// checks (so there are no ports).
    pub l4_malformed: bool,
    /// The link type is not one [`decode`] understands; nothing decoded.
    pub unsupported_linktype: bool,
}

/// The Suricata checksum keywords [`Decoded::checksum`] answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChecksumKind {
    /// `ipv4-csum`.
    Ipv4,
    /// `tcpv4-csum`.
    Tcpv4,
    /// `tcpv6-csum`.
    Tcpv6,
    /// `udpv4-csum`.
    Udpv4,
    /// `udpv6-csum`.
    Udpv6,
    /// `icmpv4-csum`.
    Icmpv4,
    /// `icmpv6-csum`.
    Icmpv6,
}

/// A decoded frame: one view per layer, borrowed from the frame bytes.
///
/// Built only by [`decode`]. For tunnels the `ip`/`transport`/`payload`
/// accessors describe the inner-most packet that decoded (what Suricata's
/// tunnel child packet holds), and [`Decoded::outer`] keeps the outer-most
/// IP layer.
#[derive(Clone, Copy, Debug)]
pub struct Decoded<'a> {
    frame: &'a [u8],
    linktype: LinkType,
    link: Option<Link<'a>>,
    vlans: VlanStack,
    mpls: Option<mpls::Stack<'a>>,
    pppoe: Option<pppoe::Session<&'a [u8]>>,
    arp: Option<arp::Packet<&'a [u8]>>,
    ip: Option<IpLayer<'a>>,
    transport: Option<Transport<'a>>,
    payload: &'a [u8],
    outer: Option<Outer<'a>>,
    tunnel_depth: u8,
    events: EventList,
    flags: DecodeFlags,
    counts: ProtoCounts,
    inspect_invalid: bool,
    validate_checksums: bool,
}

/// Decodes one frame captured with link type `linktype`.
///
/// Never fails and never panics: problems become [`DecodeEvent`]s (see
/// [`Decoded::events`]) and [`DecodeFlags`]. An unsupported link type sets
/// [`DecodeFlags::unsupported_linktype`] and decodes nothing.
///
/// ```
/// use rulewire::decode::{decode, craft, DecodeConfig, LinkType};
///
/// let frame = craft::PacketBuilder::ipv4([10, 0, 0, 1], [10, 0, 0, 2])
///     .tcp(0, 445, craft::TcpSpec::syn())
///     .ethernet();
/// let d = decode(LinkType::ETHERNET, &frame, &DecodeConfig::default());
/// assert_eq!(d.ports(), Some((0, 445)));
/// assert!(d.events().is_empty());
/// ```
pub fn decode<'a>(linktype: LinkType, data: &'a [u8], cfg: &DecodeConfig) -> Decoded<'a> {
    decoder::run(linktype, data, cfg)
}

/// Decodes `data` with every supported link type and touches every
/// accessor: the body of the `decode_packet` fuzz target. Returns the number
/// of events seen, so the work cannot be optimised away.
pub fn fuzz_decode_all(data: &[u8]) -> usize {
    let mut seen = 0usize;
    for inspect_invalid in [false, true] {
        let cfg = DecodeConfig {
            inspect_invalid,
            ..DecodeConfig::default()
        };
        for lt in LinkType::SUPPORTED {
            let d = decode(lt, data, &cfg);
            seen += d.events().len();
            seen += usize::from(d.ports().is_some());
            seen += d.payload().len() + d.inspection_payload().len();
            seen += d.ip_payload().map_or(0, <[u8]>::len);
            for kind in [
                ChecksumKind::Ipv4,
                ChecksumKind::Tcpv4,
                ChecksumKind::Tcpv6,
                ChecksumKind::Udpv4,
                ChecksumKind::Udpv6,
                ChecksumKind::Icmpv4,
                ChecksumKind::Icmpv6,
            ] {
                seen += usize::from(d.checksum(kind) == Some(true));
            }
            seen += d.vlans().len() + usize::from(d.tunnel_depth());
        }
    }
    seen
}

impl<'a> Decoded<'a> {
    /// The whole frame as captured.
    pub fn frame(&self) -> &'a [u8] {
        self.frame
    }

    /// The link type it was decoded with.
    pub fn linktype(&self) -> LinkType {
        self.linktype
    }

    /// The outer-most link layer.
    pub fn link(&self) -> Option<Link<'a>> {
        self.link
    }

    /// The Ethernet header, when the frame starts with one.
    pub fn ethernet(&self) -> Option<ethernet::Frame<&'a [u8]>> {
        match self.link {
            Some(Link::Ethernet(f)) => Some(f),
            _ => None,
        }
    }

    /// The VLAN tags of the (inner-most) packet, outermost first.
    pub fn vlans(&self) -> &VlanStack {
        &self.vlans
    }

    /// The MPLS label stack, if any.
    pub fn mpls(&self) -> Option<mpls::Stack<'a>> {
        self.mpls
    }

    /// The PPPoE session header, if any.
    pub fn pppoe(&self) -> Option<pppoe::Session<&'a [u8]>> {
        self.pppoe
    }

    /// The ARP packet, if the frame is a valid ARP packet.
    pub fn arp(&self) -> Option<arp::Packet<&'a [u8]>> {
        self.arp
    }

    /// The (inner-most) IP layer that decoded.
    pub fn ip(&self) -> Option<&IpLayer<'a>> {
        self.ip.as_ref()
    }

    /// The IPv4 header of the (inner-most) IP layer.
    pub fn ipv4(&self) -> Option<ipv4::Packet<&'a [u8]>> {
        match self.ip.map(|l| l.header) {
            Some(Ip::V4(p)) => Some(p),
            _ => None,
        }
    }

    /// The IPv6 header of the (inner-most) IP layer.
    pub fn ipv6(&self) -> Option<ipv6::Packet<&'a [u8]>> {
        match self.ip.map(|l| l.header) {
            Some(Ip::V6(p)) => Some(p),
            _ => None,
        }
    }

    /// Suricata's `p->proto` for the (inner-most) IP layer; `None` without
    /// an IP layer (Suricata's proto 0 on a failed IP decode: such packets
    /// only reach decoder-event rules).
    pub fn ip_proto(&self) -> Option<u8> {
        self.ip.map(|l| l.proto)
    }

    /// The transport header that decoded.
    pub fn transport(&self) -> Option<&Transport<'a>> {
        self.transport.as_ref()
    }

    /// The TCP header, when it decoded.
    pub fn tcp(&self) -> Option<tcp::Packet<&'a [u8]>> {
        match self.transport {
            Some(Transport::Tcp(p, _)) => Some(p),
            _ => None,
        }
    }

    /// The TCP options, when TCP decoded.
    pub fn tcp_options(&self) -> Option<tcp::TcpOptions> {
        match self.transport {
            Some(Transport::Tcp(_, o)) => Some(o),
            _ => None,
        }
    }

    /// The UDP header, when it decoded.
    pub fn udp(&self) -> Option<udp::Packet<&'a [u8]>> {
        match self.transport {
            Some(Transport::Udp(p)) => Some(p),
            _ => None,
        }
    }

    /// The ICMPv4 message, when it decoded.
    pub fn icmpv4(&self) -> Option<icmpv4::Packet<&'a [u8]>> {
        match self.transport {
            Some(Transport::Icmpv4(p, _)) => Some(p),
            _ => None,
        }
    }

    /// The ICMPv6 message, when it decoded.
    pub fn icmpv6(&self) -> Option<icmpv6::Packet<&'a [u8]>> {
        match self.transport {
            Some(Transport::Icmpv6(p, _)) => Some(p),
            _ => None,
        }
    }

    /// The SCTP header, when it decoded.
    pub fn sctp(&self) -> Option<sctp::Packet<&'a [u8]>> {
        match self.transport {
            Some(Transport::Sctp(p)) => Some(p),
            _ => None,
        }
    }

    /// Source and destination ports, honouring
    /// [`DecodeConfig::inspect_invalid`] (see "Honest ports" in the module
    /// docs). `None` means "no ports", never port 0.
    pub fn ports(&self) -> Option<(u16, u16)> {
        match self.transport {
            Some(Transport::Tcp(p, _)) => Some((p.src_port(), p.dst_port())),
            Some(Transport::Udp(p)) => Some((p.src_port(), p.dst_port())),
            Some(Transport::Sctp(p)) => Some((p.src_port(), p.dst_port())),
            _ if self.inspect_invalid => self.raw_ports(),
            _ => None,
        }
    }

    /// The first four bytes of a TCP/UDP/SCTP header that did not decode
    /// (or of a first fragment), read as ports. Never for a non-first
    /// fragment: it carries no L4 header.
    fn raw_ports(&self) -> Option<(u16, u16)> {
        let ip = self.ip?;
        if !matches!(ip.proto, 6 | 17 | 132) {
            return None;
        }
        if let Some(f) = ip.fragment {
            if !f.is_first() {
                return None;
            }
        }
        if ip.upper.len() < 4 {
            return None;
        }
        Some((be16(ip.upper, 0), be16(ip.upper, 2)))
    }

    /// The transport payload Suricata inspects (`p->payload`): TCP data,
    /// the UDP data bounded by its length field, ICMP data, SCTP chunks.
    /// Empty when no transport layer decoded, for fragments, and for the
    /// outer packet of a tunnel.
    pub fn payload(&self) -> &'a [u8] {
        self.payload
    }

    /// The bytes after the IP header chain (see [`IpLayer::upper`]), for
    /// `ip` rules; `None` without an IP layer.
    pub fn ip_payload(&self) -> Option<&'a [u8]> {
        self.ip.map(|l| l.upper)
    }

    /// The bytes content matching should inspect: [`Decoded::payload`]
    /// when a transport layer decoded; otherwise, with
    /// [`DecodeConfig::inspect_invalid`], the whole IP payload (a malformed
    /// TCP header, a fragment, an unknown protocol); otherwise nothing.
    pub fn inspection_payload(&self) -> &'a [u8] {
        if self.transport.is_some() || !self.inspect_invalid {
            self.payload
        } else {
            self.ip_payload().unwrap_or(&[])
        }
    }

    /// The outer-most IP layer and its encapsulation, for tunnelled frames.
    pub fn outer(&self) -> Option<&Outer<'a>> {
        self.outer.as_ref()
    }

    /// How many tunnel levels decoded (0 for a plain packet).
    pub fn tunnel_depth(&self) -> u8 {
        self.tunnel_depth
    }

    /// The events raised, in order (root packet first, then tunnel levels
    /// that decoded).
    pub fn events(&self) -> &EventList {
        &self.events
    }

    /// Whether `event` was raised.
    pub fn has_event(&self, event: DecodeEvent) -> bool {
        self.events.contains(event)
    }

    /// Facts about the frame.
    pub fn flags(&self) -> DecodeFlags {
        self.flags
    }

    /// Whether the root packet is invalid (Suricata's `decoder.invalid`).
    pub fn is_invalid(&self) -> bool {
        self.flags.invalid
    }

    /// Whether the (inner-most) IP packet is a fragment.
    pub fn is_fragment(&self) -> bool {
        self.flags.fragment
    }

    /// The per-protocol decoder tallies of this frame.
    pub fn proto_counts(&self) -> &ProtoCounts {
        &self.counts
    }

    /// Answers a Suricata checksum keyword for this packet: `Some(valid)`
    /// when the keyword applies, `None` when it does not (wrong IP version
    /// or protocol, no such layer, or a UDP-over-IPv4 checksum of 0, which
    /// means "not computed" and matches neither `valid` nor `invalid`).
    /// With [`DecodeConfig::validate_checksums`] off every applicable
    /// checksum reads as valid (Suricata's `-k none`).
    pub fn checksum(&self, kind: ChecksumKind) -> Option<bool> {
        let ip = self.ip?;
        let result = match (kind, ip.header, self.transport) {
            (ChecksumKind::Ipv4, Ip::V4(p), _) => {
                (!self.validate_checksums) || checksum::ipv4_header_valid(p.header())
            }
            (ChecksumKind::Tcpv4, Ip::V4(p), Some(Transport::Tcp(t, _))) => {
                !self.validate_checksums || v4_valid(&p, 6, t.segment())
            }
            (ChecksumKind::Tcpv6, Ip::V6(p), Some(Transport::Tcp(t, _))) => {
                !self.validate_checksums || v6_valid(&p, 6, t.segment())
            }
            (ChecksumKind::Udpv4, Ip::V4(p), Some(Transport::Udp(u))) => {
                if u.checksum() == 0 {
                    return None;
                }
                !self.validate_checksums || v4_valid(&p, 17, u.datagram())
            }
            (ChecksumKind::Udpv6, Ip::V6(p), Some(Transport::Udp(u))) => {
                !self.validate_checksums || v6_valid(&p, 17, u.datagram())
            }
            (ChecksumKind::Icmpv4, Ip::V4(_), Some(Transport::Icmpv4(m, _))) => {
                !self.validate_checksums || checksum::verifies(checksum::sum(0, m.message()))
            }
            (ChecksumKind::Icmpv6, Ip::V6(p), Some(Transport::Icmpv6(m, _))) => {
                !self.validate_checksums || v6_valid(&p, 58, m.message())
            }
            _ => return None,
        };
        Some(result)
    }

    /// A short human-readable summary of the layers (for debugging output).
    pub fn summary(&self) -> String {
        let mut s = String::new();
        if let Some(ip) = self.ip {
            s.push_str(&format!(
                "{} -> {} proto {}",
                ip.src_addr(),
                ip.dst_addr(),
                ip.proto
            ));
        }
        if let Some((sp, dp)) = self.ports() {
            s.push_str(&format!(" ports {sp} -> {dp}"));
        }
        if !self.events.is_empty() {
            s.push_str(&format!(" events {:?}", self.events));
        }
        s
    }
}

fn v4_valid(ip: &ipv4::Packet<&[u8]>, proto: u8, segment: &[u8]) -> bool {
    let src = ip.src_addr().octets();
    let dst = ip.dst_addr().octets();
    checksum::v4_transport_valid(src, dst, proto, segment)
}

fn v6_valid(ip: &ipv6::Packet<&[u8]>, next: u8, segment: &[u8]) -> bool {
    checksum::v6_transport_valid(ip.src_bytes(), ip.dst_bytes(), next, segment)
}
