//! Signature groups (Suricata's signature group heads): which rules can
//! match a packet, decided by its IP protocol, its flow direction and one
//! of its ports, before any byte of payload is looked at.
//!
//! Layout: TCP and UDP each have two *sides*. The to-server side (packets
//! of a flow's client, and packets without a known direction) is keyed by
//! the destination port and holds every rule that is not `flow:to_client`;
//! the to-client side is keyed by the source port (the server's port on
//! replies) and holds every rule that is not `flow:to_server`. On a side,
//! a rule belongs to port `p` when `p` is in its port set for that side
//! (destination ports on the to-server side, source ports on the other;
//! both for `<>` rules); a rule with `any` there belongs to every port.
//! ICMP, other IP protocols and packets without IP have one group each.
//!
//! Memory stays bounded as in Suricata's whole-port-range merge: only the
//! `own_ports` ports named by most rules get their own group; every other
//! port shares one merged group holding each rule that can match on any
//! of them. Groups with the same rules are one group. A side is a table
//! of 65,536 `u16` group numbers (128 KiB). Correctness never depends on
//! the grouping: a group holds at least every rule that can match a
//! packet routed to it (see [`Layout::build`]).

use std::collections::HashMap;

use crate::rule::keywords::flow::FlowDirection;
use crate::rule::{Condition, PortSet, Protocol};

use super::super::engine::CompiledRule;
use super::super::packet::View;

/// Index of a protocol class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Tcp = 0,
    Udp = 1,
    Icmp = 2,
    Other = 3,
    NoIp = 4,
}

const PORT_CLASSES: [Class; 2] = [Class::Tcp, Class::Udp];

fn rule_classes(p: &Protocol) -> &'static [Class] {
    match p {
        Protocol::Tcp | Protocol::TcpPkt => &[Class::Tcp],
        Protocol::Udp => &[Class::Udp],
        Protocol::Icmp | Protocol::Icmpv4 | Protocol::Icmpv6 => &[Class::Icmp],
        Protocol::Igmp | Protocol::Sctp => &[Class::Other],
        Protocol::Ip | Protocol::Ipv4 | Protocol::Ipv6 => {
            &[Class::Tcp, Class::Udp, Class::Icmp, Class::Other]
        }
        Protocol::Pkthdr => &[
            Class::Tcp,
            Class::Udp,
            Class::Icmp,
            Class::Other,
            Class::NoIp,
        ],
        // An application-layer protocol runs over TCP or UDP (the rule's
        // own check then wants the flow's detected protocol).
        Protocol::App(_) => &[Class::Tcp, Class::Udp],
        // Anything else: every class with IP; the rule's own check
        // decides.
        _ => &[Class::Tcp, Class::Udp, Class::Icmp, Class::Other],
    }
}

/// The two sides of a port-keyed protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    ToServer = 0,
    ToClient = 1,
}

/// Settings for the grouping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GroupSettings {
    /// Ports with their own group on the to-server side (per protocol).
    pub to_server_ports: usize,
    /// Ports with their own group on the to-client side (per protocol).
    pub to_client_ports: usize,
}

impl Default for GroupSettings {
    /// 25 and 10 own ports: in the range of Suricata's `detect.profile`
    /// group counts, and enough for ET Open's port lists.
    fn default() -> Self {
        GroupSettings {
            to_server_ports: 25,
            to_client_ports: 10,
        }
    }
}

/// Which group each packet goes to, and each group's rules (indexes into
/// the engine's rules, ascending).
#[derive(Debug)]
pub struct Layout {
    /// `[class][side]` port tables for TCP and UDP.
    tables: [[Box<[u16]>; 2]; 2],
    /// `[class][side]` merged group (ports without their own group).
    merged: [[u16; 2]; 2],
    /// Groups of ICMP, other protocols and packets without IP.
    single: [u16; 3],
    /// Each group's rules.
    pub groups: Vec<Vec<u32>>,
}

fn side_ok(r: &CompiledRule, side: Side) -> bool {
    r.conditions.iter().all(|c| match c {
        Condition::Flow(f) => !matches!(
            (f.direction, side),
            (Some(FlowDirection::ToClient), Side::ToServer)
                | (Some(FlowDirection::ToServer), Side::ToClient)
        ),
        _ => true,
    })
}

/// The ports a rule can match on one side, or `None` for all of them.
fn side_ports(r: &CompiledRule, side: Side) -> Option<Vec<(u16, u16)>> {
    let e = r.endpoints.as_ref()?;
    let (main, other): (&PortSet, &PortSet) = match side {
        Side::ToServer => (&e.dst_ports, &e.src_ports),
        Side::ToClient => (&e.src_ports, &e.dst_ports),
    };
    if main.is_any() || (r.both_ways && other.is_any()) {
        return None;
    }
    let mut v = main.ranges().to_vec();
    if r.both_ways {
        v.extend_from_slice(other.ranges());
    }
    Some(v)
}

fn contains(ranges: &[(u16, u16)], p: u16) -> bool {
    ranges.iter().any(|&(lo, hi)| lo <= p && p <= hi)
}

/// Groups interned by their rule lists.
#[derive(Default)]
struct Interner {
    ids: HashMap<Vec<u32>, u16>,
    groups: Vec<Vec<u32>>,
}

impl Interner {
    fn add(&mut self, mut rules: Vec<u32>) -> u16 {
        rules.sort_unstable();
        rules.dedup();
        if let Some(&id) = self.ids.get(&rules) {
            return id;
        }
        // At most 2 classes x 2 sides x (own ports + 1) + 3 groups: far
        // below u16::MAX for any settings a caller passes sensibly; the
        // cast saturates rather than wraps for absurd ones.
        let id = u16::try_from(self.groups.len()).unwrap_or(u16::MAX);
        self.ids.insert(rules.clone(), id);
        self.groups.push(rules);
        id
    }
}

impl Layout {
    /// Groups `rules`.
    ///
    /// Each port-keyed side: rules whose side ports are all ports go to
    /// every group; the others are counted per port (a difference array
    /// over their ranges), the `own` most-named ports get a group of the
    /// all-port rules plus the rules naming that port, and every other
    /// port maps to a merged group of the all-port rules plus each rule
    /// naming at least one port that is not an own port.
    pub fn build(rules: &[CompiledRule], settings: GroupSettings) -> Layout {
        let mut interner = Interner::default();
        let in_class = |c: Class| {
            rules
                .iter()
                .enumerate()
                .filter(move |(_, r)| rule_classes(&r.protocol).contains(&c))
        };
        let mut tables: [[Box<[u16]>; 2]; 2] = Default::default();
        let mut merged = [[0u16; 2]; 2];
        for class in PORT_CLASSES {
            for side in [Side::ToServer, Side::ToClient] {
                let own = match side {
                    Side::ToServer => settings.to_server_ports,
                    Side::ToClient => settings.to_client_ports,
                };
                let mut all_ports = Vec::new();
                let mut specific: Vec<(u32, Vec<(u16, u16)>)> = Vec::new();
                for (i, r) in in_class(class).filter(|(_, r)| side_ok(r, side)) {
                    match side_ports(r, side) {
                        None => all_ports.push(i as u32),
                        Some(ranges) => specific.push((i as u32, ranges)),
                    }
                }
                let (t, m) = side_table(&all_ports, &specific, own, &mut interner);
                tables[class as usize][side as usize] = t;
                merged[class as usize][side as usize] = m;
            }
        }
        let mut single = [0u16; 3];
        for (slot, class) in [Class::Icmp, Class::Other, Class::NoIp]
            .into_iter()
            .enumerate()
        {
            single[slot] = interner.add(in_class(class).map(|(i, _)| i as u32).collect());
        }
        Layout {
            tables,
            merged,
            single,
            groups: interner.groups,
        }
    }

    /// The groups in *families* that share one set of automata: each
    /// port-keyed side (TCP/UDP x to-server/to-client) is one family,
    /// ICMP, other protocols and packets without IP one each. Every group
    /// is in exactly one family (the first that routes packets to it);
    /// families without groups are left out.
    pub fn families(&self) -> Vec<Vec<usize>> {
        let mut seen = vec![false; self.groups.len()];
        let mut out = Vec::new();
        let mut add = |ids: &mut dyn Iterator<Item = u16>| {
            let mut fam = Vec::new();
            for id in ids {
                let g = usize::from(id);
                if !seen[g] {
                    seen[g] = true;
                    fam.push(g);
                }
            }
            if !fam.is_empty() {
                out.push(fam);
            }
        };
        for class in 0..2 {
            for side in 0..2 {
                let merged = self.merged[class][side];
                add(&mut std::iter::once(merged).chain(self.tables[class][side].iter().copied()));
            }
        }
        for id in self.single {
            add(&mut std::iter::once(id));
        }
        out
    }

    /// The group of the packet `v`.
    pub fn group_of(&self, v: &View<'_, '_>) -> usize {
        let Some(ip) = v.ip else {
            return usize::from(self.single[2]);
        };
        let class = match ip.proto {
            6 => 0,
            17 => 1,
            1 | 58 => return usize::from(self.single[0]),
            _ => return usize::from(self.single[1]),
        };
        let to_client = v
            .ctx
            .flow
            .is_some_and(|f| f.direction == crate::flow::Direction::ToClient);
        let side = usize::from(to_client);
        let table = &self.tables[class][side];
        let port = match v.ports {
            Some((sp, dp)) => {
                if to_client {
                    sp
                } else {
                    dp
                }
            }
            // No ports (a truncated header): the merged group, which
            // holds every all-port rule; rules naming ports cannot match.
            None => return usize::from(self.merged[class][side]),
        };
        usize::from(table[usize::from(port)])
    }
}

/// One side's port table.
fn side_table(
    all_ports: &[u32],
    specific: &[(u32, Vec<(u16, u16)>)],
    own: usize,
    interner: &mut Interner,
) -> (Box<[u16]>, u16) {
    let mut diff = vec![0i64; 65537];
    for (_, ranges) in specific {
        for &(lo, hi) in ranges {
            diff[usize::from(lo)] += 1;
            diff[usize::from(hi) + 1] -= 1;
        }
    }
    let mut counts: Vec<(i64, u16)> = Vec::new();
    let mut run = 0i64;
    for (p, d) in diff.iter().take(65536).enumerate() {
        run += d;
        if run > 0 {
            counts.push((run, p as u16));
        }
    }
    // Most-named first, lower port first among equals.
    counts.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut own_ports: Vec<u16> = counts.iter().take(own).map(|c| c.1).collect();
    own_ports.sort_unstable();
    // The merged group: all-port rules plus every rule with a port
    // outside the own ports.
    let mut merged: Vec<u32> = all_ports.to_vec();
    for (i, ranges) in specific {
        if !ranges_only_own(ranges, &own_ports) {
            merged.push(*i);
        }
    }
    let merged_id = interner.add(merged);
    let mut table = vec![merged_id; 65536].into_boxed_slice();
    for &p in &own_ports {
        let mut g: Vec<u32> = all_ports.to_vec();
        g.extend(
            specific
                .iter()
                .filter(|(_, r)| contains(r, p))
                .map(|(i, _)| *i),
        );
        table[usize::from(p)] = interner.add(g);
    }
    (table, merged_id)
}

/// Whether every port of `ranges` is one of `own` (sorted, distinct).
/// Counting per range, not over the union, so overlapping ranges (a `<>`
/// rule's two sets) are judged exactly.
fn ranges_only_own(ranges: &[(u16, u16)], own: &[u16]) -> bool {
    ranges.iter().all(|&(lo, hi)| {
        let n = u32::from(hi) - u32::from(lo) + 1;
        let inside = own.iter().filter(|&&p| lo <= p && p <= hi).count() as u32;
        inside == n
    })
}
