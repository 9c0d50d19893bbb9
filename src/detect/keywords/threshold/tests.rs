use super::*;
use crate::config::Vars;
use crate::rule::keywords::meta::parse_threshold;
use crate::rule::{resolve_address, AddressExpr, IpBlock};

fn rule_spec(v: &str) -> ThresholdSpec {
    ThresholdSpec::from_rule(&parse_threshold(v, true).unwrap())
}

fn site(src: u8, secs: u64) -> MatchSite {
    MatchSite {
        src: IpAddr::from([10, 0, 0, src]),
        dst: IpAddr::from([10, 0, 0, 200]),
        flow: 7,
        now_us: secs * 1_000_000 + 500,
    }
}

/// Alerts for matches at the given seconds, all from one source.
fn run(spec: &ThresholdSpec, times: &[u64]) -> Vec<bool> {
    let mut st = ThresholdState::new(100);
    times
        .iter()
        .map(|&t| st.check(1, 0, spec, &site(1, t)))
        .collect()
}

#[test]
fn limit() {
    let s = rule_spec("type limit, track by_src, count 2, seconds 60");
    assert_eq!(
        run(&s, &[0, 1, 2, 59, 60, 61, 62]),
        [true, true, false, false, true, true, false]
    );
}

#[test]
fn threshold_every_nth() {
    let s = rule_spec("type threshold, track by_src, count 3, seconds 60");
    assert_eq!(
        run(&s, &[0, 1, 2, 3, 4, 5, 6]),
        [false, false, true, false, false, true, false]
    );
    // A new window restarts the count at 1.
    assert_eq!(
        run(&s, &[0, 1, 60, 61, 62]),
        [false, false, false, false, true]
    );
}

#[test]
fn both_once_per_window() {
    let s = rule_spec("type both, track by_src, count 2, seconds 60");
    assert_eq!(
        run(&s, &[0, 1, 2, 3, 60, 61, 62]),
        [false, true, false, false, false, true, false]
    );
}

#[test]
fn detection_filter_after_count() {
    let s = ThresholdSpec::from_rule(
        &parse_threshold("track by_src, count 2, seconds 60", false).unwrap(),
    );
    assert_eq!(s.kind, Kind::Detection);
    assert_eq!(
        run(&s, &[0, 1, 2, 3, 60, 61, 62]),
        [false, false, true, true, false, false, true]
    );
}

#[test]
fn backoff() {
    let s = rule_spec("type backoff, track by_flow, count 1, multiplier 10");
    let times: Vec<u64> = (0..101).collect();
    let alerts: Vec<usize> = run(&s, &times)
        .iter()
        .enumerate()
        .filter(|(_, a)| **a)
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(alerts, [1, 10, 100]);
}

#[test]
fn tracking_separates_sources() {
    let s = rule_spec("type limit, track by_src, count 1, seconds 60");
    let mut st = ThresholdState::new(100);
    assert!(st.check(1, 0, &s, &site(1, 0)));
    assert!(!st.check(1, 0, &s, &site(1, 1)));
    assert!(st.check(1, 0, &s, &site(2, 1)));
    // Another rule, same source.
    assert!(st.check(2, 0, &s, &site(1, 1)));
    let s = rule_spec("type limit, track by_rule, count 1, seconds 60");
    assert!(st.check(3, 0, &s, &site(1, 1)));
    assert!(!st.check(3, 0, &s, &site(2, 1)));
}

#[test]
fn bounded_with_purge() {
    let s = rule_spec("type limit, track by_src, count 1, seconds 10");
    let mut st = ThresholdState::new(2);
    assert!(st.check(1, 0, &s, &site(1, 0)));
    assert!(st.check(1, 0, &s, &site(2, 0)));
    // Full: judged as a first match, not stored.
    assert!(st.check(1, 0, &s, &site(3, 0)));
    assert!(st.check(1, 0, &s, &site(3, 0)));
    assert_eq!(st.untracked, 2);
    assert_eq!(st.len(), 2);
    // After the windows ended, old entries make room.
    assert!(st.check(1, 0, &s, &site(3, 20)));
    assert!(!st.check(1, 0, &s, &site(3, 21)));
}

#[test]
fn rate_filter_switches_action() {
    let f = RateFilter {
        track: cfg::Track::ByRule,
        count: 2,
        seconds: 10,
        new_action: NewAction::Drop,
        timeout: 30,
    };
    let mut st = ThresholdState::new(10);
    let r: Vec<Option<NewAction>> = [0, 1, 2, 3, 32, 33]
        .iter()
        .map(|&t| st.rate(1, 0, &f, &site(1, t)))
        .collect();
    // Third match in the window exceeds 2; the drop lasts 30 s from 2.
    assert_eq!(
        r,
        [
            None,
            None,
            Some(NewAction::Drop),
            Some(NewAction::Drop),
            None,
            None
        ]
    );
}

#[test]
fn suppress_by_address() {
    let block = AddressExpr::Block(IpBlock {
        addr: IpAddr::from([10, 0, 0, 0]),
        prefix: Some(24),
    });
    let addrs = resolve_address(&block, &Vars::new()).unwrap();
    let src = IpAddr::from([10, 0, 0, 5]);
    let out = IpAddr::from([192, 168, 1, 1]);
    let s = |track| Suppress {
        track,
        addrs: addrs.clone(),
    };
    assert!(s(cfg::Track::BySrc).suppresses(src, out));
    assert!(!s(cfg::Track::BySrc).suppresses(out, src));
    assert!(s(cfg::Track::ByDst).suppresses(out, src));
    assert!(s(cfg::Track::ByEither).suppresses(out, src));
    assert!(!s(cfg::Track::ByEither).suppresses(out, out));
}

#[test]
fn config_filter_spec() {
    let f = cfg::Filter {
        kind: cfg::ThresholdType::Both,
        track: cfg::Track::ByDst,
        count: 3,
        seconds: 5,
    };
    let s = ThresholdSpec::from_config(&f);
    assert_eq!(s.kind, Kind::Both);
    assert_eq!(s.track, TrackBy::Dst);
}
