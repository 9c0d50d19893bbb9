//! Keyword evaluators: one module per rule keyword family, each a pure
//! function of the inspected bytes and per-packet match state, built from
//! the typed rule model once at engine build time.
//!
//! - [`pcre`]: PCRE patterns on the `regex` crate, or a bounded
//!   backtracker for what it cannot express.
//! - [`byte`]: `byte_test`, `byte_jump`, `byte_extract`, `byte_math`,
//!   `isdataat` and the rule's byte variables.
//! - [`bits`]: `flowbits` per flow and `xbits` per host or host pair.

pub mod bits;
pub mod byte;
pub mod pcre;
