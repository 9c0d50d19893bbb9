//! latency: per-packet processing time, recorded per worker in an HDR
//! histogram (nanoseconds, 3 significant digits) and merged at the end.
//!
//! The recorded time is one frame's trip through [`Worker::process`]
//! (decode, defrag, flow, detection, alert formatting); queueing between
//! threads is not included. Values above an hour are clamped to an hour.
//!
//! [`Worker::process`]: super::Worker::process

use std::time::Instant;

use hdrhistogram::Histogram;
use serde::Serialize;

use crate::output::StatsDoc;

/// Largest recorded value: one hour in nanoseconds.
const MAX_NS: u64 = 3_600_000_000_000;

/// One worker's (or a merged) latency histogram.
#[derive(Debug, Clone)]
pub struct Latency {
    hist: Histogram<u64>,
}

/// Percentiles of per-packet processing time, in nanoseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LatencySummary {
    /// Packets measured.
    pub count: u64,
    /// Median.
    pub p50_ns: u64,
    /// 90th percentile.
    pub p90_ns: u64,
    /// 99th percentile.
    pub p99_ns: u64,
    /// 99.9th percentile.
    pub p99_9_ns: u64,
    /// Largest.
    pub max_ns: u64,
}

impl Default for Latency {
    fn default() -> Latency {
        Latency::new()
    }
}

impl Latency {
    /// An empty histogram.
    pub fn new() -> Latency {
        Latency {
            hist: Histogram::new_with_bounds(1, MAX_NS, 3).expect("valid histogram bounds"),
        }
    }

    /// Records one packet's time in nanoseconds.
    #[inline]
    pub fn record(&mut self, ns: u64) {
        self.hist.saturating_record(ns.clamp(1, MAX_NS));
    }

    /// Records the time from `t0` until now (one packet's trip).
    #[inline]
    pub fn record_since(&mut self, t0: Instant) {
        self.record(u64::try_from(t0.elapsed().as_nanos()).unwrap_or(u64::MAX));
    }

    /// Adds another histogram's counts.
    pub fn merge(&mut self, other: &Latency) {
        // Same bounds on both sides: adding cannot fail.
        let _ = self.hist.add(&other.hist);
    }

    /// Packets recorded.
    pub fn count(&self) -> u64 {
        self.hist.len()
    }

    /// The percentiles.
    pub fn summary(&self) -> LatencySummary {
        if self.hist.is_empty() {
            return LatencySummary::default();
        }
        LatencySummary {
            count: self.hist.len(),
            p50_ns: self.hist.value_at_quantile(0.50),
            p90_ns: self.hist.value_at_quantile(0.90),
            p99_ns: self.hist.value_at_quantile(0.99),
            p99_9_ns: self.hist.value_at_quantile(0.999),
            max_ns: self.hist.max(),
        }
    }
}

impl LatencySummary {
    /// Adds the percentiles under `rulewire.latency_ns.*` in stats.json
    /// (our own section: Suricata has no such counters).
    pub fn add_to(&self, doc: &mut StatsDoc) {
        if self.count == 0 {
            return;
        }
        for (k, v) in [
            ("p50", self.p50_ns),
            ("p90", self.p90_ns),
            ("p99", self.p99_ns),
            ("p99_9", self.p99_9_ns),
            ("max", self.max_ns),
        ] {
            let _ = doc.set(&format!("rulewire.latency_ns.{k}"), v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_of_a_known_spread() {
        let mut a = Latency::new();
        let mut b = Latency::new();
        // 1..=1000 µs split over two workers.
        for i in 1..=1000u64 {
            if i % 2 == 0 { &mut a } else { &mut b }.record(i * 1000);
        }
        a.merge(&b);
        let s = a.summary();
        assert_eq!(s.count, 1000);
        // 3 significant digits: within 0.1%.
        let near = |got: u64, want: u64| got.abs_diff(want) * 1000 <= want;
        assert!(near(s.p50_ns, 500_000), "{s:?}");
        assert!(near(s.p90_ns, 900_000), "{s:?}");
        assert!(near(s.p99_ns, 990_000), "{s:?}");
        assert!(near(s.p99_9_ns, 999_000), "{s:?}");
        assert!(near(s.max_ns, 1_000_000), "{s:?}");
    }

    #[test]
    fn empty_and_huge_values() {
        assert_eq!(Latency::new().summary(), LatencySummary::default());
        let mut l = Latency::new();
        l.record(0);
        l.record(u64::MAX);
        assert_eq!(l.count(), 2);
        assert!(l.summary().max_ns >= MAX_NS);
        let mut doc = StatsDoc::new();
        l.summary().add_to(&mut doc);
        assert!(doc.counter("rulewire.latency_ns.max") >= MAX_NS);
    }
}
