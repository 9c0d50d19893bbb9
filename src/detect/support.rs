//! Which rules the engine evaluates: a rule is *active* only when every
//! keyword in it is one the engine evaluates. Anything else (sticky
//! buffers, app-layer keywords, flowint, `xbits` with `track tx`...) makes
//! the rule inactive with a reason, never a guess. An application-layer
//! protocol in the header (`alert tls ...`) is evaluated when
//! [`crate::applayer`] detects that protocol. A pcre the engines cannot
//! compile is found at engine build ([`super::Engine::why_inactive`]).

use crate::applayer::AppProto;
use crate::rule::{Buffer, Condition, Match, Protocol, Rule};

/// Why a rule is not evaluated, or `None` when it is.
pub fn inactive_reason(rule: &Rule) -> Option<String> {
    if !rule.is_supported() {
        return Some(format!(
            "unknown keyword '{}'",
            rule.unsupported().first().copied().unwrap_or("?")
        ));
    }
    match &rule.protocol {
        Protocol::App(p) => match AppProto::from_rule_name(p) {
            Some(a) if a.is_detectable() => {}
            Some(_) => {
                return Some(format!(
                    "application-layer protocol '{p}' (not detected yet)"
                ))
            }
            None => return Some(format!("application-layer protocol '{p}'")),
        },
        Protocol::TcpStream => return Some("protocol 'tcp-stream' (stream)".into()),
        Protocol::Ether | Protocol::Arp => {
            return Some(format!("protocol '{}'", rule.protocol.name()))
        }
        _ => {}
    }
    if let Some(h) = &rule.header {
        if h.direction == crate::rule::Direction::Transactional {
            return Some("transactional direction '=>'".into());
        }
    } else {
        return Some("service rule without a header".into());
    }
    let decodes = rule
        .lists
        .iter()
        .flat_map(|l| &l.matches)
        .filter(|m| matches!(m, Match::Base64Decode(_)))
        .count();
    if decodes > 1 {
        return Some("more than one base64_decode".into());
    }
    for list in &rule.lists {
        let b64 = list.buffer == Buffer::Base64Data;
        if list.buffer != Buffer::Payload && !(b64 && decodes == 1) {
            return Some(format!("buffer '{}'", list.buffer.sticky_name()));
        }
        if !list.transforms.is_empty() {
            return Some("transforms".into());
        }
        for m in &list.matches {
            match m {
                Match::Content(_)
                | Match::IsDataAt(_)
                | Match::Pcre(_)
                | Match::ByteTest(_)
                | Match::ByteJump(_)
                | Match::ByteExtract(_)
                | Match::ByteMath(_)
                | Match::Asn1(_) => {}
                // Suricata reads `bytes` as a 16-bit number.
                Match::Base64Decode(d)
                    if !b64
                        && d.bytes
                            .map_or(true, |n| n <= crate::detect::keywords::base64::MAX_BYTES) => {}
                other => return Some(format!("keyword '{}'", other.keyword())),
            }
        }
    }
    for c in &rule.conditions {
        let ok = match c {
            Condition::Flow(_)
            | Condition::Flags(_)
            | Condition::Fragbits(_)
            | Condition::Ipopts(_)
            | Condition::IpProto(_)
            | Condition::Dsize(_)
            | Condition::Ttl(_)
            | Condition::Tos(_)
            | Condition::Id(_)
            | Condition::Fragoffset(_)
            | Condition::Sameip
            | Condition::Seq(_)
            | Condition::Ack(_)
            | Condition::Window(_)
            | Condition::TcpMss(_)
            | Condition::Itype(_)
            | Condition::Icode(_)
            | Condition::IcmpId(_)
            | Condition::IcmpSeq(_)
            | Condition::Checksum(..)
            | Condition::Flowbits(_)
            | Condition::StreamSize(_)
            | Condition::Threshold(_)
            | Condition::DetectionFilter(_)
            | Condition::Tag(_)
            | Condition::Noalert
            | Condition::Alert => true,
            Condition::Xbits(x) => x.track != crate::rule::keywords::flow::XbitsTrack::Tx,
            Condition::DecodeEvent(name) => crate::decode::DecodeEvent::from_name(name).is_some(),
            _ => false,
        };
        if !ok {
            return Some(format!("keyword '{}'", c.keyword()));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::parse_rule;

    #[test]
    fn reasons() {
        let r = |t: &str| inactive_reason(&parse_rule(t).unwrap());
        assert_eq!(
            r(
                r#"alert tcp any any -> any 80 (content:"a"; nocase; dsize:>3; flow:established; sid:1;)"#
            ),
            None
        );
        assert_eq!(
            r(r#"alert http any any -> any any (content:"a"; sid:1;)"#),
            None
        );
        assert_eq!(
            r(
                r#"alert tls any any -> any any (flow:established,to_client; content:"|16 03|"; sid:1;)"#
            ),
            None
        );
        assert_eq!(
            r(r#"alert ftp-data any any -> any any (content:"a"; sid:1;)"#).as_deref(),
            Some("application-layer protocol 'ftp-data' (not detected yet)")
        );
        assert_eq!(
            r(r#"alert http any any -> any any (content:"a"; http_uri; sid:1;)"#).as_deref(),
            Some("buffer 'http.uri'")
        );
        assert!(r(r#"alert dns any any -> any any (dns.query; content:"a"; sid:1;)"#).is_some());
        assert_eq!(
            r(r#"alert tcp any any -> any any (pcre:"/a/"; sid:1;)"#),
            None
        );
        assert_eq!(
            r(r#"alert tcp any any -> any any (flowbits:isset,a; sid:1;)"#),
            None
        );
        assert_eq!(
            r(r#"alert tcp any any -> any any (xbits:isset,a,track ip_src; sid:1;)"#),
            None
        );
        assert_eq!(
            r(
                r#"alert tcp any any -> any any (threshold:type limit,track by_src,count 1,seconds 60; detection_filter:track by_dst,count 2,seconds 10; sid:1;)"#
            ),
            None
        );
        assert!(r(r#"alert tcp any any -> any any (content:"a"; http_uri; sid:1;)"#).is_some());
        assert_eq!(
            r(
                r#"alert tcp any any -> any any (content:"a"; base64_decode:relative; base64_data; content:"b"; asn1:oversize_length 9; sid:1;)"#
            ),
            None
        );
        assert_eq!(
            r(r#"alert tcp any any -> any any (base64_decode:bytes 65536; base64_data; content:"b"; sid:1;)"#)
                .as_deref(),
            Some("keyword 'base64_decode'")
        );
        assert_eq!(
            r(r#"alert tcp any any -> any any (base64_decode; content:"a"; base64_decode; base64_data; content:"b"; sid:1;)"#)
                .as_deref(),
            Some("more than one base64_decode")
        );
        assert_eq!(
            r(r#"alert pkthdr any any -> any any (decode-event:ipv4.pkt_too_small; sid:1;)"#),
            None
        );
    }
}
