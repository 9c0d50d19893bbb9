//! Replays fuzz inputs through their targets' bodies, so every past crash
//! stays fixed and the committed seeds keep running under `cargo test`.
//!
//! * `tests/fuzz/testdata/packet_path-*`: inputs that once crashed the
//!   `packet_path` target (none so far, after 25 minutes and over a
//!   million runs); each new crash is added here as a file.
//! * `fuzz/corpus/packet_path/seed-*`: the committed seed corpus (frames
//!   of conformance captures with fragments, tunnels and handshakes).
//! * `tests/fuzz/testdata/prefilter_matcher-*`: inputs on which the
//!   `prefilter_matcher` target once found the matcher wrong
//!   (`straddling-split`: an unbounded pattern just before the head's end,
//!   looked for at different windows by the head's filter and the
//!   rest's, was missed).

use std::path::{Path, PathBuf};

fn files(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn packet_path_crashes_stay_fixed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for path in files(&root.join("tests/fuzz/testdata"), "packet_path-") {
        let data = std::fs::read(&path).unwrap();
        eprintln!("replaying {}", path.display());
        rulewire::runtime::fuzz_packet_path(&data);
    }
}

#[test]
fn packet_path_seeds_run() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let seeds = files(&root.join("fuzz/corpus/packet_path"), "seed-");
    assert!(seeds.len() >= 5, "packet_path seeds missing: {seeds:?}");
    for path in seeds {
        let data = std::fs::read(&path).unwrap();
        rulewire::runtime::fuzz_packet_path(&data);
    }
}

#[test]
fn prefilter_matcher_crashes_stay_fixed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let inputs = files(&root.join("tests/fuzz/testdata"), "prefilter_matcher-");
    assert!(!inputs.is_empty(), "prefilter_matcher crash inputs missing");
    for path in inputs {
        let data = std::fs::read(&path).unwrap();
        eprintln!("replaying {}", path.display());
        rulewire::detect::prefilter::fuzz_matcher(&data);
    }
}
