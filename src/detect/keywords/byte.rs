//! `byte_test`, `byte_jump`, `byte_extract`, `byte_math` and `isdataat`:
//! numbers read out of an inspection buffer, with Suricata's semantics
//! (`detect-bytetest.c`, `detect-bytejump.c`, `detect-byte-extract.c`,
//! `byte_math`, `detect-isdataat.c`).
//!
//! Every evaluator takes the buffer, the cursor (`prev_end`: where the
//! previous match in this buffer ended, Suricata's `buffer_offset`, used by
//! `relative`) and the rule's variables. Nothing allocates, nothing panics
//! on any input: a read outside the buffer is a non-match.
//!
//! Numbers: big endian unless `little`; `dce` is read as little endian
//! (the DCE/RPC data representation of virtually all traffic; the engine
//! does not pass the header's byte order). `string,<base>` reads up to
//! `bytes` characters as C's `strtoull` does (leading blanks, a sign,
//! `0x` for hex, stops at the first non-digit); no digit or an overflow is
//! a non-match. `bitmask` ANDs the value, then shifts it right by the
//! mask's trailing zero bits.

use crate::rule::keywords::byte::{
    ByteExtract, ByteJump, ByteMath, ByteOp, ByteTest, Endian, IsDataAt, MathOp, NumBase,
};
use crate::rule::keywords::value::Operand;
use crate::rule::{Match, Rule};

/// Most `byte_extract`/`byte_math` variables one rule may define.
pub const MAX_BYTE_VARS: usize = 16;

/// The names of a rule's byte variables, in definition order (built once
/// per rule at engine build time). A variable's index is its position.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VarNames {
    names: Vec<String>,
}

impl VarNames {
    /// The `byte_extract` names and `byte_math` results of `rule`, in rule
    /// order, at most [`MAX_BYTE_VARS`] (later ones are ignored: reading
    /// them is a non-match).
    pub fn of_rule(rule: &Rule) -> VarNames {
        let mut names: Vec<String> = Vec::new();
        for m in rule.lists.iter().flat_map(|l| l.matches.iter()) {
            let name = match m {
                Match::ByteExtract(e) => &e.name,
                Match::ByteMath(b) => &b.result,
                _ => continue,
            };
            if names.len() < MAX_BYTE_VARS && !names.iter().any(|n| n == name) {
                names.push(name.clone());
            }
        }
        VarNames { names }
    }

    /// The index of `name`.
    pub fn index(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// How many names there are.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// The byte variables of one rule evaluation: values by index, with the
/// names of [`VarNames`] to resolve the rule's `Operand::Var`s (a linear
/// look-up over at most 16 short names, no allocation). A variable not
/// yet set reads as absent.
#[derive(Clone, Debug)]
pub struct ByteVars<'a> {
    names: &'a VarNames,
    values: [u64; MAX_BYTE_VARS],
    set: u16,
}

impl<'a> ByteVars<'a> {
    /// No variable set.
    pub fn new(names: &'a VarNames) -> ByteVars<'a> {
        ByteVars {
            names,
            values: [0; MAX_BYTE_VARS],
            set: 0,
        }
    }

    /// Forgets every value (for the next evaluation of the same rule).
    pub fn clear(&mut self) {
        self.set = 0;
    }

    /// The value of `name`, if set.
    pub fn get(&self, name: &str) -> Option<u64> {
        let i = self.names.index(name)?;
        (self.set & (1 << i) != 0).then(|| self.values[i])
    }

    /// Sets `name` (ignored when the name is unknown).
    pub fn set(&mut self, name: &str, value: u64) {
        if let Some(i) = self.names.index(name) {
            self.values[i] = value;
            self.set |= 1 << i;
        }
    }

    fn num(&self, op: &Operand<u64>) -> Option<u64> {
        match op {
            Operand::Num(n) => Some(*n),
            Operand::Var(v) => self.get(v),
        }
    }

    fn offset(&self, op: &Operand<i64>) -> Option<i64> {
        match op {
            Operand::Num(n) => Some(*n),
            Operand::Var(v) => self.get(v).map(|n| n as i64),
        }
    }
}

/// How the number is written.
#[derive(Clone, Copy)]
struct Format {
    bytes: u8,
    endian: Option<Endian>,
    string: Option<NumBase>,
    bitmask: Option<u64>,
}

/// Where a read starts: `offset`, plus `prev_end` when relative; `None`
/// when it falls outside the buffer.
fn start(buf: &[u8], prev_end: usize, offset: i64, relative: bool) -> Option<usize> {
    let base = if relative { prev_end as i64 } else { 0 };
    let at = base.checked_add(offset)?;
    let at = usize::try_from(at).ok()?;
    (at <= buf.len()).then_some(at)
}

/// Reads the number at `at`: its value (bitmask applied) and how many
/// bytes it took.
fn read(buf: &[u8], at: usize, f: Format) -> Option<(u64, usize)> {
    let n = usize::from(f.bytes);
    let raw = buf.get(at..at.checked_add(n)?)?;
    let (mut v, used) = match f.string {
        Some(base) => parse_string(raw, base)?,
        None => {
            if n == 0 || n > 8 {
                return None;
            }
            let little = matches!(f.endian, Some(Endian::Little | Endian::Dce));
            let v = if little {
                raw.iter().rev().fold(0u64, |a, &b| (a << 8) | u64::from(b))
            } else {
                raw.iter().fold(0u64, |a, &b| (a << 8) | u64::from(b))
            };
            (v, n)
        }
    };
    if let Some(mask) = f.bitmask {
        v &= mask;
        if v != 0 && mask != 0 {
            v >>= mask.trailing_zeros();
        }
    }
    Some((v, used))
}

/// C's `strtoull` over `s`: the value and the characters consumed;
/// `None` for no digits or an overflow.
fn parse_string(s: &[u8], base: NumBase) -> Option<(u64, usize)> {
    let radix = match base {
        NumBase::Hex => 16,
        NumBase::Dec => 10,
        NumBase::Oct => 8,
    };
    let mut i = 0;
    while s
        .get(i)
        .is_some_and(|b| b.is_ascii_whitespace() || *b == 0x0b)
    {
        i += 1;
    }
    let mut negative = false;
    if let Some(&c @ (b'+' | b'-')) = s.get(i) {
        negative = c == b'-';
        i += 1;
    }
    if radix == 16
        && s.get(i) == Some(&b'0')
        && matches!(s.get(i + 1), Some(b'x' | b'X'))
        && s.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
    {
        i += 2;
    }
    let digits_from = i;
    let mut v: u64 = 0;
    while let Some(d) = s.get(i).and_then(|&b| (b as char).to_digit(radix)) {
        v = v.checked_mul(u64::from(radix))?.checked_add(u64::from(d))?;
        i += 1;
    }
    if i == digits_from {
        return None;
    }
    Some((if negative { v.wrapping_neg() } else { v }, i))
}

/// `byte_test`: whether the number compares as the rule says. The cursor
/// does not move.
pub fn byte_test(buf: &[u8], prev_end: usize, t: &ByteTest, vars: &ByteVars<'_>) -> bool {
    let eval = || -> Option<bool> {
        let at = start(buf, prev_end, vars.offset(&t.offset)?, t.relative)?;
        let f = Format {
            bytes: t.bytes,
            endian: t.endian,
            string: t.string,
            bitmask: t.bitmask,
        };
        let (v, _) = read(buf, at, f)?;
        let want = vars.num(&t.value)?;
        let r = match t.op {
            ByteOp::Lt => v < want,
            ByteOp::Gt => v > want,
            ByteOp::Le => v <= want,
            ByteOp::Ge => v >= want,
            ByteOp::Eq => v == want,
            ByteOp::And => v & want != 0,
            ByteOp::Xor => v ^ want != 0,
        };
        Some(r != t.negated)
    };
    eval().unwrap_or(false)
}

/// `byte_jump`: the new cursor, or `None` (no match), as Suricata 8's
/// `DetectBytejumpDoMatch`:
///
/// * an empty buffer never matches; the read starts at `offset` (plus the
///   cursor when `relative`) and must fit in the buffer (a relative read of
///   one byte or more must start before the end);
/// * `bytes` may be 0: nothing is read and the value is 0;
/// * the target is the read's end plus the value (times `multiplier`,
///   rounded up to 4 with `align`), or the buffer start/end plus the value
///   with `from_beginning`/`from_end`, then plus `post_offset`;
/// * a target before the buffer start is clamped to the start; a target
///   past the end fails; the end itself is allowed (a following relative
///   match then finds nothing, `isdataat:!1,relative` holds).
pub fn byte_jump(buf: &[u8], prev_end: usize, j: &ByteJump, vars: &ByteVars<'_>) -> Option<usize> {
    if buf.is_empty() {
        return None;
    }
    let base = if j.relative { prev_end as i64 } else { 0 };
    let at = base.checked_add(vars.offset(&j.offset)?)?;
    let len = buf.len() as i64 - at;
    let n = i64::from(j.bytes);
    if (j.relative && n != 0 && len <= 0) || at < 0 || n > len {
        return None;
    }
    let at = at as usize;
    let (v, used) = if n == 0 && j.string.is_none() {
        (0, 0)
    } else {
        let f = Format {
            bytes: j.bytes,
            endian: j.endian,
            string: j.string,
            bitmask: j.bitmask,
        };
        read(buf, at, f)?
    };
    let mut v = v.wrapping_mul(j.multiplier.unwrap_or(1));
    if j.align && v % 4 != 0 {
        v = v.wrapping_add(4 - v % 4);
    }
    // Suricata adds the (signed) post_offset to the unsigned value and
    // uses the sum as a signed 64-bit jump.
    let v = v.wrapping_add(j.post_offset.unwrap_or(0) as u64) as i64;
    let from = if j.from_beginning {
        0
    } else if j.from_end {
        buf.len() as i128
    } else {
        (at + used) as i128
    };
    let target = from + i128::from(v);
    if target > buf.len() as i128 {
        return None;
    }
    Some(target.max(0) as usize)
}

/// `byte_extract`: stores the number (bitmask, then `multiplier`, then
/// `align` rounding up) in its variable and returns the new cursor (the
/// end of the bytes read), or `None` when the read falls outside.
pub fn byte_extract(
    buf: &[u8],
    prev_end: usize,
    e: &ByteExtract,
    vars: &mut ByteVars<'_>,
) -> Option<usize> {
    let at = start(buf, prev_end, e.offset, e.relative)?;
    let f = Format {
        bytes: e.bytes,
        endian: e.endian,
        string: e.string,
        bitmask: e.bitmask,
    };
    let (v, used) = read(buf, at, f)?;
    let mut v = v.wrapping_mul(e.multiplier.unwrap_or(1));
    if let Some(a) = e.align.map(u64::from).filter(|&a| a > 0) {
        if v % a != 0 {
            v = v.wrapping_add(a - v % a);
        }
    }
    vars.set(&e.name, v);
    Some(at + used)
}

/// `byte_math`: stores `number <oper> rvalue` (wrapping; a shift by 64 or
/// more gives 0; division by zero is a non-match) in its result variable
/// and returns the end of the bytes read, or `None`.
pub fn byte_math(
    buf: &[u8],
    prev_end: usize,
    m: &ByteMath,
    vars: &mut ByteVars<'_>,
) -> Option<usize> {
    let at = start(buf, prev_end, m.offset, m.relative)?;
    let f = Format {
        bytes: m.bytes,
        endian: m.endian,
        string: m.string,
        bitmask: m.bitmask,
    };
    let (v, used) = read(buf, at, f)?;
    let r = vars.num(&m.rvalue)?;
    let out = match m.oper {
        MathOp::Add => v.wrapping_add(r),
        MathOp::Sub => v.wrapping_sub(r),
        MathOp::Mul => v.wrapping_mul(r),
        MathOp::Div => v.checked_div(r)?,
        MathOp::Shl => u32::try_from(r)
            .ok()
            .and_then(|s| v.checked_shl(s))
            .unwrap_or(0),
        MathOp::Shr => u32::try_from(r)
            .ok()
            .and_then(|s| v.checked_shr(s))
            .unwrap_or(0),
    };
    vars.set(&m.result, out);
    Some(at + used)
}

/// `isdataat`: absolute, whether byte `offset` exists (`offset < len`);
/// relative, whether `prev_end + offset <= len` (Suricata's check);
/// negated with `!`.
pub fn isdataat(buf: &[u8], prev_end: usize, d: &IsDataAt, vars: &ByteVars<'_>) -> bool {
    let Some(off) = vars.offset(&d.offset) else {
        return false;
    };
    let len = buf.len() as i128;
    let has = if d.relative {
        prev_end as i128 + i128::from(off) <= len
    } else {
        i128::from(off) < len
    };
    has != d.negated
}

#[cfg(test)]
mod tests;
