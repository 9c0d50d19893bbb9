//! Every `pcre` of the shared rule sets (active and commented-out rules)
//! compiles: on the `regex` crate where it can express the pattern
//! exactly, on the bounded backtracker otherwise. Prints the census
//! (`cargo test --test keywords_pcre_corpus -- --nocapture`).

mod common;

use std::collections::BTreeMap;

use rulewire::config::Vars;
use rulewire::detect::keywords::pcre::{CompiledPcre, PcreEngine};
use rulewire::rule::{load_paths, LoadOptions, Match};

#[test]
fn every_corpus_pcre_compiles() {
    let Some(shared) = common::shared_dir("every_corpus_pcre_compiles") else {
        return;
    };
    let vars = Vars::builtin();
    let opts = LoadOptions {
        vars: &vars,
        uncomment: true,
        dialect: None,
    };
    let mut total = 0usize;
    let mut regex = 0usize;
    let mut why: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut failed: Vec<String> = Vec::new();
    for set in [
        "et-open",
        "snort-community",
        "snort3-community",
        "suricata-events",
    ] {
        let rs = load_paths(&[shared.join("rulesets").join(set)], &opts);
        for r in &rs.rules {
            for l in &r.rule.lists {
                for m in &l.matches {
                    let Match::Pcre(p) = m else { continue };
                    total += 1;
                    match CompiledPcre::compile(p) {
                        Ok(c) => match c.engine() {
                            PcreEngine::Regex => regex += 1,
                            PcreEngine::Backtracking(w) => *why.entry(w).or_default() += 1,
                        },
                        Err(e) => failed.push(format!("{set} sid {:?}: {e}", r.rule.sid)),
                    }
                }
            }
        }
    }
    let back: usize = why.values().sum();
    eprintln!(
        "pcre census: {total} patterns, {regex} on regex, {back} on the backtracker {why:?}, {} failed",
        failed.len()
    );
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    for f in &failed {
        let r = f.rsplit("/: ").next().unwrap_or(f);
        *reasons.entry(r.chars().take(60).collect()).or_default() += 1;
    }
    eprintln!("failure reasons: {reasons:#?}");
    for f in failed.iter().take(40) {
        eprintln!("  {}", f.chars().take(300).collect::<String>());
    }
    assert!(total > 5000, "too few pcre patterns found: {total}");
    assert!(
        failed.is_empty(),
        "{} patterns failed to compile",
        failed.len()
    );
}
