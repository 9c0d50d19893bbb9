//! Writes the seed-scenario captures in `pcaps/`: one small, deterministic
//! pcap per scenario of the seed reports (Cisco TRAC 2013, SANS ISC 2005,
//! CERT Polska 2011, the 2003 UDP 135/1026-1031 scans) plus three captures
//! of ordinary traffic that must stay silent.
//!
//! ```text
//! cargo run --example make_seed_pcaps [-- OUTDIR]     # default: pcaps/
//! ```
//!
//! Every run writes the same bytes: the only randomness is a SplitMix64
//! generator with a fixed seed per file, packets are written in timestamp
//! order (ties keep generation order), and the pcap writer adds nothing
//! time- or host-dependent. `tests/seed_pcaps.rs` includes this file,
//! regenerates every capture in memory and compares it with the committed
//! one, byte for byte. `pcaps/README.md` describes each file; the counts it
//! gives (and the tests assert) follow from the plans written below, not
//! from the random draws: the generator draws *which* packet gets an
//! attribute, never *how many* packets get it.
//!
//! Addresses: scanners are the ones the reports name (Cisco TRAC's eight
//! Ecatel addresses, CERT Polska's top five); other sources are public
//! addresses drawn from a few real prefixes. Targets, honeypots and clients
//! live in the documentation ranges (192.0.2.0/24, 198.51.100.0/24,
//! 203.0.113.0/24, 2001:db8::/32).

use std::io;
use std::path::{Path, PathBuf};

use rulewire::capture::{LinkType, PcapWriter, Timestamp, TsPrecision};
use rulewire::decode::craft::{self, PacketBuilder, TcpSpec};

/// Every capture this generator writes, by file name.
pub const FILES: [&str; 7] = [
    "port0-src-syn-445.pcap",
    "port0-dst-eserver.pcap",
    "certpl-port0-wave.pcap",
    "udp-135-zero.pcap",
    "negative-web.pcap",
    "negative-fragments.pcap",
    "negative-icmp.pcap",
];

/// The bytes of the capture `name` (one of [`FILES`]).
pub fn pcap_bytes(name: &str) -> io::Result<Vec<u8>> {
    let frames = match name {
        "port0-src-syn-445.pcap" => cisco_syn_445(),
        "port0-dst-eserver.pcap" => sans_eserver(),
        "certpl-port0-wave.pcap" => certpl_wave(),
        "udp-135-zero.pcap" => udp_135_zero(),
        "negative-web.pcap" => negative_web(),
        "negative-fragments.pcap" => negative_fragments(),
        "negative-icmp.pcap" => negative_icmp(),
        other => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("no seed capture named {other}"),
            ))
        }
    };
    write_pcap(frames)
}

/// Writes every capture into `dir` and returns the paths written.
pub fn write_all(dir: &Path) -> io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    for name in FILES {
        let path = dir.join(name);
        std::fs::write(&path, pcap_bytes(name)?)?;
        written.push(path);
    }
    Ok(written)
}

#[allow(dead_code)] // unused when tests include this file as a module
fn main() {
    let dir = std::env::args_os()
        .nth(1)
        .map_or_else(|| PathBuf::from("pcaps"), PathBuf::from);
    match write_all(&dir) {
        Ok(paths) => {
            for p in paths {
                let len = std::fs::metadata(&p).map_or(0, |m| m.len());
                println!("{} ({len} bytes)", p.display());
            }
        }
        Err(e) => {
            eprintln!("make_seed_pcaps: {}: {e}", dir.display());
            std::process::exit(2);
        }
    }
}

// ---- plumbing ---------------------------------------------------------

/// One frame to write.
struct Frame {
    ts: Timestamp,
    data: Vec<u8>,
}

/// Sorts by time (stable, so ties keep generation order) and writes a
/// microsecond Ethernet pcap.
fn write_pcap(mut frames: Vec<Frame>) -> io::Result<Vec<u8>> {
    frames.sort_by_key(|f| f.ts);
    let mut w = PcapWriter::new(Vec::new(), LinkType::ETHERNET, TsPrecision::Micro)?;
    for f in &frames {
        let len = u32::try_from(f.data.len()).unwrap_or(u32::MAX);
        w.write_packet(f.ts, &f.data, len)?;
    }
    w.into_inner()
}

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and the same on every
/// platform, which is all a fixture generator needs.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A value in `0..n` (`n > 0`; the modulo bias is irrelevant here).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// A value in `lo..=hi`.
    fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + self.below(u64::from(hi - lo) + 1) as u32
    }

    fn u32(&mut self) -> u32 {
        self.next() as u32
    }

    fn u16(&mut self) -> u16 {
        self.next() as u16
    }

    fn u8(&mut self) -> u8 {
        self.next() as u8
    }

    /// Fisher-Yates.
    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            v.swap(i, j);
        }
    }

    /// An ephemeral port (1024..=65535).
    fn ephemeral(&mut self) -> u16 {
        self.range(1024, 65535) as u16
    }

    /// A timestamp `secs` plus a random number of microseconds.
    fn ts_in_second(&mut self, secs: u64) -> Timestamp {
        Timestamp::from_micros(secs, self.below(1_000_000) as u32)
    }
}

/// MAC addresses of the capture point's two sides (locally administered).
const MAC_OUTSIDE: [u8; 6] = [0x02, 0x1c, 0x73, 0x00, 0x00, 0x01];
const MAC_INSIDE: [u8; 6] = [0x02, 0x1c, 0x73, 0x00, 0x00, 0x02];

/// An Ethernet frame travelling inbound (outside -> inside) or outbound.
fn eth(packet: &PacketBuilder, inbound: bool) -> Vec<u8> {
    let ethertype = match packet.build().first().map(|b| b >> 4) {
        Some(6) => 0x86dd,
        _ => 0x0800,
    };
    let (src, dst) = if inbound {
        (MAC_OUTSIDE, MAC_INSIDE)
    } else {
        (MAC_INSIDE, MAC_OUTSIDE)
    };
    craft::ethernet_frame(src, dst, ethertype, &packet.build())
}

/// A public-looking address inside `prefix` (first two octets), host part
/// drawn from `rng` (never .0 or .255).
fn addr_in(rng: &mut Rng, prefix: [u8; 2]) -> [u8; 4] {
    [prefix[0], prefix[1], rng.u8(), rng.range(1, 254) as u8]
}

// ---- Cisco TRAC: SYNs from source port 0 to 445 -------------------------

/// 2013-11-02 01:00:00 UTC, the start of the three-hour spike.
const CISCO_START: u64 = 1_383_354_000;

/// The eight Ecatel addresses of the Cisco TRAC post, with the SYNs each
/// sends here, then four neighbours in the same networks.
const CISCO_SCANNERS: [([u8; 4], u32); 12] = [
    ([93, 174, 93, 175], 20),
    ([80, 82, 65, 237], 18),
    ([94, 102, 63, 22], 16),
    ([89, 248, 168, 215], 14),
    ([89, 248, 174, 80], 12),
    ([89, 248, 160, 198], 10),
    ([93, 174, 93, 176], 8),
    ([89, 248, 162, 236], 6),
    ([93, 174, 93, 177], 2),
    ([80, 82, 65, 238], 2),
    ([94, 102, 63, 23], 2),
    ([89, 248, 168, 216], 2),
];

fn cisco_syn_445() -> Vec<Frame> {
    let mut rng = Rng::new(0x0445_2013_1102);
    let mut frames = Vec::new();
    for (src, count) in CISCO_SCANNERS {
        // Scanners craft their packets: a high fixed initial TTL, worn down
        // by the path, and a small window, as masscan-style tools send.
        let ttl = rng.range(236, 244) as u8;
        for _ in 0..count {
            let dst = [198, 51, 100, rng.range(1, 254) as u8];
            let p = PacketBuilder::ipv4(src, dst).ttl(ttl).ident(rng.u16()).tcp(
                0,
                445,
                TcpSpec::syn().seq(rng.u32()).window(1024),
            );
            let secs = CISCO_START + rng.below(3 * 3600);
            frames.push(Frame {
                ts: rng.ts_in_second(secs),
                data: eth(&p, true),
            });
        }
    }
    frames
}

// ---- SANS ISC: handshakes to destination port 0 with `eServer` ----------

/// 2005-06-01 06:00:00 UTC ("the wee hours of June 1" in US Eastern time).
const SANS_START: u64 = 1_117_605_600;

/// The 81-byte payload of the SANS ISC diary (the hex dump's visible bytes).
pub const ESERVER_PAYLOAD: [u8; 81] = [
    0xe3, 0x4c, 0x00, 0x00, 0x00, 0x01, 0x10, 0x5e, 0x47, 0xe3, 0x01, 0xcf, 0x0e, 0x98, 0x0d, 0x1d,
    0xac, 0x6f, 0x00, 0x55, 0xb3, 0x6f, 0x0b, 0xd5, 0xba, 0x2f, 0x54, 0x36, 0x12, 0x04, 0x00, 0x00,
    0x00, 0x02, 0x01, 0x00, 0x01, 0x07, 0x00, 0x65, 0x53, 0x65, 0x72, 0x76, 0x65, 0x72, 0x03, 0x01,
    0x00, 0x11, 0x3c, 0x00, 0x00, 0x00, 0x03, 0x01, 0x00, 0xfb, 0x00, 0xef, 0x06, 0x00, 0x02, 0x01,
    0x00, 0x55, 0x07, 0x00, 0x65, 0x73, 0x65, 0x72, 0x76, 0x65, 0x72, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00,
];

/// The honeypot ("thp") that answered on every port.
const SANS_HONEYPOT: [u8; 4] = [192, 0, 2, 25];

/// Seven hosts "scattered across the globe" and how many sessions each
/// opens: 24 in all, in one hour.
const SANS_HOSTS: [([u8; 4], u32); 7] = [
    ([200, 41, 87, 14], 6),
    ([61, 19, 142, 201], 4),
    ([213, 162, 9, 77], 4),
    ([24, 98, 211, 3], 3),
    ([81, 57, 130, 66], 3),
    ([202, 108, 35, 190], 2),
    ([66, 93, 12, 148], 2),
];

fn sans_eserver() -> Vec<Frame> {
    use rulewire::decode::tcp::flags::{ACK, FIN, PSH, SYN};
    let mut rng = Rng::new(0x0000_2005_0601);
    let mut frames = Vec::new();
    for (client, sessions) in SANS_HOSTS {
        let ttl = rng.range(44, 118) as u8;
        for _ in 0..sessions {
            let sport = rng.ephemeral();
            let (c_isn, s_isn) = (rng.u32(), rng.u32());
            let rtt = 40_000 + rng.below(200_000); // microseconds
            let mut t = u128::from(SANS_START + rng.below(3600)) * 1_000_000
                + u128::from(rng.below(1_000_000));
            let ident = rng.u16();
            let c = |spec: TcpSpec, ident: u16| {
                PacketBuilder::ipv4(client, SANS_HONEYPOT)
                    .ttl(ttl)
                    .ident(ident)
                    .dont_fragment()
                    .tcp(sport, 0, spec.window(16384))
            };
            let s = |spec: TcpSpec| {
                PacketBuilder::ipv4(SANS_HONEYPOT, client)
                    .ttl(64)
                    .ident(0)
                    .dont_fragment()
                    .tcp(0, sport, spec.window(5840))
            };
            let len = ESERVER_PAYLOAD.len() as u32;
            let c_data = c_isn.wrapping_add(1);
            let c_fin = c_data.wrapping_add(len);
            let s1 = s_isn.wrapping_add(1);
            let steps: [(PacketBuilder, bool, u64); 8] = [
                (c(TcpSpec::new(SYN).seq(c_isn), ident), true, 0),
                (
                    s(TcpSpec::new(SYN | ACK).seq(s_isn).ack_number(c_data)),
                    false,
                    rtt,
                ),
                (
                    c(
                        TcpSpec::new(ACK).seq(c_data).ack_number(s1),
                        ident.wrapping_add(1),
                    ),
                    true,
                    rtt,
                ),
                (
                    c(
                        TcpSpec::new(PSH | ACK)
                            .seq(c_data)
                            .ack_number(s1)
                            .payload(&ESERVER_PAYLOAD),
                        ident.wrapping_add(2),
                    ),
                    true,
                    300,
                ),
                (s(TcpSpec::new(ACK).seq(s1).ack_number(c_fin)), false, rtt),
                (
                    c(
                        TcpSpec::new(FIN | ACK).seq(c_fin).ack_number(s1),
                        ident.wrapping_add(3),
                    ),
                    true,
                    2_000_000 + rng.below(1_000_000),
                ),
                (
                    s(TcpSpec::new(FIN | ACK)
                        .seq(s1)
                        .ack_number(c_fin.wrapping_add(1))),
                    false,
                    rtt,
                ),
                (
                    c(
                        TcpSpec::new(ACK)
                            .seq(c_fin.wrapping_add(1))
                            .ack_number(s1.wrapping_add(1)),
                        ident.wrapping_add(4),
                    ),
                    true,
                    rtt,
                ),
            ];
            for (p, inbound, gap) in steps {
                t += u128::from(gap);
                frames.push(Frame {
                    ts: Timestamp::from_micros((t / 1_000_000) as u64, (t % 1_000_000) as u32),
                    data: eth(&p, inbound),
                });
            }
        }
    }
    frames
}

// ---- CERT Polska: the November 2011 port-0 wave -------------------------

/// 2011-11-13 06:00:00 UTC; the capture covers six hours (72 windows of
/// five minutes).
const CERT_START: u64 = 1_321_164_000;
/// Five-minute windows in the capture.
const CERT_WINDOWS: u64 = 72;
/// The marker every CERT Polska payload ended with.
pub const MARKER: [u8; 4] = [0xa0, 0x02, 0x7d, 0x78];

/// The flag combinations of CERT Polska's table, each count divided by 10
/// and rounded half up (256 combinations, 965 packets), in the report's
/// order.
#[rustfmt::skip]
const CERT_FLAGS: [(u8, u32); 256] = [
    (0x12, 18), (0x00, 17), (0x02, 14), (0x82, 10), (0x14, 9), (0x04, 9), (0x54, 8), (0xf5, 8),
    (0xc2, 7), (0x62, 7), (0x29, 7), (0xf2, 7), (0x40, 7), (0x2c, 7), (0xba, 6), (0x4a, 6),
    (0x24, 6), (0x22, 6), (0xe2, 6), (0x74, 6), (0x31, 6), (0xd2, 6), (0x52, 6), (0xa7, 6),
    (0x9d, 6), (0x0a, 6), (0x86, 6), (0x80, 6), (0x0d, 6), (0xbe, 5), (0x94, 5), (0xe8, 5),
    (0xd0, 5), (0xc7, 5), (0x7a, 5), (0x03, 5), (0xb8, 5), (0x58, 5), (0x42, 5), (0x32, 5),
    (0x2f, 5), (0x11, 5), (0xf9, 5), (0xca, 5), (0x92, 5), (0x55, 5), (0x10, 5), (0x4f, 5),
    (0x49, 5), (0x72, 5), (0x6c, 5), (0x39, 5), (0x0c, 5), (0xb9, 5), (0xb5, 5), (0xad, 5),
    (0xa6, 5), (0xec, 5), (0xdc, 5), (0x6a, 5), (0x5c, 5), (0x41, 5), (0xea, 4), (0xd8, 4),
    (0xc3, 4), (0x38, 4), (0xcb, 4), (0x88, 4), (0x69, 4), (0x64, 4), (0xe5, 4), (0xc6, 4),
    (0x75, 4), (0x37, 4), (0xff, 4), (0xed, 4), (0xc0, 4), (0xb4, 4), (0xaa, 4), (0x7d, 4),
    (0x7c, 4), (0x70, 4), (0x34, 4), (0x26, 4), (0x1e, 4), (0xfb, 4), (0xeb, 4), (0xd1, 4),
    (0x84, 4), (0xce, 4), (0xc1, 4), (0xbd, 4), (0xbb, 4), (0xa2, 4), (0x44, 4), (0xe9, 4),
    (0xda, 4), (0x81, 4), (0xdd, 4), (0xd4, 4), (0xac, 4), (0x8e, 4), (0x5a, 4), (0x45, 4),
    (0x1c, 4), (0x19, 4), (0xf8, 4), (0xdb, 4), (0xcd, 4), (0xc8, 4), (0x9f, 4), (0x9a, 4),
    (0x56, 4), (0x3c, 4), (0x05, 4), (0x8a, 4), (0x68, 4), (0x66, 4), (0x53, 4), (0x33, 4),
    (0x30, 4), (0x09, 4), (0xfc, 3), (0x95, 3), (0x4b, 3), (0x08, 3), (0xfd, 3), (0xa0, 3),
    (0x96, 3), (0x4d, 3), (0x47, 3), (0x4e, 3), (0x4c, 3), (0x43, 3), (0x3e, 3), (0x3d, 3),
    (0x36, 3), (0x20, 3), (0xfe, 3), (0xf4, 3), (0xe4, 3), (0xc5, 3), (0x9b, 3), (0x99, 3),
    (0x98, 3), (0x61, 3), (0x35, 3), (0x2d, 3), (0x18, 3), (0xee, 3), (0x8c, 3), (0x89, 3),
    (0x6d, 3), (0x6b, 3), (0x17, 3), (0x15, 3), (0x13, 3), (0xde, 3), (0xbf, 3), (0xb0, 3),
    (0xaf, 3), (0x73, 3), (0x67, 3), (0x3a, 3), (0x1f, 3), (0xcf, 3), (0xa1, 3), (0x93, 3),
    (0x79, 3), (0x77, 3), (0x51, 3), (0x0e, 3), (0x06, 3), (0xef, 3), (0xe0, 3), (0xb7, 3),
    (0xa9, 3), (0xa8, 3), (0xa5, 3), (0x8f, 3), (0x87, 3), (0x83, 3), (0x78, 3), (0x65, 3),
    (0x48, 3), (0x25, 3), (0xe1, 3), (0xc9, 3), (0xb3, 3), (0xb2, 3), (0x97, 3), (0x85, 3),
    (0x63, 3), (0x5f, 3), (0x2b, 3), (0x01, 3), (0xf7, 3), (0xd9, 3), (0xc4, 3), (0xa3, 3),
    (0x57, 3), (0xf6, 2), (0x21, 2), (0xf1, 2), (0xd3, 2), (0x59, 2), (0x2a, 2), (0x1d, 2),
    (0xfa, 2), (0xf0, 2), (0xe3, 2), (0x7f, 2), (0x71, 2), (0x6f, 2), (0x5e, 2), (0x50, 2),
    (0x9e, 2), (0x90, 2), (0x76, 2), (0xdf, 2), (0xab, 2), (0x5b, 2), (0x0f, 2), (0xe7, 2),
    (0x5d, 2), (0x46, 2), (0x3b, 2), (0x1a, 2), (0xe6, 2), (0xd7, 2), (0x9c, 2), (0x23, 2),
    (0xd6, 2), (0xd5, 2), (0xcc, 2), (0x6e, 2), (0x16, 2), (0xa4, 2), (0x91, 2), (0x60, 2),
    (0x2e, 2), (0x28, 2), (0x07, 2), (0xf3, 2), (0xbc, 1), (0x7e, 1), (0x3f, 1), (0x1b, 1),
    (0xb6, 1), (0xb1, 1), (0xae, 1), (0x8b, 1), (0x0b, 1), (0x8d, 1), (0x7b, 1), (0x27, 1),
];

/// TCP data offsets (in 32-bit words) and how many packets carry each: the
/// report's "bad hdr length 0/4/8/12/16" counts divided by 10, then the
/// packets whose header is valid (data offset 5).
const CERT_DOFF: [(u8, u32); 6] = [(0, 111), (1, 83), (2, 94), (3, 100), (4, 88), (5, 489)];

/// The heavy hitters of CERT Polska's table and their schedule: packets
/// per active window, and the window period (active when `w % period ==
/// 0`). 576 + 72 + 36 + 24 + 18 = 726 packets.
const CERT_HEAVY: [([u8; 4], u32, u64); 5] = [
    ([118, 122, 188, 27], 8, 1),
    ([121, 14, 5, 100], 1, 1),
    ([184, 107, 227, 10], 1, 2),
    ([124, 74, 192, 107], 1, 3),
    ([221, 194, 128, 145], 1, 4),
];

/// Prefixes for the other sources, weighted roughly as the report's
/// countries (mostly Chinese networks, then Canada and the US).
const CERT_OTHER_PREFIXES: [([u8; 2], u32); 14] = [
    ([61, 147], 14),
    ([218, 6], 14),
    ([222, 186], 12),
    ([58, 218], 10),
    ([125, 64], 10),
    ([183, 60], 10),
    ([184, 107], 8),
    ([173, 208], 6),
    ([81, 2], 4),
    ([83, 25], 3),
    ([91, 64], 3),
    ([200, 27], 2),
    ([88, 112], 2),
    ([95, 31], 2),
];

/// New "other" sources in window `w`: a wave peaking at window 30.
fn cert_others_in(w: u64) -> u64 {
    15u64.saturating_sub(w.abs_diff(30))
}

/// The honeypots the wave hit.
const CERT_HONEYPOTS: [[u8; 4]; 4] = [
    [203, 0, 113, 10],
    [203, 0, 113, 11],
    [203, 0, 113, 12],
    [203, 0, 113, 13],
];

/// What follows the 20 fixed header bytes.
#[derive(Clone, Copy)]
enum CertPayload {
    None,
    /// `zeros` zero bytes then the marker.
    Zeros(usize),
    /// Four "random" bytes, twelve zeros, the marker.
    Prefixed([u8; 4]),
}

fn cert_payloads(rng: &mut Rng) -> Vec<CertPayload> {
    let mut v = Vec::new();
    for (zeros, n) in [(4, 64), (8, 62), (0, 60), (12, 53)] {
        v.extend(std::iter::repeat(CertPayload::Zeros(zeros)).take(n));
    }
    // Random prefixes: two the report lists (3 and 2 packets), then 15
    // drawn here, each once.
    let listed = [[0xdb, 0x19, 0xf9, 0x1b], [0xed, 0x8d, 0xda, 0x5e]];
    v.extend(std::iter::repeat(CertPayload::Prefixed(listed[0])).take(3));
    v.extend(std::iter::repeat(CertPayload::Prefixed(listed[1])).take(2));
    let mut drawn: Vec<[u8; 4]> = Vec::new();
    while drawn.len() < 15 {
        let p = rng.u32().to_be_bytes();
        if !listed.contains(&p) && !drawn.contains(&p) && p != [0; 4] {
            drawn.push(p);
        }
    }
    v.extend(drawn.into_iter().map(CertPayload::Prefixed));
    v.resize(965, CertPayload::None);
    v
}

fn cert_payload_bytes(p: CertPayload) -> Vec<u8> {
    match p {
        CertPayload::None => Vec::new(),
        CertPayload::Zeros(n) => {
            let mut b = vec![0; n];
            b.extend_from_slice(&MARKER);
            b
        }
        CertPayload::Prefixed(prefix) => {
            let mut b = prefix.to_vec();
            b.extend_from_slice(&[0; 12]);
            b.extend_from_slice(&MARKER);
            b
        }
    }
}

fn certpl_wave() -> Vec<Frame> {
    let mut rng = Rng::new(0x0000_2011_1113);
    // Who sends in which window.
    let mut plan: Vec<([u8; 4], u64)> = Vec::new();
    let mut taken: Vec<[u8; 4]> = CERT_HEAVY.iter().map(|h| h.0).collect();
    let weight_sum: u32 = CERT_OTHER_PREFIXES.iter().map(|p| p.1).sum();
    let mut others = 0u32;
    for w in 0..CERT_WINDOWS {
        for (src, per, period) in CERT_HEAVY {
            if w % period == 0 {
                plan.extend(std::iter::repeat((src, w)).take(per as usize));
            }
        }
        for _ in 0..cert_others_in(w) {
            let mut pick = rng.below(u64::from(weight_sum)) as u32;
            let prefix = CERT_OTHER_PREFIXES
                .iter()
                .find(|(_, weight)| {
                    if pick < *weight {
                        true
                    } else {
                        pick -= weight;
                        false
                    }
                })
                .map_or([61, 147], |p| p.0);
            let src = loop {
                let a = addr_in(&mut rng, prefix);
                if !taken.contains(&a) {
                    break a;
                }
            };
            taken.push(src);
            // The first 14 other sources send two packets, the rest one.
            let n = if others < 14 { 2 } else { 1 };
            plan.extend(std::iter::repeat((src, w)).take(n));
            others += 1;
        }
    }
    assert_eq!(plan.len(), 965, "the CERT plan adds up to 965 packets");

    // Attributes: exact multisets, dealt out in random order.
    let mut doffs: Vec<u8> = CERT_DOFF
        .iter()
        .flat_map(|&(d, n)| std::iter::repeat(d).take(n as usize))
        .collect();
    let mut flags: Vec<u8> = CERT_FLAGS
        .iter()
        .flat_map(|&(f, n)| std::iter::repeat(f).take(n as usize))
        .collect();
    let mut payloads = cert_payloads(&mut rng);
    // 50 packets from a real source port, 915 from port 0.
    let mut from_zero: Vec<bool> = (0..965).map(|i| i >= 50).collect();
    rng.shuffle(&mut doffs);
    rng.shuffle(&mut flags);
    rng.shuffle(&mut payloads);
    rng.shuffle(&mut from_zero);

    let mut frames = Vec::with_capacity(plan.len());
    for (i, (src, w)) in plan.into_iter().enumerate() {
        let sport = if from_zero[i] { 0 } else { rng.ephemeral() };
        let dst = CERT_HONEYPOTS[rng.below(4) as usize];
        let spec = TcpSpec::new(flags[i])
            .seq(rng.u32())
            .ack_number(rng.u32())
            .window(rng.u16())
            .data_offset(doffs[i])
            .payload(&cert_payload_bytes(payloads[i]));
        let p = PacketBuilder::ipv4(src, dst)
            .ttl(rng.range(40, 56) as u8)
            .ident(rng.u16())
            .tcp(sport, 0, spec);
        let secs = CERT_START + w * 300 + rng.below(300);
        frames.push(Frame {
            ts: rng.ts_in_second(secs),
            data: eth(&p, true),
        });
    }
    frames
}

// ---- 2003: UDP 135 and 1026-1031 with two zero bytes, NBSTAT to 137 -----

/// 2003-12-01 12:00:00 UTC.
const UDP_START: u64 = 1_070_280_000;
/// The honeypot on the "Class C" of the report.
const UDP_HONEYPOT: [u8; 4] = [203, 0, 113, 50];
/// Destination ports of the two-zero-byte datagrams.
const UDP_ZERO_PORTS: [u16; 7] = [135, 1026, 1027, 1028, 1029, 1030, 1031];
/// Sources scanning; every second one also sends an NBSTAT probe.
const UDP_SOURCES: u32 = 20;

/// The 50-byte NetBIOS node-status (NBSTAT) query for the wildcard name
/// `*`: header (id, flags 0, one question), the encoded name (length 32,
/// "CK" for `*` then "AA" for each of 15 NUL bytes, terminator), type
/// NBSTAT (0x0021), class IN (0x0001). RFC 1002, section 4.2.17.
pub fn nbstat_query(id: u16) -> Vec<u8> {
    let mut q = Vec::with_capacity(50);
    q.extend_from_slice(&id.to_be_bytes());
    q.extend_from_slice(&[0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]);
    q.push(0x20);
    q.extend_from_slice(b"CK");
    q.extend_from_slice(&[b'A'; 30]);
    q.push(0x00);
    q.extend_from_slice(&[0x00, 0x21, 0x00, 0x01]);
    q
}

fn udp_135_zero() -> Vec<Frame> {
    let mut rng = Rng::new(0x0135_2003_1201);
    let prefixes: [[u8; 2]; 6] = [
        [24, 61],
        [68, 39],
        [81, 218],
        [141, 157],
        [200, 83],
        [219, 88],
    ];
    let mut frames = Vec::new();
    let mut seen: Vec<[u8; 4]> = Vec::new();
    for i in 0..UDP_SOURCES {
        let src = loop {
            let prefix = prefixes[rng.below(6) as usize];
            let a = addr_in(&mut rng, prefix);
            if !seen.contains(&a) {
                break a;
            }
        };
        seen.push(src);
        let ttl = rng.range(100, 120) as u8;
        let sport = rng.ephemeral();
        let mut t = UDP_START + rng.below(4 * 3600);
        let mut ident = rng.u16();
        let mut ports = UDP_ZERO_PORTS.to_vec();
        rng.shuffle(&mut ports);
        for port in ports {
            let p = PacketBuilder::ipv4(src, UDP_HONEYPOT)
                .ttl(ttl)
                .ident(ident)
                .udp(sport, port, &[0, 0]);
            frames.push(Frame {
                ts: rng.ts_in_second(t),
                data: eth(&p, true),
            });
            ident = ident.wrapping_add(1);
            t += rng.below(3);
        }
        if i % 2 == 0 {
            let p = PacketBuilder::ipv4(src, UDP_HONEYPOT)
                .ttl(ttl)
                .ident(ident)
                .udp(rng.ephemeral(), 137, &nbstat_query(rng.u16()));
            frames.push(Frame {
                ts: rng.ts_in_second(t + 1),
                data: eth(&p, true),
            });
        }
    }
    frames
}

// ---- negative: an ordinary HTTP session --------------------------------

/// 2024-01-15 10:00:00 UTC.
const WEB_START: u64 = 1_705_312_800;
const WEB_CLIENT: [u8; 4] = [198, 51, 100, 23];
const WEB_SERVER: [u8; 4] = [203, 0, 113, 80];
const WEB_CLIENT_PORT: u16 = 49152;

/// The request of `negative-web.pcap`.
pub const HTTP_REQUEST: &[u8] = b"GET /index.html HTTP/1.1\r\nHost: www.example.com\r\n\
User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0\r\n\
Accept: text/html\r\nConnection: close\r\n\r\n";

/// The response body of `negative-web.pcap`.
const HTTP_BODY: &[u8] = b"<!doctype html>\n<html><head><title>Example</title></head>\
<body><p>Nothing to see here.</p></body></html>\n";

fn negative_web() -> Vec<Frame> {
    use rulewire::decode::tcp::flags::{ACK, FIN, PSH, SYN};
    let mut rng = Rng::new(0x0080_2024_0115);
    let response = {
        let mut r = format!(
            "HTTP/1.1 200 OK\r\nDate: Mon, 15 Jan 2024 10:00:00 GMT\r\nServer: nginx\r\n\
Content-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            HTTP_BODY.len()
        )
        .into_bytes();
        r.extend_from_slice(HTTP_BODY);
        r
    };
    let (c_isn, s_isn) = (rng.u32(), rng.u32());
    let (req_len, resp_len) = (HTTP_REQUEST.len() as u32, response.len() as u32);
    let c1 = c_isn.wrapping_add(1);
    let s1 = s_isn.wrapping_add(1);
    let c_fin = c1.wrapping_add(req_len);
    let s_fin = s1.wrapping_add(resp_len);
    // MSS 1460, SACK permitted, timestamps, NOP, window scale 7.
    let syn_opts = [
        2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0x12, 0x34, 0, 0, 0, 0, 1, 3, 3, 7,
    ];
    let mut ident_c = rng.u16();
    let c = |spec: TcpSpec, ident: u16| {
        PacketBuilder::ipv4(WEB_CLIENT, WEB_SERVER)
            .ident(ident)
            .dont_fragment()
            .tcp(WEB_CLIENT_PORT, 80, spec)
    };
    let s = |spec: TcpSpec| {
        PacketBuilder::ipv4(WEB_SERVER, WEB_CLIENT)
            .ttl(57)
            .ident(0)
            .dont_fragment()
            .tcp(80, WEB_CLIENT_PORT, spec)
    };
    let mut steps: Vec<(PacketBuilder, bool, u64)> = Vec::new();
    let mut next_c = || {
        ident_c = ident_c.wrapping_add(1);
        ident_c
    };
    steps.push((
        c(
            TcpSpec::new(SYN)
                .seq(c_isn)
                .window(64240)
                .options(&syn_opts),
            next_c(),
        ),
        false,
        0,
    ));
    steps.push((
        s(TcpSpec::new(SYN | ACK)
            .seq(s_isn)
            .ack_number(c1)
            .window(65160)
            .options(&syn_opts)),
        true,
        23_100,
    ));
    steps.push((
        c(
            TcpSpec::new(ACK).seq(c1).ack_number(s1).window(502),
            next_c(),
        ),
        false,
        90,
    ));
    steps.push((
        c(
            TcpSpec::new(PSH | ACK)
                .seq(c1)
                .ack_number(s1)
                .window(502)
                .payload(HTTP_REQUEST),
            next_c(),
        ),
        false,
        160,
    ));
    steps.push((
        s(TcpSpec::new(ACK).seq(s1).ack_number(c_fin).window(509)),
        true,
        23_400,
    ));
    steps.push((
        s(TcpSpec::new(PSH | ACK)
            .seq(s1)
            .ack_number(c_fin)
            .window(509)
            .payload(&response)),
        true,
        1_200,
    ));
    steps.push((
        c(
            TcpSpec::new(ACK).seq(c_fin).ack_number(s_fin).window(501),
            next_c(),
        ),
        false,
        70,
    ));
    steps.push((
        c(
            TcpSpec::new(FIN | ACK)
                .seq(c_fin)
                .ack_number(s_fin)
                .window(501),
            next_c(),
        ),
        false,
        410,
    ));
    steps.push((
        s(TcpSpec::new(FIN | ACK)
            .seq(s_fin)
            .ack_number(c_fin.wrapping_add(1))
            .window(509)),
        true,
        23_300,
    ));
    steps.push((
        c(
            TcpSpec::new(ACK)
                .seq(c_fin.wrapping_add(1))
                .ack_number(s_fin.wrapping_add(1))
                .window(501),
            next_c(),
        ),
        false,
        60,
    ));
    let mut t = u128::from(WEB_START) * 1_000_000 + 125_000;
    steps
        .into_iter()
        .map(|(p, inbound, gap)| {
            t += u128::from(gap);
            Frame {
                ts: Timestamp::from_micros((t / 1_000_000) as u64, (t % 1_000_000) as u32),
                data: eth(&p, inbound),
            }
        })
        .collect()
}

// ---- negative: fragments -----------------------------------------------

/// 2024-01-15 11:00:00 UTC.
const FRAG_START: u64 = 1_705_316_400;

/// Deterministic filler: a repeating byte ramp.
fn filler(len: usize, seed: u8) -> Vec<u8> {
    (0..len).map(|i| seed.wrapping_add(i as u8)).collect()
}

/// Splits `upper` (an upper-layer segment with its checksum filled in)
/// into fragments carrying at most `max` bytes each (a multiple of 8).
fn fragments(
    base: &PacketBuilder,
    proto: u8,
    upper: &[u8],
    max: usize,
    ident: u32,
) -> Vec<Vec<u8>> {
    upper
        .chunks(max)
        .enumerate()
        .map(|(i, chunk)| {
            let offset = (i * max) as u16;
            let more = (i + 1) * max < upper.len();
            eth(
                &base.clone().raw(proto, chunk).fragment(offset, more, ident),
                true,
            )
        })
        .collect()
}

fn negative_fragments() -> Vec<Frame> {
    use rulewire::decode::tcp::flags::{ACK, PSH};
    let v4_src = [198, 51, 100, 53];
    let v4_dst = [203, 0, 113, 7];
    let v6_src = [
        0x20, 0x01, 0x0d, 0xb8, 0, 0x53, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53,
    ];
    let v6_dst = [
        0x20, 0x01, 0x0d, 0xb8, 0, 0x07, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x07,
    ];
    let mut pieces: Vec<Vec<u8>> = Vec::new();
    // IPv4 UDP: a 2,500-byte datagram (2,508 bytes with the UDP
    // header) in three fragments of 1,000, 1,000 and 508 bytes.
    let udp4 = PacketBuilder::ipv4(v4_src, v4_dst).udp(7001, 40_000, &filler(2500, 0x11));
    pieces.extend(fragments(
        &PacketBuilder::ipv4(v4_src, v4_dst).ttl(60),
        17,
        &udp4.transport_bytes(),
        1000,
        0x1d01,
    ));
    // IPv4 TCP: a 1,900-byte segment in two fragments (1,480 and 420).
    let tcp4 = PacketBuilder::ipv4(v4_src, v4_dst).tcp(
        8080,
        51_000,
        TcpSpec::new(PSH | ACK)
            .seq(0x1000)
            .ack_number(0x2000)
            .payload(&filler(1880, 0x41)),
    );
    pieces.extend(fragments(
        &PacketBuilder::ipv4(v4_src, v4_dst).ttl(60),
        6,
        &tcp4.transport_bytes(),
        1480,
        0x1d02,
    ));
    // IPv6 UDP: a 1,708-byte datagram in two fragments (1,232 and 476).
    let udp6 = PacketBuilder::ipv6(v6_src, v6_dst).udp(7001, 40_001, &filler(1700, 0x22));
    pieces.extend(fragments(
        &PacketBuilder::ipv6(v6_src, v6_dst),
        17,
        &udp6.transport_bytes(),
        1232,
        0x0006_0001,
    ));
    // IPv6 TCP: a 1,620-byte segment in two fragments (1,232 and 388).
    let tcp6 = PacketBuilder::ipv6(v6_src, v6_dst).tcp(
        8080,
        51_001,
        TcpSpec::new(PSH | ACK)
            .seq(0x3000)
            .ack_number(0x4000)
            .payload(&filler(1600, 0x61)),
    );
    pieces.extend(fragments(
        &PacketBuilder::ipv6(v6_src, v6_dst),
        6,
        &tcp6.transport_bytes(),
        1232,
        0x0006_0002,
    ));
    pieces
        .into_iter()
        .enumerate()
        .map(|(i, data)| Frame {
            ts: Timestamp::from_micros(FRAG_START + i as u64, 250_000),
            data,
        })
        .collect()
}

// ---- negative: ICMP ----------------------------------------------------

/// 2024-01-15 12:00:00 UTC.
const ICMP_START: u64 = 1_705_320_000;

fn negative_icmp() -> Vec<Frame> {
    let host = [198, 51, 100, 9];
    let target = [203, 0, 113, 1];
    let router = [203, 0, 113, 254];
    let v6_host = [
        0x20, 0x01, 0x0d, 0xb8, 0, 0x09, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x09,
    ];
    let v6_target = [
        0x20, 0x01, 0x0d, 0xb8, 0, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
    ];
    let ping_data = filler(56, 0x10);
    let mut frames = Vec::new();
    let mut at = |secs: u64, micros: u32, data: Vec<u8>| {
        frames.push(Frame {
            ts: Timestamp::from_micros(ICMP_START + secs, micros),
            data,
        })
    };
    // Two pings and their replies (id 0x4d2, seq 1 and 2).
    for seq in 1u16..=2 {
        let mut rest = [0x04, 0xd2, 0, 0];
        rest[2..].copy_from_slice(&seq.to_be_bytes());
        let req = PacketBuilder::ipv4(host, target).icmp(8, 0, rest, &ping_data);
        let rep = PacketBuilder::ipv4(target, host)
            .ttl(58)
            .icmp(0, 0, rest, &ping_data);
        at(u64::from(seq), 0, eth(&req, false));
        at(u64::from(seq), 11_250, eth(&rep, true));
    }
    // Port unreachable for a UDP datagram to 33434 (a traceroute probe):
    // the quoted IPv4 header and first 8 bytes of the datagram.
    let probe = PacketBuilder::ipv4(host, target)
        .ttl(1)
        .ident(0x7a11)
        .udp(33_000, 33_434, &filler(24, 0))
        .build();
    let quoted = probe.get(..28).unwrap_or(&probe).to_vec();
    let unreach = PacketBuilder::ipv4(router, host)
        .ttl(254)
        .icmp(3, 3, [0, 0, 0, 0], &quoted);
    at(4, 500_000, eth(&unreach, true));
    // An ICMPv6 echo request and reply.
    let rest = [0x04, 0xd2, 0x00, 0x01];
    let req6 = PacketBuilder::ipv6(v6_host, v6_target).icmp(128, 0, rest, &ping_data);
    let rep6 = PacketBuilder::ipv6(v6_target, v6_host)
        .ttl(58)
        .icmp(129, 0, rest, &ping_data);
    at(6, 0, eth(&req6, false));
    at(6, 9_800, eth(&rep6, true));
    frames
}
