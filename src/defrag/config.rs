//! config: the settings of one defragmentation table, with Suricata's
//! defaults (`defrag:` in suricata.yaml, plus `host-os-policy`).
//!
//! This module only holds values; the YAML is read elsewhere (the config
//! layer maps `defrag.memcap`, `defrag.max-frags`, `defrag.trackers`,
//! `defrag.timeout`, `defrag.host-config` and `host-os-policy` onto these
//! fields). Out-of-range values are clamped by
//! [`DefragConfig::normalized`], never rejected here.

use super::policy::{HostTable, Policy};

/// Suricata's `defrag.timeout` default, seconds.
pub const DEFAULT_TIMEOUT_SECS: u32 = 60;
/// Suricata accepts timeouts from 1 second ...
pub const MIN_TIMEOUT_SECS: u32 = 1;
/// ... to 24 hours.
pub const MAX_TIMEOUT_SECS: u32 = 24 * 60 * 60;
/// `defrag.memcap` in Suricata's shipped suricata.yaml (32 MiB; its
/// built-in default without the setting is 16 MiB).
pub const DEFAULT_MEMCAP: u64 = 32 * 1024 * 1024;
/// `defrag.trackers` in the shipped suricata.yaml.
pub const DEFAULT_MAX_TRACKERS: usize = 65_535;
/// `defrag.max-frags` in the shipped suricata.yaml.
pub const DEFAULT_MAX_FRAGS: usize = 65_535;
/// Fragments kept for one datagram (ours; Suricata has no such limit).
/// 8192 covers the worst legitimate case, a 64 KiB datagram cut into
/// 8-byte fragments, and bounds the per-fragment work of the overlap walk.
pub const DEFAULT_MAX_FRAGS_PER_DATAGRAM: usize = 8_192;

/// Settings of one [`Defragmenter`](super::Defragmenter).
///
/// Every limit applies to one table. With several workers, each owning a
/// table, divide `memcap`, `max_trackers` and `max_frags` among them to keep
/// Suricata's global budget.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DefragConfig {
    /// Policy for destinations no `host_policies` prefix matches
    /// (Suricata: BSD).
    pub default_policy: Policy,
    /// `host-os-policy`: destination prefix → policy (longest match).
    pub host_policies: HostTable<Policy>,
    /// `defrag.timeout`: seconds of packet time a datagram may wait for its
    /// next fragment.
    pub timeout_secs: u32,
    /// `defrag.host-config`: destination prefix → timeout in seconds.
    pub host_timeouts: HostTable<u32>,
    /// `defrag.memcap`: bytes for trackers and stored fragments together.
    pub memcap: u64,
    /// `defrag.trackers`: datagrams tracked at once.
    pub max_trackers: usize,
    /// `defrag.max-frags`: fragments stored at once, over all datagrams.
    pub max_frags: usize,
    /// Fragments stored for one datagram (see
    /// [`DEFAULT_MAX_FRAGS_PER_DATAGRAM`]).
    pub max_frags_per_datagram: usize,
}

impl Default for DefragConfig {
    fn default() -> DefragConfig {
        DefragConfig {
            default_policy: Policy::Bsd,
            host_policies: HostTable::new(),
            timeout_secs: DEFAULT_TIMEOUT_SECS,
            host_timeouts: HostTable::new(),
            memcap: DEFAULT_MEMCAP,
            max_trackers: DEFAULT_MAX_TRACKERS,
            max_frags: DEFAULT_MAX_FRAGS,
            max_frags_per_datagram: DEFAULT_MAX_FRAGS_PER_DATAGRAM,
        }
    }
}

impl DefragConfig {
    /// The same settings with timeouts clamped to 1 s ..= 24 h (Suricata
    /// refuses values outside; host timeouts of 0 mean "use the default",
    /// as in Suricata) and each count at least 1.
    pub fn normalized(mut self) -> DefragConfig {
        self.timeout_secs = self.timeout_secs.clamp(MIN_TIMEOUT_SECS, MAX_TIMEOUT_SECS);
        self.max_trackers = self.max_trackers.max(1);
        self.max_frags = self.max_frags.max(1);
        self.max_frags_per_datagram = self.max_frags_per_datagram.max(1);
        self
    }

    /// The policy for a datagram to `dst`.
    pub fn policy_for(&self, dst: std::net::IpAddr) -> Policy {
        self.host_policies
            .lookup(dst)
            .unwrap_or(self.default_policy)
    }

    /// The timeout (seconds) for a datagram to `dst`.
    pub fn timeout_for(&self, dst: std::net::IpAddr) -> u32 {
        match self.host_timeouts.lookup(dst) {
            Some(t) if t > 0 => t.min(MAX_TIMEOUT_SECS),
            _ => self.timeout_secs,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_suricatas() {
        let c = DefragConfig::default();
        assert_eq!(c.default_policy, Policy::Bsd);
        assert_eq!(c.timeout_secs, 60);
        assert_eq!(c.memcap, 33_554_432);
        assert_eq!(c.max_trackers, 65_535);
        assert_eq!(c.max_frags, 65_535);
    }

    #[test]
    fn host_lookups_fall_back_to_defaults() {
        let mut c = DefragConfig::default();
        c.host_policies
            .insert_os("windows", ["192.168.0.0/16"])
            .unwrap();
        c.host_timeouts.insert_str("10.0.0.0/8", 30).unwrap();
        c.host_timeouts.insert_str("10.1.0.0/16", 0).unwrap();
        assert_eq!(
            c.policy_for("192.168.3.4".parse().unwrap()),
            Policy::Windows
        );
        assert_eq!(c.policy_for("8.8.8.8".parse().unwrap()), Policy::Bsd);
        assert_eq!(c.timeout_for("10.2.3.4".parse().unwrap()), 30);
        assert_eq!(c.timeout_for("10.1.3.4".parse().unwrap()), 60);
        assert_eq!(c.timeout_for("8.8.8.8".parse().unwrap()), 60);
        let n = DefragConfig {
            timeout_secs: 0,
            max_frags: 0,
            ..DefragConfig::default()
        }
        .normalized();
        assert_eq!(n.timeout_secs, 1);
        assert_eq!(n.max_frags, 1);
    }
}
