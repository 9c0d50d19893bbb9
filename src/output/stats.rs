//! End-of-run counters: the nested `stats.json` document, and the short
//! human summary printed to stderr.
//!
//! [`StatsDoc`] assembles Suricata's stats layout from the counter sections
//! other modules hand over as `serde_json::Value` objects (`decoder`,
//! `flow`, `defrag`, `tcp`, ...) plus `detect.alert`, the alerts raised.
//! Counter names are Suricata's (`decoder.pkts`, `decoder.event.ipv4.
//! trunc_pkt`, `flow.tcp`); this module does not know them, it only merges.
//!
//! Written form ([`StatsDoc::to_json_pretty`]): keys sorted, one space of
//! indent per level, no trailing newline, the layout of the conformance
//! cases' `expected-stats.json`, so the two compare as text. Zero counters
//! can be dropped first ([`StatsDoc::drop_zeros`]), as those files do.

use std::fmt;
use std::io;
use std::path::Path;
use std::time::Duration;

use serde::Serialize;
use serde_json::{Map, Value};

/// Why a section could not be merged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StatsError {
    /// A section was not a JSON object.
    #[error("stats section `{path}` is not an object")]
    NotAnObject {
        /// Dotted path of the section.
        path: String,
    },
    /// The same dotted name is a counter on one side and a group on the
    /// other, or a non-number on both.
    #[error("stats counter `{path}` clashes: {existing} vs {incoming}")]
    Clash {
        /// Dotted path of the clashing entry.
        path: String,
        /// JSON type already there.
        existing: &'static str,
        /// JSON type being merged.
        incoming: &'static str,
    },
}

/// A nested counter document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StatsDoc {
    root: Map<String, Value>,
}

impl StatsDoc {
    /// An empty document.
    pub fn new() -> StatsDoc {
        StatsDoc::default()
    }

    /// Merges `section` (an object) under the dotted `path` (`""` for the
    /// top level, `"decoder"`, `"flow.mgr"`...).
    ///
    /// Objects merge key by key. Where both sides hold a number the two are
    /// **added**, so per-worker sections can be merged one after another;
    /// hand over gauges and averages (`memuse`, `avg_pkt_size`,
    /// `max_pkt_size`) already combined, once.
    ///
    /// # Errors
    /// [`StatsError::NotAnObject`] when `section` is not an object, and
    /// [`StatsError::Clash`] when a name is a number on one side and an
    /// object on the other (the document keeps what merged before it).
    pub fn merge(&mut self, path: &str, section: Value) -> Result<(), StatsError> {
        let Value::Object(incoming) = section else {
            return Err(StatsError::NotAnObject {
                path: path.to_owned(),
            });
        };
        let (target, prefix) = self.object_at(path)?;
        merge_objects(target, incoming, &prefix)
    }

    /// Sets the counter at dotted `path` to `value`, creating groups on the
    /// way.
    ///
    /// # Errors
    /// [`StatsError::Clash`] when a group on the way is a counter.
    pub fn set(&mut self, path: &str, value: u64) -> Result<(), StatsError> {
        let (parent, leaf) = match path.rsplit_once('.') {
            Some((parent, leaf)) => (parent, leaf),
            None => ("", path),
        };
        let (map, _) = self.object_at(parent)?;
        if let Some(Value::Object(_)) = map.get(leaf) {
            return Err(StatsError::Clash {
                path: path.to_owned(),
                existing: "object",
                incoming: "number",
            });
        }
        map.insert(leaf.to_owned(), Value::from(value));
        Ok(())
    }

    /// Sets `detect.alert`, the number of alerts raised.
    ///
    /// # Errors
    /// [`StatsError::Clash`] when `detect` is already a counter.
    pub fn set_alerts(&mut self, alerts: u64) -> Result<(), StatsError> {
        self.set("detect.alert", alerts)
    }

    /// The value at dotted `path`, if any.
    pub fn get(&self, path: &str) -> Option<&Value> {
        let mut parts = path.split('.');
        let mut cur = self.root.get(parts.next()?)?;
        for part in parts {
            cur = cur.as_object()?.get(part)?;
        }
        Some(cur)
    }

    /// The counter at dotted `path`; an absent counter is 0, as Suricata's
    /// stats leave zeros out.
    pub fn counter(&self, path: &str) -> u64 {
        self.get(path).and_then(Value::as_u64).unwrap_or(0)
    }

    /// Removes zero counters, then groups left empty.
    pub fn drop_zeros(&mut self) {
        prune(&mut self.root);
    }

    /// Every counter as (dotted name, value), sorted by name.
    pub fn flatten(&self) -> Vec<(String, Value)> {
        let mut out = Vec::new();
        flatten_into(&self.root, &mut String::new(), &mut out);
        out
    }

    /// The document as a JSON value.
    pub fn as_value(&self) -> Value {
        Value::Object(self.root.clone())
    }

    /// The written form: sorted keys, one-space indent, no final newline.
    pub fn to_json_pretty(&self) -> String {
        let mut out = Vec::new();
        let fmt = serde_json::ser::PrettyFormatter::with_indent(b" ");
        let mut ser = serde_json::Serializer::with_formatter(&mut out, fmt);
        // Serializing a Map of Values into a Vec cannot fail.
        if self.root.serialize(&mut ser).is_err() {
            return String::from("{}");
        }
        String::from_utf8(out).unwrap_or_else(|_| String::from("{}"))
    }

    /// Writes [`to_json_pretty`](StatsDoc::to_json_pretty) to `path`.
    ///
    /// # Errors
    /// The error of writing the file, with its path.
    pub fn write_file(&self, path: &Path) -> io::Result<()> {
        std::fs::write(path, self.to_json_pretty())
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))
    }

    /// The object at dotted `path`, created if absent, and the path prefix
    /// for error messages.
    fn object_at(&mut self, path: &str) -> Result<(&mut Map<String, Value>, String), StatsError> {
        let mut cur = &mut self.root;
        let mut seen = String::new();
        for part in path.split('.').filter(|p| !p.is_empty()) {
            if !seen.is_empty() {
                seen.push('.');
            }
            seen.push_str(part);
            let entry = cur
                .entry(part.to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            cur = match entry {
                Value::Object(map) => map,
                other => {
                    return Err(StatsError::Clash {
                        path: seen,
                        existing: type_name(other),
                        incoming: "object",
                    })
                }
            };
        }
        Ok((cur, seen))
    }
}

fn merge_objects(
    target: &mut Map<String, Value>,
    incoming: Map<String, Value>,
    prefix: &str,
) -> Result<(), StatsError> {
    for (key, value) in incoming {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match target.get_mut(&key) {
            None => {
                target.insert(key, value);
            }
            Some(existing) => match (existing, value) {
                (Value::Object(a), Value::Object(b)) => merge_objects(a, b, &path)?,
                (Value::Number(a), Value::Number(b)) => {
                    *a = add_numbers(a, &b);
                }
                (a, b) => {
                    return Err(StatsError::Clash {
                        path,
                        existing: type_name(a),
                        incoming: type_name(&b),
                    })
                }
            },
        }
    }
    Ok(())
}

fn add_numbers(a: &serde_json::Number, b: &serde_json::Number) -> serde_json::Number {
    if let (Some(x), Some(y)) = (a.as_u64(), b.as_u64()) {
        return serde_json::Number::from(x.saturating_add(y));
    }
    if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
        return serde_json::Number::from(x.saturating_add(y));
    }
    let sum = a.as_f64().unwrap_or(0.0) + b.as_f64().unwrap_or(0.0);
    serde_json::Number::from_f64(sum).unwrap_or_else(|| serde_json::Number::from(0))
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn is_zero(v: &Value) -> bool {
    match v {
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::Object(m) => m.is_empty(),
        _ => false,
    }
}

fn prune(map: &mut Map<String, Value>) {
    for value in map.values_mut() {
        if let Value::Object(inner) = value {
            prune(inner);
        }
    }
    map.retain(|_, v| !is_zero(v));
}

fn flatten_into(map: &Map<String, Value>, prefix: &mut String, out: &mut Vec<(String, Value)>) {
    for (key, value) in map {
        let len = prefix.len();
        if !prefix.is_empty() {
            prefix.push('.');
        }
        prefix.push_str(key);
        match value {
            Value::Object(inner) => flatten_into(inner, prefix, out),
            other => out.push((prefix.clone(), other.clone())),
        }
        prefix.truncate(len);
    }
}

/// The one-paragraph end-of-run summary for stderr.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunSummary {
    /// Packets read.
    pub packets: u64,
    /// Bytes read (captured lengths).
    pub bytes: u64,
    /// Alerts raised.
    pub alerts: u64,
    /// Packets with a decoder error (Suricata's `decoder.invalid`).
    pub invalid: u64,
    /// Flows created.
    pub flows: u64,
    /// Wall-clock time of the run.
    pub elapsed: Duration,
}

impl fmt::Display for RunSummary {
    /// `1234 packets (1.2 MB), 5 alerts, 0 invalid, 3 flows in 0.52 s
    /// (2373 pps, 18.5 Mbit/s)`; the rates are left out for a zero time.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} packets ({}), {} alerts, {} invalid, {} flows in {:.2} s",
            self.packets,
            ByteSize(self.bytes),
            self.alerts,
            self.invalid,
            self.flows,
            self.elapsed.as_secs_f64()
        )?;
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            let pps = self.packets as f64 / secs;
            let mbit = self.bytes as f64 * 8.0 / secs / 1e6;
            write!(f, " ({pps:.0} pps, {mbit:.1} Mbit/s)")?;
        }
        Ok(())
    }
}

/// Bytes in decimal units (B, kB, MB, GB, TB), one decimal above bytes.
struct ByteSize(u64);

impl fmt::Display for ByteSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [&str; 4] = ["kB", "MB", "GB", "TB"];
        if self.0 < 1000 {
            return write!(f, "{} B", self.0);
        }
        let mut v = self.0 as f64 / 1000.0;
        let mut unit = UNITS[0];
        for next in UNITS.iter().skip(1) {
            if v < 1000.0 {
                break;
            }
            v /= 1000.0;
            unit = next;
        }
        write!(f, "{v:.1} {unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merges_sections_and_sets_alerts() {
        let mut doc = StatsDoc::new();
        doc.merge("decoder", json!({"pkts": 10, "bytes": 1087, "ipv4": 10}))
            .unwrap();
        doc.merge("flow", json!({"tcp": 1, "mgr": {"rows_maxlen": 1}}))
            .unwrap();
        doc.merge("flow.end", json!({"state": {"established": 1}}))
            .unwrap();
        doc.set_alerts(2).unwrap();
        assert_eq!(doc.counter("decoder.pkts"), 10);
        assert_eq!(doc.counter("flow.end.state.established"), 1);
        assert_eq!(doc.counter("flow.mgr.rows_maxlen"), 1);
        assert_eq!(doc.counter("detect.alert"), 2);
        assert_eq!(doc.counter("decoder.udp"), 0);
        let names: Vec<String> = doc.flatten().into_iter().map(|(k, _)| k).collect();
        assert_eq!(
            names,
            [
                "decoder.bytes",
                "decoder.ipv4",
                "decoder.pkts",
                "detect.alert",
                "flow.end.state.established",
                "flow.mgr.rows_maxlen",
                "flow.tcp"
            ]
        );
    }

    #[test]
    fn numbers_add_up_across_workers() {
        let mut doc = StatsDoc::new();
        doc.merge(
            "decoder",
            json!({"pkts": 4, "event": {"ipv4": {"trunc_pkt": 1}}}),
        )
        .unwrap();
        doc.merge(
            "decoder",
            json!({"pkts": 6, "event": {"ipv4": {"trunc_pkt": 2}}}),
        )
        .unwrap();
        doc.merge("", json!({"decoder": {"tcp": 1}})).unwrap();
        assert_eq!(doc.counter("decoder.pkts"), 10);
        assert_eq!(doc.counter("decoder.event.ipv4.trunc_pkt"), 3);
        assert_eq!(doc.counter("decoder.tcp"), 1);
    }

    #[test]
    fn clashes_are_errors() {
        let mut doc = StatsDoc::new();
        doc.merge("decoder", json!({"pkts": 1})).unwrap();
        let err = doc.merge("decoder", json!({"pkts": {"x": 1}})).unwrap_err();
        assert_eq!(
            err.to_string(),
            "stats counter `decoder.pkts` clashes: number vs object"
        );
        let err = doc.merge("decoder.pkts", json!({"x": 1})).unwrap_err();
        assert!(matches!(err, StatsError::Clash { ref path, .. } if path == "decoder.pkts"));
        assert!(matches!(
            doc.merge("flow", json!(3)),
            Err(StatsError::NotAnObject { .. })
        ));
        assert!(doc.set("decoder", 1).is_err());
    }

    #[test]
    fn written_form_matches_conformance_layout() {
        let mut doc = StatsDoc::new();
        doc.merge("tcp", json!({"syn": 1, "memuse": 0})).unwrap();
        doc.merge(
            "decoder",
            json!({"pkts": 10, "ipv6": 0, "event": {"ipv4": {"opt_pad_required": 0}}}),
        )
        .unwrap();
        doc.set_alerts(2).unwrap();
        doc.drop_zeros();
        assert_eq!(
            doc.to_json_pretty(),
            "{\n \"decoder\": {\n  \"pkts\": 10\n },\n \"detect\": {\n  \"alert\": 2\n },\n \"tcp\": {\n  \"syn\": 1\n }\n}"
        );
    }

    #[test]
    fn write_file_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stats.json");
        let mut doc = StatsDoc::new();
        doc.set("decoder.pkts", 3).unwrap();
        doc.write_file(&path).unwrap();
        let back: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(back, json!({"decoder": {"pkts": 3}}));
    }

    #[test]
    fn summary_text() {
        let s = RunSummary {
            packets: 1234,
            bytes: 1_200_000,
            alerts: 5,
            invalid: 0,
            flows: 3,
            elapsed: Duration::from_millis(500),
        };
        // 1234 / 0.5 = 2468 pps; 1.2e6 * 8 / 0.5 / 1e6 = 19.2 Mbit/s.
        assert_eq!(
            s.to_string(),
            "1234 packets (1.2 MB), 5 alerts, 0 invalid, 3 flows in 0.50 s (2468 pps, 19.2 Mbit/s)"
        );
        let zero = RunSummary::default();
        assert_eq!(
            zero.to_string(),
            "0 packets (0 B), 0 alerts, 0 invalid, 0 flows in 0.00 s"
        );
        assert_eq!(ByteSize(999).to_string(), "999 B");
        assert_eq!(ByteSize(1_000).to_string(), "1.0 kB");
        assert_eq!(ByteSize(2_500_000_000).to_string(), "2.5 GB");
        assert_eq!(ByteSize(u64::MAX).to_string(), "18446744.1 TB");
    }
}
