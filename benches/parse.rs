//! Parsing and validating all of ET Open's active rules (24,827), read from
//! `../shared/rulesets/et-open` (or `$RULEWIRE_SHARED`). Suricata 8 takes
//! 6.6 s to load and compile these; the rule module's target is a small
//! fraction of a second for parse + validate + variable resolution.
//!
//! The files are read into memory once; each iteration loads them with
//! `load_str` as `load_paths` would (one loader, duplicate sids checked
//! across files). A second benchmark is `bench`'s `load_seconds`: the
//! files read and loaded (`load_paths`) and the engine built (pcre
//! checks, prefilter). Both use every core. The pcre check outcomes are
//! kept per process, so only the first iteration compiles patterns: the
//! cold number is what `rulewire bench` reports as `load_seconds`. Skips with a message when the
//! folder is absent.
//!
//! Run: `cargo bench --bench parse`.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use rulewire::config::{Classifications, Vars};
use rulewire::detect::EngineBuilder;
use rulewire::rule::{load_paths, load_str, LoadOptions};

fn shared_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("RULEWIRE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    dir.join("rulesets/et-open").is_dir().then_some(dir)
}

fn vars() -> Vars {
    let mut v = Vars::new();
    v.set_address("HOME_NET", "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]");
    v.set_address("EXTERNAL_NET", "!$HOME_NET");
    for name in [
        "HTTP_SERVERS",
        "SMTP_SERVERS",
        "SQL_SERVERS",
        "DNS_SERVERS",
        "TELNET_SERVERS",
        "SIP_SERVERS",
        "AIM_SERVERS",
    ] {
        v.set_address(name, "$HOME_NET");
    }
    for (name, value) in [
        ("HTTP_PORTS", "80"),
        ("SHELLCODE_PORTS", "!80"),
        ("ORACLE_PORTS", "1521"),
        ("SSH_PORTS", "22"),
        ("FILE_DATA_PORTS", "[$HTTP_PORTS,110,143]"),
        ("FTP_PORTS", "21"),
        ("SIP_PORTS", "[5060,5061]"),
    ] {
        v.set_port(name, value);
    }
    v
}

fn et_open(c: &mut Criterion) {
    let Some(shared) = shared_dir() else {
        eprintln!("\n*** bench parse: SKIPPED: ../shared/rulesets/et-open not found (set RULEWIRE_SHARED) ***\n");
        return;
    };
    let dir = shared.join("rulesets/et-open");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("read et-open")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "rules"))
        .collect();
    files.sort();
    // One text with every file, as the loader would see them in order.
    let mut text = String::new();
    for f in &files {
        text.push_str(&std::fs::read_to_string(f).expect("read rules file"));
        text.push('\n');
    }
    let vars = vars();
    let opts = LoadOptions::new(&vars);
    let check = load_str(&text, &opts);
    assert_eq!(check.rules.len(), 24_827, "every active ET Open rule loads");
    assert_eq!(check.errors().count(), 0);

    let mut group = c.benchmark_group("et-open");
    group.sample_size(10);
    group.bench_function("parse+validate 24,827 active rules", |b| {
        b.iter_with_large_drop(|| load_str(&text, &opts))
    });
    let classes = Classifications::builtin();
    group.bench_function("load_paths + engine build (bench's load_seconds)", |b| {
        b.iter_with_large_drop(|| {
            let set = load_paths(std::slice::from_ref(&dir), &opts);
            EngineBuilder::default()
                .build(&set, &classes)
                .expect("engine builds")
        })
    });
    group.finish();
}

criterion_group!(benches, et_open);
criterion_main!(benches);
