//! reference.config: the systems named in rules' `reference:` keyword and
//! the URL prefix each expands to.
//!
//! Syntax (Suricata's src/util-reference-config.c):
//! `config reference: name url`. The name is a letter followed by letters,
//! digits, `-` and `_`, and is compared without regard to case; the URL is
//! the rest of the line (blanks trimmed). A duplicate name keeps the first
//! definition. A bad line is a [`LineError`] and the rest still loads.

use std::collections::HashMap;
use std::path::Path;

use super::classification::{strip_config_prefix, valid_name};
use super::error::{ConfigError, LineError};
use super::lines::logical_lines;
use super::yaml::read_text;

/// One reference system.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// The system name (`cve`, `url`, `bugtraq`), lowercased.
    pub name: String,
    /// The URL prefix the reference's id is appended to.
    pub url: String,
}

/// A table of reference systems, looked up by name without regard to case.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct References {
    entries: Vec<Reference>,
    by_name: HashMap<String, usize>,
}

impl References {
    /// An empty table.
    pub fn new() -> References {
        References::default()
    }

    /// Parses the text of a reference.config; `path` names it in errors.
    /// Bad lines are returned as errors and skipped.
    pub fn parse(text: &str, path: &Path) -> (References, Vec<LineError>) {
        let mut out = References::new();
        let mut errors = Vec::new();
        for (line, content) in logical_lines(text, false) {
            match parse_line(&content) {
                Ok(r) => {
                    out.insert(r);
                }
                Err(message) => errors.push(LineError {
                    path: path.to_path_buf(),
                    line,
                    message,
                }),
            }
        }
        (out, errors)
    }

    /// Reads and parses a reference.config file.
    pub fn load(path: impl AsRef<Path>) -> Result<(References, Vec<LineError>), ConfigError> {
        let path = path.as_ref();
        let text = read_text(path)?;
        Ok(References::parse(&text, path))
    }

    /// Adds `r` unless its name is already defined (the first definition
    /// wins). Returns whether it was added.
    pub fn insert(&mut self, mut r: Reference) -> bool {
        r.name = r.name.to_ascii_lowercase();
        if self.by_name.contains_key(&r.name) {
            return false;
        }
        self.by_name.insert(r.name.clone(), self.entries.len());
        self.entries.push(r);
        true
    }

    /// The system named `name` (any case).
    pub fn get(&self, name: &str) -> Option<&Reference> {
        let i = self.by_name.get(&name.to_ascii_lowercase())?;
        self.entries.get(*i)
    }

    /// All systems, in definition order.
    pub fn iter(&self) -> impl Iterator<Item = &Reference> {
        self.entries.iter()
    }

    /// How many systems there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

fn parse_line(line: &str) -> Result<Reference, String> {
    let rest = strip_config_prefix(line, "reference")?;
    let (name, url) = rest
        .split_once(|c: char| c.is_whitespace())
        .ok_or("expected `config reference: name url`")?;
    if !valid_name(name) {
        return Err(format!(
            "invalid reference system name {name:?} (a letter, then letters, digits, '-' or '_')"
        ));
    }
    let url = url.trim();
    if url.is_empty() {
        return Err(format!("reference system {name:?} has no URL"));
    }
    Ok(Reference {
        name: name.to_string(),
        url: url.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_suricata_style_lines() {
        let text = "# config reference: system URL\n\
                    config reference: cve       https://cve.mitre.org/cgi-bin/cvename.cgi?name=\n\
                    config reference: bid\t    https://www.securityfocus.com/bid/\n\
                    config reference: McAfee    https://vil.nai.com/vil/content/v_\n\
                    config reference: url       https://\n";
        let (r, errors) = References::parse(text, Path::new("reference.config"));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(r.len(), 4);
        assert_eq!(
            r.get("CVE"),
            Some(&Reference {
                name: "cve".into(),
                url: "https://cve.mitre.org/cgi-bin/cvename.cgi?name=".into()
            })
        );
        assert_eq!(
            r.get("bid").unwrap().url,
            "https://www.securityfocus.com/bid/"
        );
        assert_eq!(r.get("mcafee").unwrap().name, "mcafee");
        assert_eq!(r.get("url").unwrap().url, "https://");
    }

    #[test]
    fn bad_lines_are_located() {
        let text = "config reference: onlyname\n\
                    config reference: 9x http://x/\n\
                    reference: cve http://x/\n\
                    config reference: ok http://ok/\n\
                    config reference: ok http://second/\n";
        let (r, errors) = References::parse(text, Path::new("r.config"));
        assert_eq!(r.len(), 1);
        assert_eq!(r.get("ok").unwrap().url, "http://ok/");
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![1, 2, 3]);
        assert_eq!(
            errors[2].to_string(),
            "r.config:3: expected `config reference: ...`"
        );
    }
}
