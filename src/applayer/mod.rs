//! Application-layer protocol detection per flow, after Suricata's
//! `app-layer-detect-proto`: which protocol ([`AppProto`]) a flow speaks,
//! found from the first bytes of each direction ([`probe`]) and kept per
//! flow ([`FlowApp`]).
//!
//! What it holds: the protocol names rules use in their header (`alert tls
//! ...`), how a rule's protocol matches a flow's (Suricata's
//! `AppProtoEquals`: `http` matches HTTP/1 and HTTP/2, `dcerpc` matches
//! SMB), and the detection state of one flow: bounded, inline, no heap.
//!
//! Besides detection, one parser check: a SIP-over-UDP datagram whose
//! first line is not a request line (to the server) or a status line (to
//! the client) is an app-layer parser error, as in Suricata ([`sip`],
//! [`FlowApp::parse_error`]), for `app-layer.error-policy`; and a TLS
//! record walker ([`tls`]) that tells when a flow's traffic turns to
//! encrypted application data (Suricata's TLS `encryption-handling`).
//!
//! What it does not do: parse the protocols (no transactions, no sticky
//! buffers), follow a protocol change (STARTTLS, HTTP `Upgrade`), or use
//! expectations (`ftp-data` flows, which Suricata learns from the FTP
//! control channel, are never detected here). Detection runs on each
//! packet's payload as it arrives, the way Suricata's inline mode sees it;
//! Suricata in IDS mode detects on acknowledged stream data, one packet
//! later on TCP (see [`FlowApp`]).

mod flow;
pub mod probe;
pub mod sip;
pub mod tls;

pub use flow::{FlowApp, Observed};

/// An application-layer protocol, with Suricata 8's names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AppProto {
    /// `http` in a rule: HTTP/1 or HTTP/2 (Suricata's `ALPROTO_HTTP`).
    /// Never a flow's protocol.
    Http,
    /// HTTP/1.x (`http1` in rules, `http` in EVE).
    Http1,
    /// HTTP/2.
    Http2,
    /// FTP control channel.
    Ftp,
    /// FTP data channel (found through FTP expectations only).
    FtpData,
    /// SMTP.
    Smtp,
    /// SSL and TLS (`tls`, also `ssl` in rules).
    Tls,
    /// SSH.
    Ssh,
    /// IMAP.
    Imap,
    /// POP3.
    Pop3,
    /// SMB 1, 2 and 3 over NetBIOS session service.
    Smb,
    /// DCE/RPC.
    Dcerpc,
    /// DNS over UDP and TCP.
    Dns,
    /// Modbus.
    Modbus,
    /// EtherNet/IP.
    Enip,
    /// DNP3.
    Dnp3,
    /// NFS.
    Nfs,
    /// NTP.
    Ntp,
    /// TFTP.
    Tftp,
    /// IKE (`ike`, also `ikev2` in rules).
    Ike,
    /// Kerberos 5.
    Krb5,
    /// QUIC.
    Quic,
    /// DHCP.
    Dhcp,
    /// SNMP.
    Snmp,
    /// SIP.
    Sip,
    /// RFB (VNC).
    Rfb,
    /// MQTT.
    Mqtt,
    /// PostgreSQL.
    Pgsql,
    /// Telnet.
    Telnet,
    /// WebSocket.
    Websocket,
    /// LDAP.
    Ldap,
    /// DNS over HTTP/2.
    Doh2,
    /// Multicast DNS.
    Mdns,
    /// BitTorrent DHT.
    BittorrentDht,
    /// RDP.
    Rdp,
    /// Suricata's template parser.
    Template,
}

impl AppProto {
    /// The protocol a rule header names (`alert tls ...`); `None` for a
    /// name that is not an application-layer protocol.
    pub fn from_rule_name(name: &str) -> Option<AppProto> {
        use AppProto as A;
        Some(match name {
            "http" => A::Http,
            "http1" => A::Http1,
            "http2" => A::Http2,
            "ftp" => A::Ftp,
            "ftp-data" => A::FtpData,
            "smtp" => A::Smtp,
            "tls" | "ssl" => A::Tls,
            "ssh" => A::Ssh,
            "imap" => A::Imap,
            "pop3" => A::Pop3,
            "smb" => A::Smb,
            "dcerpc" => A::Dcerpc,
            "dns" => A::Dns,
            "modbus" => A::Modbus,
            "enip" => A::Enip,
            "dnp3" => A::Dnp3,
            "nfs" => A::Nfs,
            "ntp" => A::Ntp,
            "tftp" => A::Tftp,
            "ike" | "ikev2" => A::Ike,
            "krb5" => A::Krb5,
            "quic" => A::Quic,
            "dhcp" => A::Dhcp,
            "snmp" => A::Snmp,
            "sip" => A::Sip,
            "rfb" => A::Rfb,
            "mqtt" => A::Mqtt,
            "pgsql" => A::Pgsql,
            "telnet" => A::Telnet,
            "websocket" => A::Websocket,
            "ldap" => A::Ldap,
            "doh2" => A::Doh2,
            "mdns" => A::Mdns,
            "bittorrent-dht" => A::BittorrentDht,
            "rdp" => A::Rdp,
            "template" => A::Template,
            _ => return None,
        })
    }

    /// Whether Suricata's parser for the protocol takes a gap in the TCP
    /// stream (`APP_LAYER_PARSER_OPT_ACCEPT_GAPS`) and goes on after it;
    /// the others fail on a gap, and the flow's app layer stops.
    pub fn parser_accepts_gaps(self) -> bool {
        use AppProto as A;
        matches!(
            self,
            A::Http1
                | A::Dcerpc
                | A::Dns
                | A::Enip
                | A::Ldap
                | A::Nfs
                | A::Pgsql
                | A::Pop3
                | A::Smb
                | A::Telnet
        )
    }

    /// The name EVE writes in `app_proto` (Suricata's `AppProtoToString`:
    /// HTTP/1 is `http`, the generic rule protocol `http_any`).
    pub fn eve_name(self) -> &'static str {
        use AppProto as A;
        match self {
            A::Http => "http_any",
            A::Http1 => "http",
            A::Http2 => "http2",
            A::Ftp => "ftp",
            A::FtpData => "ftp-data",
            A::Smtp => "smtp",
            A::Tls => "tls",
            A::Ssh => "ssh",
            A::Imap => "imap",
            A::Pop3 => "pop3",
            A::Smb => "smb",
            A::Dcerpc => "dcerpc",
            A::Dns => "dns",
            A::Modbus => "modbus",
            A::Enip => "enip",
            A::Dnp3 => "dnp3",
            A::Nfs => "nfs",
            A::Ntp => "ntp",
            A::Tftp => "tftp",
            A::Ike => "ike",
            A::Krb5 => "krb5",
            A::Quic => "quic",
            A::Dhcp => "dhcp",
            A::Snmp => "snmp",
            A::Sip => "sip",
            A::Rfb => "rfb",
            A::Mqtt => "mqtt",
            A::Pgsql => "pgsql",
            A::Telnet => "telnet",
            A::Websocket => "websocket",
            A::Ldap => "ldap",
            A::Doh2 => "doh2",
            A::Mdns => "mdns",
            A::BittorrentDht => "bittorrent-dht",
            A::Rdp => "rdp",
            A::Template => "template",
        }
    }

    /// Whether a rule for `self` applies to a flow detected as `flow`
    /// (Suricata's `AppProtoEquals(sigproto, alproto)`).
    pub fn matches_flow(self, flow: AppProto) -> bool {
        use AppProto as A;
        self == flow
            || match self {
                A::Http => matches!(flow, A::Http1 | A::Http2),
                A::Dns | A::Http2 => flow == A::Doh2,
                A::Doh2 => matches!(flow, A::Http2 | A::Dns | A::Http),
                A::Dcerpc => flow == A::Smb,
                _ => false,
            }
    }

    /// Whether [`FlowApp`] can find this protocol on some flow, so that a
    /// rule for it can ever match. `false` for protocols without a
    /// detector here (see [`probe`] for the list).
    pub fn is_detectable(self) -> bool {
        use AppProto as A;
        match self {
            A::Http => true,
            other => probe::DETECTED.contains(&other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_equality() {
        assert_eq!(AppProto::from_rule_name("ssl"), Some(AppProto::Tls));
        assert_eq!(AppProto::from_rule_name("ikev2"), Some(AppProto::Ike));
        assert_eq!(AppProto::from_rule_name("tcp"), None);
        assert_eq!(AppProto::Http1.eve_name(), "http");
        assert!(AppProto::Http.matches_flow(AppProto::Http1));
        assert!(AppProto::Http.matches_flow(AppProto::Http2));
        assert!(!AppProto::Http1.matches_flow(AppProto::Http2));
        assert!(AppProto::Dcerpc.matches_flow(AppProto::Smb));
        assert!(!AppProto::Smb.matches_flow(AppProto::Dcerpc));
        assert!(AppProto::Dns.matches_flow(AppProto::Doh2));
        assert!(!AppProto::Tls.matches_flow(AppProto::Http1));
        assert!(AppProto::Tls.is_detectable());
        assert!(!AppProto::FtpData.is_detectable());
    }
}
