//! Flow-table test packets shared by the flow tests (`flow_table`,
//! `flow_flood`). Included with `#[path = "common/flow.rs"] mod flow;`.

#![allow(dead_code)]

use rulewire::flow::TcpMeta;

/// The TCP fields of a segment `sp -> dp` with `flags`, `seq`, `ack` and
/// `len` payload bytes: window 1024, no timestamp option, checksum good.
pub fn tcp_meta(sp: u16, dp: u16, flags: u8, seq: u32, ack: u32, len: u32) -> TcpMeta {
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
    }
}
