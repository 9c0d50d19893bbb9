//! The runtime `Worker` end to end on hand-built frames: which packets the
//! inspector sees (roles, flows, tunnel depth, defrag events), how rebuilt
//! datagrams are counted, checksum auto mode, flow timeouts on packet time,
//! and the stats layout. Every expected number is worked out in the
//! comment above its assertion.

use rulewire::capture::{LinkType, RawPacket, Timestamp};
use rulewire::decode::craft::{vlan_tag, PacketBuilder, TcpSpec};
use rulewire::decode::DecodeEvent;
use rulewire::flow::Direction;
use rulewire::runtime::{ChecksumPolicy, Inspector, PacketCtx, PacketRole, PipelineConfig, Worker};

/// What the inspector was handed, per call.
#[derive(Clone, Debug, PartialEq)]
struct Seen {
    index: u64,
    role: PacketRole,
    flow_id: Option<u64>,
    direction: Option<Direction>,
    established: bool,
    level: u8,
    defrag_events: Vec<DecodeEvent>,
    ports: Option<(u16, u16)>,
    /// Packets this flow had seen, counted in the flow data.
    flow_packets: Option<u32>,
}

#[derive(Default)]
struct Recorder(Vec<Seen>);

impl Inspector for Recorder {
    type FlowData = u32;

    fn inspect(&mut self, ctx: &PacketCtx<'_>, flow_data: Option<&mut u32>) {
        let flow_packets = flow_data.map(|d| {
            *d += 1;
            *d
        });
        self.0.push(Seen {
            index: ctx.raw.index,
            role: ctx.role,
            flow_id: ctx.flow.map(|f| f.flow_id),
            direction: ctx.flow.map(|f| f.direction),
            established: ctx.flow.is_some_and(|f| f.established),
            level: ctx.recursion_level,
            defrag_events: ctx.defrag_events.iter().collect(),
            ports: ctx.decoded.ports(),
            flow_packets,
        });
    }
}

const T0: u64 = 1_700_000_000;

fn worker(cfg: &PipelineConfig) -> Worker<Recorder> {
    Worker::with_inspector(cfg, Recorder::default())
}

fn feed(w: &mut Worker<Recorder>, index: u64, secs: u64, linktype: LinkType, frame: &[u8]) {
    w.process(&RawPacket {
        index,
        ts: Timestamp::new(secs, 0),
        linktype,
        data: frame,
        orig_len: frame.len() as u32,
    });
}

/// A 24-byte UDP datagram (8 header + 16 payload) from 10.0.0.1:5000 to
/// 10.0.0.2:53, cut at byte 16: first fragment 16 bytes, last 8.
fn udp_fragments(ident: u32) -> (Vec<u8>, Vec<u8>) {
    let whole = PacketBuilder::ipv4([10, 0, 0, 1], [10, 0, 0, 2])
        .udp(5000, 53, b"abcdefghijklmnop")
        .transport_bytes();
    assert_eq!(whole.len(), 24);
    let first = PacketBuilder::ipv4([10, 0, 0, 1], [10, 0, 0, 2])
        .fragment(0, true, ident)
        .raw(17, &whole[..16])
        .build();
    let last = PacketBuilder::ipv4([10, 0, 0, 1], [10, 0, 0, 2])
        .fragment(16, false, ident)
        .raw(17, &whole[16..])
        .build();
    (first, last)
}

fn eth_vlan(ip: &[u8], vlan: u16) -> Vec<u8> {
    let f = rulewire::decode::craft::ethernet_frame([2; 6], [4; 6], 0x0800, ip);
    vlan_tag(&f, 0x8100, vlan)
}

#[test]
fn rebuilt_datagram_gets_the_flow_and_the_fragments_vlan() {
    let mut w = worker(&PipelineConfig::default());
    let (first, last) = udp_fragments(7);
    feed(&mut w, 1, T0, LinkType::ETHERNET, &eth_vlan(&first, 10));
    feed(&mut w, 2, T0, LinkType::ETHERNET, &eth_vlan(&last, 10));
    // The same 5-tuple unfragmented, on VLAN 10 (joins the rebuilt
    // datagram's flow) and on VLAN 11 (a flow of its own).
    let whole = PacketBuilder::ipv4([10, 0, 0, 1], [10, 0, 0, 2])
        .udp(5000, 53, b"again")
        .build();
    feed(&mut w, 3, T0, LinkType::ETHERNET, &eth_vlan(&whole, 10));
    feed(&mut w, 4, T0, LinkType::ETHERNET, &eth_vlan(&whole, 11));

    let seen = &w.inspector().0;
    // Frames 1 and 2 as fragments (no flow, no ports), then the datagram
    // frame 2 completed, then frames 3 and 4.
    assert_eq!(seen.len(), 5, "{seen:#?}");
    assert_eq!((seen[0].index, seen[0].role), (1, PacketRole::Plain));
    assert_eq!((seen[0].flow_id, seen[0].ports), (None, None));
    assert_eq!((seen[1].index, seen[1].flow_id), (2, None));
    assert_eq!(seen[2].index, 2, "the rebuilt packet belongs to frame 2");
    assert_eq!(seen[2].role, PacketRole::Reassembled { fragments: 2 });
    assert_eq!(seen[2].ports, Some((5000, 53)));
    assert_eq!(seen[2].direction, Some(Direction::ToServer));
    assert!(seen[2].flow_id.is_some());
    assert_eq!(seen[3].flow_id, seen[2].flow_id, "same VLAN, same flow");
    assert_eq!(seen[3].flow_packets, Some(2));
    assert_ne!(seen[4].flow_id, seen[2].flow_id, "other VLAN, other flow");

    let s = w.stats();
    // Four frames; decoder.ipv4 = 4 frames + 1 rebuilt datagram; the
    // rebuilt datagram is not a frame (pkts 4) and not `raw`.
    assert_eq!(s.counter("decoder.pkts"), 4);
    assert_eq!(s.counter("decoder.ipv4"), 5);
    assert_eq!(s.counter("decoder.udp"), 3);
    assert_eq!(s.counter("decoder.vlan"), 4);
    assert_eq!(s.counter("decoder.raw"), 0);
    assert_eq!(s.counter("defrag.ipv4.fragments"), 2);
    assert_eq!(s.counter("defrag.ipv4.reassembled"), 1);
    assert_eq!(s.counter("flow.udp"), 2);
}

#[test]
fn overlapping_fragment_carries_its_event() {
    let mut w = worker(&PipelineConfig::default());
    let (first, last) = udp_fragments(9);
    feed(&mut w, 1, T0, LinkType::IPV4, &first);
    // The first fragment again: bytes 0..16 overlap what is stored.
    feed(&mut w, 2, T0, LinkType::IPV4, &first);
    feed(&mut w, 3, T0, LinkType::IPV4, &last);
    let seen = &w.inspector().0;
    assert!(seen[0].defrag_events.is_empty());
    assert_eq!(seen[1].defrag_events, [DecodeEvent::Ipv4FragOverlap]);
    assert!(seen[2].defrag_events.is_empty());
    assert_eq!(seen[3].role, PacketRole::Reassembled { fragments: 2 });
    let s = w.stats();
    assert_eq!(s.counter("decoder.event.ipv4.frag_overlap"), 1);
    assert_eq!(s.counter("defrag.ipv4.fragments"), 3);
}

#[test]
fn ip_in_ip_is_two_packets_with_two_flows() {
    let mut w = worker(&PipelineConfig::default());
    let inner = PacketBuilder::ipv4([192, 168, 1, 1], [192, 168, 1, 2])
        .tcp(1234, 80, TcpSpec::syn())
        .build();
    let frame = PacketBuilder::ipv4([1, 1, 1, 1], [2, 2, 2, 2])
        .raw(4, &inner)
        .ethernet();
    feed(&mut w, 1, T0, LinkType::ETHERNET, &frame);
    let seen = &w.inspector().0;
    assert_eq!(seen.len(), 2);
    assert_eq!((seen[0].role, seen[0].level), (PacketRole::TunnelOuter, 0));
    assert_eq!((seen[1].role, seen[1].level), (PacketRole::TunnelInner, 1));
    assert!(seen[0].flow_id.is_some() && seen[1].flow_id.is_some());
    assert_ne!(seen[0].flow_id, seen[1].flow_id);
    w.finish();
    let s = w.stats();
    // Outer flow (protocol 4, counted in total only) and the inner TCP one.
    assert_eq!(s.counter("flow.total"), 2);
    assert_eq!(s.counter("flow.tcp"), 1);
    assert_eq!(s.counter("decoder.ipv4_in_ipv4"), 1);
    assert_eq!(s.counter("tcp.syn"), 1);
    assert_eq!(s.counter("tcp.sessions"), 1);
    assert_eq!(s.counter("flow.end.state.new"), 2);
}

#[test]
fn fragments_inside_a_tunnel_rebuild_at_the_tunnel_depth() {
    let mut w = worker(&PipelineConfig::default());
    let (first, last) = udp_fragments(3);
    for (i, inner) in [first, last].iter().enumerate() {
        let frame = PacketBuilder::ipv4([1, 1, 1, 1], [2, 2, 2, 2])
            .raw(4, inner)
            .build();
        feed(&mut w, i as u64 + 1, T0, LinkType::IPV4, &frame);
    }
    let seen = &w.inspector().0;
    // Per frame: outer (flow), inner fragment (no flow); then the rebuilt
    // datagram at depth 1 with its UDP flow.
    let roles: Vec<_> = seen
        .iter()
        .map(|s| (s.role, s.level, s.flow_id.is_some()))
        .collect();
    assert_eq!(
        roles,
        [
            (PacketRole::TunnelOuter, 0, true),
            (PacketRole::TunnelInner, 1, false),
            (PacketRole::TunnelOuter, 0, true),
            (PacketRole::TunnelInner, 1, false),
            (PacketRole::Reassembled { fragments: 2 }, 1, true),
        ]
    );
    assert_eq!(seen[0].flow_id, seen[2].flow_id, "one outer flow");
    assert_eq!(seen[4].ports, Some((5000, 53)));
    w.finish();
    assert_eq!(w.stats().counter("flow.total"), 2);
}

/// 1200 TCP SYNs with a wrong checksum, each on its own connection.
fn bad_syns(w: &mut Worker<Recorder>) {
    for i in 0..1200u32 {
        let f = PacketBuilder::ipv4([10, 9, (i >> 8) as u8, i as u8], [10, 0, 0, 1])
            .tcp(1000, 80, TcpSpec::syn().checksum(0xdead))
            .build();
        feed(w, u64::from(i) + 1, T0, LinkType::IPV4, &f);
    }
}

#[test]
fn checksum_auto_mode_gives_up_after_1000_packets() {
    // Auto: frames 1..=999 are validated and all bad; before frame 1000,
    // 1000 / 999 < 10, so validation stops for frames 1000..=1200.
    let mut w = worker(&PipelineConfig::default());
    bad_syns(&mut w);
    assert!(!w.validating_checksums());
    let s = w.stats();
    assert_eq!(s.counter("tcp.invalid_checksum"), 999);
    assert_eq!(s.counter("tcp.sessions"), 201);

    // Validate: every frame is checked.
    let cfg = PipelineConfig {
        checksums: ChecksumPolicy::Validate,
        ..PipelineConfig::default()
    };
    let mut w = worker(&cfg);
    bad_syns(&mut w);
    assert_eq!(w.stats().counter("tcp.invalid_checksum"), 1200);

    // Ignore (-k none): none is.
    let cfg = PipelineConfig {
        checksums: ChecksumPolicy::Ignore,
        ..PipelineConfig::default()
    };
    let mut w = worker(&cfg);
    bad_syns(&mut w);
    assert_eq!(w.stats().counter("tcp.invalid_checksum"), 0);
    assert_eq!(w.stats().counter("tcp.sessions"), 1200);

    // stream.checksum-validation: no also lets every packet through.
    let cfg = PipelineConfig {
        stream_checksum_validation: false,
        ..PipelineConfig::default()
    };
    let mut w = worker(&cfg);
    bad_syns(&mut w);
    assert_eq!(w.stats().counter("tcp.invalid_checksum"), 0);
}

#[test]
fn packet_time_times_flows_out_even_without_ip() {
    let mut w = worker(&PipelineConfig::default());
    let udp = PacketBuilder::ipv4([10, 0, 0, 1], [10, 0, 0, 2])
        .udp(1, 2, b"x")
        .ethernet();
    feed(&mut w, 1, T0, LinkType::ETHERNET, &udp);
    assert_eq!(w.flows().len(), 1);
    // 29 s later (UDP `new` timeout is 30 s): still there.
    let arp = rulewire::decode::craft::ethernet_frame([2; 6], [0xff; 6], 0x0806, &[0; 28]);
    feed(&mut w, 2, T0 + 29, LinkType::ETHERNET, &arp);
    assert_eq!(w.flows().len(), 1);
    // 31 s later, an ARP frame (no IP layer) moves the clock: timed out.
    feed(&mut w, 3, T0 + 31, LinkType::ETHERNET, &arp);
    assert_eq!(w.flows().len(), 0);
    let s = w.stats();
    assert_eq!(s.counter("flow.mgr.flows_timeout"), 1);
    assert_eq!(s.counter("flow.end.state.new"), 1);
}

#[test]
fn handshake_directions_and_established() {
    let mut w = worker(&PipelineConfig::default());
    let c = [10, 0, 0, 1];
    let s = [10, 0, 0, 2];
    let frames = [
        PacketBuilder::ipv4(c, s).tcp(40000, 80, TcpSpec::syn().seq(100)),
        PacketBuilder::ipv4(s, c).tcp(80, 40000, TcpSpec::syn_ack().seq(900).ack_number(101)),
        PacketBuilder::ipv4(c, s).tcp(40000, 80, TcpSpec::ack().seq(101).ack_number(901)),
        PacketBuilder::ipv4(c, s).tcp(
            40000,
            80,
            TcpSpec::psh_ack()
                .seq(101)
                .ack_number(901)
                .payload(b"GET /"),
        ),
    ];
    for (i, f) in frames.iter().enumerate() {
        feed(&mut w, i as u64 + 1, T0, LinkType::ETHERNET, &f.ethernet());
    }
    let seen = &w.inspector().0;
    let dirs: Vec<_> = seen.iter().map(|s| (s.direction, s.established)).collect();
    // The completing ACK is not yet established; the next packet is.
    assert_eq!(
        dirs,
        [
            (Some(Direction::ToServer), false),
            (Some(Direction::ToClient), false),
            (Some(Direction::ToServer), false),
            (Some(Direction::ToServer), true),
        ]
    );
    assert!(seen.iter().all(|s| s.flow_id == seen[0].flow_id));
    w.finish();
    let st = w.stats();
    assert_eq!(st.counter("tcp.syn"), 1);
    assert_eq!(st.counter("tcp.synack"), 1);
    assert_eq!(st.counter("tcp.sessions"), 1);
    assert_eq!(st.counter("flow.end.tcp_state.established"), 1);
    assert_eq!(st.counter("defrag.memuse"), 32 * 1024 * 1024);
}

#[test]
fn a_worker_can_move_to_its_thread() {
    fn assert_send<T: Send>() {}
    assert_send::<Worker>();
    assert_send::<Worker<Recorder>>();
    assert_send::<PipelineConfig>();
}
