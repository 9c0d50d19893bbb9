//! Writing alerts allocates nothing in steady state: after a warm-up alert
//! has sized the writers' buffers, a thousand more (fast.log and EVE with
//! every option on, through a `MultiSink`) make zero heap allocations on
//! this thread. Checked with a counting global allocator, which only this
//! test binary installs.

#[path = "common/alloc.rs"]
mod alloc_count;

use std::io::{self, Write};
use std::net::{IpAddr, Ipv6Addr};

use rulewire::output::{
    AlertAction, AlertRecord, AlertSink, Direction, Eve, EveFormat, EveOptions, FastLog,
    FastLogFormat, FlowCounters, FlowInfo, IpInfo, MultiSink, Transport, UtcOffset,
};

/// A writer that keeps nothing, so the test measures the output path only.
struct Discard(u64);

impl Write for Discard {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn steady_state_alerts_do_not_allocate() {
    alloc_count::assert_counter_works();
    let payload = vec![b'A'; 1400];
    let packet = vec![0x45u8; 1454];
    let rec = AlertRecord {
        ts_secs: 1_700_000_000,
        ts_nanos: 1,
        pcap_cnt: 9,
        action: AlertAction::Drop,
        sid: 1,
        rev: 2,
        msg: Some("a fairly ordinary rule message with \"quotes\" and \\ backslashes"),
        class_desc: Some("Attempted Information Leak"),
        ip: Some(IpInfo {
            src: IpAddr::V6("2001:db8::1".parse::<Ipv6Addr>().unwrap()),
            dst: IpAddr::V6("2001:db8::2".parse::<Ipv6Addr>().unwrap()),
            proto: 6,
            transport: Transport::Ports {
                src: 443,
                dst: 50000,
            },
        }),
        flow: Some(FlowInfo {
            flow_id: 77,
            direction: Direction::ToServer,
            app_proto: Some("tls"),
            counters: Some(FlowCounters::default()),
        }),
        payload: Some(&payload),
        packet: Some(&packet),
        ..AlertRecord::default()
    };
    let all = EveOptions {
        flow: true,
        payload: true,
        payload_printable: true,
        packet: true,
    };
    let mut fast = FastLog::new(FastLogFormat::default(), Discard(0));
    let mut eve = Eve::new(EveFormat::new(all, UtcOffset::UTC), Discard(0));
    let allocs = {
        let mut tee = MultiSink::new().with(&mut fast).with(&mut eve);
        tee.alert(&rec).unwrap(); // warm-up: sizes the scratch buffers
        alloc_count::allocations_in(|| {
            for i in 0..1000u64 {
                let r = AlertRecord { pcap_cnt: i, ..rec };
                tee.alert(&r).unwrap();
            }
            tee.flush().unwrap();
        })
    };
    assert_eq!(allocs, 0, "allocations while writing 1000 alerts");
    assert_eq!(fast.lines(), 1001);
    assert_eq!(eve.lines(), 1001);
    let eve_bytes = eve.into_inner().unwrap().0;
    // Each EVE record carries the payload and packet in base64 (4/3 of
    // their size), so the bytes written prove the records were complete.
    assert!(eve_bytes > 1001 * (1400 + 1454) * 4 / 3, "{eve_bytes}");
}
