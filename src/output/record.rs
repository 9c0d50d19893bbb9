//! [`AlertRecord`]: one alert with everything fast.log and EVE print for it.
//!
//! The detection engine and the runtime fill it from the packet, the flow
//! and the rule; the writers only read it. It borrows its strings and byte
//! slices, so building one costs no allocation. It knows nothing about the
//! types of `decode`, `flow` or `rule`: plain numbers, addresses and slices
//! keep the output module independent of them.
//!
//! Where a field mirrors a Suricata behaviour, its doc says which one.

use std::net::IpAddr;

/// What the rule that fired asked for, as applied to this alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum AlertAction {
    /// `alert` (and anything else that only alerts).
    #[default]
    Alert,
    /// `drop`.
    Drop,
    /// `reject`, `rejectsrc`, `rejectdst` or `rejectboth` (Suricata gives
    /// these the drop bit too).
    Reject,
}

/// Whether this alert's packet belongs to the client-to-server or the
/// server-to-client side of its flow (EVE `direction`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Direction {
    /// From the side that started the flow (`"to_server"`).
    #[default]
    ToServer,
    /// From the side that answered (`"to_client"`).
    ToClient,
}

impl Direction {
    /// EVE's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::ToServer => "to_server",
            Direction::ToClient => "to_client",
        }
    }
}

/// Where the packet came from (EVE `pkt_src`, Suricata's `PktSrcToString`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PktSrc {
    /// Read from the capture: `"wire/pcap"`.
    #[default]
    Wire,
    /// Decapsulated from GRE: `"gre tunnel"`.
    GreTunnel,
    /// Decapsulated from IPv4 (IP-in-IP): `"ipv4 tunnel"`.
    Ipv4Tunnel,
    /// Decapsulated from IPv6: `"ipv6 tunnel"`.
    Ipv6Tunnel,
    /// Decapsulated from Teredo: `"teredo tunnel"`.
    TeredoTunnel,
    /// Rebuilt from fragments: `"defrag"`.
    Defrag,
    /// A pseudo packet for stream detection/logging: `"stream (detect/log)"`.
    StreamDetectLog,
    /// A pseudo packet made when a flow timed out: `"stream (flow timeout)"`.
    FlowTimeout,
    /// Decapsulated from Geneve: `"geneve encapsulation"`.
    Geneve,
    /// Decapsulated from VXLAN: `"vxlan encapsulation"`.
    Vxlan,
    /// A pseudo packet flushed at shutdown: `"shutdown flush"`.
    ShutdownFlush,
}

impl PktSrc {
    /// EVE's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PktSrc::Wire => "wire/pcap",
            PktSrc::GreTunnel => "gre tunnel",
            PktSrc::Ipv4Tunnel => "ipv4 tunnel",
            PktSrc::Ipv6Tunnel => "ipv6 tunnel",
            PktSrc::TeredoTunnel => "teredo tunnel",
            PktSrc::Defrag => "defrag",
            PktSrc::StreamDetectLog => "stream (detect/log)",
            PktSrc::FlowTimeout => "stream (flow timeout)",
            PktSrc::Geneve => "geneve encapsulation",
            PktSrc::Vxlan => "vxlan encapsulation",
            PktSrc::ShutdownFlush => "shutdown flush",
        }
    }
}

/// The transport fields of the packet, when it has them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Transport {
    /// TCP, UDP or SCTP ports.
    Ports {
        /// Source port.
        src: u16,
        /// Destination port.
        dst: u16,
    },
    /// ICMP or ICMPv6 type and code. fast.log prints them where the ports
    /// go (`1.2.3.4:8 -> 5.6.7.8:0` for an echo request), as Suricata does;
    /// EVE prints `icmp_type` and `icmp_code`.
    Icmp {
        /// ICMP type.
        itype: u8,
        /// ICMP code.
        code: u8,
    },
    /// No transport header that was decoded (GRE, ESP, a fragment, a broken
    /// header...). fast.log prints port 0 on both sides, as Suricata does
    /// for every packet without ports; EVE prints no ports.
    #[default]
    None,
}

/// The IP layer of the alert's packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IpInfo {
    /// Source address.
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// IP protocol number of the innermost header (IPv6: after extension
    /// headers), printed as a name by [`proto_name`](super::proto_name).
    pub proto: u8,
    /// Ports or ICMP type/code.
    pub transport: Transport,
}

/// Flow counters for EVE's `flow` object (alerts carry it when Suricata's
/// `metadata` option is on, which is its default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FlowCounters {
    /// Packets client to server so far.
    pub pkts_toserver: u64,
    /// Packets server to client so far.
    pub pkts_toclient: u64,
    /// Bytes client to server so far.
    pub bytes_toserver: u64,
    /// Bytes server to client so far.
    pub bytes_toclient: u64,
    /// When the flow's first packet was seen: seconds since the epoch.
    pub start_secs: u64,
    /// ...and nanoseconds past that second.
    pub start_nanos: u32,
}

/// The flow the alert's packet belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FlowInfo<'a> {
    /// EVE `flow_id`: any number unique to the flow for the run.
    pub flow_id: u64,
    /// Which side of the flow sent the packet.
    pub direction: Direction,
    /// EVE `app_proto` (`"http"`, `"failed"`...), when the app layer was
    /// detected.
    pub app_proto: Option<&'a str>,
    /// Counters for EVE's `flow` object; `None` leaves the object out.
    pub counters: Option<FlowCounters>,
}

/// The packet fields every record about a packet starts with (EVE's
/// header: time, packet number, addresses, flow, source, interface,
/// VLANs), shared by alert, tagged-packet and anomaly records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PacketFields<'a> {
    /// Packet time: seconds since the Unix epoch.
    pub ts_secs: u64,
    /// Packet time: nanoseconds past `ts_secs`.
    pub ts_nanos: u32,
    /// 1-based packet number; 0 when unknown (left out of EVE).
    pub pcap_cnt: u64,
    /// The packet's IP layer, when it has one.
    pub ip: Option<IpInfo>,
    /// The packet's flow, when it has one.
    pub flow: Option<FlowInfo<'a>>,
    /// Where the packet came from.
    pub pkt_src: PktSrc,
    /// Capture interface, for live capture.
    pub in_iface: Option<&'a str>,
    /// VLAN ids, outermost first; at most three are printed.
    pub vlan: &'a [u16],
}

/// One alert, everything fast.log and EVE print for it.
///
/// Construct with [`AlertRecord::default`] and struct update syntax; the
/// default is gid 1, priority 3 (Suricata's default when neither the rule
/// nor its classtype sets one), no IP layer, read from the wire, linktype 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AlertRecord<'a> {
    /// Packet time: seconds since the Unix epoch.
    pub ts_secs: u64,
    /// Packet time: nanoseconds past `ts_secs` (printed as microseconds,
    /// truncated).
    pub ts_nanos: u32,
    /// 1-based packet number in the capture file; 0 when unknown (live
    /// capture), which leaves it out of EVE and of fast.log's raw form.
    pub pcap_cnt: u64,
    /// The rule's action.
    pub action: AlertAction,
    /// Whether the engine runs inline (IPS, `--simulate-ips`). With a drop
    /// action fast.log then writes `[Drop] ` instead of `[wDrop] ` and EVE
    /// says `"blocked"` instead of `"allowed"`.
    pub ips_mode: bool,
    /// Generator id.
    pub gid: u32,
    /// Signature id.
    pub sid: u32,
    /// Revision.
    pub rev: u32,
    /// The rule's `msg`; `None` prints Suricata's `(null)` in fast.log and an
    /// empty string in EVE.
    pub msg: Option<&'a str>,
    /// The classtype's description (classification.config's second field);
    /// `None` prints `(null)` in fast.log and an empty string in EVE.
    pub class_desc: Option<&'a str>,
    /// Priority: the rule's `priority`, else its classtype's, else 3.
    pub priority: u32,
    /// The packet's IP layer; `None` for a packet that is not IPv4 or IPv6
    /// (an alert on a decoder event of, say, an ARP frame). fast.log then
    /// prints the first 32 bytes of `packet` in hex, and EVE no addresses.
    pub ip: Option<IpInfo>,
    /// The packet's flow, if it has one.
    pub flow: Option<FlowInfo<'a>>,
    /// Where the packet came from.
    pub pkt_src: PktSrc,
    /// Id of the app-layer transaction the alert is about (EVE `tx_id`).
    pub tx_id: Option<u64>,
    /// Whether the match was on the reassembled stream or app-layer state
    /// rather than this packet's payload (EVE `stream`, with payload options).
    pub stream_match: bool,
    /// The packet's payload (EVE `payload` / `payload_printable`).
    pub payload: Option<&'a [u8]>,
    /// The whole packet as captured (EVE `packet`; fast.log's raw form).
    pub packet: Option<&'a [u8]>,
    /// The capture's link type (EVE `packet_info.linktype`).
    pub linktype: u32,
    /// Capture interface (EVE `in_iface`), for live capture.
    pub in_iface: Option<&'a str>,
    /// VLAN ids, outermost first (EVE `vlan`); at most three are printed.
    pub vlan: &'a [u16],
}

impl Default for AlertRecord<'_> {
    fn default() -> Self {
        AlertRecord {
            ts_secs: 0,
            ts_nanos: 0,
            pcap_cnt: 0,
            action: AlertAction::Alert,
            ips_mode: false,
            gid: 1,
            sid: 0,
            rev: 0,
            msg: None,
            class_desc: None,
            priority: 3,
            ip: None,
            flow: None,
            pkt_src: PktSrc::Wire,
            tx_id: None,
            stream_match: false,
            payload: None,
            packet: None,
            linktype: 1,
            in_iface: None,
            vlan: &[],
        }
    }
}

impl<'a> AlertRecord<'a> {
    /// The alert's packet fields (also those of the packets a rule's
    /// `tag` logs).
    pub fn packet_fields(&self) -> PacketFields<'a> {
        PacketFields {
            ts_secs: self.ts_secs,
            ts_nanos: self.ts_nanos,
            pcap_cnt: self.pcap_cnt,
            ip: self.ip,
            flow: self.flow,
            pkt_src: self.pkt_src,
            in_iface: self.in_iface,
            vlan: self.vlan,
        }
    }

    /// fast.log's action prefix (Suricata's `AlertFastLogger`): `"[Drop] "`
    /// for a drop or reject in IPS mode, `"[wDrop] "` ("would drop") for
    /// one in IDS mode, else nothing.
    pub fn fast_log_prefix(&self) -> &'static str {
        match (self.action, self.ips_mode) {
            (AlertAction::Alert, _) => "",
            (AlertAction::Drop | AlertAction::Reject, true) => "[Drop] ",
            (AlertAction::Drop | AlertAction::Reject, false) => "[wDrop] ",
        }
    }

    /// EVE's `alert.action` (Suricata's `AlertJsonHeader`): `"blocked"` for
    /// any reject, and for a drop in IPS mode; else `"allowed"`.
    pub fn eve_action(&self) -> &'static str {
        match (self.action, self.ips_mode) {
            (AlertAction::Reject, _) | (AlertAction::Drop, true) => "blocked",
            _ => "allowed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_words_follow_suricata() {
        let rec = |action, ips_mode| AlertRecord {
            action,
            ips_mode,
            ..AlertRecord::default()
        };
        let cases = [
            (AlertAction::Alert, false, "", "allowed"),
            (AlertAction::Alert, true, "", "allowed"),
            (AlertAction::Drop, false, "[wDrop] ", "allowed"),
            (AlertAction::Drop, true, "[Drop] ", "blocked"),
            (AlertAction::Reject, false, "[wDrop] ", "blocked"),
            (AlertAction::Reject, true, "[Drop] ", "blocked"),
        ];
        for (action, ips, prefix, eve) in cases {
            let r = rec(action, ips);
            assert_eq!(r.fast_log_prefix(), prefix, "{action:?} ips={ips}");
            assert_eq!(r.eve_action(), eve, "{action:?} ips={ips}");
        }
    }

    #[test]
    fn defaults() {
        let r = AlertRecord::default();
        assert_eq!((r.gid, r.priority, r.linktype), (1, 3, 1));
        assert_eq!(r.pkt_src.as_str(), "wire/pcap");
        assert_eq!(Direction::ToClient.as_str(), "to_client");
    }
}
