//! Keywords about the rule rather than the traffic (`reference`,
//! `metadata`, `target`) and about how often it alerts (`threshold`,
//! `detection_filter`, `tag`).

use std::fmt;

use super::value::{commas, number, split_word, VResult, ValueError};

/// `reference:type,value`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Reference {
    /// `url`, `cve`, `bugtraq`, ...
    pub kind: String,
    /// The rest, as written.
    pub value: String,
}

/// Parses `reference`.
pub(crate) fn parse_reference(value: &str) -> VResult<Reference> {
    let (kind, rest) = value
        .split_once(',')
        .ok_or_else(|| ValueError::new("expected 'type,value'"))?;
    let (kind, rest) = (kind.trim(), rest.trim());
    if kind.is_empty() || rest.is_empty() {
        return Err(ValueError::new("expected 'type,value'"));
    }
    Ok(Reference {
        kind: kind.to_string(),
        value: rest.to_string(),
    })
}

/// The `metadata` entries of a rule (all its `metadata` options), in order.
///
/// Stored as one string plus offsets rather than a string per key and
/// value: ET rules carry ten entries each, and one allocation per rule
/// instead of twenty is a measurable part of loading ET Open. Entries are
/// `key value` (the value may be empty); blanks around them are trimmed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Metadata {
    /// Entries joined as `key value, key value`.
    text: String,
    /// Per entry: start of the key, end of the key, end of the value.
    spans: Vec<(u32, u32, u32)>,
}

impl Metadata {
    /// The entries as `(key, value)`.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.spans.iter().map(|&(k, ke, e)| {
            let key = self.text.get(k as usize..ke as usize).unwrap_or("");
            let value = self
                .text
                .get((ke as usize + 1).min(e as usize)..e as usize)
                .unwrap_or("");
            (key, value)
        })
    }

    /// The value of the first entry with `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Appends an entry (`key` must not be empty).
    pub fn push(&mut self, key: &str, value: &str) {
        if !self.text.is_empty() {
            self.text.push_str(", ");
        }
        let k = self.text.len() as u32;
        self.text.push_str(key);
        let ke = self.text.len() as u32;
        if !value.is_empty() {
            self.text.push(' ');
            self.text.push_str(value);
        }
        self.spans.push((k, ke, self.text.len() as u32));
    }

    /// Appends every entry of `other`.
    pub fn extend(&mut self, other: &Metadata) {
        for (k, v) in other.iter() {
            self.push(k, v);
        }
    }

    /// The entries as written back: `key value, key value`.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// Parses `metadata` (comma-separated `key value` entries).
pub(crate) fn parse_metadata(value: &str) -> VResult<Metadata> {
    let mut out = Metadata {
        text: String::with_capacity(value.len()),
        spans: Vec::with_capacity(12),
    };
    for item in commas(value) {
        if item.is_empty() {
            continue;
        }
        let (k, v) = split_word(item);
        out.push(k, v);
    }
    if out.is_empty() {
        return Err(ValueError::new("metadata needs at least one entry"));
    }
    Ok(out)
}

/// `target`: which side of the alert is the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// `src_ip`.
    SrcIp,
    /// `dest_ip`.
    DestIp,
}

/// Parses `target`.
pub(crate) fn parse_target(value: &str) -> VResult<Target> {
    match value.trim() {
        "src_ip" => Ok(Target::SrcIp),
        "dest_ip" => Ok(Target::DestIp),
        v => Err(ValueError::new(format!(
            "expected src_ip or dest_ip, found '{v}'"
        ))),
    }
}

impl Target {
    /// The keyword value.
    pub fn name(self) -> &'static str {
        match self {
            Target::SrcIp => "src_ip",
            Target::DestIp => "dest_ip",
        }
    }
}

/// What a threshold counts by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Track {
    /// `by_src`.
    BySrc,
    /// `by_dst`.
    ByDst,
    /// `by_rule`.
    ByRule,
    /// `by_both`.
    ByBoth,
    /// `by_flow`.
    ByFlow,
}

impl Track {
    fn parse(s: &str) -> Option<Track> {
        Some(match s {
            "by_src" => Track::BySrc,
            "by_dst" => Track::ByDst,
            "by_rule" => Track::ByRule,
            "by_both" => Track::ByBoth,
            "by_flow" => Track::ByFlow,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Track::BySrc => "by_src",
            Track::ByDst => "by_dst",
            Track::ByRule => "by_rule",
            Track::ByBoth => "by_both",
            Track::ByFlow => "by_flow",
        }
    }
}

/// Threshold type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ThresholdType {
    /// `limit`: at most `count` alerts per period.
    Limit,
    /// `threshold`: alert every `count` matches.
    Threshold,
    /// `both`.
    Both,
    /// `backoff`: alert at 1, then every `multiplier`-th time.
    Backoff,
}

/// `threshold` and `detection_filter` (which has no type).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Threshold {
    /// `type` (`None` for `detection_filter`).
    pub kind: Option<ThresholdType>,
    /// `track`.
    pub track: Track,
    /// `count`.
    pub count: u32,
    /// `seconds` (absent for backoff).
    pub seconds: Option<u32>,
    /// `multiplier` (backoff only).
    pub multiplier: Option<u32>,
}

/// Parses `threshold` (`typed`) or `detection_filter` (not typed).
pub(crate) fn parse_threshold(value: &str, typed: bool) -> VResult<Threshold> {
    let mut kind = None;
    let mut track = None;
    let mut count = None;
    let mut seconds = None;
    let mut multiplier = None;
    for item in commas(value) {
        let (k, v) = split_word(item);
        let err = |r: String| ValueError::at(value, item, r);
        let num = |v: &str| number(v, u64::from(u32::MAX), k).map(|n| n as u32);
        match k {
            "type" if typed => {
                kind = Some(match v {
                    "limit" => ThresholdType::Limit,
                    "threshold" => ThresholdType::Threshold,
                    "both" => ThresholdType::Both,
                    "backoff" => ThresholdType::Backoff,
                    _ => return Err(err(format!("unknown type '{v}'"))),
                })
            }
            "track" => {
                track = Some(Track::parse(v).ok_or_else(|| err(format!("unknown track '{v}'")))?)
            }
            "count" => count = Some(num(v).map_err(|e| err(e.reason))?),
            "seconds" => seconds = Some(num(v).map_err(|e| err(e.reason))?),
            "multiplier" if typed => multiplier = Some(num(v).map_err(|e| err(e.reason))?),
            _ => return Err(err(format!("unknown option '{item}'"))),
        }
    }
    if typed && kind.is_none() {
        return Err(ValueError::new("threshold needs a type"));
    }
    let track = track.ok_or_else(|| ValueError::new("missing 'track'"))?;
    let count = count.ok_or_else(|| ValueError::new("missing 'count'"))?;
    if kind == Some(ThresholdType::Backoff) {
        if multiplier.is_none() || seconds.is_some() {
            return Err(ValueError::new(
                "backoff takes count and multiplier, not seconds",
            ));
        }
    } else if seconds.is_none() {
        return Err(ValueError::new("missing 'seconds'"));
    } else if multiplier.is_some() {
        return Err(ValueError::new("multiplier only goes with type backoff"));
    }
    Ok(Threshold {
        kind,
        track,
        count,
        seconds,
        multiplier,
    })
}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(k) = self.kind {
            let k = match k {
                ThresholdType::Limit => "limit",
                ThresholdType::Threshold => "threshold",
                ThresholdType::Both => "both",
                ThresholdType::Backoff => "backoff",
            };
            write!(f, "type {k},")?;
        }
        write!(f, "track {},count {}", self.track.name(), self.count)?;
        if let Some(s) = self.seconds {
            write!(f, ",seconds {s}")?;
        }
        if let Some(m) = self.multiplier {
            write!(f, ",multiplier {m}")?;
        }
        Ok(())
    }
}

/// What `tag` records after an alert.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TagScope {
    /// `session`: the rest of the flow.
    Session,
    /// `host`: traffic of a host.
    Host,
}

/// Unit of a `tag` count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TagMetric {
    /// `packets`.
    Packets,
    /// `seconds`.
    Seconds,
    /// `bytes`.
    Bytes,
}

/// `tag`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Tag {
    /// Scope.
    pub scope: TagScope,
    /// Count and unit (both or neither).
    pub limit: Option<(u32, TagMetric)>,
    /// `src` (true) or `dst` (false), as written. Only `host` uses it
    /// (default `dst`); Suricata accepts it after `session` too, with a
    /// warning, and ignores it there.
    pub src: Option<bool>,
}

/// Parses `tag` (`session,10,packets`, Snort's `session,packets 10`,
/// `host,60,seconds,src`), as Suricata 8's `DetectTagParse`: a scope, then
/// optionally a count (`u32`) and its unit, then optionally `src`/`dst`
/// (which needs the count and unit before it).
pub(crate) fn parse_tag(value: &str) -> VResult<Tag> {
    let items: Vec<&str> = commas(value).collect();
    let scope = match items.first().copied() {
        Some("session") => TagScope::Session,
        Some("host") => TagScope::Host,
        _ => return Err(ValueError::new("tag needs 'session' or 'host'")),
    };
    let metric = |s: &str| match s {
        "packets" => Some(TagMetric::Packets),
        "seconds" => Some(TagMetric::Seconds),
        "bytes" => Some(TagMetric::Bytes),
        _ => None,
    };
    let mut limit = None;
    let mut src = None;
    let mut i = 1;
    if let Some(item) = items.get(1) {
        let (a, b) = split_word(item);
        if let (Some(m), false) = (metric(a), b.is_empty()) {
            // Snort: `packets 10`.
            limit = Some((number(b, u64::from(u32::MAX), "count")? as u32, m));
            i = 2;
        } else if let Some(unit) = items.get(2).and_then(|u| metric(u)) {
            let n = number(item, u64::from(u32::MAX), "count")
                .map_err(|e| ValueError::at(value, item, e.reason))?;
            limit = Some((n as u32, unit));
            i = 3;
        } else {
            return Err(ValueError::at(
                value,
                item,
                "expected 'count,packets|seconds|bytes'",
            ));
        }
    }
    if let (Some(item), true) = (items.get(i), limit.is_some()) {
        src = Some(match *item {
            "src" => true,
            "dst" => false,
            _ => return Err(ValueError::at(value, item, "expected src or dst")),
        });
        i += 1;
    }
    if let Some(extra) = items.get(i) {
        return Err(ValueError::at(value, extra, "unexpected extra value"));
    }
    Ok(Tag { scope, limit, src })
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.scope {
            TagScope::Session => "session",
            TagScope::Host => "host",
        })?;
        if let Some((n, m)) = self.limit {
            let m = match m {
                TagMetric::Packets => "packets",
                TagMetric::Seconds => "seconds",
                TagMetric::Bytes => "bytes",
            };
            write!(f, ",{n},{m}")?;
        }
        if let Some(src) = self.src {
            f.write_str(if src { ",src" } else { ",dst" })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_and_metadata() {
        let r = parse_reference("url,www.example.com/a,b").unwrap();
        assert_eq!(
            (r.kind.as_str(), r.value.as_str()),
            ("url", "www.example.com/a,b")
        );
        assert!(parse_reference("cve").is_err());
        let m = parse_metadata("policy max-detect-ips drop,ruleset community, flag").unwrap();
        let e: Vec<(&str, &str)> = m.iter().collect();
        assert_eq!(
            e,
            [
                ("policy", "max-detect-ips drop"),
                ("ruleset", "community"),
                ("flag", "")
            ]
        );
        assert_eq!(m.get("ruleset"), Some("community"));
        assert_eq!(
            m.as_str(),
            "policy max-detect-ips drop, ruleset community, flag"
        );
        assert!(parse_metadata(" , ").is_err());
    }

    #[test]
    fn thresholds() {
        let t = parse_threshold(" type limit, track by_src, seconds 60, count 1", true).unwrap();
        assert_eq!(t.kind, Some(ThresholdType::Limit));
        assert_eq!((t.count, t.seconds), (1, Some(60)));
        assert_eq!(t.to_string(), "type limit,track by_src,count 1,seconds 60");
        let b =
            parse_threshold("type backoff, track by_flow, count 1, multiplier 10", true).unwrap();
        assert_eq!(b.multiplier, Some(10));
        assert!(parse_threshold("type limit, track by_src, count 1", true).is_err());
        assert!(parse_threshold("track by_src, count 1, seconds 5", true).is_err());
        let d = parse_threshold("track by_dst, count 5, seconds 60", false).unwrap();
        assert_eq!(d.kind, None);
        assert!(parse_threshold("type limit, track by_dst, count 5, seconds 60", false).is_err());
    }

    #[test]
    fn tags() {
        let t = parse_tag("session,10,packets").unwrap();
        assert_eq!(t.limit, Some((10, TagMetric::Packets)));
        assert_eq!(parse_tag("session,packets 10").unwrap(), t);
        assert_eq!(parse_tag(" session, 10, packets").unwrap(), t);
        assert_eq!(parse_tag("session").unwrap().limit, None);
        assert_eq!(
            parse_tag("host,60,seconds,src").unwrap().to_string(),
            "host,60,seconds,src"
        );
        // Suricata warns about a direction after `session`, and loads it.
        assert_eq!(parse_tag("session,10,packets,src").unwrap().src, Some(true));
        assert!(parse_tag("flow").is_err());
        assert_eq!(parse_tag("host").unwrap().src, None);
        // A direction needs a count and unit before it.
        let v = "host,src";
        assert_eq!(parse_tag(v).unwrap_err().at, 5);
        let v = "host,10,packets,up";
        assert_eq!(parse_tag(v).unwrap_err().at, 16);
        let v = "host,10,packets,src,1";
        assert_eq!(parse_tag(v).unwrap_err().at, 20);
        let v = "session,10,minutes";
        assert_eq!(parse_tag(v).unwrap_err().at, 8);
        // The count is a u32.
        assert_eq!(
            parse_tag("session,4294967295,bytes").unwrap().limit,
            Some((u32::MAX, TagMetric::Bytes))
        );
        assert_eq!(parse_tag("session,4294967296,bytes").unwrap_err().at, 8);
        assert_eq!(
            parse_tag("session,0,seconds").unwrap().limit,
            Some((0, TagMetric::Seconds))
        );
    }
}
