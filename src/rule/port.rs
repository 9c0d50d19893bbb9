//! Ports in rule headers and port variables: the written form
//! ([`PortExpr`]) and the resolved set ([`PortSet`]).
//!
//! Resolution (variables, negation, lists) lives in [`super::resolve`].

use std::fmt;

use super::ranges::RangeSet;

/// A port as written in a rule header or a port variable.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PortExpr {
    /// `any`.
    Any,
    /// `$NAME` (stored without the `$`).
    Var(String),
    /// `80`.
    Port(u16),
    /// `lo:hi`, `lo:` or `:hi`, inclusive; an open end runs to 0 or 65535.
    Range {
        /// First port; `None` for `:hi`.
        lo: Option<u16>,
        /// Last port; `None` for `lo:`.
        hi: Option<u16>,
    },
    /// `[a,b,...]`.
    List(Vec<PortExpr>),
    /// `!x`.
    Not(Box<PortExpr>),
}

/// Parses one port token (`80`, `1024:`, `:1023`, `1:1023`).
pub(crate) fn parse_port_token(text: &str) -> Result<PortExpr, String> {
    fn num(s: &str) -> Result<u16, String> {
        s.parse::<u16>()
            .map_err(|_| format!("'{s}' is not a port number (0-65535)"))
    }
    match text.split_once(':') {
        None => Ok(PortExpr::Port(num(text)?)),
        Some((a, b)) => {
            let lo = if a.is_empty() { None } else { Some(num(a)?) };
            let hi = if b.is_empty() { None } else { Some(num(b)?) };
            if let (Some(l), Some(h)) = (lo, hi) {
                if l > h {
                    return Err("range starts after it ends".to_string());
                }
            }
            if lo.is_none() && hi.is_none() {
                return Err("a range needs at least one end".to_string());
            }
            Ok(PortExpr::Range { lo, hi })
        }
    }
}

impl fmt::Display for PortExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PortExpr::Any => f.write_str("any"),
            PortExpr::Var(name) => write!(f, "${name}"),
            PortExpr::Port(p) => write!(f, "{p}"),
            PortExpr::Range { lo, hi } => {
                if let Some(l) = lo {
                    write!(f, "{l}")?;
                }
                f.write_str(":")?;
                if let Some(h) = hi {
                    write!(f, "{h}")?;
                }
                Ok(())
            }
            PortExpr::List(items) => {
                f.write_str("[")?;
                for (i, it) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{it}")?;
                }
                f.write_str("]")
            }
            PortExpr::Not(inner) => write!(f, "!{inner}"),
        }
    }
}

/// A resolved port set: sorted disjoint inclusive ranges.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct PortSet {
    pub(crate) ports: RangeSet<u16>,
}

impl PortSet {
    /// Every port (`any`).
    pub fn any() -> PortSet {
        PortSet {
            ports: RangeSet::all(),
        }
    }

    /// Whether `port` is in the set.
    pub fn contains(&self, port: u16) -> bool {
        self.ports.contains(port)
    }

    /// Whether the set holds every port.
    pub fn is_any(&self) -> bool {
        self.ports.is_all()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.ports.is_empty()
    }

    /// The inclusive ranges, sorted and disjoint.
    pub fn ranges(&self) -> &[(u16, u16)] {
        self.ports.ranges()
    }

    /// The set of one leaf (`any`, a port, a range).
    pub(crate) fn from_leaf(expr: &PortExpr) -> PortSet {
        let ranges = match expr {
            PortExpr::Any => vec![(0, u16::MAX)],
            PortExpr::Port(p) => vec![(*p, *p)],
            PortExpr::Range { lo, hi } => vec![(lo.unwrap_or(0), hi.unwrap_or(u16::MAX))],
            _ => Vec::new(),
        };
        PortSet {
            ports: RangeSet::from_ranges(ranges),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_parse() {
        assert_eq!(parse_port_token("80").unwrap(), PortExpr::Port(80));
        assert_eq!(
            parse_port_token("1024:").unwrap(),
            PortExpr::Range {
                lo: Some(1024),
                hi: None
            }
        );
        assert_eq!(
            parse_port_token(":1023").unwrap(),
            PortExpr::Range {
                lo: None,
                hi: Some(1023)
            }
        );
        assert!(parse_port_token("65536")
            .unwrap_err()
            .contains("not a port"));
        assert!(parse_port_token("90:80")
            .unwrap_err()
            .contains("starts after"));
    }

    #[test]
    fn leaf_sets() {
        let s = PortSet::from_leaf(&parse_port_token("1024:").unwrap());
        assert!(!s.contains(1023));
        assert!(s.contains(1024));
        assert!(s.contains(65535));
        assert!(PortSet::any().is_any());
    }

    #[test]
    fn display() {
        let e = PortExpr::Not(Box::new(PortExpr::List(vec![
            PortExpr::Port(80),
            PortExpr::Range {
                lo: None,
                hi: Some(10),
            },
        ])));
        assert_eq!(e.to_string(), "![80,:10]");
    }
}
