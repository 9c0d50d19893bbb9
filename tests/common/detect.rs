//! The harness the detection tests share: load rules (no errors allowed),
//! build engines, feed hand-built Ethernet frames (or timed UDP packets,
//! [`Udp`]) through the real runtime `Worker` with an inspector, and a
//! sink recording `(packet number, sid)` per alert.
//! Included with `#[path = "common/detect.rs"] mod harness;` by the tests
//! that use it (not every test that includes `common`).

#![allow(dead_code)]

use rulewire::capture::{LinkType, RawPacket, Timestamp};
use rulewire::config::{Classifications, Vars};
use rulewire::decode::craft::PacketBuilder;
use rulewire::detect::prefilter::PrefilterSettings;
use rulewire::detect::{Detector, Engine, EngineBuilder};
use rulewire::output::{AlertRecord, AlertSink};
use rulewire::rule::{load_str, LoadOptions, RuleSet};
use rulewire::runtime::{Inspector, PipelineConfig, Worker};

/// Records `(packet number, sid)` per alert.
#[derive(Default)]
pub struct Sids(pub Vec<(u64, u32)>);

impl AlertSink for Sids {
    fn alert(&mut self, rec: &AlertRecord<'_>) -> std::io::Result<()> {
        self.0.push((rec.pcap_cnt, rec.sid));
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Loads `rules` with no variables; any rule error fails the test.
pub fn load(rules: &str) -> RuleSet {
    let vars = Vars::new();
    let set = load_str(rules, &LoadOptions::new(&vars));
    let errors: Vec<_> = set.errors().collect();
    assert!(errors.is_empty(), "{errors:?}");
    set
}

/// `set`'s engine with the prefilter on or off (and `settings`); a rule
/// the engine leaves inactive fails the test.
pub fn engine(set: &RuleSet, prefilter: bool, settings: PrefilterSettings) -> Engine {
    let engine = EngineBuilder { prefilter }
        .build_with(set, &Classifications::default(), settings)
        .unwrap();
    assert!(
        engine.inactive().is_empty(),
        "inactive: {:?}",
        engine.inactive()
    );
    engine
}

/// Runs `rules` over `packets` (see [`feed`]) with each of `engines`
/// (`(label, prefilter, settings)`), asserts that every one gives the
/// first one's alerts, and returns them sorted.
pub fn agreed_alerts(
    rules: &str,
    packets: &[Vec<u8>],
    engines: &[(&str, bool, PrefilterSettings)],
) -> Vec<(u64, u32)> {
    let set = load(rules);
    let mut out: Vec<Vec<(u64, u32)>> = Vec::new();
    for &(label, prefilter, settings) in engines {
        let det = Detector::new(
            std::sync::Arc::new(engine(&set, prefilter, settings)),
            Sids::default(),
        );
        let mut got = feed(det, packets).into_sink().0;
        got.sort_unstable();
        if let Some(first) = out.first() {
            assert_eq!(*first, got, "{} vs {label}", engines[0].0);
        }
        out.push(got);
    }
    out.swap_remove(0)
}

/// The engines most tests compare: the prefilter on, then off (default
/// settings), for [`agreed_alerts`].
pub fn prefilter_on_and_off() -> [(&'static str, bool, PrefilterSettings); 2] {
    [
        ("prefilter on", true, PrefilterSettings::default()),
        ("prefilter off", false, PrefilterSettings::default()),
    ]
}

/// Runs `packets` (Ethernet frames, numbered from 1, one second apart from
/// 1,700,000,000) through a default-configured worker with `inspector`,
/// ends every flow, and gives the inspector back.
pub fn feed<I: Inspector>(inspector: I, packets: &[Vec<u8>]) -> I {
    let frames = packets.iter().enumerate().map(|(i, p)| (i as u64, &p[..]));
    feed_at(inspector, frames, |_| {})
}

/// Runs `frames` (`(second, Ethernet frame)`, numbered from 1, at
/// 1,700,000,000 + second) through a default-configured worker with
/// `inspector`, calling `after` with the inspector after each; ends every
/// flow, and gives the inspector back.
pub fn feed_at<'p, I: Inspector>(
    inspector: I,
    frames: impl IntoIterator<Item = (u64, &'p [u8])>,
    mut after: impl FnMut(&I),
) -> I {
    let mut w = Worker::with_inspector(&PipelineConfig::default(), inspector);
    for (i, (t, data)) in frames.into_iter().enumerate() {
        w.process(&RawPacket {
            index: i as u64 + 1,
            ts: Timestamp::new(1_700_000_000 + t, 0),
            linktype: LinkType::ETHERNET,
            data,
            orig_len: data.len() as u32,
        });
        after(w.inspector());
    }
    w.finish();
    w.into_inspector()
}

/// One UDP packet `src:sport -> dst:dport` carrying `payload`, at second
/// `t` of a test (see [`feed_at`]).
#[derive(Debug, Clone, Copy)]
pub struct Udp {
    pub t: u64,
    pub src: [u8; 4],
    pub sport: u16,
    pub dst: [u8; 4],
    pub dport: u16,
    pub payload: &'static [u8],
}

/// [`Udp`] `src:sport -> dst:dport` carrying `payload` at second `t`.
pub fn udp_at(
    t: u64,
    src: [u8; 4],
    sport: u16,
    dst: [u8; 4],
    dport: u16,
    payload: &'static [u8],
) -> Udp {
    Udp {
        t,
        src,
        sport,
        dst,
        dport,
        payload,
    }
}

impl Udp {
    /// The packet as an Ethernet frame (IPv4, 14 + 20 + 8 bytes of
    /// headers before the payload).
    pub fn frame(&self) -> Vec<u8> {
        PacketBuilder::ipv4(self.src, self.dst)
            .udp(self.sport, self.dport, self.payload)
            .ethernet()
    }
}

/// Runs `pkts` (numbered from 1, at their seconds) through a
/// default-configured worker with `inspector`, calling `after` with the
/// inspector after each; ends every flow, and gives the inspector back.
pub fn feed_udp<I: Inspector>(inspector: I, pkts: &[Udp], after: impl FnMut(&I)) -> I {
    let frames: Vec<(u64, Vec<u8>)> = pkts.iter().map(|k| (k.t, k.frame())).collect();
    feed_at(inspector, frames.iter().map(|(t, f)| (*t, &f[..])), after)
}
