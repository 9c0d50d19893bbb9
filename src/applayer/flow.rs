//! [`FlowApp`]: one flow's application-layer detection state, fed packet
//! by packet ([`FlowApp::observe`]).
//!
//! Invariants: fixed size (no heap, it lives in the flow table); each
//! TCP direction is probed on at most [`MAX_PKTS`] data packets and its
//! first [`PREFIX`] bytes, each UDP direction on its first datagram, then
//! given up; once a direction is detected the flow's
//! protocol is set for good (no protocol change). The flow is *failed*
//! (EVE `app_proto: "failed"`) when both directions gave up.
//!
//! TCP data counts only once the session is established (Suricata gives
//! no data to the app layer before `PKT_STREAM_EST`, and none at all to a
//! flow picked up midstream, as midstream pickup is off by default).
//! Out-of-order segments are taken as they come (no reassembly).
//!
//! Timing difference with Suricata in IDS mode: Suricata detects a TCP
//! direction on data the other side acknowledged, so the packet carrying
//! the first bytes is inspected before the protocol is known, and its
//! content is matched later from the reassembled stream. Here the packet
//! carrying the deciding bytes is inspected with the protocol known (as
//! Suricata's inline mode does). On UDP both agree.

use super::probe::{detect, Input, Probe};
use super::AppProto;

/// Data packets per direction probed before giving up.
pub const MAX_PKTS: u8 = 8;

/// Bytes of each direction kept for probing across packets.
/// Enough for every pattern and header check (SMB: 36 bytes); a first
/// packet is probed whole.
pub const PREFIX: usize = 40;

/// One packet, as detection needs it.
#[derive(Clone, Copy, Debug)]
pub struct Observed<'a> {
    /// IP protocol (6 TCP, 17 UDP; others are never probed).
    pub ip_proto: u8,
    /// The packet goes to the server.
    pub to_server: bool,
    /// The packet's (source, destination) ports.
    pub ports: (u16, u16),
    /// For TCP: the session is established (else ignored).
    pub stream_ready: bool,
    /// The payload.
    pub payload: &'a [u8],
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DirState {
    Probing,
    Found(AppProto),
    GaveUp,
}

#[derive(Clone, Copy, Debug)]
struct Dir {
    state: DirState,
    pkts: u8,
    bytes: u32,
    len: u8,
    prefix: [u8; PREFIX],
}

impl Default for Dir {
    fn default() -> Dir {
        Dir {
            state: DirState::Probing,
            pkts: 0,
            bytes: 0,
            len: 0,
            prefix: [0; PREFIX],
        }
    }
}

/// One flow's detection state (see the module docs).
#[derive(Clone, Copy, Debug, Default)]
pub struct FlowApp {
    proto: Option<AppProto>,
    /// To server, to client.
    dirs: [Dir; 2],
}

impl FlowApp {
    /// The flow's detected protocol, if any.
    pub fn proto(&self) -> Option<AppProto> {
        self.proto
    }

    /// Whether detection gave up on both directions.
    pub fn failed(&self) -> bool {
        self.proto.is_none() && self.dirs.iter().all(|d| d.state == DirState::GaveUp)
    }

    /// EVE's `app_proto`: the protocol's name, `"failed"`, or `None` while
    /// unknown.
    pub fn eve_name(&self) -> Option<&'static str> {
        match self.proto {
            Some(p) => Some(p.eve_name()),
            None if self.failed() => Some("failed"),
            None => None,
        }
    }

    /// Whether the flow's parser would fail on `pkt` (an app-layer error,
    /// for `app-layer.error-policy`): only SIP over UDP is checked, by its
    /// first line ([`super::sip::first_line_ok`]). Call after
    /// [`FlowApp::observe`] with the same packet.
    pub fn parse_error(&self, pkt: &Observed<'_>) -> bool {
        self.proto == Some(AppProto::Sip)
            && pkt.ip_proto == 17
            && !pkt.payload.is_empty()
            && !super::sip::first_line_ok(pkt.to_server, pkt.payload)
    }

    /// Feeds one packet of the flow; returns the flow's protocol after it.
    pub fn observe(&mut self, pkt: &Observed<'_>) -> Option<AppProto> {
        if self.proto.is_some() || pkt.payload.is_empty() {
            return self.proto;
        }
        let tcp = match pkt.ip_proto {
            6 => true,
            17 => false,
            _ => return None,
        };
        if tcp && !pkt.stream_ready {
            return None;
        }
        let (server_port, client_port) = if pkt.to_server {
            (pkt.ports.1, pkt.ports.0)
        } else {
            (pkt.ports.0, pkt.ports.1)
        };
        let idx = usize::from(!pkt.to_server);
        let other = match self.dirs[1 - idx].state {
            DirState::Found(p) => Some(p),
            _ => None,
        };
        let bytes_to_server = self.dirs[0].bytes;
        let d = &mut self.dirs[idx];
        d.bytes = d.bytes.saturating_add(pkt.payload.len() as u32);
        if d.state != DirState::Probing {
            return None;
        }
        // UDP: each datagram is a message of its own. TCP: the stream's
        // first bytes, this packet's payload when it is the first.
        let first = d.len == 0;
        let len = usize::from(d.len);
        let take = (PREFIX - len).min(pkt.payload.len());
        d.prefix[len..len + take].copy_from_slice(&pkt.payload[..take]);
        d.len = (len + take) as u8;
        let data = if !tcp || first {
            pkt.payload
        } else {
            &d.prefix[..usize::from(d.len)]
        };
        let input = Input {
            tcp,
            to_server: pkt.to_server,
            server_port,
            client_port,
            data,
            other,
            bytes_to_server: if pkt.to_server {
                d.bytes
            } else {
                bytes_to_server
            },
        };
        d.pkts = d.pkts.saturating_add(1);
        match detect(&input) {
            Probe::Found(p) => {
                d.state = DirState::Found(p);
                self.proto = Some(p);
            }
            Probe::No => d.state = DirState::GaveUp,
            Probe::NeedMore => {
                // UDP: one datagram decides (Suricata marks the side
                // failed when its first datagram is not recognised).
                if !tcp || d.pkts >= MAX_PKTS || (usize::from(d.len) >= PREFIX && !first) {
                    d.state = DirState::GaveUp;
                }
            }
        }
        self.proto
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkt(ip_proto: u8, to_server: bool, payload: &[u8]) -> Observed<'_> {
        Observed {
            ip_proto,
            to_server,
            ports: if to_server {
                (40000, 443)
            } else {
                (443, 40000)
            },
            stream_ready: true,
            payload,
        }
    }

    #[test]
    fn tls_on_first_client_bytes() {
        let mut f = FlowApp::default();
        assert_eq!(f.eve_name(), None);
        assert_eq!(f.observe(&pkt(6, true, b"")), None);
        assert_eq!(
            f.observe(&pkt(6, true, b"\x16\x03\x01\x00\x40\x01")),
            Some(AppProto::Tls)
        );
        assert_eq!(f.eve_name(), Some("tls"));
        // Set for good.
        assert_eq!(
            f.observe(&pkt(6, false, b"HTTP/1.1 200 OK\r\n")),
            Some(AppProto::Tls)
        );
    }

    #[test]
    fn no_tcp_data_before_establishment() {
        let mut f = FlowApp::default();
        let mut p = pkt(6, true, b"GET / HTTP/1.1\r\n");
        p.stream_ready = false;
        assert_eq!(f.observe(&p), None);
        p.stream_ready = true;
        assert_eq!(f.observe(&p), Some(AppProto::Http1));
    }

    #[test]
    fn split_pattern_across_segments() {
        let mut f = FlowApp::default();
        assert_eq!(f.observe(&pkt(6, true, b"\x16\x03")), None);
        assert_eq!(
            f.observe(&pkt(6, true, b"\x03\x00\x10")),
            Some(AppProto::Tls)
        );
    }

    #[test]
    fn gives_up_then_failed() {
        let mut f = FlowApp::default();
        let junk = [0x42u8; 100];
        assert_eq!(f.observe(&pkt(6, true, &junk)), None);
        assert!(!f.failed());
        assert_eq!(f.observe(&pkt(6, false, &junk)), None);
        assert!(f.failed());
        assert_eq!(f.eve_name(), Some("failed"));
        // A later TLS record changes nothing.
        assert_eq!(f.observe(&pkt(6, true, b"\x16\x03\x01\x00\x40\x01")), None);
    }

    #[test]
    fn bounded_packets() {
        let mut f = FlowApp::default();
        for _ in 0..MAX_PKTS {
            assert_eq!(f.observe(&pkt(6, true, b"G")), None);
        }
        // The direction gave up: even a full request is not probed.
        assert_eq!(f.observe(&pkt(6, true, b"GET / HTTP/1.1\r\n")), None);
    }

    #[test]
    fn udp_dns_and_other_protocols() {
        let mut q = vec![0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
        q.extend_from_slice(b"\x03www\x07example\x03org\x00\x00\x1c\x00\x01");
        let mut f = FlowApp::default();
        let p = Observed {
            ip_proto: 17,
            to_server: true,
            ports: (53000, 53),
            stream_ready: false,
            payload: &q,
        };
        assert_eq!(f.observe(&p), Some(AppProto::Dns));
        let mut g = FlowApp::default();
        assert_eq!(g.observe(&pkt(1, true, &q)), None);
        assert!(!g.failed());
    }

    /// SIP over UDP (suricata-verify detect-udp-flow-rule-02): detected on
    /// the INVITE; a request sent to the client and a response sent to the
    /// server are parser errors, the right directions are not.
    #[test]
    fn sip_detection_and_parse_errors() {
        let udp = |to_server: bool, payload: &'static [u8]| Observed {
            ip_proto: 17,
            to_server,
            ports: if to_server {
                (5060, 5061)
            } else {
                (5061, 5060)
            },
            stream_ready: false,
            payload,
        };
        let mut f = FlowApp::default();
        let invite = udp(true, b"INVITE sip:a@b:55060 SIP/2.0\r\nVia: x\r\n\r\n");
        assert!(!f.parse_error(&invite), "nothing detected yet");
        assert_eq!(f.observe(&invite), Some(AppProto::Sip));
        assert_eq!(f.eve_name(), Some("sip"));
        assert!(!f.parse_error(&invite));
        let trying = udp(false, b"SIP/2.0 100 Trying\r\n\r\n");
        assert!(!f.parse_error(&trying));
        assert!(f.parse_error(&udp(false, b"REGISTER sip:b SIP/2.0\r\n\r\n")));
        assert!(f.parse_error(&udp(true, b"SIP/2.0 200 OK\r\n\r\n")));
        // Empty datagrams are not parsed.
        assert!(!f.parse_error(&udp(true, b"")));
        // Other protocols are never checked.
        let mut g = FlowApp::default();
        let q = udp(true, b"SIP/2.0 200 OK\r\n\r\n");
        g.observe(&q);
        assert!(!g.parse_error(&q));
    }
}
