//! Which suricata.yaml settings rulewire reads, and the warnings for the ones
//! it does not.
//!
//! # The warning policy
//!
//! Real suricata.yaml files carry hundreds of settings; rulewire reads a few
//! dozen. Each setting is judged by its dotted key against two lists:
//!
//! * [`IMPLEMENTED`]: keys the engine reads. A listed key covers everything
//!   below it (`defrag` covers `defrag.memcap`).
//! * [`IGNORED`]: keys that describe Suricata the process (its own log, its
//!   unix socket, its plugins), which have no meaning for rulewire's results;
//!   they are skipped silently.
//!
//! Everything else earns **one warning at the highest key under which
//! nothing is implemented**: a whole unimplemented section (`app-layer:` with
//! its 300 lines) is one warning, `app-layer`; a partly implemented section
//! (`stream:`, of which only `midstream` is read) gives one warning per
//! unread key (`stream.memcap`, `stream.reassembly`). Sequence items are
//! named as Suricata names them (`outputs.eve-log`, and for a list of
//! scalars such as eve-log `types`, by their text: `outputs.eve-log.types.flow`).
//! A mapping with `enabled: no` (a disabled output, a disabled parser) is
//! skipped: it asks for nothing, so not doing it is no surprise.
//!
//! To teach the engine a new setting, add its dotted key to [`IMPLEMENTED`]
//! in the same change that reads it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::error::{ConfigWarning, WarningKind};
use super::node::Node;

/// Dotted keys the engine reads (each covers everything below it).
pub const IMPLEMENTED: &[&str] = &[
    // Rule loading.
    "vars.address-groups",
    "vars.port-groups",
    "default-rule-path",
    "rule-files",
    "classification-file",
    "reference-config-file",
    "threshold-file",
    "action-order",
    // Runtime.
    "runmode",
    "max-pending-packets",
    "default-log-dir",
    // Packet pipeline.
    "decoder.inspect-invalid",
    "decoder.max-layers",
    "decoder.vxlan.enabled",
    "decoder.geneve.enabled",
    "decoder.teredo.enabled",
    "decoder.recursion-level.use-for-tracking",
    "vlan.use-for-tracking",
    "defrag",
    "host-os-policy",
    "flow",
    "flow-timeouts",
    "stream.midstream",
    "stream.midstream-policy",
    "stream.reassembly.raw",
    "stream.reassembly.depth",
    "stream.reassembly.memcap",
    "stream.reassembly.toserver-chunk-size",
    "stream.reassembly.toclient-chunk-size",
    "exception-policy",
    "app-layer.error-policy",
    "stream.checksum-validation",
    "pcap-file.checksum-checks",
    "detect",
    // Inline mode (`run -q`): src/ips/nfq.rs.
    "nfq.mode",
    "nfq.fail-open",
    // Outputs.
    "outputs.fast.enabled",
    "outputs.fast.filename",
    "outputs.fast.append",
    "outputs.eve-log.enabled",
    "outputs.eve-log.filetype",
    "outputs.eve-log.filename",
    "outputs.eve-log.types.alert",
];

/// Dotted keys about Suricata the process, skipped without a warning.
pub const IGNORED: &[&str] = &[
    "suricata-version",
    "logging",
    "plugins",
    "unix-command",
    "coredump",
    "pid-file",
    "daemon-directory",
    "umask",
    "run-as",
    "security",
    "engine-analysis",
    "profiling",
];

fn covered_by(key: &str, list: &[&str]) -> bool {
    list.iter().any(|p| {
        key == *p
            || (key.len() > p.len()
                && key.starts_with(p)
                && key.as_bytes().get(p.len()) == Some(&b'.'))
    })
}

fn implemented_below(key: &str) -> bool {
    IMPLEMENTED.iter().any(|p| {
        p.len() > key.len() && p.starts_with(key) && p.as_bytes().get(key.len()) == Some(&b'.')
    })
}

/// True when `key` is read by the engine (listed in [`IMPLEMENTED`], or
/// below a listed key).
pub fn is_implemented(key: &str) -> bool {
    covered_by(key, IMPLEMENTED)
}

/// Suricata's "false" words (`SCConfValIsFalse`).
pub(crate) fn is_false_word(v: &str) -> bool {
    ["0", "no", "false", "off"]
        .iter()
        .any(|w| v.eq_ignore_ascii_case(w))
}

/// Suricata's "true" words (`SCConfValIsTrue`).
pub(crate) fn is_true_word(v: &str) -> bool {
    ["1", "yes", "true", "on"]
        .iter()
        .any(|w| v.eq_ignore_ascii_case(w))
}

fn is_disabled(node: &Node) -> bool {
    node.child("enabled")
        .and_then(Node::as_str)
        .is_some_and(is_false_word)
}

/// One warning per unimplemented setting of `root`, as described in the
/// module docs. `origins` maps dotted keys to indexes into `files` (the
/// file that defined them); a key with no origin is attributed to its
/// nearest ancestor's file, else to `fallback`.
pub(crate) fn unimplemented_warnings(
    root: &Node,
    files: &[PathBuf],
    origins: &HashMap<String, usize>,
    fallback: &Path,
) -> Vec<ConfigWarning> {
    let mut out = Vec::new();
    let ctx = Ctx {
        files,
        origins,
        fallback,
    };
    for (key, value) in root.entries() {
        walk(value, key, &ctx, &mut out);
    }
    out
}

struct Ctx<'a> {
    files: &'a [PathBuf],
    origins: &'a HashMap<String, usize>,
    fallback: &'a Path,
}

impl Ctx<'_> {
    fn origin(&self, key: &str) -> PathBuf {
        origin_path(self.origins, self.files, key, self.fallback)
    }
}

/// The file that defined `key`: its own origin, else its nearest ancestor's,
/// else `fallback`.
pub(crate) fn origin_path(
    origins: &HashMap<String, usize>,
    files: &[PathBuf],
    key: &str,
    fallback: &Path,
) -> PathBuf {
    let mut k = key;
    loop {
        if let Some(p) = origins.get(k).and_then(|&i| files.get(i)) {
            return p.clone();
        }
        match k.rfind('.') {
            Some(dot) => k = k.get(..dot).unwrap_or(""),
            None => return fallback.to_path_buf(),
        }
    }
}

fn walk(node: &Node, key: &str, ctx: &Ctx<'_>, out: &mut Vec<ConfigWarning>) {
    if covered_by(key, IMPLEMENTED) || covered_by(key, IGNORED) || is_disabled(node) {
        return;
    }
    if !implemented_below(key) {
        out.push(ConfigWarning {
            path: ctx.origin(key),
            key: key.to_string(),
            kind: WarningKind::Unimplemented,
            message: "not implemented by rulewire; ignored".to_string(),
        });
        return;
    }
    match node {
        Node::Map(entries) => {
            for (k, v) in entries {
                walk(v, &format!("{key}.{k}"), ctx, out);
            }
        }
        Node::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                match item {
                    Node::Map(_) => {
                        let name = item.item_name().unwrap_or_default();
                        let value = item.child(name).unwrap_or(&Node::Null);
                        walk(value, &format!("{key}.{name}"), ctx, out);
                    }
                    Node::Scalar(s) => walk(&Node::Null, &format!("{key}.{s}"), ctx, out),
                    _ => walk(item, &format!("{key}.{i}"), ctx, out),
                }
            }
        }
        // A scalar where rulewire expects a section with settings it reads.
        Node::Scalar(_) | Node::Null => out.push(ConfigWarning {
            path: ctx.origin(key),
            key: key.to_string(),
            kind: WarningKind::Unimplemented,
            message: "not implemented by rulewire as a single value; ignored".to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Node {
        Node::Scalar(v.to_string())
    }

    fn map(entries: Vec<(&str, Node)>) -> Node {
        Node::Map(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        )
    }

    fn keys(root: &Node) -> Vec<String> {
        unimplemented_warnings(root, &[], &HashMap::new(), Path::new("x.yaml"))
            .into_iter()
            .map(|w| w.key)
            .collect()
    }

    #[test]
    fn coverage_is_by_dotted_prefix() {
        assert!(is_implemented("defrag"));
        assert!(is_implemented("defrag.memcap"));
        assert!(!is_implemented("defragx"));
        assert!(!is_implemented("stream"));
        assert!(is_implemented("stream.midstream"));
        assert!(!is_implemented("stream.midstreamx"));
        assert!(implemented_below("stream"));
        assert!(implemented_below("outputs.eve-log"));
        assert!(implemented_below("app-layer"));
        assert!(!implemented_below("app-layer.protocols"));
    }

    #[test]
    fn one_warning_per_unimplemented_subtree() {
        let root = map(vec![
            (
                "app-layer",
                map(vec![("protocols", map(vec![("http", s("x"))]))]),
            ),
            (
                "stream",
                map(vec![
                    ("midstream", s("true")),
                    ("memcap", s("64mb")),
                    (
                        "reassembly",
                        map(vec![
                            ("depth", s("1mb")),
                            ("randomize-chunk-size", s("yes")),
                        ]),
                    ),
                ]),
            ),
            ("defrag", map(vec![("memcap", s("32mb"))])),
            ("logging", map(vec![("default-log-level", s("info"))])),
            (
                "outputs",
                Node::Seq(vec![
                    map(vec![(
                        "fast",
                        map(vec![("enabled", s("yes")), ("filename", s("fast.log"))]),
                    )]),
                    map(vec![(
                        "eve-log",
                        map(vec![
                            ("enabled", s("yes")),
                            ("community-id", s("yes")),
                            (
                                "types",
                                Node::Seq(vec![
                                    s("alert"),
                                    s("flow"),
                                    map(vec![("http", map(vec![("extended", s("yes"))]))]),
                                ]),
                            ),
                        ]),
                    )]),
                    map(vec![(
                        "stats",
                        map(vec![("enabled", s("no")), ("filename", s("stats.log"))]),
                    )]),
                    map(vec![("pcap-log", map(vec![("enabled", s("yes"))]))]),
                ]),
            ),
        ]);
        assert_eq!(
            keys(&root),
            vec![
                "app-layer.protocols",
                "stream.memcap",
                "stream.reassembly.randomize-chunk-size",
                "outputs.eve-log.community-id",
                "outputs.eve-log.types.flow",
                "outputs.eve-log.types.http",
                "outputs.pcap-log",
            ]
        );
    }

    #[test]
    fn bool_words_follow_suricata() {
        for w in ["1", "yes", "TRUE", "On"] {
            assert!(is_true_word(w) && !is_false_word(w), "{w}");
        }
        for w in ["0", "No", "false", "OFF"] {
            assert!(is_false_word(w) && !is_true_word(w), "{w}");
        }
        assert!(!is_true_word("y") && !is_false_word("n"));
    }
}
