//! fragments: the fragments of one datagram in offset order, the overlap
//! walk that applies a [`Policy`] to a new fragment, the completeness test
//! and the byte assembly.
//!
//! # Model (Suricata 8.0.6 `defrag.c`, reproduced rule by rule)
//!
//! Each stored fragment covers `[offset, offset + len)` of the fragmentable
//! part and may carry a *front trim* (`ltrim`): bytes that a later fragment
//! took over. The list is ordered by offset; a fragment whose offset equals
//! an existing one goes after it, so among equal offsets the later arrival
//! is copied later.
//!
//! Inserting is two steps, so the caller can check its memory budget in
//! between, as Suricata allocates only after the policy walk:
//!
//! 1. [`FragList::place`] walks the stored fragments the way Suricata's
//!    `DefragInsertFrag` does (starting at the fragment just before the first
//!    one at or after the new offset, or at the first fragment), lets the
//!    policy trim the new fragment (`ltrim` of the new one), trim earlier
//!    ones, remove one it fully replaces, or drop the new one, and reports
//!    whether any overlap was seen.
//! 2. [`FragList::store`] keeps the surviving part.
//!
//! [`FragList::is_complete`] and [`FragList::assemble`] follow
//! `Defrag4Reassemble`/`Defrag6Reassemble`: the first fragment must start at
//! 0, there must be no hole up to the largest end seen (fragments past the
//! last one included), and bytes are copied in list order so later copies
//! overwrite earlier ones; the copy stops after the last fragment (the one
//! without more-fragments) unless the next one starts at the same offset.
//!
//! Suricata's quirks are kept on purpose, because they decide which bytes
//! rules see: the walk looks only from the fragment preceding the new offset
//! onwards, so the `first` policy can let a new fragment overwrite an older
//! long fragment that starts two positions earlier; an offset-0 fragment is
//! copied whole (its front trim ignored) and sets the fragmentable length
//! to its own length; BSD *assigns* the next fragment's trim, even when the
//! new fragment is then dropped, so duplicates can erase data (see
//! `bsd_duplicate_next_trim_truncates_like_suricata`); the copy stops at the
//! first fragment that starts after the last fragment, even when the last
//! fragment's front was trimmed away, leaving zeros where Suricata leaves
//! whatever its packet buffer held (see
//! `linux_copy_stops_after_the_last_fragment_like_suricata`). With
//! overlapping fragments of *identical* content these quirks can still
//! change the bytes; with a clean cut delivered in any order, with exact
//! duplicates, every policy rebuilds the original (property-tested).
//!
//! # Deliberate differences
//!
//! * Offsets and trims are `u32` and the Linux/Windows trim accumulation
//!   saturates instead of wrapping a `u16` (only reachable with fragment
//!   data past 64 KiB, which the caller rejects first).
//! * Fragment data is assembled in its own buffer, so two offset-0
//!   fragments with different IPv4 header lengths cannot shift each other's
//!   bytes (Suricata copies whole packets over one another).
//!
//! # Bounds
//!
//! Every step of the walk advances one position or ends it; the list length
//! is capped by the caller (`max_frags_per_datagram`), so `place`,
//! `is_complete` and `assemble` are linear in a bounded length.

use super::policy::Policy;
use std::mem::size_of;

/// One stored fragment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Frag {
    /// Start of `data` in the fragmentable part (after insert-time trim).
    offset: u32,
    /// The stored bytes.
    data: Box<[u8]>,
    /// Leading bytes superseded by later fragments.
    ltrim: u32,
    /// The more-fragments flag.
    more: bool,
    /// The IP header to rebuild the datagram with (offset-0 fragments only).
    header: Option<Box<[u8]>>,
}

impl Frag {
    fn len(&self) -> u32 {
        u32::try_from(self.data.len()).unwrap_or(u32::MAX)
    }

    fn end(&self) -> u32 {
        self.offset.saturating_add(self.len())
    }
}

/// What the policy decided for a new fragment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Placement {
    /// Whether the new fragment overlapped a stored one (Suricata's
    /// `frag_overlap` event).
    pub overlap: bool,
    /// `Some(trim)`: store the fragment minus its first `trim` bytes;
    /// `None`: the fragment is dropped (fully covered, or empty).
    pub store: Option<u32>,
}

/// What one step of the walk decided.
enum Step {
    /// Look at the next stored fragment.
    Next,
    /// Stop: the new fragment is not stored.
    Drop,
    /// Stop and store the new fragment; remove the current stored one if
    /// `remove` (or if it is now trimmed away entirely).
    Insert { remove: bool },
}

/// The bytes and header of a complete datagram.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Assembly<'a> {
    /// The header of the (last) offset-0 fragment.
    pub header: &'a [u8],
    /// The fragmentable part.
    pub data: Vec<u8>,
}

/// The fragments of one datagram.
#[derive(Clone, Debug, Default)]
pub(crate) struct FragList {
    frags: Vec<Frag>,
    /// A fragment without more-fragments has been stored.
    seen_last: bool,
    /// Sum of stored data and header bytes.
    bytes: usize,
}

impl FragList {
    /// An empty list.
    pub(crate) fn new() -> FragList {
        FragList::default()
    }

    /// Number of stored fragments.
    pub(crate) fn len(&self) -> usize {
        self.frags.len()
    }

    /// Whether a fragment without more-fragments was stored.
    pub(crate) fn seen_last(&self) -> bool {
        self.seen_last
    }

    /// Heap bytes held: the fragment records (by capacity) and their data
    /// and header buffers.
    pub(crate) fn memory(&self) -> usize {
        self.frags.capacity() * size_of::<Frag>() + self.bytes
    }

    /// An upper bound of what storing one more fragment with
    /// `payload` data and header bytes adds to [`FragList::memory`],
    /// including a possible growth of the record vector.
    pub(crate) fn growth_bound(&self, payload: usize) -> usize {
        let grow = if self.frags.len() == self.frags.capacity() {
            self.frags.capacity().max(4) * size_of::<Frag>()
        } else {
            0
        };
        grow + payload
    }

    /// Frees every fragment (the list stays usable, empty).
    pub(crate) fn clear(&mut self) {
        self.frags = Vec::new();
        self.bytes = 0;
        self.seen_last = false;
    }

    /// Applies `policy` to a new fragment covering `[offset, offset + len)`:
    /// trims or removes stored fragments as the policy says and returns
    /// whether (and how trimmed) the new one is to be stored.
    pub(crate) fn place(&mut self, policy: Policy, offset: u32, len: u32) -> Placement {
        let fo = offset;
        let fe = offset.saturating_add(len);
        let mut lt = 0u32;
        let mut overlap = false;
        if !self.frags.is_empty() {
            // Suricata: NFIND(offset - 1) as u16, i.e. the first fragment at
            // or after `offset` (none when offset is 0, as 0 - 1 wraps), then
            // one step back; without such a fragment the walk starts at the
            // lowest one.
            let start = if fo == 0 {
                0
            } else {
                let at = self.frags.partition_point(|f| f.offset < fo);
                if at < self.frags.len() {
                    at.saturating_sub(1)
                } else {
                    0
                }
            };
            let mut i = start;
            while i < self.frags.len() {
                let (head, tail) = self.frags.split_at_mut(i + 1);
                let Some(prev) = head.last_mut() else { break };
                let next = tail.first_mut();
                if fo < prev.end() && prev.offset < fe {
                    overlap = true;
                }
                match step(policy, fo, fe, &mut lt, prev, next) {
                    Step::Next => i += 1,
                    Step::Drop => {
                        return Placement {
                            overlap,
                            store: None,
                        }
                    }
                    Step::Insert { remove } => {
                        if remove || prev.ltrim >= prev.len() {
                            self.remove(i);
                        }
                        break;
                    }
                }
            }
        }
        Placement {
            overlap,
            store: (lt < len).then_some(lt),
        }
    }

    /// Stores a fragment that [`FragList::place`] accepted: `offset` and
    /// `data` already trimmed; `header` is kept only when `offset` is 0.
    pub(crate) fn store(&mut self, offset: u32, data: &[u8], more: bool, header: Option<&[u8]>) {
        let header = if offset == 0 {
            header.map(Box::<[u8]>::from)
        } else {
            None
        };
        let frag = Frag {
            offset,
            data: Box::from(data),
            ltrim: 0,
            more,
            header,
        };
        self.bytes += frag.data.len() + frag.header.as_ref().map_or(0, |h| h.len());
        // After every fragment with the same offset.
        let at = self.frags.partition_point(|f| f.offset <= offset);
        self.frags.insert(at, frag);
        if !more {
            self.seen_last = true;
        }
    }

    fn remove(&mut self, i: usize) {
        if i < self.frags.len() {
            let f = self.frags.remove(i);
            self.bytes = self
                .bytes
                .saturating_sub(f.data.len() + f.header.as_ref().map_or(0, |h| h.len()));
        }
    }

    /// Whether the datagram can be rebuilt: the last fragment was seen, the
    /// lowest fragment starts at 0 and no hole lies below the largest end
    /// of any stored fragment.
    pub(crate) fn is_complete(&self) -> bool {
        if !self.seen_last {
            return false;
        }
        match self.frags.first() {
            Some(f) if f.offset == 0 => {}
            _ => return false,
        }
        let mut covered = 0u32;
        for f in &self.frags {
            if f.offset > covered {
                return false;
            }
            covered = covered.max(f.end());
        }
        true
    }

    /// Copies the fragments into one buffer, in list order (see the module
    /// docs). `None` when no offset-0 fragment survives to give the header.
    pub(crate) fn assemble(&self) -> Option<Assembly<'_>> {
        // Pass 1: which fragments are copied, the header, the length.
        let mut header: Option<&[u8]> = None;
        let mut total = 0u32;
        let mut used = 0usize;
        let mut more = true;
        let mut prev_offset = 0u32;
        for f in &self.frags {
            if !more && f.offset > prev_offset {
                break;
            }
            used += 1;
            if f.ltrim >= f.len() {
                continue;
            }
            if f.offset == 0 {
                header = f.header.as_deref();
                total = f.len();
            } else {
                total = total.max(f.end());
            }
            more = f.more;
            prev_offset = f.offset;
        }
        let header = header?;
        // Pass 2: copy; later copies overwrite earlier ones.
        let total_len = usize::try_from(total).ok()?;
        let mut data = vec![0u8; total_len];
        for f in self.frags.iter().take(used) {
            if f.ltrim >= f.len() {
                continue;
            }
            let (from, skip) = if f.offset == 0 {
                (0usize, 0usize)
            } else {
                (
                    usize::try_from(f.offset.saturating_add(f.ltrim)).ok()?,
                    usize::try_from(f.ltrim).ok()?,
                )
            };
            let src = f.data.get(skip..).unwrap_or(&[]);
            let room = total_len.saturating_sub(from);
            let n = src.len().min(room);
            if let (Some(dst), Some(src)) = (data.get_mut(from..from + n), src.get(..n)) {
                dst.copy_from_slice(src);
            }
        }
        Some(Assembly { header, data })
    }
}

/// One step of the overlap walk: `prev` is the stored fragment looked at,
/// `next` the one after it; `lt` the new fragment's trim so far. The
/// conditions are Suricata's, term for term.
fn step(
    policy: Policy,
    fo: u32,
    fe: u32,
    lt: &mut u32,
    prev: &mut Frag,
    next: Option<&mut Frag>,
) -> Step {
    let p_off = prev.offset;
    let p_end = prev.end();
    match policy {
        Policy::Bsd => {
            if fo >= p_end {
                return Step::Next;
            }
            if p_off <= fo {
                // The earlier fragment is preferred: trim the new one.
                if p_end > fe {
                    return Step::Drop;
                }
                *lt = p_end - fo;
                trim_next(next, fe);
                return Step::Insert { remove: false };
            }
            // The new fragment starts first: it takes over the front of
            // the earlier one.
            if fe > p_off.saturating_add(prev.ltrim) {
                prev.ltrim = prev.ltrim.max(fe - p_off);
            }
            trim_next(next, fe);
            Step::Insert { remove: false }
        }
        Policy::Linux => {
            let p_start = p_off.saturating_add(prev.ltrim);
            if p_start < fo.saturating_add(*lt) && p_end > fo.saturating_add(*lt) {
                *lt = lt.saturating_add(p_end - fo);
            }
            let n_start = fo.saturating_add(*lt);
            if n_start < p_start && fe > p_start {
                prev.ltrim = prev.ltrim.saturating_add(fe - p_start);
                return Step::Insert { remove: false };
            }
            if n_start <= p_start && fe >= p_end {
                return Step::Insert { remove: true };
            }
            Step::Next
        }
        Policy::Windows => {
            if fo >= p_off && fe <= p_end {
                return Step::Drop;
            }
            if fo < p_off && fe > p_end {
                return Step::Insert { remove: true };
            }
            let n_start = fo.saturating_add(*lt);
            if n_start > p_off.saturating_add(prev.ltrim) && n_start < p_end {
                *lt = lt.saturating_add(p_end - fo);
                return Step::Insert { remove: false };
            }
            if fo == p_off && fe > p_end {
                *lt = lt.saturating_add(p_end - fo);
                return Step::Insert { remove: false };
            }
            Step::Next
        }
        Policy::Solaris => {
            if fo >= p_end {
                return Step::Next;
            }
            if fo >= p_off {
                *lt = p_end - fo;
            }
            Step::Insert {
                remove: fo < p_off && fe >= p_end,
            }
        }
        Policy::First => {
            if fo >= p_off && fe <= p_end {
                return Step::Drop;
            }
            if fo < p_off {
                return Step::Insert { remove: false };
            }
            if fo < p_end {
                *lt = p_end - fo;
                return Step::Insert { remove: false };
            }
            Step::Next
        }
        Policy::Last => {
            if fo <= p_off {
                if fe > p_off {
                    prev.ltrim = fe - p_off;
                }
                return Step::Insert { remove: false };
            }
            Step::Next
        }
        Policy::BsdRight => Step::Next,
    }
}

/// BSD: the fragment after the one looked at loses what the new fragment
/// covers (an assignment, as in Suricata).
fn trim_next(next: Option<&mut Frag>, fe: u32) {
    if let Some(n) = next {
        if fe > n.offset {
            n.ltrim = fe - n.offset;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `(offset, bytes, more)` fragments; returns the overlap flags
    /// and the assembled data once complete.
    fn run(policy: Policy, frags: &[(u32, &[u8], bool)]) -> (Vec<bool>, Option<Vec<u8>>) {
        let mut list = FragList::new();
        let mut overlaps = Vec::new();
        for &(offset, data, more) in frags {
            let p = list.place(policy, offset, data.len() as u32);
            overlaps.push(p.overlap);
            if let Some(trim) = p.store {
                let t = trim as usize;
                let hdr: &[u8] = b"HDR";
                list.store(offset + trim, &data[t..], more, Some(hdr));
            }
        }
        let out = if list.is_complete() {
            list.assemble().map(|a| {
                assert_eq!(a.header, b"HDR");
                a.data
            })
        } else {
            None
        };
        (overlaps, out)
    }

    fn fill(c: u8, n: usize) -> Vec<u8> {
        vec![c; n]
    }

    #[test]
    fn in_order_and_reverse() {
        let (a, b, c) = (fill(b'A', 8), fill(b'B', 8), fill(b'C', 3));
        for policy in Policy::ALL {
            let (ov, out) = run(policy, &[(0, &a, true), (8, &b, true), (16, &c, false)]);
            assert_eq!(ov, vec![false; 3]);
            assert_eq!(out.as_deref(), Some(&b"AAAAAAAABBBBBBBBCCC"[..]));
            let (ov, out) = run(policy, &[(16, &c, false), (8, &b, true), (0, &a, true)]);
            assert_eq!(ov, vec![false; 3]);
            assert_eq!(out.as_deref(), Some(&b"AAAAAAAABBBBBBBBCCC"[..]));
        }
    }

    #[test]
    fn hole_means_incomplete() {
        let a = fill(b'A', 8);
        let (_, out) = run(Policy::Bsd, &[(0, &a, true), (16, &a, false)]);
        assert_eq!(out, None);
        // No first fragment.
        let (_, out) = run(Policy::Bsd, &[(8, &a, true), (16, &a, false)]);
        assert_eq!(out, None);
        // No last fragment.
        let (_, out) = run(Policy::Bsd, &[(0, &a, true), (8, &a, true)]);
        assert_eq!(out, None);
    }

    #[test]
    fn empty_fragment_is_never_stored() {
        let mut list = FragList::new();
        let p = list.place(Policy::Bsd, 8, 0);
        assert_eq!(p.store, None);
        assert!(!list.seen_last());
    }

    #[test]
    fn data_after_the_last_fragment_is_not_copied() {
        // Suricata's DefragMfIpv4Test: C at 16 (MF), A at 0 (MF), B at 8
        // (no MF): only A and B make the datagram.
        let (a, b, c) = (fill(b'A', 8), fill(b'B', 8), fill(b'C', 8));
        let (_, out) = run(
            Policy::Bsd,
            &[(16, &c, true), (0, &a, true), (8, &b, false)],
        );
        assert_eq!(out.as_deref(), Some(&b"AAAAAAAABBBBBBBB"[..]));
    }

    #[test]
    fn bsd_fragment_after_no_mf() {
        // | 0  | 8  | 16 | 24 | 32 |
        //                 AAAAAAAAA   (24, 16 bytes, last)
        //       BBBBBBBBB             (8, 16)
        //            CCCCCCCCC        (16, 16)
        //  DDDD                       (0, 8)
        // BSD: B keeps 8..24 (C starts after B), C keeps 24..32 (C starts
        // before A), A keeps 32..40.
        let (a, b, c, d) = (
            fill(b'A', 16),
            fill(b'B', 16),
            fill(b'C', 16),
            fill(b'D', 8),
        );
        let (_, out) = run(
            Policy::Bsd,
            &[
                (24, &a, false),
                (8, &b, true),
                (16, &c, true),
                (0, &d, true),
            ],
        );
        let want = [fill(b'D', 8), fill(b'B', 16), fill(b'C', 8), fill(b'A', 8)].concat();
        assert_eq!(out, Some(want));
    }

    #[test]
    fn bsd_subsequent_overlaps_start_of_original() {
        // E at 8..32 (last), then M at 0..24: M starts first, so it wins
        // 8..24 and E keeps 24..32.
        let (e, m) = (fill(b'E', 24), fill(b'M', 24));
        let (ov, out) = run(Policy::Bsd, &[(8, &e, false), (0, &m, true)]);
        assert_eq!(ov, vec![false, true]);
        assert_eq!(out, Some([fill(b'M', 24), fill(b'E', 8)].concat()));
    }

    #[test]
    fn bsd_subsequent_overlaps_start_of_original_2() {
        let (ov, out) = run(
            Policy::Bsd,
            &[
                (16, b"AABBCCDDAABBDDCC", true),
                (8, b"AACCBBDDAACCDDBB", true),
                (0, b"ZZZZZZZZ", true),
                (32, b"DDCCBBAA", false),
            ],
        );
        assert_eq!(ov, vec![false, true, false, false]);
        // 8..24 from the second fragment (it starts first), 24..32 from the
        // first fragment's second half.
        assert_eq!(
            out.as_deref(),
            Some(&b"ZZZZZZZZAACCBBDDAACCDDBBAABBDDCCDDCCBBAA"[..])
        );
    }

    #[test]
    fn bsd_missing_fragment_stays_incomplete() {
        let (_, out) = run(
            Policy::Bsd,
            &[
                (16, b"AABBCCDDAABBDDCC", true),
                (40, b"AACCBBDD", true),
                (8, b"AACCDDBBAADDBBCC", true),
                (0, b"ZZZZZZZZ", true),
                (48, b"DDCCBBAA", false),
            ],
        );
        assert_eq!(out, None);
    }

    #[test]
    fn linux_jeremy() {
        // A 0..24, B 40..88, C 24..72 (starts before B: takes 40..72 from
        // B), D 88..102 last.
        let (a, b, c, d) = (
            fill(b'A', 24),
            fill(b'B', 48),
            fill(b'C', 48),
            fill(b'D', 14),
        );
        let (_, out) = run(
            Policy::Linux,
            &[
                (0, &a, true),
                (40, &b, true),
                (24, &c, true),
                (88, &d, false),
            ],
        );
        let want = [
            fill(b'A', 24),
            fill(b'C', 48),
            fill(b'B', 16),
            fill(b'D', 14),
        ]
        .concat();
        assert_eq!(out, Some(want));
    }

    #[test]
    fn exact_duplicates_per_policy() {
        // The same 8 bytes at 8 twice, different content: first-wins
        // policies keep X, last-wins ones take Y.
        let (h, x, y, t) = (fill(b'H', 8), fill(b'X', 8), fill(b'Y', 8), fill(b'T', 8));
        let expect = |c: u8| [fill(b'H', 8), fill(c, 8), fill(b'T', 8)].concat();
        for (policy, winner) in [
            (Policy::First, b'X'),
            (Policy::Bsd, b'X'),
            (Policy::Windows, b'X'),
            (Policy::Solaris, b'X'),
            (Policy::Last, b'Y'),
            (Policy::Linux, b'Y'),
            (Policy::BsdRight, b'Y'),
        ] {
            let (ov, out) = run(
                policy,
                &[(0, &h, true), (8, &x, true), (8, &y, true), (16, &t, false)],
            );
            assert_eq!(ov, vec![false, false, true, false], "{policy}");
            assert_eq!(out, Some(expect(winner)), "{policy}");
        }
    }

    /// A Suricata quirk kept on purpose, traced by hand through
    /// `DefragInsertFrag`: BSD *assigns* the next fragment's trim even when
    /// the new fragment is then dropped, so a duplicate can erase data.
    ///
    /// B 8..32; C 8..45 (last) is trimmed to 32..45; D (same range) trims
    /// C' to nothing via next-trim and is stored as 32..45; E 32..45 trims
    /// D' to nothing the same way, removes C' and is itself dropped. With A
    /// at 0 the coverage test passes (D' still spans 32..45) but D' is
    /// skipped when copying: the datagram ends at 32.
    #[test]
    fn bsd_duplicate_next_trim_truncates_like_suricata() {
        let (a, b, c, d, e) = (
            fill(b'A', 8),
            fill(b'B', 24),
            fill(b'C', 37),
            fill(b'D', 37),
            fill(b'E', 13),
        );
        let (ov, out) = run(
            Policy::Bsd,
            &[
                (8, &b, true),
                (8, &c, false),
                (8, &d, false),
                (32, &e, false),
                (0, &a, true),
            ],
        );
        assert_eq!(ov, vec![false, true, true, true, false]);
        assert_eq!(out, Some([fill(b'A', 8), fill(b'B', 24)].concat()));
    }

    /// Another kept quirk: the copy stops at the first fragment after the
    /// last one (no more-fragments) that starts later, even when the last
    /// fragment's own bytes were trimmed away there.
    ///
    /// L 32..141 (last); B 8..56 takes L's front up to 56; C 16..24 is
    /// dropped; D 32..64 is stored as 56..64; E 40..64 takes L's front up to
    /// 64 and is stored whole; F 0..8 completes. Copy order F, B, L (from
    /// 64), then E starts after the last fragment's offset: stop. 56..64
    /// stays zero.
    #[test]
    fn linux_copy_stops_after_the_last_fragment_like_suricata() {
        let (l, b, c, d, e, f) = (
            fill(b'L', 109),
            fill(b'B', 48),
            fill(b'C', 8),
            fill(b'D', 32),
            fill(b'E', 24),
            fill(b'F', 8),
        );
        let (ov, out) = run(
            Policy::Linux,
            &[
                (32, &l, false),
                (8, &b, true),
                (16, &c, true),
                (32, &d, true),
                (40, &e, true),
                (0, &f, true),
            ],
        );
        assert_eq!(ov, vec![false, true, true, true, true, false]);
        let want = [fill(b'F', 8), fill(b'B', 48), fill(0, 8), fill(b'L', 77)].concat();
        assert_eq!(out, Some(want));
    }

    #[test]
    fn memory_tracks_bytes() {
        let mut list = FragList::new();
        assert_eq!(list.memory(), 0);
        let p = list.place(Policy::Bsd, 0, 8);
        assert_eq!(p.store, Some(0));
        list.store(0, &[1; 8], true, Some(&[0; 20]));
        assert!(list.memory() >= 28);
        assert!(list.memory() <= list.growth_bound(0) + 28 + 4 * size_of::<Frag>());
        list.clear();
        assert_eq!(list.memory(), 0);
    }
}
