//! Loading rule files: comments, blank lines, backslash continuations,
//! optionally commented-out rules, per-rule errors that never stop the
//! file, variable resolution, and duplicate sids across a whole set.
//!
//! Lines follow Suricata's loader (`DetectLoadSigFile`): a line whose last
//! non-blank character is `\` continues on the next line (the backslash
//! and what follows it are dropped); `#` starts a comment. Unlike
//! Suricata, a rule line that starts with blanks is loaded (with a
//! warning: Suricata skips it). Each file line is checked for UTF-8 on its
//! own, so a bad byte costs one rule. Rules longer than [`MAX_RULE_LEN`]
//! are rejected before parsing.
//!
//! Duplicates follow Suricata (`DetectEngineSignatureIsDuplicate`): for the
//! same gid and sid, a later rule with the same or an older rev is an
//! error and is dropped; a later rule with a newer rev replaces the loaded
//! one, with a warning. Both messages point at both rules.
//!
//! A load runs on every core (rayon): files are read, split into
//! logical rules (serial line scanning), the rules parsed, built, checked
//! and resolved in parallel, then merged in file order, where the
//! duplicate check runs. The result (rule order, errors and warnings and
//! their order) is the same whatever the number of threads.

use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::address::AddressSet;
use super::build;
use super::error::{Location, RuleError, RuleErrorKind, Severity};
use super::header::Action;
use super::keywords::Dialect;
use super::lint;
use super::model::Rule;
use super::port::PortSet;
use super::resolve::Resolver;
use super::syntax;
use super::validate;
use crate::config::Vars;

/// Longest rule text accepted, in bytes (Suricata's own line buffer is
/// 8 KiB; the longest rule in the shared rule sets is 3.3 KB).
pub const MAX_RULE_LEN: usize = 64 * 1024;

/// How to load rules.
#[derive(Clone, Copy, Debug)]
pub struct LoadOptions<'a> {
    /// Address and port variables for `$NAME` in headers.
    pub vars: &'a Vars,
    /// Also load commented-out rules (`#alert ...`, `# alert ...`,
    /// `##drop ...`): comment lines whose text after the `#`s reads as a
    /// rule header up to its `(`.
    pub uncomment: bool,
    /// Read every rule as this dialect; `None` guesses per rule (see
    /// [`Dialect`]).
    pub dialect: Option<Dialect>,
}

impl<'a> LoadOptions<'a> {
    /// Active rules only, dialect guessed per rule.
    pub fn new(vars: &'a Vars) -> LoadOptions<'a> {
        LoadOptions {
            vars,
            uncomment: false,
            dialect: None,
        }
    }
}

/// A rule's header resolved against the variables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoints {
    /// Source addresses.
    pub src: Arc<AddressSet>,
    /// Source ports.
    pub src_ports: Arc<PortSet>,
    /// Destination addresses.
    pub dst: Arc<AddressSet>,
    /// Destination ports.
    pub dst_ports: Arc<PortSet>,
}

/// A rule as loaded: the model plus where it came from.
#[derive(Clone, Debug)]
pub struct LoadedRule {
    /// The typed rule.
    pub rule: Rule,
    /// The file, `None` for rules loaded from a string.
    pub path: Option<Arc<Path>>,
    /// Line of the rule's first character (its action word).
    pub line: u32,
    /// Column of the action word.
    pub column: u32,
    /// The rule's text as in the file (continuation lines joined, a
    /// commented-out rule with its `#`s).
    pub text: String,
    /// Whether the rule was commented out in the file.
    pub commented: bool,
    /// The dialect the rule was read as.
    pub dialect: Dialect,
    /// The header resolved against the variables; `None` for Snort 3
    /// service and file rules, which apply to any endpoints.
    pub endpoints: Option<Endpoints>,
}

impl LoadedRule {
    /// Where the rule is.
    pub fn location(&self) -> Location {
        Location {
            path: self.path.clone(),
            line: self.line,
            column: self.column,
        }
    }
}

/// Every rule that loaded, and every error and warning, in file order.
#[derive(Clone, Debug, Default)]
pub struct RuleSet {
    /// Rules that loaded (duplicates removed as Suricata does).
    pub rules: Vec<LoadedRule>,
    /// Errors (rules that did not load) and warnings.
    pub diagnostics: Vec<RuleError>,
}

impl RuleSet {
    /// The errors: one per rule that did not load.
    pub fn errors(&self) -> impl Iterator<Item = &RuleError> {
        self.diagnostics.iter().filter(|d| d.is_error())
    }

    /// The warnings.
    pub fn warnings(&self) -> impl Iterator<Item = &RuleError> {
        self.diagnostics.iter().filter(|d| !d.is_error())
    }

    /// For each unknown keyword, how many loaded rules use it.
    pub fn unsupported_by_keyword(&self) -> BTreeMap<String, usize> {
        let mut out = BTreeMap::new();
        for r in &self.rules {
            let mut names = r.rule.unsupported();
            names.sort_unstable();
            names.dedup();
            for n in names {
                *out.entry(n.to_string()).or_insert(0) += 1;
            }
        }
        out
    }

    /// Loaded rules whose every keyword is known.
    pub fn supported(&self) -> impl Iterator<Item = &LoadedRule> {
        self.rules.iter().filter(|r| r.rule.is_supported())
    }
}

/// Loads rules from a string (no path in locations).
pub fn load_str(text: &str, opts: &LoadOptions<'_>) -> RuleSet {
    load_sources(
        &[Source::Text {
            bytes: text.as_bytes().into(),
            path: None,
        }],
        opts,
    )
}

/// Loads one rule file. An unreadable file gives one `Io` error.
pub fn load_file(path: &Path, opts: &LoadOptions<'_>) -> RuleSet {
    load_sources(&[read_source(path)], opts)
}

/// Loads files and directories (every `*.rules` file inside a directory,
/// sorted by name, not recursing) into one set; duplicate sids are
/// checked across all of them.
pub fn load_paths<P: AsRef<Path>>(paths: &[P], opts: &LoadOptions<'_>) -> RuleSet {
    let mut files: Vec<Result<PathBuf, RuleError>> = Vec::new();
    for p in paths {
        let p = p.as_ref();
        if p.is_dir() {
            match rules_in_dir(p) {
                Ok(found) => files.extend(found.into_iter().map(Ok)),
                Err(e) => files.push(Err(io_error(p, &e))),
            }
        } else {
            files.push(Ok(p.to_path_buf()));
        }
    }
    // Read on every core too (copying tens of MB out of the page cache).
    let sources: Vec<Source<'_>> = files
        .par_iter()
        .map(|f| match f {
            Ok(path) => read_source(path),
            Err(e) => Source::Failed(e.clone()),
        })
        .collect();
    load_sources(&sources, opts)
}

/// One file's bytes, or why it could not be read.
enum Source<'b> {
    Text {
        bytes: std::borrow::Cow<'b, [u8]>,
        path: Option<Arc<Path>>,
    },
    Failed(RuleError),
}

fn read_source(path: &Path) -> Source<'static> {
    match std::fs::read(path) {
        Ok(bytes) => Source::Text {
            bytes: bytes.into(),
            path: Some(Arc::from(path)),
        },
        Err(e) => Source::Failed(io_error(path, &e)),
    }
}

fn io_error(path: &Path, e: &std::io::Error) -> RuleError {
    RuleError {
        path: Some(Arc::from(path)),
        line: 0,
        column: 0,
        sid: None,
        severity: Severity::Error,
        kind: RuleErrorKind::Io(e.to_string()),
        source_line: String::new(),
        related: None,
    }
}

/// The whole load: files into units (serial, cheap line scanning), units
/// into rules and diagnostics (on every core, rayon: results in order), then, in
/// file order, the diagnostics kept and the rules checked for duplicate
/// sids (serial: the outcome depends on order).
fn load_sources(sources: &[Source<'_>], opts: &LoadOptions<'_>) -> RuleSet {
    let mut units = Vec::new();
    for s in sources {
        match s {
            Source::Text { bytes, path } => scan(bytes, path, opts.uncomment, &mut units),
            Source::Failed(e) => units.push(Unit::Failed(e.clone())),
        }
    }
    // A unit costs a few microseconds: 256 per thread at least, so small
    // loads stay on the calling thread.
    let outcomes: Vec<Outcome> = units
        .par_iter()
        .with_min_len(256)
        .map_init(|| Worker::new(opts), |w, u| w.unit(u))
        .collect();
    let mut set = Merger::default();
    for (unit, outcome) in units.iter().zip(outcomes) {
        if let Unit::Failed(e) = unit {
            set.diags.push(e.clone());
        }
        set.diags.extend(outcome.diags);
        if let Some(rule) = outcome.rule {
            set.insert(rule, || unit.first_line());
        }
    }
    set.finish()
}

fn rules_in_dir(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "rules") && p.is_file())
        .collect();
    files.sort();
    Ok(files)
}

/// One physical line's part of a logical rule.
struct Segment<'a> {
    /// Offset of the segment in the logical text.
    start: usize,
    /// 1-based line number.
    line: u32,
    /// The whole physical line.
    phys: &'a str,
}

/// Maps offsets of a logical rule back to file lines and columns.
struct SourceMap<'a> {
    segments: Vec<Segment<'a>>,
}

impl SourceMap<'_> {
    /// (line, column, source line) of byte offset `at` of the logical text.
    fn locate(&self, at: usize) -> (u32, u32, &str) {
        let seg = self
            .segments
            .iter()
            .rev()
            .find(|s| s.start <= at)
            .or(self.segments.first());
        match seg {
            Some(s) => {
                let mut within = (at - s.start.min(at)).min(s.phys.len());
                while !s.phys.is_char_boundary(within) {
                    within -= 1;
                }
                let col = s.phys[..within].chars().count() as u32 + 1;
                (s.line, col, s.phys)
            }
            None => (0, 0, ""),
        }
    }
}

/// Whether the text after the leading `#`s and blanks begins with an
/// action word followed by a blank (a cheap test before the grammar's).
fn looks_like_commented_rule(line: &[u8]) -> bool {
    let rest = line
        .iter()
        .position(|b| !matches!(b, b'#' | b' ' | b'\t'))
        .and_then(|i| line.get(i..))
        .unwrap_or(&[]);
    let word_end = rest
        .iter()
        .position(|b| !b.is_ascii_alphabetic())
        .unwrap_or(rest.len());
    word_end > 0
        && matches!(rest.get(word_end), Some(b' ' | b'\t'))
        && rest
            .get(..word_end)
            .and_then(|w| std::str::from_utf8(w).ok())
            .and_then(Action::from_name)
            .is_some()
}

/// Lines of a byte buffer (split on `\n` with memchr).
struct Lines<'a> {
    rest: Option<&'a [u8]>,
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let rest = self.rest?;
        match memchr::memchr(b'\n', rest) {
            Some(i) => {
                self.rest = rest.get(i + 1..);
                rest.get(..i)
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }
}

fn strip_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// The line without its continuation backslash, if it has one.
fn continued(line: &str) -> Option<&str> {
    line.trim_end().strip_suffix('\\')
}

/// Finds `sid:N` in rule text that failed to parse.
fn sniff_sid(text: &str) -> Option<u32> {
    let mut from = 0;
    while let Some(i) = text[from..].find("sid") {
        let at = from + i;
        let before = text[..at].chars().next_back();
        let rest = text[at + 3..].trim_start();
        if matches!(before, Some(';' | '(' | ' ' | '\t')) {
            if let Some(num) = rest.strip_prefix(':') {
                let digits: String = num
                    .trim_start()
                    .chars()
                    .take_while(|c| c.is_ascii_digit())
                    .collect();
                if let Ok(n) = digits.parse() {
                    return Some(n);
                }
            }
        }
        from = at + 3;
    }
    None
}

/// A logical rule found by the line scan, still unparsed.
enum Unit<'a> {
    /// An active rule: its physical lines (more than one when continued
    /// with `\`), each with its 1-based number, `\r` stripped.
    Active {
        parts: Vec<(u32, &'a [u8])>,
        path: &'a Option<Arc<Path>>,
    },
    /// A comment line that may be a commented-out rule (`uncomment`).
    Commented {
        line: u32,
        bytes: &'a [u8],
        path: &'a Option<Arc<Path>>,
    },
    /// A file that could not be read.
    Failed(RuleError),
}

impl Unit<'_> {
    /// The unit's first physical line (for a duplicate-sid message).
    fn first_line(&self) -> String {
        let bytes = match self {
            Unit::Active { parts, .. } => parts.first().map_or(&[][..], |p| p.1),
            Unit::Commented { bytes, .. } => bytes,
            Unit::Failed(_) => &[],
        };
        String::from_utf8_lossy(bytes).into_owned()
    }
}

/// Splits a file into units: comments and blank lines skipped (kept as
/// [`Unit::Commented`] candidates with `uncomment`), continuation lines
/// joined to their rule.
fn scan<'a>(
    bytes: &'a [u8],
    path: &'a Option<Arc<Path>>,
    uncomment: bool,
    units: &mut Vec<Unit<'a>>,
) {
    let mut lines = Lines { rest: Some(bytes) }.enumerate();
    while let Some((idx, raw_line)) = lines.next() {
        let line_no = idx as u32 + 1;
        let raw_line = strip_cr(raw_line);
        let first = raw_line.iter().position(|b| !matches!(b, b' ' | b'\t'));
        let Some(first) = first else { continue };
        if raw_line.get(first) == Some(&b'#') {
            if uncomment && looks_like_commented_rule(raw_line) {
                units.push(Unit::Commented {
                    line: line_no,
                    bytes: raw_line,
                    path,
                });
            }
            continue;
        }
        // An active rule, possibly continued over several lines.
        let mut parts: Vec<(u32, &[u8])> = vec![(line_no, raw_line)];
        loop {
            let last = parts.last().map_or(&[][..], |p| p.1);
            let trimmed = last.trim_ascii_end();
            if !trimmed.ends_with(b"\\") {
                break;
            }
            match lines.next() {
                Some((i, next)) => parts.push((i as u32 + 1, strip_cr(next))),
                None => break,
            }
        }
        units.push(Unit::Active { parts, path });
    }
}

/// What one unit gave: its diagnostics in order, and the rule if it loaded.
#[derive(Default)]
struct Outcome {
    diags: Vec<RuleError>,
    rule: Option<LoadedRule>,
}

/// One thread's share of the load: units into rules, with its own caches.
struct Worker<'o, 'v> {
    opts: &'o LoadOptions<'v>,
    resolver: Resolver<'v>,
    heads: syntax::HeadCache,
}

impl<'o, 'v> Worker<'o, 'v> {
    fn new(opts: &'o LoadOptions<'v>) -> Worker<'o, 'v> {
        Worker {
            opts,
            resolver: Resolver::new(opts.vars),
            heads: syntax::HeadCache::default(),
        }
    }

    fn unit(&mut self, unit: &Unit<'_>) -> Outcome {
        let mut out = Outcome::default();
        match unit {
            Unit::Active { parts, path } => self.add_active(parts, path, &mut out),
            Unit::Commented { line, bytes, path } => {
                if let Ok(text) = std::str::from_utf8(bytes) {
                    if syntax::is_commented_rule(text) {
                        let map = SourceMap {
                            segments: vec![Segment {
                                start: 0,
                                line: *line,
                                phys: text,
                            }],
                        };
                        self.add_rule(text, &map, true, path, &mut out);
                    }
                }
            }
            Unit::Failed(_) => {}
        }
        out
    }

    fn add_active(&mut self, parts: &[(u32, &[u8])], path: &Option<Arc<Path>>, out: &mut Outcome) {
        let mut texts = Vec::with_capacity(parts.len());
        for &(line, bytes) in parts {
            match std::str::from_utf8(bytes) {
                Ok(t) => texts.push((line, t)),
                Err(e) => {
                    let good = bytes.get(..e.valid_up_to()).unwrap_or(&[]);
                    let col = String::from_utf8_lossy(good).chars().count() as u32 + 1;
                    out.diags.push(RuleError {
                        path: path.clone(),
                        line,
                        column: col,
                        sid: None,
                        severity: Severity::Error,
                        kind: RuleErrorKind::InvalidUtf8,
                        source_line: String::from_utf8_lossy(bytes).into_owned(),
                        related: None,
                    });
                    return;
                }
            }
        }
        let total: usize = texts.iter().map(|(_, t)| t.len()).sum();
        let Some(&(first_line, first_text)) = texts.first() else {
            return;
        };
        if total > MAX_RULE_LEN {
            let (line, t) = (first_line, first_text);
            out.diags.push(RuleError {
                path: path.clone(),
                line,
                column: 1,
                sid: None,
                severity: Severity::Error,
                kind: RuleErrorKind::RuleTooLong {
                    len: total,
                    max: MAX_RULE_LEN,
                },
                source_line: t.to_string(),
                related: None,
            });
            return;
        }
        if texts.len() == 1 {
            let (line, t) = (first_line, first_text);
            let map = SourceMap {
                segments: vec![Segment {
                    start: 0,
                    line,
                    phys: t,
                }],
            };
            self.add_rule(t, &map, false, path, out);
            return;
        }
        let mut joined = String::with_capacity(total);
        let mut segments = Vec::with_capacity(texts.len());
        for (line, t) in &texts {
            segments.push(Segment {
                start: joined.len(),
                line: *line,
                phys: t,
            });
            joined.push_str(continued(t).unwrap_or(t));
        }
        let map = SourceMap { segments };
        self.add_rule(&joined, &map, false, path, out);
    }

    fn diag(
        map: &SourceMap<'_>,
        path: &Option<Arc<Path>>,
        at: usize,
        kind: RuleErrorKind,
        severity: Severity,
        sid: Option<u32>,
    ) -> RuleError {
        let (line, column, src) = map.locate(at);
        RuleError {
            path: path.clone(),
            line,
            column,
            sid,
            severity,
            kind,
            source_line: src.to_string(),
            related: None,
        }
    }

    fn add_rule(
        &mut self,
        text: &str,
        map: &SourceMap<'_>,
        commented: bool,
        path: &Option<Arc<Path>>,
        out: &mut Outcome,
    ) {
        let diag = Self::diag;
        let raw = match syntax::parse_rule_cached(text, commented, &mut self.heads) {
            Ok(r) => r,
            Err(e) => {
                let d = diag(map, path, e.at, e.kind, Severity::Error, sniff_sid(text));
                out.diags.push(d);
                return;
            }
        };
        let built = match build::build(raw, self.opts.dialect) {
            Ok(b) => b,
            Err(e) => {
                // A rule whose `requires` are not met is skipped, not wrong.
                let severity = match e.kind {
                    RuleErrorKind::RequirementsUnmet(_) => Severity::Warning,
                    _ => Severity::Error,
                };
                let d = diag(map, path, e.at, e.kind, severity, sniff_sid(text));
                out.diags.push(d);
                return;
            }
        };
        let sid = built.rule.sid;
        let action_at = built.action_at;
        if let Err(e) = validate::validate(&built) {
            let at = if e.at == 0 { action_at } else { e.at };
            out.diags
                .push(diag(map, path, at, e.kind, Severity::Error, sid));
            return;
        }
        let endpoints = match (&built.rule.header, built.header_at) {
            (Some(h), Some(at)) => match self.resolve(h, at) {
                Ok(e) => Some(e),
                Err((part_at, e)) => {
                    // Point at the variable the rule names, when found.
                    let at = e
                        .via
                        .as_ref()
                        .and_then(|v| {
                            text.get(part_at..)
                                .and_then(|t| t.find(&format!("${v}")))
                                .map(|i| part_at + i)
                        })
                        .unwrap_or(part_at);
                    out.diags
                        .push(diag(map, path, at, e.kind, Severity::Error, sid));
                    return;
                }
            },
            _ => None,
        };
        let (line, column, _) = map.locate(action_at);
        for w in built.warnings.iter().cloned().chain(lint::lint(&built)) {
            out.diags
                .push(diag(map, path, w.at, w.kind, Severity::Warning, sid));
        }
        if !commented && action_at > 0 {
            out.diags.push(diag(
                map,
                path,
                action_at,
                RuleErrorKind::LeadingWhitespace,
                Severity::Warning,
                sid,
            ));
        }
        out.rule = Some(LoadedRule {
            rule: built.rule,
            path: path.clone(),
            line,
            column,
            text: text.to_string(),
            commented,
            dialect: built.dialect,
            endpoints,
        });
    }

    /// Resolves the four header parts; the error carries the offset of the
    /// part that failed.
    fn resolve(
        &mut self,
        h: &super::header::Header,
        at: [usize; 4],
    ) -> Result<Endpoints, (usize, super::resolve::ResolveError)> {
        Ok(Endpoints {
            src: self.resolver.address(&h.src).map_err(|e| (at[0], e))?,
            src_ports: self.resolver.port(&h.src_ports).map_err(|e| (at[1], e))?,
            dst: self.resolver.address(&h.dst).map_err(|e| (at[2], e))?,
            dst_ports: self.resolver.port(&h.dst_ports).map_err(|e| (at[3], e))?,
        })
    }
}

/// The rules in file order, with Suricata's duplicate-sid rule applied.
#[derive(Default)]
struct Merger {
    rules: Vec<LoadedRule>,
    /// Per rule: replaced by a newer revision (dropped by `finish`).
    replaced: Vec<bool>,
    any_replaced: bool,
    by_sid: HashMap<(u32, u32), usize>,
    diags: Vec<RuleError>,
}

impl Merger {
    /// Adds `loaded` unless it duplicates a loaded rule; `first_line` is
    /// its first physical line, for the message.
    fn insert(&mut self, loaded: LoadedRule, first_line: impl FnOnce() -> String) {
        let Some(sid) = loaded.rule.sid else {
            return;
        };
        let key = (loaded.rule.gid(), sid);
        if let Some(&idx) = self.by_sid.get(&key) {
            if let Some(first) = self.rules.get(idx) {
                let first_loc = first.location();
                let (old_rev, new_rev) = (first.rule.rev(), loaded.rule.rev());
                let (kind, severity) = if new_rev <= old_rev {
                    (
                        RuleErrorKind::DuplicateSid {
                            gid: key.0,
                            sid,
                            rev: new_rev,
                            first_rev: old_rev,
                        },
                        Severity::Error,
                    )
                } else {
                    (
                        RuleErrorKind::ReplacedOlderRevision {
                            gid: key.0,
                            sid,
                            rev: new_rev,
                            old_rev,
                        },
                        Severity::Warning,
                    )
                };
                self.diags.push(RuleError {
                    path: loaded.path.clone(),
                    line: loaded.line,
                    column: loaded.column,
                    sid: Some(sid),
                    severity,
                    kind,
                    source_line: first_line(),
                    related: Some(Box::new(first_loc)),
                });
                if severity == Severity::Error {
                    return;
                }
                if let Some(r) = self.replaced.get_mut(idx) {
                    *r = true;
                    self.any_replaced = true;
                }
            }
        }
        self.by_sid.insert(key, self.rules.len());
        self.rules.push(loaded);
        self.replaced.push(false);
    }

    fn finish(self) -> RuleSet {
        let rules = if self.any_replaced {
            self.rules
                .into_iter()
                .zip(self.replaced)
                .filter(|(_, replaced)| !replaced)
                .map(|(r, _)| r)
                .collect()
        } else {
            self.rules
        };
        RuleSet {
            rules,
            diagnostics: self.diags,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parallel_load_keeps_file_order_and_reports_deep_lists() {
        // Enough rules for several threads; a too-deeply nested list and a
        // duplicate sid among them.
        let mut text = String::new();
        for i in 0..1500 {
            text.push_str(&format!(
                "alert tcp any any -> any any (msg:\"r{i}\"; content:\"a\"; sid:{};)\n",
                i + 1
            ));
        }
        let deep = format!("{}1.2.3.4{}", "[".repeat(5000), "]".repeat(5000));
        text.push_str(&format!("alert tcp {deep} any -> any any (sid:9999;)\n"));
        text.push_str("alert tcp any any -> any any (msg:\"dup\"; sid:7;)\n");
        let vars = crate::config::Vars::builtin();
        let set = load_str(&text, &LoadOptions::new(&vars));
        let sids: Vec<u32> = set.rules.iter().filter_map(|r| r.rule.sid).collect();
        let want: Vec<u32> = (1..=1500).collect();
        assert_eq!(sids, want);
        assert_eq!(set.diagnostics.len(), 2);
        assert_eq!(set.diagnostics[0].line, 1501);
        assert_eq!(set.diagnostics[0].column, 75);
        assert!(matches!(
            &set.diagnostics[0].kind,
            RuleErrorKind::Syntax(m) if m == "list nested deeper than 64 levels"
        ));
        assert_eq!(set.diagnostics[1].line, 1502);
        assert!(matches!(
            set.diagnostics[1].kind,
            RuleErrorKind::DuplicateSid { sid: 7, .. }
        ));
    }

    #[test]
    fn sid_sniffing() {
        assert_eq!(sniff_sid("alert x (msg:\"a\"; sid: 42; rev:1;"), Some(42));
        assert_eq!(sniff_sid("alert x (msg:\"consid:1\"; sid:7;)"), Some(7));
        assert_eq!(sniff_sid("alert x (msg:\"a\";"), None);
    }

    #[test]
    fn commented_rule_prefilter() {
        assert!(looks_like_commented_rule(b"#alert tcp"));
        assert!(looks_like_commented_rule(b"## drop http"));
        assert!(!looks_like_commented_rule(b"# alerting is fun"));
        assert!(!looks_like_commented_rule(b"# Copyright"));
    }

    #[test]
    fn source_map_locates_continuations() {
        let map = SourceMap {
            segments: vec![
                Segment {
                    start: 0,
                    line: 3,
                    phys: "alert tcp \\",
                },
                Segment {
                    start: 10,
                    line: 4,
                    phys: "  any any",
                },
            ],
        };
        assert_eq!(map.locate(6).0, 3);
        assert_eq!(map.locate(6).1, 7);
        assert_eq!(map.locate(12).0, 4);
        assert_eq!(map.locate(12).1, 3);
    }
}
