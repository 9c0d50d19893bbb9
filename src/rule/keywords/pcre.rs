//! `pcre`: the pattern's shape (delimiters and flags) is checked here; the
//! pattern text is kept as written and never compiled (that is the
//! detection engine's job).
//!
//! Shape rules are Suricata's (`DetectPcreParse`): the pattern sits between
//! the first unescaped `/` and the last `/` that is not escaped; the flags
//! after it are Perl's `i m s x`, PCRE's `A E G` plus Suricata's `O`
//! (match limits), `R` (relative), `B` (rawbytes) and one buffer letter
//! (`U I P Q H D M C S Y V W Z`). Optional capture targets
//! (`, flow:name, pkt:name`) follow the flags inside the quotes. Snort 3
//! writes `relative` after the closing quote (`pcre:"/a/",relative`).

use std::fmt;

use super::value::{VResult, ValueError};
use crate::rule::buffer::Buffer;

/// Perl/PCRE compile flags of a `pcre`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct PcreFlags {
    /// `i`: caseless.
    pub caseless: bool,
    /// `m`: multiline.
    pub multiline: bool,
    /// `s`: `.` matches newlines.
    pub dotall: bool,
    /// `x`: extended syntax.
    pub extended: bool,
    /// `A`: anchored at the start of the buffer (or of the relative window).
    pub anchored: bool,
    /// `E`: `$` matches only at the very end.
    pub dollar_endonly: bool,
    /// `G`: ungreedy.
    pub ungreedy: bool,
    /// `O`: apply the configured match limits.
    pub match_limit: bool,
    /// `B`: rawbytes (Snort).
    pub rawbytes: bool,
}

/// One `pcre` match.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Pcre {
    /// `pcre:!"..."`.
    pub negated: bool,
    /// The pattern between the delimiters, exactly as written (escapes
    /// such as `\;` kept).
    pub pattern: String,
    /// Compile flags.
    pub flags: PcreFlags,
    /// `R`: match relative to the previous match in the buffer.
    pub relative: bool,
    /// Capture targets after the flags (`flow:name, pkt:name`), as written.
    pub captures: Option<String>,
}

/// Parses a pcre value. Returns the pcre and the buffer its letter flag
/// names (`U` is the HTTP URI), if any.
pub(crate) fn parse_pcre(value: &str) -> VResult<(Pcre, Option<Buffer>)> {
    let mut rest = value.trim();
    let mut negated = false;
    if let Some(r) = rest.strip_prefix('!') {
        negated = true;
        rest = r.trim_start();
    }
    let open = super::value::offset_in(value, rest);
    // Suricata takes the expression with or without the double quotes
    // (suricata-verify UriTestSig06: `pcre:/(oneself)+/U;`).
    let (inner, tail) = match rest.strip_prefix('"') {
        Some(inner_and_more) => {
            // The closing quote is the last one (Suricata tolerates
            // unescaped quotes inside the expression); Snort 3 modifiers
            // may follow it.
            let Some(close_rel) = inner_and_more.rfind('"') else {
                return Err(ValueError {
                    at: open,
                    reason: "unterminated double quote".into(),
                });
            };
            (
                &inner_and_more[..close_rel],
                inner_and_more[close_rel + 1..].trim(),
            )
        }
        None => (rest, ""),
    };
    let mut relative = false;
    if !tail.is_empty() {
        let Some(list) = tail.strip_prefix(',') else {
            return Err(ValueError::at(
                value,
                tail,
                "unexpected text after the closing quote",
            ));
        };
        for item in list.split(',').map(str::trim) {
            match item {
                "relative" => relative = true,
                _ => {
                    return Err(ValueError::at(
                        value,
                        item,
                        format!("unknown pcre modifier '{item}'"),
                    ))
                }
            }
        }
    }
    // Split off capture targets (`, flow:x`, `, pkt:x`, `, alert:x`).
    let (expr, captures) = split_captures(inner);
    let slash = first_unescaped_slash(expr)
        .ok_or_else(|| ValueError::at(value, expr, "the expression must start with '/'"))?;
    if !expr[..slash].trim().is_empty() {
        return Err(ValueError::at(
            value,
            expr,
            "unexpected text before the opening '/'",
        ));
    }
    let body = &expr[slash + 1..];
    let end = last_closing_slash(body)
        .ok_or_else(|| ValueError::at(value, expr, "the expression has no closing '/'"))?;
    let pattern = &body[..end];
    let flag_text = &body[end + 1..];
    let mut flags = PcreFlags::default();
    let mut buffer = None;
    for (i, c) in flag_text.char_indices() {
        let at = super::value::offset_in(value, flag_text) + i;
        let err = |reason: String| ValueError { at, reason };
        match c {
            'i' => flags.caseless = true,
            'm' => flags.multiline = true,
            's' => flags.dotall = true,
            'x' => flags.extended = true,
            'A' => flags.anchored = true,
            'E' => flags.dollar_endonly = true,
            'G' => flags.ungreedy = true,
            'O' => flags.match_limit = true,
            'R' => relative = true,
            'B' => {
                if buffer.is_some() {
                    return Err(err("'B' cannot go with a buffer flag".into()));
                }
                flags.rawbytes = true
            }
            _ => match Buffer::from_pcre_flag(c) {
                Some(b) => {
                    if buffer.is_some() {
                        return Err(err("only one buffer flag is allowed".into()));
                    }
                    if flags.rawbytes {
                        return Err(err(format!("'{c}' cannot go with 'B'")));
                    }
                    buffer = Some(b);
                }
                None => return Err(err(format!("unknown pcre flag '{c}'"))),
            },
        }
    }
    Ok((
        Pcre {
            negated,
            pattern: pattern.to_string(),
            flags,
            relative,
            captures: captures.map(str::to_string),
        },
        buffer,
    ))
}

/// Splits `"/re/flags, flow:a, pkt:b"` into the expression and the capture
/// list, as Suricata does (only when separated by `,` or blanks).
fn split_captures(inner: &str) -> (&str, Option<&str>) {
    let cut = ["flow:", "pkt:", "alert:"]
        .iter()
        .filter_map(|k| inner.find(k))
        .min();
    if let Some(cut) = cut {
        let before = inner[..cut].trim_end_matches([',', ' ']);
        if before.len() < cut && before.rfind('/').is_some_and(|s| s > 0) {
            // Only if the separator follows the closing slash's flags.
            let after_slash = &before[before.rfind('/').unwrap_or(0) + 1..];
            if after_slash.chars().all(|c| c.is_ascii_alphabetic()) {
                return (before, Some(inner[cut..].trim()));
            }
        }
    }
    (inner, None)
}

fn is_escaped(s: &[u8], i: usize) -> bool {
    // Count the backslashes right before i.
    let mut n = 0;
    let mut j = i;
    while j > 0 && s.get(j - 1) == Some(&b'\\') {
        n += 1;
        j -= 1;
    }
    n % 2 == 1
}

fn first_unescaped_slash(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    (0..b.len()).find(|&i| b.get(i) == Some(&b'/') && !is_escaped(b, i))
}

fn last_closing_slash(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    (0..b.len())
        .rev()
        .find(|&i| b.get(i) == Some(&b'/') && !is_escaped(b, i))
}

/// Displays the value part of a pcre (`!"/re/flags"`); `buffer_flag` is
/// not printed: the rule prints the pcre inside its buffer's list.
impl fmt::Display for Pcre {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negated {
            f.write_str("!")?;
        }
        write!(f, "\"/{}/", self.pattern)?;
        let fl = &self.flags;
        for (on, c) in [
            (fl.caseless, 'i'),
            (fl.multiline, 'm'),
            (fl.dotall, 's'),
            (fl.extended, 'x'),
            (fl.anchored, 'A'),
            (fl.dollar_endonly, 'E'),
            (fl.ungreedy, 'G'),
            (fl.match_limit, 'O'),
            (fl.rawbytes, 'B'),
            (self.relative, 'R'),
        ] {
            if on {
                write!(f, "{c}")?;
            }
        }
        if let Some(c) = &self.captures {
            write!(f, ", {c}")?;
        }
        f.write_str("\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_and_buffers() {
        let (p, b) = parse_pcre(r#""/^GET\s/Ui""#).unwrap();
        assert_eq!(p.pattern, r"^GET\s");
        assert!(p.flags.caseless && !p.relative);
        assert_eq!(b, Some(Buffer::HttpUri));
        let (p, b) = parse_pcre(r#"!"/a\/b/smR""#).unwrap();
        assert!(p.negated && p.relative && p.flags.dotall && p.flags.multiline);
        assert_eq!(p.pattern, r"a\/b");
        assert_eq!(b, None);
    }

    #[test]
    fn unescaped_quote_inside_is_kept() {
        let (p, _) = parse_pcre(r#""/^["']?post/Ri""#).unwrap();
        assert_eq!(p.pattern, r#"^["']?post"#);
    }

    #[test]
    fn snort3_relative() {
        let (p, _) = parse_pcre(r#""/a/i",relative"#).unwrap();
        assert!(p.relative && p.flags.caseless);
        assert!(parse_pcre(r#""/a/i",bogus"#).is_err());
    }

    #[test]
    fn captures() {
        let (p, _) = parse_pcre(r#""/(a+)/i, flow:myvar""#).unwrap();
        assert_eq!(p.pattern, "(a+)");
        assert_eq!(p.captures.as_deref(), Some("flow:myvar"));
        assert_eq!(p.to_string(), r#""/(a+)/i, flow:myvar""#);
    }

    #[test]
    fn shape_errors() {
        let e = parse_pcre(r#""/abc/iq""#).unwrap_err();
        assert_eq!(e.at, 7);
        assert!(e.reason.contains("'q'"));
        assert!(parse_pcre(r#""abc""#).unwrap_err().reason.contains("'/'"));
        assert!(parse_pcre(r#""/abc""#)
            .unwrap_err()
            .reason
            .contains("closing"));
        assert!(parse_pcre(r#""/a/UH""#)
            .unwrap_err()
            .reason
            .contains("one buffer"));
        // Unquoted is accepted, as Suricata does.
        let (p, b) = parse_pcre("/(oneself)+/U").unwrap();
        assert_eq!(p.pattern, "(oneself)+");
        assert_eq!(b, Some(Buffer::HttpUri));
        assert!(parse_pcre("abc").unwrap_err().reason.contains("'/'"));
        assert!(parse_pcre(r#""/a/"#).is_err());
    }

    #[test]
    fn display_parses_back() {
        for s in [r#""/a/imsxAEGOBR""#, r#"!"/x\;y/""#] {
            let (p, _) = parse_pcre(s).unwrap();
            assert_eq!(p.to_string(), s);
        }
    }
}
