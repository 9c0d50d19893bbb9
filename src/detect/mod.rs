//! Detection: the active rules compiled into an [`Engine`], the
//! fast-pattern prefilter, full rule evaluation over the packet payload,
//! and the [`Detector`] that turns matches into alerts.
//!
//! What is evaluated (a rule is *active* only when all its keywords are,
//! see [`Engine::why_inactive`]): packet protocols (`ip`, `ipv4`, `ipv6`,
//! `tcp`, `tcp-pkt`, `udp`, `icmp*`, `igmp`, `sctp`, `pkthdr`), addresses
//! and ports (`->` and `<>`), the payload buffer with `content` (all
//! modifiers), `isdataat`, `pcre` and `byte_test`/`byte_jump`/
//! `byte_extract`/`byte_math`, `flowbits` (per-flow [`keywords::bits::FlowBits`]
//! as the detector's flow data), and the packet conditions (`flow`, `dsize`,
//! `ttl`, `tos`, `id`, `ip_proto`, `ipopts`, `fragbits`, `fragoffset`,
//! `sameip`, `flags`, `seq`, `ack`, `window`, `itype`, `icode`, `icmp_id`,
//! `icmp_seq`, `tcp.mss`, checksum keywords, `decode-event`, `noalert`).
//! Metadata keywords are no-ops. Not here: app-layer protocols and sticky
//! buffers, stream reassembly, xbits, flowint and thresholds.

mod content;
mod detector;
mod engine;
pub mod keywords;
mod packet;
pub mod prefilter;
mod support;

pub use detector::Detector;
pub use engine::{BuildError, CompiledRule, DetectScratch, Engine, EngineBuilder, SharedEngine};
pub use packet::View;
pub use support::inactive_reason;
