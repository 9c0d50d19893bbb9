//! The rule language: Snort 2.9, Snort 3 and Suricata rules read into one
//! typed model.
//!
//! # Pipeline
//!
//! 1. [`loader`]: files into logical rules (comments, continuations,
//!    commented-out rules), with a source map back to lines and columns.
//! 2. `syntax`: the pest grammar (`grammar/rules.pest`) splits a rule into
//!    action, protocol, header and raw options. No pest type leaves it.
//! 3. [`keywords`]: one small typed parser per keyword value.
//! 4. `build`: options into a [`Rule`]: metadata, [`Condition`]s, and
//!    per-buffer [`MatchList`]s laid out as Suricata's sigmatch lists,
//!    with Suricata's setup-time checks.
//! 5. `validate` and [`resolve`]: whole-rule checks, then `$VARS` into
//!    [`AddressSet`]s and [`PortSet`]s.
//!
//! Every rule prints back (`Display`) to canonical text that parses to an
//! equal [`Rule`].
//!
//! # Errors
//!
//! Problems are [`RuleError`] values located at `file:line:column`; one
//! bad rule never stops a file. Unknown keywords are not errors: they are
//! kept as [`Condition::Unknown`] and make the rule unsupported
//! ([`Rule::unsupported`], [`RuleSet::unsupported_by_keyword`]).
//!
//! ```
//! use rulewire::rule::{parse_rule, Buffer, Match};
//!
//! let rule = parse_rule(
//!     r#"alert http any any -> any any (msg:"x"; content:"GET"; http_method; content:"/a"; http_uri; depth:2; sid:1; rev:1;)"#,
//! ).unwrap();
//! let uri = rule.list(Buffer::HttpUri).unwrap();
//! assert!(matches!(&uri.matches[0], Match::Content(c) if c.pattern == b"/a"));
//! assert_eq!(rule.to_string().parse::<rulewire::rule::Rule>().unwrap(), rule);
//! ```

// Rule text is untrusted input: no unwrap, expect or unchecked indexing
// outside tests (STYLE.md, section 3).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

mod address;
mod buffer;
mod build;
mod display;
mod error;
mod header;
pub mod keywords;
mod lint;
pub mod loader;
mod model;
mod port;
mod ranges;
mod requires;
pub mod resolve;
mod syntax;
mod validate;

use std::path::Path;
use std::sync::Arc;

pub use address::{AddressExpr, AddressSet, IpBlock};
pub use buffer::{Buffer, Transform};
pub use error::{Location, RuleError, RuleErrorKind, Severity};
pub use header::{Action, Direction, Header, Protocol};
pub use keywords::Dialect;
pub use loader::{
    load_file, load_paths, load_str, Endpoints, LoadOptions, LoadedRule, RuleSet, MAX_RULE_LEN,
};
pub use model::{Condition, Match, MatchList, Rule};
pub use port::{PortExpr, PortSet};
pub use resolve::{resolve_address, resolve_port, Resolver};

/// Parses one rule (dialect guessed), with Suricata's checks but without
/// variables. Warnings are dropped; use the [`loader`] to see them.
///
/// # Errors
/// The first problem, located in `text` (line 1).
// A RuleError is 128 bytes (location, kind, source line); it is only built
// on the error path, so it is returned by value rather than boxed.
#[allow(clippy::result_large_err)]
pub fn parse_rule(text: &str) -> Result<Rule, RuleError> {
    parse_rule_as(text, None)
}

/// Parses one rule read as `dialect` (`None`: guessed).
///
/// # Errors
/// The first problem, located in `text` (line 1).
#[allow(clippy::result_large_err)]
pub fn parse_rule_as(text: &str, dialect: Option<Dialect>) -> Result<Rule, RuleError> {
    let locate = |at: usize, kind: RuleErrorKind, sid: Option<u32>| {
        let at = at.min(text.len());
        let mut a = at;
        while !text.is_char_boundary(a) {
            a -= 1;
        }
        RuleError {
            path: None::<Arc<Path>>,
            line: 1,
            column: text[..a].chars().count() as u32 + 1,
            sid,
            severity: Severity::Error,
            kind,
            source_line: text.to_string(),
            related: None,
        }
    };
    if text.len() > MAX_RULE_LEN {
        return Err(locate(
            0,
            RuleErrorKind::RuleTooLong {
                len: text.len(),
                max: MAX_RULE_LEN,
            },
            None,
        ));
    }
    let raw = syntax::parse_rule(text, false).map_err(|e| locate(e.at, e.kind, None))?;
    let built = build::build(raw, dialect).map_err(|e| locate(e.at, e.kind, None))?;
    validate::validate(&built).map_err(|e| locate(e.at, e.kind, built.rule.sid))?;
    Ok(built.rule)
}

impl std::str::FromStr for Rule {
    type Err = RuleError;

    /// Same as [`parse_rule`].
    fn from_str(s: &str) -> Result<Rule, RuleError> {
        parse_rule(s)
    }
}
