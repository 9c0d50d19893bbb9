//! Flow table behaviour through the public API: direction, the handshake and
//! `established`, midstream pick-up, UDP and ICMP, timeouts by packet time,
//! port reuse, and the end-of-flow counters. Expected values are worked out
//! by hand from Suricata 8's rules (see `src/flow/table.rs`).

#[path = "common/flow.rs"]
mod flow;

use std::net::{IpAddr, Ipv4Addr};

use flow::tcp_meta;
use rulewire::flow::{
    tcp_flags::{ACK, FIN, PSH, RST, SYN},
    Direction, EmbeddedTuple, ExceptionPolicy, FlowAction, FlowConfig, FlowState, FlowTable,
    FlowTime, FlowUpdate, L4Meta, PacketMeta, TcpMeta, TcpState,
};

const CLIENT: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
const SERVER: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));
const ROUTER: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 254));
const T0: u64 = 1_700_000_000;

fn at(secs: u64) -> FlowTime {
    FlowTime::from_secs_micros(T0 + secs, 0)
}

/// A TCP segment from `src` to `dst` (ports 40000 <-> 80 by side).
fn tcp(ts: FlowTime, src: IpAddr, flags: u8, seq: u32, ack: u32, len: u32) -> PacketMeta {
    let (dst, sp, dp) = if src == CLIENT {
        (SERVER, 40000, 80)
    } else {
        (CLIENT, 80, 40000)
    };
    let mut p = PacketMeta::tcp(ts, src, dst, tcp_meta(sp, dp, flags, seq, ack, len));
    p.len = 54 + len;
    p
}

fn udp(ts: FlowTime, src: IpAddr) -> PacketMeta {
    let (dst, sp, dp) = if src == CLIENT {
        (SERVER, 5353, 53)
    } else {
        (CLIENT, 53, 5353)
    };
    PacketMeta::udp(ts, src, dst, sp, dp)
}

fn upd<U: Default>(t: &mut FlowTable<U>, p: &PacketMeta) -> FlowUpdate {
    t.update(p).expect("packet gets a flow")
}

fn table(midstream: bool) -> FlowTable {
    FlowTable::new(FlowConfig {
        midstream,
        ..FlowConfig::default()
    })
}

/// (direction is to-server, established) per packet.
fn flags(u: &FlowUpdate) -> (bool, bool) {
    (u.direction == Direction::ToServer, u.established)
}

#[test]
fn handshake_then_data_and_which_packet_is_first_established() {
    let mut t = table(false);
    let syn = upd(&mut t, &tcp(at(0), CLIENT, SYN, 1000, 0, 0));
    assert!(syn.new_flow && syn.first_in_direction);
    assert_eq!(flags(&syn), (true, false));
    assert_eq!(syn.tcp_state, Some(TcpState::SynSent));
    assert_eq!(syn.state, FlowState::New);

    let synack = upd(&mut t, &tcp(at(0), SERVER, SYN | ACK, 5000, 1001, 0));
    assert!(!synack.new_flow && synack.first_in_direction);
    assert_eq!(flags(&synack), (false, false));
    assert_eq!(synack.handle, syn.handle);
    assert_eq!(synack.flow_id, syn.flow_id);

    // The handshake's last ACK: detection sees the state from before this
    // packet (SYN_RECV), so it is not established, although the stream is.
    let ack = upd(&mut t, &tcp(at(0), CLIENT, ACK, 1001, 5001, 0));
    assert_eq!(flags(&ack), (true, false));
    assert!(ack.stream_established);
    assert_eq!(ack.state, FlowState::Established);

    let data = upd(&mut t, &tcp(at(0), CLIENT, ACK | PSH, 1001, 5001, 100));
    assert_eq!(flags(&data), (true, true));
    let reply = upd(&mut t, &tcp(at(0), SERVER, ACK | PSH, 5001, 1101, 200));
    assert_eq!(flags(&reply), (false, true));
    assert!(!reply.first_in_direction);

    let info = t.info(reply.handle).expect("live flow");
    assert_eq!(info.client, (CLIENT, 40000));
    assert_eq!(info.server, (SERVER, 80));
    assert_eq!(info.pkts, [3, 2]);
    assert_eq!(info.bytes, [54 * 3 + 100, 54 * 2 + 200]);
}

#[test]
fn handshake_ack_with_data_is_established_at_once() {
    let mut t = table(false);
    upd(&mut t, &tcp(at(0), CLIENT, SYN, 1000, 0, 0));
    upd(&mut t, &tcp(at(0), SERVER, SYN | ACK, 5000, 1001, 0));
    let ack = upd(&mut t, &tcp(at(0), CLIENT, ACK | PSH, 1001, 5001, 20));
    assert_eq!(flags(&ack), (true, true));
}

#[test]
fn midstream_off_tracks_the_flow_but_never_establishes_it() {
    let mut t = table(false);
    // First seen packet comes from the server: its sender is the "client".
    let a = upd(&mut t, &tcp(at(0), SERVER, ACK | PSH, 5001, 1001, 10));
    assert_eq!(flags(&a), (true, false));
    assert_eq!(a.tcp_state, None);
    let b = upd(&mut t, &tcp(at(0), CLIENT, ACK, 1001, 5011, 0));
    assert_eq!(
        flags(&b),
        (false, false),
        "both directions seen, still not established for TCP"
    );
    let c = upd(&mut t, &tcp(at(0), SERVER, ACK | PSH, 5011, 1001, 10));
    assert_eq!(flags(&c), (true, false));
    t.flush();
    let c = t.counters();
    assert_eq!((c.total, c.tcp, c.tcp_sessions), (1, 1, 0));
    assert_eq!(c.ended_in(FlowState::New), 1);
    assert_eq!(
        c.end_tcp_state.iter().sum::<u64>(),
        0,
        "no session, no tcp_state counter"
    );
}

#[test]
fn midstream_on_ack_pickup_is_established_from_the_second_packet() {
    let mut t = table(true);
    let a = upd(&mut t, &tcp(at(0), CLIENT, ACK | PSH, 1001, 5001, 10));
    // Picked up by this very packet, but detection saw the pre-stream state.
    assert_eq!(flags(&a), (true, false));
    assert_eq!(a.tcp_state, Some(TcpState::Established));
    let b = upd(&mut t, &tcp(at(0), SERVER, ACK, 5001, 1011, 0));
    assert_eq!(flags(&b), (false, true));
    let c = t.counters();
    assert_eq!((c.tcp_sessions, c.tcp_midstream_pickups), (1, 1));
}

#[test]
fn midstream_synack_pickup_makes_its_sender_the_server() {
    // Suricata-verify bug-1401-02: with midstream on, a capture starting
    // with the SYN/ACK alerts on `flow:to_client` for that SYN/ACK.
    let mut t = table(true);
    let sa = upd(&mut t, &tcp(at(0), SERVER, SYN | ACK, 5000, 1001, 0));
    assert_eq!(flags(&sa), (false, false));
    assert!(sa.first_in_direction);
    let ack = upd(&mut t, &tcp(at(0), CLIENT, ACK, 1001, 5001, 0));
    assert_eq!(flags(&ack), (true, false));
    assert!(ack.first_in_direction);
    let data = upd(&mut t, &tcp(at(0), CLIENT, ACK | PSH, 1001, 5001, 427));
    assert_eq!(flags(&data), (true, true));
    let info = t.info(data.handle).expect("live");
    assert_eq!(info.client.0, CLIENT);
    assert_eq!(info.pkts, [2, 1]);

    // Without midstream the same SYN/ACK is the flow's first packet, so it
    // is to-server (bug-1401-04 needs the SYN first to alert).
    let mut t = table(false);
    let sa = upd(&mut t, &tcp(at(0), SERVER, SYN | ACK, 5000, 1001, 0));
    assert_eq!(flags(&sa), (true, false));
    assert_eq!(sa.tcp_state, None);
}

#[test]
fn udp_is_established_once_both_directions_are_seen() {
    let mut t = table(false);
    let q = upd(&mut t, &udp(at(0), CLIENT));
    assert_eq!(flags(&q), (true, false));
    let q2 = upd(&mut t, &udp(at(0), CLIENT));
    assert_eq!(flags(&q2), (true, false));
    // The first reply itself is established: FlowHandlePacketUpdate marks
    // its direction seen before testing both.
    let r = upd(&mut t, &udp(at(1), SERVER));
    assert_eq!(flags(&r), (false, true));
    assert_eq!(r.state, FlowState::Established);
    assert_eq!(flags(&upd(&mut t, &udp(at(2), CLIENT))), (true, true));
    t.flush();
    let c = t.counters();
    assert_eq!((c.total, c.udp), (1, 1));
    assert_eq!(c.ended_in(FlowState::Established), 1);
}

#[test]
fn icmp_echo_pairs_and_unreachable_joins_the_quoted_flow() {
    let mut t = table(false);
    let icmp = |src, dst, icmp_type, embedded| {
        PacketMeta::new(
            at(0),
            src,
            dst,
            1,
            L4Meta::Icmp {
                icmp_type,
                code: 0,
                embedded,
            },
        )
    };
    let req = upd(&mut t, &icmp(CLIENT, SERVER, 8, None));
    let rep = upd(&mut t, &icmp(SERVER, CLIENT, 0, None));
    assert_eq!(req.handle, rep.handle);
    assert_eq!(flags(&rep), (false, true));

    // A port-unreachable from a router for a UDP query: no flow of its own,
    // it lands on the UDP flow, to-client (source is not the client), and
    // does not count as the server having answered.
    let q = upd(&mut t, &udp(at(0), CLIENT));
    let quoted = EmbeddedTuple {
        src: CLIENT,
        dst: SERVER,
        proto: 17,
        src_port: 5353,
        dst_port: 53,
    };
    let u = upd(&mut t, &icmp(ROUTER, CLIENT, 3, Some(quoted)));
    assert_eq!(u.handle, q.handle);
    assert_eq!(flags(&u), (false, false));
    assert!(!u.first_in_direction);
    // Quoting a connection we never saw: no flow.
    let other = EmbeddedTuple {
        dst_port: 54,
        ..quoted
    };
    assert_eq!(t.update(&icmp(ROUTER, CLIENT, 3, Some(other))), None);
    let c = t.counters();
    assert_eq!((c.total, c.icmpv4, c.udp), (2, 1, 1));
}

#[test]
fn packets_without_layer4_get_no_flow() {
    let mut t = table(false);
    let frag = PacketMeta::new(at(0), CLIENT, SERVER, 17, L4Meta::None);
    assert_eq!(t.update(&frag), None);
    assert_eq!(t.counters().total, 0);
}

#[test]
fn tunnel_outer_packets_are_always_to_server() {
    let mut t = table(false);
    let a = upd(
        &mut t,
        &PacketMeta::new(at(0), CLIENT, SERVER, 4, L4Meta::Other),
    );
    let b = upd(
        &mut t,
        &PacketMeta::new(at(0), SERVER, CLIENT, 4, L4Meta::Other),
    );
    assert_eq!(a.handle, b.handle);
    assert_eq!(flags(&b), (true, false));
}

#[test]
fn udp_flow_times_out_by_packet_time_on_lookup() {
    let mut t = table(false);
    let a = upd(&mut t, &udp(at(0), CLIENT));
    // 29 s later: within udp.new (30 s).
    let b = upd(&mut t, &udp(at(29), CLIENT));
    assert!(!b.new_flow);
    // 30 s after the last packet: timed out, a new flow takes its place.
    let c = upd(&mut t, &udp(at(59), CLIENT));
    assert!(c.new_flow);
    assert_ne!(c.flow_id, a.flow_id);
    assert_eq!(t.user(a.handle), None, "old handle is stale");
    let k = t.counters();
    assert_eq!((k.total, k.flows_timeout), (2, 1));
    assert_eq!(k.ended_in(FlowState::New), 1);
}

#[test]
fn idle_flows_expire_while_other_traffic_flows() {
    let mut t = table(false);
    upd(&mut t, &udp(at(0), CLIENT));
    upd(&mut t, &tcp(at(0), CLIENT, SYN, 1, 0, 0));
    assert_eq!(t.len(), 2);
    // Unrelated traffic at +31 s: the UDP flow (new, 30 s) is swept, the TCP
    // one (new, 60 s) stays.
    let other = PacketMeta::udp(at(31), ROUTER, SERVER, 1, 2);
    upd(&mut t, &other);
    assert_eq!(t.len(), 2);
    assert_eq!(t.counters().flows_timeout, 1);
    // At +60 s the SYN-only flow (last packet at 0, tcp.new 60 s) is due;
    // the UDP flow from +31 s is due only at +61 s.
    t.advance_time(at(60));
    assert_eq!(
        t.len(),
        1,
        "the SYN-only flow is gone, the newer UDP one stays"
    );
    assert_eq!(t.counters().ended_in_tcp(TcpState::SynSent), 1);
}

#[test]
fn established_and_closed_tcp_timeouts() {
    let mut t = table(false);
    upd(&mut t, &tcp(at(0), CLIENT, SYN, 1000, 0, 0));
    upd(&mut t, &tcp(at(0), SERVER, SYN | ACK, 5000, 1001, 0));
    upd(&mut t, &tcp(at(0), CLIENT, ACK, 1001, 5001, 0));
    // tcp.established is 600 s.
    t.advance_time(at(599));
    assert_eq!(t.len(), 1);
    let rst = upd(&mut t, &tcp(at(599), CLIENT, RST, 1001, 0, 0));
    assert_eq!(rst.state, FlowState::Closed);
    // tcp.closed is 60 s.
    t.advance_time(at(658));
    assert_eq!(t.len(), 1);
    t.advance_time(at(659));
    assert_eq!(t.len(), 0);
    let c = t.counters();
    assert_eq!(c.ended_in(FlowState::Closed), 1);
    assert_eq!(c.ended_in_tcp(TcpState::Closed), 1);
}

#[test]
fn new_syn_after_close_reuses_the_tuple() {
    let mut t = table(false);
    let first = upd(&mut t, &tcp(at(0), CLIENT, SYN, 1000, 0, 0));
    upd(&mut t, &tcp(at(0), SERVER, SYN | ACK, 5000, 1001, 0));
    upd(&mut t, &tcp(at(0), CLIENT, ACK, 1001, 5001, 0));
    upd(&mut t, &tcp(at(1), CLIENT, FIN | ACK, 1001, 5001, 0));
    upd(&mut t, &tcp(at(1), SERVER, FIN | ACK, 5001, 1002, 0));
    let last = upd(&mut t, &tcp(at(1), CLIENT, ACK, 1002, 5002, 0));
    assert_eq!(last.tcp_state, Some(TcpState::Closed));
    // A SYN retransmission of the old ISN would not reuse; a new ISN does.
    let again = upd(&mut t, &tcp(at(2), CLIENT, SYN, 777_000, 0, 0));
    assert!(again.new_flow);
    assert_ne!(again.flow_id, first.flow_id);
    assert_eq!(again.tcp_state, Some(TcpState::SynSent));
    t.flush();
    let c = t.counters();
    assert_eq!((c.total, c.tcp_reuse, c.tcp_sessions), (2, 1, 2));
    assert_eq!(c.ended_in_tcp(TcpState::Closed), 1);
    assert_eq!(c.ended_in_tcp(TcpState::SynSent), 1);
    assert_eq!(c.ended_in(FlowState::Closed), 1);
    assert_eq!(c.ended_in(FlowState::New), 1);
}

#[test]
fn syn_on_a_sessionless_flow_starts_a_fresh_one() {
    // Midstream off: a stray ACK creates a session-less flow; the client's
    // SYN then replaces it, so the SYN sender is the client.
    let mut t = table(false);
    upd(&mut t, &tcp(at(0), SERVER, ACK, 5001, 1001, 0));
    let syn = upd(&mut t, &tcp(at(0), CLIENT, SYN, 1000, 0, 0));
    assert!(syn.new_flow);
    assert_eq!(flags(&syn), (true, false));
    assert_eq!(t.counters().tcp_reuse, 1);
}

#[test]
fn bad_checksum_keeps_the_flow_but_skips_the_stream() {
    let mut t = table(false);
    let mut p = tcp(at(0), CLIENT, SYN, 1000, 0, 0);
    if let L4Meta::Tcp(ref mut m) = p.l4 {
        m.checksum_ok = false;
    }
    let u = upd(&mut t, &p);
    assert_eq!(u.tcp_state, None);
    let c = t.counters();
    assert_eq!((c.total, c.tcp_sessions, c.tcp_invalid_checksum), (1, 0, 1));
}

#[test]
fn per_flow_user_data_lives_and_dies_with_the_flow() {
    let mut t: FlowTable<u64> = FlowTable::new(FlowConfig::default());
    let a = t.update(&udp(at(0), CLIENT)).expect("flow");
    *t.user_mut(a.handle).expect("live") |= 0b101;
    let b = t.update(&udp(at(1), SERVER)).expect("flow");
    assert_eq!(t.user(b.handle), Some(&0b101));
    t.advance_time(at(400));
    assert_eq!(t.user(a.handle), None);
    let c = t.update(&udp(at(400), CLIENT)).expect("flow");
    assert_eq!(t.user(c.handle), Some(&0), "a new flow starts from Default");
}

#[test]
fn end_counters_by_state_after_flush() {
    let mut t = table(false);
    // Established TCP (client FIN only: close_wait), a SYN-only TCP, a UDP
    // query without answer, an answered UDP flow.
    upd(&mut t, &tcp(at(0), CLIENT, SYN, 1000, 0, 0));
    upd(&mut t, &tcp(at(0), SERVER, SYN | ACK, 5000, 1001, 0));
    upd(&mut t, &tcp(at(0), CLIENT, ACK, 1001, 5001, 0));
    upd(&mut t, &tcp(at(0), CLIENT, FIN | ACK, 1001, 5001, 0));
    upd(
        &mut t,
        &PacketMeta::tcp(
            at(0),
            CLIENT,
            SERVER,
            TcpMeta {
                src_port: 1,
                dst_port: 2,
                flags: SYN,
                timestamp: None,
                checksum_ok: true,
                ..TcpMeta::default()
            },
        ),
    );
    upd(&mut t, &PacketMeta::udp(at(0), CLIENT, SERVER, 7, 7));
    upd(&mut t, &udp(at(0), CLIENT));
    upd(&mut t, &udp(at(0), SERVER));
    assert_eq!(t.counters().active, 4);
    t.flush();
    let c = t.counters();
    assert_eq!(c.active, 0);
    assert_eq!(c.ended_in(FlowState::Established), 2);
    assert_eq!(c.ended_in(FlowState::New), 2);
    assert_eq!(c.ended_in_tcp(TcpState::CloseWait), 1);
    assert_eq!(c.ended_in_tcp(TcpState::SynSent), 1);
    let json = c.to_json();
    assert_eq!(json["flow"]["total"], 4);
    assert_eq!(json["flow"]["end"]["tcp_state"]["close_wait"], 1);
    assert_eq!(json["tcp"]["sessions"], 2);
    assert!(json["flow"].get("active").is_none(), "zeros are left out");
}

#[test]
fn memory_stays_under_the_cap_and_capacity_matches() {
    let cfg = FlowConfig {
        memcap: 256 * 1024,
        ..FlowConfig::default()
    };
    let cap = FlowTable::<()>::capacity_for(&cfg);
    assert!(cap > 100, "256 KiB holds some flows, got {cap}");
    let mut t: FlowTable = FlowTable::new(cfg);
    assert_eq!(t.capacity(), cap as usize);
    for i in 0..(cap as u16 + 50) {
        let p = PacketMeta::udp(at(0), CLIENT, SERVER, i, 53);
        t.update(&p).expect("room is always made");
        assert!(t.memory_usage() <= 256 * 1024);
    }
    assert_eq!(t.len(), cap as usize);
    let c = t.counters();
    assert_eq!(c.get_used, 50);
    assert_eq!(c.emerg_mode_entered, 1);
    assert!(c.memuse <= 256 * 1024);
}

#[test]
fn emergency_with_midstream_only_lets_syns_create_flows() {
    let mut t: FlowTable = FlowTable::new(FlowConfig {
        max_flows: Some(1),
        midstream: true,
        ..FlowConfig::default()
    });
    upd(&mut t, &udp(at(0), CLIENT));
    upd(&mut t, &PacketMeta::udp(at(0), CLIENT, SERVER, 9, 9));
    assert!(t.in_emergency());
    assert_eq!(t.update(&tcp(at(0), CLIENT, ACK, 1, 1, 0)), None);
    assert!(t.update(&tcp(at(0), CLIENT, SYN, 1, 0, 0)).is_some());
}

fn table_with_policy(midstream: bool, policy: ExceptionPolicy, ips: bool) -> FlowTable {
    FlowTable::new(FlowConfig {
        midstream,
        midstream_policy: policy,
        ips_mode: ips,
        ..FlowConfig::default()
    })
}

#[test]
fn midstream_pass_flow_marks_the_flow_and_a_later_syn_keeps_it() {
    // stream.midstream off, midstream-policy pass-flow: the first ACK
    // without a session applies the policy; the mark is sticky.
    let mut t = table_with_policy(false, ExceptionPolicy::PassFlow, true);
    let u = upd(&mut t, &tcp(at(0), CLIENT, ACK | PSH, 100, 500, 10));
    assert_eq!(u.exception, Some(FlowAction::Pass));
    assert_eq!(u.tcp_state, None);
    let u = upd(&mut t, &tcp(at(1), SERVER, ACK, 500, 110, 0));
    assert_eq!(u.exception, Some(FlowAction::Pass));
}

#[test]
fn midstream_bypass_stops_pickup_even_with_midstream_on() {
    // exception-policy-master-switch-05: midstream on, master bypass: no
    // session is picked up and the flow is passed.
    let mut t = table_with_policy(true, ExceptionPolicy::Bypass, false);
    let u = upd(&mut t, &tcp(at(0), CLIENT, ACK | PSH, 100, 500, 10));
    assert_eq!(u.exception, Some(FlowAction::Pass));
    assert_eq!(u.tcp_state, None);
    assert_eq!(t.counters().tcp_midstream_pickups, 0);
}

#[test]
fn midstream_drop_flow_in_ips_mode_and_handshakes_untouched() {
    let mut t = table_with_policy(false, ExceptionPolicy::DropFlow, true);
    let u = upd(&mut t, &tcp(at(0), CLIENT, FIN | ACK, 100, 500, 0));
    assert_eq!(u.exception, Some(FlowAction::Drop));
    // A normal handshake on another flow is not affected: SYN, RST and a
    // tracked session never apply the policy.
    let mut t = table_with_policy(false, ExceptionPolicy::DropFlow, true);
    let u = upd(&mut t, &tcp(at(0), CLIENT, SYN, 1000, 0, 0));
    assert_eq!(u.exception, None);
    let u = upd(&mut t, &tcp(at(0), SERVER, SYN | ACK, 5000, 1001, 0));
    assert_eq!(u.exception, None);
    let u = upd(&mut t, &tcp(at(0), CLIENT, ACK, 1001, 5001, 0));
    assert_eq!(u.exception, None);
    assert!(u.stream_established);
}

#[test]
fn midstream_ignore_changes_nothing() {
    let mut t = table_with_policy(true, ExceptionPolicy::Ignore, false);
    let u = upd(&mut t, &tcp(at(0), CLIENT, ACK | PSH, 100, 500, 10));
    assert_eq!(u.exception, None);
    assert_eq!(t.counters().tcp_midstream_pickups, 1);
}
