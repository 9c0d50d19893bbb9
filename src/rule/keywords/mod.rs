//! Keyword value parsers: one small typed parser per keyword, and the
//! table that maps a keyword name to its parser ([`parse_keyword`]).
//!
//! Each parser takes the raw option value (the text after `:`, quotes
//! still on) and returns a typed value or a [`value::ValueError`] with an
//! offset into that text. Where a keyword goes in the rule (which buffer,
//! which content it modifies) is [`super::build`]'s job.

pub mod app;
pub mod byte;
pub mod content;
pub mod flow;
pub mod meta;
pub mod packet;
pub mod pcre;
pub mod value;

use super::buffer::{Buffer, Transform};
use super::model::{Condition, Match};
use app::FileProperty;
use content::{Content, ContentModifier};
use meta::{Metadata, Reference, Target};
use packet::ChecksumKind;
use value::{int_match, number, quoted, unescape, IntMatch, VResult, ValueError};

/// Which rule language a rule is read as. Only one thing differs between
/// them for this parser: Snort 3 uses the HTTP content-modifier names
/// (`http_uri`, `http_header`, ...) as sticky buffers placed before the
/// content, where Suricata and Snort 2 place them after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// Suricata, and Snort 2.9 (which Suricata reads).
    Suricata,
    /// Snort 3.
    Snort3,
}

/// What one option turned out to be.
#[derive(Clone, Debug)]
pub(crate) enum Parsed {
    Msg(String),
    Sid(u32),
    Gid(u32),
    Rev(u32),
    Classtype(String),
    Priority(u32),
    Reference(Reference),
    Metadata(Metadata),
    Target(Target),
    /// A content, its Snort 3 comma modifiers, and the buffer `uricontent`
    /// implies.
    Content {
        content: Content,
        mods: Vec<(ContentModifier, usize)>,
        buffer: Option<Buffer>,
    },
    /// A separate content modifier keyword (`depth:4;`, `nocase;`).
    Modifier(ContentModifier),
    /// A sticky buffer keyword.
    Sticky(Buffer),
    /// A content modifier that names a buffer (`http_uri;` in Suricata).
    BufferModifier(Buffer),
    /// A pcre and the buffer its flag names.
    Pcre(pcre::Pcre, Option<Buffer>),
    /// A match for the active buffer.
    Match(Match),
    /// `urilen` (always the URI list; `true` for the raw URI).
    Urilen(IntMatch, bool),
    /// A transform of the active buffer.
    Transform(Transform),
    /// A keyword not tied to a buffer.
    Condition(Condition),
    /// A keyword with no effect on matching (`prefilter`, an engine hint;
    /// `requires`, checked before the rule is built).
    Ignored,
}

/// How a keyword takes its value.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Arity {
    None,
    Optional,
    Required,
}

/// Parses one option. `Err` carries the error kind and an offset into the
/// value (0 when the problem is the option as a whole).
pub(crate) fn parse_keyword(
    name: &str,
    value: Option<&str>,
    dialect: Dialect,
) -> Result<Parsed, (usize, super::error::RuleErrorKind)> {
    use super::error::RuleErrorKind as K;
    let has_value = value.is_some_and(|v| !v.trim().is_empty());
    let bad = |e: ValueError| {
        (
            e.at,
            K::BadValue {
                keyword: name.into(),
                reason: e.reason,
            },
        )
    };
    // Buffers and transforms first: one table lookup each.
    let buffer = Buffer::from_sticky_name(name)
        .map(Parsed::Sticky)
        .or_else(|| {
            Buffer::from_modifier_name(name).map(|b| match dialect {
                Dialect::Snort3 => Parsed::Sticky(b),
                Dialect::Suricata => Parsed::BufferModifier(b),
            })
        });
    if let Some(parsed) = buffer {
        if has_value {
            return Err((
                0,
                K::UnexpectedValue {
                    keyword: name.into(),
                },
            ));
        }
        return Ok(parsed);
    }
    if let Some(t) = Transform::parse(name, value) {
        return t.map(Parsed::Transform).map_err(bad);
    }
    let arity = arity(name);
    match (arity, has_value) {
        (Some(Arity::None), true) => {
            return Err((
                0,
                K::UnexpectedValue {
                    keyword: name.into(),
                },
            ))
        }
        (Some(Arity::Required), false) => {
            return Err((
                0,
                K::MissingValue {
                    keyword: name.into(),
                },
            ))
        }
        (None, _) => {
            return Ok(Parsed::Condition(Condition::Unknown {
                name: name.to_string(),
                value: value
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(str::to_string),
            }))
        }
        _ => {}
    }
    parse_known(name, value, value.unwrap_or(""), dialect).map_err(bad)
}

/// Whether `name` is a keyword rulewire knows: a buffer, a transform or an
/// option with a parser (what `requires: keyword NAME` asks).
pub(crate) fn is_known(name: &str) -> bool {
    Buffer::from_sticky_name(name).is_some()
        || Buffer::from_modifier_name(name).is_some()
        || Transform::parse(name, None).is_some()
        || arity(name).is_some()
}

/// The arity of a known keyword other than buffers and transforms; `None`
/// for an unknown one.
fn arity(name: &str) -> Option<Arity> {
    Some(match name {
        // The most common keywords first (the match is sequential).
        "content" | "msg" | "flow" | "metadata" | "sid" | "rev" | "classtype" | "reference" => {
            Arity::Required
        }
        "nocase" | "rawbytes" | "startswith" | "endswith" | "sameip" | "ftpbounce" | "noalert"
        | "alert" | "prefilter" => Arity::None,
        "fast_pattern" | "base64_decode" | "filestore" => Arity::Optional,
        "gid" | "priority" | "target" | "uricontent" | "depth" | "offset" | "distance"
        | "within" | "pcre" | "byte_test" | "byte_jump" | "byte_extract" | "byte_math"
        | "isdataat" | "bsize" | "bufferlen" | "urilen" | "asn1" | "flowbits" | "xbits"
        | "flowint" | "stream_size" | "flags" | "tcp.flags" | "fragbits" | "ipopts"
        | "hostbits" | "ip_proto" | "dsize" | "ttl" | "tos" | "id" | "fragoffset" | "seq"
        | "ack" | "tcp.seq" | "tcp.ack" | "requires" | "window" | "tcp.mss" | "itype" | "icode"
        | "icmp_id" | "icmp_seq" | "decode-event" | "stream-event" | "app-layer-event"
        | "app-layer-protocol" | "ssl_state" | "ssl_version" | "tls.version"
        | "tls.fingerprint" | "dce_iface" | "dce_opnum" | "ftpdata_command" | "sip_method"
        | "sip_stat_code" | "service" | "tag" | "threshold" | "detection_filter" => Arity::Required,
        _ if ChecksumKind::from_keyword(name).is_some() => Arity::Required,
        _ if FileProperty::from_keyword(name).is_some() => Arity::Required,
        _ => return None,
    })
}

fn u32_value(v: &str, what: &str) -> VResult<u32> {
    number(v, u64::from(u32::MAX), what).map(|n| n as u32)
}

fn parse_known(name: &str, raw: Option<&str>, v: &str, _dialect: Dialect) -> VResult<Parsed> {
    use Condition as C;
    if let Some(k) = ChecksumKind::from_keyword(name) {
        return packet::parse_checksum(v).map(|ok| Parsed::Condition(C::Checksum(k, ok)));
    }
    if let Some(p) = FileProperty::from_keyword(name) {
        return app::parse_neg_string(v).map(|s| Parsed::Condition(C::File(p, s)));
    }
    let cond = |c: Condition| Ok(Parsed::Condition(c));
    let ints = |max: u64| int_match(v, max);
    match name {
        "msg" => Ok(Parsed::Msg(unescape(quoted(v)?))),
        "sid" => Ok(Parsed::Sid(u32_value(v, "sid")?)),
        "gid" => Ok(Parsed::Gid(u32_value(v, "gid")?)),
        "rev" => Ok(Parsed::Rev(u32_value(v, "rev")?)),
        "priority" => Ok(Parsed::Priority(u32_value(v, "priority")?)),
        "classtype" => {
            let c = v.trim();
            if c.is_empty() || c.contains(char::is_whitespace) {
                return Err(ValueError::new(format!("'{c}' is not a classtype name")));
            }
            Ok(Parsed::Classtype(c.to_string()))
        }
        "reference" => meta::parse_reference(v).map(Parsed::Reference),
        "metadata" => meta::parse_metadata(v).map(Parsed::Metadata),
        "target" => meta::parse_target(v).map(Parsed::Target),
        "content" | "uricontent" => {
            let (content, mods) = content::parse_content(v)?;
            let buffer = (name == "uricontent").then_some(Buffer::HttpUri);
            Ok(Parsed::Content {
                content,
                mods,
                buffer,
            })
        }
        "nocase" => Ok(Parsed::Modifier(ContentModifier::Nocase)),
        "rawbytes" => Ok(Parsed::Modifier(ContentModifier::Rawbytes)),
        "startswith" => Ok(Parsed::Modifier(ContentModifier::Startswith)),
        "endswith" => Ok(Parsed::Modifier(ContentModifier::Endswith)),
        "depth" | "offset" | "distance" | "within" => {
            content::parse_position(name, v).map(Parsed::Modifier)
        }
        "fast_pattern" => content::parse_fast_pattern(raw)
            .map(|f| Parsed::Modifier(ContentModifier::FastPattern(f))),
        "pcre" => pcre::parse_pcre(v).map(|(p, b)| Parsed::Pcre(p, b)),
        "byte_test" => byte::parse_byte_test(v).map(|m| Parsed::Match(Match::ByteTest(m))),
        "byte_jump" => byte::parse_byte_jump(v).map(|m| Parsed::Match(Match::ByteJump(m))),
        "byte_extract" => byte::parse_byte_extract(v).map(|m| Parsed::Match(Match::ByteExtract(m))),
        "byte_math" => byte::parse_byte_math(v).map(|m| Parsed::Match(Match::ByteMath(m))),
        "isdataat" => byte::parse_isdataat(v).map(|m| Parsed::Match(Match::IsDataAt(m))),
        "bsize" | "bufferlen" => ints(u64::from(u32::MAX)).map(|m| Parsed::Match(Match::Bsize(m))),
        "urilen" => {
            let (num, mode) = match v.split_once(',') {
                Some((n, m)) => (n, Some(m.trim())),
                None => (v, None),
            };
            let raw_uri = match mode {
                None | Some("norm") => false,
                Some("raw") => true,
                Some(m) => {
                    return Err(ValueError::new(format!(
                        "expected norm or raw, found '{m}'"
                    )))
                }
            };
            int_match(num, 65535).map(|m| Parsed::Urilen(m, raw_uri))
        }
        "base64_decode" => {
            app::parse_base64_decode(raw).map(|b| Parsed::Match(Match::Base64Decode(b)))
        }
        "asn1" => app::parse_asn1(v).map(|a| Parsed::Match(Match::Asn1(a))),
        "flow" => cond(C::Flow(flow::parse_flow(v)?)),
        "flowbits" => cond(C::Flowbits(flow::parse_flowbits(v)?)),
        "xbits" => cond(C::Xbits(flow::parse_xbits(v)?)),
        "hostbits" => cond(flow::parse_hostbits(v)?.map_or(C::Noalert, C::Xbits)),
        "flowint" => cond(C::Flowint(flow::parse_flowint(v)?)),
        "stream_size" => cond(C::StreamSize(flow::parse_stream_size(v)?)),
        "flags" | "tcp.flags" => cond(C::Flags(packet::parse_flags(v)?)),
        "fragbits" => cond(C::Fragbits(packet::parse_fragbits(v)?)),
        "ipopts" => cond(C::Ipopts(packet::parse_ipopts(v)?)),
        "ip_proto" => cond(C::IpProto(packet::parse_ip_proto(v)?)),
        "dsize" => cond(C::Dsize(ints(65535)?)),
        "ttl" => cond(C::Ttl(ints(255)?)),
        "tos" => cond(C::Tos(ints(255)?)),
        "id" => cond(C::Id(ints(65535)?)),
        "fragoffset" => cond(C::Fragoffset(ints(8191)?)),
        "seq" | "tcp.seq" => cond(C::Seq(u32_value(v, "seq")?)),
        "ack" | "tcp.ack" => cond(C::Ack(u32_value(v, "ack")?)),
        // `prefilter` picks the keyword Suricata prefilters the rule on: an
        // engine choice that changes no match. `requires` was checked
        // before the rule was built (see `super::requires`).
        "prefilter" | "requires" => Ok(Parsed::Ignored),
        "window" => cond(C::Window(packet::parse_window(v)?)),
        "tcp.mss" => cond(C::TcpMss(ints(65535)?)),
        "itype" => cond(C::Itype(ints(255)?)),
        "icode" => cond(C::Icode(ints(255)?)),
        "icmp_id" => cond(C::IcmpId(number(v, 65535, "icmp_id")? as u16)),
        "icmp_seq" => cond(C::IcmpSeq(number(v, 65535, "icmp_seq")? as u16)),
        "decode-event" => cond(C::DecodeEvent(app::parse_event(v)?)),
        "stream-event" => cond(C::StreamEvent(app::parse_event(v)?)),
        "app-layer-event" => cond(C::AppLayerEvent(app::parse_event(v)?)),
        "app-layer-protocol" => cond(C::AppLayerProtocol(app::parse_app_layer_protocol(v)?)),
        "ssl_state" => cond(C::SslState(app::parse_ssl_state(v)?)),
        "ssl_version" => cond(C::SslVersion(app::parse_ssl_version(v)?)),
        "tls.version" => cond(C::TlsVersion(app::parse_tls_version(v)?)),
        "tls.fingerprint" => cond(C::TlsFingerprint(app::parse_neg_string(v)?)),
        "dce_iface" => cond(C::DceIface(app::parse_dce_iface(v)?)),
        "dce_opnum" => cond(C::DceOpnum(app::parse_dce_opnum(v)?)),
        "ftpbounce" => cond(C::Ftpbounce),
        "ftpdata_command" => match v.trim() {
            c @ ("stor" | "retr") => cond(C::FtpdataCommand(c.to_string())),
            c => Err(ValueError::new(format!(
                "expected stor or retr, found '{c}'"
            ))),
        },
        "filestore" => cond(C::Filestore(app::parse_filestore(raw)?)),
        "sip_method" => cond(C::SipMethod(app::parse_names(v)?)),
        "sip_stat_code" => cond(C::SipStatCode(app::parse_codes(v)?)),
        "service" => cond(C::Service(app::parse_names(v)?)),
        "noalert" => cond(C::Noalert),
        "alert" => cond(C::Alert),
        "sameip" => cond(C::Sameip),
        "tag" => cond(C::Tag(meta::parse_tag(v)?)),
        "threshold" => cond(C::Threshold(meta::parse_threshold(v, true)?)),
        "detection_filter" => cond(C::DetectionFilter(meta::parse_threshold(v, false)?)),
        _ => Err(ValueError::new("keyword has no parser")),
    }
}

/// Keywords Suricata 8 warns about as deprecated, with the replacement.
pub(crate) fn deprecation(name: &str) -> Option<&'static str> {
    Some(match name {
        "uricontent" => "'http.uri; content:'",
        "rawbytes" => "nothing (it has no effect)",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::error::RuleErrorKind;

    fn parse(name: &str, value: Option<&str>) -> Result<Parsed, (usize, RuleErrorKind)> {
        parse_keyword(name, value, Dialect::Suricata)
    }

    #[test]
    fn unknown_keywords_are_kept() {
        match parse("frobnicate", Some(" 1,2 ")).unwrap() {
            Parsed::Condition(Condition::Unknown { name, value }) => {
                assert_eq!(name, "frobnicate");
                assert_eq!(value.as_deref(), Some("1,2"));
            }
            p => panic!("{p:?}"),
        }
    }

    #[test]
    fn arity_is_checked() {
        assert!(matches!(
            parse("nocase", Some("1")),
            Err((0, RuleErrorKind::UnexpectedValue { .. }))
        ));
        assert!(matches!(
            parse("sid", None),
            Err((0, RuleErrorKind::MissingValue { .. }))
        ));
        assert!(matches!(
            parse("fast_pattern", None),
            Ok(Parsed::Modifier(_))
        ));
    }

    #[test]
    fn dialect_decides_http_uri() {
        assert!(matches!(
            parse_keyword("http_uri", None, Dialect::Suricata),
            Ok(Parsed::BufferModifier(Buffer::HttpUri))
        ));
        assert!(matches!(
            parse_keyword("http_uri", None, Dialect::Snort3),
            Ok(Parsed::Sticky(Buffer::HttpUri))
        ));
        assert!(matches!(
            parse("http_content_type", None),
            Ok(Parsed::Sticky(Buffer::HttpContentType))
        ));
    }

    #[test]
    fn values_reach_their_parsers() {
        match parse("msg", Some(r#""a \"b\" c\;""#)).unwrap() {
            Parsed::Msg(m) => assert_eq!(m, r#"a "b" c;"#),
            p => panic!("{p:?}"),
        }
        assert!(matches!(
            parse("msg", Some("unquoted")),
            Err((0, RuleErrorKind::BadValue { .. }))
        ));
        assert!(matches!(parse("sid", Some("12")), Ok(Parsed::Sid(12))));
        assert!(matches!(
            parse("sid", Some("-1")),
            Err((_, RuleErrorKind::BadValue { .. }))
        ));
        assert!(matches!(
            parse("urilen", Some("5,raw")),
            Ok(Parsed::Urilen(IntMatch::Eq(5), true))
        ));
        assert!(matches!(
            parse("ipv4-csum", Some("valid")),
            Ok(Parsed::Condition(Condition::Checksum(
                ChecksumKind::Ipv4,
                true
            )))
        ));
        let e = parse("content", Some(r#""a|4G|""#)).unwrap_err();
        assert_eq!(e.0, 4);
    }
}
