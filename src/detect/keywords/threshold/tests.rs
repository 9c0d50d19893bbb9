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

use Outcome::{Alert as A, Ignore as I, Silent as S};

/// Outcomes for matches at the given seconds (+500 us), all from one
/// source.
fn run(spec: &ThresholdSpec, times: &[u64]) -> Vec<Outcome> {
    let mut st = ThresholdState::new(100);
    times
        .iter()
        .map(|&t| st.check(1, 0, spec, &site(1, t)))
        .collect()
}

#[test]
fn limit() {
    let s = rule_spec("type limit, track by_src, count 2, seconds 60");
    // 60.0005 is still inside the window that started at 0.0005 (its
    // end is included); 61 starts a new one.
    assert_eq!(run(&s, &[0, 1, 2, 59, 60, 61, 62]), [A, A, S, S, S, A, A]);
}

#[test]
fn threshold_every_nth() {
    let s = rule_spec("type threshold, track by_src, count 3, seconds 60");
    assert_eq!(run(&s, &[0, 1, 2, 3, 4, 5, 6]), [I, I, A, I, I, A, I]);
    // A new window restarts the count at 1.
    assert_eq!(run(&s, &[0, 1, 61, 62, 63]), [I, I, I, I, A]);
    // count 1: every match alerts.
    let one = rule_spec("type threshold, track by_src, count 1, seconds 60");
    assert_eq!(run(&one, &[0, 0, 1]), [A, A, A]);
}

#[test]
fn both_once_per_window() {
    let s = rule_spec("type both, track by_src, count 2, seconds 60");
    assert_eq!(run(&s, &[0, 1, 2, 3, 61, 62, 63]), [I, A, S, S, I, A, S]);
}

#[test]
fn detection_filter_after_count() {
    let s = ThresholdSpec::from_rule(
        &parse_threshold("track by_src, count 2, seconds 60", false).unwrap(),
    );
    assert_eq!(s.kind, Kind::Detection);
    assert_eq!(run(&s, &[0, 1, 2, 3, 61, 62, 63]), [I, I, A, A, I, I, A]);
}

#[test]
fn backoff() {
    let s = rule_spec("type backoff, track by_flow, count 1, multiplier 10");
    let times: Vec<u64> = (0..101).collect();
    let out = run(&s, &times);
    let alerts: Vec<usize> = out
        .iter()
        .enumerate()
        .filter(|(_, a)| **a == A)
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(alerts, [1, 10, 100]);
    assert_eq!(out[1], S);
}

#[test]
fn tracking_separates_sources() {
    let s = rule_spec("type limit, track by_src, count 1, seconds 60");
    let mut st = ThresholdState::new(100);
    assert_eq!(st.check(1, 0, &s, &site(1, 0)), A);
    assert_eq!(st.check(1, 0, &s, &site(1, 1)), S);
    assert_eq!(st.check(1, 0, &s, &site(2, 1)), A);
    // Another rule, same source.
    assert_eq!(st.check(2, 0, &s, &site(1, 1)), A);
    let s = rule_spec("type limit, track by_rule, count 1, seconds 60");
    assert_eq!(st.check(3, 0, &s, &site(1, 1)), A);
    assert_eq!(st.check(3, 0, &s, &site(2, 1)), S);
}

#[test]
fn bounded_with_purge() {
    let s = rule_spec("type limit, track by_src, count 1, seconds 10");
    let mut st = ThresholdState::new(2);
    assert_eq!(st.check(1, 0, &s, &site(1, 0)), A);
    assert_eq!(st.check(1, 0, &s, &site(2, 0)), A);
    // Full: judged as a first match, not stored.
    assert_eq!(st.check(1, 0, &s, &site(3, 0)), A);
    assert_eq!(st.check(1, 0, &s, &site(3, 0)), A);
    assert_eq!(st.untracked, 2);
    assert_eq!(st.len(), 2);
    // After the windows ended, old entries make room.
    assert_eq!(st.check(1, 0, &s, &site(3, 20)), A);
    assert_eq!(st.check(1, 0, &s, &site(3, 21)), S);
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
    let r: Vec<Option<NewAction>> = [0, 1, 2, 3, 32, 33, 34]
        .iter()
        .map(|&t| st.rate(1, 0, &f, &site(1, t)))
        .collect();
    // The third match in the window exceeds 2; the new action holds
    // while at most 30 whole seconds passed since 2 (32 - 2 = 30), ends
    // at 33 (not counted), and 34 is outside the old window.
    let d = Some(NewAction::Drop);
    assert_eq!(r, [None, None, d, d, d, None, None]);
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

/// `track by_both` counts both directions of a host pair together
/// (Suricata orders the pair lower address first), as the conformance case
/// threshold-config-rate-filter-alert-pair shows: the reply packet is the
/// pair's second match and gets the rate filter's `new_action`.
#[test]
fn by_both_is_one_counter_per_unordered_pair() {
    let f = RateFilter {
        track: cfg::Track::ByBoth,
        count: 1,
        seconds: 60,
        new_action: NewAction::Alert,
        timeout: 1000,
    };
    let mut st = ThresholdState::new(10);
    let there = site(1, 0);
    let back = MatchSite {
        src: there.dst,
        dst: there.src,
        ..there
    };
    assert_eq!(st.rate(1, 0, &f, &there), None);
    assert_eq!(st.rate(1, 0, &f, &back), Some(NewAction::Alert));
    // Another pair has its own counter.
    assert_eq!(st.rate(1, 0, &f, &site(2, 0)), None);
    let s = rule_spec("type limit, track by_both, count 1, seconds 60");
    assert_eq!(st.check(2, 0, &s, &there), A);
    assert_eq!(st.check(2, 0, &s, &back), S);
}
