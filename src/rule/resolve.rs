//! Variable resolution: header addresses and ports to [`AddressSet`] and
//! [`PortSet`], substituting `$VARS` from [`Vars`].
//!
//! Semantics follow Suricata's `DetectAddressParse` / `DetectPortParse`:
//! a list is (union of its positive entries) minus (union of its negated
//! entries), computed per address family; a family with only negated
//! entries starts from the whole family, and a family with no entries at
//! all stays empty. So `!1.2.3.4` matches every other IPv4 address and no
//! IPv6 address, and `$EXTERNAL_NET: "!$HOME_NET"` with an IPv4-only
//! `HOME_NET` matches no IPv6 address, exactly as in Suricata. A negated
//! list or variable is resolved on its own first and then subtracted; a
//! plain (non-negated) nested list or variable is flattened into its
//! parent. Negating the complete IPv4 space (`!any`) and lists that leave
//! nothing are errors.
//!
//! Variables may refer to variables; the chain is bounded (64, as in
//! Suricata) and loops are reported with their path. Each variable's text
//! is parsed once per [`Resolver`], and each distinct header expression is
//! resolved once and shared (`Arc`).

use std::collections::HashMap;
use std::sync::Arc;

use super::address::{AddressExpr, AddressSet};
use super::error::RuleErrorKind;
use super::port::{PortExpr, PortSet};
use super::ranges::RangeSet;
use super::syntax;
use crate::config::Vars;

/// How deep variables may refer to variables.
const MAX_DEPTH: usize = 64;

/// A resolution failure, with the variable named in the rule that led to
/// it (to place the error on the rule's text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolveError {
    /// What went wrong.
    pub kind: RuleErrorKind,
    /// The variable written in the rule through which the failure was
    /// reached, if any.
    pub via: Option<String>,
}

/// Resolves addresses and ports against one variable table, caching parsed
/// variables and resolved expressions. Use one per rule set load.
pub struct Resolver<'v> {
    vars: &'v Vars,
    addr_vars: HashMap<String, Result<Arc<AddressExpr>, RuleErrorKind>>,
    port_vars: HashMap<String, Result<Arc<PortExpr>, RuleErrorKind>>,
    addr_sets: HashMap<AddressExpr, Result<Arc<AddressSet>, ResolveError>>,
    port_sets: HashMap<PortExpr, Result<Arc<PortSet>, ResolveError>>,
}

#[derive(Default)]
struct AddrAcc {
    pos4: Vec<(u32, u32)>,
    neg4: Vec<(u32, u32)>,
    pos6: Vec<(u128, u128)>,
    neg6: Vec<(u128, u128)>,
}

impl AddrAcc {
    fn add(&mut self, set: &AddressSet, negated: bool) {
        let (v4, v6) = if negated {
            (&mut self.neg4, &mut self.neg6)
        } else {
            (&mut self.pos4, &mut self.pos6)
        };
        v4.extend_from_slice(set.v4.ranges());
        v6.extend_from_slice(set.v6.ranges());
    }

    fn merge(self) -> Result<AddressSet, String> {
        let neg4 = RangeSet::from_ranges(self.neg4);
        let neg6 = RangeSet::from_ranges(self.neg6);
        if neg4.is_all() {
            return Err("the complete IPv4 space is negated (is there a '!any'?)".to_string());
        }
        let base4 = if !self.pos4.is_empty() {
            RangeSet::from_ranges(self.pos4)
        } else if !neg4.is_empty() {
            RangeSet::all()
        } else {
            RangeSet::empty()
        };
        let base6 = if !self.pos6.is_empty() {
            RangeSet::from_ranges(self.pos6)
        } else if !neg6.is_empty() {
            RangeSet::all()
        } else {
            RangeSet::empty()
        };
        let set = AddressSet {
            v4: base4.difference(&neg4),
            v6: base6.difference(&neg6),
        };
        if set.is_empty() {
            return Err("no addresses left after applying the negations".to_string());
        }
        Ok(set)
    }
}

#[derive(Default)]
struct PortAcc {
    pos: Vec<(u16, u16)>,
    neg: Vec<(u16, u16)>,
}

impl PortAcc {
    fn add(&mut self, set: &PortSet, negated: bool) {
        let v = if negated {
            &mut self.neg
        } else {
            &mut self.pos
        };
        v.extend_from_slice(set.ports.ranges());
    }

    fn merge(self) -> Result<PortSet, String> {
        let neg = RangeSet::from_ranges(self.neg);
        if neg.is_all() {
            return Err("every port is negated (is there a '!any'?)".to_string());
        }
        let base = if !self.pos.is_empty() {
            RangeSet::from_ranges(self.pos)
        } else {
            RangeSet::all()
        };
        let ports = base.difference(&neg);
        if ports.is_empty() {
            return Err("no ports left after applying the negations".to_string());
        }
        Ok(PortSet { ports })
    }
}

impl<'v> Resolver<'v> {
    /// A resolver over `vars`.
    pub fn new(vars: &'v Vars) -> Resolver<'v> {
        Resolver {
            vars,
            addr_vars: HashMap::new(),
            port_vars: HashMap::new(),
            addr_sets: HashMap::new(),
            port_sets: HashMap::new(),
        }
    }

    /// The address set `expr` denotes.
    ///
    /// # Errors
    /// Undefined variables, variable loops, unparsable variable values, and
    /// lists that negate everything or leave nothing.
    pub fn address(&mut self, expr: &AddressExpr) -> Result<Arc<AddressSet>, ResolveError> {
        if let Some(r) = self.addr_sets.get(expr) {
            return r.clone();
        }
        let r = self.resolve::<Addresses>(expr).map(Arc::new);
        self.addr_sets.insert(expr.clone(), r.clone());
        r
    }

    /// The port set `expr` denotes.
    ///
    /// # Errors
    /// As for [`Resolver::address`].
    pub fn port(&mut self, expr: &PortExpr) -> Result<Arc<PortSet>, ResolveError> {
        if let Some(r) = self.port_sets.get(expr) {
            return r.clone();
        }
        let r = self.resolve::<Ports>(expr).map(Arc::new);
        self.port_sets.insert(expr.clone(), r.clone());
        r
    }

    /// The set `expr` denotes, uncached.
    fn resolve<D: Domain>(&mut self, expr: &D::Expr) -> Result<D::Set, ResolveError> {
        let mut acc = D::Acc::default();
        let mut via = None;
        self.collect::<D>(expr, false, &mut acc, &mut Vec::new(), &mut via)?;
        merged::<D>(acc, expr, &via)
    }

    fn addr_var(&mut self, name: &str) -> Result<Arc<AddressExpr>, RuleErrorKind> {
        if let Some(r) = self.addr_vars.get(name) {
            return r.clone();
        }
        let r = match self.vars.address(name) {
            None => Err(RuleErrorKind::UndefinedVariable {
                name: name.to_string(),
            }),
            Some(text) => syntax::parse_address_value(text)
                .map(Arc::new)
                .map_err(|reason| RuleErrorKind::BadVariable {
                    name: name.to_string(),
                    reason,
                }),
        };
        self.addr_vars.insert(name.to_string(), r.clone());
        r
    }

    fn port_var(&mut self, name: &str) -> Result<Arc<PortExpr>, RuleErrorKind> {
        if let Some(r) = self.port_vars.get(name) {
            return r.clone();
        }
        let r = match self.vars.port(name) {
            None => Err(RuleErrorKind::UndefinedVariable {
                name: name.to_string(),
            }),
            Some(text) => syntax::parse_port_value(text)
                .map(Arc::new)
                .map_err(|reason| RuleErrorKind::BadVariable {
                    name: name.to_string(),
                    reason,
                }),
        };
        self.port_vars.insert(name.to_string(), r.clone());
        r
    }

    /// Adds `expr` (negated when `negated`) to `acc`. `via` receives the
    /// first variable seen at the top level, for error placement; the
    /// returned value is that variable.
    fn collect<D: Domain>(
        &mut self,
        expr: &D::Expr,
        negated: bool,
        acc: &mut D::Acc,
        stack: &mut Vec<String>,
        via: &mut Option<String>,
    ) -> Result<Option<String>, ResolveError> {
        match D::node(expr) {
            Node::Not(inner) => {
                self.collect::<D>(inner, !negated, acc, stack, via)?;
            }
            Node::List(items) if negated => {
                let mut tmp = D::Acc::default();
                for it in items {
                    self.collect::<D>(it, false, &mut tmp, stack, via)?;
                }
                let set = merged::<D>(tmp, expr, via)?;
                D::add(acc, &set, true);
            }
            Node::List(items) => {
                for it in items {
                    self.collect::<D>(it, false, acc, stack, via)?;
                }
            }
            Node::Var(name) => {
                enter_var(name, stack, via)?;
                let value = D::var(self, name).map_err(|kind| ResolveError {
                    kind,
                    via: via.clone(),
                })?;
                stack.push(name.to_string());
                let r = if negated {
                    // Suricata wraps a negated variable in brackets: a
                    // negated block, resolved on its own.
                    let list = D::bracket((*value).clone());
                    self.collect::<D>(&list, true, acc, stack, via)
                } else {
                    self.collect::<D>(&value, false, acc, stack, via)
                };
                stack.pop();
                r?;
            }
            Node::Leaf => D::add(acc, &D::leaf(expr), negated),
        }
        Ok(via.clone())
    }
}

/// Resolves one address expression against `vars` (no caching across
/// calls; the loader uses a [`Resolver`]).
///
/// # Errors
/// See [`Resolver::address`].
pub fn resolve_address(expr: &AddressExpr, vars: &Vars) -> Result<AddressSet, RuleErrorKind> {
    Resolver::new(vars)
        .address(expr)
        .map(|s| (*s).clone())
        .map_err(|e| e.kind)
}

/// Resolves one port expression against `vars`.
///
/// # Errors
/// See [`Resolver::port`].
pub fn resolve_port(expr: &PortExpr, vars: &Vars) -> Result<PortSet, RuleErrorKind> {
    Resolver::new(vars)
        .port(expr)
        .map(|s| (*s).clone())
        .map_err(|e| e.kind)
}

/// What resolving addresses and resolving ports share: a tree of
/// negations, lists, variables and leaves, folded into an accumulator of
/// positive and negated ranges ([`AddrAcc`], [`PortAcc`]). One walk
/// ([`Resolver::collect`]) serves both.
trait Domain {
    type Expr: Clone + std::fmt::Display;
    type Set;
    type Acc: Default;
    fn node(e: &Self::Expr) -> Node<'_, Self::Expr>;
    /// `[e]`.
    fn bracket(e: Self::Expr) -> Self::Expr;
    fn var(r: &mut Resolver<'_>, name: &str) -> Result<Arc<Self::Expr>, RuleErrorKind>;
    /// The set of a [`Node::Leaf`].
    fn leaf(e: &Self::Expr) -> Self::Set;
    fn add(acc: &mut Self::Acc, set: &Self::Set, negated: bool);
    fn merge(acc: Self::Acc) -> Result<Self::Set, String>;
    /// The error for expression `text` that resolves to no valid set.
    fn bad(text: String, reason: String) -> RuleErrorKind;
}

/// The shape of one expression node.
enum Node<'a, E> {
    Not(&'a E),
    List(&'a [E]),
    Var(&'a str),
    /// Anything else: a set on its own.
    Leaf,
}

struct Addresses;

impl Domain for Addresses {
    type Expr = AddressExpr;
    type Set = AddressSet;
    type Acc = AddrAcc;
    fn node(e: &AddressExpr) -> Node<'_, AddressExpr> {
        match e {
            AddressExpr::Not(inner) => Node::Not(inner),
            AddressExpr::List(items) => Node::List(items),
            AddressExpr::Var(name) => Node::Var(name),
            _ => Node::Leaf,
        }
    }
    fn bracket(e: AddressExpr) -> AddressExpr {
        AddressExpr::List(vec![e])
    }
    fn var(r: &mut Resolver<'_>, name: &str) -> Result<Arc<AddressExpr>, RuleErrorKind> {
        r.addr_var(name)
    }
    fn leaf(e: &AddressExpr) -> AddressSet {
        AddressSet::from_leaf(e)
    }
    fn add(acc: &mut AddrAcc, set: &AddressSet, negated: bool) {
        acc.add(set, negated)
    }
    fn merge(acc: AddrAcc) -> Result<AddressSet, String> {
        acc.merge()
    }
    fn bad(text: String, reason: String) -> RuleErrorKind {
        RuleErrorKind::BadAddress { text, reason }
    }
}

struct Ports;

impl Domain for Ports {
    type Expr = PortExpr;
    type Set = PortSet;
    type Acc = PortAcc;
    fn node(e: &PortExpr) -> Node<'_, PortExpr> {
        match e {
            PortExpr::Not(inner) => Node::Not(inner),
            PortExpr::List(items) => Node::List(items),
            PortExpr::Var(name) => Node::Var(name),
            _ => Node::Leaf,
        }
    }
    fn bracket(e: PortExpr) -> PortExpr {
        PortExpr::List(vec![e])
    }
    fn var(r: &mut Resolver<'_>, name: &str) -> Result<Arc<PortExpr>, RuleErrorKind> {
        r.port_var(name)
    }
    fn leaf(e: &PortExpr) -> PortSet {
        PortSet::from_leaf(e)
    }
    fn add(acc: &mut PortAcc, set: &PortSet, negated: bool) {
        acc.add(set, negated)
    }
    fn merge(acc: PortAcc) -> Result<PortSet, String> {
        acc.merge()
    }
    fn bad(text: String, reason: String) -> RuleErrorKind {
        RuleErrorKind::BadPort { text, reason }
    }
}

/// `acc` merged into the set of `expr`, or the error placed on `via`.
fn merged<D: Domain>(
    acc: D::Acc,
    expr: &D::Expr,
    via: &Option<String>,
) -> Result<D::Set, ResolveError> {
    D::merge(acc).map_err(|reason| ResolveError {
        kind: D::bad(expr.to_string(), reason),
        via: via.clone(),
    })
}

/// Notes the first variable met at the top level (for error placement) and
/// refuses a variable that is already being resolved, or a chain deeper
/// than `MAX_DEPTH`. Shared by address and port resolution.
fn enter_var(name: &str, stack: &[String], via: &mut Option<String>) -> Result<(), ResolveError> {
    if stack.is_empty() && via.is_none() {
        *via = Some(name.to_string());
    }
    if stack.iter().any(|s| s == name) || stack.len() >= MAX_DEPTH {
        let mut path = stack.join(" -> $");
        path.push_str(" -> $");
        path.push_str(name);
        return Err(ResolveError {
            kind: RuleErrorKind::VariableLoop {
                name: name.to_string(),
                path: format!("${path}"),
            },
            via: via.clone(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn vars() -> Vars {
        let mut v = Vars::new();
        v.set_address("HOME_NET", "[192.168.0.0/16,10.0.0.0/8]");
        v.set_address("EXTERNAL_NET", "!$HOME_NET");
        v.set_address("LOOP_A", "[$LOOP_B]");
        v.set_address("LOOP_B", "$LOOP_A");
        v.set_address("BROKEN", "[1.2.3.4");
        v.set_address("UNDEF_INSIDE", "[$NOPE]");
        v.set_port("HTTP_PORTS", "[80,8080:8090]");
        v.set_port("NOT_HTTP", "!$HTTP_PORTS");
        v
    }

    fn addr(text: &str) -> Result<AddressSet, RuleErrorKind> {
        let e = syntax::parse_address_value(text).unwrap();
        resolve_address(&e, &vars())
    }

    fn port(text: &str) -> Result<PortSet, RuleErrorKind> {
        let e = syntax::parse_port_value(text).unwrap();
        resolve_port(&e, &vars())
    }

    #[test]
    fn negated_variable_is_the_rest_of_its_family() {
        let ext = addr("$EXTERNAL_NET").unwrap();
        assert!(ext.contains(ip("8.8.8.8")));
        assert!(!ext.contains(ip("10.1.1.1")));
        assert!(!ext.contains(ip("192.168.4.4")));
        // Suricata: a family with only negated entries starts full, a family
        // with no entries stays empty, so no IPv6 here.
        assert!(!ext.contains(ip("2001:db8::1")));
    }

    #[test]
    fn list_with_exception() {
        let s = addr("[10.0.0.0/8,!10.1.0.0/16]").unwrap();
        assert!(s.contains(ip("10.0.0.1")));
        assert!(!s.contains(ip("10.1.2.3")));
        assert!(!s.contains(ip("11.0.0.1")));
    }

    #[test]
    fn nested_negation_is_exact() {
        // any minus (10/8 minus 10.1/16): 10.1/16 is back in.
        let s = addr("![10.0.0.0/8,!10.1.0.0/16]").unwrap();
        assert!(s.contains(ip("10.1.2.3")));
        assert!(!s.contains(ip("10.2.0.1")));
        assert!(s.contains(ip("9.9.9.9")));
    }

    #[test]
    fn any_covers_both_families() {
        let s = addr("any").unwrap();
        assert!(s.is_any());
        let v6 = addr("[any,!::1]").unwrap();
        assert!(!v6.contains(ip("::1")));
        assert!(v6.contains(ip("::2")));
        assert!(v6.contains(ip("1.1.1.1")));
    }

    #[test]
    fn negating_everything_is_an_error() {
        assert!(matches!(
            addr("!any"),
            Err(RuleErrorKind::BadAddress { .. })
        ));
        assert!(matches!(
            addr("[1.2.3.4,!1.2.3.4]"),
            Err(RuleErrorKind::BadAddress { .. })
        ));
        assert!(matches!(port("!any"), Err(RuleErrorKind::BadPort { .. })));
    }

    #[test]
    fn variable_errors() {
        assert_eq!(
            addr("$NOPE").unwrap_err(),
            RuleErrorKind::UndefinedVariable {
                name: "NOPE".into()
            }
        );
        assert_eq!(
            addr("$UNDEF_INSIDE").unwrap_err(),
            RuleErrorKind::UndefinedVariable {
                name: "NOPE".into()
            }
        );
        match addr("$LOOP_A").unwrap_err() {
            RuleErrorKind::VariableLoop { name, path } => {
                assert_eq!(name, "LOOP_A");
                assert_eq!(path, "$LOOP_A -> $LOOP_B -> $LOOP_A");
            }
            e => panic!("{e:?}"),
        }
        assert!(matches!(
            addr("$BROKEN"),
            Err(RuleErrorKind::BadVariable { .. })
        ));
        // A port variable is not an address variable.
        assert!(matches!(
            addr("$HTTP_PORTS"),
            Err(RuleErrorKind::UndefinedVariable { .. })
        ));
    }

    #[test]
    fn ports() {
        let p = port("$HTTP_PORTS").unwrap();
        assert_eq!(p.ranges(), &[(80, 80), (8080, 8090)]);
        let n = port("$NOT_HTTP").unwrap();
        assert!(n.contains(81) && !n.contains(80) && !n.contains(8085));
        let l = port("[1024:,!6666:7000]").unwrap();
        assert_eq!(l.ranges(), &[(1024, 6665), (7001, 65535)]);
        assert_eq!(port(":1023").unwrap().ranges(), &[(0, 1023)]);
    }

    #[test]
    fn resolver_caches_and_names_the_rule_variable() {
        let v = vars();
        let mut r = Resolver::new(&v);
        let e = syntax::parse_address_value("[$UNDEF_INSIDE,1.2.3.4]").unwrap();
        let err = r.address(&e).unwrap_err();
        assert_eq!(err.via.as_deref(), Some("UNDEF_INSIDE"));
        let a = r.address(&AddressExpr::Var("HOME_NET".into())).unwrap();
        let b = r.address(&AddressExpr::Var("HOME_NET".into())).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
    }
}
