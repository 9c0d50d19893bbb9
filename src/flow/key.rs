//! The flow key, its symmetric hash, and flow ids.
//!
//! A [`FlowKey`] names a connection independently of which side sent the
//! packet: the two endpoints (address, port) are stored in a canonical order
//! (the smaller endpoint first), so A→B and B→A build the *same* key and the
//! same [`FlowKey::symmetric_hash`]. The runtime dispatches packets with
//! `key.symmetric_hash() % n_workers`, so both directions of a connection land
//! on the worker that owns its flow.
//!
//! # What is in the key (Suricata 8, `src/flow-hash.c`)
//!
//! * Addresses, IP version, IP protocol, the tunnel depth
//!   (`recursion_level`, `decoder.recursion-level.use-for-tracking`, default
//!   on) and up to three VLAN ids (`vlan.use-for-tracking`, default on).
//!   Suricata's live-device id is not keyed: we read captures, not devices.
//! * TCP, UDP, SCTP: the ports.
//! * ICMPv4: the type and its "counterpart" type in place of the ports
//!   (echo 8 pairs with echo-reply 0, and so on: `ICMPv4GetCounterpart`), so
//!   a request and its reply share a flow. The code and the echo id are *not*
//!   part of the key (`CmpFlowICMPPacket` compares types only).
//! * ICMPv6: type and code of the packet plus the counterpart type
//!   (`ICMPv6GetCounterpart`); Suricata compares its `sp`/`dp` unions, which
//!   hold the code too.
//! * ICMPv4 destination-unreachable with a quoted TCP/UDP packet: the quoted
//!   connection's key ([`PacketKey::lookup_only`]: it finds that flow, never
//!   creates one). Other ICMPv4 error messages get no flow
//!   (`FlowCreateCheck`).
//! * ESP: addresses in packet order plus the SPI. ESP keys are *directional*
//!   (`FlowCompareESP` compares src with src), so each direction is its own
//!   flow; their hash still ignores the order, so both go to one worker.
//! * Tunnel outer packets ([`L4Meta::Other`]): addresses and protocol.
//!
//! # The hash
//!
//! [`FlowKey::symmetric_hash`] folds the key's six 64-bit words with a
//! 64×64→128-bit multiply whose halves are xored together (the mixing step
//! of wyhash and foldhash), seeded with a fixed constant. It is
//! deterministic: the same key hashes the same on every run, machine and
//! build, so a replay dispatches every packet to the same worker every time.
//! The price is that the seed is public, so an attacker who knows it can aim
//! many flows at one hash-table chain; [`FlowKey::symmetric_hash_seeded`] and
//! `FlowConfig::hash_seed` take another seed where that matters (live
//! capture). Distribution over workers and over table buckets is checked in
//! this module's tests.
//!
//! # Flow ids
//!
//! [`flow_id`] gives the 51-bit, non-zero id EVE prints as `flow_id`
//! (51 bits so JSON readers that parse numbers as doubles keep it exact, as
//! Suricata does). It is a bijection of (table id, flow sequence number), so
//! two flows never share an id while fewer than 2^40 flows pass one table.

use std::net::IpAddr;

use super::packet::{L4Meta, PacketMeta};

/// The fixed seed of [`FlowKey::symmetric_hash`].
pub const DEFAULT_HASH_SEED: u64 = 0x5EED_F10E_2026_0001;

const IPPROTO_ICMP: u8 = 1;

const KIND_V6: u8 = 0x01;
const KIND_DIRECTIONAL: u8 = 0x02;

/// A connection's identity, canonical in direction. See the module docs for
/// what each protocol puts in it. (`Default` is an all-zero key no packet
/// builds.)
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct FlowKey {
    /// Endpoint addresses as IPv6 octets (IPv4 mapped as `::ffff:a.b.c.d`),
    /// smaller endpoint first unless the key is directional.
    addrs: [[u8; 16]; 2],
    /// Ports (or ICMP type pairs), in the same order as `addrs`.
    ports: [u16; 2],
    /// ESP security parameters index, 0 for every other protocol.
    spi: u32,
    /// VLAN ids, 0 where absent or when VLAN tracking is off.
    vlan: [u16; 3],
    /// IP protocol.
    proto: u8,
    /// Tunnel depth, 0 when recursion tracking is off.
    recursion_level: u8,
    /// `KIND_V6` | `KIND_DIRECTIONAL`.
    kind: u8,
}

/// What to put in a key besides the tuple: Suricata's `*.use-for-tracking`
/// switches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyOptions {
    /// Key flows by VLAN ids too (`vlan.use-for-tracking`, default true).
    pub vlan_tracking: bool,
    /// Key flows by tunnel depth (`decoder.recursion-level.use-for-tracking`,
    /// default true).
    pub recursion_tracking: bool,
}

impl Default for KeyOptions {
    fn default() -> KeyOptions {
        KeyOptions {
            vlan_tracking: true,
            recursion_tracking: true,
        }
    }
}

/// A packet's key plus what the lookup needs to know about the packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PacketKey {
    /// The flow key.
    pub key: FlowKey,
    /// True when the packet's source endpoint is the key's first endpoint
    /// (for a new flow: the client is endpoint 0).
    pub src_is_first: bool,
    /// The packet may join an existing flow but never creates one (ICMPv4
    /// destination-unreachable quoting a connection).
    pub lookup_only: bool,
}

impl FlowKey {
    /// The key of `pkt`, or `None` when Suricata gives it no flow
    /// ([`L4Meta::None`], mixed address families, ICMPv4 error messages
    /// without a usable quoted packet).
    pub fn from_packet(pkt: &PacketMeta, opts: KeyOptions) -> Option<PacketKey> {
        let vlan = if opts.vlan_tracking { pkt.vlan } else { [0; 3] };
        let recursion_level = if opts.recursion_tracking {
            pkt.recursion_level
        } else {
            0
        };
        let symmetric = |src: IpAddr, dst: IpAddr, proto: u8, sp: u16, dp: u16, lookup_only| {
            let (a, b, v6) = addr_pair(src, dst)?;
            let src_is_first = (a, sp) <= (b, dp);
            let (addrs, ports) = if src_is_first {
                ([a, b], [sp, dp])
            } else {
                ([b, a], [dp, sp])
            };
            Some(PacketKey {
                key: FlowKey {
                    addrs,
                    ports,
                    spi: 0,
                    vlan,
                    proto,
                    recursion_level,
                    kind: if v6 { KIND_V6 } else { 0 },
                },
                src_is_first,
                lookup_only,
            })
        };
        match pkt.l4 {
            L4Meta::None => None,
            L4Meta::Tcp(t) => symmetric(pkt.src, pkt.dst, pkt.proto, t.src_port, t.dst_port, false),
            L4Meta::Udp { src_port, dst_port } | L4Meta::Sctp { src_port, dst_port } => {
                symmetric(pkt.src, pkt.dst, pkt.proto, src_port, dst_port, false)
            }
            L4Meta::Other => symmetric(pkt.src, pkt.dst, pkt.proto, 0, 0, false),
            L4Meta::Icmp {
                icmp_type,
                code,
                embedded,
            } => {
                if pkt.proto == IPPROTO_ICMP {
                    if icmp_type == ICMP_DEST_UNREACH {
                        let e = embedded?;
                        return symmetric(e.src, e.dst, e.proto, e.src_port, e.dst_port, true);
                    }
                    if icmpv4_is_error(icmp_type) {
                        return None;
                    }
                    let other = u16::from(icmpv4_counterpart(icmp_type).unwrap_or(0));
                    symmetric(
                        pkt.src,
                        pkt.dst,
                        pkt.proto,
                        u16::from(icmp_type),
                        other,
                        false,
                    )
                } else {
                    // ICMPv6 (and anything else that decoded as ICMP): the
                    // packet's type and code against the counterpart type.
                    let this = u16::from(icmp_type) | (u16::from(code) << 8);
                    let other = u16::from(icmpv6_counterpart(icmp_type).unwrap_or(0));
                    symmetric(pkt.src, pkt.dst, pkt.proto, this, other, false)
                }
            }
            L4Meta::Esp { spi } => {
                let (a, b, v6) = addr_pair(pkt.src, pkt.dst)?;
                let mut kind = KIND_DIRECTIONAL;
                if v6 {
                    kind |= KIND_V6;
                }
                Some(PacketKey {
                    key: FlowKey {
                        addrs: [a, b],
                        ports: [0, 0],
                        spi,
                        vlan,
                        proto: pkt.proto,
                        recursion_level,
                        kind,
                    },
                    src_is_first: true,
                    lookup_only: false,
                })
            }
        }
    }

    /// The deterministic hash used to pick a worker and a table bucket. Equal
    /// for both directions of a connection. See the module docs.
    #[inline]
    pub fn symmetric_hash(&self) -> u64 {
        self.symmetric_hash_seeded(DEFAULT_HASH_SEED)
    }

    /// [`FlowKey::symmetric_hash`] with another seed.
    #[inline]
    pub fn symmetric_hash_seeded(&self, seed: u64) -> u64 {
        // Directional (ESP) keys hash their addresses in sorted order so both
        // directions reach the same worker; the SPI stays out of the hash.
        let [a, b] = if self.kind & KIND_DIRECTIONAL != 0 && self.addrs[1] < self.addrs[0] {
            [self.addrs[1], self.addrs[0]]
        } else {
            self.addrs
        };
        let w = |bytes: &[u8; 16], half: usize| -> u64 {
            let mut word = [0u8; 8];
            if let Some(src) = bytes.get(half * 8..half * 8 + 8) {
                word.copy_from_slice(src);
            }
            u64::from_le_bytes(word)
        };
        let w4 = u64::from(self.ports[0])
            | (u64::from(self.ports[1]) << 16)
            | (u64::from(self.proto) << 32)
            | (u64::from(self.recursion_level) << 40)
            | (u64::from(self.kind & KIND_V6) << 48);
        let w5 = u64::from(self.vlan[0])
            | (u64::from(self.vlan[1]) << 16)
            | (u64::from(self.vlan[2]) << 32);
        let mut h = seed;
        h = fold_mul(w(&a, 0) ^ P0 ^ h, w(&a, 1) ^ P1);
        h = fold_mul(w(&b, 0) ^ P2 ^ h, w(&b, 1) ^ P3);
        h = fold_mul(w4 ^ P0 ^ h, w5 ^ P1);
        fold_mul(h ^ P2, P3)
    }

    /// IP protocol number.
    pub fn proto(&self) -> u8 {
        self.proto
    }

    /// True for an IPv6 flow.
    pub fn is_ipv6(&self) -> bool {
        self.kind & KIND_V6 != 0
    }

    /// Endpoint `i` (0 or 1) as (address, port). For ICMP the "port" is the
    /// keyed type (see the module docs); for ESP it is 0.
    pub fn endpoint(&self, i: usize) -> (IpAddr, u16) {
        let i = i.min(1);
        let octets = self.addrs.get(i).copied().unwrap_or([0; 16]);
        let port = self.ports.get(i).copied().unwrap_or(0);
        let v6 = std::net::Ipv6Addr::from(octets);
        let addr = if self.is_ipv6() {
            IpAddr::V6(v6)
        } else {
            v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4)
        };
        (addr, port)
    }

    /// True when endpoint `i`'s address is `addr`.
    pub(crate) fn addr_is(&self, i: usize, addr: IpAddr) -> bool {
        let octets = match addr {
            IpAddr::V4(a) => a.to_ipv6_mapped().octets(),
            IpAddr::V6(a) => a.octets(),
        };
        self.addrs.get(i.min(1)) == Some(&octets)
    }

    /// The port (or ICMP type pair half) of endpoint `i`.
    pub(crate) fn port(&self, i: usize) -> u16 {
        self.ports.get(i.min(1)).copied().unwrap_or(0)
    }
}

const P0: u64 = 0xa076_1d64_78bd_642f;
const P1: u64 = 0xe703_7ed1_a0b4_28db;
const P2: u64 = 0x8ebc_6af0_9c88_c6e3;
const P3: u64 = 0x5899_65cc_7537_4cc3;

/// 64×64→128-bit multiply, halves xored: every output bit depends on every
/// input bit of both operands.
#[inline(always)]
fn fold_mul(a: u64, b: u64) -> u64 {
    let r = u128::from(a) * u128::from(b);
    (r as u64) ^ ((r >> 64) as u64)
}

/// Both addresses as IPv6 octets, and whether they are IPv6. `None` when the
/// families differ (no decoder produces that; refuse rather than guess).
fn addr_pair(src: IpAddr, dst: IpAddr) -> Option<([u8; 16], [u8; 16], bool)> {
    match (src, dst) {
        (IpAddr::V4(s), IpAddr::V4(d)) => Some((
            s.to_ipv6_mapped().octets(),
            d.to_ipv6_mapped().octets(),
            false,
        )),
        (IpAddr::V6(s), IpAddr::V6(d)) => Some((s.octets(), d.octets(), true)),
        _ => None,
    }
}

const ICMP_DEST_UNREACH: u8 = 3;

/// ICMPv4 error messages (`ICMPV4_IS_ERROR_MSG` in `src/decode-icmpv4.h`):
/// destination unreachable, source quench, redirect, time exceeded,
/// parameter problem.
pub(crate) fn icmpv4_is_error(icmp_type: u8) -> bool {
    matches!(icmp_type, 3 | 4 | 5 | 11 | 12)
}

/// The reply type that pairs with an ICMPv4 type and back
/// (`ICMPv4GetCounterpart` in `src/decode-icmpv4.c`).
pub fn icmpv4_counterpart(icmp_type: u8) -> Option<u8> {
    const PAIRS: [(u8, u8); 5] = [(8, 0), (13, 14), (15, 16), (10, 9), (17, 18)];
    pair_lookup(&PAIRS, icmp_type)
}

/// The reply type that pairs with an ICMPv6 type and back
/// (`ICMPv6GetCounterpart` in `src/decode-icmpv6.c`).
pub fn icmpv6_counterpart(icmp_type: u8) -> Option<u8> {
    const PAIRS: [(u8, u8); 10] = [
        (128, 129), // echo request / reply
        (135, 136), // neighbor solicit / advert
        (133, 134), // router solicit / advert
        (130, 131), // MLD query / report
        (139, 140), // node information query / reply
        (144, 145), // home agent address discovery request / reply
        (146, 147), // mobile prefix solicit / advert
        (148, 149), // certification path solicit / advert
        (151, 152), // multicast router advert / solicit
        (157, 158), // duplicate address request / confirm
    ];
    pair_lookup(&PAIRS, icmp_type)
}

fn pair_lookup(pairs: &[(u8, u8)], t: u8) -> Option<u8> {
    pairs.iter().find_map(|&(a, b)| {
        if a == t {
            Some(b)
        } else if b == t {
            Some(a)
        } else {
            None
        }
    })
}

/// Bits in a flow id.
const ID_BITS: u32 = 51;
const ID_MASK: u64 = (1 << ID_BITS) - 1;

/// The EVE `flow_id` of the `seq`-th flow (counting from 0) created by table
/// `table_id`: non-zero, below 2^51, different for every (table_id < 2^11,
/// seq < 2^40) pair, and scattered so ids do not look sequential.
pub fn flow_id(table_id: u16, seq: u64) -> u64 {
    // 11 bits of table id above 40 bits of sequence, plus one so the input
    // is never 0 (each step below maps 0 to 0 and nothing else to 0).
    let mut x = ((u64::from(table_id & 0x7ff) << 40) | (seq & ((1 << 40) - 1))) + 1;
    // Each step is a bijection on 51-bit integers: xor with a right shift,
    // and multiplication by an odd constant modulo 2^51.
    for k in [0x5_1ed2_7a3b_8c6d_u64, 0x3_9f4b_26c1_d5e7] {
        x ^= x >> 25;
        x = x.wrapping_mul(k | 1) & ID_MASK;
    }
    x ^= x >> 25;
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::packet::{EmbeddedTuple, FlowTime, TcpMeta};
    use std::net::{Ipv4Addr, Ipv6Addr};

    fn v4(a: u8, b: u8, c: u8, d: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(a, b, c, d))
    }

    fn tcp(src: IpAddr, sp: u16, dst: IpAddr, dp: u16) -> PacketMeta {
        PacketMeta::tcp(
            FlowTime::default(),
            src,
            dst,
            TcpMeta {
                src_port: sp,
                dst_port: dp,
                ..TcpMeta::default()
            },
        )
    }

    fn key(p: &PacketMeta) -> PacketKey {
        FlowKey::from_packet(p, KeyOptions::default()).expect("keyable")
    }

    #[test]
    fn both_directions_build_the_same_key_and_hash() {
        let a = v4(10, 0, 0, 1);
        let b = v4(192, 168, 1, 9);
        let fwd = key(&tcp(a, 40000, b, 80));
        let rev = key(&tcp(b, 80, a, 40000));
        assert_eq!(fwd.key, rev.key);
        assert_eq!(fwd.key.symmetric_hash(), rev.key.symmetric_hash());
        // 10.0.0.1 sorts before 192.168.1.9, so the forward packet's source
        // is endpoint 0 and the reverse packet's is not.
        assert!(fwd.src_is_first);
        assert!(!rev.src_is_first);
    }

    #[test]
    fn different_tuples_differ() {
        let a = v4(10, 0, 0, 1);
        let b = v4(10, 0, 0, 2);
        let base = key(&tcp(a, 1000, b, 80)).key;
        let others = [
            key(&tcp(a, 1001, b, 80)).key,
            key(&tcp(a, 1000, b, 81)).key,
            key(&tcp(a, 1000, v4(10, 0, 0, 3), 80)).key,
            // Same numbers, UDP instead of TCP.
            key(&PacketMeta::udp(FlowTime::default(), a, b, 1000, 80)).key,
            // Ports swapped between the hosts is another connection.
            key(&tcp(a, 80, b, 1000)).key,
        ];
        for o in others {
            assert_ne!(base, o);
            assert_ne!(base.symmetric_hash(), o.symmetric_hash());
        }
    }

    #[test]
    fn vlan_and_tunnel_depth_are_keyed_unless_switched_off() {
        let mut p = tcp(v4(1, 1, 1, 1), 1, v4(2, 2, 2, 2), 2);
        let plain = key(&p).key;
        p.vlan = [100, 0, 0];
        assert_ne!(key(&p).key, plain);
        let off = KeyOptions {
            vlan_tracking: false,
            recursion_tracking: false,
        };
        assert_eq!(FlowKey::from_packet(&p, off).map(|k| k.key), Some(plain));
        p.vlan = [0; 3];
        p.recursion_level = 1;
        assert_ne!(key(&p).key, plain);
        assert_eq!(FlowKey::from_packet(&p, off).map(|k| k.key), Some(plain));
    }

    #[test]
    fn ipv4_and_mapped_ipv6_are_different_flows() {
        let p4 = tcp(v4(1, 2, 3, 4), 5, v4(5, 6, 7, 8), 9);
        let mapped = |a: IpAddr| match a {
            IpAddr::V4(a) => IpAddr::V6(a.to_ipv6_mapped()),
            IpAddr::V6(_) => a,
        };
        let p6 = tcp(mapped(p4.src), 5, mapped(p4.dst), 9);
        assert_ne!(key(&p4).key, key(&p6).key);
        assert!(key(&p6).key.is_ipv6());
        assert_eq!(key(&p4).key.endpoint(0), (v4(1, 2, 3, 4), 5));
    }

    #[test]
    fn icmp_echo_request_and_reply_share_a_flow_code_ignored() {
        let a = v4(10, 0, 0, 1);
        let b = v4(10, 0, 0, 2);
        let icmp = |src, dst, t, code| {
            PacketMeta::new(
                FlowTime::default(),
                src,
                dst,
                1,
                L4Meta::Icmp {
                    icmp_type: t,
                    code,
                    embedded: None,
                },
            )
        };
        let req = key(&icmp(a, b, 8, 0));
        let rep = key(&icmp(b, a, 0, 0));
        assert_eq!(req.key, rep.key);
        // ICMPv4 keys ignore the code (CmpFlowICMPPacket compares types).
        assert_eq!(key(&icmp(a, b, 8, 5)).key, req.key);
        // A timestamp request is another flow.
        assert_ne!(key(&icmp(a, b, 13, 0)).key, req.key);
        // Error messages without a quoted connection get no flow at all.
        for t in [3, 4, 5, 11, 12] {
            assert_eq!(
                FlowKey::from_packet(&icmp(a, b, t, 0), KeyOptions::default()),
                None
            );
        }
    }

    #[test]
    fn icmpv6_keys_include_the_code_of_the_sender() {
        let a = IpAddr::V6(Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1));
        let b = IpAddr::V6(Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 2));
        let icmp6 = |src, dst, t, code| {
            PacketMeta::new(
                FlowTime::default(),
                src,
                dst,
                58,
                L4Meta::Icmp {
                    icmp_type: t,
                    code,
                    embedded: None,
                },
            )
        };
        assert_eq!(key(&icmp6(a, b, 128, 0)).key, key(&icmp6(b, a, 129, 0)).key);
        assert_ne!(key(&icmp6(a, b, 128, 1)).key, key(&icmp6(b, a, 129, 0)).key);
        // ICMPv6 errors do get flows in Suricata (FlowCreateCheck only
        // filters ICMPv4).
        assert!(FlowKey::from_packet(&icmp6(a, b, 1, 4), KeyOptions::default()).is_some());
    }

    #[test]
    fn icmp_unreachable_finds_the_quoted_connection() {
        let client = v4(10, 0, 0, 1);
        let server = v4(10, 0, 0, 2);
        let router = v4(10, 0, 0, 254);
        let conn = key(&PacketMeta::udp(
            FlowTime::default(),
            client,
            server,
            5353,
            53,
        ));
        let unreach = PacketMeta::new(
            FlowTime::default(),
            router,
            client,
            1,
            L4Meta::Icmp {
                icmp_type: 3,
                code: 3,
                embedded: Some(EmbeddedTuple {
                    src: client,
                    dst: server,
                    proto: 17,
                    src_port: 5353,
                    dst_port: 53,
                }),
            },
        );
        let k = key(&unreach);
        assert_eq!(k.key, conn.key);
        assert!(k.lookup_only);
    }

    #[test]
    fn esp_is_one_flow_per_direction_on_one_worker() {
        let a = v4(10, 0, 0, 1);
        let b = v4(10, 0, 0, 2);
        let esp =
            |src, dst, spi| PacketMeta::new(FlowTime::default(), src, dst, 50, L4Meta::Esp { spi });
        let ab = key(&esp(a, b, 0x1000)).key;
        let ba = key(&esp(b, a, 0x2000)).key;
        assert_ne!(ab, ba);
        assert_ne!(
            ab,
            key(&esp(b, a, 0x1000)).key,
            "src and dst are not interchangeable"
        );
        assert_eq!(ab.symmetric_hash(), ba.symmetric_hash());
    }

    #[test]
    fn no_l4_or_mixed_families_get_no_key() {
        let p = PacketMeta::new(
            FlowTime::default(),
            v4(1, 1, 1, 1),
            v4(2, 2, 2, 2),
            6,
            L4Meta::None,
        );
        assert_eq!(FlowKey::from_packet(&p, KeyOptions::default()), None);
        let mut p = tcp(v4(1, 1, 1, 1), 1, v4(2, 2, 2, 2), 2);
        p.dst = IpAddr::V6(Ipv6Addr::LOCALHOST);
        assert_eq!(FlowKey::from_packet(&p, KeyOptions::default()), None);
    }

    #[test]
    fn hash_is_fixed_across_runs() {
        // Pinned value: the dispatch of a replay must never change silently.
        // If the hash function is changed on purpose, update this value and
        // say so in the commit message.
        let k = key(&tcp(v4(10, 0, 0, 1), 1234, v4(10, 0, 0, 2), 80)).key;
        let h = k.symmetric_hash();
        assert_eq!(h, k.symmetric_hash());
        assert_eq!(h, PINNED_HASH, "symmetric_hash changed: {h:#x}");
    }
    const PINNED_HASH: u64 = 0xa577_cc69_3e4a_2ffc;

    /// Deterministic xorshift64* for test inputs.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
    }

    /// Chi-square statistic of `counts` against a uniform expectation.
    fn chi2(counts: &[u64]) -> f64 {
        let total: u64 = counts.iter().sum();
        let e = total as f64 / counts.len() as f64;
        counts.iter().map(|&c| (c as f64 - e).powi(2) / e).sum()
    }

    #[test]
    fn hash_spreads_evenly_over_workers_and_buckets() {
        // Realistic skew: clients in one /16, one server, ephemeral ports.
        let mut rng = Rng(0x1234_5678);
        let n = 200_000;
        let mut workers = [0u64; 12];
        let mut buckets = vec![0u64; 1024];
        let server = v4(93, 184, 216, 34);
        for _ in 0..n {
            let r = rng.next();
            let client = v4(10, 1, (r >> 8) as u8, r as u8);
            let sport = 32768 + ((r >> 16) as u16 % 28000);
            let h = key(&tcp(client, sport, server, 443)).key.symmetric_hash();
            workers[(h % 12) as usize] += 1;
            buckets[((h >> 32) & 1023) as usize] += 1;
        }
        // Chi-square with k-1 degrees of freedom has mean k-1 and standard
        // deviation sqrt(2(k-1)); allow six standard deviations.
        let bound = |k: f64| (k - 1.0) + 6.0 * (2.0 * (k - 1.0)).sqrt();
        assert!(chi2(&workers) < bound(12.0), "workers {workers:?}");
        let c = chi2(&buckets);
        assert!(c < bound(1024.0), "buckets chi2 {c}");
    }

    #[test]
    fn counterparts_pair_both_ways() {
        assert_eq!(icmpv4_counterpart(8), Some(0));
        assert_eq!(icmpv4_counterpart(0), Some(8));
        assert_eq!(icmpv4_counterpart(9), Some(10));
        assert_eq!(icmpv4_counterpart(3), None);
        assert_eq!(icmpv6_counterpart(136), Some(135));
        assert_eq!(icmpv6_counterpart(152), Some(151));
        assert_eq!(icmpv6_counterpart(1), None);
    }

    #[test]
    fn flow_ids_are_unique_nonzero_and_51_bit() {
        let mut seen = std::collections::HashSet::new();
        for table in [0u16, 1, 2047] {
            for seq in 0..20_000u64 {
                let id = flow_id(table, seq);
                assert!(id != 0 && id < (1 << 51));
                assert!(seen.insert(id), "duplicate id {id} at {table}/{seq}");
            }
        }
        // Not sequential: consecutive flows differ in many bits.
        assert!((flow_id(0, 0) ^ flow_id(0, 1)).count_ones() > 8);
    }
}
