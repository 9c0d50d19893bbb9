//! The rule header: action, protocol, and the optional address/port part
//! (absent in Snort 3 service and file rules, `alert http ( ... )`).

use std::fmt;

use super::address::AddressExpr;
use super::port::PortExpr;

/// What happens when the rule matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// `alert`.
    Alert,
    /// `drop` (IPS).
    Drop,
    /// `reject`: alert and send a reset/unreachable to the source.
    Reject,
    /// `rejectsrc`: as `reject`.
    RejectSrc,
    /// `rejectdst`: reject towards the destination.
    RejectDst,
    /// `rejectboth`: reject both ways.
    RejectBoth,
    /// `pass`: stop inspecting the packet/flow.
    Pass,
    /// `log` (Snort 2).
    Log,
    /// `sdrop` (Snort 2): drop without alerting.
    Sdrop,
    /// `config` (Suricata 8): apply `config:` keyword settings, no alert.
    Config,
}

impl Action {
    /// The action named `name` (lowercase, as in rules).
    pub fn from_name(name: &str) -> Option<Action> {
        Some(match name {
            "alert" => Action::Alert,
            "drop" => Action::Drop,
            "reject" => Action::Reject,
            "rejectsrc" => Action::RejectSrc,
            "rejectdst" => Action::RejectDst,
            "rejectboth" => Action::RejectBoth,
            "pass" => Action::Pass,
            "log" => Action::Log,
            "sdrop" => Action::Sdrop,
            "config" => Action::Config,
            _ => return None,
        })
    }

    /// The keyword as written in rules.
    pub fn name(self) -> &'static str {
        match self {
            Action::Alert => "alert",
            Action::Drop => "drop",
            Action::Reject => "reject",
            Action::RejectSrc => "rejectsrc",
            Action::RejectDst => "rejectdst",
            Action::RejectBoth => "rejectboth",
            Action::Pass => "pass",
            Action::Log => "log",
            Action::Sdrop => "sdrop",
            Action::Config => "config",
        }
    }
}

/// The rule's protocol: a packet-level protocol or an application-layer
/// protocol (Suricata app-layer names, Snort 3 service names).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// `ip`: any IP packet.
    Ip,
    /// `ipv4` / `ip4`.
    Ipv4,
    /// `ipv6` / `ip6`.
    Ipv6,
    /// `tcp`: packets and reassembled stream.
    Tcp,
    /// `tcp-pkt`: TCP packets only.
    TcpPkt,
    /// `tcp-stream`: reassembled TCP stream only.
    TcpStream,
    /// `udp`.
    Udp,
    /// `icmp`: ICMPv4 and ICMPv6.
    Icmp,
    /// `icmpv4`.
    Icmpv4,
    /// `icmpv6`.
    Icmpv6,
    /// `igmp`.
    Igmp,
    /// `sctp`.
    Sctp,
    /// `pkthdr`: any packet, even one that failed to decode.
    Pkthdr,
    /// `ether`.
    Ether,
    /// `arp`.
    Arp,
    /// An application-layer protocol (`http`, `dns`, `tls`, `ftp-data`...)
    /// or, in a Snort 3 service rule, a service (`file` for file rules).
    App(String),
}

/// Application-layer protocol names Suricata 8 accepts in a rule header,
/// plus `ssl` and `ikev2` (older names still in rule sets).
const APP_PROTOCOLS: &[&str] = &[
    "http",
    "http1",
    "http2",
    "ftp",
    "ftp-data",
    "smtp",
    "tls",
    "ssl",
    "ssh",
    "imap",
    "pop3",
    "smb",
    "dcerpc",
    "dns",
    "modbus",
    "enip",
    "dnp3",
    "nfs",
    "ntp",
    "tftp",
    "ike",
    "ikev2",
    "krb5",
    "quic",
    "dhcp",
    "snmp",
    "sip",
    "rfb",
    "mqtt",
    "pgsql",
    "telnet",
    "websocket",
    "ldap",
    "doh2",
    "mdns",
    "bittorrent-dht",
    "rdp",
    "template",
];

impl Protocol {
    /// The protocol named `name` in a rule with a full header; `None` for
    /// a name neither Suricata nor Snort knows there.
    pub fn from_name(name: &str) -> Option<Protocol> {
        Some(match name {
            "ip" => Protocol::Ip,
            "ipv4" | "ip4" => Protocol::Ipv4,
            "ipv6" | "ip6" => Protocol::Ipv6,
            "tcp" => Protocol::Tcp,
            "tcp-pkt" => Protocol::TcpPkt,
            "tcp-stream" => Protocol::TcpStream,
            "udp" => Protocol::Udp,
            "icmp" => Protocol::Icmp,
            "icmpv4" => Protocol::Icmpv4,
            "icmpv6" => Protocol::Icmpv6,
            "igmp" => Protocol::Igmp,
            "sctp" => Protocol::Sctp,
            "pkthdr" => Protocol::Pkthdr,
            "ether" => Protocol::Ether,
            "arp" => Protocol::Arp,
            app if APP_PROTOCOLS.contains(&app) => Protocol::App(app.to_string()),
            _ => return None,
        })
    }

    /// The name as written in rules.
    pub fn name(&self) -> &str {
        match self {
            Protocol::Ip => "ip",
            Protocol::Ipv4 => "ipv4",
            Protocol::Ipv6 => "ipv6",
            Protocol::Tcp => "tcp",
            Protocol::TcpPkt => "tcp-pkt",
            Protocol::TcpStream => "tcp-stream",
            Protocol::Udp => "udp",
            Protocol::Icmp => "icmp",
            Protocol::Icmpv4 => "icmpv4",
            Protocol::Icmpv6 => "icmpv6",
            Protocol::Igmp => "igmp",
            Protocol::Sctp => "sctp",
            Protocol::Pkthdr => "pkthdr",
            Protocol::Ether => "ether",
            Protocol::Arp => "arp",
            Protocol::App(name) => name,
        }
    }

    /// Whether this is an application-layer protocol.
    pub fn is_app_layer(&self) -> bool {
        matches!(self, Protocol::App(_))
    }

    /// Whether the rule applies to any IP protocol (`ip`, `ipv4`, `ipv6`):
    /// the only protocols Suricata accepts `ip_proto` with.
    pub fn is_ip_any(&self) -> bool {
        matches!(self, Protocol::Ip | Protocol::Ipv4 | Protocol::Ipv6)
    }
}

/// Direction between the source and destination parts of the header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `->`: from source to destination.
    ToDst,
    /// `<>`: either way.
    Both,
    /// `=>` (Suricata 8): a transaction whose request goes source to
    /// destination and whose response comes back.
    Transactional,
}

impl Direction {
    /// The arrow as written.
    pub fn arrow(self) -> &'static str {
        match self {
            Direction::ToDst => "->",
            Direction::Both => "<>",
            Direction::Transactional => "=>",
        }
    }
}

/// Addresses, ports and direction.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Header {
    /// Source addresses.
    pub src: AddressExpr,
    /// Source ports.
    pub src_ports: PortExpr,
    /// Direction.
    pub direction: Direction,
    /// Destination addresses.
    pub dst: AddressExpr,
    /// Destination ports.
    pub dst_ports: PortExpr,
}

impl fmt::Display for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {} {}",
            self.src,
            self.src_ports,
            self.direction.arrow(),
            self.dst,
            self.dst_ports
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for a in [
            "alert",
            "drop",
            "reject",
            "rejectboth",
            "pass",
            "sdrop",
            "config",
        ] {
            assert_eq!(Action::from_name(a).unwrap().name(), a);
        }
        assert!(Action::from_name("alerts").is_none());
        for p in [
            "tcp",
            "tcp-pkt",
            "http",
            "ftp-data",
            "pkthdr",
            "bittorrent-dht",
        ] {
            assert_eq!(Protocol::from_name(p).unwrap().name(), p);
        }
        assert_eq!(Protocol::from_name("ip4"), Some(Protocol::Ipv4));
        assert!(Protocol::from_name("if").is_none());
    }
}
