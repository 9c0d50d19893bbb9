//! SYN flood through one flow table with the default memcap (32 MiB).
//!
//! ```text
//! cargo run --release --example syn_flood [n_syns]
//! ```
//!
//! Sends `n_syns` (default 2,000,000) SYNs from random sources (fixed seed),
//! 1,000,000 per second of packet time, interleaved with 100 established
//! connections that keep talking and a new legitimate connection every
//! 100,000 SYNs. Prints the table's memory and the process's peak RSS
//! (`VmHWM`), the eviction counters and the packet rate, and exits non-zero
//! if a legitimate connection was lost or memory passed the cap.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Instant;

use rulewire::flow::{
    tcp_flags::{ACK, PSH, SYN},
    FlowConfig, FlowTable, FlowTime, PacketMeta, TcpMeta,
};

const SERVER: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 80));

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
        TcpMeta {
            src_port: sp,
            dst_port: dp,
            flags,
            seq,
            ack,
            window: 1024,
            payload_len: len,
            timestamp: None,
            wscale: None,
            checksum_ok: true,
        },
    )
}

/// Handshake plus one data packet; true if the data packet is established
/// on the same flow the SYN created.
fn connect(t: &mut FlowTable, ts: u64, client: IpAddr, port: u16) -> Option<u64> {
    let syn = t.update(&seg(ts, client, port, SERVER, 80, SYN, 1000, 0, 0))?;
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
    ))?;
    t.update(&seg(ts + 2, client, port, SERVER, 80, ACK, 1001, 9001, 0))?;
    let d = t.update(&seg(
        ts + 3,
        client,
        port,
        SERVER,
        80,
        ACK | PSH,
        1001,
        9001,
        10,
    ))?;
    (d.established && d.flow_id == syn.flow_id).then_some(syn.flow_id)
}

/// CPU time this thread has run, in ns (`/proc/self/schedstat`): unlike the
/// wall clock it does not count time spent waiting for a busy CPU.
fn cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2_000_000);
    let cfg = FlowConfig::default();
    let mut t: FlowTable = FlowTable::new(cfg);
    println!(
        "memcap {} MiB, capacity {} flows ({} bytes per flow)",
        cfg.memcap >> 20,
        t.capacity(),
        cfg.memcap / t.capacity().max(1) as u64
    );

    let t0 = 1_700_000_000_000_000u64;
    let mut lost = 0u64;
    let legit: Vec<(IpAddr, u16, u64)> = (0..100u32)
        .filter_map(|i| {
            let c = IpAddr::V4(Ipv4Addr::from(0xC633_6400 + i));
            connect(&mut t, t0, c, 50_000).map(|id| (c, 50_000, id))
        })
        .collect();
    if legit.len() != 100 {
        lost += 100 - legit.len() as u64;
    }

    let mut rng = Rng(0x05EE_D0FF_100D);
    let mut ts = t0 + 1_000_000;
    let mut late = 0u64;
    let mut over_cap = false;
    let start = Instant::now();
    let cpu_start = cpu_ns();
    let mut packets = 0u64;
    for i in 0..n {
        ts += 1;
        let r = rng.next();
        let src = IpAddr::V4(Ipv4Addr::from((r >> 32) as u32));
        if t.update(&seg(
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
        .is_none()
        {
            lost += 1;
        }
        packets += 1;
        if i % 10_000 == 0 {
            over_cap |= t.memory_usage() as u64 > cfg.memcap;
            for &(c, port, id) in &legit {
                let d = t.update(&seg(ts, c, port, SERVER, 80, ACK | PSH, 1001, 9001, 10));
                packets += 1;
                if !d.is_some_and(|d| d.established && d.flow_id == id) {
                    lost += 1;
                }
            }
        }
        if i % 100_000 == 50_000 {
            let c = IpAddr::V4(Ipv4Addr::from(0xCB00_7100 + late as u32));
            if connect(&mut t, ts, c, 40_000).is_none() {
                lost += 1;
            }
            packets += 4;
            late += 1;
        }
    }
    let elapsed = start.elapsed();
    let cpu = cpu_ns().zip(cpu_start).map(|(b, a)| b.saturating_sub(a));
    let c = t.counters();
    println!(
        "{packets} packets in {:.2} s wall: {:.0} ns/packet wall, {} ns/packet CPU",
        elapsed.as_secs_f64(),
        elapsed.as_nanos() as f64 / packets as f64,
        cpu.map_or_else(
            || "?".to_string(),
            |ns| format!("{:.0}", ns as f64 / packets as f64)
        )
    );
    println!(
        "flows: total {} active {} | evicted (flow.get_used) {} | no flow (flow.memcap) {} | timed out {}",
        c.total, c.active, c.get_used, c.memcap, c.flows_timeout
    );
    println!(
        "emergency: entered {} over {} | table memory {} bytes ({:.1} MiB) | peak RSS (VmHWM) {} KiB",
        c.emerg_mode_entered,
        c.emerg_mode_over,
        t.memory_usage(),
        t.memory_usage() as f64 / (1 << 20) as f64,
        vm_hwm_kib().map_or_else(|| "?".to_string(), |k| k.to_string())
    );
    println!(
        "legitimate connections: {} established before, {late} during; lost {lost}",
        legit.len()
    );
    if lost > 0 || over_cap {
        eprintln!("FAILED: lost {lost} legitimate packets/connections, over cap: {over_cap}");
        std::process::exit(1);
    }
}
