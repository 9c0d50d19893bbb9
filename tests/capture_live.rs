//! Live capture on the loopback interface (feature `live`).
//!
//! Needs root or CAP_NET_RAW; without them the test prints a notice saying it
//! skipped and why, and passes. It sends UDP datagrams to itself on 127.0.0.1
//! and expects to see one through a BPF filter for its port.
#![cfg(feature = "live")]

use std::net::UdpSocket;
use std::time::{Duration, Instant};

use rulewire::capture::{LiveCapture, LiveConfig, Next, PacketSource};

#[test]
fn loopback_sees_own_udp_datagram_through_bpf() {
    let receiver = UdpSocket::bind("127.0.0.1:0").expect("bind receiver");
    let port = receiver.local_addr().expect("addr").port();
    let mut cfg = LiveConfig::new("lo");
    cfg.bpf = Some(format!("udp and dst port {port}"));
    cfg.timeout_ms = 50;
    cfg.promiscuous = false;
    let mut cap = match LiveCapture::open(&cfg) {
        Ok(c) => c,
        Err(e) => {
            eprintln!(
                "\n*** capture_live: SKIPPED: cannot open `lo` for live capture \
                 (needs root or CAP_NET_RAW): {e} ***\n"
            );
            return;
        }
    };
    let sender = UdpSocket::bind("127.0.0.1:0").expect("bind sender");
    let payload = b"rulewire-live-test";
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut idle = 0u32;
    loop {
        assert!(
            Instant::now() < deadline,
            "no packet seen on lo within 10 s"
        );
        sender.send_to(payload, ("127.0.0.1", port)).expect("send");
        match cap.next_packet().expect("live read") {
            Next::Packet(p) => {
                assert_eq!(p.index, 1, "first packet is number 1");
                assert!(
                    p.data.windows(payload.len()).any(|w| w == payload),
                    "filtered packet holds our payload"
                );
                assert_eq!(p.data.len() as u32, p.orig_len, "not cut at full snaplen");
                assert!(p.ts.secs() > 1_600_000_000, "a real timestamp");
                eprintln!(
                    "capture_live: saw {} bytes on lo, link type {}, after {idle} idle reads",
                    p.data.len(),
                    p.linktype
                );
                break;
            }
            Next::Idle => idle += 1,
            Next::End => panic!("live source ended"),
        }
    }
    let stats = cap.stats().expect("stats");
    assert!(stats.received >= 1, "{stats:?}");
}
