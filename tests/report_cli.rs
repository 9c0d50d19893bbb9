//! `rulewire report` end to end: the binary on the CERT Polska seed
//! capture, as text, as JSON and with `--svg`, and its fatal errors.

#[path = "common/seeds.rs"]
mod seeds;

use std::process::{Command, Output};

use seeds::seed_path as pcap;

fn rulewire(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rulewire"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}, stderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn json_on_the_certpl_wave() {
    let path = pcap("certpl-port0-wave.pcap");
    let out = rulewire(&[
        "report".as_ref(),
        "-r".as_ref(),
        path.as_os_str(),
        "--json".as_ref(),
    ]);
    let v: serde_json::Value = serde_json::from_str(&ok(&out)).unwrap();
    assert_eq!(v["summary"]["packets"], 965);
    assert_eq!(v["summary"]["invalid"], 476);
    assert_eq!(v["summary"]["unique_sources"], 230);
    let errors: Vec<(u64, String)> = v["tcp_header_errors"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["count"].as_u64().unwrap(),
                r["text"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        vec![
            (111, "bad hdr length 0 - too short, < 20".to_string()),
            (100, "bad hdr length 12 - too short, < 20".to_string()),
            (94, "bad hdr length 8 - too short, < 20".to_string()),
            (88, "bad hdr length 16 - too short, < 20".to_string()),
            (83, "bad hdr length 4 - too short, < 20".to_string()),
        ]
    );
    assert_eq!(v["tcp_flags"]["distinct"], 256);
    assert_eq!(v["tcp_flags"]["rows"][0]["hex"], "0x12");
    assert_eq!(v["tcp_flags"]["rows"][0]["names"], "SYN, ACK");
    assert_eq!(v["tcp_flags"]["rows"][0]["count"], 18);
    assert_eq!(v["tcp_flags"]["rows"][1]["names"], "<none>");
    assert_eq!(v["dst_ports"]["rows"][1]["malformed_header"], true);
    assert_eq!(v["windows"]["points"].as_array().unwrap().len(), 72);
    assert_eq!(v["capture_error"], serde_json::Value::Null);
}

#[test]
fn text_and_svg() {
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("wave.svg");
    let path = pcap("certpl-port0-wave.pcap");
    let out = rulewire(&[
        "report".as_ref(),
        "-r".as_ref(),
        path.as_os_str(),
        "--svg".as_ref(),
        svg.as_os_str(),
    ]);
    let text = ok(&out);
    assert!(text.contains("111 | bad hdr length 0 - too short, < 20"));
    assert!(text.contains("17 | 0x00 (<none>)"));
    let svg = std::fs::read_to_string(&svg).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let bars = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("bar"))
        .count();
    assert_eq!(bars, 72);
}

#[test]
fn missing_capture_is_fatal() {
    let out = rulewire(&[
        "report".as_ref(),
        "-r".as_ref(),
        "/nonexistent/x.pcap".as_ref(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("/nonexistent/x.pcap"), "{err}");
}

#[test]
fn truncated_capture_still_reports() {
    let dir = tempfile::tempdir().unwrap();
    let cut = dir.path().join("cut.pcap");
    let mut bytes = std::fs::read(pcap("negative-web.pcap")).unwrap();
    bytes.truncate(bytes.len() - 5);
    std::fs::write(&cut, bytes).unwrap();
    let out = rulewire(&[
        "report".as_ref(),
        "-r".as_ref(),
        cut.as_os_str(),
        "--json".as_ref(),
    ]);
    let v: serde_json::Value = serde_json::from_str(&ok(&out)).unwrap();
    assert_eq!(v["summary"]["packets"], 9);
    assert!(v["capture_error"].is_string());
    assert!(String::from_utf8_lossy(&out.stderr).contains("warning"));
}
