//! How fast the writers format alerts (ignored by default; a measurement,
//! not a check): `cargo test --release --test output_throughput -- --ignored --nocapture`.

use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr};
use std::time::Instant;

use rulewire::output::{
    AlertRecord, AlertSink, Direction, Eve, EveFormat, EveOptions, FastLog, FastLogFormat,
    FlowCounters, FlowInfo, IpInfo, Transport, UtcOffset,
};

struct Discard;

impl Write for Discard {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Ok(std::hint::black_box(buf).len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn record(i: u64) -> AlertRecord<'static> {
    AlertRecord {
        ts_secs: 1_700_000_000 + i / 1000,
        ts_nanos: (i % 1000) as u32 * 1000,
        pcap_cnt: i + 1,
        sid: 2_100_498,
        rev: 7,
        msg: Some("GPL ATTACK_RESPONSE id check returned root"),
        class_desc: Some("Potentially Bad Traffic"),
        priority: 2,
        ip: Some(IpInfo {
            src: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)),
            dst: IpAddr::V4(Ipv4Addr::new(192, 168, 100, 200)),
            proto: 6,
            transport: Transport::Ports {
                src: 80,
                dst: 51234,
            },
        }),
        flow: Some(FlowInfo {
            flow_id: 1_234_567_890_123,
            direction: Direction::ToClient,
            app_proto: Some("http"),
            counters: Some(FlowCounters {
                pkts_toserver: 4,
                pkts_toclient: 3,
                bytes_toserver: 400,
                bytes_toclient: 3000,
                start_secs: 1_699_999_999,
                start_nanos: 5,
            }),
        }),
        ..AlertRecord::default()
    }
}

fn measure(name: &str, sink: &mut dyn AlertSink) {
    const N: u64 = 1_000_000;
    let start = Instant::now();
    for i in 0..N {
        sink.alert(&record(i)).unwrap();
    }
    sink.flush().unwrap();
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "{name}: {N} alerts in {secs:.3} s = {:.0} ns/alert, {:.2} M alerts/s",
        secs * 1e9 / N as f64,
        N as f64 / secs / 1e6
    );
}

#[test]
#[ignore = "measurement; run with --release --ignored --nocapture"]
fn formatting_throughput() {
    measure(
        "fast.log",
        &mut FastLog::new(FastLogFormat::default(), Discard),
    );
    measure(
        "eve (default options: flow object)",
        &mut Eve::new(
            EveFormat::new(EveOptions::default(), UtcOffset::UTC),
            Discard,
        ),
    );
}
