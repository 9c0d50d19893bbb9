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
///
/// Fast path: the grammar parses the head (`rule_head`, up to the `(`),
/// and [`split_options`] splits the options with the grammar's `option`
/// rule written out in Rust. If either fails, the whole rule is parsed
/// with the grammar's `rule` entry, which is the authority: its result (or
/// its located error) is returned.
pub(crate) fn parse_rule(text: &str, commented: bool) -> Result<RawRule<'_>, SyntaxError> {
    parse_rule_cached(text, commented, &mut HeadCache::default())
}

/// [`parse_rule`] with a cache of parsed heads: rule sets repeat a few
/// hundred distinct heads (`alert http $HOME_NET any -> $EXTERNAL_NET any (`)
/// over tens of thousands of rules, and the head is where pest spends its
/// time. A head cannot contain `(`, so the text up to the first `(` decides
/// the head parse on its own and is the key.
pub(crate) fn parse_rule_cached<'t>(
    text: &'t str,
    commented: bool,
    cache: &mut HeadCache,
) -> Result<RawRule<'t>, SyntaxError> {
    check_nesting(head_of(text))?;
    if let Some(raw) = parse_fast(text, commented, cache) {
        return Ok(raw);
    }
    parse_full(text, commented)
}

/// Deepest nesting of address and port lists (`[[...]]`), as Suricata's
/// address and port parsers (a recursion limit of 64). Checked before the
/// grammar runs: the grammar and the code that walks its result recurse
/// once per level, and a thread's stack must not decide what loads.
pub(crate) const MAX_LIST_DEPTH: usize = 64;

/// The part of a rule where lists can be: up to its first `(`.
fn head_of(text: &str) -> &str {
    memchr::memchr(b'(', text.as_bytes())
        .and_then(|i| text.get(..i))
        .unwrap_or(text)
}

/// An error at the first `[` nested deeper than [`MAX_LIST_DEPTH`].
fn check_nesting(head: &str) -> Result<(), SyntaxError> {
    let mut depth = 0usize;
    for (i, b) in head.bytes().enumerate() {
        match b {
            b'[' => {
                depth += 1;
                if depth > MAX_LIST_DEPTH {
                    return Err(SyntaxError {
                        at: i,
                        kind: RuleErrorKind::Syntax(format!(
                            "list nested deeper than {MAX_LIST_DEPTH} levels"
                        )),
                    });
                }
            }
            b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Parsed rule heads by their text (up to and including the first `(`).
#[derive(Default)]
pub(crate) struct HeadCache {
    active: std::collections::HashMap<Box<str>, Option<CachedHead>>,
    commented: std::collections::HashMap<Box<str>, Option<CachedHead>>,
}

/// Most heads kept; beyond this, heads are parsed every time (untrusted
/// input must not grow memory without a cap).
const HEAD_CACHE_MAX: usize = 4096;

/// A head parse as offsets, valid for any rule text with the same head.
#[derive(Clone)]
struct CachedHead {
    action: (usize, usize),
    protocol: (usize, usize),
    header: Option<RawHeader>,
    open: usize,
}

/// The fast path: `None` whenever anything does not fit.
fn parse_fast<'t>(text: &'t str, commented: bool, cache: &mut HeadCache) -> Option<RawRule<'t>> {
    let open = memchr::memchr(b'(', text.as_bytes())?;
    let key = text.get(..=open)?;
    let map = if commented {
        &mut cache.commented
    } else {
        &mut cache.active
    };
    let head = match map.get(key) {
        Some(h) => h.clone(),
        None => {
            let h = parse_head(key, commented);
            if map.len() < HEAD_CACHE_MAX {
                map.insert(key.into(), h.clone());
            }
            h
        }
    }?;
    let options = split_options(text, head.open)?;
    let word = |(a, b): (usize, usize)| text.get(a..b).map(|t| Word { text: t, at: a });
    Some(RawRule {
        action: word(head.action)?,
        protocol: word(head.protocol)?,
        header: head.header,
        options,
    })
}

/// Parses a head (text ending with its `(`) with the grammar.
fn parse_head(key: &str, commented: bool) -> Option<CachedHead> {
    let entry = if commented {
        Rule::commented_rule_head
    } else {
        Rule::rule_head
    };
    let top = RulesParser::parse(entry, key).ok()?.next()?;
    let open = top.as_span().end();
    let (action, protocol, header) = head_parts(top).ok()?;
    let span = |w: Word<'_>| (w.at, w.at + w.text.len());
    Some(CachedHead {
        action: span(action?),
        protocol: span(protocol?),
        header,
        open,
    })
}

type Head<'t> = (Option<Word<'t>>, Option<Word<'t>>, Option<RawHeader>);

fn head_parts(top: Pair<'_, Rule>) -> Result<Head<'_>, SyntaxError> {
    let mut action = None;
    let mut protocol = None;
    let mut header = None;
    for pair in top.into_inner() {
        match pair.as_rule() {
            Rule::action => action = Some(word(&pair)),
            Rule::protocol => protocol = Some(word(&pair)),
            Rule::header => header = Some(build_header(pair)?),
            _ => {}
        }
    }
    Ok((action, protocol, header))
}

/// The whole rule through the grammar.
fn parse_full(text: &str, commented: bool) -> Result<RawRule<'_>, SyntaxError> {
    // Ask pest for the literal tokens it expected, for the error message.
    // This is a process-wide pest setting; it costs little here because
    // the loader's fast path only runs pest on distinct rule heads.
    static DETAIL: std::sync::Once = std::sync::Once::new();
    DETAIL.call_once(|| pest::set_error_detail(true));
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
    let mut options = Vec::new();
    let mut head = Vec::new();
    for pair in top.into_inner() {
        if pair.as_rule() == Rule::options {
            for opt in pair.into_inner() {
                options.push(build_option(opt.as_str(), opt.as_span().start()));
            }
        } else {
            head.push(pair);
        }
    }
    let mut action = None;
    let mut protocol = None;
    let mut header = None;
    for pair in head {
        match pair.as_rule() {
            Rule::action => action = Some(word(&pair)),
            Rule::protocol => protocol = Some(word(&pair)),
            Rule::header => header = Some(build_header(pair)?),
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

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// The grammar's `options` rule followed by `ws* ~ EOI`, in Rust: `open`
/// is the offset of the `(`. Returns `None` where the grammar would fail.
pub(crate) fn split_options(text: &str, open: usize) -> Option<Vec<RawOption<'_>>> {
    let b = text.as_bytes();
    if b.get(open) != Some(&b'(') {
        return None;
    }
    let mut i = open + 1;
    let skip_blanks = |i: &mut usize| {
        while b.get(*i).is_some_and(|&c| is_blank(c)) {
            *i += 1;
        }
    };
    skip_blanks(&mut i);
    let mut options = Vec::with_capacity(24);
    loop {
        match b.get(i) {
            Some(b')') => {
                i += 1;
                skip_blanks(&mut i);
                return (i == b.len()).then_some(options);
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let start = i;
                // The name: up to ':', ';' or ' ' (a tab is part of it).
                i += 1;
                while b
                    .get(i)
                    .is_some_and(|&c| c != b':' && c != b';' && c != b' ')
                {
                    i += 1;
                }
                skip_blanks(&mut i);
                match b.get(i) {
                    Some(b';') => i += 1,
                    Some(b':') => {
                        // The value: to the first unescaped ';'.
                        i += 1;
                        loop {
                            let rest = b.get(i..)?;
                            let j = memchr::memchr2(b';', b'\\', rest)?;
                            if rest.get(j) == Some(&b';') {
                                i += j + 1;
                                break;
                            }
                            // A backslash escapes the next character, which
                            // must exist (a continuation byte is never ';').
                            rest.get(j + 1)?;
                            i += j + 2;
                        }
                    }
                    _ => return None,
                }
                options.push(build_option(text.get(start..i)?, start));
                skip_blanks(&mut i);
            }
            _ => return None,
        }
    }
}

/// Whether a comment line starts like a rule: `#`s, a known action, a
/// protocol, an optional header, then `(`.
pub(crate) fn is_commented_rule(text: &str) -> bool {
    if check_nesting(head_of(text)).is_err() {
        return false;
    }
    let Ok(mut pairs) = RulesParser::parse(Rule::commented_rule_head, text) else {
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
    check_nesting(text).map_err(|e| located(text, e))?;
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
    check_nesting(text).map_err(|e| located(text, e))?;
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

/// Splits one option's text (`name[ ]:[ ]value;`, already checked) into
/// name and value: the name ends at the first `:`, as in the grammar.
fn build_option(text: &str, at: usize) -> RawOption<'_> {
    let body = text.strip_suffix(';').unwrap_or(text);
    match body.find(':') {
        Some(colon) => {
            let name = body[..colon].trim_end_matches([' ', '\t']);
            let raw = &body[colon + 1..];
            let value = raw.trim_start_matches([' ', '\t']);
            let value_at = at + colon + 1 + (raw.len() - value.len());
            RawOption {
                name: Word { text: name, at },
                value: Some(Word {
                    text: value.trim_end_matches([' ', '\t']),
                    at: value_at,
                }),
            }
        }
        None => RawOption {
            name: Word {
                text: body.trim_end_matches([' ', '\t']),
                at,
            },
            value: None,
        },
    }
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
        Rule::option => "an option ('name;' or 'name:value;')",
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
    let rule_at = match e.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    if let Some(m) = option_problem(text, rule_at) {
        return SyntaxError {
            at: rule_at,
            kind: RuleErrorKind::Syntax(m),
        };
    }
    let mut at = rule_at;
    // What was expected: rule descriptions, literal tokens, blanks.
    let mut rules: Vec<&'static str> = Vec::new();
    let mut literals: Vec<String> = Vec::new();
    let mut blank = false;
    // With error detail on, pest also records the literal tokens it tried
    // at the farthest position, which is where the text went wrong.
    match e.parse_attempts() {
        Some(attempts) if attempts.max_position >= rule_at => {
            at = attempts.max_position;
            for stack in &attempts.call_stacks {
                if let Some(d) = stack.deepest.get_rule().copied().and_then(describe) {
                    if !rules.contains(&d) {
                        rules.push(d);
                    }
                }
            }
            for t in attempts.expected_tokens() {
                // Literal tokens only (ParsingToken is not nameable outside
                // pest; ranges print as `a..z`, built-ins as BUILTIN_RULE).
                let t = t.to_string();
                if t == " " || t == "\t" {
                    blank = true;
                } else if !t.is_empty()
                    && t != "BUILTIN_RULE"
                    && !(t.len() == 4 && t.contains(".."))
                {
                    let q = format!("'{t}'");
                    if !literals.contains(&q) {
                        literals.push(q);
                    }
                }
            }
        }
        _ => {
            if let ErrorVariant::ParsingError { positives, .. } = &e.variant {
                for r in positives {
                    if let Some(d) = describe(*r) {
                        if !rules.contains(&d) {
                            rules.push(d);
                        }
                    }
                }
            }
        }
    }
    // A literal a rule's description already names adds nothing.
    literals.retain(|l| !rules.iter().any(|r| r.contains(l.as_str())));
    // The first characters of an address or a port read better as that.
    const STARTS: [&str; 5] = ["'$'", "':'", "'['", "'any'", "'!'"];
    if literals.iter().all(|l| STARTS.contains(&l.as_str()))
        && rules.iter().any(|r| *r == "an address" || *r == "a port")
    {
        literals.clear();
    }
    let expected: Vec<String> = if !literals.is_empty() {
        literals
    } else {
        let mut v: Vec<String> = rules.iter().map(|r| r.to_string()).collect();
        if blank && v.is_empty() {
            v.push("a blank".to_string());
        }
        v
    };
    let expected: Vec<String> = if at >= text.len() && expected == ["an action"] {
        vec!["a blank and a protocol after the action".to_string()]
    } else {
        expected
    };
    let after_close = text
        .get(..at)
        .is_some_and(|t| t.trim_end_matches([' ', '\t']).ends_with(')'))
        && at < text.len();
    let found = match text.get(at..).and_then(|s| s.chars().next()) {
        Some(c) => format!("'{}'", c.escape_default()),
        None => "the end of the rule".to_string(),
    };
    let message = if after_close {
        format!("unexpected {found} after the closing ')' of the options")
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
    use proptest::strategy::Strategy;

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
    fn list_nesting_is_limited_before_the_grammar() {
        let nested = |n: usize| format!("{}1.2.3.4{}", "[".repeat(n), "]".repeat(n));
        let ok = format!("alert tcp {} any -> any any (sid:1;)", nested(64));
        assert!(parse_rule(&ok, false).is_ok());
        // The 65th `[` is at offset 10 + 64.
        let deep = format!("alert tcp {} any -> any any (sid:1;)", nested(20_000));
        let e = parse_rule(&deep, false).unwrap_err();
        assert_eq!(e.at, 74);
        assert_eq!(
            e.kind,
            RuleErrorKind::Syntax("list nested deeper than 64 levels".into())
        );
        assert!(!is_commented_rule(&format!("#{deep}")));
        assert!(parse_address_value(&nested(64)).is_ok());
        assert!(parse_address_value(&nested(65)).is_err());
        let ports = format!("{}80{}", "[".repeat(65), "]".repeat(65));
        assert!(parse_port_value(&ports).is_err());
        // Brackets inside options are not lists.
        let opts = format!(
            "alert tcp any any -> any any (content:\"{}\"; sid:1;)",
            "[".repeat(100)
        );
        assert!(parse_rule(&opts, false).is_ok());
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

    type Opts = Vec<(String, usize, Option<(String, usize)>)>;

    fn project(r: &RawRule<'_>) -> Opts {
        r.options
            .iter()
            .map(|o| {
                (
                    o.name.text.to_string(),
                    o.name.at,
                    o.value.map(|v| (v.text.to_string(), v.at)),
                )
            })
            .collect()
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config {
            cases: 3000,
            failure_persistence: Some(Box::new(
                proptest::test_runner::FileFailurePersistence::Direct(
                    "proptest-regressions/rule_syntax.txt",
                ),
            )),
            ..Default::default()
        })]

        /// The fast option splitter and the grammar agree on every input:
        /// both succeed with the same options, or both fail.
        #[test]
        fn fast_path_agrees_with_the_grammar(
            head in proptest::sample::select(vec![
                "alert tcp any any -> any any ",
                "alert http ",
                "# alert udp $A any <> [1.2.3.4,!5.6.7.8] ![80,90] ",
            ]),
            body in proptest::prop_oneof![
                "[a-c:;\\\\ \t()\"'é]{0,40}",
                // Mostly well-formed option lists, with odd values.
                (
                    proptest::collection::vec(
                        ("[a-c][a-c\t]{0,2}", proptest::option::of("[a-c:;\\\\ ()\"]{0,6}")),
                        0..5,
                    ),
                    "[ \t)a;]{0,3}",
                )
                    .prop_map(|(opts, tail)| {
                        let mut b = String::new();
                        for (n, v) in opts {
                            match v {
                                Some(v) => b.push_str(&format!("{n}:{v}; ")),
                                None => b.push_str(&format!("{n}; ")),
                            }
                        }
                        format!("{b}){tail}")
                    }),
            ],
        ) {
            let commented = head.starts_with('#');
            let text = format!("{head}({body}");
            let fast = parse_fast(&text, commented, &mut HeadCache::default());
            let full = parse_full(&text, commented);
            match (&fast, &full) {
                (Some(f), Ok(g)) => proptest::prop_assert_eq!(project(f), project(g)),
                (None, Err(_)) => {}
                _ => proptest::prop_assert!(
                    false,
                    "fast {:?} vs grammar {:?} on {:?}",
                    fast.as_ref().map(project),
                    full.as_ref().map(project),
                    text
                ),
            }
        }
    }
}
