//! Inline (IPS) mode on capture files through the binary:
//! `rulewire run --simulate-ips -r IN.pcap -w OUT.pcap`. OUT.pcap is read
//! back with `CaptureFile` and compared with the input and with hand-made
//! expectations; every case runs with one and two worker threads, which
//! must write the same OUT.pcap.

use std::path::{Path, PathBuf};
use std::process::Command;

use rulewire::capture::{CaptureFile, LinkType, PcapWriter, Timestamp, TsPrecision};
use rulewire::decode::craft::{PacketBuilder, TcpSpec};

const CLIENT: [u8; 4] = [10, 0, 0, 1];
const SERVER: [u8; 4] = [10, 0, 0, 2];

/// What one run left behind.
struct Run {
    /// OUT.pcap's records: (seconds, microseconds, bytes).
    out: Vec<(u64, u32, Vec<u8>)>,
    stats: serde_json::Value,
    alerts: Vec<serde_json::Value>,
    stderr: String,
}

fn records(path: &Path) -> Vec<(u64, u32, Vec<u8>)> {
    let f = CaptureFile::open(path).unwrap();
    f.packets()
        .map(|p| {
            let p = p.unwrap();
            (p.ts.secs(), p.ts.micros(), p.data.to_vec())
        })
        .collect()
}

fn run(dir: &Path, input: &Path, rules: &str, threads: usize) -> Run {
    let tag = format!("t{threads}");
    let rules_path = dir.join(format!("{tag}.rules"));
    std::fs::write(&rules_path, rules).unwrap();
    let log = dir.join(format!("{tag}-log"));
    let out_path = dir.join(format!("{tag}-out.pcap"));
    let out = Command::new(env!("CARGO_BIN_EXE_rulewire"))
        .arg("run")
        .arg("--simulate-ips")
        .arg("-r")
        .arg(input)
        .arg("-S")
        .arg(&rules_path)
        .arg("-l")
        .arg(&log)
        .arg("-w")
        .arg(&out_path)
        .args(["-k", "none", "--threads", &threads.to_string()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "rulewire failed: {stderr}");
    let stats =
        serde_json::from_str(&std::fs::read_to_string(log.join("stats.json")).unwrap()).unwrap();
    let alerts = std::fs::read_to_string(log.join("eve.json"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["event_type"] == "alert")
        .collect();
    Run {
        out: records(&out_path),
        stats,
        alerts,
        stderr,
    }
}

/// Runs with 1 and 2 threads; asserts both wrote the same OUT.pcap and
/// that `ips.*` add up to `decoder.pkts`; gives the one-thread run.
fn run_both(dir: &Path, input: &Path, rules: &str) -> Run {
    let one = run(dir, input, rules, 1);
    let two = run(dir, input, rules, 2);
    assert_eq!(one.out, two.out, "OUT.pcap differs between 1 and 2 threads");
    assert_eq!(one.stats["ips"], two.stats["ips"]);
    let n = |v: &serde_json::Value| v.as_u64().unwrap_or(0);
    let ips = &one.stats["ips"];
    assert_eq!(
        n(&ips["accepted"]) + n(&ips["blocked"]) + n(&ips["rejected"]),
        n(&one.stats["decoder"]["pkts"]),
        "ips counters must add up to the packets read: {}",
        one.stats
    );
    one
}

fn write_pcap(path: &Path, frames: &[Vec<u8>]) -> Vec<(u64, u32, Vec<u8>)> {
    let mut w = PcapWriter::new(
        std::fs::File::create(path).unwrap(),
        LinkType::ETHERNET,
        TsPrecision::Micro,
    )
    .unwrap();
    let mut recs = Vec::new();
    for (i, f) in frames.iter().enumerate() {
        let ts = Timestamp::from_micros(1_700_000_000 + i as u64, 250);
        w.write_packet(ts, f, f.len() as u32).unwrap();
        recs.push((ts.secs(), ts.micros(), f.clone()));
    }
    w.into_inner().unwrap();
    recs
}

fn to_server(spec: TcpSpec) -> Vec<u8> {
    PacketBuilder::ipv4(CLIENT, SERVER)
        .tcp(40000, 80, spec)
        .ethernet()
}

fn to_client(spec: TcpSpec) -> Vec<u8> {
    PacketBuilder::ipv4(SERVER, CLIENT)
        .tcp(80, 40000, spec)
        .ethernet()
}

/// A handshake (client seq 1000, server seq 5000), then `data` packets
/// from the client, each with its payload, seq advancing.
fn session(data: &[&[u8]]) -> Vec<Vec<u8>> {
    let mut frames = vec![
        to_server(TcpSpec::syn().seq(1000)),
        to_client(TcpSpec::syn_ack().seq(5000).ack_number(1001)),
        to_server(TcpSpec::ack().seq(1001).ack_number(5001)),
    ];
    let mut seq = 1001u32;
    for d in data {
        frames.push(to_server(
            TcpSpec::psh_ack().seq(seq).ack_number(5001).payload(d),
        ));
        seq += d.len() as u32;
    }
    frames
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[test]
fn marker_drop_on_the_port0_wave() {
    let input = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("pcaps/certpl-port0-wave.pcap");
    let dir = tmp();
    let rules = "drop tcp any any -> any any (msg:\"port-0 wave marker\"; content:\"|A0 02 7D 78|\"; sid:1000900; rev:1;)\n";
    let r = run_both(dir.path(), &input, rules);
    let inp = records(&input);
    assert_eq!(inp.len(), 965, "the wave capture (pcaps/README.md)");
    assert_eq!(r.stats["decoder"]["pkts"], 965);

    // OUT.pcap is the input minus the blocked frames: same bytes, same
    // timestamps, same order, nothing added (no reject rule).
    let mut kept = Vec::new();
    let mut it = inp.iter().enumerate();
    for o in &r.out {
        let (i, _) = it
            .by_ref()
            .find(|(_, p)| *p == o)
            .expect("every OUT.pcap record is an input record, in input order");
        kept.push(i as u64 + 1);
    }
    assert_eq!(
        r.stats["ips"]["accepted"].as_u64(),
        Some(r.out.len() as u64)
    );
    assert_eq!(r.stats["ips"]["rejected"], serde_json::Value::Null);
    let blocked = r.stats["ips"]["blocked"].as_u64().unwrap();
    assert_eq!(blocked + r.out.len() as u64, 965);

    // Every packet the rule fired on carries the marker, is reported
    // `blocked`, and is not in OUT.pcap.
    assert!(!r.alerts.is_empty(), "the marker rule fires");
    for a in &r.alerts {
        assert_eq!(a["alert"]["action"], "blocked", "{a}");
        assert_eq!(a["alert"]["signature_id"], 1000900);
        let cnt = a["pcap_cnt"].as_u64().unwrap();
        let data = &inp[cnt as usize - 1].2;
        assert!(
            data.windows(4).any(|w| w == [0xA0, 0x02, 0x7D, 0x78]),
            "alert on packet {cnt} without the marker"
        );
        assert!(!kept.contains(&cnt), "blocked packet {cnt} in OUT.pcap");
    }
    assert!(blocked >= r.alerts.len() as u64);
    assert!(r.stderr.contains("reject answers written"), "{}", r.stderr);
}

#[test]
fn marker_drop_removes_the_packet_and_the_rest_of_its_flow() {
    let dir = tmp();
    let input = dir.path().join("in.pcap");
    let frames = session(&[b"first", b"xx\xA0\x02\x7D\x78", b"last"]);
    let recs = write_pcap(&input, &frames);
    let rules = "drop tcp any any -> any any (content:\"|A0 02 7D 78|\"; sid:7; rev:1;)\n";
    let r = run_both(dir.path(), &input, rules);
    // Frame 5 (the marked one) and frame 6 (the rest of its flow: a
    // payload match on TCP is a stream match, its drop acts on the flow)
    // are dropped. Suricata 8.0.6 --simulate-ips on the same capture:
    // ips.accepted 4, ips.blocked 2 (drop_reason rules 1, flow_drop 1).
    assert_eq!(r.out, recs[..4].to_vec());
    assert_eq!(r.stats["ips"]["accepted"], 4);
    assert_eq!(r.stats["ips"]["blocked"], 2);
    assert_eq!(r.alerts.len(), 1);
    assert_eq!(r.alerts[0]["pcap_cnt"], 5);
    assert_eq!(r.alerts[0]["alert"]["action"], "blocked");
}

#[test]
fn reject_writes_a_rst_right_after_the_rejected_packet() {
    let dir = tmp();
    let input = dir.path().join("in.pcap");
    let frames = session(&[b"attack!", b"more"]);
    let recs = write_pcap(&input, &frames);
    let rules = "reject tcp any any -> any any (content:\"attack\"; sid:8; rev:1;)\n";
    let r = run_both(dir.path(), &input, rules);
    // Suricata 8.0.6 on the same capture: ips.accepted 3, ips.rejected 1,
    // ips.blocked 1 (the packet after it: its flow is dropped).
    assert_eq!(r.stats["ips"]["accepted"], 3);
    assert_eq!(r.stats["ips"]["rejected"], 1);
    assert_eq!(r.stats["ips"]["blocked"], 1);
    assert_eq!(r.out.len(), 4, "3 accepted + 1 RST");
    assert_eq!(&r.out[..3], &recs[..3]);
    let (secs, micros, rst) = &r.out[3];
    assert_eq!(
        (*secs, *micros),
        (recs[3].0, recs[3].1),
        "rejected packet's time"
    );
    // Ethernet, IPv4 without options, TCP.
    assert_eq!(&rst[12..14], &[0x08, 0x00]);
    assert_eq!(&rst[0..6], &frames[3][6..12], "to the client's MAC");
    let ip = &rst[14..];
    assert_eq!(ip[9], 6);
    assert_eq!(&ip[12..16], &SERVER, "from the server");
    assert_eq!(&ip[16..20], &CLIENT, "to the client");
    let tcp = &ip[20..];
    assert_eq!(u16::from_be_bytes([tcp[0], tcp[1]]), 80);
    assert_eq!(u16::from_be_bytes([tcp[2], tcp[3]]), 40000);
    // Suricata's reject to the source: seq = the packet's ack (5001),
    // ack = its seq + payload length (1001 + 7).
    assert_eq!(u32::from_be_bytes(tcp[4..8].try_into().unwrap()), 5001);
    assert_eq!(u32::from_be_bytes(tcp[8..12].try_into().unwrap()), 1008);
    assert_eq!(tcp[13], 0x14, "RST|ACK");
    assert_eq!(r.alerts.len(), 1);
    assert_eq!(r.alerts[0]["alert"]["action"], "blocked");
}

#[test]
fn pass_wins_over_drop_and_passes_the_flow() {
    let dir = tmp();
    let input = dir.path().join("in.pcap");
    let frames = session(&[b"hello", b"bye"]);
    let recs = write_pcap(&input, &frames);
    // Default action-order: pass, drop, reject, alert. The pass on
    // "hello" wins over the drop on the same packet (neither alerts nor
    // drops) and, a stream match, passes the flow: "bye" is not inspected.
    // Suricata 8.0.6: no alert, ips.accepted 5.
    let rules = "drop tcp any any -> any any (content:\"hello\"; sid:10; rev:1;)\n\
                 pass tcp any any -> any any (content:\"hello\"; sid:11; rev:1;)\n\
                 drop tcp any any -> any any (content:\"bye\"; sid:12; rev:1;)\n";
    let r = run_both(dir.path(), &input, rules);
    assert_eq!(r.out, recs);
    assert_eq!(r.stats["ips"]["accepted"], 5);
    assert_eq!(r.stats["ips"]["blocked"], serde_json::Value::Null);
    assert!(r.alerts.is_empty(), "{:?}", r.alerts);
}

#[test]
fn write_needs_simulate_ips() {
    let dir = tmp();
    let input = dir.path().join("in.pcap");
    write_pcap(&input, &session(&[]));
    let out = Command::new(env!("CARGO_BIN_EXE_rulewire"))
        .arg("run")
        .arg("-r")
        .arg(&input)
        .arg("-l")
        .arg(dir.path().join("log"))
        .arg("-w")
        .arg(dir.path().join("out.pcap"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--simulate-ips"), "{err}");
    assert!(!dir.path().join("out.pcap").exists());
}
