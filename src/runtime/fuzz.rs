//! fuzz: [`fuzz_packet_path`], the body of the `packet_path` fuzz target:
//! arbitrary bytes split into frames and run through a [`Worker`] with
//! tiny limits, so that defragmentation, flow creation, timeouts and
//! eviction all happen within a few frames.
//!
//! # Input format
//!
//! ```text
//! byte 0          knobs: bit 0 stream.midstream, bit 1 inspect-invalid,
//!                 bits 2-3 checksum policy (validate, ignore, auto,
//!                 validate), bits 4-6 defrag policy (index into
//!                 Policy::ALL, mod 7), bit 7 vlan.use-for-tracking off
//! then per frame  [link][dt][len lo][len hi][len bytes]
//!                 link: index into LinkType::SUPPORTED (mod its length)
//!                 dt:   packet time advance, in quarter seconds
//! ```
//!
//! A short last frame takes what is left. At most [`MAX_FRAMES`] frames
//! and [`MAX_INPUT`] bytes are used, so one input runs in bounded time.
//!
//! # What it checks
//!
//! Panics only when the packet path breaks a promise: the flow table or
//! the defragmenter above its memcap or counts, a flow handle returned for
//! a packet that reaches no flow data, `decoder.pkts` not equal to the
//! frames fed, or flows left after [`Worker::finish`].

use super::config::{ChecksumPolicy, PipelineConfig};
use super::ctx::{Inspector, PacketCtx, PacketRole};
use super::worker::Worker;
use crate::capture::{LinkType, RawPacket, Timestamp};
use crate::defrag::Policy;
use crate::flow::FlowState;

/// Most frames one input is split into.
pub const MAX_FRAMES: usize = 512;
/// Most input bytes used.
pub const MAX_INPUT: usize = 1 << 20;

/// An inspector that checks what it is handed.
#[derive(Default)]
struct CheckingInspector {
    packets: u64,
    outer_pending: bool,
}

impl Inspector for CheckingInspector {
    type FlowData = u32;

    fn inspect(&mut self, ctx: &PacketCtx<'_>, flow_data: Option<&mut u32>) {
        self.packets += 1;
        assert_eq!(
            ctx.flow.is_some(),
            flow_data.is_some(),
            "a flow update without reachable flow data"
        );
        if let Some(d) = flow_data {
            *d = d.wrapping_add(1);
        }
        match ctx.role {
            PacketRole::TunnelOuter => {
                assert!(!self.outer_pending, "two outer packets in a row");
                assert!(ctx.decoded.outer().is_some(), "outer role without tunnel");
                self.outer_pending = true;
            }
            PacketRole::TunnelInner => {
                self.outer_pending = false;
            }
            PacketRole::Plain | PacketRole::Reassembled { .. } => {
                // A rebuilt tunnel's outer context is `Reassembled` too.
                self.outer_pending = false;
            }
        }
        // Touch the views detection will read.
        let _ = ctx.decoded.inspection_payload().len();
        let _ = ctx.decoded.ports();
        let _ = ctx.defrag_events.iter().count();
    }
}

/// Runs `data` through the packet path; see the module docs.
///
/// # Panics
///
/// Only when the packet path breaks one of its promises, which is a bug.
pub fn fuzz_packet_path(data: &[u8]) {
    let data = data.get(..MAX_INPUT).unwrap_or(data);
    let Some((&knobs, mut rest)) = data.split_first() else {
        return;
    };
    let cfg = fuzz_config(knobs);
    let mut worker = Worker::with_inspector(&cfg, CheckingInspector::default());

    let mut ts = Timestamp::new(1_700_000_000, 0);
    let mut frames = 0u64;
    while frames < MAX_FRAMES as u64 {
        let Some((head, body)) = rest.split_first_chunk::<4>() else {
            break;
        };
        let [link, dt, lo, hi] = *head;
        let len = usize::from(u16::from_le_bytes([lo, hi])).min(body.len());
        let (frame, tail) = body.split_at(len);
        rest = tail;
        let quarter = u64::from(dt) * 250_000_000;
        let nanos = u64::from(ts.nanos()) + quarter % 1_000_000_000;
        ts = Timestamp::new(
            ts.secs() + quarter / 1_000_000_000 + nanos / 1_000_000_000,
            u32::try_from(nanos % 1_000_000_000).unwrap_or(0),
        );
        let linktype = LinkType::SUPPORTED
            .get(usize::from(link) % LinkType::SUPPORTED.len())
            .copied()
            .unwrap_or(LinkType::ETHERNET);
        frames += 1;
        worker.process(&RawPacket {
            index: frames,
            ts,
            linktype,
            data: frame,
            orig_len: u32::try_from(frame.len()).unwrap_or(u32::MAX),
        });
        check_limits(&worker, &cfg);
    }
    worker.finish();
    check_limits(&worker, &cfg);

    assert_eq!(worker.packets(), frames, "decoder.pkts counts every frame");
    assert!(worker.flows().is_empty(), "flows left after finish");
    let c = worker.flows().counters();
    let ended: u64 = FlowState::ALL.iter().map(|&s| c.ended_in(s)).sum();
    assert_eq!(ended, c.total - c.get_used, "every flow ends exactly once");
    assert!(
        worker.inspector().packets >= frames,
        "every frame is inspected"
    );
    let stats = worker.stats();
    assert_eq!(stats.counter("decoder.pkts"), frames);
    let _ = stats.to_json_pretty();
}

/// Tiny limits so that state fills, times out and is evicted quickly.
fn fuzz_config(knobs: u8) -> PipelineConfig {
    let mut cfg = PipelineConfig::default();
    cfg.flow.midstream = knobs & 1 != 0;
    cfg.decode.inspect_invalid = knobs & 2 != 0;
    cfg.checksums = match (knobs >> 2) & 3 {
        1 => ChecksumPolicy::Ignore,
        2 => ChecksumPolicy::Auto,
        _ => ChecksumPolicy::Validate,
    };
    cfg.defrag.default_policy = Policy::ALL
        .get(usize::from((knobs >> 4) & 7) % Policy::ALL.len())
        .copied()
        .unwrap_or_default();
    cfg.flow.vlan_tracking = knobs & 0x80 == 0;

    cfg.flow.max_flows = Some(8);
    cfg.flow.expire_budget = 2;
    let t = &mut cfg.flow.timeouts;
    for p in [&mut t.default, &mut t.tcp, &mut t.udp, &mut t.icmp] {
        p.normal.new = 2;
        p.normal.established = 5;
        p.normal.closed = 1;
        p.emergency.new = 1;
        p.emergency.established = 2;
        p.emergency.closed = 0;
    }
    cfg.defrag.memcap = 16 * 1024;
    cfg.defrag.max_trackers = 4;
    cfg.defrag.max_frags = 16;
    cfg.defrag.max_frags_per_datagram = 8;
    cfg.defrag.timeout_secs = 2;
    cfg
}

fn check_limits<I: Inspector>(worker: &Worker<I>, cfg: &PipelineConfig) {
    let flows = worker.flows();
    assert!(
        flows.memory_usage() as u64 <= cfg.flow.memcap,
        "flow memory above memcap"
    );
    assert!(flows.len() <= flows.capacity(), "flows above capacity");
    let defrag = worker.defrag();
    assert!(
        defrag.memory_usage() as u64 <= cfg.defrag.memcap,
        "defrag memory above memcap"
    );
    assert!(
        defrag.trackers() <= cfg.defrag.max_trackers,
        "defrag trackers above the limit"
    );
    assert!(
        defrag.fragments() <= cfg.defrag.max_frags,
        "defrag fragments above the limit"
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::craft::{PacketBuilder, TcpSpec};

    fn frame(link: u8, dt: u8, bytes: &[u8]) -> Vec<u8> {
        let len = u16::try_from(bytes.len()).unwrap().to_le_bytes();
        let mut v = vec![link, dt, len[0], len[1]];
        v.extend_from_slice(bytes);
        v
    }

    /// Index of `lt` in `LinkType::SUPPORTED`.
    fn link(lt: LinkType) -> u8 {
        u8::try_from(LinkType::SUPPORTED.iter().position(|&l| l == lt).unwrap()).unwrap()
    }

    #[test]
    fn empty_and_tiny_inputs_run() {
        fuzz_packet_path(&[]);
        fuzz_packet_path(&[0]);
        fuzz_packet_path(&[0xff, 1, 2]);
        fuzz_packet_path(&[0, 1, 0, 0xff, 0xff, 1, 2, 3]);
    }

    #[test]
    fn many_flows_fragments_and_time_run() {
        let mut input = vec![0b0000_0101];
        for i in 0..40u8 {
            let tcp = PacketBuilder::ipv4([10, 0, 0, i], [10, 0, 1, 1])
                .tcp(1000 + u16::from(i), 80, TcpSpec::syn())
                .ethernet();
            input.extend(frame(link(LinkType::ETHERNET), i % 9, &tcp));
            let whole = PacketBuilder::ipv4([10, 0, 0, i], [10, 0, 1, 1])
                .udp(53, 53, &[i; 24])
                .transport_bytes();
            let first = PacketBuilder::ipv4([10, 0, 0, i], [10, 0, 1, 1])
                .fragment(0, true, u32::from(i))
                .raw(17, &whole[..16])
                .build();
            let last = PacketBuilder::ipv4([10, 0, 0, i], [10, 0, 1, 1])
                .fragment(16, false, u32::from(i))
                .raw(17, &whole[16..])
                .build();
            input.extend(frame(link(LinkType::IPV4), 0, &first));
            if i % 3 != 0 {
                input.extend(frame(link(LinkType::IPV4), 1, &last));
            }
        }
        fuzz_packet_path(&input);
    }
}
