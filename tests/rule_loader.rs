//! The loader: file structure (comments, blank lines, continuations,
//! commented-out rules), locations, duplicate sids, directories, variables
//! and the unsupported-keyword census.

use std::net::IpAddr;

use rulewire::config::Vars;
use rulewire::rule::{
    load_file, load_paths, load_str, Buffer, Dialect, LoadOptions, Match, RuleErrorKind, RuleSet,
    Severity,
};

fn vars() -> Vars {
    let mut v = Vars::new();
    v.set_address("HOME_NET", "[10.0.0.0/8,192.168.0.0/16]");
    v.set_address("EXTERNAL_NET", "!$HOME_NET");
    v.set_port("HTTP_PORTS", "[80,8080]");
    v
}

fn load(text: &str, uncomment: bool) -> RuleSet {
    let v = vars();
    let opts = LoadOptions {
        vars: &v,
        uncomment,
        dialect: None,
    };
    load_str(text, &opts)
}

const FILE: &str = r#"# A rules file
# alert if this looks like a rule it is still prose

alert tcp $EXTERNAL_NET any -> $HOME_NET $HTTP_PORTS (msg:"one"; content:"GET"; sid:1; rev:1;)
#alert tcp any any -> any any (msg:"two"; sid:2; rev:1;)
## drop udp any any -> any any (msg:"three"; sid:3; rev:1;)
alert dnp3 any any -> any any (msg:"four"; \
      app-layer-event:dnp3.flooded; \
      sid:4; rev:2;)
	
alert http any any -> any any (msg:"five"; http.uri; content:"/x"; sid:5; rev:1;)
"#;

/// (sid, line, column, commented out) of every rule, in order.
fn placements(rs: &RuleSet) -> Vec<(Option<u32>, u32, u32, bool)> {
    rs.rules
        .iter()
        .map(|r| (r.rule.sid, r.line, r.column, r.commented))
        .collect()
}

#[test]
fn file_structure_and_locations() {
    let rs = load(FILE, false);
    assert_eq!(rs.errors().count(), 0, "{:?}", rs.diagnostics);
    let got = placements(&rs);
    assert_eq!(
        got,
        [
            (Some(1), 4, 1, false),
            (Some(4), 7, 1, false),
            (Some(5), 11, 1, false)
        ]
    );
    // The continued rule's text is the joined lines, backslashes removed.
    let four = &rs.rules[1];
    assert_eq!(
        four.text,
        "alert dnp3 any any -> any any (msg:\"four\";       app-layer-event:dnp3.flooded;       sid:4; rev:2;)"
    );
    assert_eq!(four.rule.rev, Some(2));
    assert!(four.path.is_none());
}

#[test]
fn uncomment_loads_commented_out_rules() {
    let rs = load(FILE, true);
    assert_eq!(rs.errors().count(), 0);
    let got = placements(&rs);
    assert_eq!(
        got,
        [
            (Some(1), 4, 1, false),
            (Some(2), 5, 2, true),
            (Some(3), 6, 4, true),
            (Some(4), 7, 1, false),
            (Some(5), 11, 1, false),
        ]
    );
    assert_eq!(
        rs.rules[1].text,
        "#alert tcp any any -> any any (msg:\"two\"; sid:2; rev:1;)"
    );
}

#[test]
fn errors_in_continued_rules_point_at_the_right_line() {
    let text = "alert tcp any any -> any any (msg:\"a\"; \\\n  content:\"abcdef\"; depth:2; \\\n  sid:1;)\n";
    let rs = load(text, false);
    let e = rs.errors().next().expect("an error");
    assert_eq!(e.line, 2);
    // `  content:"abcdef"; ` is 20 characters; depth starts at column 21.
    assert_eq!(e.column, 21);
    assert_eq!(e.source_line, "  content:\"abcdef\"; depth:2; \\");
    assert_eq!(e.sid, Some(1));
}

#[test]
fn one_bad_rule_does_not_stop_the_file() {
    let text = "alert tcp any any -> any any (sid:1;)\nalert tcp any any -> any any (sid:2\nalert tcp any any -> any any (sid:3;)\n";
    let rs = load(text, false);
    let sids: Vec<Option<u32>> = rs.rules.iter().map(|r| r.rule.sid).collect();
    assert_eq!(sids, [Some(1), Some(3)]);
    let e: Vec<_> = rs.errors().collect();
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].line, 2);
    // The sid is found even though the rule did not parse.
    assert_eq!(e[0].sid, Some(2));
}

#[test]
fn duplicate_sids_follow_suricata() {
    // Same rev: the second is an error and is dropped; it points at both.
    let text = "alert tcp any any -> any any (msg:\"a\"; sid:7; rev:1;)\nalert tcp any any -> any any (msg:\"b\"; sid:7; rev:1;)\n";
    let rs = load(text, false);
    assert_eq!(rs.rules.len(), 1);
    assert_eq!(rs.rules[0].rule.msg.as_deref(), Some("a"));
    let e: Vec<_> = rs.errors().collect();
    assert_eq!(e.len(), 1);
    assert_eq!(
        e[0].kind,
        RuleErrorKind::DuplicateSid {
            gid: 1,
            sid: 7,
            rev: 1,
            first_rev: 1
        }
    );
    assert_eq!(e[0].line, 2);
    let first = e[0].related.as_ref().expect("points at the first");
    assert_eq!((first.line, first.column), (1, 1));
    assert!(e[0]
        .to_string()
        .contains("<input>:1:1: note: first defined here"));

    // A newer rev replaces the older one, with a warning.
    let text = "alert tcp any any -> any any (msg:\"old\"; sid:7; rev:1;)\nalert tcp any any -> any any (msg:\"new\"; sid:7; rev:3;)\n";
    let rs = load(text, false);
    assert_eq!(rs.rules.len(), 1);
    assert_eq!(rs.rules[0].rule.msg.as_deref(), Some("new"));
    assert_eq!(rs.errors().count(), 0);
    let w: Vec<_> = rs.warnings().collect();
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].severity, Severity::Warning);
    assert!(matches!(
        w[0].kind,
        RuleErrorKind::ReplacedOlderRevision {
            old_rev: 1,
            rev: 3,
            ..
        }
    ));

    // An older rev after a newer one is an error.
    let text = "alert tcp any any -> any any (sid:7; rev:3;)\nalert tcp any any -> any any (sid:7; rev:2;)\n";
    assert_eq!(load(text, false).errors().count(), 1);

    // A different gid is a different signature.
    let text = "alert tcp any any -> any any (sid:7; rev:1;)\nalert tcp any any -> any any (sid:7; gid:3; rev:1;)\n";
    let rs = load(text, false);
    assert_eq!(rs.rules.len(), 2);
    assert_eq!(rs.errors().count(), 0);
}

#[test]
fn directories_load_rules_files_in_name_order() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("b.rules"),
        "alert tcp any any -> any any (sid:2;)\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("a.rules"),
        "alert tcp any any -> any any (sid:1;)\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("c.txt"),
        "alert tcp any any -> any any (sid:3;)\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("d.rules"),
        "alert tcp any any -> any any (sid:1; rev:0;)\n",
    )
    .unwrap();
    let v = vars();
    let rs = load_paths(&[dir.path()], &LoadOptions::new(&v));
    let got: Vec<(Option<u32>, String)> = rs
        .rules
        .iter()
        .map(|r| {
            let name = r
                .path
                .as_ref()
                .unwrap()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (r.rule.sid, name)
        })
        .collect();
    assert_eq!(
        got,
        [
            (Some(1), "a.rules".to_string()),
            (Some(2), "b.rules".to_string())
        ]
    );
    // The duplicate in d.rules points back at a.rules.
    let e = rs.errors().next().unwrap();
    assert!(e.path.as_ref().unwrap().ends_with("d.rules"));
    assert!(e
        .related
        .as_ref()
        .unwrap()
        .path
        .as_ref()
        .unwrap()
        .ends_with("a.rules"));

    let missing = dir.path().join("nope.rules");
    let rs = load_file(&missing, &LoadOptions::new(&v));
    assert!(matches!(
        rs.errors().next().unwrap().kind,
        RuleErrorKind::Io(_)
    ));
}

#[test]
fn headers_resolve_against_the_variables() {
    let rs = load(
        "alert tcp $EXTERNAL_NET any -> $HOME_NET $HTTP_PORTS (sid:1;)\nalert http (msg:\"service rule\"; sid:2;)\n",
        false,
    );
    assert_eq!(rs.errors().count(), 0);
    let e = rs.rules[0].endpoints.as_ref().unwrap();
    let ip = |s: &str| s.parse::<IpAddr>().unwrap();
    assert!(e.src.contains(ip("8.8.8.8")));
    assert!(!e.src.contains(ip("10.1.2.3")));
    assert!(e.dst.contains(ip("192.168.1.1")));
    assert!(e.src_ports.is_any());
    assert!(e.dst_ports.contains(8080) && !e.dst_ports.contains(81));
    // A Snort 3 service rule has no endpoints: it applies to any.
    assert!(rs.rules[1].endpoints.is_none());
    assert_eq!(rs.rules[1].dialect, Dialect::Snort3);
}

#[test]
fn unsupported_keywords_are_counted_not_dropped() {
    let rs = load(
        "alert tcp any any -> any any (foo:1; bar; sid:1;)\nalert tcp any any -> any any (foo:2; foo:3; sid:2;)\nalert tcp any any -> any any (sid:3;)\n",
        false,
    );
    assert_eq!(rs.errors().count(), 0);
    let by: Vec<(String, usize)> = rs.unsupported_by_keyword().into_iter().collect();
    assert_eq!(by, [("bar".to_string(), 1), ("foo".to_string(), 2)]);
    assert_eq!(rs.supported().count(), 1);
    // The unknown keyword keeps its text and prints back.
    let text = rs.rules[0].rule.to_string();
    assert!(text.contains("foo:1;") && text.contains("bar;"), "{text}");
}

#[test]
fn leading_whitespace_and_deprecations_are_warnings() {
    let rs = load(
        "  alert tcp any any -> any any (uricontent:\"/a\"; sid:1;)\n",
        false,
    );
    assert_eq!(rs.rules.len(), 1);
    assert_eq!(rs.rules[0].column, 3);
    let kinds: Vec<&RuleErrorKind> = rs.warnings().map(|w| &w.kind).collect();
    assert!(kinds
        .iter()
        .any(|k| matches!(k, RuleErrorKind::LeadingWhitespace)));
    assert!(kinds.iter().any(
        |k| matches!(k, RuleErrorKind::Deprecated { keyword, .. } if keyword == "uricontent")
    ));
    // uricontent is a content in the URI buffer.
    let r = &rs.rules[0].rule;
    assert!(
        matches!(&r.list(Buffer::HttpUri).unwrap().matches[0], Match::Content(c) if c.pattern == b"/a")
    );
}

#[test]
fn snort2_modifiers_and_sticky_buffers_give_the_same_lists() {
    let rs = load(
        concat!(
            "alert http any any -> any any (content:\"GET\"; http_method; content:\"/a\"; http_uri; content:\"b\"; distance:0; http_uri; sid:1;)\n",
            "alert http any any -> any any (http.method; content:\"GET\"; http.uri; content:\"/a\"; content:\"b\"; distance:0; sid:2;)\n",
            "alert http any any -> any any (http_method; content:\"GET\"; http_uri; content:\"/a\",nocase; content:\"b\",distance 0; sid:3;)\n",
        ),
        false,
    );
    assert_eq!(rs.errors().count(), 0, "{:?}", rs.diagnostics);
    let lists = |i: usize| rs.rules[i].rule.lists.clone();
    assert_eq!(lists(0), lists(1));
    assert_eq!(rs.rules[2].dialect, Dialect::Snort3);
    let uri = rs.rules[2].rule.list(Buffer::HttpUri).unwrap();
    assert!(matches!(&uri.matches[0], Match::Content(c) if c.nocase));
    assert!(matches!(&uri.matches[1], Match::Content(c) if c.is_relative()));
}
