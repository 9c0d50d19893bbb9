//! MPLS label stacks (RFC 3032): 4-byte entries up to the one with the
//! bottom-of-stack bit, then a payload whose type is inferred the way
//! Suricata's `src/decode-mpls.c` does: from the bottom label (0 = IPv4,
//! 2 = IPv6), else from the first nibble (4, 6, or 0 for an Ethernet
//! pseudowire with a 4-byte control word).
//!
//! The stack is walked within the buffer, so its length is bounded by the
//! packet; the view borrows the entries, nothing is copied.

use super::bytes::{be32, slice, tail, u8_at};
use super::event::DecodeEvent;

/// Length of one label stack entry.
pub const ENTRY_LEN: usize = 4;
/// Length of the pseudowire control word before an Ethernet payload.
pub const PW_CONTROL_WORD_LEN: usize = 4;

/// Reserved label values (RFC 3032 section 2.1).
pub mod label {
    /// IPv4 explicit null.
    pub const IPV4_NULL: u32 = 0;
    /// Router alert.
    pub const ROUTER_ALERT: u32 = 1;
    /// IPv6 explicit null.
    pub const IPV6_NULL: u32 = 2;
    /// Implicit null (never on the wire).
    pub const IMPLICIT_NULL: u32 = 3;
    /// Labels below this are reserved.
    pub const MAX_RESERVED: u32 = 15;
}

/// One label stack entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry(pub u32);

impl Entry {
    /// The 20-bit label.
    pub fn label(self) -> u32 {
        self.0 >> 12
    }

    /// Traffic class (3 bits).
    pub fn traffic_class(self) -> u8 {
        ((self.0 >> 9) & 0x7) as u8
    }

    /// Bottom-of-stack bit.
    pub fn bottom(self) -> bool {
        (self.0 >> 8) & 1 == 1
    }

    /// Time to live.
    pub fn ttl(self) -> u8 {
        (self.0 & 0xff) as u8
    }
}

/// A view of a complete label stack (from the top entry down to the one
/// with the bottom-of-stack bit).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stack<'a> {
    entries: &'a [u8],
}

impl<'a> Stack<'a> {
    /// Splits `buf` into the label stack and what follows it.
    ///
    /// # Errors
    /// `mpls.header_too_small` when the buffer ends before an entry with the
    /// bottom-of-stack bit.
    pub fn split(buf: &'a [u8]) -> Result<(Stack<'a>, &'a [u8]), DecodeEvent> {
        let mut off = 0usize;
        loop {
            if buf.len() < off + ENTRY_LEN {
                return Err(DecodeEvent::MplsHeaderTooSmall);
            }
            let entry = Entry(be32(buf, off));
            off += ENTRY_LEN;
            if entry.bottom() {
                return Ok((
                    Stack {
                        entries: slice(buf, 0..off),
                    },
                    tail(buf, off),
                ));
            }
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len() / ENTRY_LEN
    }

    /// Always false: a stack has at least its bottom entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries, top first.
    pub fn entries(&self) -> impl Iterator<Item = Entry> + 'a {
        let entries = self.entries;
        (0..entries.len() / ENTRY_LEN).map(move |i| Entry(be32(entries, i * ENTRY_LEN)))
    }

    /// The bottom entry (whose label decides the payload type).
    pub fn bottom(&self) -> Entry {
        Entry(be32(
            self.entries,
            self.entries.len().saturating_sub(ENTRY_LEN),
        ))
    }
}

/// What follows a label stack, by Suricata's rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Payload {
    /// IPv4 (explicit null label, or first nibble 4).
    Ipv4,
    /// IPv6 (explicit null label, or first nibble 6).
    Ipv6,
    /// Ethernet after a 4-byte pseudowire control word (first nibble 0).
    EthernetPw,
    /// A reserved bottom label that carries no payload we decode; the event
    /// is not an invalid one.
    BadLabel(DecodeEvent),
    /// Fewer than 4 bytes to guess from: `mpls.pkt_too_small` (invalid).
    TooSmall,
    /// First nibble not 0, 4 or 6: `mpls.unknown_payload_type` (invalid).
    Unknown,
}

/// Infers the payload type from the bottom entry and the first payload byte.
pub fn payload_kind(bottom: Entry, payload: &[u8]) -> Payload {
    match bottom.label() {
        label::IPV4_NULL => return Payload::Ipv4,
        label::ROUTER_ALERT => return Payload::BadLabel(DecodeEvent::MplsBadLabelRouterAlert),
        label::IPV6_NULL => return Payload::Ipv6,
        label::IMPLICIT_NULL => return Payload::BadLabel(DecodeEvent::MplsBadLabelImplicitNull),
        l if l < label::MAX_RESERVED => {
            return Payload::BadLabel(DecodeEvent::MplsBadLabelReserved)
        }
        _ => {}
    }
    if payload.len() < PW_CONTROL_WORD_LEN {
        return Payload::TooSmall;
    }
    match u8_at(payload, 0) >> 4 {
        4 => Payload::Ipv4,
        6 => Payload::Ipv6,
        0 => Payload::EthernetPw,
        _ => Payload::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Two entries: label 16 (not bottom), label 17 bottom, TTL 64.
    static STACK: [u8; 9] = [0x00, 0x01, 0x00, 0x40, 0x00, 0x01, 0x11, 0x40, 0x45];

    #[test]
    fn walk() {
        let (stack, rest) = Stack::split(&STACK).expect("valid");
        assert_eq!(stack.len(), 2);
        let labels: Vec<u32> = stack.entries().map(Entry::label).collect();
        assert_eq!(labels, vec![16, 17]);
        assert!(stack.bottom().bottom());
        assert_eq!(stack.bottom().ttl(), 64);
        assert_eq!(rest, &[0x45]);
    }

    #[test]
    fn truncation_sweep() {
        for cut in 0..8 {
            assert_eq!(
                Stack::split(&STACK[..cut]).err(),
                Some(DecodeEvent::MplsHeaderTooSmall)
            );
        }
    }

    #[test]
    fn payload_kinds() {
        let e = |label: u32| Entry((label << 12) | 0x100);
        assert_eq!(payload_kind(e(0), &[]), Payload::Ipv4);
        assert_eq!(payload_kind(e(2), &[]), Payload::Ipv6);
        assert_eq!(
            payload_kind(e(1), &[0x45, 0, 0, 0]),
            Payload::BadLabel(DecodeEvent::MplsBadLabelRouterAlert)
        );
        assert_eq!(
            payload_kind(e(3), &[]),
            Payload::BadLabel(DecodeEvent::MplsBadLabelImplicitNull)
        );
        assert_eq!(
            payload_kind(e(7), &[]),
            Payload::BadLabel(DecodeEvent::MplsBadLabelReserved)
        );
        assert_eq!(payload_kind(e(100), &[0x45, 0, 0]), Payload::TooSmall);
        assert_eq!(payload_kind(e(100), &[0x45, 0, 0, 0]), Payload::Ipv4);
        assert_eq!(payload_kind(e(100), &[0x60, 0, 0, 0]), Payload::Ipv6);
        assert_eq!(payload_kind(e(100), &[0x00, 0, 0, 0]), Payload::EthernetPw);
        assert_eq!(payload_kind(e(100), &[0x90, 0, 0, 0]), Payload::Unknown);
    }
}
