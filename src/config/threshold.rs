//! threshold.config: global thresholds, event filters, rate filters and
//! suppressions, applied to rules by generator and signature id.
//!
//! Syntax (Suricata's docs, "Global-Thresholds", and
//! src/util-threshold-config.c), one entry per line, `\` continues a line:
//!
//! ```text
//! threshold    gen_id 1, sig_id 2, type limit|threshold|both, track by_src|by_dst|by_both|by_rule|by_flow, count N, seconds N
//! event_filter (same options as threshold)
//! rate_filter  gen_id 1, sig_id 2, track by_src|by_dst|by_both|by_rule|by_flow, count N, seconds N, new_action alert|drop|pass|log|sdrop|reject, timeout N
//! suppress     gen_id 1, sig_id 2[, track by_src|by_dst|by_either, ip ADDRESS]
//! ```
//!
//! Options are `name value` pairs separated by commas (commas inside `[...]`
//! of an address list do not split). Suricata's regexes want them in the
//! order shown; we accept any order, but each required option exactly once
//! and nothing else. `count` must be above 0. `gen_id 0` / `sig_id 0` mean
//! "every", as in Suricata. A bad line is a [`LineError`] naming what is
//! wrong, and the rest of the file still loads.

use std::path::Path;

use super::error::{ConfigError, LineError};
use super::lines::logical_lines;
use super::yaml::read_text;

/// Which alerts of a threshold or event filter are kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThresholdType {
    /// `limit`: at most `count` alerts per `seconds`.
    Limit,
    /// `threshold`: an alert every `count` matches within `seconds`.
    Threshold,
    /// `both`: one alert per `seconds` once `count` matches are reached.
    Both,
}

/// What a threshold counts by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Track {
    /// `by_src`: per source address.
    BySrc,
    /// `by_dst`: per destination address.
    ByDst,
    /// `by_both`: per source/destination address pair.
    ByBoth,
    /// `by_rule`: per rule.
    ByRule,
    /// `by_flow`: per flow.
    ByFlow,
    /// `by_either` (suppress only): the address matches source or
    /// destination.
    ByEither,
}

/// The action a rate filter switches a rule to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NewAction {
    /// `alert`
    Alert,
    /// `drop`
    Drop,
    /// `pass`
    Pass,
    /// `log`
    Log,
    /// `sdrop`
    Sdrop,
    /// `reject`
    Reject,
}

/// The options of a `threshold` or `event_filter` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filter {
    /// `type`.
    pub kind: ThresholdType,
    /// `track`.
    pub track: Track,
    /// `count` (above 0).
    pub count: u32,
    /// `seconds`.
    pub seconds: u32,
}

/// The options of a `rate_filter` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateFilter {
    /// `track`.
    pub track: Track,
    /// `count` (above 0).
    pub count: u32,
    /// `seconds`.
    pub seconds: u32,
    /// `new_action`.
    pub new_action: NewAction,
    /// `timeout`, in seconds.
    pub timeout: u32,
}

/// The address part of a `suppress` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SuppressTarget {
    /// `track`: [`Track::BySrc`], [`Track::ByDst`] or [`Track::ByEither`].
    pub track: Track,
    /// `ip`, as written (an address, CIDR, `[list]` or `$VAR`).
    pub ip: String,
}

/// What an entry does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ThresholdRule {
    /// `threshold ...`
    Threshold(Filter),
    /// `event_filter ...`
    EventFilter(Filter),
    /// `rate_filter ...`
    RateFilter(RateFilter),
    /// `suppress ...`: without a target, every alert of the rule is
    /// suppressed; with one, alerts involving that address.
    Suppress(Option<SuppressTarget>),
}

/// One entry of a threshold.config.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThresholdEntry {
    /// 1-based line it starts on.
    pub line: usize,
    /// `gen_id` (0: every generator).
    pub gen_id: u32,
    /// `sig_id` (0: every signature).
    pub sig_id: u32,
    /// What it does.
    pub rule: ThresholdRule,
}

/// The entries of a threshold.config, in file order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Thresholds {
    entries: Vec<ThresholdEntry>,
}

impl Thresholds {
    /// No entries.
    pub fn new() -> Thresholds {
        Thresholds::default()
    }

    /// Parses the text of a threshold.config; `path` names it in errors.
    /// Bad entries are returned as errors and skipped.
    pub fn parse(text: &str, path: &Path) -> (Thresholds, Vec<LineError>) {
        let mut out = Thresholds::new();
        let mut errors = Vec::new();
        for (line, content) in logical_lines(text, true) {
            match parse_entry(&content, line) {
                Ok(e) => out.entries.push(e),
                Err(message) => errors.push(LineError {
                    path: path.to_path_buf(),
                    line,
                    message,
                }),
            }
        }
        (out, errors)
    }

    /// Reads and parses a threshold.config file.
    pub fn load(path: impl AsRef<Path>) -> Result<(Thresholds, Vec<LineError>), ConfigError> {
        let path = path.as_ref();
        let text = read_text(path)?;
        Ok(Thresholds::parse(&text, path))
    }

    /// The entries, in file order.
    pub fn entries(&self) -> &[ThresholdEntry] {
        &self.entries
    }

    /// How many entries there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Splits at commas outside `[...]`.
fn split_options(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(text.get(start..i).unwrap_or(""));
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(text.get(start..).unwrap_or(""));
    parts
}

/// Collected `name value` options of one entry.
struct Options<'a> {
    kind: &'a str,
    pairs: Vec<(&'a str, &'a str)>,
}

impl<'a> Options<'a> {
    fn take(&mut self, name: &str) -> Option<&'a str> {
        let i = self.pairs.iter().position(|(n, _)| *n == name)?;
        Some(self.pairs.remove(i).1)
    }

    fn required(&mut self, name: &str) -> Result<&'a str, String> {
        self.take(name)
            .ok_or_else(|| format!("{} is missing `{name}`", self.kind))
    }

    fn number(&mut self, name: &str) -> Result<u32, String> {
        let v = self.required(name)?;
        if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "{}: `{name}` must be an unsigned number, not {v:?}",
                self.kind
            ));
        }
        v.parse::<u32>()
            .map_err(|_| format!("{}: `{name}` {v} is too large", self.kind))
    }

    fn count(&mut self) -> Result<u32, String> {
        let n = self.number("count")?;
        if n == 0 {
            return Err(format!("{}: `count` must be above 0", self.kind));
        }
        Ok(n)
    }

    fn track(&mut self, allowed: &[Track]) -> Result<Track, String> {
        let v = self.required("track")?;
        let track = match v {
            "by_src" => Track::BySrc,
            "by_dst" => Track::ByDst,
            "by_both" => Track::ByBoth,
            "by_rule" => Track::ByRule,
            "by_flow" => Track::ByFlow,
            "by_either" => Track::ByEither,
            _ => return Err(format!("{}: unknown track {v:?}", self.kind)),
        };
        if !allowed.contains(&track) {
            return Err(format!("{}: track {v} is not allowed here", self.kind));
        }
        Ok(track)
    }

    fn filter(&mut self) -> Result<Filter, String> {
        let kind = match self.required("type")? {
            "limit" => ThresholdType::Limit,
            "threshold" => ThresholdType::Threshold,
            "both" => ThresholdType::Both,
            other => {
                return Err(format!(
                    "{}: unknown type {other:?} (limit, threshold or both)",
                    self.kind
                ))
            }
        };
        Ok(Filter {
            kind,
            track: self.track(COUNTING_TRACKS)?,
            count: self.count()?,
            seconds: self.number("seconds")?,
        })
    }
}

const COUNTING_TRACKS: &[Track] = &[
    Track::BySrc,
    Track::ByDst,
    Track::ByBoth,
    Track::ByRule,
    Track::ByFlow,
];

fn parse_entry(text: &str, line: usize) -> Result<ThresholdEntry, String> {
    let text = text.trim();
    let (kind, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    if !matches!(
        kind,
        "threshold" | "event_filter" | "rate_filter" | "suppress"
    ) {
        return Err(format!(
            "unknown entry {kind:?} (threshold, event_filter, rate_filter or suppress)"
        ));
    }
    let mut opts = Options {
        kind,
        pairs: Vec::new(),
    };
    for part in split_options(rest) {
        let part = part.trim();
        if part.is_empty() {
            return Err(format!("{kind}: empty option (a stray comma?)"));
        }
        let (name, value) = part.split_once(char::is_whitespace).unwrap_or((part, ""));
        let value = value.trim();
        if value.is_empty() {
            return Err(format!("{kind}: option `{name}` has no value"));
        }
        if opts.pairs.iter().any(|(n, _)| *n == name) {
            return Err(format!("{kind}: option `{name}` is given twice"));
        }
        opts.pairs.push((name, value));
    }
    let gen_id = opts.number("gen_id")?;
    let sig_id = opts.number("sig_id")?;
    let rule = match kind {
        "threshold" => ThresholdRule::Threshold(opts.filter()?),
        "event_filter" => ThresholdRule::EventFilter(opts.filter()?),
        "rate_filter" => {
            let track = opts.track(COUNTING_TRACKS)?;
            let count = opts.count()?;
            let seconds = opts.number("seconds")?;
            let new_action = match opts.required("new_action")? {
                "alert" => NewAction::Alert,
                "drop" => NewAction::Drop,
                "pass" => NewAction::Pass,
                "log" => NewAction::Log,
                "sdrop" => NewAction::Sdrop,
                "reject" => NewAction::Reject,
                other => return Err(format!("rate_filter: unknown new_action {other:?}")),
            };
            let timeout = opts.number("timeout")?;
            ThresholdRule::RateFilter(RateFilter {
                track,
                count,
                seconds,
                new_action,
                timeout,
            })
        }
        _ => {
            let has_track = opts.pairs.iter().any(|(n, _)| *n == "track");
            let has_ip = opts.pairs.iter().any(|(n, _)| *n == "ip");
            if has_track || has_ip {
                let track = opts.track(&[Track::BySrc, Track::ByDst, Track::ByEither])?;
                let ip = opts.required("ip")?.to_string();
                ThresholdRule::Suppress(Some(SuppressTarget { track, ip }))
            } else {
                ThresholdRule::Suppress(None)
            }
        }
    };
    if let Some((name, _)) = opts.pairs.first() {
        return Err(format!("{kind}: unknown option `{name}`"));
    }
    Ok(ThresholdEntry {
        line,
        gen_id,
        sig_id,
        rule,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Result<ThresholdEntry, String> {
        let (t, errors) = Thresholds::parse(text, Path::new("t.config"));
        match errors.first() {
            Some(e) => Err(e.message.clone()),
            None => t
                .entries()
                .first()
                .cloned()
                .ok_or_else(|| "nothing".to_string()),
        }
    }

    #[test]
    fn threshold_and_event_filter() {
        let e = one("threshold gen_id 1, sig_id 2, type limit, track by_src, count 1, seconds 60")
            .unwrap();
        assert_eq!((e.line, e.gen_id, e.sig_id), (1, 1, 2));
        assert_eq!(
            e.rule,
            ThresholdRule::Threshold(Filter {
                kind: ThresholdType::Limit,
                track: Track::BySrc,
                count: 1,
                seconds: 60
            })
        );
        let e = one(
            "event_filter gen_id 1, sig_id 1000, type both, track by_flow, count 100, seconds 5",
        )
        .unwrap();
        assert_eq!(
            e.rule,
            ThresholdRule::EventFilter(Filter {
                kind: ThresholdType::Both,
                track: Track::ByFlow,
                count: 100,
                seconds: 5
            })
        );
    }

    #[test]
    fn rate_filter() {
        let e = one("rate_filter gen_id 1, sig_id 1000001, track by_rule, count 1, seconds 60, new_action drop, timeout 1000").unwrap();
        assert_eq!(
            e.rule,
            ThresholdRule::RateFilter(RateFilter {
                track: Track::ByRule,
                count: 1,
                seconds: 60,
                new_action: NewAction::Drop,
                timeout: 1000
            })
        );
    }

    #[test]
    fn suppress_forms() {
        let e = one("suppress gen_id 1, sig_id 2").unwrap();
        assert_eq!(e.rule, ThresholdRule::Suppress(None));
        let e = one("suppress gen_id 1, sig_id 2, track by_src, ip 1.2.3.4").unwrap();
        assert_eq!(
            e.rule,
            ThresholdRule::Suppress(Some(SuppressTarget {
                track: Track::BySrc,
                ip: "1.2.3.4".into()
            }))
        );
        let e = one("suppress gen_id 1, sig_id 2, track by_either, ip [10.0.0.0/8, 192.168.1.1]")
            .unwrap();
        assert_eq!(
            e.rule,
            ThresholdRule::Suppress(Some(SuppressTarget {
                track: Track::ByEither,
                ip: "[10.0.0.0/8, 192.168.1.1]".into()
            }))
        );
        assert!(one("suppress gen_id 1, sig_id 2, track by_src").is_err());
        assert!(one("suppress gen_id 1, sig_id 2, ip 1.2.3.4").is_err());
        assert!(one("suppress gen_id 1, sig_id 2, track by_rule, ip 1.2.3.4").is_err());
    }

    #[test]
    fn continuation_lines_and_any_order() {
        let text = "# comment\n\nevent_filter gen_id 1 \\\n, sig_id 10, type limit, track by_src, \\\ncount 1, seconds 60\n\
                    threshold sig_id 5, gen_id 3, seconds 9, count 2, track by_dst, type threshold\n";
        let (t, errors) = Thresholds::parse(text, Path::new("t"));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(t.len(), 2);
        assert_eq!((t.entries()[0].line, t.entries()[0].sig_id), (3, 10));
        assert_eq!(
            (
                t.entries()[1].line,
                t.entries()[1].gen_id,
                t.entries()[1].sig_id
            ),
            (6, 3, 5)
        );
    }

    #[test]
    fn invalid_lines_say_why() {
        let cases = [
            ("limit gen_id 1, sig_id 2", "unknown entry \"limit\""),
            ("threshold gen_id 1, sig_id 2, type invalid, track by_src, count 1, seconds 60", "unknown type \"invalid\""),
            ("threshold gen_id 1, sig_id 2, type limit, track by_src, count 0, seconds 60", "`count` must be above 0"),
            ("threshold gen_id 1, sig_id 2, type limit, track by_src, count 1", "missing `seconds`"),
            ("threshold gen_id 1, sig_id 2, type limit, track by_either, count 1, seconds 1", "track by_either is not allowed"),
            ("threshold gen_id x, sig_id 2, type limit, track by_src, count 1, seconds 1", "`gen_id` must be an unsigned number"),
            ("threshold gen_id 1, sig_id 99999999999, type limit, track by_src, count 1, seconds 1", "too large"),
            ("threshold gen_id 1, gen_id 1, sig_id 2", "given twice"),
            ("threshold gen_id 1, sig_id 2, type limit, track by_src, count 1, seconds 1, apply_to 1", "unknown option `apply_to`"),
            ("rate_filter gen_id 1, sig_id 2, track by_src, count 1, seconds 1, new_action explode, timeout 1", "unknown new_action"),
            ("suppress gen_id 1,, sig_id 2", "empty option"),
            ("suppress gen_id, sig_id 2", "has no value"),
        ];
        for (text, want) in cases {
            let got = one(text).unwrap_err();
            assert!(got.contains(want), "{text}: got {got:?}, want {want:?}");
        }
        let (_, errors) =
            Thresholds::parse("\n\nthreshold junk\n", Path::new("/x/threshold.config"));
        assert_eq!(errors.len(), 1);
        assert!(errors[0]
            .to_string()
            .starts_with("/x/threshold.config:3: threshold"));
    }
}
