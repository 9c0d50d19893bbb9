//! order: puts the records workers send back into packet order.
//!
//! Each worker sends [`Reorder::push`] its records (ascending packet
//! index within one worker) and a *watermark*: "every packet I was given
//! with an index ≤ N is done". A record may be written once every worker's
//! watermark reaches its index: no worker can still produce an earlier one.
//! [`Reorder::ready`] hands those out in index order.
//!
//! # Memory
//!
//! The reorder buffer holds only records of packets above the slowest
//! worker's watermark. The reader sends every worker a batch (empty if
//! need be) at least every `flush_every` frames, so two batches of one
//! worker are at most `flush_every` packet indices apart. After the batch
//! that set the slowest worker's watermark, that worker can have at most
//! `queue` batches in its channel, one in hand, `workers` done-messages in
//! the writer's channel (its capacity) and the reader's partial batch. So
//! at most `(workers + queue + 2) × flush_every` packets are pending, and
//! only those that raised alerts hold a record (each bounded by the alerts
//! one packet can raise). With the defaults (batch 128, queue 8, 4
//! workers: flush_every 512) that is 7168 packets.

use std::collections::BTreeMap;

/// The reorder buffer for `T` records keyed by packet index.
#[derive(Debug)]
pub struct Reorder<T> {
    pending: BTreeMap<(u64, usize), T>,
    marks: Vec<u64>,
    high: usize,
}

impl<T> Reorder<T> {
    /// A buffer for `workers` workers, none confirmed anything yet.
    pub fn new(workers: usize) -> Reorder<T> {
        Reorder {
            pending: BTreeMap::new(),
            marks: vec![0; workers.max(1)],
            high: 0,
        }
    }

    /// Adds worker `worker`'s record for packet `index`.
    pub fn push(&mut self, index: u64, worker: usize, rec: T) {
        self.pending.insert((index, worker), rec);
        self.high = self.high.max(self.pending.len());
    }

    /// Worker `worker` is done with every packet ≤ `index` it was given.
    pub fn confirm(&mut self, worker: usize, index: u64) {
        if let Some(m) = self.marks.get_mut(worker) {
            *m = (*m).max(index);
        }
    }

    /// The next record every worker has confirmed, lowest index first.
    pub fn pop_ready(&mut self) -> Option<(u64, T)> {
        let floor = self.marks.iter().copied().min().unwrap_or(0);
        let (first, _) = self.pending.first_key_value().map(|(k, _)| *k)?;
        if first <= floor {
            self.pending.pop_first().map(|((i, _), t)| (i, t))
        } else {
            None
        }
    }

    /// Every record left, in index order (end of run: all workers done).
    pub fn drain(&mut self) -> impl Iterator<Item = (u64, T)> + '_ {
        std::mem::take(&mut self.pending)
            .into_iter()
            .map(|((i, _), t)| (i, t))
    }

    /// Records waiting now.
    pub fn len(&self) -> usize {
        self.pending.len()
    }

    /// Whether none waits.
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// Most records that ever waited at once.
    pub fn high_water(&self) -> usize {
        self.high
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_for_the_slowest_worker() {
        let mut r = Reorder::new(2);
        // Worker 1 is fast: packets 2 and 4 done, confirmed up to 4.
        r.push(2, 1, "b");
        r.push(4, 1, "d");
        r.confirm(1, 4);
        assert_eq!(r.pop_ready(), None, "worker 0 may still send 1 or 3");
        // Worker 0 finishes packet 1 (alert) and confirms up to 1.
        r.push(1, 0, "a");
        r.confirm(0, 1);
        assert_eq!(r.pop_ready(), Some((1, "a")));
        assert_eq!(r.pop_ready(), None, "2 > floor 1");
        r.confirm(0, 3);
        assert_eq!(r.pop_ready(), Some((2, "b")));
        assert_eq!(r.pop_ready(), None, "4 > floor 3");
        r.confirm(0, 10);
        assert_eq!(r.pop_ready(), Some((4, "d")));
        assert!(r.is_empty());
        assert_eq!(r.high_water(), 3);
    }

    #[test]
    fn drain_is_in_order() {
        let mut r = Reorder::new(3);
        for i in [9u64, 3, 7, 1] {
            r.push(i, (i % 3) as usize, i);
        }
        let got: Vec<u64> = r.drain().map(|(k, _)| k).collect();
        assert_eq!(got, [1, 3, 7, 9]);
    }
}
