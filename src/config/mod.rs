//! Configuration in suricata.yaml's shape: variables (address and port
//! groups), rule paths, classification, reference and threshold files, and
//! dotted-key access to every other setting.
//!
//! * [`Config`] loads a suricata.yaml (Suricata's `include:` rules, `%YAML
//!   1.1` headers), takes `--set key=value` overrides, and reads settings
//!   by dotted key ([`Config::get_bool`], [`Config::get_u64`],
//!   [`Config::get_size`], [`Config::get_str`]).
//! * [`Vars`] is what the rule loader resolves `$NAME` against;
//!   [`Vars::builtin`] are the defaults and [`Config::vars`] applies a
//!   configuration's `vars:` on top.
//! * [`Classifications`], [`References`] and [`Thresholds`] parse the
//!   line-oriented companion files, each bad line a located [`LineError`].
//! * [`ActionOrder`] is `action-order` (default pass, drop, reject, alert).
//!
//! # Errors and warnings
//!
//! An unreadable main file or invalid YAML is a [`ConfigError`] (with file,
//! line and column). Everything that merely has no effect (an `include:`
//! that cannot be found, a setting rulewire does not implement) is a
//! [`ConfigWarning`] from [`Config::warnings`]; the policy (one warning per
//! unimplemented section or key, registry in [`IMPLEMENTED`]) is described
//! in the `policy` module's docs.
//!
//! This module reads files and text; it does not open rule files or apply
//! thresholds, which belong to `rule` and `detect`.

mod action_order;
mod classification;
mod error;
mod lines;
mod node;
mod policy;
mod reference;
mod settings;
mod threshold;
mod vars;
mod yaml;

pub use action_order::{ActionOrder, OrderedAction};
pub use classification::{Classification, Classifications};
pub use error::{ConfigError, ConfigWarning, LineError, ValueError, WarningKind};
pub use node::Node;
pub use policy::{is_implemented, IGNORED, IMPLEMENTED};
pub use reference::{Reference, References};
pub use settings::Config;
pub use threshold::{
    Filter, NewAction, RateFilter, SuppressTarget, ThresholdEntry, ThresholdRule, ThresholdType,
    Thresholds, Track,
};
pub use vars::Vars;
pub use yaml::{MAX_CONFIG_BYTES, MAX_INCLUDE_DEPTH};
