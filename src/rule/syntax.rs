//! The pest boundary: runs `grammar/rules.pest` over one rule's text and
//! returns its raw parts (action, protocol, typed header, option names with
//! raw values), all positions as byte offsets into that text.
//!
//! No pest type leaves this module. Keyword values are not interpreted
//! here; see [`super::keywords`].

use pest::error::{ErrorVariant, InputLocation};
use pest::iterators::Pair;
use pest::Parser;

use super::address::{parse_ip_token, AddressExpr};
use super::error::RuleErrorKind;
use super::header::Direction;
use super::port::{parse_port_token, PortExpr};

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/rules.pest"]
struct RulesParser;

/// A parse failure at a byte offset of the parsed text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    /// Byte offset into the parsed text.
    pub at: usize,
    /// What went wrong.
    pub kind: RuleErrorKind,
}

/// A word of the rule with its byte offset.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Word<'t> {
    pub text: &'t str,
    pub at: usize,
}

/// The header's five parts, typed, with the offset of each.
#[derive(Clone, Debug)]
pub(crate) struct RawHeader {
    pub src: (AddressExpr, usize),
    pub src_ports: (PortExpr, usize),
    pub direction: Direction,
    pub dst: (AddressExpr, usize),
    pub dst_ports: (PortExpr, usize),
}

/// One `name[:value];` option, value untrimmed of quotes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RawOption<'t> {
    pub name: Word<'t>,
    /// The value with trailing blanks trimmed; `None` when there is no `:`.
    pub value: Option<Word<'t>>,
}

/// A rule split into its parts.
#[derive(Clone, Debug)]
pub(crate) struct RawRule<'t> {
    pub action: Word<'t>,
    pub protocol: Word<'t>,
    pub header: Option<RawHeader>,
    pub options: Vec<RawOption<'t>>,
}

/// Parses one rule; `commented` accepts (and requires) leading `#`s.
pub(crate) fn parse_rule(text: &str, commented: bool) -> Result<RawRule<'_>, SyntaxError> {
    let entry = if commented {
        Rule::commented_rule
    } else {
        Rule::rule
    };
    let mut pairs = RulesParser::parse(entry, text).map_err(|e| convert_error(text, e))?;
    let top = pairs.next().ok_or_else(|| SyntaxError {
        at: 0,
        kind: RuleErrorKind::Syntax("empty rule".into()),
    })?;
    let mut action = None;
    let mut protocol = None;
    let mut header = None;
    let mut options = Vec::new();
    for pair in top.into_inner() {
        match pair.as_rule() {
            Rule::action => action = Some(word(&pair)),
            Rule::protocol => protocol = Some(word(&pair)),
            Rule::header => header = Some(build_header(pair)?),
            Rule::options => {
                for opt in pair.into_inner() {
                    options.push(build_option(opt));
                }
            }
            _ => {}
        }
    }
    match (action, protocol) {
        (Some(action), Some(protocol)) => Ok(RawRule {
            action,
            protocol,
            header,
            options,
        }),
        _ => Err(SyntaxError {
            at: 0,
            kind: RuleErrorKind::Syntax("expected an action and a protocol".into()),
        }),
    }
}

/// Whether a comment line starts like a rule: `#`s, a known action, a
/// protocol, an optional header, then `(`.
pub(crate) fn is_commented_rule(text: &str) -> bool {
    let Ok(mut pairs) = RulesParser::parse(Rule::commented_header, text) else {
        return false;
    };
    let Some(top) = pairs.next() else {
        return false;
    };
    top.into_inner()
        .find(|p| p.as_rule() == Rule::action)
        .is_some_and(|a| super::header::Action::from_name(a.as_str()).is_some())
}

/// Parses an address variable's value (`[10.0.0.0/8,!10.1.0.0/16]`).
pub(crate) fn parse_address_value(text: &str) -> Result<AddressExpr, String> {
    let mut pairs = RulesParser::parse(Rule::address_value, text)
        .map_err(|e| located(text, convert_error(text, e)))?;
    let addr = pairs
        .next()
        .and_then(|top| top.into_inner().find(|p| p.as_rule() == Rule::address))
        .ok_or_else(|| "expected an address".to_string())?;
    build_address(addr).map_err(|e| located(text, e))
}

/// Parses a port variable's value (`[80,8080:8090]`).
pub(crate) fn parse_port_value(text: &str) -> Result<PortExpr, String> {
    let mut pairs = RulesParser::parse(Rule::port_value, text)
        .map_err(|e| located(text, convert_error(text, e)))?;
    let port = pairs
        .next()
        .and_then(|top| top.into_inner().find(|p| p.as_rule() == Rule::port))
        .ok_or_else(|| "expected a port".to_string())?;
    build_port(port).map_err(|e| located(text, e))
}

fn located(text: &str, e: SyntaxError) -> String {
    let col = text.get(..e.at).map_or(0, |s| s.chars().count()) + 1;
    format!("{} (at column {col} of \"{text}\")", e.kind)
}

fn word<'t>(pair: &Pair<'t, Rule>) -> Word<'t> {
    Word {
        text: pair.as_str(),
        at: pair.as_span().start(),
    }
}

fn build_option(pair: Pair<'_, Rule>) -> RawOption<'_> {
    let mut name = Word { text: "", at: 0 };
    let mut value = None;
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::option_name => name = word(&p),
            Rule::option_value => {
                let w = word(&p);
                value = Some(Word {
                    text: w.text.trim_end_matches([' ', '\t']),
                    at: w.at,
                });
            }
            _ => {}
        }
    }
    RawOption { name, value }
}

fn build_header(pair: Pair<'_, Rule>) -> Result<RawHeader, SyntaxError> {
    let mut addrs = Vec::with_capacity(2);
    let mut ports = Vec::with_capacity(2);
    let mut direction = Direction::ToDst;
    for p in pair.into_inner() {
        let at = p.as_span().start();
        match p.as_rule() {
            Rule::address => addrs.push((build_address(p)?, at)),
            Rule::port => ports.push((build_port(p)?, at)),
            Rule::direction => {
                direction = match p.as_str() {
                    "<>" => Direction::Both,
                    "=>" => Direction::Transactional,
                    _ => Direction::ToDst,
                }
            }
            _ => {}
        }
    }
    let mut a = addrs.into_iter();
    let mut p = ports.into_iter();
    match (a.next(), p.next(), a.next(), p.next()) {
        (Some(src), Some(src_ports), Some(dst), Some(dst_ports)) => Ok(RawHeader {
            src,
            src_ports,
            direction,
            dst,
            dst_ports,
        }),
        _ => Err(SyntaxError {
            at: 0,
            kind: RuleErrorKind::Syntax("incomplete header".into()),
        }),
    }
}

fn build_address(pair: Pair<'_, Rule>) -> Result<AddressExpr, SyntaxError> {
    let mut negated = false;
    let mut inner = None;
    for p in pair.into_inner() {
        let at = p.as_span().start();
        match p.as_rule() {
            Rule::negation => negated = true,
            Rule::any => inner = Some(AddressExpr::Any),
            Rule::variable => inner = Some(AddressExpr::Var(p.as_str()[1..].to_string())),
            Rule::ip => {
                let expr = parse_ip_token(p.as_str()).map_err(|reason| SyntaxError {
                    at,
                    kind: RuleErrorKind::BadAddress {
                        text: p.as_str().to_string(),
                        reason,
                    },
                })?;
                inner = Some(expr);
            }
            Rule::address_list => {
                let items = p
                    .into_inner()
                    .map(build_address)
                    .collect::<Result<Vec<_>, _>>()?;
                inner = Some(AddressExpr::List(items));
            }
            _ => {}
        }
    }
    let expr = inner.unwrap_or(AddressExpr::Any);
    Ok(if negated {
        AddressExpr::Not(Box::new(expr))
    } else {
        expr
    })
}

fn build_port(pair: Pair<'_, Rule>) -> Result<PortExpr, SyntaxError> {
    let mut negated = false;
    let mut inner = None;
    for p in pair.into_inner() {
        let at = p.as_span().start();
        match p.as_rule() {
            Rule::negation => negated = true,
            Rule::any => inner = Some(PortExpr::Any),
            Rule::variable => inner = Some(PortExpr::Var(p.as_str()[1..].to_string())),
            Rule::port_range => {
                let expr = parse_port_token(p.as_str()).map_err(|reason| SyntaxError {
                    at,
                    kind: RuleErrorKind::BadPort {
                        text: p.as_str().to_string(),
                        reason,
                    },
                })?;
                inner = Some(expr);
            }
            Rule::port_list => {
                let items = p
                    .into_inner()
                    .map(build_port)
                    .collect::<Result<Vec<_>, _>>()?;
                inner = Some(PortExpr::List(items));
            }
            _ => {}
        }
    }
    let expr = inner.unwrap_or(PortExpr::Any);
    Ok(if negated {
        PortExpr::Not(Box::new(expr))
    } else {
        expr
    })
}

/// A human name for what a grammar rule stands for.
fn describe(r: Rule) -> Option<&'static str> {
    Some(match r {
        Rule::action => "an action",
        Rule::protocol => "a protocol",
        Rule::header => "the header (addresses and ports)",
        Rule::direction => "a direction ('->', '<>' or '=>')",
        Rule::address | Rule::address_list | Rule::ip | Rule::any | Rule::variable => "an address",
        Rule::port | Rule::port_list | Rule::port_range => "a port",
        Rule::options => "'(' and the rule options",
        Rule::option | Rule::option_name => "an option name",
        Rule::option_value => "an option value",
        Rule::EOI => "the end of the rule",
        _ => return None,
    })
}

/// A clearer message when the parse failed at the start of an option:
/// a missing `;`, or a name not followed by `:` or `;`.
fn option_problem(text: &str, at: usize) -> Option<String> {
    let before = text.get(..at)?.trim_end_matches([' ', '\t']);
    if !(before.ends_with(';') || before.ends_with('(')) {
        return None;
    }
    let rest = text.get(at..)?;
    let name_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
        .unwrap_or(rest.len());
    if name_len == 0 {
        return None;
    }
    let name = &rest[..name_len];
    let after = rest[name_len..].trim_start_matches([' ', '\t']);
    let b = after.as_bytes();
    let mut i = 0;
    let mut terminated = false;
    while let Some(&c) = b.get(i) {
        match c {
            b'\\' => i += 1,
            b';' => {
                terminated = true;
                break;
            }
            _ => {}
        }
        i += 1;
    }
    if !terminated {
        Some(format!("option '{name}' is not terminated by ';'"))
    } else if !(after.starts_with(':') || after.starts_with(';')) {
        Some(format!(
            "option '{name}' must be followed by ':' and a value, or by ';'"
        ))
    } else {
        None
    }
}

fn convert_error(text: &str, e: pest::error::Error<Rule>) -> SyntaxError {
    let at = match e.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let mut expected: Vec<String> = Vec::new();
    let mut push = |s: String| {
        if !expected.contains(&s) {
            expected.push(s);
        }
    };
    if let ErrorVariant::ParsingError { positives, .. } = &e.variant {
        for r in positives {
            if let Some(d) = describe(*r) {
                push(d.to_string());
            }
        }
    }
    if let Some(attempts) = e.parse_attempts() {
        for t in attempts.expected_tokens() {
            // Literal tokens only (ParsingToken is not nameable outside
            // pest; ranges print as `a..z`, built-ins as BUILTIN_RULE).
            let t = t.to_string();
            if !t.is_empty() && t != "BUILTIN_RULE" && !(t.len() == 4 && t.contains("..")) {
                push(format!("'{t}'"));
            }
        }
    }
    let found = match text.get(at..).and_then(|s| s.chars().next()) {
        Some(c) => format!("'{c}'"),
        None => "the end of the rule".to_string(),
    };
    let message = if let Some(m) = option_problem(text, at) {
        m
    } else if expected.is_empty() {
        format!(
            "unexpected {found}; a rule reads 'action protocol [source ports direction destination ports] (options)'"
        )
    } else {
        format!("expected {}, found {found}", expected.join(" or "))
    };
    SyntaxError {
        at,
        kind: RuleErrorKind::Syntax(message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_a_rule() {
        let r = parse_rule(
            r#"alert tcp $HOME_NET any -> ![1.2.3.4,$X] [80,!81] (msg:"a\;b"; nocase; sid:1;)"#,
            false,
        )
        .unwrap();
        assert_eq!(r.action.text, "alert");
        assert_eq!(r.protocol.text, "tcp");
        let h = r.header.unwrap();
        assert_eq!(h.src.0, AddressExpr::Var("HOME_NET".into()));
        assert_eq!(h.dst.0.to_string(), "![1.2.3.4,$X]");
        assert_eq!(h.dst_ports.0.to_string(), "[80,!81]");
        assert_eq!(h.dst.1, 27);
        let names: Vec<&str> = r.options.iter().map(|o| o.name.text).collect();
        assert_eq!(names, ["msg", "nocase", "sid"]);
        assert_eq!(r.options[0].value.unwrap().text, r#""a\;b""#);
        assert!(r.options[1].value.is_none());
    }

    #[test]
    fn service_rule_has_no_header() {
        let r = parse_rule(r#"alert http ( msg:"x"; sid:1; )"#, false).unwrap();
        assert!(r.header.is_none());
        assert_eq!(r.options.len(), 2);
    }

    #[test]
    fn value_runs_to_first_unescaped_semicolon_ignoring_quotes() {
        let r = parse_rule(
            r#"alert http any any -> any any (pcre:"/^["']?post/Ri"; sid:1;)"#,
            false,
        )
        .unwrap();
        assert_eq!(r.options[0].value.unwrap().text, r#""/^["']?post/Ri""#);
    }

    #[test]
    fn commented_rules() {
        assert!(is_commented_rule("#alert tcp any any -> any any (sid:1;)"));
        assert!(is_commented_rule(
            "## drop http any any -> any any (sid:1;)"
        ));
        assert!(!is_commented_rule(
            "# alert if STARTTLS was not followed by actual SSL/TLS"
        ));
        assert!(!is_commented_rule("# this is a comment (really)"));
        assert!(parse_rule("# alert tcp any any -> any any (sid:1;)", true).is_ok());
    }

    #[test]
    fn errors_point_at_the_problem() {
        let text = "alert tcp any any -< any any (sid:1;)";
        let e = parse_rule(text, false).unwrap_err();
        assert_eq!(e.at, 18);
        match e.kind {
            RuleErrorKind::Syntax(m) => assert!(m.contains("direction"), "{m}"),
            k => panic!("{k:?}"),
        }
        let e = parse_rule("alert tcp any any -> any any (sid:1)", false).unwrap_err();
        assert_eq!(e.at, 30);
        assert_eq!(
            e.kind,
            RuleErrorKind::Syntax("option 'sid' is not terminated by ';'".into())
        );
        let e = parse_rule("alert tcp any any -> any any (sid:1; foo bar;)", false).unwrap_err();
        assert_eq!(e.at, 37);
        assert!(matches!(e.kind, RuleErrorKind::Syntax(m) if m.contains("'foo' must be followed")));
        let e = parse_rule("alert tcp 1.2.3.400 any -> any any (sid:1;)", false).unwrap_err();
        assert_eq!(e.at, 10);
        assert!(matches!(e.kind, RuleErrorKind::BadAddress { .. }));
        let e = parse_rule("alert tcp any 70000 -> any any (sid:1;)", false).unwrap_err();
        assert_eq!(e.at, 14);
        assert!(matches!(e.kind, RuleErrorKind::BadPort { .. }));
    }

    #[test]
    fn variable_values() {
        assert_eq!(
            parse_address_value(" [10.0.0.0/8, !$X] ")
                .unwrap()
                .to_string(),
            "[10.0.0.0/8,!$X]"
        );
        assert!(parse_address_value("[10.0.0.0/8")
            .unwrap_err()
            .contains("column"));
        assert_eq!(parse_port_value("!80").unwrap().to_string(), "!80");
    }
}
