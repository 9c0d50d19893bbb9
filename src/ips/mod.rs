//! Inline (IPS) mode pieces that do not depend on where packets come from:
//! the packets a `reject` answers with ([`reject_frames`]) and the
//! `-w OUT.pcap` writer of accepted frames and answers ([`IpsPcap`]).
//!
//! Verdicts themselves (which packets a `drop` removes) are decided by
//! detection and folded per frame by the runtime, which hands each frame's
//! verdict to an [`IpsPcap`] in capture order.

mod output;
mod reject;

pub use output::{output_format, IpsPcap};
pub use reject::{reject_frames, RejectDirection, RejectError};
