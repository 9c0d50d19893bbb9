//! The post-match stage's per-rule data, built once from the engine's
//! rules and the configuration: action bits, alert-queue sort key,
//! IP-only class, and the thresholds, rate filters and suppressions a
//! threshold.config gives each rule.
//!
//! How threshold.config entries combine with a rule's own `threshold` /
//! `detection_filter` (Suricata 8, `util-threshold-config.c`), entries
//! taken in file order:
//! - `suppress` without a track clears the rule's alert (as `noalert`);
//!   with a track it adds an address suppression.
//! - `threshold` / `event_filter` for one sid replaces the rule's last
//!   threshold (if any) and is added; for `sig_id 0` (all rules, or all of
//!   one `gen_id`) it is added only to rules without one.
//! - `rate_filter` is added only to rules without a threshold yet.
//! - `gen_id 0` with a non-zero `sig_id` is an error (skipped, warned).
//!
//! Nothing here counts; see [`super::ThresholdState`] users.

use crate::config::{ActionOrder, Config, RateFilter, ThresholdRule, Thresholds, Vars};
use crate::flow::ExceptionPolicy;
use crate::rule::{resolve_address, AddressExpr};

use super::super::actions::{address_negated_exprs, order_key, ActionBits, IpOnly};
use super::super::classify::FlowAction;
use super::super::engine::CompiledRule;
use super::super::keywords::tag::TagSpec;
use super::super::keywords::threshold::{Suppress, ThresholdSpec};
use crate::rule::Condition;

/// Suricata's default `packet-alert-max`.
pub const DEFAULT_PACKET_ALERT_MAX: usize = 15;

/// The setting that says what becomes of a TLS flow's inspection once its
/// traffic is encrypted (Suricata's `app-layer-ssl.c`, `RegisterSSLParsers`).
const TLS_ENCRYPTION_HANDLING: &str = "app-layer.protocols.tls.encryption-handling";

/// What the post-match stage needs from the configuration.
#[derive(Clone, Debug)]
pub struct PostMatchConfig {
    /// `action-order`.
    pub action_order: ActionOrder,
    /// The threshold.config entries (`threshold-file`).
    pub thresholds: Thresholds,
    /// `packet-alert-max` (1 to 255; default 15).
    pub packet_alert_max: usize,
    /// Address variables, for suppress `ip $VAR` and negated rule
    /// addresses.
    pub vars: Vars,
    /// `app-layer.error-policy`, as written (resolved with the engine
    /// mode by [`crate::flow::app_layer_error_policy`]).
    pub app_layer_error_policy: Option<ExceptionPolicy>,
    /// The `exception-policy` master switch, as written.
    pub exception_policy: Option<ExceptionPolicy>,
    /// `app-layer.protocols.tls.encryption-handling` is `full`: TLS flows
    /// stay inspected after application data. Any other value (Suricata's
    /// `track-only`, the default, and `default`; `bypass` is taken as
    /// `track-only`, with a warning) stops payload and raw stream
    /// inspection of the flow once an application-data record is parsed.
    pub tls_inspect_encrypted: bool,
}

impl Default for PostMatchConfig {
    fn default() -> Self {
        PostMatchConfig {
            action_order: ActionOrder::DEFAULT,
            thresholds: Thresholds::new(),
            packet_alert_max: DEFAULT_PACKET_ALERT_MAX,
            vars: Vars::builtin(),
            app_layer_error_policy: None,
            exception_policy: None,
            tls_inspect_encrypted: false,
        }
    }
}

impl PostMatchConfig {
    /// Reads `action-order`, `packet-alert-max`, `threshold-file` (a
    /// relative path is taken from the working directory, as Suricata
    /// does) and the variables. Problems come back as warnings and leave
    /// the default in place (a bad `action-order` is an error).
    pub fn from_config(config: &Config) -> Result<(PostMatchConfig, Vec<String>), String> {
        let mut warnings = Vec::new();
        let action_order = config.action_order().map_err(|e| e.to_string())?;
        let packet_alert_max = match config.get_u64("packet-alert-max") {
            Ok(Some(n)) if (1..=255).contains(&n) => n as usize,
            Ok(None) => DEFAULT_PACKET_ALERT_MAX,
            _ => {
                warnings.push("packet-alert-max: not a number from 1 to 255; using 15".to_string());
                DEFAULT_PACKET_ALERT_MAX
            }
        };
        let thresholds = match config.threshold_file() {
            Some(f) => match Thresholds::load(f) {
                Ok((t, errors)) => {
                    warnings.extend(errors.iter().map(|e| e.to_string()));
                    t
                }
                Err(e) => {
                    warnings.push(format!("threshold-file: {e}"));
                    Thresholds::new()
                }
            },
            None => Thresholds::new(),
        };
        let mut policy = |key: &str| {
            let v = config.get_str(key)?;
            let p = ExceptionPolicy::parse(v);
            if p.is_none() {
                warnings.push(format!("{key}: '{v}' is not an exception policy; ignored"));
            }
            p
        };
        let app_layer_error_policy = policy("app-layer.error-policy");
        let exception_policy = policy("exception-policy");
        let tls_inspect_encrypted = match config.get_str(TLS_ENCRYPTION_HANDLING) {
            Some("full") => true,
            Some("bypass") => {
                warnings.push(format!(
                    "{TLS_ENCRYPTION_HANDLING}: 'bypass' is not implemented; using 'track-only'"
                ));
                false
            }
            _ => false,
        };
        Ok((
            PostMatchConfig {
                action_order,
                thresholds,
                packet_alert_max,
                vars: config.vars(),
                app_layer_error_policy,
                exception_policy,
                tls_inspect_encrypted,
            },
            warnings,
        ))
    }
}

/// One counting step of a rule, checked in order.
#[derive(Clone, Debug)]
pub(crate) enum Gate {
    /// `threshold`, `detection_filter`, `event_filter`.
    Count(ThresholdSpec),
    /// `rate_filter`.
    Rate(RateFilter),
}

/// The post-match data of one compiled rule.
#[derive(Clone, Debug)]
pub(crate) struct RulePost {
    /// The rule's action bits (alert cleared by `noalert` or a
    /// track-less suppress).
    pub bits: ActionBits,
    /// Sort key in a packet's alert queue.
    pub key: (usize, u8, u8, u32, u32),
    /// IP-only class.
    pub ip_only: IpOnly,
    /// Whether its drop/pass applies to the flow: always, never, or when
    /// the match is a stream match (a payload rule on a TCP packet of an
    /// established flow: Suricata's `PACKET_ALERT_FLAG_STREAM_MATCH`).
    pub flow_action: FlowAction,
    /// Address suppressions.
    pub suppress: Vec<Suppress>,
    /// Thresholds and rate filters, in order.
    pub gates: Vec<Gate>,
    /// The rule's `tag`s, set when its match survives the gates.
    pub tags: Vec<TagSpec>,
}

/// Builds the per-rule data; warnings say which entries were skipped.
pub(crate) fn build(rules: &[CompiledRule], cfg: &PostMatchConfig) -> (Vec<RulePost>, Vec<String>) {
    let lookup = |name: &str| cfg.vars.address(name);
    let mut posts: Vec<RulePost> = rules
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut bits = ActionBits::of(r.action);
            if r.noalert {
                bits.alert = false;
            }
            if r.force_alert {
                bits.alert = true;
            }
            let ip_only = if !r.ip_only_compatible {
                IpOnly::No
            } else if address_negated_exprs(&r.addr_exprs, &lookup) {
                IpOnly::Like
            } else {
                IpOnly::Yes
            };
            RulePost {
                bits,
                key: order_key(
                    &cfg.action_order,
                    ActionBits::of(r.action),
                    r.flowbits_use,
                    r.xbits_use,
                    r.priority,
                    i as u32,
                ),
                ip_only,
                flow_action: r.flow_action,
                suppress: Vec::new(),
                gates: r.thresholds.iter().copied().map(Gate::Count).collect(),
                tags: r
                    .conditions
                    .iter()
                    .filter_map(|c| match c {
                        Condition::Tag(t) => Some(TagSpec::from_rule(t)),
                        _ => None,
                    })
                    .collect(),
            }
        })
        .collect();
    let mut warnings = Vec::new();
    for e in cfg.thresholds.entries() {
        if e.gen_id == 0 && e.sig_id != 0 {
            warnings.push(format!(
                "threshold-file line {}: sig_id {} with gen_id 0 is not allowed; skipped",
                e.line, e.sig_id
            ));
            continue;
        }
        let targets: Vec<usize> = rules
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                (e.gen_id == 0 || r.gid == e.gen_id) && (e.sig_id == 0 || r.sid == e.sig_id)
            })
            .map(|(i, _)| i)
            .collect();
        if targets.is_empty() && e.sig_id != 0 {
            warnings.push(format!(
                "threshold-file line {}: no loaded rule {}:{}",
                e.line, e.gen_id, e.sig_id
            ));
            continue;
        }
        let global = e.sig_id == 0;
        match &e.rule {
            ThresholdRule::Suppress(None) => {
                for &i in &targets {
                    posts[i].bits.alert = false;
                }
            }
            ThresholdRule::Suppress(Some(t)) => {
                let mut vars = cfg.vars.clone();
                vars.set_address("__rulewire_suppress", t.ip.as_str());
                let expr = AddressExpr::Var("__rulewire_suppress".into());
                match resolve_address(&expr, &vars) {
                    Ok(addrs) => {
                        for &i in &targets {
                            posts[i].suppress.push(Suppress {
                                track: t.track,
                                addrs: addrs.clone(),
                            });
                        }
                    }
                    Err(err) => warnings.push(format!(
                        "threshold-file line {}: suppress ip '{}': {err}; skipped",
                        e.line, t.ip
                    )),
                }
            }
            ThresholdRule::Threshold(f) | ThresholdRule::EventFilter(f) => {
                let spec = ThresholdSpec::from_config(f);
                for &i in &targets {
                    let gates = &mut posts[i].gates;
                    if global {
                        if gates.is_empty() {
                            gates.push(Gate::Count(spec));
                        }
                    } else {
                        gates.pop();
                        gates.push(Gate::Count(spec));
                    }
                }
            }
            ThresholdRule::RateFilter(f) => {
                for &i in &targets {
                    let gates = &mut posts[i].gates;
                    if gates.is_empty() {
                        gates.push(Gate::Rate(f.clone()));
                    }
                }
            }
        }
    }
    (posts, warnings)
}
