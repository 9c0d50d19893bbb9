//! Which alert outputs a configuration asks for: suricata.yaml's
//! `outputs:` list, read as Suricata reads it.
//!
//! * No `outputs:` at all (no `-c`, or a file that leaves it to an include
//!   we could not read): Suricata's shipped defaults, fast.log and EVE
//!   alerts both on.
//! * Otherwise an output is on only when it is listed and not disabled
//!   (`enabled: no`), and EVE logs alerts only when `alert` is among its
//!   `types:` (a bare `- alert` or `- alert: {...}`). A configuration that
//!   lists only `eve-log` with `types: [anomaly]` therefore writes no alert
//!   anywhere, as Suricata would (suricata-verify output-eve-anomaly-05).
//!
//! The files themselves are still created (empty), so a reader of the log
//! directory finds them as after any run.

use super::eve::EveFormat;
use crate::config::{Config, Node};

/// The alert outputs a run writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AlertOutputs {
    /// `fast.log`.
    pub fast: bool,
    /// `eve.json` alert records.
    pub eve_alerts: bool,
    /// `eve.json` `packet` records for packets tagged by a rule's `tag`
    /// (the alert type's `tagged-packets: yes`; off by default).
    pub eve_tagged_packets: bool,
}

impl Default for AlertOutputs {
    fn default() -> AlertOutputs {
        AlertOutputs {
            fast: true,
            eve_alerts: true,
            eve_tagged_packets: false,
        }
    }
}

/// Whether an output's mapping leaves it enabled (`enabled` absent counts as
/// on, as Suricata's `ConfNodeChildValueIsTrue` with its default).
fn enabled(node: &Node) -> bool {
    flag(node, "enabled").unwrap_or(true)
}

/// A yes/no child's value (Suricata's truth words), `None` when absent.
fn flag(node: &Node, key: &str) -> Option<bool> {
    node.child(key).and_then(Node::as_str).map(|v| {
        matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "yes" | "true" | "on" | "1"
        )
    })
}

impl AlertOutputs {
    /// What `config` asks for (see the module docs).
    pub fn from_config(config: &Config) -> AlertOutputs {
        let Some(outputs) = config.get("outputs") else {
            return AlertOutputs::default();
        };
        let mut out = AlertOutputs {
            fast: false,
            eve_alerts: false,
            eve_tagged_packets: false,
        };
        for item in outputs.items() {
            let (Some(name), Some(body)) = (item.item_name(), item.child_map()) else {
                continue;
            };
            match name {
                "fast" => out.fast |= enabled(body),
                "eve-log" if enabled(body) => {
                    let types = body.child("types").map(Node::items).unwrap_or(&[]);
                    for t in types {
                        if t.as_str() == Some("alert") {
                            out.eve_alerts = true;
                        } else if t.item_name() == Some("alert") {
                            out.eve_alerts = true;
                            out.eve_tagged_packets |= t
                                .child_map()
                                .and_then(|m| flag(m, "tagged-packets"))
                                .unwrap_or(false);
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }
}

impl AlertOutputs {
    /// The EVE alert format these outputs ask for (UTC timestamps).
    pub fn eve_format(&self) -> EveFormat {
        EveFormat::default().with_tagged_packets(self.eve_tagged_packets)
    }
}

trait ChildMap {
    /// The mapping under a named sequence item (`- fast: {...}` → `{...}`).
    fn child_map(&self) -> Option<&Node>;
}

impl ChildMap for Node {
    fn child_map(&self) -> Option<&Node> {
        let name = self.item_name()?;
        self.child(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outputs(yaml: &str) -> AlertOutputs {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("suricata.yaml");
        std::fs::write(&path, yaml).unwrap();
        AlertOutputs::from_config(&Config::load(&path).unwrap())
    }

    #[test]
    fn no_outputs_key_means_defaults() {
        assert_eq!(
            outputs("%YAML 1.1\n---\nvars: {}\n"),
            AlertOutputs::default()
        );
        assert_eq!(
            AlertOutputs::from_config(&Config::new()),
            AlertOutputs::default()
        );
    }

    #[test]
    fn eve_with_only_anomaly_logs_no_alert() {
        let o = outputs(
            "%YAML 1.1\n---\noutputs:\n  - eve-log:\n      enabled: yes\n      types:\n        - anomaly:\n            types:\n              stream: yes\n",
        );
        assert_eq!(
            o,
            AlertOutputs {
                fast: false,
                eve_alerts: false,
                eve_tagged_packets: false,
            }
        );
    }

    #[test]
    fn listed_outputs_and_enabled_flags() {
        let o = outputs(
            "%YAML 1.1\n---\noutputs:\n  - fast:\n      enabled: no\n  - eve-log:\n      types:\n        - alert:\n            payload: yes\n        - flow\n",
        );
        assert_eq!(
            o,
            AlertOutputs {
                fast: false,
                eve_alerts: true,
                eve_tagged_packets: false,
            }
        );
        let o = outputs(
            "%YAML 1.1\n---\noutputs:\n  - fast:\n      enabled: yes\n  - eve-log:\n      enabled: no\n      types: [alert]\n",
        );
        assert_eq!(
            o,
            AlertOutputs {
                fast: true,
                eve_alerts: false,
                eve_tagged_packets: false,
            }
        );
        // suricata-verify eve-tag-02's outputs.
        let o = outputs(
            "%YAML 1.1\n---\noutputs:\n  - eve-log:\n      enabled: yes\n      types:\n        - alert:\n            tagged-packets: true\n        - dns\n",
        );
        assert!(o.eve_alerts && o.eve_tagged_packets && !o.fast);
        assert!(o.eve_format().tagged_packets);
        assert!(!AlertOutputs::default().eve_format().tagged_packets);
    }
}
