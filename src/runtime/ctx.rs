//! ctx: what the packet path hands to detection for each packet
//! ([`PacketCtx`]), and the seam detection plugs into ([`Inspector`]).
//!
//! # One context per Suricata packet
//!
//! Suricata turns one captured frame into one or more *packets*: the frame
//! itself, a child packet per tunnel level, and a pseudo packet for every
//! datagram that defragmentation rebuilt. Each goes through flow handling
//! and detection on its own. The worker calls [`Inspector::inspect`] once
//! for each of them, in Suricata's order (the frame, then its tunnel
//! child, then the rebuilt datagram), with a [`PacketRole`] saying which
//! one it is:
//!
//! * [`PacketRole::Plain`]: a frame without a tunnel. `decoded` describes
//!   it completely.
//! * [`PacketRole::TunnelOuter`] then [`PacketRole::TunnelInner`]: a
//!   frame carrying a tunnel whose inner packet decoded. The outer context
//!   shares the frame's [`Decoded`]; its IP header is
//!   [`Decoded::outer`] (Suricata inspects the outer packet's headers but
//!   not its payload). The inner context's IP, transport and payload
//!   views are `decoded.ip()`, `decoded.transport()`, `decoded.payload()`.
//! * [`PacketRole::Reassembled`]: a datagram rebuilt from fragments,
//!   decoded from its own buffer (`decoded` borrows that buffer); `raw` is
//!   still the frame whose fragment completed it, for `pcap_cnt` and time.
//!
//! `flow` is the packet's [`FlowUpdate`] (direction, `established`, flow
//! id), `None` for packets Suricata gives no flow: fragments, ARP, GRE
//! outer packets, broken or unknown layer 4.
//!
//! # What detection must not do
//!
//! Keep state across calls only in the per-flow data (`FlowData`, reset
//! for every new flow) or in its own fixed-size scratch; the contexts and
//! the bytes they borrow live for one call.

use crate::capture::RawPacket;
use crate::decode::{DecodeEvent, Decoded};
use crate::flow::{FlowUpdate, StreamChunk};
use crate::ips::RejectDirection;
use crate::output::StatsDoc;

/// Which of Suricata's packets a context is (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PacketRole {
    /// A frame without a tunnel.
    Plain,
    /// The outer packet of a tunnelled frame: headers of
    /// [`Decoded::outer`], no payload inspection.
    TunnelOuter,
    /// The inner packet of a tunnelled frame (the inner-most that decoded).
    TunnelInner,
    /// A datagram rebuilt from fragments.
    Reassembled {
        /// How many stored fragments it was built from.
        fragments: usize,
    },
}

impl PacketRole {
    /// Whether this packet was rebuilt by defragmentation (the `only_frag`
    /// side of the `flow:` keyword's fragment options).
    pub fn is_reassembled(self) -> bool {
        matches!(self, PacketRole::Reassembled { .. })
    }
}

/// The most events defragmentation raises on one fragment.
pub const MAX_DEFRAG_EVENTS: usize = 2;

/// Events defragmentation raised on the packet (`ipv4.frag_overlap`, ...):
/// they belong to the fragment itself, next to [`Decoded::events`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DefragEvents {
    list: [Option<DecodeEvent>; MAX_DEFRAG_EVENTS],
}

impl DefragEvents {
    /// No events.
    pub const fn new() -> DefragEvents {
        DefragEvents {
            list: [None; MAX_DEFRAG_EVENTS],
        }
    }

    /// Adds one event (the first [`MAX_DEFRAG_EVENTS`] are kept).
    pub fn push(&mut self, event: DecodeEvent) {
        if let Some(slot) = self.list.iter_mut().find(|e| e.is_none()) {
            *slot = Some(event);
        }
    }

    /// The events, in the order raised.
    pub fn iter(&self) -> impl Iterator<Item = DecodeEvent> + '_ {
        self.list.iter().flatten().copied()
    }

    /// Whether `event` was raised.
    pub fn contains(&self, event: DecodeEvent) -> bool {
        self.iter().any(|e| e == event)
    }

    /// Whether none was raised.
    pub fn is_empty(&self) -> bool {
        self.list.iter().all(Option::is_none)
    }
}

/// One packet as detection sees it. Built on the stack for each call;
/// borrows the frame (and, for [`PacketRole::Reassembled`], the rebuilt
/// datagram).
#[derive(Clone, Copy, Debug)]
pub struct PacketCtx<'a> {
    /// The captured frame this packet came from (`index` is Suricata's
    /// `pcap_cnt`, `ts` the packet time).
    pub raw: &'a RawPacket<'a>,
    /// The decoded layers (see [`PacketRole`] for which part applies).
    pub decoded: &'a Decoded<'a>,
    /// Which packet this is.
    pub role: PacketRole,
    /// The flow table's answer, `None` when the packet has no flow.
    pub flow: Option<FlowUpdate>,
    /// Defragmentation events on this packet (only on fragments).
    pub defrag_events: DefragEvents,
    /// Tunnel depth of this packet (Suricata's `recursion_level`): 0 for
    /// plain and outer packets.
    pub recursion_level: u8,
    /// TCP raw stream data this packet may inspect, and whether its own
    /// payload went into the stream (empty unless the inspector
    /// [`wants_stream`](Inspector::wants_stream)). A flow-end pseudo
    /// packet (`stream.eof`) is a crafted header-only frame of the flow in
    /// one direction with `raw.index` 0 (no `pcap_cnt`).
    pub stream: StreamChunk<'a>,
}

/// The seam detection plugs into: called once per packet (see the module
/// docs), after flow handling.
pub trait Inspector {
    /// Per-flow data (flowbits, flowints, thresholds by flow ...), reset to
    /// `Default` when a flow starts. Its size counts against the flow
    /// memcap, so it must not own heap memory that grows with traffic.
    type FlowData: Default;

    /// Inspects one packet. `flow_data` is the packet's flow's data, `None`
    /// without a flow.
    fn inspect(&mut self, ctx: &PacketCtx<'_>, flow_data: Option<&mut Self::FlowData>);

    /// What an inline IPS does with the packet just inspected (called
    /// right after [`Inspector::inspect`]). The default accepts.
    fn verdict(&self) -> PacketVerdict {
        PacketVerdict::Accept
    }

    /// Whether the inspector inspects the reassembled TCP stream: the
    /// worker then reassembles (and runs flow-end pseudo packets). The
    /// default does not.
    fn wants_stream(&self) -> bool {
        false
    }

    /// Whether the last [`Inspector::inspect`] inspected
    /// `ctx.stream.blocks` (the raw progress moves). The default does
    /// not.
    fn stream_inspected(&self) -> bool {
        false
    }

    /// Adds this inspector's counters (`detect.alert`, ...) to the run's
    /// stats. Called once when stats are gathered.
    fn stats(&self, doc: &mut StatsDoc) {
        let _ = doc;
    }
}

/// What an inline IPS does with one packet (Suricata's `ACTION_DROP` /
/// `ACTION_REJECT*` on the packet).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PacketVerdict {
    /// Let it through.
    #[default]
    Accept,
    /// Drop it.
    Drop,
    /// Drop it and answer with a TCP RST / ICMP unreachable this way.
    Reject(RejectDirection),
}

impl PacketVerdict {
    /// The stronger of two verdicts (reject over drop over accept; the
    /// first reject's direction is kept): a frame is dropped when any of
    /// its packets is (Suricata drops the root packet of a dropped tunnel
    /// or defrag child).
    pub fn max(self, other: PacketVerdict) -> PacketVerdict {
        match (self, other) {
            (PacketVerdict::Reject(_), _) => self,
            (_, PacketVerdict::Reject(_)) => other,
            (PacketVerdict::Drop, _) | (_, PacketVerdict::Drop) => PacketVerdict::Drop,
            _ => PacketVerdict::Accept,
        }
    }

    /// Whether the packet is not let through.
    pub fn is_dropped(self) -> bool {
        self != PacketVerdict::Accept
    }
}

/// The inspector of a run without rules: does nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoInspection;

impl Inspector for NoInspection {
    type FlowData = ();

    #[inline]
    fn inspect(&mut self, _ctx: &PacketCtx<'_>, _flow_data: Option<&mut ()>) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defrag_events_keep_order_and_cap() {
        let mut e = DefragEvents::new();
        assert!(e.is_empty());
        e.push(DecodeEvent::Ipv4FragOverlap);
        e.push(DecodeEvent::Ipv4FragIgnored);
        e.push(DecodeEvent::Ipv6FragOverlap);
        assert_eq!(
            e.iter().collect::<Vec<_>>(),
            [DecodeEvent::Ipv4FragOverlap, DecodeEvent::Ipv4FragIgnored]
        );
        assert!(e.contains(DecodeEvent::Ipv4FragIgnored));
        assert!(!e.contains(DecodeEvent::Ipv6FragOverlap));
    }

    #[test]
    fn verdict_max_prefers_reject_then_drop() {
        use PacketVerdict::*;
        let src = Reject(RejectDirection::Source);
        let dst = Reject(RejectDirection::Destination);
        assert_eq!(Accept.max(Accept), Accept);
        assert_eq!(Accept.max(Drop), Drop);
        assert_eq!(Drop.max(Accept), Drop);
        assert_eq!(Drop.max(dst), dst);
        assert_eq!(src.max(dst), src, "first reject's direction kept");
        assert!(!Accept.is_dropped() && Drop.is_dropped() && src.is_dropped());
    }

    #[test]
    fn only_reassembled_is_reassembled() {
        assert!(PacketRole::Reassembled { fragments: 2 }.is_reassembled());
        assert!(!PacketRole::Plain.is_reassembled());
        assert!(!PacketRole::TunnelInner.is_reassembled());
    }
}
