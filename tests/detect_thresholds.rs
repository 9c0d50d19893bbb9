//! The post-match stage through the real `Worker` and `Detector` on
//! hand-built UDP packets: `threshold` (limit, threshold, both) tracked by
//! source, destination, rule and flow over packet-time windows,
//! `detection_filter`, a threshold.config file (suppress, per-sid and
//! global thresholds), `xbits` across flows with expiry, the action order
//! with pass and drop, flow-scoped pass/drop of IP-only rules, IP-only
//! rules on the first packet of each direction, and `packet-alert-max`.
//! Expected alerts are worked out in the comment above each case
//! (windows include their end: a window started at t lasts to t+S).
//! The same packets and rules through Suricata 8.0.6 (`--runmode single`
//! for xbits, whose host table is shared between threads) give the same
//! alerts for `threshold_types_over_windows`, `xbits_across_flows_with_expiry`
//! and `ip_only_pass_and_drop_apply_to_the_flow` (checked by hand, not by
//! these tests).

#[path = "common/detect.rs"]
mod harness;

use std::io::Write;
use std::sync::Arc;

use harness::Udp;
use rulewire::config::{ActionOrder, Thresholds};
use rulewire::detect::prefilter::PrefilterSettings;
use rulewire::detect::{Detector, PostMatchConfig, PostMatchCounters, Verdict};
use rulewire::output::{AlertAction, AlertRecord, AlertSink};

/// Records `(packet index, sid, action)` per alert.
#[derive(Default)]
struct Alerts(Vec<(u64, u32, AlertAction)>);

impl AlertSink for Alerts {
    fn alert(&mut self, rec: &AlertRecord<'_>) -> std::io::Result<()> {
        self.0.push((rec.pcap_cnt, rec.sid, rec.action));
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// 10.0.0.`a`:`sport` -> 10.0.0.`b`:53 at second `t`.
fn p(t: u64, a: u8, sport: u16, b: u8, payload: &'static [u8]) -> Udp {
    harness::udp_at(t, [10, 0, 0, a], sport, [10, 0, 0, b], 53, payload)
}

/// The reply of `p(t, b, sport, a, ..)`: 10.0.0.`a`:53 -> 10.0.0.`b`:`dport`.
fn reply(t: u64, a: u8, b: u8, dport: u16, payload: &'static [u8]) -> Udp {
    harness::udp_at(t, [10, 0, 0, a], 53, [10, 0, 0, b], dport, payload)
}

struct Run {
    alerts: Vec<(u64, u32, AlertAction)>,
    verdicts: Vec<Verdict>,
    counters: PostMatchCounters,
}

/// Runs `rules` over `pkts` (numbered from 1) with `cfg`.
fn run_with(rules: &str, pkts: &[Udp], cfg: &PostMatchConfig) -> Run {
    let set = harness::load(rules);
    let engine = harness::engine(&set, true, PrefilterSettings::default());
    let (det, warnings) = Detector::with_config(Arc::new(engine), Alerts::default(), cfg);
    assert!(warnings.is_empty(), "{warnings:?}");
    let mut verdicts = Vec::new();
    let det = harness::feed_udp(det, pkts, |det| verdicts.push(det.last_verdict()));
    let counters = det.post_counters();
    Run {
        alerts: det.into_sink().0,
        verdicts,
        counters,
    }
}

fn run(rules: &str, pkts: &[Udp]) -> Vec<(u64, u32)> {
    run_with(rules, pkts, &PostMatchConfig::default())
        .alerts
        .into_iter()
        .map(|(i, s, _)| (i, s))
        .collect()
}

#[test]
fn threshold_types_over_windows() {
    let rules = r#"
alert udp any any -> any any (msg:"limit"; content:"L"; threshold:type limit, track by_src, count 2, seconds 10; sid:1;)
alert udp any any -> any any (msg:"threshold"; content:"T"; threshold:type threshold, track by_src, count 3, seconds 10; sid:2;)
alert udp any any -> any any (msg:"both"; content:"B"; threshold:type both, track by_src, count 2, seconds 10; sid:3;)
"#;
    // Times 0,1,2,3,4 fall in the window [0,10]; 11 starts a new one
    // [11,21] holding 11,12,13.
    // limit 2: the first two of each window: packets 1,2 and 6,7.
    // threshold 3: every third in a window: 3 (count restarts), then 4,5
    //   make 2 before the window ends; 6,7,8 count again: 8.
    // both 2: the second of each window: 2 and 7.
    let pkts: Vec<Udp> = [0, 1, 2, 3, 4, 11, 12, 13]
        .iter()
        .map(|&t| p(t, 1, 1000, 2, b"LTB"))
        .collect();
    assert_eq!(
        run(rules, &pkts),
        vec![
            (1, 1),
            (2, 1),
            (2, 3),
            (3, 2),
            (6, 1),
            (7, 1),
            (7, 3),
            (8, 2)
        ]
    );
}

#[test]
fn tracking_by_src_dst_rule_flow() {
    let rules = r#"
alert udp any any -> any any (content:"S"; threshold:type limit, track by_src, count 1, seconds 60; sid:10;)
alert udp any any -> any any (content:"S"; threshold:type limit, track by_dst, count 1, seconds 60; sid:11;)
alert udp any any -> any any (content:"S"; threshold:type limit, track by_rule, count 1, seconds 60; sid:12;)
alert udp any any -> any any (content:"F"; threshold:type limit, track by_flow, count 1, seconds 60; sid:13;)
"#;
    let pkts = [
        // 1: .1 -> .2: first source, first destination, first for the
        //    rule: 10, 11, 12.
        p(0, 1, 1000, 2, b"S"),
        // 2: .3 -> .2: new source (10); destination .2 seen (11 silent);
        //    rule seen (12 silent).
        p(1, 3, 1000, 2, b"S"),
        // 3: .1 -> .4: source .1 seen; new destination .4: 11.
        p(2, 1, 1000, 4, b"S"),
        // 4: flow A (.1:2000 -> .2) first "F": 13.
        p(3, 1, 2000, 2, b"F"),
        // 5: flow A again: limit reached for that flow.
        p(4, 1, 2000, 2, b"F"),
        // 6: flow B (.1:2001 -> .2), same hosts: its own count: 13.
        p(5, 1, 2001, 2, b"F"),
        // 7: the reply in flow A: same flow, nothing.
        reply(6, 2, 1, 2000, b"F"),
    ];
    assert_eq!(
        run(rules, &pkts),
        vec![
            (1, 10),
            (1, 11),
            (1, 12),
            (2, 10),
            (3, 11),
            (4, 13),
            (6, 13)
        ]
    );
}

#[test]
fn detection_filter_alerts_after_count() {
    let rules = r#"
alert udp any any -> any any (content:"D"; detection_filter:track by_src, count 2, seconds 10; sid:30;)
"#;
    // Matches 1 and 2 of the window [0,10] are ignored, 3 and 4 alert;
    // t=12 opens a new window, its first match is ignored again.
    let pkts: Vec<Udp> = [0, 1, 2, 3, 12]
        .iter()
        .map(|&t| p(t, 1, 1000, 2, b"D"))
        .collect();
    assert_eq!(run(rules, &pkts), vec![(3, 30), (4, 30)]);
}

#[test]
fn threshold_config_file() {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    writeln!(
        file,
        "# suppress one source of sid 40, all of sid 41\n\
         suppress gen_id 1, sig_id 40, track by_src, ip 10.0.0.1\n\
         suppress gen_id 1, sig_id 41\n\
         threshold gen_id 1, sig_id 42, type limit, track by_rule, count 1, seconds 60\n\
         threshold gen_id 0, sig_id 0, type limit, track by_rule, count 2, seconds 60"
    )
    .unwrap();
    let (thresholds, errors) = Thresholds::load(file.path()).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    let cfg = PostMatchConfig {
        thresholds,
        ..PostMatchConfig::default()
    };
    let rules = r#"
alert udp any any -> any any (content:"X"; sid:40;)
alert udp any any -> any any (content:"X"; sid:41;)
alert udp any any -> any any (content:"X"; threshold:type threshold, track by_src, count 100, seconds 60; sid:42;)
alert udp any any -> any any (content:"X"; threshold:type limit, track by_rule, count 3, seconds 60; sid:43;)
"#;
    // sid 40: suppress for source .1, then the global limit 2 (it has no
    //   threshold of its own). sid 41: never alerts. sid 42: the
    //   per-sid limit 1 replaces its own threshold. sid 43 keeps its own
    //   limit 3 (the global entry skips rules with one).
    let pkts = [
        // 1: from .1: 40 suppressed (its limit is not counted); 42 first;
        //    43 first.
        p(0, 1, 1000, 2, b"X"),
        // 2: from .3: 40 first of its limit; 42 over; 43 second.
        p(1, 3, 1000, 2, b"X"),
        // 3: 40 second; 43 third.
        p(2, 3, 1000, 2, b"X"),
        // 4: 40 over; 43 over.
        p(3, 3, 1000, 2, b"X"),
    ];
    let r = run_with(rules, &pkts, &cfg);
    let got: Vec<(u64, u32)> = r.alerts.iter().map(|&(i, s, _)| (i, s)).collect();
    assert_eq!(
        got,
        vec![(1, 42), (1, 43), (2, 40), (2, 43), (3, 40), (3, 43)]
    );
    // 16 matches, 6 logged.
    assert_eq!(r.counters.suppressed, 10);
}

#[test]
fn xbits_across_flows_with_expiry() {
    let rules = r#"
alert udp any any -> any any (content:"set"; xbits:set,bad,track ip_src,expire 10; noalert; sid:50;)
alert udp any any -> any any (content:"probe"; xbits:isset,bad,track ip_src; sid:51;)
alert udp any any -> any any (content:"probe"; xbits:isset,bad,track ip_dst; sid:52;)
alert udp any any -> any any (content:"probe"; xbits:isnotset,bad,track ip_src; sid:53;)
"#;
    let pkts = [
        // 1: host .1 gets "bad" until t=10; noalert.
        p(0, 1, 1000, 2, b"set"),
        // 2: another flow from .1: 51 (source bit set).
        p(1, 1, 2000, 9, b"probe"),
        // 3: .7 -> .1: the bit is on the host, so by destination: 52;
        //    source .7 has none: 53.
        p(2, 7, 3000, 1, b"probe"),
        // 4: t=12, the bit expired at 10: only 53.
        p(12, 1, 4000, 9, b"probe"),
    ];
    assert_eq!(run(rules, &pkts), vec![(2, 51), (3, 52), (3, 53), (4, 53)]);
}

#[test]
fn action_order_pass_and_drop() {
    let rules = r#"
alert udp any any -> any any (content:"A"; sid:60;)
drop udp any any -> any any (content:"A"; sid:61;)
pass udp any any -> any any (content:"P"; sid:62;)
"#;
    let pkts = [p(0, 1, 1000, 2, b"A"), p(1, 1, 1000, 2, b"AP")];
    // Default order pass, drop, reject, alert. 1: drop first, then the
    // alert; the packet is dropped. 2: the pass comes first and ends the
    // queue: nothing, and the packet is not dropped.
    let r = run_with(rules, &pkts, &PostMatchConfig::default());
    assert_eq!(
        r.alerts,
        vec![(1, 61, AlertAction::Drop), (1, 60, AlertAction::Alert)]
    );
    assert_eq!(r.verdicts, vec![Verdict::Drop, Verdict::Accept]);
    // alert, pass, drop, reject: 1: alert then drop; 2: alert, then the
    // pass ends the queue before the drop.
    let cfg = PostMatchConfig {
        action_order: ActionOrder::from_names(["alert", "pass", "drop", "reject"]).unwrap(),
        ..PostMatchConfig::default()
    };
    let r = run_with(rules, &pkts, &cfg);
    assert_eq!(
        r.alerts,
        vec![
            (1, 60, AlertAction::Alert),
            (1, 61, AlertAction::Drop),
            (2, 60, AlertAction::Alert)
        ]
    );
    assert_eq!(r.verdicts, vec![Verdict::Drop, Verdict::Accept]);
}

#[test]
fn ip_only_pass_and_drop_apply_to_the_flow() {
    let rules = r#"
pass udp 10.0.0.1 any -> any any (sid:70;)
drop udp 10.0.0.5 any -> any any (sid:71;)
alert udp any any -> any any (content:"Z"; sid:72;)
"#;
    let pkts = [
        // 1: .1's flow: the IP-only pass ends the queue and passes the
        //    flow.
        p(0, 1, 5000, 2, b"Z"),
        // 2, 3: the same flow, both ways: not inspected.
        p(1, 1, 5000, 2, b"Z"),
        reply(2, 2, 1, 5000, b"Z"),
        // 4: another host: 72.
        p(3, 3, 5000, 2, b"Z"),
        // 5: .5's flow: drop (flow-wide) and 72; dropped.
        p(4, 5, 6000, 2, b"Z"),
        // 6: the same flow: not inspected, dropped.
        p(5, 5, 6000, 2, b"Z"),
    ];
    let r = run_with(rules, &pkts, &PostMatchConfig::default());
    assert_eq!(
        r.alerts,
        vec![
            (4, 72, AlertAction::Alert),
            (5, 71, AlertAction::Drop),
            (5, 72, AlertAction::Alert)
        ]
    );
    use Verdict::{Accept as A, Drop as D};
    assert_eq!(r.verdicts, vec![A, A, A, A, D, D]);
    assert_eq!(r.counters.flow_skipped, 3);
}

#[test]
fn ip_only_rules_see_the_first_packet_of_each_direction() {
    let rules = "alert ip any any -> any any (sid:80;)\n";
    let pkts = [
        // 1: flow A, first to the server; 2: not first.
        p(0, 1, 1000, 2, b"x"),
        p(1, 1, 1000, 2, b"x"),
        // 3: first reply; 4: not first.
        reply(2, 2, 1, 1000, b"x"),
        reply(3, 2, 1, 1000, b"x"),
        // 5: another flow.
        p(4, 3, 1000, 2, b"x"),
    ];
    assert_eq!(run(rules, &pkts), vec![(1, 80), (3, 80), (5, 80)]);
}

#[test]
fn packet_alert_max_keeps_the_first_by_priority() {
    let rules = r#"
alert udp any any -> any any (content:"M"; priority:3; sid:100;)
alert udp any any -> any any (content:"M"; priority:1; sid:101;)
alert udp any any -> any any (content:"M"; priority:2; sid:102;)
alert udp any any -> any any (content:"M"; priority:1; sid:103;)
"#;
    // Sorted: priority 1 (101, 103 in load order), 2 (102), 3 (100); at
    // most 2 per packet.
    let cfg = PostMatchConfig {
        packet_alert_max: 2,
        ..PostMatchConfig::default()
    };
    let r = run_with(rules, &[p(0, 1, 1000, 2, b"M")], &cfg);
    let got: Vec<(u64, u32)> = r.alerts.iter().map(|&(i, s, _)| (i, s)).collect();
    assert_eq!(got, vec![(1, 101), (1, 103)]);
    assert_eq!(r.counters.discarded, 2);
}
