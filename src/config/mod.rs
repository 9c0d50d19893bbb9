//! Configuration in suricata.yaml's shape: variables (address and port
//! groups), rule paths, classification, reference and threshold files.
//!
//! The rule loader only needs [`Vars`]; the rest of the configuration is
//! read by the runtime.

mod vars;

pub use vars::Vars;
