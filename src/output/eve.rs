//! EVE JSON records (`eve.json`, one object per line) for alerts and
//! decoder anomalies, with Suricata 8's field names, types and order.
//!
//! An alert record holds, in Suricata's order (`CreateEveHeader`,
//! `AlertJsonHeader` and `AlertJson` in its `output-json*.c`):
//!
//! `timestamp`, `flow_id`, `in_iface`, `pcap_cnt`, `event_type`, `vlan`,
//! `src_ip`, `src_port`, `dest_ip`, `dest_port`, `proto`, `ip_v`,
//! `icmp_type`, `icmp_code`, `pkt_src`, `tx_id`,
//! `alert {action, gid, signature_id, rev, signature, category, severity}`,
//! `app_proto`, `direction`, `flow {...}`, `payload`, `payload_printable`,
//! `stream`, `packet`, `packet_info {linktype, linktype_name}`.
//!
//! A packet tagged by a rule's `tag` (with the alert type's
//! `tagged-packets: yes`) gets a record with `event_type: "packet"`: the
//! same header (through `pkt_src`), then `packet` and `packet_info`.
//!
//! Fields without a value are left out, as Suricata does: ports only for
//! TCP, UDP and SCTP; `icmp_*` only for ICMP/ICMPv6; `flow_id`,
//! `app_proto`, `direction` and `flow` only for packets with a flow;
//! addresses and `proto` only for IP packets; `pcap_cnt` only when known.
//! `proto` is the IANA name, or the bare number for unnamed protocols;
//! IPv6 addresses are in the full form. `flow`'s ports follow Suricata's
//! quirk of printing them only when the packet's source port is non-zero.
//!
//! The records are `Serialize` types that borrow from the [`AlertRecord`];
//! serde_json writes them straight into the caller's buffer, with the base64
//! and printable forms of the payload streamed through `Display` adapters,
//! so formatting one allocates nothing.
//!
//! Not written (yet): `alert.metadata`, `alert.references`, `alert.rule`,
//! `alert.source`/`target`, `tunnel`, app-layer objects (`http`, `dns`...),
//! `verdict`, `community_id`, `payload_length`.
//! Every record validates against Suricata's `etc/schema.json`
//! (`tests/output_eve_schema.rs`).

use serde::ser::{Serialize, SerializeMap, Serializer};

use super::addr::AddrText;
use super::proto::proto_name;
use super::record::{AlertRecord, PacketFields, PktSrc, Transport};
use super::sink::AlertFormat;
use super::time::{eve_time, TimeText, UtcOffset};

/// Which optional parts alert records carry, after the options of
/// Suricata's `eve-log` `alert` type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EveOptions {
    /// `metadata: yes` (Suricata's default): the `flow` object.
    pub flow: bool,
    /// `payload: yes`: the payload in base64 (`payload`), plus `stream`.
    pub payload: bool,
    /// `payload-printable: yes`: the payload as text (`payload_printable`),
    /// plus `stream`.
    pub payload_printable: bool,
    /// `packet: yes`: the whole packet in base64 (`packet`, `packet_info`).
    pub packet: bool,
}

impl Default for EveOptions {
    /// Suricata's defaults: the flow object, no payload, no packet.
    fn default() -> Self {
        EveOptions {
            flow: true,
            payload: false,
            payload_printable: false,
            packet: false,
        }
    }
}

/// Formats alerts as EVE records.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EveFormat {
    /// Optional parts.
    pub options: EveOptions,
    /// Time zone of `timestamp` (UTC by default).
    pub tz: UtcOffset,
    /// The alert type's `tagged-packets: yes`: packets tagged by a rule's
    /// `tag` get a `packet` record ([`format_tagged_packet`]). Off by
    /// default, as in Suricata.
    pub tagged_packets: bool,
}

impl EveFormat {
    /// Records with `options`, timestamps in `tz`.
    pub fn new(options: EveOptions, tz: UtcOffset) -> EveFormat {
        EveFormat {
            options,
            tz,
            tagged_packets: false,
        }
    }

    /// The same format, writing tagged-packet records when `on`.
    pub fn with_tagged_packets(self, on: bool) -> EveFormat {
        EveFormat {
            tagged_packets: on,
            ..self
        }
    }
}

impl AlertFormat for EveFormat {
    fn format_alert(&self, rec: &AlertRecord<'_>, out: &mut Vec<u8>) {
        format_alert(rec, &self.options, self.tz, out);
    }

    fn format_tagged_packet(&self, rec: &AlertRecord<'_>, out: &mut Vec<u8>) {
        if self.tagged_packets {
            format_tagged_packet(rec, self.tz, out);
        }
    }
}

/// Appends `rec`'s EVE alert record and a newline to `out`.
pub fn format_alert(rec: &AlertRecord<'_>, options: &EveOptions, tz: UtcOffset, out: &mut Vec<u8>) {
    let header = Header::new(&rec.packet_fields(), "alert", tz);
    let event = AlertEvent {
        header: &header,
        rec,
        options,
        tz,
    };
    write_line(&event, out);
}

/// Appends the EVE record of a packet tagged by a rule's `tag`
/// (`event_type: "packet"`, Suricata's `AlertJson` with
/// `tagged-packets`): the header, then `packet` (base64) and
/// `packet_info`. Only `rec`'s packet fields are used.
pub fn format_tagged_packet(rec: &AlertRecord<'_>, tz: UtcOffset, out: &mut Vec<u8>) {
    let header = Header::new(&rec.packet_fields(), "packet", tz);
    write_line(
        &PacketEvent {
            header: &header,
            rec,
        },
        out,
    );
}

/// What an anomaly record is about (EVE `anomaly.type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AnomalyKind {
    /// A decoder event on the packet: `"decode"`.
    Decode,
    /// A TCP stream event: `"stream"`.
    Stream,
}

/// One decoder or stream anomaly (EVE `event_type: "anomaly"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AnomalyRecord<'a> {
    /// The packet's fields (of its flow only `flow_id` is printed).
    pub packet: PacketFields<'a>,
    /// Decode or stream.
    pub kind: AnomalyKind,
    /// The event's full dotted name, as in Suricata's `decode-events.c`
    /// (`"decoder.ipv4.trunc_pkt"`, `"stream.pkt_invalid_timestamp"`).
    pub event: &'a str,
}

/// Appends `rec`'s EVE anomaly record and a newline to `out`.
pub fn format_anomaly(rec: &AnomalyRecord<'_>, tz: UtcOffset, out: &mut Vec<u8>) {
    let header = Header::new(&rec.packet, "anomaly", tz);
    write_line(
        &AnomalyEvent {
            header: &header,
            rec,
        },
        out,
    );
}

fn write_line<T: Serialize>(value: &T, out: &mut Vec<u8>) {
    let start = out.len();
    // Writing into a Vec cannot fail, and every Serialize impl here only
    // emits strings, integers and maps. Should that ever change, drop the
    // partial record rather than leave half a line.
    if serde_json::to_writer(&mut *out, value).is_err() {
        out.truncate(start);
        return;
    }
    out.push(b'\n');
}

/// [`PacketFields`] with their text formatted (on the stack).
struct Header<'a> {
    timestamp: TimeText,
    flow_id: Option<u64>,
    in_iface: Option<&'a str>,
    pcap_cnt: Option<u64>,
    event_type: &'static str,
    vlan: &'a [u16],
    addrs: Option<(AddrText, AddrText)>,
    ports: Option<(u16, u16)>,
    proto: Option<u8>,
    ip_v: Option<u8>,
    icmp: Option<(u8, u8)>,
    pkt_src: PktSrc,
}

impl<'a> Header<'a> {
    fn new(input: &PacketFields<'a>, event_type: &'static str, tz: UtcOffset) -> Header<'a> {
        let ip = input.ip.as_ref();
        Header {
            timestamp: eve_time(input.ts_secs, input.ts_nanos, tz),
            flow_id: input.flow.map(|f| f.flow_id),
            in_iface: input.in_iface,
            pcap_cnt: (input.pcap_cnt != 0).then_some(input.pcap_cnt),
            event_type,
            vlan: input.vlan.get(..3).unwrap_or(input.vlan),
            addrs: ip.map(|ip| (AddrText::new(ip.src), AddrText::new(ip.dst))),
            ports: ip.and_then(|ip| match (ip.proto, ip.transport) {
                (6 | 17 | 132, Transport::Ports { src, dst }) => Some((src, dst)),
                _ => None,
            }),
            proto: ip.map(|ip| ip.proto),
            ip_v: ip.map(|ip| if ip.src.is_ipv4() { 4 } else { 6 }),
            icmp: ip.and_then(|ip| match (ip.proto, ip.transport) {
                (1 | 58, Transport::Icmp { itype, code }) => Some((itype, code)),
                _ => None,
            }),
            pkt_src: input.pkt_src,
        }
    }

    fn serialize_into<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
        map.serialize_entry("timestamp", self.timestamp.as_str())?;
        if let Some(id) = self.flow_id {
            map.serialize_entry("flow_id", &id)?;
        }
        if let Some(iface) = self.in_iface {
            map.serialize_entry("in_iface", iface)?;
        }
        if let Some(cnt) = self.pcap_cnt {
            map.serialize_entry("pcap_cnt", &cnt)?;
        }
        map.serialize_entry("event_type", self.event_type)?;
        if !self.vlan.is_empty() {
            map.serialize_entry("vlan", self.vlan)?;
        }
        if let Some((src, dst)) = &self.addrs {
            map.serialize_entry("src_ip", src.as_str())?;
            if let Some((sp, _)) = self.ports {
                map.serialize_entry("src_port", &sp)?;
            }
            map.serialize_entry("dest_ip", dst.as_str())?;
            if let Some((_, dp)) = self.ports {
                map.serialize_entry("dest_port", &dp)?;
            }
        }
        if let Some(proto) = self.proto {
            map.serialize_entry("proto", &ProtoField(proto))?;
        }
        if let Some(v) = self.ip_v {
            map.serialize_entry("ip_v", &v)?;
        }
        if let Some((itype, code)) = self.icmp {
            map.serialize_entry("icmp_type", &itype)?;
            map.serialize_entry("icmp_code", &code)?;
        }
        map.serialize_entry("pkt_src", self.pkt_src.as_str())
    }
}

struct AlertEvent<'a> {
    header: &'a Header<'a>,
    rec: &'a AlertRecord<'a>,
    options: &'a EveOptions,
    tz: UtcOffset,
}

impl Serialize for AlertEvent<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let rec = self.rec;
        let mut map = serializer.serialize_map(None)?;
        self.header.serialize_into(&mut map)?;
        if let Some(tx_id) = rec.tx_id {
            map.serialize_entry("tx_id", &tx_id)?;
        }
        map.serialize_entry("alert", &AlertBody(rec))?;
        if let Some(flow) = &rec.flow {
            if let Some(app_proto) = flow.app_proto {
                map.serialize_entry("app_proto", app_proto)?;
            }
            map.serialize_entry("direction", flow.direction.as_str())?;
            if self.options.flow {
                if let Some(counters) = &flow.counters {
                    let body = FlowBody {
                        counters,
                        start: eve_time(counters.start_secs, counters.start_nanos, self.tz),
                        header: self.header,
                        to_client: flow.direction == super::record::Direction::ToClient,
                    };
                    map.serialize_entry("flow", &body)?;
                }
            }
        }
        let opts = self.options;
        if opts.payload || opts.payload_printable {
            let payload = rec.payload.unwrap_or(&[]);
            if opts.payload {
                map.serialize_entry("payload", &Base64Field(payload))?;
            }
            if opts.payload_printable {
                map.serialize_entry("payload_printable", &Printable(payload))?;
            }
            let tcp = rec.ip.is_some_and(|ip| ip.proto == 6);
            map.serialize_entry("stream", &u8::from(tcp && rec.stream_match))?;
        }
        if opts.packet {
            map.serialize_entry("packet", &Base64Field(rec.packet.unwrap_or(&[])))?;
            map.serialize_entry("packet_info", &PacketInfo(rec.linktype))?;
        }
        map.end()
    }
}

/// The `alert` object.
struct AlertBody<'a>(&'a AlertRecord<'a>);

impl Serialize for AlertBody<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let rec = self.0;
        let mut map = serializer.serialize_map(Some(7))?;
        map.serialize_entry("action", rec.eve_action())?;
        map.serialize_entry("gid", &rec.gid)?;
        map.serialize_entry("signature_id", &rec.sid)?;
        map.serialize_entry("rev", &rec.rev)?;
        map.serialize_entry("signature", rec.msg.unwrap_or(""))?;
        map.serialize_entry("category", rec.class_desc.unwrap_or(""))?;
        map.serialize_entry("severity", &rec.priority)?;
        map.end()
    }
}

/// The `flow` object of an alert.
struct FlowBody<'a> {
    counters: &'a super::record::FlowCounters,
    start: TimeText,
    header: &'a Header<'a>,
    to_client: bool,
}

impl Serialize for FlowBody<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let c = self.counters;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("pkts_toserver", &c.pkts_toserver)?;
        map.serialize_entry("pkts_toclient", &c.pkts_toclient)?;
        map.serialize_entry("bytes_toserver", &c.bytes_toserver)?;
        map.serialize_entry("bytes_toclient", &c.bytes_toclient)?;
        map.serialize_entry("start", self.start.as_str())?;
        // The flow's own orientation: a to_client packet's source is the
        // flow's destination.
        if let Some((src, dst)) = &self.header.addrs {
            let (fsrc, fdst) = if self.to_client {
                (dst, src)
            } else {
                (src, dst)
            };
            map.serialize_entry("src_ip", fsrc.as_str())?;
            map.serialize_entry("dest_ip", fdst.as_str())?;
            // Suricata tests the packet's source port (`addr.sp > 0`).
            if let Some((sp, dp)) = self.header.ports.filter(|&(sp, _)| sp > 0) {
                let (fsp, fdp) = if self.to_client { (dp, sp) } else { (sp, dp) };
                map.serialize_entry("src_port", &fsp)?;
                map.serialize_entry("dest_port", &fdp)?;
            }
        }
        map.end()
    }
}

struct PacketEvent<'a> {
    header: &'a Header<'a>,
    rec: &'a AlertRecord<'a>,
}

impl Serialize for PacketEvent<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        self.header.serialize_into(&mut map)?;
        map.serialize_entry("packet", &Base64Field(self.rec.packet.unwrap_or(&[])))?;
        map.serialize_entry("packet_info", &PacketInfo(self.rec.linktype))?;
        map.end()
    }
}

struct AnomalyEvent<'a> {
    header: &'a Header<'a>,
    rec: &'a AnomalyRecord<'a>,
}

impl Serialize for AnomalyEvent<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        self.header.serialize_into(&mut map)?;
        map.serialize_entry("anomaly", &AnomalyBody(self.rec))?;
        map.end()
    }
}

struct AnomalyBody<'a>(&'a AnomalyRecord<'a>);

impl Serialize for AnomalyBody<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        let kind = match self.0.kind {
            AnomalyKind::Decode => "decode",
            AnomalyKind::Stream => "stream",
        };
        map.serialize_entry("type", kind)?;
        map.serialize_entry("event", self.0.event)?;
        map.end()
    }
}

/// `proto`: the protocol's name, or its number as a string.
struct ProtoField(u8);

impl Serialize for ProtoField {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match proto_name(self.0) {
            Some(name) => serializer.serialize_str(name),
            None => serializer.collect_str(&self.0),
        }
    }
}

/// Bytes as a base64 string, encoded while serde writes it.
struct Base64Field<'a>(&'a [u8]);

impl Serialize for Base64Field<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use base64::engine::general_purpose::STANDARD;
        serializer.collect_str(&base64::display::Base64Display::new(self.0, &STANDARD))
    }
}

/// Bytes as Suricata's `payload_printable`: printable ASCII, CR and LF kept
/// (JSON-escaped by serde), every other byte a `.`.
struct Printable<'a>(&'a [u8]);

impl std::fmt::Display for Printable<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keep = |b: u8| matches!(b, 0x20..=0x7e | b'\r' | b'\n');
        let mut rest = self.0;
        while !rest.is_empty() {
            let run = rest.iter().take_while(|&&b| keep(b)).count();
            let (text, tail) = rest.split_at(run);
            // Only ASCII bytes are in `text`.
            f.write_str(std::str::from_utf8(text).unwrap_or(""))?;
            let dots = tail.iter().take_while(|&&b| !keep(b)).count();
            for _ in 0..dots {
                f.write_str(".")?;
            }
            rest = tail.get(dots..).unwrap_or(&[]);
        }
        Ok(())
    }
}

impl Serialize for Printable<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// `packet_info`: the link type and Suricata's name for it.
struct PacketInfo(u32);

impl Serialize for PacketInfo {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("linktype", &self.0)?;
        map.serialize_entry("linktype_name", linktype_name(self.0))?;
        map.end()
    }
}

/// Suricata's name for a pcap link type (its `util-datalink.c` table), or
/// `"n/a"`.
pub fn linktype_name(linktype: u32) -> &'static str {
    match linktype {
        0 => "NULL",
        1 => "EN10MB",
        9 => "PPP",
        12 | 14 => "RAW",
        101 => "RAW2",
        104 => "C_HDLC",
        113 => "LINUX_SLL",
        228 => "IPv4",
        229 => "IPv6",
        276 => "LINUX_SLL2",
        778 => "GRE_RAW",
        _ => "n/a",
    }
}

#[cfg(test)]
#[path = "eve_tests.rs"]
mod tests;
