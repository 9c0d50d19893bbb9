//! The packet as rules see it ([`View`]), and the evaluation of header
//! matches and packet conditions over it.
//!
//! A [`View`] picks, from a [`PacketCtx`], the parts Suricata's packet of
//! that role has: the outer IP header and no payload for a tunnel's outer
//! packet, the inner-most layers otherwise.

use std::net::IpAddr;

use crate::applayer::AppProto;
use crate::decode::{ChecksumKind as DChecksum, DecodeEvent, IpLayer, Transport, Tunnel};
use crate::flow::RawBlocks;
use crate::rule::keywords::flow::{
    CmpOp, Flow, FlowDirection, FlowFrag, FlowState, StreamSide, StreamSize,
};
use crate::rule::keywords::packet::{frag_bit, BitsModifier, ChecksumKind, IpOpt};
use crate::rule::keywords::value::IntMatch;
use crate::rule::{Condition, Protocol};
use crate::runtime::{PacketCtx, PacketRole};

/// ICMP type, code, and (id, seq) for the messages that carry them.
type IcmpFields = (u8, u8, Option<(u16, u16)>);

/// What one packet offers to rules.
#[derive(Clone, Copy, Debug)]
pub struct View<'p, 'a> {
    /// The context.
    pub ctx: &'p PacketCtx<'a>,
    /// The IP layer of this packet.
    pub ip: Option<&'p IpLayer<'a>>,
    /// The transport layer (none for a tunnel's outer packet).
    pub transport: Option<&'p Transport<'a>>,
    /// Ports.
    pub ports: Option<(u16, u16)>,
    /// The payload content rules inspect.
    pub payload: &'a [u8],
    /// The flow's application-layer protocol once detected (set by the
    /// detector; `None` from [`View::new`]).
    pub app_proto: Option<AppProto>,
    /// Raw stream data ready for inspection with this packet, in pieces
    /// inspected one by one (set by the detector from `ctx.stream`; none
    /// from [`View::new`]).
    pub stream: RawBlocks<'a>,
    /// Suricata's `PKT_NOPAYLOAD_INSPECTION` (set by the detector): the
    /// payload is hidden from content (`payload` is empty), and `dsize`
    /// follows Suricata's signature masks (see [`dsize_matches`]).
    pub nopayload: bool,
}

impl<'p, 'a> View<'p, 'a> {
    /// The view of `ctx`.
    pub fn new(ctx: &'p PacketCtx<'a>) -> View<'p, 'a> {
        let d = ctx.decoded;
        if ctx.role == PacketRole::TunnelOuter {
            if let Some(o) = d.outer() {
                let ports = match o.tunnel {
                    Tunnel::Vxlan(u, _) | Tunnel::Geneve(u, _) | Tunnel::Teredo(u) => {
                        Some((u.src_port(), u.dst_port()))
                    }
                    _ => None,
                };
                return View {
                    ctx,
                    ip: Some(&o.ip),
                    transport: None,
                    ports,
                    payload: &[],
                    app_proto: None,
                    stream: RawBlocks::default(),
                    nopayload: false,
                };
            }
        }
        View {
            ctx,
            ip: d.ip(),
            transport: d.transport(),
            ports: d.ports(),
            payload: d.inspection_payload(),
            app_proto: None,
            stream: RawBlocks::default(),
            nopayload: false,
        }
    }

    /// The IP protocol (Suricata's `p->proto`), 0 without IP.
    pub fn proto(&self) -> u8 {
        self.ip.map_or(0, |l| l.proto)
    }

    /// Source and destination addresses.
    pub fn addrs(&self) -> Option<(IpAddr, IpAddr)> {
        self.ip.map(|l| (l.src_addr(), l.dst_addr()))
    }

    fn icmp(&self) -> Option<IcmpFields> {
        match self.transport? {
            Transport::Icmpv4(p, _) => {
                let idseq = matches!(p.msg_type(), 0 | 8 | 13 | 14 | 15 | 16 | 17 | 18)
                    .then(|| (p.ident(), p.seq_number()));
                Some((p.msg_type(), p.msg_code(), idseq))
            }
            Transport::Icmpv6(p, _) => {
                let idseq = matches!(p.msg_type(), 128 | 129).then(|| (p.ident(), p.seq_number()));
                Some((p.msg_type(), p.msg_code(), idseq))
            }
            _ => None,
        }
    }

    fn tcp(&self) -> Option<&crate::decode::tcp::Packet<&'a [u8]>> {
        match self.transport? {
            Transport::Tcp(p, _) => Some(p),
            _ => None,
        }
    }
}

/// Whether the rule protocol accepts the packet.
pub fn proto_matches(proto: &Protocol, v: &View<'_, '_>) -> bool {
    let Some(ip) = v.ip else {
        return matches!(proto, Protocol::Pkthdr);
    };
    let p = ip.proto;
    match proto {
        Protocol::Ip | Protocol::Pkthdr => true,
        Protocol::Ipv4 => ip.is_v4(),
        Protocol::Ipv6 => !ip.is_v4(),
        Protocol::Tcp | Protocol::TcpPkt => p == 6,
        Protocol::Udp => p == 17,
        Protocol::Icmp => p == 1 || p == 58,
        Protocol::Icmpv4 => p == 1,
        Protocol::Icmpv6 => p == 58,
        Protocol::Igmp => p == 2,
        Protocol::Sctp => p == 132,
        // The flow's protocol (checked by the rule) implies its transport.
        Protocol::App(_) => p == 6 || p == 17,
        _ => false,
    }
}

/// `stream_size`: TCP packets of a flow with a session only, as
/// Suricata's `DetectStreamSizeMatch`.
fn stream_size_matches(s: &StreamSize, v: &View<'_, '_>) -> bool {
    if !matches!(v.transport, Some(crate::decode::Transport::Tcp(..))) {
        return false;
    }
    let Some([client, server]) = v.ctx.flow.and_then(|u| u.stream_size) else {
        return false;
    };
    let m = |n: u32| cmp(s.op, n, s.bytes);
    match s.side {
        StreamSide::Server => m(server),
        StreamSide::Client => m(client),
        StreamSide::Both => m(server) && m(client),
        StreamSide::Either => m(server) || m(client),
    }
}

fn cmp<T: PartialOrd>(op: CmpOp, a: T, b: T) -> bool {
    match op {
        CmpOp::Lt => a < b,
        CmpOp::Le => a <= b,
        CmpOp::Eq => a == b,
        CmpOp::Ne => a != b,
        CmpOp::Ge => a >= b,
        CmpOp::Gt => a > b,
    }
}

fn bits(modifier: BitsModifier, have: u8, want: u8) -> bool {
    match modifier {
        BitsModifier::Exact => have == want,
        BitsModifier::Plus => have & want == want,
        BitsModifier::Any => have & want != 0,
        BitsModifier::Not => have & want == 0,
    }
}

fn flow_matches(f: &Flow, v: &View<'_, '_>) -> bool {
    let reassembled = v.ctx.role.is_reassembled();
    match f.frag {
        Some(FlowFrag::OnlyFrag) if !reassembled => return false,
        Some(FlowFrag::NoFrag) if reassembled => return false,
        _ => {}
    }
    // `only_stream` / `no_stream` (`f.stream`) choose the buffer (the
    // engine's stream mode); as a condition they hold.
    if f.state == Some(FlowState::Stateless) && f.direction.is_none() {
        return true;
    }
    let Some(u) = v.ctx.flow else {
        return false;
    };
    match f.state {
        Some(FlowState::Established) if !u.established => return false,
        Some(FlowState::NotEstablished) if u.established => return false,
        _ => {}
    }
    match f.direction {
        Some(FlowDirection::ToServer) => u.direction == crate::flow::Direction::ToServer,
        Some(FlowDirection::ToClient) => u.direction == crate::flow::Direction::ToClient,
        None => true,
    }
}

fn ipopt_mask(o: IpOpt) -> u16 {
    use crate::decode::ipv4::OptionSet as S;
    match o {
        IpOpt::Rr => S::RR,
        IpOpt::Eol => S::EOL,
        IpOpt::Nop => S::NOP,
        IpOpt::Ts => S::TS,
        IpOpt::Sec => S::SEC,
        IpOpt::Esec => S::ESEC,
        IpOpt::Lsrr => S::LSRR,
        IpOpt::Ssrr => S::SSRR,
        IpOpt::Satid => S::SID,
        IpOpt::Qs => S::QS,
        IpOpt::Cipso => S::CIPSO,
        IpOpt::Rtralt => S::RTRALT,
        IpOpt::Any => u16::MAX,
    }
}

fn checksum_kind(k: ChecksumKind) -> DChecksum {
    match k {
        ChecksumKind::Ipv4 => DChecksum::Ipv4,
        ChecksumKind::Tcpv4 => DChecksum::Tcpv4,
        ChecksumKind::Tcpv6 => DChecksum::Tcpv6,
        ChecksumKind::Udpv4 => DChecksum::Udpv4,
        ChecksumKind::Udpv6 => DChecksum::Udpv6,
        ChecksumKind::Icmpv4 => DChecksum::Icmpv4,
        ChecksumKind::Icmpv6 => DChecksum::Icmpv6,
    }
}

/// `dsize` on `v`. On a packet without payload inspection Suricata's
/// packet mask says "no payload" (`PacketCreateMask`), so a `dsize` that
/// needs one (`SignatureCreateMask`: a range, `>`, `>=`, `!=`, or `=` a
/// positive size) never matches; any other `dsize` compares the real
/// payload size.
fn dsize_matches(m: &IntMatch, v: &View<'_, '_>) -> bool {
    if !v.nopayload {
        return m.matches(v.payload.len() as u64);
    }
    let needs_payload = match *m {
        IntMatch::Range(..) | IntMatch::Gt(_) | IntMatch::Ge(_) | IntMatch::Ne(_) => true,
        IntMatch::Eq(n) => n > 0,
        _ => false,
    };
    !needs_payload && m.matches(v.ctx.decoded.inspection_payload().len() as u64)
}

/// Whether the packet satisfies one condition. Conditions the engine does
/// not evaluate never get here (the rule is inactive) and answer `false`.
pub fn condition_matches(c: &Condition, v: &View<'_, '_>) -> bool {
    let v4 = || {
        v.ip.and_then(|l| match l.header {
            crate::decode::Ip::V4(p) => Some(p),
            _ => None,
        })
    };
    match c {
        Condition::Flow(f) => flow_matches(f, v),
        Condition::StreamSize(s) => stream_size_matches(s, v),
        Condition::Dsize(m) => v.transport.is_some() && dsize_matches(m, v),
        Condition::Ttl(m) => v.ip.is_some_and(|l| m.matches(u64::from(l.ttl()))),
        Condition::Tos(m) => v4().is_some_and(|p| m.matches(u64::from(p.tos()))),
        Condition::Id(m) => v4().is_some_and(|p| m.matches(u64::from(p.ident()))),
        Condition::Fragoffset(m) => v4().is_some_and(|p| m.matches(u64::from(p.frag_offset()))),
        Condition::IpProto(p) => v.ip.is_some_and(|l| cmp(p.op, l.proto, p.proto)),
        Condition::Ipopts(o) => {
            v.ip.is_some_and(|l| l.is_v4() && l.ipv4_options.contains(ipopt_mask(*o)))
        }
        Condition::Fragbits(f) => v4().is_some_and(|p| {
            let mut have = 0;
            if p.more_frags() {
                have |= frag_bit::MF;
            }
            if p.dont_frag() {
                have |= frag_bit::DF;
            }
            if p.reserved_flag() {
                have |= frag_bit::RESERVED;
            }
            bits(f.modifier, have, f.bits)
        }),
        Condition::Sameip => v.addrs().is_some_and(|(s, d)| s == d),
        Condition::Flags(f) => v
            .tcp()
            .is_some_and(|t| bits(f.modifier, t.flags() & !f.ignore, f.flags)),
        Condition::Seq(n) => v.tcp().is_some_and(|t| t.seq_number() == *n),
        Condition::Ack(n) => v.tcp().is_some_and(|t| t.ack_number() == *n),
        Condition::Window(w) => v
            .tcp()
            .is_some_and(|t| (t.window_len() == w.size) != w.negated),
        Condition::TcpMss(m) => match v.transport {
            Some(Transport::Tcp(_, o)) => o.mss.is_some_and(|x| m.matches(u64::from(x))),
            _ => false,
        },
        Condition::Itype(m) => v.icmp().is_some_and(|(t, _, _)| m.matches(u64::from(t))),
        Condition::Icode(m) => v.icmp().is_some_and(|(_, c, _)| m.matches(u64::from(c))),
        Condition::IcmpId(n) => v
            .icmp()
            .is_some_and(|(_, _, is)| is.is_some_and(|(id, _)| id == *n)),
        Condition::IcmpSeq(n) => v
            .icmp()
            .is_some_and(|(_, _, is)| is.is_some_and(|(_, s)| s == *n)),
        Condition::Checksum(k, valid) => v.ctx.decoded.checksum(checksum_kind(*k)) == Some(*valid),
        Condition::DecodeEvent(name) => DecodeEvent::from_name(name)
            .is_some_and(|e| v.ctx.decoded.has_event(e) || v.ctx.defrag_events.contains(e)),
        // Acted on after the match (post-match stage).
        Condition::Noalert | Condition::Alert | Condition::Tag(_) => true,
        _ => false,
    }
}
