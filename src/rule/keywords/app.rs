//! Application-layer and event keywords: decoder/stream/app-layer events,
//! `app-layer-protocol`, TLS (`ssl_state`, `ssl_version`, `tls.version`,
//! `tls.fingerprint`), DCE/RPC (`dce_iface`, `dce_opnum`), `asn1`,
//! `base64_decode`, file keywords, Snort's `service` and SIP keywords.

use std::fmt;

use super::flow::CmpOp;
use super::value::{
    commas, number, split_word, unescape, unquote, write_quoted, VResult, ValueError,
};

/// Parses an event name (`ipv4.pkt_too_small`, `3whs_ack_in_wrong_dir`).
pub(crate) fn parse_event(value: &str) -> VResult<String> {
    let v = value.trim();
    if v.is_empty()
        || !v
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-')
    {
        return Err(ValueError::new(format!("'{v}' is not an event name")));
    }
    Ok(v.to_string())
}

/// `app-layer-protocol`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AppLayerProtocol {
    /// `!`.
    pub negated: bool,
    /// Protocol name (`http`, `failed`, ...).
    pub protocol: String,
    /// Optional mode after a comma (`final`, `original`, `either`, ...).
    pub mode: Option<String>,
}

/// Parses `app-layer-protocol`.
pub(crate) fn parse_app_layer_protocol(value: &str) -> VResult<AppLayerProtocol> {
    let v = value.trim();
    let (negated, rest) = match v.strip_prefix('!') {
        Some(r) => (true, r.trim()),
        None => (false, v),
    };
    let (proto, mode) = match rest.split_once(',') {
        Some((p, m)) => (p.trim(), Some(m.trim().to_string())),
        None => (rest, None),
    };
    if proto.is_empty() {
        return Err(ValueError::new("expected a protocol name"));
    }
    Ok(AppLayerProtocol {
        negated,
        protocol: proto.to_string(),
        mode,
    })
}

impl fmt::Display for AppLayerProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negated {
            f.write_str("!")?;
        }
        f.write_str(&self.protocol)?;
        if let Some(m) = &self.mode {
            write!(f, ",{m}")?;
        }
        Ok(())
    }
}

/// A TLS handshake state for `ssl_state`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SslState {
    /// `client_hello`.
    ClientHello,
    /// `server_hello`.
    ServerHello,
    /// `client_keyx`.
    ClientKeyx,
    /// `server_keyx`.
    ServerKeyx,
    /// `unknown`.
    Unknown,
}

const SSL_STATES: [(&str, SslState); 5] = [
    ("client_hello", SslState::ClientHello),
    ("server_hello", SslState::ServerHello),
    ("client_keyx", SslState::ClientKeyx),
    ("server_keyx", SslState::ServerKeyx),
    ("unknown", SslState::Unknown),
];

/// `ssl_state`: states joined by `|` (any of), each possibly negated.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SslStates(pub Vec<(bool, SslState)>);

/// Parses `ssl_state` (`client_hello|!server_hello`).
pub(crate) fn parse_ssl_state(value: &str) -> VResult<SslStates> {
    let mut out = Vec::new();
    for item in value.split('|').map(str::trim) {
        let (neg, name) = match item.strip_prefix('!') {
            Some(r) => (true, r.trim()),
            None => (false, item),
        };
        let st = SSL_STATES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, s)| *s)
            .ok_or_else(|| ValueError::at(value, item, format!("unknown ssl state '{name}'")))?;
        out.push((neg, st));
    }
    Ok(SslStates(out))
}

impl fmt::Display for SslStates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (neg, st)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("|")?;
            }
            if *neg {
                f.write_str("!")?;
            }
            let name = SSL_STATES
                .iter()
                .find(|(_, s)| s == st)
                .map_or("", |(n, _)| n);
            f.write_str(name)?;
        }
        Ok(())
    }
}

const SSL_VERSIONS: [&str; 6] = ["sslv2", "sslv3", "tls1.0", "tls1.1", "tls1.2", "tls1.3"];

/// `ssl_version`: versions (comma-separated), each possibly negated.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SslVersions(pub Vec<(bool, String)>);

/// Parses `ssl_version` (`sslv3,!tls1.0`).
pub(crate) fn parse_ssl_version(value: &str) -> VResult<SslVersions> {
    let mut out = Vec::new();
    for item in commas(value) {
        let (neg, name) = match item.strip_prefix('!') {
            Some(r) => (true, r.trim()),
            None => (false, item),
        };
        if !SSL_VERSIONS.contains(&name) {
            return Err(ValueError::at(
                value,
                item,
                format!("unknown ssl version '{name}'"),
            ));
        }
        out.push((neg, name.to_string()));
    }
    Ok(SslVersions(out))
}

impl fmt::Display for SslVersions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (neg, name)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            if *neg {
                f.write_str("!")?;
            }
            f.write_str(name)?;
        }
        Ok(())
    }
}

/// `tls.version`: the protocol version number (`1.2` is 0x0303).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TlsVersion(pub u16);

/// Parses `tls.version` (`1.0`..`1.3`, or `0x0303`).
pub(crate) fn parse_tls_version(value: &str) -> VResult<TlsVersion> {
    let v = unquote(value)?.trim();
    Ok(TlsVersion(match v {
        "1.0" => 0x0301,
        "1.1" => 0x0302,
        "1.2" => 0x0303,
        "1.3" => 0x0304,
        _ => number(v, 0xffff, "tls.version")? as u16,
    }))
}

impl fmt::Display for TlsVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            0x0301..=0x0304 => write!(f, "1.{}", self.0 - 0x0301),
            v => write!(f, "{v:#06x}"),
        }
    }
}

/// A quoted string with optional negation (`tls.fingerprint`, `fileext`,
/// `filemagic`, `filename`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NegString {
    /// `!`.
    pub negated: bool,
    /// The text, escapes removed.
    pub value: String,
}

/// Parses `[!]"text"` (quotes optional).
pub(crate) fn parse_neg_string(value: &str) -> VResult<NegString> {
    let v = value.trim();
    let (negated, rest) = match v.strip_prefix('!') {
        Some(r) => (true, r.trim()),
        None => (false, v),
    };
    let inner = unquote(rest)?;
    if inner.is_empty() {
        return Err(ValueError::new("empty value"));
    }
    Ok(NegString {
        negated,
        value: unescape(inner),
    })
}

impl fmt::Display for NegString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negated {
            f.write_str("!")?;
        }
        write_quoted(f, &self.value)
    }
}

/// `dce_iface`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DceIface {
    /// Interface UUID, lowercase `8-4-4-4-12`.
    pub uuid: String,
    /// Version comparison (`<2`, `=1`...).
    pub version: Option<(CmpOp, u16)>,
    /// `any_frag`.
    pub any_frag: bool,
}

/// Parses `dce_iface` (Snort 3 writes `uuid <uuid>`).
pub(crate) fn parse_dce_iface(value: &str) -> VResult<DceIface> {
    let mut it = commas(value);
    let first = it.next().unwrap_or("");
    let (w, rest) = split_word(first);
    let uuid = if w == "uuid" { rest } else { first };
    let groups: Vec<&str> = uuid.split('-').collect();
    let lens = [8, 4, 4, 4, 12];
    if groups.len() != 5
        || groups
            .iter()
            .zip(lens)
            .any(|(g, l)| g.len() != l || !g.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return Err(ValueError::at(
            value,
            first,
            format!("'{uuid}' is not a UUID"),
        ));
    }
    let mut version = None;
    let mut any_frag = false;
    for item in it {
        if item == "any_frag" {
            any_frag = true;
            continue;
        }
        let (w, rest) = split_word(item);
        let spec = if w == "version" { rest } else { item };
        let op_len = spec
            .find(|c: char| c.is_ascii_digit())
            .ok_or_else(|| ValueError::at(value, item, "expected a version"))?;
        let op = if op_len == 0 {
            CmpOp::Eq
        } else {
            CmpOp::parse(&spec[..op_len])
                .filter(|o| matches!(o, CmpOp::Lt | CmpOp::Gt | CmpOp::Eq | CmpOp::Ne))
                .ok_or_else(|| ValueError::at(value, item, "bad version operator"))?
        };
        let n = number(&spec[op_len..], 65535, "version")? as u16;
        version = Some((op, n));
    }
    Ok(DceIface {
        uuid: uuid.to_ascii_lowercase(),
        version,
        any_frag,
    })
}

impl fmt::Display for DceIface {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.uuid)?;
        if let Some((op, v)) = self.version {
            let op = if op == CmpOp::Eq { "=" } else { op.symbol() };
            write!(f, ",{op}{v}")?;
        }
        if self.any_frag {
            f.write_str(",any_frag")?;
        }
        Ok(())
    }
}

/// `dce_opnum`: opnums and inclusive ranges.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DceOpnums(pub Vec<(u16, u16)>);

/// Parses `dce_opnum` (`"15"`, `1,5-7`).
pub(crate) fn parse_dce_opnum(value: &str) -> VResult<DceOpnums> {
    let inner = unquote(value)?;
    let mut out = Vec::new();
    for item in commas(inner) {
        let (a, b) = item.split_once('-').unwrap_or((item, item));
        let lo =
            number(a, 65535, "opnum").map_err(|e| ValueError::at(value, item, e.reason))? as u16;
        let hi =
            number(b, 65535, "opnum").map_err(|e| ValueError::at(value, item, e.reason))? as u16;
        if lo > hi {
            return Err(ValueError::at(value, item, "range starts after it ends"));
        }
        out.push((lo, hi));
    }
    Ok(DceOpnums(out))
}

impl fmt::Display for DceOpnums {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (lo, hi)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            if lo == hi {
                write!(f, "{lo}")?;
            } else {
                write!(f, "{lo}-{hi}")?;
            }
        }
        Ok(())
    }
}

/// `asn1`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Asn1 {
    /// `bitstring_overflow`.
    pub bitstring_overflow: bool,
    /// `double_overflow`.
    pub double_overflow: bool,
    /// `oversize_length N`.
    pub oversize_length: Option<u32>,
    /// `absolute_offset N`.
    pub absolute_offset: Option<u16>,
    /// `relative_offset N` (may be negative).
    pub relative_offset: Option<i32>,
}

/// Parses `asn1`.
pub(crate) fn parse_asn1(value: &str) -> VResult<Asn1> {
    let mut a = Asn1::default();
    for item in commas(value) {
        let (w, arg) = split_word(item);
        let err = |r: String| ValueError::at(value, item, r);
        match w {
            "bitstring_overflow" => a.bitstring_overflow = true,
            "double_overflow" => a.double_overflow = true,
            "oversize_length" => {
                a.oversize_length =
                    Some(number(arg, u64::from(u32::MAX), w).map_err(|e| err(e.reason))? as u32)
            }
            "absolute_offset" => {
                a.absolute_offset = Some(number(arg, 65535, w).map_err(|e| err(e.reason))? as u16)
            }
            "relative_offset" => {
                let n = super::value::parse_i64(arg)
                    .filter(|n| (-65535..=65535).contains(n))
                    .ok_or_else(|| err(format!("bad relative_offset '{arg}'")))?;
                a.relative_offset = Some(n as i32)
            }
            _ => return Err(err(format!("unknown asn1 option '{item}'"))),
        }
    }
    if a.absolute_offset.is_some() && a.relative_offset.is_some() {
        return Err(ValueError::new(
            "absolute_offset and relative_offset exclude each other",
        ));
    }
    Ok(a)
}

impl fmt::Display for Asn1 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if self.bitstring_overflow {
            parts.push("bitstring_overflow".to_string());
        }
        if self.double_overflow {
            parts.push("double_overflow".to_string());
        }
        if let Some(n) = self.oversize_length {
            parts.push(format!("oversize_length {n}"));
        }
        if let Some(n) = self.absolute_offset {
            parts.push(format!("absolute_offset {n}"));
        }
        if let Some(n) = self.relative_offset {
            parts.push(format!("relative_offset {n}"));
        }
        f.write_str(&parts.join(","))
    }
}

/// `base64_decode`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Base64Decode {
    /// `bytes N`: how many bytes to decode.
    pub bytes: Option<u32>,
    /// `offset N`.
    pub offset: Option<u32>,
    /// `relative`.
    pub relative: bool,
}

/// Parses `base64_decode` (value optional).
pub(crate) fn parse_base64_decode(value: Option<&str>) -> VResult<Base64Decode> {
    let mut b = Base64Decode::default();
    let Some(value) = value.filter(|v| !v.trim().is_empty()) else {
        return Ok(b);
    };
    for item in commas(value) {
        let (w, arg) = split_word(item);
        let err = |r: String| ValueError::at(value, item, r);
        match w {
            "bytes" => {
                let n = number(arg, u64::from(u32::MAX), w).map_err(|e| err(e.reason))?;
                if n == 0 {
                    return Err(err("bytes must be at least 1".into()));
                }
                b.bytes = Some(n as u32)
            }
            "offset" => {
                b.offset =
                    Some(number(arg, u64::from(u32::MAX), w).map_err(|e| err(e.reason))? as u32)
            }
            "relative" if arg.is_empty() => b.relative = true,
            _ => return Err(err(format!("unknown option '{item}'"))),
        }
    }
    Ok(b)
}

impl fmt::Display for Base64Decode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(n) = self.bytes {
            parts.push(format!("bytes {n}"));
        }
        if let Some(n) = self.offset {
            parts.push(format!("offset {n}"));
        }
        if self.relative {
            parts.push("relative".to_string());
        }
        f.write_str(&parts.join(","))
    }
}

/// Which file property a file keyword tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileProperty {
    /// `fileext`.
    Ext,
    /// `filename`.
    Name,
    /// `filemagic`.
    Magic,
    /// `filemd5` (a list file of hashes).
    Md5,
    /// `filesha1`.
    Sha1,
    /// `filesha256`.
    Sha256,
}

impl FileProperty {
    pub(crate) fn from_keyword(name: &str) -> Option<FileProperty> {
        Some(match name {
            "fileext" => FileProperty::Ext,
            "filename" => FileProperty::Name,
            "filemagic" => FileProperty::Magic,
            "filemd5" => FileProperty::Md5,
            "filesha1" => FileProperty::Sha1,
            "filesha256" => FileProperty::Sha256,
            _ => return None,
        })
    }

    /// The keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            FileProperty::Ext => "fileext",
            FileProperty::Name => "filename",
            FileProperty::Magic => "filemagic",
            FileProperty::Md5 => "filemd5",
            FileProperty::Sha1 => "filesha1",
            FileProperty::Sha256 => "filesha256",
        }
    }

    /// Whether the value names a list file rather than being quoted text.
    pub fn is_hash_list(self) -> bool {
        matches!(
            self,
            FileProperty::Md5 | FileProperty::Sha1 | FileProperty::Sha256
        )
    }
}

/// `filestore`'s optional direction and scope.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Filestore {
    /// `request`, `response`, `both`, `to_server`, `to_client`.
    pub direction: Option<String>,
    /// `file`, `tx`, `ssn`, `flow`.
    pub scope: Option<String>,
}

/// Parses `filestore` (value optional).
pub(crate) fn parse_filestore(value: Option<&str>) -> VResult<Filestore> {
    let mut fs = Filestore::default();
    let Some(value) = value.filter(|v| !v.trim().is_empty()) else {
        return Ok(fs);
    };
    let mut it = commas(value);
    if let Some(d) = it.next() {
        if !["request", "response", "both", "to_server", "to_client"].contains(&d) {
            return Err(ValueError::at(value, d, format!("unknown direction '{d}'")));
        }
        fs.direction = Some(d.to_string());
    }
    if let Some(s) = it.next() {
        if !["file", "tx", "ssn", "flow"].contains(&s) {
            return Err(ValueError::at(value, s, format!("unknown scope '{s}'")));
        }
        fs.scope = Some(s.to_string());
    }
    Ok(fs)
}

impl fmt::Display for Filestore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(d) = &self.direction {
            f.write_str(d)?;
        }
        if let Some(s) = &self.scope {
            write!(f, ",{s}")?;
        }
        Ok(())
    }
}

/// Parses a comma list of names (`service`, `sip_method`).
pub(crate) fn parse_names(value: &str) -> VResult<Vec<String>> {
    let mut out = Vec::new();
    for item in commas(value) {
        if item.is_empty()
            || !item
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'!'))
        {
            return Err(ValueError::at(
                value,
                item,
                format!("'{item}' is not a name"),
            ));
        }
        out.push(item.to_string());
    }
    Ok(out)
}

/// Parses `sip_stat_code` (comma list of codes).
pub(crate) fn parse_codes(value: &str) -> VResult<Vec<u16>> {
    commas(value)
        .map(|c| {
            number(c, 999, "status code")
                .map(|n| n as u16)
                .map_err(|e| ValueError::at(value, c, e.reason))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_and_protocols() {
        assert_eq!(
            parse_event("ipv4.pkt_too_small").unwrap(),
            "ipv4.pkt_too_small"
        );
        assert!(parse_event("ipv4 pkt").is_err());
        let a = parse_app_layer_protocol("!http").unwrap();
        assert!(a.negated);
        assert_eq!(a.to_string(), "!http");
    }

    #[test]
    fn tls() {
        let s = parse_ssl_state("client_hello|!server_hello").unwrap();
        assert_eq!(
            s.0,
            [
                (false, SslState::ClientHello),
                (true, SslState::ServerHello)
            ]
        );
        assert_eq!(s.to_string(), "client_hello|!server_hello");
        assert!(parse_ssl_state("hello").is_err());
        assert_eq!(
            parse_ssl_version("sslv3,!tls1.0").unwrap().to_string(),
            "sslv3,!tls1.0"
        );
        assert!(parse_ssl_version("tls9").is_err());
        assert_eq!(parse_tls_version("1.2").unwrap(), TlsVersion(0x0303));
        assert_eq!(TlsVersion(0x0303).to_string(), "1.2");
        assert_eq!(TlsVersion(0x7f17).to_string(), "0x7f17");
        assert_eq!(parse_tls_version("0x7f17").unwrap(), TlsVersion(0x7f17));
        let n = parse_neg_string(r#"!"PDF document""#).unwrap();
        assert!(n.negated);
        assert_eq!(n.to_string(), r#"!"PDF document""#);
    }

    #[test]
    fn dce() {
        let d = parse_dce_iface("uuid 4B324FC8-1670-01D3-1278-5A47BF6EE188,<2,any_frag").unwrap();
        assert_eq!(d.uuid, "4b324fc8-1670-01d3-1278-5a47bf6ee188");
        assert_eq!(d.version, Some((CmpOp::Lt, 2)));
        assert!(d.any_frag);
        assert_eq!(parse_dce_iface(&d.to_string()).unwrap(), d);
        assert!(parse_dce_iface("not-a-uuid").is_err());
        assert_eq!(parse_dce_opnum(r#""0-11""#).unwrap().0, [(0, 11)]);
        assert_eq!(parse_dce_opnum("15,17").unwrap().to_string(), "15,17");
        assert!(parse_dce_opnum("9-3").is_err());
    }

    #[test]
    fn asn1_and_base64() {
        let a = parse_asn1(
            "double_overflow, bitstring_overflow, relative_offset 0, oversize_length 10000",
        )
        .unwrap();
        assert!(a.double_overflow && a.bitstring_overflow);
        assert_eq!(a.relative_offset, Some(0));
        assert_eq!(parse_asn1(&a.to_string()).unwrap(), a);
        assert!(parse_asn1("absolute_offset 1,relative_offset 1").is_err());
        assert!(parse_asn1("overflowing").is_err());
        let b = parse_base64_decode(Some("bytes 150, offset 10, relative")).unwrap();
        assert_eq!((b.bytes, b.offset, b.relative), (Some(150), Some(10), true));
        assert_eq!(parse_base64_decode(None).unwrap(), Base64Decode::default());
        assert!(parse_base64_decode(Some("bytes 0")).is_err());
    }

    #[test]
    fn files_and_names() {
        assert_eq!(
            parse_filestore(Some("to_server,flow")).unwrap().to_string(),
            "to_server,flow"
        );
        assert!(parse_filestore(Some("sideways")).is_err());
        assert_eq!(parse_names("ftp-data,http,imap,pop3").unwrap().len(), 4);
        assert!(parse_names("a b").is_err());
        assert_eq!(parse_codes("200,404").unwrap(), [200, 404]);
    }
}
