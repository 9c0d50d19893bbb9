//! Panic-free big-endian reads used by every view's accessors.
//!
//! A view's `check_len` guarantees the bytes these helpers read are present,
//! so on a checked view they behave like plain indexing. On a view built
//! with `new_unchecked` over a buffer that is too short they return 0 (or an
//! empty slice) instead of panicking: the decoder never does that, and
//! `decode` never hands such a view out.

use std::ops::Range;

/// The byte at `at`, or 0 when out of range.
#[inline]
pub(crate) fn u8_at(buf: &[u8], at: usize) -> u8 {
    buf.get(at).copied().unwrap_or(0)
}

/// The big-endian `u16` at `at..at + 2`, or 0 when out of range.
#[inline]
pub(crate) fn be16(buf: &[u8], at: usize) -> u16 {
    match buf.get(at..at.saturating_add(2)) {
        Some(&[a, b]) => u16::from_be_bytes([a, b]),
        _ => 0,
    }
}

/// The little-endian `u32` at `at..at + 4`, or 0 when out of range.
#[inline]
pub(crate) fn le32(buf: &[u8], at: usize) -> u32 {
    match buf.get(at..at.saturating_add(4)) {
        Some(&[a, b, c, d]) => u32::from_le_bytes([a, b, c, d]),
        _ => 0,
    }
}

/// The big-endian `u32` at `at..at + 4`, or 0 when out of range.
#[inline]
pub(crate) fn be32(buf: &[u8], at: usize) -> u32 {
    match buf.get(at..at.saturating_add(4)) {
        Some(&[a, b, c, d]) => u32::from_be_bytes([a, b, c, d]),
        _ => 0,
    }
}

/// `buf[range]`, clamped to the buffer (empty when entirely out of range).
#[inline]
pub(crate) fn slice(buf: &[u8], range: Range<usize>) -> &[u8] {
    let end = range.end.min(buf.len());
    let start = range.start.min(end);
    buf.get(start..end).unwrap_or(&[])
}

/// `buf[from..]`, empty when `from` is past the end.
#[inline]
pub(crate) fn tail(buf: &[u8], from: usize) -> &[u8] {
    buf.get(from..).unwrap_or(&[])
}

/// A fixed-size array copied from `buf[at..at + N]`, zeros when out of range.
#[inline]
pub(crate) fn array<const N: usize>(buf: &[u8], at: usize) -> [u8; N] {
    let mut out = [0u8; N];
    if let Some(src) = buf.get(at..at.saturating_add(N)) {
        out.copy_from_slice(src);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_in_and_out_of_range() {
        let b = [0x12, 0x34, 0x56, 0x78];
        assert_eq!(be16(&b, 0), 0x1234);
        assert_eq!(be16(&b, 3), 0);
        assert_eq!(be32(&b, 0), 0x1234_5678);
        assert_eq!(le32(&b, 0), 0x7856_3412);
        assert_eq!(be32(&b, 1), 0);
        assert_eq!(u8_at(&b, 4), 0);
        assert_eq!(slice(&b, 2..9), &[0x56, 0x78]);
        assert_eq!(slice(&b, 7..9), &[] as &[u8]);
        assert_eq!(tail(&b, 5), &[] as &[u8]);
        assert_eq!(array::<2>(&b, 1), [0x34, 0x56]);
        assert_eq!(array::<2>(&b, 3), [0, 0]);
        assert_eq!(be16(&b, usize::MAX), 0);
    }
}
