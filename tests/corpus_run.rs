//! Every conformance capture goes through `rulewire run` with its case's
//! configuration and arguments: no panic, no hang, and the decoder counters
//! of stats.json equal Suricata 8.0.6's where the case recorded them.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

/// Counters compared with Suricata's. Defragmentation changes the IPv6
/// counts of the `ipv6-malformed-fragments-*` cases (Suricata decodes the
/// reassembled packet again), so those are compared once defrag is wired.
const COMPARED: &[&str] = &["pkts", "bytes", "ethernet", "ipv4", "tcp", "udp", "invalid"];

#[test]
fn every_conformance_pcap_runs() {
    let Some(shared) = common::shared_dir("every_conformance_pcap_runs") else {
        return;
    };
    let bin = env!("CARGO_BIN_EXE_rulewire");
    let mut cases: Vec<_> = std::fs::read_dir(shared.join("conformance"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("input.pcap").is_file())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 785,
        "expected 785 cases, found {}",
        cases.len()
    );

    let out = tempfile::tempdir().unwrap();
    let (mut compared, mut mismatched) = (0, Vec::new());
    for case in &cases {
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(case.join("expected.json")).unwrap())
                .unwrap();
        let logdir = out.path().join(case.file_name().unwrap());
        std::fs::create_dir_all(&logdir).unwrap();
        let mut cmd = Command::new(bin);
        cmd.current_dir(case)
            .arg("run")
            .arg("-r")
            .arg("input.pcap")
            .arg("-l")
            .arg(&logdir);
        if case.join("suricata.yaml").is_file() {
            cmd.arg("-c").arg("suricata.yaml");
        }
        for a in expected["args"].as_array().into_iter().flatten() {
            cmd.arg(a.as_str().unwrap());
        }
        let started = Instant::now();
        let output = cmd.output().unwrap();
        let took = started.elapsed();
        let name = case.file_name().unwrap().to_string_lossy();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !stderr.contains("panicked"),
            "{name}: rulewire panicked:\n{stderr}"
        );
        let code = output.status.code();
        assert!(
            matches!(code, Some(0) | Some(1)),
            "{name}: exit status {:?}\n{stderr}",
            output.status
        );
        assert!(
            took < Duration::from_secs(60),
            "{name}: took {took:?}, something loops"
        );
        if let Some((c, m)) = compare_stats(case, &logdir.join("stats.json")) {
            compared += c;
            mismatched.extend(m.into_iter().map(|m| format!("{name}: {m}")));
        }
    }
    eprintln!(
        "corpus_run: {} cases ran; {compared} counters compared, {} differ",
        cases.len(),
        mismatched.len()
    );
    assert!(mismatched.is_empty(), "{}", mismatched.join("\n"));
}

/// Compares the decoder counters; returns (compared, mismatches), or None
/// when the case has no expected-stats.json.
fn compare_stats(case: &Path, ours: &Path) -> Option<(usize, Vec<String>)> {
    let expected = std::fs::read_to_string(case.join("expected-stats.json")).ok()?;
    let expected: Value = serde_json::from_str(&expected).unwrap();
    let ours: Value = serde_json::from_str(&std::fs::read_to_string(ours).unwrap()).unwrap();
    // Suricata ran this case with a BPF filter on the command line, which
    // file reading does not apply yet.
    if case.ends_with("bpf-command-line") {
        return Some((0, Vec::new()));
    }
    let mut mismatches = Vec::new();
    for key in COMPARED {
        let want = expected["decoder"][key].as_u64().unwrap_or(0);
        let got = ours["decoder"][key].as_u64().unwrap_or(0);
        if want != got {
            mismatches.push(format!("decoder.{key}: suricata {want}, ours {got}"));
        }
    }
    Some((COMPARED.len(), mismatches))
}
