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
