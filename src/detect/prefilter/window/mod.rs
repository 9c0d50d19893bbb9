//! [`WindowFilter`]: a hashed 4-byte-window filter over many literal
//! patterns, the first stage of the prefilter's matcher.
//!
//! Each pattern of four bytes or more is represented by one 4-byte
//! *window* of it (the least common one, by a byte-frequency guess for
//! network payloads, so `"\0\0\0\0login"` is found through `"ogin"`, not
//! its zeros). The scan hashes the case-folded 4 bytes at every position
//! of the haystack to one 32-bit word of a bitmap (a few KiB: it stays in
//! the first-level cache) and tests two bits of it, the window's bucket
//! bit and a check bit (a two-hash Bloom filter blocked into one word);
//! only where both are set does it look at the window's bucket and
//! compare the patterns there with the haystack.
//! Patterns of two or three bytes go through a second bitmap keyed by
//! one folded pair of their bytes (the rarer pair of a three-byte
//! pattern); one-byte patterns are looked for with `memchr`.
//!
//! A prefilter wants to know *which* patterns occur, not where or how
//! often, and payloads repeat (runs of zeros, the same header line in
//! every request). So a scan stamps each pattern it finds (the caller's
//! per-pattern stamps) and, once every pattern of a bucket is stamped,
//! clears the bucket's bit in the scan's working copy of the bitmap
//! ([`WindowScratch`]): later occurrences cost one missed bit test, not a
//! comparison. The cleared bits are set again when the scan ends, so the
//! working copy equals the matcher's bitmap between scans.
//!
//! Case: the haystack is folded to ASCII lower case once per scan
//! ([`fold_padded`]) and pattern windows the same way ([`folded_key`]);
//! every candidate is then compared in full —
//! exactly for case-sensitive patterns, ignoring ASCII case for `nocase`
//! ones — so folding only decides where to look.
//!
//! This is the idea of Wu-Manber and of Hyperscan's FDR (hash a short
//! window, confirm the rare hits) without their shift tables: one word
//! test per byte, and the confirmation cost bounded by the stamps. On
//! x86-64 with AVX2 (checked at run time) the tests are done eight
//! positions at a time, 32 per step (`avx2`); elsewhere one at a time,
//! with the same results.

use std::sync::atomic::{AtomicU64, Ordering};

#[cfg(target_arch = "x86_64")]
mod avx2;

/// How many zero bytes [`fold_padded`] appends: the AVX2 sweep's loads
/// (32 bytes at a position and the next, 16 bytes 24 further on) at any
/// position of the haystack stay within the folded buffer.
const PAD: usize = 48;

/// Source of [`WindowFilter::id`]s: never reused, so a worker's working
/// copy can never be mistaken for another filter's.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// The little-endian number of four bytes, ASCII lower-cased: a window
/// key, for patterns at build time as [`fold_padded`] gives them for the
/// haystack.
fn folded_key(w: [u8; 4]) -> u32 {
    u32::from_le_bytes(w.map(|b| b.to_ascii_lowercase()))
}

/// Writes `hay` lower-cased (ASCII) into `out`, then [`PAD`] zero
/// bytes: the `folded` argument of [`WindowFilter::scan`]. One pass the
/// compiler vectorises, instead of folding each window again.
pub(crate) fn fold_padded(hay: &[u8], out: &mut Vec<u8>) {
    out.clear();
    out.extend(hay.iter().map(u8::to_ascii_lowercase));
    out.extend_from_slice(&[0; PAD]);
}

/// How common a byte is in network payloads, roughly (higher: more
/// common): used to pick the rarest window of a pattern.
fn commonness(b: u8) -> u32 {
    match b.to_ascii_lowercase() {
        0x00 => 12,
        0xff | b' ' | b'\r' | b'\n' => 7,
        0x01..=0x0f => 5,
        b'e' | b't' | b'a' | b'o' | b'i' | b'n' | b's' | b'r' | b'/' | b'.' => 4,
        b'a'..=b'z' | b'0'..=b'9' | b':' | b'=' | b'-' | b'_' | b'&' => 3,
        0x10..=0x1f | 0x80..=0xfe => 1,
        _ => 2,
    }
}

/// One pattern behind a window.
#[derive(Clone, Copy, Debug)]
struct Candidate {
    /// The folded window.
    key: u32,
    /// Where the window starts in the pattern.
    offset: u32,
    /// The pattern.
    pattern: u32,
}

/// One pattern's bytes in [`WindowFilter::bytes`] (empty: no pattern
/// has this id here).
#[derive(Clone, Copy, Debug, Default)]
struct Span {
    start: u32,
    len: u32,
    nocase: bool,
    /// An occurrence counts only when it ends within this many bytes of
    /// the haystack's start.
    end_limit: u32,
}

/// The bitmaps and buckets over a set of patterns. Immutable once
/// built; shared by all workers.
#[derive(Debug)]
pub(crate) struct WindowFilter {
    id: u64,
    /// log2 of the number of long buckets.
    bits: u32,
    /// The long patterns' windows ([`LongHash`]): word `h / 16` has bit
    /// `h % 16` set when bucket `h` holds a pattern, and in its high half
    /// the check bit of each window in its 16 buckets, so that one 32-bit
    /// load tests two bits of a window (most windows whose bucket bit is
    /// set fail the check bit and cost no bucket walk).
    long_map: Box<[u32]>,
    /// Bucket `h` is `long[long_starts[h]..long_starts[h + 1]]`.
    long_starts: Box<[u32]>,
    long: Box<[Candidate]>,
    /// Bit `k` (a folded pair of bytes, little-endian): a two- or
    /// three-byte pattern has this pair (see `short`).
    short_map: Box<[u64]>,
    /// `(pair, offset, pattern)`, sorted by pair: the folded pair of
    /// bytes at `offset` (0 or 1) of a two- or three-byte pattern.
    short: Box<[(u16, u8, u32)]>,
    /// The short pairs as nibble masks, when there are few enough of
    /// them ([`PairNibbles`]).
    pair_nibbles: Option<PairNibbles>,
    /// One-byte patterns: (byte, its other case or itself, pattern).
    single: Box<[(u8, u8, u32)]>,
    spans: Box<[Span]>,
    bytes: Box<[u8]>,
    /// The most bytes an occurrence of a long pattern without an end
    /// limit starts before its position ([`WindowFilter::reach_back`]).
    reach_back: usize,
}

/// Per-worker working copies of the bitmaps (see the module docs), and
/// the sweep the worker's scans run.
#[derive(Debug)]
pub(crate) struct WindowScratch {
    copies: Vec<WorkingMaps>,
    cleared_long: Vec<u32>,
    cleared_short: Vec<u16>,
    /// The fastest this CPU runs ([`Simd::detect`]); tests set others.
    simd: Simd,
}

impl Default for WindowScratch {
    fn default() -> WindowScratch {
        WindowScratch {
            copies: Vec::new(),
            cleared_long: Vec::new(),
            cleared_short: Vec::new(),
            simd: Simd::detect(),
        }
    }
}

#[derive(Debug)]
struct WorkingMaps {
    id: u64,
    long_map: Box<[u32]>,
    short_map: Box<[u64]>,
}

/// At most this many filters' working copies per worker (an engine has
/// a few dozen matchers at most; a reload starts afresh).
const MAX_COPIES: usize = 256;

impl WindowScratch {
    /// The working copy for `f`, made on first use.
    fn copy_for(&mut self, f: &WindowFilter) -> usize {
        if let Some(i) = self.copies.iter().position(|c| c.id == f.id) {
            return i;
        }
        if self.copies.len() >= MAX_COPIES {
            self.copies.clear();
        }
        self.copies.push(WorkingMaps {
            id: f.id,
            long_map: f.long_map.clone(),
            short_map: f.short_map.clone(),
        });
        self.copies.len() - 1
    }
}

#[inline(always)]
fn test(map: &[u64], bit: usize) -> bool {
    map.get(bit / 64).is_some_and(|w| w >> (bit % 64) & 1 == 1)
}

#[inline(always)]
fn clear(map: &mut [u64], bit: usize) {
    if let Some(w) = map.get_mut(bit / 64) {
        *w &= !(1 << (bit % 64));
    }
}

#[inline(always)]
fn set(map: &mut [u64], bit: usize) {
    if let Some(w) = map.get_mut(bit / 64) {
        *w |= 1 << (bit % 64);
    }
}

impl WindowFilter {
    /// Builds the filter over `patterns` (`(id, bytes, nocase,
    /// end_limit)`, ids distinct); a pattern is reported, and stamped, by
    /// its id, when it occurs ending within `end_limit` bytes of the
    /// haystack's start (`None`: anywhere). Empty patterns are never
    /// reported.
    pub(crate) fn build<'p>(
        patterns: impl IntoIterator<Item = (u32, &'p [u8], bool, Option<u32>)>,
    ) -> WindowFilter {
        let mut spans = Vec::new();
        let mut bytes = Vec::new();
        for (id, p, nocase, end_limit) in patterns {
            let id = id as usize;
            if spans.len() <= id {
                spans.resize(id + 1, Span::default());
            }
            spans[id] = Span {
                start: bytes.len() as u32,
                len: p.len() as u32,
                nocase,
                end_limit: end_limit.unwrap_or(u32::MAX),
            };
            bytes.extend_from_slice(p);
        }
        let pat = |s: &Span| &bytes[s.start as usize..(s.start + s.len) as usize];
        let long_count = spans.iter().filter(|s| s.len >= 4).count();
        // About 32 buckets per long pattern: a random window hits a set
        // bucket bit with probability ~1/32 or less, and then its check
        // bit with ~1/16 (a word's 16 buckets hold about half a pattern).
        // 2^10..2^18 buckets, a map of 256 B..64 KiB.
        let bits = (long_count.max(1) * 32)
            .next_power_of_two()
            .trailing_zeros()
            .clamp(10, 18);
        let mut used: std::collections::HashMap<u32, u32> = Default::default();
        let mut long: Vec<(u32, Candidate)> = Vec::new();
        let mut short = Vec::new();
        let mut single = Vec::new();
        for (i, s) in spans.iter().enumerate() {
            let p = pat(s);
            let i = i as u32;
            match p.len() {
                0 => {}
                1 if s.nocase => {
                    single.push((p[0].to_ascii_lowercase(), p[0].to_ascii_uppercase(), i))
                }
                1 => single.push((p[0], p[0], i)),
                2 | 3 => {
                    // The rarer pair of a three-byte pattern: "\0\0\x18"
                    // is looked for at its "\0\x18", not at every "\0\0".
                    let pair_cost = |o: usize| commonness(p[o]) + commonness(p[o + 1]);
                    let o = if p.len() == 3 && pair_cost(1) < pair_cost(0) {
                        1
                    } else {
                        0
                    };
                    let pair = folded_key([p[o], p[o + 1], 0, 0]) as u16;
                    short.push((pair, o as u8, i));
                }
                n => {
                    let key_at = |o: usize| folded_key([p[o], p[o + 1], p[o + 2], p[o + 3]]);
                    let offset = (0..=n - 4)
                        .min_by_key(|&o| {
                            let c: u32 = p[o..o + 4].iter().map(|&b| commonness(b)).sum();
                            c + 3 * used.get(&key_at(o)).copied().unwrap_or(0)
                        })
                        .unwrap_or(0);
                    let key = key_at(offset);
                    *used.entry(key).or_default() += 1;
                    long.push((
                        LongHash::new(key, bits).bucket as u32,
                        Candidate {
                            key,
                            offset: offset as u32,
                            pattern: i,
                        },
                    ));
                }
            }
        }
        // Which window of a long pattern is looked for depends on the
        // other patterns (`used`), so differs between filters; a short
        // pattern's pair and a single byte depend on the pattern alone.
        let reach_back = long
            .iter()
            .filter(|(_, c)| spans[c.pattern as usize].end_limit == u32::MAX)
            .map(|(_, c)| c.offset as usize)
            .max()
            .unwrap_or(0);
        long.sort_by_key(|c| c.0);
        let mut long_map = vec![0u32; (1usize << bits) / 16].into_boxed_slice();
        let mut long_starts = vec![0u32; (1usize << bits) + 1];
        for (h, c) in &long {
            let lh = LongHash::new(c.key, bits);
            long_map[lh.word()] |= lh.need();
            long_starts[*h as usize + 1] += 1;
        }
        for h in 0..1usize << bits {
            long_starts[h + 1] += long_starts[h];
        }
        short.sort_unstable();
        let pair_nibbles = PairNibbles::build(short.iter().map(|e| e.0));
        let mut short_map = vec![0u64; 1024].into_boxed_slice();
        for &(k, _, _) in &short {
            set(&mut short_map, usize::from(k));
        }
        WindowFilter {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            bits,
            long_map,
            long_starts: long_starts.into_boxed_slice(),
            long: long.into_iter().map(|c| c.1).collect(),
            short_map,
            short: short.into_boxed_slice(),
            pair_nibbles,
            single: single.into_boxed_slice(),
            spans: spans.into_boxed_slice(),
            bytes: bytes.into_boxed_slice(),
            reach_back,
        }
    }

    /// The most bytes before its position that an occurrence of a long
    /// pattern without an end limit starts. A pattern's position is
    /// where the window (or pair) it is looked for at starts; a long
    /// pattern's window is chosen per filter (a short pattern's pair is
    /// the same in every filter): to hand the positions from `split` on
    /// to another filter over the same patterns, that filter must sweep
    /// from `split - reach_back` so no occurrence falls between the two.
    pub(crate) fn reach_back(&self) -> usize {
        self.reach_back
    }

    /// Bytes of heap the filter uses.
    pub(crate) fn memory_usage(&self) -> usize {
        use std::mem::size_of;
        self.long_map.len() * 4
            + self.long_starts.len() * 4
            + self.long.len() * size_of::<Candidate>()
            + self.short_map.len() * 8
            + self.short.len() * size_of::<(u16, u8, u32)>()
            + self.single.len() * 8
            + self.spans.len() * size_of::<Span>()
            + self.bytes.len()
    }

    /// Whether pattern `i` occurs in `hay` starting at `start`.
    #[inline]
    fn confirm(&self, i: u32, hay: &[u8], start: usize) -> bool {
        let Some(s) = self.spans.get(i as usize) else {
            return false;
        };
        let p = &self.bytes[s.start as usize..(s.start + s.len) as usize];
        if start + p.len() > s.end_limit as usize {
            return false;
        }
        match hay.get(start..start + p.len()) {
            Some(w) if s.nocase => w.eq_ignore_ascii_case(p),
            Some(w) => w == p,
            None => false,
        }
    }

    /// Appends to `out` every pattern that occurs in `hay` at one of
    /// `positions` and whose stamp is not `generation`, stamping it (each
    /// pattern at most once per generation; `stamps` has one entry per
    /// pattern). A pattern's position is where its window (or pair, or
    /// byte) starts: `0..hay.len()` finds every pattern that occurs, and
    /// scans of adjacent ranges with the same generation add up to one
    /// over their union. `folded` is [`fold_padded`] of `hay` or of a
    /// buffer that starts with `hay` (nothing is found when it is shorter
    /// than `hay` plus three).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn scan(
        &self,
        hay: &[u8],
        folded: &[u8],
        positions: std::ops::Range<usize>,
        stamps: &mut [u32],
        generation: u32,
        scratch: &mut WindowScratch,
        out: &mut Vec<u32>,
    ) {
        let positions = positions.start..positions.end.min(hay.len());
        if positions.is_empty()
            || stamps.len() < self.spans.len()
            || folded.len() < hay.len() + 3
            || self.spans.is_empty()
        {
            return;
        }
        let ci = scratch.copy_for(self);
        let WindowScratch {
            copies,
            cleared_long,
            cleared_short,
            simd,
        } = scratch;
        let simd = *simd;
        let WorkingMaps {
            long_map,
            short_map,
            ..
        } = &mut copies[ci];
        let mut probe = Probe {
            hay,
            stamps,
            generation,
            out,
        };
        let mut maps = Maps {
            long_map,
            short_map,
            cleared_long,
            cleared_short,
        };
        // The loop specialised on which maps have patterns: a filter
        // without short patterns (most) tests one bit per byte.
        let at = positions.clone();
        match (self.long.is_empty(), self.short.is_empty()) {
            (false, false) => self.sweep::<true, true>(simd, folded, at, &mut maps, &mut probe),
            (false, true) => self.sweep::<true, false>(simd, folded, at, &mut maps, &mut probe),
            (true, false) => self.sweep::<false, true>(simd, folded, at, &mut maps, &mut probe),
            (true, true) => {}
        }
        let Probe {
            stamps,
            generation,
            out,
            ..
        } = probe;
        for &(b, other, p) in self.single.iter() {
            let limit = self.spans[p as usize].end_limit as usize;
            let bytes = hay
                .get(positions.start..positions.end.min(limit))
                .unwrap_or(&[]);
            if stamps[p as usize] != generation && memchr::memchr2(b, other, bytes).is_some() {
                stamps[p as usize] = generation;
                out.push(p);
            }
        }
        for h in cleared_long.drain(..) {
            long_map[h as usize / 16] |= 1 << (h % 16);
        }
        for k in cleared_short.drain(..) {
            set(short_map, usize::from(k));
        }
    }
}

/// A scan's working bitmaps and the bits it cleared.
struct Maps<'a> {
    long_map: &'a mut [u32],
    short_map: &'a mut [u64],
    cleared_long: &'a mut Vec<u32>,
    cleared_short: &'a mut Vec<u16>,
}

/// The pairs of bytes of the short patterns in the form of Teddy's
/// masks (Hyperscan's, and the `aho-corasick` crate's `packed` module):
/// the pairs are split into eight buckets, and for each of the pair's two
/// bytes and each half of that byte, a 16-entry table gives the buckets
/// that have a pair with that nibble there. A position whose four
/// nibbles share a bucket may start a pair; others surely do not. Four
/// byte shuffles test 32 positions at once (`avx2`), where the exact
/// pair bitmap would take four gathers.
#[derive(Clone, Debug, PartialEq, Eq)]
struct PairNibbles {
    /// First byte low nibble, first byte high nibble, second byte low,
    /// second byte high.
    tables: [[u8; 16]; 4],
}

impl PairNibbles {
    /// Above this many distinct pairs a bucket holds more than four and
    /// its nibble sets stop ruling positions out; the exact bitmap is
    /// tested instead.
    const MAX_PAIRS: usize = 32;

    /// The masks over `pairs` (folded, little-endian), or `None` when
    /// there are none or too many.
    fn build(pairs: impl IntoIterator<Item = u16>) -> Option<PairNibbles> {
        let mut pairs: Vec<u16> = pairs.into_iter().collect();
        // Sorted by first byte: neighbours, which share nibbles, share
        // buckets.
        pairs.sort_unstable_by_key(|p| p.to_le_bytes());
        pairs.dedup();
        if pairs.is_empty() || pairs.len() > Self::MAX_PAIRS {
            return None;
        }
        let mut tables = [[0u8; 16]; 4];
        for (i, p) in pairs.iter().enumerate() {
            let bucket = 1u8 << (i * 8 / pairs.len());
            let [a, b] = p.to_le_bytes();
            for (t, nibble) in [a & 15, a >> 4, b & 15, b >> 4].into_iter().enumerate() {
                tables[t][usize::from(nibble)] |= bucket;
            }
        }
        Some(PairNibbles { tables })
    }

    /// Whether folded bytes `a`, `b` may be a pair (the scalar form of
    /// the test, for the tests).
    #[cfg(test)]
    fn may_start(&self, a: u8, b: u8) -> bool {
        let t = &self.tables;
        let n = |t: &[u8; 16], x: u8| t[usize::from(x)];
        n(&t[0], a & 15) & n(&t[1], a >> 4) & n(&t[2], b & 15) & n(&t[3], b >> 4) != 0
    }
}

/// Which sweep a scan runs: the bit tests one position at a time, or
/// eight at a time with AVX2.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Simd {
    Scalar,
    #[cfg(target_arch = "x86_64")]
    Avx2,
}

impl Simd {
    /// The fastest sweep this CPU runs (the standard library caches the
    /// feature test).
    fn detect() -> Simd {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            return Simd::Avx2;
        }
        Simd::Scalar
    }
}

impl WindowFilter {
    /// Tests every position of `probe.hay` against the long (`LONG`)
    /// and short (`SHORT`) maps, confirming the buckets that are set.
    #[inline(always)]
    fn sweep<const LONG: bool, const SHORT: bool>(
        &self,
        simd: Simd,
        folded: &[u8],
        positions: std::ops::Range<usize>,
        maps: &mut Maps<'_>,
        probe: &mut Probe<'_, '_>,
    ) {
        let from = match simd {
            Simd::Scalar => positions.start,
            // SAFETY: `Simd::Avx2` comes from `Simd::detect` (or a test
            // that checked the same).
            #[cfg(target_arch = "x86_64")]
            Simd::Avx2 => unsafe {
                self.sweep_avx2::<LONG, SHORT>(folded, positions.clone(), maps, probe)
            },
        };
        // The folded window at each position from `from` on; the last
        // three of the haystack run into the padding (confirmation
        // checks the real bounds).
        let windows = folded.windows(4).take(positions.end).enumerate();
        for (i, w) in windows.skip(from) {
            let key = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
            if LONG {
                self.check_long(key, i, maps, probe);
            }
            if SHORT {
                self.check_short(key as u16, i, maps, probe);
            }
        }
    }

    /// Position `i`, whose folded window is `key`, against the long map
    /// (bit, check bit, bucket), clearing the bit of a bucket it spends.
    #[inline(always)]
    fn check_long(&self, key: u32, i: usize, maps: &mut Maps<'_>, probe: &mut Probe<'_, '_>) {
        let lh = LongHash::new(key, self.bits);
        if lh.hit(maps.long_map) && self.long_bucket(lh.bucket, key, i, probe) {
            // Only the bucket bit: check bits are shared by the word.
            maps.long_map[lh.word()] &= !lh.bucket_bit();
            maps.cleared_long.push(lh.bucket as u32);
        }
    }

    /// Position `i`, whose folded pair is `k`, against the short map.
    #[inline(always)]
    fn check_short(&self, k: u16, i: usize, maps: &mut Maps<'_>, probe: &mut Probe<'_, '_>) {
        if test(maps.short_map, usize::from(k)) && self.short_bucket(k, i, probe) {
            clear(maps.short_map, usize::from(k));
            maps.cleared_short.push(k);
        }
    }
}

/// What a bucket check needs of the scan.
struct Probe<'a, 'h> {
    hay: &'h [u8],
    stamps: &'a mut [u32],
    generation: u32,
    out: &'a mut Vec<u32>,
}

impl Probe<'_, '_> {
    /// Stamps and reports pattern `p`.
    fn found(&mut self, p: u32) {
        self.stamps[p as usize] = self.generation;
        self.out.push(p);
    }

    fn stamped(&self, p: u32) -> bool {
        self.stamps[p as usize] == self.generation
    }
}

impl WindowFilter {
    /// Confirms the unstamped long patterns of bucket `h` whose window
    /// is `key` at position `i`; `true` when all of the bucket's patterns
    /// are now stamped (the bucket is spent for this scan).
    #[inline(never)]
    fn long_bucket(&self, h: usize, key: u32, i: usize, probe: &mut Probe<'_, '_>) -> bool {
        let range = self.long_starts[h] as usize..self.long_starts[h + 1] as usize;
        let mut spent = true;
        for c in &self.long[range] {
            if probe.stamped(c.pattern) {
                continue;
            }
            let offset = c.offset as usize;
            if c.key == key && i >= offset && self.confirm(c.pattern, probe.hay, i - offset) {
                probe.found(c.pattern);
            } else {
                spent = false;
            }
        }
        spent
    }

    /// [`WindowFilter::long_bucket`] for the short patterns whose
    /// chosen pair is `k2`, at position `i`.
    #[inline(never)]
    fn short_bucket(&self, k2: u16, i: usize, probe: &mut Probe<'_, '_>) -> bool {
        let from = self.short.partition_point(|e| e.0 < k2);
        let mut spent = true;
        for &(_, offset, p) in self.short[from..].iter().take_while(|e| e.0 == k2) {
            if probe.stamped(p) {
                continue;
            }
            let offset = usize::from(offset);
            if i >= offset && self.confirm(p, probe.hay, i - offset) {
                probe.found(p);
            } else {
                spent = false;
            }
        }
        spent
    }
}

/// Where folded window `key` lives in a long map with 2^`bits`
/// buckets (multiplicative hashing): the product's top `bits` bits are
/// its bucket, the four below them its check bit.
#[derive(Clone, Copy, Debug)]
struct LongHash {
    bucket: usize,
    check: u32,
}

impl LongHash {
    #[inline(always)]
    fn new(key: u32, bits: u32) -> LongHash {
        let product = key.wrapping_mul(HASH_MUL);
        LongHash {
            bucket: (product >> (32 - bits)) as usize,
            check: (product >> (28 - bits)) & 15,
        }
    }

    /// The word of [`WindowFilter::long_map`] that holds both bits.
    #[inline(always)]
    fn word(self) -> usize {
        self.bucket / 16
    }

    /// The bucket's bit in its word.
    #[inline(always)]
    fn bucket_bit(self) -> u32 {
        1 << (self.bucket % 16)
    }

    /// Both bits: a window may be in the bucket only when its word has
    /// them all.
    #[inline(always)]
    fn need(self) -> u32 {
        self.bucket_bit() | 1 << (16 + self.check)
    }

    /// Whether `map` has both bits.
    #[inline(always)]
    fn hit(self, map: &[u32]) -> bool {
        map.get(self.word())
            .is_some_and(|&w| w & self.need() == self.need())
    }
}

/// The multiplier of [`LongHash`] (2^32 over the golden ratio).
const HASH_MUL: u32 = 0x9E37_79B1;

#[cfg(test)]
mod tests {
    use super::*;

    fn build(pats: &[(&[u8], bool)]) -> WindowFilter {
        WindowFilter::build(
            pats.iter()
                .enumerate()
                .map(|(i, &(p, nocase))| (i as u32, p, nocase, None)),
        )
    }

    fn found(f: &WindowFilter, hay: &[u8]) -> Vec<u32> {
        found_with(f, Simd::detect(), hay)
    }

    fn found_with(f: &WindowFilter, simd: Simd, hay: &[u8]) -> Vec<u32> {
        found_split(f, simd, hay, hay.len())
    }

    /// [`found_with`] as two scans, of positions `..split` and `split..`.
    fn found_split(f: &WindowFilter, simd: Simd, hay: &[u8], split: usize) -> Vec<u32> {
        let mut stamps = vec![0; f.spans.len()];
        let mut out = Vec::new();
        let mut folded = Vec::new();
        fold_padded(hay, &mut folded);
        let mut scratch = WindowScratch {
            simd,
            ..WindowScratch::default()
        };
        for range in [0..split, split..hay.len()] {
            f.scan(hay, &folded, range, &mut stamps, 1, &mut scratch, &mut out);
        }
        out.sort_unstable();
        out
    }

    /// Every sweep this machine can run (the scalar one always).
    fn sweeps() -> Vec<Simd> {
        let mut all = vec![Simd::Scalar];
        if Simd::detect() != Simd::Scalar {
            all.push(Simd::detect());
        }
        all
    }

    /// The patterns that occur in `hay`, by comparing each at every
    /// position: what the filter must find.
    fn naive(pats: &[(Vec<u8>, bool)], hay: &[u8]) -> Vec<u32> {
        let occurs = |p: &[u8], nocase: bool| {
            hay.windows(p.len()).any(|w| {
                if nocase {
                    w.eq_ignore_ascii_case(p)
                } else {
                    w == p
                }
            })
        };
        (0..pats.len() as u32)
            .filter(|&i| {
                let (p, nocase) = &pats[i as usize];
                !p.is_empty() && occurs(p, *nocase)
            })
            .collect()
    }

    /// Every sweep finds in `hay` exactly what [`naive`] finds.
    fn sweeps_agree_with_naive(
        pats: &[(Vec<u8>, bool)],
        hay: &[u8],
    ) -> Result<(), proptest::test_runner::TestCaseError> {
        let refs: Vec<(&[u8], bool)> = pats.iter().map(|(p, n)| (&p[..], *n)).collect();
        let f = build(&refs);
        let want = naive(pats, hay);
        for simd in sweeps() {
            proptest::prop_assert_eq!(found_with(&f, simd, hay), want.clone(), "{:?}", simd);
            // Split anywhere, the two ranges find the same.
            let split = hay.len() * 5 / 13;
            let got = found_split(&f, simd, hay, split);
            proptest::prop_assert_eq!(got, want.clone(), "{:?} split at {}", simd, split);
        }
        Ok(())
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config {
            cases: 2000,
            failure_persistence: None,
            ..Default::default()
        })]

        /// Scalar and AVX2 sweeps find exactly the patterns that occur,
        /// over a small alphabet where patterns overlap, repeat and share
        /// windows, and haystacks of every length around the 8-position
        /// blocks and 16-byte loads.
        #[test]
        fn sweeps_find_what_occurs(
            pats in proptest::collection::vec(("[aAbB\\x00z]{1,9}", proptest::bool::ANY), 1..24),
            hay in "[aAbB\\x00zq]{0,90}",
        ) {
            let pats: Vec<(Vec<u8>, bool)> =
                pats.into_iter().map(|(p, n)| (p.into_bytes(), n)).collect();
            sweeps_agree_with_naive(&pats, hay.as_bytes())?;
        }

        /// The same with more short patterns than the nibble masks take
        /// (the pairs go through the exact bitmap) beside long ones.
        #[test]
        fn sweeps_find_what_occurs_with_many_pairs(
            short in proptest::collection::vec("[a-z\\x00]{2,3}", 40..70),
            long in proptest::collection::vec("[a-dA-D]{4,6}", 0..8),
            hay in "[a-zA-D\\x00]{0,100}",
        ) {
            let pats: Vec<(Vec<u8>, bool)> = short
                .into_iter()
                .chain(long)
                .enumerate()
                .map(|(i, p)| (p.into_bytes(), i % 3 == 0))
                .collect();
            sweeps_agree_with_naive(&pats, hay.as_bytes())?;
        }
    }

    #[test]
    fn keys_fold_ascii_letters_only() {
        assert_eq!(folded_key(*b"AZ@[").to_le_bytes(), *b"az@[");
        assert_eq!(
            folded_key([0xc1, 0xda, b'M', 0x00]).to_le_bytes(),
            [0xc1, 0xda, b'm', 0x00]
        );
        let mut folded = Vec::new();
        fold_padded(b"GeT", &mut folded);
        assert_eq!(&folded[..3], b"get");
        assert_eq!(folded[3..], [0; PAD]);
    }

    #[test]
    fn every_length_case_and_position() {
        let pats: Vec<(&[u8], bool)> = vec![
            (b"~", false),            // 0
            (b"Q", true),             // 1
            (b"ab", false),           // 2
            (b"AbC", true),           // 3
            (b"\0\0\0\0\0", false),   // 4
            (b"GET /index", false),   // 5
            (b"get /INDEX", true),    // 6
            (b"\0\0\0\0ogin", false), // 7
            (b"tail", false),         // 8
        ];
        let f = build(&pats);
        assert_eq!(found(&f, b"GET /index.html"), vec![5, 6]);
        assert_eq!(found(&f, b"get /index"), vec![6]);
        assert_eq!(found(&f, b"q.abc"), vec![1, 2, 3]);
        assert_eq!(found(&f, b"ABC"), vec![3]);
        assert_eq!(found(&f, b"~~\0\0\0\0\0\0\0ogin"), vec![0, 4, 7]);
        // Patterns ending at the very end, in the padded tail.
        assert_eq!(found(&f, b"..tail"), vec![8]);
        assert_eq!(found(&f, b"ab"), vec![2]);
        assert_eq!(found(&f, b"a"), Vec::<u32>::new());
        assert_eq!(found(&f, b""), Vec::<u32>::new());
        // Near misses.
        assert_eq!(found(&f, b"GET /indeX"), vec![6]);
        assert_eq!(found(&f, b"\0\0\0\0"), Vec::<u32>::new());
    }

    #[test]
    fn pair_nibbles_never_rule_out_a_pair() {
        let pairs: Vec<u16> = [*b"ab", *b"\0\x18", *b"zz", *b"a\xff", *b"\r\n"]
            .iter()
            .map(|p| u16::from_le_bytes(*p))
            .collect();
        let t = PairNibbles::build(pairs.iter().copied()).unwrap();
        for p in &pairs {
            let [a, b] = p.to_le_bytes();
            assert!(t.may_start(a, b));
        }
        // Pairs whose nibbles come from no one bucket are ruled out.
        assert!(!t.may_start(b'q', b'q'));
        assert!(!t.may_start(0xff, 0xff));
        assert_eq!(PairNibbles::build(std::iter::empty()), None);
        assert_eq!(PairNibbles::build(0..=PairNibbles::MAX_PAIRS as u16), None);
    }

    #[test]
    fn exhausted_buckets_come_back_for_the_next_scan() {
        let pats: Vec<(&[u8], bool)> = vec![(b"\0\0\0\0", false), (b"zzzz", false)];
        let f = build(&pats);
        let mut stamps = vec![0; 2];
        let mut scratch = WindowScratch::default();
        let mut out = Vec::new();
        f.scan(
            &[0; 64],
            &[0; 67],
            0..64,
            &mut stamps,
            1,
            &mut scratch,
            &mut out,
        );
        assert_eq!(out, vec![0]);
        // A new generation: the zero window's bit is set again.
        out.clear();
        f.scan(
            b"zzzz\0\0\0\0",
            b"zzzz\0\0\0\0\0\0\0",
            0..8,
            &mut stamps,
            2,
            &mut scratch,
            &mut out,
        );
        out.sort_unstable();
        assert_eq!(out, vec![0, 1]);
        assert_eq!(scratch.copies[0].long_map, f.long_map);
    }

    #[test]
    fn stamped_patterns_are_not_reported_again() {
        let pats: Vec<(&[u8], bool)> = vec![(b"abcd", false)];
        let f = build(&pats);
        let mut stamps = vec![7];
        let mut out = Vec::new();
        f.scan(
            b"abcd",
            b"abcd\0\0\0",
            0..4,
            &mut stamps,
            7,
            &mut WindowScratch::default(),
            &mut out,
        );
        assert!(out.is_empty());
    }
}
