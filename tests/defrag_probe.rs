//! Throughput probes (ignored by default; they print, they do not assert
//! timings): `cargo test --release --test defrag_probe -- --ignored --nocapture`.

use std::time::Instant;

use rulewire::capture::Timestamp;
use rulewire::decode::craft::PacketBuilder;
use rulewire::decode::{decode, DecodeConfig, LinkType};
use rulewire::defrag::{DefragConfig, Defragmenter, Policy};

fn v4(id: u16, offset: usize, more: bool, data: &[u8]) -> Vec<u8> {
    PacketBuilder::ipv4([10, 0, 0, 1], [10, 0, 0, 2])
        .fragment(offset as u16, more, u32::from(id))
        .raw(17, data)
        .build()
}

fn feed_all(policy: Policy, packets: &[Vec<u8>]) -> (f64, usize) {
    let cfg = DecodeConfig::default();
    let mut table = Defragmenter::new(DefragConfig {
        default_policy: policy,
        ..DefragConfig::default()
    });
    let ts = Timestamp::new(1_000, 0);
    let start = Instant::now();
    let mut rebuilt = 0usize;
    for p in packets {
        let d = decode(LinkType::IPV4, p, &cfg);
        rebuilt += usize::from(table.insert(ts, &d).reassembled.is_some());
    }
    (start.elapsed().as_secs_f64(), rebuilt)
}

#[test]
#[ignore]
fn throughput_probe() {
    // Typical: 1000 UDP datagrams of 64000 bytes in 1480-byte fragments.
    let data = vec![0x42u8; 64_000];
    let mut packets = Vec::new();
    for id in 0..1000u16 {
        let mut off = 0;
        while off < data.len() {
            let end = (off + 1480).min(data.len());
            packets.push(v4(id, off, end < data.len(), &data[off..end]));
            off = end;
        }
    }
    let (secs, rebuilt) = feed_all(Policy::Bsd, &packets);
    eprintln!(
        "typical: {} fragments, {} datagrams in {:.3} s: {:.0} fragments/s, {:.1} MB/s",
        packets.len(),
        rebuilt,
        secs,
        packets.len() as f64 / secs,
        (packets.len() * 1500) as f64 / secs / 1e6
    );

    // Worst case per datagram: 8001 8-byte fragments, last one first, the
    // rest in reverse order (every insert at the front, a completeness
    // check after each), under the policy that walks every fragment.
    let mut packets = vec![v4(1, 8000 * 8, false, &[1; 8])];
    for unit in (0..8000).rev() {
        packets.push(v4(1, unit * 8, true, &[1; 8]));
    }
    for policy in [Policy::Bsd, Policy::BsdRight] {
        let (secs, rebuilt) = feed_all(policy, &packets);
        eprintln!(
            "adversarial {policy}: {} tiny fragments, {} datagram in {:.3} s ({:.2} us/fragment)",
            packets.len(),
            rebuilt,
            secs,
            secs * 1e6 / packets.len() as f64
        );
    }
}
