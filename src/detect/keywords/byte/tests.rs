use super::*;
use crate::rule::keywords::byte::{
    parse_byte_extract, parse_byte_jump, parse_byte_math, parse_byte_test, parse_isdataat,
};

fn names(n: &[&str]) -> VarNames {
    VarNames {
        names: n.iter().map(|s| s.to_string()).collect(),
    }
}

fn test(v: &str, buf: &[u8], prev_end: usize) -> bool {
    let n = VarNames::default();
    byte_test(
        buf,
        prev_end,
        &parse_byte_test(v).unwrap(),
        &ByteVars::new(&n),
    )
}

fn jump(v: &str, buf: &[u8], prev_end: usize) -> Option<usize> {
    let n = VarNames::default();
    byte_jump(
        buf,
        prev_end,
        &parse_byte_jump(v).unwrap(),
        &ByteVars::new(&n),
    )
}

#[test]
fn byte_test_endianness_and_ops() {
    let buf = [0x01, 0x02, 0x03, 0x04];
    // Big endian by default: 0x0102 = 258.
    assert!(test("2,=,258,0", &buf, 0));
    assert!(test("2,=,0x0201,0,little", &buf, 0));
    assert!(test("2,=,0x0201,0,dce", &buf, 0));
    assert!(test("4,=,0x01020304,0", &buf, 0));
    assert!(test("2,<,0x0304,0", &buf, 0));
    assert!(!test("2,>,0x0304,0", &buf, 0));
    assert!(test("2,>=,0x0102,0", &buf, 0));
    assert!(test("2,<=,0x0102,0", &buf, 0));
    assert!(test("2,!=,5,0", &buf, 0));
    assert!(test("1,&,0x02,1", &buf, 0));
    assert!(!test("1,&,0x01,1", &buf, 0));
    assert!(test("1,!&,0x01,1", &buf, 0));
    // 0x03 ^ 0x03 = 0: no match.
    assert!(!test("1,^,0x03,2", &buf, 0));
}

#[test]
fn byte_test_xor_is_nonzero() {
    let buf = [0x03];
    // 3 ^ 3 = 0: no match; 3 ^ 1 = 2: match.
    assert!(!test("1,^,3,0", &buf, 0));
    assert!(test("1,^,1,0", &buf, 0));
}

#[test]
fn byte_test_relative_and_bounds() {
    let buf = [0xaa, 0xbb, 0x00, 0x10];
    assert!(test("2,=,16,0,relative", &buf, 2));
    assert!(test("1,=,0xbb,-1,relative", &buf, 2));
    // Reading past the end or before the start: no match, even negated.
    assert!(!test("2,=,16,1,relative", &buf, 2));
    assert!(!test("2,!=,16,1,relative", &buf, 2));
    assert!(!test("1,=,0xaa,-3,relative", &buf, 2));
    assert!(!test("9,=,0,0", &[0; 16], 0));
}

#[test]
fn byte_test_strings() {
    assert!(test("3,=,123,0,string,dec", b"123x", 0));
    // strtoull stops at the first non-digit: "12x" reads 12.
    assert!(test("3,=,12,0,string,dec", b"12x", 0));
    assert!(test("4,=,0x1f,0,string,hex", b"0x1f", 0));
    assert!(test("2,=,255,0,string,hex", b"ff", 0));
    assert!(test("3,=,8,0,string,oct", b"010", 0));
    assert!(test("3,=,7,0,string,dec", b" 7 ", 0));
    // No digits: no match.
    assert!(!test("2,!=,5,0,string,dec", b"ab", 0));
    assert!(!test("0,=,0,0,string,dec", b"0", 0));
}

#[test]
fn byte_test_bitmask_shifts() {
    // 0xABCD & 0x0FF0 = 0x0BC0, >> 4 = 0xBC.
    assert!(test("2,=,0xbc,0,bitmask 0x0ff0", &[0xab, 0xcd], 0));
    // 0x80 & 0x80 = 0x80 >> 7 = 1.
    assert!(test("1,=,1,0,bitmask 0x80", &[0x81], 0));
}

#[test]
fn byte_test_with_variable() {
    let n = names(&["len"]);
    let mut vars = ByteVars::new(&n);
    let t = parse_byte_test("1,=,len,0").unwrap();
    // Unset variable: no match.
    assert!(!byte_test(&[5], 0, &t, &vars));
    vars.set("len", 5);
    assert!(byte_test(&[5], 0, &t, &vars));
    assert_eq!(vars.get("len"), Some(5));
    vars.clear();
    assert_eq!(vars.get("len"), None);
}

#[test]
fn byte_jump_forms() {
    // Read 1 byte at 0 (value 2): cursor = 0 + 1 + 2 = 3.
    let buf = [0x02, 0xaa, 0xbb, 0xcc, 0xdd];
    assert_eq!(jump("1,0", &buf, 0), Some(3));
    // Relative from 1: read at 2 (0xbb = 187): out of the buffer.
    assert_eq!(jump("1,1,relative", &buf, 1), None);
    // 2 * 2 = 4: 1 + 4 = 5 = len: the end itself is allowed
    // (`jumpptr > payload + payload_len` fails in Suricata 8).
    assert_eq!(jump("1,0,multiplier 2", &buf, 0), Some(5));
    // 2 * 3 = 6: 1 + 6 = 7, past the end.
    assert_eq!(jump("1,0,multiplier 3", &buf, 0), None);
    assert_eq!(jump("1,0,post_offset -1", &buf, 0), Some(2));
    assert_eq!(jump("1,0,from_beginning", &buf, 0), Some(2));
    // from_end: len 5 + 2 - 3 = 4.
    assert_eq!(jump("1,0,from_end,post_offset -3", &buf, 0), Some(4));
    // align: value 2 rounds up to 4 -> 1 + 4 = 5 = len.
    assert_eq!(jump("1,0,align", &buf, 0), Some(5));
    let buf = [0x01, 0, 0, 0, 0, 0, 0];
    // 1 aligned to 4: 1 + 4 = 5.
    assert_eq!(jump("1,0,align", &buf, 0), Some(5));
    // Little endian 2 bytes [0x01, 0x00] = 1: 2 + 1 = 3.
    assert_eq!(jump("2,0,little", &buf, 0), Some(3));
    // String: "2" then jump counts the characters consumed (1).
    assert_eq!(jump("2,0,string,dec", b"2xabcd", 0), Some(3));
}

#[test]
fn byte_jump_zero_bytes_and_clamp() {
    // (suricata-verify bug-4623 / detect-bytejump-05.) Zero bytes read
    // nothing: the jump is post_offset from the cursor.
    let buf = [0u8; 10];
    assert_eq!(jump("0,0,relative,post_offset -3", &buf, 8), Some(5));
    // Before the buffer start: clamped to 0, not a failure.
    assert_eq!(jump("0,0,relative,post_offset -10", &buf, 4), Some(0));
    // A relative zero-byte read at the very end still jumps.
    assert_eq!(jump("0,0,relative,post_offset -2", &buf, 10), Some(8));
    // One byte or more at the end: nothing to read.
    assert_eq!(jump("1,0,relative", &buf, 10), None);
    // An empty buffer never matches.
    assert_eq!(jump("0,0,post_offset 0", &[], 0), None);
}

#[test]
fn byte_extract_and_math() {
    let n = names(&["a", "b"]);
    let mut vars = ByteVars::new(&n);
    let buf = [0x00, 0x03, 0x10, 0xff];
    let e = parse_byte_extract("2,0,a,multiplier 3").unwrap();
    assert_eq!(byte_extract(&buf, 0, &e, &mut vars), Some(2));
    assert_eq!(vars.get("a"), Some(9));
    let e = parse_byte_extract("1,0,a,relative,align 4").unwrap();
    // 0x10 = 16 stays 16; cursor 2 -> 3.
    assert_eq!(byte_extract(&buf, 2, &e, &mut vars), Some(3));
    assert_eq!(vars.get("a"), Some(16));
    let e = parse_byte_extract("1,1,a,align 4").unwrap();
    assert_eq!(byte_extract(&buf, 0, &e, &mut vars), Some(2));
    assert_eq!(vars.get("a"), Some(4));
    assert_eq!(
        byte_extract(&buf, 0, &parse_byte_extract("2,3,a").unwrap(), &mut vars),
        None
    );
    let m = parse_byte_math("bytes 1, offset 3, oper -, rvalue a, result b").unwrap();
    assert_eq!(byte_math(&buf, 0, &m, &mut vars), Some(4));
    assert_eq!(vars.get("b"), Some(0xff - 4));
    let m = parse_byte_math("bytes 1, offset 2, oper <<, rvalue 4, result b").unwrap();
    assert_eq!(byte_math(&buf, 0, &m, &mut vars), Some(3));
    assert_eq!(vars.get("b"), Some(0x100));
    let m = parse_byte_math("bytes 1, offset 2, oper /, rvalue 0, result b").unwrap();
    assert_eq!(byte_math(&buf, 0, &m, &mut vars), None);
    let m =
        parse_byte_math("bytes 2, offset 0, oper *, rvalue 2, result b, endian little").unwrap();
    assert_eq!(byte_math(&buf, 0, &m, &mut vars), Some(2));
    assert_eq!(vars.get("b"), Some(0x0300 * 2));
}

#[test]
fn isdataat_forms() {
    let n = VarNames::default();
    let v = ByteVars::new(&n);
    let d = |s: &str| parse_isdataat(s).unwrap();
    assert!(isdataat(b"abc", 0, &d("2"), &v));
    assert!(!isdataat(b"abc", 0, &d("3"), &v));
    assert!(isdataat(b"abc", 0, &d("!3"), &v));
    // Relative: prev_end + offset <= len.
    assert!(isdataat(b"abc", 2, &d("1,relative"), &v));
    assert!(!isdataat(b"abc", 2, &d("2,relative"), &v));
}
