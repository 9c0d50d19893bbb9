//! `base64_decode` with Suricata 8's semantics: decode base64 from the
//! inspected buffer (from the previous match end when `relative`, then
//! `offset` bytes on, at most `bytes` input bytes; 65,535 when not
//! given) in RFC 4648 mode, into a per-thread scratch buffer that
//! `base64_data` then inspects.
//!
//! The decoder (Suricata's `decode_rfc4648`): base64 characters and `=`
//! are taken four at a time; the first other byte, or the end of the
//! input, stops decoding and pads an incomplete group with `=`. A group
//! whose first or second character is `=` is an error and the whole
//! decode yields nothing (Suricata's decoder then reports 0 bytes).
//!
//! What this module does not do: walk the `base64_data` list (that is
//! [`crate::detect::content`]).

use std::cell::RefCell;

use crate::rule::keywords::app::Base64Decode;

/// The most input bytes one `base64_decode` reads (Suricata's
/// `BASE64_DECODE_MAX`, the default for `bytes`).
pub const MAX_BYTES: u32 = 65535;

thread_local! {
    /// The decoded bytes of the last `base64_decode`, reused per thread:
    /// it grows to the largest decode seen (at most 3/4 of [`MAX_BYTES`])
    /// and is not allocated again after that.
    static DECODED: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

fn sextet(b: u8) -> Option<u8> {
    match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// Decodes `input` into `out` (cleared first) as Suricata's RFC 4648
/// mode does; returns the decoded length (0 on a decoding error, with
/// `out` cleared).
pub fn decode_rfc4648(input: &[u8], out: &mut Vec<u8>) -> usize {
    out.clear();
    let mut i = 0;
    loop {
        let mut q = [b'='; 4];
        let mut n = 0;
        while n < 4 {
            match input.get(i) {
                Some(&b) if b == b'=' || sextet(b).is_some() => {
                    q[n] = b;
                    n += 1;
                    i += 1;
                }
                _ => break,
            }
        }
        if n == 0 {
            break;
        }
        // An incomplete group stays padded with '='.
        let (Some(a), Some(b)) = (sextet(q[0]), sextet(q[1])) else {
            out.clear();
            return 0;
        };
        out.push((a << 2) | (b >> 4));
        if q[2] != b'=' {
            let Some(c) = sextet(q[2]) else {
                out.clear();
                return 0;
            };
            out.push((b << 4) | (c >> 2));
            if q[3] != b'=' {
                let Some(d) = sextet(q[3]) else {
                    out.clear();
                    return 0;
                };
                out.push((c << 6) | d);
            }
        }
        if n < 4 || i >= input.len() {
            break;
        }
    }
    out.len()
}

/// The input `d` decodes in `buf`, given the previous match end `prev`;
/// `None` when the offset is past the data.
pub fn decode_input<'b>(buf: &'b [u8], prev: usize, d: &Base64Decode) -> Option<&'b [u8]> {
    let mut data = if d.relative { buf.get(prev..)? } else { buf };
    if let Some(off) = d.offset.filter(|&o| o > 0) {
        data = data.get(off as usize..).filter(|r| !r.is_empty())?;
    }
    let bytes = d.bytes.unwrap_or(MAX_BYTES) as usize;
    Some(&data[..data.len().min(bytes)])
}

/// Runs `base64_decode` `d` on `buf` and, when something was decoded,
/// calls `then` with the decoded bytes and returns its answer; `false`
/// when nothing was decoded.
pub fn with_decoded(
    buf: &[u8],
    prev: usize,
    d: &Base64Decode,
    then: impl FnOnce(&[u8]) -> bool,
) -> bool {
    let Some(input) = decode_input(buf, prev, d) else {
        return false;
    };
    if input.is_empty() {
        return false;
    }
    DECODED.with(|cell| {
        // A base64_data list cannot hold another base64_decode (the
        // engine refuses such rules), so this borrow is never nested; if
        // it were, the inner decode reads as no match.
        let Ok(mut out) = cell.try_borrow_mut() else {
            return false;
        };
        if decode_rfc4648(input, &mut out) == 0 {
            return false;
        }
        then(&out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        decode_rfc4648(s, &mut v);
        v
    }

    #[test]
    fn rfc4648_mode() {
        assert_eq!(dec(b"QUJD"), b"ABC");
        assert_eq!(dec(b"QUJDRA=="), b"ABCD");
        assert_eq!(dec(b"QUJDREU="), b"ABCDE");
        // Stops at the first non-base64 byte; the partial group "QQ" is
        // padded to "QQ==": one byte.
        assert_eq!(dec(b"QUJDQQ ignored"), b"ABCA");
        // "QUJ" padded to "QUJ=": "AB".
        assert_eq!(dec(b"QUJ"), b"AB");
        // A padded group in the middle, then more groups.
        assert_eq!(dec(b"QQ==QUJD"), b"AABC");
        // One lone character: "Q===" is an error, nothing at all.
        assert_eq!(dec(b"QUJDQ"), b"");
        // '=' first in a group: an error, nothing at all.
        assert_eq!(dec(b"QUJD=\r\n"), b"");
        assert_eq!(dec(b"!QUJD"), b"");
        assert_eq!(dec(b""), b"");
    }

    #[test]
    fn input_window() {
        let d = |bytes, offset, relative| Base64Decode {
            bytes,
            offset,
            relative,
        };
        let buf = b"xxQUJDyy";
        assert_eq!(decode_input(buf, 0, &d(None, None, false)), Some(&buf[..]));
        assert_eq!(
            decode_input(buf, 2, &d(Some(4), None, true)),
            Some(&b"QUJD"[..])
        );
        assert_eq!(
            decode_input(buf, 0, &d(Some(2), Some(2), false)),
            Some(&b"QU"[..])
        );
        assert_eq!(decode_input(buf, 0, &d(None, Some(8), false)), None);
        assert_eq!(decode_input(buf, 8, &d(None, None, true)), Some(&b""[..]));
        assert!(with_decoded(buf, 2, &d(None, None, true), |o| o == b"ABC\xcb"));
        assert!(!with_decoded(buf, 8, &d(None, None, true), |_| true));
    }
}
