//! 802.1Q / 802.1ad VLAN tags and the fixed-capacity tag stack a decoded
//! packet carries.
//!
//! A tag is 4 bytes after the TPID the outer layer already consumed: the
//! tag control information (priority, DEI, VLAN id) and the inner EtherType.
//! Like Suricata (`VLAN_MAX_LAYERS`), at most three tags are kept; a fourth
//! raises `vlan.too_many_layers` and decoding stops there.

use super::bytes::be16;
use super::event::DecodeEvent;

mod field {
    use std::ops::Range;
    pub const TCI: Range<usize> = 0..2;
    pub const ETHERTYPE: Range<usize> = 2..4;
}

/// Length of one VLAN tag (after the TPID).
pub const HEADER_LEN: usize = field::ETHERTYPE.end;

/// How many tags a packet keeps (Suricata's `VLAN_MAX_LAYERS`).
pub const MAX_TAGS: usize = 3;

/// A read-only view of one VLAN tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tag<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Tag<T> {
    /// Wraps a buffer without checking it.
    pub const fn new_unchecked(buffer: T) -> Tag<T> {
        Tag { buffer }
    }

    /// Wraps a buffer after [`Tag::check_len`].
    ///
    /// # Errors
    /// `vlan.header_too_small` when the 4 bytes are not there.
    pub fn new_checked(buffer: T) -> Result<Tag<T>, DecodeEvent> {
        let tag = Tag::new_unchecked(buffer);
        tag.check_len()?;
        Ok(tag)
    }

    /// Checks that the tag fits.
    ///
    /// # Errors
    /// `vlan.header_too_small` when it does not.
    pub fn check_len(&self) -> Result<(), DecodeEvent> {
        if self.buffer.as_ref().len() < HEADER_LEN {
            Err(DecodeEvent::VlanHeaderTooSmall)
        } else {
            Ok(())
        }
    }

    /// The raw tag control information.
    pub fn tci(&self) -> u16 {
        be16(self.buffer.as_ref(), field::TCI.start)
    }

    /// Priority code point (3 bits).
    pub fn priority(&self) -> u8 {
        (self.tci() >> 13) as u8
    }

    /// Drop eligible indicator.
    pub fn dei(&self) -> bool {
        self.tci() & 0x1000 != 0
    }

    /// VLAN identifier (12 bits).
    pub fn vlan_id(&self) -> u16 {
        self.tci() & 0x0fff
    }

    /// The EtherType of what follows the tag.
    pub fn ethertype(&self) -> u16 {
        be16(self.buffer.as_ref(), field::ETHERTYPE.start)
    }

    /// The bytes after the tag.
    pub fn payload(&self) -> &[u8] {
        super::bytes::tail(self.buffer.as_ref(), HEADER_LEN)
    }
}

/// One kept VLAN tag: which TPID introduced it and its VLAN id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct VlanTag {
    /// The EtherType that introduced the tag (0x8100, 0x88a8 or 0x9100).
    pub tpid: u16,
    /// The VLAN id (12 bits).
    pub id: u16,
    /// The priority code point.
    pub priority: u8,
}

/// Up to [`MAX_TAGS`] VLAN tags, outermost first. Never allocates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct VlanStack {
    tags: [VlanTag; MAX_TAGS],
    len: u8,
}

impl VlanStack {
    /// An empty stack.
    pub const fn new() -> VlanStack {
        VlanStack {
            tags: [VlanTag {
                tpid: 0,
                id: 0,
                priority: 0,
            }; MAX_TAGS],
            len: 0,
        }
    }

    /// The tags, outermost first.
    pub fn as_slice(&self) -> &[VlanTag] {
        self.tags.get(..usize::from(self.len)).unwrap_or(&[])
    }

    /// Number of tags.
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Whether there is no tag.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The VLAN ids, outermost first (what the flow key uses).
    pub fn ids(&self) -> impl Iterator<Item = u16> + '_ {
        self.as_slice().iter().map(|t| t.id)
    }

    /// Adds a tag; returns false (and keeps nothing) when full.
    pub(crate) fn push(&mut self, tag: VlanTag) -> bool {
        match self.tags.get_mut(usize::from(self.len)) {
            Some(slot) => {
                *slot = tag;
                self.len += 1;
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // TCI: priority 5, DEI 1, VID 0x123 -> 1011 0001 0010 0011 = 0xb123
    static TAG: [u8; 6] = [0xb1, 0x23, 0x08, 0x00, 0x45, 0x00];

    #[test]
    fn deconstruct() {
        let t = Tag::new_checked(&TAG[..]).expect("valid");
        assert_eq!(t.priority(), 5);
        assert!(t.dei());
        assert_eq!(t.vlan_id(), 0x123);
        assert_eq!(t.ethertype(), 0x0800);
        assert_eq!(t.payload(), &[0x45, 0x00]);
    }

    #[test]
    fn truncation_sweep() {
        for cut in 0..HEADER_LEN {
            assert_eq!(
                Tag::new_checked(&TAG[..cut]).err(),
                Some(DecodeEvent::VlanHeaderTooSmall)
            );
        }
    }

    #[test]
    fn stack_is_capped() {
        let mut s = VlanStack::new();
        for id in 1..=3 {
            assert!(s.push(VlanTag {
                tpid: 0x8100,
                id,
                priority: 0
            }));
        }
        assert!(!s.push(VlanTag {
            tpid: 0x8100,
            id: 4,
            priority: 0
        }));
        assert_eq!(s.ids().collect::<Vec<_>>(), vec![1, 2, 3]);
    }
}
