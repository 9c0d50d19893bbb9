//! The AVX2 sweep of a [`WindowFilter`]: the bit tests of 32 positions
//! per step.
//!
//! Only a few percent of positions hit a set bit, so the scalar sweep's
//! time goes into loading, hashing and testing each window. Here one
//! 16-byte load is shuffled into the eight 4-byte windows that start in
//! its first half, the eight hashes are one multiply, and the eight
//! windows' words of the long map are one gather; each word must have
//! both the window's bucket bit and its check bit ([`super::LongHash`]).
//! Four such blocks (32 positions) are tested before any candidate is
//! looked at, so the gathers overlap and the candidate branch, rarely
//! taken once two bits must agree, does not stall each one. The
//! candidates then go through the same bucket checks as in the scalar
//! sweep (which test the bits again in the working copy, since a bucket
//! spent earlier in the block has cleared its bit). Short pairs go
//! through Teddy-style nibble masks when there are few, else through
//! their bitmap the same way.
//!
//! Measured on the benchmark capture with ET Open, one thread: processing
//! took 1.83 s a pass with the scalar sweep, 1.26 s with the hashes
//! stored and tested one by one, and 1.13 s with one gather per eight
//! positions (session 4's machine state). Then, 7 interleaved runs each of
//! `rulewire bench -r web-mix-8.pcap -S et-open --threads 1 --loops 1`,
//! median processing: 0.665 s testing each block's candidates before the
//! next gather with the check bit in a separate map tested per candidate,
//! 0.608 s with the four blocks' gathers (bucket map and check map, two
//! per block) ahead of the candidates, 0.533 s with both bits in one word
//! (one gather per block).

use std::arch::x86_64::{
    __m256i, _mm256_add_epi32, _mm256_and_si256, _mm256_broadcastsi128_si256, _mm256_castsi256_ps,
    _mm256_cmpeq_epi32, _mm256_cmpeq_epi8, _mm256_i32gather_epi32, _mm256_loadu_si256,
    _mm256_movemask_epi8, _mm256_movemask_ps, _mm256_mullo_epi32, _mm256_or_si256,
    _mm256_set1_epi32, _mm256_set1_epi8, _mm256_setr_epi8, _mm256_setzero_si256,
    _mm256_shuffle_epi8, _mm256_slli_epi32, _mm256_sllv_epi32, _mm256_srl_epi32, _mm256_srli_epi16,
    _mm256_srli_epi32, _mm256_srlv_epi32, _mm_cvtsi32_si128, _mm_loadu_si128,
};

use super::{Maps, PairNibbles, Probe, WindowFilter, HASH_MUL};

/// The eight bits of `map` (little-endian `u64` words) at `bit`, one per
/// 32-bit lane, as a mask: lane `k` set gives bit `k`.
///
/// # Safety
/// AVX2 must be available, and every lane of `bit` must be below
/// `64 * map.len()`.
#[inline]
#[target_feature(enable = "avx2")]
unsafe fn gather_bits(map: &[u64], bit: __m256i) -> u32 {
    // SAFETY: lane `k` reads the 32-bit word `bit[k] / 32` of `map`, in
    // bounds by the caller's promise (two 32-bit words per `u64`; little
    // endian, so bit `b` of the `u64`s is bit `b % 32` of that word).
    let words =
        unsafe { _mm256_i32gather_epi32::<4>(map.as_ptr().cast(), _mm256_srli_epi32(bit, 5)) };
    let low = _mm256_and_si256(bit, _mm256_set1_epi32(31));
    let lsb = _mm256_slli_epi32::<31>(_mm256_srlv_epi32(words, low));
    _mm256_movemask_ps(_mm256_castsi256_ps(lsb)) as u32
}

/// The nibble tables of `t`, each in both 128-bit lanes (byte shuffles
/// look up within a lane).
#[inline]
#[target_feature(enable = "avx2")]
fn nibble_tables(t: &PairNibbles) -> [__m256i; 4] {
    t.tables.map(|row| {
        // SAFETY: `row` is 16 bytes.
        let v = unsafe { _mm_loadu_si128(row.as_ptr().cast()) };
        _mm256_broadcastsi128_si256(v)
    })
}

/// Bit `k` set: the folded bytes at `at + k` and `at + k + 1` may be one
/// of the short pairs (`tables` from [`nibble_tables`]), for k in 0..32.
///
/// # Safety
/// AVX2 must be available and `at + 33 <= folded.len()`.
#[inline]
#[target_feature(enable = "avx2")]
unsafe fn pair_candidates(tables: &[__m256i; 4], folded: &[u8], at: usize) -> u32 {
    // SAFETY: both loads end at or before `at + 33`.
    let (a, b) = unsafe {
        (
            _mm256_loadu_si256(folded.as_ptr().add(at).cast()),
            _mm256_loadu_si256(folded.as_ptr().add(at + 1).cast()),
        )
    };
    let low = _mm256_set1_epi8(0x0f);
    let a_lo = _mm256_shuffle_epi8(tables[0], _mm256_and_si256(a, low));
    let a_hi = _mm256_shuffle_epi8(tables[1], _mm256_and_si256(_mm256_srli_epi16::<4>(a), low));
    let b_lo = _mm256_shuffle_epi8(tables[2], _mm256_and_si256(b, low));
    let b_hi = _mm256_shuffle_epi8(tables[3], _mm256_and_si256(_mm256_srli_epi16::<4>(b), low));
    let buckets = _mm256_and_si256(_mm256_and_si256(a_lo, a_hi), _mm256_and_si256(b_lo, b_hi));
    let none = _mm256_cmpeq_epi8(buckets, _mm256_setzero_si256());
    !(_mm256_movemask_epi8(none) as u32)
}

impl WindowFilter {
    /// The sweep over `positions` of `probe.hay`, 32 at a time
    /// while the loads fit in `folded` (always, with [`fold_padded`]'s
    /// padding); returns the first position it did not test, for the
    /// scalar sweep to go on from.
    ///
    /// # Safety
    /// AVX2 must be available.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn sweep_avx2<const LONG: bool, const SHORT: bool>(
        &self,
        folded: &[u8],
        positions: std::ops::Range<usize>,
        maps: &mut Maps<'_>,
        probe: &mut Probe<'_, '_>,
    ) -> usize {
        let n = positions.end;
        let shift = 32 - self.bits;
        // Every hash is below 2^bits, so within the long map; every pair
        // is below 2^16 = 64 * 1024, the short map's size.
        debug_assert_eq!(maps.long_map.len() * 16, 1 << self.bits);
        debug_assert!(maps.short_map.len() * 64 >= 1 << 16);
        // Lane k of the low half: bytes k..k+4 of the load; of the high
        // half: bytes 4+k..8+k (each half sees the same 16 bytes).
        let windows = _mm256_setr_epi8(
            0, 1, 2, 3, 1, 2, 3, 4, 2, 3, 4, 5, 3, 4, 5, 6, //
            4, 5, 6, 7, 5, 6, 7, 8, 6, 7, 8, 9, 7, 8, 9, 10,
        );
        let mul = _mm256_set1_epi32(HASH_MUL as i32);
        let check_by = _mm_cvtsi32_si128(28 - self.bits as i32);
        let (one, fifteen, sixteen) = (
            _mm256_set1_epi32(1),
            _mm256_set1_epi32(15),
            _mm256_set1_epi32(16),
        );
        let shift_by = _mm_cvtsi32_si128(shift as i32);
        let pair_mask = _mm256_set1_epi32(0xffff);
        // Short pairs through the nibble masks when there are few, else
        // through the exact bitmap like the windows.
        let nibbles = match &self.pair_nibbles {
            Some(t) if SHORT => Some(nibble_tables(t)),
            _ => None,
        };
        let gather_pairs = SHORT && nibbles.is_none();
        let mut i = positions.start;
        // Loads reach `i + 40` (the last window block) and `i + 33` (the
        // pairs).
        while i < n && i + 40 <= folded.len() {
            let live = if n - i >= 32 {
                u32::MAX
            } else {
                (1u32 << (n - i)) - 1
            };
            let mut pairs = 0u32;
            let mut longs = 0u32;
            if LONG || gather_pairs {
                // All four gathers before any candidate is checked: they
                // overlap, and the candidate branch, rarely taken once
                // both maps agree, no longer stalls each one.
                for b in [0, 8, 16, 24] {
                    let at = i + b;
                    // SAFETY: `at + 16 <= i + 40 <= folded.len()`.
                    let raw = unsafe { _mm_loadu_si128(folded.as_ptr().add(at).cast()) };
                    let w = _mm256_shuffle_epi8(_mm256_broadcastsi128_si256(raw), windows);
                    if gather_pairs {
                        let k = _mm256_and_si256(w, pair_mask);
                        // SAFETY: pairs are below 2^16 (see above).
                        pairs |= unsafe { gather_bits(maps.short_map, k) } << b;
                    }
                    if LONG {
                        // LongHash for eight windows: the bucket (top
                        // `bits` bits of the product), its word and the
                        // two bits the word must have.
                        let product = _mm256_mullo_epi32(w, mul);
                        let bucket = _mm256_srl_epi32(product, shift_by);
                        let word = _mm256_srli_epi32::<4>(bucket);
                        let bucket_bit = _mm256_and_si256(bucket, fifteen);
                        let check = _mm256_and_si256(_mm256_srl_epi32(product, check_by), fifteen);
                        let check_bit = _mm256_add_epi32(check, sixteen);
                        let need = _mm256_or_si256(
                            _mm256_sllv_epi32(one, bucket_bit),
                            _mm256_sllv_epi32(one, check_bit),
                        );
                        // SAFETY: buckets are below 2^bits (see above),
                        // so words below the map's length.
                        let words = unsafe {
                            _mm256_i32gather_epi32::<4>(maps.long_map.as_ptr().cast(), word)
                        };
                        let all = _mm256_cmpeq_epi32(_mm256_and_si256(words, need), need);
                        longs |= (_mm256_movemask_ps(_mm256_castsi256_ps(all)) as u32) << b;
                    }
                }
            }
            let mut m = longs & live;
            while m != 0 {
                let pos = i + m.trailing_zeros() as usize;
                m &= m - 1;
                let key = u32::from_le_bytes([
                    folded[pos],
                    folded[pos + 1],
                    folded[pos + 2],
                    folded[pos + 3],
                ]);
                self.check_long(key, pos, maps, probe);
            }
            if let Some(tables) = &nibbles {
                // SAFETY: `i + 33 <= i + 40 <= folded.len()`.
                pairs = unsafe { pair_candidates(tables, folded, i) };
            }
            let mut m = pairs & live;
            while m != 0 {
                let pos = i + m.trailing_zeros() as usize;
                m &= m - 1;
                let k = u16::from_le_bytes([folded[pos], folded[pos + 1]]);
                self.check_short(k, pos, maps, probe);
            }
            i += 32;
        }
        i.min(n)
    }
}
