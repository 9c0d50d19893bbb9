//! The fast-pattern prefilter: which rules are worth a full check on a
//! packet.
//!
//! Three steps, as in Suricata's detection engine:
//! 1. [`group`]: the packet's signature group, from its protocol, flow
//!    direction and port (to-server packets by destination port,
//!    to-client packets by source port).
//! 2. [`fast`]: each rule's fast pattern, chosen as Suricata chooses it
//!    (explicit `fast_pattern`, else the longest, then strongest, pattern
//!    of the highest-priority buffer).
//! 3. [`matcher`]: one pattern matcher (hashed-window filters,
//!    [`window`]) per *family* of groups
//!    (each port-keyed side of TCP and UDP, ICMP, other protocols, no IP:
//!    [`group::Layout::families`]) and inspection buffer
//!    ([`crate::rule::Buffer`]) over the fast patterns of the family's
//!    rules; the rules whose pattern occurs and that are in the packet's
//!    group (a per-group rule bitset) are candidates. Groups of one side
//!    share most of their rules, so one automaton per family costs a
//!    fraction of one per group (ET Open: at most 7 matchers instead of 55).
//!
//! Rules without a usable fast pattern (no content, or only negated
//! ones) whose source or destination set is small are found by the
//! packet's address in the family's address tables ([`addr`]); the
//! other rules without a usable fast pattern are in their group's
//! *always* list and get the full check on
//! every packet of the group. Rules whose fast pattern is in a buffer this
//! packet does not have yet (only the payload is inspected so far) are
//! candidates too: the full check decides, so nothing is lost when a
//! buffer's bytes cannot be had. Candidates are sorted and de-duplicated,
//! so alerts keep rule order.

mod addr;
mod fast;
mod fuzz;
mod group;
mod matcher;
mod window;

pub use fast::{buffer_priority, fast_pattern, pattern_strength, FastPatternChoice};
pub use fuzz::fuzz_matcher;
pub use group::GroupSettings;
pub use matcher::{MatcherSettings, PatternItem, PatternMatcher, ScanScratch};

use crate::rule::Buffer;

use super::engine::{CompiledRule, StreamMode};
use super::packet::View;
use group::Layout;

/// Settings for [`Prefilter::build`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PrefilterSettings {
    /// Port grouping.
    pub groups: GroupSettings,
    /// The automata.
    pub matcher: MatcherSettings,
}

/// Which bytes a prefilter pass reads: on TCP, which rules look at them
/// depends on the rule's stream mode (see
/// [`CompiledRule::matches`](super::engine::CompiledRule)), so each kind
/// of pass has its own payload matcher over only those rules' patterns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scan {
    /// The payload of a packet whose bytes did not go into a TCP stream
    /// (UDP, ICMP, TCP without reassembly): every rule but stream-only
    /// ones.
    Packet,
    /// The payload of a TCP packet whose bytes went into the stream:
    /// only packet-inspecting rules (`dsize`, `flags`, ..., and
    /// positional contents) read it; the others read the stream.
    PacketInStream,
    /// Reassembled stream data: every stream-inspecting rule.
    Stream,
}

impl Scan {
    const ALL: [Scan; 3] = [Scan::Packet, Scan::PacketInStream, Scan::Stream];

    /// Whether a rule in `mode` reads the bytes of this pass.
    fn reads(self, mode: StreamMode) -> bool {
        use StreamMode as M;
        match self {
            Scan::Packet => !matches!(mode, M::StreamOnly),
            Scan::PacketInStream => matches!(mode, M::NoPayload | M::Packet | M::StreamAndPacket),
            Scan::Stream => !matches!(mode, M::Packet),
        }
    }
}

/// One buffer's matcher in one family, and the passes it serves.
#[derive(Debug)]
struct BufferMatcher {
    buffer: Buffer,
    /// `None`: every pass.
    scan: Option<Scan>,
    matcher: PatternMatcher,
}

/// Groups that share automata: the fast patterns of every rule of every
/// group of the family (see [`Layout::families`]).
#[derive(Debug)]
struct Family {
    matchers: Vec<BufferMatcher>,
    /// The family's rules found by address rather than checked on every
    /// packet ([`addr`]).
    addrs: addr::AddrIndex,
}

/// One signature group.
#[derive(Debug)]
struct Group {
    /// Index into [`Prefilter::families`].
    family: usize,
    /// Bit `i`: rule `i` is in the group (a family's hits are kept only
    /// for the rules of the packet's group).
    members: Box<[u64]>,
    /// Rules without a usable fast pattern, ascending.
    always: Vec<u32>,
}

impl Group {
    fn has(&self, rule: u32) -> bool {
        let i = rule as usize;
        self.members
            .get(i / 64)
            .is_some_and(|w| w >> (i % 64) & 1 == 1)
    }
}

/// The prefilter of one engine.
#[derive(Debug)]
pub struct Prefilter {
    layout: Layout,
    families: Vec<Family>,
    groups: Vec<Group>,
}

/// Per-worker buffers of [`Prefilter::candidates`].
#[derive(Debug, Default)]
pub struct PrefilterScratch {
    scan: ScanScratch,
    hits: Vec<u32>,
    /// The `skip` mask the trimmed lists were built for.
    skip: Vec<bool>,
    /// Per group, its always list without the rules of `skip`, built on
    /// the group's first [`Prefilter::candidates`] with a non-empty mask.
    trimmed: Vec<Option<Box<[u32]>>>,
}

impl PrefilterScratch {
    /// The always list of group `g` without the rules `skip` names,
    /// built once per group (and again when `skip` changes).
    fn trimmed_always<'s>(&'s mut self, g: usize, always: &[u32], skip: &[bool]) -> &'s [u32] {
        if self.skip[..] != skip[..] {
            self.skip.clear();
            self.skip.extend_from_slice(skip);
            self.trimmed.clear();
        }
        if self.trimmed.len() <= g {
            self.trimmed.resize(g + 1, None);
        }
        self.trimmed[g].get_or_insert_with(|| {
            always
                .iter()
                .copied()
                .filter(|&i| skip.get(i as usize) != Some(&true))
                .collect()
        })
    }
}

/// The bytes of `buffer` in `v`, when the engine has them.
fn buffer_bytes<'a>(v: &View<'_, 'a>, buffer: Buffer) -> Option<&'a [u8]> {
    match buffer {
        Buffer::Payload => Some(v.payload),
        _ => None,
    }
}

impl Prefilter {
    /// Builds the prefilter; `fps[i]` is rule `i`'s fast pattern.
    ///
    /// # Errors
    /// The automaton builder's error, as text.
    pub fn build(
        rules: &[CompiledRule],
        fps: &[Option<FastPatternChoice>],
        settings: PrefilterSettings,
    ) -> Result<Prefilter, String> {
        let layout = Layout::build(rules, settings.groups);
        let usable = |i: u32| {
            fps.get(i as usize)
                .and_then(Option::as_ref)
                .filter(|fp| !fp.negated)
        };
        let words = rules.len().div_ceil(64);
        let mut groups: Vec<Option<Group>> = layout.groups.iter().map(|_| None).collect();
        let mut families = Vec::new();
        for fam in layout.families() {
            // The rules with a fast pattern in any group of the family,
            // and the others that can be found by address, each once.
            let mut in_family = vec![0u64; words];
            let mut seen = vec![0u64; words];
            let mut addr_candidates = Vec::new();
            for &g in &fam {
                for &i in &layout.groups[g] {
                    let (w, b) = (i as usize / 64, 1u64 << (i % 64));
                    if usable(i).is_some() {
                        in_family[w] |= b;
                    } else if seen[w] & b == 0 {
                        seen[w] |= b;
                        if let Some(side) = rules.get(i as usize).and_then(addr::key_side) {
                            addr_candidates.push((i, side));
                        }
                    }
                }
            }
            addr_candidates.sort_unstable_by_key(|c| c.0);
            let (addrs, taken) = addr::AddrIndex::build(rules, &addr_candidates);
            let mut by_addr = vec![0u64; words];
            for i in taken {
                by_addr[i as usize / 64] |= 1 << (i % 64);
            }
            for &g in &fam {
                let mut members = vec![0u64; words].into_boxed_slice();
                let mut always = Vec::new();
                for &i in &layout.groups[g] {
                    let (w, b) = (i as usize / 64, 1u64 << (i % 64));
                    members[w] |= b;
                    if usable(i).is_none() && by_addr[w] & b == 0 {
                        always.push(i);
                    }
                }
                always.sort_unstable();
                always.dedup();
                groups[g] = Some(Group {
                    family: families.len(),
                    members,
                    always,
                });
            }
            // Payload patterns: one matcher per kind of pass; other
            // buffers (no bytes yet: all their rules are candidates) one.
            let mut by_buffer: Vec<(Buffer, Option<Scan>, Vec<PatternItem<'_>>)> = Vec::new();
            for i in 0..rules.len() as u32 {
                if in_family[i as usize / 64] >> (i % 64) & 1 == 0 {
                    continue;
                }
                let Some(fp) = usable(i) else { continue };
                let item = PatternItem {
                    pattern: &fp.pattern,
                    nocase: fp.nocase,
                    rule: i,
                    max_end: fp.max_end,
                };
                let mode = rules[i as usize].stream_mode;
                let scans: Vec<Option<Scan>> = if fp.buffer == Buffer::Payload {
                    Scan::ALL
                        .into_iter()
                        .filter(|s| s.reads(mode))
                        .map(Some)
                        .collect()
                } else {
                    vec![None]
                };
                for scan in scans {
                    let slot = match by_buffer
                        .iter()
                        .position(|(b, s, _)| *b == fp.buffer && *s == scan)
                    {
                        Some(s) => s,
                        None => {
                            by_buffer.push((fp.buffer, scan, Vec::new()));
                            by_buffer.len() - 1
                        }
                    };
                    by_buffer[slot].2.push(item);
                }
            }
            let mut matchers = Vec::with_capacity(by_buffer.len());
            for (buffer, scan, items) in by_buffer {
                matchers.push(BufferMatcher {
                    buffer,
                    scan,
                    matcher: PatternMatcher::build(items, settings.matcher)?,
                });
            }
            families.push(Family { matchers, addrs });
        }
        // `families` covers every group; a group no family routes to
        // (none today) would get an empty one rather than a panic.
        let groups = groups
            .into_iter()
            .map(|g| {
                g.unwrap_or_else(|| Group {
                    family: usize::MAX,
                    members: Box::default(),
                    always: Vec::new(),
                })
            })
            .collect();
        Ok(Prefilter {
            layout,
            families,
            groups,
        })
    }

    /// How many distinct signature groups there are.
    pub fn group_count(&self) -> usize {
        self.groups.len()
    }

    /// Bytes of heap the automata use, all groups together.
    pub fn memory_usage(&self) -> usize {
        self.families
            .iter()
            .flat_map(|g| &g.matchers)
            .map(|m| m.matcher.memory_usage())
            .sum()
    }

    /// Fills `out` with the candidate rules for `v`, sorted, no repeats,
    /// when its payload is read by a pass of kind `scan`, without the
    /// always-list rules that `skip` names (`skip[i]`: leave rule `i`
    /// out; rules past its end stay, so `&[]` leaves none out). Rules
    /// selected by a fast pattern stay whatever `skip` says.
    ///
    /// The always list is sorted once at build; only the (few) hits are
    /// sorted per packet, then the two are merged. Trimmed always lists
    /// are built once per group and kept in `scratch` while `skip` stays
    /// the same, so a mask of the engine's IP-only rules (thousands of
    /// address-list rules in ET Open, evaluated only on a flow's first
    /// packets) costs nothing per packet.
    pub fn candidates(
        &self,
        v: &View<'_, '_>,
        scan: Scan,
        skip: &[bool],
        scratch: &mut PrefilterScratch,
        out: &mut Vec<u32>,
    ) {
        let gi = self.layout.group_of(v);
        self.scan_group(gi, v, scan, scratch);
        out.clear();
        if skip.is_empty() {
            merge_sorted(&self.groups[gi].always, &scratch.hits, out);
            return;
        }
        let hits = std::mem::take(&mut scratch.hits);
        let always = scratch.trimmed_always(gi, &self.groups[gi].always, skip);
        merge_sorted(always, &hits, out);
        scratch.hits = hits;
    }

    /// Leaves in `scratch.hits` the rules of group `gi` whose fast
    /// pattern occurs in `v` (or whose buffer `v` lacks), sorted, no
    /// repeats: the family's hits, kept for the group's members. Payload
    /// patterns come from the matcher of pass `scan` only.
    fn scan_group(&self, gi: usize, v: &View<'_, '_>, scan: Scan, scratch: &mut PrefilterScratch) {
        let g = &self.groups[gi];
        let hits = &mut scratch.hits;
        hits.clear();
        let Some(fam) = self.families.get(g.family) else {
            return;
        };
        for m in fam
            .matchers
            .iter()
            .filter(|m| m.scan.map_or(true, |s| s == scan))
        {
            match buffer_bytes(v, m.buffer) {
                Some(bytes) => m.matcher.scan(bytes, &mut scratch.scan, hits),
                None => m.matcher.all_rules(hits),
            }
        }
        if let Some((src, dst)) = v.addrs() {
            fam.addrs.lookup(src, dst, hits);
        }
        hits.retain(|&r| g.has(r));
        hits.sort_unstable();
        hits.dedup();
    }
}

/// Appends the union of two sorted, repeat-free lists to `out`, sorted.
fn merge_sorted(a: &[u32], b: &[u32], out: &mut Vec<u32>) {
    out.reserve(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while let (Some(&x), Some(&y)) = (a.get(i), b.get(j)) {
        match x.cmp(&y) {
            std::cmp::Ordering::Less => {
                out.push(x);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push(y);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                out.push(x);
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
}

#[cfg(test)]
mod merge_tests {
    use super::{merge_sorted, Scan, StreamMode};

    #[test]
    fn each_pass_serves_the_rules_that_read_its_bytes() {
        use StreamMode as M;
        let readers = |scan: Scan| {
            [M::Packet, M::Stream, M::StreamAndPacket, M::StreamOnly]
                .into_iter()
                .filter(|m| scan.reads(*m))
                .collect::<Vec<_>>()
        };
        // CompiledRule::matches: a payload that went into the stream is
        // read by packet and positional rules only; otherwise by all but
        // stream-only rules; the stream by all but packet rules.
        assert_eq!(
            readers(Scan::PacketInStream),
            [M::Packet, M::StreamAndPacket]
        );
        assert_eq!(
            readers(Scan::Packet),
            [M::Packet, M::Stream, M::StreamAndPacket]
        );
        assert_eq!(
            readers(Scan::Stream),
            [M::Stream, M::StreamAndPacket, M::StreamOnly]
        );
    }

    #[test]
    fn union_in_order_without_repeats() {
        let mut out = Vec::new();
        merge_sorted(&[1, 4, 9], &[2, 4, 10, 11], &mut out);
        assert_eq!(out, [1, 2, 4, 9, 10, 11]);
        out.clear();
        merge_sorted(&[], &[3], &mut out);
        assert_eq!(out, [3]);
    }
}
