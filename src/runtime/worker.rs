//! One worker: the per-packet path from raw bytes to verdicts.

use serde_json::{Map, Value};

use crate::capture::RawPacket;
use crate::decode::{decode, DecodeConfig, DecodeCounters};

/// Settings for the packet path, decided once per run.
#[derive(Clone, Debug, Default)]
pub struct PipelineConfig {
    /// Decoder settings (`-k`, `decoder.inspect-invalid`, tunnels).
    pub decode: DecodeConfig,
}

/// The per-thread state of the packet path. Owned by one thread; no locks.
#[derive(Debug)]
pub struct Worker {
    cfg: PipelineConfig,
    decode_counters: DecodeCounters,
}

impl Worker {
    /// A worker with empty state.
    pub fn new(cfg: &PipelineConfig) -> Worker {
        Worker {
            cfg: cfg.clone(),
            decode_counters: DecodeCounters::new(),
        }
    }

    /// Runs one packet through the pipeline.
    pub fn process(&mut self, pkt: &RawPacket<'_>) {
        let decoded = decode(pkt.linktype, pkt.data, &self.cfg.decode);
        self.decode_counters.record(&decoded, pkt.data.len());
    }

    /// Ends the run: flushes state that only ends with the input.
    pub fn finish(&mut self) {}

    /// Packets seen.
    pub fn packets(&self) -> u64 {
        self.decode_counters.get("decoder.pkts")
    }

    /// Captured bytes seen.
    pub fn bytes(&self) -> u64 {
        self.decode_counters.get("decoder.bytes")
    }

    /// Every counter, in Suricata's nested stats layout, zeros left out.
    pub fn stats_json(&self) -> Value {
        let mut root = Map::new();
        merge_into(&mut root, self.decode_counters.to_json());
        Value::Object(root)
    }
}

/// Merges `section` (a nested object) into `root`, key by key.
fn merge_into(root: &mut Map<String, Value>, section: Value) {
    let Value::Object(section) = section else {
        return;
    };
    for (k, v) in section {
        match (root.get_mut(&k), v) {
            (Some(Value::Object(dst)), Value::Object(src)) => {
                merge_into(dst, Value::Object(src));
            }
            (_, v) => {
                root.insert(k, v);
            }
        }
    }
}
