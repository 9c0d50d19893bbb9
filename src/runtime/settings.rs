//! settings: a suricata.yaml-shaped [`Config`] mapped onto
//! [`PipelineConfig`].
//!
//! # Which defaults
//!
//! Suricata has two sets of defaults: the values of the suricata.yaml it
//! ships, and smaller built-in ones used when a key is missing from the
//! file it was given. A run without `-c` behaves as Suricata with its
//! shipped file (the module defaults: `defrag.memcap` 32 MiB, TCP flow
//! timeouts 60/600/60 s). A run with `-c FILE` falls back to the built-in
//! values for what FILE leaves out, as Suricata does: `defrag.memcap`
//! 16 MiB (`DEFRAG_DEFAULT_MEMCAP`), flow timeouts of `src/flow-private.h`
//! (TCP 30/300/10 s, emergency 10/100/5 s; others 30/300/0, emergency
//! 10/100/0). The conformance cases that bring their own suricata.yaml
//! record `defrag.memuse` 16777216, the others 33554432.
//!
//! # Keys read
//!
//! `decoder.inspect-invalid`, `decoder.max-layers`,
//! `decoder.{vxlan,geneve,teredo}.enabled`,
//! `decoder.recursion-level.use-for-tracking`, `vlan.use-for-tracking`,
//! `stream.midstream`, `stream.midstream-policy`, `exception-policy`,
//! `stream.checksum-validation`, `stream.reassembly.{raw,depth,memcap,
//! toserver-chunk-size,toclient-chunk-size}` (a configured run turns raw
//! stream inspection on),
//! `pcap-file.checksum-checks`, `flow.memcap`, `flow.emergency-recovery`,
//! `flow-timeouts.{default,tcp,udp,icmp}.{new,established,closed,
//! emergency-new,emergency-established,emergency-closed}`,
//! `defrag.{memcap,max-frags,trackers,timeout,host-config}` and
//! `host-os-policy`. Each is listed in
//! [`IMPLEMENTED`](crate::config::IMPLEMENTED).
//!
//! A value of the wrong type is an error naming the key; nothing here
//! guesses.

use super::config::{ChecksumPolicy, PipelineConfig};
use crate::config::{Config, Node, ValueError};
use crate::defrag::HostTableError;
use crate::flow::{midstream_policy, ExceptionPolicy, FlowTimeouts, ProtoTimeouts, StateTimeouts};

/// Suricata's built-in `defrag.memcap` (16 MiB), used when a configuration
/// file is given without the key.
pub const BUILTIN_DEFRAG_MEMCAP: u64 = 16 * 1024 * 1024;

/// Why a setting could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SettingsError {
    /// A value of the wrong type or out of range.
    #[error("invalid value `{}` for `{}`: {}", .0.value, .0.key, .0.message)]
    Value(ValueError),
    /// A bad address or OS name in `host-os-policy` or `defrag.host-config`.
    #[error("`{key}`: {source}")]
    Host {
        /// The dotted key.
        key: String,
        /// What was wrong.
        #[source]
        source: HostTableError,
    },
}

impl From<ValueError> for SettingsError {
    fn from(e: ValueError) -> SettingsError {
        SettingsError::Value(e)
    }
}

/// An exception policy value at `key`, `None` when absent.
fn policy_value(config: &Config, key: &str) -> Result<Option<ExceptionPolicy>, SettingsError> {
    let Some(v) = config.get_str(key) else {
        return Ok(None);
    };
    ExceptionPolicy::parse(v).map(Some).ok_or_else(|| {
        SettingsError::Value(ValueError {
            key: key.into(),
            value: v.into(),
            message: "expected drop-flow, drop-packet, pass-flow, pass-packet, bypass, reject, rejectboth, ignore or auto".into(),
        })
    })
}

/// Suricata's built-in flow timeouts (`src/flow-private.h`).
pub fn builtin_flow_timeouts() -> FlowTimeouts {
    let st = |new, established, closed| StateTimeouts {
        new,
        established,
        closed,
    };
    let other = ProtoTimeouts {
        normal: st(30, 300, 0),
        emergency: st(10, 100, 0),
    };
    FlowTimeouts {
        default: other,
        tcp: ProtoTimeouts {
            normal: st(30, 300, 10),
            emergency: st(10, 100, 5),
        },
        udp: other,
        icmp: other,
    }
}

impl PipelineConfig {
    /// The settings `config` asks for (see the module docs for the keys and
    /// which defaults apply).
    ///
    /// # Errors
    /// The first key whose value cannot be used.
    pub fn from_config(config: &Config) -> Result<PipelineConfig, SettingsError> {
        PipelineConfig::from_config_in_mode(config, false)
    }

    /// As [`from_config`](Self::from_config) for an engine in IPS mode
    /// (`ips`, `--simulate-ips`) or IDS mode: exception policies resolve
    /// differently (see [`crate::flow::midstream_policy`]).
    ///
    /// # Errors
    /// The first key whose value cannot be used, or a midstream policy
    /// Suricata refuses to start with.
    pub fn from_config_in_mode(
        config: &Config,
        ips: bool,
    ) -> Result<PipelineConfig, SettingsError> {
        let mut cfg = PipelineConfig::default();
        if config.source().is_some() {
            cfg.defrag.memcap = BUILTIN_DEFRAG_MEMCAP;
            cfg.flow.timeouts = builtin_flow_timeouts();
        }
        read_decoder(config, &mut cfg)?;
        read_flow(config, &mut cfg)?;
        read_defrag(config, &mut cfg)?;
        if let Some(v) = config.get_bool("stream.midstream")? {
            cfg.flow.midstream = v;
        }
        cfg.flow.ips_mode = ips;
        cfg.flow.midstream_policy = midstream_policy(
            policy_value(config, "stream.midstream-policy")?,
            policy_value(config, "exception-policy")?,
            cfg.flow.midstream,
            ips,
        )
        .map_err(|message| {
            SettingsError::Value(ValueError {
                key: "stream.midstream-policy".into(),
                value: config
                    .get_str("stream.midstream-policy")
                    .or(config.get_str("exception-policy"))
                    .unwrap_or("")
                    .into(),
                message,
            })
        })?;
        if let Some(v) = config.get_bool("stream.checksum-validation")? {
            cfg.stream_checksum_validation = v;
        }
        if let Some(v) = config.get_str("pcap-file.checksum-checks") {
            cfg.checksums = match v.trim().to_ascii_lowercase().as_str() {
                "auto" => ChecksumPolicy::Auto,
                _ => match config.get_bool("pcap-file.checksum-checks")? {
                    Some(true) => ChecksumPolicy::Validate,
                    _ => ChecksumPolicy::Ignore,
                },
            };
        }
        Ok(cfg)
    }
}

fn read_decoder(config: &Config, cfg: &mut PipelineConfig) -> Result<(), SettingsError> {
    let d = &mut cfg.decode;
    if let Some(v) = config.get_bool("decoder.inspect-invalid")? {
        d.inspect_invalid = v;
    }
    if let Some(v) = config.get_u64("decoder.max-layers")? {
        // Suricata clamps to 3..=255 (`DecodeGlobalConfig`).
        d.max_layers = u8::try_from(v.clamp(3, 255)).unwrap_or(u8::MAX);
    }
    if let Some(v) = config.get_bool("decoder.vxlan.enabled")? {
        d.vxlan = v;
    }
    if let Some(v) = config.get_bool("decoder.geneve.enabled")? {
        d.geneve = v;
    }
    if let Some(v) = config.get_bool("decoder.teredo.enabled")? {
        d.teredo = v;
    }
    if let Some(v) = config.get_bool("decoder.recursion-level.use-for-tracking")? {
        cfg.flow.recursion_tracking = v;
    }
    if let Some(v) = config.get_bool("vlan.use-for-tracking")? {
        cfg.flow.vlan_tracking = v;
    }
    Ok(())
}

fn read_flow(config: &Config, cfg: &mut PipelineConfig) -> Result<(), SettingsError> {
    if let Some(v) = config.get_size("flow.memcap")? {
        cfg.flow.memcap = v;
    }
    let r = &mut cfg.flow.reassembly;
    r.enabled = config.get_bool("stream.reassembly.raw")?.unwrap_or(true);
    if let Some(v) = config.get_size("stream.reassembly.depth")? {
        r.depth = v;
    }
    if let Some(v) = config.get_size("stream.reassembly.memcap")? {
        r.memcap = v;
    }
    for (i, key) in [
        "stream.reassembly.toserver-chunk-size",
        "stream.reassembly.toclient-chunk-size",
    ]
    .into_iter()
    .enumerate()
    {
        if let Some(v) = config.get_size(key)? {
            r.chunk_size[i] = u32::try_from(v).unwrap_or(u32::MAX);
        }
    }
    if let Some(v) = config.get_u64("flow.emergency-recovery")? {
        cfg.flow.emergency_recovery = u8::try_from(v.min(100)).unwrap_or(100);
    }
    let t = &mut cfg.flow.timeouts;
    for (name, proto) in [
        ("default", &mut t.default),
        ("tcp", &mut t.tcp),
        ("udp", &mut t.udp),
        ("icmp", &mut t.icmp),
    ] {
        let base = format!("flow-timeouts.{name}");
        read_secs(config, &base, "new", &mut proto.normal.new)?;
        read_secs(config, &base, "established", &mut proto.normal.established)?;
        read_secs(config, &base, "closed", &mut proto.normal.closed)?;
        read_secs(config, &base, "emergency-new", &mut proto.emergency.new)?;
        read_secs(
            config,
            &base,
            "emergency-established",
            &mut proto.emergency.established,
        )?;
        read_secs(
            config,
            &base,
            "emergency-closed",
            &mut proto.emergency.closed,
        )?;
    }
    Ok(())
}

fn read_secs(config: &Config, base: &str, leaf: &str, out: &mut u32) -> Result<(), SettingsError> {
    if let Some(v) = config.get_u64(&format!("{base}.{leaf}"))? {
        *out = u32::try_from(v).unwrap_or(u32::MAX);
    }
    Ok(())
}

fn read_defrag(config: &Config, cfg: &mut PipelineConfig) -> Result<(), SettingsError> {
    let d = &mut cfg.defrag;
    if let Some(v) = config.get_size("defrag.memcap")? {
        d.memcap = v;
    }
    if let Some(v) = config.get_u64("defrag.max-frags")? {
        d.max_frags = usize::try_from(v).unwrap_or(usize::MAX);
    }
    if let Some(v) = config.get_u64("defrag.trackers")? {
        d.max_trackers = usize::try_from(v).unwrap_or(usize::MAX);
    }
    if let Some(v) = config.get_u64("defrag.timeout")? {
        d.timeout_secs = u32::try_from(v).unwrap_or(u32::MAX);
    }
    if let Some(Node::Seq(items)) = config.get("defrag.host-config") {
        for item in items {
            // `- dmz: {timeout: 30, address: [...]}`
            let Some((name, body)) = item.entries().first() else {
                continue;
            };
            let key = format!("defrag.host-config.{name}");
            let timeout = match body.child("timeout").and_then(Node::as_str) {
                Some(t) => t.trim().parse::<u32>().map_err(|_| ValueError {
                    key: format!("{key}.timeout"),
                    value: t.to_string(),
                    message: "expected seconds".to_string(),
                })?,
                None => continue,
            };
            for addr in addresses(body.child("address")) {
                d.host_timeouts
                    .insert_str(addr, timeout)
                    .map_err(|source| SettingsError::Host {
                        key: format!("{key}.address"),
                        source,
                    })?;
            }
        }
    }
    if let Some(policies) = config.get("host-os-policy") {
        for (os, list) in policies.entries() {
            let key = format!("host-os-policy.{os}");
            let addrs: Vec<&str> = addresses(Some(list)).collect();
            d.host_policies
                .insert_os(os, addrs.iter().copied())
                .map_err(|source| SettingsError::Host { key, source })?;
        }
    }
    Ok(())
}

/// The addresses of a YAML list (`[a, b]` or a block list), or of a scalar
/// written as `"[a, b]"` or `a`.
fn addresses(node: Option<&Node>) -> impl Iterator<Item = &str> {
    let (items, scalar): (&[Node], Option<&str>) = match node {
        Some(Node::Seq(items)) => (items, None),
        Some(Node::Scalar(s)) => (&[], Some(s.as_str())),
        _ => (&[], None),
    };
    let from_items = items.iter().filter_map(Node::as_str);
    let from_scalar = scalar.into_iter().flat_map(|s| {
        s.trim()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .split(',')
    });
    from_items
        .chain(from_scalar)
        .map(|s| s.trim().trim_matches('"'))
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::defrag::Policy;
    use std::net::IpAddr;

    fn yaml(text: &str) -> Config {
        Config::from_yaml_str(text, "test.yaml").unwrap()
    }

    #[test]
    fn no_file_keeps_shipped_defaults() {
        let cfg = PipelineConfig::from_config(&Config::new()).unwrap();
        assert_eq!(cfg.defrag.memcap, 33_554_432);
        assert_eq!(cfg.flow.timeouts.tcp.normal.established, 600);
        assert_eq!(cfg.checksums, ChecksumPolicy::Auto);
        assert!(!cfg.flow.midstream);
        assert!(cfg.flow.vlan_tracking);
    }

    #[test]
    fn a_file_falls_back_to_builtin_defaults() {
        let cfg = PipelineConfig::from_config(&yaml("%YAML 1.1\n---\nvars: {}\n")).unwrap();
        assert_eq!(cfg.defrag.memcap, 16 * 1024 * 1024);
        assert_eq!(cfg.flow.timeouts.tcp.normal.new, 30);
        assert_eq!(cfg.flow.timeouts.tcp.normal.established, 300);
        assert_eq!(cfg.flow.timeouts.tcp.normal.closed, 10);
        assert_eq!(cfg.flow.timeouts.tcp.emergency.closed, 5);
        assert_eq!(cfg.flow.timeouts.udp.normal.closed, 0);
    }

    #[test]
    fn keys_map_onto_fields() {
        let mut c = yaml(concat!(
            "flow:\n  memcap: 1mb\n  emergency-recovery: 40\n",
            "flow-timeouts:\n  tcp:\n    new: 7\n    emergency-closed: 2\n",
            "  udp:\n    established: 99\n",
            "defrag:\n  memcap: 64kb\n  max-frags: 10\n  trackers: 5\n  timeout: 9\n",
            "  host-config:\n    - dmz:\n        timeout: 30\n        address: [10.0.0.0/8, \"::1\"]\n",
            "host-os-policy:\n  windows: [0.0.0.0/0]\n  linux: []\n  solaris: [2.2.2.2]\n",
            "decoder:\n  inspect-invalid: yes\n  max-layers: 1\n  vxlan:\n    enabled: false\n",
            "vlan:\n  use-for-tracking: false\n",
            "pcap-file:\n  checksum-checks: no\n",
        ));
        c.apply_set_arg("stream.midstream=true").unwrap();
        c.apply_set_arg("stream.checksum-validation=no").unwrap();
        let cfg = PipelineConfig::from_config(&c).unwrap();
        assert_eq!(cfg.flow.memcap, 1 << 20);
        assert_eq!(cfg.flow.emergency_recovery, 40);
        assert_eq!(cfg.flow.timeouts.tcp.normal.new, 7);
        assert_eq!(cfg.flow.timeouts.tcp.emergency.closed, 2);
        assert_eq!(cfg.flow.timeouts.udp.normal.established, 99);
        assert_eq!(cfg.defrag.memcap, 65_536);
        assert_eq!(cfg.defrag.max_frags, 10);
        assert_eq!(cfg.defrag.max_trackers, 5);
        assert_eq!(cfg.defrag.timeout_secs, 9);
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(cfg.defrag.timeout_for(ip("10.1.2.3")), 30);
        assert_eq!(cfg.defrag.timeout_for(ip("::1")), 30);
        assert_eq!(cfg.defrag.timeout_for(ip("11.1.2.3")), 9);
        assert_eq!(cfg.defrag.policy_for(ip("1.1.1.1")), Policy::Windows);
        assert_eq!(cfg.defrag.policy_for(ip("2.2.2.2")), Policy::Solaris);
        assert!(cfg.decode.inspect_invalid);
        assert_eq!(cfg.decode.max_layers, 3, "clamped to Suricata's minimum");
        assert!(!cfg.decode.vxlan);
        assert!(!cfg.flow.vlan_tracking);
        assert!(cfg.flow.midstream);
        assert!(!cfg.stream_checksum_validation);
        assert_eq!(cfg.checksums, ChecksumPolicy::Ignore);
    }

    #[test]
    fn bad_values_name_their_key() {
        let c = yaml("flow:\n  memcap: lots\n");
        let e = PipelineConfig::from_config(&c).unwrap_err();
        assert!(e.to_string().contains("flow.memcap"), "{e}");
        let c = yaml("host-os-policy:\n  beos: [1.1.1.1]\n");
        let e = PipelineConfig::from_config(&c).unwrap_err();
        assert!(e.to_string().contains("host-os-policy.beos"), "{e}");
        let c = yaml("host-os-policy:\n  linux: [1.1.1.1/40]\n");
        assert!(PipelineConfig::from_config(&c).is_err());
    }

    #[test]
    fn every_key_read_is_registered() {
        for key in [
            "decoder.inspect-invalid",
            "decoder.max-layers",
            "decoder.vxlan.enabled",
            "decoder.geneve.enabled",
            "decoder.teredo.enabled",
            "decoder.recursion-level.use-for-tracking",
            "vlan.use-for-tracking",
            "stream.midstream",
            "stream.checksum-validation",
            "pcap-file.checksum-checks",
            "flow.memcap",
            "flow.emergency-recovery",
            "flow-timeouts.tcp.emergency-closed",
            "defrag.memcap",
            "defrag.host-config",
            "host-os-policy.windows",
        ] {
            assert!(crate::config::is_implemented(key), "{key} not registered");
        }
    }
}
