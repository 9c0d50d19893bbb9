//! `rulewire check-rules --json --uncomment` on each shared rule set: every
//! rule parses, none has an error. The expected counts come from a plain
//! text census of the files (active rules plus commented-out rules), not
//! from the parser under test.

mod common;

use std::process::Command;

use serde_json::Value;

fn check_rules(dir: &std::path::Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_rulewire"))
        .args(["check-rules", "--json", "--uncomment", "--strict"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}: exit {:?}\n{}",
        dir.display(),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Rules in `dir` by a text census: lines that start with an action, or
/// with `#` signs and then an action and a space.
fn census(dir: &std::path::Path) -> u64 {
    let actions = [
        "alert",
        "drop",
        "reject",
        "rejectsrc",
        "rejectdst",
        "rejectboth",
        "pass",
        "log",
        "sdrop",
    ];
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("rules") {
            continue;
        }
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        for line in text.lines() {
            let t = line.trim_start().trim_start_matches('#').trim_start();
            let word = t.split(' ').next().unwrap_or("");
            if actions.contains(&word) && t.len() > word.len() && t.contains('(') {
                n += 1;
            }
        }
    }
    n
}

#[test]
fn every_shared_rule_parses_from_the_cli() {
    let Some(shared) = common::shared_dir("every_shared_rule_parses_from_the_cli") else {
        return;
    };
    // (folder, rules the issue names; None: take the census alone)
    let sets = [
        ("et-open", Some(34_850)),
        ("snort-community", Some(3_528)),
        ("snort3-community", Some(4_004)),
        ("suricata-events", None),
    ];
    for (name, want) in sets {
        let dir = shared.join("rulesets").join(name);
        let count = census(&dir);
        if let Some(want) = want {
            assert_eq!(count, want, "{name}: text census");
        }
        let v = check_rules(&dir);
        assert_eq!(v["errors"], 0, "{name}: {}", v["diagnostics"]);
        assert_eq!(v["parsed"].as_u64(), Some(count), "{name}: parsed");
        assert_eq!(v["total"].as_u64(), Some(count), "{name}: total");
        for key in ["active", "unsupported", "warnings"] {
            assert!(v[key].is_u64(), "{name}: {key} is an integer");
        }
        assert!(v["by_keyword"].is_object());
        assert!(v["diagnostics"].is_array());
        eprintln!(
            "{name}: {count} rules, {} unsupported, {} warnings",
            v["unsupported"], v["warnings"]
        );
    }
}
