//! Inline (IPS) mode pieces that do not depend on where packets come from:
//! the packets a `reject` answers with ([`reject_frames`]) and the
//! `-w OUT.pcap` writer of accepted frames and answers ([`IpsPcap`]); and
//! on Linux, live inline mode on netfilter queues ([`run_nfqueue`],
//! `rulewire run -q N`) with reject answers sent on raw sockets
//! ([`RawInjector`]).
//!
//! Verdicts themselves (which packets a `drop` removes) are decided by
//! detection and folded per frame by the runtime, which hands each frame's
//! verdict to an [`IpsPcap`] in capture order, or back to the kernel in
//! NFQUEUE mode.
//!
//! NFQUEUE needs no cargo feature: the `nfq` crate is pure Rust on libc
//! (no C library to install), so every Linux build has it.

#[cfg(target_os = "linux")]
mod inject;
#[cfg(target_os = "linux")]
mod nfq;
mod output;
mod reject;

#[cfg(target_os = "linux")]
pub use self::nfq::{run_nfqueue, NfqError, NfqReport, NfqSettings};
#[cfg(target_os = "linux")]
pub use inject::RawInjector;
pub use output::{output_format, IpsPcap};
pub use reject::{reject_frames, RejectDirection, RejectError};
