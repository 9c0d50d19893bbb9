//! config: the settings of the packet path ([`PipelineConfig`]), decided
//! once per run and copied into each [`Worker`](super::Worker).
//!
//! This module only holds values. [`settings`](super::settings) fills them
//! from a suricata.yaml-shaped [`Config`](crate::config::Config); the CLI
//! then applies its flags (`-k`, `--inspect-invalid`) on top.

use crate::decode::DecodeConfig;
use crate::defrag::DefragConfig;
use crate::flow::FlowConfig;

/// How TCP checksums feed the stream tracker (Suricata's `-k` and
/// `pcap-file.checksum-checks`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ChecksumPolicy {
    /// Validate every packet (`-k all`, `checksum-checks: yes`).
    Validate,
    /// Validate nothing: every checksum reads as valid (`-k none`,
    /// `checksum-checks: no`), as with Suricata's `PKT_IGNORE_CHECKSUM`.
    Ignore,
    /// Suricata's default for capture files: validate, but when 1 in 10
    /// or more of the first 1000 packets carried a bad TCP checksum
    /// (checksum offloading on the capturing host), stop validating from
    /// the 1000th packet on (`ChecksumAutoModeCheck`, `src/util-checksum.c`).
    #[default]
    Auto,
}

/// Settings of the whole packet path.
#[derive(Clone, Debug)]
pub struct PipelineConfig {
    /// Decoder settings (`decoder.*`). Its `validate_checksums` is derived
    /// from [`PipelineConfig::checksums`] when a worker is built.
    pub decode: DecodeConfig,
    /// Defragmentation table settings (`defrag.*`, `host-os-policy`).
    pub defrag: DefragConfig,
    /// Flow table settings (`flow.*`, `flow-timeouts.*`,
    /// `stream.midstream`, `vlan.use-for-tracking`).
    pub flow: FlowConfig,
    /// Checksum validation.
    pub checksums: ChecksumPolicy,
    /// `stream.checksum-validation` (default true): when false the stream
    /// tracker takes every TCP packet, whatever its checksum, while the
    /// checksum keywords still see the real result.
    pub stream_checksum_validation: bool,
}

impl Default for PipelineConfig {
    /// Suricata's behaviour with its shipped suricata.yaml: the module
    /// defaults of decode, defrag and flow, checksums in auto mode.
    fn default() -> PipelineConfig {
        PipelineConfig {
            decode: DecodeConfig::default(),
            defrag: DefragConfig::default(),
            flow: FlowConfig::default(),
            checksums: ChecksumPolicy::default(),
            stream_checksum_validation: true,
        }
    }
}

impl PipelineConfig {
    /// The decoder settings a worker starts with: checksum validation off
    /// only under [`ChecksumPolicy::Ignore`].
    pub fn effective_decode(&self) -> DecodeConfig {
        DecodeConfig {
            validate_checksums: self.checksums != ChecksumPolicy::Ignore,
            ..self.decode
        }
    }
}
