//! outcome: what feeding one fragment returns — the rebuilt datagram when
//! it completed one, and the decoder events the fragment raised.

use crate::decode::{decode, DecodeConfig, DecodeEvent, Decoded, LinkType};

/// A reassembled IP datagram, owned.
///
/// The bytes are a complete IPv4 or IPv6 packet (no link header): the
/// first fragment's header with its lengths rebuilt, fragment fields
/// cleared (IPv6: fragment header removed), followed by the reassembled
/// payload. Decode it as raw IP ([`Reassembled::decode`]) and run detection
/// on the result, as Suricata does with its pseudo packet. It inherits the
/// link layer, VLANs and outer tunnel context of the fragment that completed
/// it (Suricata's `root` packet).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reassembled {
    datagram: Vec<u8>,
    ipv6: bool,
    fragments: usize,
}

impl Reassembled {
    pub(crate) fn new(datagram: Vec<u8>, ipv6: bool, fragments: usize) -> Reassembled {
        Reassembled {
            datagram,
            ipv6,
            fragments,
        }
    }

    /// The datagram bytes, starting with the IP header.
    pub fn datagram(&self) -> &[u8] {
        &self.datagram
    }

    /// The datagram bytes, owned.
    pub fn into_datagram(self) -> Vec<u8> {
        self.datagram
    }

    /// Whether it is IPv6.
    pub fn is_ipv6(&self) -> bool {
        self.ipv6
    }

    /// How many stored fragments it was built from.
    pub fn fragments(&self) -> usize {
        self.fragments
    }

    /// The raw-IP link type to decode it with ([`LinkType::IPV4`] or
    /// [`LinkType::IPV6`]).
    pub fn linktype(&self) -> LinkType {
        if self.ipv6 {
            LinkType::IPV6
        } else {
            LinkType::IPV4
        }
    }

    /// Decodes the datagram as raw IP.
    pub fn decode(&self, config: &DecodeConfig) -> Decoded<'_> {
        decode(self.linktype(), &self.datagram, config)
    }
}

/// The most events one fragment raises: an overlap plus either a rebuild
/// failure or a refused fragment.
const MAX_EVENTS: usize = 2;

/// The result of feeding one packet to the table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// The datagram this fragment completed, if any.
    pub reassembled: Option<Reassembled>,
    events: [Option<DecodeEvent>; MAX_EVENTS],
}

impl Outcome {
    pub(crate) fn with_event(event: DecodeEvent) -> Outcome {
        let mut o = Outcome::default();
        o.push(event);
        o
    }

    pub(crate) fn push(&mut self, event: DecodeEvent) {
        if let Some(slot) = self.events.iter_mut().find(|e| e.is_none()) {
            *slot = Some(event);
        }
    }

    /// The events this fragment raised (`ipv4.frag_overlap`,
    /// `ipv6.frag_pkt_too_large`, `ipv4.frag_ignored`, ...). They belong to
    /// the fragment's own packet: count them in `decoder.event.*` and let
    /// `decode-event:` rules see them on that packet.
    pub fn events(&self) -> impl Iterator<Item = DecodeEvent> + '_ {
        self.events.iter().flatten().copied()
    }

    /// Whether `event` was raised.
    pub fn has_event(&self, event: DecodeEvent) -> bool {
        self.events().any(|e| e == event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_keep_order_and_cap() {
        let mut o = Outcome::with_event(DecodeEvent::Ipv4FragOverlap);
        o.push(DecodeEvent::Ipv4FragIgnored);
        o.push(DecodeEvent::Ipv4FragPktTooLarge);
        assert_eq!(
            o.events().collect::<Vec<_>>(),
            vec![DecodeEvent::Ipv4FragOverlap, DecodeEvent::Ipv4FragIgnored]
        );
        assert!(o.has_event(DecodeEvent::Ipv4FragIgnored));
        assert!(!o.has_event(DecodeEvent::Ipv6FragOverlap));
    }

    #[test]
    fn reassembled_decodes_as_raw_ip() {
        let dgram = crate::decode::craft::PacketBuilder::ipv4([1, 1, 1, 1], [2, 2, 2, 2])
            .udp(1000, 53, b"hello")
            .build();
        let r = Reassembled::new(dgram, false, 2);
        assert_eq!(r.linktype(), LinkType::IPV4);
        let d = r.decode(&DecodeConfig::default());
        assert_eq!(d.ports(), Some((1000, 53)));
        assert_eq!(d.payload(), b"hello");
    }
}
