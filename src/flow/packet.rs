//! The flow table's view of one decoded packet: [`PacketMeta`].
//!
//! The flow module does not read packet bytes and does not depend on
//! [`crate::decode`]. The runtime fills a `PacketMeta` from the decoded packet
//! (addresses, protocol, ports or ICMP type, TCP header fields, VLAN ids) and
//! hands it to [`FlowTable::update`](super::FlowTable::update). Everything here
//! is plain `Copy` data: building one allocates nothing.
//!
//! # Which packets get a flow
//!
//! Suricata 8 asks for a flow (`FlowSetupPacket`) only from these decoders
//! (`src/decode-{tcp,udp,icmpv4,icmpv6,sctp,esp,ipv4,ipv6}.c`): a TCP or UDP
//! header that decoded, any decoded ICMPv4/ICMPv6 header, SCTP, ESP, and the
//! outer packet of an IPv4/IPv6-in-IP tunnel. IP fragments get no flow until
//! they are reassembled; GRE outer packets and unknown IP protocols get none.
//! The runtime mirrors that by choosing the [`L4Meta`] variant:
//! [`L4Meta::None`] (never a flow) for fragments and broken or unknown layer 4,
//! [`L4Meta::Other`] for the tunnel outer packets.

use std::net::IpAddr;

/// Packet time, in microseconds since the Unix epoch.
///
/// Flows age by *packet* time (the pcap timestamp), never by the wall clock,
/// so a replayed capture ends the same flows at the same packets every run.
/// Microseconds are the resolution Suricata keeps for flow times (`SCTime_t`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FlowTime(u64);

impl FlowTime {
    /// A time from microseconds since the epoch.
    pub const fn from_micros(micros: u64) -> FlowTime {
        FlowTime(micros)
    }

    /// A time from whole seconds plus nanoseconds (pcap-ng and nanosecond
    /// pcap files); the nanoseconds are truncated to microseconds.
    pub const fn from_secs_nanos(secs: u64, nanos: u32) -> FlowTime {
        FlowTime(
            secs.saturating_mul(1_000_000)
                .saturating_add(nanos as u64 / 1000),
        )
    }

    /// A time from whole seconds plus microseconds (classic pcap files).
    pub const fn from_secs_micros(secs: u64, micros: u32) -> FlowTime {
        FlowTime(secs.saturating_mul(1_000_000).saturating_add(micros as u64))
    }

    /// Microseconds since the epoch.
    pub const fn as_micros(self) -> u64 {
        self.0
    }

    /// Whole seconds since the epoch.
    pub const fn secs(self) -> u64 {
        self.0 / 1_000_000
    }

    /// This time plus `secs` seconds (saturating).
    pub const fn add_secs(self, secs: u32) -> FlowTime {
        FlowTime(self.0.saturating_add(secs as u64 * 1_000_000))
    }
}

/// The TCP header fields the stream tracker needs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TcpMeta {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// The flags byte (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10,
    /// URG 0x20, ECE 0x40, CWR 0x80); see [`tcp_flags`].
    pub flags: u8,
    /// Sequence number.
    pub seq: u32,
    /// Acknowledgement number (meaningful only with ACK set).
    pub ack: u32,
    /// Window field, unscaled.
    pub window: u16,
    /// TCP payload length in bytes.
    pub payload_len: u32,
    /// The timestamp option (RFC 7323) as (TSval, TSecr), if present. The
    /// tracker rejects packets whose TSval goes backwards on a session that
    /// negotiated timestamps (PAWS), as Suricata does.
    pub timestamp: Option<(u32, u32)>,
    /// The window-scale option's shift, if present (as sent; the tracker
    /// treats a shift above 14 as 0, like Suricata's `TCP_GET_WSCALE`).
    pub wscale: Option<u8>,
    /// False when checksum validation is on and the TCP checksum is wrong.
    /// Suricata (`StreamTcp` in `src/stream-tcp.c`) still gives such a packet
    /// its flow but skips stream tracking for it and counts
    /// `tcp.invalid_checksum`. Set true when checksums are not validated
    /// (`-k none`).
    pub checksum_ok: bool,
}

/// TCP flag bits, as in the TCP header's flags byte.
pub mod tcp_flags {
    /// FIN: no more data from sender.
    pub const FIN: u8 = 0x01;
    /// SYN: synchronize sequence numbers.
    pub const SYN: u8 = 0x02;
    /// RST: reset the connection.
    pub const RST: u8 = 0x04;
    /// PSH: push function.
    pub const PSH: u8 = 0x08;
    /// ACK: the acknowledgement field is significant.
    pub const ACK: u8 = 0x10;
    /// URG: the urgent pointer is significant.
    pub const URG: u8 = 0x20;
}

/// The connection an ICMPv4 "destination unreachable" message quotes: the
/// embedded IPv4 header's addresses and protocol and the first four bytes of
/// its layer 4 (the ports for TCP/UDP/SCTP).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EmbeddedTuple {
    /// Source address of the quoted packet.
    pub src: IpAddr,
    /// Destination address of the quoted packet.
    pub dst: IpAddr,
    /// IP protocol of the quoted packet.
    pub proto: u8,
    /// Source port of the quoted packet.
    pub src_port: u16,
    /// Destination port of the quoted packet.
    pub dst_port: u16,
}

/// Layer 4 as the flow table keys it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum L4Meta {
    /// A decoded TCP header.
    Tcp(TcpMeta),
    /// A decoded UDP header.
    Udp {
        /// Source port.
        src_port: u16,
        /// Destination port.
        dst_port: u16,
    },
    /// A decoded SCTP common header.
    Sctp {
        /// Source port.
        src_port: u16,
        /// Destination port.
        dst_port: u16,
    },
    /// A decoded ICMPv4 (protocol 1) or ICMPv6 (protocol 58) header.
    Icmp {
        /// ICMP type.
        icmp_type: u8,
        /// ICMP code.
        code: u8,
        /// For ICMPv4 type 3 (destination unreachable) with a quoted packet
        /// whose ports decoded: that connection. Suricata
        /// (`FlowCompareICMPv4` in `src/flow-hash.c`) puts such a message on
        /// the quoted connection's flow, never on a flow of its own.
        embedded: Option<EmbeddedTuple>,
    },
    /// A decoded ESP header: flows are one per direction, keyed by SPI
    /// (`FlowCompareESP` in `src/flow-hash.c`).
    Esp {
        /// Security parameters index.
        spi: u32,
    },
    /// A tracked protocol without ports (IPv4/IPv6-in-IP outer packets):
    /// keyed by addresses and protocol only.
    Other,
    /// No usable layer 4 (a fragment not yet reassembled, a broken or unknown
    /// header): the packet gets no flow.
    None,
}

/// One packet as the flow table sees it. Build one per packet; it borrows
/// nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PacketMeta {
    /// Capture time.
    pub ts: FlowTime,
    /// IP source address (IPv4 or IPv6).
    pub src: IpAddr,
    /// IP destination address (same family as `src`).
    pub dst: IpAddr,
    /// IP protocol number (the last header's, after IPv6 extension headers).
    pub proto: u8,
    /// Layer 4 fields.
    pub l4: L4Meta,
    /// VLAN ids, outermost first, 0 for absent layers (Suricata keeps up to
    /// three, `VLAN_MAX_LAYERS` in `src/decode-vlan.h`).
    pub vlan: [u16; 3],
    /// Tunnel depth: 0 for the outer packet, 1 inside one tunnel, ...
    /// (Suricata's `recursion_level`, part of the flow key).
    pub recursion_level: u8,
    /// Captured packet length in bytes, for the per-flow byte counters.
    pub len: u32,
}

impl PacketMeta {
    /// A packet with no VLAN, no tunnel and the given layer 4. Handy in
    /// tests and for callers that fill the rest field by field.
    pub fn new(ts: FlowTime, src: IpAddr, dst: IpAddr, proto: u8, l4: L4Meta) -> PacketMeta {
        PacketMeta {
            ts,
            src,
            dst,
            proto,
            l4,
            vlan: [0; 3],
            recursion_level: 0,
            len: 0,
        }
    }

    /// A TCP packet (protocol 6).
    pub fn tcp(ts: FlowTime, src: IpAddr, dst: IpAddr, tcp: TcpMeta) -> PacketMeta {
        PacketMeta::new(ts, src, dst, 6, L4Meta::Tcp(tcp))
    }

    /// A UDP packet (protocol 17).
    pub fn udp(ts: FlowTime, src: IpAddr, dst: IpAddr, src_port: u16, dst_port: u16) -> PacketMeta {
        PacketMeta::new(ts, src, dst, 17, L4Meta::Udp { src_port, dst_port })
    }
}
