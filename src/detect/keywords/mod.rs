//! Keyword evaluators: one module per rule keyword family, each a pure
//! function of the inspected bytes and per-packet match state, built from
//! the typed rule model once at engine build time.
//!
//! - [`pcre`]: PCRE patterns on the `regex` crate, or a bounded
//!   backtracker for what it cannot express.
//! - [`byte`]: `byte_test`, `byte_jump`, `byte_extract`, `byte_math`,
//!   `isdataat` and the rule's byte variables.
//! - [`bits`]: `flowbits` per flow and `xbits` per host or host pair.
//! - [`threshold`]: `threshold`, `detection_filter` and threshold.config
//!   counters (bounded).
//! - [`base64`]: `base64_decode` (the bytes `base64_data` inspects).
//! - [`asn1`]: `asn1`, a bounded iterative BER decoder.
//! - [`tag`]: `tag`, session and host tags (bounded).

pub mod asn1;
pub mod base64;
pub mod bits;
pub mod byte;
pub mod pcre;
pub mod tag;
pub mod threshold;
