//! Flow table micro-benchmarks: the per-packet cost of `FlowTable::update`.
//!
//! * `hit/10k`: packets of 10,000 established TCP connections, round robin
//!   (the steady state: lookup, direction, counters, stream state).
//! * `new_flow`: every packet a new UDP flow in a default (32 MiB, ~200k
//!   flows) table: creation, plus one timeout or eviction per packet once it
//!   is full. Dominated by cache misses in a table larger than the caches.
//! * `flood_evict`: every packet a new SYN in a full 4 MiB table (creation
//!   plus eviction, the SYN flood path, in a table that mostly fits in cache).
//!
//! `cargo bench --bench flow`. No expected values here: correctness lives in
//! tests/flow_*.rs.

use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rulewire::flow::{
    tcp_flags::{ACK, PSH, SYN},
    FlowConfig, FlowTable, FlowTime, PacketMeta, TcpMeta,
};

const SERVER: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 80));

#[allow(clippy::too_many_arguments)]
fn tcp(
    ts: u64,
    src: IpAddr,
    sp: u16,
    dst: IpAddr,
    dp: u16,
    flags: u8,
    seq: u32,
    ack: u32,
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
            payload_len: 0,
            timestamp: None,
            wscale: None,
            checksum_ok: true,
        },
    )
}

fn client(i: u32) -> IpAddr {
    IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + i))
}

fn bench(c: &mut Criterion) {
    let t0 = 1_700_000_000_000_000u64;
    let mut g = c.benchmark_group("flow_update");
    g.throughput(Throughput::Elements(1));

    // Steady state: 10k established connections.
    let n = 10_000u32;
    let mut table: FlowTable = FlowTable::new(FlowConfig::default());
    for i in 0..n {
        let c = client(i);
        table.update(&tcp(t0, c, 40000, SERVER, 80, SYN, 1000, 0));
        table.update(&tcp(t0, SERVER, 80, c, 40000, SYN | ACK, 5000, 1001));
        table.update(&tcp(t0, c, 40000, SERVER, 80, ACK, 1001, 5001));
    }
    let pkts: Vec<PacketMeta> = (0..n)
        .map(|i| tcp(t0 + 1, client(i), 40000, SERVER, 80, ACK | PSH, 1001, 5001))
        .collect();
    let mut i = 0usize;
    g.bench_function("hit/10k", |b| {
        b.iter(|| {
            let p = &pkts[i % pkts.len()];
            i += 1;
            black_box(table.update(black_box(p)))
        })
    });

    // New flows, table not full.
    let mut table: FlowTable = FlowTable::new(FlowConfig::default());
    let mut k = 0u64;
    g.bench_function("new_flow", |b| {
        b.iter(|| {
            k += 1;
            let p = PacketMeta::udp(
                FlowTime::from_micros(t0 + k * 100),
                client((k % 1_000_000) as u32),
                SERVER,
                (k >> 20) as u16,
                53,
            );
            black_box(table.update(black_box(&p)))
        })
    });

    // SYN flood into a full table.
    let mut table: FlowTable = FlowTable::new(FlowConfig {
        memcap: 4 << 20,
        ..FlowConfig::default()
    });
    let mut k = 0u64;
    g.bench_function("flood_evict", |b| {
        b.iter(|| {
            k += 1;
            let r = k.wrapping_mul(0x9e37_79b9_7f4a_7c15);
            let p = tcp(
                t0 + k,
                IpAddr::V4(Ipv4Addr::from((r >> 32) as u32)),
                r as u16,
                SERVER,
                80,
                SYN,
                r as u32,
                0,
            );
            black_box(table.update(black_box(&p)))
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
