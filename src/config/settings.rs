//! [`Config`]: a loaded suricata.yaml, its `--set` overrides, and typed
//! reading of the settings the engine uses.
//!
//! Invariants: the tree is the merged result of the main file and its
//! includes (see `yaml.rs` for the merge rules); `--set` overrides are
//! applied on top, after loading, so they win over every file. Reading never
//! fails for an absent setting: absent is `None` (or the built-in default
//! for vars and action order). Warnings are recomputed on request, so they
//! include settings added by `--set`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::action_order::ActionOrder;
use super::error::{ConfigError, ConfigWarning, ValueError, WarningKind};
use super::node::Node;
use super::policy;
use super::vars::Vars;
use super::yaml;

/// Origin index recorded for keys set with [`Config::set`].
const SET_ORIGIN: usize = usize::MAX;

/// A configuration in suricata.yaml's shape.
#[derive(Clone, Debug)]
pub struct Config {
    root: Node,
    files: Vec<PathBuf>,
    load_warnings: Vec<ConfigWarning>,
    origins: HashMap<String, usize>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            root: Node::empty_map(),
            files: Vec::new(),
            load_warnings: Vec::new(),
            origins: HashMap::new(),
        }
    }
}

impl Config {
    /// An empty configuration: every reader returns its built-in default.
    pub fn new() -> Config {
        Config::default()
    }

    /// Loads a suricata.yaml file and everything it includes.
    ///
    /// Fatal: the file cannot be read, or it (or an include that exists) is
    /// not valid YAML. Everything else (missing includes, settings rulewire
    /// does not implement) is in [`Config::warnings`].
    pub fn load(path: impl AsRef<Path>) -> Result<Config, ConfigError> {
        Ok(Config::from_loaded(yaml::load_file(path.as_ref())?))
    }

    /// Reads `text` as the contents of a suricata.yaml at `path`; `path`
    /// names it in messages and is the base for relative includes.
    pub fn from_yaml_str(text: &str, path: impl AsRef<Path>) -> Result<Config, ConfigError> {
        Ok(Config::from_loaded(yaml::load_str(text, path.as_ref())?))
    }

    fn from_loaded(loaded: yaml::Loaded) -> Config {
        Config {
            root: loaded.root,
            files: loaded.files,
            load_warnings: loaded.warnings,
            origins: loaded.origins,
        }
    }

    /// The main file, when loaded from one.
    pub fn source(&self) -> Option<&Path> {
        self.files.first().map(PathBuf::as_path)
    }

    /// Every file read: the main file, then includes in the order loaded.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// The whole merged tree.
    pub fn root(&self) -> &Node {
        &self.root
    }

    /// Everything in this configuration that has no effect: unresolved
    /// includes, settings rulewire does not implement (one warning per
    /// unimplemented section or key, see the policy in `policy.rs`), and
    /// variables without a usable value.
    pub fn warnings(&self) -> Vec<ConfigWarning> {
        let fallback = self
            .source()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("<config>"));
        let mut origins_files = self.files.clone();
        // Keys from --set point one past the files, named "--set".
        let set_index = origins_files.len();
        origins_files.push(PathBuf::from("--set"));
        let origins: HashMap<String, usize> = self
            .origins
            .iter()
            .map(|(k, &i)| (k.clone(), if i == SET_ORIGIN { set_index } else { i }))
            .collect();
        let mut out = self.load_warnings.clone();
        out.extend(policy::unimplemented_warnings(
            &self.root,
            &origins_files,
            &origins,
            &fallback,
        ));
        for group in ["address-groups", "port-groups"] {
            let key = format!("vars.{group}");
            for (name, value) in self.get(&key).map(Node::entries).unwrap_or_default() {
                if var_text(value).is_none() {
                    let var_key = format!("{key}.{name}");
                    out.push(ConfigWarning {
                        path: policy::origin_path(&origins, &origins_files, &var_key, &fallback),
                        key: var_key,
                        kind: WarningKind::Value,
                        message: "variable has no usable value (expected a string or a list of strings); the built-in default, if any, is used".to_string(),
                    });
                }
            }
        }
        out
    }

    /// The node at dotted `key` (`stream.midstream`, `outputs.eve-log.types`,
    /// `outputs.0.fast`); see [`Node::child`] for sequence steps.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.root.lookup(key)
    }

    /// The text of scalar setting `key`; `None` when absent, null, or not a
    /// scalar.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Node::as_str)
    }

    fn scalar(&self, key: &str) -> Result<Option<&str>, ValueError> {
        match self.get(key) {
            None | Some(Node::Null) => Ok(None),
            Some(Node::Scalar(s)) => Ok(Some(s.as_str())),
            Some(other) => Err(ValueError {
                key: key.to_string(),
                value: placeholder(other).to_string(),
                message: "expected a single value".to_string(),
            }),
        }
    }

    /// Boolean setting `key`, with Suricata's words: `1`, `yes`, `true`,
    /// `on` are true; `0`, `no`, `false`, `off` are false (any case).
    /// `Ok(None)` when absent or null; an error for any other text.
    pub fn get_bool(&self, key: &str) -> Result<Option<bool>, ValueError> {
        let Some(v) = self.scalar(key)? else {
            return Ok(None);
        };
        let v = v.trim();
        if policy::is_true_word(v) {
            Ok(Some(true))
        } else if policy::is_false_word(v) {
            Ok(Some(false))
        } else {
            Err(ValueError {
                key: key.to_string(),
                value: v.to_string(),
                message: "expected yes/no, true/false, on/off or 1/0".to_string(),
            })
        }
    }

    /// Unsigned decimal setting `key`. `Ok(None)` when absent or null.
    pub fn get_u64(&self, key: &str) -> Result<Option<u64>, ValueError> {
        let Some(v) = self.scalar(key)? else {
            return Ok(None);
        };
        let t = v.trim();
        if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ValueError {
                key: key.to_string(),
                value: v.to_string(),
                message: "expected an unsigned decimal number".to_string(),
            });
        }
        t.parse::<u64>().map(Some).map_err(|_| ValueError {
            key: key.to_string(),
            value: v.to_string(),
            message: "number is too large".to_string(),
        })
    }

    /// Size setting `key` in bytes, as Suricata writes sizes: a number
    /// (decimals allowed) and an optional unit `kb`/`mb`/`gb` (any case) or
    /// `KiB`/`MiB`/`GiB`, all powers of 1024 (`64mb` = 67108864). A
    /// fractional byte count rounds down. `Ok(None)` when absent or null.
    pub fn get_size(&self, key: &str) -> Result<Option<u64>, ValueError> {
        let Some(v) = self.scalar(key)? else {
            return Ok(None);
        };
        parse_size(v).map(Some).ok_or_else(|| ValueError {
            key: key.to_string(),
            value: v.to_string(),
            message: "expected a size such as 4096, 64kb, 32mb or 1.5gb".to_string(),
        })
    }

    /// Sets dotted `key` to the scalar `value`, with Suricata's `--set`
    /// semantics: intermediate mappings are created, the value replaces
    /// whatever was there (a whole section included), and sequence steps
    /// are indexes (one past the end appends) or item names.
    /// `vars.address-groups.HOME_NET` works like any other key.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), ConfigError> {
        self.root
            .set_path(key, Node::Scalar(value.to_string()))
            .map_err(|message| ConfigError::Set {
                arg: format!("{key}={value}"),
                message,
            })?;
        // Attribute the key, and every section it created, to --set.
        let mut prefix = String::new();
        for step in key.split('.') {
            if !prefix.is_empty() {
                prefix.push('.');
            }
            prefix.push_str(step);
            if !self.origins.contains_key(&prefix) {
                self.origins.insert(prefix.clone(), SET_ORIGIN);
            }
        }
        self.origins.insert(key.to_string(), SET_ORIGIN);
        Ok(())
    }

    /// Applies one `--set` argument, `key=value` (split at the first `=`,
    /// spaces around key and value trimmed, as Suricata does).
    pub fn apply_set_arg(&mut self, arg: &str) -> Result<(), ConfigError> {
        let Some((key, value)) = arg.split_once('=') else {
            return Err(ConfigError::Set {
                arg: arg.to_string(),
                message: "expected key=value".to_string(),
            });
        };
        let key = key.trim();
        self.set(key, value.trim()).map_err(|e| match e {
            ConfigError::Set { message, .. } => ConfigError::Set {
                arg: arg.to_string(),
                message,
            },
            other => other,
        })
    }

    /// The variables rules resolve against: [`Vars::builtin`] overridden by
    /// `vars.address-groups` and `vars.port-groups`. A value written as a
    /// YAML list (`HOME_NET: [10.0.0.0/8, 192.168.0.0/16]`) is joined into
    /// the rule syntax `[10.0.0.0/8,192.168.0.0/16]`; a variable with no
    /// usable value keeps its built-in default (and is a warning).
    pub fn vars(&self) -> Vars {
        let mut vars = Vars::builtin();
        if let Some(groups) = self.get("vars.address-groups") {
            for (name, value) in groups.entries() {
                if let Some(text) = var_text(value) {
                    vars.set_address(name.as_str(), text);
                }
            }
        }
        if let Some(groups) = self.get("vars.port-groups") {
            for (name, value) in groups.entries() {
                if let Some(text) = var_text(value) {
                    vars.set_port(name.as_str(), text);
                }
            }
        }
        vars
    }

    /// `default-rule-path`.
    pub fn default_rule_path(&self) -> Option<&str> {
        self.get_str("default-rule-path")
    }

    /// `rule-files`, as written (a single string counts as a one-item list;
    /// non-string items are skipped).
    pub fn rule_files(&self) -> Vec<&str> {
        match self.get("rule-files") {
            Some(Node::Scalar(s)) => vec![s.as_str()],
            Some(Node::Seq(items)) => items.iter().filter_map(Node::as_str).collect(),
            _ => Vec::new(),
        }
    }

    /// `rule-files` resolved as Suricata resolves them: an absolute name as
    /// is, a relative one under `default-rule-path` when that is set, else as
    /// written (relative to the working directory).
    pub fn rule_paths(&self) -> Vec<PathBuf> {
        let base = self.default_rule_path().map(Path::new);
        self.rule_files()
            .into_iter()
            .map(|f| {
                let p = Path::new(f);
                match base {
                    Some(b) if p.is_relative() => b.join(p),
                    _ => p.to_path_buf(),
                }
            })
            .collect()
    }

    /// `classification-file`, as written.
    pub fn classification_file(&self) -> Option<&str> {
        self.get_str("classification-file")
    }

    /// `reference-config-file`, as written.
    pub fn reference_config_file(&self) -> Option<&str> {
        self.get_str("reference-config-file")
    }

    /// `threshold-file`, as written.
    pub fn threshold_file(&self) -> Option<&str> {
        self.get_str("threshold-file")
    }

    /// `action-order`, or Suricata's default (pass, drop, reject, alert)
    /// when absent. An order that does not list each of the four actions
    /// exactly once is an error, as in Suricata.
    pub fn action_order(&self) -> Result<ActionOrder, ValueError> {
        let key = "action-order";
        match self.get(key) {
            None | Some(Node::Null) => Ok(ActionOrder::DEFAULT),
            Some(Node::Seq(items)) => {
                let mut names = Vec::with_capacity(items.len());
                for item in items {
                    names.push(item.as_str().ok_or_else(|| ValueError {
                        key: key.to_string(),
                        value: placeholder(item).to_string(),
                        message: "list items must be action names".to_string(),
                    })?);
                }
                ActionOrder::from_names(names.iter().copied()).map_err(|message| ValueError {
                    key: key.to_string(),
                    value: names.join(", "),
                    message,
                })
            }
            Some(other) => Err(ValueError {
                key: key.to_string(),
                value: other.as_str().unwrap_or(placeholder(other)).to_string(),
                message: "expected a list of the four actions".to_string(),
            }),
        }
    }
}

fn placeholder(node: &Node) -> &'static str {
    match node {
        Node::Null => "<null>",
        Node::Scalar(_) => "<scalar>",
        Node::Seq(_) => "<list>",
        Node::Map(_) => "<mapping>",
    }
}

/// A variable's value as rule text: a scalar as is, a list of scalars
/// joined as `[a,b]`.
fn var_text(node: &Node) -> Option<String> {
    match node {
        Node::Scalar(s) => Some(s.clone()),
        Node::Seq(items) if !items.is_empty() => {
            let parts: Option<Vec<&str>> = items.iter().map(Node::as_str).collect();
            parts.map(|p| format!("[{}]", p.join(",")))
        }
        _ => None,
    }
}

/// Suricata's size syntax (src/util-misc.c `ParseSizeString`).
fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let digits_end = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(digits_end);
    let unit = unit.trim();
    if number.is_empty() || !number.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let multiplier: u64 = match unit {
        "" => 1,
        u if u.eq_ignore_ascii_case("kb") || u == "KiB" => 1 << 10,
        u if u.eq_ignore_ascii_case("mb") || u == "MiB" => 1 << 20,
        u if u.eq_ignore_ascii_case("gb") || u == "GiB" => 1 << 30,
        _ => return None,
    };
    match number.split_once('.') {
        None => number.parse::<u64>().ok()?.checked_mul(multiplier),
        Some((int, frac)) => {
            if int.is_empty() || frac.is_empty() || frac.contains('.') {
                return None;
            }
            let value: f64 = number.parse().ok()?;
            let bytes = value * multiplier as f64;
            if !bytes.is_finite() || bytes >= u64::MAX as f64 {
                return None;
            }
            // In range and finite: the cast truncates toward zero.
            Some(bytes as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_follow_suricata() {
        assert_eq!(parse_size("4096"), Some(4096));
        assert_eq!(parse_size("64kb"), Some(64 * 1024));
        assert_eq!(parse_size("32mb"), Some(32 * 1024 * 1024));
        assert_eq!(parse_size(" 1 GB "), Some(1 << 30));
        assert_eq!(parse_size("2MiB"), Some(2 << 20));
        assert_eq!(parse_size("1.5kb"), Some(1536));
        assert_eq!(parse_size("2mib"), None);
        assert_eq!(parse_size("mb"), None);
        assert_eq!(parse_size("1.2.3mb"), None);
        assert_eq!(parse_size("-5"), None);
        assert_eq!(parse_size("99999999999999999999gb"), None);
        assert_eq!(parse_size("18446744073709551615gb"), None);
    }

    #[test]
    fn var_text_joins_lists() {
        assert_eq!(var_text(&Node::Scalar("80".into())), Some("80".into()));
        assert_eq!(
            var_text(&Node::Seq(vec![
                Node::Scalar("10.0.0.0/8".into()),
                Node::Scalar("!10.1.0.0/16".into())
            ])),
            Some("[10.0.0.0/8,!10.1.0.0/16]".into())
        );
        assert_eq!(var_text(&Node::Null), None);
        assert_eq!(var_text(&Node::Seq(vec![])), None);
        assert_eq!(var_text(&Node::empty_map()), None);
    }
}
