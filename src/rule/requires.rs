//! The `requires` keyword: a rule states the engine version, features or
//! keywords it needs, and an engine that lacks them skips the rule instead
//! of failing on it (Suricata 7.0.3+, `rules/meta.html#requires`).
//!
//! ```text
//! requires: version >= 7.0.3 < 8 | >= 8.0.1, feature geoip, keyword ja4.hash;
//! ```
//!
//! * `version`: one or more alternatives separated by `|`, each a list of
//!   comparisons (`>`, `>=`, `<`, `<=`) that must all hold. A version is
//!   `MAJOR[.MINOR[.PATCH]]`, missing parts being 0. At most one `version`.
//! * `feature NAME`: an engine feature. rulewire claims none of Suricata's
//!   optional features (`ja3`, `ja4`, `geoip`, `output::file-store`, ...),
//!   so a rule that asks for one is skipped.
//! * `keyword NAME`: a rule keyword the engine must know.
//! * any other requirement is unknown to us and, as in Suricata, makes the
//!   rule skipped (not an error), so that newer requirement kinds do not
//!   break older engines.
//!
//! Versions are checked against [`COMPAT_VERSION`], the Suricata release
//! whose rule semantics rulewire follows. The check runs before any other
//! option is looked at: a skipped rule may use keywords we do not know.
//! A malformed `requires` value is an error.

use std::fmt;

use super::keywords::value::ValueError;

/// The Suricata version whose rule language and semantics rulewire
/// follows; `requires: version ...` is checked against it.
pub const COMPAT_VERSION: Version = Version {
    major: 8,
    minor: 0,
    patch: 6,
};

/// A `MAJOR.MINOR.PATCH` version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    /// Major.
    pub major: u8,
    /// Minor (0 when not written).
    pub minor: u8,
    /// Patch (0 when not written).
    pub patch: u8,
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Gt,
    Ge,
    Lt,
    Le,
}

impl Op {
    fn holds(self, have: Version, want: Version) -> bool {
        match self {
            Op::Gt => have > want,
            Op::Ge => have >= want,
            Op::Lt => have < want,
            Op::Le => have <= want,
        }
    }
}

/// A parsed `requires` value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Requires {
    /// Alternatives (`|`), each a conjunction of comparisons.
    version: Vec<Vec<(Op, Version)>>,
    features: Vec<String>,
    keywords: Vec<String>,
    unknown: Vec<String>,
}

impl Requires {
    /// Parses a `requires` value.
    pub(crate) fn parse(value: &str) -> Result<Requires, ValueError> {
        let mut req = Requires::default();
        for part in value.split(',') {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let (key, rest) = part.split_once(char::is_whitespace).unwrap_or((part, ""));
            let rest = rest.trim();
            match key {
                "feature" => req.features.push(rest.to_string()),
                "keyword" => req.keywords.push(rest.to_string()),
                "version" => {
                    if !req.version.is_empty() {
                        return Err(ValueError::at(
                            value,
                            part,
                            "version may only be given once",
                        ));
                    }
                    req.version = parse_versions(rest)
                        .map_err(|reason| ValueError::at(value, part, reason))?;
                }
                _ => req.unknown.push(part.to_string()),
            }
        }
        Ok(req)
    }

    /// Why the engine does not meet the requirements, or `None` when it
    /// does. `knows_keyword` answers for `keyword NAME`.
    pub(crate) fn unmet(&self, knows_keyword: impl Fn(&str) -> bool) -> Option<String> {
        if !self.unknown.is_empty() {
            return Some(format!("unknown requirement '{}'", self.unknown.join(", ")));
        }
        let have = COMPAT_VERSION;
        if !self.version.is_empty()
            && !self
                .version
                .iter()
                .any(|all| all.iter().all(|&(op, want)| op.holds(have, want)))
        {
            return Some(format!(
                "needs another Suricata version than {have}, the one rulewire follows"
            ));
        }
        if let Some(f) = self.features.first() {
            return Some(format!("needs engine feature '{f}'"));
        }
        if let Some(k) = self.keywords.iter().find(|k| !knows_keyword(k)) {
            return Some(format!("needs keyword '{k}'"));
        }
        None
    }
}

/// `>= 7.0.3 < 8 | >= 8.0.1`.
fn parse_versions(text: &str) -> Result<Vec<Vec<(Op, Version)>>, String> {
    text.split('|')
        .map(|alt| {
            let mut words = alt.split_whitespace();
            let mut all = Vec::new();
            while let Some(op) = words.next() {
                let op = match op {
                    ">" => Op::Gt,
                    ">=" => Op::Ge,
                    "<" => Op::Lt,
                    "<=" => Op::Le,
                    other => return Err(format!("expected a comparison, found '{other}'")),
                };
                let v = words
                    .next()
                    .ok_or_else(|| "a version must follow the comparison".to_string())?;
                all.push((op, parse_version(v)?));
            }
            if all.is_empty() {
                return Err("empty version alternative".to_string());
            }
            Ok(all)
        })
        .collect()
}

fn parse_version(text: &str) -> Result<Version, String> {
    let mut parts = [0u8; 3];
    for (n, p) in text.split('.').enumerate() {
        let slot = parts
            .get_mut(n)
            .ok_or_else(|| format!("'{text}' has more than three parts"))?;
        *slot = p
            .parse()
            .map_err(|_| format!("'{text}' is not a version"))?;
    }
    Ok(Version {
        major: parts[0],
        minor: parts[1],
        patch: parts[2],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unmet(value: &str) -> Option<String> {
        Requires::parse(value).unwrap().unmet(|k| k == "content")
    }

    #[test]
    fn versions_against_8_0_6() {
        assert_eq!(unmet("version >= 8"), None);
        assert_eq!(unmet("version >= 8.0.0"), None);
        assert_eq!(unmet("version >= 6"), None);
        assert_eq!(unmet("version <= 8.0.6"), None);
        assert!(unmet("version >= 10").is_some());
        assert!(unmet("version >= 7 < 8").is_some());
        assert!(unmet("version > 8.0.6").is_some());
        // Either alternative may hold.
        assert_eq!(unmet("version >= 7.0.3 < 8 | >= 8.0.1"), None);
        assert!(unmet("version >= 7.0.3 < 8 | >= 8.0.7").is_some());
    }

    #[test]
    fn features_keywords_and_unknown_requirements() {
        assert!(unmet("feature ja3").unwrap().contains("ja3"));
        assert_eq!(unmet("keyword content"), None);
        assert!(unmet("keyword ja4.hash").unwrap().contains("ja4.hash"));
        assert!(unmet("version >= 8, feature geoip").is_some());
        assert!(unmet("flavour vanilla").unwrap().contains("unknown"));
    }

    #[test]
    fn malformed_values_are_errors() {
        assert!(Requires::parse("version 8").is_err());
        assert!(Requires::parse("version >=").is_err());
        assert!(Requires::parse("version >= 8.x").is_err());
        assert!(Requires::parse("version >= 1.2.3.4").is_err());
        assert!(Requires::parse("version >= 8, version >= 7").is_err());
        assert!(Requires::parse("version >= 300").is_err());
    }
}
