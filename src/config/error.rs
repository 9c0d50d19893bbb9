//! Error and warning values for configuration loading.
//!
//! Three kinds, kept apart on purpose:
//!
//! * [`ConfigError`]: fatal. The configuration cannot be used at all (an
//!   unreadable main file, a YAML syntax error, a malformed `--set`). It names
//!   the file and, for YAML errors, the line and column.
//! * [`ConfigWarning`]: the configuration loads, but something in it has no
//!   effect (a setting rulewire does not implement, an `include:` that cannot
//!   be found, a variable without a value). Warnings are values the caller
//!   prints; they never stop a run.
//! * [`LineError`]: one bad line in a line-oriented file
//!   (`classification.config`, `reference.config`, `threshold.config`); the
//!   rest of the file still loads, as in Suricata.
//!
//! [`ValueError`] is returned by the typed getters of
//! [`Config`](super::Config) when a setting holds text of the wrong shape.

use std::fmt;
use std::path::PathBuf;

/// A fatal configuration problem: the configuration cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A configuration file could not be read.
    #[error("{}: cannot read configuration: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating-system error.
        #[source]
        source: std::io::Error,
    },
    /// A configuration file is larger than [`MAX_CONFIG_BYTES`](super::MAX_CONFIG_BYTES).
    #[error("{}: file is {size} bytes, over the {limit}-byte limit for configuration files", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size in bytes.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// A YAML syntax (or structure) error.
    #[error("{}{}: YAML error: {message}", path.display(), fmt_location(*line, *column))]
    Yaml {
        /// The file that holds the error (an included file where that is
        /// where the error is).
        path: PathBuf,
        /// 1-based line, when the YAML parser reported one.
        line: Option<usize>,
        /// 1-based column, when the YAML parser reported one.
        column: Option<usize>,
        /// The parser's message.
        message: String,
    },
    /// A `--set key=value` override that cannot be applied.
    #[error("--set {arg}: {message}")]
    Set {
        /// The override as given.
        arg: String,
        /// Why it cannot be applied.
        message: String,
    },
}

fn fmt_location(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(":{l}:{c}"),
        (Some(l), None) => format!(":{l}"),
        _ => String::new(),
    }
}

/// What a [`ConfigWarning`] is about; callers group and count by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum WarningKind {
    /// A setting rulewire does not implement; it is ignored.
    Unimplemented,
    /// An `include:` that could not be resolved (missing, unreadable, a
    /// cycle, too deep); the include is skipped.
    Include,
    /// A setting rulewire reads whose value it cannot use (a variable with no
    /// value, a non-string key); the value is skipped.
    Value,
}

/// A non-fatal configuration problem: the setting named by `key` has no
/// effect. Display: `path: key: message`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigWarning {
    /// The file the setting came from (`--set` for command-line overrides).
    pub path: PathBuf,
    /// The dotted key of the setting (`app-layer`, `outputs.eve-log.types.http`,
    /// `include`).
    pub key: String,
    /// What kind of problem it is.
    pub kind: WarningKind,
    /// A sentence saying what happened and what rulewire does instead.
    pub message: String,
}

impl fmt::Display for ConfigWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.path.display(), self.key, self.message)
    }
}

/// A setting holds text rulewire cannot read as the type asked for.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("setting {key}: {message} (value {value:?})")]
pub struct ValueError {
    /// The dotted key.
    pub key: String,
    /// The value as written (a placeholder such as `<mapping>` for
    /// non-scalars).
    pub value: String,
    /// What was expected.
    pub message: String,
}

/// One bad line in a line-oriented configuration file. Display:
/// `path:line: message`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}: {message}", path.display())]
pub struct LineError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line number (the first line of a `\`-continued entry).
    pub line: usize,
    /// What is wrong with it.
    pub message: String,
}
