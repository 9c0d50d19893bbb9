//! A TLS record walker for one direction of a TCP flow: follows the
//! SSLv3/TLS record headers (content type, version, length: 5 bytes)
//! through the bytes the app layer reads, to tell when the first
//! application-data record (content type 23) shows up.
//!
//! Why: Suricata's TLS parser (`app-layer-ssl.c`, `SSLv3Decode`) sets
//! `APP_LAYER_PARSER_NO_INSPECTION_PAYLOAD` as it parses the first byte
//! of an application-data record's body, unless
//! `app-layer.protocols.tls.encryption-handling` is `full`; the flow then
//! gets no more payload or raw stream inspection (see the detector).
//!
//! The walker keeps the checks of `SSLv3Decode` that fail the parser on a
//! record header: an unknown content type (fatal for every version but
//! TLS 1.0 and 1.1, where Suricata drops the rest of the data it was given
//! and goes on with the next; we stop), a zero length, a length above 2^14 + 1024, a version
//! `TLSVersionValid` rejects. A gap fails it as well (the parser takes no
//! gaps). Memory: the header bytes seen so far and a count, nothing else.
//!
//! What it does not model: the SSLv2 record format (a first byte with
//! either top bit set; Suricata parses it, we stop); the handshake
//! messages themselves (a malformed ClientHello fails Suricata's parser,
//! not ours; the version a hello negotiates, which Suricata then checks
//! record headers against instead of their own); and the TLS 1.3
//! early-data exception (application data is not counted while the
//! ClientHello carried the `early_data` extension and no ServerHello was
//! seen), which needs the ClientHello's extensions.

/// `SSLV3_RECORD_MAX_LEN`: the longest record Suricata takes.
const RECORD_MAX_LEN: u16 = (1 << 14) + 1024;

/// Content type of an application-data record (`SSLV3_APPLICATION_PROTOCOL`).
const APPLICATION_DATA: u8 = 23;

/// Where the walker stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum State {
    /// Reading the next record header (`got` of 5 bytes so far).
    #[default]
    Header,
    /// Inside a record body: this many bytes left.
    Body(u16),
    /// The parser failed (malformed header, gap): nothing more is read.
    Failed,
}

/// One direction's record walker. See the module docs.
#[derive(Clone, Copy, Debug, Default)]
pub struct RecordWalker {
    state: State,
    hdr: [u8; 5],
    got: u8,
    app_data: bool,
}

/// Whether Suricata's `TLSVersionValid` takes `v` (SSLv3, TLS 1.0-1.3 and
/// the TLS 1.3 drafts it knows).
fn version_valid(v: u16) -> bool {
    matches!(v, 0x0300..=0x0304 | 0x7f01 | 0x7f10..=0x7f1c | 0xfb14..=0xfb17 | 0xfb1a)
}

impl RecordWalker {
    /// Whether an application-data record was seen (sticky: a later
    /// failure does not undo it).
    pub fn app_data_seen(&self) -> bool {
        self.app_data
    }

    /// Whether the walker stopped (malformed record header or gap).
    pub fn failed(&self) -> bool {
        self.state == State::Failed
    }

    /// The parser stops: a gap, or the other direction failed (Suricata's
    /// app layer gives up on the whole flow).
    pub fn fail(&mut self) {
        self.state = State::Failed;
    }

    /// Walks `bytes`, the next bytes of the direction in stream order.
    pub fn feed(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            match self.state {
                State::Failed => return,
                State::Body(left) => {
                    // The flag is set as the first body byte is parsed
                    // (a header alone returns before: `record_len == 0`).
                    if self.hdr[0] == APPLICATION_DATA {
                        self.app_data = true;
                    }
                    let n = usize::from(left).min(bytes.len());
                    bytes = &bytes[n..];
                    // `n > 0`: left is never 0 in `Body`.
                    let left = left - n as u16;
                    self.state = if left == 0 {
                        State::Header
                    } else {
                        State::Body(left)
                    };
                }
                State::Header => {
                    if self.got == 0 && bytes[0] & 0xc0 != 0 {
                        // SSLv2 record format: not followed.
                        self.state = State::Failed;
                        return;
                    }
                    let want = 5 - usize::from(self.got);
                    let n = want.min(bytes.len());
                    let at = usize::from(self.got);
                    self.hdr[at..at + n].copy_from_slice(&bytes[..n]);
                    self.got += n as u8;
                    bytes = &bytes[n..];
                    if self.got == 5 {
                        self.got = 0;
                        self.state = self.check_header();
                    }
                }
            }
        }
    }

    /// The state after the header in `hdr` (`SSLv3Decode`'s checks).
    fn check_header(&self) -> State {
        let [ctype, v0, v1, l0, l1] = self.hdr;
        let version = u16::from_be_bytes([v0, v1]);
        let len = u16::from_be_bytes([l0, l1]);
        let known = matches!(ctype, 20..=24);
        if !known || len == 0 || !version_valid(version) || len > RECORD_MAX_LEN {
            return State::Failed;
        }
        State::Body(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(ctype: u8, body: &[u8]) -> Vec<u8> {
        let mut r = vec![ctype, 3, 3];
        r.extend_from_slice(&(body.len() as u16).to_be_bytes());
        r.extend_from_slice(body);
        r
    }

    #[test]
    fn handshake_records_are_not_application_data() {
        let mut w = RecordWalker::default();
        w.feed(&record(22, b"\x01\x00\x00\x02ab"));
        w.feed(&record(20, b"\x01"));
        assert!(!w.app_data_seen() && !w.failed());
        w.feed(&record(23, b"secret"));
        assert!(w.app_data_seen());
    }

    #[test]
    fn records_split_across_segments_are_followed() {
        let mut bytes = record(22, &[0u8; 300]);
        bytes.extend(record(23, b"data"));
        // Every cut, one byte at a time too.
        for cut in 0..bytes.len() {
            let mut w = RecordWalker::default();
            w.feed(&bytes[..cut]);
            w.feed(&bytes[cut..]);
            assert!(w.app_data_seen(), "cut {cut}");
        }
        // One byte at a time: seen from the application record's first
        // body byte on (the handshake record is 305 bytes).
        let mut w = RecordWalker::default();
        for (i, b) in bytes.iter().enumerate() {
            w.feed(std::slice::from_ref(b));
            assert_eq!(w.app_data_seen(), i >= 305 + 5, "byte {i}");
        }
    }

    #[test]
    fn an_application_data_header_alone_does_not_count() {
        let r = record(23, b"x");
        let mut w = RecordWalker::default();
        w.feed(&r[..5]);
        assert!(!w.app_data_seen());
        w.feed(&r[5..]);
        assert!(w.app_data_seen());
    }

    #[test]
    fn a_malformed_header_stops_the_walker() {
        for bad in [
            vec![25, 3, 3, 0, 1, 0],       // unknown content type
            vec![22, 3, 3, 0, 0],          // zero length
            vec![22, 2, 0, 0, 1, 0],       // version not valid
            vec![22, 3, 3, 0x44, 0x01, 0], // longer than 2^14 + 1024
            vec![0x80, 0x2e, 1, 0, 2],     // SSLv2 record format
        ] {
            let mut w = RecordWalker::default();
            w.feed(&bad);
            assert!(w.failed(), "{bad:?}");
            w.feed(&record(23, b"x"));
            assert!(!w.app_data_seen(), "{bad:?}");
        }
        // A TLS 1.3 draft version is valid.
        let mut w = RecordWalker::default();
        w.feed(&[23, 0x7f, 0x1c, 0, 1, 0]);
        assert!(w.app_data_seen());
    }

    #[test]
    fn a_gap_stops_the_walker_but_keeps_what_was_seen() {
        let mut w = RecordWalker::default();
        w.feed(&record(22, b"abcd"));
        w.fail();
        w.feed(&record(23, b"x"));
        assert!(!w.app_data_seen());
        let mut w = RecordWalker::default();
        w.feed(&record(23, b"x"));
        w.fail();
        assert!(w.app_data_seen());
    }

    /// Early data (TLS 1.3 0-RTT) is not told apart: application data
    /// right after a ClientHello counts, where Suricata would wait for
    /// the ServerHello when the ClientHello carried `early_data`.
    #[test]
    fn early_data_counts_as_application_data() {
        let mut w = RecordWalker::default();
        w.feed(&record(22, b"\x01\x00\x00\x00"));
        w.feed(&record(23, b"0-rtt"));
        assert!(w.app_data_seen());
    }
}
