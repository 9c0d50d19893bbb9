use super::*;
use crate::rule::keywords::flow::{parse_flowbits, parse_xbits};

fn fb(v: &str, reg: &mut BitNames) -> BitsOp {
    BitsOp::flowbits(&parse_flowbits(v).unwrap(), reg).unwrap()
}

#[test]
fn names_get_stable_ids() {
    let mut reg = BitNames::default();
    assert_eq!(reg.intern("a"), Some(0));
    assert_eq!(reg.intern("b"), Some(1));
    assert_eq!(reg.intern("a"), Some(0));
    assert_eq!(reg.get("b"), Some(1));
    assert_eq!(reg.get("c"), None);
}

#[test]
fn flowbits_set_isset_toggle_unset() {
    let mut reg = BitNames::default();
    let mut bits = FlowBits::default();
    let set_a = fb("set,a", &mut reg);
    let isset_a = fb("isset,a", &mut reg);
    let isnotset_a = fb("isnotset,a", &mut reg);
    assert!(!set_a.is_condition() && isset_a.is_condition());
    assert!(!isset_a.check_flow(&bits));
    assert!(isnotset_a.check_flow(&bits));
    assert!(set_a.apply_flow(&mut bits));
    assert!(isset_a.check_flow(&bits));
    assert!(!isnotset_a.check_flow(&bits));
    assert!(fb("toggle,a", &mut reg).apply_flow(&mut bits));
    assert!(!isset_a.check_flow(&bits));
    assert!(fb("toggle,a", &mut reg).apply_flow(&mut bits));
    assert!(isset_a.check_flow(&bits));
    fb("unset,a", &mut reg).apply_flow(&mut bits);
    assert!(bits.is_empty());
    let na = fb("noalert", &mut reg);
    assert!(na.is_noalert() && na.check_flow(&bits));
}

#[test]
fn flowbits_or_and_lists() {
    let mut reg = BitNames::default();
    let mut bits = FlowBits::default();
    fb("set,a", &mut reg).apply_flow(&mut bits);
    fb("set,z", &mut reg);
    assert!(fb("isset,a|b", &mut reg).check_flow(&bits));
    assert!(!fb("isset,a&b", &mut reg).check_flow(&bits));
    // isnotset a|b: any unset (b is).
    assert!(fb("isnotset,a|b", &mut reg).check_flow(&bits));
    // isnotset a&b: all unset (a is set).
    assert!(!fb("isnotset,a&b", &mut reg).check_flow(&bits));
    assert!(fb("isnotset,b&z", &mut reg).check_flow(&bits));
    fb("set,b", &mut reg).apply_flow(&mut bits);
    assert!(fb("isset,a&b", &mut reg).check_flow(&bits));
}

#[test]
fn flowbits_capacity() {
    let mut bits = FlowBits::default();
    for i in 0..FLOW_BITS_CAPACITY as u32 {
        assert!(bits.set(i));
    }
    assert!(!bits.set(1000));
    assert!(bits.set(3)); // already set
    bits.unset(0);
    assert!(bits.set(1000));
    assert_eq!(bits.len(), FLOW_BITS_CAPACITY);
}

#[test]
fn xbits_hosts_pairs_and_expiry() {
    let mut reg = BitNames::default();
    let mut t = XbitsTable::new(4);
    let a: IpAddr = "10.0.0.1".parse().unwrap();
    let b: IpAddr = "10.0.0.2".parse().unwrap();
    let x = |v: &str, reg: &mut BitNames| XbitsOp::compile(&parse_xbits(v).unwrap(), reg).unwrap();
    let set_src = x("set,m,track ip_src,expire 10", &mut reg);
    let isset_dst = x("isset,m,track ip_dst", &mut reg);
    let isset_src = x("isset,m,track ip_src", &mut reg);
    assert!(t.apply(&set_src, a, b, 0));
    // Set on host a; a is the destination of b -> a.
    assert!(t.check(&isset_dst, b, a, 1_000_000));
    assert!(!t.check(&isset_src, b, a, 1_000_000));
    // Expired after 10 s.
    assert!(!t.check(&isset_dst, b, a, 10_000_000));
    // Pairs are unordered.
    let set_pair = x("set,p,track ip_pair", &mut reg);
    assert_eq!(set_pair.expire_s, XBITS_DEFAULT_EXPIRE_S);
    t.apply(&set_pair, a, b, 0);
    assert!(t.check(&x("isset,p,track ip_pair", &mut reg), b, a, 5));
    assert!(t.check(&x("isnotset,p,track ip_src", &mut reg), b, a, 5));
}

#[test]
fn xbits_table_is_bounded() {
    let mut reg = BitNames::default();
    let mut t = XbitsTable::new(2);
    let set = XbitsOp::compile(
        &parse_xbits("set,m,track ip_src,expire 1").unwrap(),
        &mut reg,
    )
    .unwrap();
    let ip = |n: u8| IpAddr::from([10, 0, 0, n]);
    assert!(t.apply(&set, ip(1), ip(9), 0));
    assert!(t.apply(&set, ip(2), ip(9), 0));
    assert!(!t.apply(&set, ip(3), ip(9), 0));
    assert_eq!(t.refused, 1);
    // Once the others expired, they are purged to make room.
    assert!(t.apply(&set, ip(3), ip(9), 2_000_000));
    assert_eq!(t.len(), 1);
}
