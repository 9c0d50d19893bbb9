//! Inline (IPS) mode pieces that do not depend on where packets come from:
//! the packets a `reject` answers with ([`reject_frames`]).
//!
//! Verdicts themselves (which packets a `drop` removes) are decided by
//! detection; writing the accepted packets out (`-w OUT.pcap`) is the
//! runtime's job with [`crate::capture::PcapWriter`].

mod reject;

pub use reject::{reject_frames, RejectDirection, RejectError};
