//! Storage for the flow table: a slab of fixed-size entries, a chained hash
//! index over them, and intrusive least-recently-used lists.
//!
//! This is mechanism only; [`FlowTable`](super::FlowTable) decides what goes
//! where. Why not `HashMap` (or `hashbrown`)? Three properties the table
//! needs and a general map does not give:
//!
//! * **No pause grows with the table.** Entries live in chunks of
//!   [`CHUNK`] that are allocated once and never moved, and the bucket array
//!   is allocated once at its final size, so nothing ever rehashes or copies
//!   the whole table under a flood.
//! * **Exact, capped memory.** Memory is the chunks plus the bucket array;
//!   [`Store::memory_usage`] reports it and `capacity` bounds it.
//! * **O(1) expiry and eviction.** Every entry sits on one of [`N_LISTS`]
//!   doubly linked lists, most recently used at the head; the oldest entry of
//!   a list is its tail. Links are `u32` indices inside the entries, so the
//!   lists cost no allocation.
//!
//! Free entries are chained through their `next` link. Every entry carries a
//! generation number, bumped when it is freed, so a stale handle is detected
//! instead of reaching a recycled flow.

/// "No entry" in links and buckets.
pub(crate) const NIL: u32 = u32::MAX;
/// Entries per chunk.
pub(crate) const CHUNK: usize = 1024;
const CHUNK_SHIFT: u32 = 10;
/// Number of LRU lists.
pub(crate) const N_LISTS: usize = 12;
/// `Entry::list` of a free entry.
const FREE: u8 = u8::MAX;

/// One slot's links, kept apart from the values in a dense array: a chain
/// walk or a list splice touches 16-byte links, mostly in cache, instead of
/// whole flow records. Measured with `examples/syn_flood.rs` (release, 2M
/// SYNs, 200k-flow table, where `find` and `remove` were 80% of the
/// profile): 444 ns of CPU per flood packet with links inside the records,
/// 319 ns with them split out.
#[derive(Clone, Copy, Debug)]
struct Link {
    /// Bucket hash of the value's key.
    hash: u32,
    /// Next entry in the same bucket.
    chain_next: u32,
    /// LRU neighbours (towards the head / towards the tail). A free entry
    /// uses `next` for the free list.
    prev: u32,
    next: u32,
}

/// One slot's bookkeeping plus the caller's value.
#[derive(Debug)]
pub(crate) struct Entry<T> {
    /// Which LRU list holds the entry, `FREE` when free.
    list: u8,
    /// Bumped whenever the entry is freed.
    gen: u32,
    /// The caller's data.
    pub val: T,
}

#[derive(Clone, Copy, Debug)]
struct List {
    head: u32,
    tail: u32,
}

/// The slab, index and lists. See the module docs.
#[derive(Debug)]
pub(crate) struct Store<T> {
    chunks: Vec<Box<[Entry<T>]>>,
    links: Vec<Box<[Link]>>,
    capacity: u32,
    len: u32,
    free_head: u32,
    buckets: Box<[u32]>,
    mask: u32,
    lists: [List; N_LISTS],
}

impl<T: Default> Store<T> {
    /// A store for at most `capacity` entries with `n_buckets` (rounded up to
    /// a power of two, at least 1) hash buckets. Only the bucket array is
    /// allocated now; entry chunks come as they are needed.
    pub fn new(capacity: u32, n_buckets: u32) -> Store<T> {
        let n_buckets = n_buckets
            .max(1)
            .checked_next_power_of_two()
            .unwrap_or(1 << 31);
        Store {
            chunks: Vec::with_capacity((capacity as usize).div_ceil(CHUNK)),
            links: Vec::with_capacity((capacity as usize).div_ceil(CHUNK)),
            capacity,
            len: 0,
            free_head: NIL,
            buckets: vec![NIL; n_buckets as usize].into_boxed_slice(),
            mask: n_buckets - 1,
            lists: [List {
                head: NIL,
                tail: NIL,
            }; N_LISTS],
        }
    }

    /// Bytes of heap this store holds, plus its own size.
    pub fn memory_usage(&self) -> usize {
        std::mem::size_of::<Self>()
            + self.chunks.capacity() * std::mem::size_of::<Box<[Entry<T>]>>()
            + self.links.capacity() * std::mem::size_of::<Box<[Link]>>()
            + self.chunks.len() * CHUNK * std::mem::size_of::<Entry<T>>()
            + self.links.len() * CHUNK * std::mem::size_of::<Link>()
            + self.buckets.len() * std::mem::size_of::<u32>()
    }

    /// Bytes the store will hold once all `capacity` entries exist.
    pub fn memory_at_capacity(capacity: u32, n_buckets: u32) -> usize {
        let chunks = (capacity as usize).div_ceil(CHUNK);
        let n_buckets = n_buckets
            .max(1)
            .checked_next_power_of_two()
            .unwrap_or(1 << 31) as usize;
        std::mem::size_of::<Self>()
            + chunks * std::mem::size_of::<Box<[Entry<T>]>>()
            + chunks * std::mem::size_of::<Box<[Link]>>()
            + chunks * CHUNK * std::mem::size_of::<Entry<T>>()
            + chunks * CHUNK * std::mem::size_of::<Link>()
            + n_buckets * std::mem::size_of::<u32>()
    }

    /// Live entries.
    pub fn len(&self) -> u32 {
        self.len
    }

    /// Most entries the store will hold.
    pub fn capacity(&self) -> u32 {
        self.capacity
    }

    /// True when no further entry can be inserted.
    pub fn is_full(&self) -> bool {
        self.len >= self.capacity
    }

    fn entry(&self, idx: u32) -> Option<&Entry<T>> {
        self.chunks
            .get((idx >> CHUNK_SHIFT) as usize)?
            .get(idx as usize & (CHUNK - 1))
    }

    fn entry_mut(&mut self, idx: u32) -> Option<&mut Entry<T>> {
        self.chunks
            .get_mut((idx >> CHUNK_SHIFT) as usize)?
            .get_mut(idx as usize & (CHUNK - 1))
    }

    fn link(&self, idx: u32) -> Option<&Link> {
        self.links
            .get((idx >> CHUNK_SHIFT) as usize)?
            .get(idx as usize & (CHUNK - 1))
    }

    fn link_mut(&mut self, idx: u32) -> Option<&mut Link> {
        self.links
            .get_mut((idx >> CHUNK_SHIFT) as usize)?
            .get_mut(idx as usize & (CHUNK - 1))
    }

    /// The value at `idx` if that entry is live and of generation `gen`.
    pub fn get(&self, idx: u32, gen: u32) -> Option<&T> {
        self.entry(idx)
            .filter(|e| e.list != FREE && e.gen == gen)
            .map(|e| &e.val)
    }

    /// Mutable [`Store::get`].
    pub fn get_mut(&mut self, idx: u32, gen: u32) -> Option<&mut T> {
        self.entry_mut(idx)
            .filter(|e| e.list != FREE && e.gen == gen)
            .map(|e| &mut e.val)
    }

    /// The value at live index `idx` (any generation).
    pub fn val(&self, idx: u32) -> Option<&T> {
        self.entry(idx).filter(|e| e.list != FREE).map(|e| &e.val)
    }

    /// Mutable [`Store::val`].
    pub fn val_mut(&mut self, idx: u32) -> Option<&mut T> {
        self.entry_mut(idx)
            .filter(|e| e.list != FREE)
            .map(|e| &mut e.val)
    }

    /// Generation of the entry at `idx`.
    pub fn gen(&self, idx: u32) -> u32 {
        self.entry(idx).map_or(0, |e| e.gen)
    }

    /// The list the live entry `idx` is on.
    pub fn list_of(&self, idx: u32) -> Option<usize> {
        self.entry(idx)
            .filter(|e| e.list != FREE)
            .map(|e| e.list as usize)
    }

    /// The first live entry in bucket `hash` whose value satisfies `eq`.
    pub fn find(&self, hash: u32, mut eq: impl FnMut(&T) -> bool) -> Option<u32> {
        let mut idx = self
            .buckets
            .get((hash & self.mask) as usize)
            .copied()
            .unwrap_or(NIL);
        while idx != NIL {
            let l = self.link(idx)?;
            if l.hash == hash && self.entry(idx).is_some_and(|e| eq(&e.val)) {
                return Some(idx);
            }
            idx = l.chain_next;
        }
        None
    }

    /// Takes a free entry, indexes it under `hash` and puts it at the head of
    /// `list`. The value is reset to `T::default()`. `None` when full.
    pub fn insert(&mut self, hash: u32, list: usize) -> Option<u32> {
        if self.is_full() || list >= N_LISTS {
            return None;
        }
        if self.free_head == NIL {
            self.grow()?;
        }
        let idx = self.free_head;
        let bucket = (hash & self.mask) as usize;
        let head = self.buckets.get(bucket).copied()?;
        let l = self.link_mut(idx)?;
        let next_free = l.next;
        *l = Link {
            hash,
            chain_next: head,
            prev: NIL,
            next: NIL,
        };
        let e = self.entry_mut(idx)?;
        e.list = list as u8;
        e.val = T::default();
        self.free_head = next_free;
        if let Some(b) = self.buckets.get_mut(bucket) {
            *b = idx;
        }
        self.push_head(idx, list);
        self.len += 1;
        Some(idx)
    }

    /// Adds one chunk of free entries.
    fn grow(&mut self) -> Option<()> {
        let first = u32::try_from(self.chunks.len().checked_mul(CHUNK)?).ok()?;
        if first >= self.capacity {
            return None;
        }
        let chunk: Box<[Entry<T>]> = (0..CHUNK)
            .map(|_| Entry {
                list: FREE,
                gen: 0,
                val: T::default(),
            })
            .collect();
        let links: Box<[Link]> = (0..CHUNK as u32)
            .map(|i| Link {
                hash: 0,
                chain_next: NIL,
                prev: NIL,
                // Chain the new entries, last one to the old free head (NIL).
                next: if i + 1 < CHUNK as u32 && first + i + 1 < self.capacity {
                    first + i + 1
                } else {
                    NIL
                },
            })
            .collect();
        self.links.push(links);
        self.chunks.push(chunk);
        self.free_head = first;
        Some(())
    }

    /// Unindexes and frees the live entry `idx`; returns its value (the
    /// entry keeps a default one).
    pub fn remove(&mut self, idx: u32) -> Option<T> {
        let list = self.list_of(idx)?;
        let hash = self.link(idx)?.hash;
        // Unlink from the bucket chain.
        let bucket = (hash & self.mask) as usize;
        let mut cur = self.buckets.get(bucket).copied().unwrap_or(NIL);
        let mut prev = NIL;
        while cur != NIL && cur != idx {
            prev = cur;
            cur = self.link(cur).map_or(NIL, |l| l.chain_next);
        }
        let after = self.link(idx).map_or(NIL, |l| l.chain_next);
        if prev == NIL {
            if let Some(b) = self.buckets.get_mut(bucket) {
                *b = after;
            }
        } else if let Some(p) = self.link_mut(prev) {
            p.chain_next = after;
        }
        self.unlink(idx, list);
        let free_head = self.free_head;
        let l = self.link_mut(idx)?;
        l.chain_next = NIL;
        l.prev = NIL;
        l.next = free_head;
        let e = self.entry_mut(idx)?;
        e.list = FREE;
        e.gen = e.gen.wrapping_add(1);
        let val = std::mem::take(&mut e.val);
        self.free_head = idx;
        self.len -= 1;
        Some(val)
    }

    /// Moves the live entry `idx` to the head of `list`.
    pub fn touch(&mut self, idx: u32, list: usize) {
        let Some(cur) = self.list_of(idx) else {
            return;
        };
        if list >= N_LISTS {
            return;
        }
        if cur == list && self.lists.get(list).is_some_and(|l| l.head == idx) {
            return;
        }
        self.unlink(idx, cur);
        if let Some(e) = self.entry_mut(idx) {
            e.list = list as u8;
        }
        self.push_head(idx, list);
    }

    /// The least recently touched entry of `list`.
    pub fn tail(&self, list: usize) -> Option<u32> {
        self.lists.get(list).map(|l| l.tail).filter(|&t| t != NIL)
    }

    /// The entry after `idx` towards the head of its list.
    pub fn newer(&self, idx: u32) -> Option<u32> {
        self.link(idx).map(|l| l.prev).filter(|&p| p != NIL)
    }

    fn push_head(&mut self, idx: u32, list: usize) {
        let Some(l) = self.lists.get(list).copied() else {
            return;
        };
        if let Some(lk) = self.link_mut(idx) {
            lk.prev = NIL;
            lk.next = l.head;
        }
        if l.head != NIL {
            if let Some(h) = self.link_mut(l.head) {
                h.prev = idx;
            }
        }
        if let Some(l) = self.lists.get_mut(list) {
            l.head = idx;
            if l.tail == NIL {
                l.tail = idx;
            }
        }
    }

    fn unlink(&mut self, idx: u32, list: usize) {
        let (prev, next) = match self.link(idx) {
            Some(l) => (l.prev, l.next),
            None => return,
        };
        if prev != NIL {
            if let Some(p) = self.link_mut(prev) {
                p.next = next;
            }
        } else if let Some(l) = self.lists.get_mut(list) {
            l.head = next;
        }
        if next != NIL {
            if let Some(n) = self.link_mut(next) {
                n.prev = prev;
            }
        } else if let Some(l) = self.lists.get_mut(list) {
            l.tail = prev;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default, Debug, PartialEq)]
    struct V(u64);

    fn put(s: &mut Store<V>, key: u64, list: usize) -> u32 {
        let idx = s.insert(key as u32 & 0xff, list).expect("room");
        *s.val_mut(idx).expect("live") = V(key);
        idx
    }

    fn find(s: &Store<V>, key: u64) -> Option<u32> {
        s.find(key as u32 & 0xff, |v| v.0 == key)
    }

    #[test]
    fn insert_find_remove_through_shared_buckets() {
        // 4 buckets for 3000 entries: long chains, several chunks.
        let mut s = Store::<V>::new(3000, 4);
        let idx: Vec<u32> = (0..3000).map(|k| put(&mut s, k, 0)).collect();
        assert_eq!(s.len(), 3000);
        assert!(s.is_full());
        assert_eq!(s.insert(1, 0), None);
        for k in (0..3000).step_by(7) {
            assert_eq!(find(&s, k), Some(idx[k as usize]));
        }
        // Remove every third; the others stay findable.
        for k in (0..3000).step_by(3) {
            assert_eq!(s.remove(idx[k as usize]), Some(V(k)));
        }
        for k in 0..3000u64 {
            assert_eq!(find(&s, k).is_some(), k % 3 != 0, "key {k}");
        }
        assert_eq!(s.len(), 2000);
        // Freed entries are reused before new chunks.
        let chunks = s.chunks.len();
        for k in 5000..6000 {
            put(&mut s, k, 1);
        }
        assert_eq!(s.chunks.len(), chunks);
    }

    #[test]
    fn lru_order_and_touch() {
        let mut s = Store::<V>::new(10, 16);
        let a = put(&mut s, 1, 0);
        let b = put(&mut s, 2, 0);
        let c = put(&mut s, 3, 0);
        assert_eq!(s.tail(0), Some(a));
        s.touch(a, 0);
        assert_eq!(s.tail(0), Some(b));
        assert_eq!(s.newer(b), Some(c));
        s.touch(b, 5);
        assert_eq!(s.tail(0), Some(c));
        assert_eq!(s.tail(5), Some(b));
        s.remove(c);
        assert_eq!(s.tail(0), Some(a));
        s.remove(a);
        assert_eq!(s.tail(0), None);
    }

    #[test]
    fn stale_generations_are_refused() {
        let mut s = Store::<V>::new(4, 4);
        let a = put(&mut s, 1, 0);
        let g = s.gen(a);
        assert!(s.get(a, g).is_some());
        s.remove(a);
        assert!(s.get(a, g).is_none());
        let again = put(&mut s, 2, 0);
        assert_eq!(again, a, "slot reused");
        assert!(
            s.get(a, g).is_none(),
            "old handle does not reach the new flow"
        );
        assert_eq!(s.get(a, s.gen(a)), Some(&V(2)));
    }

    #[test]
    fn memory_is_chunked_and_bounded() {
        let mut s = Store::<V>::new(1500, 2048);
        let empty = s.memory_usage();
        put(&mut s, 1, 0);
        let one_chunk = s.memory_usage();
        assert!(one_chunk >= empty + CHUNK * (std::mem::size_of::<Entry<V>>() + 16));
        for k in 2..=1500 {
            put(&mut s, k, 0);
        }
        assert!(s.memory_usage() <= Store::<V>::memory_at_capacity(1500, 2048));
    }
}
