use super::*;
use crate::rule::keywords::pcre::parse_pcre;

fn c(v: &str) -> CompiledPcre {
    let (p, _) = parse_pcre(v).unwrap();
    CompiledPcre::compile(&p).unwrap_or_else(|e| panic!("{v}: {e}"))
}

fn find(v: &str, buf: &[u8]) -> Option<(usize, usize)> {
    c(v).find(buf, 0)
}

#[test]
fn literal_and_flags() {
    assert_eq!(find(r#""/abc/""#, b"xxabcx"), Some((2, 5)));
    assert_eq!(find(r#""/ABC/i""#, b"xxabcx"), Some((2, 5)));
    assert_eq!(find(r#""/ABC/""#, b"xxabcx"), None);
    // `.` is one byte and does not match \n without s.
    assert_eq!(find(r#""/a.b/""#, b"a\nb"), None);
    assert_eq!(find(r#""/a.b/s""#, b"a\nb"), Some((0, 3)));
    assert_eq!(find(r#""/a.b/""#, b"a\xffb"), Some((0, 3)));
    assert_eq!(c(r#""/a/""#).engine(), PcreEngine::Regex);
}

#[test]
fn byte_escapes_and_classes() {
    assert_eq!(find(r#""/\x00\xff/""#, b"a\x00\xffb"), Some((1, 3)));
    assert_eq!(find(r#""/\x{41}/""#, b"zA"), Some((1, 2)));
    // \101 is octal (no 101 groups); \0 takes two more octal digits.
    assert_eq!(find(r#""/\101/""#, b"zA"), Some((1, 2)));
    assert_eq!(find(r#""/\0101/""#, b"z\x081"), Some((1, 3)));
    assert_eq!(
        find(r#""/[\x80-\xff]+/""#, b"ab\x80\x90\xffc"),
        Some((2, 5))
    );
    assert_eq!(find(r#""/[^a-z]/""#, b"abc\xe9"), Some((3, 4)));
    // \w, \d, \s are ASCII; \s includes VT.
    assert_eq!(find(r#""/\w+/""#, b"\xe9ab_9\xe9"), Some((1, 5)));
    assert_eq!(find(r#""/\s/""#, b"a\x0bb"), Some((1, 2)));
    assert_eq!(find(r#""/[\d\s]+/""#, b"x1 2y"), Some((1, 4)));
    // `[a-]`, `[]a]`, `[&&]` mean what PCRE says.
    assert_eq!(find(r#""/[a-]+/""#, b"x-a-y"), Some((1, 4)));
    assert_eq!(find(r#""/[]a]+/""#, b"x]a]y"), Some((1, 4)));
    assert_eq!(find(r#""/[&&~]+/""#, b"x&~y"), Some((1, 3)));
    assert_eq!(find(r#""/[[:digit:]]+/""#, b"ab12c"), Some((2, 4)));
    assert_eq!(find(r#""/\Qa.b\E/""#, b"axb a.b"), Some((4, 7)));
    assert_eq!(find(r#""/a{/""#, b"xa{"), Some((1, 3)));
    assert_eq!(find(r#""/a{2}/""#, b"xaaa"), Some((1, 3)));
    assert_eq!(find(r#""/\;/""#, b"a;"), Some((1, 2)));
}

#[test]
fn dollar_is_pcre_dollar() {
    // `$` without m matches at the end or before a final newline, and the
    // match ends before that newline.
    assert_eq!(find(r#""/abc$/""#, b"xabc"), Some((1, 4)));
    assert_eq!(find(r#""/abc$/""#, b"xabc\n"), Some((1, 4)));
    assert_eq!(find(r#""/abc$/""#, b"xabc\n\n"), None);
    assert_eq!(find(r#""/abc\n?$/""#, b"xabc\n"), Some((1, 5)));
    assert_eq!(find(r#""/abc$/E""#, b"xabc\n"), None);
    // With m: before any newline.
    assert_eq!(find(r#""/abc$/m""#, b"abc\nx"), Some((0, 3)));
    // `$` inside the pattern needs the backtracker.
    let p = c(r#""/(a$|b)c/""#);
    assert!(matches!(p.engine(), PcreEngine::Backtracking(_)));
    assert_eq!(p.find(b"xbc", 0), Some((1, 3)));
    assert_eq!(find(r#""/a$\n/""#, b"a\n"), Some((0, 2)));
}

#[test]
fn relative_subject_starts_at_from() {
    let p = c(r#""/^b/R""#);
    assert!(p.relative());
    assert_eq!(p.find(b"ab", 1), Some((1, 2)));
    assert_eq!(p.find(b"ab", 0), None);
    assert_eq!(p.find(b"ab", 3), None);
    assert_eq!(c(r#""/b/""#).find(b"bab", 1), Some((2, 3)));
}

#[test]
fn extended_mode_keeps_class_blanks() {
    assert_eq!(find(r#""/a b # comment/x""#, b"xab"), Some((1, 3)));
    assert_eq!(find(r#""/a[ ]b/x""#, b"a b"), Some((0, 3)));
}

#[test]
fn inline_flags_scope() {
    assert_eq!(find(r#""/(?i:a)B/""#, b"AB Ab"), Some((0, 2)));
    assert_eq!(find(r#""/(?i)ab/""#, b"AB"), Some((0, 2)));
    assert_eq!(find(r#""/a(?#note)b/""#, b"ab"), Some((0, 2)));
    assert_eq!(find(r#""/(?P<n>a)b/""#, b"ab"), Some((0, 2)));
}

#[test]
fn backtracking_features() {
    let p = c(r#""/(a)\1/""#);
    assert!(matches!(p.engine(), PcreEngine::Backtracking(_)));
    assert_eq!(p.find(b"xaab", 0), Some((1, 3)));
    assert_eq!(find(r#""/a(?=b)/""#, b"acab"), Some((2, 3)));
    assert_eq!(find(r#""/(?<!x)a/""#, b"xaya"), Some((3, 4)));
    assert_eq!(find(r#""/a++b/""#, b"aab"), Some((0, 3)));
    assert_eq!(find(r#""/(?>a+)a/""#, b"aaa"), None);
    // Non-ASCII haystack: offsets are byte offsets.
    assert_eq!(find(r#""/(\xff)\1/""#, b"\xe9\xff\xff"), Some((1, 3)));
    assert_eq!(find(r#""/(?=.\xe9)./""#, b"a\xe9\xe9"), Some((0, 1)));
    // The subject starts at `from` for the backtracker too.
    assert_eq!(c(r#""/(?<=a)b/R""#).find(b"ab", 1), None);
}

#[test]
fn step_limit_is_no_match() {
    let p = c(r#""/(a*)*\1b/""#);
    let buf = vec![b'a'; 4000];
    assert_eq!(p.search(&buf, 0), PcreOutcome::LimitHit);
    assert_eq!(p.find(&buf, 0), None);
}

#[test]
fn anchored_flag() {
    assert_eq!(find(r#""/b/A""#, b"ab"), None);
    assert_eq!(find(r#""/a/A""#, b"ab"), Some((0, 1)));
}

#[test]
fn unsupported_are_errors() {
    for v in [
        r#""/(?R)/""#,
        r#""/\p{L}/""#,
        r#""/\x{100}/""#,
        r#""/(*UTF8)a/""#,
    ] {
        let (p, _) = parse_pcre(v).unwrap();
        assert!(CompiledPcre::compile(&p).is_err(), "{v}");
    }
}

fn fancy_text(pattern: &str, opts: Opts) -> String {
    translate(pattern, opts, Target::Fancy).unwrap().text
}

#[test]
fn fancy_negations_are_bounded_latin1_classes() {
    let o = Opts::default();
    assert_eq!(fancy_text(r"[^\x27]", o), r"(?:[\x00-\x26\x28-\xFF])");
    assert_eq!(fancy_text(r"[^']{5,}", o), r"(?:[\x00-\x26\x28-\xFF]{5,})");
    assert_eq!(fancy_text(r".", o), r"(?:[\x00-\x09\x0B-\xFF])");
    assert_eq!(fancy_text(r"\N", o), r"(?:[\x00-\x09\x0B-\xFF])");
    assert_eq!(
        fancy_text(r"(?s).\N", o),
        r"(?:(?s)[\x00-\xFF][\x00-\x09\x0B-\xFF])"
    );
    let s = Opts { dotall: true, ..o };
    assert_eq!(
        fancy_text(r".(?-s:.)", s),
        r"(?s)(?:[\x00-\xFF](?-s:[\x00-\x09\x0B-\xFF]))"
    );
    assert_eq!(fancy_text(r"\D", o), r"(?:[\x00-\x2F\x3A-\xFF])");
    assert_eq!(fancy_text(r"\S", o), r"(?:[\x00-\x08\x0E-\x1F\x21-\xFF])");
    assert_eq!(
        fancy_text(r"\H", o),
        r"(?:[\x00-\x08\x0A-\x1F\x21-\x9F\xA1-\xFF])"
    );
    assert_eq!(fancy_text(r"\V", o), r"(?:[\x00-\x09\x0E-\x84\x86-\xFF])");
    assert_eq!(
        fancy_text(r"\W", o),
        r"(?:[\x00-\x2F\x3A-\x40\x5B-\x5E\x60\x7B-\xFF])"
    );
    // Items inside a class: a negated set, a negated POSIX class, a range.
    assert_eq!(fancy_text(r"[\Da]", o), r"(?:[\x00-\x2F\x3A-\xFF])");
    assert_eq!(
        fancy_text(r"[^\d\s]", o),
        r"(?:[\x00-\x08\x0E-\x1F\x21-\x2F\x3A-\xFF])"
    );
    assert_eq!(
        fancy_text(r"[[:^alpha:]0]", o),
        r"(?:[\x00-\x40\x5B-\x60\x7B-\xFF])"
    );
    assert_eq!(
        fancy_text(r"[^a-\d]", o),
        r"(?:[\x00-\x2C\x2E-\x2F\x3A-\x60\x62-\xFF])"
    );
    assert_eq!(fancy_text(r"[^\x00-\xff]", o), r"(?:[^\x00-\x{10FFFF}])");
    // The `regex` target keeps its byte classes.
    let t = translate(r"[^\x27].\D", o, Target::Regex).unwrap();
    assert_eq!(t.text, r"(?:[^\x27].[^0-9])");
}

#[test]
fn fancy_caseless_folds_before_negating() {
    let i = Opts {
        caseless: true,
        ..Opts::default()
    };
    // Neither `a` nor `A`; the set is closed under case, so it is written
    // case-sensitive.
    assert_eq!(
        fancy_text(r"[^a]", i),
        r"(?i)(?:(?-i:[\x00-\x40\x42-\x60\x62-\xFF]))"
    );
    // Latin-1 letters fold too on this path: not é (0xE9) nor É (0xC9).
    assert_eq!(
        fancy_text(r"[^\xe9]", i),
        r"(?i)(?:(?-i:[\x00-\xC8\xCA-\xE8\xEA-\xFF]))"
    );
    // Scoped `i`.
    assert_eq!(
        fancy_text(r"(?i:[^a])[^a]", Opts::default()),
        r"(?:(?i:(?-i:[\x00-\x40\x42-\x60\x62-\xFF]))[\x00-\x60\x62-\xFF])"
    );
    let p = |v: &str| {
        let (p, _) = parse_pcre(v).unwrap();
        CompiledPcre::compile_backtracking(&p).unwrap()
    };
    let neg = p(r#""/[^a]/i""#);
    assert_eq!(neg.find(b"aA", 0), None);
    assert_eq!(neg.find(b"aAb", 0), Some((2, 3)));
    let neg = p(r#""/(?i)[^\xe9]/""#);
    assert_eq!(neg.find(b"\xe9\xc9", 0), None);
    assert_eq!(neg.find(b"\xe9\xc9\xca", 0), Some((2, 3)));
}

/// The bounded classes mean, over a Latin-1 haystack, what the unbounded
/// ones meant: the `regex` target's text (the old backtracking text for
/// these patterns) run by the Unicode `regex` crate over one char U+00NN
/// is the oracle for every byte NN.
#[test]
fn fancy_classes_keep_unicode_meaning_on_latin1() {
    let patterns = [
        r"[^\x27]",
        r".",
        r"\N",
        r"\W",
        r"\D",
        r"\S",
        r"\H",
        r"\V",
        r"[^a-z]",
        r"[^\xe0-\xefK]",
        r"[\Wk]",
        r"[^\W\d]",
        r"[[:^lower:]]",
        r"[[:^alpha:][:digit:]]",
        r"[^[:^upper:]s]",
        r"(?-i:[^a])",
        r"(?s:.)",
    ];
    for pat in patterns {
        for caseless in [false, true] {
            for dotall in [false, true] {
                let opts = Opts {
                    caseless,
                    dotall,
                    ..Opts::default()
                };
                let old = translate(pat, opts, Target::Regex).unwrap().text;
                let old = regex::Regex::new(&format!(r"\A{old}\z")).unwrap();
                let new = translate(pat, opts, Target::Fancy).unwrap().text;
                let new = fancy_regex::Regex::new(&format!(r"\A{new}\z")).unwrap();
                for b in 0..=255u8 {
                    let hay = char::from(b).to_string();
                    assert_eq!(
                        new.is_match(&hay).unwrap(),
                        old.is_match(&hay),
                        "/{pat}/ i={caseless} s={dotall} on {b:#04x}"
                    );
                }
            }
        }
    }
}

/// Every byte against classes and escapes: the backtracking path (bounded
/// classes over the Latin-1 view) agrees with the `regex::bytes` path, and
/// both with a hand-written membership test.
#[test]
fn fancy_classes_match_bytes_like_regex() {
    type Member = fn(u8) -> bool;
    let cases: [(&str, Member); 9] = [
        (r#""/^[^\x27]$/""#, |b| b != 0x27),
        (r#""/^.$/""#, |b| b != b'\n'),
        (r#""/^.$/s""#, |_| true),
        (r#""/^\N$/s""#, |b| b != b'\n'),
        (r#""/^\W$/""#, |b| !(b.is_ascii_alphanumeric() || b == b'_')),
        (r#""/^[^\d\s]$/""#, |b| {
            !(b.is_ascii_digit() || (0x09..=0x0D).contains(&b) || b == b' ')
        }),
        (r#""/^\H$/""#, |b| !matches!(b, 0x09 | 0x20 | 0xA0)),
        (r#""/^\V$/""#, |b| !matches!(b, 0x0A..=0x0D | 0x85)),
        (r#""/^[^a-z\x80-\x9f]$/""#, |b| {
            !(b.is_ascii_lowercase() || (0x80..=0x9F).contains(&b))
        }),
    ];
    for (v, member) in cases {
        let (p, _) = parse_pcre(v).unwrap();
        let fancy = CompiledPcre::compile_backtracking(&p).unwrap();
        let regex = CompiledPcre::compile(&p).unwrap();
        for b in 0..=255u8 {
            let want = member(b).then_some((0, 1));
            assert_eq!(fancy.find(&[b], 0), want, "{v} fancy on {b:#04x}");
            assert_eq!(regex.find(&[b], 0), want, "{v} regex on {b:#04x}");
        }
    }
    // A back reference pattern (backtracking in `compile`) over high bytes
    // and a newline.
    let p = c(r#""/(\w+)=([^\x27]{3,})\x27\1/""#);
    assert!(matches!(p.engine(), PcreEngine::Backtracking(_)));
    assert_eq!(p.find(b"-ab=\xff\n\x80'ab", 0), Some((1, 10)));
    assert_eq!(p.find(b"-ab=\xff\x27\x80'ab", 0), None);
    let p = c(r#""/(a).{2}\1/""#);
    assert_eq!(p.find(b"a\xe9\xffa", 0), Some((0, 4)));
    assert_eq!(p.find(b"a\n\xffa", 0), None);
    assert_eq!(c(r#""/(a).{2}\1/s""#).find(b"a\n\xffa", 0), Some((0, 4)));
}

#[test]
fn program_is_built_on_first_search_and_kept() {
    // Checked at compile time, but no program kept until a search.
    let re = c(r#""/ab+c/""#);
    assert!(re.inner.get().is_none());
    assert_eq!(re.engine(), PcreEngine::Regex);
    assert_eq!(re.find(b"xabbc", 0), Some((1, 5)));
    assert!(matches!(re.inner.get(), Some(Some(Compiled::Regex { .. }))));
    // The kept program gives the same answers.
    assert_eq!(re.find(b"xabbc", 2), None);
    assert_eq!(re.find(b"abc abbbc", 1), Some((4, 9)));
    // A backtracking pattern (a back reference) the same way.
    let bt = c(r#""/(a)\1/""#);
    assert!(bt.inner.get().is_none());
    assert_eq!(bt.find(b"xaa", 0), Some((1, 3)));
    assert!(matches!(bt.inner.get(), Some(Some(Compiled::Fancy(_)))));
}
