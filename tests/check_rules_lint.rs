//! `rulewire check-rules` on rules that cannot match: contradictions
//! Suricata refuses are errors (the rule does not load, and the message
//! says it can never match), contradictions Suricata accepts are warnings
//! (the rule stays loaded), each located by file, line, column and sid and
//! counted in `--json`.

use std::process::{Command, Output};

use serde_json::Value;

fn run(args: &[&str], text: &str) -> (tempfile::TempDir, Output) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lint.rules");
    std::fs::write(&path, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_rulewire"))
        .arg("check-rules")
        .args(args)
        .arg(&path)
        .output()
        .unwrap();
    (dir, out)
}

const RULES: &str = r#"alert tcp any any -> any 80 (msg:"fine"; content:"GET"; depth:3; sid:1;)
alert tcp any any -> any 80 (msg:"depth below length"; content:"GET /x"; depth:3; sid:2;)
alert tcp any any -> any 80 (msg:"within below length"; content:"a"; content:"bcdef"; distance:0; within:2; sid:3;)
alert tcp any any -> any 80 (msg:"negated inside positive"; content:"admin.php"; content:!"admin"; sid:4;)
alert tcp any any -> any 80 (msg:"pinned apart"; content:"GET"; depth:3; content:"POST"; depth:4; sid:5;)
alert tcp any any -> any 80 (msg:"isdataat vs dsize"; dsize:<10; isdataat:20; sid:6;)
alert tcp any any -> any 80 (msg:"isdataat vs contents"; content:"abcdefgh"; isdataat:!4; sid:7;)
alert tcp any any -> any 80 (msg:"offset past depth is fine"; content:"ab"; offset:10; depth:2; sid:8;)
"#;

fn diags(v: &Value) -> Vec<&Value> {
    v["diagnostics"].as_array().unwrap().iter().collect()
}

#[test]
fn contradictions_are_reported() {
    let (_dir, out) = run(&["--json"], RULES);
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    // sids 2 and 3 are refused (as Suricata refuses them); the other six
    // load, four of them with a warning.
    assert_eq!(v["parsed"], 6);
    assert_eq!(v["errors"], 2);
    assert_eq!(v["warnings"], 4);
    let d = diags(&v);
    let by_sid =
        |sid: u64| -> Vec<&Value> { d.iter().copied().filter(|x| x["sid"] == sid).collect() };
    for sid in [1, 8] {
        assert!(by_sid(sid).is_empty(), "sid {sid}: {:?}", by_sid(sid));
    }
    for (sid, severity, needle) in [
        (2, "error", "depth:3 is shorter than the content"),
        (3, "error", "within:2 is shorter than the content"),
        (
            4,
            "warning",
            "\"admin\" occurs inside the content \"admin.php\"",
        ),
        (5, "warning", "need different bytes at offset 0"),
        (6, "warning", "dsize allows at most 9"),
        (7, "warning", "isdataat:!4 allows at most 4 bytes"),
    ] {
        let got = by_sid(sid);
        assert_eq!(got.len(), 1, "sid {sid}: {got:?}");
        let g = got[0];
        assert_eq!(g["severity"], severity, "sid {sid}");
        let msg = g["message"].as_str().unwrap();
        assert!(msg.contains(needle), "sid {sid}: {msg}");
        assert!(msg.contains("never match"), "sid {sid}: {msg}");
        // Line of the rule = its sid here; the column points into it.
        assert_eq!(g["line"], sid, "sid {sid}");
        assert!(g["column"].as_u64().unwrap() > 1, "sid {sid}");
        assert!(g["file"].as_str().unwrap().ends_with("lint.rules"));
    }
}

#[test]
fn text_output_locates_warnings() {
    let (_dir, out) = run(&[], RULES);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("warnings:    4"), "{text}");
    let line = text
        .lines()
        .find(|l| l.contains("warning: rule can never match") && l.contains("sid 4"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains("lint.rules:4:"), "{line}");
}
