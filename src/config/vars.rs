//! Address and port variables (`$HOME_NET`, `$HTTP_PORTS`, ...).

use std::collections::BTreeMap;

/// Address groups and port groups by name (stored without the leading `$`).
///
/// Values are kept as text, exactly as written in the configuration
/// (`"[192.168.0.0/16,10.0.0.0/8]"`, `"!$HOME_NET"`, `"80"`); the rule module
/// parses them with the same grammar it uses for rule headers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Vars {
    address: BTreeMap<String, String>,
    port: BTreeMap<String, String>,
}

impl Vars {
    /// An empty variable table.
    pub fn new() -> Vars {
        Vars::default()
    }

    /// The value of address group `name` (without `$`), if defined.
    pub fn address(&self, name: &str) -> Option<&str> {
        self.address.get(name).map(String::as_str)
    }

    /// The value of port group `name` (without `$`), if defined.
    pub fn port(&self, name: &str) -> Option<&str> {
        self.port.get(name).map(String::as_str)
    }

    /// Defines or replaces address group `name`.
    pub fn set_address(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.address.insert(name.into(), value.into());
    }

    /// Defines or replaces port group `name`.
    pub fn set_port(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.port.insert(name.into(), value.into());
    }

    /// All address groups, sorted by name.
    pub fn addresses(&self) -> impl Iterator<Item = (&str, &str)> {
        self.address.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// All port groups, sorted by name.
    pub fn ports(&self) -> impl Iterator<Item = (&str, &str)> {
        self.port.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}
