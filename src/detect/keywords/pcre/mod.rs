//! `pcre`: a rule's PCRE pattern checked at engine build time, compiled
//! for matching on its first search, and matched against inspection
//! buffers.
//!
//! Memory: a compiled `regex` program of an ET Open pattern holds about
//! 0.5 MB (counted repetitions such as `[^\x27]{1075,}` unroll into NFA
//! states), so the 600 pcre of ET Open's active rules held ~280 MB when
//! all were kept compiled. [`CompiledPcre::compile`] therefore compiles
//! once to check the pattern (the error is the rule's reason to be
//! inactive) and drops the program; the first [`CompiledPcre::search`]
//! compiles it again and keeps it (a `OnceLock`, shared by every worker).
//! Only the patterns that traffic reaches cost memory. The check's outcome
//! is kept per distinct pattern and flags ([`check_all`] checks a rule
//! set's patterns on every core before an engine build). Compiling is
//! deterministic, so the second compile succeeds as the first did; if it
//! did not, the search reports [`PcreOutcome::LimitHit`] rather than
//! panicking.
//!
//! Engines: the `regex` crate (`regex::bytes`, Unicode off, linear time)
//! runs every pattern whose meaning it can express exactly; patterns that
//! need backtracking (back references, look-around, atomic groups,
//! possessive quantifiers, `\G`, `\K`, conditionals, a PCRE `$` that is
//! not last) go to `fancy-regex`, which only works on `&str`: the
//! haystack is then read as Latin-1 (one char per byte, a reused
//! per-thread buffer when it is not ASCII) and offsets are mapped back.
//! See [`translate`] for the syntax mapping.
//!
//! Bounds: `regex` compiled-size and DFA-cache limits, a nesting limit,
//! and a backtracking step limit for `fancy-regex`; a search that hits
//! the step limit is [`PcreOutcome::LimitHit`] (Suricata counts a PCRE
//! match-limit error as no match).
//!
//! Relative matching is Suricata's: the subject is the buffer *from* the
//! previous match end, so `^` and `\A` anchor there and look-behind does
//! not see before it.
//!
//! Known differences from PCRE (documented, not fixed): in multiline
//! mode `^` also matches after a final `\n`; on the backtracking path
//! `(?i)` and `\b` also treat Latin-1 letters (bytes 0xC0-0xFE) as
//! letters. On that path every class, `.` and negated escape is written
//! as a positive class bounded to U+0000-U+00FF ([`byteset`]): Unicode-wide
//! negated classes made UTF-8 automata of tens of MB per pattern.

mod byteset;
mod checked;
mod precheck;
mod translate;

pub use checked::check_all;

use std::cell::RefCell;
use std::sync::OnceLock;

use thiserror::Error;

use crate::rule::keywords::pcre::Pcre;
use translate::{translate, Opts, Target};

/// Compiled size limit for one `regex` program (bytes).
const REGEX_SIZE_LIMIT: usize = 8 << 20;
/// Lazy DFA cache limit per `regex` (bytes).
const REGEX_DFA_LIMIT: usize = 2 << 20;
/// Deepest nesting of groups and repetitions accepted.
const NEST_LIMIT: u32 = 100;
/// Backtracking steps per search on the `fancy-regex` path.
pub const BACKTRACK_LIMIT: usize = 100_000;

/// Why a pattern did not compile.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error("pcre /{pattern}/: {reason}")]
pub struct PcreError {
    /// The pattern as written.
    pub pattern: String,
    /// What is wrong or unsupported.
    pub reason: String,
}

/// Which engine runs a compiled pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PcreEngine {
    /// `regex::bytes` (linear time).
    Regex,
    /// `fancy-regex` (backtracking, step-limited); the reason is the
    /// first construct that needed it.
    Backtracking(&'static str),
}

/// Result of one search.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PcreOutcome {
    /// A match: start and end offsets in the whole buffer.
    Match(usize, usize),
    /// No match.
    NoMatch,
    /// The backtracking step limit was hit (treated as no match).
    LimitHit,
}

enum Compiled {
    Regex {
        re: regex::bytes::Regex,
        /// The pattern ends in PCRE's `$`; the last group marks the end.
        trailing_dollar: bool,
    },
    Fancy(Box<fancy_regex::Regex>),
}

/// A checked `pcre` (pattern and flags; negation and `R` are kept for the
/// engine, which decides what a match means), compiled on first search.
pub struct CompiledPcre {
    /// The rule's pattern and flags, to compile from.
    source: Pcre,
    /// The program, once a search needed it (`None`: the second compile
    /// failed, which a deterministic compiler does not do).
    inner: OnceLock<Option<Compiled>>,
    engine: PcreEngine,
    negated: bool,
    relative: bool,
}

impl std::fmt::Debug for CompiledPcre {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompiledPcre")
            .field("engine", &self.engine)
            .field("negated", &self.negated)
            .field("relative", &self.relative)
            .finish()
    }
}

thread_local! {
    /// Latin-1 view of a non-ASCII haystack for the backtracking path.
    static LATIN1: RefCell<String> = const { RefCell::new(String::new()) };
}

/// The translator's options from the rule's flags.
fn opts(pcre: &Pcre) -> Opts {
    let f = &pcre.flags;
    Opts {
        caseless: f.caseless,
        multiline: f.multiline,
        dotall: f.dotall,
        extended: f.extended,
        anchored: f.anchored,
        dollar_endonly: f.dollar_endonly,
        ungreedy: f.ungreedy,
    }
}

fn error(pcre: &Pcre, reason: String) -> PcreError {
    PcreError {
        pattern: pcre.pattern.clone(),
        reason,
    }
}

/// `pcre` on the backtracking engine (its Latin-1 translation, bounded).
fn compile_fancy(pcre: &Pcre, opts: Opts) -> Result<fancy_regex::Regex, PcreError> {
    let t = translate(&pcre.pattern, opts, Target::Fancy).map_err(|e| error(pcre, e))?;
    fancy_regex::RegexBuilder::new(&t.text)
        .backtrack_limit(BACKTRACK_LIMIT)
        .delegate_size_limit(REGEX_SIZE_LIMIT)
        .delegate_dfa_size_limit(REGEX_DFA_LIMIT)
        .build()
        .map_err(|e| error(pcre, e.to_string()))
}

/// Compiles `pcre` (for `fancy-regex` whatever the pattern when
/// `force_backtracking`), with the engine that runs it.
fn build(pcre: &Pcre, force_backtracking: bool) -> Result<(Compiled, PcreEngine), PcreError> {
    let opts = opts(pcre);
    if force_backtracking {
        let re = compile_fancy(pcre, opts)?;
        return Ok((
            Compiled::Fancy(Box::new(re)),
            PcreEngine::Backtracking("forced"),
        ));
    }
    let err = |reason: String| error(pcre, reason);
    let t = translate(&pcre.pattern, opts, Target::Regex).map_err(err)?;
    Ok(match t.needs_backtracker {
        None => {
            let re = regex::bytes::RegexBuilder::new(&t.text)
                .unicode(false)
                .size_limit(REGEX_SIZE_LIMIT)
                .dfa_size_limit(REGEX_DFA_LIMIT)
                .nest_limit(NEST_LIMIT)
                .build()
                .map_err(|e| err(e.to_string()))?;
            (
                Compiled::Regex {
                    re,
                    trailing_dollar: t.trailing_dollar,
                },
                PcreEngine::Regex,
            )
        }
        Some(why) => (
            Compiled::Fancy(Box::new(compile_fancy(pcre, opts)?)),
            PcreEngine::Backtracking(why),
        ),
    })
}

/// The engine `pcre` runs on if it compiles: the one [`build`] gives on
/// success, read from the translation alone.
fn assumed_engine(pcre: &Pcre) -> Result<PcreEngine, PcreError> {
    let t = translate(&pcre.pattern, opts(pcre), Target::Regex).map_err(|e| error(pcre, e))?;
    Ok(match t.needs_backtracker {
        None => PcreEngine::Regex,
        Some(why) => PcreEngine::Backtracking(why),
    })
}

/// The engine for `pcre` when it surely compiles on the `regex` engine
/// ([`precheck`]: parsed and size-bounded, not compiled); `None` when only
/// compiling [`build`] can tell.
fn surely_regex(pcre: &Pcre) -> Option<PcreEngine> {
    let t = translate(&pcre.pattern, opts(pcre), Target::Regex).ok()?;
    (t.needs_backtracker.is_none()
        && precheck::surely_compiles(&t.text, REGEX_SIZE_LIMIT, NEST_LIMIT))
    .then_some(PcreEngine::Regex)
}

impl CompiledPcre {
    /// Checks `pcre` by compiling it (once per distinct pattern and flags
    /// in the process, see [`check_all`]); the program is compiled again,
    /// and kept, on first search.
    pub fn compile(pcre: &Pcre) -> Result<CompiledPcre, PcreError> {
        Ok(CompiledPcre::uncompiled(pcre, checked::check(pcre)?))
    }

    /// `pcre` to run on `engine`, its program compiled on first search.
    fn uncompiled(pcre: &Pcre, engine: PcreEngine) -> CompiledPcre {
        CompiledPcre {
            source: pcre.clone(),
            inner: OnceLock::new(),
            engine,
            negated: pcre.negated,
            relative: pcre.relative,
        }
    }

    /// `pcre` as if it compiles, with the engine it would then run on,
    /// from the translation alone (no compile; a pattern that does not
    /// translate is still an error). For an engine build that assembles
    /// while the patterns are checked, then confirms with
    /// [`compiles_as_assumed`](Self::compiles_as_assumed).
    pub fn compile_assumed(pcre: &Pcre) -> Result<CompiledPcre, PcreError> {
        Ok(CompiledPcre::uncompiled(pcre, assumed_engine(pcre)?))
    }

    /// Whether checking `pcre` ([`compile`](Self::compile)) gives what
    /// [`compile_assumed`](Self::compile_assumed) gave: the same engine,
    /// or the same error.
    pub fn compiles_as_assumed(pcre: &Pcre) -> bool {
        checked::check(pcre) == assumed_engine(pcre)
    }

    /// Compiles `pcre` for the backtracking engine even when `regex` could
    /// run it (to compare the engines; the detection engine uses
    /// [`compile`](Self::compile)). Kept compiled from the start.
    pub fn compile_backtracking(pcre: &Pcre) -> Result<CompiledPcre, PcreError> {
        let (compiled, engine) = build(pcre, true)?;
        Ok(CompiledPcre {
            source: pcre.clone(),
            inner: OnceLock::from(Some(compiled)),
            engine,
            negated: pcre.negated,
            relative: pcre.relative,
        })
    }

    /// The program, compiled on the first call.
    fn program(&self) -> Option<&Compiled> {
        self.inner
            .get_or_init(|| {
                let forced = self.engine == PcreEngine::Backtracking("forced");
                build(&self.source, forced).ok().map(|(c, _)| c)
            })
            .as_ref()
    }

    /// Which engine runs the pattern.
    pub fn engine(&self) -> PcreEngine {
        self.engine
    }

    /// `pcre:!"..."`: the rule wants no match.
    pub fn negated(&self) -> bool {
        self.negated
    }

    /// `R`: the search starts where the previous match in the buffer
    /// ended.
    pub fn relative(&self) -> bool {
        self.relative
    }

    /// The first match in `buf[from..]` (the subject starts at `from`, as
    /// Suricata's relative pcre does); offsets are in `buf`. A step-limit
    /// hit counts as no match. `from` past the end: no match.
    pub fn find(&self, buf: &[u8], from: usize) -> Option<(usize, usize)> {
        match self.search(buf, from) {
            PcreOutcome::Match(s, e) => Some((s, e)),
            _ => None,
        }
    }

    /// Like [`find`](Self::find), telling a step-limit hit apart.
    pub fn search(&self, buf: &[u8], from: usize) -> PcreOutcome {
        let Some(subject) = buf.get(from..) else {
            return PcreOutcome::NoMatch;
        };
        match self.search_subject(subject) {
            PcreOutcome::Match(s, e) => PcreOutcome::Match(s + from, e + from),
            other => other,
        }
    }

    fn search_subject(&self, subject: &[u8]) -> PcreOutcome {
        let Some(program) = self.program() else {
            return PcreOutcome::LimitHit;
        };
        match program {
            Compiled::Regex {
                re,
                trailing_dollar,
            } => {
                let Some(m) = re.find(subject) else {
                    return PcreOutcome::NoMatch;
                };
                if *trailing_dollar && subject.last() == Some(&b'\n') {
                    // The match may end before the final newline: the
                    // marker group says where PCRE's match ends. Rare
                    // path (pattern ends in `$`, subject in `\n`).
                    let mut locs = re.capture_locations();
                    if re.captures_read(&mut locs, subject).is_some() {
                        if let Some((end, _)) = locs.get(locs.len() - 1) {
                            return PcreOutcome::Match(m.start(), end);
                        }
                    }
                }
                PcreOutcome::Match(m.start(), m.end())
            }
            Compiled::Fancy(re) => {
                if let Ok(text) = std::str::from_utf8(subject) {
                    if subject.is_ascii() {
                        return fancy_outcome(re.find(text), |o| o);
                    }
                }
                LATIN1.with(|cell| {
                    let mut s = cell.borrow_mut();
                    s.clear();
                    s.extend(subject.iter().map(|&b| char::from(b)));
                    let text: &str = &s;
                    fancy_outcome(re.find(text), |o| text[..o].chars().count())
                })
            }
        }
    }
}

fn fancy_outcome(
    r: Result<Option<fancy_regex::Match<'_>>, fancy_regex::Error>,
    map: impl Fn(usize) -> usize,
) -> PcreOutcome {
    match r {
        Ok(Some(m)) => PcreOutcome::Match(map(m.start()), map(m.end())),
        Ok(None) => PcreOutcome::NoMatch,
        Err(_) => PcreOutcome::LimitHit,
    }
}

#[cfg(test)]
mod tests;
