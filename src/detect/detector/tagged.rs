//! The detector's part of `tag`: after each inspected packet, update the
//! session and host tags it belongs to ([`super::PostMatch::tag_packet`])
//! and, when it is tagged, write its EVE `packet` record through the sink
//! ([`AlertSink::tagged_packet`]), after the packet's alerts, as
//! Suricata's `AlertJson` does. Only IP packets are tagged.

use crate::detect::keywords::tag::TagPacket;
use crate::output::{AlertRecord, AlertSink};
use crate::runtime::PacketCtx;

use super::{flow_info, ip_info, now_us, pcap_cnt, pkt_src, Detector, View};

impl<S: AlertSink> Detector<S> {
    /// Tagged packets logged so far (rule keyword `tag`).
    pub fn tagged_packets(&self) -> u64 {
        self.tagged
    }

    /// Updates the tags of the packet's flow and hosts; logs it when
    /// tagged.
    pub(super) fn handle_tags(&mut self, ctx: &PacketCtx<'_>, v: &View<'_, '_>) {
        let addrs = v.addrs();
        if addrs.is_none() {
            return;
        }
        let pkt = TagPacket {
            addrs,
            flow: ctx.flow.map(|f| f.flow_id),
            now_us: now_us(ctx),
            len: ctx.raw.data.len() as u64,
        };
        if !self.post.tag_packet(&pkt) {
            return;
        }
        let rec = AlertRecord {
            ts_secs: ctx.raw.ts.secs(),
            ts_nanos: ctx.raw.ts.nanos(),
            linktype: u32::from(ctx.raw.linktype.0),
            pcap_cnt: pcap_cnt(ctx),
            ip: ip_info(v),
            flow: flow_info(ctx, None),
            pkt_src: pkt_src(ctx.role),
            payload: Some(v.payload),
            packet: Some(ctx.raw.data),
            ..AlertRecord::default()
        };
        self.tagged += 1;
        if self.sink.tagged_packet(&rec).is_err() {
            self.write_errors += 1;
        }
    }
}
