//! Translation of PCRE pattern text (as written in a rule, non-UTF mode)
//! into the syntax of the `regex` crate, or of `fancy-regex` when the
//! pattern needs backtracking.
//!
//! The output means the same as the PCRE pattern over *bytes*: every
//! literal byte is written as `\xNN` (which `regex::bytes` without Unicode
//! reads as the byte, and `fancy-regex` as the char U+00NN of a Latin-1
//! view of the haystack), `\d \w \s \h \v` are spelled as their ASCII/byte
//! sets, and `x` (extended) is applied here, because the `regex` crate
//! ignores blanks inside classes where PCRE keeps them.
//!
//! `$` without `m` matches at the end or before a final `\n` in PCRE
//! (Suricata does not set `DOLLAR_ENDONLY`). The backtracker gets
//! `(?=\n?\z)`. For `regex`, a `$` that ends the whole pattern becomes
//! `()\n?\z`: the empty group records where PCRE's match ends; any other
//! such `$` routes the pattern to the backtracker.
//!
//! For the backtracker every class, `.`, `\N` and negated escape is
//! written as a positive class bounded to U+0000-U+00FF (see
//! [`super::byteset`]): the same language over the Latin-1 view, without
//! the huge UTF-8 automata of Unicode-wide negated classes.
//!
//! Not handled (an error): recursion, branch reset, callouts, `(*VERB)`s,
//! `\p` properties, relative back references, code points above 0xFF.

use std::fmt::Write;

use super::byteset::{posix, ByteSet};

/// Which engine the output is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// `regex::bytes`, Unicode off.
    Regex,
    /// `fancy-regex` over a Latin-1 view of the bytes.
    Fancy,
}

/// A translated pattern.
#[derive(Debug)]
pub(crate) struct Translated {
    /// Pattern text for the target engine.
    pub text: String,
    /// Why the pattern needs the backtracker (`None`: `regex` can run it).
    pub needs_backtracker: Option<&'static str>,
    /// The pattern ends in a PCRE `$` rendered as `()\n?\z` (Regex target):
    /// the last capture group marks the true match end.
    pub trailing_dollar: bool,
}

/// Compile-time options the translation depends on.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Opts {
    pub caseless: bool,
    pub multiline: bool,
    pub dotall: bool,
    pub extended: bool,
    pub anchored: bool,
    pub dollar_endonly: bool,
    pub ungreedy: bool,
}

#[derive(Clone, Copy)]
struct Flags {
    m: bool,
    x: bool,
    /// Caseless (`i`), for the byte sets of the backtracking target.
    i: bool,
    /// Dot-all (`s`), for `.` on the backtracking target.
    s: bool,
}

struct Tr<'a> {
    p: &'a [u8],
    i: usize,
    out: String,
    target: Target,
    fancy: Option<&'static str>,
    flags: Flags,
    stack: Vec<Flags>,
    top_alt: bool,
    /// Capture groups opened so far.
    groups: u32,
    trailing_dollar: bool,
    /// A `$` rendered with the end marker somewhere not at the end.
    dollar_inside: bool,
    opts: Opts,
}

/// A backslash set (`\d`, `\w`, ...): its class text and its bytes.
#[derive(Clone, Copy)]
struct Esc {
    text: &'static str,
    bytes: &'static [(u8, u8)],
}

const DIGIT: Esc = Esc {
    text: r"0-9",
    bytes: &[(b'0', b'9')],
};
const WORD: Esc = Esc {
    text: r"0-9A-Za-z_",
    bytes: &[(b'0', b'9'), (b'A', b'Z'), (b'a', b'z'), (b'_', b'_')],
};
const SPACE: Esc = Esc {
    text: r"\x09\x0A\x0B\x0C\x0D\x20",
    bytes: &[(0x09, 0x0D), (0x20, 0x20)],
};
const HSPACE: Esc = Esc {
    text: r"\x09\x20\xA0",
    bytes: &[(0x09, 0x09), (0x20, 0x20), (0xA0, 0xA0)],
};
const VSPACE: Esc = Esc {
    text: r"\x0A\x0B\x0C\x0D\x85",
    bytes: &[(0x0A, 0x0D), (0x85, 0x85)],
};

/// Translates `pattern` for `target`.
pub(crate) fn translate(pattern: &str, opts: Opts, target: Target) -> Result<Translated, String> {
    let mut t = Tr {
        p: pattern.as_bytes(),
        i: 0,
        out: String::with_capacity(pattern.len() * 2 + 16),
        target,
        fancy: None,
        flags: Flags {
            m: opts.multiline,
            x: opts.extended,
            i: opts.caseless,
            s: opts.dotall,
        },
        stack: Vec::new(),
        top_alt: false,
        groups: 0,
        trailing_dollar: false,
        dollar_inside: false,
        opts,
    };
    let mut prefix = String::new();
    if opts.caseless {
        prefix.push_str("(?i)");
    }
    if opts.dotall {
        prefix.push_str("(?s)");
    }
    if opts.multiline {
        prefix.push_str("(?m)");
    }
    if opts.ungreedy {
        prefix.push_str("(?U)");
    }
    t.out.push_str(&prefix);
    if opts.anchored {
        t.out.push_str(r"\A");
    }
    t.out.push_str("(?:");
    t.body()?;
    if !t.stack.is_empty() {
        return Err("missing ')'".into());
    }
    t.out.push(')');
    if t.trailing_dollar && (t.top_alt || t.dollar_inside) {
        t.fancy.get_or_insert("'$' before the end of the pattern");
    }
    Ok(Translated {
        text: t.out,
        needs_backtracker: t.fancy,
        trailing_dollar: t.trailing_dollar && t.fancy.is_none(),
    })
}

impl Tr<'_> {
    fn peek(&self) -> Option<u8> {
        self.p.get(self.i).copied()
    }

    fn peek_at(&self, k: usize) -> Option<u8> {
        self.p.get(self.i + k).copied()
    }

    fn need(&mut self, why: &'static str) {
        self.fancy.get_or_insert(why);
    }

    fn byte(&mut self, b: u8) {
        let _ = write!(self.out, "\\x{b:02X}");
    }

    /// Skips blanks and `#` comments in extended mode.
    fn skip_extended(&mut self) {
        while self.flags.x {
            match self.peek() {
                Some(b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) => self.i += 1,
                Some(b'#') => {
                    while let Some(c) = self.peek() {
                        self.i += 1;
                        if c == b'\n' {
                            break;
                        }
                    }
                }
                _ => break,
            }
        }
    }

    /// Whether only blanks/comments (in x mode) remain.
    fn at_end(&mut self) -> bool {
        self.skip_extended();
        self.i >= self.p.len()
    }

    fn body(&mut self) -> Result<(), String> {
        loop {
            self.skip_extended();
            let Some(c) = self.peek() else {
                return Ok(());
            };
            self.i += 1;
            match c {
                b'\\' => self.escape()?,
                b'[' => self.class()?,
                b'(' => self.group()?,
                b')' => {
                    self.flags = self.stack.pop().ok_or("unmatched ')'")?;
                    self.out.push(')');
                }
                b'|' => {
                    if self.stack.is_empty() {
                        self.top_alt = true;
                    }
                    self.out.push('|');
                }
                b'.' => self.dot(self.flags.s, "."),
                b'^' => self.out.push('^'),
                b'$' => self.dollar(),
                b'*' | b'+' | b'?' => {
                    self.out.push(c as char);
                    self.after_quantifier();
                }
                b'{' => match self.counted() {
                    Some(q) => {
                        self.out.push_str(&q);
                        self.after_quantifier();
                    }
                    None => self.byte(b'{'),
                },
                _ if c.is_ascii_alphanumeric() || c == b'_' => self.out.push(c as char),
                _ => self.byte(c),
            }
        }
    }

    /// After a quantifier: a lazy `?` or a possessive `+`.
    fn after_quantifier(&mut self) {
        match self.peek() {
            Some(b'?') => {
                self.i += 1;
                self.out.push('?');
            }
            Some(b'+') => {
                self.i += 1;
                self.need("possessive quantifier");
                self.out.push('+');
            }
            _ => {}
        }
    }

    /// A `{n}`, `{n,}` or `{n,m}` quantifier at `self.i` (after `{`);
    /// anything else is a literal `{` in PCRE.
    fn counted(&mut self) -> Option<String> {
        let rest = &self.p[self.i..];
        let close = rest.iter().position(|&b| b == b'}')?;
        let inner = std::str::from_utf8(&rest[..close]).ok()?;
        let (lo, hi) = match inner.split_once(',') {
            Some((lo, hi)) => (lo, Some(hi)),
            None => (inner, None),
        };
        if lo.is_empty() || !lo.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if let Some(hi) = hi {
            if !hi.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
        }
        self.i += close + 1;
        Some(format!("{{{inner}}}"))
    }

    fn dollar(&mut self) {
        if self.flags.m {
            self.out.push('$');
        } else if self.opts.dollar_endonly {
            self.out.push_str(r"\z");
        } else {
            self.pcre_end();
        }
    }

    /// PCRE's "end, or before a final newline" (`$` without m, `\Z`).
    fn pcre_end(&mut self) {
        match self.target {
            Target::Fancy => self.out.push_str(r"(?=\n?\z)"),
            Target::Regex => {
                if self.stack.is_empty() && !self.trailing_dollar && self.at_end() {
                    self.trailing_dollar = true;
                    self.out.push_str(r"()\n?\z");
                } else {
                    self.dollar_inside = true;
                    self.need("'$' before the end of the pattern");
                    self.out.push_str(r"(?=\n?\z)");
                }
            }
        }
    }

    /// Decimal or hex digits from `self.i`, at most `max` of them.
    fn digits(&mut self, radix: u32, max: usize) -> Option<u32> {
        let mut n: Option<u32> = None;
        for _ in 0..max {
            let Some(d) = self.peek().and_then(|c| (c as char).to_digit(radix)) else {
                break;
            };
            self.i += 1;
            n = Some(n.unwrap_or(0).saturating_mul(radix).saturating_add(d));
        }
        n
    }

    /// A byte-valued escape shared by classes and the body; `None` when
    /// `c` is not one.
    fn byte_escape(&mut self, c: u8) -> Result<Option<u8>, String> {
        Ok(Some(match c {
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'f' => 0x0c,
            b'e' => 0x1b,
            b'a' => 0x07,
            b'0' => self.digits(8, 2).unwrap_or(0) as u8,
            b'o' if self.peek() == Some(b'{') => {
                self.i += 1;
                let n = self.digits(8, 8).ok_or("bad \\o{}")?;
                if self.peek() != Some(b'}') {
                    return Err("bad \\o{}".into());
                }
                self.i += 1;
                u8::try_from(n).map_err(|_| "code point above 0xFF")?
            }
            b'x' => {
                if self.peek() == Some(b'{') {
                    self.i += 1;
                    let n = self.digits(16, 8).unwrap_or(0);
                    if self.peek() != Some(b'}') {
                        return Err("bad \\x{}".into());
                    }
                    self.i += 1;
                    u8::try_from(n).map_err(|_| "code point above 0xFF")?
                } else {
                    self.digits(16, 2).unwrap_or(0) as u8
                }
            }
            b'c' => {
                let x = self.peek().ok_or("\\c at the end")?;
                self.i += 1;
                x.to_ascii_uppercase() ^ 0x40
            }
            _ if !c.is_ascii_alphanumeric() => c,
            _ => return Ok(None),
        }))
    }

    fn escape(&mut self) -> Result<(), String> {
        let c = self.peek().ok_or("'\\' at the end of the pattern")?;
        self.i += 1;
        match c {
            b'd' => self.set(DIGIT, false),
            b'D' => self.set(DIGIT, true),
            b'w' => self.set(WORD, false),
            b'W' => self.set(WORD, true),
            b's' => self.set(SPACE, false),
            b'S' => self.set(SPACE, true),
            b'h' => self.set(HSPACE, false),
            b'H' => self.set(HSPACE, true),
            b'v' => self.set(VSPACE, false),
            b'V' => self.set(VSPACE, true),
            b'N' => self.dot(false, r"[^\n]"),
            b'R' => self.out.push_str(r"(?:\x0D\x0A|[\x0A\x0B\x0C\x0D\x85])"),
            b'b' => self.out.push_str(r"\b"),
            b'B' => self.out.push_str(r"\B"),
            b'A' => self.out.push_str(r"\A"),
            b'z' => self.out.push_str(r"\z"),
            b'Z' => self.pcre_end(),
            b'G' => {
                self.need("\\G");
                self.out.push_str(r"\G");
            }
            b'K' => {
                self.need("\\K");
                self.out.push_str(r"\K");
            }
            b'Q' => {
                while self.i < self.p.len() {
                    if self.p[self.i] == b'\\' && self.peek_at(1) == Some(b'E') {
                        self.i += 2;
                        break;
                    }
                    let b = self.p[self.i];
                    self.i += 1;
                    self.byte(b);
                }
            }
            b'E' => {}
            b'1'..=b'9' => {
                // PCRE: a back reference when below 10 or when that many
                // groups were opened before; otherwise up to 3 octal digits.
                self.i -= 1;
                let start = self.i;
                let n = self.digits(10, 3).unwrap_or(0);
                if n < 10 || n <= self.groups {
                    self.need("back reference");
                    let _ = write!(self.out, "\\{n}");
                } else {
                    self.i = start;
                    match self.digits(8, 3) {
                        Some(v) => self.byte(v as u8),
                        None => {
                            // `\8`, `\9` followed by more digits: literal.
                            let b = self.p[self.i];
                            self.i += 1;
                            self.byte(b);
                        }
                    }
                }
            }
            b'g' => {
                let braced = self.peek() == Some(b'{');
                if braced {
                    self.i += 1;
                }
                let n = self.digits(10, 3).ok_or("relative or named \\g")?;
                if braced {
                    if self.peek() != Some(b'}') {
                        return Err("bad \\g{}".into());
                    }
                    self.i += 1;
                }
                self.need("back reference");
                let _ = write!(self.out, "\\{n}");
            }
            b'k' => {
                let close = match self.peek() {
                    Some(b'<') => b'>',
                    Some(b'{') => b'}',
                    Some(b'\'') => b'\'',
                    _ => return Err("bad \\k".into()),
                };
                self.i += 1;
                let start = self.i;
                while self.peek().is_some_and(|b| b != close) {
                    self.i += 1;
                }
                let name =
                    std::str::from_utf8(&self.p[start..self.i]).map_err(|e| e.to_string())?;
                self.i += 1;
                self.need("back reference");
                let _ = write!(self.out, "\\k<{name}>");
            }
            _ => match self.byte_escape(c)? {
                Some(b) => self.byte(b),
                None => return Err(format!("unsupported escape '\\{}'", c as char)),
            },
        }
        Ok(())
    }

    fn set(&mut self, members: Esc, negated: bool) {
        match self.target {
            Target::Regex => {
                let _ = write!(
                    self.out,
                    "[{}{}]",
                    if negated { "^" } else { "" },
                    members.text
                );
            }
            Target::Fancy => {
                let set = self.item_set(ByteSet::of(members.bytes), negated);
                self.bounded_class(set);
            }
        }
    }

    /// `.` (any byte, or any but `\n`: `dotall`) or `\N` (`dotall`
    /// false); `regex_text` is what the `regex` target gets.
    fn dot(&mut self, dotall: bool, regex_text: &str) {
        match self.target {
            Target::Regex => self.out.push_str(regex_text),
            Target::Fancy => {
                let mut set = ByteSet::ALL;
                if !dotall {
                    set = ByteSet::of(&[(0, 0x09), (0x0B, 0xFF)]);
                }
                self.bounded_class(set);
            }
        }
    }

    /// The bytes of a class item (`\d`, `[:alpha:]`, ...), folded under
    /// `i` before it is negated, as `regex-syntax` does.
    fn item_set(&self, members: ByteSet, negated: bool) -> ByteSet {
        let members = if self.flags.i {
            members.fold_latin1()
        } else {
            members
        };
        if negated {
            members.complement()
        } else {
            members
        }
    }

    /// Writes `set` as a positive class bounded to U+0000-U+00FF. Under
    /// `i` the set is already closed under the Latin-1 case pairs, so it is
    /// written case-sensitive (the engine's own folding would only add
    /// chars above U+00FF, which a Latin-1 haystack never holds).
    fn bounded_class(&mut self, set: ByteSet) {
        if self.flags.i {
            self.out.push_str("(?-i:");
            set.write_class(&mut self.out);
            self.out.push(')');
        } else {
            set.write_class(&mut self.out);
        }
    }

    /// A character class, from after `[` to after its `]`.
    fn class(&mut self) -> Result<(), String> {
        let start = self.out.len();
        // The class's bytes, for the backtracking target.
        let mut set = ByteSet::default();
        self.out.push('[');
        let negated = self.peek() == Some(b'^');
        if negated {
            self.i += 1;
            self.out.push('^');
        }
        let mut first = true;
        loop {
            let c = self.peek().ok_or("missing ']'")?;
            self.i += 1;
            if c == b']' && !first {
                break;
            }
            first = false;
            if c == b'[' && self.peek() == Some(b':') {
                let rest = &self.p[self.i..];
                if let Some(end) = rest.windows(2).position(|w| w == b":]") {
                    let name = std::str::from_utf8(&rest[..end + 2]).map_err(|e| e.to_string())?;
                    let _ = write!(self.out, "[{name}");
                    self.i += end + 2;
                    // `name` is `:alpha:]` or `:^alpha:]`.
                    let inner = &name[1..name.len() - 2];
                    let (neg, inner) = match inner.strip_prefix('^') {
                        Some(rest) => (true, rest),
                        None => (false, inner),
                    };
                    let members =
                        posix(inner).ok_or_else(|| format!("unknown POSIX class '{inner}'"))?;
                    set.union(self.item_set(members, neg));
                    continue;
                }
            }
            let lo = match self.class_atom(c, &mut set)? {
                Some(b) => b,
                None => continue,
            };
            // A range `lo-hi`, unless `-` is last or `hi` is a set.
            if self.peek() == Some(b'-') && self.peek_at(1).is_some_and(|n| n != b']') {
                let save = self.i;
                self.i += 1;
                let c2 = self.p[self.i];
                self.i += 1;
                let save_out = self.out.len();
                let mut scratch = ByteSet::default();
                match self.class_atom(c2, &mut scratch)? {
                    Some(hi) => {
                        if hi < lo {
                            return Err("range out of order in class".into());
                        }
                        set.insert_range(lo, hi);
                        let _ = write!(self.out, "\\x{lo:02X}-\\x{hi:02X}");
                    }
                    None => {
                        // `[a-\d]`: a literal '-'; the set is read again.
                        self.out.truncate(save_out);
                        self.i = save;
                        set.insert(lo);
                        self.byte(lo);
                    }
                }
            } else {
                set.insert(lo);
                self.byte(lo);
            }
        }
        self.out.push(']');
        if self.target == Target::Fancy {
            self.out.truncate(start);
            let set = self.item_set(set, negated);
            self.bounded_class(set);
        }
        Ok(())
    }

    /// One class member starting with byte `c`: a byte (returned) or a
    /// set such as `\d` (written, added to `set`, `None`).
    fn class_atom(&mut self, c: u8, set: &mut ByteSet) -> Result<Option<u8>, String> {
        if c != b'\\' {
            return Ok(Some(c));
        }
        let e = self.peek().ok_or("missing ']'")?;
        self.i += 1;
        let (members, negated) = match e {
            b'd' => (DIGIT, false),
            b'D' => (DIGIT, true),
            b'w' => (WORD, false),
            b'W' => (WORD, true),
            b's' => (SPACE, false),
            b'S' => (SPACE, true),
            b'h' => (HSPACE, false),
            b'H' => (HSPACE, true),
            b'v' => (VSPACE, false),
            b'V' => (VSPACE, true),
            b'b' => return Ok(Some(0x08)),
            b'E' | b'Q' => return Ok(None),
            _ => {
                return match self.byte_escape(e)? {
                    Some(b) => Ok(Some(b)),
                    None => Err(format!("unsupported escape '\\{}' in class", e as char)),
                }
            }
        };
        if negated {
            let _ = write!(self.out, "[^{}]", members.text);
        } else {
            self.out.push_str(members.text);
        }
        set.union(self.item_set(ByteSet::of(members.bytes), negated));
        Ok(None)
    }

    /// A group, from after `(`.
    fn group(&mut self) -> Result<(), String> {
        if self.peek() == Some(b'*') {
            return Err("(*VERB) is not supported".into());
        }
        if self.peek() != Some(b'?') {
            self.groups += 1;
            self.stack.push(self.flags);
            self.out.push('(');
            return Ok(());
        }
        self.i += 1;
        let c = self.peek().ok_or("bad group")?;
        match c {
            b':' => {
                self.i += 1;
                self.stack.push(self.flags);
                self.out.push_str("(?:");
            }
            b'=' | b'!' => {
                self.i += 1;
                self.need("look-around");
                self.stack.push(self.flags);
                let _ = write!(self.out, "(?{}", c as char);
            }
            b'>' => {
                self.i += 1;
                self.need("atomic group");
                self.stack.push(self.flags);
                self.out.push_str("(?>");
            }
            b'<' if matches!(self.peek_at(1), Some(b'=' | b'!')) => {
                let d = self.p[self.i + 1];
                self.i += 2;
                self.need("look-around");
                self.stack.push(self.flags);
                let _ = write!(self.out, "(?<{}", d as char);
            }
            b'<' | b'P' | b'\'' => {
                if c == b'P' {
                    self.i += 1;
                    if self.peek() == Some(b'=') {
                        // `(?P=name)`: a named back reference.
                        self.i += 1;
                        let start = self.i;
                        while self.peek().is_some_and(|b| b != b')') {
                            self.i += 1;
                        }
                        let name = std::str::from_utf8(&self.p[start..self.i])
                            .map_err(|e| e.to_string())?;
                        self.i += 1;
                        self.need("back reference");
                        let _ = write!(self.out, "\\k<{name}>");
                        return Ok(());
                    }
                    if self.peek() != Some(b'<') {
                        return Err("unsupported (?P group".into());
                    }
                }
                let close = if self.peek() == Some(b'\'') {
                    b'\''
                } else {
                    b'>'
                };
                self.i += 1;
                let start = self.i;
                while self.peek().is_some_and(|b| b != close) {
                    self.i += 1;
                }
                let name =
                    std::str::from_utf8(&self.p[start..self.i]).map_err(|e| e.to_string())?;
                self.i += 1;
                self.groups += 1;
                self.stack.push(self.flags);
                let _ = write!(self.out, "(?P<{name}>");
            }
            b'#' => {
                while self.peek().is_some_and(|b| b != b')') {
                    self.i += 1;
                }
                self.i += 1;
            }
            b'(' => {
                self.need("conditional group");
                self.stack.push(self.flags);
                self.out.push_str("(?");
            }
            _ => self.flag_group()?,
        }
        Ok(())
    }

    /// `(?imsxU-imsxU)` or `(?imsxU-imsxU:...)`.
    fn flag_group(&mut self) -> Result<(), String> {
        let before = self.flags;
        let mut on = true;
        let mut text = String::new();
        loop {
            let c = self.peek().ok_or("bad group")?;
            self.i += 1;
            match c {
                b'-' => {
                    on = false;
                    text.push('-');
                }
                b'x' => self.flags.x = on,
                b'm' => {
                    self.flags.m = on;
                    text.push('m');
                }
                b'i' => {
                    self.flags.i = on;
                    text.push('i');
                }
                b's' => {
                    self.flags.s = on;
                    text.push('s');
                }
                b'U' => text.push('U'),
                b')' => {
                    if !text.is_empty() && text != "-" {
                        let _ = write!(self.out, "(?{text})");
                    }
                    return Ok(());
                }
                b':' => {
                    // Flags scoped to the group: restored at its ')'.
                    self.stack.push(before);
                    if text.is_empty() || text == "-" {
                        self.out.push_str("(?:");
                    } else {
                        let _ = write!(self.out, "(?{text}:");
                    }
                    return Ok(());
                }
                _ => return Err(format!("unsupported group flag '{}'", c as char)),
            }
        }
    }
}
