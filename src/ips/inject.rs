//! [`RawInjector`]: sends reject answers (bare IPv4/IPv6 packets built by
//! [`super::reject_frames`] for a raw-IP link type) out through raw IP
//! sockets, as Suricata's libnet reject does in NFQUEUE mode.
//!
//! The sockets are `IPPROTO_RAW` (the kernel takes our IP header as is,
//! `IP_HDRINCL` implied; IPv6 likewise since Linux 4.5) and opened on the
//! first answer of each family, so a run without rejects never needs
//! `CAP_NET_RAW` for them. The kernel routes the answer by its destination
//! address. Linux only.
//!
//! Not here: building the answers, or deciding that a packet is rejected.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use socket2::{Domain, Protocol, Socket, Type};

/// `IPPROTO_RAW`.
const IPPROTO_RAW: i32 = 255;

/// Raw sockets for reject answers, one per IP version, opened on demand.
#[derive(Debug, Default)]
pub struct RawInjector {
    v4: Option<Socket>,
    v6: Option<Socket>,
    sent: u64,
    errors: u64,
}

impl RawInjector {
    /// No socket open yet.
    pub fn new() -> RawInjector {
        RawInjector::default()
    }

    /// Sends one bare IP packet to its destination address.
    ///
    /// # Errors
    /// Not an IPv4/IPv6 packet, a socket that cannot be opened (no
    /// `CAP_NET_RAW`) or a send that fails; counted in
    /// [`RawInjector::errors`] as well.
    pub fn send(&mut self, packet: &[u8]) -> io::Result<()> {
        let r = self.try_send(packet);
        match r {
            Ok(()) => self.sent += 1,
            Err(_) => self.errors += 1,
        }
        r
    }

    fn try_send(&mut self, packet: &[u8]) -> io::Result<()> {
        let dst = destination(packet).ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "not an IPv4/IPv6 packet")
        })?;
        let (slot, domain) = match dst {
            IpAddr::V4(_) => (&mut self.v4, Domain::IPV4),
            IpAddr::V6(_) => (&mut self.v6, Domain::IPV6),
        };
        if slot.is_none() {
            *slot = Some(Socket::new(
                domain,
                Type::RAW,
                Some(Protocol::from(IPPROTO_RAW)),
            )?);
        }
        let Some(sock) = slot.as_ref() else {
            return Err(io::Error::other("raw socket missing"));
        };
        sock.send_to(packet, &SocketAddr::new(dst, 0).into())?;
        Ok(())
    }

    /// Answers sent.
    pub fn sent(&self) -> u64 {
        self.sent
    }

    /// Answers that could not be sent.
    pub fn errors(&self) -> u64 {
        self.errors
    }
}

/// The destination address of a bare IP packet, read from its header.
fn destination(packet: &[u8]) -> Option<IpAddr> {
    match packet.first()? >> 4 {
        4 => {
            let b: [u8; 4] = packet.get(16..20)?.try_into().ok()?;
            Some(IpAddr::V4(Ipv4Addr::from(b)))
        }
        6 => {
            let b: [u8; 16] = packet.get(24..40)?.try_into().ok()?;
            Some(IpAddr::V6(Ipv6Addr::from(b)))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destination_from_the_ip_header() {
        let mut v4 = vec![0u8; 20];
        v4[0] = 0x45;
        v4[16..20].copy_from_slice(&[192, 0, 2, 7]);
        assert_eq!(
            destination(&v4),
            Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7)))
        );
        let mut v6 = vec![0u8; 40];
        v6[0] = 0x60;
        v6[39] = 1;
        assert_eq!(destination(&v6), Some(IpAddr::V6(Ipv6Addr::LOCALHOST)));
        assert_eq!(destination(&v4[..19]), None, "truncated");
        assert_eq!(destination(&[0x50; 40]), None, "version 5");
        assert_eq!(destination(&[]), None);
    }

    #[test]
    fn a_packet_that_is_not_ip_is_an_error_value() {
        let mut inj = RawInjector::new();
        assert!(inj.send(b"\x00nope").is_err());
        assert_eq!((inj.sent(), inj.errors()), (0, 1));
    }
}
