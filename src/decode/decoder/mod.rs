//! The decode walk: which layer follows which, which counter each decoder
//! bumps, which failures stop the walk, and how tunnels nest.
//!
//! Each method mirrors one Suricata 8.0.6 decoder function and returns what
//! that function returns (`true` for `TM_ECODE_OK`), because the return value
//! matters in two places: a VLAN tag whose payload has an unknown EtherType
//! raises `vlan.unknown_type`, and a tunnel child that fails is thrown away
//! together with its events (Suricata frees the child packet).
//!
//! Tunnels (IP-in-IP, GRE, VXLAN, Geneve, Teredo; in [`tunnel`]) are
//! decoded as a new *level*: the parent's
//! per-packet state is saved, the child decodes from scratch, and on success
//! the child's state becomes the frame's (inner-most) view while the parent's
//! IP layer is kept in [`Outer`]; on failure the parent's state comes back.
//! Invalid events in a child set [`DecodeFlags::inner_invalid`], not
//! `invalid`: Suricata's `decoder.invalid` only looks at the root packet.

use super::bytes::{be16, slice, tail, u8_at};
mod tunnel;

use super::event::{DecodeEvent, EventList, EventSink};
use super::{
    arp, esp, ethernet, icmpv4, icmpv6, ipv4, ipv6, mpls, nsh, null, ppp, pppoe, sctp, sll, tcp,
    teredo, udp, vlan,
};
use super::{
    DecodeConfig, DecodeFlags, Decoded, Fragment, Ip, IpLayer, Link, LinkType, ProtoCounter,
    ProtoCounts, Transport, Tunnel, VlanStack, VlanTag,
};

/// Runs the walk for one frame.
pub(crate) fn run<'a>(linktype: LinkType, data: &'a [u8], cfg: &DecodeConfig) -> Decoded<'a> {
    let mut d = Decoder {
        out: Decoded {
            frame: data,
            linktype,
            link: None,
            vlans: VlanStack::new(),
            mpls: None,
            pppoe: None,
            arp: None,
            ip: None,
            transport: None,
            payload: &[],
            outer: None,
            tunnel_depth: 0,
            events: EventList::new(),
            flags: DecodeFlags::default(),
            counts: ProtoCounts::new(),
            inspect_invalid: cfg.inspect_invalid,
            validate_checksums: cfg.validate_checksums,
        },
        cfg,
        layers: 0,
        depth: 0,
    };
    d.link(linktype, data);
    d.out
}

struct Decoder<'a, 'c> {
    out: Decoded<'a>,
    cfg: &'c DecodeConfig,
    /// Suricata's `nb_decoded_layers` for the current packet level.
    layers: u8,
    /// Tunnel nesting: 0 for the root packet.
    depth: u8,
}

impl EventSink for Decoder<'_, '_> {
    fn event(&mut self, event: DecodeEvent) {
        self.out.events.push(event);
    }

    fn invalid(&mut self, event: DecodeEvent) {
        if self.depth == 0 {
            self.out.flags.invalid = true;
        } else {
            self.out.flags.inner_invalid = true;
        }
        self.out.events.push(event);
    }
}

/// What a tunnel carries, i.e. which decoder its child starts with.
#[derive(Clone, Copy)]
enum Inner {
    Ipv4,
    Ipv6,
    /// IPv6 from Teredo: the child is also dropped when it is invalid.
    Ipv6Teredo,
    Ppp,
    Vlan(u16),
    Ethernet,
    Arp,
    ErspanI,
    ErspanII,
}

/// The per-packet part of [`Decoded`] that a tunnel child replaces.
#[derive(Clone, Copy)]
struct Level<'a> {
    vlans: VlanStack,
    arp: Option<arp::Packet<&'a [u8]>>,
    ip: Option<IpLayer<'a>>,
    transport: Option<Transport<'a>>,
    payload: &'a [u8],
    fragment: bool,
    l4_malformed: bool,
}

/// Suricata hands IP decoders at most 65535 bytes.
fn clamp_ip(data: &[u8]) -> &[u8] {
    slice(data, 0..usize::from(u16::MAX))
}

impl<'a> Decoder<'a, '_> {
    fn count(&mut self, counter: ProtoCounter) {
        self.out.counts.bump(counter);
    }

    /// Suricata's `PacketIncreaseCheckLayers`.
    fn more_layers(&mut self) -> bool {
        self.layers = self.layers.saturating_add(1);
        if self.layers >= self.cfg.max_layers {
            self.invalid(DecodeEvent::TooManyLayers);
            false
        } else {
            true
        }
    }

    fn set_link(&mut self, link: Link<'a>) {
        if self.depth == 0 && self.out.link.is_none() {
            self.out.link = Some(link);
        }
    }

    // ---- link layers -------------------------------------------------

    fn link(&mut self, linktype: LinkType, data: &'a [u8]) {
        match linktype {
            LinkType::ETHERNET => {
                self.ethernet(data);
            }
            LinkType::LINUX_SLL => self.sll(data),
            LinkType::LINUX_SLL2 => self.sll2(data),
            LinkType::PPP => {
                self.ppp(data, true);
            }
            LinkType::DLT_RAW
            | LinkType::DLT_RAW_OPENBSD
            | LinkType::RAW
            | LinkType::IPV4
            | LinkType::IPV6 => self.raw(data),
            LinkType::NULL => self.null(data, false),
            LinkType::LOOP => self.null(data, true),
            _ => self.out.flags.unsupported_linktype = true,
        }
    }

    fn ethernet(&mut self, data: &'a [u8]) -> bool {
        self.count(ProtoCounter::Ethernet);
        let frame = match ethernet::Frame::new_checked(data) {
            Ok(f) => f,
            Err(e) => {
                self.invalid(e);
                return false;
            }
        };
        if !self.more_layers() {
            return false;
        }
        self.set_link(Link::Ethernet(frame));
        let payload = tail(data, ethernet::HEADER_LEN);
        self.network(frame.ethertype(), payload);
        true
    }

    fn sll(&mut self, data: &'a [u8]) {
        self.count(ProtoCounter::Sll);
        match sll::Sll::new_checked(data) {
            Err(e) => self.invalid(e),
            Ok(h) => {
                if self.more_layers() {
                    self.set_link(Link::Sll(h));
                    self.network(h.protocol(), tail(data, sll::SLL_HEADER_LEN));
                }
            }
        }
    }

    fn sll2(&mut self, data: &'a [u8]) {
        self.count(ProtoCounter::Sll2);
        match sll::Sll2::new_checked(data) {
            Err(e) => self.invalid(e),
            Ok(h) => {
                if self.more_layers() {
                    self.set_link(Link::Sll2(h));
                    self.network(h.protocol(), tail(data, sll::SLL2_HEADER_LEN));
                }
            }
        }
    }

    fn raw(&mut self, data: &'a [u8]) {
        self.count(ProtoCounter::Raw);
        self.set_link(Link::Raw);
        // Suricata requires the size of an IPv4 header whatever the version.
        if data.len() < ipv4::HEADER_LEN {
            self.invalid(DecodeEvent::Ipv4PktTooSmall);
            return;
        }
        match u8_at(data, 0) >> 4 {
            4 => {
                self.ipv4(clamp_ip(data));
            }
            6 => {
                self.ipv6(clamp_ip(data));
            }
            _ => self.event(DecodeEvent::IprawInvalidIpVersion),
        }
    }

    fn null(&mut self, data: &'a [u8], network_order: bool) {
        self.count(ProtoCounter::Null);
        let h = match null::Header::new_checked(data) {
            Ok(h) => h,
            Err(e) => {
                self.invalid(e);
                return;
            }
        };
        self.set_link(Link::Null(h));
        let payload = tail(data, null::HEADER_LEN);
        if payload.len() > usize::from(u16::MAX) {
            return;
        }
        let family = if network_order {
            h.family_network_order()
        } else {
            h.family_host_order()
        };
        match family {
            null::Family::Ipv4 => {
                self.ipv4(payload);
            }
            null::Family::Ipv6 => {
                self.ipv6(payload);
            }
            null::Family::Other(_) => self.event(DecodeEvent::LtnullUnsupportedType),
        }
    }

    fn ppp(&mut self, data: &'a [u8], as_link: bool) -> bool {
        self.count(ProtoCounter::Ppp);
        let h = match ppp::Header::new_checked(data) {
            Ok(h) => h,
            Err(e) => {
                self.invalid(e);
                return false;
            }
        };
        if !self.more_layers() {
            return false;
        }
        if as_link {
            self.set_link(Link::Ppp(h));
        }
        let payload = tail(data, h.header_len());
        if h.is_compressed() {
            // Suricata's `DecodePPPCompressedProto` (note: a short IPv4
            // payload raises the VJ event there, not `ip4_pkt_too_small`).
            return match h.protocol() {
                0x21 => self.ppp_ip(payload, DecodeEvent::PppVjuPktTooSmall),
                0x57 => self.ppp_ip6(payload),
                0x2f => self.ppp_vj(payload),
                _ => {
                    self.event(DecodeEvent::PppUnsupProto);
                    true
                }
            };
        }
        self.ppp_payload(h.protocol(), payload)
    }

    /// `DecodePPPUncompressedProto`, shared with PPPoE's classification.
    fn ppp_payload(&mut self, protocol: u16, payload: &'a [u8]) -> bool {
        match ppp::classify(protocol) {
            ppp::Class::VjUncompressed => self.ppp_vj(payload),
            ppp::Class::Ipv4 => self.ppp_ip(payload, DecodeEvent::PppIp4PktTooSmall),
            ppp::Class::Ipv6 => self.ppp_ip6(payload),
            ppp::Class::Control => true,
            ppp::Class::Unsupported => {
                self.event(DecodeEvent::PppUnsupProto);
                true
            }
            ppp::Class::Wrong => {
                self.invalid(DecodeEvent::PppWrongType);
                true
            }
        }
    }

    fn ppp_ip(&mut self, payload: &'a [u8], too_small: DecodeEvent) -> bool {
        if payload.len() < ipv4::HEADER_LEN {
            self.invalid(too_small);
            return false;
        }
        self.ipv4(clamp_ip(payload))
    }

    fn ppp_ip6(&mut self, payload: &'a [u8]) -> bool {
        if payload.len() < ipv6::HEADER_LEN {
            self.invalid(DecodeEvent::PppIp6PktTooSmall);
            return false;
        }
        self.ipv6(clamp_ip(payload))
    }

    fn ppp_vj(&mut self, payload: &'a [u8]) -> bool {
        if payload.len() < ipv4::HEADER_LEN {
            self.invalid(DecodeEvent::PppVjuPktTooSmall);
            return false;
        }
        if u8_at(payload, 0) >> 4 == 4 {
            self.ipv4(clamp_ip(payload))
        } else {
            false
        }
    }

    // ---- between link and IP -----------------------------------------

    /// Suricata's `DecodeNetworkLayer`: false only for an unknown EtherType.
    fn network(&mut self, ethertype: u16, data: &'a [u8]) -> bool {
        use ethernet::ethertype as et;
        match ethertype {
            et::IPV4 => {
                self.ipv4(clamp_ip(data));
            }
            et::IPV6 => {
                self.ipv6(clamp_ip(data));
            }
            et::PPPOE_SESSION => self.pppoe_session(data),
            et::PPPOE_DISCOVERY => {
                self.count(ProtoCounter::Pppoe);
                if let Some(e) = pppoe::check_discovery(data) {
                    self.invalid(e);
                }
            }
            et::VLAN | et::QINQ_8021AD | et::QINQ_9100 => {
                if self.out.vlans.len() >= vlan::MAX_TAGS {
                    self.event(DecodeEvent::VlanTooManyLayers);
                } else {
                    self.vlan(ethertype, data);
                }
            }
            et::IEEE8021AH => self.ieee8021ah(data),
            et::ARP => {
                self.arp(data);
            }
            et::MPLS_UNICAST | et::MPLS_MULTICAST => {
                self.mpls(data);
            }
            et::DCE => {
                if data.len() < ethernet::HEADER_LEN + 2 {
                    self.invalid(DecodeEvent::DcePktTooSmall);
                } else {
                    self.ethernet(tail(data, 2));
                }
            }
            et::NSH => {
                self.nsh(data);
            }
            // Known to Suricata but not decoded here (see the module docs).
            et::VNTAG => {}
            _ => {
                self.count(ProtoCounter::UnknownEthertype);
                self.event(DecodeEvent::EthernetUnknownEthertype);
                return false;
            }
        }
        true
    }

    fn vlan(&mut self, tpid: u16, data: &'a [u8]) -> bool {
        match self.out.vlans.len() {
            0 => self.count(ProtoCounter::Vlan),
            1 => self.count(ProtoCounter::VlanQinq),
            _ => self.count(ProtoCounter::VlanQinqinq),
        }
        let tag = match vlan::Tag::new_checked(data) {
            Ok(t) => t,
            Err(e) => {
                self.invalid(e);
                return false;
            }
        };
        if !self.more_layers() {
            return false;
        }
        if !self.out.vlans.push(VlanTag {
            tpid,
            id: tag.vlan_id(),
            priority: tag.priority(),
        }) {
            self.event(DecodeEvent::VlanTooManyLayers);
            return false;
        }
        if !self.network(tag.ethertype(), tail(data, vlan::HEADER_LEN)) {
            self.invalid(DecodeEvent::VlanUnknownType);
            return false;
        }
        true
    }

    fn ieee8021ah(&mut self, data: &'a [u8]) {
        // I-TAG (4) + customer destination and source (12) + EtherType (2).
        const HEADER_LEN: usize = 18;
        self.count(ProtoCounter::Ieee8021ah);
        if data.len() < HEADER_LEN {
            self.invalid(DecodeEvent::Ieee8021ahHeaderTooSmall);
            return;
        }
        if self.more_layers() {
            self.network(be16(data, 16), tail(data, HEADER_LEN));
        }
    }

    fn nsh(&mut self, data: &'a [u8]) -> bool {
        self.count(ProtoCounter::Nsh);
        if data.len() < nsh::HEADER_LEN {
            self.invalid(DecodeEvent::NshHeaderTooSmall);
            return false;
        }
        if !self.more_layers() {
            return false;
        }
        match nsh::Header::new_unchecked(data).check() {
            nsh::Check::Event(e) => {
                self.event(e);
                true
            }
            nsh::Check::Invalid(e) => {
                self.invalid(e);
                false
            }
            nsh::Check::Payload { next, offset } => {
                let rest = tail(data, offset);
                match next {
                    nsh::Next::Ipv4 => self.ipv4(clamp_ip(rest)),
                    nsh::Next::Ipv6 => self.ipv6(clamp_ip(rest)),
                    nsh::Next::Ethernet => self.ethernet(rest),
                    nsh::Next::Mpls => self.mpls(rest),
                }
            }
        }
    }

    fn pppoe_session(&mut self, data: &'a [u8]) {
        self.count(ProtoCounter::Pppoe);
        let s = match pppoe::Session::new_checked(data) {
            Ok(s) => s,
            Err(e) => {
                self.invalid(e);
                return;
            }
        };
        if self.out.pppoe.is_none() {
            self.out.pppoe = Some(s);
        }
        if s.length() > 0 {
            self.ppp_payload(s.protocol(), tail(data, s.header_len()));
        }
    }

    fn arp(&mut self, data: &'a [u8]) -> bool {
        self.count(ProtoCounter::Arp);
        if data.len() < arp::MIN_LEN {
            self.invalid(DecodeEvent::ArpPktTooSmall);
            return false;
        }
        if !self.more_layers() {
            return false;
        }
        match arp::Packet::new_checked(data) {
            Ok(p) => {
                self.out.arp = Some(p);
                true
            }
            Err(e) => {
                self.invalid(e);
                false
            }
        }
    }

    fn mpls(&mut self, data: &'a [u8]) -> bool {
        self.count(ProtoCounter::Mpls);
        if !self.more_layers() {
            return false;
        }
        let (stack, rest) = match mpls::Stack::split(data) {
            Ok(split) => split,
            Err(e) => {
                self.invalid(e);
                return false;
            }
        };
        if self.out.mpls.is_none() {
            self.out.mpls = Some(stack);
        }
        match mpls::payload_kind(stack.bottom(), rest) {
            mpls::Payload::Ipv4 => self.ipv4(clamp_ip(rest)),
            mpls::Payload::Ipv6 => self.ipv6(clamp_ip(rest)),
            mpls::Payload::EthernetPw => {
                self.ethernet(tail(rest, mpls::PW_CONTROL_WORD_LEN));
                true
            }
            mpls::Payload::BadLabel(e) => {
                self.event(e);
                true
            }
            mpls::Payload::TooSmall => {
                self.invalid(DecodeEvent::MplsPktTooSmall);
                false
            }
            mpls::Payload::Unknown => {
                self.invalid(DecodeEvent::MplsUnknownPayloadType);
                true
            }
        }
    }

    // ---- IP ----------------------------------------------------------

    fn ipv4(&mut self, data: &'a [u8]) -> bool {
        self.count(ProtoCounter::Ipv4);
        if !self.more_layers() {
            return false;
        }
        let p = match ipv4::Packet::new_checked(data) {
            Ok(p) => p,
            Err(e) => {
                self.invalid(e);
                return false;
            }
        };
        let mut options = ipv4::OptionSet::default();
        if p.header_len() > ipv4::HEADER_LEN {
            match ipv4::validate_options(p.options(), self) {
                Ok(set) => options = set,
                Err(_) => return false,
            }
        }
        let upper = p.payload_ref();
        let fragment = p.is_fragment().then(|| Fragment {
            offset: u32::from(p.frag_offset()) * 8,
            more: p.more_frags(),
            ident: u32::from(p.ident()),
        });
        self.out.ip = Some(IpLayer {
            header: Ip::V4(p),
            proto: p.protocol(),
            fragment,
            upper,
            ipv4_options: options,
            ipv6_ext: None,
        });
        if fragment.is_some() {
            // Reassembly decodes the rest; a fragment has no L4 header here.
            self.out.flags.fragment = true;
            return true;
        }
        match p.protocol() {
            6 => self.tcp(upper),
            17 => self.udp(upper),
            1 => self.icmpv4(upper),
            47 => {
                self.gre(upper);
            }
            132 => self.sctp(upper),
            50 => self.esp(upper),
            41 => {
                self.tunnel(Tunnel::Ipv6InIpv4, upper, Inner::Ipv6);
            }
            4 => {
                self.tunnel(Tunnel::Ipv4InIpv4, upper, Inner::Ipv4);
            }
            58 => self.invalid(DecodeEvent::Ipv4Icmpv6),
            // Suricata 8.0.6 raises nothing for other protocols (later
            // versions add `ipv4.unknown_protocol` and decode IGMP).
            _ => {}
        }
        true
    }

    fn ipv6(&mut self, data: &'a [u8]) -> bool {
        self.count(ProtoCounter::Ipv6);
        if !self.more_layers() {
            return false;
        }
        let p = match ipv6::Packet::new_checked(data) {
            Ok(p) => p,
            Err(DecodeEvent::Ipv6PktTooSmall) => {
                // Suricata 8.0.6 fails here without marking the packet
                // invalid; we still name the reason, as a plain event.
                self.event(DecodeEvent::Ipv6PktTooSmall);
                return false;
            }
            Err(e) => {
                self.invalid(e);
                return false;
            }
        };
        let payload = p.payload_ref();
        let first = p.next_header();
        let mut layer = IpLayer {
            header: Ip::V6(p),
            proto: first,
            fragment: None,
            upper: payload,
            ipv4_options: ipv4::OptionSet::default(),
            ipv6_ext: None,
        };
        use ipv6::nh;
        match first {
            nh::TCP | nh::UDP | nh::ICMPV6 | nh::SCTP | nh::IPIP | nh::IPV6 | nh::GRE => {
                self.out.ip = Some(layer);
                self.ipv6_upper(first, payload, p.hop_limit());
            }
            nh::HOPOPTS
            | nh::ROUTING
            | nh::FRAGMENT
            | nh::NONE
            | nh::DSTOPTS
            | nh::AH
            | nh::ESP
            | nh::MH
            | nh::HIP
            | nh::SHIM6 => {
                let ext = ipv6::walk_ext_headers(first, payload, self);
                layer.proto = ext.l4_proto;
                layer.ipv6_ext = Some(ext);
                match ext.end {
                    ipv6::WalkEnd::Upper { proto, offset } => {
                        let upper = tail(payload, offset);
                        layer.upper = upper;
                        self.out.ip = Some(layer);
                        self.ipv6_upper(proto, upper, p.hop_limit());
                    }
                    ipv6::WalkEnd::Fragment => {
                        if let Some(fh) = ext.fragment {
                            layer.upper = tail(payload, fh.header_offset + 8);
                            layer.fragment = Some(Fragment {
                                offset: u32::from(fh.offset),
                                more: fh.more,
                                ident: fh.ident,
                            });
                        }
                        self.out.flags.fragment = true;
                        self.out.ip = Some(layer);
                    }
                    ipv6::WalkEnd::Stop => self.out.ip = Some(layer),
                }
            }
            nh::ICMP => {
                self.event(DecodeEvent::Ipv6Icmpv4);
                layer.proto = 0;
                self.out.ip = Some(layer);
            }
            other => {
                self.event(DecodeEvent::Ipv6UnknownNextHeader);
                layer.proto = other;
                self.out.ip = Some(layer);
            }
        }
        true
    }

    fn ipv6_upper(&mut self, proto: u8, data: &'a [u8], hop_limit: u8) {
        match proto {
            6 => self.tcp(data),
            17 => self.udp(data),
            58 => self.icmpv6(data, hop_limit),
            132 => self.sctp(data),
            50 => self.esp(data),
            47 => {
                self.gre(data);
            }
            4 => {
                if data.len() < ipv4::HEADER_LEN {
                    self.invalid(DecodeEvent::Ipv6Ipv4InIpv6TooSmall);
                } else if u8_at(data, 0) >> 4 == 4 {
                    self.tunnel(Tunnel::Ipv4InIpv6, data, Inner::Ipv4);
                } else {
                    self.invalid(DecodeEvent::Ipv6Ipv4InIpv6WrongVersion);
                }
            }
            41 => {
                if data.len() < ipv6::HEADER_LEN {
                    self.invalid(DecodeEvent::Ipv6Ipv6InIpv6TooSmall);
                } else if u8_at(data, 0) >> 4 == 6 {
                    self.tunnel(Tunnel::Ipv6InIpv6, data, Inner::Ipv6);
                } else {
                    self.invalid(DecodeEvent::Ipv6Ipv6InIpv6WrongVersion);
                }
            }
            _ => {}
        }
    }

    // ---- transport ---------------------------------------------------

    fn l4_failed(&mut self, event: DecodeEvent) {
        self.invalid(event);
        self.out.flags.l4_malformed = true;
    }

    fn tcp(&mut self, data: &'a [u8]) {
        self.count(ProtoCounter::Tcp);
        let t = match tcp::Packet::new_checked(data) {
            Ok(t) => t,
            Err(e) => return self.l4_failed(e),
        };
        let options = if t.header_len() > tcp::HEADER_LEN {
            tcp::parse_options(t.options(), self)
        } else {
            tcp::TcpOptions::default()
        };
        let f = t.flags();
        if f & (tcp::flags::SYN | tcp::flags::ACK) == tcp::flags::SYN | tcp::flags::ACK {
            self.count(ProtoCounter::TcpSynack);
        } else if f & tcp::flags::SYN != 0 {
            self.count(ProtoCounter::TcpSyn);
        }
        if f & tcp::flags::RST != 0 {
            self.count(ProtoCounter::TcpRst);
        }
        if f & tcp::flags::URG != 0 {
            self.count(ProtoCounter::TcpUrg);
        }
        self.out.transport = Some(Transport::Tcp(t, options));
        self.out.payload = t.payload_ref();
    }

    fn udp(&mut self, data: &'a [u8]) {
        self.count(ProtoCounter::Udp);
        let u = match udp::Packet::new_checked(data) {
            Ok(u) => u,
            Err(e) => return self.l4_failed(e),
        };
        self.out.transport = Some(Transport::Udp(u));
        self.out.payload = u.payload_ref();
        // Suricata's order: Teredo, Geneve, VXLAN; the first that takes the
        // datagram ends the search.
        let (sp, dp) = (u.src_port(), u.dst_port());
        let teredo_port = match self.cfg.teredo_port {
            Some(port) => sp == port || dp == port,
            None => true,
        };
        if self.cfg.teredo && teredo_port {
            if let Some(ip6) = teredo::probe(u.payload_ref()) {
                if self.tunnel(Tunnel::Teredo(u), ip6, Inner::Ipv6Teredo) {
                    self.count(ProtoCounter::Teredo);
                    return;
                }
            }
        }
        if self.cfg.geneve
            && (sp == self.cfg.geneve_port || dp == self.cfg.geneve_port)
            && self.geneve(u)
        {
            return;
        }
        if self.cfg.vxlan && dp == self.cfg.vxlan_port {
            self.vxlan(u);
        }
    }

    fn icmpv4(&mut self, data: &'a [u8]) {
        self.count(ProtoCounter::Icmpv4);
        let m = match icmpv4::Packet::new_checked(data) {
            Ok(m) => m,
            Err(e) => return self.l4_failed(e),
        };
        let info = icmpv4::inspect(data, self);
        self.out.transport = Some(Transport::Icmpv4(m, info));
        self.out.payload = icmpv4::payload(data, &info);
    }

    fn icmpv6(&mut self, data: &'a [u8], hop_limit: u8) {
        self.count(ProtoCounter::Icmpv6);
        let m = match icmpv6::Packet::new_checked(data) {
            Ok(m) => m,
            Err(e) => return self.l4_failed(e),
        };
        let info = icmpv6::inspect(data, hop_limit, self);
        self.out.transport = Some(Transport::Icmpv6(m, info));
        self.out.payload = slice(data, info.payload_range(data.len()));
    }

    fn sctp(&mut self, data: &'a [u8]) {
        self.count(ProtoCounter::Sctp);
        match sctp::Packet::new_checked(data) {
            Ok(s) => {
                self.out.transport = Some(Transport::Sctp(s));
                self.out.payload = s.payload_ref();
            }
            Err(e) => self.l4_failed(e),
        }
    }

    fn esp(&mut self, data: &'a [u8]) {
        self.count(ProtoCounter::Esp);
        if !self.more_layers() {
            return;
        }
        match esp::Packet::new_checked(data) {
            Ok(p) => {
                self.out.transport = Some(Transport::Esp(p));
                self.out.payload = tail(data, esp::HEADER_LEN);
            }
            Err(e) => self.invalid(e),
        }
    }
}
