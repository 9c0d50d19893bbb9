//! fast.log lines, laid out byte for byte as Suricata 8's `alert-fastlog.c`.
//!
//! An alert on an IPv4 or IPv6 packet:
//!
//! ```text
//! 02/05/2021-07:34:50.000003  [**] [1:2:3] msg [**] [Classification: desc] [Priority: 3] {TCP} 10.0.0.1:80 -> 10.0.0.2:4660
//! ```
//!
//! - the time is [`fast_log_time`] (local time in Suricata; see
//!   [`time`](super::time) for our time-zone choice), then two spaces;
//! - a drop or reject rule puts `[Drop] ` (IPS mode) or `[wDrop] ` (IDS
//!   mode) before the first `[**]`;
//! - a missing `msg` or classification prints `(null)`, as C's printf does
//!   for a NULL string;
//! - the protocol is its IANA name ([`proto_name`]) or `PROTO:nnn`;
//! - IPv6 addresses are in the full uncompressed form, without brackets
//!   (`2001:0db8:0000:...:0001:80`), see [`addr`](super::addr);
//! - ICMP and ICMPv6 print type and code where the ports go; every other
//!   packet without ports prints `:0`.
//!
//! An alert on a packet that is neither IPv4 nor IPv6 (a decoder event on an
//! ARP frame, say) prints the first 32 bytes of the packet instead of the
//! addresses:
//!
//! ```text
//! ... [Priority: 3] [**] [Raw pkt: FF FF 08 06 ] [pcap file packet: 7]
//! ```
//!
//! (`] [pcap file packet: N]` only when the packet number is known.)
//!
//! Deliberate difference: Suricata cuts a line at 2,047 bytes (its
//! `MAX_FASTLOG_ALERT_SIZE` buffer), newline included, which runs the next
//! line into it. We always write the whole line.

use super::addr::AddrText;
use super::proto::proto_name;
use super::record::{AlertRecord, Transport};
use super::sink::AlertFormat;
use super::time::{fast_log_time, push_decimal, UtcOffset};

/// At most this many packet bytes go into the raw form.
const RAW_PKT_MAX: usize = 32;

/// Formats alerts as fast.log lines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FastLogFormat {
    /// Time zone for the timestamps (UTC by default).
    pub tz: UtcOffset,
}

impl FastLogFormat {
    /// Lines with timestamps in `tz`.
    pub fn new(tz: UtcOffset) -> FastLogFormat {
        FastLogFormat { tz }
    }
}

impl AlertFormat for FastLogFormat {
    fn format_alert(&self, rec: &AlertRecord<'_>, out: &mut Vec<u8>) {
        format_line(rec, self.tz, out);
    }
}

/// Appends `rec`'s fast.log line, newline included, to `out`.
pub fn format_line(rec: &AlertRecord<'_>, tz: UtcOffset, out: &mut Vec<u8>) {
    out.extend_from_slice(fast_log_time(rec.ts_secs, rec.ts_nanos, tz).as_bytes());
    out.extend_from_slice(b"  ");
    out.extend_from_slice(rec.fast_log_prefix().as_bytes());
    out.extend_from_slice(b"[**] [");
    push_u64(out, u64::from(rec.gid));
    out.push(b':');
    push_u64(out, u64::from(rec.sid));
    out.push(b':');
    push_u64(out, u64::from(rec.rev));
    out.extend_from_slice(b"] ");
    out.extend_from_slice(rec.msg.unwrap_or("(null)").as_bytes());
    out.extend_from_slice(b" [**] [Classification: ");
    out.extend_from_slice(rec.class_desc.unwrap_or("(null)").as_bytes());
    out.extend_from_slice(b"] [Priority: ");
    push_u64(out, u64::from(rec.priority));
    out.push(b']');
    match rec.ip {
        Some(ip) => {
            out.extend_from_slice(b" {");
            match proto_name(ip.proto) {
                Some(name) => out.extend_from_slice(name.as_bytes()),
                None => {
                    out.extend_from_slice(b"PROTO:");
                    push_u64_width(out, u64::from(ip.proto), 3);
                }
            }
            let (sp, dp) = match ip.transport {
                Transport::Ports { src, dst } => (src, dst),
                Transport::Icmp { itype, code } => (u16::from(itype), u16::from(code)),
                Transport::None => (0, 0),
            };
            out.extend_from_slice(b"} ");
            out.extend_from_slice(AddrText::new(ip.src).as_bytes());
            out.push(b':');
            push_u64(out, u64::from(sp));
            out.extend_from_slice(b" -> ");
            out.extend_from_slice(AddrText::new(ip.dst).as_bytes());
            out.push(b':');
            push_u64(out, u64::from(dp));
        }
        None => {
            out.extend_from_slice(b" [**] [Raw pkt: ");
            let pkt = rec.packet.unwrap_or(&[]);
            for &b in pkt.iter().take(RAW_PKT_MAX) {
                push_hex_upper(out, b);
                out.push(b' ');
            }
            out.push(b']');
            if rec.pcap_cnt != 0 {
                out.extend_from_slice(b" [pcap file packet: ");
                push_u64(out, rec.pcap_cnt);
                out.push(b']');
            }
        }
    }
    out.push(b'\n');
}

fn push_hex_upper(out: &mut Vec<u8>, b: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push(HEX[usize::from(b >> 4)]);
    out.push(HEX[usize::from(b & 0xf)]);
}

/// `v` in decimal.
pub(crate) fn push_u64(out: &mut Vec<u8>, v: u64) {
    push_u64_width(out, v, 1);
}

/// `v` in decimal, zero-padded to `width` digits.
fn push_u64_width(out: &mut Vec<u8>, v: u64, width: usize) {
    push_decimal(v, width, |b| out.push(b));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::record::{AlertAction, IpInfo};
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

    fn line(rec: &AlertRecord<'_>) -> String {
        let mut out = Vec::new();
        format_line(rec, UtcOffset::UTC, &mut out);
        String::from_utf8(out).unwrap()
    }

    fn v4(a: [u8; 4]) -> IpAddr {
        IpAddr::V4(Ipv4Addr::from(a))
    }

    fn tcp_record() -> AlertRecord<'static> {
        AlertRecord {
            ts_secs: 1_612_510_490,
            ts_nanos: 3_000,
            pcap_cnt: 3,
            sid: 1,
            rev: 0,
            msg: Some("http raw uri test"),
            ip: Some(IpInfo {
                src: v4([127, 0, 0, 1]),
                dst: v4([127, 0, 0, 1]),
                proto: 6,
                transport: Transport::Ports { src: 80, dst: 4660 },
            }),
            ..AlertRecord::default()
        }
    }

    #[test]
    fn tcp_line_without_classification() {
        // First line of DetectEngineHttpRawUriTest02/expected-fast.log.
        assert_eq!(
            line(&tcp_record()),
            "02/05/2021-07:34:50.000003  [**] [1:1:0] http raw uri test [**] \
             [Classification: (null)] [Priority: 3] {TCP} 127.0.0.1:80 -> 127.0.0.1:4660\n"
        );
    }

    #[test]
    fn drop_prefixes_and_null_msg() {
        let mut r = tcp_record();
        r.msg = None;
        r.action = AlertAction::Drop;
        assert!(
            line(&r).starts_with("02/05/2021-07:34:50.000003  [wDrop] [**] [1:1:0] (null) [**]")
        );
        r.ips_mode = true;
        assert!(line(&r).starts_with("02/05/2021-07:34:50.000003  [Drop] [**] [1:1:0] (null) [**]"));
    }

    #[test]
    fn classification_and_priority() {
        let mut r = tcp_record();
        r.class_desc = Some("Generic Protocol Command Decode");
        r.priority = 1;
        assert!(line(&r).contains(
            "[**] [Classification: Generic Protocol Command Decode] [Priority: 1] {TCP}"
        ));
    }

    #[test]
    fn icmp_prints_type_and_code_as_ports() {
        let r = AlertRecord {
            ip: Some(IpInfo {
                src: v4([23, 0, 0, 2]),
                dst: v4([23, 0, 0, 3]),
                proto: 1,
                transport: Transport::Icmp { itype: 8, code: 0 },
            }),
            ..tcp_record()
        };
        assert!(line(&r).ends_with("{ICMP} 23.0.0.2:8 -> 23.0.0.3:0\n"));
    }

    #[test]
    fn no_ports_print_zero_and_unknown_proto_pads() {
        let mut r = tcp_record();
        r.ip = Some(IpInfo {
            src: v4([230, 47, 210, 140]),
            dst: v4([0, 235, 239, 74]),
            proto: 47,
            transport: Transport::None,
        });
        assert!(line(&r).ends_with("{GRE} 230.47.210.140:0 -> 0.235.239.74:0\n"));
        r.ip = Some(IpInfo {
            proto: 253,
            ..r.ip.unwrap()
        });
        assert!(line(&r).contains("{PROTO:253} "));
        r.ip = Some(IpInfo {
            proto: 7,
            ..r.ip.unwrap()
        });
        assert!(line(&r).contains("{CBT} "));
        r.ip = Some(IpInfo {
            proto: 144,
            ..r.ip.unwrap()
        });
        assert!(line(&r).contains("{PROTO:144} "));
    }

    #[test]
    fn ipv6_full_form_without_brackets() {
        let r = AlertRecord {
            ip: Some(IpInfo {
                src: IpAddr::V6("2001:db8::1".parse::<Ipv6Addr>().unwrap()),
                dst: IpAddr::V6("fe80::2".parse::<Ipv6Addr>().unwrap()),
                proto: 58,
                transport: Transport::Icmp {
                    itype: 128,
                    code: 0,
                },
            }),
            ..tcp_record()
        };
        assert!(line(&r).ends_with(
            "{IPv6-ICMP} 2001:0db8:0000:0000:0000:0000:0000:0001:128 -> \
             fe80:0000:0000:0000:0000:0000:0000:0002:0\n"
        ));
    }

    #[test]
    fn non_ip_packet_prints_raw_bytes() {
        let pkt: Vec<u8> = (0u8..40).collect();
        let r = AlertRecord {
            ip: None,
            packet: Some(&pkt),
            pcap_cnt: 7,
            ..tcp_record()
        };
        let want_hex: String = (0u8..32).map(|b| format!("{b:02X} ")).collect();
        assert_eq!(
            line(&r),
            format!(
                "02/05/2021-07:34:50.000003  [**] [1:1:0] http raw uri test [**] \
                 [Classification: (null)] [Priority: 3] [**] [Raw pkt: {want_hex}] \
                 [pcap file packet: 7]\n"
            )
        );
        let short = [0xffu8, 0x0a];
        let r = AlertRecord {
            ip: None,
            packet: Some(&short),
            pcap_cnt: 0,
            ..tcp_record()
        };
        assert!(line(&r).ends_with("[Priority: 3] [**] [Raw pkt: FF 0A ]\n"));
    }

    #[test]
    fn numbers() {
        let mut out = Vec::new();
        push_u64(&mut out, 0);
        out.push(b' ');
        push_u64(&mut out, u64::MAX);
        out.push(b' ');
        push_u64_width(&mut out, 5, 3);
        assert_eq!(out, b"0 18446744073709551615 005");
    }

    #[test]
    fn appends_without_clearing() {
        let mut out = b"x".to_vec();
        format_line(&tcp_record(), UtcOffset::UTC, &mut out);
        assert!(out.starts_with(b"x02/05/2021"));
    }
}
