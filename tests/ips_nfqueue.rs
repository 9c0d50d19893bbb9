//! Inline IPS on a netfilter queue, live (issue #7, part 3): two network
//! namespaces joined by a veth pair; in the server's, iptables-legacy
//! queues the echo port's traffic (both directions) to NFQUEUE 7 and 8
//! and `rulewire run -q 7:8` gives the verdicts.
//!
//! Asserted: a clean TCP connection passes (its bytes come back and raise
//! the `alert` rule, action allowed); a connection carrying the `drop`
//! rule's marker is cut (no echo within 3 s) and its alert says blocked;
//! one carrying the `reject` rule's marker is reset by the RST rulewire
//! sends on a raw socket; SIGINT ends rulewire cleanly and its verdict
//! counters add up to the packets it read; `--stats-interval` prints.
//! The same over IPv6. And `nfq.fail-open`: with rulewire stopped and its
//! kernel queue full, fail-open passes a connection uninspected,
//! fail-closed drops it.
//!
//! Needs root, `ip netns`, iptables-legacy and the kernel's NFQUEUE
//! target (xt_NFQUEUE, nfnetlink_queue); without one of them the test
//! says which and passes.
#![cfg(target_os = "linux")]

mod common;
#[path = "common/netns.rs"]
mod netns;

use common::counter;
use netns::{Lab, Rulewire, SERVER_IP, SERVER_IP6};
use serde_json::Value;

const PORT: &str = "7777";
/// Two queues: iptables spreads flows over them (`--queue-balance`, a
/// hash of the address pair, the same for both directions) and rulewire
/// runs one thread per queue (`-q 7:8`). All connections here share one
/// address pair, so one queue carries them and the other stays idle: the
/// test shows that several queues bind, run and merge their counters.
const QUEUES: &str = "7:8";

const RULES: &str = "\
drop tcp any any -> any 7777 (msg:\"drop marker\"; content:\"rulewire-drop-me\"; sid:1001; rev:1;)
alert tcp any any -> any 7777 (msg:\"clean\"; content:\"hello-clean\"; sid:1002; rev:1;)
reject tcp any any -> any 7777 (msg:\"reject marker\"; content:\"rulewire-reject-me\"; sid:1003; rev:1;)
";

/// The helper processes' entry point (see `netns::run_role_if_asked`).
#[test]
fn netns_role_helper() {
    netns::run_role_if_asked();
}

fn iptables_unavailable(tool: &str) -> Option<String> {
    match std::process::Command::new(tool).arg("--version").output() {
        Ok(o) if o.status.success() => None,
        _ => Some(format!(
            "no {tool} (apt-get install iptables): the test queues packets with the \
                 x_tables NFQUEUE target, since kernels may lack nft's queue expression"
        )),
    }
}

/// (sid, action) of every alert in `dir`/eve.json.
fn alerts(dir: &std::path::Path) -> Vec<(u64, String)> {
    std::fs::read_to_string(dir.join("eve.json"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["event_type"] == "alert")
        .map(|v| {
            (
                v["alert"]["signature_id"].as_u64().unwrap_or(0),
                v["alert"]["action"].as_str().unwrap_or("?").to_string(),
            )
        })
        .collect()
}

#[test]
fn nfqueue_passes_clean_traffic_and_cuts_dropped_and_rejected_connections() {
    nfqueue_case("ips_nfqueue (IPv4)", false);
}

#[test]
fn nfqueue_over_ipv6_cuts_and_resets_too() {
    nfqueue_case("ips_nfqueue (IPv6)", true);
}

/// The whole scenario over IPv4 or IPv6 (ip6tables-legacy, reject
/// answers on a raw IPv6 socket).
fn nfqueue_case(test: &str, v6: bool) {
    if std::env::var_os("RULEWIRE_NETNS_ROLE").is_some() {
        return;
    }
    let tool = if v6 {
        "ip6tables-legacy"
    } else {
        "iptables-legacy"
    };
    if let Some(why) = netns::lab_unavailable().or_else(|| iptables_unavailable(tool)) {
        netns::skip(test, &why);
        return;
    }
    let lab = match Lab::new(if v6 { "nfq6" } else { "nfq" }) {
        Ok(l) => l,
        Err(e) => {
            netns::skip(test, &format!("cannot build the namespace lab: {e}"));
            return;
        }
    };
    let s = &lab.server.name;
    // Client → server to the port, and server → client from it. Our own
    // RSTs (reject answers, sent on a raw socket) leave the server's
    // OUTPUT chain too: they are not queued, or the flow's drop would
    // drop them.
    let queued = [
        vec!["INPUT", "-p", "tcp", "--dport", PORT],
        vec![
            "OUTPUT",
            "-p",
            "tcp",
            "--sport",
            PORT,
            "!",
            "--tcp-flags",
            "RST",
            "RST",
        ],
    ];
    for rule in &queued {
        let mut args = vec!["netns", "exec", s, tool, "-A"];
        args.extend(rule.iter().copied());
        args.extend(["-j", "NFQUEUE", "--queue-balance", QUEUES]);
        if let Err(e) = netns::ip(&args) {
            netns::skip(
                test,
                &format!("cannot add the NFQUEUE rule (no xt_NFQUEUE target?): {e}"),
            );
            return;
        }
    }
    let (dir, cmd) = netns::rulewire_in(
        &lab.server,
        &["run", "-q", QUEUES, "--stats-interval", "1"],
        RULES,
    );
    let mut rw = Rulewire::start(cmd);
    if let Err(text) = rw.wait_for("inline on NFQUEUE") {
        if text.contains("NFQUEUE") && text.contains("binding") {
            netns::skip(test, &format!("rulewire cannot bind the queue: {text}"));
            return;
        }
        panic!("rulewire did not start:\n{text}");
    }
    let _server = netns::start_role(netns::role(
        &lab.server,
        "netns_role_helper",
        "echo-server",
        &[("RULEWIRE_PORT", PORT)],
    ));
    let addr = if v6 {
        format!("[{SERVER_IP6}]:{PORT}")
    } else {
        format!("{SERVER_IP}:{PORT}")
    };
    let client = |payload: &str| {
        netns::role_output(netns::role(
            &lab.client,
            "netns_role_helper",
            "tcp-client",
            &[("RULEWIRE_ADDR", &addr), ("RULEWIRE_PAYLOAD", payload)],
        ))
    };
    let clean = client("hello-clean");
    let dropped = client("xx rulewire-drop-me xx");
    let rejected = client("rulewire-reject-me");
    let clean_after = client("hello-clean again");
    let log = rw.interrupt();
    eprintln!("{log}");
    assert_eq!(clean, "ECHO hello-clean", "the clean connection passes");
    assert_eq!(
        dropped, "TIMEOUT",
        "the dropped pattern's connection is cut"
    );
    assert_eq!(
        rejected, "RESET",
        "the rejected pattern's connection is reset"
    );
    assert_eq!(
        clean_after, "ECHO hello-clean again",
        "other flows are not affected"
    );
    let got = alerts(dir.path());
    let count =
        |sid: u64, action: &str| got.iter().filter(|(s, a)| *s == sid && a == action).count();
    assert_eq!(count(1002, "allowed"), 2, "{got:?}");
    assert_eq!(count(1001, "blocked"), 1, "{got:?}");
    assert_eq!(count(1003, "blocked"), 1, "{got:?}");
    assert_eq!(got.len(), 4, "{got:?}");
    let stats: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("stats.json")).unwrap())
            .unwrap();
    let pkts = counter(&stats, "decoder.pkts");
    let (acc, blk, rej) = (
        counter(&stats, "ips.accepted"),
        counter(&stats, "ips.blocked"),
        counter(&stats, "ips.rejected"),
    );
    assert_eq!(acc + blk + rej, pkts, "verdicts add up: {stats}");
    assert!(blk >= 1 && rej >= 1 && acc > 10, "{acc} {blk} {rej}");
    assert!(log.contains("reject answers sent"), "{log}");
    // The drop case alone waits 3 s: --stats-interval 1 printed lines.
    assert!(log.contains("rulewire: stats at"), "{log}");
}

/// `nfq.fail-open`: with rulewire stopped (SIGSTOP) and its kernel queue
/// full (`max-pending-packets: 1` → 4 packets, filled by a burst of
/// SYNs), fail-open lets a new connection through uninspected (even the
/// drop marker is echoed), fail-closed drops it.
#[test]
fn nfqueue_fail_open_accepts_when_the_queue_is_full_and_fail_closed_drops() {
    let test = "ips_nfqueue (fail-open)";
    if std::env::var_os("RULEWIRE_NETNS_ROLE").is_some() {
        return;
    }
    if let Some(why) = netns::lab_unavailable().or_else(|| iptables_unavailable("iptables-legacy"))
    {
        netns::skip(test, &why);
        return;
    }
    for fail_open in [true, false] {
        let lab = match Lab::new("nfqfo") {
            Ok(l) => l,
            Err(e) => {
                netns::skip(test, &format!("cannot build the namespace lab: {e}"));
                return;
            }
        };
        let s = &lab.server.name;
        for chain in [["INPUT", "--dport"], ["OUTPUT", "--sport"]] {
            if let Err(e) = netns::ip(&[
                "netns",
                "exec",
                s,
                "iptables-legacy",
                "-A",
                chain[0],
                "-p",
                "tcp",
                chain[1],
                PORT,
                "-j",
                "NFQUEUE",
                "--queue-num",
                "7",
            ]) {
                netns::skip(test, &format!("cannot add the NFQUEUE rule: {e}"));
                return;
            }
        }
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("test.rules"), RULES).unwrap();
        let yaml = format!(
            "%YAML 1.1\n---\nmax-pending-packets: 1\nnfq:\n  mode: accept\n  fail-open: {}\n",
            if fail_open { "yes" } else { "no" }
        );
        std::fs::write(dir.path().join("s.yaml"), yaml).unwrap();
        let bin = std::path::Path::new(env!("CARGO_BIN_EXE_rulewire"));
        let mut cmd = netns::in_ns(&lab.server, bin, &["run", "-q", "7", "-c"]);
        cmd.arg(dir.path().join("s.yaml"))
            .arg("-S")
            .arg(dir.path().join("test.rules"))
            .arg("-l")
            .arg(dir.path());
        let mut rw = Rulewire::start(cmd);
        rw.wait_for("kernel queue 4 packets")
            .unwrap_or_else(|t| panic!("rulewire did not start:\n{t}"));
        let _server = netns::start_role(netns::role(
            &lab.server,
            "netns_role_helper",
            "echo-server",
            &[("RULEWIRE_PORT", PORT)],
        ));
        let addr = format!("{SERVER_IP}:{PORT}");
        rw.signal("STOP");
        let burst = netns::role_output(netns::role(
            &lab.client,
            "netns_role_helper",
            "connect-burst",
            &[("RULEWIRE_ADDR", &addr), ("RULEWIRE_COUNT", "8")],
        ));
        assert_eq!(burst, "DONE");
        let got = netns::role_output(netns::role(
            &lab.client,
            "netns_role_helper",
            "tcp-client",
            &[
                ("RULEWIRE_ADDR", &addr),
                ("RULEWIRE_PAYLOAD", "rulewire-drop-me"),
            ],
        ));
        rw.signal("CONT");
        let log = rw.interrupt();
        if fail_open {
            assert_eq!(
                got, "ECHO rulewire-drop-me",
                "fail-open: a full queue lets packets through uninspected\n{log}"
            );
        } else {
            assert!(
                got.starts_with("ERROR connect") || got == "TIMEOUT",
                "fail-closed: a full queue drops: {got}\n{log}"
            );
        }
    }
}
