//! Multi-index hashing of 64-bit codes (Norouzi, Punjani and Fleet, 2012).
//!
//! A code is cut into [`BANDS`] bands of [`BAND_BITS`] bits, each stored in
//! its own indexed column. To find every code within Hamming distance `d` of
//! a query, band `i` is searched with a radius `r_i` such that
//! `Σ (r_i + 1) = d + 1`: if a stored code differed from the query by at
//! least `r_i + 1` bits in every band, it would differ by at least `d + 1`
//! bits in all (pigeonhole), so every code within `d` agrees with the query
//! to within `r_i` bits in at least one band, and is among the candidates.
//! The exact distance of each candidate is then checked. The search is exact,
//! not approximate, for every `d <= MAX_DISTANCE`.
//!
//! Why 4 × 16 bits: with random codes a 16-bit bucket holds n / 65,536 rows
//! (15 at one million), so even probing every value within radius 3 of each
//! band (697 values) touches ~42,000 candidates at `d = 15`, and ~2,100 at
//! `d = 7`. Eight 8-bit bands would be exact to `d = 7` without probing
//! neighbours but hold ~3,900 rows per bucket; radius 1 there (`d = 15`)
//! touches ~280,000. docs/registry.md has the measurements.

/// Number of bands a code is cut into.
pub const BANDS: usize = 4;
/// Bits per band.
pub const BAND_BITS: u32 = 16;
/// The largest distance [`nearest`](crate::Registry::nearest) searches: each
/// band probed at radius 3, 697 values per band. Beyond it the candidate
/// count (and the time) grows by ~4× per step of radius.
pub const MAX_DISTANCE: u32 = 15;

/// The largest radius any band is probed at.
const MAX_RADIUS: u32 = MAX_DISTANCE / BANDS as u32;

/// The bands of `code`, most significant first, as the integers stored in
/// the `b0`…`b3` columns.
pub fn bands(code: u64) -> [i32; BANDS] {
    let mut out = [0; BANDS];
    for (i, band) in out.iter_mut().enumerate() {
        let shift = 64 - BAND_BITS * (i as u32 + 1);
        *band = i32::from((code >> shift) as u16);
    }
    out
}

/// The radius band `i` is searched at so that the search is exact to `d`:
/// `None` when the band need not be searched at all (`d + 1 < BANDS`).
pub fn radii(d: u32) -> [Option<u32>; BANDS] {
    let total = d + 1;
    let per = total / BANDS as u32;
    let extra = total % BANDS as u32;
    let mut out = [None; BANDS];
    for (i, r) in out.iter_mut().enumerate() {
        let width = per + u32::from((i as u32) < extra);
        *r = width.checked_sub(1);
    }
    out
}

/// Every band value within `radius` bits of `value`, `value` first.
pub fn probes(value: i32, radius: u32) -> Vec<i32> {
    masks()
        .iter()
        .take_while(|m| m.count_ones() <= radius)
        .map(|m| value ^ i32::from(*m))
        .collect()
}

/// The query's probe lists, one per band (empty for bands not searched).
pub fn probe_lists(code: u64, d: u32) -> [Vec<i32>; BANDS] {
    let b = bands(code);
    let r = radii(d);
    std::array::from_fn(|i| r[i].map_or_else(Vec::new, |r| probes(b[i], r)))
}

/// All 16-bit masks of weight `<= MAX_RADIUS`, lightest first: a probe list
/// of radius `r` is a prefix of it.
fn masks() -> &'static [u16] {
    static MASKS: std::sync::OnceLock<Vec<u16>> = std::sync::OnceLock::new();
    MASKS.get_or_init(|| {
        let mut m: Vec<u16> = (0..=u16::MAX)
            .filter(|m| m.count_ones() <= MAX_RADIUS)
            .collect();
        m.sort_by_key(|m| m.count_ones());
        m
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_cover_the_code_in_order() {
        assert_eq!(
            bands(0x0123_4567_89ab_cdef),
            [0x0123, 0x4567, 0x89ab, 0xcdef]
        );
        assert_eq!(bands(u64::MAX), [0xffff; 4]);
    }

    #[test]
    fn radii_sum_to_the_distance_plus_one() {
        for d in 0..=MAX_DISTANCE {
            let sum: u32 = radii(d).iter().map(|r| r.map_or(0, |r| r + 1)).sum();
            assert_eq!(sum, d + 1, "d = {d}");
            assert!(radii(d).iter().flatten().all(|r| *r <= MAX_RADIUS));
        }
        assert_eq!(radii(0), [Some(0), None, None, None]);
        assert_eq!(radii(12), [Some(3), Some(2), Some(2), Some(2)]);
    }

    #[test]
    fn probe_counts_are_the_hamming_ball_sizes() {
        assert_eq!(probes(7, 0), vec![7]);
        assert_eq!(probes(0, 1).len(), 17);
        assert_eq!(probes(0, 2).len(), 1 + 16 + 120);
        assert_eq!(probes(0, 3).len(), 1 + 16 + 120 + 560);
        assert!(probes(0xffff, 3).iter().all(|p| (0..=0xffff).contains(p)));
    }

    /// The pigeonhole argument, checked: a code at distance `d` always
    /// shares a probed value in some band.
    #[test]
    fn every_code_within_d_is_a_candidate() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for d in 0..=MAX_DISTANCE {
            for _ in 0..200 {
                // xorshift: reproducible, no dependency.
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let query = x;
                let mut flip = 0u64;
                let mut y = x.rotate_left(17);
                while flip.count_ones() < d {
                    y ^= y << 13;
                    y ^= y >> 7;
                    y ^= y << 17;
                    flip |= 1 << (y % 64);
                }
                let stored = bands(query ^ flip);
                let lists = probe_lists(query, d);
                assert!(
                    (0..BANDS).any(|i| lists[i].contains(&stored[i])),
                    "d = {d}: {query:x} vs {:x}",
                    query ^ flip
                );
            }
        }
    }
}
