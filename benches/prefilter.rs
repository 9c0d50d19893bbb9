//! The fast-pattern prefilter alone: every ET Open rule's fast pattern
//! (commented rules included, as `check-rules --uncomment` loads them) in
//! one automaton, scanning the payloads of the benchmark capture. This is
//! what chose the automaton settings of
//! `rulewire::detect::prefilter::MatcherSettings::default()`.
//!
//! ```text
//! cargo bench --bench prefilter
//! RULEWIRE_BENCH_PCAP=/path/to/file.pcap cargo bench --bench prefilter
//! RULEWIRE_BENCH_DFA=1 cargo bench --bench prefilter   # also the DFA
//! RULEWIRE_BENCH_BYTES=150000000 cargo bench --bench prefilter   # all payloads
//! ```
//!
//! Rules come from `../shared/rulesets/et-open`, the capture from
//! `/work/benchdata/web-mix-8.pcap` unless `RULEWIRE_BENCH_PCAP` names
//! another; when either is missing the bench says so and measures
//! nothing. Payloads (what rules inspect: the innermost transport
//! payload) are copied out once, from the start of the capture up to
//! `RULEWIRE_BENCH_BYTES` (default 8 MiB: overlapping search over 25,000
//! patterns runs at tens of MB/s, so the whole 150 MB takes minutes per
//! sample). Throughput is in payload bytes
//! (`Throughput::Bytes`), so criterion prints GB/s.
//!
//! Variants (all report every occurrence, `MatchKind::Standard` with
//! overlapping search, which a prefilter needs):
//! * `matcher`: `PatternMatcher` with default settings (the hashed-window
//!   filter) over every pattern, with per-pattern dedup and exact-case
//!   confirmation (patterns unbounded here: no `depth` head split);
//! * `matcher/active/window`: the default settings over the fast patterns
//!   of the rules the engine evaluates (`Engine::is_active`; about 2,900
//!   patterns, what the engine's TCP families hold together);
//! * `matcher/active/<kind>`: the same patterns in the Aho-Corasick
//!   automaton the window filter replaced (`window: false`), as a DFA and
//!   as a contiguous NFA;
//! * `ac/<kind>/fold`: one ASCII-case-insensitive automaton over the raw
//!   payload, for each `AhoCorasickKind`;
//! * `ac/contiguous/fold/no-prefilter`: the crate's prefilter off;
//! * `ac/contiguous/lowercase-copy`: lowercased patterns, a plain
//!   automaton, and a lowercased copy of each payload (the old scheme);
//! * `small/...`: 40 patterns (a small group's size): the contiguous NFA
//!   against `aho_corasick::packed` (Teddy), which has no overlapping
//!   search and is measured as a reference only.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use aho_corasick::{packed, AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};
use rulewire::capture::CaptureFile;
use rulewire::config::Vars;
use rulewire::decode::{decode, DecodeConfig};
use rulewire::detect::prefilter::{
    fast_pattern, MatcherSettings, PatternItem, PatternMatcher, ScanScratch,
};
use rulewire::detect::Engine;
use rulewire::rule::{load_paths, LoadOptions};

const DEFAULT_PCAP: &str = "/work/benchdata/web-mix-8.pcap";

/// Every ET Open fast pattern: `(bytes, nocase, active)`, one per rule
/// that has a positive one; `active`: the engine evaluates the rule.
fn et_patterns() -> Option<Vec<(Vec<u8>, bool, bool)>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/rulesets/et-open");
    if !dir.is_dir() {
        eprintln!("prefilter bench: SKIPPED: {} not found", dir.display());
        return None;
    }
    let vars = Vars::builtin();
    let opts = LoadOptions {
        vars: &vars,
        uncomment: true,
        dialect: None,
    };
    let set = load_paths(&[dir], &opts);
    let pats: Vec<(Vec<u8>, bool, bool)> = set
        .rules
        .iter()
        .filter_map(|r| Some((fast_pattern(&r.rule)?, r)))
        .filter(|(f, _)| !f.negated)
        .map(|(f, r)| (f.pattern, f.nocase, Engine::is_active(r)))
        .collect();
    eprintln!(
        "prefilter bench: {} rules, {} fast patterns",
        set.rules.len(),
        pats.len()
    );
    Some(pats)
}

/// The payload of every packet of the capture.
fn payloads() -> Option<(PathBuf, Vec<Vec<u8>>)> {
    let path = std::env::var_os("RULEWIRE_BENCH_PCAP")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_PCAP));
    let file = match CaptureFile::open(&path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!(
                "prefilter bench: SKIPPED: {}: {e} (set RULEWIRE_BENCH_PCAP)",
                path.display()
            );
            return None;
        }
    };
    let cap: usize = std::env::var("RULEWIRE_BENCH_BYTES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(8 << 20);
    let cfg = DecodeConfig::default();
    let mut out = Vec::new();
    let mut total = 0;
    for p in file.packets().map_while(Result::ok) {
        let d = decode(p.linktype, p.data, &cfg);
        let pl = d.inspection_payload();
        if !pl.is_empty() {
            total += pl.len();
            out.push(pl.to_vec());
        }
        if total >= cap {
            break;
        }
    }
    Some((path, out))
}

fn build(pats: &[Vec<u8>], kind: AhoCorasickKind, fold: bool, prefilter: bool) -> AhoCorasick {
    AhoCorasickBuilder::new()
        .match_kind(MatchKind::Standard)
        .ascii_case_insensitive(fold)
        .kind(Some(kind))
        .prefilter(prefilter)
        .build(pats)
        .expect("automaton")
}

fn count_all(ac: &AhoCorasick, payloads: &[Vec<u8>]) -> usize {
    payloads
        .iter()
        .map(|p| ac.find_overlapping_iter(p.as_slice()).count())
        .sum()
}

/// Prints `m`'s size and build time, and measures `m` scanning every
/// payload (the hits counted) as benchmark `name` of `g`.
fn bench_matcher(
    g: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    m: &PatternMatcher,
    built: Duration,
    payloads: &[Vec<u8>],
) {
    eprintln!(
        "prefilter bench: {name}: {} patterns, {} bytes, built in {built:?}",
        m.pattern_count(),
        m.memory_usage(),
    );
    g.bench_function(name, |b| {
        let mut scratch = ScanScratch::default();
        let mut out = Vec::new();
        b.iter(|| {
            let mut n = 0;
            for p in payloads {
                out.clear();
                m.scan(p, &mut scratch, &mut out);
                n += out.len();
            }
            black_box(n)
        })
    });
}

fn bench(c: &mut Criterion) {
    let Some(pats) = et_patterns() else { return };
    let Some((path, payloads)) = payloads() else {
        return;
    };
    let bytes: usize = payloads.iter().map(Vec::len).sum();
    eprintln!(
        "prefilter bench: {} payloads, {} bytes from {}",
        payloads.len(),
        bytes,
        path.display()
    );
    let raw: Vec<Vec<u8>> = pats.iter().map(|p| p.0.clone()).collect();
    let lowered: Vec<Vec<u8>> = raw.iter().map(|p| p.to_ascii_lowercase()).collect();

    let mut g = c.benchmark_group("prefilter");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.sample_size(10);

    let t = std::time::Instant::now();
    let items = pats
        .iter()
        .enumerate()
        .map(|(i, (p, n, _))| PatternItem::new(p, *n, i as u32));
    let m = PatternMatcher::build(items, MatcherSettings::default()).expect("matcher");
    bench_matcher(&mut g, "matcher", &m, t.elapsed(), &payloads);

    let items = pats
        .iter()
        .enumerate()
        .filter(|(_, p)| p.2)
        .map(|(i, (p, n, _))| PatternItem::new(p, *n, i as u32));
    let t = std::time::Instant::now();
    let m = PatternMatcher::build(items, MatcherSettings::default()).expect("matcher");
    bench_matcher(&mut g, "matcher/active/window", &m, t.elapsed(), &payloads);

    for (name, kind) in [
        ("dfa", AhoCorasickKind::DFA),
        ("contiguous", AhoCorasickKind::ContiguousNFA),
    ] {
        let items = pats
            .iter()
            .enumerate()
            .filter(|(_, p)| p.2)
            .map(|(i, (p, n, _))| PatternItem::new(p, *n, i as u32));
        let settings = MatcherSettings {
            kind: Some(kind),
            window: false,
            ..MatcherSettings::default()
        };
        let t = std::time::Instant::now();
        let m = PatternMatcher::build(items, settings).expect("matcher");
        let label = format!("matcher/active/{name}");
        bench_matcher(&mut g, &label, &m, t.elapsed(), &payloads);
    }

    let mut kinds = vec![
        ("noncontiguous", AhoCorasickKind::NoncontiguousNFA),
        ("contiguous", AhoCorasickKind::ContiguousNFA),
    ];
    if std::env::var_os("RULEWIRE_BENCH_DFA").is_some() {
        kinds.push(("dfa", AhoCorasickKind::DFA));
    }
    for (name, kind) in kinds {
        let t = std::time::Instant::now();
        let ac = build(&raw, kind, true, true);
        eprintln!(
            "prefilter bench: ac/{name}/fold: {} bytes, built in {:?}",
            ac.memory_usage(),
            t.elapsed()
        );
        g.bench_function(format!("ac/{name}/fold"), |b| {
            b.iter(|| black_box(count_all(&ac, &payloads)))
        });
    }
    let ac = build(&raw, AhoCorasickKind::ContiguousNFA, true, false);
    g.bench_function("ac/contiguous/fold/no-prefilter", |b| {
        b.iter(|| black_box(count_all(&ac, &payloads)))
    });
    let ac = build(&lowered, AhoCorasickKind::ContiguousNFA, false, true);
    g.bench_function("ac/contiguous/lowercase-copy", |b| {
        let mut buf = Vec::new();
        b.iter(|| {
            let mut n = 0;
            for p in &payloads {
                buf.clear();
                buf.extend(p.iter().map(u8::to_ascii_lowercase));
                n += ac.find_overlapping_iter(buf.as_slice()).count();
            }
            black_box(n)
        })
    });

    // A small group: 40 patterns of 4+ bytes.
    let small: Vec<Vec<u8>> = lowered
        .iter()
        .filter(|p| p.len() >= 4)
        .take(40)
        .cloned()
        .collect();
    let ac = build(&small, AhoCorasickKind::ContiguousNFA, true, true);
    g.bench_function("small/contiguous/fold", |b| {
        b.iter(|| black_box(count_all(&ac, &payloads)))
    });
    let teddy = packed::Config::new()
        .match_kind(packed::MatchKind::LeftmostFirst)
        .builder()
        .extend(&small)
        .build();
    match teddy {
        Some(s) => {
            g.bench_function("small/teddy/leftmost-first (reference)", |b| {
                b.iter(|| {
                    black_box(
                        payloads
                            .iter()
                            .map(|p| s.find_iter(p.as_slice()).count())
                            .sum::<usize>(),
                    )
                })
            });
        }
        None => eprintln!("prefilter bench: packed searcher unavailable on this CPU"),
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
