//! SIP over UDP: detection, and the first-line check that stands in for
//! Suricata's SIP parser errors (`rust/src/sip/parser.rs`).
//!
//! Detection (Suricata 8's `register_pattern_probe`, case-sensitive, at
//! offset 0): to the server `REGISTER`, `INVITE`, `BYE`, `CANCEL`,
//! `REFER`, `PRACK`, `PUBLISH`, `MESSAGE`, and `ACK`, `INFO`, `NOTIFY`,
//! `SUBSCRIBE`, `OPTIONS`, `UPDATE` when `SIP/` occurs in the datagram;
//! to the client `SIP/2.0`. UDP only here (Suricata also detects SIP on
//! TCP).
//!
//! Errors: Suricata parses each datagram of a SIP flow as a request (to
//! the server) or a response (to the client), and any parse failure is an
//! app-layer error (then `app-layer.error-policy` applies). A datagram
//! whose *first line* is not a well-formed request line or status line (by
//! the parser's own character classes, ending in CRLF) certainly fails
//! that parse, so [`first_line_ok`] false is an error Suricata has too.
//! The converse does not hold: errors in the headers or the SDP body are
//! not found here (fewer errors than Suricata, never more).

use super::probe::Probe;
use super::AppProto;

const METHODS: &[&[u8]] = &[
    b"REGISTER",
    b"INVITE",
    b"BYE",
    b"CANCEL",
    b"REFER",
    b"PRACK",
    b"PUBLISH",
    b"MESSAGE",
];
/// Methods that also need `SIP/` somewhere in the datagram.
const METHODS_PROBED: &[&[u8]] = &[
    b"ACK",
    b"INFO",
    b"NOTIFY",
    b"SUBSCRIBE",
    b"OPTIONS",
    b"UPDATE",
];

/// Detects SIP on one UDP datagram (see the module docs).
pub fn detect(to_server: bool, data: &[u8]) -> Option<Probe> {
    if to_server {
        if METHODS.iter().any(|m| data.starts_with(m)) {
            return Some(Probe::Found(AppProto::Sip));
        }
        if METHODS_PROBED.iter().any(|m| data.starts_with(m)) {
            let window = &data[..data.len().min(65536)];
            let found = window.windows(4).any(|w| w == b"SIP/");
            return Some(if found {
                Probe::Found(AppProto::Sip)
            } else {
                Probe::No
            });
        }
        None
    } else {
        data.starts_with(b"SIP/2.0")
            .then_some(Probe::Found(AppProto::Sip))
    }
}

/// RFC 3261 token characters, as Suricata's `is_token_char`.
fn token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!%'*+-._`~".contains(&b)
}

fn uri_char(b: u8) -> bool {
    token(b) || b"~#@:;=?+&$,/".contains(&b)
}

fn version_char(b: u8) -> bool {
    b.is_ascii_digit() || b == b'.'
}

fn reason_char(b: u8) -> bool {
    token(b) || b"$&(),/:;=?@[\\]^ ".contains(&b)
}

/// Splits off the longest prefix of bytes for which `f` holds.
fn span(data: &[u8], f: impl Fn(u8) -> bool) -> (&[u8], &[u8]) {
    let n = data.iter().take_while(|&&b| f(b)).count();
    data.split_at(n)
}

/// `SIP/` followed by at least one digit or dot.
fn version(data: &[u8]) -> Option<&[u8]> {
    let rest = data.strip_prefix(b"SIP/")?;
    let (v, rest) = span(rest, version_char);
    (!v.is_empty()).then_some(rest)
}

/// Whether the datagram's first line is a well-formed SIP request line
/// (`to_server`: `Method SP Request-URI SP SIP/version CRLF`) or status
/// line (`SIP/version SP 3 characters SP Reason CRLF`), by the character
/// classes of Suricata's SIP parser.
pub fn first_line_ok(to_server: bool, data: &[u8]) -> bool {
    let rest = if to_server {
        // The method may be empty in Suricata's parser (`take_while`).
        let (_, rest) = span(data, |b| b.is_ascii_alphabetic());
        let Some(rest) = rest.strip_prefix(b" ") else {
            return false;
        };
        let (uri, rest) = span(rest, uri_char);
        if uri.is_empty() {
            return false;
        }
        let Some(rest) = rest.strip_prefix(b" ") else {
            return false;
        };
        version(rest)
    } else {
        version(data).and_then(|rest| {
            let rest = rest.strip_prefix(b" ")?;
            let code = rest.get(..3)?;
            std::str::from_utf8(code).ok()?;
            let rest = rest[3..].strip_prefix(b" ")?;
            Some(span(rest, reason_char).1)
        })
    };
    rest.is_some_and(|r| r.starts_with(b"\r\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection_patterns() {
        let f = Some(Probe::Found(AppProto::Sip));
        assert_eq!(detect(true, b"INVITE sip:a@b SIP/2.0\r\n"), f);
        assert_eq!(detect(true, b"REGISTER x"), f);
        assert_eq!(detect(true, b"OPTIONS sip:a SIP/2.0\r\n"), f);
        assert_eq!(detect(true, b"OPTIONS * HTTP/1.1\r\n"), Some(Probe::No));
        assert_eq!(detect(true, b"invite sip:a@b SIP/2.0\r\n"), None);
        assert_eq!(detect(true, b"SIP/2.0 200 OK\r\n"), None);
        assert_eq!(detect(false, b"SIP/2.0 200 OK\r\n"), f);
        assert_eq!(detect(false, b"INVITE sip:a@b SIP/2.0\r\n"), None);
    }

    /// The two datagrams of suricata-verify detect-udp-flow-rule-02 that
    /// Suricata 8.0.6 drops with `app-layer.error-policy: drop-packet`
    /// (EVE `drop.reason: "applayer error"`): a request sent to the
    /// client (6) and a response sent to the server (7).
    #[test]
    fn wrong_direction_is_an_error() {
        let register = b"REGISTER sip:bestel.com SIP/2.0\r\nVia: x\r\n\r\n";
        let ok = b"SIP/2.0 200 OK\r\nVia: x\r\n\r\n";
        assert!(first_line_ok(true, register));
        assert!(!first_line_ok(false, register));
        assert!(first_line_ok(false, ok));
        assert!(!first_line_ok(true, ok));
    }

    #[test]
    fn first_line_forms() {
        assert!(first_line_ok(
            true,
            b"ACK sip:francisco@200.57.7.204:5061 SIP/2.0\r\n"
        ));
        // Suricata's method may be empty.
        assert!(first_line_ok(true, b" sip:a SIP/2.0\r\n"));
        // No CRLF (or only LF) at the end of the line: an error.
        assert!(!first_line_ok(true, b"INVITE sip:a SIP/2.0"));
        assert!(!first_line_ok(true, b"INVITE sip:a SIP/2.0\n"));
        // A character outside the URI class, an empty URI, a bad version.
        assert!(!first_line_ok(true, b"INVITE sip:<a> SIP/2.0\r\n"));
        assert!(!first_line_ok(true, b"INVITE  SIP/2.0\r\n"));
        assert!(!first_line_ok(true, b"INVITE sip:a SIP/x\r\n"));
        // Status lines: any 3 characters as the code, the reason may be
        // empty and may hold spaces.
        assert!(first_line_ok(false, b"SIP/2.0 100 Trying\r\n"));
        assert!(first_line_ok(false, b"SIP/2.0 180 Ringing now\r\n"));
        assert!(first_line_ok(false, b"SIP/2.0 abc \r\n"));
        assert!(!first_line_ok(false, b"SIP/2.0 20 OK\r\n"));
        assert!(!first_line_ok(false, b"SIP/2.0 200 OK\"\r\n"));
        assert!(!first_line_ok(false, b""));
    }
}
