//! Packet header keywords with their own syntax: `flags`, `fragbits`,
//! `ipopts`, `ip_proto`, `window` and the checksum keywords. Plain integer
//! header keywords (`ttl`, `id`, `itype`, `dsize`, ...) use
//! [`IntMatch`](super::value::IntMatch).

use std::fmt;

use super::flow::CmpOp;
use super::value::{number, VResult, ValueError};

/// How a flag set is compared.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum BitsModifier {
    /// No modifier: exactly these bits (after removing ignored ones).
    #[default]
    Exact,
    /// `+`: these bits, and possibly others.
    Plus,
    /// `*`: any of these bits.
    Any,
    /// `!`: none of these bits.
    Not,
}

impl BitsModifier {
    fn from_char(c: char) -> Option<BitsModifier> {
        Some(match c {
            '+' => BitsModifier::Plus,
            '*' => BitsModifier::Any,
            '!' => BitsModifier::Not,
            _ => return None,
        })
    }

    fn symbol(self) -> &'static str {
        match self {
            BitsModifier::Exact => "",
            BitsModifier::Plus => "+",
            BitsModifier::Any => "*",
            BitsModifier::Not => "!",
        }
    }
}

/// TCP flag bits as in the header byte.
pub mod tcp_flag {
    /// FIN.
    pub const FIN: u8 = 0x01;
    /// SYN.
    pub const SYN: u8 = 0x02;
    /// RST.
    pub const RST: u8 = 0x04;
    /// PSH.
    pub const PSH: u8 = 0x08;
    /// ACK.
    pub const ACK: u8 = 0x10;
    /// URG.
    pub const URG: u8 = 0x20;
    /// ECE (Snort's reserved bit `2`).
    pub const ECE: u8 = 0x40;
    /// CWR (Snort's reserved bit `1`).
    pub const CWR: u8 = 0x80;
}

const TCP_LETTERS: [(char, u8); 8] = [
    ('F', tcp_flag::FIN),
    ('S', tcp_flag::SYN),
    ('R', tcp_flag::RST),
    ('P', tcp_flag::PSH),
    ('A', tcp_flag::ACK),
    ('U', tcp_flag::URG),
    ('C', tcp_flag::CWR),
    ('E', tcp_flag::ECE),
];

/// `flags`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TcpFlags {
    /// How `flags` is compared.
    pub modifier: BitsModifier,
    /// Bits to test (see [`tcp_flag`]); 0 means "no flags set" (`0`).
    pub flags: u8,
    /// Bits to ignore (`flags:S,CE`).
    pub ignore: u8,
}

fn tcp_bit(c: char) -> Option<u8> {
    let c = match c {
        '1' => 'C',
        '2' => 'E',
        c => c.to_ascii_uppercase(),
    };
    TCP_LETTERS.iter().find(|(l, _)| *l == c).map(|(_, b)| *b)
}

/// Reads a bit set with one optional modifier before or after it.
fn bit_letters(
    text: &str,
    bit: impl Fn(char) -> Option<u8>,
    allow_zero: bool,
) -> VResult<(BitsModifier, u8)> {
    let mut modifier = None;
    let mut bits = 0u8;
    let mut zero = false;
    for (i, c) in text.char_indices() {
        if let Some(m) = BitsModifier::from_char(c) {
            if modifier.is_some() {
                return Err(ValueError::at(text, &text[i..], "more than one modifier"));
            }
            modifier = Some(m);
        } else if c == '0' && allow_zero {
            zero = true;
        } else if let Some(b) = bit(c) {
            if bits & b != 0 {
                return Err(ValueError::at(
                    text,
                    &text[i..],
                    format!("'{c}' given twice"),
                ));
            }
            bits |= b;
        } else if !c.is_whitespace() {
            return Err(ValueError::at(
                text,
                &text[i..],
                format!("unknown flag '{c}'"),
            ));
        }
    }
    if bits == 0 && !zero {
        return Err(ValueError::new("no flags given"));
    }
    if zero && bits != 0 {
        return Err(ValueError::new("'0' (no flags) cannot go with other flags"));
    }
    Ok((modifier.unwrap_or_default(), bits))
}

/// Parses `flags` (`S`, `SA+`, `*AP,12`, `0`, `S,CE`). Unlike Suricata 8,
/// an ignore mask is accepted with any modifier, as Snort and older
/// Suricata did (three commented-out ET rules use it).
pub(crate) fn parse_flags(value: &str) -> VResult<TcpFlags> {
    let (test, ignore) = match value.split_once(',') {
        Some((t, i)) => (t.trim(), Some(i.trim())),
        None => (value.trim(), None),
    };
    let (modifier, flags) =
        bit_letters(test, tcp_bit, true).map_err(|e| ValueError::at(value, test, e.reason))?;
    let ignore = match ignore {
        Some(i) => {
            let (m, bits) =
                bit_letters(i, tcp_bit, false).map_err(|e| ValueError::at(value, i, e.reason))?;
            if m != BitsModifier::Exact {
                return Err(ValueError::at(value, i, "no modifier in the ignore list"));
            }
            bits
        }
        None => 0,
    };
    Ok(TcpFlags {
        modifier,
        flags,
        ignore,
    })
}

fn write_bits(f: &mut fmt::Formatter<'_>, bits: u8, letters: &[(char, u8)]) -> fmt::Result {
    if bits == 0 {
        return f.write_str("0");
    }
    for (c, b) in letters {
        if bits & b != 0 {
            write!(f, "{c}")?;
        }
    }
    Ok(())
}

impl fmt::Display for TcpFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.modifier.symbol())?;
        write_bits(f, self.flags, &TCP_LETTERS)?;
        if self.ignore != 0 {
            f.write_str(",")?;
            write_bits(f, self.ignore, &TCP_LETTERS)?;
        }
        Ok(())
    }
}

/// IPv4 fragment bits for `fragbits`.
pub mod frag_bit {
    /// More fragments.
    pub const MF: u8 = 0x01;
    /// Don't fragment.
    pub const DF: u8 = 0x02;
    /// Reserved.
    pub const RESERVED: u8 = 0x04;
}

const FRAG_LETTERS: [(char, u8); 3] = [
    ('M', frag_bit::MF),
    ('D', frag_bit::DF),
    ('R', frag_bit::RESERVED),
];

/// `fragbits`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Fragbits {
    /// How `bits` is compared.
    pub modifier: BitsModifier,
    /// Bits (see [`frag_bit`]).
    pub bits: u8,
}

/// Parses `fragbits` (`M`, `!D`, `M+`, `!DMR`).
pub(crate) fn parse_fragbits(value: &str) -> VResult<Fragbits> {
    let bit = |c: char| {
        FRAG_LETTERS
            .iter()
            .find(|(l, _)| *l == c.to_ascii_uppercase())
            .map(|(_, b)| *b)
    };
    let (modifier, bits) = bit_letters(value.trim(), bit, false)
        .map_err(|e| ValueError::at(value, value.trim(), e.reason))?;
    Ok(Fragbits { modifier, bits })
}

impl fmt::Display for Fragbits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.modifier.symbol())?;
        write_bits(f, self.bits, &FRAG_LETTERS)
    }
}

/// IPv4 options `ipopts` can test for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IpOpt {
    /// `rr`: record route.
    Rr,
    /// `eol`: end of list.
    Eol,
    /// `nop`.
    Nop,
    /// `ts`: timestamp.
    Ts,
    /// `sec`: security.
    Sec,
    /// `esec`: extended security.
    Esec,
    /// `lsrr`: loose source route.
    Lsrr,
    /// `ssrr`: strict source route.
    Ssrr,
    /// `satid`: stream identifier.
    Satid,
    /// `qs`: quick start.
    Qs,
    /// `cipso`.
    Cipso,
    /// `rtralt`: router alert.
    Rtralt,
    /// `any`: any option.
    Any,
}

const IPOPTS: [(&str, IpOpt); 13] = [
    ("rr", IpOpt::Rr),
    ("eol", IpOpt::Eol),
    ("nop", IpOpt::Nop),
    ("ts", IpOpt::Ts),
    ("sec", IpOpt::Sec),
    ("esec", IpOpt::Esec),
    ("lsrr", IpOpt::Lsrr),
    ("ssrr", IpOpt::Ssrr),
    ("satid", IpOpt::Satid),
    ("qs", IpOpt::Qs),
    ("cipso", IpOpt::Cipso),
    ("rtralt", IpOpt::Rtralt),
    ("any", IpOpt::Any),
];

/// Parses `ipopts`.
pub(crate) fn parse_ipopts(value: &str) -> VResult<IpOpt> {
    let v = value.trim();
    IPOPTS
        .iter()
        .find(|(n, _)| *n == v)
        .map(|(_, o)| *o)
        .ok_or_else(|| ValueError::new(format!("unknown IP option '{v}'")))
}

impl fmt::Display for IpOpt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = IPOPTS
            .iter()
            .find(|(_, o)| o == self)
            .map_or("any", |(n, _)| n);
        f.write_str(name)
    }
}

/// `ip_proto`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IpProto {
    /// `=` (default), `!`, `<` or `>`.
    pub op: CmpOp,
    /// IP protocol number.
    pub proto: u8,
}

const PROTO_NAMES: [(&str, u8); 12] = [
    ("icmp", 1),
    ("igmp", 2),
    ("tcp", 6),
    ("udp", 17),
    ("ipv6", 41),
    ("gre", 47),
    ("esp", 50),
    ("ah", 51),
    ("ipv6-icmp", 58),
    ("ospf", 89),
    ("pim", 103),
    ("sctp", 132),
];

/// Parses `ip_proto` (`6`, `!47`, `>134`, `tcp`).
pub(crate) fn parse_ip_proto(value: &str) -> VResult<IpProto> {
    let v = value.trim();
    let (op, rest) = match v.chars().next() {
        Some('!') => (CmpOp::Ne, &v[1..]),
        Some('<') => (CmpOp::Lt, &v[1..]),
        Some('>') => (CmpOp::Gt, &v[1..]),
        Some('=') => (CmpOp::Eq, &v[1..]),
        _ => (CmpOp::Eq, v),
    };
    let rest = rest.trim();
    let proto = match PROTO_NAMES.iter().find(|(n, _)| *n == rest) {
        Some((_, p)) => *p,
        None => number(rest, 255, "protocol")? as u8,
    };
    Ok(IpProto { op, proto })
}

impl fmt::Display for IpProto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = match self.op {
            CmpOp::Ne => "!",
            CmpOp::Lt => "<",
            CmpOp::Gt => ">",
            _ => "",
        };
        write!(f, "{op}{}", self.proto)
    }
}

/// `window` (TCP window size).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Window {
    /// `!`.
    pub negated: bool,
    /// Window size.
    pub size: u16,
}

/// Parses `window` (`[!]N`).
pub(crate) fn parse_window(value: &str) -> VResult<Window> {
    let v = value.trim();
    let (negated, n) = match v.strip_prefix('!') {
        Some(r) => (true, r),
        None => (false, v),
    };
    Ok(Window {
        negated,
        size: number(n, 65535, "window")? as u16,
    })
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let neg = if self.negated { "!" } else { "" };
        write!(f, "{neg}{}", self.size)
    }
}

/// Which checksum a checksum keyword tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChecksumKind {
    /// `ipv4-csum`.
    Ipv4,
    /// `tcpv4-csum`.
    Tcpv4,
    /// `tcpv6-csum`.
    Tcpv6,
    /// `udpv4-csum`.
    Udpv4,
    /// `udpv6-csum`.
    Udpv6,
    /// `icmpv4-csum`.
    Icmpv4,
    /// `icmpv6-csum`.
    Icmpv6,
}

impl ChecksumKind {
    pub(crate) fn from_keyword(name: &str) -> Option<ChecksumKind> {
        Some(match name {
            "ipv4-csum" => ChecksumKind::Ipv4,
            "tcpv4-csum" => ChecksumKind::Tcpv4,
            "tcpv6-csum" => ChecksumKind::Tcpv6,
            "udpv4-csum" => ChecksumKind::Udpv4,
            "udpv6-csum" => ChecksumKind::Udpv6,
            "icmpv4-csum" => ChecksumKind::Icmpv4,
            "icmpv6-csum" => ChecksumKind::Icmpv6,
            _ => return None,
        })
    }

    /// The keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            ChecksumKind::Ipv4 => "ipv4-csum",
            ChecksumKind::Tcpv4 => "tcpv4-csum",
            ChecksumKind::Tcpv6 => "tcpv6-csum",
            ChecksumKind::Udpv4 => "udpv4-csum",
            ChecksumKind::Udpv6 => "udpv6-csum",
            ChecksumKind::Icmpv4 => "icmpv4-csum",
            ChecksumKind::Icmpv6 => "icmpv6-csum",
        }
    }
}

/// Parses a checksum keyword's value: `valid` (true) or `invalid`.
pub(crate) fn parse_checksum(value: &str) -> VResult<bool> {
    match value.trim().trim_matches('"') {
        "valid" => Ok(true),
        "invalid" => Ok(false),
        v => Err(ValueError::new(format!(
            "expected valid or invalid, found '{v}'"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tcp_flags() {
        let f = parse_flags("S,12").unwrap();
        assert_eq!(f.flags, tcp_flag::SYN);
        assert_eq!(f.ignore, tcp_flag::CWR | tcp_flag::ECE);
        assert_eq!(f.to_string(), "S,CE");
        let f = parse_flags("SUF+").unwrap();
        assert_eq!(f.modifier, BitsModifier::Plus);
        assert_eq!(f.flags, tcp_flag::SYN | tcp_flag::URG | tcp_flag::FIN);
        assert_eq!(f.to_string(), "+FSU");
        assert_eq!(parse_flags("*AP,12").unwrap().modifier, BitsModifier::Any);
        assert_eq!(parse_flags("0").unwrap().flags, 0);
        assert_eq!(parse_flags("0").unwrap().to_string(), "0");
        assert_eq!(parse_flags("12FS").unwrap().flags, 0xC3);
        assert!(parse_flags("SS").unwrap_err().reason.contains("twice"));
        assert!(parse_flags("SG").unwrap_err().reason.contains("'G'"));
        assert!(parse_flags("+S*").unwrap_err().reason.contains("modifier"));
        assert!(parse_flags("").is_err());
    }

    #[test]
    fn fragbits() {
        let f = parse_fragbits("!DMR").unwrap();
        assert_eq!(f.modifier, BitsModifier::Not);
        assert_eq!(f.bits, 7);
        assert_eq!(f.to_string(), "!MDR");
        assert_eq!(parse_fragbits(" M+").unwrap().modifier, BitsModifier::Plus);
        assert!(parse_fragbits("X").is_err());
    }

    #[test]
    fn small_ones() {
        assert_eq!(parse_ipopts("ssrr").unwrap(), IpOpt::Ssrr);
        assert!(parse_ipopts("bogus").is_err());
        assert_eq!(
            parse_ip_proto("!47").unwrap(),
            IpProto {
                op: CmpOp::Ne,
                proto: 47
            }
        );
        assert_eq!(parse_ip_proto("tcp").unwrap().proto, 6);
        assert!(parse_ip_proto("300").is_err());
        assert_eq!(parse_window("!0").unwrap().to_string(), "!0");
        assert!(parse_checksum("invalid").is_ok_and(|v| !v));
        assert!(parse_checksum("maybe").is_err());
    }
}
