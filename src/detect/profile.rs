//! profile: per-rule cost, like Snort's rule profiling (`--profile-rules`
//! of `rulewire bench`).
//!
//! A [`RuleProfile`] is one worker's table: per rule index, the time spent
//! evaluating the rule, how often it was checked (it passed the prefilter)
//! and how often it matched. It is off unless asked for
//! ([`Detector::enable_profiling`](super::Detector::enable_profiling)):
//! the engine then reads the clock around each rule it evaluates, which
//! costs time of its own, so profiled runs are slower than plain ones.
//! Tables of several workers are [`merge`](RuleProfile::merge)d.

use std::time::Duration;

/// Cost of one rule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RuleCost {
    /// Nanoseconds spent evaluating it.
    pub nanos: u64,
    /// Times it was evaluated.
    pub checks: u64,
    /// Times it matched.
    pub matches: u64,
}

/// Per-rule costs, indexed like [`Engine::rules`](super::Engine::rules).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleProfile {
    costs: Vec<RuleCost>,
}

impl RuleProfile {
    /// A zeroed table for `rules` rules.
    pub fn new(rules: usize) -> RuleProfile {
        RuleProfile {
            costs: vec![RuleCost::default(); rules],
        }
    }

    /// Records one evaluation of rule `index` (ignored when out of range).
    #[inline]
    pub fn record(&mut self, index: u32, spent: Duration, matched: bool) {
        if let Some(c) = self.costs.get_mut(index as usize) {
            c.nanos += u64::try_from(spent.as_nanos()).unwrap_or(u64::MAX);
            c.checks += 1;
            c.matches += u64::from(matched);
        }
    }

    /// Adds another table's costs (same rule set).
    pub fn merge(&mut self, other: &RuleProfile) {
        if self.costs.len() < other.costs.len() {
            self.costs.resize(other.costs.len(), RuleCost::default());
        }
        for (a, b) in self.costs.iter_mut().zip(&other.costs) {
            a.nanos += b.nanos;
            a.checks += b.checks;
            a.matches += b.matches;
        }
    }

    /// The `n` most expensive rules by total time: (rule index, cost),
    /// rules never checked left out.
    pub fn top(&self, n: usize) -> Vec<(usize, RuleCost)> {
        let mut v: Vec<(usize, RuleCost)> = self
            .costs
            .iter()
            .copied()
            .enumerate()
            .filter(|(_, c)| c.checks > 0)
            .collect();
        v.sort_by(|a, b| b.1.nanos.cmp(&a.1.nanos).then(a.0.cmp(&b.0)));
        v.truncate(n);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_orders_by_time_and_merges() {
        let mut a = RuleProfile::new(3);
        a.record(0, Duration::from_nanos(10), true);
        a.record(1, Duration::from_nanos(50), false);
        a.record(7, Duration::from_nanos(99), false);
        let mut b = RuleProfile::new(3);
        b.record(0, Duration::from_nanos(100), false);
        a.merge(&b);
        assert_eq!(
            a.top(5),
            [
                (
                    0,
                    RuleCost {
                        nanos: 110,
                        checks: 2,
                        matches: 1
                    }
                ),
                (
                    1,
                    RuleCost {
                        nanos: 50,
                        checks: 1,
                        matches: 0
                    }
                ),
            ]
        );
        assert_eq!(a.top(1).len(), 1);
    }
}
