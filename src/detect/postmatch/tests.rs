use super::*;
use crate::config::{Classifications, Thresholds};
use crate::detect::EngineBuilder;
use crate::rule::{load_str, LoadOptions};
use std::path::Path;

fn engine(rules: &str) -> crate::detect::Engine {
    let vars = Vars::new();
    let set = load_str(rules, &LoadOptions::new(&vars));
    assert!(set.errors().next().is_none());
    EngineBuilder::default()
        .build(&set, &Classifications::default())
        .unwrap()
}

use crate::config::Vars;

fn cfg(threshold_config: &str) -> PostMatchConfig {
    let (thresholds, errors) = Thresholds::parse(threshold_config, Path::new("t.config"));
    assert!(errors.is_empty(), "{errors:?}");
    PostMatchConfig {
        thresholds,
        ..PostMatchConfig::default()
    }
}

fn facts(src: u8, dst: u8, flow: Option<(u64, bool)>, secs: u64) -> PacketFacts {
    PacketFacts {
        addrs: Some((IpAddr::from([10, 0, 0, src]), IpAddr::from([10, 0, 0, dst]))),
        flow,
        now_us: secs * 1_000_000,
        stream: false,
    }
}

/// Runs `finalize` over every rule of `e` as matched; returns the logged
/// sids and the verdict.
fn finalize_all(
    pm: &mut PostMatch,
    e: &crate::detect::Engine,
    pkt: &PacketFacts,
    flow: Option<&mut FlowState>,
) -> (Vec<u32>, Verdict) {
    let matched: Vec<u32> = (0..e.rules().len() as u32).collect();
    let mut sids = Vec::new();
    let v = pm.finalize(e.rules(), &matched, pkt, flow, |i, _| {
        sids.push(e.rules()[i as usize].sid)
    });
    (sids, v)
}

#[test]
fn config_entries_combine_as_suricata() {
    let e = engine(
        "alert ip any any -> any any (threshold:type limit,track by_src,count 5,seconds 60; sid:1;)\n\
         alert ip any any -> any any (sid:2;)\n\
         alert ip any any -> any any (detection_filter:track by_src,count 5,seconds 60; sid:3;)\n\
         alert ip any any -> any any (sid:4;)\n",
    );
    let c = cfg("threshold gen_id 1, sig_id 1, type both, track by_dst, count 2, seconds 9\n\
         threshold gen_id 0, sig_id 0, type limit, track by_rule, count 1, seconds 60\n\
         rate_filter gen_id 1, sig_id 4, track by_rule, count 1, seconds 60, new_action drop, timeout 10\n\
         suppress gen_id 1, sig_id 2\n");
    let (posts, warnings) = setup::build(e.rules(), &c);
    assert!(warnings.is_empty(), "{warnings:?}");
    // sid 1: its own limit replaced by the per-sid `both`; the global
    // entry then skips it (it has one).
    assert!(matches!(
        posts[0].gates.as_slice(),
        [Gate::Count(s)] if s.count == 2 && s.seconds == 9
    ));
    // sid 2: the global limit, and no alert (track-less suppress).
    assert!(matches!(posts[1].gates.as_slice(), [Gate::Count(s)] if s.count == 1));
    assert!(!posts[1].bits.alert);
    // sid 3 keeps its detection_filter only.
    assert!(matches!(posts[2].gates.as_slice(), [Gate::Count(s)] if s.count == 5));
    // sid 4: the global limit came first, so the rate filter is skipped.
    assert!(matches!(posts[3].gates.as_slice(), [Gate::Count(s)] if s.count == 1));
}

#[test]
fn bad_entries_are_warnings() {
    let e = engine("alert ip any any -> any any (sid:1;)\n");
    let c = cfg("suppress gen_id 0, sig_id 1\n\
         suppress gen_id 1, sig_id 99\n\
         suppress gen_id 1, sig_id 1, track by_src, ip $NOPE\n");
    let (posts, warnings) = setup::build(e.rules(), &c);
    assert_eq!(warnings.len(), 3, "{warnings:?}");
    assert!(posts[0].suppress.is_empty() && posts[0].bits.alert);
}

#[test]
fn rate_filter_changes_the_logged_action() {
    let e = engine("alert ip any any -> any any (sid:1;)\n");
    let c = cfg("rate_filter gen_id 1, sig_id 1, track by_rule, count 1, seconds 60, new_action drop, timeout 10\n");
    let (mut pm, _) = PostMatch::new(e.rules(), &c);
    let mut seen = Vec::new();
    for t in 0..3 {
        let v = pm.finalize(e.rules(), &[0], &facts(1, 2, None, t), None, |_, bits| {
            seen.push(bits.drop)
        });
        // The second match exceeds count 1: drop from then on (the alert
        // is still logged).
        assert_eq!(
            v,
            if t == 0 {
                Verdict::Accept
            } else {
                Verdict::Drop
            }
        );
    }
    assert_eq!(seen, [false, true, true]);
}

#[test]
fn suppressed_drop_still_drops_and_ignored_threshold_does_not() {
    let e = engine(
        "drop ip any any -> any any (sid:1;)\n\
         drop ip any any -> any any (threshold:type threshold,track by_rule,count 2,seconds 60; sid:2;)\n",
    );
    let c = cfg("suppress gen_id 1, sig_id 1, track by_src, ip 10.0.0.1\n");
    let (mut pm, _) = PostMatch::new(e.rules(), &c);
    // sid 1 suppressed (silent: the drop applies); sid 2's first match is
    // ignored (below its count: no alert, no action).
    let (sids, v) = finalize_all(&mut pm, &e, &facts(1, 2, None, 0), None);
    assert!(sids.is_empty());
    assert_eq!(v, Verdict::Drop);
    let (mut pm, _) = PostMatch::new(e.rules(), &c);
    let only_sid2 = pm.finalize(e.rules(), &[1], &facts(1, 2, None, 0), None, |_, _| {});
    assert_eq!(only_sid2, Verdict::Accept);
}

#[test]
fn pass_after_drop_does_not_pass_the_flow() {
    // action-order drop first: the drop applies, the later IP-only pass
    // is skipped as an action but still ends the queue.
    let e = engine(
        "pass ip any any -> any any (sid:1;)\n\
         drop ip any any -> any any (sid:2;)\n\
         alert ip any any -> any any (sid:3;)\n",
    );
    let c = PostMatchConfig {
        action_order: crate::config::ActionOrder::from_names(["drop", "pass", "reject", "alert"])
            .unwrap(),
        ..PostMatchConfig::default()
    };
    let (mut pm, _) = PostMatch::new(e.rules(), &c);
    let mut flow = FlowState::default();
    let (sids, v) = finalize_all(
        &mut pm,
        &e,
        &facts(1, 2, Some((7, true)), 0),
        Some(&mut flow),
    );
    assert_eq!(sids, [2]);
    assert_eq!(v, Verdict::Drop);
    assert_eq!(flow.verdict(), FlowVerdict::Drop);
    assert_eq!(pm.flow_verdict(Some(&flow)), Some(Verdict::Drop));
    // IP-only rules are not evaluated on a later packet of the flow.
    let mut fresh = FlowState::default();
    let (sids, v) = finalize_all(
        &mut pm,
        &e,
        &facts(1, 2, Some((7, false)), 1),
        Some(&mut fresh),
    );
    assert!(sids.is_empty());
    assert_eq!(v, Verdict::Accept);
}

#[test]
fn no_ip_layer_skips_thresholds() {
    let e = engine(
        "alert pkthdr any any -> any any (threshold:type limit,track by_src,count 1,seconds 60; decode-event:ipv4.pkt_too_small; sid:1;)\n",
    );
    let (mut pm, _) = PostMatch::new(e.rules(), &PostMatchConfig::default());
    let no_ip = PacketFacts {
        addrs: None,
        flow: None,
        now_us: 0,
        stream: false,
    };
    for _ in 0..3 {
        let (sids, _) = finalize_all(&mut pm, &e, &no_ip, None);
        assert_eq!(sids, [1]);
    }
}
