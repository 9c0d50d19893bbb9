//! Expectations are counted by hand from Suricata 8's
//! `TagHandlePacketFlow`/`TagHandlePacketHost` (see the module docs); the
//! packet-count ones (the triggering packet counts, `packets > count`
//! ends the tag) were confirmed with Suricata 8.0.6 on crafted pcaps
//! (`tag:session,3,packets` logs 2 `packet` records after the alert).

use super::*;
use crate::rule::keywords::meta::parse_tag;

fn spec(v: &str) -> TagSpec {
    TagSpec::from_rule(&parse_tag(v).unwrap())
}

fn ip(last: u8) -> IpAddr {
    IpAddr::from([10, 0, 0, last])
}

/// A packet `src -> dst` of flow `flow` at `secs` seconds (+ `us`).
fn pkt(flow: u64, src: u8, dst: u8, secs: u64, len: u64) -> TagPacket {
    TagPacket {
        addrs: Some((ip(src), ip(dst))),
        flow: Some(flow),
        now_us: secs * US + 250_000,
        len,
    }
}

/// Sets `tag` (as sid 1) on `first`, then feeds it and `rest`; which
/// were tagged.
fn run(tag: &str, first: TagPacket, rest: &[TagPacket]) -> (Vec<bool>, TagTables) {
    let mut t = TagTables::new(100);
    t.add(&spec(tag), 1, 1, &first);
    let mut out = vec![t.on_packet(&first)];
    out.extend(rest.iter().map(|p| t.on_packet(p)));
    (out, t)
}

#[test]
fn defaults_and_caps() {
    let s = spec("session");
    assert_eq!(
        (s.target, s.metric, s.count),
        (TagTarget::Session, TagMetric::Packets, 256)
    );
    let h = spec("host");
    assert_eq!((h.target, h.count), (TagTarget::DstHost, 256));
    assert_eq!(spec("host,10,packets").target, TagTarget::DstHost);
    assert_eq!(spec("host,10,packets,src").target, TagTarget::SrcHost);
    // `packets` is capped at 256; bytes and seconds are not.
    assert_eq!(spec("session,1000,packets").count, 256);
    assert_eq!(spec("session,1000,bytes").count, 1000);
    assert_eq!(spec("session,3600,seconds").count, 3600);
    // A direction after `session` is ignored.
    assert_eq!(spec("session,5,packets,src").target, TagTarget::Session);
}

#[test]
fn packets_count_includes_the_alert_packet() {
    // count 3: the alert packet is packet 1 of 3, so 2 more are tagged;
    // the 4th ends the tag.
    let p = pkt(7, 1, 2, 0, 60);
    let (got, t) = run("session,3,packets", p, &[p, p, p, p]);
    assert_eq!(got, [false, true, true, false, false]);
    assert!(t.is_empty());
    // count 0 tags nothing.
    let (got, _) = run("session,0,packets", p, &[p]);
    assert_eq!(got, [false, false]);
}

#[test]
fn session_tags_follow_the_flow_only() {
    let first = pkt(7, 1, 2, 0, 60);
    let reply = pkt(7, 2, 1, 0, 60);
    let other = pkt(8, 1, 2, 0, 60);
    let (got, _) = run("session,5,packets", first, &[reply, other, first]);
    assert_eq!(got, [false, true, false, true]);
    // No flow: nothing is set.
    let mut t = TagTables::new(10);
    let lone = TagPacket {
        flow: None,
        ..first
    };
    t.add(&spec("session"), 1, 1, &lone);
    assert!(t.is_empty());
}

#[test]
fn bytes_count_captured_length() {
    // 60 (alert) + 60 = 120 <= 150: tagged; + 60 = 180 > 150: ends.
    let p = pkt(7, 1, 2, 0, 60);
    let (got, _) = run("session,150,bytes", p, &[p, p]);
    assert_eq!(got, [false, true, false]);
    let (got, _) = run("session,120,bytes", p, &[p, p]);
    assert_eq!(got, [false, true, false]);
    let (got, _) = run("session,119,bytes", p, &[p]);
    assert_eq!(got, [false, false]);
}

#[test]
fn seconds_are_whole_seconds_since_the_alert() {
    // Set at 10.25 s: whole seconds 11 - 10 = 1 and 12 - 10 = 2 are
    // within 2; 13 - 10 = 3 is not.
    let at = |s| pkt(7, 1, 2, s, 60);
    let (got, t) = run(
        "session,2,seconds",
        at(10),
        &[at(11), at(12), at(13), at(13)],
    );
    assert_eq!(got, [false, true, true, false, false]);
    assert!(t.is_empty());
}

#[test]
fn host_tags_follow_the_host_in_any_flow_and_direction() {
    // Alert 1 -> 2; `src` tags host 1.
    let first = pkt(7, 1, 2, 0, 60);
    let rest = [
        pkt(9, 3, 1, 0, 60), // to host 1, another flow
        pkt(9, 3, 4, 0, 60), // neither end is host 1
        pkt(7, 2, 1, 0, 60), // the reply
    ];
    let (got, _) = run("host,10,packets,src", first, &rest);
    assert_eq!(got, [false, true, false, true]);
    // `dst` (the default) tags host 2.
    let (got, _) = run("host,10,packets", first, &rest);
    assert_eq!(got, [false, false, false, true]);
    // A packet not about host 2 does not count towards its tag: count 2
    // ends at the second packet *of host 2* after the alert.
    let (got, _) = run(
        "host,2,packets,dst",
        first,
        &[rest[2], rest[1], rest[0], rest[2], rest[2]],
    );
    assert_eq!(got, [false, true, false, false, false, false]);
}

/// suricata-verify eve-tag-06: `tag:host,9,packets,src;
/// tag:host,15,packets,dst` on the SYN .27 -> .103 (packet 8). Every
/// later packet with .27 or .103 at either end is tagged while its
/// host's count lasts: .103 is in all 14 of them (up to 15 with the
/// SYN), .27 in 8 (up to 9).
#[test]
fn two_host_tags_as_eve_tag_06() {
    let mut t = TagTables::new(100);
    let syn = pkt(1, 27, 103, 0, 66);
    t.add(&spec("host,9,packets,src"), 1, 1, &syn);
    t.add(&spec("host,15,packets,dst"), 1, 1, &syn);
    assert!(!t.on_packet(&syn));
    // The ssh flow (both ways), then DNS from .103, then .103's TLS.
    let later = [
        pkt(1, 103, 27, 0, 66),
        pkt(1, 27, 103, 0, 60),
        pkt(2, 103, 9, 0, 60),
        pkt(2, 9, 103, 0, 60),
        pkt(3, 103, 8, 0, 60),
    ];
    for p in later {
        assert!(t.on_packet(&p));
    }
    // Neither host: untouched.
    assert!(!t.on_packet(&pkt(4, 5, 6, 0, 60)));
}

#[test]
fn host_tag_ends_after_count_packets() {
    // dst host 2, count 15: the alert packet is its 1st, 14 more are
    // tagged, the 16th is not.
    let first = pkt(7, 1, 2, 0, 60);
    let p = pkt(8, 2, 3, 0, 60);
    let rest = vec![p; 15];
    let (got, t) = run("host,15,packets,dst", first, &rest);
    assert_eq!(got.iter().filter(|&&x| x).count(), 14);
    assert!(!got[15]);
    assert!(t.is_empty());
}

#[test]
fn a_new_match_restarts_the_rules_entry_up_to_the_limit() {
    let p = pkt(7, 1, 2, 0, 60);
    let s = spec("session,2,packets");
    let mut t = TagTables::new(10);
    t.add(&s, 1, 1, &p);
    assert!(!t.on_packet(&p)); // 1 (alert)
    assert!(t.on_packet(&p)); // 2
                              // The rule matches again: its count restarts, and since its first
                              // packet was seen, this one is tagged too (1 <= 2).
    t.add(&s, 1, 1, &p);
    assert!(t.on_packet(&p)); // 1
    assert!(t.on_packet(&p)); // 2
    assert!(!t.on_packet(&p)); // 3 > 2: ended
    assert_eq!(t.len(), 0);
    // From the 10th repeated match of the same rule on, the count runs
    // on.
    t.add(&s, 1, 1, &p);
    assert!(!t.on_packet(&p)); // 1 (first)
    for _ in 0..8 {
        t.add(&s, 1, 1, &p); // matches 1..=8 restart
    }
    assert!(t.on_packet(&p)); // 1
    assert!(t.on_packet(&p)); // 2
    t.add(&s, 1, 1, &p); // match 9: still restarts
    assert!(t.on_packet(&p)); // 1
    t.add(&s, 1, 1, &p); // match 10: no restart
    assert!(t.on_packet(&p)); // 2
    assert!(!t.on_packet(&p)); // 3: ended
}

#[test]
fn two_rules_two_entries_one_tag() {
    let p = pkt(7, 1, 2, 0, 60);
    let mut t = TagTables::new(10);
    t.add(&spec("session,2,packets"), 1, 1, &p);
    t.add(&spec("session,3,packets"), 1, 2, &p);
    assert_eq!(t.len(), 2);
    let got: Vec<bool> = (0..4).map(|_| t.on_packet(&p)).collect();
    assert_eq!(got, [false, true, true, false]);
    assert!(t.is_empty());
}

#[test]
fn at_most_max_tags_per_flow() {
    let p = pkt(7, 1, 2, 0, 60);
    let mut t = TagTables::new(1000);
    for sid in 0..60 {
        t.add(&spec("session"), 1, sid, &p);
    }
    assert_eq!(t.len(), MAX_TAGS);
    assert_eq!(t.refused, 10);
}

#[test]
fn bounded_with_idle_purge() {
    let mut t = TagTables::new(2);
    let s = spec("host,10,packets,src");
    t.add(&s, 1, 1, &pkt(1, 1, 9, 0, 60));
    t.add(&s, 1, 1, &pkt(2, 2, 9, 0, 60));
    // Full: host 3's tag is refused, and nothing is left for it.
    t.add(&s, 1, 1, &pkt(3, 3, 9, 0, 60));
    assert_eq!((t.len(), t.refused), (2, 1));
    assert!(!t.on_packet(&pkt(3, 3, 8, 1, 60)));
    // Host 1 stays busy; host 2 is idle for more than 600 s and makes room.
    assert!(!t.on_packet(&pkt(1, 1, 9, 500, 60)));
    t.add(&s, 1, 1, &pkt(3, 3, 9, 1000, 60));
    assert_eq!((t.len(), t.refused), (2, 1));
    assert!(!t.on_packet(&pkt(3, 3, 9, 1000, 60)));
    assert!(t.on_packet(&pkt(3, 3, 9, 1001, 60)));
    assert!(
        !t.on_packet(&pkt(5, 2, 9, 1001, 60)),
        "host 2's tag is gone"
    );
    assert!(t.on_packet(&pkt(1, 1, 9, 1001, 60)));
}
