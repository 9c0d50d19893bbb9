//! The prefilter's address tables (rules without a fast pattern found by
//! the packet's source or destination) against the naive engine (every
//! rule on every packet): address lists on either side, the smaller side
//! chosen, IPv6, `<>` and negated sets (which stay in the always lists),
//! IP-only rules with flowbits. Hand-computed expected alerts.

#[path = "common/detect.rs"]
mod harness;

use rulewire::decode::craft::{PacketBuilder, TcpSpec};
use rulewire::detect::prefilter::PrefilterSettings;

fn run(rules: &str, packets: &[Vec<u8>]) -> Vec<(u64, u32)> {
    let default = PrefilterSettings::default();
    harness::agreed_alerts(
        rules,
        packets,
        &[
            ("prefilter off", false, default),
            ("prefilter on", true, default),
        ],
    )
}

fn tcp4(src: [u8; 4], dst: [u8; 4], sp: u16, dp: u16) -> Vec<u8> {
    PacketBuilder::ipv4(src, dst)
        .tcp(sp, dp, TcpSpec::syn().seq(1))
        .ethernet()
}

fn sids(alerts: &[(u64, u32)], packet: u64) -> Vec<u32> {
    let mut v: Vec<u32> = alerts
        .iter()
        .filter(|a| a.0 == packet)
        .map(|a| a.1)
        .collect();
    v.sort_unstable();
    v
}

#[test]
fn address_lists_select_their_rules() {
    let rules = r#"
alert tcp [198.51.100.7,198.51.100.9,203.0.113.0/28] any -> any any (msg:"src list"; sid:1;)
alert tcp any any -> [192.0.2.1,192.0.2.3] any (msg:"dst list"; flags:S; sid:2;)
alert tcp 10.0.0.0/8 any -> 198.51.100.9 any (msg:"smaller side is dst"; sid:3;)
alert tcp 198.51.100.7 any <> 192.0.2.1 any (msg:"both ways"; sid:4;)
alert tcp ![198.51.100.0/24] any -> 192.0.2.3 any (msg:"negated src"; sid:5;)
alert ip [2001:db8::1,2001:db8::5] any -> any any (msg:"v6 list"; sid:6;)
alert tcp [198.51.100.7,198.51.100.8] any -> any any (msg:"flowbits"; flowbits:set,seen; sid:7;)
alert tcp any any -> any 80 (msg:"content"; content:"x"; sid:8;)
"#;
    let mut packets = vec![
        // 1: 198.51.100.7 -> 192.0.2.1: sid 1 (src list), 2 (dst list,
        // SYN), 4 (<> forward), 7.
        tcp4([198, 51, 100, 7], [192, 0, 2, 1], 1000, 80),
        // 2: the reply 192.0.2.1 -> 198.51.100.7: only sid 4 (<>
        // backward); 1 and 7 want the list as source.
        tcp4([192, 0, 2, 1], [198, 51, 100, 7], 80, 1000),
        // 3: 203.0.113.15 (last of the /28) -> 192.0.2.3: sid 1, 2, 5
        // (source outside 198.51.100.0/24).
        tcp4([203, 0, 113, 15], [192, 0, 2, 3], 1001, 81),
        // 4: 203.0.113.16 (past the /28) -> 192.0.2.2: nothing.
        tcp4([203, 0, 113, 16], [192, 0, 2, 2], 1002, 82),
        // 5: 10.1.2.3 -> 198.51.100.9: sid 3 (indexed by its dst).
        tcp4([10, 1, 2, 3], [198, 51, 100, 9], 1003, 83),
        // 6: 198.51.100.9 -> 192.0.2.3: sid 1, 2; not 5 (negated source).
        tcp4([198, 51, 100, 9], [192, 0, 2, 3], 1004, 84),
    ];
    let v6 = |last: u8| {
        let mut a = [0u8; 16];
        a[..4].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
        a[15] = last;
        a
    };
    // 7: 2001:db8::5 -> 2001:db8::9: sid 6. 8: 2001:db8::6: nothing.
    packets.push(
        PacketBuilder::ipv6(v6(5), v6(9))
            .tcp(1, 2, TcpSpec::syn().seq(1))
            .ethernet(),
    );
    packets.push(
        PacketBuilder::ipv6(v6(6), v6(9))
            .tcp(1, 2, TcpSpec::syn().seq(1))
            .ethernet(),
    );
    let alerts = run(rules, &packets);
    assert_eq!(sids(&alerts, 1), vec![1, 2, 4, 7]);
    assert_eq!(sids(&alerts, 2), vec![4]);
    assert_eq!(sids(&alerts, 3), vec![1, 2, 5]);
    assert_eq!(sids(&alerts, 4), Vec::<u32>::new());
    assert_eq!(sids(&alerts, 5), vec![3]);
    assert_eq!(sids(&alerts, 6), vec![1, 2]);
    assert_eq!(sids(&alerts, 7), vec![6]);
    assert_eq!(sids(&alerts, 8), Vec::<u32>::new());
}
