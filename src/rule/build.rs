//! From raw options to the typed [`Rule`]: decides the dialect, attaches
//! every option to its place (metadata, a condition, or a buffer's match
//! list), applies content modifiers to the right content, and makes the
//! checks Suricata makes while it sets a rule up (`detect-parse.c` and the
//! keywords' `Setup` functions): modifiers without a content, conflicting
//! modifiers, `depth`/`within` shorter than the pattern, undefined byte
//! variables, buffer misuse, duplicate single-use options.
//!
//! The first error stops the rule, as in Suricata; warnings are collected.
//! Checks that look at the finished rule as a whole are in
//! [`super::validate`].

use super::buffer::Buffer;
use super::error::RuleErrorKind as K;
use super::header::{Action, Header, Protocol};
use super::keywords::content::{ContentModifier, FastPattern};
use super::keywords::value::Operand;
use super::keywords::{self, Dialect, Parsed};
use super::model::{Match, MatchList, Rule};
use super::requires::Requires;
use super::syntax::{RawOption, RawRule};

/// A diagnostic at a byte offset of the rule text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Diag {
    pub at: usize,
    pub kind: K,
}

/// A built rule, its warnings, and where each list's buffer was selected
/// (byte offsets, for later checks).
#[derive(Clone, Debug)]
pub(crate) struct Built {
    pub rule: Rule,
    /// Offset of the action word.
    pub action_at: usize,
    /// Offsets of source, source ports, destination, destination ports.
    pub header_at: Option<[usize; 4]>,
    /// The dialect the rule was read as.
    pub dialect: Dialect,
    pub warnings: Vec<Diag>,
    /// Offset of the keyword that created each list (same index as
    /// `rule.lists`).
    pub list_at: Vec<usize>,
    /// Offset of each condition's keyword (same index as
    /// `rule.conditions`).
    pub condition_at: Vec<usize>,
}

/// Guesses the dialect of a rule: Snort 3 when it has no address part,
/// uses Snort 3's comma modifiers on a content or pcre, uses `service` or
/// `bufferlen`, or names a buffer with an HTTP modifier word (`http_uri`)
/// before its first content. Over the four shared rule sets this tells
/// every Snort 3 rule that needs it apart, and never flags a Suricata or
/// Snort 2 rule.
pub(crate) fn detect_dialect(raw: &RawRule<'_>) -> Dialect {
    if raw.header.is_none() {
        return Dialect::Snort3;
    }
    let mut seen_content = false;
    for opt in &raw.options {
        let name = opt.name.text;
        match name {
            "service" | "bufferlen" => return Dialect::Snort3,
            "content" | "uricontent" | "pcre" => {
                if let Some(v) = opt.value {
                    if has_comma_modifiers(v.text, name == "pcre") {
                        return Dialect::Snort3;
                    }
                }
                if name != "pcre" {
                    seen_content = true;
                }
            }
            _ if !seen_content && Buffer::from_modifier_name(name).is_some() => {
                return Dialect::Snort3
            }
            _ => {}
        }
    }
    Dialect::Suricata
}

/// Whether a quoted value is followed by `,` after its closing quote.
fn has_comma_modifiers(value: &str, last_quote: bool) -> bool {
    let v = value.trim();
    let v = v.strip_prefix('!').map_or(v, str::trim_start);
    let Some(body) = v.strip_prefix('"') else {
        return false;
    };
    let close = if last_quote {
        body.rfind('"')
    } else {
        let b = body.as_bytes();
        let mut i = 0;
        let mut found = None;
        while let Some(&c) = b.get(i) {
            if c == b'\\' {
                i += 2;
                continue;
            }
            if c == b'"' {
                found = Some(i);
                break;
            }
            i += 1;
        }
        found
    };
    close.is_some_and(|c| body[c + 1..].trim_start().starts_with(','))
}

struct Builder {
    rule: Rule,
    warnings: Vec<Diag>,
    list_at: Vec<usize>,
    condition_at: Vec<usize>,
    /// Index of the active sticky buffer's list; `None` is the payload.
    active: Option<usize>,
    /// The most recent content anywhere: (list, index in list).
    last_content: Option<(usize, usize)>,
    /// Variables defined by byte_extract/byte_math so far.
    byte_vars: Vec<String>,
    /// Lists a modifier moved a content out of (an empty one is dropped,
    /// not reported).
    moved_from: Vec<usize>,
}

/// Builds the rule from its raw parts.
pub(crate) fn build(raw: RawRule<'_>, dialect: Option<Dialect>) -> Result<Built, Diag> {
    check_requires(&raw)?;
    let dialect = dialect.unwrap_or_else(|| detect_dialect(&raw));
    let action = Action::from_name(raw.action.text).ok_or_else(|| Diag {
        at: raw.action.at,
        kind: K::UnknownAction(raw.action.text.to_string()),
    })?;
    let protocol = match (&raw.header, Protocol::from_name(raw.protocol.text)) {
        (_, Some(p)) => p,
        // A Snort 3 service or file rule names a service, not a protocol.
        (None, None) => Protocol::App(raw.protocol.text.to_string()),
        (Some(_), None) => {
            return Err(Diag {
                at: raw.protocol.at,
                kind: K::UnknownProtocol(raw.protocol.text.to_string()),
            })
        }
    };
    let header_at = raw
        .header
        .as_ref()
        .map(|h| [h.src.1, h.src_ports.1, h.dst.1, h.dst_ports.1]);
    let action_at = raw.action.at;
    let header = raw.header.map(|h| Header {
        src: h.src.0,
        src_ports: h.src_ports.0,
        direction: h.direction,
        dst: h.dst.0,
        dst_ports: h.dst_ports.0,
    });
    let mut b = Builder {
        rule: Rule {
            action,
            protocol,
            header,
            msg: None,
            sid: None,
            gid: None,
            rev: None,
            classtype: None,
            priority: None,
            references: Vec::new(),
            metadata: Default::default(),
            target: None,
            conditions: Vec::new(),
            lists: Vec::new(),
        },
        warnings: Vec::new(),
        list_at: Vec::new(),
        condition_at: Vec::new(),
        active: None,
        last_content: None,
        byte_vars: Vec::new(),
        moved_from: Vec::new(),
    };
    for opt in &raw.options {
        b.option(opt, dialect)?;
    }
    let mut built = b.finish(dialect)?;
    built.action_at = action_at;
    built.header_at = header_at;
    Ok(built)
}

/// `requires` first, before any other option is read: a rule whose
/// requirements are not met is skipped (`RequirementsUnmet`), whatever
/// else it holds; a malformed `requires` value is an error.
fn check_requires(raw: &RawRule<'_>) -> Result<(), Diag> {
    for opt in raw.options.iter().filter(|o| o.name.text == "requires") {
        let Some(value) = opt.value else {
            continue; // reported as a missing value with the other options
        };
        let req = Requires::parse(value.text).map_err(|e| Diag {
            at: value.at + e.at,
            kind: K::BadValue {
                keyword: "requires".into(),
                reason: e.reason,
            },
        })?;
        if let Some(why) = req.unmet(keywords::is_known) {
            return Err(Diag {
                at: opt.name.at,
                kind: K::RequirementsUnmet(why),
            });
        }
    }
    Ok(())
}

fn dup(at: usize, keyword: &str) -> Diag {
    Diag {
        at,
        kind: K::DuplicateOption {
            keyword: keyword.to_string(),
        },
    }
}

fn set_once<T>(slot: &mut Option<T>, v: T, at: usize, keyword: &str) -> Result<(), Diag> {
    if slot.is_some() {
        return Err(dup(at, keyword));
    }
    *slot = Some(v);
    Ok(())
}

/// A broken internal invariant reported as an error rather than a panic.
fn internal(at: usize) -> Diag {
    Diag {
        at,
        kind: K::Syntax("internal error: a match list went missing".into()),
    }
}

impl Builder {
    /// The list at `i`, an index this builder handed out.
    fn list_mut(&mut self, i: usize, at: usize) -> Result<&mut MatchList, Diag> {
        self.rule.lists.get_mut(i).ok_or_else(|| internal(at))
    }

    fn buffer_of(&self, i: usize) -> Buffer {
        self.rule.lists.get(i).map_or(Buffer::Payload, |l| l.buffer)
    }

    fn option(&mut self, opt: &RawOption<'_>, dialect: Dialect) -> Result<(), Diag> {
        let name = opt.name.text;
        let at = opt.name.at;
        let value_at = opt.value.map_or(at, |v| v.at);
        // The grammar lets a name run to ':', ';' or a space; keywords
        // are letters, digits, '_', '.' and '-'.
        if let Some(bad) = name
            .bytes()
            .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')))
        {
            let c = name
                .get(bad..)
                .and_then(|t| t.chars().next())
                .unwrap_or('?');
            return Err(Diag {
                at: at + bad,
                kind: K::Syntax(format!(
                    "'{name}' is not an option name ({c:?} is not allowed in one)"
                )),
            });
        }
        let parsed = keywords::parse_keyword(name, opt.value.map(|v| v.text), dialect).map_err(
            |(off, kind)| Diag {
                at: if off == 0 && opt.value.is_none() {
                    at
                } else {
                    value_at + off
                },
                kind,
            },
        )?;
        if let Some(instead) = keywords::deprecation(name) {
            self.warnings.push(Diag {
                at,
                kind: K::Deprecated {
                    keyword: name.to_string(),
                    instead: instead.to_string(),
                },
            });
        }
        let r = &mut self.rule;
        match parsed {
            Parsed::Msg(m) => set_once(&mut r.msg, m, at, name)?,
            Parsed::Sid(n) => set_once(&mut r.sid, n, at, name)?,
            Parsed::Gid(n) => set_once(&mut r.gid, n, at, name)?,
            Parsed::Rev(n) => set_once(&mut r.rev, n, at, name)?,
            Parsed::Classtype(c) => set_once(&mut r.classtype, c, at, name)?,
            Parsed::Priority(p) => set_once(&mut r.priority, p, at, name)?,
            Parsed::Target(t) => set_once(&mut r.target, t, at, name)?,
            Parsed::Reference(x) => r.references.push(x),
            Parsed::Metadata(m) => {
                if r.metadata.is_empty() {
                    r.metadata = m;
                } else {
                    r.metadata.extend(&m);
                }
            }
            Parsed::Content {
                content,
                mods,
                buffer,
            } => {
                let li = match buffer {
                    Some(buf) => self.list_for(buf, at),
                    None => self.active_list(at),
                };
                let list = self.list_mut(li, at)?;
                list.matches.push(Match::Content(content));
                let mi = list.matches.len() - 1;
                self.last_content = Some((li, mi));
                for (m, off) in mods {
                    self.modify(m, value_at + off)?;
                }
            }
            Parsed::Modifier(m) => self.modify(m, at)?,
            Parsed::Sticky(buf) => self.sticky(buf, at)?,
            Parsed::BufferModifier(buf) => self.move_to_buffer(buf, name, at)?,
            Parsed::Pcre(p, buf) => {
                let li = match buf {
                    Some(buf) => {
                        let active_buf = self.active.map(|i| self.buffer_of(i));
                        if active_buf.is_some_and(|a| a != buf) {
                            return Err(Diag {
                                at: value_at,
                                kind: K::Buffer(format!(
                                    "pcre names the '{buf}' buffer with a flag while another sticky buffer is active; reset it with pkt_data first"
                                )),
                            });
                        }
                        self.list_for(buf, at)
                    }
                    None => self.active_list(at),
                };
                self.list_mut(li, at)?.matches.push(Match::Pcre(p));
            }
            Parsed::Match(m) => {
                self.check_byte_vars(&m, name, value_at)?;
                let li = self.active_list(at);
                self.list_mut(li, at)?.matches.push(m);
            }
            Parsed::Urilen(m, raw) => {
                let buf = if raw {
                    Buffer::HttpUriRaw
                } else {
                    Buffer::HttpUri
                };
                let li = self.list_for(buf, at);
                self.list_mut(li, at)?.matches.push(Match::Urilen(m));
            }
            Parsed::Transform(t) => {
                let Some(li) = self.active else {
                    return Err(Diag {
                        at,
                        kind: K::Buffer(format!(
                            "transform '{name}' needs a sticky buffer before it"
                        )),
                    });
                };
                // Suricata applies a buffer's transforms to the whole buffer,
                // wherever they appear after the sticky keyword (ET sid
                // 2044076 has `dotprefix` after a pcre).
                self.list_mut(li, at)?.transforms.push(t);
            }
            Parsed::Ignored => {}
            Parsed::Condition(c) => {
                self.rule.conditions.push(c);
                self.condition_at.push(at);
            }
        }
        Ok(())
    }

    /// The list for `buf`, created (at `at`) if the rule has none yet.
    fn list_for(&mut self, buf: Buffer, at: usize) -> usize {
        if let Some(i) = self.rule.lists.iter().position(|l| l.buffer == buf) {
            return i;
        }
        self.rule.lists.push(MatchList {
            buffer: buf,
            transforms: Vec::new(),
            matches: Vec::new(),
        });
        self.list_at.push(at);
        self.rule.lists.len() - 1
    }

    /// The list of the active buffer (the payload unless a sticky buffer
    /// is selected).
    fn active_list(&mut self, at: usize) -> usize {
        match self.active {
            Some(i) => i,
            None => self.list_for(Buffer::Payload, at),
        }
    }

    fn sticky(&mut self, buf: Buffer, at: usize) -> Result<(), Diag> {
        if let Some(list) = self.active.and_then(|cur| self.rule.lists.get(cur)) {
            if list.matches.is_empty() && list.buffer != buf {
                return Err(Diag {
                    at,
                    kind: K::Buffer(format!(
                        "sticky buffer '{}' has no matches before '{buf}'",
                        list.buffer
                    )),
                });
            }
        }
        if buf == Buffer::Payload {
            self.active = None;
        } else {
            self.active = Some(self.list_for(buf, at));
        }
        Ok(())
    }

    /// A Suricata/Snort 2 content modifier naming a buffer: move the last
    /// payload content into that buffer's list. With a sticky buffer
    /// active, Suricata rejects the rule; Snort 2 applies the modifier to
    /// the last content of the active buffer, and so do we, with a warning
    /// (eight Snort community rules use `file_data; ... content:"x";
    /// http_header;`).
    fn move_to_buffer(&mut self, buf: Buffer, name: &str, at: usize) -> Result<(), Diag> {
        let source = match self.active {
            Some(cur) => {
                self.warnings.push(Diag {
                    at,
                    kind: K::SuricataIncompatible(format!(
                        "'{name}' while the sticky buffer '{}' is active",
                        self.buffer_of(cur)
                    )),
                });
                Some(cur)
            }
            None => self
                .rule
                .lists
                .iter()
                .position(|l| l.buffer == Buffer::Payload),
        };
        let found = source.and_then(|li| {
            self.rule
                .lists
                .get(li)?
                .matches
                .iter()
                .rposition(|m| matches!(m, Match::Content(_)))
                .map(|mi| (li, mi))
        });
        let Some((li, mi)) = found else {
            return Err(Diag {
                at,
                kind: K::ModifierWithoutContent {
                    keyword: name.to_string(),
                },
            });
        };
        let list = self.list_mut(li, at)?;
        if let Some(Match::Content(c)) = list.matches.get(mi) {
            if c.rawbytes {
                return Err(Diag {
                    at,
                    kind: K::ConflictingModifiers {
                        keyword: name.to_string(),
                        reason: "cannot be used with rawbytes".into(),
                    },
                });
            }
        }
        if list.buffer == buf {
            return Ok(());
        }
        let m = list.matches.remove(mi);
        self.moved_from.push(li);
        let target = self.list_for(buf, at);
        let target_list = self.list_mut(target, at)?;
        target_list.matches.push(m);
        let new_pos = (target, target_list.matches.len() - 1);
        match self.last_content {
            Some((l, i)) if l == li && i == mi => self.last_content = Some(new_pos),
            Some((l, i)) if l == li && i > mi => self.last_content = Some((l, i - 1)),
            _ => {}
        }
        Ok(())
    }

    fn var_defined(&self, name: &str) -> bool {
        self.byte_vars.iter().any(|v| v == name)
    }

    fn check_var(&self, op: Option<&str>, keyword: &str, at: usize) -> Result<(), Diag> {
        match op {
            Some(v) if !self.var_defined(v) => Err(Diag {
                at,
                kind: K::UndefinedByteVar {
                    keyword: keyword.to_string(),
                    name: v.to_string(),
                },
            }),
            _ => Ok(()),
        }
    }

    fn check_byte_vars(&mut self, m: &Match, keyword: &str, at: usize) -> Result<(), Diag> {
        match m {
            Match::ByteTest(t) => {
                self.check_var(t.value.var(), keyword, at)?;
                self.check_var(t.offset.var(), keyword, at)?;
            }
            Match::ByteJump(j) => self.check_var(j.offset.var(), keyword, at)?,
            Match::IsDataAt(i) => self.check_var(i.offset.var(), keyword, at)?,
            Match::ByteMath(bm) => {
                self.check_var(bm.rvalue.var(), keyword, at)?;
                self.byte_vars.push(bm.result.clone());
            }
            Match::ByteExtract(e) => self.byte_vars.push(e.name.clone()),
            _ => {}
        }
        Ok(())
    }

    /// Applies a content modifier to the most recent content.
    fn modify(&mut self, m: ContentModifier, at: usize) -> Result<(), Diag> {
        let name = m.name();
        let Some((li, mi)) = self.last_content else {
            return Err(Diag {
                at,
                kind: K::ModifierWithoutContent {
                    keyword: name.to_string(),
                },
            });
        };
        let var = match &m {
            ContentModifier::Offset(o)
            | ContentModifier::Depth(o)
            | ContentModifier::Distance(o)
            | ContentModifier::Within(o) => o.var(),
            _ => None,
        };
        self.check_var(var, name, at)?;
        let in_payload = self.buffer_of(li) == Buffer::Payload;
        let conflict = |reason: &str| Diag {
            at,
            kind: K::ConflictingModifiers {
                keyword: name.to_string(),
                reason: reason.to_string(),
            },
        };
        // Fast pattern on another content of the same list (Suricata allows
        // one fast_pattern per rule and checks the built-in lists).
        if matches!(m, ContentModifier::FastPattern(FastPattern::Plain)) {
            let other = self
                .list_mut(li, at)?
                .matches
                .iter()
                .enumerate()
                .any(|(i, x)| {
                    i != mi && matches!(x, Match::Content(c) if c.fast_pattern.is_some())
                });
            if other && in_payload {
                return Err(conflict(
                    "fast_pattern can be used on only one content in a rule",
                ));
            }
        }
        let Some(Match::Content(c)) = self.list_mut(li, at)?.matches.get_mut(mi) else {
            return Ok(());
        };
        let len = c.pattern.len() as i64;
        let fp_only = c.fast_pattern == Some(FastPattern::Only);
        let absolute = c.depth.is_some() || c.offset.is_some();
        let relative = c.distance.is_some() || c.within.is_some();
        const MIX: &str = "cannot mix a relative modifier (distance/within) with an absolute one (depth/offset) on one content";
        const FP_ONLY: &str = "cannot be used with fast_pattern:only";
        let negated_fp = c.negated && c.fast_pattern.is_some();
        match m {
            ContentModifier::Nocase => {
                if c.nocase {
                    return Err(conflict("nocase given twice for one content"));
                }
                c.nocase = true;
            }
            ContentModifier::Rawbytes => {
                if !in_payload {
                    return Err(conflict("rawbytes only applies to the payload"));
                }
                c.rawbytes = true;
            }
            ContentModifier::Startswith => {
                if c.startswith {
                    return Err(conflict("startswith given twice for one content"));
                }
                if absolute || relative {
                    return Err(conflict(
                        "startswith cannot be combined with depth, offset, distance or within",
                    ));
                }
                c.startswith = true;
            }
            // Suricata accepts a repeated endswith (ET sid 2020392).
            ContentModifier::Endswith => c.endswith = true,
            ContentModifier::Depth(ref v) | ContentModifier::Offset(ref v) => {
                let v = v.clone();
                let is_depth = matches!(m, ContentModifier::Depth(_));
                let slot_set = if is_depth {
                    c.depth.is_some()
                } else {
                    c.offset.is_some()
                };
                if slot_set {
                    return Err(conflict("given twice for one content"));
                }
                if relative {
                    return Err(conflict(MIX));
                }
                if negated_fp {
                    return Err(conflict("cannot be used on a negated fast_pattern content"));
                }
                if fp_only {
                    return Err(conflict(FP_ONLY));
                }
                if !is_depth && c.startswith {
                    return Err(conflict("offset cannot be used with startswith"));
                }
                if let (true, Operand::Num(d)) = (is_depth, &v) {
                    if *d < len {
                        return Err(Diag {
                            at,
                            kind: K::ShorterThanPattern {
                                keyword: "depth",
                                value: *d,
                                pattern_len: len as usize,
                            },
                        });
                    }
                }
                if is_depth {
                    c.depth = Some(v);
                } else {
                    c.offset = Some(v);
                }
            }
            ContentModifier::Distance(ref v) | ContentModifier::Within(ref v) => {
                let v = v.clone();
                let is_within = matches!(m, ContentModifier::Within(_));
                let slot_set = if is_within {
                    c.within.is_some()
                } else {
                    c.distance.is_some()
                };
                if slot_set {
                    return Err(conflict("given twice for one content"));
                }
                if absolute {
                    return Err(conflict(MIX));
                }
                if negated_fp {
                    return Err(conflict("cannot be used on a negated fast_pattern content"));
                }
                if fp_only {
                    return Err(conflict(FP_ONLY));
                }
                if c.startswith {
                    return Err(conflict("cannot be combined with startswith"));
                }
                if let (true, Operand::Num(w)) = (is_within, &v) {
                    if *w < len {
                        return Err(Diag {
                            at,
                            kind: K::ShorterThanPattern {
                                keyword: "within",
                                value: *w,
                                pattern_len: len as usize,
                            },
                        });
                    }
                }
                if is_within {
                    c.within = Some(v);
                } else {
                    c.distance = Some(v);
                }
            }
            ContentModifier::FastPattern(fp) => {
                if c.fast_pattern.is_some() {
                    return Err(conflict("fast_pattern given twice for one content"));
                }
                match fp {
                    FastPattern::Plain => {
                        if c.negated && (absolute || relative) {
                            return Err(conflict(
                                "fast_pattern cannot be used on a negated content with position modifiers",
                            ));
                        }
                    }
                    FastPattern::Only => {
                        if c.negated || absolute || relative {
                            return Err(conflict(
                                "fast_pattern:only cannot be used with a negated content or with distance, within, offset or depth",
                            ));
                        }
                    }
                    FastPattern::Chop { offset, len: l } => {
                        if i64::from(offset) + i64::from(l) > len {
                            return Err(conflict(&format!(
                                "offset {offset} + length {l} exceeds the pattern length {len}"
                            )));
                        }
                    }
                }
                c.fast_pattern = Some(fp);
            }
            ContentModifier::FastPatternOffset(o) => {
                let keep_len = match c.fast_pattern {
                    Some(FastPattern::Chop { len: l, .. }) => i64::from(l),
                    _ => len - i64::from(o),
                };
                if keep_len < 0 || i64::from(o) + keep_len > len {
                    return Err(conflict("fast_pattern_offset runs past the pattern"));
                }
                c.fast_pattern = Some(FastPattern::Chop {
                    offset: o,
                    len: keep_len as u16,
                });
            }
            ContentModifier::FastPatternLength(l) => {
                let o = match c.fast_pattern {
                    Some(FastPattern::Chop { offset, .. }) => offset,
                    _ => 0,
                };
                if i64::from(o) + i64::from(l) > len {
                    return Err(conflict("fast_pattern_length runs past the pattern"));
                }
                c.fast_pattern = Some(FastPattern::Chop { offset: o, len: l });
            }
        }
        Ok(())
    }

    fn finish(mut self, dialect: Dialect) -> Result<Built, Diag> {
        // A sticky buffer left without matches (Suricata rejects it).
        for (i, list) in self.rule.lists.iter().enumerate() {
            if list.buffer != Buffer::Payload
                && list.matches.is_empty()
                && !self.moved_from.contains(&i)
            {
                return Err(Diag {
                    at: self.list_at.get(i).copied().unwrap_or(0),
                    kind: K::Buffer(format!("sticky buffer '{}' has no matches", list.buffer)),
                });
            }
        }
        // A list emptied by modifiers (its transforms with it), or an empty
        // payload list, carries nothing.
        let moved_from = std::mem::take(&mut self.moved_from);
        let mut index = 0;
        let mut list_at = std::mem::take(&mut self.list_at).into_iter();
        let mut new_at = Vec::with_capacity(self.rule.lists.len());
        self.rule.lists.retain(|l| {
            let at = list_at.next().unwrap_or(0);
            let drop = l.matches.is_empty()
                && (moved_from.contains(&index) || l.buffer == Buffer::Payload);
            index += 1;
            if !drop {
                new_at.push(at);
            }
            !drop
        });
        self.list_at = new_at;
        Ok(Built {
            rule: self.rule,
            action_at: 0,
            header_at: None,
            dialect,
            warnings: self.warnings,
            list_at: self.list_at,
            condition_at: self.condition_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::keywords::value::Operand;
    use crate::rule::syntax::parse_rule;

    fn built(text: &str) -> Result<Built, Diag> {
        build(parse_rule(text, false).unwrap(), None)
    }

    fn dialect(text: &str) -> Dialect {
        detect_dialect(&parse_rule(text, false).unwrap())
    }

    fn contents(list: &MatchList) -> Vec<&[u8]> {
        list.matches
            .iter()
            .filter_map(|m| match m {
                Match::Content(c) => Some(c.pattern.as_slice()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn requires_is_checked_before_the_other_options() {
        // Unmet: skipped, even with a keyword nobody knows and a bad action.
        let text = "frobnicate tcp any any -> any any (requires: version >= 10; nosuch:1; sid:1;)";
        let e = built(text).unwrap_err();
        assert!(matches!(e.kind, K::RequirementsUnmet(_)), "{:?}", e.kind);
        assert_eq!(e.at, text.find("requires").unwrap());
        let e =
            built("alert tcp any any -> any any (requires: keyword ja4.hash; sid:1;)").unwrap_err();
        assert!(matches!(e.kind, K::RequirementsUnmet(ref w) if w.contains("ja4.hash")));
        // Met: the rule builds and `requires`, `prefilter` leave no trace.
        let b = built(
            "alert tcp any any -> any any (requires: version >= 8, keyword tcp.ack; tcp.ack:5; prefilter; sid:1;)",
        )
        .unwrap();
        assert_eq!(b.rule.conditions.len(), 1);
        // Malformed: an error at the value.
        let text = "alert tcp any any -> any any (requires: version = 8; sid:1;)";
        let e = built(text).unwrap_err();
        assert!(matches!(e.kind, K::BadValue { .. }), "{:?}", e.kind);
        assert_eq!(e.at, text.find("version").unwrap());
    }

    #[test]
    fn dialects() {
        assert_eq!(dialect("alert http (sid:1;)"), Dialect::Snort3);
        assert_eq!(
            dialect(r#"alert tcp any any -> any any (content:"a",nocase; sid:1;)"#),
            Dialect::Snort3
        );
        assert_eq!(
            dialect(r#"alert tcp any any -> any any (pcre:"/a/",relative; sid:1;)"#),
            Dialect::Snort3
        );
        assert_eq!(
            dialect("alert tcp any any -> any any (service:http; sid:1;)"),
            Dialect::Snort3
        );
        assert_eq!(
            dialect(r#"alert tcp any any -> any any (http_uri; content:"a"; sid:1;)"#),
            Dialect::Snort3
        );
        assert_eq!(
            dialect(r#"alert tcp any any -> any any (content:"a"; http_uri; sid:1;)"#),
            Dialect::Suricata
        );
        assert_eq!(
            dialect(r#"alert tcp any any -> any any (content:"a,b"; sid:1;)"#),
            Dialect::Suricata
        );
        assert_eq!(
            dialect(r#"alert tcp any any -> any any (content:"a\",b"; sid:1;)"#),
            Dialect::Suricata
        );
    }

    #[test]
    fn modifiers_move_the_last_payload_content() {
        let b = built(
            r#"alert http any any -> any any (content:"a"; content:"b"; http_uri; nocase; sid:1;)"#,
        )
        .unwrap();
        let lists = &b.rule.lists;
        assert_eq!(lists.len(), 2);
        assert_eq!(lists[0].buffer, Buffer::Payload);
        assert_eq!(contents(&lists[0]), [b"a"]);
        assert_eq!(lists[1].buffer, Buffer::HttpUri);
        assert_eq!(contents(&lists[1]), [b"b"]);
        // `nocase` after the move applies to the moved content.
        assert!(matches!(&lists[1].matches[0], Match::Content(c) if c.nocase));
        assert!(matches!(&lists[0].matches[0], Match::Content(c) if !c.nocase));
    }

    #[test]
    fn pcre_buffer_flags() {
        let b = built(r#"alert http any any -> any any (pcre:"/a/U"; sid:1;)"#).unwrap();
        assert_eq!(b.rule.lists[0].buffer, Buffer::HttpUri);
        // Same buffer as the active sticky one: fine.
        assert!(built(
            r#"alert http any any -> any any (http.uri; content:"x"; pcre:"/a/UR"; sid:1;)"#
        )
        .is_ok());
        let e = built(
            r#"alert http any any -> any any (http.header; content:"x"; pcre:"/a/U"; sid:1;)"#,
        )
        .unwrap_err();
        assert!(matches!(e.kind, K::Buffer(_)));
    }

    #[test]
    fn transforms_need_a_sticky_buffer() {
        let e =
            built(r#"alert dns any any -> any any (dotprefix; content:"a"; sid:1;)"#).unwrap_err();
        assert!(matches!(e.kind, K::Buffer(m) if m.contains("dotprefix")));
        let b =
            built(r#"alert dns any any -> any any (dns.query; dotprefix; content:".a"; sid:1;)"#)
                .unwrap();
        assert_eq!(
            b.rule.lists[0].transforms,
            [crate::rule::Transform::Dotprefix]
        );
    }

    #[test]
    fn snort3_fast_pattern_slices() {
        let b = built(r#"alert tcp any any -> any any (content:"abcdef",fast_pattern_offset 2,fast_pattern_length 3; sid:1;)"#)
            .unwrap();
        assert!(matches!(
            &b.rule.lists[0].matches[0],
            Match::Content(c) if c.fast_pattern == Some(FastPattern::Chop { offset: 2, len: 3 })
        ));
        assert!(built(r#"alert tcp any any -> any any (content:"ab",fast_pattern_offset 2,fast_pattern_length 3; sid:1;)"#)
            .is_err());
    }

    #[test]
    fn byte_variables_are_scoped_to_the_rule_order() {
        let b = built(r#"alert tcp any any -> any any (byte_extract:2,0,len; content:"a"; within:len; isdataat:len,relative; sid:1;)"#)
            .unwrap();
        assert!(matches!(
            &b.rule.lists[0].matches[1],
            Match::Content(c) if c.within == Some(Operand::Var("len".into()))
        ));
        let e = built(r#"alert tcp any any -> any any (content:"a"; within:len; byte_extract:2,0,len; sid:1;)"#)
            .unwrap_err();
        assert!(matches!(e.kind, K::UndefinedByteVar { .. }));
    }

    #[test]
    fn offsets_are_recorded() {
        let text =
            r#"alert tcp any any -> any any (flow:established; http.uri; content:"a"; sid:1;)"#;
        let b = built(text).unwrap();
        assert_eq!(b.condition_at, [text.find("flow").unwrap()]);
        assert_eq!(b.list_at, [text.find("http.uri").unwrap()]);
        assert_eq!(b.header_at, Some([10, 14, 21, 25]));
    }
}
