//! `rulewire check-rules`: load rule files, validate them, and say what the
//! engine will do with each rule.
//!
//! Counts: `total` rules seen (`parsed` + rules with an error), `parsed`
//! rules that loaded, `active` rules the engine evaluates, `unsupported`
//! rules that use a keyword the engine does not know (grouped by keyword),
//! `errors` rules that did not load. A rule that loads but is not active
//! says why (`inactive_by_reason`): the engine evaluates packet-level
//! keywords so far, not application-layer buffers, pcre, byte_*, flowbits
//! or thresholds.
//!
//! `suricata_types` sorts the rules as Suricata's engine types them at load
//! (IP-only, packet payload, application layer, decoder-event only, and
//! the rest it does not count; `rulewire::detect::classify`), each with
//! how many are active, to set beside the counts Suricata logs.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use rulewire::config::Config;
use rulewire::config::Vars;
use rulewire::detect::classify::SuricataTypes;
use rulewire::detect::Engine;
use rulewire::rule::{load_paths, LoadOptions, RuleError, RuleSet};

use super::args::CheckRulesArgs;

/// What `active` means, printed with the counts.
const ACTIVE_NOTE: &str = "rules the engine evaluates: every keyword in them is implemented";

/// The `--json` document.
#[derive(Debug, Serialize)]
struct Summary<'a> {
    total: usize,
    parsed: usize,
    active: usize,
    unsupported: usize,
    errors: usize,
    warnings: usize,
    note: &'a str,
    by_keyword: BTreeMap<String, usize>,
    inactive_by_reason: BTreeMap<String, usize>,
    /// The rules as Suricata's engine types them at load, and how many of
    /// each type are active (see `rulewire::detect::classify`).
    suricata_types: SuricataTypes,
    diagnostics: Vec<Diagnostic>,
}

/// One error or warning, located.
#[derive(Debug, Serialize)]
struct Diagnostic {
    file: Option<String>,
    line: u32,
    column: u32,
    sid: Option<u32>,
    severity: &'static str,
    message: String,
}

impl From<&RuleError> for Diagnostic {
    fn from(e: &RuleError) -> Diagnostic {
        Diagnostic {
            file: e.path.as_ref().map(|p| p.display().to_string()),
            line: e.line,
            column: e.column,
            sid: e.sid,
            severity: if e.is_error() { "error" } else { "warning" },
            message: e.kind.to_string(),
        }
    }
}

/// Runs the command; `Ok` carries the exit code.
/// Writes the active rules' text, one per line, in load order.
fn write_active(path: &std::path::Path, set: &rulewire::rule::RuleSet) -> Result<(), String> {
    let mut text = String::new();
    for lr in set.rules.iter().filter(|lr| Engine::is_active(lr)) {
        text.push_str(lr.text.trim_start_matches('#').trim());
        text.push('\n');
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

pub fn run(args: &CheckRulesArgs) -> Result<i32, String> {
    let config = match &args.config {
        Some(path) => Config::load(path).map_err(|e| e.to_string())?,
        None => Config::new(),
    };
    for w in config.warnings() {
        eprintln!("rulewire: warning: {w}");
    }
    for p in &args.paths {
        if !p.exists() {
            return Err(format!("{}: no such file or directory", p.display()));
        }
    }
    let vars = config.vars();
    let mut opts = LoadOptions::new(&vars);
    opts.uncomment = args.uncomment;
    let set = load_paths(&args.paths, &opts);
    // Every pcre once, on every core, before the per-rule checks below.
    Engine::check_patterns(&set.rules);
    let summary = summarize(&set, &vars);
    if let Some(path) = &args.write_active {
        write_active(path, &set)?;
    }

    let mut out = io::stdout().lock();
    let written = if args.json {
        serde_json::to_writer(&mut out, &summary)
            .map_err(io::Error::from)
            .and_then(|()| writeln!(out))
    } else {
        write_text(&mut out, &summary, &set)
    };
    if let Err(e) = written {
        if e.kind() != io::ErrorKind::BrokenPipe {
            return Err(e.to_string());
        }
    }
    Ok(if args.strict && summary.errors > 0 {
        1
    } else {
        0
    })
}

fn summarize(set: &RuleSet, vars: &Vars) -> Summary<'static> {
    let errors = set.errors().count();
    let mut inactive_by_reason = BTreeMap::new();
    for r in &set.rules {
        if let Some(why) = Engine::why_inactive(r) {
            *inactive_by_reason.entry(why).or_insert(0) += 1;
        }
    }
    let inactive: usize = inactive_by_reason.values().sum();
    Summary {
        total: set.rules.len() + errors,
        parsed: set.rules.len(),
        active: set.rules.len() - inactive,
        unsupported: set.rules.iter().filter(|r| !r.rule.is_supported()).count(),
        errors,
        warnings: set.warnings().count(),
        note: ACTIVE_NOTE,
        by_keyword: set.unsupported_by_keyword(),
        inactive_by_reason,
        suricata_types: SuricataTypes::count(&set.rules, vars),
        diagnostics: set.diagnostics.iter().map(Diagnostic::from).collect(),
    }
}

fn write_text(out: &mut impl Write, s: &Summary<'_>, set: &RuleSet) -> io::Result<()> {
    writeln!(out, "rules:       {}", s.total)?;
    writeln!(out, "parsed:      {}", s.parsed)?;
    writeln!(out, "active:      {} ({})", s.active, s.note)?;
    writeln!(out, "unsupported: {}", s.unsupported)?;
    writeln!(out, "errors:      {}", s.errors)?;
    writeln!(out, "warnings:    {}", s.warnings)?;
    let t = &s.suricata_types;
    writeln!(out, "\nas Suricata types them (rules, active):")?;
    for (name, c) in [
        ("IP-only", t.ip_only),
        ("packet payload", t.payload),
        ("application layer", t.app_layer),
        ("decoder event only", t.decoder_event_only),
        ("not counted by Suricata", t.other),
    ] {
        writeln!(out, "  {:>7} {:>7}  {name}", c.rules, c.active)?;
    }
    if !s.by_keyword.is_empty() {
        writeln!(out, "\nunsupported keywords (rules using each):")?;
        let mut by_count: Vec<_> = s.by_keyword.iter().collect();
        by_count.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (kw, n) in by_count {
            writeln!(out, "  {n:>7}  {kw}")?;
        }
    }
    if !s.inactive_by_reason.is_empty() {
        writeln!(out, "\nnot active yet (rules, reason):")?;
        let mut by_count: Vec<_> = s.inactive_by_reason.iter().collect();
        by_count.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (why, n) in by_count.iter().take(25) {
            writeln!(out, "  {n:>7}  {why}")?;
        }
        if by_count.len() > 25 {
            writeln!(
                out,
                "  ... {} more reasons (--json lists all)",
                by_count.len() - 25
            )?;
        }
    }
    if !set.diagnostics.is_empty() {
        writeln!(out)?;
        for d in &set.diagnostics {
            writeln!(out, "{d}")?;
        }
    }
    Ok(())
}
