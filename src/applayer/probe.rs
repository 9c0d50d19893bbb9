//! Protocol detection on the first bytes of one direction of a flow:
//! Suricata's pattern matchers (a fixed prefix at offset 0, some followed
//! by a confirming probe) and its probing parsers registered on ports.
//!
//! Patterns (after Suricata 8's registrations; `CI` case-insensitive):
//! - to server: HTTP/1 methods followed by a space or tab (CI); `PRI *
//!   HTTP/2.0\r\n` (CI, HTTP/2); TLS records `16 03 0x`, SSLv2 `01 03 0x`
//!   and an SSLv2 client hello (`01 00 02` at offset 2 with the high bit of
//!   byte 0 set); `SSH-` (CI); `EHLO`, `HELO`, `QUIT` (CI, SMTP); `FEAT`,
//!   `PASS `, `PORT ` (CI) and `USER ` (FTP unless the server spoke POP3);
//! - to client: `HTTP/0.9`, `HTTP/1.0`, `HTTP/1.1` (CI); TLS records
//!   `15|16|17 03 0x`; `SSH-`; `220 (` (CI, FTP);
//! - both ways: an NBSS session message carrying `ff|fe|fd SMB` at offset 4
//!   (at least 36 bytes); a DCE/RPC v5.0 header (16 bytes, sane data
//!   representation).
//!
//! Probing parsers, by the flow's server or client port (TCP unless said):
//! 443 TLS (SSLv2 record header), 21 FTP and 25/465 SMTP (server `220`
//! greeting once the client sent data), 139/445 SMB (NBSS), 53 DNS over
//! UDP and TCP (header sanity, then the questions when the whole message
//! is there).
//!
//! On UDP, SIP's patterns come first ([`super::sip::detect`]).
//!
//! [`DETECTED`] lists the protocols found here; others (IMAP, SIP over
//! TCP, ...) are not detected yet.

use super::AppProto;

/// The protocols [`detect`] can answer.
pub const DETECTED: &[AppProto] = &[
    AppProto::Http1,
    AppProto::Http2,
    AppProto::Tls,
    AppProto::Ssh,
    AppProto::Smtp,
    AppProto::Ftp,
    AppProto::Smb,
    AppProto::Dcerpc,
    AppProto::Dns,
    AppProto::Sip,
];

/// What the bytes seen so far say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Probe {
    /// The direction speaks this protocol.
    Found(AppProto),
    /// Not enough bytes to decide.
    NeedMore,
    /// No detector accepts these bytes: give up on this direction.
    No,
}

/// One direction's bytes and what is known of the flow.
#[derive(Clone, Copy, Debug)]
pub struct Input<'a> {
    /// TCP (else UDP).
    pub tcp: bool,
    /// The bytes go to the server.
    pub to_server: bool,
    /// The server's port.
    pub server_port: u16,
    /// The client's port.
    pub client_port: u16,
    /// The direction's first bytes (from offset 0 of the stream).
    pub data: &'a [u8],
    /// What the other direction was detected as.
    pub other: Option<AppProto>,
    /// Payload bytes seen to the server so far (Suricata's `todstbytecnt`).
    pub bytes_to_server: u32,
}

/// Bytes after which a direction with no pattern and no probing parser
/// gives up: more than the deepest pattern (SMB, 36 bytes).
const PM_DEPTH: usize = 36;

const HTTP_METHODS: &[&[u8]] = &[
    b"GET",
    b"PUT",
    b"POST",
    b"HEAD",
    b"TRACE",
    b"OPTIONS",
    b"CONNECT",
    b"DELETE",
    b"PATCH",
    b"PROPFIND",
    b"PROPPATCH",
    b"MKCOL",
    b"COPY",
    b"MOVE",
    b"LOCK",
    b"UNLOCK",
    b"CHECKOUT",
    b"UNCHECKOUT",
    b"CHECKIN",
    b"UPDATE",
    b"LABEL",
    b"REPORT",
    b"MKWORKSPACE",
    b"MKACTIVITY",
    b"MERGE",
    b"INVALID",
    b"VERSION-CONTROL",
    b"BASELINE-CONTROL",
];

fn starts_ci(data: &[u8], pat: &[u8]) -> bool {
    data.len() >= pat.len() && data[..pat.len()].eq_ignore_ascii_case(pat)
}

fn http_method(data: &[u8]) -> bool {
    HTTP_METHODS
        .iter()
        .any(|m| starts_ci(data, m) && matches!(data.get(m.len()), Some(b' ') | Some(b'\t')))
}

fn tls_record(data: &[u8], types: &[u8]) -> bool {
    data.len() >= 3 && types.contains(&data[0]) && data[1] == 3 && data[2] <= 3
}

/// Suricata's `SSLProbingParser`: an SSLv2 record header (high bit) with a
/// client hello (type 1) in byte 2.
fn sslv2_hello(data: &[u8]) -> Probe {
    if data.len() < 3 {
        Probe::NeedMore
    } else if data[0] & 0x80 != 0 && data[2] == 1 {
        Probe::Found(AppProto::Tls)
    } else {
        Probe::No
    }
}

/// An NBSS record carrying SMB: `Some(true)` SMB, `Some(false)` not,
/// `None` too short.
fn smb_record(data: &[u8]) -> Option<bool> {
    if data.len() < 36 {
        return None;
    }
    Some(data[0] == 0 && matches!(data[4], 0xfd..=0xff) && &data[5..8] == b"SMB")
}

/// Suricata's SMB probing parser on ports 139/445: an SMB record, or a
/// first small non-session NBSS message followed by one.
fn smb_port_probe(data: &[u8]) -> Probe {
    let valid = |t: u8| matches!(t, 0x00 | 0x81..=0x85);
    if data.len() < 36 {
        return Probe::NeedMore;
    }
    if !valid(data[0]) {
        return Probe::No;
    }
    if smb_record(data) == Some(true) {
        return Probe::Found(AppProto::Smb);
    }
    if data[0] != 0 {
        let len =
            (usize::from(data[1] & 1) << 16) | usize::from(data[2]) << 8 | usize::from(data[3]);
        let rest = &data[4..];
        if rest.len() >= len + 8 {
            let next = &rest[len..];
            if valid(next[0]) && matches!(next[4], 0xfd..=0xff) && &next[5..8] == b"SMB" {
                return Probe::Found(AppProto::Smb);
            }
        } else if len < 256 {
            return Probe::NeedMore;
        }
    }
    Probe::No
}

/// A DCE/RPC connection-oriented header: version 5.0 and a sane data
/// representation (Suricata's `probe`).
fn dcerpc_header(data: &[u8]) -> Option<bool> {
    if data.len() < 16 {
        return None;
    }
    Some(data[0] == 5 && data[1] == 0 && data[4] & 0xee == 0 && data[5] <= 3)
}

/// Suricata's FTP/SMTP server probes: `220` then a space or hyphen.
fn greeting_220(data: &[u8]) -> Option<bool> {
    if data.len() < 5 {
        return None;
    }
    Some(&data[..3] == b"220" && matches!(data[3], b' ' | b'-'))
}

fn has_newline(data: &[u8]) -> bool {
    data.get(4..).is_some_and(|d| d.contains(&b'\n'))
}

fn ftp_server_probe(i: &Input<'_>) -> Probe {
    match greeting_220(i.data) {
        None => Probe::NeedMore,
        Some(false) => Probe::No,
        Some(true) => {
            let client_ok =
                i.other == Some(AppProto::Ftp) || (i.other.is_none() && i.bytes_to_server > 4);
            if client_ok && has_newline(i.data) {
                Probe::Found(AppProto::Ftp)
            } else {
                Probe::NeedMore
            }
        }
    }
}

fn smtp_server_probe(i: &Input<'_>) -> Probe {
    match greeting_220(i.data) {
        None => Probe::NeedMore,
        Some(false) => Probe::No,
        Some(true) => {
            if i.other == Some(AppProto::Smtp) {
                return if has_newline(i.data) {
                    Probe::Found(AppProto::Smtp)
                } else {
                    Probe::NeedMore
                };
            }
            let client_ok =
                i.bytes_to_server > 4 && (i.other.is_none() || i.other == Some(AppProto::Tls));
            // The greeting names the host: a domain-ish first word.
            let host = i.data[4..]
                .iter()
                .take_while(|&&b| b != b' ' && b != b'\r' && b != b'\n')
                .count();
            if host == 0
                || !i.data[4..4 + host]
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-'))
            {
                return Probe::No;
            }
            if client_ok && has_newline(i.data) {
                Probe::Found(AppProto::Smtp)
            } else {
                Probe::NeedMore
            }
        }
    }
}

/// Walks one DNS name at `pos` in `msg`; the offset after it, `None` when
/// the name runs past the end or is malformed.
fn skip_name(msg: &[u8], mut pos: usize) -> Option<usize> {
    // A name has at most 127 labels; a pointer ends it.
    for _ in 0..128 {
        let len = *msg.get(pos)?;
        match len & 0xc0 {
            0x00 if len == 0 => return Some(pos + 1),
            0x00 => pos += 1 + usize::from(len),
            0xc0 => return msg.get(pos + 1).map(|_| pos + 2),
            _ => return None,
        }
    }
    None
}

/// Suricata's DNS probe on a message whose full length is `dlen`: header
/// sanity, then (when all of it is there) its questions must parse.
pub fn dns_message(data: &[u8], dlen: usize) -> bool {
    let data = &data[..data.len().min(dlen)];
    if data.len() < 12 {
        return false;
    }
    let be = |o: usize| usize::from(u16::from_be_bytes([data[o], data[o + 1]]));
    let flags = be(2);
    let questions = be(4);
    let records = questions + be(6) + be(8) + be(10);
    if 2 * records > dlen || (records == 0 && dlen > 12) {
        return false;
    }
    let request = flags & 0x8000 == 0;
    if request && questions == 0 {
        return false;
    }
    if data.len() < dlen {
        return true;
    }
    let mut pos = 12;
    for _ in 0..questions {
        match skip_name(data, pos) {
            Some(p) if p + 4 <= data.len() => pos = p + 4,
            _ => return false,
        }
    }
    true
}

fn dns_probe(i: &Input<'_>) -> Probe {
    if i.tcp {
        if i.data.len() < 14 {
            return Probe::NeedMore;
        }
        let dlen = usize::from(u16::from_be_bytes([i.data[0], i.data[1]]));
        if dns_message(&i.data[2..], dlen) {
            Probe::Found(AppProto::Dns)
        } else {
            Probe::No
        }
    } else if i.data.len() < 12 {
        Probe::NeedMore
    } else if dns_message(i.data, i.data.len()) {
        Probe::Found(AppProto::Dns)
    } else {
        Probe::No
    }
}

/// Suricata's pattern matcher on TCP data: `Some` when a pattern decides.
fn patterns(i: &Input<'_>) -> Option<Probe> {
    let d = i.data;
    if i.to_server {
        if http_method(d) {
            return Some(Probe::Found(AppProto::Http1));
        }
        if starts_ci(d, b"PRI * HTTP/2.0\r\n") {
            return Some(Probe::Found(AppProto::Http2));
        }
        if tls_record(d, &[0x16, 0x01]) {
            return Some(Probe::Found(AppProto::Tls));
        }
        if d.len() >= 5 && &d[2..5] == b"\x01\x00\x02" {
            if let Probe::Found(p) = sslv2_hello(d) {
                return Some(Probe::Found(p));
            }
        }
        for p in [&b"EHLO"[..], b"HELO", b"QUIT"] {
            if starts_ci(d, p) {
                return Some(Probe::Found(AppProto::Smtp));
            }
        }
        for p in [&b"FEAT"[..], b"PASS ", b"PORT "] {
            if starts_ci(d, p) {
                return Some(Probe::Found(AppProto::Ftp));
            }
        }
        if d.starts_with(b"USER ") && i.other != Some(AppProto::Pop3) {
            return Some(Probe::Found(AppProto::Ftp));
        }
    } else {
        for v in [&b"HTTP/0.9"[..], b"HTTP/1.0", b"HTTP/1.1"] {
            if starts_ci(d, v) {
                return Some(Probe::Found(AppProto::Http1));
            }
        }
        if tls_record(d, &[0x15, 0x16, 0x17]) {
            return Some(Probe::Found(AppProto::Tls));
        }
        if starts_ci(d, b"220 (") {
            return Some(Probe::Found(AppProto::Ftp));
        }
    }
    if starts_ci(d, b"SSH-") {
        return Some(Probe::Found(AppProto::Ssh));
    }
    if smb_record(d) == Some(true) {
        return Some(Probe::Found(AppProto::Smb));
    }
    if d.starts_with(b"\x05\x00") && dcerpc_header(d) == Some(true) {
        return Some(Probe::Found(AppProto::Dcerpc));
    }
    None
}

/// The probing parsers registered on `port` for this transport and
/// direction.
fn port_probe(i: &Input<'_>, port: u16) -> Option<Probe> {
    if !i.tcp {
        return (port == 53).then(|| dns_probe(i));
    }
    Some(match port {
        53 => dns_probe(i),
        443 if i.to_server => sslv2_hello(i.data),
        21 if !i.to_server => ftp_server_probe(i),
        25 | 465 if !i.to_server => smtp_server_probe(i),
        139 | 445 => smb_port_probe(i.data),
        _ => return None,
    })
}

/// Detects the protocol of one direction from its first bytes.
pub fn detect(i: &Input<'_>) -> Probe {
    if i.data.is_empty() {
        return Probe::NeedMore;
    }
    if i.tcp {
        if let Some(p) = patterns(i) {
            return p;
        }
    } else if let Some(Probe::Found(p)) = super::sip::detect(i.to_server, i.data) {
        return Probe::Found(p);
    }
    let mut need_more = i.tcp && i.data.len() < PM_DEPTH;
    let ports = if i.server_port == i.client_port {
        [Some(i.server_port), None]
    } else {
        [Some(i.server_port), Some(i.client_port)]
    };
    for port in ports.into_iter().flatten() {
        match port_probe(i, port) {
            Some(Probe::Found(p)) => return Probe::Found(p),
            Some(Probe::NeedMore) => need_more = true,
            _ => {}
        }
    }
    if need_more {
        Probe::NeedMore
    } else {
        Probe::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tcp(to_server: bool, server_port: u16, data: &[u8]) -> Probe {
        detect(&Input {
            tcp: true,
            to_server,
            server_port,
            client_port: 40000,
            data,
            other: None,
            bytes_to_server: 0,
        })
    }

    fn udp(to_server: bool, server_port: u16, data: &[u8]) -> Probe {
        detect(&Input {
            tcp: false,
            to_server,
            server_port,
            client_port: 40000,
            data,
            other: None,
            bytes_to_server: 0,
        })
    }

    const F: fn(AppProto) -> Probe = Probe::Found;

    #[test]
    fn http() {
        assert_eq!(tcp(true, 8080, b"GET / HTTP/1.1\r\n"), F(AppProto::Http1));
        assert_eq!(tcp(true, 80, b"post\t/x HTTP/1.0\r\n"), F(AppProto::Http1));
        assert_eq!(tcp(false, 80, b"HTTP/1.1 200 OK\r\n"), F(AppProto::Http1));
        assert_eq!(
            tcp(true, 80, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
            F(AppProto::Http2)
        );
        // No separator after the method; the response line to the server.
        assert_eq!(
            tcp(true, 80, b"GETX / HTTP/1.1\r\nHost: example.com\r\n\r\n"),
            Probe::No
        );
        assert_eq!(
            tcp(true, 80, b"HTTP/1.1 200 OK\r\nServer: nginx/1.24\r\n\r\n"),
            Probe::No
        );
        // Short and undecided.
        assert_eq!(tcp(true, 80, b"GE"), Probe::NeedMore);
    }

    #[test]
    fn tls() {
        assert_eq!(
            tcp(true, 1234, b"\x16\x03\x01\x02\x00\x01"),
            F(AppProto::Tls)
        );
        assert_eq!(tcp(false, 1234, b"\x17\x03\x03\x00\x10"), F(AppProto::Tls));
        // An alert record opens no client stream; TLS 1.4 does not exist.
        assert_eq!(tcp(true, 1234, &[0x15, 3, 3, 0, 2, 2, 40]), Probe::NeedMore);
        assert_eq!(tcp(true, 1234, &[0x16, 3, 4, 0, 2, 2, 40]), Probe::NeedMore);
        assert_eq!(tcp(true, 1234, &[0x16, 3, 4].repeat(20)), Probe::No);
        // SSLv2 client hello: 2-byte header with the high bit, type 1.
        assert_eq!(
            tcp(true, 1234, b"\x80\x2e\x01\x00\x02\x00\x15"),
            F(AppProto::Tls)
        );
        // On port 443, the SSLv2 probe alone.
        assert_eq!(tcp(true, 443, b"\x80\x2e\x01\x03\x01"), F(AppProto::Tls));
        assert_eq!(tcp(true, 443, &[0x00; 40]), Probe::No);
    }

    #[test]
    fn ssh_smtp_ftp() {
        assert_eq!(tcp(false, 22, b"SSH-2.0-OpenSSH_9.6\r\n"), F(AppProto::Ssh));
        assert_eq!(tcp(true, 2222, b"ssh-2.0-x\r\n"), F(AppProto::Ssh));
        assert_eq!(
            tcp(true, 25, b"EHLO mail.example.com\r\n"),
            F(AppProto::Smtp)
        );
        assert_eq!(tcp(true, 587, b"helo x\r\n"), F(AppProto::Smtp));
        assert_eq!(tcp(true, 21, b"USER anonymous\r\n"), F(AppProto::Ftp));
        assert_eq!(
            tcp(false, 2121, b"220 (vsFTPd 3.0.3)\r\n"),
            F(AppProto::Ftp)
        );
        // A plain 220 banner before any client byte decides nothing.
        assert_eq!(
            tcp(false, 21, b"220 ProFTPD Server ready.\r\n"),
            Probe::NeedMore
        );
        assert_eq!(
            tcp(false, 25, b"220 mx.example.com ESMTP\r\n"),
            Probe::NeedMore
        );
        // After the client sent data, the banner decides.
        let i = Input {
            tcp: true,
            to_server: false,
            server_port: 25,
            client_port: 40000,
            data: b"220 mx.example.com ESMTP\r\n",
            other: None,
            bytes_to_server: 10,
        };
        assert_eq!(detect(&i), F(AppProto::Smtp));
        assert_eq!(tcp(false, 25, b"554 no\r\n"), Probe::NeedMore);
        assert_eq!(
            tcp(
                false,
                25,
                b"554 5.7.1 Service unavailable; client blocked\r\n"
            ),
            Probe::No
        );
        // `user` lower case is not the FTP pattern (case-sensitive there).
        assert_eq!(tcp(true, 110, b"user bob\r\n"), Probe::NeedMore);
    }

    #[test]
    fn smb_dcerpc() {
        let mut smb2 = vec![0x00, 0x00, 0x00, 0x44, 0xfe, b'S', b'M', b'B'];
        smb2.extend_from_slice(&[0u8; 40]);
        assert_eq!(tcp(true, 4455, &smb2), F(AppProto::Smb));
        smb2[4] = 0xff;
        assert_eq!(tcp(false, 4455, &smb2), F(AppProto::Smb));
        // Not a session message.
        smb2[0] = 0x85;
        assert_eq!(tcp(true, 4455, &smb2), Probe::No);
        // Bind: v5.0, type 11, little-endian ints and ASCII.
        let mut bind = vec![5, 0, 11, 3, 0x10, 0, 0, 0, 0x48, 0, 0, 0, 1, 0, 0, 0];
        bind.extend_from_slice(&[0u8; 24]);
        assert_eq!(tcp(true, 135, &bind), F(AppProto::Dcerpc));
        bind[4] = 0x20; // bad data representation: 0x20 & 0xee != 0
        assert_eq!(tcp(true, 135, &bind), Probe::No);
    }

    /// A query for `example.com` A IN, id 0x1234, RD set.
    fn dns_query() -> Vec<u8> {
        let mut q = vec![0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
        q.extend_from_slice(b"\x07example\x03com\x00\x00\x01\x00\x01");
        q
    }

    #[test]
    fn dns() {
        assert_eq!(udp(true, 53, &dns_query()), F(AppProto::Dns));
        // Not on port 53: no probing parser.
        assert_eq!(udp(true, 5353, &dns_query()), Probe::No);
        // The question runs past the end.
        let q = dns_query();
        assert_eq!(udp(true, 53, &q[..q.len() - 2]), Probe::No);
        // A request without questions.
        let mut noq = dns_query();
        noq[5] = 0;
        assert_eq!(udp(true, 53, &noq[..12]), Probe::No);
        // Over TCP, with the length prefix.
        let mut t = vec![0, q.len() as u8];
        t.extend_from_slice(&q);
        assert_eq!(tcp(true, 53, &t), F(AppProto::Dns));
        assert_eq!(tcp(true, 53, &t[..20]), F(AppProto::Dns));
    }
}
