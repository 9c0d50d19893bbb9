//! The harness the detection tests share: load rules (no errors allowed),
//! feed hand-built Ethernet frames through the real runtime `Worker` with
//! an inspector, and a sink recording `(packet number, sid)` per alert.
//! Included with `#[path = "common/detect.rs"] mod harness;` by the tests
//! that use it (not every test that includes `common`).

#![allow(dead_code)]

use rulewire::capture::{LinkType, RawPacket, Timestamp};
use rulewire::config::{Classifications, Vars};
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

/// Runs `packets` (Ethernet frames, numbered from 1, one second apart from
/// 1,700,000,000) through a default-configured worker with `inspector`,
/// ends every flow, and gives the inspector back.
pub fn feed<I: Inspector>(inspector: I, packets: &[Vec<u8>]) -> I {
    let mut w = Worker::with_inspector(&PipelineConfig::default(), inspector);
    for (i, p) in packets.iter().enumerate() {
        w.process(&RawPacket {
            index: i as u64 + 1,
            ts: Timestamp::new(1_700_000_000 + i as u64, 0),
            linktype: LinkType::ETHERNET,
            data: p,
            orig_len: p.len() as u32,
        });
    }
    w.finish();
    w.into_inspector()
}
