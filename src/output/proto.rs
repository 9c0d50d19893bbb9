//! IP protocol numbers to the names Suricata prints for them.
//!
//! fast.log prints the name in braces (`{TCP}`), EVE in its `proto` field.
//! The names are IANA's protocol keywords in the spelling Suricata 8 uses
//! (its `known_proto` table: `IPv6-ICMP`, not `ICMPv6`; `Any` for the
//! numbers IANA reserves for "any host internal protocol" and the like).
//! Numbers 144 and up have no name: fast.log then prints `PROTO:nnn`
//! (three digits at least) and EVE the bare number.

/// Names of protocols 0..=143, indexed by number.
const NAMES: [&str; 144] = [
    "HOPOPT",
    "ICMP",
    "IGMP",
    "GGP",
    "IP-in-IP",
    "ST",
    "TCP",
    "CBT", // 0..=7
    "EGP",
    "IGP",
    "BBN-RCC-MON",
    "NVP-II",
    "PUP",
    "ARGUS",
    "EMCON",
    "XNET", // 8..=15
    "CHAOS",
    "UDP",
    "MUX",
    "DCN-MEAS",
    "HMP",
    "PRM",
    "XNS-IDP",
    "TRUNK-1", // 16..=23
    "TRUNK-2",
    "LEAF-1",
    "LEAF-2",
    "RDP",
    "IRTP",
    "ISO-TP4",
    "NETBLT",
    "MFE-NSP", // 24..=31
    "MERIT-INP",
    "DCCP",
    "3PC",
    "IDPR",
    "XTP",
    "DDP",
    "IDPR-CMTP",
    "TP++", // 32..=39
    "IL",
    "IPv6",
    "SDRP",
    "IPv6-Route",
    "IPv6-Frag",
    "IDRP",
    "RSVP",
    "GRE", // 40..=47
    "DSR",
    "BNA",
    "ESP",
    "AH",
    "I-NLSP",
    "SwIPe",
    "NARP",
    "MOBILE", // 48..=55
    "TLSP",
    "SKIP",
    "IPv6-ICMP",
    "IPv6-NoNxt",
    "IPv6-Opts",
    "Any",
    "CFTP",
    "Any", // 56..=63
    "SAT-EXPAK",
    "KRYPTOLAN",
    "RVD",
    "IPPC",
    "Any",
    "SAT-MON",
    "VISA",
    "IPCU", // 64..=71
    "CPNX",
    "CPHB",
    "WSN",
    "PVP",
    "BR-SAT-MON",
    "SUN-ND",
    "WB-MON",
    "WB-EXPAK", // 72..=79
    "ISO-IP",
    "VMTP",
    "SECURE-VMTP",
    "VINES",
    "TTP",
    "NSFNET-IGP",
    "DGP",
    "TCF", // 80..=87
    "EIGRP",
    "OSPF",
    "Sprite-RPC",
    "LARP",
    "MTP",
    "AX.25",
    "OS",
    "MICP", // 88..=95
    "SCC-SP",
    "ETHERIP",
    "ENCAP",
    "Any",
    "GMTP",
    "IFMP",
    "PNNI",
    "PIM", // 96..=103
    "ARIS",
    "SCPS",
    "QNX",
    "A/N",
    "IPComp",
    "SNP",
    "Compaq-Peer",
    "IPX-in-IP", // 104..=111
    "VRRP",
    "PGM",
    "Any",
    "L2TP",
    "DDX",
    "IATP",
    "STP",
    "SRP", // 112..=119
    "UTI",
    "SMP",
    "SM",
    "PTP",
    "IS-IS",
    "FIRE",
    "CRTP",
    "CRUDP", // 120..=127
    "SSCOPMCE",
    "IPLT",
    "SPS",
    "PIPE",
    "SCTP",
    "FC",
    "RSVP-E2E-IGNORE",
    "Mobility", // 128..=135
    "UDPLite",
    "MPLS-in-IP",
    "manet",
    "HIP",
    "Shim6",
    "WESP",
    "ROHC",
    "Ethernet", // 136..=143
];

/// The name Suricata prints for IP protocol `proto`, if it has one.
pub fn proto_name(proto: u8) -> Option<&'static str> {
    NAMES.get(usize::from(proto)).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_protocols() {
        assert_eq!(proto_name(1), Some("ICMP"));
        assert_eq!(proto_name(6), Some("TCP"));
        assert_eq!(proto_name(17), Some("UDP"));
        assert_eq!(proto_name(44), Some("IPv6-Frag"));
        assert_eq!(proto_name(47), Some("GRE"));
        assert_eq!(proto_name(58), Some("IPv6-ICMP"));
        assert_eq!(proto_name(132), Some("SCTP"));
        assert_eq!(proto_name(143), Some("Ethernet"));
    }

    #[test]
    fn unassigned_numbers_have_no_name() {
        assert_eq!(proto_name(144), None);
        assert_eq!(proto_name(253), None);
        assert_eq!(proto_name(255), None);
    }
}
