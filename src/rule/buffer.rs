//! Inspection buffers and the keyword spellings that select them, and the
//! transforms that can be applied to a buffer.
//!
//! One enum covers Suricata's sticky buffers (`http.uri;`), their legacy
//! aliases (`http_content_type;`, `dns_query;`, `tls_sni;`), Suricata's and
//! Snort 2's content modifiers (`content:"x"; http_uri;`), Snort 3's sticky
//! spellings of those same names (`http_uri; content:"x";`), `uricontent`
//! and the buffer letters of `pcre` (`/U`). Which spelling acts as a
//! modifier and which as a sticky buffer is decided in
//! [`super::build`] from the rule's dialect.

use std::fmt;

use super::keywords::value::{quoted, VResult, ValueError};

macro_rules! buffers {
    ($( $(#[$doc:meta])* $var:ident = $canon:literal
        $(, sticky [$($alias:literal),*])?
        $(, modifier $modname:literal)?
        $(, pcre $flag:literal)? ; )*) => {
        /// An inspection buffer: what a content, pcre or byte keyword is
        /// matched against.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Buffer {
            $( $(#[$doc])* $var, )*
        }

        impl Buffer {
            /// The canonical keyword that selects this buffer as a sticky
            /// buffer (Suricata's dotted name where there is one).
            pub fn sticky_name(self) -> &'static str {
                match self { $( Buffer::$var => $canon, )* }
            }

            /// The buffer a sticky-buffer keyword selects (canonical names
            /// and aliases that are sticky in every dialect).
            pub fn from_sticky_name(name: &str) -> Option<Buffer> {
                match name {
                    $( $canon $($(| $alias)*)? => Some(Buffer::$var), )*
                    _ => None,
                }
            }

            /// The buffer a content-modifier keyword (`http_uri`) names.
            /// Suricata and Snort 2 apply it to the previous content;
            /// Snort 3 uses the same word as a sticky buffer.
            pub fn from_modifier_name(name: &str) -> Option<Buffer> {
                match name {
                    $( $($modname => Some(Buffer::$var),)? )*
                    _ => None,
                }
            }

            /// The buffer a `pcre` flag letter selects (`U` is the URI).
            pub fn from_pcre_flag(flag: char) -> Option<Buffer> {
                match flag {
                    $( $($flag => Some(Buffer::$var),)? )*
                    _ => None,
                }
            }

            /// Every buffer.
            pub const ALL: &'static [Buffer] = &[ $( Buffer::$var, )* ];
        }
    };
}

buffers! {
    /// The packet payload or reassembled stream (`pkt_data` selects it again).
    Payload = "pkt_data";
    /// Snort 3 `raw_data`: the payload before normalisation.
    RawData = "raw_data";
    /// `file.data`: file contents: HTTP response bodies (so also
    /// `http.response_body` and `http_server_body`, which Suricata
    /// registers as this same buffer), SMTP attachments, ...
    FileData = "file.data", sticky ["file_data", "http.response_body"], modifier "http_server_body", pcre 'Q';
    /// `base64_data`: what the last `base64_decode` produced.
    Base64Data = "base64_data";
    /// `dce_stub_data`: DCE/RPC stub data.
    DceStubData = "dce_stub_data";
    /// `http.uri`: normalised request URI.
    HttpUri = "http.uri", sticky ["http.uri.normalized"], modifier "http_uri", pcre 'U';
    /// `http.uri.raw`.
    HttpUriRaw = "http.uri.raw", modifier "http_raw_uri", pcre 'I';
    /// `http.method`.
    HttpMethod = "http.method", modifier "http_method", pcre 'M';
    /// `http.header`: normalised headers.
    HttpHeader = "http.header", modifier "http_header", pcre 'H';
    /// `http.header.raw`.
    HttpHeaderRaw = "http.header.raw", modifier "http_raw_header", pcre 'D';
    /// `http.cookie`.
    HttpCookie = "http.cookie", modifier "http_cookie", pcre 'C';
    /// `http.user_agent`.
    HttpUserAgent = "http.user_agent", modifier "http_user_agent", pcre 'V';
    /// `http.host`: normalised (lowercase) host.
    HttpHost = "http.host", modifier "http_host", pcre 'W';
    /// `http.host.raw`.
    HttpHostRaw = "http.host.raw", modifier "http_raw_host", pcre 'Z';
    /// `http.request_body` (`http_client_body`).
    HttpRequestBody = "http.request_body", modifier "http_client_body", pcre 'P';
    /// `http.stat_code`.
    HttpStatCode = "http.stat_code", modifier "http_stat_code", pcre 'S';
    /// `http.stat_msg`.
    HttpStatMsg = "http.stat_msg", modifier "http_stat_msg", pcre 'Y';
    /// `http.accept`.
    HttpAccept = "http.accept", sticky ["http_accept"];
    /// `http.accept_enc`.
    HttpAcceptEnc = "http.accept_enc", sticky ["http_accept_enc"];
    /// `http.accept_lang`.
    HttpAcceptLang = "http.accept_lang", sticky ["http_accept_lang"];
    /// `http.connection`.
    HttpConnection = "http.connection", sticky ["http_connection"];
    /// `http.content_len`.
    HttpContentLen = "http.content_len", sticky ["http_content_len"];
    /// `http.content_type`.
    HttpContentType = "http.content_type", sticky ["http_content_type"];
    /// `http.header_names`.
    HttpHeaderNames = "http.header_names", sticky ["http_header_names"];
    /// `http.protocol`.
    HttpProtocol = "http.protocol", sticky ["http_protocol"];
    /// `http.referer`.
    HttpReferer = "http.referer", sticky ["http_referer"];
    /// `http.start`: request/response line plus headers.
    HttpStart = "http.start", sticky ["http_start"];
    /// `http.request_line`.
    HttpRequestLine = "http.request_line", sticky ["http_request_line"];
    /// `http.response_line`.
    HttpResponseLine = "http.response_line", sticky ["http_response_line"];
    /// `http.location`.
    HttpLocation = "http.location";
    /// `http.server`.
    HttpServer = "http.server";
    /// `http.request_header` (one header per buffer).
    HttpRequestHeader = "http.request_header";
    /// `http.response_header` (one header per buffer).
    HttpResponseHeader = "http.response_header";
    /// `dns.query`: each query name.
    DnsQuery = "dns.query", sticky ["dns_query"];
    /// `tls.sni`.
    TlsSni = "tls.sni", sticky ["tls_sni"];
    /// `tls.cert_issuer`.
    TlsCertIssuer = "tls.cert_issuer", sticky ["tls_cert_issuer"];
    /// `tls.cert_subject`.
    TlsCertSubject = "tls.cert_subject", sticky ["tls_cert_subject"];
    /// `tls.cert_serial`.
    TlsCertSerial = "tls.cert_serial", sticky ["tls_cert_serial"];
    /// `tls.cert_fingerprint`.
    TlsCertFingerprint = "tls.cert_fingerprint", sticky ["tls_cert_fingerprint"];
    /// `tls.certs`: each certificate of the chain.
    TlsCerts = "tls.certs";
    /// `ja3.hash`.
    Ja3Hash = "ja3.hash", sticky ["ja3_hash"];
    /// `ja3.string`.
    Ja3String = "ja3.string", sticky ["ja3_string"];
    /// `ja3s.hash`.
    Ja3sHash = "ja3s.hash";
    /// `ja3s.string`.
    Ja3sString = "ja3s.string";
    /// `ssh.proto`.
    SshProto = "ssh.proto", sticky ["ssh_proto"];
    /// `ssh.software`.
    SshSoftware = "ssh.software";
    /// `file.name`.
    FileName = "file.name";
    /// `file.magic`.
    FileMagic = "file.magic";
    /// Snort `sip_header`.
    SipHeader = "sip_header";
    /// Snort `sip_body`.
    SipBody = "sip_body";
}

impl fmt::Display for Buffer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.sticky_name())
    }
}

/// A transform applied to a sticky buffer before matching (Suricata 5+).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Transform {
    /// `dotprefix`: prepend a `.` (DNS names).
    Dotprefix,
    /// `strip_whitespace`.
    StripWhitespace,
    /// `compress_whitespace`.
    CompressWhitespace,
    /// `to_lowercase`.
    ToLowercase,
    /// `to_uppercase`.
    ToUppercase,
    /// `to_md5`.
    ToMd5,
    /// `to_sha1`.
    ToSha1,
    /// `to_sha256`.
    ToSha256,
    /// `url_decode`.
    UrlDecode,
    /// `header_lowercase`.
    HeaderLowercase,
    /// `strip_pseudo_headers`.
    StripPseudoHeaders,
    /// `xor:"<hex key>"`.
    Xor(Vec<u8>),
    /// `pcrexform:"<regex>"`: keep the first capture.
    PcreXform(String),
}

impl Transform {
    /// The transform named `name` with `value`; `None` if `name` is not a
    /// transform.
    pub(crate) fn parse(name: &str, value: Option<&str>) -> Option<VResult<Transform>> {
        let unit = |t: Transform| {
            Some(match value {
                Some(v) if !v.trim().is_empty() => {
                    Err(ValueError::new(format!("'{name}' takes no value")))
                }
                _ => Ok(t),
            })
        };
        match name {
            "dotprefix" => unit(Transform::Dotprefix),
            "strip_whitespace" => unit(Transform::StripWhitespace),
            "compress_whitespace" => unit(Transform::CompressWhitespace),
            "to_lowercase" => unit(Transform::ToLowercase),
            "to_uppercase" => unit(Transform::ToUppercase),
            "to_md5" => unit(Transform::ToMd5),
            "to_sha1" => unit(Transform::ToSha1),
            "to_sha256" => unit(Transform::ToSha256),
            "url_decode" => unit(Transform::UrlDecode),
            "header_lowercase" => unit(Transform::HeaderLowercase),
            "strip_pseudo_headers" => unit(Transform::StripPseudoHeaders),
            "xor" => Some(parse_xor(value)),
            "pcrexform" => Some(
                value
                    .ok_or_else(|| ValueError::new("pcrexform needs a regex"))
                    .and_then(quoted)
                    .map(|s| Transform::PcreXform(s.to_string())),
            ),
            _ => None,
        }
    }

    /// The keyword.
    pub fn name(&self) -> &'static str {
        match self {
            Transform::Dotprefix => "dotprefix",
            Transform::StripWhitespace => "strip_whitespace",
            Transform::CompressWhitespace => "compress_whitespace",
            Transform::ToLowercase => "to_lowercase",
            Transform::ToUppercase => "to_uppercase",
            Transform::ToMd5 => "to_md5",
            Transform::ToSha1 => "to_sha1",
            Transform::ToSha256 => "to_sha256",
            Transform::UrlDecode => "url_decode",
            Transform::HeaderLowercase => "header_lowercase",
            Transform::StripPseudoHeaders => "strip_pseudo_headers",
            Transform::Xor(_) => "xor",
            Transform::PcreXform(_) => "pcrexform",
        }
    }
}

fn parse_xor(value: Option<&str>) -> VResult<Transform> {
    let v = quoted(value.unwrap_or(""))?;
    if v.is_empty() || v.len() % 2 != 0 || !v.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ValueError::new("xor needs an even number of hex digits"));
    }
    let key = (0..v.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(v.get(i..i + 2).unwrap_or("00"), 16).unwrap_or(0))
        .collect();
    Ok(Transform::Xor(key))
}

impl fmt::Display for Transform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())?;
        match self {
            Transform::Xor(key) => {
                f.write_str(":\"")?;
                for b in key {
                    write!(f, "{b:02x}")?;
                }
                f.write_str("\"")
            }
            Transform::PcreXform(re) => write!(f, ":\"{re}\""),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings() {
        assert_eq!(Buffer::from_sticky_name("http.uri"), Some(Buffer::HttpUri));
        assert_eq!(
            Buffer::from_sticky_name("file_data"),
            Some(Buffer::FileData)
        );
        assert_eq!(
            Buffer::from_sticky_name("http_content_type"),
            Some(Buffer::HttpContentType)
        );
        assert_eq!(Buffer::from_sticky_name("http_uri"), None);
        assert_eq!(
            Buffer::from_modifier_name("http_uri"),
            Some(Buffer::HttpUri)
        );
        assert_eq!(
            Buffer::from_modifier_name("http_client_body"),
            Some(Buffer::HttpRequestBody)
        );
        assert_eq!(Buffer::from_pcre_flag('U'), Some(Buffer::HttpUri));
        assert_eq!(Buffer::from_pcre_flag('i'), None);
        for b in Buffer::ALL {
            assert_eq!(Buffer::from_sticky_name(b.sticky_name()), Some(*b));
        }
    }

    #[test]
    fn transforms() {
        assert_eq!(
            Transform::parse("dotprefix", None).unwrap().unwrap(),
            Transform::Dotprefix
        );
        assert!(Transform::parse("dotprefix", Some("x")).unwrap().is_err());
        assert!(Transform::parse("content", None).is_none());
        let x = Transform::parse("xor", Some("\"0d0a\"")).unwrap().unwrap();
        assert_eq!(x, Transform::Xor(vec![0x0d, 0x0a]));
        assert_eq!(x.to_string(), "xor:\"0d0a\"");
        assert!(Transform::parse("xor", Some("\"0d0\"")).unwrap().is_err());
    }
}
