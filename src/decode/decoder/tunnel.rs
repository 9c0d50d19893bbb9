//! The tunnel half of the decode walk: Geneve and VXLAN probing on UDP, GRE
//! (with ERSPAN), and [`Decoder::tunnel`], Suricata's
//! `PacketTunnelPktSetup`: save the parent's per-packet state, decode the
//! child from scratch, keep it (and the parent's IP layer as [`Outer`]) or
//! throw it away with its events.

use super::{clamp_ip, Decoder, Inner, Level};
use crate::decode::bytes::{be16, tail};
use crate::decode::event::{DecodeEvent, EventSink};
use crate::decode::{
    erspan, ethernet, geneve, gre, udp, vxlan, Outer, ProtoCounter, Tunnel, VlanStack, VlanTag,
};

impl<'a> Decoder<'a, '_> {
    /// Suricata's `DecodeGeneve`: true when the datagram was Geneve.
    pub(super) fn geneve(&mut self, u: udp::Packet<&'a [u8]>) -> bool {
        let payload = u.payload_ref();
        if payload.len() < geneve::HEADER_LEN || !self.more_layers() {
            return false;
        }
        let Some(g) = geneve::Header::probe(payload) else {
            return false;
        };
        self.count(ProtoCounter::Geneve);
        use ethernet::ethertype as et;
        let kind = match g.protocol() {
            et::IPV4 => Inner::Ipv4,
            et::IPV6 => Inner::Ipv6,
            et::BRIDGE => Inner::Ethernet,
            et::ARP => return true,
            _ => {
                self.invalid(DecodeEvent::GeneveUnknownPayloadType);
                return true;
            }
        };
        self.tunnel(Tunnel::Geneve(u, g), g.payload_ref(), kind);
        true
    }

    pub(super) fn vxlan(&mut self, u: udp::Packet<&'a [u8]>) {
        let payload = u.payload_ref();
        if payload.len() < vxlan::HEADER_LEN + ethernet::HEADER_LEN || !self.more_layers() {
            return;
        }
        let Some(v) = vxlan::Header::probe(payload) else {
            return;
        };
        self.count(ProtoCounter::Vxlan);
        let inner_eth = v.payload_ref();
        let inner = tail(inner_eth, ethernet::HEADER_LEN);
        use ethernet::ethertype as et;
        let kind = match be16(inner_eth, 12) {
            et::ARP => return,
            et::IPV4 => Inner::Ipv4,
            et::IPV6 => Inner::Ipv6,
            t @ (et::VLAN | et::QINQ_8021AD | et::QINQ_9100) => Inner::Vlan(t),
            _ => {
                self.invalid(DecodeEvent::VxlanUnknownPayloadType);
                return;
            }
        };
        self.tunnel(Tunnel::Vxlan(u, v), inner, kind);
    }

    // ---- tunnels -----------------------------------------------------

    pub(super) fn gre(&mut self, data: &'a [u8]) -> bool {
        self.count(ProtoCounter::Gre);
        let h = match gre::Header::new_checked(data) {
            Ok(h) => h,
            Err(e) => {
                self.invalid(e);
                return false;
            }
        };
        if !self.more_layers() {
            return false;
        }
        let header_len = match h.check() {
            Ok(len) => len,
            Err(e) => {
                self.invalid(e);
                return true;
            }
        };
        let inner = tail(data, header_len);
        use ethernet::ethertype as et;
        let _decoded = match h.protocol() {
            et::IPV4 => self.tunnel(Tunnel::Gre(h), inner, Inner::Ipv4),
            gre::PROTO_PPP => {
                if h.version() == 1 && h.pptp_payload_len() == 0 {
                    return true;
                }
                self.tunnel(Tunnel::Gre(h), inner, Inner::Ppp)
            }
            et::IPV6 => self.tunnel(Tunnel::Gre(h), inner, Inner::Ipv6),
            et::VLAN => self.tunnel(Tunnel::Gre(h), inner, Inner::Vlan(et::VLAN)),
            et::BRIDGE => self.tunnel(Tunnel::Gre(h), inner, Inner::Ethernet),
            et::ARP => self.tunnel(Tunnel::Gre(h), inner, Inner::Arp),
            et::ERSPAN => {
                let kind = if h.has_sequence() {
                    Inner::ErspanII
                } else {
                    Inner::ErspanI
                };
                self.tunnel(Tunnel::Gre(h), inner, kind)
            }
            _ => return true,
        };
        true
    }

    fn save_level(&mut self) -> Level<'a> {
        let saved = Level {
            vlans: self.out.vlans,
            arp: self.out.arp,
            ip: self.out.ip,
            transport: self.out.transport,
            payload: self.out.payload,
            fragment: self.out.flags.fragment,
            l4_malformed: self.out.flags.l4_malformed,
        };
        self.out.vlans = VlanStack::new();
        self.out.arp = None;
        self.out.ip = None;
        self.out.transport = None;
        self.out.payload = &[];
        self.out.flags.fragment = false;
        self.out.flags.l4_malformed = false;
        saved
    }

    fn restore_level(&mut self, saved: Level<'a>) {
        self.out.vlans = saved.vlans;
        self.out.arp = saved.arp;
        self.out.ip = saved.ip;
        self.out.transport = saved.transport;
        self.out.payload = saved.payload;
        self.out.flags.fragment = saved.fragment;
        self.out.flags.l4_malformed = saved.l4_malformed;
    }

    /// Suricata's `PacketTunnelPktSetup`: decode `data` as a child packet.
    /// Returns whether the child was kept.
    pub(super) fn tunnel(&mut self, kind: Tunnel<'a>, data: &'a [u8], inner: Inner) -> bool {
        if self.layers.saturating_add(1) >= self.cfg.max_layers {
            self.invalid(DecodeEvent::TooManyLayers);
            return false;
        }
        let saved = self.save_level();
        let saved_events = self.out.events.begin_level();
        let (saved_layers, saved_inner_invalid) = (self.layers, self.out.flags.inner_invalid);
        self.out.flags.inner_invalid = false;
        self.layers += 1;
        self.depth += 1;
        let mut ok = match inner {
            Inner::Ipv4 => self.ipv4(clamp_ip(data)),
            Inner::Ipv6 | Inner::Ipv6Teredo => self.ipv6(clamp_ip(data)),
            Inner::Ppp => self.ppp(data, false),
            Inner::Vlan(tpid) => self.vlan(tpid, data),
            Inner::Ethernet => self.ethernet(data),
            Inner::Arp => self.arp(data),
            Inner::ErspanI => {
                self.count(ProtoCounter::Erspan);
                self.ethernet(data)
            }
            Inner::ErspanII => self.erspan(data),
        };
        let child_invalid = self.out.flags.inner_invalid;
        if matches!(inner, Inner::Ipv6Teredo) && child_invalid {
            ok = false;
        }
        self.depth -= 1;
        self.layers = saved_layers;
        self.out.events.end_level(saved_events, ok);
        if !ok {
            self.restore_level(saved);
            self.out.flags.inner_invalid = saved_inner_invalid;
            return false;
        }
        self.out.flags.inner_invalid = saved_inner_invalid || child_invalid;
        if self.out.outer.is_none() {
            if let Some(ip) = saved.ip {
                self.out.outer = Some(Outer { ip, tunnel: kind });
            }
        }
        self.out.tunnel_depth = self.out.tunnel_depth.saturating_add(1);
        self.out.flags.tunnel = true;
        match kind {
            Tunnel::Ipv4InIpv4 => self.count(ProtoCounter::Ipv4InIpv4),
            Tunnel::Ipv6InIpv4 => self.count(ProtoCounter::Ipv6InIpv4),
            Tunnel::Ipv4InIpv6 => self.count(ProtoCounter::Ipv4InIpv6),
            Tunnel::Ipv6InIpv6 => self.count(ProtoCounter::Ipv6InIpv6),
            Tunnel::Gre(_) | Tunnel::Vxlan(..) | Tunnel::Geneve(..) | Tunnel::Teredo(_) => {}
        }
        true
    }

    /// Suricata's `DecodeERSPAN` (type II); its events are plain ones.
    fn erspan(&mut self, data: &'a [u8]) -> bool {
        self.count(ProtoCounter::Erspan);
        let h = match erspan::Header::new_checked(data) {
            Ok(h) => h,
            Err(e) => {
                self.event(e);
                return false;
            }
        };
        if !self.more_layers() {
            return false;
        }
        if h.version() != 1 {
            self.event(DecodeEvent::ErspanUnsupportedVersion);
            return false;
        }
        if h.vlan_id() > 0 {
            let tag = VlanTag {
                tpid: ethernet::ethertype::ERSPAN,
                id: h.vlan_id(),
                priority: 0,
            };
            if !self.out.vlans.push(tag) {
                self.event(DecodeEvent::ErspanTooManyVlanLayers);
                return false;
            }
        }
        self.ethernet(tail(data, erspan::HEADER_LEN))
    }
}
