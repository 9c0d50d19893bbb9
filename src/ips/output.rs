//! [`IpsPcap`]: the inline-mode output of a capture-file run (`rulewire
//! run --simulate-ips -w OUT.pcap`): every frame that was not dropped,
//! with its original bytes and timestamp, in capture order, each followed
//! by the reject answers its verdict produced.
//!
//! Invariants: frames are handed in in capture order (the runtime's
//! ordered writer guarantees it in multi-threaded runs); a reject answer
//! carries the rejected frame's timestamp, so OUT.pcap stays in time
//! order. Counts: `accepted + blocked + rejected` = frames handed in.
//!
//! Not here: deciding verdicts (detection) or building the answers
//! ([`super::reject_frames`]).

use std::io::{self, Write};

use crate::capture::{CaptureFile, CaptureFormat, LinkType, PcapWriter, RawPacket, TsPrecision};
use crate::runtime::PacketVerdict;

/// Writes accepted frames and reject answers to a pcap file.
#[derive(Debug)]
pub struct IpsPcap<W: Write> {
    out: PcapWriter<W>,
    accepted: u64,
    blocked: u64,
    rejected: u64,
    answers: u64,
}

/// The link type and timestamp precision OUT.pcap gets for `input`: its
/// own for a classic pcap (so an all-accepted run writes the same
/// records); for pcapng, the first packet's link type and nanoseconds.
pub fn output_format(input: &CaptureFile) -> (LinkType, TsPrecision) {
    match input.format() {
        CaptureFormat::Pcap {
            nanosecond,
            linktype,
            ..
        } => (
            linktype,
            if nanosecond {
                TsPrecision::Nano
            } else {
                TsPrecision::Micro
            },
        ),
        _ => {
            let lt = input
                .packets()
                .next()
                .and_then(Result::ok)
                .map_or(LinkType::ETHERNET, |p| p.linktype);
            (lt, TsPrecision::Nano)
        }
    }
}

impl<W: Write> IpsPcap<W> {
    /// Writes the pcap header to `out`.
    ///
    /// # Errors
    /// Any error of `out`.
    pub fn new(out: W, linktype: LinkType, precision: TsPrecision) -> io::Result<IpsPcap<W>> {
        Ok(IpsPcap {
            out: PcapWriter::new(out, linktype, precision)?,
            accepted: 0,
            blocked: 0,
            rejected: 0,
            answers: 0,
        })
    }

    /// Writes `raw` unless `verdict` drops it, then `rejects` (each with
    /// `raw`'s timestamp). Call once per frame, in capture order.
    ///
    /// # Errors
    /// The first write error (the frame is counted all the same).
    pub fn frame(
        &mut self,
        raw: &RawPacket<'_>,
        verdict: PacketVerdict,
        rejects: &[Vec<u8>],
    ) -> io::Result<()> {
        let mut result = Ok(());
        match verdict {
            PacketVerdict::Accept => {
                self.accepted += 1;
                result = self.out.write_raw(raw);
            }
            PacketVerdict::Drop => self.blocked += 1,
            PacketVerdict::Reject(_) => self.rejected += 1,
        }
        for r in rejects {
            self.answers += 1;
            let len = u32::try_from(r.len()).unwrap_or(u32::MAX);
            let w = self.out.write_packet(raw.ts, r, len);
            if result.is_ok() {
                result = w;
            }
        }
        result
    }

    /// Frames written (accepted).
    pub fn accepted(&self) -> u64 {
        self.accepted
    }

    /// Frames dropped without an answer.
    pub fn blocked(&self) -> u64 {
        self.blocked
    }

    /// Frames rejected (dropped, answered when the answer could be built).
    pub fn rejected(&self) -> u64 {
        self.rejected
    }

    /// Reject answers written.
    pub fn answers(&self) -> u64 {
        self.answers
    }

    /// Flushes and gives the output back.
    ///
    /// # Errors
    /// Any error of the final flush.
    pub fn finish(self) -> io::Result<W> {
        self.out.into_inner()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::Timestamp;
    use crate::ips::RejectDirection;

    fn raw(index: u64, data: &[u8]) -> RawPacket<'_> {
        RawPacket {
            index,
            ts: Timestamp::new(1_000 + index, 5_000),
            linktype: LinkType::ETHERNET,
            data,
            orig_len: data.len() as u32,
        }
    }

    #[test]
    fn writes_accepted_and_answers_in_order() {
        let mut o = IpsPcap::new(Vec::new(), LinkType::ETHERNET, TsPrecision::Micro).unwrap();
        o.frame(&raw(1, b"aaaa"), PacketVerdict::Accept, &[])
            .unwrap();
        o.frame(&raw(2, b"bbbb"), PacketVerdict::Drop, &[]).unwrap();
        let rst = vec![b"rst!".to_vec()];
        o.frame(
            &raw(3, b"cccc"),
            PacketVerdict::Reject(RejectDirection::Source),
            &rst,
        )
        .unwrap();
        o.frame(&raw(4, b"dddd"), PacketVerdict::Accept, &[])
            .unwrap();
        assert_eq!(
            (o.accepted(), o.blocked(), o.rejected(), o.answers()),
            (2, 1, 1, 1)
        );
        let bytes = o.finish().unwrap();
        let file = CaptureFile::from_bytes(bytes).unwrap();
        let got: Vec<(u64, Vec<u8>)> = file
            .packets()
            .map(|p| {
                let p = p.unwrap();
                (p.ts.secs(), p.data.to_vec())
            })
            .collect();
        assert_eq!(
            got,
            [
                (1001, b"aaaa".to_vec()),
                (1003, b"rst!".to_vec()),
                (1004, b"dddd".to_vec())
            ]
        );
    }
}
