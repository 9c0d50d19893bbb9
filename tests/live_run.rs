//! `rulewire run -i IFACE` live (feature `live`, issue #5): two network
//! namespaces joined by a veth pair; rulewire captures on the server's end
//! while the client sends UDP datagrams carrying a rule's marker.
//!
//! Asserted: SIGINT ends the run cleanly; eve.json holds the marker rule's
//! alerts; stats.json has Suricata's `capture.kernel_packets` (libpcap's
//! count) and `decoder.pkts`, and every frame read was processed or
//! counted as a queue drop (`capture.queue_drops`, absent when zero).
//!
//! Needs root and `ip netns`; without them the test says so and passes.
#![cfg(all(feature = "live", target_os = "linux"))]

mod common;
#[path = "common/netns.rs"]
mod netns;

use common::counter;
use netns::{Lab, Rulewire, SERVER_IP};
use serde_json::Value;

const RULES: &str =
    "alert udp any any -> any 9999 (msg:\"live marker\"; content:\"rulewire-live-marker\"; sid:2001; rev:1;)\n";

/// The helper processes' entry point (see `netns::run_role_if_asked`).
#[test]
fn netns_role_helper() {
    netns::run_role_if_asked();
}

#[test]
fn live_capture_on_a_veth_alerts_and_ends_on_sigint() {
    const TEST: &str = "live_run";
    if std::env::var_os("RULEWIRE_NETNS_ROLE").is_some() {
        return;
    }
    if let Some(why) = netns::lab_unavailable() {
        netns::skip(TEST, &why);
        return;
    }
    let lab = match Lab::new("live") {
        Ok(l) => l,
        Err(e) => {
            netns::skip(TEST, &format!("cannot build the namespace lab: {e}"));
            return;
        }
    };
    let (dir, cmd) = netns::rulewire_in(
        &lab.server,
        &["run", "-i", &lab.server_if, "--threads", "2"],
        RULES,
    );
    let mut rw = Rulewire::start(cmd);
    if let Err(text) = rw.wait_for("capturing on") {
        panic!("rulewire did not start capturing:\n{text}");
    }
    let sent = netns::role_output(netns::role(
        &lab.client,
        "netns_role_helper",
        "udp-send",
        &[
            ("RULEWIRE_ADDR", &format!("{SERVER_IP}:9999")),
            ("RULEWIRE_PAYLOAD", "xx rulewire-live-marker xx"),
            ("RULEWIRE_COUNT", "10"),
        ],
    ));
    assert_eq!(sent, "SENT");
    // Let the last datagrams reach the capture (100 ms read timeout).
    std::thread::sleep(std::time::Duration::from_millis(500));
    let log = rw.interrupt();
    eprintln!("{log}");
    let eve = std::fs::read_to_string(dir.path().join("eve.json")).unwrap();
    let alerts: Vec<Value> = eve
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["event_type"] == "alert")
        .collect();
    assert_eq!(alerts.len(), 10, "one alert per datagram:\n{eve}");
    for a in &alerts {
        assert_eq!(a["alert"]["signature_id"], 2001);
        assert_eq!(a["src_ip"], netns::CLIENT_IP);
        assert_eq!(a["dest_port"], 9999);
    }
    let stats: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("stats.json")).unwrap())
            .unwrap();
    let kernel = counter(&stats, "capture.kernel_packets");
    let pkts = counter(&stats, "decoder.pkts");
    let queue_drops = counter(&stats, "capture.queue_drops");
    // 10 datagrams, plus ARP and the ICMP port-unreachable answers.
    assert!(pkts >= 10, "{stats}");
    assert!(kernel >= pkts + queue_drops, "{stats}");
    assert_eq!(queue_drops, 0, "a quiet link loses nothing: {stats}");
    assert!(log.contains("dropped because workers fell behind"), "{log}");
}
