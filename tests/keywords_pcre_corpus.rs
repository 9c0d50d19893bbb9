//! Every `pcre` of the shared rule sets (active and commented-out rules)
//! compiles: on the `regex` crate where it can express the pattern
//! exactly, on the bounded backtracker otherwise. Prints the census
//! (`cargo test --test keywords_pcre_corpus -- --nocapture`).

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use rulewire::config::Vars;
use rulewire::detect::keywords::pcre::{CompiledPcre, PcreEngine};
use rulewire::rule::keywords::pcre::Pcre;
use rulewire::rule::{load_paths, LoadOptions, Match};

/// (sid, pcre) of every `pcre` in shared rule set `set`, active and
/// commented-out rules, with the built-in variables.
fn corpus_pcres(shared: &Path, set: &str) -> Vec<(Option<u32>, Pcre)> {
    let vars = Vars::builtin();
    let opts = LoadOptions {
        vars: &vars,
        uncomment: true,
        dialect: None,
    };
    let rs = load_paths(&[shared.join("rulesets").join(set)], &opts);
    rs.rules
        .iter()
        .flat_map(|r| {
            r.rule
                .lists
                .iter()
                .flat_map(|l| l.matches.iter())
                .filter_map(move |m| match m {
                    Match::Pcre(p) => Some((r.rule.sid, p.clone())),
                    _ => None,
                })
        })
        .collect()
}

#[test]
fn every_corpus_pcre_compiles() {
    let Some(shared) = common::shared_dir("every_corpus_pcre_compiles") else {
        return;
    };
    // (set, sid, pcre) of every pattern, then compiled on every core
    // (the backtracker's compile is the slow part in debug builds).
    let mut all = Vec::new();
    for set in [
        "et-open",
        "snort-community",
        "snort3-community",
        "suricata-events",
    ] {
        all.extend(
            corpus_pcres(&shared, set)
                .into_iter()
                .map(|(sid, p)| (set, sid, p)),
        );
    }
    let total = all.len();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = total.div_ceil(threads).max(1);
    let results: Vec<(usize, BTreeMap<&'static str, usize>, Vec<String>)> =
        std::thread::scope(|s| {
            let handles: Vec<_> = all
                .chunks(chunk)
                .map(|part| {
                    s.spawn(move || {
                        let mut regex = 0usize;
                        let mut why: BTreeMap<&'static str, usize> = BTreeMap::new();
                        let mut failed = Vec::new();
                        for (set, sid, p) in part {
                            match CompiledPcre::compile(p) {
                                Ok(c) => match c.engine() {
                                    PcreEngine::Regex => regex += 1,
                                    PcreEngine::Backtracking(w) => *why.entry(w).or_default() += 1,
                                },
                                Err(e) => failed.push(format!("{set} sid {sid:?}: {e}")),
                            }
                        }
                        (regex, why, failed)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
    let mut regex = 0usize;
    let mut why: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut failed: Vec<String> = Vec::new();
    for (r, w, f) in results {
        regex += r;
        for (k, v) in w {
            *why.entry(k).or_default() += v;
        }
        failed.extend(f);
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

/// Engine comparison on the ET Open patterns: compile time, and search
/// time over a 1,400-byte HTTP-like buffer, for the `regex` path, the
/// backtracking path, and the `regex`-able patterns forced through the
/// backtracker. Timings mean something only in release:
/// `cargo test --release --test keywords_pcre_corpus -- --ignored --nocapture`.
#[test]
#[ignore]
fn engine_measurement() {
    use std::time::{Duration, Instant};
    let Some(shared) = common::shared_dir("engine_measurement") else {
        return;
    };
    let pcres: Vec<Pcre> = corpus_pcres(&shared, "et-open")
        .into_iter()
        .map(|(_, p)| p)
        .collect();
    let mut buf = b"GET /index.php?id=1&name=abc HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64)\r\nAccept: */*\r\n\r\n".to_vec();
    while buf.len() < 1400 {
        buf.extend_from_slice(
            b"<html><body><script>var x = document.createElement('div');</script>\xe9\xff\x00\n",
        );
    }
    let mut stats: BTreeMap<&str, (usize, Duration, Duration, usize)> = BTreeMap::new();
    for p in &pcres {
        let t0 = Instant::now();
        let Ok(c) = CompiledPcre::compile(p) else {
            continue;
        };
        let ct = t0.elapsed();
        let name = match c.engine() {
            PcreEngine::Regex => "regex",
            PcreEngine::Backtracking(_) => "backtracking",
        };
        let t1 = Instant::now();
        let hit = c.find(&buf, 0).is_some() as usize;
        let st = t1.elapsed();
        let e = stats.entry(name).or_default();
        *e = (e.0 + 1, e.1 + ct, e.2 + st, e.3 + hit);
        if name == "regex" {
            let t0 = Instant::now();
            let Ok(f) = CompiledPcre::compile_backtracking(p) else {
                continue;
            };
            let ct = t0.elapsed();
            let t1 = Instant::now();
            let fhit = f.find(&buf, 0).is_some() as usize;
            let st = t1.elapsed();
            assert_eq!(hit, fhit, "engines disagree on /{}/", p.pattern);
            let e = stats.entry("regex-able, forced backtracking").or_default();
            *e = (e.0 + 1, e.1 + ct, e.2 + st, e.3 + fhit);
        }
    }
    for (k, (n, ct, st, hits)) in stats {
        eprintln!(
            "{k}: {n} patterns, compile {ct:?} ({:?}/pattern), first search {st:?} ({:?}/pattern), {hits} matched",
            ct / n.max(1) as u32,
            st / n.max(1) as u32
        );
    }
}
