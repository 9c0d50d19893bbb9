//! [`LiveCapture`]: packets from a network interface through libpcap (the
//! `pcap` crate), behind cargo feature `live`.
//!
//! It yields the same [`RawPacket`] shape as the file reader, through
//! [`PacketSource`]; the bytes live in libpcap's buffer until the next read,
//! so keep a packet longer by copying it ([`RawPacket::to_owned_packet`]).
//! The link type is libpcap's DLT value (e.g. raw IP is 12 here, 101 in
//! files; see [`LinkType::is_raw_ip`]). Opening an interface usually needs
//! root or `CAP_NET_RAW`; the error then says so in libpcap's words.

use pcap::{Active, Capture};

use super::{
    CaptureError, CaptureErrorKind, LinkType, LiveConfig, Next, PacketSource, RawPacket, Timestamp,
    MAX_CAPLEN,
};

/// Counters libpcap keeps for a live capture (Suricata's
/// `capture.kernel_packets` / `capture.kernel_drops`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LiveStats {
    /// Packets the kernel handed to the capture.
    pub received: u32,
    /// Packets dropped because the capture buffer was full.
    pub dropped: u32,
    /// Packets the interface or driver dropped.
    pub if_dropped: u32,
}

/// An open live capture on one interface.
pub struct LiveCapture {
    cap: Capture<Active>,
    linktype: LinkType,
    next_index: u64,
    done: bool,
}

impl std::fmt::Debug for LiveCapture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveCapture")
            .field("linktype", &self.linktype)
            .field("next_index", &self.next_index)
            .finish_non_exhaustive()
    }
}

fn live_err(e: pcap::Error) -> CaptureError {
    CaptureError::new(CaptureErrorKind::Live(e.to_string()))
}

impl LiveCapture {
    /// Opens `config.interface`, sets snaplen, promiscuous mode and timeout,
    /// then installs the BPF filter if any.
    ///
    /// # Errors
    ///
    /// [`CaptureErrorKind::Live`] with libpcap's message: no such device,
    /// permission denied, a BPF syntax error ...
    pub fn open(config: &LiveConfig) -> Result<LiveCapture, CaptureError> {
        let snaplen = if config.snaplen == 0 || config.snaplen > MAX_CAPLEN {
            MAX_CAPLEN
        } else {
            config.snaplen
        };
        // Both fit: snaplen <= 2^18, and the timeout is clamped.
        let snaplen = i32::try_from(snaplen).unwrap_or(i32::MAX);
        let timeout = i32::try_from(config.timeout_ms).unwrap_or(i32::MAX);
        let mut cap = Capture::from_device(config.interface.as_str())
            .map_err(live_err)?
            .snaplen(snaplen)
            .promisc(config.promiscuous)
            .timeout(timeout)
            .open()
            .map_err(live_err)?;
        if let Some(bpf) = &config.bpf {
            cap.filter(bpf, true).map_err(|e| {
                CaptureError::new(CaptureErrorKind::Live(format!("BPF filter {bpf:?}: {e}")))
            })?;
        }
        let dlt = cap.get_datalink().0;
        let linktype = u16::try_from(dlt)
            .map_err(|_| CaptureError::new(CaptureErrorKind::UnsupportedLinkType(dlt as u32)))?;
        Ok(LiveCapture {
            cap,
            linktype: LinkType(linktype),
            next_index: 1,
            done: false,
        })
    }

    /// The interface's link type (a DLT value).
    pub fn linktype(&self) -> LinkType {
        self.linktype
    }

    /// libpcap's counters so far.
    ///
    /// # Errors
    ///
    /// [`CaptureErrorKind::Live`] if libpcap cannot tell.
    pub fn stats(&mut self) -> Result<LiveStats, CaptureError> {
        let s = self.cap.stats().map_err(live_err)?;
        Ok(LiveStats {
            received: s.received,
            dropped: s.dropped,
            if_dropped: s.if_dropped,
        })
    }
}

impl PacketSource for LiveCapture {
    fn next_packet(&mut self) -> Result<Next<'_>, CaptureError> {
        if self.done {
            return Ok(Next::End);
        }
        match self.cap.next_packet() {
            Ok(p) => {
                let index = self.next_index;
                self.next_index += 1;
                let secs = u64::try_from(p.header.ts.tv_sec).unwrap_or(0);
                let micros = u32::try_from(p.header.ts.tv_usec).unwrap_or(0);
                let data = p.data.get(..MAX_CAPLEN as usize).unwrap_or(p.data);
                Ok(Next::Packet(RawPacket {
                    index,
                    ts: Timestamp::from_micros(secs, micros),
                    linktype: self.linktype,
                    data,
                    orig_len: p.header.len,
                }))
            }
            Err(pcap::Error::TimeoutExpired) => Ok(Next::Idle),
            Err(pcap::Error::NoMorePackets) => {
                self.done = true;
                Ok(Next::End)
            }
            Err(e) => {
                self.done = true;
                let index = self.next_index;
                let mut err = live_err(e);
                err.set_packet_index(index);
                Err(err)
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn unknown_interface_is_an_error_value() {
        let cfg = LiveConfig::new("rulewire-no-such-if0");
        match LiveCapture::open(&cfg) {
            Ok(_) => panic!("an interface that does not exist opened"),
            Err(e) => {
                assert!(matches!(e.kind(), CaptureErrorKind::Live(_)), "{e:?}");
                assert!(e.to_string().starts_with("live capture: "), "{e}");
            }
        }
    }
}
