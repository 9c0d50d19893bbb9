//! classification.config: the `classtype:` names rules use, with their
//! description and priority.
//!
//! Syntax (Suricata's src/util-classification-config.c):
//! `config classification: shortname,short description,priority`. The name
//! is a letter followed by letters, digits, `-` and `_`; the description is
//! everything up to the last comma (it may hold commas); the priority is an
//! unsigned decimal. Names compare without regard to case (Suricata stores
//! them lowercased). A duplicate name keeps the first definition. A bad line
//! is a [`LineError`] and the rest of the file still loads.
//!
//! [`Classifications::builtin`] is Suricata 8's etc/classification.config, so
//! rules with a classtype resolve when no file is configured.

use std::collections::HashMap;
use std::path::Path;

use super::error::{ConfigError, LineError};
use super::lines::logical_lines;
use super::yaml::read_text;

/// One classification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Classification {
    /// The short name rules use in `classtype:`, lowercased.
    pub name: String,
    /// The description (EVE's `alert.category`).
    pub description: String,
    /// The priority (1 is the most severe).
    pub priority: u32,
}

/// Suricata 8.0's etc/classification.config, in file order.
const BUILTIN: &[(&str, &str, u32)] = &[
    ("not-suspicious", "Not Suspicious Traffic", 3),
    ("unknown", "Unknown Traffic", 3),
    ("bad-unknown", "Potentially Bad Traffic", 2),
    ("attempted-recon", "Attempted Information Leak", 2),
    ("successful-recon-limited", "Information Leak", 2),
    (
        "successful-recon-largescale",
        "Large Scale Information Leak",
        2,
    ),
    ("attempted-dos", "Attempted Denial of Service", 2),
    ("successful-dos", "Denial of Service", 2),
    ("attempted-user", "Attempted User Privilege Gain", 1),
    ("unsuccessful-user", "Unsuccessful User Privilege Gain", 1),
    ("successful-user", "Successful User Privilege Gain", 1),
    (
        "attempted-admin",
        "Attempted Administrator Privilege Gain",
        1,
    ),
    (
        "successful-admin",
        "Successful Administrator Privilege Gain",
        1,
    ),
    ("rpc-portmap-decode", "Decode of an RPC Query", 2),
    ("shellcode-detect", "Executable code was detected", 1),
    ("string-detect", "A suspicious string was detected", 3),
    (
        "suspicious-filename-detect",
        "A suspicious filename was detected",
        2,
    ),
    (
        "suspicious-login",
        "An attempted login using a suspicious username was detected",
        2,
    ),
    ("system-call-detect", "A system call was detected", 2),
    ("tcp-connection", "A TCP connection was detected", 4),
    ("trojan-activity", "A Network Trojan was detected", 1),
    (
        "unusual-client-port-connection",
        "A client was using an unusual port",
        2,
    ),
    ("network-scan", "Detection of a Network Scan", 3),
    (
        "denial-of-service",
        "Detection of a Denial of Service Attack",
        2,
    ),
    (
        "non-standard-protocol",
        "Detection of a non-standard protocol or event",
        2,
    ),
    (
        "protocol-command-decode",
        "Generic Protocol Command Decode",
        3,
    ),
    (
        "web-application-activity",
        "access to a potentially vulnerable web application",
        2,
    ),
    ("web-application-attack", "Web Application Attack", 1),
    ("misc-activity", "Misc activity", 3),
    ("misc-attack", "Misc Attack", 2),
    ("icmp-event", "Generic ICMP event", 3),
    (
        "inappropriate-content",
        "Inappropriate Content was Detected",
        1,
    ),
    (
        "policy-violation",
        "Potential Corporate Privacy Violation",
        1,
    ),
    (
        "default-login-attempt",
        "Attempt to login by a default username and password",
        2,
    ),
    (
        "targeted-activity",
        "Targeted Malicious Activity was Detected",
        1,
    ),
    ("exploit-kit", "Exploit Kit Activity Detected", 1),
    (
        "external-ip-check",
        "Device Retrieving External IP Address Detected",
        2,
    ),
    ("domain-c2", "Domain Observed Used for C2 Detected", 1),
    ("pup-activity", "Possibly Unwanted Program Detected", 2),
    (
        "credential-theft",
        "Successful Credential Theft Detected",
        1,
    ),
    (
        "social-engineering",
        "Possible Social Engineering Attempted",
        2,
    ),
    ("coin-mining", "Crypto Currency Mining Activity Detected", 2),
    (
        "command-and-control",
        "Malware Command and Control Activity Detected",
        1,
    ),
];

/// A table of classifications, looked up by name without regard to case.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Classifications {
    entries: Vec<Classification>,
    by_name: HashMap<String, usize>,
}

impl Classifications {
    /// An empty table.
    pub fn new() -> Classifications {
        Classifications::default()
    }

    /// Suricata 8's default classification.config (43 entries).
    pub fn builtin() -> Classifications {
        let mut out = Classifications::new();
        for (name, description, priority) in BUILTIN {
            out.insert(Classification {
                name: (*name).to_string(),
                description: (*description).to_string(),
                priority: *priority,
            });
        }
        out
    }

    /// Parses the text of a classification.config; `path` names it in
    /// errors. Bad lines are returned as errors and skipped.
    pub fn parse(text: &str, path: &Path) -> (Classifications, Vec<LineError>) {
        let mut out = Classifications::new();
        let mut errors = Vec::new();
        for (line, content) in logical_lines(text, false) {
            match parse_line(&content) {
                Ok(c) => {
                    out.insert(c);
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

    /// Reads and parses a classification.config file.
    pub fn load(path: impl AsRef<Path>) -> Result<(Classifications, Vec<LineError>), ConfigError> {
        let path = path.as_ref();
        let text = read_text(path)?;
        Ok(Classifications::parse(&text, path))
    }

    /// Adds `c` unless its name is already defined (the first definition
    /// wins, as in Suricata). Returns whether it was added.
    pub fn insert(&mut self, mut c: Classification) -> bool {
        c.name = c.name.to_ascii_lowercase();
        if self.by_name.contains_key(&c.name) {
            return false;
        }
        self.by_name.insert(c.name.clone(), self.entries.len());
        self.entries.push(c);
        true
    }

    /// The classification named `name` (any case).
    pub fn get(&self, name: &str) -> Option<&Classification> {
        let i = self.by_name.get(&name.to_ascii_lowercase())?;
        self.entries.get(*i)
    }

    /// All classifications, in definition order.
    pub fn iter(&self) -> impl Iterator<Item = &Classification> {
        self.entries.iter()
    }

    /// How many classifications there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Strips `config <what>:` from the start of a line (blanks allowed around
/// each part), or says what the line should look like.
pub(crate) fn strip_config_prefix<'a>(line: &'a str, what: &str) -> Result<&'a str, String> {
    let expected = || format!("expected `config {what}: ...`");
    let rest = line
        .trim_start()
        .strip_prefix("config")
        .ok_or_else(expected)?;
    let rest = rest.trim_start().strip_prefix(what).ok_or_else(expected)?;
    let rest = rest.trim_start().strip_prefix(':').ok_or_else(expected)?;
    Ok(rest.trim())
}

/// A name Suricata accepts: a letter, then letters, digits, `-`, `_`.
pub(crate) fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn parse_line(line: &str) -> Result<Classification, String> {
    let rest = strip_config_prefix(line, "classification")?;
    let (name, rest) = rest
        .split_once(',')
        .ok_or("expected `shortname,description,priority`")?;
    let name = name.trim();
    if !valid_name(name) {
        return Err(format!(
            "invalid classification name {name:?} (a letter, then letters, digits, '-' or '_')"
        ));
    }
    let (description, priority) = rest
        .rsplit_once(',')
        .ok_or("expected `shortname,description,priority`")?;
    let description = description.trim();
    if description.is_empty() {
        return Err(format!("classification {name:?} has an empty description"));
    }
    let priority = priority.trim();
    if priority.is_empty() || !priority.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "classification {name:?}: priority {priority:?} is not an unsigned number"
        ));
    }
    let priority = priority
        .parse::<u32>()
        .map_err(|_| format!("classification {name:?}: priority {priority} is too large"))?;
    Ok(Classification {
        name: name.to_string(),
        description: description.to_string(),
        priority,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_matches_suricata_file() {
        let b = Classifications::builtin();
        assert_eq!(b.len(), 43);
        let t = b.get("trojan-activity").unwrap();
        assert_eq!(t.description, "A Network Trojan was detected");
        assert_eq!(t.priority, 1);
        assert_eq!(b.get("TCP-Connection").unwrap().priority, 4);
        assert_eq!(
            b.get("command-and-control").unwrap().description,
            "Malware Command and Control Activity Detected"
        );
        assert!(b.get("nonexistent").is_none());
    }

    #[test]
    fn parses_valid_lines() {
        let text = "# comment\n\
                    config classification: bad-unknown,Potentially Bad Traffic, 2\n\
                    config classification:web_app,Desc, with comma ,1\n\
                    \tconfig  classification :  Mixed-Case , Spaced desc  , 3  \n";
        let (c, errors) = Classifications::parse(text, Path::new("c.config"));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(c.len(), 3);
        assert_eq!(
            c.get("bad-unknown"),
            Some(&Classification {
                name: "bad-unknown".into(),
                description: "Potentially Bad Traffic".into(),
                priority: 2
            })
        );
        assert_eq!(c.get("web_app").unwrap().description, "Desc, with comma");
        let m = c.get("mixed-case").unwrap();
        assert_eq!(
            (m.name.as_str(), m.description.as_str(), m.priority),
            ("mixed-case", "Spaced desc", 3)
        );
    }

    #[test]
    fn first_definition_wins() {
        let text = "config classification: a,First,1\nconfig classification: A,Second,2\n";
        let (c, errors) = Classifications::parse(text, Path::new("c"));
        assert!(errors.is_empty());
        assert_eq!(c.len(), 1);
        assert_eq!(c.get("a").unwrap().description, "First");
    }

    #[test]
    fn bad_lines_are_located_and_skipped() {
        let text = "config classification: ok,Fine,1\n\
                    config classification: 1bad,Desc,1\n\
                    config classification: noprio,Desc\n\
                    config classification: neg,Desc,-1\n\
                    config reference: x http://\n\
                    config classification: big,Desc,99999999999\n\
                    config classification: empty,,1\n";
        let (c, errors) = Classifications::parse(text, Path::new("/etc/c.config"));
        assert_eq!(c.len(), 1);
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![2, 3, 4, 5, 6, 7]);
        assert!(errors[0]
            .to_string()
            .starts_with("/etc/c.config:2: invalid classification name \"1bad\""));
    }
}
