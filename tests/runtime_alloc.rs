//! The packet path allocates nothing per packet in steady state: once 64
//! TCP connections, 64 UDP conversations, ICMP echo pairs and IP-in-IP
//! flows exist, ten thousand more packets of those flows (data both ways,
//! replies, tunnel traffic, packets without a flow) run through
//! `Worker::process` with zero heap allocations on this thread. Checked
//! with a counting global allocator, which only this test binary installs.

#[path = "common/alloc.rs"]
mod alloc_count;

use rulewire::capture::{LinkType, RawPacket, Timestamp};
use rulewire::decode::craft::{ethernet_frame, PacketBuilder, TcpSpec};
use rulewire::runtime::{Inspector, PacketCtx, PipelineConfig, Worker};

/// Counts what it sees, so inspection is not optimised away, and keeps a
/// per-flow packet count in the flow data.
#[derive(Default)]
struct Tally {
    packets: u64,
    with_flow: u64,
}

impl Inspector for Tally {
    type FlowData = u64;

    fn inspect(&mut self, ctx: &PacketCtx<'_>, flow_data: Option<&mut u64>) {
        self.packets += 1;
        if let Some(d) = flow_data {
            *d += 1;
            self.with_flow += 1;
        }
        self.packets += ctx.decoded.payload().len() as u64 & 1;
    }
}

fn client(i: u8) -> [u8; 4] {
    [10, 1, 0, i]
}
const SERVER: [u8; 4] = [10, 2, 0, 1];

/// Frames of the steady state for connection `i` in round `r`.
fn round_frames(i: u8, r: u32) -> Vec<Vec<u8>> {
    let sp = 40_000 + u16::from(i);
    let (cs, ss) = (1_000 + r * 10, 9_000 + r * 20);
    vec![
        PacketBuilder::ipv4(client(i), SERVER)
            .tcp(
                sp,
                80,
                TcpSpec::psh_ack()
                    .seq(cs)
                    .ack_number(ss)
                    .payload(b"0123456789"),
            )
            .ethernet(),
        PacketBuilder::ipv4(SERVER, client(i))
            .tcp(
                80,
                sp,
                TcpSpec::psh_ack()
                    .seq(ss)
                    .ack_number(cs + 10)
                    .payload(&[b'x'; 20]),
            )
            .ethernet(),
        PacketBuilder::ipv4(client(i), SERVER)
            .udp(5_000 + u16::from(i % 16), 53, b"query")
            .ethernet(),
        PacketBuilder::ipv4(SERVER, client(i))
            .udp(53, 5_000 + u16::from(i % 16), b"answer")
            .ethernet(),
        PacketBuilder::ipv4(client(i), SERVER)
            .icmp(8, 0, [0, 1, 0, i], b"ping")
            .ethernet(),
        PacketBuilder::ipv4(SERVER, client(i))
            .icmp(0, 0, [0, 1, 0, i], b"ping")
            .ethernet(),
        PacketBuilder::ipv4([1, 1, 1, 1], [2, 2, 2, 2])
            .raw(
                4,
                &PacketBuilder::ipv4(client(i), SERVER)
                    .udp(7, 7, b"tunnelled")
                    .build(),
            )
            .ethernet(),
        // ARP-ish: no IP layer, no flow.
        ethernet_frame([2; 6], [0xff; 6], 0x0806, &[0; 28]),
    ]
}

fn handshake(i: u8) -> Vec<Vec<u8>> {
    let sp = 40_000 + u16::from(i);
    vec![
        PacketBuilder::ipv4(client(i), SERVER)
            .tcp(sp, 80, TcpSpec::syn().seq(999))
            .ethernet(),
        PacketBuilder::ipv4(SERVER, client(i))
            .tcp(80, sp, TcpSpec::syn_ack().seq(8_999).ack_number(1_000))
            .ethernet(),
        PacketBuilder::ipv4(client(i), SERVER)
            .tcp(sp, 80, TcpSpec::ack().seq(1_000).ack_number(9_000))
            .ethernet(),
    ]
}

fn feed(worker: &mut Worker<Tally>, frames: &[Vec<u8>], ts: Timestamp) {
    for (n, f) in frames.iter().enumerate() {
        worker.process(&RawPacket {
            index: n as u64 + 1,
            ts,
            linktype: LinkType::ETHERNET,
            data: f,
            orig_len: f.len() as u32,
        });
    }
}

#[test]
fn steady_state_allocates_nothing() {
    let mut worker = Worker::with_inspector(&PipelineConfig::default(), Tally::default());
    let t0 = 1_700_000_000u64;
    let warm: Vec<Vec<u8>> = (0..64u8)
        .flat_map(|i| handshake(i).into_iter().chain(round_frames(i, 0)))
        .collect();
    feed(&mut worker, &warm, Timestamp::new(t0, 0));

    // Build every frame first: building allocates, processing must not.
    let rounds: Vec<Vec<Vec<u8>>> = (1..21u32)
        .map(|r| (0..64u8).flat_map(|i| round_frames(i, r)).collect())
        .collect();
    let flows_before = worker.flows().len();
    let mut processed = 0u64;
    alloc_count::assert_counter_works();
    let allocs = alloc_count::allocations_in(|| {
        for (r, frames) in rounds.iter().enumerate() {
            // Packet time moves on (one second per round): the flow clock
            // and the defrag sweep run, within every timeout.
            feed(&mut worker, frames, Timestamp::new(t0 + 1 + r as u64, 500));
            processed += frames.len() as u64;
        }
    });

    assert!(processed >= 10_000, "{processed} packets");
    assert_eq!(worker.flows().len(), flows_before, "no flow came or went");
    // 64 TCP + 64 UDP + 64 ICMP echo + 1 outer IP-in-IP + 64 inner UDP.
    assert_eq!(flows_before, 64 + 64 + 64 + 1 + 64);
    assert_eq!(
        allocs, 0,
        "{allocs} heap allocations for {processed} packets in steady state"
    );
    assert!(worker.inspector().with_flow > 0);
}
