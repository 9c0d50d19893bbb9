//! The defragmentation table end to end: crafted fragments are decoded,
//! fed to a `Defragmenter`, and the rebuilt datagram is decoded again.
//! Expected values are worked out by hand in each test.

use rulewire::capture::Timestamp;
use rulewire::decode::craft::{self, PacketBuilder};
use rulewire::decode::{decode, DecodeConfig, DecodeEvent, LinkType};
use rulewire::defrag::{DefragConfig, Defragmenter, Outcome, Policy};

const SRC: [u8; 4] = [10, 0, 0, 1];
const DST: [u8; 4] = [10, 0, 0, 2];

fn ts(secs: u64) -> Timestamp {
    Timestamp::new(1_500_000_000 + secs, 0)
}

fn v4(id: u16, offset: u16, more: bool, proto: u8, data: &[u8]) -> Vec<u8> {
    PacketBuilder::ipv4(SRC, DST)
        .fragment(offset, more, u32::from(id))
        .raw(proto, data)
        .build()
}

fn v6addr(last: u8) -> [u8; 16] {
    let mut a = [0u8; 16];
    a[0] = 0x20;
    a[1] = 0x01;
    a[15] = last;
    a
}

fn v6(id: u32, offset: u16, more: bool, proto: u8, data: &[u8]) -> Vec<u8> {
    PacketBuilder::ipv6(v6addr(1), v6addr(2))
        .fragment(offset, more, id)
        .raw(proto, data)
        .build()
}

fn feed(table: &mut Defragmenter, at: Timestamp, pkt: &[u8]) -> Outcome {
    let lt = if pkt.first().is_some_and(|b| b >> 4 == 6) {
        LinkType::IPV6
    } else {
        LinkType::IPV4
    };
    table.insert(at, &decode(lt, pkt, &DecodeConfig::default()))
}

/// A UDP datagram (header + `payload`) as the transport bytes to cut up.
fn udp_bytes(payload: &[u8]) -> Vec<u8> {
    PacketBuilder::ipv4(SRC, DST)
        .udp(1234, 53, payload)
        .transport_bytes()
}

fn udp6_bytes(payload: &[u8]) -> Vec<u8> {
    PacketBuilder::ipv6(v6addr(1), v6addr(2))
        .udp(1234, 53, payload)
        .transport_bytes()
}

fn payload() -> Vec<u8> {
    (0..40u8).map(|i| b'a' + i % 26).collect()
}

#[test]
fn ipv4_in_order_and_out_of_order() {
    let seg = udp_bytes(&payload()); // 48 bytes
    let frags = [
        v4(7, 0, true, 17, &seg[..16]),
        v4(7, 16, true, 17, &seg[16..32]),
        v4(7, 32, false, 17, &seg[32..]),
    ];
    for order in [[0, 1, 2], [2, 1, 0], [1, 2, 0], [2, 0, 1]] {
        let mut table = Defragmenter::new(DefragConfig::default());
        let mut got = None;
        for (n, &i) in order.iter().enumerate() {
            let out = feed(&mut table, ts(0), &frags[i]);
            assert_eq!(out.events().count(), 0);
            if n < 2 {
                assert!(out.reassembled.is_none());
            } else {
                got = out.reassembled;
            }
        }
        let r = got.expect("reassembled");
        assert_eq!(r.fragments(), 3);
        let d = r.decode(&DecodeConfig::default());
        assert!(!d.is_fragment());
        assert_eq!(d.ports(), Some((1234, 53)));
        assert_eq!(d.payload(), &payload()[..]);
        assert_eq!(
            d.checksum(rulewire::decode::ChecksumKind::Udpv4),
            Some(true)
        );
        assert_eq!(d.checksum(rulewire::decode::ChecksumKind::Ipv4), Some(true));
        assert_eq!(d.ipv4().map(|p| p.total_len()), Some(68));
        let c = table.counters();
        assert_eq!((c.ipv4_fragments, c.ipv4_reassembled), (3, 1));
        assert_eq!(
            table.stats_json(),
            serde_json::json!({"defrag": {
                "ipv4": {"fragments": 3, "reassembled": 1},
                "memuse": 33_554_432u64
            }})
        );
        // The finished tracker waits for the sweep, its fragments freed.
        assert_eq!(table.trackers(), 1);
        assert_eq!(table.fragments(), 0);
        assert_eq!(table.sweep(ts(0)), 1);
        assert_eq!(table.counters().mgr_tracker_timeout, 1);
        assert_eq!(table.memory_usage(), 0);
    }
}

#[test]
fn ipv6_in_order_and_out_of_order() {
    let seg = udp6_bytes(&payload());
    let frags = [
        v6(99, 0, true, 17, &seg[..24]),
        v6(99, 24, false, 17, &seg[24..]),
    ];
    for order in [[0, 1], [1, 0]] {
        let mut table = Defragmenter::new(DefragConfig::default());
        assert!(feed(&mut table, ts(0), &frags[order[0]])
            .reassembled
            .is_none());
        let r = feed(&mut table, ts(0), &frags[order[1]])
            .reassembled
            .expect("reassembled");
        assert!(r.is_ipv6());
        let dg = r.datagram();
        // Payload length 48, next header UDP, no fragment header.
        assert_eq!(&dg[4..6], &[0, 48]);
        assert_eq!(dg[6], 17);
        assert_eq!(dg.len(), 88);
        let d = r.decode(&DecodeConfig::default());
        assert_eq!(d.ports(), Some((1234, 53)));
        assert_eq!(d.payload(), &payload()[..]);
        assert_eq!(
            d.checksum(rulewire::decode::ChecksumKind::Udpv6),
            Some(true)
        );
        let c = table.counters();
        assert_eq!((c.ipv6_fragments, c.ipv6_reassembled), (2, 1));
    }
}

#[test]
fn ipv6_unfragmentable_headers_are_kept_and_relinked() {
    // IPv6 | hop-by-hop (8, PadN) | fragment | UDP: the rebuilt packet keeps
    // the hop-by-hop header, whose next header becomes UDP.
    let seg = udp6_bytes(&payload());
    let build = |offset: u16, more: bool, data: &[u8]| {
        let mut p = vec![0x60, 0, 0, 0];
        p.extend_from_slice(&((8 + 8 + data.len()) as u16).to_be_bytes());
        p.push(0); // hop-by-hop
        p.push(64);
        p.extend_from_slice(&v6addr(1));
        p.extend_from_slice(&v6addr(2));
        p.extend_from_slice(&[44, 0, 1, 4, 0, 0, 0, 0]);
        p.extend_from_slice(&[17, 0]);
        p.extend_from_slice(&(offset | u16::from(more)).to_be_bytes());
        p.extend_from_slice(&5u32.to_be_bytes());
        p.extend_from_slice(data);
        p
    };
    let mut table = Defragmenter::new(DefragConfig::default());
    assert!(feed(&mut table, ts(0), &build(16, false, &seg[16..]))
        .reassembled
        .is_none());
    let r = feed(&mut table, ts(0), &build(0, true, &seg[..16]))
        .reassembled
        .expect("reassembled");
    let dg = r.datagram();
    assert_eq!(dg.len(), 40 + 8 + 48);
    assert_eq!(&dg[4..6], &56u16.to_be_bytes());
    assert_eq!(dg[6], 0, "fixed header still names hop-by-hop");
    assert_eq!(dg[40], 17, "hop-by-hop now names UDP");
    assert_eq!(&dg[48..], &seg[..]);
    let d = r.decode(&DecodeConfig::default());
    assert_eq!(d.ports(), Some((1234, 53)));
    assert_eq!(d.payload(), &payload()[..]);
}

#[test]
fn duplicates_and_overlaps_raise_overlap() {
    let seg = udp_bytes(&payload());
    let mut table = Defragmenter::new(DefragConfig::default());
    assert_eq!(
        feed(&mut table, ts(0), &v4(3, 0, true, 17, &seg[..24]))
            .events()
            .count(),
        0
    );
    // Exact duplicate: BSD keeps the first copy.
    let dup = feed(&mut table, ts(0), &v4(3, 0, true, 17, &[0xee; 24]));
    assert!(dup.has_event(DecodeEvent::Ipv4FragOverlap));
    assert_eq!(table.fragments(), 1);
    // Overlapping tail (16..48) with different bytes at 16..24: BSD keeps
    // the original there, takes 24..48 from the new fragment.
    let mut tail = seg[16..].to_vec();
    tail[..8].copy_from_slice(&[0xee; 8]);
    let out = feed(&mut table, ts(0), &v4(3, 16, false, 17, &tail));
    assert!(out.has_event(DecodeEvent::Ipv4FragOverlap));
    let d = out.reassembled.expect("reassembled");
    assert_eq!(&d.datagram()[20..], &seg[..]);
    // The same fragment again after completion starts a new datagram,
    // replacing the finished tracker (Suricata's wrk.tracker_timeout).
    let again = feed(&mut table, ts(0), &v4(3, 16, false, 17, &tail));
    assert_eq!(again.events().count(), 0);
    assert!(again.reassembled.is_none());
    assert_eq!(table.counters().wrk_tracker_timeout, 1);
    assert_eq!(table.counters().ipv4_reassembled, 1);
    assert_eq!(table.fragments(), 1);
}

#[test]
fn last_policy_takes_the_newer_bytes() {
    let seg = udp_bytes(&payload());
    let mut table = Defragmenter::new(DefragConfig {
        default_policy: Policy::Last,
        ..DefragConfig::default()
    });
    feed(&mut table, ts(0), &v4(3, 0, true, 17, &seg[..24]));
    let mut tail = seg[16..].to_vec();
    tail[..8].copy_from_slice(&[0xee; 8]);
    let out = feed(&mut table, ts(0), &v4(3, 16, false, 17, &tail));
    let d = out.reassembled.expect("reassembled");
    let mut want = seg.clone();
    want[16..24].copy_from_slice(&[0xee; 8]);
    assert_eq!(&d.datagram()[20..], &want[..]);
}

#[test]
fn too_large_fragments_are_refused() {
    let mut table = Defragmenter::new(DefragConfig::default());
    // Suricata's DefragTooLargeIpv4Test: offset 8183*8 = 65464, 71 bytes:
    // 20 + 65464 + 71 = 65555 > 65535.
    let out = feed(&mut table, ts(0), &v4(1, 65_464, false, 1, &[b'A'; 71]));
    assert!(out.has_event(DecodeEvent::Ipv4FragPktTooLarge));
    assert!(out.reassembled.is_none());
    assert_eq!(table.fragments(), 0);
    assert_eq!(table.counters().ipv4_fragments, 1);
    // 51 bytes end exactly at 65535: accepted.
    let out = feed(&mut table, ts(0), &v4(2, 65_464, false, 1, &[b'A'; 51]));
    assert_eq!(out.events().count(), 0);
    assert_eq!(table.fragments(), 1);
    // IPv6: 65528 + 16 > 65535.
    let out = feed(&mut table, ts(0), &v6(1, 65_528, false, 17, &[0; 16]));
    assert!(out.has_event(DecodeEvent::Ipv6FragPktTooLarge));
    let out = feed(&mut table, ts(0), &v6(2, 65_528, false, 17, &[0; 7]));
    assert_eq!(out.events().count(), 0);
}

#[test]
fn datagram_over_65535_bytes_is_not_rebuilt() {
    // 40 bytes of NOP options make a 60-byte header; fragments reach 65515
    // (20 + 65515 = 65535 passes the per-fragment check) but 60 + 65515
    // does not fit a total length.
    let opts = [1u8; 40];
    let mut table = Defragmenter::new(DefragConfig::default());
    let chunk = 1480usize;
    let total = 65_515usize;
    let mut offset = 0usize;
    let mut last = Outcome::default();
    while offset < total {
        let len = chunk.min(total - offset);
        let more = offset + len < total;
        let mut b = PacketBuilder::ipv4(SRC, DST).fragment(offset as u16, more, 9);
        if offset == 0 {
            b = b.ipv4_options(&opts);
        }
        last = feed(&mut table, ts(0), &b.raw(1, &vec![0x55; len]).build());
        offset += len;
    }
    assert!(last.reassembled.is_none());
    assert!(last.has_event(DecodeEvent::Ipv4FragPktTooLarge));
    assert_eq!(table.counters().ipv4_reassembled, 0);
    assert_eq!(table.fragments(), 0, "the datagram is discarded");
}

#[test]
fn empty_fragment_is_ignored() {
    // Suricata's DefragNoDataIpv4Test: offset 8, no more fragments, no data.
    let mut table = Defragmenter::new(DefragConfig::default());
    let out = feed(&mut table, ts(0), &v4(12, 8, false, 1, &[]));
    assert_eq!(out, Outcome::default());
    assert_eq!(table.fragments(), 0);
    assert_eq!(table.counters().ipv4_fragments, 1);
}

#[test]
fn timeout_expires_by_packet_time() {
    let seg = udp_bytes(&payload());
    // 59 s later: still joins.
    let mut table = Defragmenter::new(DefragConfig::default());
    feed(&mut table, ts(100), &v4(4, 0, true, 17, &seg[..24]));
    let out = feed(&mut table, ts(159), &v4(4, 24, false, 17, &seg[24..]));
    assert!(out.reassembled.is_some());

    // 60 s later: the first fragment has expired (Suricata: expired when
    // packet time >= last + timeout). The first packet of the new second
    // runs the sweep, which removes it; the second fragment starts a new
    // datagram.
    let mut table = Defragmenter::new(DefragConfig::default());
    feed(&mut table, ts(100), &v4(4, 0, true, 17, &seg[..24]));
    let out = feed(&mut table, ts(160), &v4(4, 24, false, 17, &seg[24..]));
    assert!(out.reassembled.is_none());
    let c = table.counters();
    assert_eq!((c.mgr_tracker_timeout, c.wrk_tracker_timeout), (1, 0));
    assert_eq!(table.fragments(), 1);

    // The sweep removes expired trackers of other keys.
    let mut table = Defragmenter::new(DefragConfig {
        timeout_secs: 10,
        ..DefragConfig::default()
    });
    feed(&mut table, ts(0), &v4(5, 0, true, 17, &seg[..24]));
    feed(&mut table, ts(0), &v4(6, 0, true, 17, &seg[..24]));
    assert_eq!(table.trackers(), 2);
    assert_eq!(table.tick(ts(9)), 0);
    assert_eq!(table.tick(ts(10)), 2);
    assert_eq!(table.tick(ts(10)), 0, "at most once per second");
    assert_eq!(table.trackers(), 0);
    assert_eq!(table.memory_usage(), 0);
    assert_eq!(table.counters().mgr_tracker_timeout, 2);
}

#[test]
fn host_timeout_overrides_default() {
    let seg = udp_bytes(&payload());
    let mut config = DefragConfig::default();
    config.host_timeouts.insert_str("10.0.0.2", 5).unwrap();
    let mut table = Defragmenter::new(config);
    feed(&mut table, ts(0), &v4(4, 0, true, 17, &seg[..24]));
    let out = feed(&mut table, ts(5), &v4(4, 24, false, 17, &seg[24..]));
    assert!(out.reassembled.is_none());
}

#[test]
fn keys_separate_vlan_proto_and_id_but_not_direction() {
    let seg = udp_bytes(&payload());
    let cfg = DecodeConfig::default();
    let eth = |pkt: &[u8]| craft::ethernet_frame(craft::SRC_MAC, craft::DST_MAC, 0x0800, pkt);
    let first = v4(8, 0, true, 17, &seg[..24]);
    let last = v4(8, 24, false, 17, &seg[24..]);

    // Different VLANs: no reassembly (Suricata's DefragVlanTest).
    let mut table = Defragmenter::new(DefragConfig::default());
    let a = craft::vlan_tag(&eth(&first), 0x8100, 1);
    let b = craft::vlan_tag(&eth(&last), 0x8100, 2);
    assert!(table
        .insert(ts(0), &decode(LinkType::ETHERNET, &a, &cfg))
        .reassembled
        .is_none());
    assert!(table
        .insert(ts(0), &decode(LinkType::ETHERNET, &b, &cfg))
        .reassembled
        .is_none());
    // Same VLAN: joins.
    let b = craft::vlan_tag(&eth(&last), 0x8100, 1);
    assert!(table
        .insert(ts(0), &decode(LinkType::ETHERNET, &b, &cfg))
        .reassembled
        .is_some());

    // Different protocol or id: no reassembly (DefragTestBadProto).
    let mut table = Defragmenter::new(DefragConfig::default());
    feed(&mut table, ts(0), &first);
    assert!(feed(&mut table, ts(0), &v4(8, 24, false, 6, &seg[24..]))
        .reassembled
        .is_none());
    assert!(feed(&mut table, ts(0), &v4(9, 24, false, 17, &seg[24..]))
        .reassembled
        .is_none());
    assert_eq!(table.trackers(), 3);

    // Reverse direction joins, as Suricata's tracker compare allows; the
    // header comes from the first fragment.
    let mut table = Defragmenter::new(DefragConfig::default());
    feed(&mut table, ts(0), &first);
    let reverse = PacketBuilder::ipv4(DST, SRC)
        .fragment(24, false, 8)
        .raw(17, &seg[24..])
        .build();
    let r = feed(&mut table, ts(0), &reverse)
        .reassembled
        .expect("joined");
    assert_eq!(&r.datagram()[12..16], &SRC);
}

#[test]
fn non_fragments_are_left_alone() {
    let mut table = Defragmenter::new(DefragConfig::default());
    let whole = PacketBuilder::ipv4(SRC, DST).udp(1, 2, b"x").build();
    assert_eq!(feed(&mut table, ts(0), &whole), Outcome::default());
    // IPv6 fragment header with offset 0 and no more fragments ("useless").
    let useless = v6(1, 0, false, 17, &udp6_bytes(b"x"));
    assert_eq!(feed(&mut table, ts(0), &useless), Outcome::default());
    assert_eq!(*table.counters(), Default::default());
    assert_eq!(table.trackers(), 0);
}

#[test]
fn memcap_recycles_trackers_and_is_never_exceeded() {
    let memcap = 8 * 1024u64;
    let mut table = Defragmenter::new(DefragConfig {
        memcap,
        ..DefragConfig::default()
    });
    // 100 datagrams, each with a 1000-byte first fragment: at most a few
    // fit; older ones are recycled (hard reuse: they were live).
    for id in 0..100u16 {
        let out = feed(&mut table, ts(0), &v4(id, 0, true, 17, &[0u8; 1000]));
        assert_eq!(out.events().count(), 0);
        assert!(table.memory_usage() as u64 <= memcap);
    }
    let c = *table.counters();
    assert_eq!(c.ipv4_fragments, 100);
    assert!(c.tracker_hard_reuse >= 90, "{c:?}");
    assert_eq!(c.tracker_hard_reuse as usize + table.trackers(), 100);
    assert_eq!(c.max_trackers_reached, 0);

    // The newest datagram is still there and completes.
    let out = feed(&mut table, ts(0), &v4(99, 1000, false, 17, &[1u8; 8]));
    assert!(out.reassembled.is_some());

    // A memcap smaller than one tracker record: every fragment is dropped.
    let mut tiny = Defragmenter::new(DefragConfig {
        memcap: 16,
        ..DefragConfig::default()
    });
    let out = feed(&mut tiny, ts(0), &v4(1, 0, true, 17, &[0u8; 8]));
    assert_eq!(out, Outcome::default());
    assert_eq!(tiny.counters().max_trackers_reached, 1);
    assert_eq!(tiny.memory_usage(), 0);
}

#[test]
fn fragment_limits_discard_the_datagram() {
    // Two fragments in the whole table: the third is refused and its
    // datagram discarded (Suricata: frag_ignored, max_frags_reached).
    let mut table = Defragmenter::new(DefragConfig {
        max_frags: 2,
        ..DefragConfig::default()
    });
    feed(&mut table, ts(0), &v4(1, 0, true, 17, &[0; 8]));
    feed(&mut table, ts(0), &v4(1, 8, true, 17, &[0; 8]));
    let out = feed(&mut table, ts(0), &v4(1, 16, false, 17, &[0; 8]));
    assert!(out.has_event(DecodeEvent::Ipv4FragIgnored));
    assert!(out.reassembled.is_none());
    assert_eq!(table.counters().max_frags_reached, 1);
    assert_eq!(table.fragments(), 0);

    // Per datagram: at most 3.
    let mut table = Defragmenter::new(DefragConfig {
        max_frags_per_datagram: 3,
        ..DefragConfig::default()
    });
    for off in [0u16, 8, 16] {
        feed(&mut table, ts(0), &v6(1, off, true, 17, &[0; 8]));
    }
    let out = feed(&mut table, ts(0), &v6(1, 24, false, 17, &[0; 8]));
    assert!(out.has_event(DecodeEvent::Ipv6FragIgnored));
    assert_eq!(table.fragments(), 0);

    // With room elsewhere, older datagrams make way for the current one.
    let mut table = Defragmenter::new(DefragConfig {
        max_frags: 2,
        ..DefragConfig::default()
    });
    feed(&mut table, ts(0), &v4(1, 0, true, 17, &[0; 8]));
    feed(&mut table, ts(0), &v4(2, 0, true, 17, &[0; 8]));
    let out = feed(&mut table, ts(0), &v4(2, 8, false, 17, &[0; 8]));
    assert!(out.reassembled.is_some());
    assert_eq!(table.counters().tracker_hard_reuse, 1);
}

#[test]
fn max_trackers_recycles_finished_ones_first_by_age() {
    let mut table = Defragmenter::new(DefragConfig {
        max_trackers: 2,
        ..DefragConfig::default()
    });
    // Datagram 1 completes (finished tracker stays until the sweep).
    feed(&mut table, ts(0), &v4(1, 0, true, 17, &[0; 8]));
    assert!(feed(&mut table, ts(0), &v4(1, 8, false, 17, &[0; 8]))
        .reassembled
        .is_some());
    feed(&mut table, ts(0), &v4(2, 0, true, 17, &[0; 8]));
    // A third datagram recycles the least recently used: the finished one.
    feed(&mut table, ts(0), &v4(3, 0, true, 17, &[0; 8]));
    let c = *table.counters();
    assert_eq!((c.tracker_soft_reuse, c.tracker_hard_reuse), (1, 0));
    // A fourth recycles datagram 2 (live).
    feed(&mut table, ts(0), &v4(4, 0, true, 17, &[0; 8]));
    assert_eq!(table.counters().tracker_hard_reuse, 1);
    assert_eq!(table.trackers(), 2);
}
