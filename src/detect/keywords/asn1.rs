//! `asn1` with Suricata 8's semantics (its `rust/src/asn1`): BER objects
//! are decoded one after another from the offset (`absolute_offset`, or
//! the previous match end plus `relative_offset`, else 0); the keyword
//! matches when one of the decoded objects, or an object nested in a
//! universal SEQUENCE or SET, trips an enabled check:
//!
//! - `oversize_length N`: a definite length over N;
//! - `bitstring_overflow`: a universal primitive BIT STRING whose
//!   unused-bits octet exceeds 8 × its length;
//! - `double_overflow`: a universal primitive REAL in decimal form (first
//!   content octet's two top bits clear) longer than 256 bytes.
//!
//! Bounds, as Suricata's: at most [`MAX_FRAMES`] top-level objects (more
//! data after them: no match at all) and nesting below [`MAX_FRAMES`]
//! levels. An object that does not decode whole (truncated, bad length,
//! too deep) ends decoding; it and what follows are not checked. The
//! parser is iterative with a fixed-size stack: no recursion, no
//! allocation.
//!
//! Not done: Suricata's BER library also rejects some malformed
//! universal primitives (a BOOLEAN of length 2, invalid UTF-8 in a
//! UTF8String...), which end decoding there; this parser accepts them.

use crate::rule::keywords::app::Asn1;

/// Suricata's `max_frames` default: top-level objects and nesting depth.
pub const MAX_FRAMES: usize = 30;

/// One decoded BER header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Header {
    universal: bool,
    constructed: bool,
    tag: u32,
    /// `None`: indefinite length.
    len: Option<usize>,
    /// Header size in bytes.
    size: usize,
}

const TAG_BITSTRING: u32 = 3;
const TAG_REAL: u32 = 9;
const TAG_SEQUENCE: u32 = 16;
const TAG_SET: u32 = 17;

fn header(b: &[u8]) -> Option<Header> {
    let id = *b.first()?;
    let mut i = 1;
    let mut tag = u32::from(id & 0x1f);
    if tag == 0x1f {
        tag = 0;
        loop {
            let c = *b.get(i)?;
            i += 1;
            if i > 6 {
                return None;
            }
            tag = (tag << 7) | u32::from(c & 0x7f);
            if c & 0x80 == 0 {
                break;
            }
        }
    }
    let l = *b.get(i)?;
    i += 1;
    let len = match l {
        0x80 => None,
        0xff => return None,
        l if l & 0x80 == 0 => Some(usize::from(l)),
        l => {
            let n = usize::from(l & 0x7f);
            if n > 4 {
                return None;
            }
            let mut v = 0usize;
            for _ in 0..n {
                v = (v << 8) | usize::from(*b.get(i)?);
                i += 1;
            }
            Some(v)
        }
    };
    let constructed = id & 0x20 != 0;
    if len.is_none() && !constructed {
        return None;
    }
    Some(Header {
        universal: id & 0xc0 == 0,
        constructed,
        tag,
        len,
        size: i,
    })
}

/// Whether `h` with `content` (its content bytes; empty for a
/// constructed object) trips one of `a`'s checks.
fn trips(h: &Header, content: &[u8], a: &Asn1) -> bool {
    let Some(len) = h.len else {
        return false;
    };
    if a.oversize_length.is_some_and(|n| len > n as usize) {
        return true;
    }
    let prim = h.universal && !h.constructed;
    if a.bitstring_overflow && prim && h.tag == TAG_BITSTRING && len > 0 {
        if let Some(&bits) = content.first() {
            if usize::from(bits) > len.saturating_mul(8) {
                return true;
            }
        }
    }
    a.double_overflow
        && prim
        && h.tag == TAG_REAL
        && len > 256
        && content.first().is_some_and(|b| b & 0xc0 == 0)
}

/// One open constructed object.
#[derive(Clone, Copy, Default)]
struct Frame {
    /// Content end; `None`: indefinite (ends at an end-of-contents).
    end: Option<usize>,
    /// Whether objects inside are checked (universal SEQUENCE/SET).
    checked: bool,
}

/// Decodes one top-level object at `data[0..]`: `Some((size, tripped))`,
/// `None` when it does not decode whole.
fn object(data: &[u8], a: &Asn1) -> Option<(usize, bool)> {
    let mut stack = [Frame::default(); MAX_FRAMES];
    let mut depth = 0usize;
    let mut pos = 0usize;
    let mut tripped = false;
    loop {
        // Close the frames that end here.
        while depth > 0 {
            let f = stack[depth - 1];
            match f.end {
                Some(e) if pos == e => depth -= 1,
                Some(e) if pos > e => return None,
                None if data.get(pos..pos + 2) == Some(&[0, 0]) => {
                    pos += 2;
                    depth -= 1;
                }
                _ => break,
            }
        }
        if depth == 0 && pos > 0 {
            return Some((pos, tripped));
        }
        let checked = depth == 0 || stack[depth - 1].checked;
        let h = header(data.get(pos..)?)?;
        let start = pos + h.size;
        match h.len {
            Some(len) => {
                let end = start.checked_add(len).filter(|&e| e <= data.len())?;
                if let Some(f) = depth.checked_sub(1).map(|d| stack[d]) {
                    if f.end.is_some_and(|fe| end > fe) {
                        return None;
                    }
                }
                let content = if h.constructed {
                    &[][..]
                } else {
                    &data[start..end]
                };
                if checked && trips(&h, content, a) {
                    tripped = true;
                }
                if h.constructed && h.universal && matches!(h.tag, TAG_SEQUENCE | TAG_SET) {
                    if depth + 1 >= MAX_FRAMES {
                        return None;
                    }
                    stack[depth] = Frame {
                        end: Some(end),
                        checked,
                    };
                    depth += 1;
                    pos = start;
                } else {
                    pos = end;
                }
            }
            None => {
                // Indefinite length: walk the children to find the end;
                // only a universal SEQUENCE/SET's children are checked.
                if depth + 1 >= MAX_FRAMES {
                    return None;
                }
                let seq = h.universal && matches!(h.tag, TAG_SEQUENCE | TAG_SET);
                stack[depth] = Frame {
                    end: None,
                    checked: checked && seq,
                };
                depth += 1;
                pos = start;
            }
        }
        if depth == 0 {
            return Some((pos, tripped));
        }
    }
}

/// Whether `asn1` `a` matches `buf` given the previous match end `prev`.
pub fn asn1_matches(buf: &[u8], prev: usize, a: &Asn1) -> bool {
    let offset = match (a.absolute_offset, a.relative_offset) {
        (Some(o), _) => usize::from(o),
        (None, Some(r)) => {
            let o = prev as i64 + i64::from(r);
            if !(0..=i64::from(u16::MAX)).contains(&o) {
                return false;
            }
            o as usize
        }
        (None, None) => 0,
    };
    if offset >= buf.len() {
        return false;
    }
    let mut rest = &buf[offset..];
    let mut objects = 0;
    let mut tripped = false;
    while !rest.is_empty() {
        if objects >= MAX_FRAMES {
            return false;
        }
        let Some((size, t)) = object(rest, a) else {
            break;
        };
        tripped |= t;
        objects += 1;
        rest = &rest[size..];
    }
    tripped
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::keywords::app::Asn1;

    fn a(s: &str) -> Asn1 {
        crate::rule::keywords::app::parse_asn1(s).unwrap()
    }

    /// Suricata's ASN1_A3 example (X.690 A.3): an application-tagged
    /// record of length 0x85 = 133 bytes.
    const A3: &[u8] = b"\x60\x81\x85\x61\x10\x1A\x04John\x1A\x01P\x1A\x05Smith\xA0\x0A\x1A\x08Director\x42\x01\x33\xA1\x0A\x43\x0819710917\xA2\x12\x61\x10\x1A\x04Mary\x1A\x01T\x1A\x05Smith\xA3\x42\x31\x1F\x61\x11\x1A\x05Ralph\x1A\x01T\x1A\x05Smith\xA0\x0A\x43\x0819571111\x31\x1F\x61\x11\x1A\x05Susan\x1A\x01B\x1A\x05Jones\xA0\x0A\x43\x0819590717";

    #[test]
    fn suricata_cases() {
        assert_eq!(A3.len(), 3 + 133);
        assert!(asn1_matches(
            A3,
            0,
            &a("oversize_length 132,absolute_offset 0")
        ));
        assert!(!asn1_matches(
            A3,
            0,
            &a("oversize_length 133,absolute_offset 0")
        ));
        // BIT STRING of length 1 whose unused-bits octet is 255 > 8.
        assert!(asn1_matches(b"\x03\x01\xff", 0, &a("bitstring_overflow")));
        assert!(!asn1_matches(b"\x03\x01\x07", 0, &a("bitstring_overflow")));
        // REAL of length 257 (0x82 0x01 0x01), content 0x05...: decimal.
        let mut real = vec![0x05u8; 261];
        real[..4].copy_from_slice(&[0x09, 0x82, 0x01, 0x01]);
        assert!(asn1_matches(&real, 0, &a("double_overflow")));
        real[3] = 0x00; // length 256: not over 256 (and 1 byte left over).
        assert!(!asn1_matches(&real, 0, &a("double_overflow")));
    }

    #[test]
    fn nesting_offsets_and_bounds() {
        // SEQUENCE { BIT STRING len 1 unused 0x20 }: checked inside.
        let seq = b"\x30\x03\x03\x01\x20";
        assert!(asn1_matches(seq, 0, &a("bitstring_overflow")));
        // Inside a context-specific [0] the child is not decoded.
        let ctx = b"\xa0\x03\x03\x01\x20";
        assert!(!asn1_matches(ctx, 0, &a("bitstring_overflow")));
        // Indefinite SEQUENCE with the same child, then end-of-contents.
        let indef = b"\x30\x80\x03\x01\x20\x00\x00";
        assert!(asn1_matches(indef, 0, &a("bitstring_overflow")));
        // Offsets: relative to the previous match end.
        let buf = b"xx\x03\x01\xff";
        assert!(asn1_matches(
            buf,
            1,
            &a("bitstring_overflow,relative_offset 1")
        ));
        assert!(!asn1_matches(
            buf,
            0,
            &a("bitstring_overflow,relative_offset -1")
        ));
        assert!(asn1_matches(
            buf,
            0,
            &a("bitstring_overflow,absolute_offset 2")
        ));
        assert!(!asn1_matches(
            buf,
            0,
            &a("bitstring_overflow,absolute_offset 5")
        ));
        // A truncated object is not checked: length 4096 > 100, but only
        // 2 content bytes are there.
        assert!(!asn1_matches(
            b"\x04\x82\x10\x00ab",
            0,
            &a("oversize_length 100")
        ));
        assert!(asn1_matches(
            b"\x04\x02ab\x04\x65",
            0,
            &a("oversize_length 1")
        ));
        // More than 30 objects: no match, even with a tripping first one.
        let mut many = b"\x03\x01\xff".to_vec();
        many.extend(std::iter::repeat_n(&b"\x05\x00"[..], 30).flatten());
        assert!(!asn1_matches(&many, 0, &a("bitstring_overflow")));
        many.truncate(3 + 29 * 2);
        assert!(asn1_matches(&many, 0, &a("bitstring_overflow")));
        // Nesting 40 SEQUENCEs deep does not decode: no match.
        let mut deep = Vec::new();
        for i in 0..40u8 {
            deep.extend([0x30, 2 * (40 - i) + 1]);
        }
        deep.extend(b"\x03\x01\xff");
        assert!(!asn1_matches(&deep, 0, &a("bitstring_overflow")));
    }
}
