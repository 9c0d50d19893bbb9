//! `rulewire run -i` and `-q` errors that need no privileges: flags that
//! cannot go together, NFQUEUE settings this mode does not implement, an
//! interface that does not exist, and a build without feature `live`.
//! Each must fail with exit code 2 and say why, before any packet.

use std::process::Command;

fn run(args: &[&str], files: &[(&str, &str)]) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let out = Command::new(env!("CARGO_BIN_EXE_rulewire"))
        .current_dir(dir.path())
        .args(["run", "-l", "logs", "-S", "r.rules"])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const RULES: (&str, &str) = ("r.rules", "alert ip any any -> any any (sid:1;)\n");

#[test]
fn a_file_and_a_queue_or_an_interface_conflict() {
    for args in [
        &["-r", "x.pcap", "-q", "1"][..],
        &["-r", "x.pcap", "-i", "lo"][..],
        &["-i", "lo", "-q", "1"][..],
    ] {
        let (code, err) = run(args, &[RULES]);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains("cannot be used with"), "{args:?}: {err}");
    }
}

#[test]
fn nothing_to_read_is_an_error() {
    let (code, err) = run(&[], &[RULES]);
    assert_eq!(code, 2, "{err}");
}

#[cfg(target_os = "linux")]
#[test]
fn nfq_modes_other_than_accept_are_refused_before_binding() {
    for (mode, want) in [
        ("repeat", "nfq.mode: repeat is not supported"),
        ("route", "nfq.mode: route is not supported"),
    ] {
        let yaml = format!("%YAML 1.1\n---\nnfq:\n  mode: {mode}\n");
        let (code, err) = run(
            &["-q", "3", "-c", "s.yaml"],
            &[RULES, ("s.yaml", yaml.as_str())],
        );
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(want), "{err}");
    }
}

#[test]
fn write_needs_a_capture_file() {
    let (code, err) = run(&["-q", "3", "-w", "out.pcap"], &[RULES]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("-w OUT.pcap"), "{err}");
}

#[cfg(feature = "live")]
#[test]
fn an_interface_that_does_not_exist_is_named_in_the_error() {
    let (code, err) = run(&["-i", "rw-nosuch0"], &[RULES]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("rw-nosuch0"), "{err}");
}

#[cfg(not(feature = "live"))]
#[test]
fn without_feature_live_the_error_says_how_to_build_it() {
    let (code, err) = run(&["-i", "lo"], &[RULES]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("`live` feature"), "{err}");
}
