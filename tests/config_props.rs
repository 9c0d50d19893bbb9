//! Never-panic properties: any text given as a suricata.yaml, a
//! classification/reference/threshold file, or a `--set` argument yields a
//! value or an error, never a panic.

use std::path::Path;

use proptest::prelude::*;
use rulewire::config::{Classifications, Config, References, Thresholds};

/// Text built from YAML's structural characters, so the parser's odd
/// corners (flow collections, tags, anchors, directives) get exercised.
fn yamlish() -> impl Strategy<Value = String> {
    proptest::string::string_regex("([a-z_.]{1,6}|[:\\-\\[\\]{},\"'!&*#%|>?]|include|vars|address-groups|HOME_NET|outputs|enabled|no|yes|1|\n|  | ){0,80}")
        .expect("valid regex")
}

fn threshold_ish() -> impl Strategy<Value = String> {
    proptest::string::string_regex("((threshold|suppress|rate_filter|event_filter|config classification:|config reference:|gen_id|sig_id|type|track|count|seconds|new_action|timeout|ip|by_src|by_either|limit|drop|[0-9]{1,12}|[a-z]{1,4}|[,\\[\\]#\\\\:$./ ]|\n)){0,40}")
        .expect("valid regex")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn yaml_never_panics(text in yamlish()) {
        if let Ok(mut config) = Config::from_yaml_str(&text, "/nonexistent/p.yaml") {
            let _ = config.warnings();
            let _ = config.vars();
            let _ = config.action_order();
            let _ = config.rule_paths();
            let _ = config.get_bool("outputs.0.enabled");
            let _ = config.get_size("vars.address-groups.HOME_NET");
            let _ = config.apply_set_arg("outputs.eve-log.enabled=no");
            let _ = config.apply_set_arg("vars.address-groups.HOME_NET=any");
            let _ = config.warnings();
        }
    }

    #[test]
    fn set_never_panics(key in "[a-z0-9._-]{0,20}", value in ".{0,10}") {
        let mut config = Config::from_yaml_str("outputs:\n  - fast:\n      enabled: yes\n", "s.yaml").unwrap();
        let _ = config.set(&key, &value);
        let _ = config.get(&key);
        let _ = config.warnings();
    }

    #[test]
    fn line_files_never_panic(text in threshold_ish()) {
        let p = Path::new("f");
        let _ = Thresholds::parse(&text, p);
        let _ = Classifications::parse(&text, p);
        let _ = References::parse(&text, p);
    }

    #[test]
    fn line_files_never_panic_on_any_text(text in ".{0,200}") {
        let p = Path::new("f");
        let _ = Thresholds::parse(&text, p);
        let _ = Classifications::parse(&text, p);
        let _ = References::parse(&text, p);
        let _ = Config::from_yaml_str(&text, p);
    }
}
