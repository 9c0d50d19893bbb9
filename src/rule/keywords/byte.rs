//! `byte_test`, `byte_jump`, `byte_extract`, `byte_math` and `isdataat`:
//! reading numbers out of the buffer.
//!
//! Syntax and option names are Suricata's (`detect-bytetest.c`,
//! `detect-bytejump.c`, `rust/src/detect/byte_math.rs`,
//! `detect-byte-extract.c`), which also covers Snort 2 and Snort 3 rules.
//! Values and offsets may name a variable set by an earlier
//! `byte_extract` or `byte_math`; whether it exists is checked when the
//! rule is built.

use std::fmt;

use super::value::{
    commas, is_var_name, number, operand_i64, parse_u64, split_word, Operand, VResult, ValueError,
};

/// Byte order of the extracted number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Endian {
    /// `big` (the default).
    Big,
    /// `little`.
    Little,
    /// `dce`: as the DCE/RPC header says.
    Dce,
}

/// Base of a number written as text (`string,dec`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NumBase {
    /// `hex`.
    Hex,
    /// `dec`.
    Dec,
    /// `oct`.
    Oct,
}

impl NumBase {
    fn name(self) -> &'static str {
        match self {
            NumBase::Hex => "hex",
            NumBase::Dec => "dec",
            NumBase::Oct => "oct",
        }
    }
}

/// `byte_test` comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ByteOp {
    /// `<`.
    Lt,
    /// `>`.
    Gt,
    /// `<=`.
    Le,
    /// `>=`.
    Ge,
    /// `=`.
    Eq,
    /// `&`: any of the value's bits set.
    And,
    /// `^`: bitwise exclusive or is non-zero.
    Xor,
}

impl ByteOp {
    fn symbol(self) -> &'static str {
        match self {
            ByteOp::Lt => "<",
            ByteOp::Gt => ">",
            ByteOp::Le => "<=",
            ByteOp::Ge => ">=",
            ByteOp::Eq => "=",
            ByteOp::And => "&",
            ByteOp::Xor => "^",
        }
    }
}

/// `byte_test`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ByteTest {
    /// Number of bytes to read (1-8, up to 23 as a string).
    pub bytes: u8,
    /// `!` before the operator.
    pub negated: bool,
    /// Comparison.
    pub op: ByteOp,
    /// Value to compare with.
    pub value: Operand<u64>,
    /// Where to read.
    pub offset: Operand<i64>,
    /// `relative`.
    pub relative: bool,
    /// Byte order (default big).
    pub endian: Option<Endian>,
    /// `string,<base>`.
    pub string: Option<NumBase>,
    /// `bitmask N`.
    pub bitmask: Option<u64>,
}

/// `byte_jump`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ByteJump {
    /// Number of bytes to read.
    pub bytes: u8,
    /// Where to read.
    pub offset: Operand<i64>,
    /// `relative`.
    pub relative: bool,
    /// `multiplier N`.
    pub multiplier: Option<u64>,
    /// Byte order.
    pub endian: Option<Endian>,
    /// `string,<base>`.
    pub string: Option<NumBase>,
    /// `align`: round up to 4.
    pub align: bool,
    /// `from_beginning`.
    pub from_beginning: bool,
    /// `from_end`.
    pub from_end: bool,
    /// `post_offset N`.
    pub post_offset: Option<i64>,
    /// `bitmask N`.
    pub bitmask: Option<u64>,
}

/// `byte_extract`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ByteExtract {
    /// Number of bytes to read.
    pub bytes: u8,
    /// Where to read.
    pub offset: i64,
    /// Variable that receives the value.
    pub name: String,
    /// `relative`.
    pub relative: bool,
    /// `multiplier N`.
    pub multiplier: Option<u64>,
    /// Byte order.
    pub endian: Option<Endian>,
    /// `string,<base>`.
    pub string: Option<NumBase>,
    /// `align N` (2 or 4).
    pub align: Option<u8>,
    /// `bitmask N`.
    pub bitmask: Option<u64>,
}

/// `byte_math` operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MathOp {
    /// `+`.
    Add,
    /// `-`.
    Sub,
    /// `*`.
    Mul,
    /// `/`.
    Div,
    /// `<<`.
    Shl,
    /// `>>`.
    Shr,
}

impl MathOp {
    fn symbol(self) -> &'static str {
        match self {
            MathOp::Add => "+",
            MathOp::Sub => "-",
            MathOp::Mul => "*",
            MathOp::Div => "/",
            MathOp::Shl => "<<",
            MathOp::Shr => ">>",
        }
    }
}

/// `byte_math`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ByteMath {
    /// Number of bytes to read.
    pub bytes: u8,
    /// Where to read.
    pub offset: i64,
    /// Operator.
    pub oper: MathOp,
    /// Right-hand value.
    pub rvalue: Operand<u64>,
    /// Variable that receives the result.
    pub result: String,
    /// `relative`.
    pub relative: bool,
    /// Byte order.
    pub endian: Option<Endian>,
    /// `string <base>`.
    pub string: Option<NumBase>,
    /// `bitmask N`.
    pub bitmask: Option<u64>,
}

/// `isdataat`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct IsDataAt {
    /// `!`: there must NOT be data there.
    pub negated: bool,
    /// Position.
    pub offset: Operand<i64>,
    /// `relative`.
    pub relative: bool,
    /// `rawbytes`.
    pub rawbytes: bool,
}

/// Number of bytes to read: at most 23 (a string number); Suricata
/// accepts 0 (ET sid 2033131 has `byte_test:0,=,0,0,string,dec`).
fn bytes_count(s: &str) -> VResult<u8> {
    Ok(number(s, 23, "number of bytes")? as u8)
}

/// A bitmask: `0x` hex, decimal, or (Snort style, as in a commented-out
/// ET rule's `bitmask fc`) bare hex when it has a hex letter.
fn bitmask(s: &str) -> VResult<u64> {
    let t = s.trim();
    let n = if !t.starts_with("0x") && t.bytes().any(|b| b.is_ascii_alphabetic()) {
        u64::from_str_radix(t, 16).ok()
    } else {
        parse_u64(t)
    };
    match n {
        Some(n) if n <= u64::from(u32::MAX) => Ok(n),
        _ => Err(ValueError::new(format!(
            "bitmask: '{t}' is not a 32-bit number"
        ))),
    }
}

fn base(s: &str) -> Option<NumBase> {
    match s {
        "hex" => Some(NumBase::Hex),
        "dec" => Some(NumBase::Dec),
        "oct" => Some(NumBase::Oct),
        _ => None,
    }
}

/// Options shared by the byte keywords, collected from the tail tokens.
#[derive(Default)]
struct Tail {
    relative: bool,
    endian: Option<Endian>,
    string: Option<NumBase>,
    bitmask: Option<u64>,
    multiplier: Option<u64>,
    align: bool,
    align_n: Option<u8>,
    from_beginning: bool,
    from_end: bool,
    post_offset: Option<i64>,
}

fn set_endian(t: &mut Tail, e: Endian) -> VResult<()> {
    if t.endian.is_some() {
        return Err(ValueError::new("byte order given twice"));
    }
    t.endian = Some(e);
    Ok(())
}

/// Reads the optional tokens after the positional arguments. `allowed`
/// lists the option words this keyword takes.
fn tail<'a>(items: impl Iterator<Item = &'a str>, allowed: &[&str]) -> VResult<Tail> {
    let mut t = Tail::default();
    let mut items = items.peekable();
    while let Some(item) = items.next() {
        let (word, arg) = split_word(item);
        if !allowed.contains(&word) {
            return Err(ValueError::new(format!("unknown option '{item}'")));
        }
        match (word, arg) {
            ("relative", "") => t.relative = true,
            ("big", "") => set_endian(&mut t, Endian::Big)?,
            ("little", "") => set_endian(&mut t, Endian::Little)?,
            ("dce", "") => set_endian(&mut t, Endian::Dce)?,
            ("endian", e) => set_endian(
                &mut t,
                match e {
                    "big" => Endian::Big,
                    "little" => Endian::Little,
                    "dce" => Endian::Dce,
                    _ => return Err(ValueError::new(format!("unknown byte order '{e}'"))),
                },
            )?,
            ("string", b) => {
                // `string,dec` (two items) or `string dec` (one).
                let b = if b.is_empty() {
                    match items.peek().copied().and_then(base) {
                        Some(_) => items.next().unwrap_or("dec"),
                        None => "dec",
                    }
                } else {
                    b
                };
                t.string = Some(
                    base(b).ok_or_else(|| ValueError::new(format!("unknown number base '{b}'")))?,
                );
            }
            ("hex" | "dec" | "oct", "") => {
                // A base before `string` (`dec,string`) also occurs.
                t.string = base(word);
            }
            ("align", "") => t.align = true,
            ("align", n) => {
                let n = number(n, 4, "align")?;
                if n != 2 && n != 4 {
                    return Err(ValueError::new("align must be 2 or 4"));
                }
                t.align_n = Some(n as u8);
            }
            ("from_beginning", "") => t.from_beginning = true,
            ("from_end", "") => t.from_end = true,
            ("post_offset", n) => {
                let (min, max) = JUMP_OFFSET;
                t.post_offset = match super::value::parse_i64(n) {
                    Some(v) if (min..=max).contains(&v) => Some(v),
                    Some(v) => {
                        return Err(ValueError::new(format!(
                            "post_offset {v} is outside {min}..={max}"
                        )))
                    }
                    None => {
                        return Err(ValueError::new(format!(
                            "post_offset: '{n}' is not a number"
                        )))
                    }
                }
            }
            ("multiplier", n) => t.multiplier = Some(number(n, u64::from(u32::MAX), "multiplier")?),
            ("bitmask", n) => t.bitmask = Some(bitmask(n)?),
            _ => return Err(ValueError::new(format!("bad option '{item}'"))),
        }
    }
    if t.from_beginning && t.from_end {
        return Err(ValueError::new(
            "from_beginning and from_end exclude each other",
        ));
    }
    Ok(t)
}

/// Offset bounds, as Suricata 8 parses them (a larger offset is an error
/// there too; within the bounds, one beyond the buffer just fails to
/// match):
/// - `byte_test`: any `int32` (`StringParseInt32` in `detect-bytetest.c`);
/// - `byte_jump` offset and `post_offset`, `byte_math` offset: -65535..=65535
///   (`detect-bytejump.c`, `rust/src/detect/byte_math.rs`);
/// - `byte_extract`: an `i16` (`rust/src/detect/byte_extract.rs`).
const TEST_OFFSET: (i64, i64) = (i32::MIN as i64, i32::MAX as i64);
/// See [`TEST_OFFSET`].
const JUMP_OFFSET: (i64, i64) = (-65535, 65535);
/// See [`TEST_OFFSET`].
const EXTRACT_OFFSET: (i64, i64) = (i16::MIN as i64, i16::MAX as i64);

fn offset_operand(s: &str, (min, max): (i64, i64)) -> VResult<Operand<i64>> {
    operand_i64(s, min, max, "offset")
}

/// A plain-number offset within `(min, max)`, located in `value`.
fn offset_number(value: &str, s: &str, (min, max): (i64, i64)) -> VResult<i64> {
    match super::value::parse_i64(s) {
        Some(n) if (min..=max).contains(&n) => Ok(n),
        Some(n) => Err(ValueError::at(
            value,
            s,
            format!("offset {n} is outside {min}..={max}"),
        )),
        None => Err(ValueError::at(
            value,
            s,
            format!("offset '{s}' is not a number"),
        )),
    }
}

/// Parses `byte_test`.
pub(crate) fn parse_byte_test(value: &str) -> VResult<ByteTest> {
    let mut it = commas(value);
    let (Some(bytes), Some(op), Some(val), Some(offset)) =
        (it.next(), it.next(), it.next(), it.next())
    else {
        return Err(ValueError::new(
            "expected bytes, operator, value, offset [, options]",
        ));
    };
    let (negated, op_text) = match op.strip_prefix('!') {
        Some(rest) => (true, rest.trim()),
        None => (false, op),
    };
    let op = match op_text {
        "<" => ByteOp::Lt,
        ">" => ByteOp::Gt,
        "<=" => ByteOp::Le,
        ">=" => ByteOp::Ge,
        "=" => ByteOp::Eq,
        // A bare `!` means "not equal".
        "" if negated => ByteOp::Eq,
        "&" => ByteOp::And,
        "^" => ByteOp::Xor,
        _ => {
            return Err(ValueError::at(
                value,
                op,
                format!("unknown operator '{op}'"),
            ))
        }
    };
    let value_op = if is_var_name(val) {
        Operand::Var(val.to_string())
    } else {
        Operand::Num(
            parse_u64(val)
                .ok_or_else(|| ValueError::at(value, val, format!("'{val}' is not a number")))?,
        )
    };
    let t = tail(
        it,
        &[
            "relative", "big", "little", "dce", "string", "hex", "dec", "oct", "bitmask",
        ],
    )?;
    Ok(ByteTest {
        bytes: bytes_count(bytes)?,
        negated,
        op,
        value: value_op,
        offset: offset_operand(offset, TEST_OFFSET)?,
        relative: t.relative,
        endian: t.endian,
        string: t.string,
        bitmask: t.bitmask,
    })
}

/// Parses `byte_jump`.
pub(crate) fn parse_byte_jump(value: &str) -> VResult<ByteJump> {
    let mut it = commas(value);
    let (Some(bytes), Some(offset)) = (it.next(), it.next()) else {
        return Err(ValueError::new("expected bytes, offset [, options]"));
    };
    let t = tail(
        it,
        &[
            "relative",
            "big",
            "little",
            "dce",
            "string",
            "hex",
            "dec",
            "oct",
            "align",
            "from_beginning",
            "from_end",
            "post_offset",
            "multiplier",
            "bitmask",
        ],
    )?;
    Ok(ByteJump {
        bytes: bytes_count(bytes)?,
        offset: offset_operand(offset, JUMP_OFFSET)?,
        relative: t.relative,
        multiplier: t.multiplier,
        endian: t.endian,
        string: t.string,
        align: t.align,
        from_beginning: t.from_beginning,
        from_end: t.from_end,
        post_offset: t.post_offset,
        bitmask: t.bitmask,
    })
}

/// Parses `byte_extract`.
pub(crate) fn parse_byte_extract(value: &str) -> VResult<ByteExtract> {
    let mut it = commas(value);
    let (Some(bytes), Some(offset), Some(name)) = (it.next(), it.next(), it.next()) else {
        return Err(ValueError::new("expected bytes, offset, name [, options]"));
    };
    if !is_var_name(name) {
        return Err(ValueError::at(
            value,
            name,
            format!("'{name}' is not a variable name"),
        ));
    }
    let t = tail(
        it,
        &[
            "relative",
            "big",
            "little",
            "dce",
            "string",
            "hex",
            "dec",
            "oct",
            "align",
            "multiplier",
            "bitmask",
        ],
    )?;
    let offset = offset_number(value, offset, EXTRACT_OFFSET)?;
    Ok(ByteExtract {
        bytes: bytes_count(bytes)?,
        offset,
        name: name.to_string(),
        relative: t.relative,
        multiplier: t.multiplier,
        endian: t.endian,
        string: t.string,
        align: t.align_n,
        bitmask: t.bitmask,
    })
}

/// Parses `byte_math` (`bytes 4, offset 0, oper +, rvalue 10, result x`).
pub(crate) fn parse_byte_math(value: &str) -> VResult<ByteMath> {
    let mut bytes = None;
    let mut offset = None;
    let mut oper = None;
    let mut rvalue = None;
    let mut result = None;
    let mut rest = Vec::new();
    for item in commas(value) {
        let (word, arg) = split_word(item);
        match word {
            "bytes" => bytes = Some(bytes_count(arg)?),
            "offset" => offset = Some(offset_number(value, arg, JUMP_OFFSET)?),
            "oper" => {
                oper = Some(match arg {
                    "+" => MathOp::Add,
                    "-" => MathOp::Sub,
                    "*" => MathOp::Mul,
                    "/" => MathOp::Div,
                    "<<" => MathOp::Shl,
                    ">>" => MathOp::Shr,
                    _ => return Err(ValueError::at(value, item, format!("unknown oper '{arg}'"))),
                })
            }
            "rvalue" => {
                rvalue = Some(if is_var_name(arg) {
                    Operand::Var(arg.to_string())
                } else {
                    Operand::Num(number(arg, u64::from(u32::MAX), "rvalue")?)
                })
            }
            "result" => {
                if !is_var_name(arg) {
                    return Err(ValueError::at(value, item, "result needs a variable name"));
                }
                result = Some(arg.to_string())
            }
            _ => rest.push(item),
        }
    }
    let t = tail(
        rest.into_iter(),
        &["relative", "endian", "dce", "string", "bitmask"],
    )?;
    match (bytes, offset, oper, rvalue, result) {
        (Some(bytes), Some(offset), Some(oper), Some(rvalue), Some(result)) => Ok(ByteMath {
            bytes,
            offset,
            oper,
            rvalue,
            result,
            relative: t.relative,
            endian: t.endian,
            string: t.string,
            bitmask: t.bitmask,
        }),
        _ => Err(ValueError::new(
            "byte_math needs bytes, offset, oper, rvalue and result",
        )),
    }
}

/// Parses `isdataat`.
pub(crate) fn parse_isdataat(value: &str) -> VResult<IsDataAt> {
    let mut it = commas(value);
    let first = it.next().unwrap_or("");
    let (negated, pos) = match first.strip_prefix('!') {
        Some(r) => (true, r.trim()),
        None => (false, first),
    };
    let offset =
        operand_i64(pos, 0, 65535, "isdataat").map_err(|e| ValueError::at(value, pos, e.reason))?;
    let mut relative = false;
    let mut rawbytes = false;
    for item in it {
        match item {
            "relative" => relative = true,
            "rawbytes" => rawbytes = true,
            _ => {
                return Err(ValueError::at(
                    value,
                    item,
                    format!("unknown option '{item}'"),
                ))
            }
        }
    }
    Ok(IsDataAt {
        negated,
        offset,
        relative,
        rawbytes,
    })
}

fn write_format(
    f: &mut fmt::Formatter<'_>,
    endian: Option<Endian>,
    string: Option<NumBase>,
) -> fmt::Result {
    match endian {
        Some(Endian::Big) => f.write_str(",big")?,
        Some(Endian::Little) => f.write_str(",little")?,
        Some(Endian::Dce) => f.write_str(",dce")?,
        None => {}
    }
    if let Some(b) = string {
        write!(f, ",string,{}", b.name())?;
    }
    Ok(())
}

impl fmt::Display for ByteTest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let neg = if self.negated { "!" } else { "" };
        write!(
            f,
            "{},{neg}{},{},{}",
            self.bytes,
            self.op.symbol(),
            self.value,
            self.offset
        )?;
        if self.relative {
            f.write_str(",relative")?;
        }
        write_format(f, self.endian, self.string)?;
        if let Some(m) = self.bitmask {
            write!(f, ",bitmask {m:#x}")?;
        }
        Ok(())
    }
}

impl fmt::Display for ByteJump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{},{}", self.bytes, self.offset)?;
        if self.relative {
            f.write_str(",relative")?;
        }
        if let Some(m) = self.multiplier {
            write!(f, ",multiplier {m}")?;
        }
        write_format(f, self.endian, self.string)?;
        if self.align {
            f.write_str(",align")?;
        }
        if self.from_beginning {
            f.write_str(",from_beginning")?;
        }
        if self.from_end {
            f.write_str(",from_end")?;
        }
        if let Some(p) = self.post_offset {
            write!(f, ",post_offset {p}")?;
        }
        if let Some(m) = self.bitmask {
            write!(f, ",bitmask {m:#x}")?;
        }
        Ok(())
    }
}

impl fmt::Display for ByteExtract {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{},{},{}", self.bytes, self.offset, self.name)?;
        if self.relative {
            f.write_str(",relative")?;
        }
        if let Some(m) = self.multiplier {
            write!(f, ",multiplier {m}")?;
        }
        write_format(f, self.endian, self.string)?;
        if let Some(a) = self.align {
            write!(f, ",align {a}")?;
        }
        if let Some(m) = self.bitmask {
            write!(f, ",bitmask {m:#x}")?;
        }
        Ok(())
    }
}

impl fmt::Display for ByteMath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "bytes {},offset {},oper {},rvalue {},result {}",
            self.bytes,
            self.offset,
            self.oper.symbol(),
            self.rvalue,
            self.result
        )?;
        if self.relative {
            f.write_str(",relative")?;
        }
        match self.endian {
            Some(Endian::Big) => f.write_str(",endian big")?,
            Some(Endian::Little) => f.write_str(",endian little")?,
            Some(Endian::Dce) => f.write_str(",dce")?,
            None => {}
        }
        if let Some(b) = self.string {
            write!(f, ",string {}", b.name())?;
        }
        if let Some(m) = self.bitmask {
            write!(f, ",bitmask {m:#x}")?;
        }
        Ok(())
    }
}

impl fmt::Display for IsDataAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negated {
            f.write_str("!")?;
        }
        write!(f, "{}", self.offset)?;
        if self.relative {
            f.write_str(",relative")?;
        }
        if self.rawbytes {
            f.write_str(",rawbytes")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_test_forms() {
        let t = parse_byte_test("2,!&,0xF8,4,relative,little").unwrap();
        assert_eq!(t.bytes, 2);
        assert!(t.negated);
        assert_eq!(t.op, ByteOp::And);
        assert_eq!(t.value, Operand::Num(0xF8));
        assert_eq!(t.offset, Operand::Num(4));
        assert!(t.relative);
        assert_eq!(t.endian, Some(Endian::Little));
        let t = parse_byte_test("4,>,1000,0,string,dec,relative").unwrap();
        assert_eq!(t.string, Some(NumBase::Dec));
        let t = parse_byte_test("2,=,kelihos.p2p,0").unwrap();
        assert_eq!(t.value, Operand::Var("kelihos.p2p".into()));
        let t = parse_byte_test("1,>,0,-10,relative").unwrap();
        assert_eq!(t.offset, Operand::Num(-10));
        assert_eq!(parse_byte_test("2,!=,5,0").unwrap().op, ByteOp::Eq);
    }

    /// Offset bounds as Suricata 8 parses them (see [`TEST_OFFSET`]); the
    /// byte_test one is suricata-verify detect-bytetest-02's sid 3.
    #[test]
    fn offset_bounds_follow_suricata() {
        let t = parse_byte_test("1,=,65,214748364").unwrap();
        assert_eq!(t.offset, Operand::Num(214_748_364));
        assert_eq!(
            parse_byte_test("1,=,65,-2147483648").unwrap().offset,
            Operand::Num(-2_147_483_648)
        );
        let e = parse_byte_test("1,=,65,2147483648").unwrap_err();
        assert!(e.reason.contains("outside"), "{}", e.reason);
        assert_eq!(
            parse_byte_jump("1,65535").unwrap().offset,
            Operand::Num(65535)
        );
        assert!(parse_byte_jump("1,65536").is_err());
        assert!(parse_byte_jump("1,-65536").is_err());
        assert_eq!(
            parse_byte_jump("1,0,post_offset -65535")
                .unwrap()
                .post_offset,
            Some(-65535)
        );
        assert!(parse_byte_jump("1,0,post_offset 65536").is_err());
        assert_eq!(parse_byte_extract("1,32767,x").unwrap().offset, 32767);
        assert_eq!(parse_byte_extract("1,-32768,x").unwrap().offset, -32768);
        let v = "1,32768,x";
        let e = parse_byte_extract(v).unwrap_err();
        assert_eq!(e.at, 2, "points at the offset");
        assert!(e.reason.contains("outside"), "{}", e.reason);
        let m = "bytes 1, offset 65535, oper +, rvalue 1, result r";
        assert_eq!(parse_byte_math(m).unwrap().offset, 65535);
        let m = "bytes 1, offset -65536, oper +, rvalue 1, result r";
        let e = parse_byte_math(m).unwrap_err();
        assert_eq!(&m[e.at..e.at + 6], "-65536");
    }

    #[test]
    fn byte_test_errors() {
        assert!(parse_byte_test("2,>,1").is_err());
        assert!(parse_byte_test("2,??,1,0")
            .unwrap_err()
            .reason
            .contains("operator"));
        assert_eq!(parse_byte_test("0,=,0,0,string,dec").unwrap().bytes, 0);
        assert!(parse_byte_test("24,>,1,0").is_err());
        assert_eq!(
            parse_byte_test("1,=,8,-4,relative,bitmask fc")
                .unwrap()
                .bitmask,
            Some(0xfc)
        );
        assert_eq!(
            parse_byte_test("1,=,8,0,bitmask 0x8000").unwrap().bitmask,
            Some(0x8000)
        );
        assert!(parse_byte_test("2,>,1,0,sideways")
            .unwrap_err()
            .reason
            .contains("sideways"));
        assert!(parse_byte_test("2,>,1,0,big,little").is_err());
    }

    #[test]
    fn byte_jump_forms() {
        let j = parse_byte_jump("4,-4,relative,from_beginning,little, post_offset -2").unwrap();
        assert_eq!(j.offset, Operand::Num(-4));
        assert!(j.from_beginning && j.relative);
        assert_eq!(j.post_offset, Some(-2));
        let j = parse_byte_jump("4,12,relative,align,dce").unwrap();
        assert!(j.align);
        assert_eq!(j.endian, Some(Endian::Dce));
        assert!(parse_byte_jump("4,0,from_beginning,from_end").is_err());
    }

    #[test]
    fn byte_extract_and_math() {
        let e = parse_byte_extract("2,0,toss,relative,multiplier 2").unwrap();
        assert_eq!(e.name, "toss");
        assert_eq!(e.multiplier, Some(2));
        assert!(parse_byte_extract("2,0,9x").is_err());
        let m = parse_byte_math(
            "bytes 2, offset 1, oper <<, rvalue len, result out, relative, endian little",
        )
        .unwrap();
        assert_eq!(m.oper, MathOp::Shl);
        assert_eq!(m.rvalue, Operand::Var("len".into()));
        assert_eq!(m.endian, Some(Endian::Little));
        assert!(parse_byte_math("bytes 2, offset 1").is_err());
    }

    #[test]
    fn isdataat_forms() {
        let i = parse_isdataat("!1,relative").unwrap();
        assert!(i.negated && i.relative);
        assert_eq!(
            parse_isdataat("len").unwrap().offset,
            Operand::Var("len".into())
        );
        assert!(parse_isdataat("1,sideways").is_err());
        assert!(parse_isdataat("").is_err());
    }

    #[test]
    fn display_parses_back() {
        for s in [
            "2,!&,248,4,relative,little,string,hex,bitmask 0xf",
            "4,-4,relative,multiplier 2,little,align,from_beginning,post_offset -2",
            "2,0,toss,relative,dce,align 4",
            "bytes 2,offset 1,oper <<,rvalue len,result out,relative,endian little,string dec",
            "!1,relative,rawbytes",
        ] {
            let back = if s.starts_with("2,!&") {
                parse_byte_test(s).unwrap().to_string()
            } else if s.starts_with("4,-4") {
                parse_byte_jump(s).unwrap().to_string()
            } else if s.starts_with("2,0") {
                parse_byte_extract(s).unwrap().to_string()
            } else if s.starts_with("bytes") {
                parse_byte_math(s).unwrap().to_string()
            } else {
                parse_isdataat(s).unwrap().to_string()
            };
            assert_eq!(back, s);
        }
    }
}
