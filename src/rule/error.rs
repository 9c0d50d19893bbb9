//! Rule errors and warnings as values, each with a `file:line:column`
//! location, the source line and a caret under the column.
//!
//! Everything a rule file can get wrong ends up here: syntax, bad keyword
//! values, Suricata's semantic checks, undefined variables, duplicate sids.
//! One bad rule never stops a file; the loader collects these and goes on.
//! Positions are 1-based; columns count characters, not bytes. No pest type
//! appears here: the parser converts its positions at the boundary.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

/// Where something is in a rule file.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Location {
    /// The file, or `None` for text that came from a string.
    pub path: Option<Arc<Path>>,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(p) => write!(f, "{}:{}:{}", p.display(), self.line, self.column),
            None => write!(f, "<input>:{}:{}", self.line, self.column),
        }
    }
}

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// The rule is not loaded.
    Error,
    /// The rule loads; the message says what is odd about it.
    Warning,
}

/// What went wrong. Callers branch on this (for example `check-rules`
/// groups its summary by kind), so it is an enum; new kinds may be added.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RuleErrorKind {
    /// The rule text does not have a rule's structure.
    #[error("{0}")]
    Syntax(String),
    /// A line of the file is not UTF-8.
    #[error("invalid UTF-8 in rule file")]
    InvalidUtf8,
    /// The rule text is longer than the loader accepts.
    #[error("rule is {len} bytes long; the limit is {max}")]
    RuleTooLong {
        /// Length of the rule text in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The file could not be read.
    #[error("cannot read rule file: {0}")]
    Io(String),
    /// The rule's `requires` are not met: the rule is skipped, as Suricata
    /// skips it (a warning, not an error).
    #[error("rule skipped: requires: {0}")]
    RequirementsUnmet(String),
    /// The first word is not an action.
    #[error("unknown action '{0}'")]
    UnknownAction(String),
    /// The second word is not a protocol Suricata or Snort knows.
    #[error("unknown protocol '{0}'")]
    UnknownProtocol(String),
    /// An address in the header or in a variable is malformed.
    #[error("invalid address '{text}': {reason}")]
    BadAddress {
        /// The address as written.
        text: String,
        /// Why it is invalid.
        reason: String,
    },
    /// A port in the header or in a variable is malformed.
    #[error("invalid port '{text}': {reason}")]
    BadPort {
        /// The port as written.
        text: String,
        /// Why it is invalid.
        reason: String,
    },
    /// A keyword's value does not parse.
    #[error("invalid value for '{keyword}': {reason}")]
    BadValue {
        /// The keyword.
        keyword: String,
        /// Why the value is invalid.
        reason: String,
    },
    /// A keyword that needs a value has none.
    #[error("'{keyword}' needs a value")]
    MissingValue {
        /// The keyword.
        keyword: String,
    },
    /// A keyword that takes no value has one.
    #[error("'{keyword}' takes no value")]
    UnexpectedValue {
        /// The keyword.
        keyword: String,
    },
    /// A keyword that may appear once appears again.
    #[error("'{keyword}' appears more than once")]
    DuplicateOption {
        /// The keyword.
        keyword: String,
    },
    /// A content modifier (`depth`, `nocase`, `http_uri`, ...) with no
    /// content before it to modify.
    #[error("'{keyword}' needs a preceding content")]
    ModifierWithoutContent {
        /// The modifier.
        keyword: String,
    },
    /// Two modifiers (or a modifier and its content) that cannot go together.
    #[error("'{keyword}': {reason}")]
    ConflictingModifiers {
        /// The modifier that was rejected.
        keyword: String,
        /// Why.
        reason: String,
    },
    /// `depth` or `within` shorter than the pattern: the content can never
    /// match.
    #[error("{keyword}:{value} is shorter than the content it applies to ({pattern_len} bytes); it can never match")]
    ShorterThanPattern {
        /// `depth` or `within`.
        keyword: &'static str,
        /// The value given.
        value: i64,
        /// Length of the pattern in bytes.
        pattern_len: usize,
    },
    /// Limits that contradict each other, so the rule can never match.
    #[error("rule can never match: {0}")]
    Contradiction(String),
    /// A buffer problem: a sticky buffer with no matches, a content
    /// modifier while a sticky buffer is active, two buffers for one pcre.
    #[error("{0}")]
    Buffer(String),
    /// A keyword used with a protocol it cannot apply to (`ip_proto` in a
    /// `tcp` rule).
    #[error("'{keyword}' cannot be used in a '{protocol}' rule")]
    WrongProtocol {
        /// The keyword.
        keyword: String,
        /// The rule's protocol.
        protocol: String,
    },
    /// A `byte_extract`/`byte_math` variable used before it is defined.
    #[error("'{keyword}' uses '{name}', which no earlier byte_extract or byte_math defines")]
    UndefinedByteVar {
        /// The keyword that uses it.
        keyword: String,
        /// The variable name.
        name: String,
    },
    /// `$NAME` is not in the variable table.
    #[error("undefined variable '${name}'")]
    UndefinedVariable {
        /// Variable name without `$`.
        name: String,
    },
    /// Variables that refer to each other in a loop, or too deeply.
    #[error("variable '${name}' refers to itself through {path}")]
    VariableLoop {
        /// The variable where the loop was found.
        name: String,
        /// The chain of names, `A -> B -> A`.
        path: String,
    },
    /// A variable's value does not parse or resolves to nothing.
    #[error("variable '${name}': {reason}")]
    BadVariable {
        /// Variable name without `$`.
        name: String,
        /// Why.
        reason: String,
    },
    /// The rule has no `sid`.
    #[error("rule has no sid")]
    MissingSid,
    /// Another rule with the same gid and sid and the same or a newer rev
    /// was loaded first; as in Suricata, this one is dropped.
    #[error(
        "duplicate signature: gid {gid} sid {sid} rev {rev} is already loaded (rev {first_rev})"
    )]
    DuplicateSid {
        /// Generator id.
        gid: u32,
        /// Signature id.
        sid: u32,
        /// This rule's revision.
        rev: u32,
        /// The revision already loaded.
        first_rev: u32,
    },
    /// A rule with the same gid and sid but an older rev was loaded first;
    /// as in Suricata, the newer one replaces it (a warning).
    #[error("gid {gid} sid {sid}: rev {rev} replaces the older rev {old_rev} loaded before")]
    ReplacedOlderRevision {
        /// Generator id.
        gid: u32,
        /// Signature id.
        sid: u32,
        /// This rule's revision.
        rev: u32,
        /// The revision that was replaced.
        old_rev: u32,
    },
    /// A keyword Suricata has deprecated (a warning).
    #[error("'{keyword}' is deprecated; use {instead}")]
    Deprecated {
        /// The keyword.
        keyword: String,
        /// What to use.
        instead: String,
    },
    /// A rule Suricata rejects but Snort accepts; it is loaded with Snort's
    /// meaning (a warning).
    #[error("Suricata rejects this ({0}); read with Snort's meaning")]
    SuricataIncompatible(String),
    /// Suricata skips rule lines that start with whitespace; we load them,
    /// and say so (a warning).
    #[error("rule line starts with whitespace; Suricata skips such lines")]
    LeadingWhitespace,
}

/// One diagnostic about one rule, located in its file.
///
/// `Display` prints `file:line:column: error: message`, then the source
/// line and a caret under the column; a duplicate sid also prints where the
/// first definition is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleError {
    /// The file, or `None` for a rule parsed from a string.
    pub path: Option<Arc<Path>>,
    /// 1-based line.
    pub line: u32,
    /// 1-based column (characters).
    pub column: u32,
    /// The rule's sid when it was known at the time of the error.
    pub sid: Option<u32>,
    /// Error or warning.
    pub severity: Severity,
    /// What went wrong.
    pub kind: RuleErrorKind,
    /// The source line the column refers to (for the caret display).
    pub source_line: String,
    /// Another place the message refers to (the first definition of a
    /// duplicate sid).
    pub related: Option<Box<Location>>,
}

impl RuleError {
    /// The error's location.
    pub fn location(&self) -> Location {
        Location {
            path: self.path.clone(),
            line: self.line,
            column: self.column,
        }
    }

    /// Whether this diagnostic stops the rule from loading.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// How many characters of a long source line the caret display shows.
const SHOWN: usize = 120;

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{}: {what}: {}", self.location(), self.kind)?;
        if let Some(sid) = self.sid {
            write!(f, " (sid {sid})")?;
        }
        let col = (self.column.max(1) - 1) as usize;
        // Show a window of the line around the column: a 1 MB line must
        // not become a 1 MB message.
        let chars = self.source_line.chars().count();
        let start = if chars > SHOWN && col > SHOWN / 2 {
            (col - SHOWN / 2).min(chars.saturating_sub(SHOWN))
        } else {
            0
        };
        let shown: String = self.source_line.chars().skip(start).take(SHOWN).collect();
        let lead = if start > 0 { "..." } else { "" };
        let tail = if start + SHOWN < chars { "..." } else { "" };
        write!(f, "\n    {lead}{shown}{tail}")?;
        let pad = lead.len() + col.saturating_sub(start);
        write!(f, "\n    {:pad$}^", "")?;
        if let Some(rel) = &self.related {
            write!(f, "\n{rel}: note: first defined here")?;
        }
        Ok(())
    }
}

impl std::error::Error for RuleError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(line: &str, column: u32) -> RuleError {
        RuleError {
            path: Some(Arc::from(Path::new("a.rules"))),
            line: 3,
            column,
            sid: Some(7),
            severity: Severity::Error,
            kind: RuleErrorKind::MissingSid,
            source_line: line.to_string(),
            related: None,
        }
    }

    #[test]
    fn display_has_location_line_and_caret() {
        let e = err("alert tcp x", 7);
        assert_eq!(
            e.to_string(),
            "a.rules:3:7: error: rule has no sid (sid 7)\n    alert tcp x\n          ^"
        );
    }

    #[test]
    fn long_lines_are_windowed() {
        let line = "a".repeat(1_000_000);
        let e = err(&line, 500_000);
        let s = e.to_string();
        assert!(s.len() < 600, "{}", s.len());
        let lines: Vec<&str> = s.lines().collect();
        let caret = lines[2].find('^').unwrap();
        // The caret sits under the 61st shown character (window starts 60 before).
        assert_eq!(caret, 4 + 3 + 60);
    }

    #[test]
    fn related_location_is_printed() {
        let mut e = err("x", 1);
        e.related = Some(Box::new(Location {
            path: None,
            line: 1,
            column: 1,
        }));
        assert!(e
            .to_string()
            .ends_with("<input>:1:1: note: first defined here"));
    }
}
