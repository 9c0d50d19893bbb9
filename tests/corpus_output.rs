//! The output module against Suricata 8.0.6's own files in
//! `../shared/conformance`:
//!
//! 1. `fast_log_lines_match_suricata_byte_for_byte`: every line of every
//!    `expected-fast.log` is rebuilt from independent sources (rule ids,
//!    action, addresses, ports, protocol from `expected.json`; the rule's
//!    action word from `test.rules`; IPS mode from the case's arguments;
//!    the packet time and ICMP type/code from the pcap by packet number),
//!    with only `msg`, classification and priority (rule-module facts) taken
//!    from the line itself, and formatted by `FastLogFormat`; the result must
//!    equal the line byte for byte.
//! 2. `eve_records_from_conformance_alerts_validate_and_agree`: every alert
//!    of every `expected.json` becomes an EVE record (all optional parts on),
//!    which must validate against `../shared/eve/schema.json` and carry the
//!    same addresses, ports, protocol, ids, action and packet number as
//!    Suricata's EVE did.
//! 3. `stats_doc_writes_expected_stats_layout`: every `expected-stats.json`
//!    merged into a `StatsDoc` writes back byte for byte.

#[path = "corpus_output/case.rs"]
mod case;
mod common;
#[path = "corpus_output/pcap_mini.rs"]
mod pcap_mini;

use std::collections::HashMap;

use case::{case_dirs, parse_ip, proto_number, Case, ExpectedAlert};
use pcap_mini::{icmp_type_code, read_pcap, Pcap};
use rulewire::output::{
    fast_log_time, AlertFormat, AlertRecord, Direction, EveFormat, EveOptions, FastLogFormat,
    FlowCounters, FlowInfo, IpInfo, Transport, UtcOffset,
};

/// One fast.log line split into its fields (test-only parser).
struct Line<'a> {
    time: &'a str,
    gid: u32,
    sid: u32,
    rev: u32,
    msg: &'a str,
    class: &'a str,
    prio: u32,
    /// Whatever follows `[Priority: N]`.
    tail: &'a str,
}

fn parse_line(line: &str) -> Option<Line<'_>> {
    let (time, rest) = line.split_once("  ")?;
    let rest = rest
        .strip_prefix("[Drop] ")
        .or_else(|| rest.strip_prefix("[wDrop] "))
        .unwrap_or(rest);
    let rest = rest.strip_prefix("[**] [")?;
    let (ids, rest) = rest.split_once("] ")?;
    let mut ids = ids.split(':').map(|n| n.parse::<u32>().ok());
    let (gid, sid, rev) = (ids.next()??, ids.next()??, ids.next()??);
    let (msg, rest) = rest.split_once(" [**] [Classification: ")?;
    let (class, rest) = rest.split_once("] [Priority: ")?;
    let (prio, tail) = rest.split_once(']')?;
    Some(Line {
        time,
        gid,
        sid,
        rev,
        msg,
        class,
        prio: prio.parse().ok()?,
        tail,
    })
}

/// `MM/DD/YYYY-HH:MM:SS.uuuuuu` (UTC) back to (secs, nanos), test-local.
fn parse_fast_time(t: &str) -> Option<(u64, u32)> {
    let n = |s: &str| s.parse::<i64>().ok();
    let (date, clock) = t.split_once('-')?;
    let mut d = date.split('/');
    let (mo, da, yr) = (n(d.next()?)?, n(d.next()?)?, n(d.next()?)?);
    let (hms, frac) = clock.split_once('.')?;
    let mut c = hms.split(':');
    let (h, mi, s) = (n(c.next()?)?, n(c.next()?)?, n(c.next()?)?);
    // Days from civil, March-based years (as in any calendar text).
    let y = if mo <= 2 { yr - 1 } else { yr };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + da - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + h * 3600 + mi * 60 + s;
    Some((u64::try_from(secs).ok()?, frac.parse::<u32>().ok()? * 1000))
}

/// The `{PROTO} src:a -> dst:b` tail's two port-slot numbers.
fn tail_ports(tail: &str) -> Option<(u16, u16)> {
    let (left, right) = tail.split_once(" -> ")?;
    let a = left.rsplit_once(':')?.1.parse().ok()?;
    let b = right.rsplit_once(':')?.1.parse().ok()?;
    Some((a, b))
}

fn load_pcap(case: &Case) -> Option<Pcap> {
    read_pcap(&std::fs::read(case.dir.join("input.pcap")).ok()?)
}

#[derive(Default, Debug)]
struct FastCounts {
    files: usize,
    lines: usize,
    rebuilt: usize,
    identical: usize,
    time_from_pcap: usize,
    time_from_line: usize,
    icmp_from_pcap: usize,
    icmp_from_line: usize,
    unmatched: usize,
}

/// The IP layer of an expected alert; `icmp` supplies ICMP type/code.
fn ip_info(a: &ExpectedAlert, icmp: impl FnOnce() -> Option<(u8, u8)>) -> Option<Option<IpInfo>> {
    let Some(proto) = a.proto.as_deref() else {
        return Some(None);
    };
    let proto = proto_number(proto)?;
    let transport = match (a.src_port, a.dest_port) {
        (Some(src), Some(dst)) => Transport::Ports { src, dst },
        _ if proto == 1 || proto == 58 => {
            let (itype, code) = icmp()?;
            Transport::Icmp { itype, code }
        }
        _ => Transport::None,
    };
    Some(Some(IpInfo {
        src: parse_ip(a.src_ip.as_deref()?)?,
        dst: parse_ip(a.dest_ip.as_deref()?)?,
        proto,
        transport,
    }))
}

#[test]
fn fast_log_lines_match_suricata_byte_for_byte() {
    let Some(shared) = common::shared_dir("fast_log_lines_match_suricata_byte_for_byte") else {
        return;
    };
    let format = FastLogFormat::new(UtcOffset::UTC);
    let mut counts = FastCounts::default();
    let mut mismatches = Vec::new();
    for dir in case_dirs(&shared) {
        let Ok(text) = std::fs::read_to_string(dir.join("expected-fast.log")) else {
            continue;
        };
        let case = Case::load(&dir).expect("case");
        let pcap = load_pcap(&case);
        counts.files += 1;
        let mut used = vec![false; case.expected.alerts.len()];
        for raw in text.lines() {
            counts.lines += 1;
            let Some(line) = parse_line(raw) else {
                counts.unmatched += 1;
                continue;
            };
            // The packet time Suricata's alert had, by packet number.
            let pkt_of = |a: &ExpectedAlert| {
                let idx = usize::try_from(a.pcap_cnt?).ok()?.checked_sub(1)?;
                pcap.as_ref()?.packets.get(idx)
            };
            let pcap_time = |a: &ExpectedAlert| {
                pkt_of(a)
                    .map(|p| (p.secs, p.nanos))
                    .filter(|&(s, n)| fast_log_time(s, n, UtcOffset::UTC).as_str() == line.time)
            };
            // Rebuild the line from expected alert `a` at time `ts`.
            let rebuild = |a: &ExpectedAlert, ts: (u64, u32), icmp_src: &mut Option<bool>| {
                let ip = ip_info(a, || {
                    let from_pcap =
                        pkt_of(a).and_then(|p| icmp_type_code(pcap.as_ref()?.linktype, &p.data));
                    *icmp_src = Some(from_pcap.is_some());
                    from_pcap.or_else(|| tail_ports(line.tail).map(|(t, c)| (t as u8, c as u8)))
                })?;
                let rec = AlertRecord {
                    ts_secs: ts.0,
                    ts_nanos: ts.1,
                    pcap_cnt: a.pcap_cnt.unwrap_or(0),
                    action: case.action(a.gid, a.sid),
                    ips_mode: case.ips(),
                    gid: a.gid,
                    sid: a.sid,
                    rev: a.rev,
                    msg: (line.msg != "(null)").then_some(line.msg),
                    class_desc: (line.class != "(null)").then_some(line.class),
                    priority: line.prio,
                    ip,
                    packet: pkt_of(a).map(|p| p.data.as_slice()),
                    ..AlertRecord::default()
                };
                let mut out = Vec::new();
                format.format_alert(&rec, &mut out);
                Some(out)
            };
            // Candidates: unused alerts with the line's rule ids, those whose
            // packet has the line's time first. Several alerts can share ids
            // and time (a tunnel packet alerts on its outer and inner
            // headers), so the first candidate that rebuilds the line
            // exactly wins; with none, the first candidate is the mismatch.
            let want = format!("{raw}\n");
            let mut candidates: Vec<(usize, Option<(u64, u32)>)> = case
                .expected
                .alerts
                .iter()
                .enumerate()
                .filter(|(i, a)| {
                    !used[*i] && (a.gid, a.sid, a.rev) == (line.gid, line.sid, line.rev)
                })
                .map(|(i, a)| (i, pcap_time(a)))
                .collect();
            candidates.sort_by_key(|(_, t)| t.is_none());
            let mut chosen: Option<(usize, bool, Option<bool>, Vec<u8>)> = None;
            for &(i, t) in &candidates {
                let a = &case.expected.alerts[i];
                let ts = t.or_else(|| parse_fast_time(line.time)).expect("line time");
                let mut icmp_src = None;
                let Some(out) = rebuild(a, ts, &mut icmp_src) else {
                    continue;
                };
                let exact = out == want.as_bytes();
                if chosen.is_none() || exact {
                    chosen = Some((i, t.is_some(), icmp_src, out));
                }
                if exact {
                    break;
                }
            }
            let Some((idx, from_pcap, icmp_src, out)) = chosen else {
                counts.unmatched += 1;
                continue;
            };
            used[idx] = true;
            if from_pcap {
                counts.time_from_pcap += 1;
            } else {
                counts.time_from_line += 1;
            }
            match icmp_src {
                Some(true) => counts.icmp_from_pcap += 1,
                Some(false) => counts.icmp_from_line += 1,
                None => {}
            }
            counts.rebuilt += 1;
            if out == want.as_bytes() {
                counts.identical += 1;
            } else if mismatches.len() < 20 {
                mismatches.push(format!(
                    "{}:\n  suricata: {raw}\n  ours:     {}",
                    case.name,
                    String::from_utf8_lossy(&out).trim_end()
                ));
            }
        }
    }
    eprintln!(
        "fast.log: {} files, {} lines, {} rebuilt, {} byte-identical \
         (time from pcap {}, from line {}; icmp type/code from pcap {}, from line {}; unmatched {})",
        counts.files,
        counts.lines,
        counts.rebuilt,
        counts.identical,
        counts.time_from_pcap,
        counts.time_from_line,
        counts.icmp_from_pcap,
        counts.icmp_from_line,
        counts.unmatched
    );
    assert!(
        mismatches.is_empty(),
        "lines that differ:\n{}",
        mismatches.join("\n")
    );
    assert_eq!(counts.identical, counts.rebuilt);
    // Every line of the corpus must be rebuilt, not skipped.
    assert_eq!(counts.rebuilt, counts.lines, "{counts:?}");
    assert!(counts.files >= 500, "{counts:?}");
}

/// Our EVE record for an expected alert must say what Suricata's said.
/// With `check_action` false (a rate_filter may have rewritten the action)
/// the action is not compared.
fn compare_with_expected(
    v: &serde_json::Value,
    a: &ExpectedAlert,
    check_action: bool,
) -> Result<(), String> {
    let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_owned);
    let n = |k: &str| v.get(k).and_then(serde_json::Value::as_u64);
    let alert = &v["alert"];
    let checks = [
        ("src_ip", s("src_ip") == a.src_ip),
        ("dest_ip", s("dest_ip") == a.dest_ip),
        ("src_port", n("src_port") == a.src_port.map(u64::from)),
        ("dest_port", n("dest_port") == a.dest_port.map(u64::from)),
        ("proto", s("proto") == a.proto),
        ("pcap_cnt", n("pcap_cnt") == a.pcap_cnt),
        ("gid", alert["gid"].as_u64() == Some(u64::from(a.gid))),
        (
            "signature_id",
            alert["signature_id"].as_u64() == Some(u64::from(a.sid)),
        ),
        ("rev", alert["rev"].as_u64() == Some(u64::from(a.rev))),
        (
            "action",
            !check_action || alert["action"].as_str() == Some(a.action.as_str()),
        ),
    ];
    match checks.iter().find(|(_, ok)| !ok) {
        None => Ok(()),
        Some((field, _)) => Err(format!("{field} differs: ours {v}")),
    }
}

#[test]
fn eve_records_from_conformance_alerts_validate_and_agree() {
    let Some(shared) = common::shared_dir("eve_records_from_conformance_alerts_validate_and_agree")
    else {
        return;
    };
    let schema_text = std::fs::read_to_string(shared.join("eve/schema.json")).expect("schema");
    let schema: serde_json::Value = serde_json::from_str(&schema_text).expect("schema json");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let format = EveFormat::new(
        EveOptions {
            flow: true,
            payload: true,
            payload_printable: true,
            packet: true,
        },
        UtcOffset::UTC,
    );
    let (mut records, mut valid, mut agree, mut action_unchecked) = (0usize, 0, 0, 0);
    let mut failures = Vec::new();
    let mut per_proto: HashMap<String, usize> = HashMap::new();
    for dir in case_dirs(&shared) {
        let case = Case::load(&dir).expect("case");
        let pcap = load_pcap(&case);
        for (i, a) in case.expected.alerts.iter().enumerate() {
            let pkt = a
                .pcap_cnt
                .and_then(|c| usize::try_from(c).ok()?.checked_sub(1))
                .and_then(|idx| pcap.as_ref()?.packets.get(idx));
            let icmp = || icmp_type_code(pcap.as_ref()?.linktype, &pkt?.data);
            let Some(ip) = ip_info(a, || icmp().or(Some((0, 0)))) else {
                failures.push(format!(
                    "{}: alert {i}: cannot read {:?}",
                    case.name, a.proto
                ));
                continue;
            };
            let data = pkt.map(|p| p.data.as_slice());
            let rec = AlertRecord {
                ts_secs: pkt.map_or(0, |p| p.secs),
                ts_nanos: pkt.map_or(0, |p| p.nanos),
                pcap_cnt: a.pcap_cnt.unwrap_or(0),
                action: case.action(a.gid, a.sid),
                ips_mode: case.ips(),
                gid: a.gid,
                sid: a.sid,
                rev: a.rev,
                msg: Some("conformance alert"),
                ip,
                flow: ip.map(|_| FlowInfo {
                    flow_id: i as u64 + 1,
                    direction: if i % 2 == 0 {
                        Direction::ToServer
                    } else {
                        Direction::ToClient
                    },
                    app_proto: None,
                    counters: Some(FlowCounters {
                        pkts_toserver: 1,
                        pkts_toclient: 1,
                        bytes_toserver: 60,
                        bytes_toclient: 60,
                        start_secs: pkt.map_or(0, |p| p.secs),
                        start_nanos: 0,
                    }),
                }),
                payload: data,
                packet: data,
                linktype: pcap.as_ref().map_or(1, |p| p.linktype),
                ..AlertRecord::default()
            };
            let mut out = Vec::new();
            format.format_alert(&rec, &mut out);
            records += 1;
            *per_proto
                .entry(a.proto.clone().unwrap_or_else(|| "none".into()))
                .or_default() += 1;
            let v: serde_json::Value = match serde_json::from_slice(&out) {
                Ok(v) => v,
                Err(e) => {
                    failures.push(format!("{}: not JSON: {e}", case.name));
                    continue;
                }
            };
            let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
            if errors.is_empty() {
                valid += 1;
            } else if failures.len() < 20 {
                failures.push(format!("{}: invalid: {}", case.name, errors.join("; ")));
            }
            if case.rate_filtered() {
                action_unchecked += 1;
            }
            match compare_with_expected(&v, a, !case.rate_filtered()) {
                Ok(()) => agree += 1,
                Err(e) if failures.len() < 20 => failures.push(format!("{}: {e}", case.name)),
                Err(_) => {}
            }
        }
    }
    let mut protos: Vec<_> = per_proto.into_iter().collect();
    protos.sort();
    eprintln!(
        "eve: {records} records from conformance alerts, {valid} schema-valid, \
         {agree} agree with Suricata's fields ({action_unchecked} of them with the action \
         unchecked: rate_filter cases); by proto {protos:?}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(valid, records);
    assert_eq!(agree, records);
    assert!(records >= 5000, "{records}");
}

/// `StatsDoc`'s written form is the layout of the conformance
/// `expected-stats.json` files: each file, merged section by section into a
/// `StatsDoc` (with `detect.alert` set through `set_alerts`), writes back
/// byte for byte.
#[test]
fn stats_doc_writes_expected_stats_layout() {
    let Some(shared) = common::shared_dir("stats_doc_writes_expected_stats_layout") else {
        return;
    };
    let (mut files, mut identical) = (0usize, 0usize);
    let mut diffs = Vec::new();
    for dir in case_dirs(&shared) {
        let Ok(text) = std::fs::read_to_string(dir.join("expected-stats.json")) else {
            continue;
        };
        files += 1;
        let value: serde_json::Value = serde_json::from_str(&text).expect("stats json");
        let mut doc = rulewire::output::StatsDoc::new();
        let mut alerts = None;
        for (section, counters) in value.as_object().expect("object") {
            let mut counters = counters.clone();
            if section == "detect" {
                alerts = counters
                    .as_object_mut()
                    .and_then(|m| m.remove("alert"))
                    .and_then(|v| v.as_u64());
            }
            doc.merge(section, counters).expect("merge");
        }
        if let Some(n) = alerts {
            doc.set_alerts(n).expect("detect.alert");
        }
        doc.drop_zeros();
        if doc.to_json_pretty() == text {
            identical += 1;
        } else if diffs.len() < 5 {
            diffs.push(dir.display().to_string());
        }
    }
    eprintln!("stats: {files} expected-stats.json files, {identical} written back byte for byte");
    assert!(diffs.is_empty(), "differ: {diffs:?}");
    assert!(files >= 600, "{files}");
}
