//! Canonical rule text: `Display` for [`Rule`], [`Condition`] and
//! [`Match`].
//!
//! The output is Suricata syntax that parses back to an equal model in
//! either dialect: buffers are selected with sticky-buffer keywords
//! (`http.uri;`), never with content modifiers; each list is printed in one
//! piece after its keyword (a payload list first needs none, a later one
//! gets `pkt_data;`); modifiers follow their content as separate keywords;
//! pcre buffer flags are dropped (the pcre sits in its buffer's list). The
//! order is: `msg`, conditions, lists, then references, classtype,
//! priority, target, metadata, sid, gid, rev.

use std::fmt;

use super::buffer::Buffer;
use super::keywords::content::{FastPattern, PatternText};
use super::keywords::value::{write_escaped, write_quoted};
use super::model::{Condition, Match, MatchList, Rule};

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.action.name(), self.protocol.name())?;
        if let Some(h) = &self.header {
            write!(f, " {h}")?;
        }
        f.write_str(" (")?;
        if let Some(m) = &self.msg {
            f.write_str("msg:")?;
            write_quoted(f, m)?;
            f.write_str("; ")?;
        }
        for c in &self.conditions {
            write!(f, "{c} ")?;
        }
        for (i, list) in self.lists.iter().enumerate() {
            write_list(f, list, i == 0)?;
        }
        for r in &self.references {
            write!(f, "reference:{},{}; ", r.kind, r.value)?;
        }
        if let Some(c) = &self.classtype {
            write!(f, "classtype:{c}; ")?;
        }
        if let Some(p) = self.priority {
            write!(f, "priority:{p}; ")?;
        }
        if let Some(t) = self.target {
            write!(f, "target:{}; ", t.name())?;
        }
        if !self.metadata.is_empty() {
            write!(f, "metadata:{}; ", self.metadata.as_str())?;
        }
        if let Some(s) = self.sid {
            write!(f, "sid:{s}; ")?;
        }
        if let Some(g) = self.gid {
            write!(f, "gid:{g}; ")?;
        }
        if let Some(r) = self.rev {
            write!(f, "rev:{r}; ")?;
        }
        f.write_str(")")
    }
}

fn write_list(f: &mut fmt::Formatter<'_>, list: &MatchList, first: bool) -> fmt::Result {
    let implicit = first && list.buffer == Buffer::Payload && !list.matches.is_empty();
    if !implicit {
        write!(f, "{}; ", list.buffer.sticky_name())?;
    }
    for t in &list.transforms {
        write!(f, "{t}; ")?;
    }
    for m in &list.matches {
        write_match(f, m, list.buffer)?;
    }
    Ok(())
}

fn write_match(f: &mut fmt::Formatter<'_>, m: &Match, buffer: Buffer) -> fmt::Result {
    match m {
        Match::Content(c) => {
            write!(f, "content:{}; ", PatternText(c))?;
            if c.nocase {
                f.write_str("nocase; ")?;
            }
            if c.rawbytes {
                f.write_str("rawbytes; ")?;
            }
            if c.startswith {
                f.write_str("startswith; ")?;
            }
            if c.endswith {
                f.write_str("endswith; ")?;
            }
            if let Some(o) = &c.offset {
                write!(f, "offset:{o}; ")?;
            }
            if let Some(d) = &c.depth {
                write!(f, "depth:{d}; ")?;
            }
            if let Some(d) = &c.distance {
                write!(f, "distance:{d}; ")?;
            }
            if let Some(w) = &c.within {
                write!(f, "within:{w}; ")?;
            }
            match c.fast_pattern {
                None => {}
                Some(FastPattern::Plain) => f.write_str("fast_pattern; ")?,
                Some(fp) => write!(f, "fast_pattern:{fp}; ")?,
            }
            Ok(())
        }
        Match::Pcre(p) => write!(f, "pcre:{p}; "),
        Match::ByteTest(x) => write!(f, "byte_test:{x}; "),
        Match::ByteJump(x) => write!(f, "byte_jump:{x}; "),
        Match::ByteExtract(x) => write!(f, "byte_extract:{x}; "),
        Match::ByteMath(x) => write!(f, "byte_math:{x}; "),
        Match::IsDataAt(x) => write!(f, "isdataat:{x}; "),
        Match::Bsize(x) => write!(f, "bsize:{x}; "),
        Match::Urilen(x) => {
            if buffer == Buffer::HttpUriRaw {
                write!(f, "urilen:{x},raw; ")
            } else {
                write!(f, "urilen:{x}; ")
            }
        }
        Match::Base64Decode(x) => {
            let v = x.to_string();
            if v.is_empty() {
                f.write_str("base64_decode; ")
            } else {
                write!(f, "base64_decode:{v}; ")
            }
        }
        Match::Asn1(x) => write!(f, "asn1:{x}; "),
    }
}

impl fmt::Display for Match {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_match(f, self, Buffer::Payload)
    }
}

fn join<T: fmt::Display>(items: &[T], sep: &str) -> String {
    items
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(sep)
}

/// Prints `keyword:value;` (or `keyword;`).
impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let k = self.keyword();
        match self {
            Condition::Sameip | Condition::Ftpbounce | Condition::Noalert | Condition::Alert => {
                write!(f, "{k};")
            }
            Condition::Flow(x) => write!(f, "{k}:{x};"),
            Condition::Flowbits(x) => write!(f, "{k}:{x};"),
            Condition::Xbits(x) => write!(f, "{k}:{x};"),
            Condition::Flowint(x) => write!(f, "{k}:{x};"),
            Condition::StreamSize(x) => write!(f, "{k}:{x};"),
            Condition::Flags(x) => write!(f, "{k}:{x};"),
            Condition::Fragbits(x) => write!(f, "{k}:{x};"),
            Condition::Ipopts(x) => write!(f, "{k}:{x};"),
            Condition::IpProto(x) => write!(f, "{k}:{x};"),
            Condition::Dsize(x)
            | Condition::Ttl(x)
            | Condition::Tos(x)
            | Condition::Id(x)
            | Condition::Fragoffset(x)
            | Condition::TcpMss(x)
            | Condition::Itype(x)
            | Condition::Icode(x) => write!(f, "{k}:{x};"),
            Condition::Seq(x) | Condition::Ack(x) => write!(f, "{k}:{x};"),
            Condition::Window(x) => write!(f, "{k}:{x};"),
            Condition::IcmpId(x) | Condition::IcmpSeq(x) => write!(f, "{k}:{x};"),
            Condition::Checksum(_, ok) => {
                write!(f, "{k}:{};", if *ok { "valid" } else { "invalid" })
            }
            Condition::DecodeEvent(x) | Condition::StreamEvent(x) | Condition::AppLayerEvent(x) => {
                write!(f, "{k}:{x};")
            }
            Condition::AppLayerProtocol(x) => write!(f, "{k}:{x};"),
            Condition::SslState(x) => write!(f, "{k}:{x};"),
            Condition::SslVersion(x) => write!(f, "{k}:{x};"),
            Condition::TlsVersion(x) => write!(f, "{k}:{x};"),
            Condition::TlsFingerprint(x) => write!(f, "{k}:{x};"),
            Condition::DceIface(x) => write!(f, "{k}:{x};"),
            Condition::DceOpnum(x) => write!(f, "{k}:{x};"),
            Condition::FtpdataCommand(x) => write!(f, "{k}:{x};"),
            Condition::File(p, x) => {
                if p.is_hash_list() {
                    let neg = if x.negated { "!" } else { "" };
                    f.write_str(k)?;
                    f.write_str(":")?;
                    f.write_str(neg)?;
                    write_escaped(f, &x.value)?;
                    f.write_str(";")
                } else {
                    write!(f, "{k}:{x};")
                }
            }
            Condition::Filestore(x) => {
                let v = x.to_string();
                if v.is_empty() {
                    write!(f, "{k};")
                } else {
                    write!(f, "{k}:{v};")
                }
            }
            Condition::SipMethod(x) | Condition::Service(x) => write!(f, "{k}:{};", x.join(",")),
            Condition::SipStatCode(x) => write!(f, "{k}:{};", join(x, ",")),
            Condition::Tag(x) => write!(f, "{k}:{x};"),
            Condition::Threshold(x) | Condition::DetectionFilter(x) => write!(f, "{k}:{x};"),
            Condition::Unknown { name, value } => match value {
                Some(v) if !v.is_empty() => write!(f, "{name}:{v};"),
                _ => write!(f, "{name};"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rule::parse_rule;

    #[test]
    fn canonical_text() {
        let r = parse_rule(
            r#"alert http $HOME_NET any -> any 80 (msg:"a \"b\" \; c"; flow:to_server,established; content:"GET"; http_method; content:"/x|0d 0a|"; http_uri; nocase; depth:9; pcre:"/y/Ui"; reference:cve,2024-1; metadata:k v, k2 v2; classtype:trojan-activity; sid:5; rev:2;)"#,
        )
        .unwrap();
        assert_eq!(
            r.to_string(),
            r#"alert http $HOME_NET any -> any 80 (msg:"a \"b\" \; c"; flow:established,to_server; http.method; content:"GET"; http.uri; content:"/x|0D 0A|"; nocase; depth:9; pcre:"/y/i"; reference:cve,2024-1; classtype:trojan-activity; metadata:k v, k2 v2; sid:5; rev:2; )"#
        );
    }

    #[test]
    fn a_later_payload_list_gets_pkt_data() {
        let r = parse_rule(r#"alert http any any -> any any (http.uri; content:"a"; pkt_data; content:"b"; sid:1;)"#)
            .unwrap();
        assert_eq!(
            r.to_string(),
            r#"alert http any any -> any any (http.uri; content:"a"; pkt_data; content:"b"; sid:1; )"#
        );
        let r = parse_rule(r#"alert http any any -> any any (content:"a"; urilen:>5,raw; sid:1;)"#)
            .unwrap();
        assert_eq!(
            r.to_string(),
            r#"alert http any any -> any any (content:"a"; http.uri.raw; urilen:>5,raw; sid:1; )"#
        );
    }
}
