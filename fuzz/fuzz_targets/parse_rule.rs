//! Arbitrary bytes as a rules file: loading never panics, and every rule
//! that loads prints (Display) to text that parses back to the same model.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use rulewire::config::Vars;
use rulewire::rule::{load_str, parse_rule_as, LoadOptions, Rule};

fn vars() -> &'static Vars {
    static VARS: OnceLock<Vars> = OnceLock::new();
    VARS.get_or_init(Vars::builtin)
}

fuzz_target!(|data: &[u8]| {
    if data.len() > 64 * 1024 {
        return;
    }
    let text = String::from_utf8_lossy(data);
    let mut opts = LoadOptions::new(vars());
    opts.uncomment = true;
    let set = load_str(&text, &opts);
    for loaded in &set.rules {
        let printed = loaded.rule.to_string();
        let again: Rule = parse_rule_as(&printed, Some(loaded.dialect))
            .unwrap_or_else(|e| panic!("printed rule does not parse: {e}\n{printed}"));
        assert_eq!(again, loaded.rule, "round trip changed the rule:\n{printed}");
    }
});
