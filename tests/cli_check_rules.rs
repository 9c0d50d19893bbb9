//! `rulewire check-rules` on small rule files written by the test: the
//! counts, the located diagnostics, and the exit codes.

use std::process::{Command, Output};

use serde_json::Value;

fn run(args: &[&str], file: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rulewire"))
        .arg("check-rules")
        .args(args)
        .arg(file)
        .output()
        .unwrap()
}

const RULES: &str = r#"# a comment, then a good rule
alert tcp any any -> any 80 (msg:"good"; content:"GET"; sid:1; rev:1;)
alert tcp any any -> any 80 (msg:"unterminated; content:"x"; sid:2;)
alert udp any any -> any any (msg:"unknown keyword"; frobnicate:3; sid:3;)
#alert tcp any any -> any any (msg:"commented out"; sid:4;)
alert tcp $NO_SUCH_VAR any -> any any (msg:"undefined var"; sid:5;)
"#;

fn write_rules() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("test.rules");
    std::fs::write(&path, RULES).unwrap();
    (dir, path)
}

#[test]
fn json_counts_and_located_errors() {
    let (_dir, path) = write_rules();
    let out = run(&["--json"], &path);
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    // sid 1 and sid 3 load; sid 2 (unterminated quote) and sid 5
    // (undefined variable) are errors; sid 4 is a comment without --uncomment.
    assert_eq!(v["parsed"], 2);
    assert_eq!(v["errors"], 2);
    assert_eq!(v["total"], 4);
    assert_eq!(v["unsupported"], 1);
    assert_eq!(v["by_keyword"]["frobnicate"], 1);
    // sid 1 uses only packet-level keywords the engine evaluates.
    assert_eq!(v["active"], 1);
    assert_eq!(v["inactive_by_reason"]["unknown keyword 'frobnicate'"], 1);
    let diags = v["diagnostics"].as_array().unwrap();
    let errors: Vec<_> = diags.iter().filter(|d| d["severity"] == "error").collect();
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[0]["line"], 3);
    assert_eq!(errors[1]["line"], 6);
    assert!(errors[1]["message"]
        .as_str()
        .unwrap()
        .contains("NO_SUCH_VAR"));
    assert!(errors[0]["file"].as_str().unwrap().ends_with("test.rules"));
}

#[test]
fn uncomment_counts_commented_rules() {
    let (_dir, path) = write_rules();
    let out = run(&["--json", "--uncomment"], &path);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["parsed"], 3);
    assert_eq!(v["total"], 5);
}

#[test]
fn strict_turns_errors_into_exit_1() {
    let (_dir, path) = write_rules();
    assert_eq!(run(&["--strict"], &path).status.code(), Some(1));
    let good = path.with_file_name("good.rules");
    std::fs::write(&good, "alert ip any any -> any any (msg:\"x\"; sid:9;)\n").unwrap();
    assert_eq!(run(&["--strict"], &good).status.code(), Some(0));
}

#[test]
fn text_output_shows_file_line_column_and_caret() {
    let (_dir, path) = write_rules();
    let out = run(&[], &path);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("parsed:      2"), "{text}");
    let loc = format!("{}:6:", path.display());
    let line = text
        .lines()
        .find(|l| l.starts_with(&loc))
        .unwrap_or_else(|| panic!("no diagnostic at line 6 in:\n{text}"));
    assert!(line.contains("error"), "{line}");
    assert!(text.contains('^'), "a caret under the column:\n{text}");
}

#[test]
fn missing_file_is_a_fatal_error() {
    let out = run(&[], std::path::Path::new("/no/such/file.rules"));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no such file"));
}

#[test]
fn write_active_lists_only_the_evaluated_rules() {
    let (dir, path) = write_rules();
    let out_file = dir.path().join("active.rules");
    let out = run(&["--write-active", out_file.to_str().unwrap()], &path);
    assert_eq!(out.status.code(), Some(0));
    // Of the two rules that load, sid 3 has an unknown keyword: only sid 1
    // is evaluated, and it is written as in the file.
    let text = std::fs::read_to_string(&out_file).unwrap();
    assert_eq!(
        text,
        "alert tcp any any -> any 80 (msg:\"good\"; content:\"GET\"; sid:1; rev:1;)\n"
    );
}
