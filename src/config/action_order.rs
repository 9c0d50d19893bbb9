//! `action-order`: which rule action takes precedence when several rules
//! match one packet.
//!
//! Suricata (src/util-action.c) orders four actions, default `pass, drop,
//! reject, alert`, and a configured order must name all four exactly once,
//! lowercase. Reject variants (`rejectsrc`, `rejectdst`, `rejectboth`) rank
//! as `reject`; mapping rule actions onto these four is the rule module's job.

use std::fmt;

/// One of the four actions `action-order` ranks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrderedAction {
    /// `pass`
    Pass,
    /// `drop`
    Drop,
    /// `reject`
    Reject,
    /// `alert`
    Alert,
}

impl OrderedAction {
    /// The name as written in suricata.yaml.
    pub fn name(self) -> &'static str {
        match self {
            OrderedAction::Pass => "pass",
            OrderedAction::Drop => "drop",
            OrderedAction::Reject => "reject",
            OrderedAction::Alert => "alert",
        }
    }

    /// Parses a name; exact lowercase, as Suricata requires.
    pub fn from_name(name: &str) -> Option<OrderedAction> {
        match name {
            "pass" => Some(OrderedAction::Pass),
            "drop" => Some(OrderedAction::Drop),
            "reject" => Some(OrderedAction::Reject),
            "alert" => Some(OrderedAction::Alert),
            _ => None,
        }
    }
}

impl fmt::Display for OrderedAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A complete ranking of the four actions, first = highest precedence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ActionOrder([OrderedAction; 4]);

impl ActionOrder {
    /// Suricata's default: pass, drop, reject, alert.
    pub const DEFAULT: ActionOrder = ActionOrder([
        OrderedAction::Pass,
        OrderedAction::Drop,
        OrderedAction::Reject,
        OrderedAction::Alert,
    ]);

    /// The actions, highest precedence first.
    pub fn actions(&self) -> [OrderedAction; 4] {
        self.0
    }

    /// The rank of `action`: 0 for the first (highest precedence) to 3.
    pub fn rank(&self, action: OrderedAction) -> usize {
        self.0.iter().position(|a| *a == action).unwrap_or(4)
    }

    /// Builds an order from names, as Suricata checks it: each of the four
    /// exactly once, nothing else. The error says what is wrong.
    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<ActionOrder, String> {
        let mut out = Vec::with_capacity(4);
        for name in names {
            let action = OrderedAction::from_name(name).ok_or_else(|| {
                format!("invalid action {name:?}; use pass, drop, reject and alert, lowercase")
            })?;
            if out.contains(&action) {
                return Err(format!("action {name:?} is listed twice"));
            }
            out.push(action);
        }
        match <[OrderedAction; 4]>::try_from(out) {
            Ok(arr) => Ok(ActionOrder(arr)),
            Err(v) => Err(format!(
                "all four actions (pass, drop, reject, alert) must be listed; found {}",
                v.len()
            )),
        }
    }
}

impl Default for ActionOrder {
    fn default() -> ActionOrder {
        ActionOrder::DEFAULT
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrderedAction::*;

    #[test]
    fn default_is_suricatas() {
        assert_eq!(
            ActionOrder::default().actions(),
            [Pass, Drop, Reject, Alert]
        );
        assert_eq!(ActionOrder::DEFAULT.rank(Pass), 0);
        assert_eq!(ActionOrder::DEFAULT.rank(Alert), 3);
    }

    #[test]
    fn from_names_checks_like_suricata() {
        let o = ActionOrder::from_names(["alert", "pass", "drop", "reject"]).unwrap();
        assert_eq!(o.actions(), [Alert, Pass, Drop, Reject]);
        assert_eq!(o.rank(Drop), 2);
        assert!(ActionOrder::from_names(["alert", "pass", "drop"]).is_err());
        assert!(ActionOrder::from_names(["alert", "pass", "drop", "alert"]).is_err());
        assert!(ActionOrder::from_names(["Alert", "pass", "drop", "reject"]).is_err());
        assert!(ActionOrder::from_names(["alert", "pass", "drop", "reject", "log"]).is_err());
    }
}
