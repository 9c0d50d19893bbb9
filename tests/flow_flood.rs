//! A SYN flood from random sources against a small table: memory stays under
//! the cap, evictions are counted, established connections survive, new
//! legitimate connections are still tracked, and emergency mode ends after
//! the flood. The 2M-flow run with the default memcap is
//! `examples/syn_flood.rs` (release build).

#[path = "common/flow.rs"]
mod flow;

use std::net::{IpAddr, Ipv4Addr};

use flow::tcp_meta;
use rulewire::flow::{
    tcp_flags::{ACK, PSH, SYN},
    FlowConfig, FlowTable, FlowTime, PacketMeta,
};

const SERVER: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 80));
const T0: u64 = 1_700_000_000_000_000;

/// xorshift64*: deterministic attack traffic.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

#[allow(clippy::too_many_arguments)]
fn seg(
    ts: u64,
    src: IpAddr,
    sp: u16,
    dst: IpAddr,
    dp: u16,
    flags: u8,
    seq: u32,
    ack: u32,
    len: u32,
) -> PacketMeta {
    PacketMeta::tcp(
        FlowTime::from_micros(ts),
        src,
        dst,
        tcp_meta(sp, dp, flags, seq, ack, len),
    )
}

/// A legitimate client: handshake at `ts`, returns the flow id.
fn connect(t: &mut FlowTable, ts: u64, client: IpAddr, port: u16) -> u64 {
    let syn = t
        .update(&seg(ts, client, port, SERVER, 80, SYN, 1000, 0, 0))
        .expect("SYN tracked");
    t.update(&seg(
        ts + 1,
        SERVER,
        80,
        client,
        port,
        SYN | ACK,
        9000,
        1001,
        0,
    ))
    .expect("SYN/ACK tracked");
    t.update(&seg(ts + 2, client, port, SERVER, 80, ACK, 1001, 9001, 0))
        .expect("ACK tracked");
    syn.flow_id
}

#[test]
fn syn_flood_is_survived() {
    let memcap: usize = 2 * 1024 * 1024;
    let cfg = FlowConfig {
        memcap: memcap as u64,
        ..FlowConfig::default()
    };
    let mut t: FlowTable = FlowTable::new(cfg);
    let cap = t.capacity();
    assert!(cap > 5_000, "2 MiB holds thousands of flows, got {cap}");

    // 20 established connections before the attack.
    let legit: Vec<(IpAddr, u16, u64)> = (0..20u8)
        .map(|i| {
            let c = IpAddr::V4(Ipv4Addr::new(198, 51, 100, i));
            (
                c,
                50_000 + u16::from(i),
                connect(&mut t, T0, c, 50_000 + u16::from(i)),
            )
        })
        .collect();

    // 200,000 SYNs from random sources, 100k per second of packet time.
    let mut rng = Rng(0x05EE_D0FF_100D);
    let n = 200_000u64;
    let mut ts = T0 + 1_000_000;
    let mut late = Vec::new();
    for i in 0..n {
        ts += 10;
        let r = rng.next();
        let src = IpAddr::V4(Ipv4Addr::from((r >> 32) as u32));
        let u = t
            .update(&seg(
                ts,
                src,
                r as u16,
                SERVER,
                80,
                SYN,
                (r >> 16) as u32,
                0,
                0,
            ))
            .expect("every SYN gets a flow: room is made");
        assert!(u.new_flow);
        if i % 1_000 == 0 {
            assert!(
                t.memory_usage() <= memcap,
                "memory {} over cap",
                t.memory_usage()
            );
            assert!(t.len() <= cap);
        }
        // The established clients keep talking through the flood.
        if i % 10_000 == 0 {
            for &(c, port, id) in &legit {
                let d = t
                    .update(&seg(ts, c, port, SERVER, 80, ACK | PSH, 1001, 9001, 10))
                    .expect("tracked");
                assert_eq!(d.flow_id, id, "established flow survived the flood");
                assert!(d.established);
            }
        }
        // New legitimate connections in the middle of the flood.
        if i % 50_000 == 25_000 {
            let c = IpAddr::V4(Ipv4Addr::new(203, 0, 113, late.len() as u8));
            let id = connect(&mut t, ts, c, 40_000);
            let d = t
                .update(&seg(
                    ts + 3,
                    c,
                    40_000,
                    SERVER,
                    80,
                    ACK | PSH,
                    1001,
                    9001,
                    5,
                ))
                .expect("tracked");
            assert_eq!(d.flow_id, id);
            assert!(d.established, "handshake completed under the flood");
            late.push((c, id));
        }
    }

    let c = t.counters();
    assert_eq!(c.emerg_mode_entered, 1);
    assert_eq!(c.memcap, 0, "no packet was left without a flow");
    // Every flow beyond the capacity was evicted or timed out.
    assert!(c.get_used + c.flows_timeout + t.len() as u64 >= c.total - 1);
    assert!(c.get_used > 150_000, "evictions counted: {}", c.get_used);
    assert_eq!(c.total, n + 20 + late.len() as u64);
    assert_eq!(late.len(), 4);

    // 10 s after the flood the SYN flows are past the emergency TCP-new
    // timeout (5 s) and are swept until `emergency_recovery` (30 %) of the
    // table is free; then emergency mode ends and the normal timeouts
    // (TCP new 60 s) apply to the rest.
    let mut calls = 0;
    while t.advance_time(FlowTime::from_micros(ts + 10_000_000)) {
        calls += 1;
        assert!(calls < 10_000, "expiry terminates");
    }
    assert!(!t.in_emergency());
    assert_eq!(t.counters().emerg_mode_over, 1);
    assert!(t.len() * 100 <= cap * 70, "{} of {cap} left", t.len());
    while t.advance_time(FlowTime::from_micros(ts + 61_000_000)) {}
    // Only the 24 legitimate (established) connections remain.
    assert_eq!(t.len(), 24);
    // And normal tracking goes on.
    let c = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 200));
    connect(&mut t, ts + 11_000_000, c, 40_001);
    assert!(t.memory_usage() <= memcap);
}
