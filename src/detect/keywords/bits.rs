//! `flowbits` and `xbits`: named bits on a flow, a host or a host pair.
//!
//! Names become small integer ids once, at engine build time
//! ([`BitNames`]). A flow's bits ([`FlowBits`]) are a fixed-capacity
//! inline set of ids: no allocation per flow or packet; setting a bit on a
//! full set fails (counted by the caller through the `false` return).
//! Host and host-pair bits ([`XbitsTable`]) live in one bounded table with
//! packet-time expiry.
//!
//! Semantics are Suricata 7+'s: `isset,a|b` is true when any is set,
//! `isset,a&b` when all are; `isnotset,a|b` when any is unset,
//! `isnotset,a&b` when all are; `set`/`unset`/`toggle` act on every name
//! and run after the rule matched; `noalert` matches and suppresses the
//! alert. `xbits` with `track ip_src`/`ip_dst` store on the host (so a bit
//! set by source can be tested by destination), `ip_pair` on the
//! unordered address pair; `tx` is not handled here (a no-op, never set).

use std::collections::HashMap;
use std::net::IpAddr;

use crate::rule::keywords::flow::{BitsCombine, BitsCommand, Flowbits, Xbits, XbitsTrack};

/// Most distinct bit names an engine assigns ids to.
pub const MAX_BIT_NAMES: usize = 65_536;
/// Most bits set at once on one flow.
pub const FLOW_BITS_CAPACITY: usize = 32;
/// Default `xbits` lifetime when the rule gives no `expire` (Suricata's).
pub const XBITS_DEFAULT_EXPIRE_S: u32 = 30;

/// Bit names to ids, assigned at engine build time.
#[derive(Clone, Debug, Default)]
pub struct BitNames {
    ids: HashMap<String, u32>,
}

impl BitNames {
    /// The id of `name`, assigning the next one; `None` past
    /// [`MAX_BIT_NAMES`].
    pub fn intern(&mut self, name: &str) -> Option<u32> {
        if let Some(&id) = self.ids.get(name) {
            return Some(id);
        }
        if self.ids.len() >= MAX_BIT_NAMES {
            return None;
        }
        let id = self.ids.len() as u32;
        self.ids.insert(name.to_string(), id);
        Some(id)
    }

    /// The id of `name`, if assigned.
    pub fn get(&self, name: &str) -> Option<u32> {
        self.ids.get(name).copied()
    }

    /// How many names have ids.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether none has.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// The bits set on one flow (fixed capacity, inline).
#[derive(Clone, Copy, Debug)]
pub struct FlowBits {
    ids: [u32; FLOW_BITS_CAPACITY],
    len: u8,
}

impl Default for FlowBits {
    fn default() -> Self {
        FlowBits {
            ids: [0; FLOW_BITS_CAPACITY],
            len: 0,
        }
    }
}

impl FlowBits {
    fn slice(&self) -> &[u32] {
        &self.ids[..usize::from(self.len)]
    }

    /// Whether bit `id` is set.
    pub fn is_set(&self, id: u32) -> bool {
        self.slice().contains(&id)
    }

    /// Sets bit `id`; `false` when the set is full.
    pub fn set(&mut self, id: u32) -> bool {
        if self.is_set(id) {
            return true;
        }
        if usize::from(self.len) >= FLOW_BITS_CAPACITY {
            return false;
        }
        self.ids[usize::from(self.len)] = id;
        self.len += 1;
        true
    }

    /// Clears bit `id`.
    pub fn unset(&mut self, id: u32) {
        if let Some(i) = self.slice().iter().position(|&x| x == id) {
            let last = usize::from(self.len) - 1;
            self.ids[i] = self.ids[last];
            self.len -= 1;
        }
    }

    /// Flips bit `id`; `false` when it could not be set (full).
    pub fn toggle(&mut self, id: u32) -> bool {
        if self.is_set(id) {
            self.unset(id);
            true
        } else {
            self.set(id)
        }
    }

    /// How many bits are set.
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Whether no bit is set.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// The command, ids and combination of one `flowbits`/`xbits` option.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BitsOp {
    /// The command.
    pub command: BitsCommand,
    /// Bit ids, in rule order.
    pub ids: Vec<u32>,
    /// How several ids combine (`None`: one id).
    pub combine: Option<BitsCombine>,
}

impl BitsOp {
    fn new(
        command: BitsCommand,
        names: &[String],
        combine: Option<BitsCombine>,
        reg: &mut BitNames,
    ) -> Option<BitsOp> {
        let ids = names
            .iter()
            .map(|n| reg.intern(n))
            .collect::<Option<Vec<u32>>>()?;
        Some(BitsOp {
            command,
            ids,
            combine,
        })
    }

    /// Compiles a `flowbits` (`None` when the name table is full).
    pub fn flowbits(f: &Flowbits, reg: &mut BitNames) -> Option<BitsOp> {
        BitsOp::new(f.command, &f.names, f.combine, reg)
    }

    /// Whether this option only reads bits (a condition).
    pub fn is_condition(&self) -> bool {
        matches!(self.command, BitsCommand::IsSet | BitsCommand::IsNotSet)
    }

    /// `noalert`.
    pub fn is_noalert(&self) -> bool {
        self.command == BitsCommand::NoAlert
    }

    /// Evaluates the condition with `is_set` telling whether an id is
    /// set; actions and `noalert` are always true.
    pub fn check(&self, is_set: impl Fn(u32) -> bool) -> bool {
        let all = self.combine == Some(BitsCombine::All);
        match self.command {
            BitsCommand::IsSet if all => self.ids.iter().all(|&i| is_set(i)),
            BitsCommand::IsSet => self.ids.iter().any(|&i| is_set(i)),
            BitsCommand::IsNotSet if all => self.ids.iter().all(|&i| !is_set(i)),
            BitsCommand::IsNotSet => self.ids.iter().any(|&i| !is_set(i)),
            _ => true,
        }
    }

    /// The condition over a flow's bits.
    pub fn check_flow(&self, bits: &FlowBits) -> bool {
        self.check(|i| bits.is_set(i))
    }

    /// Runs the action (`set`/`unset`/`toggle`) on a flow's bits after
    /// the rule matched; `false` when a bit could not be set (full).
    pub fn apply_flow(&self, bits: &mut FlowBits) -> bool {
        let mut ok = true;
        for &i in &self.ids {
            match self.command {
                BitsCommand::Set => ok &= bits.set(i),
                BitsCommand::Unset => bits.unset(i),
                BitsCommand::Toggle => ok &= bits.toggle(i),
                _ => {}
            }
        }
        ok
    }
}

/// A compiled `xbits`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XbitsOp {
    /// Command and ids.
    pub op: BitsOp,
    /// What the bit is stored on.
    pub track: XbitsTrack,
    /// Lifetime of a set bit, in seconds.
    pub expire_s: u32,
}

impl XbitsOp {
    /// Compiles an `xbits` (`None` when the name table is full).
    pub fn compile(x: &Xbits, reg: &mut BitNames) -> Option<XbitsOp> {
        Some(XbitsOp {
            op: BitsOp::new(x.command, &x.names, x.combine, reg)?,
            track: x.track,
            expire_s: x.expire.unwrap_or(XBITS_DEFAULT_EXPIRE_S),
        })
    }

    fn key(&self, src: IpAddr, dst: IpAddr) -> Option<XKey> {
        match self.track {
            XbitsTrack::IpSrc => Some(XKey::Host(src)),
            XbitsTrack::IpDst => Some(XKey::Host(dst)),
            XbitsTrack::IpPair => Some(XKey::Pair(src.min(dst), src.max(dst))),
            XbitsTrack::Tx => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum XKey {
    Host(IpAddr),
    Pair(IpAddr, IpAddr),
}

/// Host and host-pair bits with expiry, at most `capacity` entries.
/// Times are packet times in microseconds.
#[derive(Debug)]
pub struct XbitsTable {
    map: HashMap<(u32, XKey), u64>,
    capacity: usize,
    /// Sets refused because the table was full of live bits.
    pub refused: u64,
}

impl XbitsTable {
    /// An empty table holding at most `capacity` bits.
    pub fn new(capacity: usize) -> XbitsTable {
        XbitsTable {
            map: HashMap::new(),
            capacity,
            refused: 0,
        }
    }

    /// How many bits are stored (live or not yet purged).
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    fn live(&self, id: u32, key: XKey, now_us: u64) -> bool {
        self.map.get(&(id, key)).is_some_and(|&exp| now_us < exp)
    }

    /// Evaluates an `xbits` condition for a packet `src -> dst` at
    /// `now_us`; actions are always true.
    pub fn check(&self, x: &XbitsOp, src: IpAddr, dst: IpAddr, now_us: u64) -> bool {
        let Some(key) = x.key(src, dst) else {
            return x.op.check(|_| false);
        };
        x.op.check(|id| self.live(id, key, now_us))
    }

    /// Runs an `xbits` action after the rule matched; `false` when a set
    /// was refused (table full of live bits).
    pub fn apply(&mut self, x: &XbitsOp, src: IpAddr, dst: IpAddr, now_us: u64) -> bool {
        let Some(key) = x.key(src, dst) else {
            return true;
        };
        let expires = now_us.saturating_add(u64::from(x.expire_s) * 1_000_000);
        let mut ok = true;
        for &id in &x.op.ids {
            let k = (id, key);
            match x.op.command {
                BitsCommand::Set => ok &= self.set(k, expires, now_us),
                BitsCommand::Unset => {
                    self.map.remove(&k);
                }
                BitsCommand::Toggle => {
                    if self.live(id, key, now_us) {
                        self.map.remove(&k);
                    } else {
                        ok &= self.set(k, expires, now_us);
                    }
                }
                _ => {}
            }
        }
        ok
    }

    fn set(&mut self, k: (u32, XKey), expires: u64, now_us: u64) -> bool {
        if !self.map.contains_key(&k) && self.map.len() >= self.capacity {
            self.map.retain(|_, &mut exp| now_us < exp);
            if self.map.len() >= self.capacity {
                self.refused += 1;
                return false;
            }
        }
        self.map.insert(k, expires);
        true
    }
}

#[cfg(test)]
mod tests;
