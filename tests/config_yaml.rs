//! suricata.yaml loading with hand-written files: vars overrides, includes
//! (found, missing, cyclic, broken), `--set` semantics, located YAML errors,
//! typed getters, and the unimplemented-setting warnings.

use std::fs;
use std::path::{Path, PathBuf};

use rulewire::config::{
    ActionOrder, Config, ConfigError, ConfigWarning, Node, OrderedAction, WarningKind,
};

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    fs::write(&path, text).unwrap();
    path
}

/// The configuration's warnings of `kind`, in order.
fn warnings_of(config: &Config, kind: WarningKind) -> Vec<ConfigWarning> {
    config
        .warnings()
        .into_iter()
        .filter(|w| w.kind == kind)
        .collect()
}

fn keys_of(config: &Config, kind: WarningKind) -> Vec<String> {
    warnings_of(config, kind)
        .into_iter()
        .map(|w| w.key)
        .collect()
}

#[test]
fn vars_override_builtin_defaults() {
    let yaml = r#"%YAML 1.1
---
vars:
  address-groups:
    HOME_NET: "[10.0.0.0/8]"
    MY_SERVERS: [10.1.0.1, "!10.1.0.2"]
    EMPTY_NET:
  port-groups:
    HTTP_PORTS: "[80,8080]"
    ORACLE_PORTS: 1522
"#;
    let config = Config::from_yaml_str(yaml, "/etc/rulewire/suricata.yaml").unwrap();
    let vars = config.vars();
    assert_eq!(vars.address("HOME_NET"), Some("[10.0.0.0/8]"));
    // A YAML list is joined into rule syntax.
    assert_eq!(vars.address("MY_SERVERS"), Some("[10.1.0.1,!10.1.0.2]"));
    assert_eq!(vars.port("HTTP_PORTS"), Some("[80,8080]"));
    assert_eq!(vars.port("ORACLE_PORTS"), Some("1522"));
    // Not overridden: built-in values stay.
    assert_eq!(vars.address("EXTERNAL_NET"), Some("!$HOME_NET"));
    assert_eq!(vars.port("SSH_PORTS"), Some("22"));
    // No value: not defined, and a warning names it.
    assert_eq!(vars.address("EMPTY_NET"), None);
    let warnings = config.warnings();
    let w = warnings
        .iter()
        .find(|w| w.kind == WarningKind::Value)
        .expect("a warning for the empty variable");
    assert_eq!(w.key, "vars.address-groups.EMPTY_NET");
    assert_eq!(w.path, Path::new("/etc/rulewire/suricata.yaml"));
    // Variable names keep their underscores; the section is implemented.
    assert!(keys_of(&config, WarningKind::Unimplemented).is_empty());
}

#[test]
fn includes_are_inlined_with_later_keys_winning() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "base.yaml",
        "%YAML 1.1\n---\ndefault-rule-path: /base/rules\nrule-files:\n  - base.rules\nstream:\n  midstream: false\ninclude: sub/nested.yaml\n",
    );
    // Relative to the including file's own folder (sub/).
    write(
        d,
        "sub/nested.yaml",
        "%YAML 1.1\n---\nthreshold-file: /nested/threshold.config\n",
    );
    write(
        d,
        "groups.yaml",
        "%YAML 1.1\n---\nHOME_NET: \"[172.16.0.0/12]\"\nDNS_SERVERS: \"[1.1.1.1]\"\n",
    );
    write(
        d,
        "outputs.yaml",
        "- fast:\n    enabled: yes\n    filename: fast.log\n",
    );
    let main = write(
        d,
        "suricata.yaml",
        "%YAML 1.1\n---\ninclude:\n  - base.yaml\nrule-files:\n  - main.rules\n  - other.rules\nvars:\n  address-groups:\n    include: groups.yaml\n    DNS_SERVERS: \"[8.8.8.8]\"\noutputs: !include outputs.yaml\n",
    );
    let config = Config::load(&main).unwrap();
    // Files: main, then includes in load order.
    let names: Vec<_> = config
        .files()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().to_string())
        .collect();
    assert_eq!(
        names,
        [
            "suricata.yaml",
            "base.yaml",
            "nested.yaml",
            "groups.yaml",
            "outputs.yaml"
        ]
    );
    // From the include, not overridden.
    assert_eq!(config.default_rule_path(), Some("/base/rules"));
    assert_eq!(config.get_bool("stream.midstream").unwrap(), Some(false));
    assert_eq!(config.threshold_file(), Some("/nested/threshold.config"));
    // Redefined after the include: the main file wins.
    assert_eq!(config.rule_files(), ["main.rules", "other.rules"]);
    assert_eq!(
        config.rule_paths(),
        [
            PathBuf::from("/base/rules/main.rules"),
            PathBuf::from("/base/rules/other.rules")
        ]
    );
    // Include inside a mapping, then a key after it overrides.
    let vars = config.vars();
    assert_eq!(vars.address("HOME_NET"), Some("[172.16.0.0/12]"));
    assert_eq!(vars.address("DNS_SERVERS"), Some("[8.8.8.8]"));
    // `key: !include file` makes the file the value.
    assert_eq!(config.get_str("outputs.fast.filename"), Some("fast.log"));
    assert_eq!(
        config.get_bool("outputs.0.fast.enabled").unwrap(),
        Some(true)
    );
    assert!(keys_of(&config, WarningKind::Include).is_empty());
}

#[test]
fn missing_include_is_a_warning_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let main = write(
        dir.path(),
        "suricata.yaml",
        "%YAML 1.1\n---\ninclude: ../../etc/suricata-4.0.3.yaml\nvars:\n  port-groups:\n    include: [missing-ports.yaml]\nrunmode: single\n",
    );
    let config = Config::load(&main).unwrap();
    let warnings = warnings_of(&config, WarningKind::Include);
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert_eq!(warnings[0].key, "include");
    assert_eq!(warnings[0].path, main);
    assert!(warnings[0]
        .message
        .contains("\"../../etc/suricata-4.0.3.yaml\" not found"));
    assert_eq!(warnings[1].key, "vars.port-groups.include");
    assert!(warnings[1].message.contains("missing-ports.yaml"));
    assert!(warnings[0]
        .to_string()
        .starts_with(&format!("{}: include: file ", main.display())));
    // The rest of the file still loaded.
    assert_eq!(config.get_str("runmode"), Some("single"));
    assert_eq!(config.files().len(), 1);
}

#[test]
fn include_cycles_and_mapping_values_are_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "a.yaml", "include: b.yaml\nfrom-a: 1\n");
    write(d, "b.yaml", "include: a.yaml\nfrom-b: 2\n");
    let main = write(
        d,
        "main.yaml",
        "include: a.yaml\ndetect:\n  include:\n    file: x\n",
    );
    let config = Config::load(&main).unwrap();
    assert_eq!(config.get_str("from-a"), Some("1"));
    assert_eq!(config.get_str("from-b"), Some("2"));
    let warnings = warnings_of(&config, WarningKind::Include);
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(warnings[0].message.contains("include cycle"));
    assert_eq!(warnings[0].path.file_name().unwrap(), "b.yaml");
    assert_eq!(warnings[1].key, "detect.include");
}

#[test]
fn broken_include_is_fatal_and_located_in_the_included_file() {
    let dir = tempfile::tempdir().unwrap();
    let inc = write(dir.path(), "bad.yaml", "ok: 1\nlist: [a, b\n");
    let main = write(dir.path(), "main.yaml", "include: bad.yaml\n");
    match Config::load(&main) {
        Err(ConfigError::Yaml { path, line, .. }) => {
            assert_eq!(path, inc);
            assert!(line.is_some());
        }
        other => panic!("expected a YAML error, got {other:?}"),
    }
}

#[test]
fn bad_yaml_gives_file_line_and_column() {
    // Line 2, column 4 is the `:` that makes "c" a key inside a scalar.
    let err = Config::from_yaml_str("a: b\n  c: d\n", "/x/suricata.yaml").unwrap_err();
    match &err {
        ConfigError::Yaml {
            path,
            line,
            column,
            message,
        } => {
            assert_eq!(path, Path::new("/x/suricata.yaml"));
            assert_eq!((*line, *column), (Some(2), Some(4)));
            assert_eq!(message, "mapping values are not allowed in this context");
        }
        other => panic!("expected a YAML error, got {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        "/x/suricata.yaml:2:4: YAML error: mapping values are not allowed in this context"
    );
    // The top level must be a mapping.
    let err = Config::from_yaml_str("- a\n- b\n", "list.yaml").unwrap_err();
    assert!(matches!(err, ConfigError::Yaml { .. }), "{err}");
    // An unreadable file names it.
    let err = Config::load("/nonexistent/rulewire/suricata.yaml").unwrap_err();
    assert!(matches!(err, ConfigError::Io { .. }));
    assert!(err
        .to_string()
        .starts_with("/nonexistent/rulewire/suricata.yaml: cannot read"));
}

#[test]
fn empty_and_header_only_files_load() {
    for text in ["", "%YAML 1.1\n---\n", "# only a comment\n"] {
        let config = Config::from_yaml_str(text, "e.yaml").unwrap();
        assert_eq!(config.root(), &Node::Map(vec![]));
        assert_eq!(
            config.vars().address("HOME_NET"),
            Some("[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]")
        );
        assert_eq!(config.action_order().unwrap(), ActionOrder::DEFAULT);
        assert!(config.warnings().is_empty());
    }
}

#[test]
fn set_follows_suricata_semantics() {
    let yaml = "stream:\n  memcap: 64mb\noutputs:\n  - fast:\n      enabled: yes\n  - eve-log:\n      enabled: yes\n      types: [alert]\n";
    let mut config = Config::from_yaml_str(yaml, "s.yaml").unwrap();
    // A new key below an existing section.
    config.apply_set_arg("stream.midstream=true").unwrap();
    assert_eq!(config.get_bool("stream.midstream").unwrap(), Some(true));
    assert_eq!(config.get_size("stream.memcap").unwrap(), Some(64 << 20));
    // Intermediate maps are created; spaces around key and value trimmed.
    config
        .apply_set_arg(" vars.address-groups.HOME_NET = [10.0.0.0/8] ")
        .unwrap();
    assert_eq!(config.vars().address("HOME_NET"), Some("[10.0.0.0/8]"));
    config.set("app-layer.protocols.tls.enabled", "no").unwrap();
    assert_eq!(
        config.get_str("app-layer.protocols.tls.enabled"),
        Some("no")
    );
    // Through a sequence, by item name and by index; value split at the first '='.
    config
        .apply_set_arg("outputs.eve-log.filename=a=b.json")
        .unwrap();
    assert_eq!(
        config.get_str("outputs.1.eve-log.filename"),
        Some("a=b.json")
    );
    config.apply_set_arg("outputs.0.fast.enabled=no").unwrap();
    assert_eq!(
        config.get_bool("outputs.fast.enabled").unwrap(),
        Some(false)
    );
    // A scalar replaces a whole section.
    config.set("stream", "off").unwrap();
    assert_eq!(config.get_str("stream"), Some("off"));
    assert!(config.get("stream.memcap").is_none());
    // Empty value is an empty string, not null.
    config.apply_set_arg("default-rule-path=").unwrap();
    assert_eq!(config.default_rule_path(), Some(""));
    // Errors.
    for bad in [
        "no-equals-sign",
        "a..b=1",
        "=1",
        "outputs.7.x=1",
        "outputs.nope.x=1",
    ] {
        let err = config.apply_set_arg(bad).unwrap_err();
        assert!(matches!(err, ConfigError::Set { .. }), "{bad}: {err}");
        assert!(
            err.to_string().starts_with(&format!("--set {bad}: ")),
            "{err}"
        );
    }
    // Settings from --set are attributed to "--set" in warnings.
    config.set("unknown-section.key", "1").unwrap();
    let w = config
        .warnings()
        .into_iter()
        .find(|w| w.key == "unknown-section")
        .unwrap();
    assert_eq!(w.path, Path::new("--set"));
}

#[test]
fn typed_getters() {
    let yaml = "a:\n  yes1: yes\n  no1: Off\n  t: true\n  one: 1\n  maybe: maybe\n  n: 1024\n  neg: -1\n  big: 99999999999999999999\n  size: 1.5kb\n  badsize: 12xb\n  map:\n    k: v\n  nul:\n";
    let c = Config::from_yaml_str(yaml, "t.yaml").unwrap();
    assert_eq!(c.get_bool("a.yes1").unwrap(), Some(true));
    assert_eq!(c.get_bool("a.no1").unwrap(), Some(false));
    assert_eq!(c.get_bool("a.t").unwrap(), Some(true));
    assert_eq!(c.get_bool("a.one").unwrap(), Some(true));
    assert_eq!(c.get_bool("a.absent").unwrap(), None);
    assert_eq!(c.get_bool("a.nul").unwrap(), None);
    let err = c.get_bool("a.maybe").unwrap_err();
    assert_eq!(err.key, "a.maybe");
    assert_eq!(err.value, "maybe");
    assert!(c.get_bool("a.map").is_err());
    assert_eq!(c.get_u64("a.n").unwrap(), Some(1024));
    assert!(c.get_u64("a.neg").is_err());
    assert!(c.get_u64("a.big").is_err());
    assert_eq!(c.get_size("a.n").unwrap(), Some(1024));
    assert_eq!(c.get_size("a.size").unwrap(), Some(1536));
    assert!(c.get_size("a.badsize").is_err());
    assert_eq!(c.get_str("a.map"), None);
    assert_eq!(c.get("a.map.k").and_then(Node::as_str), Some("v"));
}

#[test]
fn keys_are_mangled_and_dotted_keys_nest() {
    let yaml = "default_rule_path: /rules\nstream.midstream: yes\nvars:\n  address-groups:\n    MY_NET: 10.0.0.0/8\n";
    let c = Config::from_yaml_str(yaml, "m.yaml").unwrap();
    assert_eq!(c.default_rule_path(), Some("/rules"));
    assert_eq!(c.get_bool("stream.midstream").unwrap(), Some(true));
    assert_eq!(c.vars().address("MY_NET"), Some("10.0.0.0/8"));
    assert_eq!(c.vars().address("MY-NET"), None);
}

#[test]
fn action_order_reads_and_checks() {
    let c = Config::from_yaml_str(
        "action-order:\n  - alert\n  - pass\n  - drop\n  - reject\n",
        "a.yaml",
    )
    .unwrap();
    let order = c.action_order().unwrap();
    assert_eq!(
        order.actions(),
        [
            OrderedAction::Alert,
            OrderedAction::Pass,
            OrderedAction::Drop,
            OrderedAction::Reject
        ]
    );
    let c = Config::from_yaml_str("action-order:\n  - alert\n  - pass\n", "a.yaml").unwrap();
    let err = c.action_order().unwrap_err();
    assert_eq!(err.key, "action-order");
    let c = Config::from_yaml_str("action-order: alert\n", "a.yaml").unwrap();
    assert!(c.action_order().is_err());
}

#[test]
fn unimplemented_settings_warn_once_per_section_or_key() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "apps.yaml",
        "app-layer:\n  protocols:\n    http:\n      enabled: yes\n",
    );
    let main = write(
        dir.path(),
        "suricata.yaml",
        "%YAML 1.1\n---\nsuricata-version: \"8.0\"\ninclude: apps.yaml\nlogging:\n  default-log-level: info\nstream:\n  midstream: true\n  memcap: 64mb\n  reassembly:\n    depth: 1mb\n    toserver-chunk-size: 2560\n    randomize-chunk-size: yes\ndefrag:\n  memcap: 32mb\noutputs:\n  - fast:\n      enabled: yes\n      filename: fast.log\n  - eve-log:\n      enabled: yes\n      types:\n        - alert:\n            payload: yes\n        - flow\n  - pcap-log:\n      enabled: no\n      limit: 1000mb\n",
    );
    let config = Config::load(&main).unwrap();
    let warnings = warnings_of(&config, WarningKind::Unimplemented);
    let keys: Vec<&str> = warnings.iter().map(|w| w.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "app-layer.protocols",
            "stream.memcap",
            "stream.reassembly.randomize-chunk-size",
            "outputs.eve-log.types.flow"
        ]
    );
    // A section from an included file is attributed to that file.
    assert_eq!(warnings[0].path.file_name().unwrap(), "apps.yaml");
    assert_eq!(warnings[1].path, main);
    assert_eq!(
        warnings[1].to_string(),
        format!(
            "{}: stream.memcap: not implemented by rulewire; ignored",
            main.display()
        )
    );
}

#[test]
fn hostile_yaml_is_an_error_not_a_crash() {
    // Nesting far past serde_yaml's recursion limit.
    let deep = format!("a: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
    assert!(matches!(
        Config::from_yaml_str(&deep, "deep.yaml"),
        Err(ConfigError::Yaml { .. })
    ));
    let deep_map = format!("a: {}1{}\n", "{b: ".repeat(5_000), "}".repeat(5_000));
    assert!(Config::from_yaml_str(&deep_map, "deep.yaml").is_err());
    // An alias bomb: each level doubles the size.
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..30 {
        bomb.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n",
            p = i - 1
        ));
    }
    assert!(Config::from_yaml_str(&bomb, "bomb.yaml").is_err());
}
