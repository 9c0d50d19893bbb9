//! Address and port variables (`$HOME_NET`, `$HTTP_PORTS`, ...).
//!
//! [`Vars::builtin`] holds the defaults every rule set expects to find:
//! Suricata 8's default suricata.yaml first, then the classic Snort ones
//! Suricata does not define. A configuration's `vars:` section overrides
//! them one by one (see [`Config::vars`](super::Config::vars)).

use std::collections::BTreeMap;

/// Suricata 8.0's default address groups (suricata.yaml.in, `vars:
/// address-groups:`), in file order.
const SURICATA_ADDRESS_GROUPS: &[(&str, &str)] = &[
    ("HOME_NET", "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]"),
    ("EXTERNAL_NET", "!$HOME_NET"),
    ("HTTP_SERVERS", "$HOME_NET"),
    ("SMTP_SERVERS", "$HOME_NET"),
    ("SQL_SERVERS", "$HOME_NET"),
    ("DNS_SERVERS", "$HOME_NET"),
    ("TELNET_SERVERS", "$HOME_NET"),
    // Snort's snort.conf lists AOL's AIM networks here; Suricata's default is
    // `$EXTERNAL_NET`, and Suricata's value wins so alerts agree with it.
    ("AIM_SERVERS", "$EXTERNAL_NET"),
    ("DC_SERVERS", "$HOME_NET"),
    ("DNP3_SERVER", "$HOME_NET"),
    ("DNP3_CLIENT", "$HOME_NET"),
    ("MODBUS_CLIENT", "$HOME_NET"),
    ("MODBUS_SERVER", "$HOME_NET"),
    ("ENIP_CLIENT", "$HOME_NET"),
    ("ENIP_SERVER", "$HOME_NET"),
];

/// Suricata 8.0's default port groups (suricata.yaml.in, `vars:
/// port-groups:`), in file order, values as written there.
const SURICATA_PORT_GROUPS: &[(&str, &str)] = &[
    ("HTTP_PORTS", "80"),
    ("SHELLCODE_PORTS", "!80"),
    ("ORACLE_PORTS", "1521"),
    ("SSH_PORTS", "22"),
    ("DNP3_PORTS", "20000"),
    ("MODBUS_PORTS", "502"),
    ("FILE_DATA_PORTS", "[$HTTP_PORTS,110,143]"),
    ("FTP_PORTS", "21"),
    ("GENEVE_PORTS", "6081"),
    ("VXLAN_PORTS", "4789"),
    ("TEREDO_PORTS", "3544"),
    ("SIP_PORTS", "[5060, 5061]"),
];

/// Address groups of Snort 2.9's snort.conf and Snort 3's
/// snort_defaults.lua that Suricata's default does not define (Snort rule
/// sets use them). `SNMP_SERVERS` is from older snort.conf files.
const SNORT_ADDRESS_GROUPS: &[(&str, &str)] = &[
    ("SSH_SERVERS", "$HOME_NET"),
    ("FTP_SERVERS", "$HOME_NET"),
    ("SIP_SERVERS", "$HOME_NET"),
    ("SNMP_SERVERS", "$HOME_NET"),
];

/// Port groups of Snort's defaults that Suricata's default does not define.
const SNORT_PORT_GROUPS: &[(&str, &str)] = &[
    ("GTP_PORTS", "[2123,2152,3386]"),
    ("MAIL_PORTS", "[110,143]"),
    (
        "RPC_PORTS",
        "[111,32770,32771,32772,32773,32774,32775,32776,32777,32778,32779]",
    ),
];

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

    /// The built-in defaults: Suricata 8's default `address-groups` and
    /// `port-groups`, plus Snort's classic variables that Suricata does not
    /// define (`SSH_SERVERS`, `FTP_SERVERS`, `SIP_SERVERS`, `SNMP_SERVERS`,
    /// `GTP_PORTS`, `MAIL_PORTS`, `RPC_PORTS`). Where both define a name,
    /// Suricata's value is used.
    pub fn builtin() -> Vars {
        let mut vars = Vars::new();
        for (name, value) in SURICATA_ADDRESS_GROUPS.iter().chain(SNORT_ADDRESS_GROUPS) {
            vars.set_address(*name, *value);
        }
        for (name, value) in SURICATA_PORT_GROUPS.iter().chain(SNORT_PORT_GROUPS) {
            vars.set_port(*name, *value);
        }
        vars
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_has_suricata_defaults() {
        let v = Vars::builtin();
        assert_eq!(
            v.address("HOME_NET"),
            Some("[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]")
        );
        assert_eq!(v.address("EXTERNAL_NET"), Some("!$HOME_NET"));
        assert_eq!(v.address("AIM_SERVERS"), Some("$EXTERNAL_NET"));
        assert_eq!(v.port("HTTP_PORTS"), Some("80"));
        assert_eq!(v.port("SHELLCODE_PORTS"), Some("!80"));
        assert_eq!(v.port("ORACLE_PORTS"), Some("1521"));
        assert_eq!(v.port("FILE_DATA_PORTS"), Some("[$HTTP_PORTS,110,143]"));
        assert_eq!(v.port("SIP_PORTS"), Some("[5060, 5061]"));
        assert_eq!(v.address("SIP_SERVERS"), Some("$HOME_NET"));
        assert_eq!(v.port("GTP_PORTS"), Some("[2123,2152,3386]"));
        // Address and port names do not leak into each other.
        assert_eq!(v.port("HOME_NET"), None);
        assert_eq!(v.address("HTTP_PORTS"), None);
        assert_eq!(v.addresses().count(), 19);
        assert_eq!(v.ports().count(), 15);
    }

    #[test]
    fn set_overrides() {
        let mut v = Vars::builtin();
        v.set_address("HOME_NET", "10.0.0.0/8");
        assert_eq!(v.address("HOME_NET"), Some("10.0.0.0/8"));
    }
}
