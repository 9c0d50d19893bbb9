//! Small pieces every keyword parser uses: value errors with an offset,
//! quote stripping, comma lists, numbers, integer comparisons
//! ([`IntMatch`]) and "number or byte variable" operands ([`Operand`]).

use std::fmt;

/// A bad keyword value: why, and where in the value text (byte offset).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ValueError {
    /// Byte offset into the value text.
    pub at: usize,
    /// Why the value is bad.
    pub reason: String,
}

impl ValueError {
    /// An error at the start of the value.
    pub fn new(reason: impl Into<String>) -> ValueError {
        ValueError {
            at: 0,
            reason: reason.into(),
        }
    }

    /// An error at `part`, a subslice of `whole`.
    pub fn at(whole: &str, part: &str, reason: impl Into<String>) -> ValueError {
        ValueError {
            at: offset_in(whole, part),
            reason: reason.into(),
        }
    }
}

/// Byte offset of `part` within `whole` (0 when `part` is not a subslice).
pub(crate) fn offset_in(whole: &str, part: &str) -> usize {
    let w = whole.as_ptr() as usize;
    let p = part.as_ptr() as usize;
    if p >= w && p <= w + whole.len() {
        p - w
    } else {
        0
    }
}

/// Result of a keyword value parser.
pub(crate) type VResult<T> = Result<T, ValueError>;

/// Strips one pair of surrounding double quotes, as Suricata does for
/// keywords that allow quotes; a value that opens a quote must close it.
pub(crate) fn unquote(value: &str) -> VResult<&str> {
    let v = value.trim();
    if let Some(rest) = v.strip_prefix('"') {
        match rest.strip_suffix('"') {
            Some(inner) => Ok(inner),
            _ if rest.contains('"') => Err(ValueError::new(
                "text after the closing quote (a missing ';'?)",
            )),
            _ => Err(ValueError::new("unterminated double quote")),
        }
    } else {
        Ok(v)
    }
}

/// Requires surrounding double quotes and returns the inside.
pub(crate) fn quoted(value: &str) -> VResult<&str> {
    let v = value.trim();
    if !v.starts_with('"') {
        return Err(ValueError::new("value must be in double quotes"));
    }
    unquote(v)
}

/// Splits on commas, trimming blanks; empty items are kept (callers that
/// care reject them).
pub(crate) fn commas(value: &str) -> impl Iterator<Item = &str> {
    value.split(',').map(str::trim)
}

/// Splits `word rest` at the first blank.
pub(crate) fn split_word(s: &str) -> (&str, &str) {
    let s = s.trim();
    // Blanks are ASCII, so a byte search finds a char boundary.
    match s.bytes().position(|b| b == b' ' || b == b'\t') {
        Some(i) => (&s[..i], s[i..].trim()),
        None => (s, ""),
    }
}

/// Parses an unsigned number: decimal or `0x` hex.
pub(crate) fn parse_u64(s: &str) -> Option<u64> {
    let s = s.trim();
    if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        u64::from_str_radix(hex, 16).ok()
    } else if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

/// Parses a signed decimal number.
pub(crate) fn parse_i64(s: &str) -> Option<i64> {
    let s = s.trim();
    let digits = s.strip_prefix('-').unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parses an unsigned number no larger than `max`, naming `what` in errors.
pub(crate) fn number(s: &str, max: u64, what: &str) -> VResult<u64> {
    match parse_u64(s) {
        Some(n) if n <= max => Ok(n),
        Some(n) => Err(ValueError::new(format!("{what} {n} is larger than {max}"))),
        None => Err(ValueError::new(format!(
            "{what}: '{}' is not a number",
            s.trim()
        ))),
    }
}

/// Whether `s` is a byte-variable name (starts with a letter or `_`).
pub(crate) fn is_var_name(s: &str) -> bool {
    let mut b = s.bytes();
    matches!(b.next(), Some(c) if c.is_ascii_alphabetic() || c == b'_')
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || c == b'-')
}

/// A number, or the name of a variable set by `byte_extract`/`byte_math`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Operand<T> {
    /// A literal value.
    Num(T),
    /// A byte variable.
    Var(String),
}

impl<T: fmt::Display> fmt::Display for Operand<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Num(n) => write!(f, "{n}"),
            Operand::Var(v) => f.write_str(v),
        }
    }
}

impl<T> Operand<T> {
    /// The variable name, if this is one.
    pub fn var(&self) -> Option<&str> {
        match self {
            Operand::Var(v) => Some(v),
            Operand::Num(_) => None,
        }
    }
}

/// Parses a signed operand in `min..=max`, or a variable name.
pub(crate) fn operand_i64(s: &str, min: i64, max: i64, what: &str) -> VResult<Operand<i64>> {
    let s = s.trim();
    if is_var_name(s) {
        return Ok(Operand::Var(s.to_string()));
    }
    let n = if let Some(u) = parse_u64(s) {
        i64::try_from(u).ok()
    } else {
        parse_i64(s)
    };
    match n {
        Some(n) if (min..=max).contains(&n) => Ok(Operand::Num(n)),
        Some(n) => Err(ValueError::new(format!(
            "{what} {n} is outside {min}..={max}"
        ))),
        None => Err(ValueError::new(format!("{what}: '{s}' is not a number"))),
    }
}

/// An integer comparison, as Suricata's integer keywords take it
/// (`dsize`, `bsize`, `ttl`, `itype`, `urilen`, ...).
///
/// Ranges are exclusive, as in Suricata: `1-4` (or Snort's `1<>4`) matches
/// 2 and 3. Snort 3's `1<=>4` is inclusive and kept as its own variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IntMatch {
    /// `N` or `=N`.
    Eq(u64),
    /// `!N` or `!=N`.
    Ne(u64),
    /// `<N`.
    Lt(u64),
    /// `<=N`.
    Le(u64),
    /// `>N`.
    Gt(u64),
    /// `>=N`.
    Ge(u64),
    /// `lo-hi` or `lo<>hi`: strictly between.
    Range(u64, u64),
    /// `!lo-hi`: at or below `lo`, or at or above `hi`.
    NotRange(u64, u64),
    /// `lo<=>hi` (Snort 3): between, both ends included.
    RangeInclusive(u64, u64),
    /// `&mask=value` / `&mask!=value`.
    Mask {
        /// Bits to keep.
        mask: u64,
        /// Value the masked bits are compared with.
        value: u64,
        /// `!=` instead of `=`.
        negated: bool,
    },
}

impl IntMatch {
    /// Whether `v` satisfies the comparison.
    pub fn matches(&self, v: u64) -> bool {
        match *self {
            IntMatch::Eq(n) => v == n,
            IntMatch::Ne(n) => v != n,
            IntMatch::Lt(n) => v < n,
            IntMatch::Le(n) => v <= n,
            IntMatch::Gt(n) => v > n,
            IntMatch::Ge(n) => v >= n,
            IntMatch::Range(lo, hi) => v > lo && v < hi,
            IntMatch::NotRange(lo, hi) => v <= lo || v >= hi,
            IntMatch::RangeInclusive(lo, hi) => v >= lo && v <= hi,
            IntMatch::Mask {
                mask,
                value,
                negated,
            } => ((v & mask) == value) != negated,
        }
    }

    /// The largest value the comparison can accept (for "can this ever
    /// match" checks); `None` when unbounded.
    pub fn max_accepted(&self) -> Option<u64> {
        match *self {
            IntMatch::Eq(n) | IntMatch::Le(n) => Some(n),
            IntMatch::Lt(n) => Some(n.saturating_sub(1)),
            IntMatch::Range(_, hi) => Some(hi.saturating_sub(1)),
            IntMatch::RangeInclusive(_, hi) => Some(hi),
            _ => None,
        }
    }
}

/// Parses one value with an optional `kb`/`mb`/`gb` unit.
fn int_with_unit(s: &str, max: u64) -> VResult<u64> {
    let s = s.trim();
    let lower = s.to_ascii_lowercase();
    let (digits, mult) = [
        ("kib", 1u64 << 10),
        ("kb", 1 << 10),
        ("mib", 1 << 20),
        ("mb", 1 << 20),
        ("gib", 1 << 30),
        ("gb", 1 << 30),
    ]
    .iter()
    .find_map(|(suffix, m)| lower.strip_suffix(suffix).map(|d| (d.trim(), *m)))
    .unwrap_or((lower.as_str(), 1));
    let n = parse_u64(digits)
        .and_then(|n| n.checked_mul(mult))
        .ok_or_else(|| ValueError::new(format!("'{s}' is not a number")))?;
    if n > max {
        return Err(ValueError::new(format!("{n} is larger than {max}")));
    }
    Ok(n)
}

/// Parses an [`IntMatch`] whose values must be at most `max`.
pub(crate) fn int_match(value: &str, max: u64) -> VResult<IntMatch> {
    let v = value.trim();
    if v.is_empty() {
        return Err(ValueError::new("expected a number or a comparison"));
    }
    if let Some(rest) = v.strip_prefix('&') {
        let (mask, cmp, val) = if let Some((m, val)) = rest.split_once("!=") {
            (m, true, val)
        } else if let Some((m, val)) = rest.split_once('=') {
            (m, false, val)
        } else {
            return Err(ValueError::new("a bitmask needs '=' or '!=' and a value"));
        };
        return Ok(IntMatch::Mask {
            mask: int_with_unit(mask, max)?,
            value: int_with_unit(val, max)?,
            negated: cmp,
        });
    }
    for (sep, inclusive) in [("<=>", true), ("<>", false)] {
        if let Some((a, b)) = v.split_once(sep) {
            let lo = int_with_unit(a, max)?;
            let hi = int_with_unit(b, max)?;
            if lo >= hi {
                return Err(ValueError::new(format!("range {lo}..{hi} is empty")));
            }
            return Ok(if inclusive {
                IntMatch::RangeInclusive(lo, hi)
            } else {
                IntMatch::Range(lo, hi)
            });
        }
    }
    type Make = fn(u64) -> IntMatch;
    let ops: [(&str, Make); 8] = [
        ("<=", IntMatch::Le),
        (">=", IntMatch::Ge),
        ("!=", IntMatch::Ne),
        ("<", IntMatch::Lt),
        (">", IntMatch::Gt),
        ("!", IntMatch::Ne),
        ("=", IntMatch::Eq),
        ("", IntMatch::Eq),
    ];
    for (op, make) in ops {
        let Some(rest) = v.strip_prefix(op) else {
            continue;
        };
        let rest = rest.trim();
        // `a-b` and `!a-b` ranges (a leading '-' is never valid here).
        if op.is_empty() || op == "!" {
            if let Some((a, b)) = rest.split_once('-') {
                let lo = int_with_unit(a, max)?;
                let hi = int_with_unit(b, max)?;
                if lo >= hi {
                    return Err(ValueError::new(format!("range {lo}..{hi} is empty")));
                }
                return Ok(if op == "!" {
                    IntMatch::NotRange(lo, hi)
                } else {
                    IntMatch::Range(lo, hi)
                });
            }
        }
        return Ok(make(int_with_unit(rest, max)?));
    }
    Err(ValueError::new("expected a number or a comparison"))
}

impl fmt::Display for IntMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            IntMatch::Eq(n) => write!(f, "{n}"),
            IntMatch::Ne(n) => write!(f, "!{n}"),
            IntMatch::Lt(n) => write!(f, "<{n}"),
            IntMatch::Le(n) => write!(f, "<={n}"),
            IntMatch::Gt(n) => write!(f, ">{n}"),
            IntMatch::Ge(n) => write!(f, ">={n}"),
            IntMatch::Range(a, b) => write!(f, "{a}-{b}"),
            IntMatch::NotRange(a, b) => write!(f, "!{a}-{b}"),
            IntMatch::RangeInclusive(a, b) => write!(f, "{a}<=>{b}"),
            IntMatch::Mask {
                mask,
                value,
                negated,
            } => {
                let op = if negated { "!=" } else { "=" };
                write!(f, "&{mask}{op}{value}")
            }
        }
    }
}

/// Writes `s` as a quoted string, escaping `"`, `;` and `\` so that the
/// option splitter and the unescaper give `s` back.
pub(crate) fn write_quoted(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    f.write_str("\"")?;
    write_escaped(f, s)?;
    f.write_str("\"")
}

/// Writes `s` escaping `"`, `;` and `\`.
pub(crate) fn write_escaped(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    let mut last = 0;
    for (i, c) in s.char_indices() {
        if matches!(c, '"' | ';' | '\\') {
            f.write_str(&s[last..i])?;
            write!(f, "\\{c}")?;
            last = i + c.len_utf8();
        }
    }
    f.write_str(&s[last..])
}

/// Removes backslash escapes (`\x` becomes `x`), as Suricata's `msg` does.
pub(crate) fn unescape(s: &str) -> String {
    if !s.contains('\\') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_match_forms() {
        assert_eq!(int_match("5", 255).unwrap(), IntMatch::Eq(5));
        assert_eq!(int_match("=0x13", 255).unwrap(), IntMatch::Eq(19));
        assert_eq!(int_match("!20", 255).unwrap(), IntMatch::Ne(20));
        assert_eq!(int_match("!=20", 255).unwrap(), IntMatch::Ne(20));
        assert_eq!(int_match(" >10", 255).unwrap(), IntMatch::Gt(10));
        assert_eq!(int_match("> 10", 255).unwrap(), IntMatch::Gt(10));
        assert_eq!(int_match("<=22", 255).unwrap(), IntMatch::Le(22));
        assert_eq!(int_match(">=21", 255).unwrap(), IntMatch::Ge(21));
        assert_eq!(int_match("19-22", 255).unwrap(), IntMatch::Range(19, 22));
        assert_eq!(
            int_match("300<>400", 65535).unwrap(),
            IntMatch::Range(300, 400)
        );
        assert_eq!(
            int_match("!19-22", 255).unwrap(),
            IntMatch::NotRange(19, 22)
        );
        assert_eq!(
            int_match("139<=>200", 65535).unwrap(),
            IntMatch::RangeInclusive(139, 200)
        );
        assert_eq!(
            int_match("&0xc0=0x80", 255).unwrap(),
            IntMatch::Mask {
                mask: 0xc0,
                value: 0x80,
                negated: false
            }
        );
        assert_eq!(int_match("2kb", 1 << 20).unwrap(), IntMatch::Eq(2048));
    }

    #[test]
    fn int_match_errors() {
        assert!(int_match("256", 255).unwrap_err().reason.contains("larger"));
        assert!(int_match("abc", 255).is_err());
        assert!(int_match("5-2", 255).unwrap_err().reason.contains("empty"));
        assert!(int_match("", 255).is_err());
        assert!(int_match("&0xc0", 255).is_err());
    }

    #[test]
    fn int_match_semantics() {
        assert!(IntMatch::Range(1, 4).matches(2));
        assert!(!IntMatch::Range(1, 4).matches(4));
        assert!(IntMatch::NotRange(1, 4).matches(4));
        assert!(IntMatch::RangeInclusive(1, 4).matches(4));
        assert!(IntMatch::Mask {
            mask: 0xc0,
            value: 0x80,
            negated: false
        }
        .matches(0x8f));
    }

    #[test]
    fn display_parses_back() {
        for s in [
            "5", "!5", "<5", "<=5", ">5", ">=5", "1-5", "!1-5", "1<=>5", "&192=128", "&3!=0",
        ] {
            assert_eq!(int_match(s, 1000).unwrap().to_string(), s);
        }
    }

    #[test]
    fn quoting_helpers() {
        assert_eq!(unquote(r#" "abc" "#).unwrap(), "abc");
        assert_eq!(unquote("abc").unwrap(), "abc");
        assert!(unquote(r#""abc"#).is_err());
        assert!(quoted("abc").is_err());
        assert_eq!(unescape(r#"a\"b\;c\\d"#), r#"a"b;c\d"#);
        assert!(is_var_name("len") && is_var_name("_x1") && !is_var_name("1x"));
        assert_eq!(split_word(" uuid  abc "), ("uuid", "abc"));
    }

    #[test]
    fn operands() {
        assert_eq!(
            operand_i64("-5", -10, 10, "distance").unwrap(),
            Operand::Num(-5)
        );
        assert_eq!(
            operand_i64("len", -10, 10, "distance").unwrap(),
            Operand::Var("len".into())
        );
        assert!(operand_i64("20", -10, 10, "distance").is_err());
        assert!(operand_i64("2x", -10, 10, "distance").is_err());
    }
}
