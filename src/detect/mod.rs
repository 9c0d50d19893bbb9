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
//! `icmp_seq`, `tcp.mss`, checksum keywords, `decode-event`, `noalert`,
//! `tag`).
//! Metadata keywords are no-ops. An application-layer protocol in the
//! header (`alert tls ...`) restricts a rule to flows [`crate::applayer`]
//! detected as that protocol. After the engine, the post-match stage
//! ([`PostMatchConfig`], see `postmatch.rs`) applies `xbits`,
//! `threshold`/`detection_filter`, threshold.config (suppress, threshold,
//! event and rate filters), the action order, flow-scoped pass/drop and
//! `packet-alert-max`, as Suricata's `PacketAlertFinalize`. Not here:
//! sticky buffers and app-layer keywords, stream reassembly, flowint.
//! [`classify`] sorts rules as Suricata's engine does at load.

mod actions;
pub mod classify;
mod content;
mod detector;
mod engine;
pub mod keywords;
mod packet;
mod postmatch;
pub mod prefilter;
pub mod profile;
mod support;

pub use actions::{ActionBits, FlowState, FlowVerdict, Verdict};
pub use detector::Detector;
pub use engine::{BuildError, CompiledRule, DetectScratch, Engine, EngineBuilder, SharedEngine};
pub use packet::View;
pub use postmatch::{PostMatchConfig, PostMatchCounters, DEFAULT_PACKET_ALERT_MAX};
pub use support::inactive_reason;
