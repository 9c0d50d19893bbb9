//! What compiling each pcre found, kept per pattern and flags for the whole
//! process, so the check behind [`super::CompiledPcre::compile`] compiles
//! a pattern once however many rules (ET Open repeats half its patterns),
//! engine builds or `why_inactive` calls ask, and [`check_all`] checks a
//! rule set's patterns on every core before an engine build walks them.
//!
//! A check compiles the pattern exactly as the first search will
//! (`super::build`) and keeps only its outcome (the engine or the error),
//! never the program: compiling is deterministic, so the outcome is the
//! same every time. A pattern the `regex` engine surely compiles
//! (`super::precheck`: parsed, NFA size bounded) is not compiled at all. Memory is capped: past [`MAX_KEPT`] outcomes, new
//! patterns are checked every time instead of kept.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, OnceLock};

use rayon::prelude::*;

use crate::rule::keywords::pcre::{Pcre, PcreFlags};

use super::{PcreEngine, PcreError};

/// A check's outcome.
pub(super) type Outcome = Result<PcreEngine, PcreError>;

/// Most outcomes kept (an outcome is the pattern text and a few words).
const MAX_KEPT: usize = 1 << 16;

/// Outcomes by pattern, then flags.
#[derive(Default)]
struct Kept {
    by_pattern: HashMap<String, Vec<(PcreFlags, Outcome)>>,
    count: usize,
}

fn kept() -> MutexGuard<'static, Kept> {
    static KEPT: OnceLock<Mutex<Kept>> = OnceLock::new();
    KEPT.get_or_init(Mutex::default)
        .lock()
        // The map is only ever inserted into whole entries: a panic
        // elsewhere while it was held leaves it consistent.
        .unwrap_or_else(|e| e.into_inner())
}

fn lookup(map: &Kept, pcre: &Pcre) -> Option<Outcome> {
    map.by_pattern
        .get(&pcre.pattern)?
        .iter()
        .find(|(f, _)| *f == pcre.flags)
        .map(|(_, o)| o.clone())
}

/// Compiles `pcre` (without the lock held) and drops the program; a
/// pattern that surely compiles on the `regex` engine is not compiled.
fn compile(pcre: &Pcre) -> Outcome {
    if let Some(engine) = super::surely_regex(pcre) {
        return Ok(engine);
    }
    super::build(pcre, false).map(|(_program, engine)| engine)
}

fn keep(pcre: &Pcre, outcome: &Outcome) {
    let mut map = kept();
    if map.count >= MAX_KEPT || lookup(&map, pcre).is_some() {
        return;
    }
    map.by_pattern
        .entry(pcre.pattern.clone())
        .or_default()
        .push((pcre.flags, outcome.clone()));
    map.count += 1;
}

/// The outcome of compiling `pcre`, compiled only the first time.
pub(super) fn check(pcre: &Pcre) -> Outcome {
    if let Some(o) = lookup(&kept(), pcre) {
        return o;
    }
    let outcome = compile(pcre);
    keep(pcre, &outcome);
    outcome
}

/// Checks every pattern of `pcres` not checked yet, on every core (each
/// distinct pattern and flags once), so later [`check`]s find them.
pub fn check_all(pcres: &[&Pcre]) {
    let todo: Vec<&Pcre> = {
        let map = kept();
        let mut seen: HashMap<(&str, PcreFlags), ()> = HashMap::new();
        pcres
            .iter()
            .copied()
            .filter(|p| lookup(&map, p).is_none())
            .filter(|p| seen.insert((p.pattern.as_str(), p.flags), ()).is_none())
            .collect()
    };
    let outcomes: Vec<_> = todo.par_iter().map(|p| compile(p)).collect();
    for (p, o) in todo.iter().zip(&outcomes) {
        keep(p, o);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pcre(pattern: &str, caseless: bool) -> Pcre {
        Pcre {
            negated: false,
            pattern: pattern.to_string(),
            flags: PcreFlags {
                caseless,
                ..PcreFlags::default()
            },
            relative: false,
            captures: None,
        }
    }

    #[test]
    fn outcomes_are_kept_per_pattern_and_flags() {
        // A pattern only this test uses, so other tests cannot have kept it.
        let a = pcre("checked-test-(a|b)+z", false);
        let ai = pcre("checked-test-(a|b)+z", true);
        check_all(&[&a, &a, &ai]);
        let map = kept();
        let slot = map.by_pattern.get("checked-test-(a|b)+z").map(Vec::len);
        assert_eq!(slot, Some(2));
        assert_eq!(lookup(&map, &a), Some(Ok(PcreEngine::Regex)));
        assert_eq!(lookup(&map, &ai), Some(Ok(PcreEngine::Regex)));
    }

    #[test]
    fn errors_are_kept_as_the_compile_gave_them() {
        let bad = pcre("checked-test-(unclosed", false);
        let first = check(&bad);
        assert!(first.is_err());
        assert_eq!(check(&bad), first);
        assert_eq!(compile(&bad), first);
    }

    #[test]
    fn backtracking_engine_is_kept() {
        let p = pcre(r"checked-test-(\w)\1", false);
        assert!(matches!(check(&p), Ok(PcreEngine::Backtracking(_))));
        assert_eq!(check(&p), compile(&p));
    }
}
