//! Decoder events: Suricata's `decode-event:` names as one enum, and the
//! small fixed-capacity list a decoded packet carries them in.
//!
//! Each [`DecodeEvent`] variant maps 1:1 to a name in Suricata's
//! `src/decode-events.c` (without the `decoder.` prefix), which is the name a
//! rule writes after `decode-event:` and the `<proto>.<event>` part of the
//! `decoder.event.<proto>.<event>` counter. The list holds every decoder
//! event Suricata knows, including those this crate never raises (capture
//! specific ones such as `afpacket.trunc_pkt`, or protocols we do not decode
//! such as ERSPAN and NSH), so every rule in `decoder-events.rules` resolves.
//! The stream events (`stream.*`) are not here: they belong to the flow/TCP
//! layer.
//!
//! An event is a fact about a packet, never an error: the packet keeps
//! flowing. Whether an event also marks the packet *invalid* (Suricata's
//! `ENGINE_SET_INVALID_EVENT` versus `ENGINE_SET_EVENT`) depends on where it
//! is raised, so that lives in the decoder, not in this enum.

use std::fmt;

macro_rules! decode_events {
    ($($variant:ident => $name:literal,)*) => {
        /// One of Suricata's decoder events (`decode-event:<name>`).
        ///
        /// [`DecodeEvent::name`] gives the dotted name used in rules;
        /// [`DecodeEvent::from_name`] parses it back.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum DecodeEvent {
            $(
                #[doc = concat!("`decode-event:", $name, "`")]
                $variant,
            )*
        }

        impl DecodeEvent {
            /// Every decoder event, in Suricata's `decode-events.c` order.
            pub const ALL: &'static [DecodeEvent] = &[$(DecodeEvent::$variant,)*];

            /// The dotted name as written in rules, e.g. `ipv4.pkt_too_small`.
            pub const fn name(self) -> &'static str {
                match self {
                    $(DecodeEvent::$variant => $name,)*
                }
            }

            /// Parses a rule's `decode-event:` value. Accepts the bare name
            /// (`ipv4.pkt_too_small`) and the prefixed forms Suricata uses
            /// in stats and EVE (`decoder.ipv4.pkt_too_small`,
            /// `decoder.event.ipv4.pkt_too_small`). Case-insensitive, like
            /// Suricata's keyword parser.
            pub fn from_name(name: &str) -> Option<DecodeEvent> {
                let name = name.trim();
                let lower = name.to_ascii_lowercase();
                let bare = lower
                    .strip_prefix("decoder.event.")
                    .or_else(|| lower.strip_prefix("decoder."))
                    .unwrap_or(&lower);
                match bare {
                    $($name => Some(DecodeEvent::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

decode_events! {
    AfpacketTruncPkt => "afpacket.trunc_pkt",
    Ipv4PktTooSmall => "ipv4.pkt_too_small",
    Ipv4HlenTooSmall => "ipv4.hlen_too_small",
    Ipv4IplenSmallerThanHlen => "ipv4.iplen_smaller_than_hlen",
    Ipv4TruncPkt => "ipv4.trunc_pkt",
    Ipv4OptInvalid => "ipv4.opt_invalid",
    Ipv4OptInvalidLen => "ipv4.opt_invalid_len",
    Ipv4OptMalformed => "ipv4.opt_malformed",
    Ipv4OptPadRequired => "ipv4.opt_pad_required",
    Ipv4OptEolRequired => "ipv4.opt_eol_required",
    Ipv4OptDuplicate => "ipv4.opt_duplicate",
    Ipv4OptUnknown => "ipv4.opt_unknown",
    Ipv4WrongIpVersion => "ipv4.wrong_ip_version",
    Ipv4Icmpv6 => "ipv4.icmpv6",
    Ipv4UnknownProtocol => "ipv4.unknown_protocol", // not raised by Suricata 8.0.6
    Icmpv4PktTooSmall => "icmpv4.pkt_too_small",
    Icmpv4UnknownType => "icmpv4.unknown_type",
    Icmpv4UnknownCode => "icmpv4.unknown_code",
    Icmpv4Ipv4TruncPkt => "icmpv4.ipv4_trunc_pkt",
    Icmpv4Ipv4UnknownVer => "icmpv4.ipv4_unknown_ver",
    Icmpv6UnknownType => "icmpv6.unknown_type",
    Icmpv6UnknownCode => "icmpv6.unknown_code",
    Icmpv6PktTooSmall => "icmpv6.pkt_too_small",
    Icmpv6Ipv6UnknownVersion => "icmpv6.ipv6_unknown_version",
    Icmpv6Ipv6TruncPkt => "icmpv6.ipv6_trunc_pkt",
    Icmpv6MldMessageWithInvalidHl => "icmpv6.mld_message_with_invalid_hl",
    Icmpv6UnassignedType => "icmpv6.unassigned_type",
    Icmpv6ExperimentationType => "icmpv6.experimentation_type",
    Ipv6PktTooSmall => "ipv6.pkt_too_small",
    Ipv6TruncPkt => "ipv6.trunc_pkt",
    Ipv6TruncExthdr => "ipv6.trunc_exthdr",
    Ipv6ExthdrDuplFh => "ipv6.exthdr_dupl_fh",
    Ipv6ExthdrUselessFh => "ipv6.exthdr_useless_fh",
    Ipv6ExthdrDuplRh => "ipv6.exthdr_dupl_rh",
    Ipv6ExthdrDuplHh => "ipv6.exthdr_dupl_hh",
    Ipv6ExthdrDuplDh => "ipv6.exthdr_dupl_dh",
    Ipv6ExthdrDuplAh => "ipv6.exthdr_dupl_ah",
    Ipv6ExthdrDuplEh => "ipv6.exthdr_dupl_eh",
    Ipv6ExthdrInvalidOptlen => "ipv6.exthdr_invalid_optlen",
    Ipv6WrongIpVersion => "ipv6.wrong_ip_version",
    Ipv6ExthdrAhResNotNull => "ipv6.exthdr_ah_res_not_null",
    Ipv6HopoptsUnknownOpt => "ipv6.hopopts_unknown_opt",
    Ipv6HopoptsOnlyPadding => "ipv6.hopopts_only_padding",
    Ipv6DstoptsUnknownOpt => "ipv6.dstopts_unknown_opt",
    Ipv6DstoptsOnlyPadding => "ipv6.dstopts_only_padding",
    Ipv6RhType0 => "ipv6.rh_type_0",
    Ipv6ZeroLenPadn => "ipv6.zero_len_padn",
    Ipv6FhNonZeroReservedField => "ipv6.fh_non_zero_reserved_field",
    Ipv6DataAfterNoneHeader => "ipv6.data_after_none_header",
    Ipv6UnknownNextHeader => "ipv6.unknown_next_header",
    Ipv6Icmpv4 => "ipv6.icmpv4",
    TcpPktTooSmall => "tcp.pkt_too_small",
    TcpHlenTooSmall => "tcp.hlen_too_small",
    TcpInvalidOptlen => "tcp.invalid_optlen",
    TcpOptInvalidLen => "tcp.opt_invalid_len",
    TcpOptDuplicate => "tcp.opt_duplicate",
    UdpPktTooSmall => "udp.pkt_too_small",
    UdpHlenTooSmall => "udp.hlen_too_small",
    UdpHlenInvalid => "udp.hlen_invalid",
    UdpLenInvalid => "udp.len_invalid",
    SllPktTooSmall => "sll.pkt_too_small",
    Sll2PktTooSmall => "sll2.pkt_too_small",
    EthernetPktTooSmall => "ethernet.pkt_too_small",
    EthernetUnknownEthertype => "ethernet.unknown_ethertype",
    PppPktTooSmall => "ppp.pkt_too_small",
    PppVjuPktTooSmall => "ppp.vju_pkt_too_small",
    PppIp4PktTooSmall => "ppp.ip4_pkt_too_small",
    PppIp6PktTooSmall => "ppp.ip6_pkt_too_small",
    PppWrongType => "ppp.wrong_type",
    PppUnsupProto => "ppp.unsup_proto",
    PppoePktTooSmall => "pppoe.pkt_too_small",
    PppoeWrongCode => "pppoe.wrong_code",
    PppoeMalformedTags => "pppoe.malformed_tags",
    GrePktTooSmall => "gre.pkt_too_small",
    GreWrongVersion => "gre.wrong_version",
    GreVersion0Recur => "gre.version0_recur",
    GreVersion0Flags => "gre.version0_flags",
    GreVersion0HdrTooBig => "gre.version0_hdr_too_big",
    GreVersion0MalformedSreHdr => "gre.version0_malformed_sre_hdr",
    GreVersion1Chksum => "gre.version1_chksum",
    GreVersion1Route => "gre.version1_route",
    GreVersion1Ssr => "gre.version1_ssr",
    GreVersion1Recur => "gre.version1_recur",
    GreVersion1Flags => "gre.version1_flags",
    GreVersion1NoKey => "gre.version1_no_key",
    GreVersion1WrongProtocol => "gre.version1_wrong_protocol",
    GreVersion1MalformedSreHdr => "gre.version1_malformed_sre_hdr",
    GreVersion1HdrTooBig => "gre.version1_hdr_too_big",
    VlanHeaderTooSmall => "vlan.header_too_small",
    VlanUnknownType => "vlan.unknown_type",
    VlanTooManyLayers => "vlan.too_many_layers",
    Ieee8021ahHeaderTooSmall => "ieee8021ah.header_too_small",
    VntagHeaderTooSmall => "vntag.header_too_small",
    VntagUnknownType => "vntag.unknown_type",
    EtagHeaderTooSmall => "etag.header_too_small", // not raised by Suricata 8.0.6
    EtagUnknownType => "etag.unknown_type", // not raised by Suricata 8.0.6
    IprawInvalidIpVersion => "ipraw.invalid_ip_version",
    LtnullPktTooSmall => "ltnull.pkt_too_small",
    LtnullUnsupportedType => "ltnull.unsupported_type",
    SctpPktTooSmall => "sctp.pkt_too_small",
    SctpChunkTooSmall => "sctp.chunk_too_small", // not raised by Suricata 8.0.6
    SctpChunkLenInvalid => "sctp.chunk_len_invalid", // not raised by Suricata 8.0.6
    SctpInitChunkBundled => "sctp.init_chunk_bundled", // not raised by Suricata 8.0.6
    SctpInitWithNonZeroVtag => "sctp.init_with_non_zero_vtag", // not raised by Suricata 8.0.6
    SctpDataWithZeroVtag => "sctp.data_with_zero_vtag", // not raised by Suricata 8.0.6
    SctpTooManyChunks => "sctp.too_many_chunks", // not raised by Suricata 8.0.6
    SctpTooManyDataChunks => "sctp.too_many_data_chunks", // not raised by Suricata 8.0.6
    EspPktTooSmall => "esp.pkt_too_small",
    Ipv4FragPktTooLarge => "ipv4.frag_pkt_too_large",
    Ipv6FragPktTooLarge => "ipv6.frag_pkt_too_large",
    Ipv4FragOverlap => "ipv4.frag_overlap",
    Ipv6FragOverlap => "ipv6.frag_overlap",
    Ipv6FragInvalidLength => "ipv6.frag_invalid_length",
    Ipv4FragIgnored => "ipv4.frag_ignored",
    Ipv6FragIgnored => "ipv6.frag_ignored",
    Ipv6Ipv4InIpv6TooSmall => "ipv6.ipv4_in_ipv6_too_small",
    Ipv6Ipv4InIpv6WrongVersion => "ipv6.ipv4_in_ipv6_wrong_version",
    Ipv6Ipv6InIpv6TooSmall => "ipv6.ipv6_in_ipv6_too_small",
    Ipv6Ipv6InIpv6WrongVersion => "ipv6.ipv6_in_ipv6_wrong_version",
    MplsHeaderTooSmall => "mpls.header_too_small",
    MplsPktTooSmall => "mpls.pkt_too_small",
    MplsBadLabelRouterAlert => "mpls.bad_label_router_alert",
    MplsBadLabelImplicitNull => "mpls.bad_label_implicit_null",
    MplsBadLabelReserved => "mpls.bad_label_reserved",
    MplsUnknownPayloadType => "mpls.unknown_payload_type",
    VxlanUnknownPayloadType => "vxlan.unknown_payload_type",
    GeneveUnknownPayloadType => "geneve.unknown_payload_type",
    ErspanHeaderTooSmall => "erspan.header_too_small",
    ErspanUnsupportedVersion => "erspan.unsupported_version",
    ErspanTooManyVlanLayers => "erspan.too_many_vlan_layers",
    DcePktTooSmall => "dce.pkt_too_small",
    ChdlcPktTooSmall => "chdlc.pkt_too_small",
    NshHeaderTooSmall => "nsh.header_too_small",
    NshUnsupportedVersion => "nsh.unsupported_version",
    NshBadHeaderLength => "nsh.bad_header_length",
    NshReservedType => "nsh.reserved_type",
    NshUnsupportedType => "nsh.unsupported_type",
    NshUnknownPayload => "nsh.unknown_payload",
    IgmpPktTooSmall => "igmp.pkt_too_small", // not raised by Suricata 8.0.6
    IgmpV3PktTooSmall => "igmp.v3_pkt_too_small", // not raised by Suricata 8.0.6
    IgmpMalformed => "igmp.malformed", // not raised by Suricata 8.0.6
    TooManyLayers => "too_many_layers",
    ArpPktTooSmall => "arp.pkt_too_small",
    ArpUnsupportedHardware => "arp.unsupported_hardware",
    ArpUnsupportedProtocol => "arp.unsupported_protocol",
    ArpInvalidPkt => "arp.invalid_pkt",
    ArpInvalidHardwareSize => "arp.invalid_hardware_size",
    ArpInvalidProtocolSize => "arp.invalid_protocol_size",
    ArpUnsupportedOpcode => "arp.unsupported_opcode",
}

impl DecodeEvent {
    /// The protocol part of the name (`ipv4` for `ipv4.pkt_too_small`), or
    /// `None` for the protocol-less `too_many_layers`.
    pub fn proto(self) -> Option<&'static str> {
        self.name().split_once('.').map(|(proto, _)| proto)
    }

    /// The stats counter name Suricata increments for this event:
    /// `decoder.event.<name>`.
    pub fn counter_name(self) -> String {
        format!("decoder.event.{}", self.name())
    }
}

impl fmt::Display for DecodeEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How many events one packet (one Suricata packet: the root or one tunnel
/// level) keeps. Suricata's `PACKET_ENGINE_EVENT_MAX` is 15; further events
/// are dropped, not counted.
pub const EVENTS_PER_PACKET: usize = 15;

/// Total capacity of an [`EventList`]: room for the root packet and one
/// tunnel level at the per-packet maximum, plus slack for deeper tunnels.
pub const EVENT_LIST_CAPACITY: usize = 32;

/// A fixed-capacity list of the events raised while decoding one frame, in
/// the order they were raised. Never allocates.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct EventList {
    events: [DecodeEvent; EVENT_LIST_CAPACITY],
    len: u8,
    /// Index where the current packet level (root or tunnel child) starts,
    /// for the per-packet cap.
    level_start: u8,
}

impl EventList {
    /// An empty list.
    pub const fn new() -> EventList {
        EventList {
            events: [DecodeEvent::AfpacketTruncPkt; EVENT_LIST_CAPACITY],
            len: 0,
            level_start: 0,
        }
    }

    /// The events, in the order raised.
    pub fn as_slice(&self) -> &[DecodeEvent] {
        self.events.get(..usize::from(self.len)).unwrap_or(&[])
    }

    /// Whether `event` was raised.
    pub fn contains(&self, event: DecodeEvent) -> bool {
        self.as_slice().contains(&event)
    }

    /// Number of events kept.
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Whether no event was raised.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Iterates over the events.
    pub fn iter(&self) -> impl Iterator<Item = DecodeEvent> + '_ {
        self.as_slice().iter().copied()
    }

    /// Appends an event unless the current packet level already holds
    /// [`EVENTS_PER_PACKET`] or the list is full (then it is dropped, as
    /// Suricata drops it).
    pub(crate) fn push(&mut self, event: DecodeEvent) {
        let in_level = self.len.saturating_sub(self.level_start);
        if usize::from(in_level) >= EVENTS_PER_PACKET {
            return;
        }
        if let Some(slot) = self.events.get_mut(usize::from(self.len)) {
            *slot = event;
            self.len += 1;
        }
    }

    /// Starts a new packet level (a tunnel child); returns the state to
    /// give back to [`EventList::end_level`].
    pub(crate) fn begin_level(&mut self) -> (u8, u8) {
        let saved = (self.len, self.level_start);
        self.level_start = self.len;
        saved
    }

    /// Ends a packet level. With `keep == false` the level's events are
    /// discarded (Suricata frees a tunnel child that failed to decode,
    /// together with its events).
    pub(crate) fn end_level(&mut self, saved: (u8, u8), keep: bool) {
        if !keep {
            self.len = saved.0;
        }
        self.level_start = saved.1;
    }
}

impl Default for EventList {
    fn default() -> EventList {
        EventList::new()
    }
}

impl fmt::Debug for EventList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.as_slice()).finish()
    }
}

/// Where a decoder reports events: either a plain event (Suricata's
/// `ENGINE_SET_EVENT`) or one that also marks the packet invalid
/// (`ENGINE_SET_INVALID_EVENT`). The packet-level decoder implements it;
/// protocol helpers such as [`crate::decode::ipv4::validate_options`] take
/// it so the same walk can be tested on its own.
pub trait EventSink {
    /// Records an event that does not make the packet invalid.
    fn event(&mut self, event: DecodeEvent);
    /// Records an event and marks the packet invalid.
    fn invalid(&mut self, event: DecodeEvent);
}

#[cfg(test)]
pub(crate) mod tests_support {
    use super::{DecodeEvent, EventSink};

    /// Collects `(event, invalid)` pairs for unit tests.
    #[derive(Default, Debug)]
    pub(crate) struct Recorder {
        pub(crate) events: Vec<(DecodeEvent, bool)>,
    }

    impl EventSink for Recorder {
        fn event(&mut self, event: DecodeEvent) {
            self.events.push((event, false));
        }
        fn invalid(&mut self, event: DecodeEvent) {
            self.events.push((event, true));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for &event in DecodeEvent::ALL {
            assert!(seen.insert(event.name()), "duplicate {}", event.name());
            assert_eq!(DecodeEvent::from_name(event.name()), Some(event));
        }
        assert_eq!(DecodeEvent::ALL.len(), 149);
    }

    #[test]
    fn known_names() {
        assert_eq!(DecodeEvent::TcpInvalidOptlen.name(), "tcp.invalid_optlen");
        assert_eq!(DecodeEvent::TooManyLayers.name(), "too_many_layers");
        assert_eq!(DecodeEvent::TooManyLayers.proto(), None);
        assert_eq!(DecodeEvent::Ipv4PktTooSmall.proto(), Some("ipv4"));
        assert_eq!(
            DecodeEvent::from_name("decoder.event.ipv6.zero_len_padn"),
            Some(DecodeEvent::Ipv6ZeroLenPadn)
        );
        assert_eq!(
            DecodeEvent::from_name("IPV4.TRUNC_PKT"),
            Some(DecodeEvent::Ipv4TruncPkt)
        );
        assert_eq!(DecodeEvent::from_name("stream.3whs_syn_flood"), None);
        assert_eq!(
            DecodeEvent::UdpHlenTooSmall.counter_name(),
            "decoder.event.udp.hlen_too_small"
        );
    }

    #[test]
    fn every_rule_in_decoder_events_rules_resolves() {
        // The 114 names used in Suricata's decoder-events.rules (8.0.x).
        let names = [
            "ipv4.pkt_too_small",
            "ipv4.hlen_too_small",
            "ipv4.iplen_smaller_than_hlen",
            "ipv4.trunc_pkt",
            "ipv4.opt_invalid",
            "ipv4.opt_invalid_len",
            "ipv4.opt_malformed",
            "ipv4.opt_pad_required",
            "ipv4.icmpv6",
            "ipv4.opt_eol_required",
            "ipv4.opt_duplicate",
            "ipv4.opt_unknown",
            "ipv4.wrong_ip_version",
            "ipv6.pkt_too_small",
            "ipv6.trunc_pkt",
            "ipv6.trunc_exthdr",
            "ipv6.exthdr_dupl_fh",
            "ipv6.exthdr_useless_fh",
            "ipv6.exthdr_dupl_rh",
            "ipv6.exthdr_dupl_hh",
            "ipv6.exthdr_dupl_dh",
            "ipv6.exthdr_dupl_ah",
            "ipv6.exthdr_dupl_eh",
            "ipv6.exthdr_invalid_optlen",
            "ipv6.wrong_ip_version",
            "ipv6.exthdr_ah_res_not_null",
            "ipv6.hopopts_unknown_opt",
            "ipv6.hopopts_only_padding",
            "ipv6.dstopts_unknown_opt",
            "ipv6.dstopts_only_padding",
            "ipv6.rh_type_0",
            "ipv6.zero_len_padn",
            "ipv6.fh_non_zero_reserved_field",
            "ipv6.data_after_none_header",
            "ipv6.unknown_next_header",
            "ipv6.icmpv4",
            "icmpv4.pkt_too_small",
            "icmpv4.unknown_type",
            "icmpv4.unknown_code",
            "icmpv4.ipv4_trunc_pkt",
            "icmpv4.ipv4_unknown_ver",
            "icmpv6.pkt_too_small",
            "icmpv6.unknown_type",
            "icmpv6.unknown_code",
            "icmpv6.ipv6_trunc_pkt",
            "icmpv6.ipv6_unknown_version",
            "icmpv6.mld_message_with_invalid_hl",
            "icmpv6.unassigned_type",
            "icmpv6.experimentation_type",
            "tcp.pkt_too_small",
            "tcp.hlen_too_small",
            "tcp.invalid_optlen",
            "tcp.opt_invalid_len",
            "tcp.opt_duplicate",
            "udp.pkt_too_small",
            "udp.hlen_too_small",
            "udp.len_invalid",
            "sll.pkt_too_small",
            "ethernet.pkt_too_small",
            "ethernet.unknown_ethertype",
            "ppp.pkt_too_small",
            "ppp.vju_pkt_too_small",
            "ppp.ip4_pkt_too_small",
            "ppp.ip6_pkt_too_small",
            "ppp.wrong_type",
            "ppp.unsup_proto",
            "pppoe.pkt_too_small",
            "pppoe.wrong_code",
            "pppoe.malformed_tags",
            "gre.pkt_too_small",
            "gre.wrong_version",
            "gre.version0_recur",
            "gre.version0_flags",
            "gre.version0_hdr_too_big",
            "gre.version1_chksum",
            "gre.version1_route",
            "gre.version1_ssr",
            "gre.version1_recur",
            "gre.version1_flags",
            "gre.version1_no_key",
            "gre.version1_wrong_protocol",
            "gre.version1_malformed_sre_hdr",
            "gre.version1_hdr_too_big",
            "vlan.header_too_small",
            "vlan.unknown_type",
            "vlan.too_many_layers",
            "vntag.header_too_small",
            "vntag.unknown_type",
            "ieee8021ah.header_too_small",
            "ipraw.invalid_ip_version",
            "ipv4.frag_pkt_too_large",
            "ipv4.frag_overlap",
            "ipv6.frag_pkt_too_large",
            "ipv6.frag_overlap",
            "ipv6.frag_invalid_length",
            "ipv6.ipv4_in_ipv6_too_small",
            "ipv6.ipv4_in_ipv6_wrong_version",
            "ipv6.ipv6_in_ipv6_too_small",
            "ipv6.ipv6_in_ipv6_wrong_version",
            "mpls.header_too_small",
            "mpls.pkt_too_small",
            "mpls.bad_label_router_alert",
            "mpls.bad_label_implicit_null",
            "mpls.bad_label_reserved",
            "mpls.unknown_payload_type",
            "ltnull.pkt_too_small",
            "ltnull.unsupported_type",
            "erspan.header_too_small",
            "erspan.unsupported_version",
            "erspan.too_many_vlan_layers",
            "dce.pkt_too_small",
            "chdlc.pkt_too_small",
            "too_many_layers",
            "afpacket.trunc_pkt",
        ];
        assert_eq!(names.len(), 114);
        for name in names {
            assert!(DecodeEvent::from_name(name).is_some(), "{name} unresolved");
        }
    }

    #[test]
    fn list_caps_per_packet_level() {
        let mut list = EventList::new();
        for _ in 0..20 {
            list.push(DecodeEvent::Ipv4OptDuplicate);
        }
        assert_eq!(list.len(), EVENTS_PER_PACKET);
        let saved = list.begin_level();
        list.push(DecodeEvent::TcpPktTooSmall);
        assert_eq!(list.len(), EVENTS_PER_PACKET + 1);
        list.end_level(saved, false);
        assert_eq!(list.len(), EVENTS_PER_PACKET);
        assert!(!list.contains(DecodeEvent::TcpPktTooSmall));
        let saved = list.begin_level();
        list.push(DecodeEvent::TcpPktTooSmall);
        list.end_level(saved, true);
        assert!(list.contains(DecodeEvent::TcpPktTooSmall));
    }
}
