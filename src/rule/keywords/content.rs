//! `content` (and `uricontent`): the pattern with its hex runs and escapes,
//! and its modifiers in all three spellings: Suricata's separate keywords
//! (`content:"x"; depth:4; nocase;`), Snort 2's (the same, plus
//! `fast_pattern:only`) and Snort 3's comma modifiers
//! (`content:"x",depth 4,nocase;`).
//!
//! The pattern rules are Suricata's (`DetectContentDataParse`): `|41 42|`
//! hex runs (blanks and commas inside are ignored), only `\"`, `\;`, `\:`
//! and `\\` as escapes, no unescaped `"` inside, no empty pattern.
//! Attaching modifiers to the right content, and the checks that involve
//! more than one keyword, are in [`crate::rule::build`].

use std::fmt;

use super::value::{number, operand_i64, Operand, VResult, ValueError};

/// Largest `offset`/`depth` Suricata accepts (a u16).
pub const MAX_OFFSET: i64 = 65535;
/// Bound on `distance`/`within` (Suricata's `DETECT_CONTENT_VALUE_MAX`).
pub const MAX_RELATIVE: i64 = 1 << 24;

/// How a content takes part in the fast-pattern (multi-pattern) prefilter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FastPattern {
    /// `fast_pattern`: use this content.
    Plain,
    /// `fast_pattern:only` (Snort 2; deprecated in Suricata): the
    /// prefilter match is the whole check.
    Only,
    /// `fast_pattern:offset,len` (Snort 3: `fast_pattern_offset`,
    /// `fast_pattern_length`): use only this slice of the pattern.
    Chop {
        /// Start of the slice in the pattern.
        offset: u16,
        /// Length of the slice.
        len: u16,
    },
}

impl fmt::Display for FastPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FastPattern::Plain => Ok(()),
            FastPattern::Only => f.write_str("only"),
            FastPattern::Chop { offset, len } => write!(f, "{offset},{len}"),
        }
    }
}

/// One content match with its modifiers.
///
/// `offset`/`depth` are as written: `depth` counts from `offset`, as in
/// Suricata and Snort (Suricata adds them up internally).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Content {
    /// The pattern bytes, hex runs and escapes decoded.
    pub pattern: Vec<u8>,
    /// `content:!"..."`: the pattern must not occur.
    pub negated: bool,
    /// `nocase`.
    pub nocase: bool,
    /// `rawbytes` (Snort 2; no effect in Suricata).
    pub rawbytes: bool,
    /// `offset`.
    pub offset: Option<Operand<i64>>,
    /// `depth`.
    pub depth: Option<Operand<i64>>,
    /// `distance` (relative to the previous match in the same buffer).
    pub distance: Option<Operand<i64>>,
    /// `within` (relative to the previous match in the same buffer).
    pub within: Option<Operand<i64>>,
    /// `startswith`: the pattern must be at the start of the buffer.
    pub startswith: bool,
    /// `endswith`: the pattern must end the buffer.
    pub endswith: bool,
    /// `fast_pattern` in any of its forms.
    pub fast_pattern: Option<FastPattern>,
}

impl Content {
    /// Whether the content is matched relative to the previous match
    /// (`distance` or `within`).
    pub fn is_relative(&self) -> bool {
        self.distance.is_some() || self.within.is_some()
    }
}

/// A content modifier keyword, or one Snort 3 comma modifier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ContentModifier {
    Nocase,
    Rawbytes,
    Startswith,
    Endswith,
    Offset(Operand<i64>),
    Depth(Operand<i64>),
    Distance(Operand<i64>),
    Within(Operand<i64>),
    FastPattern(FastPattern),
    /// Snort 3 `fast_pattern_offset N`.
    FastPatternOffset(u16),
    /// Snort 3 `fast_pattern_length N`.
    FastPatternLength(u16),
}

impl ContentModifier {
    /// The keyword's name as written in Suricata syntax.
    pub fn name(&self) -> &'static str {
        match self {
            ContentModifier::Nocase => "nocase",
            ContentModifier::Rawbytes => "rawbytes",
            ContentModifier::Startswith => "startswith",
            ContentModifier::Endswith => "endswith",
            ContentModifier::Offset(_) => "offset",
            ContentModifier::Depth(_) => "depth",
            ContentModifier::Distance(_) => "distance",
            ContentModifier::Within(_) => "within",
            ContentModifier::FastPattern(_) => "fast_pattern",
            ContentModifier::FastPatternOffset(_) => "fast_pattern_offset",
            ContentModifier::FastPatternLength(_) => "fast_pattern_length",
        }
    }
}

/// Parses the value of `offset`/`depth`/`distance`/`within` (a number or a
/// byte variable).
pub(crate) fn parse_position(name: &str, value: &str) -> VResult<ContentModifier> {
    let v = value.trim();
    Ok(match name {
        "offset" => ContentModifier::Offset(operand_i64(v, 0, MAX_OFFSET, name)?),
        "depth" => ContentModifier::Depth(operand_i64(v, 0, MAX_OFFSET, name)?),
        "distance" => ContentModifier::Distance(operand_i64(v, -MAX_RELATIVE, MAX_RELATIVE, name)?),
        _ => ContentModifier::Within(operand_i64(v, -MAX_RELATIVE, MAX_RELATIVE, name)?),
    })
}

/// Parses `fast_pattern`'s optional value: none, `only`, or `offset,len`.
pub(crate) fn parse_fast_pattern(value: Option<&str>) -> VResult<FastPattern> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(FastPattern::Plain);
    };
    if v == "only" {
        return Ok(FastPattern::Only);
    }
    match v.split_once(',') {
        Some((a, b)) => Ok(FastPattern::Chop {
            offset: number(a, 65535, "fast_pattern offset")? as u16,
            len: number(b, 65535, "fast_pattern length")? as u16,
        }),
        None => Err(ValueError::new(
            "expected nothing, 'only', or 'offset,length'",
        )),
    }
}

/// Parses a content value: `[!]"pattern"` and, Snort 3, `,modifier ...`.
/// Returns the content and the comma modifiers (with their byte offsets in
/// `value`) for the caller to apply in order.
pub(crate) fn parse_content(value: &str) -> VResult<(Content, Vec<(ContentModifier, usize)>)> {
    let start = value.len() - value.trim_start().len();
    let mut rest = &value[start..];
    let mut negated = false;
    if let Some(r) = rest.strip_prefix('!') {
        negated = true;
        rest = r.trim_start();
    }
    let open = value.len() - rest.len();
    if !rest.starts_with('"') {
        return Err(ValueError {
            at: open,
            reason: "the pattern must be in double quotes".into(),
        });
    }
    let body_start = open + 1;
    let (pattern, close) = decode_pattern(value, body_start)?;
    let after = &value[close + 1..];
    let mut mods = Vec::new();
    let trimmed = after.trim();
    if !trimmed.is_empty() {
        let Some(list) = trimmed.strip_prefix(',') else {
            let at = close + 1 + (after.len() - after.trim_start().len());
            let reason = if trimmed.contains('"') {
                "unescaped double quote inside the pattern (write \\\" or |22|)"
            } else {
                "unexpected text after the closing quote"
            };
            return Err(ValueError {
                at,
                reason: reason.into(),
            });
        };
        for item in list.split(',') {
            let at = super::value::offset_in(value, item) + (item.len() - item.trim_start().len());
            mods.push((
                snort3_modifier(item.trim()).map_err(|e| ValueError { at, ..e })?,
                at,
            ));
        }
    }
    let content = Content {
        pattern,
        negated,
        ..Content::default()
    };
    Ok((content, mods))
}

/// One Snort 3 content modifier: `nocase`, `fast_pattern`, `depth 4`,
/// `offset 2`, `distance -1`, `within len`, `fast_pattern_offset 1`,
/// `fast_pattern_length 3`.
fn snort3_modifier(item: &str) -> VResult<ContentModifier> {
    let (name, arg) = super::value::split_word(item);
    let needs_arg = |m: VResult<ContentModifier>| {
        if arg.is_empty() {
            Err(ValueError::new(format!("'{name}' needs a value")))
        } else {
            m
        }
    };
    match name {
        "nocase" if arg.is_empty() => Ok(ContentModifier::Nocase),
        "fast_pattern" if arg.is_empty() => Ok(ContentModifier::FastPattern(FastPattern::Plain)),
        "offset" | "depth" | "distance" | "within" => needs_arg(parse_position(name, arg)),
        "fast_pattern_offset" => needs_arg(
            number(arg, 65535, name).map(|n| ContentModifier::FastPatternOffset(n as u16)),
        ),
        "fast_pattern_length" => needs_arg(
            number(arg, 65535, name).map(|n| ContentModifier::FastPatternLength(n as u16)),
        ),
        _ => Err(ValueError::new(format!(
            "unknown content modifier '{item}'"
        ))),
    }
}

/// Decodes a quoted pattern that starts at byte `start` of `value` (just
/// after the opening quote). Returns the bytes and the offset of the
/// closing quote.
fn decode_pattern(value: &str, start: usize) -> VResult<(Vec<u8>, usize)> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len().saturating_sub(start));
    let mut i = start;
    let mut hex_open: Option<usize> = None;
    let mut nibble: Option<(u8, usize)> = None;
    while let Some(&b) = bytes.get(i) {
        if let Some(open) = hex_open {
            match b {
                b'|' => {
                    if let Some((_, at)) = nibble {
                        return Err(ValueError {
                            at,
                            reason: "hex byte with a single digit".into(),
                        });
                    }
                    let _ = open;
                    hex_open = None;
                }
                b' ' | b'\t' | b',' => {}
                _ if b.is_ascii_hexdigit() => {
                    let d = hex_digit(b);
                    match nibble.take() {
                        Some((hi, _)) => out.push((hi << 4) | d),
                        None => nibble = Some((d, i)),
                    }
                }
                b'"' => {
                    return Err(ValueError {
                        at: open,
                        reason: "hex run opened with '|' is not closed".into(),
                    })
                }
                _ => {
                    return Err(ValueError {
                        at: i,
                        reason: format!("'{}' is not a hex digit", char_at(value, i)),
                    })
                }
            }
            i += 1;
            continue;
        }
        match b {
            b'|' => hex_open = Some(i),
            b'\\' => {
                let next = bytes.get(i + 1).copied();
                match next {
                    Some(c @ (b'"' | b';' | b':' | b'\\')) => {
                        out.push(c);
                        i += 1;
                    }
                    _ => {
                        return Err(ValueError {
                            at: i,
                            reason: "only \\\", \\;, \\: and \\\\ are escapes in a content".into(),
                        })
                    }
                }
            }
            b'"' => {
                if out.is_empty() {
                    return Err(ValueError {
                        at: i,
                        reason: "empty pattern".into(),
                    });
                }
                return Ok((out, i));
            }
            _ => out.push(b),
        }
        i += 1;
    }
    match hex_open {
        Some(open) => Err(ValueError {
            at: open,
            reason: "hex run opened with '|' is not closed".into(),
        }),
        None => Err(ValueError {
            at: start.saturating_sub(1),
            reason: "unterminated double quote".into(),
        }),
    }
}

fn hex_digit(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        _ => b - b'A' + 10,
    }
}

fn char_at(s: &str, i: usize) -> char {
    s.get(i..).and_then(|t| t.chars().next()).unwrap_or('?')
}

/// Writes pattern bytes in rule syntax: printable ASCII as is, everything
/// else (and `"`, `;`, `\`, `|`, `:`) as `|xx xx|` hex runs.
pub(crate) fn write_pattern(f: &mut fmt::Formatter<'_>, pattern: &[u8]) -> fmt::Result {
    let mut in_hex = false;
    for &b in pattern {
        let plain = (0x20..0x7f).contains(&b) && !matches!(b, b'"' | b';' | b'\\' | b'|' | b':');
        if plain {
            if in_hex {
                f.write_str("|")?;
                in_hex = false;
            }
            write!(f, "{}", b as char)?;
        } else {
            if in_hex {
                write!(f, " {b:02X}")?;
            } else {
                write!(f, "|{b:02X}")?;
                in_hex = true;
            }
        }
    }
    if in_hex {
        f.write_str("|")?;
    }
    Ok(())
}

/// Displays a content's value part (`!"pattern"`).
pub(crate) struct PatternText<'a>(pub &'a Content);

impl fmt::Display for PatternText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.negated {
            f.write_str("!")?;
        }
        f.write_str("\"")?;
        write_pattern(f, &self.0.pattern)?;
        f.write_str("\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pat(v: &str) -> Vec<u8> {
        parse_content(v).unwrap().0.pattern
    }

    #[test]
    fn patterns_decode() {
        assert_eq!(pat(r#""abc""#), b"abc");
        assert_eq!(pat(r#""a|41 42|c""#), b"aABc");
        assert_eq!(pat(r#""|4142|""#), b"AB");
        assert_eq!(pat(r#""|41,42|""#), b"AB");
        assert_eq!(pat(r#""a\"b\;c\:d\\e""#), b"a\"b;c:d\\e");
        assert_eq!(pat(r#""a:b""#), b"a:b");
        assert!(parse_content(r#"!"x""#).unwrap().0.negated);
        assert!(parse_content(r#"! "x""#).unwrap().0.negated);
    }

    #[test]
    fn pattern_errors_are_located() {
        let e = parse_content(r#""a|4""#).unwrap_err();
        assert_eq!(e.at, 2);
        let e = parse_content(r#""a|41 4|""#).unwrap_err();
        assert_eq!(
            (e.at, e.reason.as_str()),
            (6, "hex byte with a single digit")
        );
        let e = parse_content(r#""a|4G|""#).unwrap_err();
        assert_eq!(e.at, 4);
        assert!(e.reason.contains("'G'"));
        let e = parse_content(r#""abc"#).unwrap_err();
        assert_eq!(e.reason, "unterminated double quote");
        let e = parse_content(r#""a"b""#).unwrap_err();
        assert!(e.reason.contains("unescaped double quote"));
        let e = parse_content(r#""a\x""#).unwrap_err();
        assert_eq!(e.at, 2);
        assert!(parse_content(r#""""#).unwrap_err().reason.contains("empty"));
        assert!(parse_content("abc")
            .unwrap_err()
            .reason
            .contains("double quotes"));
    }

    #[test]
    fn snort3_modifiers() {
        let (c, mods) = parse_content(r#""x",depth 16, nocase,within len,fast_pattern"#).unwrap();
        assert_eq!(c.pattern, b"x");
        let m: Vec<ContentModifier> = mods.into_iter().map(|(m, _)| m).collect();
        assert_eq!(
            m,
            [
                ContentModifier::Depth(Operand::Num(16)),
                ContentModifier::Nocase,
                ContentModifier::Within(Operand::Var("len".into())),
                ContentModifier::FastPattern(FastPattern::Plain),
            ]
        );
        let e = parse_content(r#""x",depth"#).unwrap_err();
        assert_eq!(e.at, 4);
        assert!(parse_content(r#""x",bogus 1"#).is_err());
    }

    #[test]
    fn fast_pattern_forms() {
        assert_eq!(parse_fast_pattern(None).unwrap(), FastPattern::Plain);
        assert_eq!(parse_fast_pattern(Some("only")).unwrap(), FastPattern::Only);
        assert_eq!(
            parse_fast_pattern(Some("3,4")).unwrap(),
            FastPattern::Chop { offset: 3, len: 4 }
        );
        assert!(parse_fast_pattern(Some("x")).is_err());
    }

    #[test]
    fn positions() {
        assert_eq!(
            parse_position("distance", "-5").unwrap(),
            ContentModifier::Distance(Operand::Num(-5))
        );
        assert!(parse_position("depth", "-5").is_err());
        assert!(parse_position("depth", "70000").is_err());
    }

    #[test]
    fn pattern_display_parses_back() {
        let bytes: Vec<u8> = (0u8..=255).collect();
        let c = Content {
            pattern: bytes.clone(),
            ..Content::default()
        };
        let text = PatternText(&c).to_string();
        assert_eq!(pat(&text), bytes);
        let c = Content {
            pattern: b"GET /a|b".to_vec(),
            negated: true,
            ..Content::default()
        };
        assert_eq!(PatternText(&c).to_string(), r#"!"GET /a|7C|b""#);
    }
}
