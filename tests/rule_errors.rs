//! Bad rules give located errors (right line and column, right kind), and
//! nothing panics. Columns are counted by hand from the rule text: the
//! `col(...)` helper finds the 1-based column of a marker substring.

use rulewire::config::Vars;
use rulewire::rule::{load_str, parse_rule, LoadOptions, RuleError, RuleErrorKind, Severity};

/// 1-based column of the first occurrence of `marker` in `text`.
fn col(text: &str, marker: &str) -> u32 {
    text.find(marker).expect("marker in text") as u32 + 1
}

fn err(text: &str) -> RuleError {
    match parse_rule(text) {
        Ok(r) => panic!("expected an error for {text}\n got {r}"),
        Err(e) => e,
    }
}

fn assert_at(text: &str, marker: &str, pred: impl Fn(&RuleErrorKind) -> bool) {
    let e = err(text);
    assert!(pred(&e.kind), "unexpected kind {:?} for {text}", e.kind);
    assert_eq!(e.line, 1, "{e}");
    assert_eq!(e.column, col(text, marker), "{e}");
}

const H: &str = "alert tcp any any -> any any";

#[test]
fn unterminated_quotes() {
    let t = format!(r#"{H} (msg:"abc; sid:1;)"#);
    assert_at(
        &t,
        r#""abc"#,
        |k| matches!(k, RuleErrorKind::BadValue { keyword, reason } if keyword == "msg" && reason.contains("unterminated")),
    );
    let t = format!(r#"{H} (content:"abc; sid:1;)"#);
    assert_at(
        &t,
        r#""abc"#,
        |k| matches!(k, RuleErrorKind::BadValue { keyword, reason } if keyword == "content" && reason.contains("unterminated")),
    );
    // A quote closed, then more text: most likely a forgotten ';'.
    let t = format!(r#"{H} (msg:"a" sid:1;)"#);
    assert_at(
        &t,
        r#""a""#,
        |k| matches!(k, RuleErrorKind::BadValue { reason, .. } if reason.contains("missing ';'")),
    );
}

#[test]
fn unbalanced_parentheses() {
    // No closing parenthesis: the error is at the end of the rule.
    let t = format!(r#"{H} (msg:"a"; sid:1;"#);
    let e = err(&t);
    assert!(matches!(e.kind, RuleErrorKind::Syntax(_)), "{e}");
    assert_eq!(e.column, t.chars().count() as u32 + 1);
    // One too many.
    let t = format!(r#"{H} (msg:"a"; sid:1;))"#);
    let e = err(&t);
    assert!(matches!(&e.kind, RuleErrorKind::Syntax(m) if m.contains("after the closing ')'")));
    // The second of the two parentheses.
    assert_eq!(e.column, col(&t, "))") + 1);
    // No opening parenthesis.
    let t = format!(r#"{H} msg:"a"; sid:1;)"#);
    assert_at(
        &t,
        "msg",
        |k| matches!(k, RuleErrorKind::Syntax(m) if m.contains("'('")),
    );
    // Parentheses inside values are fine.
    assert!(parse_rule(&format!(r#"{H} (pcre:"/(a|b)/"; sid:1;)"#)).is_ok());
}

#[test]
fn missing_semicolons() {
    let t = format!(r#"{H} (msg:"a"; sid:1)"#);
    assert_at(
        &t,
        "sid",
        |k| matches!(k, RuleErrorKind::Syntax(m) if m == "option 'sid' is not terminated by ';'"),
    );
    let t = format!(r#"{H} (msg:"a"; nocase sid:1;)"#);
    assert_at(
        &t,
        "nocase",
        |k| matches!(k, RuleErrorKind::Syntax(m) if m.contains("'nocase' must be followed")),
    );
}

#[test]
fn header_errors() {
    assert_at(
        "alert tcp any any <- any any (sid:1;)",
        "<-",
        |k| matches!(k, RuleErrorKind::Syntax(m) if m.contains("direction")),
    );
    assert_at("alert tcp any any -> any any any (sid:1;)", "any (", |k| {
        matches!(k, RuleErrorKind::Syntax(_))
    });
    assert_at(
        "alerts tcp any any -> any any (sid:1;)",
        "alerts",
        |k| matches!(k, RuleErrorKind::UnknownAction(a) if a == "alerts"),
    );
    assert_at(
        "alert foo any any -> any any (sid:1;)",
        "foo",
        |k| matches!(k, RuleErrorKind::UnknownProtocol(p) if p == "foo"),
    );
    assert_at(
        "alert tcp 1.2.3.400 any -> any any (sid:1;)",
        "1.2.3.400",
        |k| matches!(k, RuleErrorKind::BadAddress { .. }),
    );
    assert_at(
        "alert tcp 10.0.0.0/33 any -> any any (sid:1;)",
        "10.0.0.0/33",
        |k| matches!(k, RuleErrorKind::BadAddress { reason, .. } if reason.contains("33")),
    );
    assert_at("alert tcp any 70000 -> any any (sid:1;)", "70000", |k| {
        matches!(k, RuleErrorKind::BadPort { .. })
    });
    assert_at(
        "alert tcp any [80,90 -> any any (sid:1;)",
        "->",
        |k| matches!(k, RuleErrorKind::Syntax(m) if m.contains("expected ',' or ']'")),
    );
    // A double negation is not in the grammar.
    assert_at(
        "alert tcp !!1.2.3.4 any -> any any (sid:1;)",
        "!1.2",
        |k| matches!(k, RuleErrorKind::Syntax(m) if m.contains("address")),
    );
}

#[test]
fn hex_runs() {
    let t = format!(r#"{H} (content:"a|41 4|b"; sid:1;)"#);
    assert_at(
        &t,
        "4|b",
        |k| matches!(k, RuleErrorKind::BadValue { reason, .. } if reason.contains("single digit")),
    );
    let t = format!(r#"{H} (content:"|4G|"; sid:1;)"#);
    assert_at(
        &t,
        "G|",
        |k| matches!(k, RuleErrorKind::BadValue { reason, .. } if reason.contains("'G'")),
    );
    let t = format!(r#"{H} (content:"x|41"; sid:1;)"#);
    assert_at(
        &t,
        "|41",
        |k| matches!(k, RuleErrorKind::BadValue { reason, .. } if reason.contains("not closed")),
    );
    let t = format!(r#"{H} (content:"a\x"; sid:1;)"#);
    assert_at(
        &t,
        r"\x",
        |k| matches!(k, RuleErrorKind::BadValue { reason, .. } if reason.contains("escape")),
    );
}

#[test]
fn keyword_errors() {
    let t = format!(r#"{H} (pcre:"/a/iq"; sid:1;)"#);
    assert_at(
        &t,
        "q\"",
        |k| matches!(k, RuleErrorKind::BadValue { reason, .. } if reason.contains("'q'")),
    );
    let t = format!(r#"{H} (flow:established,sideways; sid:1;)"#);
    assert_at(&t, "sideways", |k| {
        matches!(k, RuleErrorKind::BadValue { .. })
    });
    let t = format!(r#"{H} (nocase:1; sid:1;)"#);
    assert_at(&t, "1; sid", |k| {
        matches!(k, RuleErrorKind::UnexpectedValue { .. })
    });
    let t = format!(r#"{H} (sid;)"#);
    assert_at(&t, "sid", |k| {
        matches!(k, RuleErrorKind::MissingValue { .. })
    });
    let t = format!(r#"{H} (foo)bar; sid:1;)"#);
    assert_at(
        &t,
        ")bar",
        |k| matches!(k, RuleErrorKind::Syntax(m) if m.contains("option name")),
    );
    let t = format!(r#"{H} (msg:"a"; msg:"b"; sid:1;)"#);
    assert_at(&t, r#"msg:"b""#, |k| {
        matches!(k, RuleErrorKind::DuplicateOption { .. })
    });
}

#[test]
fn suricata_semantic_checks() {
    let t = format!(r#"{H} (content:"abcdef"; depth:3; sid:1;)"#);
    assert_at(&t, "depth", |k| {
        matches!(
            k,
            RuleErrorKind::ShorterThanPattern {
                keyword: "depth",
                value: 3,
                pattern_len: 6
            }
        )
    });
    let t = format!(r#"{H} (content:"a"; content:"abc"; within:2; sid:1;)"#);
    assert_at(&t, "within", |k| {
        matches!(
            k,
            RuleErrorKind::ShorterThanPattern {
                keyword: "within",
                ..
            }
        )
    });
    let t = format!(r#"{H} (distance:1; content:"a"; sid:1;)"#);
    assert_at(
        &t,
        "distance",
        |k| matches!(k, RuleErrorKind::ModifierWithoutContent { keyword } if keyword == "distance"),
    );
    let t = format!(r#"{H} (content:"a"; depth:4; distance:1; sid:1;)"#);
    assert_at(&t, "distance", |k| {
        matches!(k, RuleErrorKind::ConflictingModifiers { .. })
    });
    let t = format!(r#"{H} (ip_proto:6; sid:1;)"#);
    assert_at(
        &t,
        "ip_proto",
        |k| matches!(k, RuleErrorKind::WrongProtocol { keyword, protocol } if keyword == "ip_proto" && protocol == "tcp"),
    );
    assert!(parse_rule("alert ip any any -> any any (ip_proto:6; sid:1;)").is_ok());
    let t = format!(r#"{H} (byte_test:2,>,x,0; sid:1;)"#);
    assert_at(
        &t,
        "2,>,x",
        |k| matches!(k, RuleErrorKind::UndefinedByteVar { name, .. } if name == "x"),
    );
    assert!(parse_rule(&format!(
        r#"{H} (byte_extract:2,0,x; byte_test:2,>,x,0; content:"a"; within:x; sid:1;)"#
    ))
    .is_ok());
    let t = format!(r#"{H} (dsize:<5; content:"abcdef"; sid:1;)"#);
    assert_at(&t, "dsize", |k| {
        matches!(k, RuleErrorKind::Contradiction(_))
    });
    let t = r#"alert http any any -> any any (http.uri; bsize:3; content:"abcdef"; sid:1;)"#
        .to_string();
    assert_at(&t, "http.uri", |k| {
        matches!(k, RuleErrorKind::Contradiction(_))
    });
    let t = format!(r#"{H} (msg:"no sid";)"#);
    assert_at(&t, "alert", |k| matches!(k, RuleErrorKind::MissingSid));
    let t =
        r#"alert http any any -> any any (http.uri; http.header; content:"a"; sid:1;)"#.to_string();
    assert_at(
        &t,
        "http.header",
        |k| matches!(k, RuleErrorKind::Buffer(m) if m.contains("no matches")),
    );
    let t = format!(r#"{H} (http_uri; content:"a"; sid:1;)"#);
    // Read as Snort 3 (a modifier word before any content): a sticky buffer.
    assert!(parse_rule(&t).is_ok());
    let t = format!(r#"{H} (content:"a"; nocase; nocase; sid:1;)"#);
    assert_at(&t, "nocase; sid", |k| {
        matches!(k, RuleErrorKind::ConflictingModifiers { .. })
    });
}

#[test]
fn unknown_keywords_are_not_errors() {
    let r = parse_rule(&format!(r#"{H} (frobnicate:7; content:"a"; sid:1;)"#)).unwrap();
    assert_eq!(r.unsupported(), ["frobnicate"]);
    assert!(!r.is_supported());
}

fn vars() -> Vars {
    let mut v = Vars::new();
    v.set_address("HOME_NET", "[10.0.0.0/8]");
    v.set_port("HTTP_PORTS", "80");
    v
}

fn load(text: &str) -> rulewire::rule::RuleSet {
    let v = vars();
    load_str(text, &LoadOptions::new(&v))
}

#[test]
fn a_one_megabyte_line_is_one_located_error() {
    let long = format!(
        r#"alert tcp any any -> any any (msg:"{}"; sid:1;)"#,
        "a".repeat(1 << 20)
    );
    let text = format!("{long}\nalert tcp any any -> any any (msg:\"ok\"; sid:2;)\n");
    let rs = load(&text);
    assert_eq!(rs.rules.len(), 1);
    assert_eq!(rs.rules[0].rule.sid, Some(2));
    let e: Vec<&RuleError> = rs.errors().collect();
    assert_eq!(e.len(), 1);
    assert_eq!((e[0].line, e[0].column), (1, 1));
    assert!(matches!(e[0].kind, RuleErrorKind::RuleTooLong { .. }));
    // The message stays short.
    assert!(e[0].to_string().len() < 400);
    assert!(matches!(
        parse_rule(&long).unwrap_err().kind,
        RuleErrorKind::RuleTooLong { .. }
    ));
}

#[test]
fn invalid_utf8_costs_one_line() {
    let mut bytes = b"alert tcp any any -> any any (msg:\"a\"; sid:1;)\n".to_vec();
    bytes.extend_from_slice(b"alert tcp any any -> any any (msg:\"b\xff\xfe\"; sid:2;)\n");
    bytes.extend_from_slice(b"alert tcp any any -> any any (msg:\"c\"; sid:3;)\n");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.rules");
    std::fs::write(&path, &bytes).unwrap();
    let v = vars();
    let rs = rulewire::rule::load_file(&path, &LoadOptions::new(&v));
    let sids: Vec<Option<u32>> = rs.rules.iter().map(|r| r.rule.sid).collect();
    assert_eq!(sids, [Some(1), Some(3)]);
    let e: Vec<&RuleError> = rs.errors().collect();
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].kind, RuleErrorKind::InvalidUtf8);
    // Line 2, column of the first bad byte (just after `...(msg:"b`).
    let before = "alert tcp any any -> any any (msg:\"b";
    let column = before.chars().count() as u32 + 1;
    assert_eq!(column, 37);
    assert_eq!((e[0].line, e[0].column), (2, column));
    assert!(e[0]
        .to_string()
        .starts_with(&format!("{}:2:37: error:", path.display())));
}

#[test]
fn variable_errors_point_at_the_variable() {
    let t = "alert tcp $HOME_NET any -> $NOPE $HTTP_PORTS (sid:1;)";
    let rs = load(t);
    let e: Vec<&RuleError> = rs.errors().collect();
    assert_eq!(e.len(), 1);
    assert_eq!(
        e[0].kind,
        RuleErrorKind::UndefinedVariable {
            name: "NOPE".into()
        }
    );
    assert_eq!(e[0].column, col(t, "$NOPE"));
    // An address variable in a port position is undefined as a port.
    let t = "alert tcp $HOME_NET $HOME_NET -> any any (sid:1;)";
    let e = load(t).errors().next().cloned().unwrap();
    assert_eq!(
        e.kind,
        RuleErrorKind::UndefinedVariable {
            name: "HOME_NET".into()
        }
    );
    assert_eq!(e.column, 21);
    // A nested negation that leaves nothing.
    let t = "alert tcp ![1.2.3.4,!1.2.3.4] any -> any any (sid:1;)";
    let e = load(t).errors().next().cloned().unwrap();
    assert!(
        matches!(&e.kind, RuleErrorKind::BadAddress { reason, .. } if reason.contains("no addresses left")),
        "{e}"
    );
    assert_eq!(e.column, 11);
    let t = "alert tcp [!any] any -> any any (sid:1;)";
    let e = load(t).errors().next().cloned().unwrap();
    assert!(
        matches!(&e.kind, RuleErrorKind::BadAddress { reason, .. } if reason.contains("negated")),
        "{e}"
    );
}

#[test]
fn display_shows_the_line_and_a_caret() {
    let text = "# comment\nalert tcp any any -> any any (content:\"abcdef\"; depth:3; sid:9;)\n";
    let rs = load(text);
    let e = rs.errors().next().unwrap();
    let shown = e.to_string();
    let lines: Vec<&str> = shown.lines().collect();
    let rule = "alert tcp any any -> any any (content:\"abcdef\"; depth:3; sid:9;)";
    let depth = col(rule, "depth");
    assert_eq!(depth, 49);
    assert_eq!(
        lines[0],
        "<input>:2:49: error: depth:3 is shorter than the content it applies to (6 bytes); it can never match (sid 9)"
    );
    assert_eq!(lines[1], format!("    {rule}"));
    // The caret sits under the 'd' of depth (after the 4-blank indent).
    let caret = lines[2].find('^').unwrap();
    assert_eq!(caret, 4 + 48);
    assert_eq!(e.severity, Severity::Error);
}

#[test]
fn garbage_never_panics() {
    for t in [
        "",
        " ",
        "(",
        ")",
        "alert",
        "alert tcp",
        "alert tcp any",
        "alert tcp any any -> any any",
        "alert tcp any any -> any any (",
        "alert tcp any any -> any any (;",
        "alert tcp any any -> any any (:;)",
        "alert tcp any any -> any any (a:\\",
        "alert tcp any any -> any any (a:\\;)",
        "alert tcp [[[[[[[[[[1.2.3.4]]]]]]]]]] any -> any any (sid:1;)",
        "alert tcp any any -> any any (content:\"|\"; sid:1;)",
        "alert tcp any any -> any any (content:!; sid:1;)",
        "alert tcp any any -> any any (pcre:\"\"; sid:1;)",
        "alert tcp any any -> any any (byte_test:,,,,; sid:1;)",
        "alert tcp any any -> any any (flags:+*!; sid:1;)",
        "alert tcp é any -> any any (msg:\"é\"; sid:1;)",
    ] {
        let _ = parse_rule(t);
        let _ = load(t);
        let _ = load(&format!("#{t}"));
    }
}
