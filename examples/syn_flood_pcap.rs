//! Writes a SYN-flood capture for an end-to-end run of `rulewire run`.
//!
//! ```text
//! cargo run --release --example syn_flood_pcap [OUT.pcap] [n_syns]
//! /usr/bin/time -v target/release/rulewire run -r OUT.pcap -l LOGDIR
//! ```
//!
//! `OUT.pcap` defaults to `/tmp/syn_flood.pcap` (never commit it: 2,000,000
//! SYNs make about 140 MB). The capture holds `n_syns` (default 2,000,000)
//! Ethernet/IPv4/TCP SYNs from random sources and ports (xorshift, fixed
//! seed, so every run writes the same file) to 192.0.2.80:80, 100,000 per
//! second of packet time, and interleaved with them 20 legitimate
//! connections to the same server: handshake, one request and one reply,
//! left open. The flood fills the flow table and runs it in emergency
//! mode; the legitimate connections, established, must survive it (the
//! table evicts closed, then new, and established flows last).
//!
//! What a correct run shows in stats.json: `flow.total` = `n_syns` + 20
//! (every SYN starts a flow), `tcp.syn` = `n_syns` + 20, `tcp.synack` = 20,
//! `flow.emerg_mode_entered` ≥ 1, `flow.get_used` (flows evicted to make
//! room) close to `n_syns` minus the table's capacity, and
//! `flow.end.state.established` = 20: the legitimate connections were still
//! tracked at the end.

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;

use rulewire::capture::{LinkType, PcapWriter, Timestamp, TsPrecision};
use rulewire::decode::craft::{PacketBuilder, TcpSpec};

const SERVER: [u8; 4] = [192, 0, 2, 80];
const SYNS_PER_SEC: u64 = 100_000;
const LEGIT: u64 = 20;
const T0: u64 = 1_700_000_000;

/// xorshift64*: deterministic, good enough for addresses.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

struct Out {
    w: PcapWriter<BufWriter<File>>,
    packets: u64,
}

impl Out {
    fn write(&mut self, micros: u64, frame: &[u8]) -> std::io::Result<()> {
        let ts = Timestamp::from_micros(T0 + micros / 1_000_000, (micros % 1_000_000) as u32);
        self.packets += 1;
        self.w.write_packet(ts, frame, frame.len() as u32)
    }
}

/// One legitimate connection from 198.51.100.`n`, all packets 1 ms apart
/// starting at `micros`: handshake, request, reply. It stays open (no FIN),
/// so it is established until the end of the capture.
fn legit(out: &mut Out, micros: u64, n: u8) -> std::io::Result<()> {
    let client = [198, 51, 100, n];
    let port = 40_000 + u16::from(n);
    let (c_isn, s_isn) = (1_000u32, 9_000u32);
    let to_server = |spec: TcpSpec| {
        PacketBuilder::ipv4(client, SERVER)
            .tcp(port, 80, spec)
            .ethernet()
    };
    let to_client = |spec: TcpSpec| {
        PacketBuilder::ipv4(SERVER, client)
            .tcp(80, port, spec)
            .ethernet()
    };
    let req = b"GET / HTTP/1.1\r\nHost: example\r\n\r\n";
    let resp = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    let req_len = req.len() as u32;
    let frames = [
        to_server(TcpSpec::syn().seq(c_isn)),
        to_client(TcpSpec::syn_ack().seq(s_isn).ack_number(c_isn + 1)),
        to_server(TcpSpec::ack().seq(c_isn + 1).ack_number(s_isn + 1)),
        to_server(
            TcpSpec::psh_ack()
                .seq(c_isn + 1)
                .ack_number(s_isn + 1)
                .payload(req),
        ),
        to_client(
            TcpSpec::psh_ack()
                .seq(s_isn + 1)
                .ack_number(c_isn + 1 + req_len)
                .payload(resp),
        ),
    ];
    for (i, f) in frames.iter().enumerate() {
        out.write(micros + i as u64 * 1_000, f)?;
    }
    Ok(())
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp/syn_flood.pcap"));
    let n_syns: u64 = args
        .next()
        .map(|s| s.parse().expect("n_syns is a number"))
        .unwrap_or(2_000_000);

    let file = BufWriter::with_capacity(1 << 20, File::create(&path)?);
    let mut out = Out {
        w: PcapWriter::new(file, LinkType::ETHERNET, TsPrecision::Micro)?,
        packets: 0,
    };
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let legit_every = (n_syns / LEGIT).max(1);
    let mut legit_sent = 0u64;
    for i in 0..n_syns {
        let micros = i * 1_000_000 / SYNS_PER_SEC;
        if i % legit_every == legit_every / 2 && legit_sent < LEGIT {
            legit(&mut out, micros, (legit_sent + 1) as u8)?;
            legit_sent += 1;
        }
        let r = rng.next();
        let src = ((r >> 32) as u32).to_be_bytes();
        let sport = (r & 0xffff) as u16 | 1024;
        let seq = (r >> 16) as u32;
        let frame = PacketBuilder::ipv4(src, SERVER)
            .tcp(sport, 80, TcpSpec::syn().seq(seq))
            .ethernet();
        out.write(micros, &frame)?;
    }
    let end = n_syns * 1_000_000 / SYNS_PER_SEC;
    while legit_sent < LEGIT {
        legit(&mut out, end + legit_sent * 10_000, (legit_sent + 1) as u8)?;
        legit_sent += 1;
    }
    let packets = out.packets;
    out.w.into_inner()?;
    println!(
        "wrote {} ({packets} packets: {n_syns} flood SYNs, {LEGIT} legitimate connections of 5 packets)",
        path.display()
    );
    Ok(())
}
