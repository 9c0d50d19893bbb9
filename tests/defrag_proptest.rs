//! Properties of the defragmentation table under random fragment streams:
//!
//! * hostile streams (random ids, offsets up to 64 KiB, tiny and empty
//!   fragments, overlaps, time jumps, tight limits, every policy) never
//!   panic, never hold more than the memcap, `max_frags` or `max_trackers`,
//!   and every datagram they produce is well formed;
//! * a datagram cut into fragments and delivered in any order, with exact
//!   duplicates, reassembles to the original bytes under every policy.

use proptest::prelude::*;
use rulewire::capture::Timestamp;
use rulewire::decode::craft::PacketBuilder;
use rulewire::decode::{decode, DecodeConfig, LinkType};
use rulewire::defrag::{DefragConfig, Defragmenter, Policy};

#[derive(Clone, Debug)]
struct Frag {
    v6: bool,
    id: u8,
    /// In 8-byte units.
    offset: u16,
    len: u16,
    more: bool,
    proto: u8,
    fill: u8,
    dt: u8,
}

fn frag_strategy() -> impl Strategy<Value = Frag> {
    (
        any::<bool>(),
        0u8..4,
        prop_oneof![0u16..64, 0u16..8192],
        prop_oneof![0u16..64, 0u16..1600],
        any::<bool>(),
        prop_oneof![Just(17u8), Just(6u8)],
        any::<u8>(),
        prop_oneof![Just(0u8), 0u8..90],
    )
        .prop_map(|(v6, id, offset, len, more, proto, fill, dt)| Frag {
            v6,
            id,
            offset,
            len,
            more,
            proto,
            fill,
            dt,
        })
}

fn build(f: &Frag) -> Vec<u8> {
    let data = vec![f.fill; usize::from(f.len)];
    let offset = f.offset.saturating_mul(8);
    if f.v6 {
        let mut s = [0u8; 16];
        s[15] = 1;
        let mut d = [0u8; 16];
        d[15] = 2;
        PacketBuilder::ipv6(s, d)
            .fragment(offset, f.more, u32::from(f.id))
            .raw(f.proto, &data)
            .build()
    } else {
        PacketBuilder::ipv4([10, 0, 0, 1], [10, 0, 0, 2])
            .fragment(offset, f.more, u32::from(f.id))
            .raw(f.proto, &data)
            .build()
    }
}

fn policy_strategy() -> impl Strategy<Value = Policy> {
    prop::sample::select(Policy::ALL.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn hostile_streams_stay_within_limits(
        frags in prop::collection::vec(frag_strategy(), 1..120),
        policy in policy_strategy(),
        memcap in 0u64..300_000,
        max_trackers in 1usize..16,
        max_frags in 1usize..128,
        per_datagram in 1usize..64,
    ) {
        let cfg = DecodeConfig::default();
        let mut table = Defragmenter::new(DefragConfig {
            default_policy: policy,
            memcap,
            max_trackers,
            max_frags,
            max_frags_per_datagram: per_datagram,
            timeout_secs: 60,
            ..DefragConfig::default()
        });
        let mut secs = 1_000u64;
        for f in &frags {
            secs += u64::from(f.dt);
            let pkt = build(f);
            let lt = if f.v6 { LinkType::IPV6 } else { LinkType::IPV4 };
            let d = decode(lt, &pkt, &cfg);
            let out = table.insert(Timestamp::new(secs, 0), &d);
            prop_assert!(table.memory_usage() as u64 <= memcap);
            prop_assert!(table.fragments() <= max_frags);
            prop_assert!(table.trackers() <= max_trackers);
            if let Some(r) = out.reassembled {
                let dg = r.datagram();
                prop_assert!(dg.len() <= 65_535 + 40);
                if r.is_ipv6() {
                    let plen = usize::from(u16::from_be_bytes([dg[4], dg[5]]));
                    prop_assert_eq!(plen + 40, dg.len());
                } else {
                    let total = usize::from(u16::from_be_bytes([dg[2], dg[3]]));
                    prop_assert_eq!(total, dg.len());
                    prop_assert_eq!(&dg[6..8], &[0u8, 0][..]);
                }
                let inner = r.decode(&cfg);
                prop_assert!(!inner.is_fragment());
            }
        }
        table.sweep(Timestamp::new(secs + 3_600, 0));
        prop_assert_eq!(table.trackers(), 0);
        prop_assert_eq!(table.memory_usage(), 0);
    }

    #[test]
    fn any_order_with_duplicates_rebuilds_the_original(
        units in 1usize..40,
        cuts in prop::collection::vec(1usize..40, 0..8),
        order in prop::collection::vec(any::<prop::sample::Index>(), 1..24),
        dups in prop::collection::vec(any::<prop::sample::Index>(), 0..4),
        policy in policy_strategy(),
        v6 in any::<bool>(),
    ) {
        // The original: `units` 8-byte units plus a 5-byte tail.
        let total = units * 8 + 5;
        let original: Vec<u8> = (0..total).map(|i| (i * 7 + 3) as u8).collect();
        let mut bounds: Vec<usize> = cuts.iter().map(|&c| (c % units) * 8).filter(|&b| b > 0).collect();
        // The 5-byte tail is always its own (last) piece, so there are at
        // least two fragments.
        bounds.extend([0, units * 8, total]);
        bounds.sort_unstable();
        bounds.dedup();
        let pieces: Vec<(usize, usize)> = bounds.windows(2).map(|w| (w[0], w[1])).collect();
        // Delivery order: every piece once, in a shuffled order, plus
        // exact duplicates.
        let mut seq: Vec<usize> = (0..pieces.len()).collect();
        for (i, idx) in order.iter().enumerate() {
            let n = seq.len();
            seq.swap(i % n, idx.index(n));
        }
        for d in &dups {
            let k = d.index(pieces.len());
            let at = d.index(seq.len() + 1);
            seq.insert(at, k);
        }
        let cfg = DecodeConfig::default();
        let mut table = Defragmenter::new(DefragConfig {
            default_policy: policy,
            ..DefragConfig::default()
        });
        let ts = Timestamp::new(5_000, 0);
        let mut got = Vec::new();
        for &k in &seq {
            let (start, end) = pieces[k];
            let more = end < total;
            let pkt = if v6 {
                let mut s = [0u8; 16];
                s[0] = 0xfe;
                let d = [1u8; 16];
                PacketBuilder::ipv6(s, d)
                    .fragment(start as u16, more, 77)
                    .raw(59, &original[start..end])
                    .build()
            } else {
                PacketBuilder::ipv4([1, 2, 3, 4], [5, 6, 7, 8])
                    .fragment(start as u16, more, 77)
                    .raw(253, &original[start..end])
                    .build()
            };
            let lt = if v6 { LinkType::IPV6 } else { LinkType::IPV4 };
            let out = table.insert(ts, &decode(lt, &pkt, &cfg));
            got.extend(out.reassembled);
        }
        // Every piece arrives at least once, so the datagram is rebuilt;
        // duplicates arriving after that start a new datagram, which may
        // complete again. Every rebuild holds the original bytes.
        prop_assert!(!got.is_empty());
        let hlen = if v6 { 40 } else { 20 };
        for r in &got {
            prop_assert_eq!(&r.datagram()[hlen..], &original[..]);
        }
    }
}
